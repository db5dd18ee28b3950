/* dp-ranks.c — one pipeline across the ranks of an MPI job (`mpirun -np N
 * darkpipe run`, N > 1; docs/architecture.md, "Ranks", has the design).
 *
 * The shape that runs: sources that split their input (each rank decodes
 * every N-th block of records), per-source stages fed by them, sinks fed
 * by the per-source stages' mergeable ports.  Between each source and
 * each per-source stage sits an exchange: every block a source pushes is
 * one round, in which the ranks
 *   1. agree on their state (streaming, done, failed) and their blocks'
 *      newest timestamps (an all-gather), so each rank knows the newest
 *      timestamp of everything before its block in the one-process order;
 *   2. drop what one process would drop as late (DP_PLUGIN_EVENT_TIME);
 *   3. send each packet to the rank owning its source (a hash of the
 *      address: IPv4, the 16 bytes of IPv6, a pseudonym's text), in one
 *      all-to-all of column buffers;
 *   4. push what they got, in rank order: the one-process order of the
 *      owned sources' packets.
 * Then the per-source stages finish, their tables go to rank 0, which
 * merges them (DP_PORT_MERGE_*), pushes them to the sinks and finishes
 * those: outputs are written by rank 0 only, and only once every rank has
 * succeeded.  Failures are agreed on at round and phase boundaries; rank
 * 0 reports the first failing rank's message. */
#include "config.h"

#include <string.h>

#include "dp-ranks-private.h"

/* ------------------------------------------------------------------ */
/* agreeing on failures */

gboolean
ranks_interrupted (const DpComm *c, GError **error)
{
  g_autofree char *who = dp_comm_waited_for (c);
  /* what this rank was doing meanwhile (a read that gave up) is no news */
  g_clear_error (error);
  if (who)
    g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_CANCELLED,
                 "interrupted while waiting for %s, which did not answer (when a rank ends, mpirun "
                 "stops the others: its message says which and why)", who);
  else
    g_set_error_literal (error, DP_DATA_ERROR, DP_DATA_ERROR_CANCELLED,
                         "interrupted; no output of an unfinished stage was written");
  return FALSE;
}

/* Every rank says whether it is well (@ok, else @error set); when one is
 * not, all return FALSE: rank 0 with the first failing rank's message (an
 * interruption stays one), the others with a short error (rank 0
 * reports). */
gboolean
ranks_agree (const DpComm *c, gboolean ok, GError **error)
{
  g_autofree gint64 *all = g_new (gint64, c->size);
  gint64 state = ok ? 0 : error && g_error_matches (*error, DP_DATA_ERROR, DP_DATA_ERROR_CANCELLED) ? 2 : 1;
  if (!dp_comm_allgather_i64 (c, &state, 1, all))
    return ranks_interrupted (c, error);
  gint first = -1;
  for (guint r = 0; r < c->size && first < 0; r++)
    if (all[r])
      first = (gint) r;
  if (first < 0)
    return TRUE;
  const char *mine = !ok && error && *error ? (*error)->message : "";
  g_autofree GByteArray **msgs = g_new0 (GByteArray *, c->size);
  if (!dp_comm_gather (c, mine, strlen (mine) + 1, msgs))
    return ranks_interrupted (c, error);
  if (c->rank == 0)
    {
      g_autofree char *msg = g_strndup ((const char *) msgs[first]->data, msgs[first]->len);
      g_clear_error (error);
      g_set_error (error, DP_DATA_ERROR, all[first] == 2 ? DP_DATA_ERROR_CANCELLED : DP_DATA_ERROR_FAILED,
                   "rank %d of %u: %s", first, c->size, *msg ? msg : "failed");
      for (guint r = 0; r < c->size; r++)
        g_byte_array_unref (msgs[r]);
    }
  else if (ok || (error && *error == NULL))
    g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FAILED, "rank %d of %u failed (rank 0 reports)",
                 first, c->size);
  return FALSE;
}

