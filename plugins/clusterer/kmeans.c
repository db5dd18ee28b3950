/* kmeans.c — k-means (Lloyd) with k-means++ seeding, on unit vectors
 * (metric: cosine, the usual choice for embeddings) or raw ones
 * (euclidean), as the authors' supervised k-means baseline (§9). */
#include "config.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "darkpipe.h"
#include "../common/eval.h"
#include "../common/knn.h"

typedef struct {
  guint64 k;
  guint64 seed;
  guint64 max_iter;
  guint64 n_init;
  double tol;
  int metric;
  int tokens;
} KmeansConfig;

enum { METRIC_COSINE, METRIC_EUCLIDEAN };
enum { TOKENS_IP, TOKENS_ALL };

typedef struct {
  const KmeansConfig *cfg;
  DpEmbedding *emb;
} Kmeans;

typedef struct {
  const float *x;
  guint n, dim, k;
  double *centres;   /* k × dim */
  guint32 *label;
  double inertia;
  guint iterations;
} KmRun;

static void
kmeans_finalize (void *state)
{
  Kmeans *s = state;
  dp_batch_unref (s->emb);
  g_free (s);
}

static gboolean
kmeans_init (DpStage *stage, const void *config, void **state, GError **error)
{
  Kmeans *s = g_new0 (Kmeans, 1);
  s->cfg = config;
  *state = s;
  return TRUE;
}

static DpFlow
kmeans_process (DpStage *stage, void *state, guint port, const char *upstream, DpBatch *batch, GError **error)
{
  Kmeans *s = state;
  dp_batch_unref (s->emb);
  s->emb = dp_batch_ref (batch);
  return DP_FLOW_OK;
}

static double
kmeans_dist2 (const float *x, const double *c, guint dim)
{
  double s = 0;
  for (guint d = 0; d < dim; d++)
    {
      double v = x[d] - c[d];
      s += v * v;
    }
  return s;
}

/* k-means++: each next centre drawn with probability ∝ D(x)². */
static void
kmeans_seed (KmRun *r, GRand *rand)
{
  g_autofree double *best = g_new (double, r->n);
  guint first = (guint) g_rand_int_range (rand, 0, (gint32) r->n);
  for (guint d = 0; d < r->dim; d++)
    r->centres[d] = r->x[(gsize) first * r->dim + d];
  for (guint i = 0; i < r->n; i++)
    best[i] = kmeans_dist2 (r->x + (gsize) i * r->dim, r->centres, r->dim);
  for (guint c = 1; c < r->k; c++)
    {
      double total = 0;
      for (guint i = 0; i < r->n; i++)
        total += best[i];
      double target = g_rand_double (rand) * total;
      guint pick = r->n - 1;
      for (guint i = 0; i < r->n && total > 0; i++)
        if ((target -= best[i]) < 0)
          {
            pick = i;
            break;
          }
      if (total <= 0)  /* fewer distinct points than k: any point will do */
        pick = (guint) g_rand_int_range (rand, 0, (gint32) r->n);
      double *centre = r->centres + (gsize) c * r->dim;
      for (guint d = 0; d < r->dim; d++)
        centre[d] = r->x[(gsize) pick * r->dim + d];
      for (guint i = 0; i < r->n; i++)
        best[i] = MIN (best[i], kmeans_dist2 (r->x + (gsize) i * r->dim, centre, r->dim));
    }
}

/* Assigns every point to its nearest centre; returns the inertia. */
static double
kmeans_assign (KmRun *r)
{
  double inertia = 0;
  for (guint i = 0; i < r->n; i++)
    {
      double best = DBL_MAX;
      guint32 bc = 0;
      for (guint c = 0; c < r->k; c++)
        {
          double d = kmeans_dist2 (r->x + (gsize) i * r->dim, r->centres + (gsize) c * r->dim, r->dim);
          if (d < best)
            {
              best = d;
              bc = c;
            }
        }
      r->label[i] = bc;
      inertia += best;
    }
  return inertia;
}

/* New centres as means; an emptied cluster takes the point farthest from
 * its centre.  Returns the total squared shift of the centres. */
