/* test-embedding-mean.c — embedding_mean: per-owner means of token
 * vectors over tokens and over sentences, by hand; owners required; empty
 * input; options. */
#include "config.h"

#include <math.h>
#include <string.h>
#include "dp-test.h"

#define IP(i) DP_TEST_IP (10, 0, 0, i)

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
  g_autoptr (DpHarness) h = dp_test_harness ("embedding_mean", options);
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
  g_autoptr (DpHarness) h = dp_test_harness ("embedding_mean", NULL);
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
  g_autoptr (DpHarness) h = dp_test_harness ("embedding_mean", NULL);
  g_autoptr (DpVocab) cv = dp_vocab_new ();
  g_autoptr (DpCorpus) c = dp_corpus_new (cv, DP_CORPUS_SENTENCES);
  dp_corpus_enable_metadata (c);
  g_autoptr (DpVocab) v = dp_vocab_new ();
  g_autoptr (DpEmbedding) e = dp_embedding_new (v, 0, 4);
  g_assert_true (dp_harness_push (h, 0, e, &error));
  g_assert_true (dp_harness_push (h, 1, c, &error));
  g_assert_true (dp_harness_finish (h, &error));
  DpEmbedding *out = dp_harness_output (h, "embedding");
  g_assert_nonnull (out);
  g_assert_cmpuint (out->n, ==, 0);
}

static void
test_bad_options (void)
{
  dp_test_bad_option ("embedding_mean", "mean: median", DP_CONFIG_ERROR_CHOICE);
  dp_test_bad_option ("embedding_mean", "weights: 1", DP_CONFIG_ERROR_UNKNOWN_KEY);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/plugin/embedding_mean/tokens", test_mean_tokens);
  g_test_add_func ("/plugin/embedding_mean/sentences", test_mean_sentences);
  g_test_add_func ("/plugin/embedding_mean/needs-owners", test_mean_needs_owners);
  g_test_add_func ("/plugin/embedding_mean/empty", test_mean_empty);
  g_test_add_func ("/plugin/embedding_mean/bad-options", test_bad_options);
  return g_test_run ();
}
