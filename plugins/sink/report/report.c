/* report — one self-contained HTML page (inline SVG and CSS, no scripts)
 * with the charts an analyst looks at after a run, and the same figures as
 * standalone SVG files.
 *
 * Every input is optional and wired by role; a chart appears only when the
 * tables it needs arrived.  The chart families live in charts-*.c, the
 * drawing primitives in svg.c; this file keeps the inputs and writes the
 * page. */
#include "config.h"

#include <math.h>
#include <string.h>
#include "report.h"

static const DpOptionDesc report_options[] = {
  DP_OPTION_FLAGS ("path", DP_OPT_PATH, NULL, ReportConfig, path, DP_OPT_REQUIRED | DP_OPT_OUTPUT,
                      "The HTML file to write (relative paths go below the output directory)."),
  DP_OPTION_FLAGS ("svg_dir", DP_OPT_PATH, NULL, ReportConfig, svg_dir, DP_OPT_OUTPUT | DP_OPT_DIR,
             "Directory for the figures as standalone SVG files, one per chart (default: none)."),
  DP_OPTION ("title", DP_OPT_STRING, "darkpipe report", ReportConfig, title,
             "Heading of the page (the pipeline's name is a good one)."),
  DP_OPTION_RANGE ("top_n", DP_OPT_UINT, "5", ReportConfig, top_n, 1, 1000,
                   "Sources listed per taxonomy pattern."),
  DP_OPTION_RANGE ("top_clusters", DP_OPT_UINT, "12", ReportConfig, top_clusters, 1, 1000,
                   "Rows of the table of the most cohesive clusters."),
  DP_OPTION_RANGE ("max_points", DP_OPT_UINT, "6000", ReportConfig, max_points, 10, 1e6,
                   "Most points drawn in the embedding projection (labelled sources first, then a regular sample)."),
  DP_OPTION_RANGE ("max_clusters", DP_OPT_UINT, "30", ReportConfig, max_clusters, 1, 1000,
                   "Clusters shown in the cluster charts and new campaigns listed (the largest ones)."),
  DP_OPTION_RANGE ("bin", DP_OPT_DURATION, "1h", ReportConfig, bin_ns, 1, 3.16224e7,
                   "Time bin of the packets-per-protocol chart (when packets are wired)."),
  DP_OPTION_RANGE ("top_networks", DP_OPT_UINT, "12", ReportConfig, top_networks, 1, 1000,
                   "Countries and autonomous systems shown by name (the most sources; when enriched is wired)."),
};

static const DpColumnDesc report_summary_columns[] = {
  { "window_start", DP_COL_INT64, 0 },
  { "pattern", DP_COL_STRING, 0 },
  { "sources", DP_COL_INT64, DP_COLUMN_OPTIONAL },
  { "packets", DP_COL_INT64, DP_COLUMN_OPTIONAL },
};
static const DpColumnDesc report_event_columns[] = {
  { "pattern", DP_COL_STRING, 0 },
  { "proto", DP_COL_INT64, 0 },
  { "dport", DP_COL_INT64, 0 },
};
static const DpColumnDesc report_source_columns[] = {
  { "src", DP_COL_IPV4, 0 },
  { "packets", DP_COL_INT64, 0 },
  { "tool", DP_COL_STRING, DP_COLUMN_OPTIONAL },
};
static const DpColumnDesc report_report_columns[] = {
  { "class", DP_COL_STRING, 0 },
  { "f1", DP_COL_DOUBLE, 0 },
  { "support", DP_COL_INT64, DP_COLUMN_OPTIONAL },
};
static const DpColumnDesc report_prediction_columns[] = {
  { "label", DP_COL_STRING, 0 },
  { "predicted", DP_COL_STRING, 0 },
};
static const DpColumnDesc report_comparison_columns[] = {
  { "method", DP_COL_STRING, 0 },
  { "accuracy", DP_COL_DOUBLE, 0 },
  { "macro_f1", DP_COL_DOUBLE, 0 },
};
static const DpColumnDesc report_cluster_columns[] = {
  { "cluster", DP_COL_INT64, 0 },
  { "ip", DP_COL_IPV4, DP_COLUMN_OPTIONAL },
  { "token", DP_COL_STRING, DP_COLUMN_OPTIONAL },
};
static const DpColumnDesc report_profile_columns[] = {
  { "cluster", DP_COL_INT64, 0 },
  { "members", DP_COL_INT64, DP_COLUMN_OPTIONAL },
  { "packets", DP_COL_INT64, DP_COLUMN_OPTIONAL },
  { "top_ports", DP_COL_STRING, 0 },
};
static const DpColumnDesc report_silhouette_columns[] = {
  { "cluster", DP_COL_INT64, 0 },
  { "silhouette", DP_COL_DOUBLE, 0 },
  { "size", DP_COL_INT64, DP_COLUMN_OPTIONAL },
};
static const DpColumnDesc report_label_columns[] = {
  { "label", DP_COL_STRING, 0 },
  { "ip", DP_COL_IPV4, DP_COLUMN_OPTIONAL },
  { "token", DP_COL_STRING, DP_COLUMN_OPTIONAL },
};

