/* charts-sources.c — who is behind each taxonomy pattern: the top sources
 * per pattern (from taxonomy.sources) and the destination ports each
 * pattern's keys aim at (from taxonomy.events). */
#include "config.h"

#include <math.h>
#include <string.h>
#include "report.h"

typedef struct {
  guint32 src;
  guint32 windows;
  guint64 packets;
  const char *tool;       /* in the aggregate's string chunk, or NULL */
} SrcAgg;

/* taxonomy.sources summed over the windows as they arrive, so the
 * per-window tables need not be kept. */
struct _ReportSources {
  GPtrArray *patterns;    /* pattern column names (owned) */
  GArray *agg;            /* SrcAgg */
  GArray *keys;           /* guint64, agg->len x patterns->len */
  DpHash ix;              /* address (report_address_key) -> index into agg */
  GStringChunk *strings;
  DpNameMap *names;       /* the report's own: every table's IPv6 and pseudonyms by their text */
};

static gboolean
src_is_pattern_col (const DpColumn *c)
{
  static const char *const not_patterns[] = { "window_start", "packets", "probes", "mirai", "zmap", "masscan", "zmap41" };
  if (c->type != DP_COL_INT64)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (not_patterns); i++)
    if (strcmp (c->name, not_patterns[i]) == 0)
      return FALSE;
  return TRUE;
}

static ReportSources *
src_new (const DpTable *first)
{
  ReportSources *st = g_new0 (ReportSources, 1);
  st->patterns = g_ptr_array_new_with_free_func (g_free);
  for (guint c = 0; c < first->n_cols; c++)
    if (src_is_pattern_col (&first->cols[c]))
      g_ptr_array_add (st->patterns, g_strdup (first->cols[c].name));
  st->agg = g_array_new (FALSE, TRUE, sizeof (SrcAgg));
  st->keys = g_array_new (FALSE, TRUE, sizeof (guint64));
  dp_hash_init (&st->ix, 1024);
  st->strings = g_string_chunk_new (256);
  st->names = dp_name_map_new ();
  return st;
}

void
report_sources_add (Report *r, const DpTable *t)
{
  gint cs = report_col (t, "src", DP_COL_IPV4), cn = report_col (t, "packets", DP_COL_INT64);
  gint ct = report_col (t, "tool", DP_COL_STRING);
  if (cs < 0)
    return;
  if (r->sources == NULL)
    r->sources = src_new (t);
  ReportSources *st = r->sources;
  guint np = st->patterns->len;
  g_autofree gint *pc = g_new (gint, np + 1);
  for (guint p = 0; p < np; p++)
    pc[p] = report_col (t, g_ptr_array_index (st->patterns, p), DP_COL_INT64);
  for (guint row = 0; row < t->n_rows; row++)
    {
      /* per-window tables may come with different name maps (two sources,
       * two runs): a source is the address its key stands for */
      guint32 src = report_address_key (st->names, t, t->cols[cs].ip[row]);
      gboolean fresh;
      guint64 *slot = dp_hash_upsert (&st->ix, src, &fresh);
      if (fresh)
        {
          SrcAgg a = { .src = src };
          *slot = st->agg->len;
          g_array_append_val (st->agg, a);
          g_array_set_size (st->keys, st->keys->len + np);
        }
      SrcAgg *a = &g_array_index (st->agg, SrcAgg, *slot);
      guint64 *k = &g_array_index (st->keys, guint64, *slot * np);
      a->windows++;
      a->packets += cn >= 0 && t->cols[cn].i64[row] > 0 ? (guint64) t->cols[cn].i64[row] : 0;
      if (ct >= 0 && t->cols[ct].str[row] && *t->cols[ct].str[row])
        a->tool = g_string_chunk_insert_const (st->strings, t->cols[ct].str[row]);
      for (guint p = 0; p < np; p++)
        if (pc[p] >= 0 && t->cols[pc[p]].i64[row] > 0)
          k[p] += (guint64) t->cols[pc[p]].i64[row];
    }
}

