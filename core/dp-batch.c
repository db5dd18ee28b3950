/* dp-batch.c — batches and vocabularies (tables: dp-table.c; name maps:
 * dp-names.c). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>

#include "dp-batch.h"
#include "dp-error.h"
#include "dp-hash.h"


const char *
dp_batch_type_name (DpBatchType type)
{
  switch (type)
    {
    case DP_TYPE_PACKETS: return "packets";
    case DP_TYPE_TABLE: return "table";
    case DP_TYPE_CORPUS: return "corpus";
    case DP_TYPE_EMBEDDING: return "embedding";
    case DP_TYPE_GRAPH: return "graph";
    case DP_TYPE_ANY: return "any";
    case DP_TYPE_NONE: default: return "none";
    }
}

const char *
dp_col_type_name (DpColType type)
{
  switch (type)
    {
    case DP_COL_INT64: return "int64";
    case DP_COL_DOUBLE: return "double";
    case DP_COL_IPV4: return "ipv4";
    case DP_COL_STRING: return "string";
    default: return "unknown";
    }
}

gpointer
dp_batch_ref (gpointer b)
{
  DpBatch *batch = b;
  g_return_val_if_fail (batch != NULL, NULL);
  g_atomic_int_inc (&batch->ref_count);
  return batch;
}

void
dp_batch_unref (gpointer b)
{
  DpBatch *batch = b;
  if (batch == NULL)
    return;
  if (g_atomic_int_dec_and_test (&batch->ref_count))
    batch->free_func (batch);
}

/* ------------------------------------------------------------------ */
/* packets */

static void
packets_free (DpBatch *b)
{
  DpPackets *p = (DpPackets *) b;
#define FREE_COLUMN(c) g_free (p->c);
  DP_PACKET_COLUMNS (FREE_COLUMN)
#undef FREE_COLUMN
  dp_name_map_unref (p->names);
  g_free (p);
}

static void
packets_resize (DpPackets *p, guint cap)
{
#define RESIZE(c) \
  p->c = g_realloc (p->c, (gsize) cap * sizeof (*p->c)); \
  if (cap > p->capacity) \
    memset (p->c + p->capacity, 0, (gsize) (cap - p->capacity) * sizeof (*p->c));
  DP_PACKET_COLUMNS (RESIZE)
#undef RESIZE
  p->capacity = cap;
}

DpPackets *
dp_packets_new (guint capacity)
{
  DpPackets *p = g_new0 (DpPackets, 1);
  p->base.type = DP_TYPE_PACKETS;
  p->base.ref_count = 1;
  p->base.free_func = packets_free;
  packets_resize (p, MAX (capacity, 16u));
  return p;
}

guint
dp_packets_append (DpPackets *p)
{
  if (p->n_rows == p->capacity)
    packets_resize (p, p->capacity * 2);
  return p->n_rows++;
}

DpPackets *
dp_packets_slice (const DpPackets *p, guint first, guint n)
{
  g_return_val_if_fail ((guint64) first + n <= p->n_rows, NULL);
  DpPackets *q = dp_packets_new (n);
#define COPY(c) memcpy (q->c, p->c + first, (gsize) n * sizeof (*p->c));
  DP_PACKET_COLUMNS (COPY)
#undef COPY
  q->n_rows = n;
  q->names = dp_name_map_ref (p->names);
  return q;
}

void
dp_packets_set_names (DpPackets *p, DpNameMap *names)
{
  DpNameMap *old = p->names;
  p->names = dp_name_map_ref (names);
  dp_name_map_unref (old);
}

/* ------------------------------------------------------------------ */
/* vocabulary */

#define VOCAB_NONE G_MAXUINT32

/* The indexes of a vocabulary, out of the public struct. */
struct _DpVocabIndex {
  guint32 *ids;         /* open addressing: key -> id */
  guint mask;
  GHashTable *words;    /* word -> index into DpVocab.words */
};

DpVocab *
dp_vocab_new (void)
{
  DpVocab *v = g_new0 (DpVocab, 1);
  v->ref_count = 1;
  v->priv = g_new0 (struct _DpVocabIndex, 1);
  v->priv->mask = 1023;
  v->priv->ids = g_new (guint32, v->priv->mask + 1);
  memset (v->priv->ids, 0xff, (v->priv->mask + 1) * sizeof (guint32));
  return v;
}

DpVocab *
dp_vocab_ref (DpVocab *v)
{
  if (v)
    g_atomic_int_inc (&v->ref_count);
  return v;
}

