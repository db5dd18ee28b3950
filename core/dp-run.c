/* dp-run.c — running a loaded pipeline: the sources stream, then every
 * stage finishes (one by one, or at once through dp-sched.c); under MPI
 * across the ranks (dp-ranks.c).  The summary: dp-summary.c. */
#include "config.h"

#include <string.h>

#include "dp-pipeline-private.h"

/* Moves the first stage error, in topological order, into @error. */
static gboolean
first_stage_error (DpPipeline *p, GError **error)
{
  for (guint r = 0; r < p->order->len; r++)
    {
      DpStage *st = spec_at (p, r)->stage;
      if (st->error)
        {
          g_propagate_error (error, g_steal_pointer (&st->error));
          return TRUE;
        }
    }
  return FALSE;
}

static gboolean
cancelled_error (DpPipeline *p, const char *during, GError **error)
{
  if (!g_atomic_int_get (&p->ctx->cancelled))
    return FALSE;
  GString *done = g_string_new (NULL);
  for (guint r = 0; r < p->order->len; r++)
    {
      DpStage *st = spec_at (p, r)->stage;
      if (st->desc->kind == DP_KIND_SOURCE)
        g_string_append_printf (done, "%s%s read %" G_GUINT64_FORMAT " rows", done->len ? ", " : "",
                                st->name, st->rows_out);
      else if (st->finished)
        g_string_append_printf (done, "%s%s finished", done->len ? ", " : "", st->name);
    }
  g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_CANCELLED,
               "interrupted during %s; completed: %s; no output of an unfinished stage was written",
               during, done->len ? done->str : "nothing");
  g_string_free (done, TRUE);
  return TRUE;
}

/* A source that pushed nothing and skipped bad input read no input at
 * all: every file was damaged or of another kind.  That run analysed
 * nothing, and a cron job must see it (exit 1), with what was skipped. */
static gboolean
source_read_something (DpStage *st, GError **error)
{
  if (st->rows_out > 0 || st->counters->len == 0)
    return TRUE;
  GString *what = g_string_new (NULL);
  for (guint i = 0; i < st->counters->len; i++)
    {
      DpCounter *c = &g_array_index (st->counters, DpCounter, i);
      g_string_append_printf (what, "%s%s: %" G_GUINT64_FORMAT, what->len ? ", " : "", c->name, c->value);
    }
  g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_EMPTY,
               "stage '%s' (%s) read no input: all of it was skipped (%s; the warnings above name the files)",
               st->name, st->desc->name, what->str);
  g_string_free (what, TRUE);
  return FALSE;
}

/* The sources, one after the other; their pushes stream through. */
static gboolean
pipeline_stream (DpPipeline *p, DpStage **stages, guint n, GError **error)
{
  for (guint r = 0; r < n; r++)
    {
      DpStage *st = stages[r];
      if (st->desc->kind != DP_KIND_SOURCE)
        continue;
      if (!dp_stage_call_run (st, error))
        return FALSE;
      if (first_stage_error (p, error) || cancelled_error (p, "reading", error))
        return FALSE;
      if (!source_read_something (st, error))
        return FALSE;
    }
  return TRUE;
}

/* Every stage's finish in dependency order: one by one (@budget 1: one
 * thread, or --sequential), else each as soon as its upstreams are done
 * (dp-sched.c). */
static gboolean
pipeline_finish (DpPipeline *p, DpStage **stages, guint n, guint budget, GError **error)
{
  if (budget == 1)
    {
      for (guint r = 0; r < n; r++)
        {
          if (!dp_stage_call_finish (stages[r], error))
            return FALSE;
          if (first_stage_error (p, error) || cancelled_error (p, stages[r]->name, error))
            return FALSE;
        }
      return TRUE;
    }
  dp_sched_finish_all (p->ctx, stages, n, budget);
  if (first_stage_error (p, error))
    return FALSE;
  /* the stages that had started ended; name the first that did not */
  for (guint r = 0; r < n; r++)
    if (!stages[r]->finished && cancelled_error (p, stages[r]->name, error))
      return FALSE;
  return !cancelled_error (p, "finishing", error);
}

/* The run in one process. */
static gboolean
pipeline_run_local (DpPipeline *p, GError **error)
{
  for (guint r = 0; r < p->order->len; r++)
    {
      Spec *s = spec_at (p, r);
      for (guint l = 0; l < s->links->len; l++)
        {
          Wire *w = &g_array_index (s->links, Wire, l);
          Spec *up = g_ptr_array_index (p->specs, w->from);
          dp_stage_link (up->stage, w->out_port, s->stage, w->in_port);
        }
    }
  guint n = p->order->len;
  g_autofree DpStage **stages = g_new (DpStage *, MAX (n, 1u));
  for (guint r = 0; r < n; r++)
    stages[r] = spec_at (p, r)->stage;
  dp_sched_prepare (stages, n);
  for (guint r = 0; r < n; r++)
    if (!dp_stage_call_init (stages[r], error))
      return FALSE;
  /* --threads is the run's budget: the pushing thread and threads - 1
   * workers for branches that run at the same time */
  guint budget = MAX (p->ctx->threads, 1u);
  gboolean together = budget > 1 && !p->ctx->sequential;
  if (together)
    p->ctx->pool = dp_pool_new (budget - 1);
  gboolean ok = pipeline_stream (p, stages, n, error) && pipeline_finish (p, stages, n, together ? budget : 1, error);
  dp_pool_free (g_steal_pointer (&p->ctx->pool));
  return ok;
}

gboolean
dp_pipeline_run (DpPipeline *p, GError **error)
{
  gint64 t0 = g_get_monotonic_time ();
  p->run_start_us = t0;
  if (p->ctx->output_dir == NULL)
    p->ctx->output_dir = g_strdup (p->output_dir);
  gboolean ok;
  if (p->ctx->comm && p->ctx->comm->size > 1)
    /* it sets p->ranks */
    ok = dp_pipeline_run_ranks (p, error);
  else
    {
      ok = pipeline_run_local (p, error);
      DpRankFigures f;
      dp_rank_figures_local (p, &f);
      p->ranks = g_array_new (FALSE, FALSE, sizeof (DpRankFigures));
      g_array_append_val (p->ranks, f);
    }
  if (!ok)
    return FALSE;
  dp_stage_clear_progress_line (p->ctx);
  p->run_us = g_get_monotonic_time () - t0;
  return TRUE;
}
