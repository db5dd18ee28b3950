/* taxonomy-parts.c — an open window's packets, kept by source partition
 * (taxonomy.h has the design): the chunk pool shared by the windows,
 * records into triples when a partition closes or is compacted. */
#include "config.h"

#include <string.h>

#include "taxonomy.h"

/* bit k of a as counts[k] */
#define TAX_C(a) { { (a) & 1, ((a) >> 1) & 1, ((a) >> 2) & 1, ((a) >> 3) & 1, \
                     ((a) >> 4) & 1, ((a) >> 5) & 1, ((a) >> 6) & 1, ((a) >> 7) & 1 } }
#define TAX_C4(a) TAX_C (a), TAX_C ((a) + 1), TAX_C ((a) + 2), TAX_C ((a) + 3)
#define TAX_C16(a) TAX_C4 (a), TAX_C4 ((a) + 4), TAX_C4 ((a) + 8), TAX_C4 ((a) + 12)
#define TAX_C64(a) TAX_C16 (a), TAX_C16 ((a) + 16), TAX_C16 ((a) + 32), TAX_C16 ((a) + 48)

const TaxCounts taxonomy_attr_counts[256] = {
  TAX_C64 (0), TAX_C64 (64), TAX_C64 (128), TAX_C64 (192),
};

void
taxonomy_pool_init (TaxPool *pool)
{
  memset (pool, 0, sizeof *pool);
}

void
taxonomy_pool_clear (TaxPool *pool)
{
  taxonomy_big_free (pool->recs, (gsize) pool->cap * TAX_CHUNK_RECS * sizeof (TaxRec));
  g_free (pool->next);
  memset (pool, 0, sizeof *pool);
}

/* A chunk: a freed one when there is one (its pages are mapped already). */
static guint32
taxonomy_pool_take (TaxPool *pool)
{
  if (pool->free)
    {
      guint32 c = pool->free - 1;
      pool->free = pool->next[c];
      return c;
    }
  if (pool->n == pool->cap)
    {
      if (pool->cap >= G_MAXUINT32 / 2 / TAX_CHUNK_RECS)
        g_error ("taxonomy: more than %u chunks of packets in open windows", pool->cap);
      guint32 cap = MAX (pool->cap * 2, 256u);
      pool->recs = taxonomy_big_grow (pool->recs, (gsize) pool->cap * TAX_CHUNK_RECS * sizeof (TaxRec),
                                      (gsize) cap * TAX_CHUNK_RECS * sizeof (TaxRec));
      pool->next = g_renew (guint32, pool->next, cap);
      pool->cap = cap;
    }
  return pool->n++;
}

TaxWindow *
taxonomy_window_new (gint64 index)
{
  TaxWindow *w = g_new0 (TaxWindow, 1);
  w->index = index;
  return w;
}

void
taxonomy_window_free (gpointer data)
{
  TaxWindow *w = data;
  if (w->aggs)
    for (guint p = 0; p < TAX_N_PARTS; p++)
      g_free (w->aggs[p].e);
  g_free (w->aggs);
  g_free (w);
}

guint
taxonomy_window_next_part (const TaxWindow *w, guint p)
{
  for (guint k = p / 64; k < TAX_N_PARTS / 64; k++)
    {
      guint64 bits = w->used[k];
      if (k == p / 64)
        bits &= ~(guint64) 0 << (p % 64);
      if (bits)
        return k * 64 + (guint) __builtin_ctzll (bits);
    }
  return TAX_N_PARTS;
}

void
taxonomy_part_triples (const TaxPool *pool, const TaxWindow *w, guint p, TaxTable *t)
{
  const TaxPart *pt = &w->part[p];
  const TaxAggs *a = w->aggs ? &w->aggs[p] : NULL;
  taxonomy_table_reset_for (t, pt->n_raw + (a ? a->n : 0));
  for (gsize i = 0; a && i < a->n; i++)
    {
      const TaxAgg *x = &a->e[i];
      taxonomy_agg_merge_all (taxonomy_table_upsert (t, x->src, x->dst, x->b, taxonomy_hash (x->src, x->dst, x->b)), x);
    }
  guint32 left = pt->n_raw, c = pt->head;
  while (left > 0)
    {
      const TaxRec *r = &pool->recs[(gsize) c << TAX_CHUNK_BITS];
      guint32 n = MIN (left, TAX_CHUNK_RECS);
      if (left > TAX_CHUNK_RECS)
        {
          /* the next chunk is elsewhere: its first lines ahead of time */
          const TaxRec *nr = &pool->recs[(gsize) (pool->next[c] - 1) << TAX_CHUNK_BITS];
          for (guint k = 0; k < TAX_CHUNK_RECS * sizeof (TaxRec); k += 256)
            __builtin_prefetch ((const char *) nr + k, 0, 0);
        }
      for (guint32 i = 0; i < n; i++)
        {
          guint32 src = r[i].src, dst = r[i].dst, b = TAX_REC_B (&r[i]);
          guint64 h = taxonomy_hash (src, dst, b);
          gsize slot;
          taxonomy_table_reserve (t);
          TaxAgg *e = taxonomy_table_find (t, src, dst, b, h, &slot);
          if (e)
            taxonomy_update (e, TAX_REC_TS (&r[i]), TAX_REC_ATTR (&r[i]));
          else
            taxonomy_agg_of_packet (taxonomy_table_append (t, slot, h), src, dst, b, TAX_REC_TS (&r[i]),
                                    TAX_REC_ATTR (&r[i]));
        }
      left -= n;
      c = pool->next[c] - 1;
    }
}

