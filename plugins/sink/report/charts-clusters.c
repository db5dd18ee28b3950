/* charts-clusters.c — who acts together: cluster sizes (split by ground
 * truth when labels are wired), mean silhouette per cluster, a cluster x
 * top-port heat map as in the DarkVec paper, and the most cohesive
 * clusters with their top ports. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "report.h"

typedef struct {
  gint64 id;
  double size;          /* members (clusters table, else silhouette, else profile) */
  double silhouette;    /* NAN when not wired */
  double packets;       /* NAN when no profile */
  const char *top_ports;
  GHashTable *labels;   /* label -> count (transfer none keys) */
} CluInfo;

typedef struct {
  GArray *info;         /* CluInfo */
  GHashTable *ix;       /* gint64* id -> index + 1 */
  GHashTable *label_total;
} CluSet;

static CluInfo *
clu_get (CluSet *cs, gint64 id)
{
  guint i = GPOINTER_TO_UINT (g_hash_table_lookup (cs->ix, &id));
  if (i == 0)
    {
      CluInfo c = { .id = id, .silhouette = NAN, .packets = NAN };
      g_array_append_val (cs->info, c);
      i = cs->info->len;
      g_hash_table_insert (cs->ix, g_memdup2 (&id, sizeof id), GUINT_TO_POINTER (i));
    }
  return &g_array_index (cs->info, CluInfo, i - 1);
}

static gint
clu_key_col (const DpTable *t)
{
  gint c = dp_table_find_column (t, "ip");
  return c >= 0 ? c : dp_table_find_column (t, "token");
}

/* label by key text (addresses formatted as the tables print them) */
static GHashTable *
clu_label_index (Report *r, gint *label_col, const DpTable **lt)
{
  *lt = report_last_table (r, REPORT_IN_LABELS);
  if (*lt == NULL)
    return NULL;
  gint ck = clu_key_col (*lt), cl = report_col (*lt, "label", DP_COL_STRING);
  if (ck < 0 || cl < 0)
    return NULL;
  *label_col = cl;
  return report_label_index (*lt, (guint) ck, FALSE);
}

static void
clu_from_members (Report *r, CluSet *cs)
{
  const DpTable *t = report_last_table (r, REPORT_IN_CLUSTERS);
  gint cc = t ? report_col (t, "cluster", DP_COL_INT64) : -1;
  if (cc < 0)
    return;
  const DpTable *lt = NULL;
  gint cl = -1, ck = clu_key_col (t);
  g_autoptr (GHashTable) lix = ck >= 0 ? clu_label_index (r, &cl, &lt) : NULL;
  g_autoptr (GString) key = g_string_new (NULL);
  for (guint row = 0; row < t->n_rows; row++)
    {
      CluInfo *c = clu_get (cs, t->cols[cc].i64[row]);
      c->size += 1;
      if (lix == NULL)
        continue;
      g_string_truncate (key, 0);
      dp_table_format_cell (t, (guint) ck, row, key);
      guint hit = GPOINTER_TO_UINT (g_hash_table_lookup (lix, key->str));
      const char *label = hit && lt->cols[cl].str[hit - 1] ? lt->cols[cl].str[hit - 1] : "unknown";
      if (c->labels == NULL)
        c->labels = g_hash_table_new (g_str_hash, g_str_equal);
      g_hash_table_insert (c->labels, (gpointer) label, GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (c->labels, label)) + 1));
      g_hash_table_insert (cs->label_total, (gpointer) label, GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (cs->label_total, label)) + 1));
    }
}

/* silhouette.clusters (cluster, size, silhouette) or the per-point table */
static void
clu_from_silhouette (Report *r, CluSet *cs)
{
  const DpTable *t = report_last_table (r, REPORT_IN_SILHOUETTE);
  gint cc = t ? report_col (t, "cluster", DP_COL_INT64) : -1, csil = t ? report_col (t, "silhouette", DP_COL_DOUBLE) : -1;
  if (cc < 0 || csil < 0)
    return;
  gint csize = report_col (t, "size", DP_COL_INT64);
  g_autoptr (GHashTable) n = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  gboolean had_members = cs->info->len > 0;
  for (guint row = 0; row < t->n_rows; row++)
    {
      CluInfo *c = clu_get (cs, t->cols[cc].i64[row]);
      double s = t->cols[csil].f64[row];
      if (csize >= 0)
        {
          c->silhouette = s;
          if (!had_members)
            c->size = (double) t->cols[csize].i64[row];
          continue;
        }
      guint k = GPOINTER_TO_UINT (g_hash_table_lookup (n, &c->id));
      c->silhouette = k == 0 ? s : (c->silhouette * k + s) / (k + 1);
      g_hash_table_insert (n, g_memdup2 (&c->id, sizeof c->id), GUINT_TO_POINTER (k + 1));
      if (!had_members)
        c->size += 1;
    }
}

