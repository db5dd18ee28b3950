/* louvain.h — shared types of the louvain clusterer.  Private to the
 * plugin: nothing here is exported. */
#pragma once

#include <math.h>

#include "darkpipe.h"

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

void louvain_graph_free (LvGraph *g);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LvGraph, louvain_graph_free)

/* Whether an input entry (weight @w, column @j) counts: a positive finite
 * weight to one of the @n nodes. */
static inline gboolean
louvain_entry_ok (double w, guint32 j, guint n)
{
  return w > 0 && isfinite (w) && j < n;
}

/* Level 0 from the input: self entries folded apart, entries that are not
 * positive weights or point outside the graph skipped (*skipped). */
LvGraph *louvain_graph_from (const DpGraph *in, guint64 *skipped);

/* The level-0 graph of @in allocated, self and k zero, room for all of
 * @in's entries. */
LvGraph *louvain_graph_new_from (const DpGraph *in);

/* louvain_graph_from's rows [@r0, @r1), their entries written from @m on;
 * adds to *@skipped; returns the end of the last row. */
guint64 louvain_graph_rows (const DpGraph *in, LvGraph *g, guint r0, guint r1, guint64 m, guint64 *skipped);

/* Sums the weights from node @i to the communities of its neighbours:
 * nw[c] for the nt communities listed in touched[0..nt) (every other
 * entry of @nw stays -1: no edge); returns nt.  @comm is read with
 * relaxed atomic loads, as other threads may move nodes meanwhile. */
static inline guint
louvain_gather (const LvGraph *g, const guint32 *comm, guint32 i, double *nw, guint32 *touched)
{
  guint nt = 0;
  for (guint64 e = g->rowptr[i]; e < g->rowptr[i + 1]; e++)
    {
      guint32 c = __atomic_load_n (&comm[g->col[e]], __ATOMIC_RELAXED);
      if (nw[c] < 0)
        {
          nw[c] = 0;
          touched[nt++] = c;
        }
      nw[c] += g->w[e];
    }
  return nt;
}

/* Fisher–Yates shuffle of @a[0..n) drawing from @rand. */
void louvain_shuffle (guint32 *a, guint n, GRand *rand);

/* Moves nodes until none gains, one thread; @comm gets each node's
 * community; returns how many moves were made. */
guint64 louvain_move (const LvGraph *g, guint32 *comm, double gamma, double m2, GRand *rand);

/* Renumbers @comm to 0..nc-1 in order of first appearance; returns nc. */
guint louvain_renumber (guint32 *comm, guint n);

/* The graph of the communities: inner edges become self-loops.  The same
 * graph, bit for bit, whatever the number of @threads. */
LvGraph *louvain_aggregate (const LvGraph *g, const guint32 *comm, guint nc, guint threads);

/* Members of each community c: members[start[c] .. start[c + 1]). */
typedef struct {
  guint64 *start;
  guint32 *members;
} LvMembers;

/* Rows of communities [@c0, @c1) of the aggregate @a: their self and k,
 * their entries written from a->col[@base] on, a->rowptr[c + 1] the end of
 * each.  @acc (nc entries, all -1) and @touched (nc) are scratch; @acc is
 * all -1 again after.  Returns the end of the last row. */
guint64 louvain_aggregate_rows (const LvGraph *g, const guint32 *comm, const LvMembers *mb, guint c0, guint c1,
                                LvGraph *a, double *acc, guint32 *touched, guint64 base);

/* ------------------------------------------------------------------ */
/* louvain-par.c: the same on several threads */

/* Graphs with fewer CSR entries than this are moved on one thread: a
 * thread costs more than it saves there. */
#define LOUVAIN_PAR_MIN_ENTRIES 32768

/* louvain_graph_from on @threads (>= 2) threads, the same graph bit for
 * bit. */
LvGraph *louvain_graph_from_par (const DpGraph *in, guint64 *skipped, guint threads);

/* Local moving on @threads (>= 2) threads at once: nodes are dealt out in
 * a random order; each thread moves its nodes against community totals
 * shared by all.  @comm as for louvain_move; the result depends on the
 * threads' timing. */
guint64 louvain_move_par (const LvGraph *g, guint32 *comm, double gamma, double m2, GRand *rand, guint threads);

/* Rows of the aggregate @a (allocated, self and k zero) on @threads threads:
 * the communities are split into ranges of about equal entries. */
void louvain_aggregate_par (const LvGraph *g, const guint32 *comm, const LvMembers *mb, LvGraph *a, guint threads);

/* Q = Σ_c in_c / 2m − γ (tot_c / 2m)², in_c counting both directions. */
double louvain_modularity (const LvGraph *g, const guint32 *comm, guint nc, double gamma);
