/* taxonomy-emit.c — the three output tables of one closed window.
 * Columns are filled directly after the rows are appended: a window can
 * hold millions of events. */
#include "config.h"

#include "taxonomy.h"

static const char *const taxonomy_fp_names[TAX_N_FP] = { "mirai", "zmap", "masscan" };

static gint64
taxonomy_window_sec (const TaxClose *c)
{
  gint64 ns = c->window_start_ns, q = ns / 1000000000;
  return (ns % 1000000000 != 0 && ns < 0) ? q - 1 : q;
}

static DpTable *
taxonomy_table_named (const char *name, DpNameMap *names)
{
  DpTable *t = dp_table_new (name);
  if (names)
    dp_table_set_names (t, names);
  return t;
}

static void
taxonomy_table_rows (DpTable *t, guint n_rows)
{
  for (guint i = 0; i < n_rows; i++)
    dp_table_append_row (t);
}

/* The tool whose fingerprint at least tool_share of the probes carry. */
static const char *
taxonomy_tool (const TaxonomyConfig *cfg, const TaxSource *s)
{
  guint best = TAX_N_FP;
  for (guint k = 0; k < TAX_N_FP; k++)
    if (s->fp[k] > 0 && (best == TAX_N_FP || s->fp[k] > s->fp[best]))
      best = k;
  if (best == TAX_N_FP || s->probes == 0 || (double) s->fp[best] < cfg->tool_share * (double) s->probes)
    return "";
  return taxonomy_fp_names[best];
}

DpTable *
taxonomy_emit_sources (const TaxClose *c, DpNameMap *names)
{
  guint n = c->sources ? c->sources->len : 0;
  DpTable *t = taxonomy_table_named ("sources", names);
  guint c_win = dp_table_add_column (t, "window_start", DP_COL_INT64);
  guint c_src = dp_table_add_column (t, "src", DP_COL_IPV4);
  guint c_pkt = dp_table_add_column (t, "packets", DP_COL_INT64);
  guint c_pat = dp_table_add_column (t, taxonomy_pattern_names[0], DP_COL_INT64);
  for (guint p = 1; p < TAX_N_PATTERNS; p++)
    dp_table_add_column (t, taxonomy_pattern_names[p], DP_COL_INT64);
  guint c_probes = dp_table_add_column (t, "probes", DP_COL_INT64);
  guint c_fp = dp_table_add_column (t, taxonomy_fp_names[0], DP_COL_INT64);
  for (guint k = 1; k < TAX_N_FP; k++)
    dp_table_add_column (t, taxonomy_fp_names[k], DP_COL_INT64);
  guint c_tool = dp_table_add_column (t, "tool", DP_COL_STRING);
  taxonomy_table_rows (t, n);
  gint64 win = taxonomy_window_sec (c);
  for (guint i = 0; i < n; i++)
    {
      const TaxSource *s = &g_array_index (c->sources, TaxSource, i);
      t->cols[c_win].i64[i] = win;
      t->cols[c_src].ip[i] = s->src;
      t->cols[c_pkt].i64[i] = (gint64) s->n_pkt;
      for (guint p = 0; p < TAX_N_PATTERNS; p++)
        t->cols[c_pat + p].i64[i] = s->count[p];
      t->cols[c_probes].i64[i] = (gint64) s->probes;
      for (guint k = 0; k < TAX_N_FP; k++)
        t->cols[c_fp + k].i64[i] = (gint64) s->fp[k];
      dp_table_set_str (t, c_tool, i, taxonomy_tool (c->cfg, s));
    }
  return t;
}

