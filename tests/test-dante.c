/* test-dante.c — the DANTE corpus builder on hand-made packets (exact
 * sequences, window boundaries, each sequence written once, the filters,
 * late packets) and embedding_mean on a tiny case. */
#include "config.h"

#include <math.h>
#include <string.h>
#include "dp-test.h"

#define IP(i) DP_TEST_IP (10, 0, 0, i)
#define DST DP_TEST_IP (192, 0, 2, 1)
#define W DP_TEST_SEC (4 * 3600)

static void
add (DpPackets *p, gint64 ts, guint src, guint8 proto, guint16 dport)
{
  dp_test_add_packet (p, ts, IP (src), DST, proto, 40000, dport, 0x02);
}

static DpHarness *
harness (const char *plugin, const char *options)
{
  GError *error = NULL;
  DpHarness *h = dp_harness_new (plugin, options, &error);
  g_assert_no_error (error);
  return h;
}

static DpCorpus *
build (const char *options, DpPackets *p)
{
  GError *error = NULL;
  g_autoptr (DpHarness) h = harness ("dante_corpus", options);
  if (p)
    g_assert_true (dp_harness_push (h, 0, p, &error));
  g_assert_true (dp_harness_finish (h, &error));
  g_assert_no_error (error);
  DpCorpus *c = dp_harness_output (h, "corpus");
  g_assert_nonnull (c);
  return dp_batch_ref (c);
}

/* The corpus as "window:src-octet:ports" lines, e.g. "0:1:23/tcp 80/tcp". */
static void
assert_corpus (const DpCorpus *c, const char *const *expected)
{
  guint n = g_strv_length ((char **) expected);
  for (guint64 s = 0; s < MIN (c->n_sentences, n); s++)
    {
      g_assert_cmpint (DP_TOKEN_KIND (c->sentence_key[s]), ==, DP_TOK_IP);
      GString *line = g_string_new (NULL);
      g_string_append_printf (line, "%" G_GINT64_FORMAT ":%u:", c->sentence_time[s] / W,
                              (guint) (DP_TOKEN_VALUE (c->sentence_key[s]) & 0xff));
      for (guint64 i = c->offsets[s]; i < c->offsets[s + 1]; i++)
        {
          g_assert_cmpint (DP_TOKEN_KIND (c->vocab->keys[c->tokens[i]]), ==, DP_TOK_PORT);
          if (i > c->offsets[s])
            g_string_append_c (line, ' ');
          dp_vocab_format (c->vocab, c->tokens[i], line);
        }
      g_assert_cmpstr (line->str, ==, expected[s]);
      g_string_free (line, TRUE);
    }
  g_assert_cmpuint (c->n_sentences, ==, n);
}

static void
assert_counts (const DpCorpus *c)
{
  g_autofree guint64 *n = g_new0 (guint64, MAX (c->vocab->n, 1u));
  for (guint64 i = 0; i < c->n_tokens; i++)
    n[c->tokens[i]]++;
  for (guint id = 0; id < c->vocab->n; id++)
    g_assert_cmpuint (c->vocab->counts[id], ==, n[id]);
}

static void
test_defaults_empty (void)
{
  g_autoptr (DpCorpus) c = build (NULL, NULL);
  g_assert_cmpint (c->mode, ==, DP_CORPUS_SENTENCES);
  g_assert_cmpuint (c->n_sentences, ==, 0);
  g_assert_cmpuint (c->n_tokens, ==, 0);
}

/* Two windows; out-of-order packets inside a window; short sequences. */
static DpPackets *
sample_packets (void)
{
  DpPackets *p = dp_packets_new (32);
  add (p, DP_TEST_SEC (10), 1, 6, 23);
  add (p, DP_TEST_SEC (20), 1, 6, 80);
  add (p, DP_TEST_SEC (30), 1, 6, 23);
  add (p, DP_TEST_SEC (25), 1, 6, 443);     /* late inside its window: sorted by time */
  add (p, DP_TEST_SEC (40), 9, 6, 22);      /* 2 packets in window 0: too short */
  add (p, DP_TEST_SEC (50), 9, 6, 22);
  add (p, DP_TEST_SEC (60), 4, 17, 53);     /* a lower address than .9, later in time */
  add (p, DP_TEST_SEC (61), 4, 1, 8);       /* ICMP: no port */
  add (p, DP_TEST_SEC (62), 4, 17, 53);
  add (p, W - 1, 4, 17, 123);               /* last ns of window 0 */
  add (p, W, 9, 6, 22);                     /* first ns of window 1 */
  add (p, W + 1, 9, 6, 2222);
  add (p, W + 2, 9, 6, 22);
  add (p, W + 3, 1, 6, 23);                 /* one packet in window 1: too short */
  return p;
}