static double
kmeans_update (KmRun *r)
{
  g_autofree double *sum = g_new0 (double, (gsize) r->k * r->dim);
  g_autofree guint64 *count = g_new0 (guint64, r->k);
  for (guint i = 0; i < r->n; i++)
    {
      count[r->label[i]]++;
      for (guint d = 0; d < r->dim; d++)
        sum[(gsize) r->label[i] * r->dim + d] += r->x[(gsize) i * r->dim + d];
    }
  double shift = 0;
  for (guint c = 0; c < r->k; c++)
    {
      double *centre = r->centres + (gsize) c * r->dim;
      if (count[c] == 0)
        {
          guint far = 0;
          double fd = -1;
          for (guint i = 0; i < r->n; i++)
            {
              double d = kmeans_dist2 (r->x + (gsize) i * r->dim, r->centres + (gsize) r->label[i] * r->dim, r->dim);
              if (d > fd)
                {
                  fd = d;
                  far = i;
                }
            }
          for (guint d = 0; d < r->dim; d++)
            sum[(gsize) c * r->dim + d] = r->x[(gsize) far * r->dim + d];
          count[c] = 1;
        }
      for (guint d = 0; d < r->dim; d++)
        {
          double v = sum[(gsize) c * r->dim + d] / (double) count[c];
          shift += (v - centre[d]) * (v - centre[d]);
          centre[d] = v;
        }
    }
  return shift;
}

/* scikit-learn's tolerance: tol times the mean per-dimension variance. */
static double
kmeans_tolerance (const float *x, guint n, guint dim, double tol)
{
  double total = 0;
  for (guint d = 0; d < dim; d++)
    {
      double m = 0, v = 0;
      for (guint i = 0; i < n; i++)
        m += x[(gsize) i * dim + d];
      m /= MAX (n, 1u);
      for (guint i = 0; i < n; i++)
        v += (x[(gsize) i * dim + d] - m) * (x[(gsize) i * dim + d] - m);
      total += v / MAX (n, 1u);
    }
  return tol * total / MAX (dim, 1u);
}

static void
kmeans_lloyd (KmRun *r, const KmeansConfig *c, GRand *rand, double tol)
{
  kmeans_seed (r, rand);
  r->iterations = 0;
  while (r->iterations < c->max_iter)
    {
      r->iterations++;
      kmeans_assign (r);
      if (kmeans_update (r) <= tol)
        break;
    }
  r->inertia = kmeans_assign (r);
}

static void
kmeans_outputs (DpStage *stage, const Kmeans *s, const guint32 *rows, const KmRun *r)
{
  DpTable *t = dp_table_new ("clusters");
  guint ck = eval_add_key_column (t, s->emb->vocab, eval_rows_all_ip (s->emb->vocab, rows, r->n));
  guint cc = dp_table_add_column (t, "cluster", DP_COL_INT64);
  g_autoptr (GString) scratch = g_string_new (NULL);
  for (guint i = 0; i < r->n; i++)
    {
      guint row = dp_table_append_row (t);
      eval_set_key (t, ck, row, s->emb->vocab, rows[i], scratch);
      dp_table_set_i64 (t, cc, row, r->label[i]);
    }
  DpTable *sum = dp_table_new ("summary");
  dp_table_add_column (sum, "inertia", DP_COL_DOUBLE);
  dp_table_add_column (sum, "iterations", DP_COL_INT64);
  dp_table_add_column (sum, "k", DP_COL_INT64);
  guint row = dp_table_append_row (sum);
  dp_table_set_f64 (sum, 0, row, r->inertia);
  dp_table_set_i64 (sum, 1, row, r->iterations);
  dp_table_set_i64 (sum, 2, row, r->k);
  dp_stage_push (stage, 0, t);
  dp_stage_push (stage, 1, sum);
}

/* The points to cluster: rows made unit length for cosine (squared
 * distance 2 - 2 cos; aligned, free with free()), a plain copy of the rows
 * for euclidean (free with g_free()). */
static float *
kmeans_points (const DpEmbedding *e, const guint32 *rows, guint n, gboolean cosine)
{
  if (cosine)
    return knn_prepare (e->vectors, e->dim, rows, n, FALSE, NULL);
  float *x = g_new (float, MAX ((gsize) n * e->dim, 1u));
  for (guint i = 0; i < n; i++)
    memcpy (x + (gsize) i * e->dim, e->vectors + (gsize) rows[i] * e->dim, e->dim * sizeof (float));
  return x;
}

