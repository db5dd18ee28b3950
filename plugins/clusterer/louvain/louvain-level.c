/* louvain-level.c — one level of Louvain on one thread: the level-0 graph,
 * the fast local moving, renumbering, aggregation, modularity. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "louvain.h"

void
louvain_graph_free (LvGraph *g)
{
  g_free (g->rowptr);
  g_free (g->col);
  g_free (g->w);
  g_free (g->self);
  g_free (g->k);
  g_free (g);
}

guint64
louvain_graph_rows (const DpGraph *in, LvGraph *g, guint r0, guint r1, guint64 m, guint64 *skipped)
{
  for (guint i = r0; i < r1; i++)
    {
      for (guint64 e = in->rowptr[i]; e < in->rowptr[i + 1] && e < in->n_edges; e++)
        {
          double w = in->weight[e];
          guint32 j = in->col[e];
          if (!louvain_entry_ok (w, j, g->n))
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
  return m;
}

LvGraph *
louvain_graph_new_from (const DpGraph *in)
{
  LvGraph *g = g_new0 (LvGraph, 1);
  g->n = in->n_nodes;
  g->rowptr = g_new0 (guint64, (gsize) g->n + 1);
  g->col = g_new (guint32, MAX (in->n_edges, 1u));
  g->w = g_new (double, MAX (in->n_edges, 1u));
  g->self = g_new0 (double, MAX (g->n, 1u));
  g->k = g_new0 (double, MAX (g->n, 1u));
  return g;
}

LvGraph *
louvain_graph_from (const DpGraph *in, guint64 *skipped)
{
  LvGraph *g = louvain_graph_new_from (in);
  *skipped = 0;
  louvain_graph_rows (in, g, 0, g->n, 0, skipped);
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
  guint nt = louvain_gather (g, mv->comm, i, mv->nw, mv->touched);
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

void
louvain_shuffle (guint32 *a, guint n, GRand *rand)
{
  for (guint i = n; i > 1; i--)
    {
      guint j = (guint) g_rand_int_range (rand, 0, (gint32) i);
      guint32 t = a[i - 1];
      a[i - 1] = a[j];
      a[j] = t;
    }
}

static guint64
louvain_move_queue (const LvGraph *g, LvMove *mv, double gamma, double m2, GRand *rand)
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
  louvain_shuffle (mv->queue, n, rand);
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

guint64
louvain_move (const LvGraph *g, guint32 *comm, double gamma, double m2, GRand *rand)
{
  gsize n = MAX (g->n, 1u);
  LvMove mv = { comm, g_new (double, n), g_new (double, n), g_new (guint32, n), g_new (guint32, n), g_new (guint8, n) };
  guint64 moves = louvain_move_queue (g, &mv, gamma, m2, rand);
  g_free (mv.tot);
  g_free (mv.nw);
  g_free (mv.touched);
  g_free (mv.queue);
  g_free (mv.queued);
  return moves;
}

/* ------------------------------------------------------------------ */
/* aggregation */

/* Renumbers @comm to 0..nc-1 in order of first appearance; returns nc. */
guint
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

guint64
louvain_aggregate_rows (const LvGraph *g, const guint32 *comm, const LvMembers *mb, guint c0, guint c1,
                        LvGraph *a, double *acc, guint32 *touched, guint64 base)
{
  guint64 m = base;
  for (guint c = c0; c < c1; c++)
    {
      guint nt = 0;
      for (guint64 p = mb->start[c]; p < mb->start[c + 1]; p++)
        {
          guint32 i = mb->members[p];
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
  return m;
}

LvGraph *
louvain_aggregate (const LvGraph *g, const guint32 *comm, guint nc, guint threads)
{
  LvMembers mb = { g_new0 (guint64, (gsize) nc + 1), g_new (guint32, MAX (g->n, 1u)) };
  for (guint i = 0; i < g->n; i++)
    mb.start[comm[i] + 1]++;
  for (guint c = 0; c < nc; c++)
    mb.start[c + 1] += mb.start[c];
  g_autofree guint64 *fill = g_memdup2 (mb.start, (gsize) nc * sizeof (guint64));
  for (guint i = 0; i < g->n; i++)
    mb.members[fill[comm[i]]++] = i;
  LvGraph *a = g_new0 (LvGraph, 1);
  a->n = nc;
  a->rowptr = g_new0 (guint64, (gsize) nc + 1);
  a->col = g_new (guint32, MAX (g->rowptr[g->n], 1u));
  a->w = g_new (double, MAX (g->rowptr[g->n], 1u));
  a->self = g_new0 (double, MAX (nc, 1u));
  a->k = g_new0 (double, MAX (nc, 1u));
  if (threads > 1)
    louvain_aggregate_par (g, comm, &mb, a, threads);
  else
    {
      g_autofree double *acc = g_new (double, MAX (nc, 1u));
      g_autofree guint32 *touched = g_new (guint32, MAX (nc, 1u));
      for (guint c = 0; c < nc; c++)
        acc[c] = -1;
      louvain_aggregate_rows (g, comm, &mb, 0, nc, a, acc, touched, 0);
    }
  g_free (mb.start);
  g_free (mb.members);
  /* room was made for every input entry; most merge */
  a->col = g_renew (guint32, a->col, MAX (a->rowptr[nc], 1u));
  a->w = g_renew (double, a->w, MAX (a->rowptr[nc], 1u));
  return a;
}

/* Q = Σ_c in_c / 2m − γ (tot_c / 2m)², in_c counting both directions. */
double
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
