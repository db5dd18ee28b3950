/* dp-registry.c — contexts and the plugin registry (GModule loader).
 * Plugins are loaded only from the search path: --plugin-dir entries,
 * then DARKPIPE_PLUGIN_PATH, then the install directory (or, when the
 * program runs from its build tree, the build tree's plugins/). */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "dp-options.h"
#include "dp-pipeline.h"
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
void dp_context_cancel (DpContext *ctx) { g_atomic_int_set (&ctx->cancelled, 1); }

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

GPtrArray *
dp_context_search_path (DpContext *ctx)
{
  GPtrArray *path = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < ctx->plugin_dirs->len; i++)
    g_ptr_array_add (path, g_strdup (g_ptr_array_index (ctx->plugin_dirs, i)));
  const char *env = g_getenv ("DARKPIPE_PLUGIN_PATH");
  if (env && *env)
    {
      g_auto (GStrv) parts = g_strsplit (env, G_SEARCHPATH_SEPARATOR_S, -1);
      for (char **p = parts; *p; p++)
        if (**p)
          g_ptr_array_add (path, g_strdup (*p));
    }
  if (running_from_build_tree ())
    g_ptr_array_add (path, g_strdup (DP_BUILD_DIR "/plugins"));
  else
    g_ptr_array_add (path, g_strdup (DP_PLUGINDIR));
  return path;
}

/* Records every NAME.so below @dir (kind subdirectories and libtool's
 * .libs included) that is not already known from an earlier entry. */
static void
scan_dir (GHashTable *index, const char *dir, guint depth)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  if (d == NULL)
    return;
  const char *name;
  g_autoptr (GPtrArray) subdirs = g_ptr_array_new_with_free_func (g_free);
  while ((name = g_dir_read_name (d)))
    {
      g_autofree char *full = g_build_filename (dir, name, NULL);
      if (g_str_has_suffix (name, ".so"))
        {
          g_autofree char *stem = g_strndup (name, strlen (name) - 3);
          if (!g_hash_table_contains (index, stem))
            g_hash_table_insert (index, g_steal_pointer (&stem), g_strdup (full));
        }
      else if (depth < 2 && g_file_test (full, G_FILE_TEST_IS_DIR))
        g_ptr_array_add (subdirs, g_steal_pointer (&full));
    }
  g_dir_close (d);
  g_ptr_array_sort (subdirs, (GCompareFunc) g_strcmp0);
  for (guint i = 0; i < subdirs->len; i++)
    scan_dir (index, g_ptr_array_index (subdirs, i), depth + 1);
}

static GHashTable *
context_index (DpContext *ctx)
{
  if (ctx->plugin_index)
    return ctx->plugin_index;
  ctx->plugin_index = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr (GPtrArray) path = dp_context_search_path (ctx);
  for (guint i = 0; i < path->len; i++)
    scan_dir (ctx->plugin_index, g_ptr_array_index (path, i), 0);
  return ctx->plugin_index;
}

char *
dp_context_plugin_path (DpContext *ctx, const char *name)
{
  return g_strdup (g_hash_table_lookup (context_index (ctx), name));
}

static gint
cmp_str (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
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

static DpPlugin *
load_module (const char *name, const char *path, GError **error)
{
  GModule *module = g_module_open (path, G_MODULE_BIND_LAZY | G_MODULE_BIND_LOCAL);
  if (module == NULL)
    {
      g_set_error (error, DP_PLUGIN_ERROR, DP_PLUGIN_ERROR_LOAD, "%s: cannot load plugin: %s",
                   path, g_module_error ());
      return NULL;
    }
  g_autofree char *sym = g_strdup_printf ("dp_plugin_%s_get_desc", name);
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
