/* dp-registry.c — contexts and the plugin registry (GModule loader).
 * Plugins are loaded only from the search path: --plugin-dir entries,
 * then DARKPIPE_PLUGIN_PATH, then the install directory (or, when the
 * program runs from its build tree, the build tree's plugins/). */
#include "config.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dp-options.h"
#include "dp-pipeline.h"
#include "dp-comm.h"
#include "dp-private.h"

/* configure names the plugin directory and darkpipe.pc after its own copy */
G_STATIC_ASSERT (DP_ABI_VERSION == DP_ABI_VERSION_CONFIGURED);

static void
plugin_free (DpPlugin *p)
{
  if (p->module)
    g_module_close (p->module);
  g_free (p->name);
  g_free (p->path);
  g_free (p);
}

DpContext *
dp_context_new (void)
{
  DpContext *ctx = g_new0 (DpContext, 1);
  ctx->ref_count = 1;
  ctx->plugin_dirs = g_ptr_array_new_with_free_func (g_free);
  ctx->plugins = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) plugin_free);
  ctx->threads = 1;
  ctx->stages = g_ptr_array_new ();
  g_mutex_init (&ctx->log_lock);
  g_mutex_init (&ctx->peak_lock);
  ctx->peak_active = g_ptr_array_new ();
  /* under a launcher: MPI starts here (dp-comm.h) */
  ctx->comm = dp_comm_world ();
  return ctx;
}

void
dp_context_free (DpContext *ctx)
{
  if (ctx == NULL)
    return;
  g_hash_table_destroy (ctx->plugins);
  if (ctx->plugin_index)
    g_hash_table_destroy (ctx->plugin_index);
  g_ptr_array_unref (ctx->plugin_dirs);
  g_free (ctx->output_dir);
  g_ptr_array_unref (ctx->stages);
  g_mutex_clear (&ctx->log_lock);
  g_mutex_clear (&ctx->peak_lock);
  g_ptr_array_unref (ctx->peak_active);
  g_free (ctx);
}

void
dp_context_add_plugin_dir (DpContext *ctx, const char *dir)
{
  g_ptr_array_add (ctx->plugin_dirs, g_strdup (dir));
  if (ctx->plugin_index)
    g_clear_pointer (&ctx->plugin_index, g_hash_table_destroy);
}

void dp_context_set_threads (DpContext *ctx, guint threads) { ctx->threads = MAX (threads, 1u); }
void dp_context_set_quiet (DpContext *ctx, gboolean quiet) { ctx->quiet = quiet; }
void dp_context_set_progress (DpContext *ctx, gboolean progress) { ctx->progress = progress; }
guint dp_context_rank (const DpContext *ctx) { return ctx->comm ? ctx->comm->rank : 0; }
guint dp_context_n_ranks (const DpContext *ctx) { return ctx->comm ? ctx->comm->size : 1; }
void dp_context_set_sequential (DpContext *ctx, gboolean sequential) { ctx->sequential = sequential; }
void dp_context_cancel (DpContext *ctx) { g_atomic_int_set (&ctx->cancelled, 1); }

gboolean
dp_context_interrupt (DpContext *ctx)
{
  if (g_atomic_int_get (&ctx->live_sources) > 0)
    {
      g_atomic_int_set (&ctx->input_stopped, 1);
      return TRUE;
    }
  dp_context_cancel (ctx);
  /* under MPI: the waits for other ranks end, and no temporary file stays
   * behind when mpirun's SIGKILL follows its SIGTERM (dp-comm.h) */
  if (ctx->comm && ctx->comm->size > 1)
    {
      dp_comm_interrupt ();
      dp_output_sweep_temporaries ();
    }
  return FALSE;
}

void
dp_context_set_output_dir (DpContext *ctx, const char *dir)
{
  g_free (ctx->output_dir);
  ctx->output_dir = g_strdup (dir);
}

/* TRUE when this process's executable lives in the build tree, so the
 * uninstalled program finds the uninstalled plugins. */
static gboolean
running_from_build_tree (void)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  if (exe == NULL)
    return FALSE;
  g_autofree char *prefix = g_strconcat (DP_BUILD_DIR, "/", NULL);
  return g_str_has_prefix (exe, prefix);
}

char *
dp_default_pipeline_dir (void)
{
  if (running_from_build_tree ())
    return g_strdup (DP_SRC_DIR "/pipelines");
  return g_strdup (DP_PIPELINEDIR);
}