static const DpColumnDesc report_campaign_columns[] = {
  { "cluster", DP_COL_INT64, 0 },
  { "members", DP_COL_INT64, DP_COLUMN_OPTIONAL },
  { "top_ports", DP_COL_STRING, DP_COLUMN_OPTIONAL },
};

static const DpColumnDesc report_enriched_columns[] = {
  { "src", DP_COL_IPV4, 0 },
  { "packets", DP_COL_INT64, DP_COLUMN_OPTIONAL },
  { "asn", DP_COL_INT64, 0 },
  { "as_org", DP_COL_STRING, DP_COLUMN_OPTIONAL },
  { "country", DP_COL_STRING, DP_COLUMN_OPTIONAL },
};

static const DpPortDesc report_inputs_desc[REPORT_N_INPUTS] = {
  { "taxonomy_summary", DP_TYPE_TABLE, DP_PORT_OPTIONAL,
    "taxonomy.summary: sources and packets per window and pattern.", DP_PORT_COLUMNS (report_summary_columns) },
  { "taxonomy_events", DP_TYPE_TABLE, DP_PORT_OPTIONAL,
    "taxonomy.events: one row per matching key (top destination ports per pattern).", DP_PORT_COLUMNS (report_event_columns) },
  { "taxonomy_sources", DP_TYPE_TABLE, DP_PORT_OPTIONAL,
    "taxonomy.sources: keys per pattern per (window, source) (top sources per pattern).", DP_PORT_COLUMNS (report_source_columns) },
  { "report", DP_TYPE_TABLE, DP_PORT_OPTIONAL | DP_PORT_MULTI,
    "knn_classify.report tables, one per method (the method is the upstream stage's name).", DP_PORT_COLUMNS (report_report_columns) },
  { "predictions", DP_TYPE_TABLE, DP_PORT_OPTIONAL | DP_PORT_MULTI,
    "knn_classify.predictions tables (label, predicted), one per method: confusion matrices.", DP_PORT_COLUMNS (report_prediction_columns) },
  { "comparison", DP_TYPE_TABLE, DP_PORT_OPTIONAL,
    "compare.table: one row per method.", DP_PORT_COLUMNS (report_comparison_columns) },
  { "clusters", DP_TYPE_TABLE, DP_PORT_OPTIONAL,
    "ip (or token) and cluster per source (louvain, kmeans).", DP_PORT_COLUMNS (report_cluster_columns) },
  { "cluster_profile", DP_TYPE_TABLE, DP_PORT_OPTIONAL,
    "cluster_profile.profile: per cluster members, packets and top_ports.", DP_PORT_COLUMNS (report_profile_columns) },
  { "silhouette", DP_TYPE_TABLE, DP_PORT_OPTIONAL,
    "silhouette.clusters (cluster, size, silhouette) or its per-point table.", DP_PORT_COLUMNS (report_silhouette_columns) },
  { "embedding", DP_TYPE_EMBEDDING, DP_PORT_OPTIONAL,
    "Vectors to project in 2-D (PCA), coloured by the labels." },
  { "labels", DP_TYPE_TABLE, DP_PORT_OPTIONAL,
    "Ground truth: ip (or token) and label (labels, synth_telescope.ground_truth).", DP_PORT_COLUMNS (report_label_columns) },
  { "packets", DP_TYPE_PACKETS, DP_PORT_OPTIONAL,
    "The packet stream, counted per time bin and protocol (cheap)." },
  { "enriched", DP_TYPE_TABLE, DP_PORT_OPTIONAL | DP_PORT_MULTI,
    "Sources with their AS and country (enrich.sources, or enriched taxonomy.sources): top countries and ASes "
    "by sources and packets.", DP_PORT_COLUMNS (report_enriched_columns) },
  { "new_campaigns", DP_TYPE_TABLE, DP_PORT_OPTIONAL | DP_PORT_MULTI,
    "cluster_profile of track.new_campaigns (carry: [day, track, flag]): the day's emerged clusters, one "
    "'new campaign' row each with its ports, patterns, fingerprints and networks.",
    DP_PORT_COLUMNS (report_campaign_columns) },
};

/* ------------------------------------------------------------------ */
/* inputs */

static void
report_input_free (gpointer p)
{
  ReportInput *in = p;
  g_free (in->origin);
  dp_batch_unref (in->batch);
  g_free (in);
}

GPtrArray *
report_inputs (Report *r, ReportInputPort port)
{
  GPtrArray *a = r->inputs[port];
  return a && a->len ? a : NULL;
}

const char *
report_origin (Report *r, ReportInputPort port, guint i)
{
  ReportInput *in = g_ptr_array_index (r->inputs[port], i);
  return in->origin;
}

const DpTable *
report_table (Report *r, ReportInputPort port, guint i)
{
  return (const DpTable *) ((ReportInput *) g_ptr_array_index (r->inputs[port], i))->batch;
}

const DpTable *
report_last_table (Report *r, ReportInputPort port)
{
  GPtrArray *in = report_inputs (r, port);
  return in ? report_table (r, port, in->len - 1) : NULL;
}