gint64
report_sources_count (Report *r)
{
  return r->sources ? (gint64) r->sources->agg->len : -1;
}

typedef struct {
  const ReportSources *st;
  guint p;
} SrcSort;

static gint
src_cmp (gconstpointer a, gconstpointer b, gpointer data)
{
  const SrcSort *s = data;
  guint np = s->st->patterns->len, i = *(const guint *) a, j = *(const guint *) b;
  const guint64 *keys = (const guint64 *) s->st->keys->data;
  guint64 ki = keys[(gsize) i * np + s->p], kj = keys[(gsize) j * np + s->p];
  if (ki != kj)
    return ki > kj ? -1 : 1;
  guint64 pi = g_array_index (s->st->agg, SrcAgg, i).packets, pj = g_array_index (s->st->agg, SrcAgg, j).packets;
  if (pi != pj)
    return pi > pj ? -1 : 1;
  return i < j ? -1 : i > j;
}

static void
src_card (Report *r, GString *h, const ReportSources *st, guint p, GArray *idx, guint64 total_keys)
{
  char a[32], b[32], c[32], ip[64];
  const char *pattern = g_ptr_array_index (st->patterns, p);
  g_string_append_printf (h, "<div class=\"card\"><h4><span class=\"swatch\" style=\"background:%s\"></span>",
                          report_palette[report_tax_family (pattern) % REPORT_N_PALETTE]);
  report_esc (h, pattern);
  g_string_append_printf (h, "</h4><p>%s sources · %s keys</p>\n<table class=\"data\"><thead><tr><th>source</th>"
                          "<th class=\"num\">keys</th><th class=\"num\">windows</th><th class=\"num\">packets</th></tr></thead><tbody>\n",
                          report_fmt_int (idx->len, a), report_fmt_int ((gint64) total_keys, b));
  guint n = MIN (idx->len, (guint) r->cfg->top_n);
  for (guint i = 0; i < n; i++)
    {
      guint k = g_array_index (idx, guint, i);
      const SrcAgg *s = &g_array_index (st->agg, SrcAgg, k);
      g_string_append (h, "<tr><td>");
      report_esc (h, dp_ipv4_format (s->src, st->names, ip));
      if (s->tool)
        {
          g_string_append (h, " <span class=\"tag\">");
          report_esc (h, s->tool);
          g_string_append (h, "</span>");
        }
      g_string_append_printf (h, "</td><td class=\"num\">%s</td><td class=\"num\">%s</td><td class=\"num\">%s</td></tr>\n",
                              report_fmt_int ((gint64) g_array_index (st->keys, guint64, (gsize) k * st->patterns->len + p), a),
                              report_fmt_int (s->windows, b), report_fmt_si ((double) s->packets, c));
    }
  g_string_append (h, "</tbody></table></div>\n");
}

static void
src_chart_top (Report *r)
{
  const ReportSources *st = r->sources;
  guint np = st->patterns->len;
  const guint64 *keys = (const guint64 *) st->keys->data;
  if (st->agg->len == 0 || np == 0)
    return;
  ReportChart *c = report_chart_add (r, "taxonomy", "taxonomy-top-sources", "Top sources per pattern",
                                     "For each pattern, the sources with the most matching keys summed over "
                                     "the windows; windows: how many windows the source was seen in; a tag "
                                     "names the scanner fingerprint most of its probes carry.");
  g_string_free (g_steal_pointer (&c->svg), TRUE);
  c->html = g_string_new ("<div class=\"cards\">\n");
  for (guint p = 0; p < np; p++)
    {
      g_autoptr (GArray) idx = g_array_new (FALSE, FALSE, sizeof (guint));
      guint64 total = 0;
      for (guint i = 0; i < st->agg->len; i++)
        if (keys[(gsize) i * np + p] > 0)
          {
            g_array_append_val (idx, i);
            total += keys[(gsize) i * np + p];
          }
      if (idx->len == 0)
        continue;
      SrcSort ss = { st, p };
      g_array_sort_with_data (idx, src_cmp, &ss);
      src_card (r, c->html, st, p, idx, total);
    }
  g_string_append (c->html, "</div>\n");
}

