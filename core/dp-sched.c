/* dp-sched.c — running stages at the same time, within one thread budget.
 *
 * A run has two phases (docs/architecture.md, "Scheduling"):
 *
 * Streaming.  The sources run one after another; each push goes depth
 * first through its consumers.  Where a port has several consumers, their
 * branches run at the same time (fork-join per batch) on a pool of
 * --threads - 1 workers plus the pushing thread.  A stage reachable from
 * two of those branches (a report fed by the packets and by the taxonomy)
 * must still see its batches in the order of a sequential run, so what
 * the branches push to such a stage is held in one queue per branch and
 * delivered after the join, branch by branch: exactly the sequential
 * order.  Every stage therefore runs on one thread at a time.
 *
 * Finishing.  Each stage's finish() (and the process() calls of what its
 * upstreams pushed from their finish()) runs as soon as all its upstreams
 * have finished, on a worker, while others run.  Pushes in this phase go
 * to the consumer's inbox; when the consumer starts, it takes its inbox in
 * the order of a sequential run: upstreams in topological order, each
 * one's batches in push order.  Threads are tokens: a stage holds one, a
 * stage that declares DP_PLUGIN_THREADED holds as many as it was granted
 * (its `threads` key caps it) and may be granted more while it runs, when
 * others finish and nobody waits.  The total never exceeds --threads.
 */
#include "config.h"

#include <string.h>

#include "dp-private.h"

/* ------------------------------------------------------------------ */
/* a fork-join pool that never waits for a worker it does not have */

typedef struct {
  void (*fn) (gpointer data);
  gpointer data;
  gboolean done;
} DpJob;

struct _DpPool {
  GMutex lock;
  GCond work, finished;
  GThread **threads;
  guint n_threads;
  guint idle;           /* workers waiting for a job */
  GQueue jobs;          /* handed over, not yet taken */
  gboolean quit;
};

static gpointer
pool_worker (gpointer data)
{
  DpPool *pool = data;
  g_mutex_lock (&pool->lock);
  for (;;)
    {
      pool->idle++;
      while (!pool->quit && g_queue_is_empty (&pool->jobs))
        g_cond_wait (&pool->work, &pool->lock);
      pool->idle--;
      if (pool->quit && g_queue_is_empty (&pool->jobs))
        break;
      DpJob *job = g_queue_pop_head (&pool->jobs);
      g_mutex_unlock (&pool->lock);
      job->fn (job->data);
      g_mutex_lock (&pool->lock);
      job->done = TRUE;
      g_cond_broadcast (&pool->finished);
    }
  g_mutex_unlock (&pool->lock);
  return NULL;
}

DpPool *
dp_pool_new (guint n_threads)
{
  DpPool *pool = g_new0 (DpPool, 1);
  g_mutex_init (&pool->lock);
  g_cond_init (&pool->work);
  g_cond_init (&pool->finished);
  g_queue_init (&pool->jobs);
  pool->n_threads = n_threads;
  pool->threads = g_new0 (GThread *, MAX (n_threads, 1u));
  for (guint i = 0; i < n_threads; i++)
    pool->threads[i] = g_thread_new ("dp-worker", pool_worker, pool);
  return pool;
}

void
dp_pool_free (DpPool *pool)
{
  if (pool == NULL)
    return;
  g_mutex_lock (&pool->lock);
  pool->quit = TRUE;
  g_cond_broadcast (&pool->work);
  g_mutex_unlock (&pool->lock);
  for (guint i = 0; i < pool->n_threads; i++)
    g_thread_join (pool->threads[i]);
  g_free (pool->threads);
  g_mutex_clear (&pool->lock);
  g_cond_clear (&pool->work);
  g_cond_clear (&pool->finished);
  g_free (pool);
}

/* Hands @job to a worker that is idle now, or returns FALSE (the caller
 * runs it itself): a job handed over always has a worker of its own, so
 * nested forks cannot wait on each other. */
static gboolean
pool_try (DpPool *pool, DpJob *job)
{
  gboolean taken = FALSE;
  g_mutex_lock (&pool->lock);
  if (pool->idle > g_queue_get_length (&pool->jobs))
    {
      g_queue_push_tail (&pool->jobs, job);
      g_cond_signal (&pool->work);
      taken = TRUE;
    }
  g_mutex_unlock (&pool->lock);
  return taken;
}

static void
pool_wait (DpPool *pool, DpJob *job)
{
  g_mutex_lock (&pool->lock);
  while (!job->done)
    g_cond_wait (&pool->finished, &pool->lock);
  g_mutex_unlock (&pool->lock);
}

