/* silhouette.c — cosine silhouette of a clustering, per point and per
 * cluster (scikit-learn's silhouette_samples(metric='cosine'), which the
 * DarkVec authors used to rank clusters).
 *
 * With unit vectors the cosine distance is 1 − x·y, so the mean distance
 * of a point to a cluster is 1 − x·S_c/|c| where S_c is the cluster's sum
 * of vectors: O(n · clusters · dim) instead of the n² distance matrix. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "darkpipe.h"
#include "../common/eval.h"
#include "../common/knn.h"

typedef struct {
  int tokens;
} SilhouetteConfig;

enum { TOKENS_IP, TOKENS_ALL };

typedef struct {
  const SilhouetteConfig *cfg;
  DpEmbedding *emb;
  DpTable *clusters;
} Silhouette;

static void
silhouette_finalize (void *state)
{
  Silhouette *s = state;
  dp_batch_unref (s->emb);
  dp_batch_unref (s->clusters);
  g_free (s);
}

static gboolean
silhouette_init (DpStage *stage, const void *config, void **state, GError **error)
{
  Silhouette *s = g_new0 (Silhouette, 1);
  s->cfg = config;
  *state = s;
  return TRUE;
}

static DpFlow
silhouette_process (DpStage *stage, void *state, guint port, const char *upstream, DpBatch *batch, GError **error)
{
  Silhouette *s = state;
  DpBatch **slot = port == 0 ? (DpBatch **) &s->emb : (DpBatch **) &s->clusters;
  dp_batch_unref (*slot);
  *slot = dp_batch_ref (batch);
  return DP_FLOW_OK;
}

typedef struct {
  guint n, nc, dim;
  guint32 *rows;      /* embedding row of each point */
  guint32 *cid;       /* dense cluster id of each point */
  gint64 *value;      /* cluster value of each dense id */
  guint64 *size;
  float *x;           /* unit vectors */
  double *sum;        /* nc × dim */
  double *sil;        /* per point */
} SilData;

static void
silhouette_data_clear (SilData *d)
{
  g_free (d->rows);
  g_free (d->cid);
  g_free (d->value);
  g_free (d->size);
  free (d->x);
  g_free (d->sum);
  g_free (d->sil);
}

/* Points: the selected embedding rows that the clusters table names. */
static gboolean
silhouette_join (Silhouette *s, DpStage *stage, SilData *d, GError **error)
{
  gint cc = eval_cluster_column (s->clusters, error);
  if (cc < 0)
    return FALSE;
  guint n;
  g_autofree guint32 *rows = eval_select_rows (s->emb->vocab, s->emb->n, s->cfg->tokens == TOKENS_IP, &n);
  EvalIndex ix;
  eval_index_init (&ix, s->clusters);
  g_autoptr (GHashTable) dense = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr (GArray) values = g_array_new (FALSE, FALSE, sizeof (gint64));
  d->rows = g_new (guint32, MAX (n, 1u));
  d->cid = g_new (guint32, MAX (n, 1u));
  g_autoptr (GString) scratch = g_string_new (NULL);
  for (guint i = 0; i < n; i++)
    {
      gint64 r = eval_index_token (&ix, s->emb->vocab, rows[i], scratch);
      if (r < 0)
        continue;
      gint64 v = s->clusters->cols[cc].i64[r];
      gpointer id;
      if (!g_hash_table_lookup_extended (dense, &v, NULL, &id))
        {
          id = GUINT_TO_POINTER (values->len);
          g_hash_table_insert (dense, g_memdup2 (&v, sizeof v), id);
          g_array_append_val (values, v);
        }
      d->rows[d->n] = rows[i];
      d->cid[d->n++] = GPOINTER_TO_UINT (id);
    }
  eval_index_clear (&ix);
  if (s->clusters->n_rows > d->n)
    dp_stage_count (stage, "clustered-tokens-without-vector", s->clusters->n_rows - d->n);
  d->nc = values->len;
  d->value = (gint64 *) g_array_free (g_steal_pointer (&values), FALSE);
  return TRUE;
}