/* ------------------------------------------------------------------ */
/* destination ports per pattern, from the events */

static void
src_port_label (guint32 pp, GString *out)
{
  guint proto = pp >> 16, port = pp & 0xffff;
  const char *name = dp_proto_name ((guint8) proto);
  if (proto == 6 || proto == 17)
    g_string_append_printf (out, "%u/%s", port, name);
  else if (name)
    g_string_append (out, name);
  else
    g_string_append_printf (out, "proto %u", proto);
}

static gint
src_cmp_desc (gconstpointer a, gconstpointer b, gpointer data)
{
  const guint64 *tot = data;
  guint i = *(const guint *) a, j = *(const guint *) b;
  return tot[i] != tot[j] ? (tot[i] > tot[j] ? -1 : 1) : (i < j ? -1 : i > j);
}

/* taxonomy.events folded in as they arrive: keys per (pattern, port). */
struct _ReportEvents {
  GPtrArray *patterns;    /* owned names */
  GHashTable *pat_ix;     /* name (in patterns) -> index */
  GArray *ports;          /* guint32 proto << 16 | port */
  DpHash port_ix;         /* port -> index into ports */
  DpHash cells;           /* pattern << 32 | port index -> keys */
};

static guint
src_event_pattern (ReportEvents *g, const char *pat)
{
  gpointer pi;
  if (!g_hash_table_lookup_extended (g->pat_ix, pat, NULL, &pi))
    {
      char *name = g_strdup (pat);
      pi = GUINT_TO_POINTER (g->patterns->len);
      g_ptr_array_add (g->patterns, name);
      g_hash_table_insert (g->pat_ix, name, pi);
    }
  return GPOINTER_TO_UINT (pi);
}

void
report_events_add (Report *r, const DpTable *t)
{
  gint cp = report_col (t, "pattern", DP_COL_STRING), cpr = report_col (t, "proto", DP_COL_INT64);
  gint cd = report_col (t, "dport", DP_COL_INT64);
  if (r->events == NULL)
    {
      r->events = g_new0 (ReportEvents, 1);
      r->events->patterns = g_ptr_array_new_with_free_func (g_free);
      r->events->pat_ix = g_hash_table_new (g_str_hash, g_str_equal);
      r->events->ports = g_array_new (FALSE, FALSE, sizeof (guint32));
      dp_hash_init (&r->events->port_ix, 256);
      dp_hash_init (&r->events->cells, 1024);
    }
  ReportEvents *g = r->events;
  for (guint row = 0; cp >= 0 && cpr >= 0 && cd >= 0 && row < t->n_rows; row++)
    {
      const char *pat = t->cols[cp].str[row];
      guint proto = (guint) t->cols[cpr].i64[row] & 0xff;
      gboolean ported = proto == 6 || proto == 17;
      /* keys of source-level patterns carry no port or no protocol (null;
       * -1 and 0 from tables of older runs) */
      gboolean no_port = dp_table_is_null (t, (guint) cd, row) || t->cols[cd].i64[row] < 0;
      if (pat == NULL || proto == 0 || dp_table_is_null (t, (guint) cpr, row) || (ported && no_port))
        continue;
      guint pi = src_event_pattern (g, pat);
      guint32 pp = proto << 16 | (ported ? ((guint) t->cols[cd].i64[row] & 0xffff) : 0);
      gboolean fresh;
      guint64 *slot = dp_hash_upsert (&g->port_ix, pp, &fresh);
      if (fresh)
        {
          *slot = g->ports->len;
          g_array_append_val (g->ports, pp);
        }
      (*dp_hash_upsert (&g->cells, (guint64) pi << 32 | *slot, NULL))++;
    }
}