gint
report_col (const DpTable *t, const char *name, DpColType type)
{
  gint c = dp_table_find_column (t, name);
  return c >= 0 && t->cols[c].type == type ? c : -1;
}

GHashTable *
report_label_index (const DpTable *t, guint key_col, gboolean skip_empty)
{
  GHashTable *h = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GString) key = g_string_new (NULL);
  for (guint row = 0; row < t->n_rows; row++)
    {
      g_string_truncate (key, 0);
      dp_table_format_cell (t, key_col, row, key);
      if ((key->len || !skip_empty) && !g_hash_table_contains (h, key->str))
        g_hash_table_insert (h, g_strdup (key->str), GUINT_TO_POINTER (row + 1));
    }
  return h;
}

double
report_cell_num (const DpTable *t, gint col, guint row)
{
  if (col < 0)
    return NAN;
  if (t->cols[col].type == DP_COL_INT64)
    return (double) t->cols[col].i64[row];
  if (t->cols[col].type == DP_COL_DOUBLE)
    return t->cols[col].f64[row];
  return NAN;
}

void
report_finding (Report *r, const char *format, ...)
{
  va_list ap;
  va_start (ap, format);
  g_ptr_array_add (r->findings, g_strdup_vprintf (format, ap));
  va_end (ap);
}

GPtrArray *
report_hash_keys (GHashTable *h)
{
  GPtrArray *keys = g_ptr_array_sized_new (g_hash_table_size (h));
  GHashTableIter it;
  gpointer key;
  g_hash_table_iter_init (&it, h);
  while (g_hash_table_iter_next (&it, &key, NULL))
    g_ptr_array_add (keys, key);
  return keys;
}

ReportChart *
report_chart_add (Report *r, const char *section, const char *id, const char *title, const char *caption)
{
  ReportChart *c = g_new0 (ReportChart, 1);
  c->section = g_strdup (section);
  c->id = g_strdup (id);
  c->title = g_strdup (title);
  c->caption = g_strdup (caption);
  c->svg = g_string_new (NULL);
  g_ptr_array_add (r->charts, c);
  return c;
}

static void
report_chart_free (gpointer p)
{
  ReportChart *c = p;
  g_free (c->id);
  g_free (c->section);
  g_free (c->title);
  g_free (c->caption);
  if (c->svg)
    g_string_free (c->svg, TRUE);
  if (c->html)
    g_string_free (c->html, TRUE);
  g_free (c);
}

static void
report_finalize (void *state)
{
  Report *r = state;
  for (guint i = 0; i < REPORT_N_INPUTS; i++)
    if (r->inputs[i])
      g_ptr_array_unref (r->inputs[i]);
  if (r->traffic.bins)
    g_hash_table_unref (r->traffic.bins);
  report_sources_free (r);
  if (r->charts)
    g_ptr_array_unref (r->charts);
  if (r->findings)
    g_ptr_array_unref (r->findings);
  g_free (r);
}

static gboolean
report_init (DpStage *stage, const void *config, void **state, GError **error)
{
  Report *r = g_new0 (Report, 1);
  *state = r;
  r->cfg = config;
  r->stage = stage;
  for (guint i = 0; i < REPORT_N_INPUTS; i++)
    r->inputs[i] = g_ptr_array_new_with_free_func (report_input_free);
  r->traffic.bins = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  r->traffic.ts_min = G_MAXINT64;
  r->traffic.ts_max = G_MININT64;
  r->charts = g_ptr_array_new_with_free_func (report_chart_free);
  r->findings = g_ptr_array_new_with_free_func (g_free);
  return TRUE;
}

static void
report_count_packets (Report *r, const DpPackets *p)
{
  ReportTraffic *t = &r->traffic;
  gint64 bin = r->cfg->bin_ns, last = G_MININT64;
  guint64 *counts = NULL;
  for (guint i = 0; i < p->n_rows; i++)
    {
      gint64 ts = p->ts[i], b = ts / bin - (ts % bin < 0 ? 1 : 0);
      if (counts == NULL || b != last)
        {
          counts = g_hash_table_lookup (t->bins, &b);
          if (counts == NULL)
            {
              counts = g_new0 (guint64, REPORT_N_PROTO);
              g_hash_table_insert (t->bins, g_memdup2 (&b, sizeof b), counts);
            }
          last = b;
        }
      guint8 proto = p->proto[i];
      counts[proto == 6 ? 0 : proto == 17 ? 1 : proto == 1 ? 2 : 3]++;
      t->ts_min = MIN (t->ts_min, ts);
      t->ts_max = MAX (t->ts_max, ts);
    }
  t->packets += p->n_rows;
}

