/* darkpipe-cli.c — the command line's description and what is made of
 * it: the parser's entries, `darkpipe help`, `darkpipe help COMMAND` and
 * the man page darkpipe(1) (`darkpipe --help-man`, which `make man`
 * writes to man/darkpipe.1; tests/test-man.sh fails when that file is
 * stale) and the words of the bash completion (`darkpipe --help-completion`,
 * which `make completion` puts before completions/darkpipe-logic.bash;
 * tests/test-completion.sh fails when completions/darkpipe is stale).  A
 * change to the command line is made here, once. */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include "darkpipe-cli.h"

#define OFF(field) offsetof (DpCliArgs, field)

const DpCliOption dp_cli_options[] = {
  { "set", 0, "STAGE.OPTION=VALUE", TRUE, G_OPTION_ARG_FILENAME_ARRAY, OFF (sets), FALSE,
    "Override an option",
    "Override option <OPTION> of stage <STAGE> (repeatable); lists are written `[a,b]`. "
    "<STAGE>`.plugin=`<NAME> swaps the stage's plugin (e.g. `capture.plugin=darkvec_csv`), and setting "
    "one input option of a stage (`path`, `paths`) drops the pipeline's other input options of that "
    "stage.  A sink's `path` of `-` writes to the standard output." },
  { "read", 'r', "FILE", TRUE, G_OPTION_ARG_FILENAME_ARRAY, OFF (reads), FALSE,
    "Input of the 'capture' stage (repeatable)",
    "Input of the pipeline's `capture` stage (repeatable: several files are merged by time; `-` is the "
    "standard input)." },
  { "interface", 'i', "IFACE", FALSE, G_OPTION_ARG_STRING, OFF (interface), FALSE,
    "Live capture: the 'capture' stage's interface",
    "Capture live on <IFACE> instead: the `capture` stage's `interface` (root or CAP_NET_RAW; SIGINT "
    "or SIGTERM ends the input and writes every output)." },
  { "filter", 'f', "BPF", FALSE, G_OPTION_ARG_STRING, OFF (bpf), FALSE,
    "BPF filter of the 'capture' stage",
    "The `capture` stage's BPF filter (tcpdump's syntax)." },
  { "labels", 0, "FILE", FALSE, G_OPTION_ARG_FILENAME, OFF (labels), FALSE,
    "Ground truth: the 'truth' stage's path",
    "A ground truth for the `truth` stage of the DarkVec, IP2VEC and DANTE pipelines: they then "
    "evaluate in the same run (7-NN report, predictions, HTML report)." },
  { "threads", 0, "N", FALSE, G_OPTION_ARG_INT, OFF (threads), FALSE,
    "Threads for the whole run (default 1)",
    "Threads for the whole run (default 1); branches of the pipeline run at the same time." },
  { "sequential", 0, NULL, FALSE, G_OPTION_ARG_NONE, OFF (sequential), FALSE,
    "One stage at a time, each threaded stage with all N threads (less memory at once)",
    "One stage at a time, each threaded stage with all <N> threads (less memory at once)." },
  { "output-dir", 'o', "DIR", FALSE, G_OPTION_ARG_FILENAME, OFF (output_dir), FALSE,
    "Output directory (overrides the pipeline's)",
    "Where relative outputs go (overrides the pipeline's `output_dir`); for `plugins --markdown`, "
    "where the pages are written." },
  { "quiet", 'q', NULL, FALSE, G_OPTION_ARG_NONE, OFF (quiet), FALSE,
    "No progress, no summary (errors still)",
    "No progress bar and no summary; warnings and errors are still printed." },
  { "verbose", 'v', NULL, FALSE, G_OPTION_ARG_NONE, OFF (verbose), FALSE,
    "The summary with each rank's figures (MPI)",
    "After the summary, a table of each rank's figures under MPI (one row in one process): packets read, "
    "packets routed to and from other ranks, bytes sent and received, seconds, seconds waiting for the "
    "other ranks, peak memory, host." },
  { "summary-json", 0, "FILE", FALSE, G_OPTION_ARG_FILENAME, OFF (summary_json), FALSE,
    "Also write the summary as JSON to FILE",
    "Also write the run's summary as JSON to <FILE> (atomically; `-` is the standard output), also when "
    "the run fails: the stages' rows, seconds, peak memory and counters, the bytes the ranks exchanged per "
    "packet read, and each rank's figures (see `--verbose`); `ok` and `error` say how the run ended.  "
    "Under MPI rank 0 writes it." },
  { "json", 0, NULL, FALSE, G_OPTION_ARG_NONE, OFF (json), FALSE,
    "plugins: JSON",
    "`plugins`: the descriptions as JSON." },
  { "markdown", 0, NULL, FALSE, G_OPTION_ARG_NONE, OFF (markdown), FALSE,
    "plugins: Markdown reference",
    "`plugins`: the Markdown reference (one page a plugin with `--output-dir`)." },
  { "plugin-dir", 0, "DIR", TRUE, G_OPTION_ARG_FILENAME_ARRAY, OFF (plugin_dirs), FALSE,
    "Search plugins here first",
    "Search for plugins in <DIR> first (repeatable)." },
  { "version", 'V', NULL, FALSE, G_OPTION_ARG_NONE, OFF (version), FALSE,
    "Print the version",
    "Print the version and the plugin ABI." },
  { "help", 'h', NULL, FALSE, G_OPTION_ARG_NONE, OFF (help), FALSE,
    "This help, or a command's (COMMAND --help)",
    "Print the usage, or with a command that command's help, on the standard output." },
  { "help-man", 0, NULL, FALSE, G_OPTION_ARG_NONE, OFF (help_man), TRUE,
    "The man page darkpipe(1) as roff (for `make man`)", NULL },
  { "help-completion", 0, NULL, FALSE, G_OPTION_ARG_NONE, OFF (help_completion), TRUE,
    "The bash completion's words as shell (for `make completion`)", NULL },
};
const guint dp_cli_n_options = G_N_ELEMENTS (dp_cli_options);