/* ------------------------------------------------------------------ */
/* fan-out: which consumers of a port are separate branches */

typedef struct {
  DpLink *link;
  DpStage *from;
  DpBatch *batch;
} DpHeld;

struct _DpFanout {
  guint n_groups;
  guint *group_of;      /* per link of the port */
  guint8 *shared;       /* per stage index: reached from two groups */
};

typedef struct _DpFork DpFork;
struct _DpFork {
  DpFork *parent;
  const DpFanout *fan;
  GArray *held;         /* DpHeld: deliveries to shared stages, in order */
};

/* the innermost fork the running thread works for */
static _Thread_local DpFork *tls_fork;

static void
reach (DpStage *s, guint8 *seen)
{
  if (seen[s->index])
    return;
  seen[s->index] = 1;
  for (guint p = 0; p < s->desc->n_outputs; p++)
    for (guint i = 0; i < s->consumers[p]->len; i++)
      reach (((DpLink *) g_ptr_array_index (s->consumers[p], i))->to, seen);
}

static void
fanout_free (DpFanout *f)
{
  if (f == NULL)
    return;
  g_free (f->group_of);
  g_free (f->shared);
  g_free (f);
}

/* The fan-out of port @port of @s among @n_stages indexed stages, or NULL
 * when its consumers are one stage or none. */
static DpFanout *
fanout_new (DpStage *s, guint port, guint n_stages)
{
  GPtrArray *links = s->consumers[port];
  /* links into one stage (two of its ports) are one group */
  g_autoptr (GPtrArray) heads = g_ptr_array_new ();
  g_autofree guint *group_of = g_new0 (guint, MAX (links->len, 1u));
  for (guint i = 0; i < links->len; i++)
    {
      DpStage *to = ((DpLink *) g_ptr_array_index (links, i))->to;
      guint g;
      if (!g_ptr_array_find (heads, to, &g))
        {
          g = heads->len;
          g_ptr_array_add (heads, to);
        }
      group_of[i] = g;
    }
  if (heads->len < 2)
    return NULL;
  DpFanout *f = g_new0 (DpFanout, 1);
  f->n_groups = heads->len;
  f->group_of = g_steal_pointer (&group_of);
  f->shared = g_new0 (guint8, n_stages);
  g_autofree guint8 *count = g_new0 (guint8, n_stages);
  g_autofree guint8 *seen = g_new0 (guint8, n_stages);
  for (guint g = 0; g < heads->len; g++)
    {
      memset (seen, 0, n_stages);
      reach (g_ptr_array_index (heads, g), seen);
      for (guint k = 0; k < n_stages; k++)
        if (seen[k] && ++count[k] >= 2)
          f->shared[k] = 1;
    }
  return f;
}

void
dp_sched_fanouts_clear (DpStage *s)
{
  if (s->fanout == NULL)
    return;
  for (guint p = 0; p < s->desc->n_outputs; p++)
    fanout_free (s->fanout[p]);
  g_clear_pointer (&s->fanout, g_free);
}

void
dp_sched_prepare (DpStage **stages, guint n)
{
  for (guint i = 0; i < n; i++)
    stages[i]->index = i;
  for (guint i = 0; i < n; i++)
    {
      DpStage *s = stages[i];
      dp_sched_fanouts_clear (s);
      s->fanout = g_new0 (DpFanout *, MAX (s->desc->n_outputs, 1u));
      for (guint p = 0; p < s->desc->n_outputs; p++)
        s->fanout[p] = fanout_new (s, p, n);
    }
}

/* Calls @l's consumer with @batch, or holds the batch for later when the
 * consumer is shared by the branches of the fork this thread works for. */
static void
deliver (DpStage *from, DpLink *l, DpBatch *batch)
{
  DpFork *f = tls_fork;
  if (f && f->fan->shared[l->to->index])
    {
      DpHeld h = { l, from, dp_batch_ref (batch) };
      g_array_append_val (f->held, h);
      return;
    }
  dp_stage_deliver (from, l, batch);
}

typedef struct {
  DpStage *from;
  GPtrArray *links;
  DpBatch *batch;
  DpFork fork;
  guint group;
  DpJob job;
} DpBranch;

static void
branch_run (gpointer data)
{
  DpBranch *b = data;
  DpFork *outer = tls_fork;
  tls_fork = &b->fork;
  for (guint i = 0; i < b->links->len; i++)
    {
      DpLink *l = g_ptr_array_index (b->links, i);
      if (b->fork.fan->group_of[i] != b->group || l->stopped || l->to->error)
        continue;
      if (dp_stage_run_flow (b->from) < 0)
        break;
      deliver (b->from, l, b->batch);
    }
  tls_fork = outer;
}