static void
clu_from_profile (Report *r, CluSet *cs)
{
  const DpTable *t = report_last_table (r, REPORT_IN_PROFILE);
  gint cc = t ? report_col (t, "cluster", DP_COL_INT64) : -1;
  if (cc < 0)
    return;
  gint cm = dp_table_find_column (t, "members"), cp = dp_table_find_column (t, "packets");
  gint ctp = report_col (t, "top_ports", DP_COL_STRING);
  gboolean had = cs->info->len > 0;
  for (guint row = 0; row < t->n_rows; row++)
    {
      CluInfo *c = clu_get (cs, t->cols[cc].i64[row]);
      c->packets = report_cell_num (t, cp, row);
      c->top_ports = ctp >= 0 ? t->cols[ctp].str[row] : NULL;
      if (!had && !isnan (report_cell_num (t, cm, row)))
        c->size = report_cell_num (t, cm, row);
    }
}

static gint
clu_cmp_size (gconstpointer a, gconstpointer b)
{
  const CluInfo *x = a, *y = b;
  return x->size != y->size ? (x->size > y->size ? -1 : 1) : (x->id < y->id ? -1 : x->id > y->id);
}

static gint
clu_cmp_sil (gconstpointer a, gconstpointer b)
{
  const CluInfo *x = *(const CluInfo *const *) a, *y = *(const CluInfo *const *) b;
  double sx = isnan (x->silhouette) ? -2 : x->silhouette, sy = isnan (y->silhouette) ? -2 : y->silhouette;
  return sx != sy ? (sx > sy ? -1 : 1) : clu_cmp_size (x, y);
}

static char *
clu_name (const CluInfo *c)
{
  return g_strdup_printf ("#%" G_GINT64_FORMAT, c->id);
}

static gint
clu_cmp_label (gconstpointer a, gconstpointer b, gpointer data)
{
  const char *x = *(const char *const *) a, *y = *(const char *const *) b;
  guint cx = GPOINTER_TO_UINT (g_hash_table_lookup (data, x)), cy = GPOINTER_TO_UINT (g_hash_table_lookup (data, y));
  return cx != cy ? (cx > cy ? -1 : 1) : strcmp (x, y);
}

/* Series of the size chart: the 9 commonest known labels, other, unknown. */
static GPtrArray *
clu_series (CluSet *cs)
{
  GPtrArray *s = g_ptr_array_new ();
  if (g_hash_table_size (cs->label_total) == 0)
    {
      g_ptr_array_add (s, "sources");
      return s;
    }
  g_autoptr (GPtrArray) all = report_hash_keys (cs->label_total);
  g_ptr_array_sort_with_data (all, clu_cmp_label, cs->label_total);
  for (guint i = 0; i < all->len && s->len < 9; i++)
    if (strcmp (g_ptr_array_index (all, i), "unknown") != 0)
      g_ptr_array_add (s, g_ptr_array_index (all, i));
  g_ptr_array_add (s, "other labels");
  g_ptr_array_add (s, "unknown");
  return s;
}

