/* darkpipe.c — the command: run, check, plugins, demo, version. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "darkpipe-cli.h"
#include "dp-options.h"
#include "dp-pipeline.h"
#include "dp-private.h"

enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

/* The one process-wide pointer: a signal handler has no other way in. */
static DpContext *signal_ctx;
/* the signal that interrupted the run: the exit status is 128 + it, as a
 * shell reports a process killed by it (130 for Ctrl-C) */
static volatile sig_atomic_t signal_seen;
/* ... and it ended a live capture's input (the run then completes) rather
 * than cancelling the run */
static volatile sig_atomic_t signal_ended_input;

static void
on_signal (int sig)
{
  if (signal_seen == 0)
    signal_seen = sig;
  if (signal_ctx && dp_context_interrupt (signal_ctx))
    signal_ended_input = 1;
  /* a second signal ends the process the ordinary way */
  signal (sig, SIG_DFL);
}

static void
install_signals (DpContext *ctx)
{
  struct sigaction sa;
  memset (&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset (&sa.sa_mask);
  signal_ctx = ctx;
  sigaction (SIGINT, &sa, NULL);
  sigaction (SIGTERM, &sa, NULL);
}

#define THREADS_UNSET DP_CLI_THREADS_UNSET

typedef DpCliArgs Opts;

static void
opts_clear (Opts *o)
{
  g_strfreev (o->plugin_dirs);
  g_strfreev (o->sets);
  g_strfreev (o->reads);
  g_free (o->interface);
  g_free (o->bpf);
  g_free (o->labels);
  g_free (o->output_dir);
  g_free (o->summary_json);
  g_free (o->markdown_dir);
}

static DpContext *
make_context (Opts *o)
{
  DpContext *ctx = dp_context_new ();
  for (char **d = o->plugin_dirs; d && *d; d++)
    dp_context_add_plugin_dir (ctx, *d);
  dp_context_set_threads (ctx, o->threads != THREADS_UNSET ? (guint) o->threads : 1);
  dp_context_set_quiet (ctx, o->quiet);
  dp_context_set_sequential (ctx, o->sequential);
  /* under MPI rank 0 speaks for the job: the other ranks print only the
   * warnings about their share of the input */
  gboolean speaker = dp_context_rank (ctx) == 0;
  dp_context_set_progress (ctx, speaker && !o->quiet && isatty (STDERR_FILENO));
  if (o->output_dir)
    dp_context_set_output_dir (ctx, o->output_dir);
  return ctx;
}

static int
load (DpContext *ctx, const char *path, Opts *o, DpPipeline **out)
{
  GError *error = NULL;
  *out = dp_pipeline_load_file (ctx, path, (const char *const *) o->sets, NULL, &error);
  if (*out == NULL)
    {
      g_autofree char *safe = dp_escape_controls (error->message, TRUE);
      fprintf (stderr, "%s\n", safe);
      g_error_free (error);
      return EXIT_USAGE;
    }
  return EXIT_OK;
}

static int
cmd_run (const char *path, Opts *o, gboolean check_only)
{
  g_autoptr (DpContext) ctx = make_context (o);
  g_autoptr (DpPipeline) p = NULL;
  int rc = load (ctx, path, o, &p);
  if (rc != EXIT_OK)
    return rc;
  if (check_only)
    {
      printf ("%s: pipeline '%s' is valid (%u stages)\n", path, dp_pipeline_name (p), dp_pipeline_n_stages (p));
      return EXIT_OK;
    }
  install_signals (ctx);
  GError *error = NULL;
  gboolean ok = dp_pipeline_run (p, &error);
  signal_ctx = NULL;
  gboolean speaker = dp_context_rank (ctx) == 0;
  /* --quiet: the error alone, without the table */
  if (!o->quiet && speaker)
    dp_pipeline_print_summary (p, stderr);
  if (!o->quiet && speaker && o->verbose)
    dp_pipeline_print_ranks (p, stderr);
  if (speaker && o->summary_json)
    {
      GError *werr = NULL;
      if (!dp_pipeline_write_summary_json (p, o->summary_json, ok ? NULL : error, &werr))
        {
          g_autofree char *safe = dp_escape_controls (werr->message, TRUE);
          fprintf (stderr, "darkpipe: error: --summary-json: %s\n", safe);
          g_error_free (werr);
          /* the run's own error, if any, comes next; else this is the failure */
          if (ok)
            return EXIT_RUNTIME;
        }
    }
  if (!ok && !speaker)
    {
      /* another rank of an MPI job: rank 0 reports, the status is this
       * rank's (mpirun passes on the first non-zero one) */
      gboolean interrupted = g_error_matches (error, DP_DATA_ERROR, DP_DATA_ERROR_CANCELLED);
      g_error_free (error);
      return interrupted ? 128 + (signal_seen ? signal_seen : SIGINT) : EXIT_RUNTIME;
    }
  if (!ok)
    {
      g_autofree char *safe = dp_escape_controls (error->message, TRUE);
      gboolean interrupted = g_error_matches (error, DP_DATA_ERROR, DP_DATA_ERROR_CANCELLED);
      /* "darkpipe: interrupted during …" is no error of the run's */
      fprintf (stderr, "darkpipe: %s%s\n", interrupted ? "" : "error: ", safe);
      g_error_free (error);
      return interrupted ? 128 + (signal_seen ? signal_seen : SIGINT) : EXIT_RUNTIME;
    }
  if (!o->quiet && speaker)
    fprintf (stderr, "darkpipe: %sresults in %s/\n",
             signal_ended_input ? (signal_seen == SIGTERM ? "capture ended by SIGTERM; "
                                                          : "capture ended by SIGINT; ") : "",
             dp_pipeline_output_dir (p));
  /* a live capture stopped by a signal wrote all its outputs: SIGTERM is
   * how a service manager stops it (0); Ctrl-C is still an interruption,
   * 130, as a shell reports it */
  if (signal_ended_input && signal_seen != SIGTERM)
    return 128 + signal_seen;
  return EXIT_OK;
}

/* ------------------------------------------------------------------ */
/* plugins */

static void
describe_ports_json (GString *s, const DpPortDesc *ports, guint n)
{
  g_string_append_c (s, '[');
  for (guint i = 0; i < n; i++)
    {
      g_string_append (s, i ? ",{\"name\":" : "{\"name\":");
      dp_json_append_string (s, ports[i].name);
      g_string_append (s, ",\"type\":");
      dp_json_append_string (s, dp_batch_type_name (ports[i].type));
      g_string_append_printf (s, ",\"optional\":%s,\"multi\":%s",
                              ports[i].flags & DP_PORT_OPTIONAL ? "true" : "false",
                              ports[i].flags & DP_PORT_MULTI ? "true" : "false");
      if (ports[i].n_columns)
        {
          g_string_append (s, ",\"columns\":[");
          for (guint c = 0; c < ports[i].n_columns; c++)
            {
              g_string_append (s, c ? ",{\"name\":" : "{\"name\":");
              dp_json_append_string (s, ports[i].columns[c].name);
              g_string_append (s, ",\"type\":");
              dp_json_append_string (s, dp_col_type_name (ports[i].columns[c].type));
              guint f = ports[i].columns[c].flags;
              g_string_append_printf (s, ",\"optional\":%s,\"time\":%s,\"nullable\":%s}",
                                      f & DP_COLUMN_OPTIONAL ? "true" : "false", f & DP_COLUMN_TIME ? "true" : "false",
                                      f & DP_COLUMN_NULLABLE ? "true" : "false");
            }
          g_string_append_c (s, ']');
        }
      g_string_append_c (s, '}');
    }
  g_string_append_c (s, ']');
}

static void
describe_json (GString *s, const DpPluginDesc *d)
{
  g_string_append (s, "{\"name\":");
  dp_json_append_string (s, d->name);
  g_string_append (s, ",\"kind\":");
  dp_json_append_string (s, dp_plugin_kind_name (d->kind));
  g_string_append (s, ",\"version\":");
  dp_json_append_string (s, d->version);
  g_string_append (s, ",\"summary\":");
  dp_json_append_string (s, d->summary);
  g_string_append (s, ",\"inputs\":");
  describe_ports_json (s, d->inputs, d->n_inputs);
  g_string_append (s, ",\"outputs\":");
  describe_ports_json (s, d->outputs, d->n_outputs);
  g_string_append (s, ",\"options\":[");
  for (guint i = 0; i < d->n_options; i++)
    {
      const DpOptionDesc *o = &d->options[i];
      g_string_append (s, i ? ",{\"name\":" : "{\"name\":");
      dp_json_append_string (s, o->name);
      g_string_append (s, ",\"type\":");
      dp_json_append_string (s, dp_opt_type_name (o->type));
      g_string_append (s, ",\"default\":");
      if (o->default_text)
        dp_json_append_string (s, o->default_text);
      else
        g_string_append (s, "null");
      g_string_append_printf (s, ",\"required\":%s", o->flags & DP_OPT_REQUIRED ? "true" : "false");
      if (o->flags & DP_OPT_RANGE)
        g_string_append_printf (s, ",\"min\":%.17g,\"max\":%.17g", o->min, o->max);
      if (o->choices)
        {
          g_string_append (s, ",\"choices\":[");
          for (guint c = 0; o->choices[c]; c++)
            {
              if (c)
                g_string_append_c (s, ',');
              dp_json_append_string (s, o->choices[c]);
            }
          g_string_append_c (s, ']');
        }
      g_string_append (s, ",\"doc\":");
      dp_json_append_string (s, o->doc);
      g_string_append_c (s, '}');
    }
  g_string_append (s, "]}");
}

static void
md_ports (GString *s, const char *title, const DpPortDesc *ports, guint n)
{
  g_string_append_printf (s, "## %s\n\n", title);
  if (n == 0)
    {
      g_string_append (s, "none\n\n");
      return;
    }
  g_string_append (s, "| port | type | notes |\n|---|---|---|\n");
  for (guint i = 0; i < n; i++)
    {
      g_string_append_printf (s, "| `%s` | %s | %s%s%s", ports[i].name, dp_batch_type_name (ports[i].type),
                              ports[i].doc ? ports[i].doc : "",
                              ports[i].flags & DP_PORT_OPTIONAL ? " (optional)" : "",
                              ports[i].flags & DP_PORT_MULTI ? " (several upstreams)" : "");
      /* the declared schema: checked when the pipeline is loaded */
      for (guint c = 0; c < ports[i].n_columns; c++)
        g_string_append_printf (s, "%s`%s` %s%s%s", c ? ", " : " Columns: ", ports[i].columns[c].name,
                                ports[i].columns[c].flags & DP_COLUMN_TIME ? "time (int64 ns)"
                                  : dp_col_type_name (ports[i].columns[c].type),
                                ports[i].columns[c].flags & DP_COLUMN_OPTIONAL ? " (if there)" : "",
                                ports[i].columns[c].flags & DP_COLUMN_NULLABLE ? " (may be null)" : "");
      g_string_append (s, ports[i].n_columns ? ". |\n" : " |\n");
    }
  g_string_append_c (s, '\n');
}

static char *
md_escape_cell (const char *v)
{
  GString *s = g_string_new (NULL);
  for (const char *c = v; *c; c++)
    {
      if (*c == '|')
        g_string_append (s, "\\|");
      else if (*c == '\n')
        g_string_append_c (s, ' ');
      else
        g_string_append_c (s, *c);
    }
  return g_string_free (s, FALSE);
}

/** Markdown reference page of one plugin, generated from its descriptor. */
static char *
describe_markdown (const DpPluginDesc *d)
{
  GString *s = g_string_new (NULL);
  g_string_append_printf (s, "# %s\n\n<!-- generated by `darkpipe plugins --markdown`; do not edit -->\n\n", d->name);
  g_string_append_printf (s, "%s\n\nKind: %s. Version: %s.\n\n", d->summary, dp_plugin_kind_name (d->kind),
                          d->version ? d->version : "-");
  md_ports (s, "Inputs", d->inputs, d->n_inputs);
  md_ports (s, "Outputs", d->outputs, d->n_outputs);
  g_string_append (s, "## Options\n\n");
  if (d->n_options == 0)
    g_string_append (s, "none\n\n");
  else
    {
      g_string_append (s, "| option | type | default | allowed | description |\n|---|---|---|---|---|\n");
      for (guint i = 0; i < d->n_options; i++)
        {
          const DpOptionDesc *o = &d->options[i];
          g_autofree char *allowed = NULL;
          if (o->choices)
            allowed = g_strjoinv (", ", (char **) o->choices);
          else if (o->flags & DP_OPT_RANGE)
            {
              g_autofree char *lo = dp_format_number (o->min);
              g_autofree char *hi = dp_format_number (o->max);
              allowed = g_strdup_printf ("%s … %s%s", lo, hi, o->type == DP_OPT_DURATION ? " s" : "");
            }
          g_autofree char *doc = md_escape_cell (o->doc);
          g_autofree char *def = md_escape_cell (o->default_text ? o->default_text : "");
          g_string_append_printf (s, "| `%s` | %s | %s | %s | %s |\n", o->name, dp_opt_type_name (o->type),
                                  o->flags & DP_OPT_REQUIRED ? "(required)" : (o->default_text ? def : "(unset)"),
                                  allowed ? allowed : "", doc);
        }
      g_string_append_c (s, '\n');
    }
  g_string_append (s, "Every stage also takes `threads` (integer ≥ 1) and `on_error` (`skip` | `fail`).\n\n");
  if (d->doc && *d->doc)
    g_string_append_printf (s, "## Details\n\n%s\n", d->doc);
  return g_string_free (s, FALSE);
}

static int
write_markdown_dir (DpContext *ctx, GPtrArray *names, const char *dir)
{
  for (guint i = 0; i < names->len; i++)
    {
      GError *error = NULL;
      const char *name = g_ptr_array_index (names, i);
      const DpPluginDesc *d = dp_context_load_plugin (ctx, name, &error);
      if (d == NULL)
        {
          fprintf (stderr, "darkpipe: %s\n", error->message);
          g_error_free (error);
          return EXIT_RUNTIME;
        }
      g_autofree char *md = describe_markdown (d);
      g_autofree char *path = g_strdup_printf ("%s/%s.md", dir, name);
      g_autoptr (DpOutFile) f = dp_outfile_open (path, FALSE, &error);
      if (f)
        dp_outfile_puts (f, md);
      if (f == NULL || !dp_outfile_commit (g_steal_pointer (&f), &error))
        {
          fprintf (stderr, "darkpipe: %s\n", error->message);
          g_error_free (error);
          return EXIT_RUNTIME;
        }
    }
  return EXIT_OK;
}

static int
cmd_plugins (const char *only, Opts *o)
{
  g_autoptr (DpContext) ctx = make_context (o);
  g_autoptr (GPtrArray) names = dp_context_plugin_names (ctx);
  if (only)
    {
      g_ptr_array_set_size (names, 0);
      g_ptr_array_add (names, g_strdup (only));
    }
  if (o->markdown && o->markdown_dir)
    return write_markdown_dir (ctx, names, o->markdown_dir);
  g_autoptr (GString) out = g_string_new (o->json ? "[" : NULL);
  int rc = EXIT_OK;
  for (guint i = 0; i < names->len; i++)
    {
      GError *error = NULL;
      const char *name = g_ptr_array_index (names, i);
      const DpPluginDesc *d = dp_context_load_plugin (ctx, name, &error);
      if (d == NULL)
        {
          fprintf (stderr, "darkpipe: %s\n", error->message);
          g_error_free (error);
          rc = only ? EXIT_USAGE : EXIT_RUNTIME;
          continue;
        }
      if (o->json)
        {
          if (out->len > 1)
            g_string_append_c (out, ',');
          describe_json (out, d);
        }
      else if (o->markdown || only)
        {
          g_autofree char *md = describe_markdown (d);
          g_string_append (out, md);
        }
      else
        g_string_append_printf (out, "%-16s %-10s %s\n", d->name, dp_plugin_kind_name (d->kind), d->summary);
    }
  if (o->json)
    g_string_append (out, "]\n");
  fputs (out->str, stdout);
  return rc;
}

/* ------------------------------------------------------------------ */

/* @s as a single-quoted YAML scalar (transfer full): file names and
 * filters may hold commas, colons or brackets. */
static char *
yaml_quoted (const char *s)
{
  g_auto (GStrv) parts = g_strsplit (s, "'", -1);
  g_autofree char *doubled = g_strjoinv ("''", parts);
  return g_strdup_printf ("'%s'", doubled);
}

/* Appends the override @set (transfer full) to o->sets. */
static void
opts_add_set (Opts *o, char *set)
{
  guint n = o->sets ? g_strv_length (o->sets) : 0;
  o->sets = g_renew (char *, o->sets, n + 2);
  o->sets[n] = set;
  o->sets[n + 1] = NULL;
}

static gboolean
parse_opts (int *argc, char ***argv, Opts *o, GError **error)
{
  g_autofree GOptionEntry *entries = dp_cli_entries (o);
  g_autofree char *usage = dp_cli_usage ();
  g_autoptr (GOptionContext) oc = g_option_context_new ("COMMAND [ARGS]");
  g_option_context_set_summary (oc, usage);
  g_option_context_add_main_entries (oc, entries, NULL);
  /* --help is ours: a command's own help, exit 0 */
  g_option_context_set_help_enabled (oc, FALSE);
  if (!g_option_context_parse (oc, argc, argv, error))
    return FALSE;
  /* -i, -f, --labels: options of the shipped pipelines' capture and truth
   * stages, as --set would give them */
  const struct { const char *value, *key; } quick[] = {
    { o->interface, "capture.interface" }, { o->bpf, "capture.filter" }, { o->labels, "truth.path" },
  };
  for (guint q = 0; q < G_N_ELEMENTS (quick); q++)
    if (quick[q].value)
      {
        g_autofree char *v = yaml_quoted (quick[q].value);
        opts_add_set (o, g_strdup_printf ("%s=%s", quick[q].key, v));
      }
  if (o->reads)
    {
      /* -r F: capture.path=F; -r F -r G: capture.paths=['F', 'G'] */
      GString *v = g_string_new (NULL);
      guint n = g_strv_length (o->reads);
      for (guint i = 0; i < n; i++)
        {
          g_autofree char *q = yaml_quoted (o->reads[i]);
          g_string_append_printf (v, "%s%s", i ? ", " : "", q);
        }
      opts_add_set (o, n == 1 && strcmp (o->reads[0], "-") == 0 ? g_strdup ("capture.path=-")
                       : n == 1 ? g_strdup_printf ("capture.path=%s", v->str)
                       : g_strdup_printf ("capture.paths=[%s]", v->str));
      g_string_free (v, TRUE);
    }
  for (char **s = o->sets; s && *s; s++)
    if (!g_utf8_validate (*s, -1, NULL))
      {
        g_autofree char *shown = g_strescape (*s, NULL);
        g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                     "--set '%s': not valid UTF-8 (pipeline values are UTF-8 text)", shown);
        return FALSE;
      }
  return TRUE;
}

