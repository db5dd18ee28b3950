/* prefix.h — a binary trie of IPv4 or IPv6 prefixes with longest-prefix
 * match, header-only (static functions) for the plugins that need one:
 * labels (CIDR lists) and the table joins of plugins/common/eval.c.
 *
 * Each node has two children (the next bit 0 or 1) and a value (>= 0 when
 * a prefix ends there, -1 otherwise).  Nodes live in one array; a lookup
 * walks at most 32 (IPv6: 128) of them. */
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

/* The bits of a key: an IPv4 address (host order), or an IPv6 address (16
 * bytes, network order).  A trie holds keys of one kind only. */
typedef guint (*PrefixBitFn) (const void *key, guint i);

static inline guint
prefix4_bit (const void *key, guint i)
{
  return (*(const guint32 *) key >> (31 - i)) & 1;
}

static inline guint
prefix6_bit (const void *key, guint i)
{
  const guint8 *a = key;
  return (a[i >> 3] >> (7 - (i & 7))) & 1;
}

/* Adds the first @len bits of @key with @value >= 0.  Returns -1 when the
 * prefix is new, else the value already there (kept). */
static inline gint64
prefix_insert_key (PrefixTrie *t, PrefixBitFn bit, const void *key, guint len, gint64 value)
{
  guint32 n = 0;
  for (guint i = 0; i < len; i++)
    {
      guint b = bit (key, i);
      guint32 c = g_array_index (t->nodes, PrefixNode, n).child[b];
      if (c == 0)
        {
          PrefixNode fresh = { { 0, 0 }, -1 };
          c = t->nodes->len;
          g_array_append_val (t->nodes, fresh);
          g_array_index (t->nodes, PrefixNode, n).child[b] = c;
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

/* The value of the longest prefix of length <= @max_len holding @key, or
 * -1; *@len_out (nullable) gets its length. */
static inline gint64
prefix_lookup_key (const PrefixTrie *t, PrefixBitFn bit, const void *key, guint max_len,
                   guint *len_out)
{
  if (t->nodes == NULL || t->n_prefixes == 0)
    return -1;
  const PrefixNode *nodes = (const PrefixNode *) (gpointer) t->nodes->data;
  guint32 n = 0;
  gint64 best = nodes[0].value;
  guint best_len = 0;
  for (guint i = 0; i < max_len; i++)
    {
      n = nodes[n].child[bit (key, i)];
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

/** Adds @addr/@len (@len <= 32; host bits ignored) with @value >= 0.
 * Returns -1 when it is new, else the value already there (kept). */
static inline gint64
prefix_insert (PrefixTrie *t, guint32 addr, guint len, gint64 value)
{
  return prefix_insert_key (t, prefix4_bit, &addr, len, value);
}

/** The value of the longest prefix of length <= @max_len holding @addr,
 * or -1; *@len_out (nullable) gets its length. */
static inline gint64
prefix_lookup_upto (const PrefixTrie *t, guint32 addr, guint max_len, guint *len_out)
{
  return prefix_lookup_key (t, prefix4_bit, &addr, max_len, len_out);
}

/** Adds the IPv6 prefix @a/@len (@len <= 128) with @value >= 0, as
 * prefix_insert. */
static inline gint64
prefix6_insert (PrefixTrie *t, const guint8 a[16], guint len, gint64 value)
{
  return prefix_insert_key (t, prefix6_bit, a, len, value);
}

/** Longest-prefix match of the IPv6 address @a: the value, or -1. */
static inline gint64
prefix6_lookup (const PrefixTrie *t, const guint8 a[16])
{
  return prefix_lookup_key (t, prefix6_bit, a, 128, NULL);
}

/** Longest-prefix match of @addr: the value, or -1. */
static inline gint64
prefix_lookup (const PrefixTrie *t, guint32 addr)
{
  return prefix_lookup_upto (t, addr, 32, NULL);
}
