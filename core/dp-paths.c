/* dp-paths.c — the input and output paths of a pipeline, checked when it
 * is loaded, before any data is read. */
#include "config.h"

#include <errno.h>
#include <fnmatch.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dp-pipeline-private.h"

/* ------------------------------------------------------------------ */
/* input and output paths, checked before any data is read
 *
 * Options flagged DP_OPT_OUTPUT name files a stage writes (relative to the
 * output directory), DP_OPT_INPUT files it reads (relative to the working
 * directory, possibly globs).  Every output is resolved the way the stage
 * will open it, then with symbolic links of its existing part resolved, and
 * the pipeline is refused when
 *   - an output path is empty,
 *   - two outputs are one file,
 *   - an output is one of the inputs (by name, glob, or inode),
 *   - an output lies outside the output directory, unless the pipeline says
 *     `allow_outside_output_dir: true`. */

typedef struct {
  Spec *spec;
  const DpOptionDesc *opt;
  DpYamlNode *at;
  char *given;      /* as written */
  char *real;       /* absolute, '.'/'..' and symlinks of its existing directories resolved */
  char *full;       /* the same with a symbolic link in the last component followed */
  gboolean is_dir;
  gboolean exists;
  dev_t dev;
  ino_t ino;
} PathUse;

static void
path_use_free (PathUse *u)
{
  g_free (u->given);
  g_free (u->real);
  g_free (u->full);
  g_free (u);
}

/* @path made absolute and lexically clean, then with the longest existing
 * prefix replaced by its realpath() (so ./sub/../x and a symlinked directory
 * name one file the same way). */
static char *
physical_path (const char *path)
{
  g_autofree char *abs = g_canonicalize_filename (path, NULL);
  g_autofree char *head = g_strdup (abs);
  GString *tail = g_string_new (NULL);
  for (;;)
    {
      char *r = realpath (head, NULL);
      if (r)
        {
          g_autofree char *joined = g_build_filename (r, tail->str, NULL);
          free (r);
          g_string_free (tail, TRUE);
          return g_canonicalize_filename (joined, NULL);
        }
      char *slash = strrchr (head, '/');
      if (slash == NULL || slash == head)
        break;
      g_string_prepend (tail, slash + 1);
      g_string_prepend_c (tail, '/');
      *slash = '\0';
    }
  g_string_free (tail, TRUE);
  return g_steal_pointer (&abs);
}