/* ------------------------------------------------------------------ */
/* the shape of the pipeline */

static gboolean
refuse (Ranks *k, DpStage *st, const char *why, GError **error)
{
  g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_STRUCTURE,
               "stage '%s' (%s) does not run under MPI yet (%u ranks): %s; run this pipeline in one process",
               st->name, st->desc->name, k->comm->size, why);
  return FALSE;
}

static Role
role_of (Ranks *k, DpStage *st)
{
  for (guint r = 0; r < k->n; r++)
    if (k->stages[r] == st)
      return k->roles[r];
  g_assert_not_reached ();
}

static gboolean
mergeable (const DpStage *up, guint port)
{
  return (up->desc->outputs[port].flags & (DP_PORT_MERGE_ORDERED | DP_PORT_MERGE_SUM)) != 0;
}

static gboolean
ranks_plan (Ranks *k, GError **error)
{
  DpPipeline *p = k->p;
  k->roles = g_new0 (Role, MAX (k->n, 1u));
  k->root_source = g_new0 (gboolean, MAX (k->n, 1u));
  for (guint r = 0; r < k->n; r++)
    {
      DpStage *st = k->stages[r];
      Spec *s = spec_at (p, r);
      gsize flags = st->desc->flags;
      if (st->desc->kind == DP_KIND_SOURCE)
        {
          k->roles[r] = ROLE_SOURCE;
          k->root_source[r] = !(flags & DP_PLUGIN_SPLITS_INPUT);
          continue;
        }
      if (s->links->len == 0)
        return refuse (k, st, "it has no input", error);
      gboolean from_sources = TRUE;
      for (guint l = 0; l < s->links->len; l++)
        {
          Wire *w = &g_array_index (s->links, Wire, l);
          DpStage *up = ((Spec *) g_ptr_array_index (p->specs, w->from))->stage;
          from_sources &= role_of (k, up) == ROLE_SOURCE && up->desc->outputs[w->out_port].type == DP_TYPE_PACKETS;
        }
      if ((flags & DP_PLUGIN_PER_SOURCE) && from_sources)
        k->roles[r] = ROLE_PER_SOURCE;
      else if (flags & DP_PLUGIN_COLLECTIVE)
        k->roles[r] = ROLE_COLLECTIVE;
      else
        k->roles[r] = ROLE_ROOT;
      for (guint l = 0; l < s->links->len && k->roles[r] != ROLE_PER_SOURCE; l++)
        {
          Wire *w = &g_array_index (s->links, Wire, l);
          guint from = 0;
          for (guint u = 0; u < k->n; u++)
            if (g_array_index (p->order, guint, u) == w->from)
              from = u;
          DpStage *up = k->stages[from];
          Role ur = k->roles[from];
          if (ur == ROLE_PER_SOURCE && !mergeable (up, w->out_port))
            return refuse (k, st, "it reads an output of a per-source stage that the ranks do not know how to merge",
                           error);
          if (ur == ROLE_SOURCE && !k->root_source[from] && up->desc->outputs[w->out_port].type != DP_TYPE_PACKETS)
            return refuse (k, st, "it reads a split source's output that is no packets", error);
        }
      if (k->roles[r] == ROLE_PER_SOURCE && (flags & DP_PLUGIN_EVENT_TIME)
          && (ranks_option_ns (st, "window") <= 0 || ranks_option_ns (st, "slack") < 0))
        return refuse (k, st, "it says it is windowed but has no window and slack durations", error);
    }
  return TRUE;
}

/* Links the stages as the roles want: exchanges between sources and the
 * stages reading their packets (by source owner to per-source stages, all
 * to rank 0 for the others, one such per source port), per-source outputs
 * captured (their rank-0 readers are linked on rank 0 after the merge),
 * everything else on rank 0 only. */
