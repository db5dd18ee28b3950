/* louvain-par.c — the local moving and the aggregation on several threads.
 *
 * The moving follows the asynchronous scheme of GVE-Louvain (Sahu 2023,
 * "GVE-Louvain: fast Louvain algorithm for community detection in shared
 * memory setting"): all threads share the node → community array and the
 * community totals, read them without locks and update the totals with
 * atomic adds, so a thread may decide on a total that another thread is
 * changing; the next visit of the node repairs such a choice.  What keeps
 * it linear is Traag's queue, as on one thread: only the neighbours of a
 * node that moved, and are not in its new community, are visited again.
 * The queue is shared in chunks: the nodes in the seeded random order, cut
 * into chunks, then the chunks that the threads fill with the nodes they
 * want visited again; a thread takes the next chunk (under a lock, once
 * per chunk), and when none is there it visits the nodes of the chunk it
 * is filling.  So the threads share the work to the end of the level,
 * which ends when every thread waits for a chunk.  A node is in one chunk
 * at most: its state says whether it is idle, queued, being moved, or
 * being moved and wanted again (a neighbour moved meanwhile), in which
 * case its thread queues it once more. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "louvain.h"

enum { LV_IDLE, LV_QUEUED, LV_BUSY, LV_AGAIN };

/* nodes per chunk of the shared queue */
#define LV_CHUNK 512

typedef struct {
  guint len;
  guint32 node[LV_CHUNK];
} LvChunk;

typedef struct {
  const LvGraph *g;
  guint32 *comm;
  double *tot;
  guint8 *state;
  double gamma_m2;
  guint threads;
  GMutex lock;        /* guards the rest */
  GCond wake;
  GQueue chunks;      /* of LvChunk, full ones but for the last of the order */
  guint waiting;      /* threads waiting for a chunk */
  gboolean done;
} LvShared;

typedef struct {
  LvShared *sh;
  LvChunk *out;       /* the chunk this thread fills */
  double *nw;
  guint32 *touched;
  guint64 moves;
} LvWorker;

static double
louvain_load_f64 (const double *p)
{
  double v;
  __atomic_load (p, &v, __ATOMIC_RELAXED);
  return v;
}

static void
louvain_add_f64 (double *p, double d)
{
  double old, sum;
  __atomic_load (p, &old, __ATOMIC_RELAXED);
  do
    sum = old + d;
  while (!__atomic_compare_exchange (p, &old, &sum, TRUE, __ATOMIC_RELAXED, __ATOMIC_RELAXED));
}

/* Queues @i in this thread's chunk, handing the chunk over when full. */
static void
louvain_push (LvWorker *w, guint32 i)
{
  w->out->node[w->out->len++] = i;
  if (w->out->len < LV_CHUNK)
    return;
  LvShared *sh = w->sh;
  g_mutex_lock (&sh->lock);
  g_queue_push_tail (&sh->chunks, w->out);
  if (sh->waiting)
    g_cond_signal (&sh->wake);
  g_mutex_unlock (&sh->lock);
  w->out = g_new (LvChunk, 1);
  w->out->len = 0;
}

/* The next chunk to visit: a shared one, else this thread's own; NULL
 * when every thread waits for one (the level is over). */
static LvChunk *
louvain_next (LvWorker *w)
{
  LvShared *sh = w->sh;
  g_mutex_lock (&sh->lock);
  LvChunk *c;
  while (!(c = g_queue_pop_head (&sh->chunks)))
    {
      if (w->out->len > 0)
        {
          c = w->out;
          w->out = g_new (LvChunk, 1);
          w->out->len = 0;
          break;
        }
      if (sh->done || ++sh->waiting == sh->threads)
        {
          sh->done = TRUE;
          g_cond_broadcast (&sh->wake);
          break;
        }
      g_cond_wait (&sh->wake, &sh->lock);
      sh->waiting--;
    }
  g_mutex_unlock (&sh->lock);
  return c;
}