static const char *const run_options[] = {
  "set", "read", "interface", "filter", "labels", "threads", "sequential", "output-dir", "quiet",
  "verbose", "summary-json", "plugin-dir", NULL
};
static const char *const check_options[] = { "set", "read", "interface", "filter", "labels", "plugin-dir", NULL };
static const char *const quick_options[] = {
  "read", "interface", "filter", "labels", "threads", "output-dir", "quiet", "verbose", "summary-json", "set", NULL
};
static const char *const demo_options[] = { "set", "threads", "output-dir", "quiet", "verbose", "summary-json", NULL };
static const char *const plugins_options[] = { "json", "markdown", "output-dir", "plugin-dir", NULL };

const DpCliCommand dp_cli_commands[] = {
  { "run", "<PIPELINE> [<options>]",
    "run a pipeline (a .yaml file, or an installed pipeline's name)",
    "Run a pipeline: a `.yaml` file, or the name of an installed pipeline.",
    run_options, TRUE },
  { "check", "<PIPELINE> [`--set` <STAGE.OPTION=VALUE>]...",
    "validate a pipeline, read no data",
    "Load a pipeline and report every problem with its file, line and column, reading no data: the YAML, "
    "options, wiring, table columns, input files and each plugin's own checks.  Exit status 0 when it "
    "is valid, 2 when not.",
    check_options, FALSE },
  { "NAME", "`-r` <FILE> [`-r` <FILE>]... | `-i` <IFACE> [<options>]",
    "run installed pipeline NAME on FILE(s) or live on IFACE",
    "The quick form: run the installed pipeline <NAME> with <FILE> as the input of its `capture` stage "
    "(several `-r` give a list, merged by time; `-` is the standard input), or live on <IFACE>; `-f` and "
    "`--labels` set its filter and ground truth, e.g. `darkpipe taxonomy -r day.pcap -o out`.",
    quick_options, TRUE },
  { "demo", "[<options>]",
    "run the bundled demo pipeline (synthetic telescope)",
    "Run the bundled demo: two days of a synthetic /24 telescope, the taxonomy, DarkVec, 7-NN "
    "classification, clusters and an HTML report in <out/demo/>.",
    demo_options, FALSE },
  { "plugins", "[<NAME>] [`--json` | `--markdown` [`--output-dir` <DIR>]]",
    "list plugins, or describe one",
    "List the plugins on the search path, or describe one: its ports, columns and options.",
    plugins_options, FALSE },
  { "version", "",
    "print the version (also --version)",
    "Print the version and the plugin ABI (also `--version`).",
    NULL, FALSE },
  { "help", "[<COMMAND>]",
    "this help, or a command's (also COMMAND --help)",
    "Print the usage, or a command's help (also <COMMAND> `--help`), on the standard output.",
    NULL, FALSE },
  { "anonymize", "`--new-key` <FILE>",
    "write a new random key for the anonymize plugin (mode 0600)",
    "Write a new random key for the `anonymize` plugin (cryptopANT's format, mode 0600); never "
    "replaces a file, never prints the key.",
    NULL, FALSE },
};
const guint dp_cli_n_commands = G_N_ELEMENTS (dp_cli_commands);

