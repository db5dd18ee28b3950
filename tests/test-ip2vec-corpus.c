/* test-ip2vec-corpus.c — the IP2VEC corpus builder on hand-made packets (the exact
 * pairs of darkvec-method.md §11, the activity filter, the shuffle) and
 * the word2vec trainer's pairs mode fed by it. */
#include "config.h"

#include <math.h>
#include <string.h>
#include "dp-test.h"

#define IP(i) DP_TEST_IP (10, 0, 0, i)
#define DST(i) DP_TEST_IP (192, 0, 2, i)

static DpCorpus *
build (const char *options, DpPackets *p)
{
  return dp_test_run_output ("ip2vec_corpus", options, p, "corpus");
}

/* Every pair as "target context", in corpus order. */
static GPtrArray *
pairs_of (const DpCorpus *c)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  for (guint64 s = 0; s < c->n_sentences; s++)
    {
      g_assert_cmpuint (c->offsets[s + 1] - c->offsets[s], ==, 2);
      GString *line = g_string_new (NULL);
      dp_vocab_format (c->vocab, c->tokens[c->offsets[s]], line);
      g_string_append_c (line, ' ');
      dp_vocab_format (c->vocab, c->tokens[c->offsets[s] + 1], line);
      g_ptr_array_add (out, g_string_free (line, FALSE));
    }
  return out;
}

static void
assert_pairs (const DpCorpus *c, const char *const *expected)
{
  g_autoptr (GPtrArray) got = pairs_of (c);
  guint n = g_strv_length ((char **) expected);
  for (guint i = 0; i < MIN (got->len, n); i++)
    g_assert_cmpstr (g_ptr_array_index (got, i), ==, expected[i]);
  g_assert_cmpuint (got->len, ==, n);
}

/* 10.0.0.1: 23/tcp to .1 twice (one tuple), 80/tcp to .2;
 * 10.0.0.2: one packet (below the filter); 10.0.0.3: two pings to .1. */
static DpPackets *
sample_packets (void)
{
  DpPackets *p = dp_packets_new (16);
  dp_test_add_packet (p, DP_TEST_SEC (1), IP (1), DST (1), 6, 40000, 23, 0x02);
  dp_test_add_packet (p, DP_TEST_SEC (2), IP (3), DST (1), 1, 8, 0, 0);
  dp_test_add_packet (p, DP_TEST_SEC (3), IP (1), DST (2), 6, 40001, 80, 0x02);
  dp_test_add_packet (p, DP_TEST_SEC (4), IP (2), DST (2), 17, 5000, 53, 0);
  dp_test_add_packet (p, DP_TEST_SEC (5), IP (1), DST (1), 6, 40002, 23, 0x02);
  dp_test_add_packet (p, DP_TEST_SEC (6), IP (3), DST (1), 1, 8, 0, 0);
  return p;
}

static const char *const sample_sorted[] = {
  "10.0.0.1 192.0.2.1", "10.0.0.1 23/tcp", "10.0.0.1 tcp", "23/tcp 192.0.2.1", "tcp 192.0.2.1",
  "10.0.0.1 192.0.2.2", "10.0.0.1 80/tcp", "10.0.0.1 tcp", "80/tcp 192.0.2.2", "tcp 192.0.2.2",
  "10.0.0.3 192.0.2.1", "10.0.0.3 0/icmp", "10.0.0.3 icmp", "0/icmp 192.0.2.1", "icmp 192.0.2.1",
  NULL };

static void
test_defaults_empty (void)
{
  g_autoptr (DpCorpus) c = build (NULL, NULL);
  g_assert_cmpint (c->mode, ==, DP_CORPUS_PAIRS);
  g_assert_cmpuint (c->n_sentences, ==, 0);
  g_assert_cmpuint (c->n_tokens, ==, 0);
  g_assert_cmpuint (c->vocab->n, ==, 0);
}

