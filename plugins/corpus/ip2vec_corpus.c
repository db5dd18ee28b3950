/* ip2vec_corpus — IP2VEC's training pairs (Ring et al. 2017, as the DarkVec
 * authors re-implemented it, darkvec-method.md §11): every distinct flow
 * tuple (source, destination, destination port, protocol) of an active
 * source gives five (target, context) pairs
 *   (src, dst) (src, port) (src, proto) (port, dst) (proto, dst)
 * and each pair is one sentence of a DP_CORPUS_PAIRS corpus, which the
 * shared word2vec trainer turns into skip-gram updates with negatives.
 *
 * Memory: the distinct tuples are kept until finish (the activity filter is
 * known only then) in an open-addressing set of 12-byte entries, plus a
 * packet count per source.
 */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "darkpipe.h"
#include "corpus-common.h"

typedef struct {
  guint64 min_packets;
  gboolean shuffle;
  guint64 seed;
} Ip2vecConfig;

/* One distinct flow tuple; pp = proto << 16 | port, with IP2VEC_USED set
 * in occupied slots (port-less packets take port 0 of their protocol). */
typedef struct {
  guint32 src, dst, pp;
} Ip2vecTuple;

#define IP2VEC_USED 0x80000000u

typedef struct {
  const Ip2vecConfig *config;
  Ip2vecTuple *slots;
  gsize mask;
  gsize n;
  DpHash src_packets;   /* source -> packets */
  DpNameMap *names;
  guint64 packets;
} Ip2vec;

static const DpOptionDesc ip2vec_corpus_options[] = {
  DP_OPTION ("min_packets", DP_OPT_UINT, "10", Ip2vecConfig, min_packets,
             "Sources with fewer packets over the whole input are left out (DarkVec's activity filter)."),
  DP_OPTION ("shuffle", DP_OPT_BOOL, "true", Ip2vecConfig, shuffle,
             "Put the pairs in a seeded random order (the authors shuffled); false sorts them by tuple."),
  DP_OPTION ("seed", DP_OPT_UINT, "15", Ip2vecConfig, seed,
             "Seed of the shuffle."),
};

static const DpPortDesc ip2vec_corpus_inputs[] = {
  { "packets", DP_TYPE_PACKETS, 0, "Packets, in any order." },
};
static const DpPortDesc ip2vec_corpus_outputs[] = {
  { "corpus", DP_TYPE_CORPUS, 0,
    "A pairs corpus: each sentence is one (target, context) pair of address, port and protocol tokens." },
};

static inline guint64
ip2vec_tuple_hash (guint32 src, guint32 dst, guint32 pp)
{
  return dp_hash_mix ((((guint64) src << 32) | dst) ^ dp_hash_mix (pp));
}

static void ip2vec_grow (Ip2vec *d);

/* Adds the tuple unless present. */
static inline void
ip2vec_insert (Ip2vec *d, guint32 src, guint32 dst, guint32 pp)
{
  if (G_UNLIKELY ((d->n + 1) * 2 > d->mask + 1))
    ip2vec_grow (d);
  pp |= IP2VEC_USED;
  gsize i = ip2vec_tuple_hash (src, dst, pp) & d->mask;
  for (;;)
    {
      Ip2vecTuple *t = &d->slots[i];
      if (t->pp == 0)
        {
          *t = (Ip2vecTuple) { src, dst, pp };
          d->n++;
          return;
        }
      if (t->pp == pp && t->src == src && t->dst == dst)
        return;
      i = (i + 1) & d->mask;
    }
}

static void
ip2vec_grow (Ip2vec *d)
{
  Ip2vecTuple *old = d->slots;
  gsize old_cap = d->mask + 1;
  gsize cap = old_cap * 2;
  d->slots = g_new0 (Ip2vecTuple, cap);
  d->mask = cap - 1;
  d->n = 0;
  for (gsize i = 0; i < old_cap; i++)
    if (old[i].pp)
      ip2vec_insert (d, old[i].src, old[i].dst, old[i].pp & ~IP2VEC_USED);
  g_free (old);
}

static gboolean
ip2vec_corpus_init (DpStage *stage, const void *config, void **state, GError **error)
{
  Ip2vec *d = g_new0 (Ip2vec, 1);
  d->config = config;
  d->slots = g_new0 (Ip2vecTuple, 1024);
  d->mask = 1023;
  dp_hash_init (&d->src_packets, 1024);
  *state = d;
  return TRUE;
}

