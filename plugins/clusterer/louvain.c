/* louvain.c — multi-level modularity optimisation (Blondel et al. 2008)
 * with the fast local moving of Traag (arXiv 1503.01322): nodes are visited
 * from a queue in random order and a node is queued again only when a
 * neighbour moved away from its community, so a pass costs time linear in
 * the edges that changed instead of a full sweep until nothing moves. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "darkpipe.h"
#include "../common/eval.h"

typedef struct {
  double resolution;
  guint64 seed;
  guint64 max_levels;
} LouvainConfig;

typedef struct {
  const LouvainConfig *cfg;
  DpGraph *graph;
} Louvain;

/* One level: a symmetric weighted graph without self-loops in the CSR;
 * self-loop weight (A_ii, both directions of inner edges folded in) apart. */
typedef struct {
  guint n;
  guint64 *rowptr;
  guint32 *col;
  double *w;
  double *self;
  double *k;       /* weighted degree: row sum + self */
} LvGraph;

static void
louvain_graph_free (LvGraph *g)
{
  g_free (g->rowptr);
  g_free (g->col);
  g_free (g->w);
  g_free (g->self);
  g_free (g->k);
  g_free (g);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LvGraph, louvain_graph_free)

static void
louvain_finalize (void *state)
{
  Louvain *s = state;
  dp_batch_unref (s->graph);
  g_free (s);
}

static gboolean
louvain_init (DpStage *stage, const void *config, void **state, GError **error)
{
  Louvain *s = g_new0 (Louvain, 1);
  s->cfg = config;
  *state = s;
  return TRUE;
}

static DpFlow
louvain_process (DpStage *stage, void *state, guint port, const char *upstream, DpBatch *batch, GError **error)
{
  Louvain *s = state;
  dp_batch_unref (s->graph);
  s->graph = dp_batch_ref (batch);
  return DP_FLOW_OK;
}

/* Level 0 from the input: self entries folded apart, entries that are not
 * positive weights or point outside the graph skipped (*skipped). */
static LvGraph *
louvain_graph_from (const DpGraph *in, guint64 *skipped)
{
  LvGraph *g = g_new0 (LvGraph, 1);
  g->n = in->n_nodes;
  g->rowptr = g_new0 (guint64, (gsize) g->n + 1);
  g->col = g_new (guint32, MAX (in->n_edges, 1u));
  g->w = g_new (double, MAX (in->n_edges, 1u));
  g->self = g_new0 (double, MAX (g->n, 1u));
  g->k = g_new0 (double, MAX (g->n, 1u));
  guint64 m = 0;
  *skipped = 0;
  for (guint i = 0; i < g->n; i++)
    {
      for (guint64 e = in->rowptr[i]; e < in->rowptr[i + 1] && e < in->n_edges; e++)
        {
          double w = in->weight[e];
          guint32 j = in->col[e];
          if (!(w > 0) || !isfinite (w) || j >= g->n)
            {
              (*skipped)++;
              continue;
            }
          g->k[i] += w;
          if (j == i)
            g->self[i] += w;
          else
            {
              g->col[m] = j;
              g->w[m++] = w;
            }
        }
      g->rowptr[i + 1] = m;
    }
  return g;
}

/* ------------------------------------------------------------------ */
/* local moving */

typedef struct {
  guint32 *comm;
  double *tot;       /* Σ k over each community */
  double *nw;        /* scratch: weight from the node to each community */
  guint32 *touched;
  guint32 *queue;    /* circular */
  guint8 *queued;
} LvMove;

static guint32
louvain_best (const LvGraph *g, LvMove *mv, guint32 i, double gamma_m2)
{
  guint nt = 0;
  for (guint64 e = g->rowptr[i]; e < g->rowptr[i + 1]; e++)
    {
      guint32 c = mv->comm[g->col[e]];
      if (mv->nw[c] < 0)
        {
          mv->nw[c] = 0;
          mv->touched[nt++] = c;
        }
      mv->nw[c] += g->w[e];
    }
  guint32 own = mv->comm[i];
  double ki = g->k[i];
  mv->tot[own] -= ki;
  guint32 best = own;
  double best_gain = (mv->nw[own] > 0 ? mv->nw[own] : 0) - ki * mv->tot[own] * gamma_m2;
  for (guint t = 0; t < nt; t++)
    {
      guint32 c = mv->touched[t];
      double gain = mv->nw[c] - ki * mv->tot[c] * gamma_m2;
      /* strictly better only: a node never hops between equal choices */
      if (gain > best_gain + 1e-12 * fabs (best_gain))
        {
          best = c;
          best_gain = gain;
        }
    }
  for (guint t = 0; t < nt; t++)
    mv->nw[mv->touched[t]] = -1;
  mv->tot[best] += ki;
  return best;
}

