/* dp-pipeline.h — contexts, the plugin registry, pipelines and the scheduler.
 *
 * Threads: a DpContext and the pipelines loaded on it are used by one run
 * at a time, driven from one thread (the run starts its own workers when
 * --threads asks for them).  Nothing here is locked, except that
 * dp_context_cancel may be called at any time from any thread or from a
 * signal handler.  Two contexts share no state of the library: two
 * pipelines may run at once in one process, each on its own context (the
 * peak-memory figures are the process's, though).
 *
 * Lifetimes: a pipeline borrows its context, and the stages borrow the
 * plugins the context loaded: free every pipeline (and harness made from
 * the context's descriptors) before dp_context_free. */
#pragma once

#include "dp-api.h"

#include <stdio.h>
#include <glib.h>
#include "dp-plugin.h"

G_BEGIN_DECLS

/** (transfer full) a new context: its own registry, options and stats,
 * one thread, no output directory of its own.  Never NULL: free it with
 * dp_context_free. */
DP_API DpContext *dp_context_new (void);
/** Frees @ctx (transfer full; NULL is fine) and closes the plugins it
 * loaded: their descriptors are gone then.  Free its pipelines first. */
DP_API void dp_context_free (DpContext *ctx);
/** Adds @dir (copied; a relative one is taken from the working directory)
 * to the plugin directories searched before DARKPIPE_PLUGIN_PATH and the
 * install (or build-tree) directory.  Call before the first lookup:
 * plugins already loaded stay as they are. */
DP_API void dp_context_add_plugin_dir (DpContext *ctx, const char *dir);
/** The run's thread budget, --threads (0 counts as 1; default 1). */
DP_API void dp_context_set_threads (DpContext *ctx, guint threads);
/** TRUE: no informational lines and no warnings on stderr. */
DP_API void dp_context_set_quiet (DpContext *ctx, gboolean quiet);
/** TRUE: draw a progress bar on stderr while the run goes. */
DP_API void dp_context_set_progress (DpContext *ctx, gboolean progress);
/** This process's rank in an MPI job started by a launcher (0 without
 * one; docs/scale-out.md), and the number of ranks (1 without one).  Only
 * rank 0 writes outputs and prints the run's summary.  @ctx not NULL. */
DP_API guint dp_context_rank (const DpContext *ctx);
DP_API guint dp_context_n_ranks (const DpContext *ctx);
/** One stage at a time even with several threads (the threaded stages
 * then get them all): what darkpipe did before branches ran at once, and
 * less memory at one time. */
DP_API void dp_context_set_sequential (DpContext *ctx, gboolean sequential);
/** Overrides the pipeline's output_dir with @dir (copied; nullable: NULL
 * drops the override).  Call before the run, which otherwise sets the
 * context's directory to its pipeline's. */
DP_API void dp_context_set_output_dir (DpContext *ctx, const char *dir);
/** Asks every stage to stop: pushes return DP_FLOW_CANCELLED and the run
 * ends with DP_DATA_ERROR_CANCELLED.  Only sets an atomic flag, so it is
 * async-signal-safe and may be called from any thread.  The flag is never
 * cleared: the context stays cancelled. */
DP_API void dp_context_cancel (DpContext *ctx);
/** What a SIGINT/SIGTERM handler calls.  While a stage reads live input
 * (dp_stage_set_live), ends that input: the live sources stop, every
 * stage finishes and the run writes its outputs and succeeds; returns
 * TRUE.  Otherwise calls dp_context_cancel and returns FALSE; as a rank of
 * an MPI job it also ends the waits for other ranks and unlinks the
 * temporary files of unfinished outputs (the launcher's SIGKILL may
 * follow).  Only reads and sets atomic flags and unlinks: async-signal-safe,
 * any thread. */
DP_API gboolean dp_context_interrupt (DpContext *ctx);
/** The descriptor of plugin @name (not NULL), loading it on demand from
 * the search path.  Returns (transfer none) a descriptor owned by the
 * plugin, valid until dp_context_free; or NULL with @error: DP_PLUGIN_ERROR
 * NOT_FOUND (with the closest name), DUPLICATE (two files on the path),
 * SYMBOL, LOAD, ABI or INVALID. */
DP_API const DpPluginDesc *dp_context_load_plugin (DpContext *ctx, const char *name, GError **error);
/** (transfer full) file the plugin @name was (or would be) loaded from (the
 * first of two when it is on the path twice), or NULL when there is none.
 * g_free it. */
DP_API char *dp_context_plugin_path (DpContext *ctx, const char *name);
/** (transfer full) sorted names of all plugins on the search path: the
 * array owns its strings, so g_ptr_array_unref frees them too.  Never
 * NULL. */
DP_API GPtrArray *dp_context_plugin_names (DpContext *ctx);
/** (transfer full) the effective search path, absolute directories in
 * order; the array owns its strings (g_ptr_array_unref frees them).  Never
 * NULL.  Warns once on stderr (unless quiet) about relative entries of
 * DARKPIPE_PLUGIN_PATH, which are left out. */
DP_API GPtrArray *dp_context_search_path (DpContext *ctx);