static DpFlow
ip2vec_corpus_process (DpStage *stage, void *state, guint port, const char *upstream, DpBatch *batch, GError **error)
{
  Ip2vec *d = state;
  const DpPackets *p = (const DpPackets *) batch;
  if (p->names && d->names == NULL)
    d->names = dp_name_map_ref (p->names);
  for (guint i = 0; i < p->n_rows; i++)
    {
      guint32 pp = (guint32) p->proto[i] << 16;
      if (p->l4[i] & DP_L4_PORTS)
        pp |= p->dport[i];
      ip2vec_insert (d, p->src[i], p->dst[i], pp);
      (*dp_hash_upsert (&d->src_packets, p->src[i], NULL))++;
    }
  d->packets += p->n_rows;
  return DP_FLOW_OK;
}

/* ------------------------------------------------------------------ */
/* pairs */

static gint
ip2vec_by_tuple (gconstpointer a, gconstpointer b)
{
  const Ip2vecTuple *x = a, *y = b;
  if (x->src != y->src)
    return x->src < y->src ? -1 : 1;
  if (x->dst != y->dst)
    return x->dst < y->dst ? -1 : 1;
  return x->pp < y->pp ? -1 : (x->pp > y->pp);
}

/* The tuples of active sources, sorted, so the corpus does not depend on
 * the hash table's layout. */
static Ip2vecTuple *
ip2vec_kept (Ip2vec *d, gsize *n_out)
{
  Ip2vecTuple *kept = g_new (Ip2vecTuple, MAX (d->n, 1u));
  gsize n = 0;
  for (gsize i = 0; i <= d->mask; i++)
    {
      const Ip2vecTuple *t = &d->slots[i];
      if (t->pp && *dp_hash_find (&d->src_packets, t->src) >= d->config->min_packets)
        kept[n++] = (Ip2vecTuple) { t->src, t->dst, t->pp & ~IP2VEC_USED };
    }
  /* the set is not needed any more: give its memory back before the corpus grows */
  g_clear_pointer (&d->slots, g_free);
  d->mask = 0;
  qsort (kept, n, sizeof (Ip2vecTuple), ip2vec_by_tuple);
  *n_out = n;
  return kept;
}

/* Token ids of one tuple: src, dst, port, proto. */
static void
ip2vec_ids (DpVocab *v, const Ip2vecTuple *t, guint32 ids[4])
{
  ids[0] = dp_vocab_add (v, DP_TOKEN (DP_TOK_IP, t->src));
  ids[1] = dp_vocab_add (v, DP_TOKEN (DP_TOK_IP, t->dst));
  ids[2] = dp_vocab_add (v, DP_TOKEN (DP_TOK_PORT, t->pp));
  ids[3] = dp_vocab_add (v, DP_TOKEN (DP_TOK_PROTO, t->pp >> 16));
}

/* Pair @k (0..4) of a tuple, in the order of darkvec-method.md §11. */
static void
ip2vec_pair (const guint32 ids[4], guint k, guint32 pair[2])
{
  static const guint8 target[5] = { 0, 0, 0, 2, 3 };
  static const guint8 context[5] = { 1, 2, 3, 1, 1 };
  pair[0] = ids[target[k]];
  pair[1] = ids[context[k]];
}

static inline guint64
ip2vec_next (guint64 *s)
{
  *s += G_GUINT64_CONSTANT (0x9e3779b97f4a7c15);
  return dp_hash_mix (*s);
}

/* (transfer full) the pair order: identity, or a seeded Fisher-Yates shuffle. */
static guint64 *
ip2vec_order (const Ip2vecConfig *c, guint64 n)
{
  guint64 *order = g_new (guint64, MAX (n, 1u));
  for (guint64 i = 0; i < n; i++)
    order[i] = i;
  if (!c->shuffle)
    return order;
  guint64 s = c->seed;
  for (guint64 i = n; i > 1; i--)
    {
      guint64 j = ip2vec_next (&s) % i;
      guint64 tmp = order[i - 1];
      order[i - 1] = order[j];
      order[j] = tmp;
    }
  return order;
}

static DpCorpus *
ip2vec_build (Ip2vec *d, const Ip2vecTuple *tuples, gsize n)
{
  g_autoptr (DpVocab) vocab = dp_vocab_new ();
  if (d->names)
    dp_vocab_set_names (vocab, d->names);
  DpCorpus *c = dp_corpus_new (vocab, DP_CORPUS_PAIRS);
  /* ids per tuple first, so the vocabulary follows the sorted tuples */
  g_autofree guint32 *ids = g_new (guint32, MAX (n, 1u) * 4);
  for (gsize t = 0; t < n; t++)
    ip2vec_ids (vocab, &tuples[t], ids + 4 * t);
  guint64 n_pairs = (guint64) n * 5;
  g_autofree guint64 *order = ip2vec_order (d->config, n_pairs);
  for (guint64 i = 0; i < n_pairs; i++)
    {
      guint32 pair[2];
      ip2vec_pair (ids + 4 * (order[i] / 5), (guint) (order[i] % 5), pair);
      dp_corpus_add_sentence (c, pair, 2);
      vocab->counts[pair[0]]++;
      vocab->counts[pair[1]]++;
    }
  return c;
}