static DpFlow
report_process (DpStage *stage, void *state, guint port, const char *upstream, DpBatch *batch, GError **error)
{
  Report *r = state;
  if (port >= REPORT_N_INPUTS)
    return DP_FLOW_OK;
  if (port == REPORT_IN_PACKETS)
    {
      if (batch->type == DP_TYPE_PACKETS)
        report_count_packets (r, (const DpPackets *) batch);
      return DP_FLOW_OK;
    }
  if (port == REPORT_IN_TAX_SOURCES || port == REPORT_IN_TAX_EVENTS)
    {
      if (batch->type == DP_TYPE_TABLE)
        (port == REPORT_IN_TAX_SOURCES ? report_sources_add : report_events_add) (r, (const DpTable *) batch);
      return DP_FLOW_OK;
    }
  ReportInput *in = g_new0 (ReportInput, 1);
  in->origin = g_strdup (upstream);
  in->batch = dp_batch_ref (batch);
  g_ptr_array_add (r->inputs[port], in);
  return DP_FLOW_OK;
}

/* ------------------------------------------------------------------ */
/* the header: what ran */

static void
report_walk_upstream (DpStage *stage, const char *name, GPtrArray *order, GHashTable *seen)
{
  if (!g_hash_table_add (seen, g_strdup (name)))
    return;
  g_auto (GStrv) ups = dp_stage_peer_inputs (stage, name);
  for (char **u = ups; u && *u; u++)
    report_walk_upstream (stage, *u, order, seen);
  g_ptr_array_add (order, g_strdup (name));
}

/* (transfer full) the stages that feed the report, sources first. */
static GPtrArray *
report_upstream_order (Report *r)
{
  GPtrArray *order = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  report_walk_upstream (r->stage, dp_stage_name (r->stage), order, seen);
  return order;
}

/* What the sources upstream read, as they published it: their files (or
 * what made the data), and the packets' count and time range. */
static void
report_input_files (Report *r, GString *h, const GPtrArray *order)
{
  GString *list = g_string_new (NULL);
  for (guint i = 0; i < order->len; i++)
    {
      const char *name = g_ptr_array_index (order, i);
      DpStageStats st;
      DpProvenance pv;
      if (!dp_stage_peer_stats (r->stage, name, &st) || st.kind != DP_KIND_SOURCE
          || !dp_stage_peer_provenance (r->stage, name, &pv))
        continue;
      g_string_append (list, list->len ? "; " : "");
      g_string_append_printf (list, "%s (%s)", name, st.plugin);
      if (pv.files && pv.files[0])
        {
          g_autofree char *files = g_strjoinv (", ", (char **) pv.files);
          g_string_append_printf (list, ": %s", files);
        }
      else if (pv.origin)
        g_string_append_printf (list, ", %s", pv.origin);
      if (pv.packets > 0 && pv.first_ns <= pv.last_ns)
        {
          g_autoptr (GDateTime) t0 = g_date_time_new_from_unix_utc (pv.first_ns / G_GINT64_CONSTANT (1000000000));
          g_autoptr (GDateTime) t1 = g_date_time_new_from_unix_utc (pv.last_ns / G_GINT64_CONSTANT (1000000000));
          g_autofree char *a = t0 ? g_date_time_format (t0, "%Y-%m-%d %H:%M") : g_strdup ("?");
          g_autofree char *b = t1 ? g_date_time_format (t1, "%Y-%m-%d %H:%M") : g_strdup ("?");
          g_string_append_printf (list, ", %" G_GUINT64_FORMAT " packets from %s to %s UTC", pv.packets, a, b);
        }
    }
  if (list->len)
    {
      g_string_append (h, "<p class=\"meta\">Input: ");
      report_esc (h, list->str);
      g_string_append (h, "</p>\n");
    }
  g_string_free (list, TRUE);
}

static void
report_stage_rows (Report *r, GString *h, const GPtrArray *order)
{
  char a[32], b[32];
  guint shown = 0;
  for (guint i = 0; i < order->len; i++)
    {
      DpStageStats st;
      const char *name = g_ptr_array_index (order, i);
      if (strcmp (name, dp_stage_name (r->stage)) == 0 || !dp_stage_peer_stats (r->stage, name, &st))
        continue;
      g_string_append (h, "<tr><td class=\"name\">");
      report_esc (h, name);
      g_string_append (h, "</td><td>");
      report_esc (h, st.plugin);
      g_string_append_printf (h, "</td><td>%s</td><td class=\"num\">%s</td><td class=\"num\">%s</td>"
                              "<td class=\"num\">%.2f s</td><td class=\"num\">%.0f MB</td></tr>\n",
                              dp_plugin_kind_name (st.kind), report_fmt_int ((gint64) st.rows_in, a),
                              report_fmt_int ((gint64) st.rows_out, b), st.seconds, st.peak_mb);
      shown++;
    }
  if (shown == 0)
    g_string_append (h, "<tr><td colspan=\"6\" class=\"muted\">no stage statistics (the report ran outside a pipeline)</td></tr>\n");
}

static void
report_kpi (GString *h, const char *value, const char *label)
{
  g_string_append (h, "<div class=\"kpi\"><div class=\"v\">");
  report_esc (h, value);
  g_string_append (h, "</div><div class=\"l\">");
  report_esc (h, label);
  g_string_append (h, "</div></div>\n");
}

/* What was observed: the packets, the time the bins with data cover (not
 * the first-to-last span: captures days apart leave gaps), in how many
 * stretches, over what span.  From the stream when wired, else the
 * taxonomy's windows.  FALSE when neither arrived. */