/* `darkpipe anonymize --new-key FILE`: a cryptopANT-format AES key file
 * (03:03:key:pad::iv, random from getrandom) created with mode 0600, never
 * replacing a file (a lost key makes earlier anonymised data unmatchable)
 * and never printed.  Written beside FILE, synced, then linked into place,
 * so FILE appears complete or not at all. */
static int
cmd_anonymize_new_key (int argc, char **argv)
{
  if (argc != 4 || strcmp (argv[2], "--new-key") != 0)
    {
      fprintf (stderr, "darkpipe: usage: darkpipe anonymize --new-key FILE\n");
      return EXIT_USAGE;
    }
  const char *path = argv[3];
  guint8 r[16 + 32 + 16];
  char text[6 + 2 * sizeof r + 4];
  for (gsize got = 0; got < sizeof r;)
    {
      ssize_t n = getrandom (r + got, sizeof r - got, 0);
      if (n < 0 && errno != EINTR)
        {
          fprintf (stderr, "darkpipe: %s: no random bytes: %s\n", path, g_strerror (errno));
          return EXIT_RUNTIME;
        }
      got += n > 0 ? (gsize) n : 0;
    }
  char *t = text + g_snprintf (text, sizeof text, "03:03:");
  for (gsize i = 0; i < sizeof r; i++)
    {
      if (i == 16 || i == 48)
        *t++ = ':';
      if (i == 48)
        *t++ = ':';
      t += g_snprintf (t, 3, "%02x", r[i]);
    }
  *t++ = '\n';
  explicit_bzero (r, sizeof r);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *tmp = g_strdup_printf ("%s/.%s.tmp-XXXXXX", dir, base);
  int fd = g_mkstemp_full (tmp, O_WRONLY | O_CLOEXEC, 0600);
  int e = 0;
  if (fd < 0)
    e = errno;
  else
    {
      gsize len = (gsize) (t - text), done = 0;
      while (done < len && e == 0)
        {
          ssize_t n = write (fd, text + done, len - done);
          if (n < 0 && errno != EINTR)
            e = errno;
          done += n > 0 ? (gsize) n : 0;
        }
      if (e == 0 && fsync (fd) != 0)
        e = errno;
      if (close (fd) != 0 && e == 0)
        e = errno;
      if (e == 0 && link (tmp, path) != 0)
        e = errno;
      unlink (tmp);
    }
  explicit_bzero (text, sizeof text);
  if (e == EEXIST)
    fprintf (stderr, "darkpipe: %s exists; not replaced (data anonymised with a key can only be matched "
             "and reversed with that key)\n", path);
  else if (e != 0)
    fprintf (stderr, "darkpipe: %s: cannot write the key file: %s\n", path, g_strerror (e));
  else
    fprintf (stderr, "darkpipe: wrote a new key to %s (mode 0600); keep it secret, and keep it: it "
             "reverses the anonymisation\n", path);
  return e == 0 ? EXIT_OK : EXIT_RUNTIME;
}

