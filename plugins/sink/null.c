/* null — a sink that discards everything it is given (benchmarks, dry runs). */
#include "config.h"
#include "darkpipe.h"

typedef struct {
  gboolean report;
} NullConfig;

typedef struct {
  gboolean report;
  guint64 batches;
} NullState;

static const DpPortDesc null_inputs[] = {
  { "input", DP_TYPE_ANY, DP_PORT_MULTI, "anything; dropped after counting" },
};

static const DpOptionDesc null_options[] = {
  DP_OPTION ("report", DP_OPT_BOOL, "false", NullConfig, report,
             "Print how many batches arrived when the input ends."),
};

static gboolean
null_init (DpStage *stage, const void *config, void **state, GError **error)
{
  const NullConfig *cfg = config;
  NullState *s = g_new0 (NullState, 1);
  s->report = cfg->report;
  *state = s;
  return TRUE;
}

static DpFlow
null_process (DpStage *stage, void *state, guint port, const char *upstream, DpBatch *batch, GError **error)
{
  NullState *s = state;
  s->batches++;
  return DP_FLOW_OK;
}

static gboolean
null_finish (DpStage *stage, void *state, GError **error)
{
  NullState *s = state;
  if (s->report)
    dp_stage_info (stage, "%" G_GUINT64_FORMAT " batches discarded", s->batches);
  return TRUE;
}

DP_PLUGIN_DEFINE (null,
  .kind = DP_KIND_SINK,
  .summary = "Discards its input (for benchmarks and dry runs).",
  .version = "1.0",
  .inputs = null_inputs, .n_inputs = G_N_ELEMENTS (null_inputs),
  .options = null_options, .n_options = G_N_ELEMENTS (null_options),
  .config_size = sizeof (NullConfig),
  .init = null_init, .process = null_process, .finish = null_finish,
  .finalize = g_free)
