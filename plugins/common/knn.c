/* knn.c — exact blocked cosine kNN with fused top-k selection.
 *
 * Selecting the top k, not the product, dominates a naive all-pairs search
 * (see performance-notes.md): here each block of similarities is scanned
 * row by row against the current k-th best while it is still in cache, so
 * almost every entry costs one compare.  A self-join computes only the
 * blocks on and above the diagonal and feeds each block to both its rows
 * and its columns. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* KNN_PORTABLE forces the portable kernel (its own test builds so) */
#if defined(HAVE_OPENBLAS) && !defined(KNN_PORTABLE)
#define KNN_BLAS 1
#include <cblas.h>
#endif

#include "knn.h"

/* ------------------------------------------------------------------ */
/* preparation */

static void
knn_standardize (float *x, guint n, guint dim)
{
  g_autofree double *mean = g_new0 (double, dim);
  g_autofree double *sq = g_new0 (double, dim);
  for (guint i = 0; i < n; i++)
    for (guint d = 0; d < dim; d++)
      mean[d] += x[(gsize) i * dim + d];
  for (guint d = 0; d < dim; d++)
    mean[d] /= MAX (n, 1u);
  for (guint i = 0; i < n; i++)
    for (guint d = 0; d < dim; d++)
      {
        double v = x[(gsize) i * dim + d] - mean[d];
        sq[d] += v * v;
      }
  for (guint d = 0; d < dim; d++)
    {
      double sd = sqrt (sq[d] / MAX (n, 1u));
      /* StandardScaler leaves a constant dimension unscaled */
      sq[d] = sd > 0 ? 1.0 / sd : 1.0;
    }
  for (guint i = 0; i < n; i++)
    for (guint d = 0; d < dim; d++)
      x[(gsize) i * dim + d] = (float) ((x[(gsize) i * dim + d] - mean[d]) * sq[d]);
}

/* @n x @dim floats, 64-byte aligned (free with free()). */
static float *
knn_alloc_rows (gsize n, gsize dim)
{
  gsize bytes = MAX (n * dim * sizeof (float), 64u);
  bytes = (bytes + 63) & ~(gsize) 63;
  float *x = aligned_alloc (64, bytes);
  g_assert (x != NULL);
  return x;
}

float *
knn_prepare (const float *vectors, guint dim, const guint32 *rows, guint n,
                gboolean standardize, guint *n_zero)
{
  float *x = knn_alloc_rows (n, dim);
  for (guint i = 0; i < n; i++)
    {
      guint32 r = rows ? rows[i] : i;
      memcpy (x + (gsize) i * dim, vectors + (gsize) r * dim, dim * sizeof (float));
    }
  if (standardize)
    knn_standardize (x, n, dim);
  guint zero = 0;
  for (guint i = 0; i < n; i++)
    {
      float *v = x + (gsize) i * dim;
      double s = 0;
      for (guint d = 0; d < dim; d++)
        s += (double) v[d] * v[d];
      if (!(s > 0) || !isfinite (s))
        {
          memset (v, 0, dim * sizeof (float));
          zero++;
          continue;
        }
      double inv = 1.0 / sqrt (s);
      for (guint d = 0; d < dim; d++)
        v[d] = (float) (v[d] * inv);
    }
  if (n_zero)
    *n_zero = zero;
  return x;
}

/* ------------------------------------------------------------------ */
/* per-row top k: a sorted array, best first; (sim desc, index asc) */

static inline gboolean
knn_better (float v, guint32 j, float ws, guint32 wj)
{
  return v > ws || (v == ws && j < wj);
}

static inline void
knn_insert (float *s, guint32 *ix, guint k, float v, guint32 j)
{
  guint p = k - 1;
  while (p > 0 && knn_better (v, j, s[p - 1], ix[p - 1]))
    {
      s[p] = s[p - 1];
      ix[p] = ix[p - 1];
      p--;
    }
  s[p] = v;
  ix[p] = j;
}

static void
knn_reset (float *s, guint32 *ix, gsize n)
{
  for (gsize i = 0; i < n; i++)
    {
      s[i] = -INFINITY;
      ix[i] = KNN_NONE;
    }
}

/* ------------------------------------------------------------------ */
/* block product C = A · Bᵀ (na × nb, row stride ldc) */

#ifndef KNN_BLAS
/* Portable kernel: a panel of 16 base rows is transposed so that the inner
 * loop runs over 16 independent sums, which compilers vectorise. */