/* Delivers @batch to every consumer of @port of @s: the branches of a
 * fan-out at the same time when a pool is there, else one by one. */
void
dp_sched_deliver_all (DpStage *s, guint port, DpBatch *batch)
{
  GPtrArray *links = s->consumers[port];
  DpContext *ctx = s->ctx;
  const DpFanout *fan = s->fanout ? s->fanout[port] : NULL;
  if (ctx && ctx->finishing)
    {
      /* the consumers start once this stage has finished */
      for (guint i = 0; i < links->len; i++)
        {
          DpLink *l = g_ptr_array_index (links, i);
          if (!l->stopped)
            dp_sched_inbox_add (l->to, l, s, batch);
        }
      return;
    }
  if (fan == NULL || ctx == NULL || ctx->pool == NULL)
    {
      for (guint i = 0; i < links->len; i++)
        {
          DpLink *l = g_ptr_array_index (links, i);
          if (l->stopped || l->to->error)
            continue;
          if (dp_stage_run_flow (s) < 0)
            break;
          deliver (s, l, batch);
        }
      return;
    }
  g_autofree DpBranch *br = g_new0 (DpBranch, fan->n_groups);
  for (guint g = 0; g < fan->n_groups; g++)
    {
      br[g] = (DpBranch) { s, links, batch, { tls_fork, fan, g_array_new (FALSE, FALSE, sizeof (DpHeld)) }, g,
                           { branch_run, &br[g], FALSE } };
    }
  /* the others to idle workers, the first here, then whatever no worker took */
  g_autofree gboolean *away = g_new0 (gboolean, fan->n_groups);
  for (guint g = 1; g < fan->n_groups; g++)
    away[g] = pool_try (ctx->pool, &br[g].job);
  for (guint g = 0; g < fan->n_groups; g++)
    if (!away[g])
      branch_run (&br[g]);
  for (guint g = 1; g < fan->n_groups; g++)
    if (away[g])
      pool_wait (ctx->pool, &br[g].job);
  /* what the branches held for shared stages, branch by branch: the order
   * a sequential run gives them */
  for (guint g = 0; g < fan->n_groups; g++)
    {
      GArray *held = br[g].fork.held;
      for (guint i = 0; i < held->len; i++)
        {
          DpHeld *h = &g_array_index (held, DpHeld, i);
          if (!h->link->stopped && !h->link->to->error && dp_stage_run_flow (h->from) >= 0)
            deliver (h->from, h->link, h->batch);
          dp_batch_unref (h->batch);
        }
      g_array_unref (held);
    }
}

/* ------------------------------------------------------------------ */
/* the finishing phase */

typedef struct {
  DpLink *link;
  DpStage *from;
  DpBatch *batch;
  guint64 seq;
} DpInboxItem;

void
dp_sched_inbox_add (DpStage *to, DpLink *l, DpStage *from, DpBatch *batch)
{
  g_mutex_lock (&to->inbox_lock);
  if (to->inbox == NULL)
    to->inbox = g_array_new (FALSE, FALSE, sizeof (DpInboxItem));
  DpInboxItem it = { l, from, dp_batch_ref (batch), to->inbox->len };
  g_array_append_val (to->inbox, it);
  g_mutex_unlock (&to->inbox_lock);
}

void
dp_sched_inbox_clear (DpStage *s)
{
  for (guint i = 0; s->inbox && i < s->inbox->len; i++)
    dp_batch_unref (g_array_index (s->inbox, DpInboxItem, i).batch);
  g_clear_pointer (&s->inbox, g_array_unref);
}