static void
ranks_link (Ranks *k)
{
  DpPipeline *p = k->p;
  gboolean root = k->comm->rank == 0;
  k->exchanges = g_ptr_array_new_with_free_func (ranks_exchange_free);
  k->sink_wires = g_array_new (FALSE, FALSE, sizeof (SinkWire));
  for (guint r = 0; r < k->n; r++)
    {
      Spec *s = spec_at (p, r);
      DpStage *st = s->stage;
      if (k->roles[r] == ROLE_PER_SOURCE)
        {
          st->captured = g_new0 (GPtrArray *, MAX (st->desc->n_outputs, 1u));
          for (guint o = 0; o < st->desc->n_outputs; o++)
            st->captured[o] = g_ptr_array_new_with_free_func (dp_batch_unref);
        }
      for (guint l = 0; l < s->links->len; l++)
        {
          Wire *w = &g_array_index (s->links, Wire, l);
          DpStage *up = ((Spec *) g_ptr_array_index (p->specs, w->from))->stage;
          Role ur = role_of (k, up);
          if (ur == ROLE_PER_SOURCE)
            {
              SinkWire sw = { up, st, w->out_port, w->in_port };
              g_array_append_val (k->sink_wires, sw);
              continue;
            }
          if (ur != ROLE_SOURCE || up->desc->outputs[w->out_port].type != DP_TYPE_PACKETS)
            {
              if (root)
                dp_stage_link (up, w->out_port, st, w->in_port);
              continue;
            }
          if (k->roles[r] == ROLE_PER_SOURCE)
            {
              Exchange *x = ranks_exchange_new (k, up, w->out_port, st, w->in_port, FALSE);
              dp_stage_link (x->stage, 0, st, w->in_port);
              continue;
            }
          Exchange *x = NULL;
          for (guint i = 0; i < k->exchanges->len && x == NULL; i++)
            {
              Exchange *y = g_ptr_array_index (k->exchanges, i);
              if (y->gather && y->source == up && y->source_port == w->out_port)
                x = y;
            }
          if (x == NULL)
            x = ranks_exchange_new (k, up, w->out_port, st, w->in_port, TRUE);
          x->columns |= ranks_packet_columns (st, w->in_port);
          if (root)
            dp_stage_link (x->stage, 0, st, w->in_port);
        }
    }
}

/* ------------------------------------------------------------------ */
/* streaming */

/* Rounds with nothing to send until every rank's source of @src ended. */
static void
drain (Ranks *k, DpStage *src, gboolean failed)
{
  for (;;)
    {
      gboolean open = FALSE;
      for (guint i = 0; i < k->exchanges->len; i++)
        {
          Exchange *x = g_ptr_array_index (k->exchanges, i);
          if (x->source != src || x->over)
            continue;
          GError *e = NULL;
          ranks_exchange_round (x, NULL, failed, &e);
          g_clear_error (&e);
          open |= !x->over;
        }
      if (!open)
        return;
    }
}

/* The first error of a pipeline stage (not of an exchange, whose errors
 * only say that another rank failed). */
gboolean
ranks_own_error (Ranks *k, GError **error)
{
  for (guint r = 0; r < k->n; r++)
    if (k->stages[r]->error)
      {
        g_propagate_error (error, g_steal_pointer (&k->stages[r]->error));
        return TRUE;
      }
  return FALSE;
}

/* The sources, one after the other, each to the end of its rounds on
 * every rank; then the ranks agree on how it went. */
static gboolean
ranks_stream (Ranks *k, GError **error)
{
  GError *own = NULL;
  for (guint r = 0; r < k->n; r++)
    {
      DpStage *st = k->stages[r];
      if (k->roles[r] != ROLE_SOURCE)
        continue;
      if (k->root_source[r] && k->comm->rank != 0)
        ;   /* rank 0 reads it; this rank takes part in its rounds */
      else if (own == NULL && dp_stage_call_run (st, &own))
        ranks_own_error (k, &own);
      drain (k, st, own != NULL);
    }
  for (guint i = 0; i < k->exchanges->len; i++)
    {
      Exchange *x = g_ptr_array_index (k->exchanges, i);
      /* an exchange's own error (not news of another rank's) is this rank's */
      if (x->stage->error && own == NULL && x->failed_rank < 0)
        own = g_steal_pointer (&x->stage->error);
      g_clear_error (&x->stage->error);
    }
  gboolean ok = ranks_agree (k->comm, own == NULL, &own);
  if (!ok)
    g_propagate_error (error, own);
  else
    g_clear_error (&own);
  return ok;
}