static void
test_exact_sequences (void)
{
  g_autoptr (DpPackets) p = sample_packets ();
  g_autoptr (DpCorpus) c = build ("min_packets: 1", p);
  const char *const expected[] = {
    "0:1:23/tcp 80/tcp 443/tcp 23/tcp",
    "0:4:53/udp 0/icmp 53/udp 123/udp",
    "1:9:22/tcp 2222/tcp 22/tcp",
    NULL };
  assert_corpus (c, expected);
  assert_counts (c);
  gint64 p22 = dp_vocab_lookup (c->vocab, DP_TOKEN (DP_TOK_PORT, (6u << 16) | 22));
  g_assert_cmpint (p22, >=, 0);
  g_assert_cmpuint (c->vocab->counts[p22], ==, 2);   /* the short window-0 sequence is not counted */
}

static void
test_options_change_sequences (void)
{
  g_autoptr (DpPackets) p = sample_packets ();
  /* min_sequence 2: .9's two packets in window 0 count now */
  g_autoptr (DpCorpus) c2 = build ("min_packets: 1\nmin_sequence: 2", p);
  const char *const two[] = {
    "0:1:23/tcp 80/tcp 443/tcp 23/tcp", "0:4:53/udp 0/icmp 53/udp 123/udp", "0:9:22/tcp 22/tcp",
    "1:9:22/tcp 2222/tcp 22/tcp", NULL };
  assert_corpus (c2, two);
  /* the activity filter: .1 sent 5 packets, .4 sent 4, .9 sent 5 */
  g_autoptr (DpCorpus) c5 = build ("min_packets: 5", p);
  const char *const five[] = { "0:1:23/tcp 80/tcp 443/tcp 23/tcp", "1:9:22/tcp 2222/tcp 22/tcp", NULL };
  assert_corpus (c5, five);
  assert_counts (c5);
  g_autoptr (DpCorpus) cd = build (NULL, p);   /* default: 10 packets */
  g_assert_cmpuint (cd->n_sentences, ==, 0);
  g_assert_cmpuint (cd->n_tokens, ==, 0);
  /* one window of a day: everything of a source in one sentence */
  g_autoptr (DpCorpus) day = build ("min_packets: 1\nwindow: 1d", p);
  const char *const daily[] = {
    "0:1:23/tcp 80/tcp 443/tcp 23/tcp 23/tcp", "0:4:53/udp 0/icmp 53/udp 123/udp",
    "0:9:22/tcp 22/tcp 22/tcp 2222/tcp 22/tcp", NULL };
  assert_corpus (day, daily);
}

static void
test_text_output (void)
{
  GError *error = NULL;
  g_autoptr (DpHarness) h = harness ("dante_corpus", "min_packets: 1\ntext_path: dante.txt");
  g_autoptr (DpPackets) p = sample_packets ();
  g_assert_true (dp_harness_push (h, 0, p, &error));
  g_assert_true (dp_harness_finish (h, &error));
  g_assert_no_error (error);
  g_autofree char *path = g_build_filename (dp_harness_output_dir (h), "dante.txt", NULL);
  g_autofree char *text = dp_test_read_file (path, NULL);
  g_assert_cmpstr (text, ==, "23/tcp 80/tcp 443/tcp 23/tcp\n53/udp 0/icmp 53/udp 123/udp\n22/tcp 2222/tcp 22/tcp\n");
}

/* The authors' writer emitted n(n+1)/2 lines for n sources in a window. */
static void
test_each_sequence_once (void)
{
  g_autoptr (DpPackets) p = dp_packets_new (64);
  for (guint i = 0; i < 3; i++)
    for (guint src = 1; src <= 6; src++)
      add (p, DP_TEST_SEC (i * 10 + src), src, 6, (guint16) (1000 + src));
  g_autoptr (DpCorpus) c = build ("min_packets: 1", p);
  g_assert_cmpuint (c->n_sentences, ==, 6);
  g_assert_cmpuint (c->n_tokens, ==, 18);
  for (guint64 s = 0; s < c->n_sentences; s++)
    g_assert_cmpuint (DP_TOKEN_VALUE (c->sentence_key[s]), ==, IP (s + 1));
}

/* Windows are written while the stream goes on; a packet more than a
 * window late is counted and dropped (or fails with on_error: fail). */
