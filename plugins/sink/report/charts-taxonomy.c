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
  double window;          /* seconds one window lasts */
  double width;           /* seconds one column spans (window x merged) */
  double *times;          /* column starts as doubles, for the time axis */
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
  g_free (g->times);
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
/* window_start of row @row in epoch seconds: a time column holds ns */
static gint64
tax_window_sec (const DpTable *t, gint cw, guint row)
{
  gint64 v = t->cols[cw].i64[row];
  return t->cols[cw].flags & DP_COLUMN_TIME ? dp_floor_div (v, 1000000000) : v;
}

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
          gint64 w = tax_window_sec (t, cw, row);
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
          guint w = tax_window_index (g, tax_window_sec (t, cw, row));
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

/* Long runs: columns of k windows' time (k x window seconds from the
 * first window), sources averaged over the windows present in each (a
 * source seen in several windows is not one more source), packets summed.
 * A column spans only its own k windows' time: distant windows stay apart. */
static void
tax_grid_coarsen (TaxGrid *g)
{
  guint nw = g->windows->len, np = g->patterns->len;
  gint64 first = g_array_index (g->windows, gint64, 0), last = g_array_index (g->windows, gint64, nw - 1);
  double slots = floor ((double) (last - first) / g->window) + 1;
  g->merged = 1;
  g->width = g->window;
  if (slots > TAX_MAX_COLUMNS)
    {
      guint k = (guint) ceil (slots / TAX_MAX_COLUMNS);
      double *src = g_new0 (double, (gsize) np * nw + 1), *pkt = g_new0 (double, nw + 1);
      g_autofree guint *count = g_new0 (guint, nw + 1);
      guint m = 0;
      gint64 cur = G_MININT64;
      for (guint w = 0; w < nw; w++)
        {
          gint64 bucket = (gint64) floor ((double) (g_array_index (g->windows, gint64, w) - first) / (k * g->window));
          if (w == 0 || bucket != cur)
            {
              cur = bucket;
              g_array_index (g->windows, gint64, m++) = first + (gint64) llround (bucket * k * g->window);
            }
          count[m - 1]++;
          pkt[m - 1] += g->packets_all[w];
          for (guint p = 0; p < np; p++)
            src[(gsize) p * nw + m - 1] += g->sources[(gsize) p * nw + w];
        }
      double *mean = g_new0 (double, (gsize) np * m + 1);
      for (guint p = 0; p < np; p++)
        for (guint j = 0; j < m; j++)
          mean[(gsize) p * m + j] = src[(gsize) p * nw + j] / count[j];
      g_free (src);
      g_array_set_size (g->windows, m);
      g_free (g->sources);
      g_free (g->packets_all);
      g->sources = mean;
      g->packets_all = pkt;
      g->merged = k;
      g->width = k * g->window;
    }
  g->times = g_new (double, g->windows->len + 1);
  for (guint j = 0; j < g->windows->len; j++)
    g->times[j] = (double) g_array_index (g->windows, gint64, j);
}

/* Each column's start as a tooltip: "2021-03-01 06:00 UTC". */
static void
tax_time_tips (const double *secs, guint n, GPtrArray *tips)
{
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc ((gint64) floor (secs[i]));
      g_ptr_array_add (tips, dt ? g_date_time_format (dt, "%Y-%m-%d %H:%M UTC")
                                : g_strdup_printf ("%.0f", secs[i]));
    }
}

/* The seconds one window lasts: the `window` option of the stage that sent
 * the summary, else the shortest step between windows, else an hour. */
static double
tax_window_seconds (Report *r, const GArray *windows)
{
  GPtrArray *in = report_inputs (r, REPORT_IN_TAX_SUMMARY);
  for (guint i = 0; in && i < in->len; i++)
    {
      g_autofree char *text = dp_stage_peer_option (r->stage, report_origin (r, REPORT_IN_TAX_SUMMARY, i), "window");
      gint64 ns;
      if (text && dp_parse_duration (text, &ns, NULL) && ns > 0)
        return ns / 1e9;
    }
  gint64 gap = G_MAXINT64;
  for (guint w = 1; w < windows->len; w++)
    gap = MIN (gap, g_array_index (windows, gint64, w) - g_array_index (windows, gint64, w - 1));
  return gap == G_MAXINT64 || gap <= 0 ? 3600 : (double) gap;
}

