/* port_filter — an example third-party darkpipe filter: packets in,
 * packets out.  It keeps the packets sent to the destination ports listed
 * in `ports` (all TCP/UDP packets when the list is empty) and, with
 * `limit`, says DP_FLOW_STOP once it has passed that many, which stops the
 * source upstream when no other stage wants more.
 *
 * What it shows:
 *   - check(): an option rule tested when the pipeline is loaded, with the
 *     option's position in the error;
 *   - a new output batch built row by row (the input batch is borrowed and
 *     never written: other stages may read the same batch);
 *   - the flow value returned to the source.
 * Build:  make           (uses pkg-config darkpipe)
 * Test:   make check     (runs test_port_filter.c through the harness)
 * Use:    darkpipe --plugin-dir . run example.yaml */
#include <darkpipe/darkpipe.h>

typedef struct {
  char **ports;       /* the option, as text ("23", "2323") */
  guint64 limit;
} PortFilterConfig;

typedef struct {
  guint8 wanted[65536];   /* 1 for a port to keep */
  gboolean all;
  guint64 limit, passed;
} PortFilter;

static const DpPortDesc port_filter_inputs[] = {
  { "packets", DP_TYPE_PACKETS, 0, "packets to filter" },
};
static const DpPortDesc port_filter_outputs[] = {
  { "packets", DP_TYPE_PACKETS, 0, "the packets to the listed ports, in their order" },
};
static const DpOptionDesc port_filter_options[] = {
  DP_OPTION ("ports", DP_OPT_STRLIST, NULL, PortFilterConfig, ports,
             "Destination ports to keep (empty: every TCP or UDP packet)."),
  DP_OPTION ("limit", DP_OPT_UINT, "0", PortFilterConfig, limit,
             "Pass at most this many packets, then ask for no more (0: no limit)."),
};

/* Each entry of `ports` must be a port number: refused at `darkpipe check`. */
static gboolean
port_filter_parse (const PortFilterConfig *c, guint8 *wanted, DpStage *stage, GError **error)
{
  for (char **p = c->ports; p && *p; p++)
    {
      guint64 port;
      if (!g_ascii_string_to_unsigned (*p, 10, 0, 65535, &port, NULL))
        return dp_stage_config_error (stage, error, DP_CONFIG_ERROR_RANGE, "ports",
                                      "option 'ports': '%s' is not a port number (0 to 65535)", *p);
      if (wanted)
        wanted[port] = 1;
    }
  return TRUE;
}

static gboolean
port_filter_check (DpStage *stage, const void *config, GError **error)
{
  return port_filter_parse (config, NULL, stage, error);
}

static gboolean
port_filter_init (DpStage *stage, const void *config, void **state, GError **error)
{
  const PortFilterConfig *c = config;
  PortFilter *s = g_new0 (PortFilter, 1);
  *state = s;
  s->all = c->ports == NULL || c->ports[0] == NULL;
  s->limit = c->limit;
  return port_filter_parse (c, s->wanted, stage, error);
}

static DpFlow
port_filter_process (DpStage *stage, void *state, guint port, const char *upstream, DpBatch *batch,
                     GError **error)
{
  PortFilter *s = state;
  const DpPackets *in = (const DpPackets *) batch;
  DpPackets *out = dp_packets_new (in->n_rows > 0 ? in->n_rows : 1);
  dp_packets_set_names (out, in->names);   /* pseudonymous addresses keep their names */
  for (guint i = 0; i < in->n_rows && (s->limit == 0 || s->passed < s->limit); i++)
    {
      if (!(in->l4[i] & DP_L4_PORTS) || (!s->all && !s->wanted[in->dport[i]]))
        continue;
      guint r = dp_packets_append (out);
#define COPY_COLUMN(col) out->col[r] = in->col[i];
      DP_PACKET_COLUMNS (COPY_COLUMN)
#undef COPY_COLUMN
      s->passed++;
    }
  dp_stage_count (stage, "passed", out->n_rows);
  DpFlow flow = out->n_rows > 0 ? dp_stage_push (stage, 0, out) : (dp_batch_unref (out), DP_FLOW_OK);
  if (flow != DP_FLOW_OK)
    return flow;          /* the run ends, or nobody downstream wants more */
  return s->limit && s->passed >= s->limit ? DP_FLOW_STOP : DP_FLOW_OK;
}

DP_PLUGIN_DEFINE (port_filter,
  .kind = DP_KIND_TRANSFORM,
  .summary = "Keeps the packets to some destination ports (example filter).",
  .version = "1.0",
  .inputs = port_filter_inputs, .n_inputs = DP_N_ELEMENTS (port_filter_inputs),
  .outputs = port_filter_outputs, .n_outputs = DP_N_ELEMENTS (port_filter_outputs),
  .options = port_filter_options, .n_options = DP_N_ELEMENTS (port_filter_options),
  .config_size = sizeof (PortFilterConfig),
  .check = port_filter_check, .init = port_filter_init, .process = port_filter_process,
  .finalize = g_free)