static gboolean
path_is_below (const char *path, const char *dir)
{
  gsize n = strlen (dir);
  if (strcmp (dir, "/") == 0)
    return TRUE;
  return strncmp (path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0');
}


static PathUse *
path_use_new (Spec *s, const DpOptionDesc *o, const char *given, const char *rel_to)
{
  PathUse *u = g_new0 (PathUse, 1);
  u->spec = s;
  u->opt = o;
  u->at = option_node (s, o->name);
  u->given = g_strdup (given);
  u->is_dir = (o->flags & DP_OPT_DIR) != 0;
  g_autofree char *joined = rel_to && !g_path_is_absolute (given) ? g_build_filename (rel_to, given, NULL)
                                                                : g_strdup (given);
  /* the last component is not followed: the atomic rename of an output
   * replaces a symbolic link, not what it points to */
  g_autofree char *clean = g_canonicalize_filename (joined, NULL);
  g_autofree char *parent = g_path_get_dirname (clean);
  g_autofree char *rparent = physical_path (parent);
  g_autofree char *base = g_path_get_basename (clean);
  u->real = strcmp (clean, "/") == 0 ? g_strdup ("/") : g_build_filename (rparent, base, NULL);
  u->full = physical_path (clean);
  struct stat st;
  if (stat (u->real, &st) == 0)
    {
      u->exists = TRUE;
      u->dev = st.st_dev;
      u->ino = st.st_ino;
    }
  return u;
}

static gboolean
same_file (const PathUse *a, const PathUse *b)
{
  if (strcmp (a->real, b->real) == 0 || strcmp (a->full, b->full) == 0)
    return TRUE;
  return a->exists && b->exists && a->dev == b->dev && a->ino == b->ino;
}

static const char *
use_what (const PathUse *u)
{
  return u->opt->flags & DP_OPT_OUTPUT ? "output" : "input";
}

/* An input must be there before anything runs: a file (or pipe, or
 * device) that can be read, or a glob that matches at least one. */
static void
check_input (DpPipeline *p, Spec *s, const DpOptionDesc *opt, const char *path)
{
  DpYamlNode *at = option_node (s, opt->name);
  if (at == NULL)
    at = s->key;
  if (strcmp (path, "-") == 0)
    return;   /* the standard input */
  if (strpbrk (path, "*?[") != NULL)
    {
      glob_t g;
      int rc = glob (path, 0, NULL, &g);
      if (rc == 0)
        globfree (&g);
      else
        diag (p, at, s, G_FILE_ERROR, G_FILE_ERROR_NOENT, "option '%s': no file matches '%s'", opt->name, path);
      return;
    }
  struct stat st;
  int e = 0;
  if (stat (path, &st) != 0)
    e = errno;
  else if (S_ISDIR (st.st_mode))
    e = EISDIR;
  else if (access (path, R_OK) != 0)
    e = errno;
  if (e == 0)
    return;
  diag (p, at, s, G_FILE_ERROR, g_file_error_from_errno (e), "option '%s': %s: %s", opt->name, path,
        e == ENOENT ? "no such file" : e == EISDIR ? "is a directory, not a file to read" : g_strerror (e));
}

/* "-" as an output is the standard output: one stage may write there (the
 * progress bar and the summary go to stderr), and only to a file, not to a
 * folder of them. */
static void
check_stdout (DpPipeline *p, Spec *s, const DpOptionDesc *opt, const Spec **first)
{
  DpYamlNode *at = option_node (s, opt->name);
  if (opt->flags & DP_OPT_DIR)
    CDIAG (p, at ? at : s->key, s, DP_CONFIG_ERROR_TYPE,
           "option '%s': '-' (the standard output) is one stream, not a folder", opt->name);
  else if (*first)
    CDIAG (p, at ? at : s->key, s, DP_CONFIG_ERROR_DUPLICATE_KEY,
           "option '%s': stage '%s' already writes to the standard output ('-')", opt->name, (*first)->name);
  else
    *first = s;
}

void
check_paths (DpPipeline *p)
{
  const char *outdir = p->ctx->output_dir ? p->ctx->output_dir : p->output_dir;
  if (outdir == NULL || *outdir == '\0')
    {
      CDIAG (p, NULL, NULL, DP_CONFIG_ERROR_TYPE, "the output directory is an empty path");
      return;
    }
  g_autofree char *outreal = physical_path (outdir);
  g_autoptr (GPtrArray) outs = g_ptr_array_new_with_free_func ((GDestroyNotify) path_use_free);
  g_autoptr (GPtrArray) ins = g_ptr_array_new_with_free_func ((GDestroyNotify) path_use_free);
  const Spec *to_stdout = NULL;
  for (guint i = 0; i < p->specs->len; i++)
    {
      Spec *s = g_ptr_array_index (p->specs, i);
      if (s->stage == NULL)
        continue;
      const DpPluginDesc *d = s->stage->desc;
      for (guint o = 0; o < d->n_options; o++)
        {
          const DpOptionDesc *opt = &d->options[o];
          if (!(opt->flags & (DP_OPT_INPUT | DP_OPT_OUTPUT)))
            continue;
          void *field = (char *) s->stage->config + opt->offset;
          const char *one[2] = { NULL, NULL };
          const char *const *vals = one;
          if (opt->type == DP_OPT_PATH)
            one[0] = *(char **) field;
          else if (opt->type == DP_OPT_STRLIST && *(char ***) field)
            vals = (const char *const *) *(char ***) field;
          for (guint v = 0; vals[v]; v++)
            {
              if (vals[v][0] == '\0')
                {
                  DpYamlNode *at = option_node (s, opt->name);
                  CDIAG (p, at ? at : s->key, s, DP_CONFIG_ERROR_TYPE, "option '%s': empty path", opt->name);
                  continue;
                }
              if ((opt->flags & DP_OPT_OUTPUT) && strcmp (vals[v], "-") == 0)
                check_stdout (p, s, opt, &to_stdout);
              else if (opt->flags & DP_OPT_OUTPUT)
                g_ptr_array_add (outs, path_use_new (s, opt, vals[v], outdir));
              else
                {
                  check_input (p, s, opt, vals[v]);
                  g_ptr_array_add (ins, path_use_new (s, opt, vals[v], NULL));
                }
            }
        }
    }
  for (guint i = 0; i < outs->len; i++)
    {
      PathUse *u = g_ptr_array_index (outs, i);
      DpYamlNode *at = u->at ? u->at : u->spec->key;
      if (!p->allow_outside && !path_is_below (u->real, outreal))
        CDIAG (p, at, u->spec, DP_CONFIG_ERROR_RANGE,
               "option '%s': '%s' is %s, outside the output directory %s; "
               "set allow_outside_output_dir: true in the pipeline to write there",
               u->opt->name, u->given, u->real, outreal);
      if (strcmp (u->real, outreal) == 0 && !u->is_dir)
        CDIAG (p, at, u->spec, DP_CONFIG_ERROR_RANGE,
               "option '%s': '%s' is the output directory itself, not a file in it", u->opt->name, u->given);
      for (guint j = 0; j < i; j++)
        {
          PathUse *w = g_ptr_array_index (outs, j);
          gboolean same = same_file (u, w);
          gboolean nested = (w->is_dir && path_is_below (u->real, w->real))
                            || (u->is_dir && path_is_below (w->real, u->real));
          if (!same && !nested)
            continue;
          g_autofree char *where = w->at ? g_strdup_printf (" at line %u", w->at->line) : g_strdup ("");
          CDIAG (p, at, u->spec, DP_CONFIG_ERROR_DUPLICATE_KEY,
                 "option '%s': output %s %s stage '%s' (option '%s'%s)", u->opt->name, u->real,
                 same ? "is also written by" : "and the output directory of", w->spec->name, w->opt->name, where);
        }
      for (guint j = 0; j < ins->len; j++)
        {
          PathUse *w = g_ptr_array_index (ins, j);
          gboolean clash = same_file (u, w)
                           || (u->is_dir && path_is_below (w->real, u->real))
                           || fnmatch (w->real, u->real, FNM_PATHNAME | FNM_PERIOD) == 0
                           || fnmatch (w->real, u->full, FNM_PATHNAME | FNM_PERIOD) == 0;
          if (clash)
            CDIAG (p, at, u->spec, DP_CONFIG_ERROR_DUPLICATE_KEY,
                   "option '%s': output %s would overwrite the %s '%s' of stage '%s'",
                   u->opt->name, u->real, use_what (w), w->given, w->spec->name);
        }
    }
}