#define KNN_PANEL 16

#if defined(__GNUC__)
/* GCC/Clang vector extension: 16 lanes, lowered to what the target has */
typedef float KnnV16 __attribute__ ((vector_size (KNN_PANEL * sizeof (float)), aligned (sizeof (float))));

static void
knn_panel (const float *A, guint na, const float *bt, guint dim, guint w, float *C, guint ldc)
{
  for (guint i = 0; i < na; i++)
    {
      KnnV16 acc = { 0 };
      const float *a = A + (gsize) i * dim;
      for (guint d = 0; d < dim; d++)
        acc += a[d] * *(const KnnV16 *) (bt + (gsize) d * KNN_PANEL);
      memcpy (C + (gsize) i * ldc, &acc, w * sizeof (float));
    }
}
#else
static void
knn_panel (const float *A, guint na, const float *bt, guint dim, guint w, float *C, guint ldc)
{
  for (guint i = 0; i < na; i++)
    {
      float acc[KNN_PANEL] = { 0 };
      const float *a = A + (gsize) i * dim;
      for (guint d = 0; d < dim; d++)
        {
          const float av = a[d], *b = bt + (gsize) d * KNN_PANEL;
          for (guint y = 0; y < KNN_PANEL; y++)
            acc[y] += av * b[y];
        }
      memcpy (C + (gsize) i * ldc, acc, w * sizeof (float));
    }
}
#endif
#endif

static void
knn_product (const float *A, guint na, const float *B, guint nb, guint dim, float *C, guint ldc)
{
#ifdef KNN_BLAS
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, (int) na, (int) nb, (int) dim,
               1.0f, A, (int) dim, B, (int) dim, 0.0f, C, (int) ldc);
#else
  g_autofree float *bt = g_new (float, (gsize) dim * KNN_PANEL);
  for (guint j0 = 0; j0 < nb; j0 += KNN_PANEL)
    {
      guint w = MIN (KNN_PANEL, nb - j0);
      for (guint d = 0; d < dim; d++)
        for (guint y = 0; y < KNN_PANEL; y++)
          bt[(gsize) d * KNN_PANEL + y] = y < w ? B[(gsize) (j0 + y) * dim + d] : 0.0f;
      knn_panel (A, na, bt, dim, w, C + j0, ldc);
    }
#endif
}

/* ------------------------------------------------------------------ */
/* scans of one block */

/* Rows of C against their own lists; skips base index @self per row and,
 * on a diagonal block, everything at or left of the diagonal. */
static void
knn_scan_rows (const float *C, guint ldc, guint nr, guint nc, guint64 col0,
               const guint32 *self, gboolean diag, float *S, guint32 *ids, guint k)
{
  for (guint r = 0; r < nr; r++)
    {
      const float *c = C + (gsize) r * ldc;
      float *s = S + (gsize) r * k;
      guint32 *ix = ids + (gsize) r * k;
      guint32 me = self ? self[r] : KNN_NONE;
      float thr = s[k - 1];
      for (guint j = diag ? r + 1 : 0; j < nc; j++)
        {
          if (G_LIKELY (c[j] < thr))
            continue;
          guint32 gj = (guint32) (col0 + j);
          if (gj == me || !knn_better (c[j], gj, thr, ix[k - 1]))
            continue;
          knn_insert (s, ix, k, c[j], gj);
          thr = s[k - 1];
        }
    }
}

/* Columns of C against the lists of the column rows (the transposed half
 * of a symmetric block).  @thr is scratch of @nc floats. */
static void
knn_scan_cols (const float *C, guint ldc, guint nr, guint nc, guint64 row0,
               gboolean diag, float *S, guint32 *ids, guint k, float *thr)
{
  for (guint j = 0; j < nc; j++)
    thr[j] = S[(gsize) j * k + k - 1];
  for (guint r = 0; r < nr; r++)
    {
      const float *c = C + (gsize) r * ldc;
      guint32 gi = (guint32) (row0 + r);
      for (guint j = diag ? r + 1 : 0; j < nc; j++)
        {
          if (G_LIKELY (c[j] < thr[j]))
            continue;
          float *s = S + (gsize) j * k;
          guint32 *ix = ids + (gsize) j * k;
          if (!knn_better (c[j], gi, thr[j], ix[k - 1]))
            continue;
          knn_insert (s, ix, k, c[j], gi);
          thr[j] = s[k - 1];
        }
    }
}