typedef struct {
  double packets;      /* NAN: unknown */
  double covered, span;
  guint stretches;
} ReportObserved;

static gint
report_cmp_i64p (gconstpointer a, gconstpointer b)
{
  gint64 x = **(const gint64 *const *) a, y = **(const gint64 *const *) b;
  return x < y ? -1 : x > y;
}

static gboolean
report_observed (Report *r, ReportObserved *o)
{
  o->packets = NAN;
  if (r->traffic.packets > 0)
    {
      double bin = r->cfg->bin_ns / 1e9;
      g_autoptr (GPtrArray) keys = report_hash_keys (r->traffic.bins);
      g_ptr_array_sort (keys, report_cmp_i64p);
      g_autofree double *starts = g_new (double, keys->len + 1);
      for (guint i = 0; i < keys->len; i++)
        starts[i] = *(const gint64 *) g_ptr_array_index (keys, i) * bin;
      o->packets = (double) r->traffic.packets;
      o->covered = report_time_cover (starts, keys->len, bin, &o->stretches);
      o->span = (r->traffic.ts_max - r->traffic.ts_min) / 1e9;
      return TRUE;
    }
  GPtrArray *sum = report_inputs (r, REPORT_IN_TAX_SUMMARY);
  g_autoptr (GArray) windows = NULL;
  double window;
  if (sum == NULL)
    return FALSE;
  double total = 0;
  for (guint i = 0; i < sum->len; i++)
    {
      const DpTable *t = report_table (r, REPORT_IN_TAX_SUMMARY, i);
      gint cp = report_col (t, "pattern", DP_COL_STRING), cn = report_col (t, "packets", DP_COL_INT64);
      for (guint row = 0; cp >= 0 && cn >= 0 && row < t->n_rows; row++)
        if (g_strcmp0 (t->cols[cp].str[row], "all") == 0)
          total += (double) t->cols[cn].i64[row];
    }
  o->packets = total;
  if (!report_tax_windows (r, &windows, &window))
    return FALSE;
  g_autofree double *starts = g_new (double, windows->len + 1);
  for (guint i = 0; i < windows->len; i++)
    starts[i] = (double) g_array_index (windows, gint64, i);
  o->covered = report_time_cover (starts, windows->len, window, &o->stretches);
  o->span = starts[windows->len - 1] + window - starts[0];
  return TRUE;
}

guint32
report_address_key (DpNameMap *names, const DpTable *t, guint32 addr)
{
  if (addr < DP_NAME_BASE)
    return addr;
  /* a key of 240.0.0.0/4 means what the table's map says (an IPv6 address
   * or a pseudonym), else it is itself; either way its text decides */
  char buf[64];
  const char *text = dp_name_map_lookup (t->names, addr);
  return dp_name_map_intern (names, text ? text : dp_ipv4_format (addr, NULL, buf));
}

/* Distinct values of an ip/int column over the tables of @port (-1: none).
 * Addresses count by what they stand for: equal keys of 240.0.0.0/4 from
 * two tables' name maps may be two different IPv6 addresses. */
gint64
report_distinct (Report *r, ReportInputPort port, const char *col)
{
  GPtrArray *in = report_inputs (r, port);
  if (in == NULL)
    return -1;
  DpHash seen;
  dp_hash_init (&seen, 1024);
  g_autoptr (DpNameMap) names = dp_name_map_new ();
  gboolean any = FALSE;
  for (guint i = 0; i < in->len; i++)
    {
      const DpTable *t = report_table (r, port, i);
      gint c = dp_table_find_column (t, col);
      if (c < 0 || (t->cols[c].type != DP_COL_IPV4 && t->cols[c].type != DP_COL_INT64))
        continue;
      any = TRUE;
      for (guint row = 0; row < t->n_rows; row++)
        dp_hash_upsert (&seen, t->cols[c].type == DP_COL_IPV4 ? report_address_key (names, t, t->cols[c].ip[row])
                                                              : (guint64) t->cols[c].i64[row] & ~(1ull << 63), NULL);
    }
  gint64 n = any ? (gint64) seen.n : -1;
  dp_hash_clear (&seen);
  return n;
}

static void
report_kpi_counts (Report *r, GString *h)
{
  char buf[32];
  gint64 sources = report_sources_count (r);
  if (sources >= 0)
    report_kpi (h, report_fmt_si ((double) sources, buf), "sources seen");
  GPtrArray *labels = report_inputs (r, REPORT_IN_LABELS);
  if (labels)
    {
      const DpTable *t = report_table (r, REPORT_IN_LABELS, 0);
      gint cl = report_col (t, "label", DP_COL_STRING);
      guint known = 0;
      for (guint row = 0; cl >= 0 && row < t->n_rows; row++)
        known += t->cols[cl].str[row] && *t->cols[cl].str[row] && strcmp (t->cols[cl].str[row], "unknown") != 0;
      report_kpi (h, report_fmt_si (known, buf), "labelled senders");
    }
  gint64 clusters = report_distinct (r, REPORT_IN_CLUSTERS, "cluster");
  if (clusters >= 0)
    report_kpi (h, report_fmt_si ((double) clusters, buf), "clusters");
}