static const struct { const char *name, *brief, *text; } exits[] = {
  { "0", "ok", "Success (for `check`: the pipeline is valid)." },
  { "1", "runtime failure", "A runtime failure: an input that cannot be read, bad data with `on_error: fail`, a full disk, "
         "a database that refused a row, or a run that analysed nothing." },
  { "2", "usage or pipeline error", "A usage or pipeline error, found before any data is read." },
  { "130", "SIGINT (a live capture: outputs written)", "Interrupted by SIGINT (128 + 2): no output of an unfinished stage is written.  A live capture "
           "(`interface`) instead ends its input, writes every output and then exits 130." },
  { "143", "SIGTERM (a live capture: outputs written, then 0)", "Interrupted by SIGTERM (128 + 15), as for SIGINT; a live capture ended by SIGTERM writes "
           "every output and exits 0 (a service being stopped)." },
};

static const DpCliItem environment[] = {
  { "DARKPIPE_PLUGIN_PATH", "Colon-separated folders searched for plugins before the installed ones." },
  { "DARKPIPE_W2V_KERNELS",
    "The `word2vec` trainer's vector kernels: `auto` (the default: the best this CPU runs), `avx512`, `avx2` or "
    "`portable`; for tests and measurements.  A name the CPU cannot run gives a warning and the automatic choice." },
  { "PGHOST, PGDATABASE, PGUSER, PGPASSFILE, ...",
    "The `postgres` sink's connection when its `conninfo` is empty." },
};

static const DpCliItem files[] = {
  { "PREFIX/share/darkpipe/pipelines/", "The installed pipelines (`darkpipe help run` lists them)." },
  { "PREFIX/lib/darkpipe/plugins-ABI/",
    "The installed plugins of plugin ABI <ABI> (see `darkpipe --version`); each describes itself with "
    "`darkpipe plugins` <NAME>." },
  { "PREFIX/share/doc/darkpipe/",
    "The documentation: architecture, errors and their categories, databases, each plugin's reference, "
    "writing plugins." },
};

/* what the example does, then the command */
static const DpCliItem examples[] = {
  { "Classify the sources of a day's capture, hour by hour:",
    "darkpipe taxonomy -r 2026-12-06.pcap.gz -o out/day" },
  { "The same from a live tcpdump, with the summary table on the standard output:",
    "tcpdump -i eth1 -w - | darkpipe run taxonomy -r - --set summary.path=- -q" },
  { "Capture live, TCP SYNs only, until Ctrl-C:",
    "darkpipe taxonomy -i eth1 -f 'tcp[tcpflags] == tcp-syn' -o out/live" },
  { "Train DarkVec on a capture and evaluate it against ground truth in the same run:",
    "darkpipe run darkvec -r capture.pcap --labels labels.csv --threads 2" },
};