static gint
inbox_cmp (gconstpointer a, gconstpointer b)
{
  const DpInboxItem *x = a, *y = b;
  if (x->from->index != y->from->index)
    return x->from->index < y->from->index ? -1 : 1;
  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

typedef struct {
  DpStage *stage;
  struct _DpFinishRun *run;
  DpJob job;
} DpFinishTask;

typedef struct _DpFinishRun {
  DpContext *ctx;
  GMutex lock;
  GCond done;
  GQueue finished;      /* DpFinishTask* whose stage has returned */
} DpFinishRun;

/* One stage: what its upstreams pushed at their finish, then its own. */
static void
finish_task (gpointer data)
{
  DpFinishTask *t = data;
  DpStage *s = t->stage;
  if (s->inbox)
    {
      g_array_sort (s->inbox, inbox_cmp);
      for (guint i = 0; i < s->inbox->len; i++)
        {
          DpInboxItem *it = &g_array_index (s->inbox, DpInboxItem, i);
          if (!it->link->stopped && !s->error && dp_stage_run_flow (s) >= 0)
            dp_stage_deliver (it->from, it->link, it->batch);
        }
      dp_sched_inbox_clear (s);
    }
  if (s->error == NULL && dp_stage_run_flow (s) >= 0)
    {
      GError *err = NULL;
      if (!dp_stage_call_finish (s, &err))
        dp_stage_note_error (s, err);
    }
  DpFinishRun *run = t->run;
  g_mutex_lock (&run->lock);
  g_queue_push_tail (&run->finished, t);
  g_cond_signal (&run->done);
  g_mutex_unlock (&run->lock);
}

static void
finish_task_func (gpointer data, gpointer unused)
{
  finish_task (data);
}

/* Runs every stage's finish (stages[] in topological order, indexed),
 * each as soon as its upstreams have finished, within @budget threads.
 * Stops starting stages once one failed or the run was interrupted; the
 * caller reads the stages' errors. */
void
dp_sched_finish_all (DpContext *ctx, DpStage **stages, guint n, guint budget)
{
  g_autofree guint *waiting_for = g_new0 (guint, MAX (n, 1u));
  g_autofree gboolean *started = g_new0 (gboolean, MAX (n, 1u));
  g_autofree gboolean *finished = g_new0 (gboolean, MAX (n, 1u));
  g_autofree DpFinishTask *tasks = g_new0 (DpFinishTask, MAX (n, 1u));
  for (guint i = 0; i < n; i++)
    waiting_for[i] = stages[i]->upstreams->len;
  DpFinishRun run = { ctx };
  g_mutex_init (&run.lock);
  g_cond_init (&run.done);
  g_queue_init (&run.finished);
  GThreadPool *workers = g_thread_pool_new (finish_task_func, NULL, (gint) budget, FALSE, NULL);
  guint free_tokens = budget, running = 0, done = 0;
  ctx->finishing = TRUE;
  while (done < n)
    {
      gboolean ending = g_atomic_int_get (&ctx->failed) || g_atomic_int_get (&ctx->cancelled);
      /* start what is ready, in topological order */
      guint ready = 0;
      for (guint i = 0; i < n; i++)
        ready += !started[i] && waiting_for[i] == 0;
      for (guint i = 0; i < n && !ending && free_tokens > 0; i++)
        {
          if (started[i] || waiting_for[i] != 0)
            continue;
          DpStage *s = stages[i];
          guint grant = 1;
          if (s->desc->flags & DP_PLUGIN_THREADED)
            {
              /* leave a token for each other stage that waits */
              guint spare = free_tokens > ready - 1 ? free_tokens - (ready - 1) : 1;
              grant = CLAMP (spare, 1u, dp_stage_threads_wanted (s));
            }
          g_atomic_int_set (&s->grant, (gint) grant);
          free_tokens -= MIN (grant, free_tokens);
          started[i] = TRUE;
          ready--;
          running++;
          tasks[i] = (DpFinishTask) { s, &run, { 0 } };
          g_thread_pool_push (workers, &tasks[i], NULL);
        }
      if (running == 0)
        break;          /* nothing runs and nothing can start */
      g_mutex_lock (&run.lock);
      while (g_queue_is_empty (&run.finished))
        g_cond_wait (&run.done, &run.lock);
      DpFinishTask *t;
      while ((t = g_queue_pop_head (&run.finished)))
        {
          DpStage *s = t->stage;
          free_tokens += (guint) g_atomic_int_get (&s->grant);
          running--;
          done++;
          finished[s->index] = TRUE;
          for (guint k = 0; k < n; k++)
            if (g_ptr_array_find (stages[k]->upstreams, s, NULL))
              waiting_for[k]--;
        }
      g_mutex_unlock (&run.lock);
      /* tokens nobody waits for go to running stages that want more */
      ready = 0;
      for (guint i = 0; i < n; i++)
        ready += !started[i] && waiting_for[i] == 0;
      if (ready == 0)
        for (guint i = 0; i < n && free_tokens > 0; i++)
          {
            DpStage *s = stages[i];
            if (!started[i] || finished[i] || !(s->desc->flags & DP_PLUGIN_THREADED))
              continue;
            guint have = (guint) g_atomic_int_get (&s->grant), want = dp_stage_threads_wanted (s);
            if (have < want)
              {
                guint more = MIN (want - have, free_tokens);
                g_atomic_int_add (&s->grant, (gint) more);
                free_tokens -= more;
              }
          }
    }
  g_thread_pool_free (workers, FALSE, TRUE);
  ctx->finishing = FALSE;
  g_mutex_clear (&run.lock);
  g_cond_clear (&run.done);
}
