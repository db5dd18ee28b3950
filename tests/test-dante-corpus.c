/* test-dante-corpus.c — the DANTE corpus builder on hand-made packets
 * (exact sequences, window boundaries, each sequence written once, the
 * filters, late packets). */
#include "config.h"

#include <math.h>
#include <string.h>
#include "dp-test.h"

#define IP(i) DP_TEST_IP (10, 0, 0, i)
#define W DP_TEST_SEC (4 * 3600)

static DpCorpus *
build (const char *options, DpPackets *p)
{
  return dp_test_run_output ("dante_corpus", options, p, "corpus");
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
  dp_test_add_probe (p, DP_TEST_SEC (10), 1, 6, 23);
  dp_test_add_probe (p, DP_TEST_SEC (20), 1, 6, 80);
  dp_test_add_probe (p, DP_TEST_SEC (30), 1, 6, 23);
  dp_test_add_probe (p, DP_TEST_SEC (25), 1, 6, 443);     /* late inside its window: sorted by time */
  dp_test_add_probe (p, DP_TEST_SEC (40), 9, 6, 22);      /* 2 packets in window 0: too short */
  dp_test_add_probe (p, DP_TEST_SEC (50), 9, 6, 22);
  dp_test_add_probe (p, DP_TEST_SEC (60), 4, 17, 53);     /* a lower address than .9, later in time */
  dp_test_add_probe (p, DP_TEST_SEC (61), 4, 1, 8);       /* ICMP: no port */
  dp_test_add_probe (p, DP_TEST_SEC (62), 4, 17, 53);
  dp_test_add_probe (p, W - 1, 4, 17, 123);               /* last ns of window 0 */
  dp_test_add_probe (p, W, 9, 6, 22);                     /* first ns of window 1 */
  dp_test_add_probe (p, W + 1, 9, 6, 2222);
  dp_test_add_probe (p, W + 2, 9, 6, 22);
  dp_test_add_probe (p, W + 3, 1, 6, 23);                 /* one packet in window 1: too short */
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
  g_autoptr (DpHarness) h = dp_test_harness ("dante_corpus", "min_packets: 1\ntext_path: dante.txt");
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
      dp_test_add_probe (p, DP_TEST_SEC (i * 10 + src), src, 6, (guint16) (1000 + src));
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
  g_autoptr (DpHarness) h = dp_test_harness ("dante_corpus", "min_packets: 1");
  g_autoptr (DpPackets) a = dp_packets_new (8);
  for (guint i = 0; i < 3; i++)
    dp_test_add_probe (a, DP_TEST_SEC (i), 1, 6, 23);
  dp_test_add_probe (a, 2 * W + 5, 2, 6, 80);
  g_autoptr (DpPackets) late = dp_packets_new (8);
  dp_test_add_probe (late, DP_TEST_SEC (5), 1, 6, 25);
  dp_test_add_probe (late, 2 * W + 6, 2, 6, 80);
  dp_test_add_probe (late, 2 * W + 7, 2, 6, 80);
  g_assert_true (dp_harness_push (h, 0, a, &error));
  g_assert_true (dp_harness_push (h, 0, late, &error));
  g_assert_true (dp_harness_finish (h, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (dp_harness_counter (h, "late-packet"), ==, 1);
  const char *const expected[] = { "0:1:23/tcp 23/tcp 23/tcp", "2:2:80/tcp 80/tcp 80/tcp", NULL };
  assert_corpus (dp_harness_output (h, "corpus"), expected);

  g_autoptr (DpHarness) f = dp_test_harness ("dante_corpus", "min_packets: 1\non_error: fail");
  g_assert_true (dp_harness_push (f, 0, a, &error));
  g_assert_false (dp_harness_push (f, 0, late, &error));
  g_assert_error (error, DP_DATA_ERROR, DP_DATA_ERROR_MALFORMED);
  g_clear_error (&error);
}

static void
test_bad_options (void)
{
  static const struct { const char *yaml; gint code; } cases[] = {
    { "window: 0s", DP_CONFIG_ERROR_RANGE },
    { "window: 500ms", DP_CONFIG_ERROR_RANGE },
    { "window: four hours", DP_CONFIG_ERROR_TYPE },
    { "min_sequence: 0", DP_CONFIG_ERROR_RANGE },
    { "min_packets: -3", DP_CONFIG_ERROR_TYPE },
    { "windows: 4h", DP_CONFIG_ERROR_UNKNOWN_KEY },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    dp_test_bad_option ("dante_corpus", cases[i].yaml, cases[i].code);
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
  return g_test_run ();
}
