/* dp-pipeline.h — contexts, the plugin registry, pipelines and the scheduler. */
#pragma once

#include "dp-api.h"

#include <stdio.h>
#include <glib.h>
#include "dp-plugin.h"

G_BEGIN_DECLS

/** (transfer full) a new context: its own registry, options and stats. */
DP_API DpContext *dp_context_new (void);
DP_API void dp_context_free (DpContext *ctx);
/** Adds a plugin directory searched before DARKPIPE_PLUGIN_PATH and the
 * install (or build-tree) directory.  Call before the first lookup. */
DP_API void dp_context_add_plugin_dir (DpContext *ctx, const char *dir);
DP_API void dp_context_set_threads (DpContext *ctx, guint threads);
DP_API void dp_context_set_quiet (DpContext *ctx, gboolean quiet);
DP_API void dp_context_set_progress (DpContext *ctx, gboolean progress);
/** One stage at a time even with several threads (the threaded stages
 * then get them all): what darkpipe did before branches ran at once, and
 * less memory at one time. */
DP_API void dp_context_set_sequential (DpContext *ctx, gboolean sequential);
/** Overrides the pipeline's output_dir. */
DP_API void dp_context_set_output_dir (DpContext *ctx, const char *dir);
/** Async-signal-safe: asks every stage to stop. */
DP_API void dp_context_cancel (DpContext *ctx);
/** (transfer none) the descriptor of plugin @name, loading it on demand. */
DP_API const DpPluginDesc *dp_context_load_plugin (DpContext *ctx, const char *name, GError **error);
/** (transfer full) file the plugin was (or would be) loaded from. */
DP_API char *dp_context_plugin_path (DpContext *ctx, const char *name);
/** (transfer container) sorted names of all plugins on the search path. */
DP_API GPtrArray *dp_context_plugin_names (DpContext *ctx);
/** (transfer container) the effective search path. */
DP_API GPtrArray *dp_context_search_path (DpContext *ctx);

/** (transfer full) where the bundled pipelines are: the source tree's
 * pipelines/ when running uninstalled, else $(pkgdatadir)/pipelines. */
DP_API char *dp_default_pipeline_dir (void);

typedef struct {
  char *file;
  guint line, col;      /* 0 when unknown */
  GQuark domain;
  gint code;
  char *message;        /* "file:line:col: stage 'x' (plugin): …" */
} DpDiagnostic;

typedef struct _DpPipeline DpPipeline;

/** Loads and validates a pipeline.  Every problem found is appended to
 * @diagnostics (DpDiagnostic*, may be NULL); on any, returns NULL with
 * @error holding the first problem's code (DP_CONFIG_ERROR_MULTIPLE when
 * there are several) and all messages, one per line.  @overrides are
 * "stage.option=value" strings (--set). */
DP_API DpPipeline *dp_pipeline_load_file (DpContext *ctx, const char *path, const char *const *overrides,
                                          GPtrArray **diagnostics, GError **error);
DP_API DpPipeline *dp_pipeline_load_text (DpContext *ctx, const char *name, const char *text,
                                          const char *const *overrides, GPtrArray **diagnostics,
                                          GError **error);
/** Runs it: sources stream into consumers, then finish in dependency order. */
DP_API gboolean dp_pipeline_run (DpPipeline *p, GError **error);
/** Prints the per-stage summary (rows in/out, seconds, peak memory, counters). */
DP_API void dp_pipeline_print_summary (DpPipeline *p, FILE *out);
/** Statistics of stage @name of @p (during or after a run); FALSE when
 * there is no such stage. */
DP_API gboolean dp_pipeline_stage_stats (DpPipeline *p, const char *name, DpStageStats *out);
DP_API const char *dp_pipeline_name (DpPipeline *p);
DP_API const char *dp_pipeline_output_dir (DpPipeline *p);
DP_API guint dp_pipeline_n_stages (DpPipeline *p);
DP_API void dp_pipeline_free (DpPipeline *p);
DP_API void dp_diagnostic_free (DpDiagnostic *d);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DpContext, dp_context_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DpPipeline, dp_pipeline_free)

G_END_DECLS
