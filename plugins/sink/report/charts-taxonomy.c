/* charts-taxonomy.c — what the telescope saw: sources per pattern family
 * over time, a pattern x window heat map, packets per protocol, top
 * sources and destination ports per pattern. */
#include "config.h"

#include <math.h>
#include <string.h>
#include "report.h"

static const char *const tax_families[] = {
  "port scans", "network scans", "one-flow", "backscatter", "IP fragments", "small events", "other",
};
#define TAX_N_FAMILIES G_N_ELEMENTS (tax_families)

guint
report_tax_family (const char *pattern)
{
  static const char *const prefixes[] = { "port_scan", "net_scan", "one_flow", "backscatter", "ip_fragment", "small_" };
  for (guint i = 0; i < G_N_ELEMENTS (prefixes); i++)
    if (g_str_has_prefix (pattern, prefixes[i]))
      return i;
  return TAX_N_FAMILIES - 1;
}

/* The summary tables as a dense pattern x window grid. */
typedef struct {
  GArray *windows;        /* gint64 seconds, sorted */
  GPtrArray *patterns;    /* char* (transfer none: the tables' strings), "all" excluded */
  double *sources;        /* pattern-major */
  double *packets_all;    /* per window, the "all" row */
  guint merged;           /* windows per column after tax_grid_coarsen (1: none) */
} TaxGrid;

#define TAX_MAX_COLUMNS 168   /* a week of hours; longer runs merge windows */

static void
tax_grid_clear (TaxGrid *g)
{
  if (g->windows)
    g_array_unref (g->windows);
  if (g->patterns)
    g_ptr_array_unref (g->patterns);
  g_free (g->sources);
  g_free (g->packets_all);
}

static gint
tax_cmp_i64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
  return x < y ? -1 : x > y;
}