/* Moves nodes until none gains; returns how many moves were made. */
static guint64
louvain_move (const LvGraph *g, LvMove *mv, double gamma, double m2, GRand *rand)
{
  guint n = g->n;
  for (guint i = 0; i < n; i++)
    {
      mv->comm[i] = i;
      mv->tot[i] = g->k[i];
      mv->nw[i] = -1;
      mv->queue[i] = i;
      mv->queued[i] = 1;
    }
  for (guint i = n; i > 1; i--)
    {
      guint j = (guint) g_rand_int_range (rand, 0, (gint32) i);
      guint32 t = mv->queue[i - 1];
      mv->queue[i - 1] = mv->queue[j];
      mv->queue[j] = t;
    }
  guint64 head = 0, len = n, moves = 0;
  double gamma_m2 = m2 > 0 ? gamma / m2 : 0;
  while (len > 0)
    {
      guint32 i = mv->queue[head];
      head = (head + 1) % n;
      len--;
      mv->queued[i] = 0;
      guint32 own = mv->comm[i], best = louvain_best (g, mv, i, gamma_m2);
      if (best == own)
        continue;
      mv->comm[i] = best;
      moves++;
      for (guint64 e = g->rowptr[i]; e < g->rowptr[i + 1]; e++)
        {
          guint32 j = g->col[e];
          if (!mv->queued[j] && mv->comm[j] != best)
            {
              mv->queue[(head + len) % n] = j;
              len++;
              mv->queued[j] = 1;
            }
        }
    }
  return moves;
}

/* ------------------------------------------------------------------ */
/* aggregation */

/* Renumbers @comm to 0..nc-1 in order of first appearance; returns nc. */
static guint
louvain_renumber (guint32 *comm, guint n)
{
  g_autofree guint32 *map = g_new (guint32, MAX (n, 1u));
  memset (map, 0xff, (gsize) n * sizeof (guint32));
  guint nc = 0;
  for (guint i = 0; i < n; i++)
    {
      if (map[comm[i]] == G_MAXUINT32)
        map[comm[i]] = nc++;
      comm[i] = map[comm[i]];
    }
  return nc;
}

/* The graph of the communities: inner edges become self-loops. */
static LvGraph *
louvain_aggregate (const LvGraph *g, const guint32 *comm, guint nc)
{
  g_autofree guint64 *start = g_new0 (guint64, (gsize) nc + 1);
  g_autofree guint32 *members = g_new (guint32, MAX (g->n, 1u));
  for (guint i = 0; i < g->n; i++)
    start[comm[i] + 1]++;
  for (guint c = 0; c < nc; c++)
    start[c + 1] += start[c];
  g_autofree guint64 *fill = g_memdup2 (start, (gsize) nc * sizeof (guint64));
  for (guint i = 0; i < g->n; i++)
    members[fill[comm[i]]++] = i;
  LvGraph *a = g_new0 (LvGraph, 1);
  a->n = nc;
  a->rowptr = g_new0 (guint64, (gsize) nc + 1);
  a->col = g_new (guint32, MAX (g->rowptr[g->n], 1u));
  a->w = g_new (double, MAX (g->rowptr[g->n], 1u));
  a->self = g_new0 (double, MAX (nc, 1u));
  a->k = g_new0 (double, MAX (nc, 1u));
  g_autofree double *acc = g_new (double, MAX (nc, 1u));
  g_autofree guint32 *touched = g_new (guint32, MAX (nc, 1u));
  for (guint c = 0; c < nc; c++)
    acc[c] = -1;
  guint64 m = 0;
  for (guint c = 0; c < nc; c++)
    {
      guint nt = 0;
      for (guint64 p = start[c]; p < start[c + 1]; p++)
        {
          guint32 i = members[p];
          a->self[c] += g->self[i];
          a->k[c] += g->k[i];
          for (guint64 e = g->rowptr[i]; e < g->rowptr[i + 1]; e++)
            {
              guint32 d = comm[g->col[e]];
              if (d == c)
                a->self[c] += g->w[e];
              else if (acc[d] < 0)
                {
                  acc[d] = g->w[e];
                  touched[nt++] = d;
                }
              else
                acc[d] += g->w[e];
            }
        }
      for (guint t = 0; t < nt; t++)
        {
          a->col[m] = touched[t];
          a->w[m++] = acc[touched[t]];
          acc[touched[t]] = -1;
        }
      a->rowptr[c + 1] = m;
    }
  return a;
}