static void
clu_chart_sizes (Report *r, CluSet *cs, guint n)
{
  g_autoptr (GPtrArray) series = clu_series (cs);
  guint ns = series->len;
  g_autofree double *v = g_new0 (double, (gsize) ns * n);
  g_autofree const char **colours = g_new (const char *, ns);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  for (guint k = 0; k < ns; k++)
    colours[k] = k + 1 == ns && ns > 1 ? REPORT_GREY : k + 2 == ns && ns > 1 ? "#dddddd" : report_palette[k];
  for (guint i = 0; i < n; i++)
    {
      const CluInfo *c = &g_array_index (cs->info, CluInfo, i);
      g_ptr_array_add (names, clu_name (c));
      if (ns == 1 || c->labels == NULL)
        {
          v[(gsize) (ns - 1) * n + i] = c->size;
          continue;
        }
      GHashTableIter it;
      gpointer key, val;
      g_hash_table_iter_init (&it, c->labels);
      while (g_hash_table_iter_next (&it, &key, &val))
        {
          guint k;
          if (!g_ptr_array_find_with_equal_func (series, key, g_str_equal, &k))
            k = ns - 2;
          v[(gsize) k * n + i] += GPOINTER_TO_UINT (val);
        }
    }
  g_autofree char *caption = g_strdup_printf ("Sources per cluster, the %u largest of %u%s.", n, cs->info->len,
                                              ns > 1 ? "; each bar split by the members' ground-truth labels" : "");
  ReportChart *ch = report_chart_add (r, "clusters", "clusters-sizes", "Cluster sizes", caption);
  ReportBars b = {
    .n_x = n, .n_series = ns, .x_labels = (const char *const *) names->pdata, .series = (const char *const *) series->pdata,
    .colours = colours, .values = v, .x_title = "cluster (largest first)", .y_title = "sources", .unit = "sources",
    .label_every = 1,
  };
  report_svg_bars (ch->svg, &b, &ch->width, &ch->height);
}

static void
clu_chart_silhouette (Report *r, GPtrArray *by_sil, guint n)
{
  g_autofree double *v = g_new (double, n);
  g_autoptr (GPtrArray) cats = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) notes = g_ptr_array_new_with_free_func (g_free);
  char num[32];
  for (guint i = 0; i < n; i++)
    {
      const CluInfo *c = g_ptr_array_index (by_sil, i);
      v[i] = c->silhouette;
      g_ptr_array_add (cats, clu_name (c));
      g_ptr_array_add (notes, g_strdup_printf ("%s sources", report_fmt_si (c->size, num)));
    }
  ReportChart *ch = report_chart_add (r, "clusters", "clusters-silhouette", "How cohesive each cluster is",
                                      "Mean cosine silhouette per cluster (1: tight and apart from the rest, "
                                      "0: on a border, below 0: closer to another cluster), best first.");
  ReportHBars b = {
    .n_cat = n, .n_series = 1, .cats = (const char *const *) cats->pdata, .notes = (const char *const *) notes->pdata,
    .values = v, .vmin = -1, .vmax = 1, .x_title = "mean silhouette", .digits = 2, .value_labels = TRUE,
    .colour_sign = TRUE,
  };
  report_svg_hbars (ch->svg, &b, &ch->width, &ch->height);
}

/* "23/tcp:0.61;2323/tcp:0.2" -> port names and shares */
static guint
clu_parse_ports (const char *text, char **ports, double *share, guint max)
{
  g_auto (GStrv) items = g_strsplit (text ? text : "", ";", -1);
  guint n = 0;
  for (char **it = items; *it && n < max; it++)
    {
      char *colon = strrchr (*it, ':');
      if (colon == NULL || colon == *it)
        continue;
      char *end = NULL;
      double v = g_ascii_strtod (colon + 1, &end);
      if (end == colon + 1 || !isfinite (v))
        continue;
      ports[n] = g_strndup (*it, (gsize) (colon - *it));
      share[n++] = v;
    }
  return n;
}

#define CLU_MAX_PORTS 64

static gint
clu_cmp_weight (gconstpointer a, gconstpointer b, gpointer data)
{
  const char *x = *(const char *const *) a, *y = *(const char *const *) b;
  double *wx = g_hash_table_lookup (data, x), *wy = g_hash_table_lookup (data, y);
  return *wx != *wy ? (*wx > *wy ? -1 : 1) : strcmp (x, y);
}