static guint
tax_window_index (const TaxGrid *g, gint64 w)
{
  guint lo = 0, hi = g->windows->len;
  while (lo < hi)
    {
      guint mid = (lo + hi) / 2;
      if (g_array_index (g->windows, gint64, mid) < w)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

/* First pass: the distinct windows and patterns. */
static void
tax_grid_axes (TaxGrid *g, Report *r)
{
  GPtrArray *in = report_inputs (r, REPORT_IN_TAX_SUMMARY);
  g_autoptr (GHashTable) seen_w = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g->windows = g_array_new (FALSE, FALSE, sizeof (gint64));
  g->patterns = g_ptr_array_new ();
  for (guint i = 0; i < in->len; i++)
    {
      const DpTable *t = report_table (r, REPORT_IN_TAX_SUMMARY, i);
      gint cw = report_col (t, "window_start", DP_COL_INT64), cp = report_col (t, "pattern", DP_COL_STRING);
      for (guint row = 0; cw >= 0 && cp >= 0 && row < t->n_rows; row++)
        {
          gint64 w = t->cols[cw].i64[row];
          const char *pat = t->cols[cp].str[row];
          if (!g_hash_table_contains (seen_w, &w))
            {
              g_hash_table_add (seen_w, g_memdup2 (&w, sizeof w));
              g_array_append_val (g->windows, w);
            }
          if (pat && strcmp (pat, "all") != 0
              && !g_ptr_array_find_with_equal_func (g->patterns, pat, g_str_equal, NULL))
            g_ptr_array_add (g->patterns, (gpointer) pat);
        }
    }
  g_array_sort (g->windows, tax_cmp_i64);
}

static gboolean
tax_grid_build (TaxGrid *g, Report *r)
{
  GPtrArray *in = report_inputs (r, REPORT_IN_TAX_SUMMARY);
  tax_grid_axes (g, r);
  guint nw = g->windows->len, np = g->patterns->len;
  if (nw == 0)
    return FALSE;
  g->sources = g_new0 (double, (gsize) np * nw);
  g->packets_all = g_new0 (double, nw);
  for (guint i = 0; i < in->len; i++)
    {
      const DpTable *t = report_table (r, REPORT_IN_TAX_SUMMARY, i);
      gint cw = report_col (t, "window_start", DP_COL_INT64), cp = report_col (t, "pattern", DP_COL_STRING);
      gint cs = dp_table_find_column (t, "sources"), cn = dp_table_find_column (t, "packets");
      for (guint row = 0; cw >= 0 && cp >= 0 && row < t->n_rows; row++)
        {
          guint w = tax_window_index (g, t->cols[cw].i64[row]);
          const char *pat = t->cols[cp].str[row];
          guint p;
          if (pat && strcmp (pat, "all") == 0)
            g->packets_all[w] += isnan (report_cell_num (t, cn, row)) ? 0 : report_cell_num (t, cn, row);
          else if (pat && g_ptr_array_find_with_equal_func (g->patterns, pat, g_str_equal, &p))
            g->sources[(gsize) p * nw + w] += isnan (report_cell_num (t, cs, row)) ? 0 : report_cell_num (t, cs, row);
        }
    }
  return TRUE;
}

/* Long runs: columns of k consecutive windows, sources averaged (a
 * source seen in several windows is not one more source), packets summed. */
static void
tax_grid_coarsen (TaxGrid *g)
{
  guint nw = g->windows->len, np = g->patterns->len;
  g->merged = 1;
  if (nw <= TAX_MAX_COLUMNS)
    return;
  guint k = (nw + TAX_MAX_COLUMNS - 1) / TAX_MAX_COLUMNS, m = (nw + k - 1) / k;
  double *src = g_new0 (double, (gsize) np * m + 1), *pkt = g_new0 (double, m + 1);
  for (guint j = 0; j < m; j++)
    {
      guint first = j * k, n = MIN (k, nw - first);
      for (guint w = first; w < first + n; w++)
        {
          pkt[j] += g->packets_all[w];
          for (guint p = 0; p < np; p++)
            src[(gsize) p * m + j] += g->sources[(gsize) p * nw + w] / n;
        }
      g_array_index (g->windows, gint64, j) = g_array_index (g->windows, gint64, first);
    }
  g_array_set_size (g->windows, m);
  g_free (g->sources);
  g_free (g->packets_all);
  g->sources = src;
  g->packets_all = pkt;
  g->merged = k;
}

/* Short axis labels ("Mar 01" at midnight, else "06:00") and full tips. */
static void
tax_time_labels (const gint64 *secs, guint n, GPtrArray *labels, GPtrArray *tips)
{
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (secs[i]);
      if (dt == NULL)
        {
          g_ptr_array_add (labels, g_strdup_printf ("%" G_GINT64_FORMAT, secs[i]));
          g_ptr_array_add (tips, g_strdup_printf ("%" G_GINT64_FORMAT, secs[i]));
          continue;
        }
      gboolean day = g_date_time_get_hour (dt) == 0 && g_date_time_get_minute (dt) == 0;
      g_ptr_array_add (labels, g_date_time_format (dt, day || i == 0 ? "%b %d" : "%H:%M"));
      g_ptr_array_add (tips, g_date_time_format (dt, "%Y-%m-%d %H:%M UTC"));
    }
}

static guint
tax_label_every (guint n)
{
  static const guint steps[] = { 1, 2, 3, 4, 6, 8, 12, 24, 48, 96, 168, 336, 720 };
  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    if (n / steps[i] <= 14)
      return steps[i];
  return MAX (1u, n / 12);
}

static void
tax_chart_families (Report *r, const TaxGrid *g, GPtrArray *labels, GPtrArray *tips)
{
  guint nw = g->windows->len;
  g_autofree double *v = g_new0 (double, TAX_N_FAMILIES * nw);
  for (guint p = 0; p < g->patterns->len; p++)
    {
      guint f = report_tax_family (g_ptr_array_index (g->patterns, p));
      for (guint w = 0; w < nw; w++)
        v[f * nw + w] += g->sources[(gsize) p * nw + w];
    }
  g_autofree char *caption = g_strdup_printf ("Sources matching each pattern family per window, stacked; a source that "
                                              "matches several patterns counts once in each.%s",
                                              g->merged > 1 ? " Long run: each bar is the mean of consecutive windows." : "");
  ReportChart *c = report_chart_add (r, "taxonomy", "taxonomy-sources", "Sources per traffic pattern over time", caption);
  ReportBars b = {
    .n_x = nw, .n_series = TAX_N_FAMILIES, .x_labels = (const char *const *) labels->pdata,
    .x_tips = (const char *const *) tips->pdata, .series = tax_families, .values = v,
    .x_title = "window start (UTC)", .y_title = "sources per window", .unit = "sources",
    .label_every = tax_label_every (nw),
  };
  report_svg_bars (c->svg, &b, &c->width, &c->height);
}

static void
tax_chart_heat (Report *r, const TaxGrid *g, GPtrArray *labels, GPtrArray *tips)
{
  guint nw = g->windows->len;
  g_autoptr (GPtrArray) rows = g_ptr_array_new ();
  g_autoptr (GArray) vals = g_array_new (FALSE, FALSE, sizeof (double));
  for (guint p = 0; p < g->patterns->len; p++)
    {
      double sum = 0;
      for (guint w = 0; w < nw; w++)
        sum += g->sources[(gsize) p * nw + w];
      if (sum <= 0)
        continue;
      g_ptr_array_add (rows, g_ptr_array_index (g->patterns, p));
      g_array_append_vals (vals, g->sources + (gsize) p * nw, nw);
    }
  if (rows->len == 0)
    return;
  ReportChart *c = report_chart_add (r, "taxonomy", "taxonomy-heat", "Every pattern, window by window",
                                     "Sources per pattern and window (colour on a log scale; hover for counts). "
                                     "Patterns no source matched are left out.");
  ReportHeat hm = {
    .n_rows = rows->len, .n_cols = nw, .rows = (const char *const *) rows->pdata,
    .cols = (const char *const *) labels->pdata, .col_tips = (const char *const *) tips->pdata,
    .values = (const double *) vals->data, .log_shade = TRUE,
    .unit = "sources", .legend = "sources (log scale)", .cell_h = 16, .label_every = tax_label_every (nw),
    .col_title = "window start (UTC)",
  };
  report_svg_heat (c->svg, &hm, &c->width, &c->height);
}

static gint
tax_cmp_bin (gconstpointer a, gconstpointer b)
{
  return tax_cmp_i64 (*(gconstpointer *) a, *(gconstpointer *) b);
}

/* Packets per protocol per bin from the stream: the bins as a sorted array. */
static void
tax_chart_protocols (Report *r)
{
  static const char *const protos[REPORT_N_PROTO] = { "TCP", "UDP", "ICMP", "other" };
  static const char *const colours[REPORT_N_PROTO] = { "#0072B2", "#E69F00", "#009E73", "#CC79A7" };
  g_autoptr (GPtrArray) keys = report_hash_keys (r->traffic.bins);
  g_ptr_array_sort (keys, tax_cmp_bin);
  guint n = keys->len;
  g_autofree gint64 *secs = g_new0 (gint64, n);
  g_autofree double *v = g_new0 (double, (gsize) REPORT_N_PROTO * n);
  for (guint i = 0; i < n; i++)
    {
      const gint64 *bin = g_ptr_array_index (keys, i);
      const guint64 *counts = g_hash_table_lookup (r->traffic.bins, bin);
      secs[i] = *bin * r->cfg->bin_ns / 1000000000;   /* bins need not be whole seconds */
      for (guint k = 0; k < REPORT_N_PROTO; k++)
        v[(gsize) k * n + i] = (double) counts[k];
    }
  g_autoptr (GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) tips = g_ptr_array_new_with_free_func (g_free);
  tax_time_labels (secs, n, labels, tips);
  g_autofree char *every = g_strdup_printf ("Packets per %s bin and IP protocol, stacked, from the packet stream.",
                                            r->cfg->bin_ns % 3600000000000 == 0 ? "hour-aligned" : "fixed");
  ReportChart *c = report_chart_add (r, "taxonomy", "taxonomy-protocols", "Packets per protocol over time", every);
  ReportBars b = {
    .n_x = n, .n_series = REPORT_N_PROTO, .x_labels = (const char *const *) labels->pdata,
    .x_tips = (const char *const *) tips->pdata, .series = protos, .colours = colours, .values = v,
    .x_title = "time (UTC)", .y_title = "packets per bin", .unit = "packets", .label_every = tax_label_every (n),
  };
  report_svg_bars (c->svg, &b, &c->width, &c->height);
}

static void
tax_chart_packets_all (Report *r, const TaxGrid *g, GPtrArray *labels, GPtrArray *tips)
{
  static const char *const series[] = { "packets" };
  ReportChart *c = report_chart_add (r, "taxonomy", "taxonomy-packets", "Packets per window",
                                     "Packets per window (per bar: the windows it spans) from the taxonomy summary; wire the "
                                     "packets port for a per-protocol split.");
  ReportBars b = {
    .n_x = g->windows->len, .n_series = 1, .x_labels = (const char *const *) labels->pdata,
    .x_tips = (const char *const *) tips->pdata, .series = series, .values = g->packets_all,
    .x_title = "window start (UTC)", .y_title = "packets per window", .unit = "packets",
    .label_every = tax_label_every (g->windows->len),
  };
  report_svg_bars (c->svg, &b, &c->width, &c->height);
}


static void
tax_findings (Report *r, const TaxGrid *g, GPtrArray *tips)
{
  guint nw = g->windows->len, best = G_MAXUINT, peak = 0;
  double best_mean = 0;
  char num[32];
  for (guint p = 0; p < g->patterns->len; p++)
    {
      double sum = 0;
      for (guint w = 0; w < nw; w++)
        sum += g->sources[(gsize) p * nw + w];
      if (sum / nw > best_mean)
        best_mean = sum / nw, best = p;
    }
  if (best != G_MAXUINT)
    report_finding (r, "Busiest pattern: %s, with %s sources per window on average.",
                    (const char *) g_ptr_array_index (g->patterns, best), report_fmt_si (round (best_mean), num));
  for (guint w = 1; w < nw; w++)
    peak = g->packets_all[w] > g->packets_all[peak] ? w : peak;
  if (nw > 0 && g->packets_all[peak] > 0)
    report_finding (r, "Packets peaked at %s %s %s.", report_fmt_si (g->packets_all[peak], num),
                    g->merged > 1 ? "in the windows from" : "in the window of", (const char *) g_ptr_array_index (tips, peak));
}

void
report_charts_taxonomy (Report *r)
{
  GPtrArray *sum = report_inputs (r, REPORT_IN_TAX_SUMMARY);
  TaxGrid g = { 0 };
  g_autoptr (GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) tips = g_ptr_array_new_with_free_func (g_free);
  gboolean have_grid = sum && tax_grid_build (&g, r);
  if (have_grid)
    {
      tax_grid_coarsen (&g);
      tax_time_labels ((const gint64 *) g.windows->data, g.windows->len, labels, tips);
      tax_chart_families (r, &g, labels, tips);
      tax_chart_heat (r, &g, labels, tips);
      tax_findings (r, &g, tips);
    }
  if (g_hash_table_size (r->traffic.bins) > 0)
    tax_chart_protocols (r);
  else if (have_grid)
    tax_chart_packets_all (r, &g, labels, tips);
  tax_grid_clear (&g);
  report_charts_taxonomy_sources (r);
}