/* The file of pipeline @arg: a file as given, else NAME or NAME.yaml among
 * the installed pipelines; NULL when neither exists. */
static char *
pipeline_path (const char *arg)
{
  if (g_file_test (arg, G_FILE_TEST_EXISTS) || strchr (arg, '/'))
    return g_strdup (arg);
  g_autofree char *dir = dp_default_pipeline_dir ();
  g_autofree char *name = g_str_has_suffix (arg, ".yaml") ? g_strdup (arg) : g_strconcat (arg, ".yaml", NULL);
  char *path = g_build_filename (dir, name, NULL);
  if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return path;
  g_free (path);
  return NULL;
}

static gint
cmp_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* darkpipe help [COMMAND], darkpipe [COMMAND] --help: on stdout, exit 0. */
static int
print_help (const char *cmd)
{
  g_autofree char *usage = dp_cli_usage ();
  if (cmd == NULL)
    {
      fputs (usage, stdout);
      return EXIT_OK;
    }
  const DpCliCommand *c = dp_cli_command (cmd);
  if (c == NULL)
    {
      fprintf (stderr, "darkpipe: '%s' is not a command\n%s", cmd, usage);
      return EXIT_USAGE;
    }
  g_autofree char *text = dp_cli_command_help (c);
  fputs (text, stdout);
  if (strcmp (cmd, "run") == 0 || strcmp (cmd, "check") == 0)
    {
      /* the installed pipelines a name can give */
      g_autofree char *dir = dp_default_pipeline_dir ();
      g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
      g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
      const char *n;
      while (d && (n = g_dir_read_name (d)))
        if (g_str_has_suffix (n, ".yaml"))
          g_ptr_array_add (names, g_strndup (n, strlen (n) - 5));
      g_ptr_array_sort (names, (GCompareFunc) cmp_names);
      printf ("installed pipelines (%s):", dir);
      for (guint i = 0; i < names->len; i++)
        printf (" %s", (const char *) g_ptr_array_index (names, i));
      printf ("\n");
    }
  return EXIT_OK;
}

