/* knn_graph.c — the cosine k'-nearest-neighbour graph of an embedding, as
 * the DarkVec authors built it before Louvain (darkvec-method.md §10): each
 * node links to its k' nearest neighbours (itself excluded by identity),
 * the graph is the undirected union of those directed edges (a mutual pair
 * is one edge), weighted by 1 − |cosine distance| or one of i-DarkVec's
 * other weightings. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "darkpipe.h"
#include "../common/eval.h"
#include "../common/knn.h"

typedef struct {
  guint64 k;
  int weight;
  double weight_a, weight_b, weight_c, weight_degree;
  int tokens;
  guint64 block_rows;
} KnnGraphConfig;

enum { WEIGHT_LINEAR, WEIGHT_NEGEXP, WEIGHT_POLY, WEIGHT_GAUSS };
enum { TOKENS_IP, TOKENS_ALL };

typedef struct {
  const KnnGraphConfig *cfg;
  DpEmbedding *emb;
} KnnGraph;

static void
knn_graph_finalize (void *state)
{
  KnnGraph *s = state;
  dp_batch_unref (s->emb);
  g_free (s);
}

static gboolean
knn_graph_check (DpStage *stage, const void *config, GError **error)
{
  const KnnGraphConfig *c = config;
  if ((c->weight == WEIGHT_NEGEXP && c->weight_b <= 0) || (c->weight == WEIGHT_GAUSS && c->weight_c <= 0))
    {
      const char *opt = c->weight == WEIGHT_NEGEXP ? "weight_b" : "weight_c";
      return dp_stage_config_error (stage, error, DP_CONFIG_ERROR_RANGE, opt, "option '%s' must be > 0 for weight %s",
                                    opt, c->weight == WEIGHT_NEGEXP ? "negexp" : "gauss");
    }
  return TRUE;
}

static gboolean
knn_graph_init (DpStage *stage, const void *config, void **state, GError **error)
{
  KnnGraph *s = g_new0 (KnnGraph, 1);
  s->cfg = config;
  *state = s;
  return TRUE;
}

static DpFlow
knn_graph_process (DpStage *stage, void *state, guint port, const char *upstream, DpBatch *batch, GError **error)
{
  KnnGraph *s = state;
  dp_batch_unref (s->emb);
  s->emb = dp_batch_ref (batch);
  return DP_FLOW_OK;
}

/* i-DarkVec's weighting functions (notebooks/src/knnGraph.py) of |d|. */
static double
knn_graph_weight (const KnnGraphConfig *c, double d)
{
  d = fabs (d);
  switch (c->weight)
    {
    case WEIGHT_NEGEXP: return c->weight_a * exp (-d / c->weight_b);
    case WEIGHT_POLY: return pow (1 - d, c->weight_degree);
    case WEIGHT_GAUSS: return c->weight_a * exp (-(d - c->weight_b) * (d - c->weight_b) / (2 * c->weight_c * c->weight_c));
    case WEIGHT_LINEAR: default: return 1 - d;
    }
}

typedef struct {
  guint64 key;    /* u << 32 | v with u < v */
  float w;
} KnnEdge;

static int
knn_graph_cmp_edge (const void *a, const void *b)
{
  guint64 x = ((const KnnEdge *) a)->key, y = ((const KnnEdge *) b)->key;
  return x < y ? -1 : x > y;
}

/* Undirected, deduplicated edges of the neighbour lists; *dropped counts
 * the edges whose weight is not positive. */
static KnnEdge *
knn_graph_edges (const KnnGraphConfig *c, const guint32 *idx, const float *sim, guint n,
                 guint k, gsize *n_edges, guint64 *dropped)
{
  KnnEdge *e = g_new (KnnEdge, MAX ((gsize) n * k, 1u));
  gsize m = 0;
  *dropped = 0;
  for (guint i = 0; i < n; i++)
    for (guint r = 0; r < k; r++)
      {
        guint32 j = idx[(gsize) i * k + r];
        if (j == KNN_NONE)
          break;
        double w = knn_graph_weight (c, knn_distance (sim[(gsize) i * k + r]));
        if (!(w > 0) || !isfinite (w))
          {
            (*dropped)++;
            continue;
          }
        guint64 u = MIN (i, j), v = MAX (i, j);
        e[m].key = (u << 32) | v;
        e[m].w = (float) w;
        m++;
      }
  qsort (e, m, sizeof *e, knn_graph_cmp_edge);
  gsize out = 0;
  for (gsize i = 0; i < m; i++)
    if (out == 0 || e[out - 1].key != e[i].key)
      e[out++] = e[i];
  *n_edges = out;
  return e;
}

/* CSR with both directions; rows come out sorted because the edges are
 * sorted by (u, v). */
static DpGraph *
knn_graph_csr (DpVocab *vocab, guint n, const KnnEdge *e, gsize m)
{
  DpGraph *g = dp_graph_new (vocab, n, (guint64) m * 2);
  for (gsize i = 0; i < m; i++)
    {
      g->rowptr[(e[i].key >> 32) + 1]++;
      g->rowptr[(e[i].key & 0xffffffffu) + 1]++;
    }
  for (guint i = 0; i < n; i++)
    g->rowptr[i + 1] += g->rowptr[i];
  g_autofree guint64 *fill = g_memdup2 (g->rowptr, (gsize) n * sizeof (guint64));
  for (gsize i = 0; i < m; i++)
    {
      guint32 u = (guint32) (e[i].key >> 32), v = (guint32) (e[i].key & 0xffffffffu);
      g->col[fill[u]] = v;
      g->weight[fill[u]++] = e[i].w;
      g->col[fill[v]] = u;
      g->weight[fill[v]++] = e[i].w;
    }
  return g;
}