static void
test_exact_pairs (void)
{
  g_autoptr (DpPackets) p = sample_packets ();
  g_autoptr (DpCorpus) c = build ("min_packets: 2\nshuffle: false", p);
  assert_pairs (c, sample_sorted);
  /* counts are occurrences in the pairs */
  gint64 d1 = dp_vocab_lookup (c->vocab, DP_TOKEN (DP_TOK_IP, DST (1)));
  gint64 tcp = dp_vocab_lookup (c->vocab, DP_TOKEN (DP_TOK_PROTO, 6));
  gint64 src2 = dp_vocab_lookup (c->vocab, DP_TOKEN (DP_TOK_IP, IP (2)));
  g_assert_cmpint (d1, >=, 0);
  g_assert_cmpuint (c->vocab->counts[d1], ==, 6);
  g_assert_cmpuint (c->vocab->counts[tcp], ==, 4);
  g_assert_cmpint (src2, ==, -1);
}

static void
test_filter_boundary (void)
{
  g_autoptr (DpPackets) p = sample_packets ();
  /* 10.0.0.1 sent 3: kept at 3, dropped at 4 with everyone else */
  g_autoptr (DpCorpus) c3 = build ("min_packets: 3\nshuffle: false", p);
  g_assert_cmpuint (c3->n_sentences, ==, 10);
  g_autoptr (DpCorpus) c4 = build ("min_packets: 4\nshuffle: false", p);
  g_assert_cmpuint (c4->n_sentences, ==, 0);
  /* the default keeps sources with 10 packets or more */
  g_autoptr (DpCorpus) cd = build (NULL, p);
  g_assert_cmpuint (cd->n_sentences, ==, 0);
}

