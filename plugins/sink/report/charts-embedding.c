/* charts-embedding.c — the embedding in 2-D: PCA by power iteration on the
 * covariance of (a sample of) the address vectors, points coloured by
 * their ground-truth label, unknown in grey. */
#include "config.h"

#include <math.h>
#include <string.h>
#include "report.h"

#define EMB_FIT_ROWS 50000u
#define EMB_ITERATIONS 300u

/* Covariance of the rows @rows (every step-th used) of @e; returns the mean too. */
static double *
emb_covariance (const DpEmbedding *e, const guint32 *rows, guint n, double *mean)
{
  guint d = e->dim, step = MAX (1u, n / EMB_FIT_ROWS), m = 0;
  double *cov = g_new0 (double, (gsize) d * d);
  g_autofree double *x = g_new (double, d);
  memset (mean, 0, d * sizeof (double));
  for (guint i = 0; i < n; i += step, m++)
    for (guint k = 0; k < d; k++)
      mean[k] += e->vectors[(gsize) rows[i] * d + k];
  for (guint k = 0; k < d; k++)
    mean[k] /= MAX (m, 1u);
  for (guint i = 0; i < n; i += step)
    {
      for (guint k = 0; k < d; k++)
        x[k] = e->vectors[(gsize) rows[i] * d + k] - mean[k];
      for (guint a = 0; a < d; a++)
        for (guint b = a; b < d; b++)
          cov[(gsize) a * d + b] += x[a] * x[b];
    }
  for (guint a = 0; a < d; a++)
    for (guint b = a; b < d; b++)
      cov[(gsize) b * d + a] = cov[(gsize) a * d + b] /= MAX (m, 1u);
  return cov;
}

/* Leading eigenvector of the symmetric @cov; returns its eigenvalue. */
static double
emb_power (const double *cov, guint d, double *v)
{
  g_autofree double *w = g_new (double, d);
  for (guint k = 0; k < d; k++)
    v[k] = 1.0 + 0.01 * k;   /* deterministic start, not orthogonal to any axis */
  double lambda = 0;
  for (guint it = 0; it < EMB_ITERATIONS; it++)
    {
      double norm = 0;
      for (guint a = 0; a < d; a++)
        {
          double s = 0;
          for (guint b = 0; b < d; b++)
            s += cov[(gsize) a * d + b] * v[b];
          w[a] = s;
          norm += s * s;
        }
      norm = sqrt (norm);
      if (norm < 1e-300)
        return 0;
      double delta = 0;
      for (guint k = 0; k < d; k++)
        {
          delta += fabs (w[k] / norm - v[k]);
          v[k] = w[k] / norm;
        }
      lambda = norm;
      if (delta < 1e-10)
        break;
    }
  /* a fixed sign: the largest component positive */
  guint big = 0;
  for (guint k = 1; k < d; k++)
    big = fabs (v[k]) > fabs (v[big]) ? k : big;
  if (v[big] < 0)
    for (guint k = 0; k < d; k++)
      v[k] = -v[k];
  return lambda;
}

/* Labels by token row (NULL: no label).  Real addresses join by value;
 * pseudonyms and words by their text, as the tables print them (two inputs
 * may have interned one pseudonym under different stand-in addresses). */
