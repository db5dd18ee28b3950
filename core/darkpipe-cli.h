/* darkpipe-cli.h — the command line's one description: the commands,
 * options, exit statuses, environment, files and examples that the parser,
 * `darkpipe help`, `COMMAND --help` and the man page darkpipe(1) are all
 * made from (darkpipe-cli.c).  Internal to the darkpipe program.
 *
 * Texts carry two marks: `x` is a literal (bold in the man page) and <x>
 * a placeholder (italic); the help prints both as plain x. */
#ifndef DARKPIPE_CLI_H
#define DARKPIPE_CLI_H

#include <glib.h>

#define DP_CLI_THREADS_UNSET G_MININT

/* What the options set (see dp_cli_options for each). */
typedef struct {
  char **plugin_dirs;
  char **sets;
  char **reads;          /* -r FILE: the input of the pipeline's 'capture' stage */
  char *interface;       /* -i IFACE: capture.interface */
  char *bpf;             /* -f EXPR: capture.filter */
  char *labels;          /* --labels FILE: truth.path */
  gint threads;          /* DP_CLI_THREADS_UNSET when --threads was not given */
  gboolean quiet;
  gboolean verbose;      /* --verbose: each rank's figures after the summary */
  char *summary_json;    /* --summary-json FILE */
  gboolean sequential;
  gboolean version, help, help_man, help_completion;
  char *output_dir;
  gboolean json, markdown;
  char *markdown_dir;
} DpCliArgs;

typedef struct {
  const char *long_name;
  char short_name;        /* 0: none */
  const char *arg;        /* placeholder of the value; NULL for a switch */
  gboolean repeat;        /* may be given several times */
  GOptionArg type;
  gsize offset;           /* of the value in the caller's options struct */
  gboolean hidden;        /* for maintainers: in neither help nor man page */
  const char *brief;      /* a line: the parser's description */
  const char *text;       /* what `help COMMAND` and the man page say */
} DpCliOption;

typedef struct {
  const char *name;       /* as typed; "NAME" for the quick form */
  const char *args;       /* what follows the name in the synopsis (marks) */
  const char *brief;      /* the usage's line */
  const char *text;       /* help COMMAND and the man page (marks) */
  const char *const *options;   /* long names it takes, NULL-terminated */
  gboolean exits;         /* its help lists the exit statuses */
} DpCliCommand;

typedef struct {
  const char *name;
  const char *text;
} DpCliItem;

extern const DpCliOption dp_cli_options[];
extern const guint dp_cli_n_options;
extern const DpCliCommand dp_cli_commands[];
extern const guint dp_cli_n_commands;

/* The command named @name, NULL when there is none (the quick form's
 * "NAME" is no command name). */
const DpCliCommand *dp_cli_command (const char *name);

/* The GOptionEntry array of every option, NULL-terminated, with arg_data
 * in @args (transfer full: g_free). */
GOptionEntry *dp_cli_entries (DpCliArgs *args);

/* (transfer full) `darkpipe help`: the usage and the commands. */
char *dp_cli_usage (void);

/* (transfer full) `darkpipe help COMMAND` without the installed pipelines. */
char *dp_cli_command_help (const DpCliCommand *c);

/* (transfer full) the man page darkpipe(1), roff (man macros). */
char *dp_cli_man (const char *version);

/* (transfer full) the data part of the bash completion script: the
 * commands, each command's option words and the kind of value each option
 * takes, as shell assignments (`make completion` puts them before the
 * script's logic, completions/darkpipe-logic.bash). */
char *dp_cli_bash_completion (void);

#endif