static void
clu_chart_ports (Report *r, GPtrArray *clusters)
{
  g_autoptr (GHashTable) weight = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint i = 0; i < clusters->len; i++)
    {
      const CluInfo *c = g_ptr_array_index (clusters, i);
      char *ports[CLU_MAX_PORTS];
      double share[CLU_MAX_PORTS];
      guint n = clu_parse_ports (c->top_ports, ports, share, CLU_MAX_PORTS);
      for (guint k = 0; k < n; k++)
        {
          double *w = g_hash_table_lookup (weight, ports[k]);
          if (w == NULL)
            g_hash_table_insert (weight, g_strdup (ports[k]), w = g_new0 (double, 1));
          *w += share[k];
          g_free (ports[k]);
        }
    }
  g_autoptr (GPtrArray) cols = report_hash_keys (weight);
  if (cols->len == 0)
    return;
  g_ptr_array_sort_with_data (cols, clu_cmp_weight, weight);
  guint nc = MIN (cols->len, 24u), nr = clusters->len;
  g_autofree double *v = g_new (double, (gsize) nr * nc);
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < nr; i++)
    {
      const CluInfo *c = g_ptr_array_index (clusters, i);
      char *ports[CLU_MAX_PORTS];
      double share[CLU_MAX_PORTS];
      guint n = clu_parse_ports (c->top_ports, ports, share, CLU_MAX_PORTS);
      char num[32];
      g_ptr_array_add (rows, g_strdup_printf ("#%" G_GINT64_FORMAT " (%s)", c->id, report_fmt_si (c->size, num)));
      for (guint j = 0; j < nc; j++)
        {
          v[(gsize) i * nc + j] = NAN;
          for (guint k = 0; k < n; k++)
            if (strcmp (ports[k], g_ptr_array_index (cols, j)) == 0)
              v[(gsize) i * nc + j] = share[k];
        }
      for (guint k = 0; k < n; k++)
        g_free (ports[k]);
    }
  ReportChart *ch = report_chart_add (r, "clusters", "clusters-ports", "Clusters and the ports they reach",
                                      "Share of each cluster's packets per destination port, for the ports in the "
                                      "clusters' top lists (cluster_profile top_ports); an empty cell: not among "
                                      "that cluster's top ports. In brackets: the cluster's sources.");
  ReportHeat hm = {
    .n_rows = nr, .n_cols = nc, .rows = (const char *const *) rows->pdata, .cols = (const char *const *) cols->pdata,
    .values = v, .cell_text = TRUE, .digits = 2, .unit = "of the cluster's packets", .legend = "share of packets",
    .rotate_cols = TRUE, .cell_h = 20, .row_title = "cluster (sources)", .col_title = "destination port",
  };
  report_svg_heat (ch->svg, &hm, &ch->width, &ch->height);
}

/* The commonest label of a cluster and its share of the members. */
static const char *
clu_main_label (const CluInfo *c, double *share)
{
  const char *best = NULL;
  guint best_n = 0, total = 0;
  GHashTableIter it;
  gpointer key, val;
  *share = NAN;
  if (c->labels == NULL)
    return NULL;
  g_hash_table_iter_init (&it, c->labels);
  while (g_hash_table_iter_next (&it, &key, &val))
    {
      guint n = GPOINTER_TO_UINT (val);
      total += n;
      if (n > best_n || (n == best_n && best && strcmp (key, best) < 0))
        best = key, best_n = n;
    }
  *share = total ? (double) best_n / total : NAN;
  return best;
}

static void
clu_table_row (GString *h, const CluInfo *c)
{
  char a[32], b[32], d[32];
  double share;
  const char *label = clu_main_label (c, &share);
  g_string_append_printf (h, "<tr><td class=\"name\">#%" G_GINT64_FORMAT "</td><td class=\"num\">%s</td>"
                          "<td class=\"num\">%s</td><td class=\"num\">%s</td><td>",
                          c->id, report_fmt_int ((gint64) c->size, a), report_fmt_ratio (c->silhouette, 3, b),
                          report_fmt_si (c->packets, d));
  if (label)
    report_esc_printf (h, "%s (%.0f%%)", label, 100 * share);
  g_string_append (h, "</td><td>");
  char *ports[CLU_MAX_PORTS];
  double sh[CLU_MAX_PORTS];
  guint n = clu_parse_ports (c->top_ports, ports, sh, CLU_MAX_PORTS);
  for (guint k = 0; k < n; k++)
    {
      if (sh[k] > 0 && sh[k] < 0.005)
        report_esc_printf (h, "%s%s <1%%", k ? " · " : "", ports[k]);
      else
        report_esc_printf (h, "%s%s %.0f%%", k ? " · " : "", ports[k], 100 * sh[k]);
      g_free (ports[k]);
    }
  g_string_append (h, "</td></tr>\n");
}