static gboolean
kmeans_finish (DpStage *stage, void *state, GError **error)
{
  Kmeans *s = state;
  const KmeansConfig *c = s->cfg;
  g_autoptr (DpVocab) empty = dp_vocab_new ();
  if (s->emb == NULL)
    s->emb = dp_embedding_new (empty, 0, 1);
  guint n;
  g_autofree guint32 *rows = eval_select_rows (s->emb->vocab, s->emb->n, c->tokens == TOKENS_IP, &n);
  guint dim = s->emb->dim;
  gboolean cosine = c->metric == METRIC_COSINE;
  float *x = kmeans_points (s->emb, rows, n, cosine);
  guint k = (guint) MIN (c->k, (guint64) n);
  if (k < c->k)
    dp_stage_info (stage, "only %u points: k lowered from %" G_GUINT64_FORMAT " to %u", n, c->k, k);
  KmRun best = { x, n, dim, k, g_new0 (double, (gsize) MAX (k, 1u) * dim), g_new0 (guint32, MAX (n, 1u)), INFINITY, 0 };
  KmRun r = { x, n, dim, k, g_new0 (double, (gsize) MAX (k, 1u) * dim), g_new0 (guint32, MAX (n, 1u)), 0, 0 };
  g_autoptr (GRand) rand = g_rand_new_with_seed ((guint32) (c->seed ^ (c->seed >> 32)));
  double tol = kmeans_tolerance (x, n, dim, c->tol);
  for (guint t = 0; t < c->n_init && k > 0 && !dp_stage_cancelled (stage); t++)
    {
      kmeans_lloyd (&r, c, rand, tol);
      if (r.inertia < best.inertia)
        {
          KmRun swap = best;
          best = r;
          r = swap;
        }
    }
  if (k == 0)
    best.inertia = 0;
  eval_order_clusters (best.label, n, k);
  if (!dp_stage_cancelled (stage))
    kmeans_outputs (stage, s, rows, &best);
  if (cosine)
    free (x);
  else
    g_free (x);
  g_free (best.centres); g_free (best.label); g_free (r.centres); g_free (r.label);
  return TRUE;
}

static const char *const kmeans_metrics[] = { "cosine", "euclidean", NULL };
static const char *const kmeans_tokens[] = { "ip", "all", NULL };

static const DpOptionDesc kmeans_options[] = {
  DP_OPTION_RANGE ("k", DP_OPT_UINT, "10", KmeansConfig, k, 1, 1e6, "Number of clusters (lowered to the number of points when larger)."),
  DP_OPTION ("seed", DP_OPT_UINT, "15", KmeansConfig, seed, "Seed of the k-means++ draws."),
  DP_OPTION_RANGE ("max_iter", DP_OPT_UINT, "300", KmeansConfig, max_iter, 1, 1e6, "Most Lloyd iterations per run."),
  DP_OPTION_RANGE ("n_init", DP_OPT_UINT, "1", KmeansConfig, n_init, 1, 1000, "Runs from different seeds; the lowest inertia wins."),
  DP_OPTION_RANGE ("tol", DP_OPT_DOUBLE, "1e-4", KmeansConfig, tol, 0, 1, "Stop when the centres move less than tol times the mean variance (scikit-learn's rule)."),
  DP_OPTION_ENUM ("metric", "cosine", KmeansConfig, metric, kmeans_metrics, "cosine: cluster the unit vectors; euclidean: the raw vectors."),
  DP_OPTION_ENUM ("tokens", "ip", KmeansConfig, tokens, kmeans_tokens, "Which embedding rows take part: address tokens only, or every token."),
};

static const DpPortDesc kmeans_inputs[] = {
  { "embedding", DP_TYPE_EMBEDDING, 0, "The vectors to cluster." },
};
static const DpColumnDesc kmeans_cluster_columns[] = {
  { "cluster", DP_COL_INT64, 0 },
};
static const DpColumnDesc kmeans_summary_columns[] = {
  { "inertia", DP_COL_DOUBLE, 0 },
  { "iterations", DP_COL_INT64, 0 },
  { "k", DP_COL_INT64, 0 },
};

static const DpPortDesc kmeans_outputs_desc[] = {
  { "clusters", DP_TYPE_TABLE, 0, "ip (or token), cluster: 0 is the largest cluster.", DP_PORT_COLUMNS (kmeans_cluster_columns) },
  { "summary", DP_TYPE_TABLE, 0, "One row: inertia (sum of squared distances to the centres), iterations, k.", DP_PORT_COLUMNS (kmeans_summary_columns) },
};

DP_PLUGIN_DEFINE (kmeans,
  .kind = DP_KIND_CLUSTERER,
  .summary = "k-means clustering (k-means++ seeding) of an embedding",
  .version = "1.0",
  .doc = "Lloyd's k-means from k-means++ seeds drawn with `seed`, `n_init` times, keeping "
         "the run of lowest inertia. With `metric: cosine` the vectors are scaled to unit "
         "length first (zero vectors stay zero). An emptied cluster restarts at the point "
         "farthest from its centre. The cluster ids are ordered by decreasing size. The "
         "authors' supervised k-means (KMeans(n_clusters=10, random_state=15)) is "
         "`k: 10, metric: euclidean`; scikit-learn's own random draws are not reproduced.",
  .inputs = kmeans_inputs, .n_inputs = DP_N_ELEMENTS (kmeans_inputs),
  .outputs = kmeans_outputs_desc, .n_outputs = DP_N_ELEMENTS (kmeans_outputs_desc),
  .options = kmeans_options, .n_options = DP_N_ELEMENTS (kmeans_options),
  .config_size = sizeof (KmeansConfig),
  .init = kmeans_init,
  .process = kmeans_process,
  .finish = kmeans_finish,
  .finalize = kmeans_finalize)