static void
report_kpis (Report *r, GString *h)
{
  char buf[32], buf2[32];
  ReportObserved o = { 0 };
  gboolean seen = report_observed (r, &o);
  g_string_append (h, "<div class=\"kpis\">\n");
  if (!isnan (o.packets))
    report_kpi (h, report_fmt_si (o.packets, buf), "packets");
  if (seen)
    {
      g_autofree char *label = o.stretches > 1
        ? g_strdup_printf ("observed, in %u stretches over %s", o.stretches, report_fmt_duration (o.span, buf2))
        : g_strdup ("observed");
      report_kpi (h, report_fmt_duration (o.covered, buf), label);
    }
  report_kpi_counts (r, h);
  GPtrArray *reps = report_inputs (r, REPORT_IN_REPORT);
  for (guint i = 0; reps && i < reps->len && i < 3; i++)
    {
      const DpTable *t = report_table (r, REPORT_IN_REPORT, i);
      gint cc = report_col (t, "class", DP_COL_STRING), cf = dp_table_find_column (t, "f1");
      for (guint row = 0; cc >= 0 && row < t->n_rows; row++)
        if (g_strcmp0 (t->cols[cc].str[row], "accuracy") == 0)
          {
            g_autofree char *label = g_strdup_printf ("accuracy, %s", report_origin (r, REPORT_IN_REPORT, i));
            report_kpi (h, report_fmt_ratio (report_cell_num (t, cf, row), 3, buf2), label);
          }
    }
  g_string_append (h, "</div>\n");
}

static void
report_header (Report *r, GString *h)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *when = g_date_time_format (now, "%Y-%m-%d %H:%M UTC");
  g_autoptr (GPtrArray) order = report_upstream_order (r);
  g_string_append (h, "<header>\n<p class=\"kicker\">darkpipe report</p>\n<h1>");
  report_esc (h, r->cfg->title);
  g_string_append (h, "</h1>\n<p class=\"meta\">");
  report_esc_printf (h, "darkpipe %s · written %s by stage ‘%s’", PACKAGE_VERSION, when, dp_stage_name (r->stage));
  if (dp_stage_pipeline_name (r->stage))
    report_esc_printf (h, " of pipeline ‘%s’ (%s)", dp_stage_pipeline_name (r->stage),
                       dp_stage_pipeline_file (r->stage));
  g_string_append (h, "</p>\n");
  report_input_files (r, h, order);
  report_kpis (r, h);
  if (r->findings->len > 0)
    {
      g_string_append (h, "<div class=\"glance\"><h2>At a glance</h2><ul>\n");
      for (guint i = 0; i < r->findings->len; i++)
        {
          g_string_append (h, "<li>");
          report_esc (h, g_ptr_array_index (r->findings, i));
          g_string_append (h, "</li>\n");
        }
      g_string_append (h, "</ul></div>\n");
    }
  g_string_append (h, "<details class=\"stages\" open=\"open\"><summary>What ran: the stages that fed this report</summary>\n"
                   "<div style=\"overflow-x:auto\"><table class=\"data\"><thead><tr><th>stage</th><th>plugin</th><th>kind</th><th class=\"num\">rows in</th>"
                   "<th class=\"num\">rows out</th><th class=\"num\">time</th><th class=\"num\">peak memory</th></tr></thead><tbody>\n");
  report_stage_rows (r, h, order);
  g_string_append (h, "</tbody></table></div></details>\n</header>\n");
}

/* ------------------------------------------------------------------ */
/* the page */