void
dp_vocab_unref (DpVocab *v)
{
  if (v == NULL || !g_atomic_int_dec_and_test (&v->ref_count))
    return;
  g_free (v->keys);
  g_free (v->counts);
  g_free (v->priv->ids);
  if (v->priv->words)
    g_hash_table_destroy (v->priv->words);
  if (v->words)
    g_ptr_array_unref (v->words);
  dp_name_map_unref (v->names);
  g_free (v->priv);
  g_free (v);
}

static void
vocab_rehash (DpVocab *v, guint mask)
{
  g_free (v->priv->ids);
  v->priv->mask = mask;
  v->priv->ids = g_new (guint32, (gsize) mask + 1);
  memset (v->priv->ids, 0xff, ((gsize) mask + 1) * sizeof (guint32));
  for (guint id = 0; id < v->n; id++)
    {
      gsize i = dp_hash_mix (v->keys[id]) & mask;
      while (v->priv->ids[i] != VOCAB_NONE)
        i = (i + 1) & mask;
      v->priv->ids[i] = id;
    }
}

gint64
dp_vocab_lookup (const DpVocab *v, guint64 key)
{
  gsize i = dp_hash_mix (key) & v->priv->mask;
  for (;;)
    {
      guint32 id = v->priv->ids[i];
      if (id == VOCAB_NONE)
        return -1;
      if (v->keys[id] == key)
        return id;
      i = (i + 1) & v->priv->mask;
    }
}

guint
dp_vocab_add (DpVocab *v, guint64 key)
{
  gint64 found = dp_vocab_lookup (v, key);
  if (found >= 0)
    return (guint) found;
  if ((v->n + 1) * 2 > v->priv->mask + 1)
    vocab_rehash (v, v->priv->mask * 2 + 1);
  if (v->n == v->capacity)
    {
      v->capacity = MAX (64u, v->capacity * 2);
      v->keys = g_renew (guint64, v->keys, v->capacity);
      v->counts = g_renew (guint64, v->counts, v->capacity);
    }
  guint id = v->n++;
  v->keys[id] = key;
  v->counts[id] = 0;
  gsize i = dp_hash_mix (key) & v->priv->mask;
  while (v->priv->ids[i] != VOCAB_NONE)
    i = (i + 1) & v->priv->mask;
  v->priv->ids[i] = id;
  return id;
}

guint64
dp_vocab_word_lookup (const DpVocab *v, const char *word)
{
  gpointer idx;
  if (v->priv->words == NULL || !g_hash_table_lookup_extended (v->priv->words, word, NULL, &idx))
    return 0;
  return DP_TOKEN (DP_TOK_WORD, GPOINTER_TO_UINT (idx));
}

guint64
dp_vocab_word_key (DpVocab *v, const char *word)
{
  guint64 k = dp_vocab_word_lookup (v, word);
  if (k)
    return k;
  if (v->words == NULL)
    {
      v->words = g_ptr_array_new_with_free_func (g_free);
      v->priv->words = g_hash_table_new (g_str_hash, g_str_equal);
    }
  char *copy = g_strdup (word);
  g_ptr_array_add (v->words, copy);
  g_hash_table_insert (v->priv->words, copy, GUINT_TO_POINTER (v->words->len - 1));
  return DP_TOKEN (DP_TOK_WORD, v->words->len - 1);
}

void
dp_vocab_set_names (DpVocab *v, DpNameMap *names)
{
  DpNameMap *old = v->names;
  v->names = dp_name_map_ref (names);
  dp_name_map_unref (old);
}

const char *
dp_proto_name (guint8 proto)
{
  switch (proto)
    {
    case 1: return "icmp";
    case 6: return "tcp";
    case 17: return "udp";
    case 47: return "gre";
    default: return NULL;
    }
}

const char *
dp_proto_label (guint8 proto, char buf[static 4])
{
  /* the lower-case keywords of IANA's protocol numbers registry */
  switch (proto)
    {
    case 1: return "icmp";
    case 2: return "igmp";
    case 4: return "ipip";
    case 6: return "tcp";
    case 17: return "udp";
    case 33: return "dccp";
    case 41: return "ipv6";
    case 47: return "gre";
    case 50: return "esp";
    case 51: return "ah";
    case 58: return "icmpv6";
    case 89: return "ospf";
    case 103: return "pim";
    case 132: return "sctp";
    case 136: return "udplite";
    default:
      g_snprintf (buf, 4, "%u", proto);
      return buf;
    }
}

