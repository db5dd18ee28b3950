/* tpass — test detector: passes packets on (same batch, new ref), counts
 * rows, emits a one-row table at finish; `fail_after` makes it fail,
 * `stop_after` makes it say DP_FLOW_STOP (a limit). */
#include "config.h"
#include "darkpipe.h"

typedef struct { guint64 fail_after, stop_after; } TpassConfig;
typedef struct { guint64 fail_after, stop_after, rows; } TpassState;

static const DpPortDesc tpass_inputs[] = {
  { "packets", DP_TYPE_PACKETS, 0, "packets" },
  { "extra", DP_TYPE_TABLE, DP_PORT_OPTIONAL, "ignored" },
};
static const DpPortDesc tpass_outputs[] = {
  { "packets", DP_TYPE_PACKETS, 0, "the same packets" },
  { "count", DP_TYPE_TABLE, 0, "rows seen" },
};
static const DpOptionDesc tpass_options[] = {
  DP_OPTION ("fail_after", DP_OPT_UINT, "0", TpassConfig, fail_after,
             "Fail once more than this many rows arrived (0: never)."),
  DP_OPTION ("stop_after", DP_OPT_UINT, "0", TpassConfig, stop_after,
             "Want no more once this many rows arrived (0: never)."),
};

static gboolean
tpass_init (DpStage *stage, const void *config, void **state, GError **error)
{
  TpassState *s = g_new0 (TpassState, 1);
  s->fail_after = ((const TpassConfig *) config)->fail_after;
  s->stop_after = ((const TpassConfig *) config)->stop_after;
  *state = s;
  return TRUE;
}

static DpFlow
tpass_process (DpStage *stage, void *state, guint port, const char *upstream, DpBatch *batch, GError **error)
{
  TpassState *s = state;
  if (port != 0)
    return DP_FLOW_OK;
  s->rows += ((DpPackets *) batch)->n_rows;
  if (s->fail_after && s->rows > s->fail_after)
    {
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FAILED, "failing as asked after %" G_GUINT64_FORMAT " rows", s->rows);
      return DP_FLOW_ERROR;
    }
  /* its count needs every batch: a STOP from the packets' consumers
   * (or from nobody consuming them) is not passed on */
  DpFlow flow = dp_stage_push (stage, 0, dp_batch_ref (batch));
  if (flow < 0)
    return flow;
  return s->stop_after && s->rows >= s->stop_after ? DP_FLOW_STOP : DP_FLOW_OK;
}

static gboolean
tpass_finish (DpStage *stage, void *state, GError **error)
{
  TpassState *s = state;
  DpTable *t = dp_table_new ("count");
  guint col = dp_table_add_column (t, "rows", DP_COL_INT64);
  dp_table_set_i64 (t, col, dp_table_append_row (t), (gint64) s->rows);
  dp_stage_push (stage, 1, t);
  return TRUE;
}

DP_PLUGIN_DEFINE (tpass,
  .kind = DP_KIND_DETECTOR, .summary = "Test pass-through.", .version = "0",
  .inputs = tpass_inputs, .n_inputs = G_N_ELEMENTS (tpass_inputs),
  .outputs = tpass_outputs, .n_outputs = G_N_ELEMENTS (tpass_outputs),
  .options = tpass_options, .n_options = G_N_ELEMENTS (tpass_options),
  .config_size = sizeof (TpassConfig),
  .init = tpass_init, .process = tpass_process, .finish = tpass_finish, .finalize = g_free)
