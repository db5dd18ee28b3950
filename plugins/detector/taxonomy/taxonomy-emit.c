/* taxonomy-emit.c — the three output tables of a closing window.
 * Rows are appended one source (or event) at a time as the close decides
 * them; columns are filled directly: a window can hold millions of rows. */
#include "config.h"

#include "taxonomy.h"

static const char *const taxonomy_fp_names[TAX_N_FP] = { "mirai", "zmap", "masscan", "zmap41" };

/* Column numbers, in the order the tables are built. */
enum { SRC_WIN, SRC_SRC, SRC_PKT, SRC_PAT, SRC_PROBES = SRC_PAT + TAX_N_PATTERNS, SRC_FP,
       SRC_TOOL = SRC_FP + TAX_N_FP };
enum { EV_WIN, EV_PAT, EV_SRC, EV_PROTO, EV_PROTO_NAME, EV_DST, EV_DPORT, EV_PKT, EV_NDST, EV_NDPORT,
       EV_FIRST, EV_LAST, EV_DUR, EV_FP, EV_TARGETS = EV_FP + TAX_N_FP };

static DpTable *
taxonomy_table_named (const char *name, DpNameMap *names)
{
  DpTable *t = dp_table_new (name);
  if (names)
    dp_table_set_names (t, names);
  return t;
}

void
taxonomy_out_sources (TaxOut *o, DpNameMap *names, guint rows)
{
  DpTable *t = taxonomy_table_named ("sources", names);
  dp_table_add_column_flags (t, "window_start", DP_COL_INT64, DP_COLUMN_TIME);
  dp_table_add_column (t, "src", DP_COL_IPV4);
  dp_table_add_column (t, "packets", DP_COL_INT64);
  for (guint p = 0; p < TAX_N_PATTERNS; p++)
    dp_table_add_column (t, taxonomy_pattern_names[p], DP_COL_INT64);
  dp_table_add_column (t, "probes", DP_COL_INT64);
  for (guint k = 0; k < TAX_N_FP; k++)
    dp_table_add_column (t, taxonomy_fp_names[k], DP_COL_INT64);
  guint c_tool = dp_table_add_column (t, "tool", DP_COL_STRING);
  g_assert (c_tool == SRC_TOOL);
  dp_table_reserve (t, rows);
  o->t = t;
  for (guint k = 0; k < TAX_N_FP; k++)
    o->str[k] = g_string_chunk_insert_const (t->strings, taxonomy_fp_names[k]);
  o->str[TAX_N_FP] = g_string_chunk_insert_const (t->strings, "");
}

void
taxonomy_out_events (TaxOut *o, DpNameMap *names, guint rows)
{
  static const char *const cols[] = { "packets", "n_dst", "n_dport" };
  DpTable *t = taxonomy_table_named ("events", names);
  dp_table_add_column_flags (t, "window_start", DP_COL_INT64, DP_COLUMN_TIME);
  dp_table_add_column (t, "pattern", DP_COL_STRING);
  dp_table_add_column (t, "src", DP_COL_IPV4);
  /* parts of the key an event's pattern does not have are null */
  dp_table_add_column_flags (t, "proto", DP_COL_INT64, DP_COLUMN_NULLABLE);
  dp_table_add_column_flags (t, "proto_name", DP_COL_STRING, DP_COLUMN_NULLABLE);
  dp_table_add_column_flags (t, "dst", DP_COL_IPV4, DP_COLUMN_NULLABLE);
  dp_table_add_column_flags (t, "dport", DP_COL_INT64, DP_COLUMN_NULLABLE);
  for (guint k = 0; k < G_N_ELEMENTS (cols); k++)
    dp_table_add_column (t, cols[k], DP_COL_INT64);
  /* times as integers, like packet times: exact, and cheap to print */
  dp_table_add_column_flags (t, "first_ts", DP_COL_INT64, DP_COLUMN_TIME);
  dp_table_add_column_flags (t, "last_ts", DP_COL_INT64, DP_COLUMN_TIME);
  dp_table_add_column (t, "duration", DP_COL_DOUBLE);
  guint c_fp = dp_table_add_column (t, taxonomy_fp_names[0], DP_COL_INT64);
  g_assert (c_fp == EV_FP);
  for (guint k = 1; k < TAX_N_FP; k++)
    dp_table_add_column (t, taxonomy_fp_names[k], DP_COL_INT64);
  guint c_targets = dp_table_add_column_flags (t, "targets", DP_COL_STRING, DP_COLUMN_NULLABLE);
  g_assert (c_targets == EV_TARGETS);
  dp_table_reserve (t, rows);
  o->t = t;
  for (guint p = 0; p < TAX_N_PATTERNS; p++)
    o->str[p] = g_string_chunk_insert_const (t->strings, taxonomy_pattern_names[p]);
}

