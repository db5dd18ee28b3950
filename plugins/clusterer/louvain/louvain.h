/* louvain.h — shared types of the louvain clusterer.  Private to the
 * plugin: nothing here is exported. */
#pragma once

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

/* Level 0 from the input: self entries folded apart, entries that are not
 * positive weights or point outside the graph skipped (*skipped). */
LvGraph *louvain_graph_from (const DpGraph *in, guint64 *skipped);

/* Moves nodes until none gains, one thread; @comm gets each node's
 * community; returns how many moves were made. */
guint64 louvain_move (const LvGraph *g, guint32 *comm, double gamma, double m2, GRand *rand);

/* Renumbers @comm to 0..nc-1 in order of first appearance; returns nc. */
guint louvain_renumber (guint32 *comm, guint n);

/* The graph of the communities: inner edges become self-loops. */
LvGraph *louvain_aggregate (const LvGraph *g, const guint32 *comm, guint nc);

/* Q = Σ_c in_c / 2m − γ (tot_c / 2m)², in_c counting both directions. */
double louvain_modularity (const LvGraph *g, const guint32 *comm, guint nc, double gamma);