static void
format_proto (guint proto, GString *out)
{
  const char *n = dp_proto_name ((guint8) proto);
  if (n)
    g_string_append (out, n);
  else
    g_string_append_printf (out, "proto%u", proto);
}

void
dp_vocab_format (const DpVocab *v, guint id, GString *out)
{
  guint64 key = v->keys[id];
  guint64 val = DP_TOKEN_VALUE (key);
  char buf[64];
  switch (DP_TOKEN_KIND (key))
    {
    case DP_TOK_IP:
      g_string_append (out, dp_ipv4_format ((guint32) val, v->names, buf));
      break;
    case DP_TOK_PORT:
      g_string_append_printf (out, "%u/", (guint) (val & 0xffff));
      format_proto ((guint) (val >> 16) & 0xff, out);
      break;
    case DP_TOK_PROTO:
      format_proto ((guint) val, out);
      break;
    case DP_TOK_WORD:
      if (v->words && val < v->words->len)
        g_string_append (out, g_ptr_array_index (v->words, val));
      break;
    case DP_TOK_LANG:
      g_string_append_printf (out, "lang%u", (guint) val);
      break;
    default:
      g_string_append_printf (out, "tok%" G_GUINT64_FORMAT, key);
    }
}

static gboolean
parse_proto (const char *s, guint *proto)
{
  static const struct { const char *n; guint p; } names[] = {
    { "icmp", 1 }, { "tcp", 6 }, { "udp", 17 }, { "gre", 47 } };
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_ascii_strcasecmp (s, names[i].n) == 0)
      {
        *proto = names[i].p;
        return TRUE;
      }
  guint64 v;
  if (g_str_has_prefix (s, "proto") && g_ascii_string_to_unsigned (s + 5, 10, 0, 255, &v, NULL))
    {
      *proto = (guint) v;
      return TRUE;
    }
  return FALSE;
}