/* The tool whose fingerprint at least tool_share of the probes carry
 * (TAX_N_FP: none). */
static guint
taxonomy_tool (const TaxonomyConfig *cfg, const TaxSource *s)
{
  guint best = TAX_N_FP;
  for (guint k = 0; k < TAX_N_FP; k++)
    if (s->fp[k] > 0 && (best == TAX_N_FP || s->fp[k] > s->fp[best]))
      best = k;
  if (best == TAX_N_FP || s->probes == 0 || (double) s->fp[best] < cfg->tool_share * (double) s->probes)
    return TAX_N_FP;
  return best;
}

void
taxonomy_out_add_source (TaxOut *o, const TaxonomyConfig *cfg, gint64 win, const TaxSource *s)
{
  DpTable *t = o->t;
  guint i = dp_table_append_row (t);
  t->cols[SRC_WIN].i64[i] = win;
  t->cols[SRC_SRC].ip[i] = s->src;
  t->cols[SRC_PKT].i64[i] = (gint64) s->n_pkt;
  for (guint p = 0; p < TAX_N_PATTERNS; p++)
    t->cols[SRC_PAT + p].i64[i] = s->count[p];
  t->cols[SRC_PROBES].i64[i] = (gint64) s->probes;
  for (guint k = 0; k < TAX_N_FP; k++)
    t->cols[SRC_FP + k].i64[i] = (gint64) s->fp[k];
  t->cols[SRC_TOOL].str[i] = o->str[taxonomy_tool (cfg, s)];
}

void
taxonomy_out_add_event (TaxOut *o, gint64 win, const TaxEvent *e)
{
  DpTable *t = o->t;
  guint i = dp_table_append_row (t);
  t->cols[EV_WIN].i64[i] = win;
  t->cols[EV_PAT].str[i] = o->str[e->pattern];
  t->cols[EV_SRC].ip[i] = e->src;
  if (e->key & TAX_EV_PROTO)
    {
      char num[4];
      t->cols[EV_PROTO].i64[i] = e->proto;
      dp_table_set_str (t, EV_PROTO_NAME, i, dp_proto_label (e->proto, num));
    }
  else
    dp_table_set_null (t, EV_PROTO, i);   /* proto_name stays NULL */
  if (e->key & TAX_EV_DST)
    t->cols[EV_DST].ip[i] = e->dst;
  else
    dp_table_set_null (t, EV_DST, i);
  if (e->dport >= 0)
    t->cols[EV_DPORT].i64[i] = e->dport;
  else
    dp_table_set_null (t, EV_DPORT, i);
  t->cols[EV_PKT].i64[i] = e->n_pkt;
  t->cols[EV_NDST].i64[i] = e->n_dst;
  t->cols[EV_NDPORT].i64[i] = e->n_dport;
  t->cols[EV_FIRST].i64[i] = e->first;
  t->cols[EV_LAST].i64[i] = e->last;
  t->cols[EV_DUR].f64[i] = (double) (e->last - e->first) / 1e9;
  for (guint k = 0; k < TAX_N_FP; k++)
    t->cols[EV_FP + k].i64[i] = e->fp[k];
  if (e->list)
    dp_table_set_str (t, EV_TARGETS, i, e->list);
}

DpTable *
taxonomy_emit_summary (const TaxClose *c)
{
  DpTable *t = dp_table_new ("summary");
  guint c_win = dp_table_add_column_flags (t, "window_start", DP_COL_INT64, DP_COLUMN_TIME);
  guint c_pat = dp_table_add_column (t, "pattern", DP_COL_STRING);
  guint c_src = dp_table_add_column (t, "sources", DP_COL_INT64);
  guint c_keys = dp_table_add_column (t, "keys", DP_COL_INT64);
  guint c_pkt = dp_table_add_column (t, "packets", DP_COL_INT64);
  if (c->n_sources == 0)
    return t;
  for (guint p = 0; p <= TAX_N_PATTERNS; p++)
    {
      gboolean all = p == TAX_N_PATTERNS;
      dp_table_append_row (t);
      t->cols[c_win].i64[p] = c->win;
      dp_table_set_str (t, c_pat, p, all ? "all" : taxonomy_pattern_names[p]);
      t->cols[c_src].i64[p] = (gint64) (all ? c->n_sources : c->pat_sources[p]);
      t->cols[c_keys].i64[p] = (gint64) (all ? c->n_events : c->pat_keys[p]);
      t->cols[c_pkt].i64[p] = (gint64) (all ? c->n_pkt : c->pat_pkt[p]);
    }
  return t;
}
