/* prefix.h — a binary trie of IPv4 prefixes with longest-prefix match,
 * header-only (static functions) for the plugins that need one: labels
 * (CIDR lists) and the table joins of plugins/common/eval.c.
 *
 * Each node has two children (the next bit 0 or 1) and a value (>= 0 when
 * a prefix ends there, -1 otherwise).  Nodes live in one array; a lookup
 * walks at most 32 of them. */
#pragma once

#include <glib.h>

typedef struct {
  guint32 child[2];   /* node index, 0 = none (the root is never a child) */
  gint64 value;       /* -1: no prefix ends here */
} PrefixNode;

typedef struct {
  GArray *nodes;      /* PrefixNode; [0] is the root (the /0 prefix) */
  guint n_prefixes;
} PrefixTrie;

static inline guint32
prefix_mask (guint len)
{
  return len == 0 ? 0 : (guint32) (G_MAXUINT32 << (32 - len));
}

static inline void
prefix_init (PrefixTrie *t)
{
  PrefixNode root = { { 0, 0 }, -1 };
  t->nodes = g_array_new (FALSE, FALSE, sizeof (PrefixNode));
  g_array_append_val (t->nodes, root);
  t->n_prefixes = 0;
}

static inline void
prefix_clear (PrefixTrie *t)
{
  g_clear_pointer (&t->nodes, g_array_unref);
  t->n_prefixes = 0;
}

/** Adds @addr/@len (@len <= 32; host bits ignored) with @value >= 0.
 * Returns -1 when it is new, else the value already there (kept). */
static inline gint64
prefix_insert (PrefixTrie *t, guint32 addr, guint len, gint64 value)
{
  guint32 n = 0;
  for (guint i = 0; i < len; i++)
    {
      guint bit = (addr >> (31 - i)) & 1;
      guint32 c = g_array_index (t->nodes, PrefixNode, n).child[bit];
      if (c == 0)
        {
          PrefixNode fresh = { { 0, 0 }, -1 };
          c = t->nodes->len;
          g_array_append_val (t->nodes, fresh);
          g_array_index (t->nodes, PrefixNode, n).child[bit] = c;
        }
      n = c;
    }
  PrefixNode *node = &g_array_index (t->nodes, PrefixNode, n);
  if (node->value >= 0)
    return node->value;
  node->value = value;
  t->n_prefixes++;
  return -1;
}

/** The value of the longest prefix of length <= @max_len holding @addr,
 * or -1; *@len_out (nullable) gets its length. */
static inline gint64
prefix_lookup_upto (const PrefixTrie *t, guint32 addr, guint max_len, guint *len_out)
{
  if (t->nodes == NULL || t->n_prefixes == 0)
    return -1;
  const PrefixNode *nodes = (const PrefixNode *) (gpointer) t->nodes->data;
  guint32 n = 0;
  gint64 best = nodes[0].value;
  guint best_len = 0;
  for (guint i = 0; i < max_len; i++)
    {
      n = nodes[n].child[(addr >> (31 - i)) & 1];
      if (n == 0)
        break;
      if (nodes[n].value >= 0)
        {
          best = nodes[n].value;
          best_len = i + 1;
        }
    }
  if (len_out && best >= 0)
    *len_out = best_len;
  return best;
}

/** Longest-prefix match of @addr: the value, or -1. */
static inline gint64
prefix_lookup (const PrefixTrie *t, guint32 addr)
{
  return prefix_lookup_upto (t, addr, 32, NULL);
}