/* ------------------------------------------------------------------ */
/* workers */

typedef struct {
  const float *base, *query;
  guint nb, nq, dim;
  const guint32 *self;
  const KnnParams *p;
  guint n_qblocks, n_bblocks;
  const guint32 *tasks;   /* the tasks to run, in order (NULL: all of them) */
  guint n_tasks;
  gint next_task;         /* atomic, index into tasks */
  gint done;              /* atomic, block products finished */
  guint64 total;          /* block products in all */
  gint stop;              /* atomic */
  guint32 *out_idx;
  float *out_sim;
} KnnJob;

typedef struct {
  KnnJob *job;
  guint id;
  float *S;               /* symmetric mode: this worker's lists over all rows */
  guint32 *ids;
} KnnWorker;

static gboolean
knn_tick (KnnWorker *w, guint n)
{
  KnnJob *job = w->job;
  gint done = g_atomic_int_add (&job->done, (gint) n) + (gint) n;
  if (job->p->stage == NULL)
    return TRUE;
  if (w->id == 0)
    {
      if (dp_stage_cancelled (job->p->stage))
        g_atomic_int_set (&job->stop, 1);
      else
        dp_stage_progress (job->p->stage, (guint64) done, job->total);
    }
  return !g_atomic_int_get (&job->stop);
}

/* The next task of the job (a block of query rows, or in a self-join a
 * block of rows and the blocks right of it), or KNN_NONE when done. */
static guint
knn_next_task (KnnJob *job)
{
  gint i = g_atomic_int_add (&job->next_task, 1);
  if ((guint) i >= job->n_tasks || g_atomic_int_get (&job->stop))
    return KNN_NONE;
  return job->tasks ? job->tasks[i] : (guint) i;
}

static gpointer
knn_general_worker (gpointer data)
{
  KnnWorker *w = data;
  KnnJob *job = w->job;
  guint bs = job->p->block, k = job->p->k;
  g_autofree float *C = g_new (float, (gsize) bs * bs);
  for (;;)
    {
      guint t = knn_next_task (job);
      if (t == KNN_NONE)
        break;
      guint q0 = t * bs, nq = MIN (bs, job->nq - q0);
      float *S = job->out_sim + (gsize) q0 * k;
      guint32 *ids = job->out_idx + (gsize) q0 * k;
      const guint32 *self = job->self ? job->self + q0 : NULL;
      for (guint b0 = 0; b0 < job->nb; b0 += bs)
        {
          guint nbk = MIN (bs, job->nb - b0);
          knn_product (job->query + (gsize) q0 * job->dim, nq, job->base + (gsize) b0 * job->dim,
                       nbk, job->dim, C, nbk);
          knn_scan_rows (C, nbk, nq, nbk, b0, self, FALSE, S, ids, k);
        }
      if (!knn_tick (w, job->n_bblocks))
        break;
    }
  return NULL;
}

static gpointer
knn_symmetric_worker (gpointer data)
{
  KnnWorker *w = data;
  KnnJob *job = w->job;
  guint bs = job->p->block, k = job->p->k;
  g_autofree float *C = g_new (float, (gsize) bs * bs);
  g_autofree float *thr = g_new (float, bs);
  for (;;)
    {
      /* row blocks in order: the first ones carry the most work */
      guint t = knn_next_task (job);
      if (t == KNN_NONE)
        break;
      guint i0 = t * bs, ni = MIN (bs, job->nb - i0);
      const float *A = job->base + (gsize) i0 * job->dim;
      for (guint j0 = i0; j0 < job->nb; j0 += bs)
        {
          guint nj = MIN (bs, job->nb - j0);
          gboolean diag = j0 == i0;
          knn_product (A, ni, job->base + (gsize) j0 * job->dim, nj, job->dim, C, nj);
          knn_scan_rows (C, nj, ni, nj, j0, NULL, diag, w->S + (gsize) i0 * k, w->ids + (gsize) i0 * k, k);
          knn_scan_cols (C, nj, ni, nj, i0, diag, w->S + (gsize) j0 * k, w->ids + (gsize) j0 * k, k, thr);
        }
      if (!knn_tick (w, job->n_bblocks - t))
        break;
    }
  return NULL;
}

/* ------------------------------------------------------------------ */

static gboolean
knn_is_self_join (const float *base, guint nb, const float *query, guint nq, const guint32 *self)
{
  if (base != query || nb != nq || self == NULL)
    return FALSE;
  for (guint i = 0; i < nq; i++)
    if (self[i] != i)
      return FALSE;
  return TRUE;
}

