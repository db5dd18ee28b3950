/* dp-private.h — core internals shared by the core's modules (not installed). */
#pragma once

#include <gmodule.h>
#include "darkpipe.h"
#include "dp-comm.h"

G_BEGIN_DECLS

typedef struct {
  char *name;
  char *path;
  GModule *module;
  const DpPluginDesc *desc;
} DpPlugin;

typedef struct {
  char *name;
  guint64 value;
} DpCounter;

typedef struct _DpPool DpPool;
typedef struct _DpFanout DpFanout;

struct _DpContext {
  gint ref_count;
  GPtrArray *plugin_dirs;     /* search path, in order */
  GHashTable *plugins;        /* name -> DpPlugin*, loaded on demand */
  GHashTable *plugin_index;   /* name -> path of every plugin found (scan cache) */
  char *output_dir;
  guint threads;
  gboolean quiet;
  gboolean path_warned;     /* relative DARKPIPE_PLUGIN_PATH entries reported */
  gboolean progress;          /* draw a progress bar on stderr */
  gboolean sequential;        /* one stage at a time, whatever the threads */
  gint cancelled;             /* atomic: set by signal handler path */
  gint failed;                /* atomic: a stage failed; stop sources */
  gint live_sources;          /* atomic: sources in a live run() (dp_stage_set_live) */
  gint input_stopped;         /* atomic: dp_context_interrupt ended the live input */
  GMutex log_lock;
  gint64 last_progress_us;
  GPtrArray *stages;          /* every live DpStage (not owned), for peer stats */
  DpPool *pool;               /* workers for branches that run at once (NULL: one by one) */
  gboolean finishing;         /* pushes go to the consumers' inboxes (dp-sched.c) */
  GMutex peak_lock;           /* the peak-memory intervals of running stages */
  GPtrArray *peak_active;     /* DpStage* measuring now */
  const DpComm *comm;         /* the job's ranks (dp-comm.h); one process: 0 of 1 */
};

typedef struct {
  DpStage *to;
  guint port;
  gboolean stopped;           /* the consumer said DP_FLOW_STOP on this link */
} DpLink;

struct _DpStage {
  DpContext *ctx;
  char *name;
  DpPlugin *plugin;           /* may be NULL (harness with a raw desc) */
  const DpPluginDesc *desc;
  void *config;
  void *state;
  guint threads;
  gboolean fail_on_error;     /* on_error: fail */
  gboolean finished;
  GPtrArray **consumers;      /* per output port: DpLink* */
  GPtrArray **captured;       /* harness only: batches per output port */
  GArray *counters;           /* DpCounter */
  GError *error;              /* first error raised while processing pushed data */
  /* statistics */
  guint64 rows_in, rows_out;
  gint64 time_us;             /* time spent inside the plugin's callbacks */
  gint64 peak_rss_kb;
  guint64 progress_done, progress_total;
  gint harness_cancelled;     /* atomic: dp_harness_cancel */
  gboolean live;              /* dp_stage_set_live: counted in ctx->live_sources */
  GPtrArray *upstreams;       /* DpStage* feeding this one (not owned) */
  guint index;                /* topological position in the run */
  DpFanout **fanout;          /* per output port, NULL: not a fan-out */
  gint grant;                 /* atomic: threads granted now (0: not scheduled) */
  GMutex inbox_lock;
  GArray *inbox;              /* batches pushed to it while finishing (dp-sched.c) */
  guint *in_links;            /* per input port: links into it (set at load) */
  char *error_option;         /* the option dp_stage_config_error named */
  GPtrArray *prov_files;      /* provenance: files read (NULL-terminated), or NULL */
  char *prov_origin;
  gint64 prov_first, prov_last;
  guint64 prov_packets;
  GHashTable *column_checked; /* "port/upstream" whose first table was checked */
  char *pipeline_name;        /* NULL outside a pipeline (harness) */
  char *pipeline_file;
};

/* dp-sched.c */
DpPool *dp_pool_new (guint n_threads);
void dp_pool_free (DpPool *pool);
void dp_sched_prepare (DpStage **stages, guint n);
void dp_sched_fanouts_clear (DpStage *s);
void dp_sched_deliver_all (DpStage *s, guint port, DpBatch *batch);
void dp_sched_inbox_add (DpStage *to, DpLink *l, DpStage *from, DpBatch *batch);
void dp_sched_inbox_clear (DpStage *s);
void dp_sched_finish_all (DpContext *ctx, DpStage **stages, guint n, guint budget);

/* dp-stage.c */
void dp_stage_deliver (DpStage *from, DpLink *l, DpBatch *batch);
DpFlow dp_stage_run_flow (const DpStage *s);
void dp_stage_note_error (DpStage *s, GError *error);
guint dp_stage_threads_wanted (const DpStage *s);
DpStage *dp_stage_new_internal (DpContext *ctx, const char *name, const DpPluginDesc *desc);
void dp_stage_free_internal (DpStage *stage);
void dp_stage_link (DpStage *from, guint out_port, DpStage *to, guint in_port);
gboolean dp_stage_call_check (DpStage *stage, GError **error);
gboolean dp_stage_call_init (DpStage *stage, GError **error);
gboolean dp_stage_call_run (DpStage *stage, GError **error);
DpFlow dp_stage_call_process (DpStage *stage, guint port, const char *upstream, DpBatch *batch,
                              GError **error);
gboolean dp_stage_call_finish (DpStage *stage, GError **error);
guint64 batch_rows (const DpBatch *b);
gint64 dp_peak_rss_kb (void);
/** Starts a new peak-memory interval (Linux clear_refs); FALSE if unsupported. */
gboolean dp_peak_rss_reset (void);
void dp_stage_clear_progress_line (DpContext *ctx);

/* dp-pipeline.c */
typedef struct _DpYamlNode DpYamlNode;
gboolean dp_stage_apply_options (DpStage *stage, DpYamlNode *map, const char *file, GError **error);
gboolean dp_stage_check_required (DpStage *stage, GHashTable *given, const char *file, GError **error);

/* dp-output.c: temporary names that a process made to end (a rank of an
 * MPI job: SIGTERM, then SIGKILL) must not leave behind; hold returns a
 * slot (-1: not listed), sweep unlinks every listed name and is
 * async-signal-safe */
int dp_output_temp_hold (const char *path);
void dp_output_temp_release (int slot);
void dp_output_sweep_temporaries (void);

/* dp-registry.c */
DpPlugin *dp_context_get_plugin (DpContext *ctx, const char *name, GError **error);

G_END_DECLS