static const char description[] =
  "`darkpipe` reads traffic that arrives at unused address space (a network telescope: scanners, "
  "botnets, backscatter of spoofed attacks, misconfiguration) and analyses it with plugins wired by a "
  "YAML pipeline file: sources (pcap and pcapng captures, live interfaces, DarkVec traces, tshark "
  "fields), detectors (the Liu & Fukuda darknet traffic taxonomy), corpus builders and trainers "
  "(DarkVec, IP2VEC, DANTE word2vec embeddings), clusterers, evaluators and sinks (CSV, JSON lines, "
  "SQLite, PostgreSQL, an HTML report).  IPv4 and IPv6 are analysed alike.\n"
  "A pipeline is a <.yaml> file or the name of an installed one (`darkpipe help run` lists them: "
  "taxonomy, darkvec, ip2vec, dante, compare, demo, ...).  Relative output paths go below the "
  "pipeline's `output_dir` (or `--output-dir`); every output appears whole or not at all (a temporary "
  "file renamed into place), and a run that fails or is interrupted leaves earlier files as they were.";

/* ------------------------------------------------------------------ */

const DpCliCommand *
dp_cli_command (const char *name)
{
  for (guint i = 0; name && i < dp_cli_n_commands; i++)
    if (strcmp (dp_cli_commands[i].name, name) == 0 && strcmp (name, "NAME") != 0)
      return &dp_cli_commands[i];
  return NULL;
}

static void
dp_cli_gstring_free (GString *s)
{
  g_string_free (s, TRUE);
}

static const DpCliOption *
cli_option (const char *long_name)
{
  for (guint i = 0; i < dp_cli_n_options; i++)
    if (strcmp (dp_cli_options[i].long_name, long_name) == 0)
      return &dp_cli_options[i];
  g_assert_not_reached ();
}

GOptionEntry *
dp_cli_entries (DpCliArgs *args)
{
  GOptionEntry *e = g_new0 (GOptionEntry, dp_cli_n_options + 1);
  for (guint i = 0; i < dp_cli_n_options; i++)
    {
      const DpCliOption *o = &dp_cli_options[i];
      e[i] = (GOptionEntry) { o->long_name, o->short_name, o->hidden ? G_OPTION_FLAG_HIDDEN : 0, o->type,
                              (char *) args + o->offset, o->brief, o->arg };
    }
  return e;
}

/* ------------------------------------------------------------------ */
/* plain text */

/* @s without its marks */
static char *
cli_plain (const char *s)
{
  GString *out = g_string_new (NULL);
  for (; *s; s++)
    if (*s != '`' && *s != '<' && *s != '>')
      g_string_append_c (out, *s);
  return g_string_free (out, FALSE);
}

/* @text (marks) wrapped to 79 columns, each line indented by @indent;
 * the first line continues @out's last one when @first is TRUE.  Lines
 * break at spaces outside brackets, so "[--threads N]" stays whole. */
static void
cli_wrap (GString *out, const char *text, guint indent, gboolean first)
{
  g_autofree char *plain = cli_plain (text);
  int depth = 0;
  for (char *p = plain; *p; p++)
    {
      depth += *p == '[' ? 1 : *p == ']' ? -1 : 0;
      if (*p == ' ' && depth > 0)
        *p = '\x01';
    }
  g_auto (GStrv) words = g_strsplit (plain, " ", -1);
  gsize col = 0;
  gboolean line_start = TRUE;
  if (first)
    {
      const char *nl = strrchr (out->str, '\n');
      col = out->len - (nl ? (gsize) (nl - out->str) + 1 : 0);
      line_start = col == 0 || out->str[out->len - 1] == ' ';
    }
  else
    {
      g_string_append_printf (out, "%*s", (int) indent, "");
      col = indent;
    }
  for (char **w = words; *w; w++)
    {
      if (**w == '\0')
        continue;   /* the second space after a full stop */
      g_strdelimit (*w, "\x01", ' ');
      gsize len = strlen (*w);
      if (!line_start && col + 1 + len > 79)
        {
          g_string_append_printf (out, "\n%*s", (int) indent, "");
          col = indent;
          line_start = TRUE;
        }
      if (!line_start)
        {
          g_string_append_c (out, ' ');
          col++;
        }
      g_string_append (out, *w);
      col += len;
      line_start = FALSE;
    }
  g_string_append_c (out, '\n');
}