/* The rank-0 and collective stages' finish, in one process's order: rank
 * 0 finishes both, the other ranks the collective ones; before each
 * collective one the ranks agree (rank 0 may have failed meanwhile). */
static gboolean
ranks_finish (Ranks *k, GError **error)
{
  gboolean root = k->comm->rank == 0, mine = TRUE;
  for (guint r = 0; r < k->n; r++)
    {
      DpStage *st = k->stages[r];
      if (k->roles[r] == ROLE_COLLECTIVE)
        {
          if (!ranks_agree (k->comm, mine, error))
            return FALSE;
          /* the plugin cannot be handed half a collective (dp-comm.h) */
          dp_comm_set_interruptible (FALSE);
          mine = dp_stage_call_finish (st, error) && !ranks_own_error (k, error);
          dp_comm_set_interruptible (TRUE);
        }
      else if (k->roles[r] == ROLE_ROOT && root && mine)
        mine = dp_stage_call_finish (st, error) && !ranks_own_error (k, error);
      if (mine && dp_stage_cancelled (st))
        {
          g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FAILED, "interrupted while finishing stage '%s'", st->name);
          mine = FALSE;
        }
    }
  return ranks_agree (k->comm, mine, error);
}

gboolean
dp_pipeline_run_ranks (DpPipeline *p, GError **error)
{
  Ranks k = { .p = p, .comm = p->ctx->comm, .n = p->order->len };
  g_autofree DpStage **stages = g_new (DpStage *, MAX (k.n, 1u));
  k.stages = stages;
  for (guint r = 0; r < k.n; r++)
    stages[r] = spec_at (p, r)->stage;
  /* every rank decides the same, from the same pipeline */
  if (!ranks_plan (&k, error))
    {
      g_free (k.roles);
      g_free (k.root_source);
      return FALSE;
    }
  /* no worker pool: collectives are called from this thread only */
  ranks_link (&k);
  gboolean ok = TRUE;
  for (guint r = 0; r < k.n && ok; r++)
    if (k.roles[r] != ROLE_ROOT || k.comm->rank == 0)
      ok = dp_stage_call_init (stages[r], error);
  ok = ranks_agree (k.comm, ok, error) && ranks_stream (&k, error);
  /* the per-source stages close their windows */
  if (ok)
    {
      gboolean mine = TRUE;
      for (guint r = 0; r < k.n && mine; r++)
        if (k.roles[r] == ROLE_PER_SOURCE)
          mine = dp_stage_call_finish (stages[r], error) && !ranks_own_error (&k, error);
      ok = ranks_agree (k.comm, mine, error);
    }
  if (ok)
    ok = ranks_agree (k.comm, ranks_merge (&k, error), error) && ranks_finish (&k, error);
  if (ok)
    ranks_reduce (&k);
  else
    ranks_figures_unreduced (&k);
  for (guint r = 0; r < k.n; r++)
    if (k.roles[r] == ROLE_PER_SOURCE && stages[r]->captured)
      {
        for (guint o = 0; o < stages[r]->desc->n_outputs; o++)
          g_ptr_array_unref (stages[r]->captured[o]);
        g_clear_pointer (&stages[r]->captured, g_free);
      }
  for (guint i = 0; i < k.exchanges->len; i++)
    dp_stage_free_internal (((Exchange *) g_ptr_array_index (k.exchanges, i))->stage);
  g_ptr_array_unref (k.exchanges);
  g_array_unref (k.sink_wires);
  g_free (k.roles);
  g_free (k.root_source);
  return ok;
}