static void
silhouette_compute (SilData *d)
{
  guint dim = d->dim;
  d->size = g_new0 (guint64, MAX (d->nc, 1u));
  d->sum = g_new0 (double, (gsize) MAX (d->nc, 1u) * dim);
  d->sil = g_new0 (double, MAX (d->n, 1u));
  for (guint i = 0; i < d->n; i++)
    {
      d->size[d->cid[i]]++;
      for (guint k = 0; k < dim; k++)
        d->sum[(gsize) d->cid[i] * dim + k] += d->x[(gsize) i * dim + k];
    }
  for (guint i = 0; i < d->n; i++)
    {
      const float *x = d->x + (gsize) i * dim;
      guint own = d->cid[i];
      double a = 0, b = INFINITY, self = 0;
      for (guint k = 0; k < dim; k++)
        self += (double) x[k] * x[k];
      for (guint c = 0; c < d->nc; c++)
        {
          double dot = 0;
          for (guint k = 0; k < dim; k++)
            dot += x[k] * d->sum[(gsize) c * dim + k];
          if (c == own)
            a = d->size[c] > 1 ? ((double) (d->size[c] - 1) - (dot - self)) / (double) (d->size[c] - 1) : 0;
          else
            b = MIN (b, ((double) d->size[c] - dot) / (double) d->size[c]);
        }
      /* scikit-learn: 0 for a point alone in its cluster */
      d->sil[i] = d->size[own] > 1 && isfinite (b) && MAX (a, b) > 0 ? (b - a) / MAX (a, b) : 0;
    }
}

static DpTable *
silhouette_points (const Silhouette *s, const SilData *d)
{
  DpTable *t = dp_table_new ("silhouettes");
  guint ck = eval_add_key_column (t, s->emb->vocab, eval_rows_all_ip (s->emb->vocab, d->rows, d->n));
  guint cc = dp_table_add_column (t, "cluster", DP_COL_INT64);
  guint cs = dp_table_add_column (t, "silhouette", DP_COL_DOUBLE);
  g_autoptr (GString) scratch = g_string_new (NULL);
  for (guint i = 0; i < d->n; i++)
    {
      guint r = dp_table_append_row (t);
      eval_set_key (t, ck, r, s->emb->vocab, d->rows[i], scratch);
      dp_table_set_i64 (t, cc, r, d->value[d->cid[i]]);
      dp_table_set_f64 (t, cs, r, d->sil[i]);
    }
  return t;
}

typedef struct { gint64 value; guint64 size; double mean; } SilCluster;

static int
silhouette_cmp (const void *a, const void *b)
{
  const SilCluster *x = a, *y = b;
  if (x->mean != y->mean)
    return x->mean > y->mean ? -1 : 1;
  return x->value < y->value ? -1 : x->value > y->value;
}

/* Clusters ranked by mean silhouette, best first, as the authors did. */
static DpTable *
silhouette_clusters (const SilData *d)
{
  g_autofree SilCluster *c = g_new0 (SilCluster, MAX (d->nc, 1u));
  for (guint i = 0; i < d->n; i++)
    c[d->cid[i]].mean += d->sil[i];
  for (guint k = 0; k < d->nc; k++)
    {
      c[k].value = d->value[k];
      c[k].size = d->size[k];
      c[k].mean /= (double) MAX (d->size[k], 1u);
    }
  qsort (c, d->nc, sizeof *c, silhouette_cmp);
  DpTable *t = dp_table_new ("cluster_silhouettes");
  dp_table_add_column (t, "cluster", DP_COL_INT64);
  dp_table_add_column (t, "size", DP_COL_INT64);
  dp_table_add_column (t, "silhouette", DP_COL_DOUBLE);
  for (guint k = 0; k < d->nc; k++)
    {
      guint r = dp_table_append_row (t);
      dp_table_set_i64 (t, 0, r, c[k].value);
      dp_table_set_i64 (t, 1, r, (gint64) c[k].size);
      dp_table_set_f64 (t, 2, r, c[k].mean);
    }
  return t;
}