static const char report_css[] =
  ":root{--ink:#222;--muted:#6b6b6b;--rule:#e4e4e4;--accent:#0072B2;--bg:#ffffff;--panel:#fafafa}\n"
  "*{box-sizing:border-box}\n"
  "body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif}\n"
  "main{max-width:1040px;margin:0 auto;padding:28px 28px 64px}\n"
  "header{border-bottom:1px solid var(--rule);padding-bottom:18px;margin-bottom:8px}\n"
  ".kicker{margin:0;color:var(--accent);font-size:12px;letter-spacing:.12em;text-transform:uppercase;font-weight:600}\n"
  "h1{font-size:30px;line-height:1.2;margin:4px 0 4px;font-weight:700;letter-spacing:-.01em}\n"
  ".meta{margin:0 0 16px;color:var(--muted);font-size:13px}\n"
  ".kpis{display:flex;flex-wrap:wrap;gap:12px;margin:0 0 14px}\n"
  ".kpi{background:var(--panel);border:1px solid var(--rule);border-radius:8px;padding:10px 16px;min-width:128px}\n"
  ".kpi .v{font-size:24px;font-weight:700;font-variant-numeric:tabular-nums}\n"
  ".kpi .l{font-size:12px;color:var(--muted)}\n"
  "nav{position:sticky;top:0;background:rgba(255,255,255,.94);padding:8px 0;border-bottom:1px solid var(--rule);z-index:1;font-size:14px}\n"
  "nav a{color:var(--accent);text-decoration:none;margin-right:18px;font-weight:600}\n"
  "h2{font-size:22px;margin:36px 0 4px;padding-top:8px}\n"
  "section>p.lead{color:var(--muted);margin:0 0 12px}\n"
  "figure{margin:18px 0 26px;padding:14px 16px 8px;border:1px solid var(--rule);border-radius:10px;background:#fff}\n"
  "figcaption h3{margin:0;font-size:16px}\n"
  "figcaption p{margin:2px 0 8px;color:var(--muted);font-size:13px}\n"
  "figure svg{display:block;width:100%;height:auto}\n"
  "table.data{border-collapse:collapse;width:100%;font-size:13px;font-variant-numeric:tabular-nums;margin:6px 0}\n"
  "table.data th{text-align:left;font-weight:600;color:var(--muted);border-bottom:2px solid var(--rule);padding:5px 8px}\n"
  "table.data td{border-bottom:1px solid var(--rule);padding:4px 8px;vertical-align:top}\n"
  "table.data .num{text-align:right;white-space:nowrap}\n"
  "table.data td.name{font-weight:600}\n"
  "table.data tr.best td{background:#eef6fc}\n"
  ".muted{color:var(--muted)}\n"
  ".cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:12px}\n"
  ".card{border:1px solid var(--rule);border-radius:8px;padding:8px 10px}\n"
  ".card h4{margin:0 0 2px;font-size:14px}\n"
  ".card p{margin:0 0 4px;font-size:12px;color:var(--muted)}\n"
  ".card table.data{font-size:12px;margin:0}\n"
  ".card table.data th,.card table.data td{padding:2px 4px}\n"
  ".tag{font-size:10px;background:#fdf0d5;color:#8a5a00;border-radius:3px;padding:0 4px;margin-left:2px}\n"
  ".swatch{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px}\n"
  "details.stages summary{cursor:pointer;color:var(--accent);font-size:14px}\n"
  ".glance{background:#f3f8fc;border-left:4px solid var(--accent);border-radius:6px;padding:10px 16px;margin:0 0 14px}\n"
  ".glance h2{font-size:15px;margin:0 0 4px;padding:0}\n"
  ".glance ul{margin:0;padding-left:18px;font-size:14px}\n"
  "footer{margin-top:40px;color:var(--muted);font-size:12px;border-top:1px solid var(--rule);padding-top:10px}\n"
  "@media (max-width:700px){main{padding:14px}h1{font-size:24px}}\n";

static const struct { const char *id, *title, *lead; } report_sections[] = {
  { "campaigns", "New today", "Campaigns that started today: clusters that continue none of the previous day's." },
  { "taxonomy", "What the telescope saw", "Traffic patterns of the darknet taxonomy (Liu &amp; Fukuda) per time window." },
  { "networks", "Where the sources are", "Countries and autonomous systems of the sources (from the enrich stage)." },
  { "methods", "Who is who: classification", "k-NN classification of the labelled senders, per method." },
  { "embedding", "The embedding", "The sources' vectors projected on their first two principal components." },
  { "clusters", "Who acts together: clusters", "Clusters of the sources, their cohesion and the ports they reach." },
};

static void
report_page_section (Report *r, GString *h, guint k)
{
  gboolean any = FALSE;
  for (guint i = 0; i < r->charts->len; i++)
    {
      ReportChart *c = g_ptr_array_index (r->charts, i);
      if (strcmp (c->section, report_sections[k].id) != 0)
        continue;
      if (!any)
        g_string_append_printf (h, "<section id=\"%s\">\n<h2>%s</h2>\n<p class=\"lead\">%s</p>\n", report_sections[k].id,
                                report_sections[k].title, report_sections[k].lead);
      any = TRUE;
      g_string_append_printf (h, "<figure id=\"%s\">\n<figcaption><h3>", c->id);
      report_esc (h, c->title);
      g_string_append (h, "</h3><p>");
      report_esc (h, c->caption);
      g_string_append (h, "</p></figcaption>\n");
      if (c->svg && c->svg->len)
        report_svg_wrap (h, c, FALSE);
      if (c->html)
        g_string_append_len (h, c->html->str, c->html->len);
      g_string_append (h, "</figure>\n");
    }
  if (any)
    g_string_append (h, "</section>\n");
}

static gboolean
report_section_used (Report *r, const char *id)
{
  for (guint i = 0; i < r->charts->len; i++)
    if (strcmp (((ReportChart *) g_ptr_array_index (r->charts, i))->section, id) == 0)
      return TRUE;
  return FALSE;
}