static void
test_late_packets (void)
{
  GError *error = NULL;
  g_autoptr (DpHarness) h = harness ("dante_corpus", "min_packets: 1");
  g_autoptr (DpPackets) a = dp_packets_new (8);
  for (guint i = 0; i < 3; i++)
    add (a, DP_TEST_SEC (i), 1, 6, 23);
  add (a, 2 * W + 5, 2, 6, 80);
  g_autoptr (DpPackets) late = dp_packets_new (8);
  add (late, DP_TEST_SEC (5), 1, 6, 25);
  add (late, 2 * W + 6, 2, 6, 80);
  add (late, 2 * W + 7, 2, 6, 80);
  g_assert_true (dp_harness_push (h, 0, a, &error));
  g_assert_true (dp_harness_push (h, 0, late, &error));
  g_assert_true (dp_harness_finish (h, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (dp_harness_counter (h, "late-packet"), ==, 1);
  const char *const expected[] = { "0:1:23/tcp 23/tcp 23/tcp", "2:2:80/tcp 80/tcp 80/tcp", NULL };
  assert_corpus (dp_harness_output (h, "corpus"), expected);

  g_autoptr (DpHarness) f = harness ("dante_corpus", "min_packets: 1\non_error: fail");
  g_assert_true (dp_harness_push (f, 0, a, &error));
  g_assert_false (dp_harness_push (f, 0, late, &error));
  g_assert_error (error, DP_DATA_ERROR, DP_DATA_ERROR_MALFORMED);
  g_clear_error (&error);
}

static void
test_bad_options (void)
{
  static const struct { const char *plugin, *yaml; gint code; } cases[] = {
    { "dante_corpus", "window: 0s", DP_CONFIG_ERROR_RANGE },
    { "dante_corpus", "window: 500ms", DP_CONFIG_ERROR_RANGE },
    { "dante_corpus", "window: four hours", DP_CONFIG_ERROR_TYPE },
    { "dante_corpus", "min_sequence: 0", DP_CONFIG_ERROR_RANGE },
    { "dante_corpus", "min_packets: -3", DP_CONFIG_ERROR_TYPE },
    { "dante_corpus", "windows: 4h", DP_CONFIG_ERROR_UNKNOWN_KEY },
    { "embedding_mean", "mean: median", DP_CONFIG_ERROR_CHOICE },
    { "embedding_mean", "weights: 1", DP_CONFIG_ERROR_UNKNOWN_KEY },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    dp_test_bad_option (cases[i].plugin, cases[i].yaml, cases[i].code);
}

/* ------------------------------------------------------------------ */
/* embedding_mean */

#define PORT(n) DP_TOKEN (DP_TOK_PORT, (6u << 16) | (n))

/* Ports 1 = (1, 0), 2 = (0, 1); port 3 has no vector.  Owner A: [1 1 2],
 * [2]; B: [2 3]; C: [3] (nothing to average). */
static void
mean_inputs (DpEmbedding **emb, DpCorpus **corpus, gboolean owners)
{
  g_autoptr (DpVocab) ev = dp_vocab_new ();
  dp_vocab_add (ev, PORT (2));
  dp_vocab_add (ev, PORT (1));
  *emb = dp_embedding_new (ev, 2, 2);
  (*emb)->vectors[1] = 1;   /* port 2 = (0, 1) */
  (*emb)->vectors[2] = 1;   /* port 1 = (1, 0) */
  g_autoptr (DpVocab) cv = dp_vocab_new ();
  guint32 p1 = dp_vocab_add (cv, PORT (1)), p2 = dp_vocab_add (cv, PORT (2)), p3 = dp_vocab_add (cv, PORT (3));
  *corpus = dp_corpus_new (cv, DP_CORPUS_SENTENCES);
  if (owners)
    dp_corpus_enable_metadata (*corpus);
  const guint32 s0[] = { p1, p1, p2 }, s1[] = { p2, p3 }, s2[] = { p2 }, s3[] = { p3 };
  const guint32 *sent[] = { s0, s1, s2, s3 };
  const guint64 len[] = { 3, 2, 1, 1 };
  const guint owner[] = { 1, 2, 1, 3 };
  for (guint i = 0; i < 4; i++)
    {
      guint64 s = dp_corpus_add_sentence (*corpus, sent[i], len[i]);
      if (owners)
        (*corpus)->sentence_key[s] = DP_TOKEN (DP_TOK_IP, IP (owner[i]));
    }
}

static DpEmbedding *
run_mean (const char *options, guint64 *skipped)
{
  DpEmbedding *emb;
  DpCorpus *corpus;
  mean_inputs (&emb, &corpus, TRUE);
  GError *error = NULL;
  g_autoptr (DpHarness) h = harness ("embedding_mean", options);
  g_assert_true (dp_harness_push (h, 1, corpus, &error));
  g_assert_true (dp_harness_push (h, 0, emb, &error));
  g_assert_true (dp_harness_finish (h, &error));
  g_assert_no_error (error);
  dp_batch_unref (emb);
  dp_batch_unref (corpus);
  *skipped = dp_harness_counter (h, "sentences-without-vectors");
  return dp_batch_ref (dp_harness_output (h, "embedding"));
}

static void
test_mean_tokens (void)
{
  guint64 skipped;
  g_autoptr (DpEmbedding) out = run_mean (NULL, &skipped);
  g_assert_cmpuint (out->n, ==, 2);
  g_assert_cmpuint (out->dim, ==, 2);
  g_assert_cmpuint (skipped, ==, 1);
  g_assert_cmpuint (out->vocab->keys[0], ==, DP_TOKEN (DP_TOK_IP, IP (1)));
  g_assert_cmpuint (out->vocab->keys[1], ==, DP_TOKEN (DP_TOK_IP, IP (2)));
  /* A: (1,0) + (1,0) + (0,1) + (0,1) over 4 tokens */
  g_assert_cmpfloat (out->vectors[0], ==, 0.5f);
  g_assert_cmpfloat (out->vectors[1], ==, 0.5f);
  g_assert_cmpuint (out->vocab->counts[0], ==, 4);
  /* B: port 3 has no vector, so only port 2 */
  g_assert_cmpfloat (out->vectors[2], ==, 0.0f);
  g_assert_cmpfloat (out->vectors[3], ==, 1.0f);
}

static void
test_mean_sentences (void)
{
  guint64 skipped;
  g_autoptr (DpEmbedding) out = run_mean ("mean: sentences", &skipped);
  g_assert_cmpuint (out->n, ==, 2);
  /* A: mean of (2/3, 1/3) and (0, 1) */
  g_assert_cmpfloat_with_epsilon (out->vectors[0], 1.0 / 3, 1e-6);
  g_assert_cmpfloat_with_epsilon (out->vectors[1], 2.0 / 3, 1e-6);
  g_assert_cmpuint (out->vocab->counts[0], ==, 2);
  g_assert_cmpfloat (out->vectors[3], ==, 1.0f);
}

static void
test_mean_needs_owners (void)
{
  DpEmbedding *emb;
  DpCorpus *corpus;
  mean_inputs (&emb, &corpus, FALSE);
  GError *error = NULL;
  g_autoptr (DpHarness) h = harness ("embedding_mean", NULL);
  g_assert_true (dp_harness_push (h, 0, emb, &error));
  g_assert_true (dp_harness_push (h, 1, corpus, &error));
  g_assert_false (dp_harness_finish (h, &error));
  g_assert_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT);
  g_clear_error (&error);
  dp_batch_unref (emb);
  dp_batch_unref (corpus);
}

static void
test_mean_empty (void)
{
  GError *error = NULL;
  g_autoptr (DpHarness) h = harness ("embedding_mean", NULL);
  g_autoptr (DpCorpus) c = build ("min_packets: 1", NULL);
  g_autoptr (DpVocab) v = dp_vocab_new ();
  g_autoptr (DpEmbedding) e = dp_embedding_new (v, 0, 4);
  g_assert_true (dp_harness_push (h, 0, e, &error));
  g_assert_true (dp_harness_push (h, 1, c, &error));
  g_assert_true (dp_harness_finish (h, &error));
  DpEmbedding *out = dp_harness_output (h, "embedding");
  g_assert_nonnull (out);
  g_assert_cmpuint (out->n, ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/plugin/dante_corpus/defaults-empty", test_defaults_empty);
  g_test_add_func ("/plugin/dante_corpus/exact-sequences", test_exact_sequences);
  g_test_add_func ("/plugin/dante_corpus/options", test_options_change_sequences);
  g_test_add_func ("/plugin/dante_corpus/text-output", test_text_output);
  g_test_add_func ("/plugin/dante_corpus/each-sequence-once", test_each_sequence_once);
  g_test_add_func ("/plugin/dante_corpus/late-packets", test_late_packets);
  g_test_add_func ("/plugin/dante_corpus/bad-options", test_bad_options);
  g_test_add_func ("/plugin/embedding_mean/tokens", test_mean_tokens);
  g_test_add_func ("/plugin/embedding_mean/sentences", test_mean_sentences);
  g_test_add_func ("/plugin/embedding_mean/needs-owners", test_mean_needs_owners);
  g_test_add_func ("/plugin/embedding_mean/empty", test_mean_empty);
  return g_test_run ();
}