static void
tax_chart_families (Report *r, const TaxGrid *g, GPtrArray *tips)
{
  guint nw = g->windows->len;
  g_autofree double *v = g_new0 (double, TAX_N_FAMILIES * nw);
  for (guint p = 0; p < g->patterns->len; p++)
    {
      guint f = report_tax_family (g_ptr_array_index (g->patterns, p));
      for (guint w = 0; w < nw; w++)
        v[f * nw + w] += g->sources[(gsize) p * nw + w];
    }
  char d[32];
  g_autofree char *merged = g->merged > 1 ? g_strdup_printf (" Long run: each bar spans %s and is the mean of its windows.",
                                                             report_fmt_duration (g->width, d)) : NULL;
  g_autofree char *caption = g_strdup_printf ("Sources matching each pattern family per window, stacked, at their time "
                                              "(grey: no data); a source that matches several patterns counts once in each.%s",
                                              merged ? merged : "");
  ReportChart *c = report_chart_add (r, "taxonomy", "taxonomy-sources", "Sources per traffic pattern over time", caption);
  ReportBars b = {
    .n_x = nw, .n_series = TAX_N_FAMILIES, .x_tips = (const char *const *) tips->pdata, .series = tax_families,
    .values = v, .x_title = "time (UTC)", .y_title = "sources per window", .unit = "sources",
    .x_times = g->times, .x_width = g->width, .t0 = g->times[0], .t1 = g->times[nw - 1] + g->width,
  };
  report_svg_bars (c->svg, &b, &c->width, &c->height);
}

static void
tax_chart_heat (Report *r, const TaxGrid *g, GPtrArray *tips)
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
                                     "Sources per pattern and window at their time (colour on a log scale; hover for "
                                     "counts; grey: no data). Patterns no source matched are left out.");
  ReportHeat hm = {
    .n_rows = rows->len, .n_cols = nw, .rows = (const char *const *) rows->pdata,
    .cols = (const char *const *) tips->pdata, .values = (const double *) vals->data, .log_shade = TRUE,
    .unit = "sources", .legend = "sources (log scale)", .cell_h = 16, .col_title = "time (UTC)",
    .col_times = g->times, .col_width = g->width, .t0 = g->times[0], .t1 = g->times[nw - 1] + g->width,
  };
  report_svg_heat (c->svg, &hm, &c->width, &c->height);
}

static gint
tax_cmp_bin (gconstpointer a, gconstpointer b)
{
  return tax_cmp_i64 (*(gconstpointer *) a, *(gconstpointer *) b);
}

/* The packet stream's bins in time order, their starts in seconds. */
static GPtrArray *
tax_traffic_bins (Report *r, double **secs)
{
  GPtrArray *keys = report_hash_keys (r->traffic.bins);
  g_ptr_array_sort (keys, tax_cmp_bin);
  *secs = g_new0 (double, keys->len + 1);
  for (guint i = 0; i < keys->len; i++)
    (*secs)[i] = *(const gint64 *) g_ptr_array_index (keys, i) * (r->cfg->bin_ns / 1e9);   /* bins need not be whole seconds */
  return keys;
}

