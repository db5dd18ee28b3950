/* dp-ranks-summary.c — the job's figures on rank 0: every rank's rows,
 * counters, times and peak memory reduced into rank 0's stages, and each
 * rank's own figures (dp-summary.c prints them). */
#include "config.h"

#include <string.h>

#include "dp-ranks-private.h"

/* This rank's figures, with its exchanges'. */
static void
ranks_figures (Ranks *k, DpRankFigures *f)
{
  dp_rank_figures_local (k->p, f);
  for (guint i = 0; i < k->exchanges->len; i++)
    {
      Exchange *x = g_ptr_array_index (k->exchanges, i);
      f->routed_out += x->routed_out;
      f->routed_in += x->routed_in;
      f->exchange_bytes += x->bytes_sent;
    }
}

void
ranks_figures_unreduced (Ranks *k)
{
  DpRankFigures f;
  ranks_figures (k, &f);
  k->p->ranks = g_array_new (FALSE, FALSE, sizeof (DpRankFigures));
  g_array_append_val (k->p->ranks, f);
  k->p->ranks_reduced = FALSE;
}

/* The figures of every rank into rank 0's stages: rows and counters
 * summed, time and peak memory the largest; each rank's own into
 * k->p->ranks. */
void
ranks_reduce (Ranks *k)
{
  const DpComm *c = k->comm;
  GByteArray *mine = g_byte_array_new ();
  DpRankFigures own;
  ranks_figures (k, &own);
  put (mine, &own, sizeof own);
  for (guint r = 0; r < k->n; r++)
    {
      DpStage *st = k->stages[r];
      PUT (mine, guint64, st->rows_in);
      PUT (mine, guint64, st->rows_out);
      PUT (mine, gint64, st->time_us);
      PUT (mine, gint64, st->peak_rss_kb);
      guint extra = 0;
      for (guint i = 0; i < k->exchanges->len; i++)
        extra += ((Exchange *) g_ptr_array_index (k->exchanges, i))->to == st ? 2 : 0;
      PUT (mine, guint32, st->counters->len + extra);
      for (guint i = 0; i < st->counters->len; i++)
        {
          DpCounter *ct = &g_array_index (st->counters, DpCounter, i);
          PUT (mine, guint32, (guint32) strlen (ct->name));
          put (mine, ct->name, strlen (ct->name));
          PUT (mine, guint64, ct->value);
        }
      for (guint i = 0; i < k->exchanges->len; i++)
        {
          Exchange *x = g_ptr_array_index (k->exchanges, i);
          if (x->to != st)
            continue;
          static const char *const nm[2] = { "late-dropped", "exchanged-bytes" };
          guint64 v[2] = { x->late, x->bytes_sent };
          for (guint j = 0; j < 2; j++)
            {
              PUT (mine, guint32, (guint32) strlen (nm[j]));
              put (mine, nm[j], strlen (nm[j]));
              PUT (mine, guint64, v[j]);
            }
        }
    }
  g_autofree GByteArray **all = g_new0 (GByteArray *, c->size);
  gboolean met = dp_comm_gather (c, mine->data, mine->len, all);
  g_byte_array_unref (mine);
  if (!met)
    {
      ranks_figures_unreduced (k);
      return;
    }
  if (c->rank != 0)
    return;
  k->p->ranks = g_array_sized_new (FALSE, FALSE, sizeof (DpRankFigures), c->size);
  k->p->ranks_reduced = TRUE;
  for (guint r = 0; r < k->n; r++)
    {
      DpStage *st = k->stages[r];
      st->rows_in = st->rows_out = 0;
      for (guint i = 0; i < st->counters->len; i++)
        g_array_index (st->counters, DpCounter, i).value = 0;
    }
  for (guint s = 0; s < c->size; s++)
    {
      Reader rd = { all[s]->data, all[s]->data + all[s]->len, FALSE };
      DpRankFigures f = { 0 };
      take_into (&rd, &f, sizeof f);
      f.host[sizeof f.host - 1] = 0;
      g_array_append_val (k->p->ranks, f);
      for (guint r = 0; r < k->n && !rd.bad; r++)
        {
          DpStage *st = k->stages[r];
          guint64 in = TAKE (&rd, guint64, 0), out = TAKE (&rd, guint64, 0);
          /* a collective stage's rows are rank 0's (the others' pushes go nowhere) */
          if (s == 0 || k->roles[r] != ROLE_COLLECTIVE)
            {
              st->rows_in += in;
              st->rows_out += out;
            }
          gint64 us = TAKE (&rd, gint64, 0), kb = TAKE (&rd, gint64, 0);
          st->time_us = MAX (st->time_us, us);
          st->peak_rss_kb = MAX (st->peak_rss_kb, kb);
          guint32 nc = TAKE (&rd, guint32, 0);
          for (guint32 i = 0; i < nc && !rd.bad; i++)
            {
              guint32 len = TAKE (&rd, guint32, 0);
              const char *nm = take (&rd, len);
              guint64 v = TAKE (&rd, guint64, 0);
              if (nm && (v > 0 || s == 0))
                {
                  g_autofree char *name = g_strndup (nm, len);
                  dp_stage_count (st, name, v);
                }
            }
        }
      g_byte_array_unref (all[s]);
    }
  /* counters that stayed zero everywhere are not shown */
  for (guint r = 0; r < k->n; r++)
    {
      DpStage *st = k->stages[r];
      for (guint i = 0; i < st->counters->len; i++)
        if (g_array_index (st->counters, DpCounter, i).value == 0)
          {
            g_free (g_array_index (st->counters, DpCounter, i).name);
            g_array_remove_index (st->counters, i--);
          }
    }
}