/* "--set STAGE.OPTION=VALUE" or "-r, --read FILE" (marks) */
static char *
cli_option_form (const DpCliOption *o, gboolean with_short)
{
  GString *s = g_string_new (NULL);
  if (with_short && o->short_name)
    g_string_append_printf (s, "`-%c`, ", o->short_name);
  g_string_append_printf (s, "`--%s`", o->long_name);
  if (o->arg)
    g_string_append_printf (s, " <%s>", o->arg);
  return g_string_free (s, FALSE);
}

/* the exit statuses in one line: "0 success, 1 a runtime failure, ..." */
static void
cli_exit_line (GString *out)
{
  GString *line = g_string_new (NULL);
  for (guint i = 0; i < G_N_ELEMENTS (exits); i++)
    g_string_append_printf (line, " %s %s%s", exits[i].name, exits[i].brief,
                            i + 1 < G_N_ELEMENTS (exits) ? "," : "");
  g_string_append (out, "exit status:");
  cli_wrap (out, line->str, 2, TRUE);
  g_string_free (line, TRUE);
}

char *
dp_cli_usage (void)
{
  GString *out = g_string_new ("usage: darkpipe [--plugin-dir DIR]... COMMAND [ARGS]\n\ncommands:\n");
  for (guint i = 0; i < dp_cli_n_commands; i++)
    {
      const DpCliCommand *c = &dp_cli_commands[i];
      g_autofree char *head = g_strdup_printf ("%s %s", c->name, c->args);
      g_string_append (out, "  ");
      cli_wrap (out, head, 6, TRUE);
      cli_wrap (out, c->brief, 6, FALSE);
    }
  g_string_append (out, "\nrun options (darkpipe help run):");
  for (const char *const *o = run_options; *o; o++)
    {
      const DpCliOption *opt = cli_option (*o);
      if (opt->short_name)
        g_string_append_printf (out, " -%c", opt->short_name);
      else
        g_string_append_printf (out, " --%s", opt->long_name);
    }
  g_string_append (out, "\n");
  cli_exit_line (out);
  return g_string_free (out, FALSE);
}

/* "[--set STAGE.OPTION=VALUE]... [--threads N] ..." of @c's options */
static char *
cli_option_synopsis (const DpCliCommand *c)
{
  GString *s = g_string_new (NULL);
  for (const char *const *o = c->options; o && *o; o++)
    {
      const DpCliOption *opt = cli_option (*o);
      g_autofree char *form = cli_option_form (opt, FALSE);
      g_string_append_printf (s, "%s[%s]%s", s->len ? " " : "", form, opt->repeat ? "..." : "");
    }
  return g_string_free (s, FALSE);
}

char *
dp_cli_command_help (const DpCliCommand *c)
{
  GString *out = g_string_new ("usage: darkpipe ");
  g_autofree char *opts = cli_option_synopsis (c);
  g_autofree char *args = NULL;
  const char *marker = strstr (c->args, "[<options>]");
  if (marker && opts[0])
    args = g_strdup_printf ("%.*s%s", (int) (marker - c->args), c->args, opts);
  g_autofree char *head = g_strdup_printf ("%s %s", c->name, args ? args : c->args);
  cli_wrap (out, head, 16, TRUE);
  cli_wrap (out, c->text, 0, FALSE);
  for (const char *const *o = c->options; o && *o; o++)
    {
      const DpCliOption *opt = cli_option (*o);
      g_autofree char *form = cli_option_form (opt, TRUE);
      g_string_append (out, "  ");
      cli_wrap (out, form, 6, TRUE);
      cli_wrap (out, opt->text, 6, FALSE);
    }
  if (c->exits)
    cli_exit_line (out);
  return g_string_free (out, FALSE);
}