static void
registry_warn (DpContext *ctx, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

static void
registry_warn (DpContext *ctx, const char *fmt, ...)
{
  if (ctx->quiet)
    return;
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_autofree char *safe = dp_escape_controls (msg, FALSE);
  fprintf (stderr, "darkpipe: warning: %s\n", safe);
}

GPtrArray *
dp_context_search_path (DpContext *ctx)
{
  GPtrArray *path = g_ptr_array_new_with_free_func (g_free);
  /* an explicit --plugin-dir may be relative: to the working directory */
  for (guint i = 0; i < ctx->plugin_dirs->len; i++)
    g_ptr_array_add (path, g_canonicalize_filename (g_ptr_array_index (ctx->plugin_dirs, i), NULL));
  const char *env = g_getenv ("DARKPIPE_PLUGIN_PATH");
  if (env && *env)
    {
      g_auto (GStrv) parts = g_strsplit (env, G_SEARCHPATH_SEPARATOR_S, -1);
      for (char **p = parts; *p; p++)
        if (**p && !g_path_is_absolute (*p))
          {
            /* like an empty PATH entry, it would load code from wherever the
             * program happens to run */
            if (!ctx->path_warned)
              registry_warn (ctx, "DARKPIPE_PLUGIN_PATH entry '%s' is relative; ignored", *p);
          }
        else if (**p)
          g_ptr_array_add (path, g_canonicalize_filename (*p, NULL));
      ctx->path_warned = TRUE;
    }
  if (running_from_build_tree ())
    g_ptr_array_add (path, g_strdup (DP_BUILD_DIR "/plugins"));
  else
    g_ptr_array_add (path, g_strdup (DP_PLUGINDIR));
  return path;
}

/* Like ssh with its keys: a plugin directory or file that someone else
 * could have written is not loaded.  NULL when @path is safe, else why. */
static char *
unsafe_reason (const char *path)
{
  struct stat st;
  if (stat (path, &st) != 0)
    return g_strdup (g_strerror (errno));
  if (st.st_uid != getuid () && st.st_uid != 0)
    return g_strdup_printf ("owned by uid %u, neither you nor root", (guint) st.st_uid);
  if (st.st_mode & (S_IWGRP | S_IWOTH))
    return g_strdup_printf ("writable by %s (mode %04o)", st.st_mode & S_IWOTH ? "others" : "its group",
                            (guint) (st.st_mode & 07777));
  return NULL;
}

static gint
cmp_str (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* Records every NAME.so in @dir; where the plugin file is already known
 * from another file, the name is marked a duplicate (both paths kept).
 * @la_dir: for a libtool .libs folder, its parent, where NAME.la must be
 * for NAME.so to count (a build tree's plugin), else NULL. */
static void
scan_one (DpContext *ctx, GHashTable *index, const char *dir, const char *la_dir)
{
  g_autofree char *why = unsafe_reason (dir);
  if (why)
    {
      if (g_file_test (dir, G_FILE_TEST_IS_DIR))
        registry_warn (ctx, "plugin directory %s is %s; not searched", dir, why);
      return;
    }
  GDir *d = g_dir_open (dir, 0, NULL);
  if (d == NULL)
    return;
  g_autofree char *real_dir = realpath (dir, NULL);   /* malloc'd: g_free is free */
  const char *name;
  while ((name = g_dir_read_name (d)))
    {
      if (!g_str_has_suffix (name, ".so") || strlen (name) == 3)
        continue;
      g_autofree char *stem = g_strndup (name, strlen (name) - 3);
      if (la_dir)
        {
          g_autofree char *la = g_strconcat (la_dir, G_DIR_SEPARATOR_S, stem, ".la", NULL);
          if (!g_file_test (la, G_FILE_TEST_IS_REGULAR))
            continue;
        }
      g_autofree char *full = g_build_filename (dir, name, NULL);
      g_autofree char *bad = unsafe_reason (full);
      if (bad)
        {
          registry_warn (ctx, "plugin file %s is %s; not loaded", full, bad);
          continue;
        }
      char *rp = realpath (full, NULL);
      g_autofree char *canon = g_strdup (rp ? rp : full);
      free (rp);
      /* a symbolic link: the folder of the file it names must be safe too */
      g_autofree char *where = g_path_get_dirname (canon);
      if (g_strcmp0 (where, real_dir) != 0)
        {
          g_autofree char *bad_dir = unsafe_reason (where);
          if (bad_dir)
            {
              registry_warn (ctx, "plugin file %s links into %s, which is %s; not loaded", full, where, bad_dir);
              continue;
            }
        }
      const char *known = g_hash_table_lookup (index, stem);
      if (known == NULL)
        g_hash_table_insert (index, g_steal_pointer (&stem), g_steal_pointer (&canon));
      else if (strcmp (known, canon) != 0 && !g_str_has_prefix (known, "\n"))
        {
          /* "\nFIRST\nSECOND": a duplicate, reported when the name is used */
          char *dup = g_strdup_printf ("\n%s\n%s", known, canon);
          g_hash_table_insert (index, g_steal_pointer (&stem), dup);
        }
    }
  g_dir_close (d);
}

/* DIR itself, and the .libs folders of a libtool build tree: DIR/.libs and
 * DIR/KIND/.libs, where only NAME.so with a NAME.la beside the .libs folder
 * (in DIR, or DIR/KIND) counts.  No other subdirectory is searched. */
static void
scan_dir (DpContext *ctx, GHashTable *index, const char *dir)
{
  scan_one (ctx, index, dir, NULL);
  g_autofree char *libs = g_build_filename (dir, ".libs", NULL);
  if (g_file_test (libs, G_FILE_TEST_IS_DIR))
    scan_one (ctx, index, libs, dir);
  GDir *d = g_dir_open (dir, 0, NULL);
  if (d == NULL)
    return;
  g_autoptr (GPtrArray) kinds = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  while ((name = g_dir_read_name (d)))
    {
      g_autofree char *sub = g_build_filename (dir, name, ".libs", NULL);
      if (name[0] != '.' && g_file_test (sub, G_FILE_TEST_IS_DIR))
        g_ptr_array_add (kinds, g_steal_pointer (&sub));
    }
  g_dir_close (d);
  g_ptr_array_sort (kinds, cmp_str);
  for (guint i = 0; i < kinds->len; i++)
    {
      const char *sub = g_ptr_array_index (kinds, i);
      g_autofree char *kind = g_path_get_dirname (sub);
      /* DIR/KIND must be safe as well: it holds the .la files that decide */
      g_autofree char *why = unsafe_reason (kind);
      if (why)
        registry_warn (ctx, "plugin directory %s is %s; not searched", kind, why);
      else
        scan_one (ctx, index, sub, kind);
    }
}

static GHashTable *
context_index (DpContext *ctx)
{
  if (ctx->plugin_index)
    return ctx->plugin_index;
  ctx->plugin_index = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr (GPtrArray) path = dp_context_search_path (ctx);
  for (guint i = 0; i < path->len; i++)
    scan_dir (ctx, ctx->plugin_index, g_ptr_array_index (path, i));
  return ctx->plugin_index;
}

char *
dp_context_plugin_path (DpContext *ctx, const char *name)
{
  const char *path = g_hash_table_lookup (context_index (ctx), name);
  if (path && path[0] == '\n')   /* a duplicate: the first of the two */
    return g_strndup (path + 1, strcspn (path + 1, "\n"));
  return g_strdup (path);
}

GPtrArray *
dp_context_plugin_names (DpContext *ctx)
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter it;
  gpointer key;
  g_hash_table_iter_init (&it, context_index (ctx));
  while (g_hash_table_iter_next (&it, &key, NULL))
    g_ptr_array_add (names, g_strdup (key));
  g_ptr_array_sort (names, cmp_str);
  return names;
}

static gboolean
validate_desc (const DpPluginDesc *d, const char *path, GError **error)
{
  for (guint i = 0; i < d->n_options; i++)
    {
      const DpOptionDesc *o = &d->options[i];
      if (o->name == NULL || o->doc == NULL || !*o->doc || (guint) o->type >= DP_OPT_TYPE_COUNT_
          || (o->type == DP_OPT_ENUM && o->choices == NULL))
        {
          g_set_error (error, DP_PLUGIN_ERROR, DP_PLUGIN_ERROR_INVALID,
                       "%s: option %u ('%s') lacks a name, a doc, a valid type or its choices",
                       path, i, o->name ? o->name : "?");
          return FALSE;
        }
      for (guint j = 0; j < i; j++)
        if (strcmp (d->options[j].name, o->name) == 0)
          {
            g_set_error (error, DP_PLUGIN_ERROR, DP_PLUGIN_ERROR_INVALID,
                         "%s: option '%s' declared twice", path, o->name);
            return FALSE;
          }
    }
  if ((guint) d->kind >= DP_KIND_COUNT_ || d->summary == NULL
      || (d->kind == DP_KIND_SOURCE && d->run == NULL))
    {
      g_set_error (error, DP_PLUGIN_ERROR, DP_PLUGIN_ERROR_INVALID,
                   "%s: bad kind, no summary, or a source without run()", path);
      return FALSE;
    }
  /* every default must parse: catches a broken option table at load time */
  GError *local = NULL;
  void *cfg = dp_config_new (d, &local);
  if (cfg == NULL)
    {
      g_set_error (error, DP_PLUGIN_ERROR, DP_PLUGIN_ERROR_INVALID, "%s: %s", path, local->message);
      g_error_free (local);
      return FALSE;
    }
  dp_config_free (d, cfg);
  return TRUE;
}

/* Reads @n bytes at @off of @fd into a new buffer, after checking that
 * they lie inside the file's @size bytes; NULL if not or on a short read. */
static guint8 *
read_at (int fd, guint64 size, guint64 off, guint64 n)
{
  if (off > size || n > size - off || n > G_MAXSIZE - 1)
    return NULL;
  guint8 *buf = g_malloc (n + 1);   /* + 1: a terminator for string tables */
  guint64 done = 0;
  while (done < n)
    {
      ssize_t r = pread (fd, buf + done, n - done, (off_t) (off + done));
      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        {
          g_free (buf);
          return NULL;
        }
      done += (guint64) r;
    }
  buf[n] = 0;
  return buf;
}

typedef struct
{
  guint64 type, off, size, link, entsize;
} ElfSection;

static void
elf_section (const guint8 *table, gboolean is64, guint64 i, ElfSection *s)
{
  if (is64)
    {
      Elf64_Shdr h;
      memcpy (&h, table + i * sizeof h, sizeof h);
      *s = (ElfSection) { h.sh_type, h.sh_offset, h.sh_size, h.sh_link, h.sh_entsize };
    }
  else
    {
      Elf32_Shdr h;
      memcpy (&h, table + i * sizeof h, sizeof h);
      *s = (ElfSection) { h.sh_type, h.sh_offset, h.sh_size, h.sh_link, h.sh_entsize };
    }
}

/* Looks for the defined global function @sym in the dynamic symbol table
 * (.dynsym and its .dynstr) of the ELF file @path, reading the file as
 * data, so that a shared object that is no darkpipe plugin is refused
 * before dlopen runs any of its constructors.  Only the header, the
 * section table and those two sections are read (pread, not mmap: a
 * mapping of an ELF file confuses tools such as valgrind); every offset
 * and size is checked against the file, and any inconsistency refuses the
 * file.  NULL when the symbol is there, else why not. */
static char *
elf_lacks_symbol (const char *path, const char *sym)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return g_strdup_printf ("cannot be read: %s", g_strerror (errno));
  char *why = NULL;
  g_autofree guint8 *eh = NULL, *shtab = NULL, *syms = NULL, *strs = NULL;
  struct stat st;
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      why = g_strdup ("not a regular file");
      goto out;
    }
  guint64 size = (guint64) st.st_size;
  eh = read_at (fd, size, 0, MIN (size, (guint64) sizeof (Elf64_Ehdr)));
  if (eh == NULL || size < EI_NIDENT || memcmp (eh, ELFMAG, SELFMAG) != 0)
    {
      why = g_strdup ("not an ELF file");
      goto out;
    }
#if G_BYTE_ORDER == G_LITTLE_ENDIAN
  if (eh[EI_DATA] != ELFDATA2LSB)
#else
  if (eh[EI_DATA] != ELFDATA2MSB)
#endif
    {
      why = g_strdup ("an ELF file of the other byte order");
      goto out;
    }
  gboolean is64 = eh[EI_CLASS] == ELFCLASS64;
  if ((!is64 && eh[EI_CLASS] != ELFCLASS32) || eh[EI_VERSION] != EV_CURRENT)
    {
      why = g_strdup ("an ELF file of unknown class or version");
      goto out;
    }
  guint64 type, shoff, shentsize, shnum, ehsize;
  if (size < (is64 ? sizeof (Elf64_Ehdr) : sizeof (Elf32_Ehdr)))
    {
      why = g_strdup ("a truncated ELF file");
      goto out;
    }
  if (is64)
    {
      Elf64_Ehdr h;
      memcpy (&h, eh, sizeof h);
      type = h.e_type, shoff = h.e_shoff, shentsize = h.e_shentsize, shnum = h.e_shnum, ehsize = h.e_ehsize;
    }
  else
    {
      Elf32_Ehdr h;
      memcpy (&h, eh, sizeof h);
      type = h.e_type, shoff = h.e_shoff, shentsize = h.e_shentsize, shnum = h.e_shnum, ehsize = h.e_ehsize;
    }
  if (type != ET_DYN)
    {
      why = g_strdup ("an ELF file that is not a shared object");
      goto out;
    }
  /* e_shnum 0 with a section table means more than SHN_LORESERVE sections:
   * no plugin has that many */
  if (ehsize != (is64 ? sizeof (Elf64_Ehdr) : sizeof (Elf32_Ehdr))
      || shentsize != (is64 ? sizeof (Elf64_Shdr) : sizeof (Elf32_Shdr)) || shnum == 0
      || (shtab = read_at (fd, size, shoff, shnum * shentsize)) == NULL)
    {
      why = g_strdup ("an ELF file without a usable section table");
      goto out;
    }
  ElfSection dyn = { 0 }, str;
  gboolean found = FALSE;
  for (guint64 i = 0; i < shnum; i++)
    {
      ElfSection s;
      elf_section (shtab, is64, i, &s);
      if (s.type != SHT_DYNSYM)
        continue;
      if (found)
        {
          why = g_strdup ("an ELF file with two dynamic symbol tables");
          goto out;
        }
      found = TRUE, dyn = s;
    }
  if (!found)
    {
      why = g_strdup_printf ("no dynamic symbol table, so no symbol %s", sym);
      goto out;
    }
  guint64 symsize = is64 ? sizeof (Elf64_Sym) : sizeof (Elf32_Sym);
  if (dyn.link == 0 || dyn.link >= shnum || dyn.entsize != symsize || dyn.size % symsize != 0
      || (syms = read_at (fd, size, dyn.off, dyn.size)) == NULL)
    {
      why = g_strdup ("an ELF file with a broken dynamic symbol table");
      goto out;
    }
  elf_section (shtab, is64, dyn.link, &str);
  if (str.type != SHT_STRTAB || str.size == 0 || (strs = read_at (fd, size, str.off, str.size)) == NULL
      || strs[str.size - 1] != 0)
    {
      why = g_strdup ("an ELF file with a broken dynamic string table");
      goto out;
    }
  for (guint64 k = 0; k < dyn.size / symsize; k++)
    {
      guint64 name, shndx, value;
      guint info;
      if (is64)
        {
          Elf64_Sym y;
          memcpy (&y, syms + k * symsize, sizeof y);
          name = y.st_name, shndx = y.st_shndx, info = y.st_info, value = y.st_value;
        }
      else
        {
          Elf32_Sym y;
          memcpy (&y, syms + k * symsize, sizeof y);
          name = y.st_name, shndx = y.st_shndx, info = y.st_info, value = y.st_value;
        }
      if (name >= str.size)
        {
          why = g_strdup ("an ELF file with a symbol name outside its string table");
          goto out;
        }
      /* the string table ends in a NUL, so strcmp stays inside it */
      if (shndx == SHN_UNDEF || strcmp ((const char *) strs + name, sym) != 0)
        continue;
      /* ELF32_ST_* and ELF64_ST_* are the same bit fields */
      if (ELF64_ST_TYPE (info) == STT_FUNC && ELF64_ST_BIND (info) != STB_LOCAL && value != 0)
        goto out;                   /* found: why stays NULL */
    }
  why = g_strdup_printf ("no symbol %s", sym);
out:
  close (fd);
  return why;
}