static void
report_page (Report *r, GString *h)
{
  g_string_append (h, "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n"
                   "<meta charset=\"utf-8\"/>\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
                   "<meta name=\"generator\" content=\"darkpipe " PACKAGE_VERSION "\"/>\n<title>");
  report_esc (h, r->cfg->title);
  g_string_append_printf (h, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<main>\n", report_css);
  report_header (r, h);
  g_string_append (h, "<nav>");
  for (guint k = 0; k < G_N_ELEMENTS (report_sections); k++)
    if (report_section_used (r, report_sections[k].id))
      g_string_append_printf (h, "<a href=\"#%s\">%s</a>", report_sections[k].id, report_sections[k].title);
  if (r->charts->len == 0)
    g_string_append (h, "<span class=\"muted\">No charts: none of the report's inputs were wired or they were empty.</span>");
  g_string_append (h, "</nav>\n");
  for (guint k = 0; k < G_N_ELEMENTS (report_sections); k++)
    report_page_section (r, h, k);
  g_string_append (h, "<footer>Made by darkpipe " PACKAGE_VERSION " (report sink). Hover a mark for its exact value. "
                   "The page is self-contained: no scripts, fonts or data are fetched.</footer>\n"
                   "</main>\n</body>\n</html>\n");
}

static gboolean
report_write (DpOutGroup *group, const char *path, const GString *text, GError **error)
{
  DpOutFile *f = dp_outgroup_open (group, path, FALSE, error);
  if (f == NULL)
    return FALSE;
  dp_outfile_write (f, text->str, text->len);
  return TRUE;
}

static gboolean
report_write_svgs (Report *r, DpOutGroup *group, GError **error)
{
  g_autofree char *dir = dp_stage_output_path (r->stage, r->cfg->svg_dir);
  for (guint i = 0; i < r->charts->len; i++)
    {
      ReportChart *c = g_ptr_array_index (r->charts, i);
      if (c->svg == NULL || c->svg->len == 0)
        continue;
      g_autoptr (GString) s = g_string_new (NULL);
      report_svg_wrap (s, c, TRUE);
      g_autofree char *name = g_strconcat (c->id, ".svg", NULL);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      if (!report_write (group, path, s, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
report_finish (DpStage *stage, void *state, GError **error)
{
  Report *r = state;
  report_charts_campaigns (r);
  report_charts_taxonomy (r);
  report_charts_networks (r);
  report_charts_methods (r);
  report_charts_embedding (r);
  report_charts_clusters (r);
  g_autoptr (GString) page = g_string_new (NULL);
  report_page (r, page);
  /* the page and its figures appear together or not at all; the figures
   * are renamed into place first, so a page never names a missing one */
  g_autoptr (DpOutGroup) group = dp_outgroup_new ();
  if (r->cfg->svg_dir && !report_write_svgs (r, group, error))
    return FALSE;
  g_autofree char *path = dp_stage_output_path (stage, r->cfg->path);
  if (!report_write (group, path, page, error) || !dp_outgroup_commit (g_steal_pointer (&group), error))
    return FALSE;
  dp_stage_count (stage, "charts", r->charts->len);
  dp_stage_count (stage, "bytes", page->len);
  return TRUE;
}

DP_PLUGIN_DEFINE (report,
  .kind = DP_KIND_SINK,
  .summary = "One self-contained HTML page (inline SVG charts) of a run's tables, plus standalone SVGs",
  .version = "1.0",
  .doc = "Draws what a run found on one HTML page that opens offline (inline SVG and CSS, no scripts): "
         "the taxonomy over time (sources per pattern family, a pattern x window heat map, packets per "
         "protocol, top sources and ports per pattern), the methods (the comparison table, F1 per class, "
         "confusion matrices), where the sources are (top countries and autonomous systems by sources and packets, "
         "from an `enrich` stage), the embedding (PCA projection coloured by ground truth) and the clusters "
         "(sizes, silhouettes, a cluster x top-port heat map, the most cohesive clusters), and first of all "
         "the day's new campaigns when `new_campaigns` is wired (the profile of a `track` stage's emerged "
         "clusters: one row flagged 'new campaign' each, largest first).\n\n"
         "Every input port is optional: a chart appears only when its tables arrived. Multi ports "
         "(`report`, `predictions`) take one table per method, named after the stage that sent it. "
         "The header names the pipeline (its `pipeline:` name and file) and what its sources read "
         "(their `path`/`paths`, or the seed of a generator), and gives the headline numbers, a few "
         "findings in words (busiest pattern, packet peak, hardest classes per method, most cohesive "
         "cluster) and the stages upstream of the report with their rows, times and memory.\n\n"
         "Time charts have a real time axis (UTC): a bar or cell sits at its window's time and spans its "
         "length, stretches without data are grey bands named in their tooltip, ticks fall on whole hours "
         "or days and a date labels every day change. \"observed\" is the time the windows (or `bin`s of "
         "the packet stream) with data cover, with the number of stretches and the span when there are "
         "gaps. The window length is the taxonomy stage's `window` option (else the shortest step between "
         "windows). Runs longer than 168 windows merge k windows' time per column (sources: the mean of "
         "the windows present in it, packets: the sum), so distant windows stay apart. Count axes step by whole "
         "numbers, and means are never rounded to 0.\n\n"
         "Every mark has a tooltip (SVG title) with its exact value. With `svg_dir`, each figure is "
         "also written as a standalone SVG file named after its id (e.g. `taxonomy-sources.svg`).",
  .inputs = report_inputs_desc, .n_inputs = G_N_ELEMENTS (report_inputs_desc),
  .options = report_options, .n_options = G_N_ELEMENTS (report_options),
  .config_size = sizeof (ReportConfig),
  .init = report_init, .process = report_process, .finish = report_finish, .finalize = report_finalize)