static const char **
emb_labels (Report *r, const DpEmbedding *e, const guint32 *rows, guint n)
{
  const char **lab = g_new0 (const char *, n);
  GPtrArray *in = report_inputs (r, REPORT_IN_LABELS);
  if (in == NULL)
    return lab;
  const DpTable *t = report_table (r, REPORT_IN_LABELS, 0);
  gint cl = report_col (t, "label", DP_COL_STRING), ck = dp_table_find_column (t, "ip");
  ck = ck >= 0 ? ck : report_col (t, "token", DP_COL_STRING);
  if (cl < 0 || ck < 0)
    return lab;
  gboolean by_value = t->cols[ck].type == DP_COL_IPV4 && t->names == NULL && e->vocab->names == NULL;
  g_autoptr (GHashTable) by_text = by_value ? NULL : report_label_index (t, (guint) ck, TRUE);
  g_autoptr (GString) text = g_string_new (NULL);
  DpHash by_ip;
  dp_hash_init (&by_ip, t->n_rows);
  for (guint row = 0; by_value && row < t->n_rows; row++)
    *dp_hash_upsert (&by_ip, t->cols[ck].ip[row], NULL) = row + 1;
  for (guint i = 0; i < n; i++)
    {
      guint64 key = e->vocab->keys[rows[i]], hit = 0;
      if (by_value && DP_TOKEN_KIND (key) == DP_TOK_IP)
        {
          guint64 *v = dp_hash_find (&by_ip, DP_TOKEN_VALUE (key));
          hit = v ? *v : 0;
        }
      else if (!by_value)
        {
          g_string_truncate (text, 0);
          dp_vocab_format (e->vocab, rows[i], text);
          hit = GPOINTER_TO_UINT (g_hash_table_lookup (by_text, text->str));
        }
      lab[i] = hit ? t->cols[cl].str[hit - 1] : NULL;
    }
  dp_hash_clear (&by_ip);
  return lab;
}

static gboolean
emb_is_unknown (const char *label)
{
  return label == NULL || *label == '\0' || strcmp (label, "unknown") == 0;
}

static gint
emb_cmp_count (gconstpointer a, gconstpointer b, gpointer data)
{
  const char *x = *(const char *const *) a, *y = *(const char *const *) b;
  guint cx = GPOINTER_TO_UINT (g_hash_table_lookup (data, x)), cy = GPOINTER_TO_UINT (g_hash_table_lookup (data, y));
  return cx != cy ? (cx > cy ? -1 : 1) : strcmp (x, y);
}

/* Groups: labels by count, "unknown" last; *group gets each point's. */
static GPtrArray *
emb_groups (const char **lab, guint n, guint *group)
{
  g_autoptr (GHashTable) count = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *names = g_ptr_array_new ();
  for (guint i = 0; i < n; i++)
    if (!emb_is_unknown (lab[i]))
      {
        if (!g_hash_table_contains (count, lab[i]))
          g_ptr_array_add (names, (gpointer) lab[i]);
        g_hash_table_insert (count, (gpointer) lab[i], GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (count, lab[i])) + 1));
      }
  g_ptr_array_sort_with_data (names, emb_cmp_count, count);
  g_autoptr (GHashTable) ix = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint g = 0; g < names->len; g++)
    g_hash_table_insert (ix, g_ptr_array_index (names, g), GUINT_TO_POINTER (g));
  for (guint i = 0; i < n; i++)
    group[i] = emb_is_unknown (lab[i]) ? names->len : GPOINTER_TO_UINT (g_hash_table_lookup (ix, lab[i]));
  g_ptr_array_add (names, "unknown");
  return names;
}

/* Points drawn: every labelled one first, then a regular sample of the rest. */
static guint
emb_pick (const char **lab, guint n, guint max, guint32 *pick)
{
  guint k = 0, unknown = 0;
  for (guint i = 0; i < n && k < max; i++)
    if (!emb_is_unknown (lab[i]))
      pick[k++] = i;
    else
      unknown++;
  guint room = max - k, step = unknown > room && room > 0 ? (unknown + room - 1) / room : 1, seen = 0;
  for (guint i = 0; i < n && k < max && room > 0; i++)
    if (emb_is_unknown (lab[i]) && seen++ % step == 0)
      pick[k++] = i;
  return k;
}