/* Merges the lists @ws, @wi of @n rows (k each) into @s, @ix: each
 * candidate is in one list only and (similarity, index) orders them all,
 * so the result does not depend on which lists come first. */
static void
knn_merge_lists (float *s, guint32 *ix, const float *ws, const guint32 *wi, guint n, guint k)
{
  for (guint i = 0; i < n; i++, s += k, ix += k, ws += k, wi += k)
    for (guint r = 0; r < k && wi[r] != KNN_NONE; r++)
      if (knn_better (ws[r], wi[r], s[k - 1], ix[k - 1]))
        knn_insert (s, ix, k, ws[r], wi[r]);
}

/* OpenBLAS's own threads would fight ours, and its thread count is one
 * setting for the whole process: two kNN stages that run at the same time
 * and each set and restore it would give one of them OpenBLAS threads in
 * the middle of the other's sgemm (which OpenBLAS 0.3.21 does not survive:
 * results changed from run to run).  So it is set to one, once, and left
 * there; darkpipe's workers are the threads. */
static void
knn_blas_single (void)
{
#ifdef KNN_BLAS
  static gsize once = 0;
  if (g_once_init_enter (&once))
    {
      openblas_set_num_threads (1);
      g_once_init_leave (&once, 1);
    }
#endif
}

static void
knn_run_workers (KnnWorker *workers, guint n_workers, GThreadFunc fn)
{
  g_autoptr (GPtrArray) threads = g_ptr_array_new ();
  for (guint t = 1; t < n_workers; t++)
    g_ptr_array_add (threads, g_thread_new ("knn", fn, &workers[t]));
  fn (&workers[0]);
  for (guint t = 0; t < threads->len; t++)
    g_thread_join (g_ptr_array_index (threads, t));
}

/* knn_search, in a self-join only the row blocks @tasks (@n_tasks of
 * them; NULL: all): their rows' and columns' candidates are in the lists
 * of every row then, to be merged with the other tasks'. */
static gboolean
knn_search_tasks (const float *base, guint nb, const float *query, guint nq, const guint32 *self,
                  guint dim, const KnnParams *p, const guint32 *tasks, guint n_tasks,
                  guint32 *out_idx, float *out_sim)
{
  g_return_val_if_fail (p->k >= 1 && p->block >= 1, FALSE);
  KnnJob job = { .base = base, .query = query, .nb = nb, .nq = nq, .dim = dim, .self = self,
                 .p = p, .out_idx = out_idx, .out_sim = out_sim };
  job.n_qblocks = (nq + p->block - 1) / p->block;
  job.n_bblocks = (nb + p->block - 1) / p->block;
  knn_reset (out_sim, out_idx, (gsize) nq * p->k);
  if (nq == 0 || nb == 0 || dim == 0)
    return TRUE;
  gboolean sym = knn_is_self_join (base, nb, query, nq, self);
  job.tasks = sym ? tasks : NULL;
  job.n_tasks = job.tasks ? n_tasks : sym ? job.n_bblocks : job.n_qblocks;
  guint n_workers = CLAMP (p->threads, 1u, MAX (job.n_tasks, 1u));
  job.total = sym ? (guint64) job.n_bblocks * (job.n_bblocks + 1) / 2
                  : (guint64) job.n_qblocks * job.n_bblocks;
  if (job.tasks)
    {
      job.total = 0;
      for (guint i = 0; i < n_tasks; i++)
        job.total += job.n_bblocks - tasks[i];
    }
  g_autofree KnnWorker *workers = g_new0 (KnnWorker, n_workers);
  for (guint t = 0; t < n_workers; t++)
    {
      workers[t].job = &job;
      workers[t].id = t;
      if (sym && t > 0)
        {
          workers[t].S = g_new (float, (gsize) nq * p->k);
          workers[t].ids = g_new (guint32, (gsize) nq * p->k);
          knn_reset (workers[t].S, workers[t].ids, (gsize) nq * p->k);
        }
      else
        {
          workers[t].S = out_sim;
          workers[t].ids = out_idx;
        }
    }
  knn_blas_single ();
  knn_run_workers (workers, n_workers, sym ? knn_symmetric_worker : knn_general_worker);
  for (guint t = 1; t < n_workers && sym; t++)
    {
      knn_merge_lists (out_sim, out_idx, workers[t].S, workers[t].ids, nq, p->k);
      g_free (workers[t].S);
      g_free (workers[t].ids);
    }
  return !g_atomic_int_get (&job.stop);
}

