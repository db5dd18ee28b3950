/* knn.h — exact cosine k-nearest neighbours, blocked and multi-threaded.
 *
 * The convenience library plugins/common/libknn.la, linked into each plugin
 * that needs it (not part of libdarkpipe).  Rows
 * are first made unit length (knn_prepare), so the cosine similarity is
 * a dot product and the search is a sequence of block matrix products
 * (OpenBLAS sgemm when HAVE_OPENBLAS, a portable register-tiled kernel
 * otherwise) with the per-row top-k selection fused into the scan of each
 * block while it is still in cache.  Scratch memory is threads × block²
 * floats plus the n × k results (n × k per thread for a self-join, whose
 * workers each keep lists for all rows): never n². */
#pragma once

#include <glib.h>
#include "dp-plugin.h"

G_BEGIN_DECLS

#define KNN_NONE G_MAXUINT32

typedef struct {
  guint k;            /* neighbours per query (>= 1) */
  guint block;        /* rows per block of queries and of base rows */
  guint threads;      /* worker threads (>= 1) */
  DpStage *stage;     /* nullable: polled for cancellation, gets progress */
} KnnParams;

/** (transfer full) a 64-byte aligned @n × @dim copy of rows @rows of
 * @vectors (row stride @dim), z-scored per dimension over those rows when
 * @standardize (population std, a constant dimension is only centred —
 * scikit-learn's StandardScaler), then scaled to unit length.  Zero or
 * non-finite rows become zero vectors (cosine distance 1 to everything);
 * *n_zero counts them.  Free with free(). */
float *knn_prepare (const float *vectors, guint dim, const guint32 *rows, guint n,
                       gboolean standardize, guint *n_zero);

/** For every query q (row of @query), the @p->k rows of @base with the
 * highest dot product, best first, ties by lower base index; the base row
 * @self[q] (when @self is non-NULL and the entry is not KNN_NONE) is
 * never returned — leave-one-out by identity, not position.  Missing
 * neighbours (fewer than k candidates) are KNN_NONE / -INFINITY.
 * When @query == @base with @self[i] == i (a self-join) the symmetric
 * product is used and half of the work is saved.
 * @out_idx and @out_sim hold @nq × k entries.  Returns FALSE only when
 * cancelled through the stage. */
gboolean knn_search (const float *base, guint nb, const float *query, guint nq,
                        const guint32 *self, guint dim, const KnnParams *p,
                        guint32 *out_idx, float *out_sim);

/** knn_search across the ranks of an MPI job (one process: knn_search):
 * rank 0 calls it with the whole problem, which it shares with the other
 * ranks (@base == @query for a self-join is kept), each rank searches a
 * contiguous share of whole blocks of query rows (a self-join: a share of
 * one process's row blocks, with lists for every row), and rank 0 gathers
 * (merges) the results into @out_idx and @out_sim: byte for byte one
 * process's, whatever the rank and thread counts.  The other ranks call knn_search_follow at the
 * same point of their finish().  Returns FALSE when a rank was cancelled. */
gboolean knn_search_ranks (DpStage *stage, const float *base, guint nb, const float *query, guint nq,
                           const guint32 *self, guint dim, const KnnParams *p,
                           guint32 *out_idx, float *out_sim);
/** On rank 0, instead of knn_search_ranks when it failed before its search:
 * the other ranks' knn_search_follow return FALSE. */
void knn_search_ranks_fail (DpStage *stage);
/** On ranks other than 0: their share of rank 0's knn_search_ranks (with
 * rank 0's k and block; the threads of @threads).  FALSE with @error when
 * rank 0 failed (knn_search_ranks_fail); TRUE otherwise. */
gboolean knn_search_follow (DpStage *stage, guint threads, GError **error);

/** Cosine distance from a similarity of unit vectors, clipped to [0, 2]
 * as scikit-learn does. */
static inline double
knn_distance (float sim)
{
  double d = 1.0 - (double) sim;
  return d < 0 ? 0 : d > 2 ? 2 : d;
}

G_END_DECLS