void
report_sources_free (Report *r)
{
  if (r->sources)
    {
      g_ptr_array_unref (r->sources->patterns);
      g_array_unref (r->sources->agg);
      g_array_unref (r->sources->keys);
      dp_hash_clear (&r->sources->ix);
      g_string_chunk_free (r->sources->strings);
      dp_name_map_unref (r->sources->names);
      g_clear_pointer (&r->sources, g_free);
    }
  if (r->events)
    {
      g_hash_table_unref (r->events->pat_ix);
      g_ptr_array_unref (r->events->patterns);
      g_array_unref (r->events->ports);
      dp_hash_clear (&r->events->port_ix);
      dp_hash_clear (&r->events->cells);
      g_clear_pointer (&r->events, g_free);
    }
}

/* Indices 0..n-1 ordered by decreasing @tot. */
static GArray *
src_order (const guint64 *tot, guint n)
{
  GArray *order = g_array_new (FALSE, FALSE, sizeof (guint));
  for (guint i = 0; i < n; i++)
    g_array_append_val (order, i);
  g_array_sort_with_data (order, src_cmp_desc, (gpointer) tot);
  return order;
}

/* keys per (pattern, port): rows by the patterns' keys, columns by the ports' */
static void
src_ports_draw (Report *r, ReportEvents *g)
{
  guint np = g->patterns->len, nport = g->ports->len;
  g_autofree guint64 *tot = g_new0 (guint64, nport + 1), *ptot = g_new0 (guint64, np + 1);
  for (gsize i = 0; i <= g->cells.mask; i++)
    if (g->cells.keys[i] != DP_HASH_EMPTY)
      {
        tot[g->cells.keys[i] & 0xffffffffu] += g->cells.vals[i];
        ptot[g->cells.keys[i] >> 32] += g->cells.vals[i];
      }
  g_autoptr (GArray) order = src_order (tot, nport), porder = src_order (ptot, np);
  guint ncol = MIN (nport, 24u);
  g_autoptr (GPtrArray) cols = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) rows = g_ptr_array_new ();
  g_autofree double *vals = g_new0 (double, (gsize) np * ncol + 1), *shade = g_new0 (double, (gsize) np * ncol + 1);
  for (guint c = 0; c < ncol; c++)
    {
      GString *lab = g_string_new (NULL);
      src_port_label (g_array_index (g->ports, guint32, g_array_index (order, guint, c)), lab);
      g_ptr_array_add (cols, g_string_free (lab, FALSE));
    }
  for (guint k = 0; k < np; k++)
    {
      guint p = g_array_index (porder, guint, k);
      double mx = 0;
      g_ptr_array_add (rows, g_ptr_array_index (g->patterns, p));
      for (guint c = 0; c < ncol; c++)
        {
          guint64 *v = dp_hash_find (&g->cells, (guint64) p << 32 | g_array_index (order, guint, c));
          vals[(gsize) k * ncol + c] = v ? (double) *v : 0;
          mx = MAX (mx, vals[(gsize) k * ncol + c]);
        }
      for (guint c = 0; c < ncol; c++)
        shade[(gsize) k * ncol + c] = mx > 0 ? vals[(gsize) k * ncol + c] / mx : 0;
    }
  ReportChart *ch = report_chart_add (r, "taxonomy", "taxonomy-ports", "Where each pattern aims",
                                      "Matching keys per pattern and destination port (the most targeted ports "
                                      "overall; patterns whose keys hold no port or protocol are left out); colour relative to "
                                      "each pattern's busiest port.");
  ReportHeat hm = {
    .n_rows = np, .n_cols = ncol, .rows = (const char *const *) rows->pdata,
    .cols = (const char *const *) cols->pdata, .values = vals, .shade = shade, .cell_text = TRUE,
    .unit = "keys", .legend = "share of the pattern's busiest port", .rotate_cols = TRUE, .cell_h = 18,
    .col_title = "destination port",
  };
  report_svg_heat (ch->svg, &hm, &ch->width, &ch->height);
}

void
report_charts_taxonomy_sources (Report *r)
{
  if (r->sources)
    src_chart_top (r);
  if (r->events && r->events->patterns->len > 0 && r->events->ports->len > 0)
    src_ports_draw (r, r->events);
}
