/* dp-pipeline-private.h — what the pipeline loader's modules share
 * (dp-pipeline.c, dp-paths.c); not installed. */
#pragma once

#include "dp-pipeline.h"
#include "dp-private.h"
#include "dp-yaml.h"

G_BEGIN_DECLS

typedef struct {
  char *name;
  DpYamlNode *key;          /* the stage's key in `stages:` (position) */
  DpYamlNode *node;         /* its mapping */
  DpYamlNode *input;        /* its `input:` value, or NULL */
  DpStage *stage;           /* NULL when the plugin failed to load */
  GArray *links;            /* Wire */
  gboolean bad;             /* a problem was reported for it */
  gboolean optional;        /* `optional: true`: off while a required option is unset */
} Spec;

typedef struct {
  guint in_port;
  guint from;               /* spec index */
  guint out_port;
} Wire;

/* One rank's figures of a run (dp-summary.c): rank 0 holds every rank's
 * after a job, a process its own. */
typedef struct {
  guint64 packets_read;      /* packets this rank's sources pushed */
  guint64 routed_out;        /* packets its exchanges sent to other ranks */
  guint64 routed_in;         /* ... and got from other ranks */
  guint64 exchange_bytes;    /* bytes its exchanges sent to other ranks */
  guint64 bytes_sent;        /* every collective's payload to other ranks */
  guint64 bytes_received;
  gint64 run_us;             /* the rank's run, start to end */
  gint64 wait_us;            /* of which waiting for the other ranks */
  gint64 peak_kb;            /* the process's peak resident memory */
  char host[64];
} DpRankFigures;

struct _DpPipeline {
  DpContext *ctx;
  char *file;
  char *name;
  char *output_dir;
  gboolean allow_outside;   /* allow_outside_output_dir: true */
  GPtrArray *specs;         /* Spec* in file order */
  GArray *order;            /* spec indices, topological */
  DpYamlNode *root;
  GPtrArray *diags;
  GPtrArray *off;           /* names of the stages left out (optional ones and what they feed) */
  gint64 run_us;
  gint64 run_start_us;
  GArray *ranks;            /* DpRankFigures in rank order, after a run (NULL before) */
  gboolean ranks_reduced;   /* under MPI: the stages' figures are the job's, not rank 0's */
};

/* Appends a diagnostic at @at (nullable) about stage @s (nullable). */
void diag (DpPipeline *p, const DpYamlNode *at, const Spec *s, GQuark domain, gint code, const char *fmt, ...)
  G_GNUC_PRINTF (6, 7);
#define CDIAG(p, at, s, code, ...) diag ((p), (at), (s), DP_CONFIG_ERROR, (code), __VA_ARGS__)

DpYamlNode *option_node (Spec *s, const char *name);

/* The stage of topological rank @rank. */
static inline Spec *
spec_at (DpPipeline *p, guint rank)
{
  return g_ptr_array_index (p->specs, g_array_index (p->order, guint, rank));
}

/* dp-pipeline.c, shared with dp-overrides.c */
gboolean apply_options_full (DpPipeline *p, Spec *spec, DpStage *stage, DpYamlNode *map, GError **error);
GHashTable *given_keys (DpYamlNode *map);
const DpOptionDesc *first_missing (DpStage *stage, GHashTable *given);
Spec *find_spec (DpPipeline *p, const char *name, guint *index);

/* dp-overrides.c: --set before the stages are built (which ones it used
 * up), then after; optional stages that are off are dropped */
gboolean *preload_overrides (DpPipeline *p, const char *const *overrides);
void apply_overrides (DpPipeline *p, const char *const *overrides, const gboolean *used);
void drop_off_stages (DpPipeline *p);

/* dp-paths.c: every input exists, no output overwrites an input or
 * another output or leaves the output directory */
void check_paths (DpPipeline *p);

/* dp-ranks.c: the run under MPI with several ranks */
gboolean dp_pipeline_run_ranks (DpPipeline *p, GError **error);

/* dp-summary.c: this process's figures of the run so far (the exchanges'
 * are left zero) */
void dp_rank_figures_local (DpPipeline *p, DpRankFigures *f);

G_END_DECLS
