/* taxonomy-table.c — the taxonomy's tables: large zeroed arrays on huge
 * pages and the open-addressing table of aggregates (taxonomy.h) over them. */
#define _GNU_SOURCE   /* mremap */
#include "config.h"

#include <string.h>
#include <sys/mman.h>

#include "taxonomy.h"

#define TAXONOMY_HUGE ((gsize) 2 << 20)

/* Large tables are hit at random: on 4 KiB pages nearly every access also
 * misses the TLB (and prefetches that miss it may be dropped), so they ask
 * for transparent huge pages where the kernel gives them on request. */
static gsize
taxonomy_huge_round (gsize bytes)
{
  return (bytes + TAXONOMY_HUGE - 1) & ~(TAXONOMY_HUGE - 1);
}

void *
taxonomy_big_alloc (gsize bytes)
{
  if (bytes < TAXONOMY_HUGE)
    {
      void *p = g_aligned_alloc (1, MAX (bytes, 1u), 64);
      memset (p, 0, bytes);
      return p;
    }
  /* a mapping of its own, 2 MiB aligned: the slack either side goes back */
  bytes = taxonomy_huge_round (bytes);
  guint8 *m = mmap (NULL, bytes + TAXONOMY_HUGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED)
    g_error ("taxonomy: out of memory (%" G_GSIZE_FORMAT " bytes)", bytes);
  gsize head = (TAXONOMY_HUGE - ((guintptr) m & (TAXONOMY_HUGE - 1))) & (TAXONOMY_HUGE - 1);
  if (head)
    munmap (m, head);
  if (TAXONOMY_HUGE - head)
    munmap (m + head + bytes, TAXONOMY_HUGE - head);
#ifdef MADV_HUGEPAGE
  madvise (m + head, bytes, MADV_HUGEPAGE);
#endif
  return m + head;
}

void
taxonomy_big_free (void *p, gsize bytes)
{
  if (p == NULL)
    return;
  if (bytes < TAXONOMY_HUGE)
    g_aligned_free (p);
  else
    munmap (p, taxonomy_huge_round (bytes));
}

void
taxonomy_table_init (TaxTable *t, gsize capacity_hint)
{
  gsize cap = 1024;
  while (cap < capacity_hint * 2)
    cap <<= 1;
  t->slots = taxonomy_big_alloc (cap * sizeof (guint64));
  t->slots_cap = cap;
  t->mask = cap - 1;
  t->cap = cap / 2;
  t->entries = taxonomy_big_alloc (t->cap * sizeof (TaxAgg));
  t->n = 0;
  t->gen = (guint64) 1 << 48;
}

void
taxonomy_table_clear (TaxTable *t)
{
  taxonomy_big_free (t->slots, t->slots_cap * sizeof (guint64));
  taxonomy_big_free (t->entries, t->cap * sizeof (TaxAgg));
  memset (t, 0, sizeof *t);
}

/* The next generation: every slot empty at once. */
static void
taxonomy_table_next_gen (TaxTable *t)
{
  t->gen += (guint64) 1 << 48;
  if (t->gen == 0)
    {
      memset (t->slots, 0, t->slots_cap * sizeof (guint64));
      t->gen = (guint64) 1 << 48;
    }
}

void
taxonomy_table_reset (TaxTable *t)
{
  taxonomy_table_next_gen (t);
  t->n = 0;
}

void
taxonomy_table_reset_for (TaxTable *t, gsize n_keys)
{
  gsize cap = 16;
  while (cap < n_keys * 2)
    cap <<= 1;
  if (cap > t->slots_cap)
    {
      taxonomy_big_free (t->slots, t->slots_cap * sizeof (guint64));
      t->slots = taxonomy_big_alloc (cap * sizeof (guint64));
      t->slots_cap = cap;
    }
  taxonomy_table_next_gen (t);
  t->mask = cap - 1;
  t->n = 0;
  while (t->cap < n_keys)
    taxonomy_table_grow_entries (t);
}

void *
taxonomy_big_grow (void *p, gsize had, gsize want)
{
#ifdef MREMAP_MAYMOVE
  if (had >= TAXONOMY_HUGE)
    {
      /* a mapping of its own: its pages move, nothing is copied, and
       * only the new part is fresh */
      void *m = mremap (p, taxonomy_huge_round (had), taxonomy_huge_round (want), MREMAP_MAYMOVE);
      if (m == MAP_FAILED)
        g_error ("taxonomy: out of memory (%" G_GSIZE_FORMAT " bytes)", want);
#ifdef MADV_HUGEPAGE
      madvise (m, taxonomy_huge_round (want), MADV_HUGEPAGE);
#endif
      return m;
    }
#endif
  void *m = taxonomy_big_alloc (want);
  if (p)
    memcpy (m, p, had);
  taxonomy_big_free (p, had);
  return m;
}

void
taxonomy_table_grow_entries (TaxTable *t)
{
  gsize cap = MAX (t->cap * 2, 512u);
  t->entries = taxonomy_big_grow (t->entries, t->cap * sizeof (TaxAgg), cap * sizeof (TaxAgg));
  t->cap = cap;
}

/* Doubles the index; the entries stay where they are. */
void
taxonomy_table_grow_index (TaxTable *t)
{
  gsize cap = (t->mask + 1) * 2;
  if (cap > t->slots_cap)
    {
      /* fresh pages: zero, empty in any generation */
      taxonomy_big_free (t->slots, t->slots_cap * sizeof (guint64));
      t->slots = taxonomy_big_alloc (cap * sizeof (guint64));
      t->slots_cap = cap;
    }
  else
    taxonomy_table_next_gen (t);
  t->mask = cap - 1;
  for (gsize k = 0; k < t->n; k++)
    {
      const TaxAgg *e = &t->entries[k];
      guint64 h = taxonomy_hash (e->src, e->dst, e->b);
      gsize i = h & t->mask;
      while (TAX_SLOT_GEN (t->slots[i]) == t->gen)
        i = (i + 1) & t->mask;
      t->slots[i] = t->gen | TAX_SLOT_TAG (h) | (k + 1);
    }
}