static void
emb_draw (Report *r, const DpEmbedding *e, const guint32 *rows, guint n, const double *pc, const double *var)
{
  g_autofree const char **lab = emb_labels (r, e, rows, n);
  g_autofree guint32 *pick = g_new (guint32, n);
  guint np = emb_pick (lab, n, (guint) MIN (r->cfg->max_points, (guint64) n), pick);
  g_autofree guint *group_all = g_new (guint, n);
  g_autoptr (GPtrArray) groups = emb_groups (lab, n, group_all);
  g_autofree double *x = g_new (double, np), *y = g_new (double, np);
  g_autofree guint *group = g_new (guint, np);
  g_autoptr (GPtrArray) tips = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GString) tok = g_string_new (NULL);
  for (guint i = 0; i < np; i++)
    {
      x[i] = pc[2 * pick[i]];
      y[i] = pc[2 * pick[i] + 1];
      group[i] = group_all[pick[i]];
      g_string_truncate (tok, 0);
      dp_vocab_format (e->vocab, rows[pick[i]], tok);
      g_ptr_array_add (tips, g_strdup_printf ("%s — %s", tok->str, lab[pick[i]] ? lab[pick[i]] : "unknown"));
    }
  guint ng = groups->len;
  g_autofree const char **colours = g_new (const char *, ng);
  g_autofree gboolean *annotate = g_new0 (gboolean, ng);
  for (guint g = 0; g < ng; g++)
    {
      colours[g] = g + 1 == ng ? REPORT_GREY : report_palette[g % REPORT_N_PALETTE];
      annotate[g] = g + 1 < ng;
    }
  g_autofree char *caption = g_strdup_printf ("%u of %u sources drawn (every labelled one first); colour: ground-truth "
                                              "label, grey: unknown; names at the centres of compact classes. The axes span the 1st to "
                                              "99th percentile: the few points beyond sit on the frame. Hover a point for its address.", np, n);
  ReportChart *c = report_chart_add (r, "embedding", "embedding-pca", "Embedding: first two principal components", caption);
  g_autofree char *xt = g_strdup_printf ("PC1 (%.0f%% of the variance)", 100 * var[0]);
  g_autofree char *yt = g_strdup_printf ("PC2 (%.0f%% of the variance)", 100 * var[1]);
  ReportScatter sc = {
    .n = np, .x = x, .y = y, .group = group, .n_groups = ng, .groups = (const char *const *) groups->pdata,
    .colours = colours, .tips = (const char *const *) tips->pdata, .annotate = annotate, .x_title = xt, .y_title = yt,
  };
  report_svg_scatter (c->svg, &sc, &c->width, &c->height);
}

void
report_charts_embedding (Report *r)
{
  GPtrArray *in = report_inputs (r, REPORT_IN_EMBEDDING);
  if (in == NULL)
    return;
  const DpEmbedding *e = (const DpEmbedding *) ((ReportInput *) g_ptr_array_index (in, in->len - 1))->batch;
  guint d = e->dim, n = 0;
  if (e->n < 2 || d == 0 || e->vocab == NULL)
    return;
  g_autofree guint32 *rows = g_new (guint32, e->n);
  for (guint i = 0; i < e->n; i++)
    if (DP_TOKEN_KIND (e->vocab->keys[i]) == DP_TOK_IP)
      rows[n++] = i;
  if (n < 2)   /* no addresses: project every token */
    for (n = 0; n < e->n; n++)
      rows[n] = n;
  g_autofree double *mean = g_new (double, d), *v1 = g_new (double, d), *v2 = g_new (double, d);
  g_autofree double *cov = emb_covariance (e, rows, n, mean);
  double trace = 0;
  for (guint k = 0; k < d; k++)
    trace += cov[(gsize) k * d + k];
  double l1 = emb_power (cov, d, v1);
  for (guint a = 0; a < d; a++)
    for (guint b = 0; b < d; b++)
      cov[(gsize) a * d + b] -= l1 * v1[a] * v1[b];
  double l2 = d > 1 ? emb_power (cov, d, v2) : 0;
  if (d == 1)
    memset (v2, 0, d * sizeof (double));
  g_autofree double *pc = g_new (double, 2 * (gsize) n);
  for (guint i = 0; i < n; i++)
    {
      double a = 0, b = 0;
      for (guint k = 0; k < d; k++)
        {
          double xk = e->vectors[(gsize) rows[i] * d + k] - mean[k];
          a += xk * v1[k];
          b += xk * v2[k];
        }
      pc[2 * i] = a;
      pc[2 * i + 1] = b;
    }
  double var[2] = { trace > 0 ? l1 / trace : 0, trace > 0 ? l2 / trace : 0 };
  emb_draw (r, e, rows, n, pc, var);
}
