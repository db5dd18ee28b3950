/* dp-hash.h — open-addressing hash table from 64-bit keys to 64-bit values,
 * for per-source aggregations in hot loops.  Key UINT64_MAX is reserved
 * (empty slot).  Linear probing, power-of-two capacity, load <= 0.5.
 * Header-only so the compiler can inline it into plugin loops.
 *
 * A DpHash is a plain struct the caller owns (on the stack or inside its
 * state): dp_hash_init allocates its arrays, dp_hash_clear frees them.  It
 * has no lock: one thread changes a table, and lookups from several
 * threads are safe only while nobody changes it. */
#pragma once

#include "dp-api.h"

#include <glib.h>
#include <string.h>

G_BEGIN_DECLS

#define DP_HASH_EMPTY G_MAXUINT64

typedef struct {
  guint64 *keys;
  guint64 *vals;
  gsize mask;     /* capacity - 1 */
  gsize n;
} DpHash;

/** The slot hash of a key (splitmix64's finaliser).  No state: thread-safe. */
static inline guint64
dp_hash_mix (guint64 x)
{
  /* splitmix64 finaliser: cheap and good enough for address keys */
  x ^= x >> 30; x *= G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  x ^= x >> 27; x *= G_GUINT64_CONSTANT (0x94d049bb133111eb);
  x ^= x >> 31;
  return x;
}

/** Initialises @h (not NULL; its old contents are not freed) as an empty
 * table with room for @capacity_hint keys before it grows.  Aborts when
 * memory is short, as g_malloc does.  End it with dp_hash_clear. */
static inline void
dp_hash_init (DpHash *h, gsize capacity_hint)
{
  gsize cap = 16;
  while (cap < capacity_hint * 2)
    cap <<= 1;
  h->keys = g_new (guint64, cap);
  memset (h->keys, 0xff, cap * sizeof (guint64));
  h->vals = g_new0 (guint64, cap);
  h->mask = cap - 1;
  h->n = 0;
}

/** Frees the arrays of @h (not NULL) and leaves it empty and zeroed:
 * dp_hash_find then returns NULL, dp_hash_init may start it again, and a
 * second clear does nothing. */
static inline void
dp_hash_clear (DpHash *h)
{
  g_free (h->keys);
  g_free (h->vals);
  h->keys = h->vals = NULL;
  h->mask = h->n = 0;
}

/** Removes every key of @h (initialised, not cleared) and keeps its
 * capacity, for a table refilled in a loop. */
static inline void
dp_hash_reset (DpHash *h)
{
  memset (h->keys, 0xff, (h->mask + 1) * sizeof (guint64));
  memset (h->vals, 0, (h->mask + 1) * sizeof (guint64));
  h->n = 0;
}

/* private: doubles the capacity (below) */
static inline void dp_hash_grow_ (DpHash *h);

/** Pointer to the value of @key, inserting it with value 0 if absent;
 * *@inserted (nullable) tells which.  @key must not be DP_HASH_EMPTY.
 * Returns (transfer none) a slot inside @h: valid until the next upsert
 * (which may grow the table and move every value), reset or clear.
 * Changes @h: not thread-safe. */
static inline guint64 *
dp_hash_upsert (DpHash *h, guint64 key, gboolean *inserted)
{
  if (G_UNLIKELY ((h->n + 1) * 2 > h->mask + 1))
    dp_hash_grow_ (h);
  gsize i = dp_hash_mix (key) & h->mask;
  for (;;)
    {
      if (h->keys[i] == key)
        {
          if (inserted) *inserted = FALSE;
          return &h->vals[i];
        }
      if (h->keys[i] == DP_HASH_EMPTY)
        {
          h->keys[i] = key;
          h->vals[i] = 0;
          h->n++;
          if (inserted) *inserted = TRUE;
          return &h->vals[i];
        }
      i = (i + 1) & h->mask;
    }
}

/** Pointer to the value of @key, or NULL when absent (or @h is cleared).
 * Returns (transfer none) a slot inside @h, valid as for dp_hash_upsert.
 * Only reads @h. */
static inline guint64 *
dp_hash_find (const DpHash *h, guint64 key)
{
  if (h->n == 0)
    return NULL;
  gsize i = dp_hash_mix (key) & h->mask;
  for (;;)
    {
      if (h->keys[i] == key)
        return &h->vals[i];
      if (h->keys[i] == DP_HASH_EMPTY)
        return NULL;
      i = (i + 1) & h->mask;
    }
}

/* private: rehashes every key into a table twice as large */
static inline void
dp_hash_grow_ (DpHash *h)
{
  DpHash n;
  dp_hash_init (&n, (h->mask + 1));
  for (gsize i = 0; i <= h->mask; i++)
    if (h->keys[i] != DP_HASH_EMPTY)
      *dp_hash_upsert (&n, h->keys[i], NULL) = h->vals[i];
  dp_hash_clear (h);
  *h = n;
}

/* Iterate: for (gsize i = 0; i <= h.mask; i++) if (h.keys[i] != DP_HASH_EMPTY) ... */

G_END_DECLS