gboolean
knn_search (const float *base, guint nb, const float *query, guint nq,
            const guint32 *self, guint dim, const KnnParams *p,
            guint32 *out_idx, float *out_sim)
{
  return knn_search_tasks (base, nb, query, nq, self, dim, p, NULL, 0, out_idx, out_sim);
}

/* ------------------------------------------------------------------ */
/* under MPI: query rows split across ranks */

typedef struct {
  guint64 nb, nq, dim, k, block, same, has_self;
} KnnProblem;

/* The query rows of rank @r of @n: [*lo, *hi), whole blocks of one
 * process's search, so each block product is the one it computes. */
static void
knn_share_of (guint nq, guint block, guint r, guint n, guint *lo, guint *hi)
{
  guint64 blocks = ((guint64) nq + block - 1) / block;
  *lo = (guint) MIN ((guint64) nq, blocks * r / n * block);
  *hi = (guint) MIN ((guint64) nq, blocks * (r + 1) / n * block);
}

/* A self-join's row blocks of rank @r of @n (*count of them, never NULL):
 * the tasks of one process's symmetric search, so each block product and
 * which of its halves feeds which row are one process's, and the lists of
 * the ranks merge into one process's result.  Task t carries n_blocks - t
 * products: dealt in rounds of n, every other round backwards. */
static guint32 *
knn_self_tasks (guint n_blocks, guint r, guint n, guint *count)
{
  guint32 *tasks = g_new (guint32, n_blocks / n + 1);
  *count = 0;
  for (guint round = 0; (guint64) round * n < n_blocks; round++)
    {
      guint64 t = (guint64) round * n + (round % 2 ? n - 1 - r : r);
      if (t < n_blocks)
        tasks[(*count)++] = (guint32) t;
    }
  return tasks;
}

/* Rows whose results rank @r of @n sends: its share of the queries, or in
 * a self-join every row (its lists, to be merged). */
static void
knn_rows_of (const KnnProblem *h, gboolean sym, guint r, guint n, guint *lo, guint *hi)
{
  if (sym)
    {
      *lo = 0;
      *hi = (guint) h->nq;
    }
  else
    knn_share_of ((guint) h->nq, (guint) h->block, r, n, lo, hi);
}

/* This rank's share searched, its results as bytes: a stop flag, then the
 * indices and similarities of knn_rows_of's rows. */
static GBytes *
knn_search_share (const float *base, guint nb, const float *query, guint nq, const guint32 *self,
                  guint dim, const KnnParams *p, guint rank, guint n)
{
  KnnProblem h = { nb, nq, dim, p->k, p->block, query == base, self != NULL };
  gboolean sym = knn_is_self_join (base, nb, query, nq, self);
  guint lo, hi;
  knn_rows_of (&h, sym, rank, n, &lo, &hi);
  gsize cells = (gsize) (hi - lo) * p->k;
  GByteArray *b = g_byte_array_sized_new ((guint) (1 + cells * 8));
  g_byte_array_set_size (b, (guint) (1 + cells * 8));
  guint32 *idx = g_new (guint32, MAX (cells, 1u));
  float *sim = g_new (float, MAX (cells, 1u));
  gboolean ok;
  if (sym)
    {
      guint n_tasks;
      g_autofree guint32 *tasks = knn_self_tasks ((nb + p->block - 1) / p->block, rank, n, &n_tasks);
      ok = knn_search_tasks (base, nb, query, nq, self, dim, p, tasks, n_tasks, idx, sim);
    }
  else
    ok = knn_search (base, nb, query + (gsize) lo * dim, hi - lo, self ? self + lo : NULL, dim, p, idx, sim);
  b->data[0] = !ok;
  memcpy (b->data + 1, idx, cells * 4);
  memcpy (b->data + 1 + cells * 4, sim, cells * 4);
  g_free (idx);
  g_free (sim);
  return g_byte_array_free_to_bytes (b);
}

