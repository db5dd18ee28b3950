/* tsrc — test source: emits `count` packets in batches of `batch`, and a
 * one-row table `info`. */
#include "config.h"
#include "darkpipe.h"

typedef struct { guint64 count, batch; } TsrcConfig;

static const DpPortDesc tsrc_outputs[] = {
  { "packets", DP_TYPE_PACKETS, 0, "test packets" },
  { "info", DP_TYPE_TABLE, 0, "one row: how many packets" },
};

static const DpOptionDesc tsrc_options[] = {
  DP_OPTION_RANGE ("count", DP_OPT_UINT, "10", TsrcConfig, count, 0, 1e9, "Packets to emit."),
  DP_OPTION_RANGE ("batch", DP_OPT_UINT, "4", TsrcConfig, batch, 1, 65536, "Rows per batch."),
};

static gboolean
tsrc_init (DpStage *stage, const void *config, void **state, GError **error)
{
  *state = g_memdup2 (config, sizeof (TsrcConfig));
  return TRUE;
}

static gboolean
tsrc_run (DpStage *stage, void *state, GError **error)
{
  const TsrcConfig *c = state;
  guint64 done = 0;
  DpFlow flow = DP_FLOW_OK;
  while (done < c->count && flow == DP_FLOW_OK)
    {
      guint n = (guint) MIN (c->batch, c->count - done);
      DpPackets *p = dp_packets_new (n);
      for (guint i = 0; i < n; i++)
        {
          guint r = dp_packets_append (p);
          p->ts[r] = (gint64) (done + i) * 1000000000;
          p->src[r] = 0x0a000001u + (guint32) ((done + i) % 7);
          p->dst[r] = 0xc0000200u + (guint32) ((done + i) % 256);
          p->proto[r] = 6;
          p->dport[r] = 23;
          p->l4[r] = DP_L4_PORTS | DP_L4_TCP;
        }
      done += n;
      flow = dp_stage_push (stage, 0, p);
    }
  if (flow < 0)
    return TRUE;
  DpTable *t = dp_table_new ("info");
  guint col = dp_table_add_column (t, "packets", DP_COL_INT64);
  guint row = dp_table_append_row (t);
  dp_table_set_i64 (t, col, row, (gint64) done);
  dp_stage_push (stage, 1, t);
  return TRUE;
}

DP_PLUGIN_DEFINE (tsrc,
  .kind = DP_KIND_SOURCE, .summary = "Test source.", .version = "0",
  .outputs = tsrc_outputs, .n_outputs = G_N_ELEMENTS (tsrc_outputs),
  .options = tsrc_options, .n_options = G_N_ELEMENTS (tsrc_options),
  .config_size = sizeof (TsrcConfig),
  .init = tsrc_init, .run = tsrc_run, .finalize = g_free)