DpTable *
taxonomy_emit_events (const TaxClose *c, DpNameMap *names)
{
  static const char *const cols[] = { "packets", "n_dst", "n_dport" };
  guint n = c->events ? c->events->len : 0;
  DpTable *t = taxonomy_table_named ("events", names);
  guint c_win = dp_table_add_column (t, "window_start", DP_COL_INT64);
  guint c_pat = dp_table_add_column (t, "pattern", DP_COL_STRING);
  guint c_src = dp_table_add_column (t, "src", DP_COL_IPV4);
  guint c_proto = dp_table_add_column (t, "proto", DP_COL_INT64);
  guint c_dst = dp_table_add_column (t, "dst", DP_COL_IPV4);
  guint c_dport = dp_table_add_column (t, "dport", DP_COL_INT64);
  guint c_n = dp_table_add_column (t, cols[0], DP_COL_INT64);
  for (guint k = 1; k < G_N_ELEMENTS (cols); k++)
    dp_table_add_column (t, cols[k], DP_COL_INT64);
  /* times as integers, like packet times: exact, and cheap to print */
  guint c_first = dp_table_add_column (t, "first_ns", DP_COL_INT64);
  guint c_last = dp_table_add_column (t, "last_ns", DP_COL_INT64);
  guint c_dur = dp_table_add_column (t, "duration", DP_COL_DOUBLE);
  guint c_fp = dp_table_add_column (t, taxonomy_fp_names[0], DP_COL_INT64);
  for (guint k = 1; k < TAX_N_FP; k++)
    dp_table_add_column (t, taxonomy_fp_names[k], DP_COL_INT64);
  taxonomy_table_rows (t, n);
  /* pattern names go into the table's own strings: the table may outlive the plugin */
  const char *pat_names[TAX_N_PATTERNS];
  for (guint p = 0; p < TAX_N_PATTERNS; p++)
    pat_names[p] = g_string_chunk_insert_const (t->strings, taxonomy_pattern_names[p]);
  gint64 win = taxonomy_window_sec (c);
  for (guint i = 0; i < n; i++)
    {
      const TaxEvent *e = &g_array_index (c->events, TaxEvent, i);
      t->cols[c_win].i64[i] = win;
      t->cols[c_pat].str[i] = pat_names[e->pattern];
      t->cols[c_src].ip[i] = e->src;
      t->cols[c_proto].i64[i] = e->proto;
      t->cols[c_dst].ip[i] = e->dst;
      t->cols[c_dport].i64[i] = e->dport;
      t->cols[c_n].i64[i] = e->n_pkt;
      t->cols[c_n + 1].i64[i] = e->n_dst;
      t->cols[c_n + 2].i64[i] = e->n_dport;
      t->cols[c_first].i64[i] = e->first;
      t->cols[c_last].i64[i] = e->last;
      t->cols[c_dur].f64[i] = (double) (e->last - e->first) / 1e9;
      for (guint k = 0; k < TAX_N_FP; k++)
        t->cols[c_fp + k].i64[i] = e->fp[k];
    }
  return t;
}

DpTable *
taxonomy_emit_summary (const TaxClose *c)
{
  DpTable *t = dp_table_new ("summary");
  guint c_win = dp_table_add_column (t, "window_start", DP_COL_INT64);
  guint c_pat = dp_table_add_column (t, "pattern", DP_COL_STRING);
  guint c_src = dp_table_add_column (t, "sources", DP_COL_INT64);
  guint c_keys = dp_table_add_column (t, "keys", DP_COL_INT64);
  guint c_pkt = dp_table_add_column (t, "packets", DP_COL_INT64);
  if (!c->sources || c->sources->len == 0)
    return t;
  guint64 n_src[TAX_N_PATTERNS] = { 0 }, n_keys[TAX_N_PATTERNS] = { 0 }, n_pkt[TAX_N_PATTERNS] = { 0 };
  guint64 total_pkt = 0;
  for (guint i = 0; i < c->sources->len; i++)
    {
      const TaxSource *s = &g_array_index (c->sources, TaxSource, i);
      total_pkt += s->n_pkt;
      for (guint p = 0; p < TAX_N_PATTERNS; p++)
        n_src[p] += s->count[p] > 0;
    }
  for (guint i = 0; i < c->events->len; i++)
    {
      const TaxEvent *e = &g_array_index (c->events, TaxEvent, i);
      n_keys[e->pattern]++;
      n_pkt[e->pattern] += e->n_pkt;
    }
  taxonomy_table_rows (t, TAX_N_PATTERNS + 1);
  gint64 win = taxonomy_window_sec (c);
  for (guint p = 0; p <= TAX_N_PATTERNS; p++)
    {
      gboolean all = p == TAX_N_PATTERNS;
      t->cols[c_win].i64[p] = win;
      dp_table_set_str (t, c_pat, p, all ? "all" : taxonomy_pattern_names[p]);
      t->cols[c_src].i64[p] = all ? c->sources->len : (gint64) n_src[p];
      t->cols[c_keys].i64[p] = all ? c->events->len : (gint64) n_keys[p];
      t->cols[c_pkt].i64[p] = (gint64) (all ? total_pkt : n_pkt[p]);
    }
  return t;
}