static DpPlugin *
load_module (const char *name, const char *path, GError **error)
{
  g_autofree char *sym = g_strdup_printf ("dp_plugin_%s_get_desc", name);
  g_autofree char *lacks = elf_lacks_symbol (path, sym);
  if (lacks)
    {
      g_set_error (error, DP_PLUGIN_ERROR, DP_PLUGIN_ERROR_SYMBOL,
                   "%s: not a darkpipe plugin (%s); not loaded", path, lacks);
      return NULL;
    }
  GModule *module = g_module_open (path, G_MODULE_BIND_LAZY | G_MODULE_BIND_LOCAL);
  if (module == NULL)
    {
      g_set_error (error, DP_PLUGIN_ERROR, DP_PLUGIN_ERROR_LOAD, "%s: cannot load plugin: %s",
                   path, g_module_error ());
      return NULL;
    }
  const DpPluginDesc *(*get_desc) (void) = NULL;
  if (!g_module_symbol (module, sym, (gpointer *) &get_desc) || get_desc == NULL)
    {
      g_set_error (error, DP_PLUGIN_ERROR, DP_PLUGIN_ERROR_SYMBOL,
                   "%s: not a darkpipe plugin (no symbol %s)", path, sym);
      g_module_close (module);
      return NULL;
    }
  const DpPluginDesc *d = get_desc ();
  if (d == NULL || d->abi_version != DP_ABI_VERSION || d->struct_size != sizeof (DpPluginDesc))
    {
      g_set_error (error, DP_PLUGIN_ERROR, DP_PLUGIN_ERROR_ABI,
                   "%s: plugin ABI mismatch: plugin has ABI version %u and descriptor size %u, "
                   "darkpipe expects ABI version %u and size %u; rebuild the plugin",
                   path, d ? d->abi_version : 0, d ? d->struct_size : 0,
                   DP_ABI_VERSION, (guint) sizeof (DpPluginDesc));
      g_module_close (module);
      return NULL;
    }
  if (d->name == NULL || strcmp (d->name, name) != 0 || !validate_desc (d, path, error))
    {
      if (error && *error == NULL)
        g_set_error (error, DP_PLUGIN_ERROR, DP_PLUGIN_ERROR_INVALID,
                     "%s: descriptor names plugin '%s', file is '%s'", path, d->name ? d->name : "", name);
      g_module_close (module);
      return NULL;
    }
  DpPlugin *p = g_new0 (DpPlugin, 1);
  p->name = g_strdup (name);
  p->path = g_strdup (path);
  p->module = module;
  p->desc = d;
  return p;
}