static gboolean
ip2vec_corpus_finish (DpStage *stage, void *state, GError **error)
{
  Ip2vec *d = state;
  gsize n;
  g_autofree Ip2vecTuple *tuples = ip2vec_kept (d, &n);
  g_autoptr (DpCorpus) c = ip2vec_build (d, tuples, n);
  dp_stage_count (stage, "tuples", n);
  dp_stage_count (stage, "pairs", c->n_sentences);
  guint64 kept = corpus_report_sources (stage, &d->src_packets, d->config->min_packets);
  dp_stage_info (stage, "%" G_GUINT64_FORMAT " packets, %" G_GUINT64_FORMAT " of %" G_GSIZE_FORMAT
                 " sources kept, %" G_GSIZE_FORMAT " distinct flow tuples, %" G_GUINT64_FORMAT
                 " pairs, %u tokens", d->packets, kept, d->src_packets.n, n, c->n_sentences, c->vocab->n);
  dp_stage_push (stage, 0, g_steal_pointer (&c));
  return TRUE;
}

static void
ip2vec_corpus_finalize (void *state)
{
  Ip2vec *d = state;
  g_free (d->slots);
  dp_hash_clear (&d->src_packets);
  dp_name_map_unref (d->names);
  g_free (d);
}

DP_PLUGIN_DEFINE (ip2vec_corpus,
  .kind = DP_KIND_CORPUS,
  .summary = "Build IP2VEC's corpus: five (target, context) pairs per distinct flow tuple",
  .version = "1.0",
  .doc = "Every distinct (source, destination, destination port, protocol) tuple of a source "
         "with at least `min_packets` packets over the whole input gives the pairs "
         "(src, dst), (src, port), (src, proto), (port, dst), (proto, dst) of "
         "darkvec-method.md §11, one pair per sentence of a `pairs` corpus.  Tokens are typed: "
         "addresses, ports with their protocol (`23/tcp`; port-less packets such as ICMP give "
         "port 0 of their protocol, `0/icmp`, where the authors wrote `-`) and protocols "
         "(`tcp`).  The pairs are shuffled with `seed` (the authors shuffled before training) "
         "or, with `shuffle: false`, sorted by tuple.\n\n"
         "Train it with the shared `word2vec` trainer (pipelines/ip2vec.yaml: 32 dimensions, "
         "10 epochs, as the authors).  Where this differs from the authors' Keras model and why:\n"
         "- Their model has one embedding shared by targets and contexts, scores a pair by the "
         "dot product through a `Dense(1, sigmoid)` (a weight and a bias) and trains it with "
         "binary cross-entropy and RMSprop in batches of 1024.  Here a pair is a skip-gram "
         "update: the target's input vector against the context's output vector and "
         "`negative` sampled negatives, plain SGD with word2vec's decaying rate.  The shared "
         "trainer has only this model, and it is the word2vec model IP2Vec was built on; "
         "separate input and output vectors also keep sources from being pulled towards the "
         "destinations and ports they share a vector with (the authors' vectors came out "
         "nearly collinear).\n"
         "- Their negatives (10% of the positives) were positive pairs labelled 0 (a test "
         "written `in` instead of `not in`).  Here the negatives are drawn from the unigram "
         "distribution raised to `ns_exponent` (they may hit a true context by chance, as in "
         "word2vec), `negative` per pair.\n"
         "- Port tokens carry their protocol; the authors' port words did not (53 over TCP and "
         "UDP was one word).\n"
         "Memory: 12 bytes x 2 per distinct tuple until finish, then 16 bytes per pair.",
  .inputs = ip2vec_corpus_inputs,
  .n_inputs = DP_N_ELEMENTS (ip2vec_corpus_inputs),
  .outputs = ip2vec_corpus_outputs,
  .n_outputs = DP_N_ELEMENTS (ip2vec_corpus_outputs),
  .options = ip2vec_corpus_options,
  .n_options = DP_N_ELEMENTS (ip2vec_corpus_options),
  .config_size = sizeof (Ip2vecConfig),
  .init = ip2vec_corpus_init,
  .process = ip2vec_corpus_process,
  .finish = ip2vec_corpus_finish,
  .finalize = ip2vec_corpus_finalize)