/* ------------------------------------------------------------------ */
/* roff */

/* @text (marks) as roff text: literals bold, placeholders italic,
 * hyphens as minus signs, a line never starting with a control
 * character */
static void
cli_roff (GString *out, const char *text)
{
  gboolean bold = FALSE, italic = FALSE;
  gsize line_start = out->len;
  for (const char *s = text; *s; s++)
    {
      if (out->len == line_start && (*s == '.' || *s == '\''))
        g_string_append (out, "\\&");
      switch (*s)
        {
        case '`':
          bold = !bold;
          g_string_append (out, bold ? "\\fB" : "\\fR");
          break;
        case '<':
          italic = TRUE;
          g_string_append (out, "\\fI");
          break;
        case '>':
          italic = FALSE;
          g_string_append (out, "\\fR");
          break;
        case '-':
          /* an option is not hyphenated at its own hyphens */
          if (s == text || strchr (" `(", s[-1]))
            g_string_append (out, "\\%");
          g_string_append (out, "\\-");
          break;
        case '\\':
          g_string_append (out, "\\e");
          break;
        case '\n':
          g_string_append (out, "\n.PP\n");
          line_start = out->len;
          break;
        case ' ':
          /* two spaces after a full stop: a new line, as roff wants */
          if (s[1] == ' ')
            {
              g_string_append_c (out, '\n');
              line_start = out->len;
              s++;
              break;
            }
          G_GNUC_FALLTHROUGH;
        default:
          g_string_append_c (out, *s);
        }
    }
  g_assert (!bold && !italic);
}

static void
cli_roff_line (GString *out, const char *text)
{
  cli_roff (out, text);
  g_string_append_c (out, '\n');
}