int
main (int argc, char **argv)
{
  Opts o = { .threads = THREADS_UNSET };
  GError *error = NULL;
  g_autofree char *usage = dp_cli_usage ();
  if (argc > 1 && strcmp (argv[1], "anonymize") == 0)
    return cmd_anonymize_new_key (argc, argv);
  if (!parse_opts (&argc, &argv, &o, &error))
    {
      fprintf (stderr, "darkpipe: %s\n%s", error->message, usage);
      g_error_free (error);
      opts_clear (&o);
      return EXIT_USAGE;
    }
  int rc = EXIT_USAGE;
  const char *cmd = argc > 1 ? argv[1] : NULL;
  if (cmd && strcmp (cmd, "help") == 0)
    {
      /* darkpipe help [COMMAND] */
      o.help = TRUE;
      cmd = argc > 2 ? argv[2] : NULL;
      argc = cmd ? 2 : 1;
    }
  if (o.version || (cmd && strcmp (cmd, "version") == 0 && argc == 2))
    {
      printf ("darkpipe %s (plugin ABI %u)\n", PACKAGE_VERSION, DP_ABI_VERSION);
      rc = EXIT_OK;
    }
  else if (o.help_man)
    {
      g_autofree char *man = dp_cli_man (PACKAGE_VERSION);
      fputs (man, stdout);
      rc = EXIT_OK;
    }
  else if (o.help_completion)
    {
      g_autofree char *words = dp_cli_bash_completion ();
      fputs (words, stdout);
      rc = EXIT_OK;
    }
  else if (o.help)
    rc = print_help (cmd);
  else if (o.threads != THREADS_UNSET && (o.threads < 1 || o.threads > 1024))
    fprintf (stderr, "darkpipe: --threads must be in [1, 1024]\n");
  else if (cmd == NULL)
    fputs (usage, stderr);
  else if (strcmp (cmd, "run") == 0 || strcmp (cmd, "check") == 0)
    {
      g_autofree char *path = NULL;
      if (argc < 3)
        fprintf (stderr, "darkpipe: %s: which pipeline? Give a PIPELINE.yaml file or the name of an installed "
                 "one (darkpipe help %s lists them)\n", cmd, cmd);
      else if (argc > 3)
        fprintf (stderr, "darkpipe: %s takes one pipeline; also got '%s'\n", cmd, argv[3]);
      else if ((path = pipeline_path (argv[2])) == NULL)
        fprintf (stderr, "darkpipe: %s: no such file, and no installed pipeline of that name (darkpipe "
                 "help %s lists them)\n", argv[2], cmd);
      else
        rc = cmd_run (path, &o, strcmp (cmd, "check") == 0);
    }
  else if (strcmp (cmd, "demo") == 0 && argc == 2)
    {
      g_autofree char *dir = dp_default_pipeline_dir ();
      g_autofree char *path = g_build_filename (dir, "demo.yaml", NULL);
      rc = cmd_run (path, &o, FALSE);
    }
  else if (strcmp (cmd, "plugins") == 0 && argc <= 3)
    {
      if (o.markdown && o.output_dir)
        o.markdown_dir = g_strdup (o.output_dir);
      rc = cmd_plugins (argc == 3 ? argv[2] : NULL, &o);
    }
  else if (dp_cli_command (cmd) == NULL && (o.reads || o.interface) && argc == 2 && strchr (cmd, '/') == NULL
           && !g_str_has_suffix (cmd, ".yaml"))
    {
      /* the quick form: `darkpipe taxonomy -r x.pcap` runs an installed pipeline */
      g_autofree char *path = pipeline_path (cmd);
      if (path == NULL)
        fprintf (stderr, "darkpipe: '%s' is neither a command nor an installed pipeline (darkpipe help "
                 "run lists them)\n", cmd);
      else
        rc = cmd_run (path, &o, FALSE);
    }
  else if (dp_cli_command (cmd) == NULL)
    fprintf (stderr, "darkpipe: '%s' is not a command\n%s", cmd, usage);
  else
    {
      g_autofree char *help = dp_cli_command_help (dp_cli_command (cmd));
      fprintf (stderr, "darkpipe: bad arguments for %s\n%s", cmd, help);
    }
  opts_clear (&o);
  return rc;
}