/* Q = Σ_c in_c / 2m − γ (tot_c / 2m)², in_c counting both directions. */
static double
louvain_modularity (const LvGraph *g, const guint32 *comm, guint nc, double gamma)
{
  g_autofree double *in = g_new0 (double, MAX (nc, 1u));
  g_autofree double *tot = g_new0 (double, MAX (nc, 1u));
  double m2 = 0;
  for (guint i = 0; i < g->n; i++)
    {
      m2 += g->k[i];
      tot[comm[i]] += g->k[i];
      in[comm[i]] += g->self[i];
      for (guint64 e = g->rowptr[i]; e < g->rowptr[i + 1]; e++)
        if (comm[g->col[e]] == comm[i])
          in[comm[i]] += g->w[e];
    }
  if (m2 <= 0)
    return 0;
  double q = 0;
  for (guint c = 0; c < nc; c++)
    q += in[c] / m2 - gamma * (tot[c] / m2) * (tot[c] / m2);
  return q;
}

/* Runs the levels; @part gets each input node's community (0..*nc-1). */
static guint
louvain_run (const LouvainConfig *cfg, LvGraph *g0, guint32 *part, guint *nc, DpStage *stage)
{
  for (guint i = 0; i < g0->n; i++)
    part[i] = i;
  *nc = g0->n;
  double m2 = 0;
  for (guint i = 0; i < g0->n; i++)
    m2 += g0->k[i];
  g_autoptr (GRand) rand = g_rand_new_with_seed ((guint32) (cfg->seed ^ (cfg->seed >> 32)));
  LvGraph *g = g0;
  guint levels = 0;
  while (levels < cfg->max_levels && !dp_stage_cancelled (stage))
    {
      LvMove mv = { g_new (guint32, MAX (g->n, 1u)), g_new (double, MAX (g->n, 1u)),
                    g_new (double, MAX (g->n, 1u)), g_new (guint32, MAX (g->n, 1u)),
                    g_new (guint32, MAX (g->n, 1u)), g_new (guint8, MAX (g->n, 1u)) };
      louvain_move (g, &mv, cfg->resolution, m2, rand);
      guint n_next = louvain_renumber (mv.comm, g->n);
      gboolean merged = n_next < g->n;
      if (merged)
        {
          for (guint i = 0; i < g0->n; i++)
            part[i] = mv.comm[part[i]];
          LvGraph *next = louvain_aggregate (g, mv.comm, n_next);
          if (g != g0)
            louvain_graph_free (g);
          g = next;
          *nc = n_next;
          levels++;
        }
      g_free (mv.comm); g_free (mv.tot); g_free (mv.nw); g_free (mv.touched); g_free (mv.queue); g_free (mv.queued);
      dp_stage_progress (stage, levels, 0);
      if (!merged)
        break;
    }
  if (g != g0)
    louvain_graph_free (g);
  return levels;
}

/* ------------------------------------------------------------------ */
/* outputs */

static DpTable *
louvain_clusters (const DpGraph *g, const guint32 *part)
{
  DpTable *t = dp_table_new ("clusters");
  guint ck = eval_add_key_column (t, g->vocab, eval_rows_all_ip (g->vocab, NULL, g->n_nodes));
  guint cc = dp_table_add_column (t, "cluster", DP_COL_INT64);
  g_autoptr (GString) scratch = g_string_new (NULL);
  for (guint i = 0; i < g->n_nodes; i++)
    {
      guint r = dp_table_append_row (t);
      eval_set_key (t, ck, r, g->vocab, i, scratch);
      dp_table_set_i64 (t, cc, r, part[i]);
    }
  return t;
}

static DpTable *
louvain_summary (const LouvainConfig *cfg, const DpGraph *g, double q, guint levels, guint nc, guint64 edges)
{
  DpTable *t = dp_table_new ("summary");
  dp_table_add_column (t, "modularity", DP_COL_DOUBLE);
  dp_table_add_column (t, "levels", DP_COL_INT64);
  dp_table_add_column (t, "n_clusters", DP_COL_INT64);
  dp_table_add_column (t, "nodes", DP_COL_INT64);
  dp_table_add_column (t, "edges", DP_COL_INT64);
  dp_table_add_column (t, "resolution", DP_COL_DOUBLE);
  guint r = dp_table_append_row (t);
  dp_table_set_f64 (t, 0, r, q);
  dp_table_set_i64 (t, 1, r, levels);
  dp_table_set_i64 (t, 2, r, nc);
  dp_table_set_i64 (t, 3, r, g->n_nodes);
  dp_table_set_i64 (t, 4, r, (gint64) edges);
  dp_table_set_f64 (t, 5, r, cfg->resolution);
  return t;
}