DpPlugin *
dp_context_get_plugin (DpContext *ctx, const char *name, GError **error)
{
  DpPlugin *p = g_hash_table_lookup (ctx->plugins, name);
  if (p)
    return p;
  const char *path = g_hash_table_lookup (context_index (ctx), name);
  if (path == NULL)
    {
      g_autoptr (GPtrArray) names = dp_context_plugin_names (ctx);
      const char *near = dp_closest_word (name, (const char *const *) names->pdata, names->len);
      g_autoptr (GPtrArray) sp = dp_context_search_path (ctx);
      g_ptr_array_add (sp, NULL);
      g_autofree char *where = g_strjoinv (":", (char **) sp->pdata);
      if (near)
        g_set_error (error, DP_PLUGIN_ERROR, DP_PLUGIN_ERROR_NOT_FOUND,
                     "unknown plugin '%s'; did you mean '%s'?", name, near);
      else
        g_set_error (error, DP_PLUGIN_ERROR, DP_PLUGIN_ERROR_NOT_FOUND,
                     "unknown plugin '%s' (searched %s)", name, where);
      return NULL;
    }
  if (path[0] == '\n')
    {
      g_auto (GStrv) two = g_strsplit (path + 1, "\n", 2);
      g_set_error (error, DP_PLUGIN_ERROR, DP_PLUGIN_ERROR_DUPLICATE,
                   "plugin '%s' is in two files on the search path: %s and %s; remove one "
                   "(searched: --plugin-dir, DARKPIPE_PLUGIN_PATH, the install directory)", name, two[0], two[1] ? two[1] : "?");
      return NULL;
    }
  p = load_module (name, path, error);
  if (p)
    g_hash_table_insert (ctx->plugins, p->name, p);
  return p;
}

const DpPluginDesc *
dp_context_load_plugin (DpContext *ctx, const char *name, GError **error)
{
  DpPlugin *p = dp_context_get_plugin (ctx, name, error);
  return p ? p->desc : NULL;
}
