/* port_count — an example third-party darkpipe plugin: counts packets per
 * destination port/protocol and emits the top ones as a table.
 * Build:  make            (uses pkg-config darkpipe)
 * Use:    darkpipe --plugin-dir . run example.yaml */
#include <darkpipe/darkpipe.h>

typedef struct {
  guint64 top;
} PortCountConfig;

typedef struct {
  guint64 top;
  DpHash counts;    /* key: proto << 16 | port, value: packets */
} PortCountState;

static const DpPortDesc port_count_inputs[] = {
  { "packets", DP_TYPE_PACKETS, 0, "packets to count" },
};
static const DpPortDesc port_count_outputs[] = {
  { "ports", DP_TYPE_TABLE, 0, "port, proto, packets; most packets first" },
};
static const DpOptionDesc port_count_options[] = {
  DP_OPTION_RANGE ("top", DP_OPT_UINT, "10", PortCountConfig, top, 1, 65536 * 256,
                   "How many port/protocol pairs to keep in the table."),
};

static gboolean
port_count_init (DpStage *stage, const void *config, void **state, GError **error)
{
  PortCountState *s = g_new0 (PortCountState, 1);
  s->top = ((const PortCountConfig *) config)->top;
  dp_hash_init (&s->counts, 1024);
  *state = s;
  return TRUE;
}

static DpFlow
port_count_process (DpStage *stage, void *state, guint port, const char *upstream, DpBatch *batch, GError **error)
{
  PortCountState *s = state;
  const DpPackets *p = (const DpPackets *) batch;
  for (guint i = 0; i < p->n_rows; i++)
    if (p->l4[i] & DP_L4_PORTS)
      (*dp_hash_upsert (&s->counts, ((guint64) p->proto[i] << 16) | p->dport[i], NULL))++;
  return DP_FLOW_OK;
}

static int
port_count_cmp (const void *a, const void *b)
{
  const guint64 *x = a, *y = b;   /* pairs {key, count}: most packets first, then key */
  if (x[1] != y[1])
    return x[1] > y[1] ? -1 : 1;
  return x[0] < y[0] ? -1 : x[0] > y[0];
}

static gboolean
port_count_finish (DpStage *stage, void *state, GError **error)
{
  PortCountState *s = state;
  g_autofree guint64 *pairs = g_new (guint64, 2 * s->counts.n + 2);
  gsize n = 0;
  for (gsize i = 0; i <= s->counts.mask; i++)
    if (s->counts.keys[i] != DP_HASH_EMPTY)
      {
        pairs[2 * n] = s->counts.keys[i];
        pairs[2 * n + 1] = s->counts.vals[i];
        n++;
      }
  qsort (pairs, n, 2 * sizeof (guint64), port_count_cmp);
  DpTable *t = dp_table_new ("ports");
  guint c_port = dp_table_add_column (t, "port", DP_COL_INT64);
  guint c_proto = dp_table_add_column (t, "proto", DP_COL_STRING);
  guint c_pkts = dp_table_add_column (t, "packets", DP_COL_INT64);
  for (gsize i = 0; i < n && i < s->top; i++)
    {
      guint r = dp_table_append_row (t);
      const char *proto = dp_proto_name ((guint8) (pairs[2 * i] >> 16));
      dp_table_set_i64 (t, c_port, r, (gint64) (pairs[2 * i] & 0xffff));
      dp_table_set_str (t, c_proto, r, proto ? proto : "other");
      dp_table_set_i64 (t, c_pkts, r, (gint64) pairs[2 * i + 1]);
    }
  dp_stage_push (stage, 0, t);
  return TRUE;
}

static void
port_count_finalize (void *state)
{
  PortCountState *s = state;
  dp_hash_clear (&s->counts);
  g_free (s);
}

DP_PLUGIN_DEFINE (port_count,
  .kind = DP_KIND_DETECTOR,
  .summary = "Counts packets per destination port (example plugin).",
  .version = "1.0",
  .inputs = port_count_inputs, .n_inputs = G_N_ELEMENTS (port_count_inputs),
  .outputs = port_count_outputs, .n_outputs = G_N_ELEMENTS (port_count_outputs),
  .options = port_count_options, .n_options = G_N_ELEMENTS (port_count_options),
  .config_size = sizeof (PortCountConfig),
  .init = port_count_init, .process = port_count_process,
  .finish = port_count_finish, .finalize = port_count_finalize)