gboolean
knn_search_ranks (DpStage *stage, const float *base, guint nb, const float *query, guint nq,
                  const guint32 *self, guint dim, const KnnParams *p,
                  guint32 *out_idx, float *out_sim)
{
  guint n = stage ? dp_stage_n_ranks (stage) : 1;
  if (n <= 1)
    return knn_search (base, nb, query, nq, self, dim, p, out_idx, out_sim);
  KnnProblem h = { nb, nq, dim, p->k, p->block, query == base, self != NULL };
  GByteArray *b = g_byte_array_new ();
  g_byte_array_append (b, (const guint8 *) &h, sizeof h);
  g_byte_array_append (b, (const guint8 *) base, (guint) ((gsize) nb * dim * 4));
  if (query != base)
    g_byte_array_append (b, (const guint8 *) query, (guint) ((gsize) nq * dim * 4));
  if (self)
    g_byte_array_append (b, (const guint8 *) self, (guint) ((gsize) nq * 4));
  GBytes *problem = g_byte_array_free_to_bytes (b);
  GBytes *shared = problem;
  dp_stage_ranks_share (stage, &shared, NULL);
  g_bytes_unref (problem);
  g_autoptr (GBytes) mine = knn_search_share (base, nb, query, nq, self, dim, p, 0, n);
  g_autoptr (GPtrArray) all = dp_stage_ranks_gather (stage, mine);
  gboolean sym = knn_is_self_join (base, nb, query, nq, self), ok = TRUE;
  knn_reset (out_sim, out_idx, (gsize) nq * p->k);
  for (guint r = 0; r < n; r++)
    {
      guint lo, hi;
      knn_rows_of (&h, sym, r, n, &lo, &hi);
      gsize cells = (gsize) (hi - lo) * p->k, len = 0;
      const guint8 *d = g_bytes_get_data (g_ptr_array_index (all, r), &len);
      if (len != 1 + cells * 8)
        g_error ("knn: rank %u sent %" G_GSIZE_FORMAT " bytes of results, not %" G_GSIZE_FORMAT " (a bug)",
                 r, len, 1 + cells * 8);
      ok &= d[0] == 0;
      if (cells == 0)
        continue;
      /* (unaligned in the message: copied out first) */
      g_autofree guint32 *idx = g_memdup2 (d + 1, cells * 4);
      g_autofree float *sim = g_memdup2 (d + 1 + cells * 4, cells * 4);
      if (sym)
        knn_merge_lists (out_sim, out_idx, sim, idx, hi - lo, p->k);
      else
        {
          memcpy (out_idx + (gsize) lo * p->k, idx, cells * 4);
          memcpy (out_sim + (gsize) lo * p->k, sim, cells * 4);
        }
    }
  return ok;
}

void
knn_search_ranks_fail (DpStage *stage)
{
  GBytes *none = NULL;
  if (stage && dp_stage_n_ranks (stage) > 1)
    dp_stage_ranks_share (stage, &none, NULL);
}

gboolean
knn_search_follow (DpStage *stage, guint threads, GError **error)
{
  GBytes *shared = NULL;
  if (!dp_stage_ranks_share (stage, &shared, error))
    return FALSE;
  gsize len = 0;
  const guint8 *d = g_bytes_get_data (shared, &len);
  KnnProblem h;
  memcpy (&h, d, MIN (len, sizeof h));
  gsize want = sizeof h + (h.nb + (h.same ? 0 : h.nq)) * h.dim * 4 + (h.has_self ? h.nq * 4 : 0);
  if (len < sizeof h || len != want || h.k == 0 || h.block == 0)
    g_error ("knn: rank 0 shared %" G_GSIZE_FORMAT " bytes of a problem (a bug)", len);
  /* aligned copies, as knn_prepare makes them */
  float *base = knn_alloc_rows (h.nb, h.dim);
  memcpy (base, d + sizeof h, h.nb * h.dim * 4);
  float *query = base;
  if (!h.same)
    {
      query = knn_alloc_rows (h.nq, h.dim);
      memcpy (query, d + sizeof h + h.nb * h.dim * 4, h.nq * h.dim * 4);
    }
  g_autofree guint32 *self = NULL;
  if (h.has_self)
    self = g_memdup2 (d + len - h.nq * 4, h.nq * 4);
  KnnParams p = { (guint) h.k, (guint) h.block, MAX (threads, 1u), stage };
  g_autoptr (GBytes) mine = knn_search_share (base, (guint) h.nb, query, (guint) h.nq, self, (guint) h.dim, &p,
                                              dp_stage_rank (stage), dp_stage_n_ranks (stage));
  g_bytes_unref (shared);
  if (query != base)
    free (query);
  free (base);
  g_autoptr (GPtrArray) none = dp_stage_ranks_gather (stage, mine);
  return TRUE;
}