static gboolean
silhouette_finish (DpStage *stage, void *state, GError **error)
{
  Silhouette *s = state;
  g_autoptr (DpVocab) empty = dp_vocab_new ();
  if (s->emb == NULL)
    s->emb = dp_embedding_new (empty, 0, 1);
  if (s->clusters == NULL)
    s->clusters = eval_clusters_empty ();
  SilData d = { .dim = s->emb->dim };
  if (!silhouette_join (s, stage, &d, error))
    {
      silhouette_data_clear (&d);
      return FALSE;
    }
  guint zero = 0;
  d.x = knn_prepare (s->emb->vectors, s->emb->dim, d.rows, d.n, FALSE, &zero);
  if (zero)
    dp_stage_count (stage, "zero-vectors", zero);
  silhouette_compute (&d);
  dp_stage_count (stage, "points", d.n);
  dp_stage_push (stage, 0, silhouette_points (s, &d));
  dp_stage_push (stage, 1, silhouette_clusters (&d));
  silhouette_data_clear (&d);
  return TRUE;
}

static const char *const silhouette_tokens[] = { "ip", "all", NULL };

static const DpOptionDesc silhouette_options[] = {
  DP_OPTION_ENUM ("tokens", "ip", SilhouetteConfig, tokens, silhouette_tokens,
                  "Which embedding rows take part: address tokens only, or every token."),
};

static const DpColumnDesc silhouette_in_columns[] = {
  { "cluster", DP_COL_INT64, 0 },
};
static const DpColumnDesc silhouette_point_columns[] = {
  { "cluster", DP_COL_INT64, 0 },
  { "silhouette", DP_COL_DOUBLE, 0 },
};
static const DpColumnDesc silhouette_cluster_columns[] = {
  { "cluster", DP_COL_INT64, 0 },
  { "size", DP_COL_INT64, 0 },
  { "silhouette", DP_COL_DOUBLE, 0 },
};

static const DpPortDesc silhouette_inputs[] = {
  { "embedding", DP_TYPE_EMBEDDING, 0, "The vectors the clusters were made from." },
  { "clusters", DP_TYPE_TABLE, 0, "ip (or token) and an integer cluster column (louvain, kmeans).", DP_PORT_COLUMNS (silhouette_in_columns) },
};
static const DpPortDesc silhouette_outputs[] = {
  { "silhouettes", DP_TYPE_TABLE, 0, "Per point: ip (or token), cluster, silhouette.", DP_PORT_COLUMNS (silhouette_point_columns) },
  { "clusters", DP_TYPE_TABLE, 0, "Per cluster: cluster, size, mean silhouette; best first.", DP_PORT_COLUMNS (silhouette_cluster_columns) },
};

DP_PLUGIN_DEFINE (silhouette,
  .kind = DP_KIND_EVALUATOR,
  .summary = "Cosine silhouette per point and per cluster",
  .version = "1.0",
  .doc = "The silhouette (b - a) / max(a, b) of every clustered point, a being its mean "
         "cosine distance to the rest of its cluster and b the smallest mean distance to "
         "another cluster, as scikit-learn's silhouette_samples(metric='cosine'); a point "
         "alone in its cluster scores 0, and so does every point when there is only one "
         "cluster (where scikit-learn refuses). Mean distances come from per-cluster sums "
         "of unit vectors, so the cost is points x clusters x dim. Clustered tokens without "
         "a vector are counted and left out; vectors without a cluster are ignored.",
  .inputs = silhouette_inputs, .n_inputs = DP_N_ELEMENTS (silhouette_inputs),
  .outputs = silhouette_outputs, .n_outputs = DP_N_ELEMENTS (silhouette_outputs),
  .options = silhouette_options, .n_options = DP_N_ELEMENTS (silhouette_options),
  .config_size = sizeof (SilhouetteConfig),
  .init = silhouette_init,
  .process = silhouette_process,
  .finish = silhouette_finish,
  .finalize = silhouette_finalize)