/* Wants node @j visited (again): queues it here when idle, marks it when
 * another thread is moving it; nothing when it is queued already. */
static void
louvain_want (LvWorker *w, guint32 j)
{
  guint8 *st = &w->sh->state[j];
  guint8 s = __atomic_load_n (st, __ATOMIC_RELAXED);
  for (;;)
    {
      guint8 to;
      if (s == LV_IDLE)
        to = LV_QUEUED;
      else if (s == LV_BUSY)
        to = LV_AGAIN;
      else
        return;
      if (__atomic_compare_exchange_n (st, &s, to, FALSE, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
        {
          if (to == LV_QUEUED)
            louvain_push (w, j);
          return;
        }
    }
}

/* The best community of node @i against the shared totals; the node's
 * own total is read without the node in it. */
static guint32
louvain_best_shared (LvWorker *w, guint32 i)
{
  const LvShared *sh = w->sh;
  const LvGraph *g = sh->g;
  guint nt = louvain_gather (g, sh->comm, i, w->nw, w->touched);
  guint32 own = __atomic_load_n (&sh->comm[i], __ATOMIC_RELAXED);
  double ki = g->k[i];
  guint32 best = own;
  double best_gain = (w->nw[own] > 0 ? w->nw[own] : 0) - ki * (louvain_load_f64 (&sh->tot[own]) - ki) * sh->gamma_m2;
  for (guint t = 0; t < nt; t++)
    {
      guint32 c = w->touched[t];
      if (c == own)
        continue;
      double gain = w->nw[c] - ki * louvain_load_f64 (&sh->tot[c]) * sh->gamma_m2;
      if (gain > best_gain + 1e-12 * fabs (best_gain))
        {
          best = c;
          best_gain = gain;
        }
    }
  for (guint t = 0; t < nt; t++)
    w->nw[w->touched[t]] = -1;
  return best;
}

/* Visits node @i: moves it to its best community, queues its neighbours
 * when it moved, and queues it again when it is wanted again. */
static void
louvain_visit (LvWorker *w, guint32 i)
{
  LvShared *sh = w->sh;
  const LvGraph *g = sh->g;
  __atomic_store_n (&sh->state[i], LV_BUSY, __ATOMIC_RELEASE);
  guint32 own = __atomic_load_n (&sh->comm[i], __ATOMIC_RELAXED);
  guint32 best = louvain_best_shared (w, i);
  if (best != own)
    {
      __atomic_store_n (&sh->comm[i], best, __ATOMIC_RELAXED);
      louvain_add_f64 (&sh->tot[own], -g->k[i]);
      louvain_add_f64 (&sh->tot[best], g->k[i]);
      w->moves++;
      for (guint64 e = g->rowptr[i]; e < g->rowptr[i + 1]; e++)
        {
          guint32 j = g->col[e];
          if (__atomic_load_n (&sh->comm[j], __ATOMIC_RELAXED) != best)
            louvain_want (w, j);
        }
    }
  guint8 busy = LV_BUSY;
  if (!__atomic_compare_exchange_n (&sh->state[i], &busy, LV_IDLE, FALSE, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
    {
      /* LV_AGAIN: a neighbour moved while this node was decided */
      __atomic_store_n (&sh->state[i], LV_QUEUED, __ATOMIC_RELAXED);
      louvain_push (w, i);
    }
}

static gpointer
louvain_move_worker (gpointer data)
{
  LvWorker *w = data;
  guint n = w->sh->g->n;
  /* the scratch is made here, by each thread at once */
  w->nw = g_new (double, MAX (n, 1u));
  for (guint i = 0; i < n; i++)
    w->nw[i] = -1;
  w->touched = g_new (guint32, MAX (n, 1u));
  w->out = g_new (LvChunk, 1);
  w->out->len = 0;
  LvChunk *c;
  while ((c = louvain_next (w)))
    {
      for (guint p = 0; p < c->len; p++)
        louvain_visit (w, c->node[p]);
      g_free (c);
    }
  g_free (w->out);
  g_free (w->nw);
  g_free (w->touched);
  return NULL;
}

/* Runs @fn on the @threads items of @items (each @size bytes): the first
 * on this thread, the others on threads of their own. */
static void
louvain_run_threads (GThreadFunc fn, gpointer items, gsize size, guint threads)
{
  g_autofree GThread **th = g_new0 (GThread *, threads);
  for (guint t = 1; t < threads; t++)
    th[t] = g_thread_new ("louvain", fn, (char *) items + t * size);
  fn (items);
  for (guint t = 1; t < threads; t++)
    g_thread_join (th[t]);
}

guint64
louvain_move_par (const LvGraph *g, guint32 *comm, double gamma, double m2, GRand *rand, guint threads)
{
  guint n = g->n;
  g_autofree double *tot = g_new (double, MAX (n, 1u));
  g_autofree guint8 *state = g_new (guint8, MAX (n, 1u));
  g_autofree guint32 *order = g_new (guint32, MAX (n, 1u));
  for (guint i = 0; i < n; i++)
    {
      comm[i] = i;
      tot[i] = g->k[i];
      state[i] = LV_QUEUED;
      order[i] = i;
    }
  louvain_shuffle (order, n, rand);
  LvShared sh = { g, comm, tot, state, m2 > 0 ? gamma / m2 : 0, threads };
  g_mutex_init (&sh.lock);
  g_cond_init (&sh.wake);
  g_queue_init (&sh.chunks);
  for (guint at = 0; at < n; at += LV_CHUNK)
    {
      LvChunk *c = g_new (LvChunk, 1);
      c->len = MIN (n - at, LV_CHUNK);
      memcpy (c->node, order + at, c->len * sizeof (guint32));
      g_queue_push_tail (&sh.chunks, c);
    }
  g_autofree LvWorker *w = g_new0 (LvWorker, threads);
  for (guint t = 0; t < threads; t++)
    w[t].sh = &sh;
  louvain_run_threads (louvain_move_worker, w, sizeof *w, threads);
  guint64 moves = 0;
  for (guint t = 0; t < threads; t++)
    moves += w[t].moves;
  g_mutex_clear (&sh.lock);
  g_cond_clear (&sh.wake);
  return moves;
}

/* ------------------------------------------------------------------ */
/* building graphs in parts */

/* A part of a graph built on several threads: rows [r0, r1), written from
 * entry @base on (room for as many entries as the part reads), ending at
 * @end. */
typedef struct {
  guint r0, r1;
  guint64 base, end;
} LvPart;

/* Splits rows 0..@n into @threads parts of about equal entries, @off[r]
 * (monotone, n + 1 values) being the entries read before row r. */
static void
louvain_split (const guint64 *off, guint n, guint threads, LvPart *parts, gsize stride)
{
  guint r = 0;
  for (guint t = 0; t < threads; t++)
    {
      LvPart *p = (LvPart *) ((char *) parts + t * stride);
      guint64 until = off[n] / threads * (t + 1);
      p->r0 = r;
      p->base = off[r];
      while (r < n && (off[r] < until || t + 1 == threads))
        r++;
      p->r1 = r;
    }
}

/* Moves each part's entries down to follow the previous part's, fixing
 * the row ends; returns the entries in all. */
static guint64
louvain_compact (LvGraph *a, LvPart *parts, gsize stride, guint threads)
{
  LvPart *prev = parts;
  for (guint t = 1; t < threads; t++)
    {
      LvPart *p = (LvPart *) ((char *) parts + t * stride);
      guint64 shift = p->base - prev->end;
      if (shift > 0)
        {
          memmove (a->col + prev->end, a->col + p->base, (p->end - p->base) * sizeof *a->col);
          memmove (a->w + prev->end, a->w + p->base, (p->end - p->base) * sizeof *a->w);
          for (guint r = p->r0; r < p->r1; r++)
            a->rowptr[r + 1] -= shift;
          p->end -= shift;
        }
      prev = p;
    }
  return prev->end;
}

/* ------------------------------------------------------------------ */
/* level 0 */

typedef struct {
  LvPart part;
  const DpGraph *in;
  LvGraph *g;
  guint64 skipped;
} LvFromPart;

static gpointer
louvain_from_worker (gpointer data)
{
  LvFromPart *p = data;
  p->part.end = louvain_graph_rows (p->in, p->g, p->part.r0, p->part.r1, p->part.base, &p->skipped);
  return NULL;
}

LvGraph *
louvain_graph_from_par (const DpGraph *in, guint64 *skipped, guint threads)
{
  guint n = in->n_nodes;
  /* the parts' rooms are their rows' entries: a row pointer that goes back
   * would let them overlap (one thread reads such a graph safely) */
  g_autofree guint64 *off = g_new (guint64, (gsize) n + 1);
  for (guint i = 0; i <= n; i++)
    {
      off[i] = MIN (in->rowptr[i], in->n_edges);
      if (i > 0 && off[i] < off[i - 1])
        return louvain_graph_from (in, skipped);
    }
  LvGraph *g = louvain_graph_new_from (in);
  g_autofree LvFromPart *parts = g_new0 (LvFromPart, threads);
  louvain_split (off, n, threads, &parts[0].part, sizeof *parts);
  /* row 0 of the first part may start past entry 0 */
  parts[0].part.base = 0;
  for (guint t = 0; t < threads; t++)
    {
      parts[t].in = in;
      parts[t].g = g;
    }
  louvain_run_threads (louvain_from_worker, parts, sizeof *parts, threads);
  louvain_compact (g, &parts[0].part, sizeof *parts, threads);
  *skipped = 0;
  for (guint t = 0; t < threads; t++)
    *skipped += parts[t].skipped;
  return g;
}

/* ------------------------------------------------------------------ */
/* aggregation */

typedef struct {
  LvPart part;
  const LvGraph *g;
  const guint32 *comm;
  const LvMembers *mb;
  LvGraph *a;
} LvAggPart;

static gpointer
louvain_aggregate_worker (gpointer data)
{
  LvAggPart *p = data;
  guint nc = p->a->n;
  g_autofree double *acc = g_new (double, MAX (nc, 1u));
  g_autofree guint32 *touched = g_new (guint32, MAX (nc, 1u));
  for (guint c = 0; c < nc; c++)
    acc[c] = -1;
  p->part.end = louvain_aggregate_rows (p->g, p->comm, p->mb, p->part.r0, p->part.r1, p->a, acc, touched,
                                        p->part.base);
  return NULL;
}

/* A community has no more entries than its members, so each part writes
 * its rows from its members' first input entry on. */
void
louvain_aggregate_par (const LvGraph *g, const guint32 *comm, const LvMembers *mb, LvGraph *a, guint threads)
{
  guint nc = a->n;
  g_autofree guint64 *off = g_new (guint64, (gsize) nc + 1);   /* input entries before community c */
  off[0] = 0;
  for (guint c = 0; c < nc; c++)
    {
      guint64 e = 0;
      for (guint64 p = mb->start[c]; p < mb->start[c + 1]; p++)
        e += g->rowptr[mb->members[p] + 1] - g->rowptr[mb->members[p]];
      off[c + 1] = off[c] + e;
    }
  g_autofree LvAggPart *parts = g_new0 (LvAggPart, threads);
  louvain_split (off, nc, threads, &parts[0].part, sizeof *parts);
  for (guint t = 0; t < threads; t++)
    {
      parts[t].g = g;
      parts[t].comm = comm;
      parts[t].mb = mb;
      parts[t].a = a;
    }
  louvain_run_threads (louvain_aggregate_worker, parts, sizeof *parts, threads);
  louvain_compact (a, &parts[0].part, sizeof *parts, threads);
}