/* Packets per protocol per bin from the stream. */
static void
tax_chart_protocols (Report *r)
{
  static const char *const protos[REPORT_N_PROTO] = { "TCP", "UDP", "ICMP", "other" };
  static const char *const colours[REPORT_N_PROTO] = { "#0072B2", "#E69F00", "#009E73", "#CC79A7" };
  g_autofree double *secs = NULL;
  g_autoptr (GPtrArray) keys = tax_traffic_bins (r, &secs);
  guint n = keys->len;
  g_autofree double *v = g_new0 (double, (gsize) REPORT_N_PROTO * n);
  for (guint i = 0; i < n; i++)
    {
      const guint64 *counts = g_hash_table_lookup (r->traffic.bins, g_ptr_array_index (keys, i));
      for (guint k = 0; k < REPORT_N_PROTO; k++)
        v[(gsize) k * n + i] = (double) counts[k];
    }
  g_autoptr (GPtrArray) tips = g_ptr_array_new_with_free_func (g_free);
  tax_time_tips (secs, n, tips);
  char d[32];
  g_autofree char *caption = g_strdup_printf ("Packets per %s bin and IP protocol, stacked, from the packet stream, at "
                                              "their time (grey: no packets).", report_fmt_duration (r->cfg->bin_ns / 1e9, d));
  ReportChart *c = report_chart_add (r, "taxonomy", "taxonomy-protocols", "Packets per protocol over time", caption);
  double width = r->cfg->bin_ns / 1e9;
  ReportBars b = {
    .n_x = n, .n_series = REPORT_N_PROTO, .x_tips = (const char *const *) tips->pdata, .series = protos,
    .colours = colours, .values = v, .x_title = "time (UTC)", .y_title = "packets per bin", .unit = "packets",
    .x_times = secs, .x_width = width, .t0 = secs[0], .t1 = secs[n - 1] + width,
  };
  report_svg_bars (c->svg, &b, &c->width, &c->height);
}

static void
tax_chart_packets_all (Report *r, const TaxGrid *g, GPtrArray *tips)
{
  static const char *const series[] = { "packets" };
  guint nw = g->windows->len;
  ReportChart *c = report_chart_add (r, "taxonomy", "taxonomy-packets", "Packets per window",
                                     "Packets per window (per bar: the windows it spans) from the taxonomy summary, at "
                                     "their time (grey: no data); wire the packets port for a per-protocol split.");
  ReportBars b = {
    .n_x = nw, .n_series = 1, .x_tips = (const char *const *) tips->pdata, .series = series,
    .values = g->packets_all, .x_title = "time (UTC)", .y_title = "packets per window", .unit = "packets",
    .x_times = g->times, .x_width = g->width, .t0 = g->times[0], .t1 = g->times[nw - 1] + g->width,
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
  /* the mean over the columns drawn: windows with data, never the gaps */
  if (best != G_MAXUINT)
    report_finding (r, "Busiest pattern: %s, with %s sources per window on average.",
                    (const char *) g_ptr_array_index (g->patterns, best), report_fmt_mean (best_mean, num));
  for (guint w = 1; w < nw; w++)
    peak = g->packets_all[w] > g->packets_all[peak] ? w : peak;
  if (nw > 0 && g->packets_all[peak] > 0)
    report_finding (r, "Packets peaked at %s %s %s.", report_fmt_si (g->packets_all[peak], num),
                    g->merged > 1 ? "in the windows from" : "in the window of", (const char *) g_ptr_array_index (tips, peak));
}

gboolean
report_tax_windows (Report *r, GArray **windows, double *window)
{
  TaxGrid g = { 0 };
  if (report_inputs (r, REPORT_IN_TAX_SUMMARY) == NULL)
    return FALSE;
  tax_grid_axes (&g, r);
  gboolean any = g.windows->len > 0;
  if (any)
    {
      *window = tax_window_seconds (r, g.windows);
      *windows = g_steal_pointer (&g.windows);
    }
  tax_grid_clear (&g);
  return any;
}

void
report_charts_taxonomy (Report *r)
{
  GPtrArray *sum = report_inputs (r, REPORT_IN_TAX_SUMMARY);
  TaxGrid g = { 0 };
  g_autoptr (GPtrArray) tips = g_ptr_array_new_with_free_func (g_free);
  gboolean have_grid = sum && tax_grid_build (&g, r);
  if (have_grid)
    {
      g.window = tax_window_seconds (r, g.windows);
      tax_grid_coarsen (&g);
      tax_time_tips (g.times, g.windows->len, tips);
      tax_chart_families (r, &g, tips);
      tax_chart_heat (r, &g, tips);
      tax_findings (r, &g, tips);
    }
  if (g_hash_table_size (r->traffic.bins) > 0)
    tax_chart_protocols (r);
  else if (have_grid)
    tax_chart_packets_all (r, &g, tips);
  tax_grid_clear (&g);
  report_charts_taxonomy_sources (r);
}