char *
dp_cli_man (const char *version)
{
  GString *out = g_string_new (NULL);
  g_string_append_printf (out, ".\\\" Generated by `darkpipe --help-man` from core/darkpipe-cli.c: edit that, "
                          "then `make man`.\n"
                          ".TH DARKPIPE 1 \"\" \"darkpipe %s\" \"User Commands\"\n"
                          ".SH NAME\n"
                          "darkpipe \\- analyse darknet (network telescope) traffic with plugin pipelines\n"
                          ".SH SYNOPSIS\n", version);
  for (guint i = 0; i < dp_cli_n_commands; i++)
    {
      const DpCliCommand *c = &dp_cli_commands[i];
      g_autofree char *line = g_strdup_printf ("`darkpipe` %s%s%s%s", strcmp (c->name, "NAME") ? "`" : "<",
                                               c->name, strcmp (c->name, "NAME") ? "`" : ">", "");
      if (i)
        g_string_append (out, ".br\n");
      cli_roff (out, line);
      if (c->args[0])
        {
          g_string_append_c (out, ' ');
          cli_roff (out, c->args);
        }
      g_string_append_c (out, '\n');
    }
  g_string_append (out, ".SH DESCRIPTION\n");
  cli_roff_line (out, description);
  g_string_append (out, ".SH COMMANDS\n");
  for (guint i = 0; i < dp_cli_n_commands; i++)
    {
      const DpCliCommand *c = &dp_cli_commands[i];
      gboolean quick = strcmp (c->name, "NAME") == 0;
      g_autofree char *head = g_strdup_printf ("%s%s%s %s", quick ? "<" : "`", c->name, quick ? ">" : "`",
                                               c->args);
      g_string_append (out, ".TP\n");
      cli_roff_line (out, g_strstrip (head));
      cli_roff_line (out, c->text);
      if (c->options)
        {
          GString *list = g_string_new ("Options:");
          for (const char *const *o = c->options; *o; o++)
            g_string_append_printf (list, " `--%s`%s", *o, o[1] ? "," : ".");
          cli_roff_line (out, list->str);
          g_string_free (list, TRUE);
        }
    }
  g_string_append (out, ".SH OPTIONS\n");
  for (guint i = 0; i < dp_cli_n_options; i++)
    {
      const DpCliOption *o = &dp_cli_options[i];
      if (o->hidden)
        continue;
      g_autofree char *form = cli_option_form (o, TRUE);
      g_string_append (out, ".TP\n");
      cli_roff_line (out, form);
      cli_roff_line (out, o->text);
    }
  g_string_append (out, ".SH EXIT STATUS\n");
  for (guint i = 0; i < G_N_ELEMENTS (exits); i++)
    {
      g_autofree char *name = g_strdup_printf ("`%s`", exits[i].name);
      g_string_append (out, ".TP\n");
      cli_roff_line (out, name);
      cli_roff_line (out, exits[i].text);
    }
  const struct { const char *title; const DpCliItem *items; guint n; gboolean bold; } lists[] = {
    { "ENVIRONMENT", environment, G_N_ELEMENTS (environment), TRUE },
    { "FILES", files, G_N_ELEMENTS (files), FALSE },
  };
  for (guint l = 0; l < G_N_ELEMENTS (lists); l++)
    {
      g_string_append_printf (out, ".SH %s\n", lists[l].title);
      for (guint i = 0; i < lists[l].n; i++)
        {
          g_autofree char *name = g_strdup_printf (lists[l].bold ? "`%s`" : "<%s>", lists[l].items[i].name);
          g_string_append (out, ".TP\n");
          cli_roff_line (out, name);
          cli_roff_line (out, lists[l].items[i].text);
        }
    }
  g_string_append (out, ".SH EXAMPLES\n");
  for (guint i = 0; i < G_N_ELEMENTS (examples); i++)
    {
      if (i)
        g_string_append (out, ".PP\n");
      cli_roff_line (out, examples[i].name);
      g_string_append (out, ".PP\n.RS\n.nf\n");
      cli_roff_line (out, examples[i].text);
      g_string_append (out, ".fi\n.RE\n");
    }
  g_string_append (out, ".SH SEE ALSO\n.BR tcpdump (1),\n.BR tshark (1),\n.BR pcap (3PCAP)\n");
  return g_string_free (out, FALSE);
}

/* ------------------------------------------------------------------ */
/* the bash completion's words */

/* What completes the value of an option whose placeholder is @arg. */
static const char *
cli_value_kind (const char *arg)
{
  if (g_strcmp0 (arg, "DIR") == 0)
    return "dir";
  if (g_strcmp0 (arg, "FILE") == 0)
    return "file";
  if (g_strcmp0 (arg, "IFACE") == 0)
    return "iface";
  if (g_strcmp0 (arg, "N") == 0)
    return "count";
  if (g_strcmp0 (arg, "STAGE.OPTION=VALUE") == 0)
    return "set";
  return "other";
}

/* Appends @word to the space-separated @list unless it is there. */
static void
cli_words_add (GString *list, const char *word)
{
  g_autofree char *padded = g_strdup_printf (" %s ", word);
  g_autofree char *have = g_strdup_printf (" %s ", list->str);
  if (strstr (have, padded) == NULL)
    g_string_append_printf (list, "%s%s", list->len ? " " : "", word);
}

/* Appends @word to the list of value kind @kind in @kinds. */
static void
cli_kind_add (GHashTable *kinds, const char *kind, const char *word)
{
  GString *list = g_hash_table_lookup (kinds, kind);
  if (list == NULL)
    g_hash_table_insert (kinds, (char *) kind, list = g_string_new (NULL));
  cli_words_add (list, word);
}

/* The option words of command @c: its options' long and short forms, and
 * the `-x` words of its synopsis (the quick form's -r and -i, anonymize's
 * --new-key), with the kind of value of those followed by a <PLACEHOLDER>. */