static gint
cmp_str (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static char *
joined (GPtrArray *a)
{
  g_ptr_array_add (a, NULL);
  char *s = g_strjoinv ("|", (char **) a->pdata);
  g_ptr_array_remove_index (a, a->len - 1);
  return s;
}

static void
test_shuffle (void)
{
  g_autoptr (DpPackets) p = sample_packets ();
  g_autoptr (DpCorpus) a = build ("min_packets: 2\nseed: 3", p);
  g_autoptr (DpCorpus) b = build ("min_packets: 2\nseed: 3", p);
  g_autoptr (DpCorpus) c = build ("min_packets: 2\nseed: 4", p);
  g_autoptr (GPtrArray) pa = pairs_of (a);
  g_autoptr (GPtrArray) pb = pairs_of (b);
  g_autoptr (GPtrArray) pc = pairs_of (c);
  g_autofree char *ja = joined (pa);
  g_autofree char *jb = joined (pb);
  g_autofree char *jc = joined (pc);
  g_assert_cmpstr (ja, ==, jb);
  g_assert_cmpstr (ja, !=, jc);
  g_autoptr (GPtrArray) sorted = g_ptr_array_new ();
  for (guint i = 0; sample_sorted[i]; i++)
    g_ptr_array_add (sorted, (gpointer) sample_sorted[i]);
  g_autofree char *js = joined (sorted);
  g_assert_cmpstr (ja, !=, js);
  /* the same pairs, only in another order */
  g_ptr_array_sort (pa, cmp_str);
  g_ptr_array_sort (sorted, cmp_str);
  g_autofree char *jas = joined (pa);
  g_autofree char *jss = joined (sorted);
  g_assert_cmpstr (jas, ==, jss);
}

/* Packets without transport ports (fragments) and several batches. */
static void
test_portless_batches (void)
{
  g_autoptr (DpHarness) h = dp_test_harness ("ip2vec_corpus", "min_packets: 1\nshuffle: false");
  GError *error = NULL;
  g_autoptr (DpPackets) a = dp_packets_new (4);
  guint r = dp_test_add_packet (a, 0, IP (5), DST (9), 6, 1, 2, 0);
  a->l4[r] = 0;   /* a fragment: no ports */
  g_autoptr (DpPackets) b = dp_packets_new (4);
  dp_test_add_packet (b, 1, IP (5), DST (9), 47, 0, 0, 0);
  g_assert_true (dp_harness_push (h, 0, a, &error));
  g_assert_true (dp_harness_push (h, 0, b, &error));
  g_assert_true (dp_harness_finish (h, &error));
  DpCorpus *c = dp_harness_output (h, "corpus");
  const char *const expected[] = {
    "10.0.0.5 192.0.2.9", "10.0.0.5 0/tcp", "10.0.0.5 tcp", "0/tcp 192.0.2.9", "tcp 192.0.2.9",
    "10.0.0.5 192.0.2.9", "10.0.0.5 0/gre", "10.0.0.5 gre", "0/gre 192.0.2.9", "gre 192.0.2.9",
    NULL };
  assert_pairs (c, expected);
  g_assert_cmpuint (dp_harness_counter (h, "tuples"), ==, 2);
  g_assert_cmpuint (dp_harness_counter (h, "pairs"), ==, 10);
}

static void
test_bad_options (void)
{
  static const struct { const char *yaml; gint code; } cases[] = {
    { "min_packets: -1", DP_CONFIG_ERROR_TYPE },
    { "min_packets: ten", DP_CONFIG_ERROR_TYPE },
    { "shuffle: maybe", DP_CONFIG_ERROR_TYPE },
    { "seed: 1.5", DP_CONFIG_ERROR_TYPE },
    { "min_packet: 3", DP_CONFIG_ERROR_UNKNOWN_KEY },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    dp_test_bad_option ("ip2vec_corpus", cases[i].yaml, cases[i].code);
}

/* ------------------------------------------------------------------ */
/* the trainer's pairs mode, fed by the builder */

static double
cosine (const DpEmbedding *e, guint a, guint b)
{
  return dp_test_cosine (e->vectors + (gsize) a * e->dim, e->vectors + (gsize) b * e->dim, e->dim);
}

/* Two groups of 12 sources each: one scans 23 and 2323/tcp, the other 445
 * and 139/tcp, across the same 64 destinations.  After training on the
 * pairs, every source's nearest other source is in its own group. */
static void
test_trainer_pairs (void)
{
  g_autoptr (DpPackets) p = dp_packets_new (4096);
  guint64 s = 7;
  for (guint src = 1; src <= 24; src++)
    for (guint i = 0; i < 40; i++)
      {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        guint16 port = src <= 12 ? (i % 2 ? 23 : 2323) : (i % 2 ? 445 : 139);
        dp_test_add_packet (p, DP_TEST_SEC (i), IP (src), DST ((s >> 33) % 64), 6, 40000, port, 0x02);
      }
  g_autoptr (DpCorpus) c = build ("min_packets: 10\nseed: 1", p);
  GError *error = NULL;
  g_autoptr (DpHarness) w = dp_harness_new ("word2vec",
      "sg: true\nvector_size: 16\nnegative: 5\nsample: 0\nmin_count: 0\nepochs: 30\nseed: 1", &error);
  g_assert_no_error (error);
  g_assert_true (dp_harness_push (w, 0, c, &error));
  g_assert_true (dp_harness_finish (w, &error));
  g_assert_no_error (error);
  DpEmbedding *e = dp_harness_output (w, "embedding");
  g_assert_nonnull (e);
  g_assert_cmpuint (dp_harness_counter (w, "trained-words"), ==, c->n_tokens * 30);
  guint rows[25];
  for (guint src = 1; src <= 24; src++)
    {
      gint64 r = dp_vocab_lookup (e->vocab, DP_TOKEN (DP_TOK_IP, IP (src)));
      g_assert_cmpint (r, >=, 0);
      rows[src] = (guint) r;
    }
  for (guint a = 1; a <= 24; a++)
    {
      guint best = 0;
      double best_sim = -2;
      for (guint b = 1; b <= 24; b++)
        if (b != a && cosine (e, rows[a], rows[b]) > best_sim)
          {
            best_sim = cosine (e, rows[a], rows[b]);
            best = b;
          }
      g_assert_cmpuint ((a - 1) / 12, ==, (best - 1) / 12);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/plugin/ip2vec_corpus/defaults-empty", test_defaults_empty);
  g_test_add_func ("/plugin/ip2vec_corpus/exact-pairs", test_exact_pairs);
  g_test_add_func ("/plugin/ip2vec_corpus/filter-boundary", test_filter_boundary);
  g_test_add_func ("/plugin/ip2vec_corpus/shuffle", test_shuffle);
  g_test_add_func ("/plugin/ip2vec_corpus/portless-batches", test_portless_batches);
  g_test_add_func ("/plugin/ip2vec_corpus/bad-options", test_bad_options);
  g_test_add_func ("/plugin/ip2vec_corpus/word2vec-pairs", test_trainer_pairs);
  return g_test_run ();
}