/* The chunks of partition @p back to the pool. */
static void
taxonomy_part_free_chunks (TaxPool *pool, TaxPart *pt)
{
  if (pt->n_raw == 0)
    return;
  pool->next[pt->tail] = pool->free;
  pool->free = pt->head + 1;
  pt->n_raw = 0;
}

void
taxonomy_part_release (TaxPool *pool, TaxWindow *w, guint p)
{
  TaxPart *pt = &w->part[p];
  taxonomy_part_free_chunks (pool, pt);
  memset (pt, 0, sizeof *pt);
  if (w->aggs)
    {
      g_free (w->aggs[p].e);
      memset (&w->aggs[p], 0, sizeof w->aggs[p]);
    }
  w->used[p / 64] &= ~((guint64) 1 << (p % 64));
}

/* Appends @e to the compacted triples of partition @p. */
static void
taxonomy_aggs_add (TaxWindow *w, guint p, const TaxAgg *e, gsize n)
{
  if (w->aggs == NULL)
    w->aggs = g_new0 (TaxAggs, TAX_N_PARTS);
  TaxAggs *a = &w->aggs[p];
  if (a->n + n > a->cap)
    {
      a->cap = MAX (a->n + n, a->cap * 2);
      a->e = g_renew (TaxAgg, a->e, a->cap);
    }
  memcpy (a->e + a->n, e, n * sizeof *e);
  a->n += n;
  w->used[p / 64] |= (guint64) 1 << (p % 64);
}

/* Partition @p's records made into triples, when that at least halves its
 * memory (a flood of repeated triples); else the next try is at twice the
 * records, so a partition of distinct triples is not made again and again. */
static void
taxonomy_part_compact (TaxPool *pool, TaxWindow *w, guint p, TaxTable *scratch)
{
  TaxPart *pt = &w->part[p];
  gsize had_agg = w->aggs ? w->aggs[p].n : 0;
  gsize bytes = (gsize) pt->n_raw * sizeof (TaxRec) + had_agg * sizeof (TaxAgg);
  taxonomy_part_triples (pool, w, p, scratch);
  if (scratch->n * sizeof (TaxAgg) * 2 > bytes)
    {
      pt->check_at = pt->n_raw * 2;
      return;
    }
  if (w->aggs)
    w->aggs[p].n = 0;
  taxonomy_aggs_add (w, p, scratch->entries, scratch->n);
  taxonomy_part_free_chunks (pool, pt);
  pool->n_compacted++;
  /* the next try when as many records came as there are triples */
  pt->check_at = (guint32) MIN (MAX ((gsize) TAX_COMPACT_MIN, scratch->n), (gsize) G_MAXUINT32 / 2)
                 & ~(TAX_CHUNK_RECS - 1);
}

void
taxonomy_part_grow (TaxPool *pool, TaxWindow *w, guint p, TaxTable *scratch)
{
  TaxPart *pt = &w->part[p];
  if (pt->n_raw >= (pt->check_at ? pt->check_at : TAX_COMPACT_MIN))
    taxonomy_part_compact (pool, w, p, scratch);
  guint32 c = taxonomy_pool_take (pool);
  if (pt->n_raw == 0)
    pt->head = c;
  else
    pool->next[pt->tail] = c + 1;
  pt->tail = c;
  w->used[p / 64] |= (guint64) 1 << (p % 64);
}

void
taxonomy_window_adopt (TaxWindow *w, const TaxTable *t)
{
  for (gsize i = 0; i < t->n; i++)
    taxonomy_aggs_add (w, taxonomy_part_of (t->entries[i].src), &t->entries[i], 1);
}

void
taxonomy_window_triples (const TaxPool *pool, const TaxWindow *w, TaxTable *t, TaxTable *scratch)
{
  taxonomy_table_reset (t);
  for (guint p = taxonomy_window_next_part (w, 0); p < TAX_N_PARTS; p = taxonomy_window_next_part (w, p + 1))
    {
      taxonomy_part_triples (pool, w, p, scratch);
      for (gsize i = 0; i < scratch->n; i++)
        {
          const TaxAgg *x = &scratch->entries[i];
          *taxonomy_table_upsert (t, x->src, x->dst, x->b, taxonomy_hash (x->src, x->dst, x->b)) = *x;
        }
    }
}