gboolean
dp_vocab_parse_token (DpVocab *v, const char *text, guint64 *key)
{
  guint32 addr;
  guint proto;
  if (dp_ipv4_parse (text, &addr))
    {
      *key = DP_TOKEN (DP_TOK_IP, addr);
      return TRUE;
    }
  guint8 a6[16];
  if (dp_ip6_parse (text, a6))
    {
      /* an IPv6 address: an entry of the vocabulary's name map */
      if (v->names == NULL)
        {
          DpNameMap *m = dp_name_map_new ();
          dp_vocab_set_names (v, m);
          dp_name_map_unref (m);
        }
      if (dp_name_map_intern_ip6 (v->names, a6, 128, &addr))
        {
          *key = DP_TOKEN (DP_TOK_IP, addr);
          return TRUE;
        }
    }
  const char *slash = strchr (text, '/');
  if (slash && parse_proto (slash + 1, &proto))
    {
      g_autofree char *num = g_strndup (text, (gsize) (slash - text));
      guint64 port;
      if (g_ascii_string_to_unsigned (num, 10, 0, 65535, &port, NULL))
        {
          *key = DP_TOKEN (DP_TOK_PORT, ((guint64) proto << 16) | port);
          return TRUE;
        }
    }
  if (parse_proto (text, &proto))
    {
      *key = DP_TOKEN (DP_TOK_PROTO, proto);
      return TRUE;
    }
  if (v->names && (g_str_has_prefix (text, "src_ipaddr") || g_str_has_prefix (text, "dst_ipaddr")))
    {
      *key = DP_TOKEN (DP_TOK_IP, dp_name_map_intern (v->names, text));
      return TRUE;
    }
  *key = dp_vocab_word_key (v, text);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* corpus */

static void
corpus_free (DpBatch *b)
{
  DpCorpus *c = (DpCorpus *) b;
  dp_vocab_unref (c->vocab);
  g_free (c->tokens);
  g_free (c->offsets);
  g_free (c->sentence_key);
  g_free (c->sentence_time);
  g_free (c->sentence_lang);
  g_free (c);
}

DpCorpus *
dp_corpus_new (DpVocab *vocab, DpCorpusMode mode)
{
  DpCorpus *c = g_new0 (DpCorpus, 1);
  c->base.type = DP_TYPE_CORPUS;
  c->base.ref_count = 1;
  c->base.free_func = corpus_free;
  c->vocab = dp_vocab_ref (vocab);
  c->mode = mode;
  c->capacity_sentences = 64;
  c->offsets = g_new0 (guint64, c->capacity_sentences + 1);
  return c;
}

void
dp_corpus_enable_metadata (DpCorpus *c)
{
  if (c->sentence_key)
    return;
  c->sentence_key = g_new0 (guint64, c->capacity_sentences);
  c->sentence_time = g_new0 (gint64, c->capacity_sentences);
  c->sentence_lang = g_new0 (guint64, c->capacity_sentences);
}

guint64
dp_corpus_add_sentence (DpCorpus *c, const guint32 *ids, guint64 n)
{
  if (c->n_sentences == c->capacity_sentences)
    {
      guint64 old = c->capacity_sentences;
      c->capacity_sentences *= 2;
      c->offsets = g_renew (guint64, c->offsets, c->capacity_sentences + 1);
      if (c->sentence_key)
        {
          c->sentence_key = g_renew (guint64, c->sentence_key, c->capacity_sentences);
          c->sentence_time = g_renew (gint64, c->sentence_time, c->capacity_sentences);
          c->sentence_lang = g_renew (guint64, c->sentence_lang, c->capacity_sentences);
          memset (c->sentence_key + old, 0, (c->capacity_sentences - old) * sizeof (guint64));
          memset (c->sentence_time + old, 0, (c->capacity_sentences - old) * sizeof (gint64));
          memset (c->sentence_lang + old, 0, (c->capacity_sentences - old) * sizeof (guint64));
        }
    }
  if (c->n_tokens + n > c->capacity_tokens)
    {
      guint64 cap = MAX (c->capacity_tokens * 2, c->n_tokens + n);
      cap = MAX (cap, 1024u);
      c->tokens = g_renew (guint32, c->tokens, cap);
      c->capacity_tokens = cap;
    }
  if (n)
    memcpy (c->tokens + c->n_tokens, ids, n * sizeof (guint32));
  c->n_tokens += n;
  guint64 idx = c->n_sentences++;
  c->offsets[c->n_sentences] = c->n_tokens;
  return idx;
}

/* ------------------------------------------------------------------ */
/* embedding and graph */

static void
embedding_free (DpBatch *b)
{
  DpEmbedding *e = (DpEmbedding *) b;
  dp_vocab_unref (e->vocab);
  free (e->vectors);
  g_free (e);
}

DpEmbedding *
dp_embedding_try_new (DpVocab *vocab, guint n, guint dim, GError **error)
{
  gsize bytes = MAX ((gsize) n * dim * sizeof (float), 64u);
  bytes = (bytes + 63) & ~(gsize) 63;
  float *vectors = aligned_alloc (64, bytes);
  if (vectors == NULL)
    {
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FAILED,
                   "not enough memory for a %u x %u embedding (%.1f GB)", n, dim, bytes / 1e9);
      return NULL;
    }
  memset (vectors, 0, bytes);
  DpEmbedding *e = g_new0 (DpEmbedding, 1);
  e->base.type = DP_TYPE_EMBEDDING;
  e->base.ref_count = 1;
  e->base.free_func = embedding_free;
  e->vocab = dp_vocab_ref (vocab);
  e->n = n;
  e->dim = dim;
  e->vectors = vectors;
  return e;
}

DpEmbedding *
dp_embedding_new (DpVocab *vocab, guint n, guint dim)
{
  g_autoptr (GError) error = NULL;
  DpEmbedding *e = dp_embedding_try_new (vocab, n, dim, &error);
  if (e == NULL)
    g_error ("%s", error->message);   /* as g_malloc: sizes here are small or already checked */
  return e;
}

static void
graph_free (DpBatch *b)
{
  DpGraph *g = (DpGraph *) b;
  dp_vocab_unref (g->vocab);
  g_free (g->rowptr);
  g_free (g->col);
  g_free (g->weight);
  g_free (g);
}

DpGraph *
dp_graph_new (DpVocab *vocab, guint n_nodes, guint64 n_edges)
{
  DpGraph *g = g_new0 (DpGraph, 1);
  g->base.type = DP_TYPE_GRAPH;
  g->base.ref_count = 1;
  g->base.free_func = graph_free;
  g->vocab = dp_vocab_ref (vocab);
  g->n_nodes = n_nodes;
  g->n_edges = n_edges;
  g->rowptr = g_new0 (guint64, (gsize) n_nodes + 1);
  g->col = g_new0 (guint32, MAX (n_edges, 1u));
  g->weight = g_new0 (float, MAX (n_edges, 1u));
  return g;
}