static void
clu_chart_table (Report *r, GPtrArray *clusters, gboolean by_silhouette)
{
  ReportChart *ch = report_chart_add (r, "clusters", "clusters-table",
                                      by_silhouette ? "The most cohesive clusters" : "The largest clusters",
                                      by_silhouette ? "Clusters by mean silhouette, best first, with their commonest "
                                                      "ground-truth label and top destination ports."
                                                    : "Clusters by size with their commonest ground-truth label and top destination ports.");
  g_string_free (g_steal_pointer (&ch->svg), TRUE);
  ch->html = g_string_new ("<table class=\"data\"><thead><tr><th>cluster</th><th class=\"num\">sources</th>"
                           "<th class=\"num\">silhouette</th><th class=\"num\">packets</th><th>main label</th>"
                           "<th>top ports (share of packets)</th></tr></thead><tbody>\n");
  guint n = MIN (clusters->len, (guint) r->cfg->top_clusters);
  for (guint i = 0; i < n; i++)
    clu_table_row (ch->html, g_ptr_array_index (clusters, i));
  g_string_append (ch->html, "</tbody></table>\n");
}


/* The most cohesive cluster of 10 or more sources, in words. */
static void
clu_findings (Report *r, GPtrArray *by_sil)
{
  for (guint i = 0; i < by_sil->len; i++)
    {
      const CluInfo *c = g_ptr_array_index (by_sil, i);
      if (c->size < 10 || isnan (c->silhouette))
        continue;
      double share;
      const char *label = clu_main_label (c, &share);
      char *ports[1];
      double sh[1];
      guint n = clu_parse_ports (c->top_ports, ports, sh, 1);
      g_autofree char *who = label ? g_strdup_printf (", %.0f%% %s", 100 * share, label) : g_strdup ("");
      g_autofree char *where = n == 0 ? g_strdup ("")
                               : sh[0] >= 0.1 ? g_strdup_printf (", %.0f%% of its packets to %s", 100 * sh[0], ports[0])
                                              : g_strdup (", its packets spread over many ports");
      char num[32];
      report_finding (r, "Most cohesive cluster of 10 or more sources: #%" G_GINT64_FORMAT " (%s sources, silhouette %.2f%s%s).",
                      c->id, report_fmt_si (c->size, num), c->silhouette, who, where);
      if (n)
        g_free (ports[0]);
      return;
    }
}

void
report_charts_clusters (Report *r)
{
  CluSet cs = { g_array_new (FALSE, TRUE, sizeof (CluInfo)),
                g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL),
                g_hash_table_new (g_str_hash, g_str_equal) };
  clu_from_members (r, &cs);
  clu_from_silhouette (r, &cs);
  clu_from_profile (r, &cs);
  g_array_sort (cs.info, clu_cmp_size);
  guint n = MIN (cs.info->len, (guint) r->cfg->max_clusters);
  if (n > 0)
    clu_chart_sizes (r, &cs, n);
  g_autoptr (GPtrArray) by_sil = g_ptr_array_new ();
  gboolean have_sil = FALSE;
  for (guint i = 0; i < cs.info->len; i++)
    {
      CluInfo *c = &g_array_index (cs.info, CluInfo, i);
      have_sil |= !isnan (c->silhouette);
      g_ptr_array_add (by_sil, c);
    }
  if (have_sil)
    {
      g_ptr_array_sort (by_sil, clu_cmp_sil);
      clu_chart_silhouette (r, by_sil, n);
    }
  g_autoptr (GPtrArray) largest = g_ptr_array_new ();
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (largest, &g_array_index (cs.info, CluInfo, i));
  if (report_inputs (r, REPORT_IN_PROFILE))
    clu_chart_ports (r, largest);
  if (cs.info->len > 0 && (have_sil || report_inputs (r, REPORT_IN_PROFILE)))
    clu_chart_table (r, have_sil ? by_sil : largest, have_sil);
  if (have_sil)
    clu_findings (r, by_sil);
  for (guint i = 0; i < cs.info->len; i++)
    if (g_array_index (cs.info, CluInfo, i).labels)
      g_hash_table_unref (g_array_index (cs.info, CluInfo, i).labels);
  g_array_unref (cs.info);
  g_hash_table_unref (cs.ix);
  g_hash_table_unref (cs.label_total);
}