static gboolean
louvain_finish (DpStage *stage, void *state, GError **error)
{
  Louvain *s = state;
  g_autoptr (DpVocab) empty = dp_vocab_new ();
  if (s->graph == NULL)
    s->graph = dp_graph_new (empty, 0, 0);
  const DpGraph *in = s->graph;
  if (in->vocab->n < in->n_nodes)
    {
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT,
                   "graph has %u nodes but its vocabulary only %u tokens", in->n_nodes, in->vocab->n);
      return FALSE;
    }
  guint64 skipped;
  g_autoptr (LvGraph) g = louvain_graph_from (in, &skipped);
  if (skipped)
    dp_stage_count (stage, "edges-skipped", skipped);
  g_autofree guint32 *part = g_new (guint32, MAX (g->n, 1u));
  guint nc;
  guint levels = louvain_run (s->cfg, g, part, &nc, stage);
  if (dp_stage_cancelled (stage))
    return TRUE;
  double q = louvain_modularity (g, part, nc, s->cfg->resolution);
  eval_order_clusters (part, g->n, nc);
  guint64 undirected = 0;
  for (guint i = 0; i < g->n; i++)
    undirected += (g->rowptr[i + 1] - g->rowptr[i]) + (g->self[i] > 0 ? 2 : 0);
  dp_stage_count (stage, "clusters", nc);
  dp_stage_push (stage, 0, louvain_clusters (in, part));
  dp_stage_push (stage, 1, louvain_summary (s->cfg, in, q, levels, nc, undirected / 2));
  return TRUE;
}

static const DpOptionDesc louvain_options[] = {
  DP_OPTION_RANGE ("resolution", DP_OPT_DOUBLE, "1", LouvainConfig, resolution, 0, 1e6,
                   "Resolution gamma of the modularity (1: the classic one; larger gives more, smaller clusters)."),
  DP_OPTION ("seed", DP_OPT_UINT, "15", LouvainConfig, seed,
             "Seed of the random node order (the authors used random_state=15)."),
  DP_OPTION_RANGE ("max_levels", DP_OPT_UINT, "100", LouvainConfig, max_levels, 1, 1000,
                   "Most aggregation levels to run."),
};

static const DpPortDesc louvain_inputs[] = {
  { "graph", DP_TYPE_GRAPH, 0, "Undirected weighted graph (both directions of each edge in the CSR)." },
};
static const DpColumnDesc louvain_cluster_columns[] = {
  { "cluster", DP_COL_INT64, 0 },
};
static const DpColumnDesc louvain_summary_columns[] = {
  { "modularity", DP_COL_DOUBLE, 0 },
  { "levels", DP_COL_INT64, 0 },
  { "n_clusters", DP_COL_INT64, 0 },
  { "nodes", DP_COL_INT64, 0 },
  { "edges", DP_COL_INT64, 0 },
  { "resolution", DP_COL_DOUBLE, 0 },
};

static const DpPortDesc louvain_outputs[] = {
  { "clusters", DP_TYPE_TABLE, 0, "ip (or token), cluster: 0 is the largest cluster.", DP_PORT_COLUMNS (louvain_cluster_columns) },
  { "summary", DP_TYPE_TABLE, 0, "One row: modularity, levels, n_clusters, nodes, edges, resolution.", DP_PORT_COLUMNS (louvain_summary_columns) },
};

DP_PLUGIN_DEFINE (louvain,
  .kind = DP_KIND_CLUSTERER,
  .summary = "Louvain modularity clustering of a graph (multi-level, fast local moving)",
  .version = "1.0",
  .doc = "Multi-level Louvain: local moving of nodes between communities, then "
         "aggregation of each community into a node, until a level merges nothing. The "
         "local moving visits nodes from a queue in a random order (`seed`) and queues a "
         "node again only when a neighbour left its community (Traag's fast local move), "
         "so every pass stays linear in the edges. The modularity reported is "
         "Q = sum_c [in_c/2m - resolution (tot_c/2m)^2] over the input graph, the value "
         "of networkx's and igraph's `modularity`. The CSR is read as the symmetric "
         "adjacency matrix: a self entry (i, i, w) adds w to A_ii. Entries with a weight "
         "that is not positive are skipped and counted. Isolated nodes are clusters of "
         "their own. Cluster ids are ordered by decreasing size.",
  .inputs = louvain_inputs, .n_inputs = DP_N_ELEMENTS (louvain_inputs),
  .outputs = louvain_outputs, .n_outputs = DP_N_ELEMENTS (louvain_outputs),
  .options = louvain_options, .n_options = DP_N_ELEMENTS (louvain_options),
  .config_size = sizeof (LouvainConfig),
  .init = louvain_init,
  .process = louvain_process,
  .finish = louvain_finish,
  .finalize = louvain_finalize)