static void
cli_command_words (const DpCliCommand *c, GString *words, GHashTable *kinds)
{
  for (const char *const *o = c->options; o && *o; o++)
    {
      const DpCliOption *opt = cli_option (*o);
      g_autofree char *l = g_strdup_printf ("--%s", opt->long_name);
      cli_words_add (words, l);
      if (opt->short_name)
        {
          char sh[3] = { '-', opt->short_name, 0 };
          cli_words_add (words, sh);
        }
    }
  g_auto (GStrv) tok = g_strsplit_set (c->args, " []|", -1);
  for (guint i = 0; tok[i]; i++)
    {
      gsize n = strlen (tok[i]);
      if (n < 3 || tok[i][0] != '`' || tok[i][1] != '-' || tok[i][n - 1] != '`')
        continue;
      g_autofree char *w = g_strndup (tok[i] + 1, n - 2);
      cli_words_add (words, w);
      /* the placeholder right after it, if any */
      guint j = i + 1;
      while (tok[j] && tok[j][0] == 0)
        j++;
      if (tok[j] && tok[j][0] == '<')
        {
          g_autofree char *bare = g_strndup (tok[j] + 1, strcspn (tok[j] + 1, ">"));
          cli_kind_add (kinds, cli_value_kind (bare), w);
        }
    }
}

char *
dp_cli_bash_completion (void)
{
  GString *out = g_string_new ("# Generated by `darkpipe --help-completion` from core/darkpipe-cli.c (the words) and\n"
                               "# completions/darkpipe-logic.bash (the rest): edit those, then `make completion`.\n"
                               "# bash completion for darkpipe                                 -*- shell-script -*-\n");
  g_autoptr (GHashTable) kinds = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                        (GDestroyNotify) dp_cli_gstring_free);
  GString *all = g_string_new (NULL), *cmds = g_string_new (NULL);
  for (guint i = 0; i < dp_cli_n_options; i++)
    {
      const DpCliOption *o = &dp_cli_options[i];
      if (o->hidden)
        continue;
      g_autofree char *l = g_strdup_printf ("--%s", o->long_name);
      cli_words_add (all, l);
      if (o->arg == NULL)
        continue;
      const char *kind = cli_value_kind (o->arg);
      cli_kind_add (kinds, kind, l);
      if (o->short_name)
        {
          char sh[3] = { '-', o->short_name, 0 };
          cli_kind_add (kinds, kind, sh);
        }
    }
  for (guint i = 0; i < dp_cli_n_commands; i++)
    {
      const DpCliCommand *c = &dp_cli_commands[i];
      gboolean quick = strcmp (c->name, "NAME") == 0;
      GString *words = g_string_new (NULL);
      cli_command_words (c, words, kinds);
      if (!quick)
        cli_words_add (cmds, c->name);
      g_string_append_printf (out, "_darkpipe_opts_%s='%s'\n", quick ? "quick" : c->name, words->str);
      g_string_free (words, TRUE);
    }
  g_string_append_printf (out, "_darkpipe_commands='%s'\n_darkpipe_options='%s'\n", cmds->str, all->str);
  /* every option that takes a value, then those of each kind */
  static const char *const order[] = { "dir", "file", "iface", "count", "set", "other" };
  GString *valued = g_string_new (NULL);
  for (guint k = 0; k < G_N_ELEMENTS (order); k++)
    {
      GString *list = g_hash_table_lookup (kinds, order[k]);
      g_string_append_printf (out, "_darkpipe_value_%s='%s'\n", order[k], list ? list->str : "");
      if (list)
        g_string_append_printf (valued, "%s%s", valued->len ? " " : "", list->str);
    }
  g_string_append_printf (out, "_darkpipe_valued='%s'\n", valued->str);
  g_string_free (valued, TRUE);
  g_string_free (all, TRUE);
  g_string_free (cmds, TRUE);
  return g_string_free (out, FALSE);
}