/** (transfer full) where the bundled pipelines are: the source tree's
 * pipelines/ when running uninstalled, else $(pkgdatadir)/pipelines.
 * Never NULL: g_free it.  Thread-safe. */
DP_API char *dp_default_pipeline_dir (void);

typedef struct {
  char *file;
  guint line, col;      /* 0 when unknown */
  GQuark domain;
  gint code;
  char *message;        /* "file:line:col: stage 'x' (plugin): …" */
} DpDiagnostic;

typedef struct _DpPipeline DpPipeline;

/** Loads and validates the pipeline in file @path (not NULL) on @ctx
 * (transfer none: it must outlive the pipeline), loading its plugins and
 * calling their check() (no init()).  Every problem found is reported,
 * sorted by position: *@diagnostics (nullable) is set to a new array of
 * them (transfer full: DpDiagnostic*, freed with the array; empty on
 * success); on any, returns NULL with @error holding the first problem's
 * domain and code (DP_CONFIG_ERROR, DP_PLUGIN_ERROR, G_FILE_ERROR for an
 * input file, or what a check() set; DP_CONFIG_ERROR_MULTIPLE when there
 * are several) and all messages, one per line.  A file that cannot be read
 * (G_FILE_ERROR), is over 4 MiB (DP_CONFIG_ERROR_STRUCTURE) or holds a NUL
 * byte (DP_CONFIG_ERROR_SYNTAX) gives that error alone and leaves
 * *@diagnostics unchanged.  @overrides (nullable, NULL-terminated;
 * transfer none: read during the call) are "stage.option=value" strings
 * (--set).  Returns (transfer full) the
 * pipeline, to free with dp_pipeline_free. */
DP_API DpPipeline *dp_pipeline_load_file (DpContext *ctx, const char *path, const char *const *overrides,
                                          GPtrArray **diagnostics, GError **error);
/** The same for the YAML @text (not NULL), named @name (not NULL) in
 * messages and as the pipeline's file: (transfer full) the pipeline, or
 * NULL with @error and *@diagnostics set. */
DP_API DpPipeline *dp_pipeline_load_text (DpContext *ctx, const char *name, const char *text,
                                          const char *const *overrides, GPtrArray **diagnostics,
                                          GError **error);
/** Runs @p: init() of every stage, sources stream into consumers, then
 * finish in dependency order; with more than one thread (and not
 * sequential) branches run at once on a pool of workers.  Blocks until the
 * run ends.  Returns FALSE with @error set to the first stage error (any
 * domain, prefixed with the stage), or DP_DATA_ERROR_CANCELLED after
 * dp_context_cancel, naming what had completed.  Run a pipeline once. */
DP_API gboolean dp_pipeline_run (DpPipeline *p, GError **error);
/** Prints the per-stage summary (rows in/out, seconds, peak memory,
 * counters) to @out (not NULL).  From the thread that runs @p, after the
 * run. */
DP_API void dp_pipeline_print_summary (DpPipeline *p, FILE *out);
/** Prints each rank's figures of the run (packets read, routed to and from
 * other ranks, bytes sent and received, seconds, seconds waiting for the
 * other ranks, peak memory, host) to @out (not NULL): under MPI on rank 0
 * every rank's once the job finished (else rank 0's), in one process one
 * row.  Nothing before a run.  From the thread that runs @p, after the
 * run. */
DP_API void dp_pipeline_print_ranks (DpPipeline *p, FILE *out);
/** Writes the summary of the run (the stages' figures and counters, the
 * bytes exchanged per packet read, each rank's figures) as one JSON object
 * to @path (not NULL; atomically, "-" the standard output).  @run_error
 * (transfer none, nullable) is how the run failed.  Returns FALSE with
 * @error when the file cannot be written.  From the thread that runs @p,
 * after the run. */
DP_API gboolean dp_pipeline_write_summary_json (DpPipeline *p, const char *path, const GError *run_error,
                                                GError **error);
/** Statistics of stage @name of @p (during or after a run) into *@out (not
 * NULL); FALSE, with *@out untouched, when there is no such stage.  The
 * figures are read without a lock. */
DP_API gboolean dp_pipeline_stage_stats (DpPipeline *p, const char *name, DpStageStats *out);
/** The `pipeline:` name of @p, else the name it was loaded under.
 * Returns (transfer none) a string owned by @p. */
DP_API const char *dp_pipeline_name (DpPipeline *p);
/** The directory relative output paths go below: the context's override,
 * else the pipeline's output_dir ("." by default).  Returns (transfer
 * none) a string owned by the context or @p. */
DP_API const char *dp_pipeline_output_dir (DpPipeline *p);
/** Number of stages of @p. */
DP_API guint dp_pipeline_n_stages (DpPipeline *p);
/** Finalizes every stage (downstream first, so a sink drops its temp files
 * before its upstreams' batches go) and frees @p (transfer full).  NULL is
 * fine.  The context stays. */
DP_API void dp_pipeline_free (DpPipeline *p);
/** Frees one diagnostic (transfer full; not NULL).  The arrays of
 * dp_pipeline_load_* free theirs with it. */
DP_API void dp_diagnostic_free (DpDiagnostic *d);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DpContext, dp_context_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DpPipeline, dp_pipeline_free)

G_END_DECLS