static gboolean
knn_graph_finish (DpStage *stage, void *state, GError **error)
{
  KnnGraph *s = state;
  const KnnGraphConfig *c = s->cfg;
  /* under MPI the other ranks search their share of rank 0's rows */
  if (dp_stage_rank (stage) != 0)
    return knn_search_follow (stage, dp_stage_threads (stage), error);
  g_autoptr (DpVocab) empty = dp_vocab_new ();
  if (s->emb == NULL)
    s->emb = dp_embedding_new (empty, 0, 1);
  guint n, k = (guint) c->k;
  g_autofree guint32 *rows = eval_select_rows (s->emb->vocab, s->emb->n, c->tokens == TOKENS_IP, &n);
  guint zero = 0;
  float *x = knn_prepare (s->emb->vectors, s->emb->dim, rows, n, FALSE, &zero);
  g_autofree guint32 *self = g_new (guint32, MAX (n, 1u));
  for (guint i = 0; i < n; i++)
    self[i] = i;
  g_autofree guint32 *idx = g_new (guint32, (gsize) MAX (n, 1u) * k);
  g_autofree float *sim = g_new (float, (gsize) MAX (n, 1u) * k);
  KnnParams p = { k, (guint) c->block_rows, dp_stage_threads (stage), stage };
  gboolean ok = knn_search_ranks (stage, x, n, x, n, self, s->emb->dim, &p, idx, sim);
  free (x);
  if (!ok)
    return TRUE;   /* cancelled: push nothing */
  gsize m;
  guint64 dropped;
  g_autofree KnnEdge *edges = knn_graph_edges (c, idx, sim, n, k, &m, &dropped);
  g_autoptr (DpVocab) vocab = n == s->emb->vocab->n && n == s->emb->n
    ? dp_vocab_ref (s->emb->vocab) : eval_subvocab (s->emb->vocab, rows, n);
  dp_stage_count (stage, "nodes", n);
  dp_stage_count (stage, "edges", m);
  if (dropped)
    dp_stage_count (stage, "non-positive-weights-dropped", dropped);
  if (zero)
    dp_stage_count (stage, "zero-vectors", zero);
  dp_stage_push (stage, 0, knn_graph_csr (vocab, n, edges, m));
  return TRUE;
}

static const char *const knn_graph_weights[] = { "linear", "negexp", "poly", "gauss", NULL };
static const char *const knn_graph_tokens[] = { "ip", "all", NULL };

static const DpOptionDesc knn_graph_options[] = {
  DP_OPTION_RANGE ("k", DP_OPT_UINT, "3", KnnGraphConfig, k, 1, 1000,
                   "Neighbours each node links to (k' of the paper; itself excluded)."),
  DP_OPTION_ENUM ("weight", "linear", KnnGraphConfig, weight, knn_graph_weights,
                  "Edge weight of the cosine distance d: linear 1-|d|, negexp a*exp(-|d|/b), poly (1-|d|)^degree, gauss a*exp(-(|d|-b)^2/(2c^2))."),
  DP_OPTION ("weight_a", DP_OPT_DOUBLE, "1", KnnGraphConfig, weight_a, "Scale a of the negexp and gauss weights."),
  DP_OPTION ("weight_b", DP_OPT_DOUBLE, "1", KnnGraphConfig, weight_b, "Scale b of negexp, centre b of gauss."),
  DP_OPTION ("weight_c", DP_OPT_DOUBLE, "1", KnnGraphConfig, weight_c, "Width c of the gauss weight."),
  DP_OPTION ("weight_degree", DP_OPT_DOUBLE, "2", KnnGraphConfig, weight_degree, "Exponent of the poly weight."),
  DP_OPTION_ENUM ("tokens", "ip", KnnGraphConfig, tokens, knn_graph_tokens,
                  "Which embedding rows become nodes: address tokens only, or every token."),
  DP_OPTION_RANGE ("block_rows", DP_OPT_UINT, "512", KnnGraphConfig, block_rows, 16, 65536,
                   "Rows per block of the exact search; scratch memory is threads x block_rows^2 floats."),
};

static const DpPortDesc knn_graph_inputs[] = {
  { "embedding", DP_TYPE_EMBEDDING, 0, "Vectors of the nodes." },
};
static const DpPortDesc knn_graph_outputs[] = {
  { "graph", DP_TYPE_GRAPH, 0, "Undirected weighted kNN graph (each edge stored in both directions)." },
};

DP_PLUGIN_DEFINE (knn_graph,
  .kind = DP_KIND_CLUSTERER,
  .summary = "Cosine k-nearest-neighbour graph of an embedding",
  .version = "1.0",
  .doc = "Exact cosine k'-NN (blocked, multi-threaded) of every node, itself excluded by "
         "identity. Node i links to its k' nearest; the graph is the undirected union of "
         "these edges, a mutual pair kept once, as networkx.Graph did for the authors. Edges "
         "whose weight is not positive (possible with linear weights beyond distance 1) are "
         "dropped and counted. The nodes are the selected rows in embedding order; "
         "the graph's vocabulary is the embedding's when every row is a node.",
  .inputs = knn_graph_inputs, .n_inputs = DP_N_ELEMENTS (knn_graph_inputs),
  .outputs = knn_graph_outputs, .n_outputs = DP_N_ELEMENTS (knn_graph_outputs),
  .options = knn_graph_options, .n_options = DP_N_ELEMENTS (knn_graph_options),
  .config_size = sizeof (KnnGraphConfig),
  .check = knn_graph_check,
  .flags = DP_PLUGIN_THREADED | DP_PLUGIN_COLLECTIVE,
  .init = knn_graph_init,
  .process = knn_graph_process,
  .finish = knn_graph_finish,
  .finalize = knn_graph_finalize)
