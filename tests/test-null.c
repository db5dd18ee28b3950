/* test-null.c — the null sink: it takes batches of every type on its one
 * port and drops them; with report: true it says how many it dropped. */
#include "config.h"

#include <string.h>
#include "dp-test.h"

/* One batch of each kind the pipeline carries. */
static void
push_one_of_each (DpHarness *h)
{
  g_autoptr (DpPackets) p = dp_packets_new (2);
  dp_test_add_probe (p, DP_TEST_SEC (1), 1, 6, 23);
  g_autoptr (DpTable) t = dp_table_new ("t");
  dp_table_add_column (t, "n", DP_COL_INT64);
  const float v[2] = { 1, 2 };
  g_autoptr (DpEmbedding) e = dp_test_embedding (1, 2, NULL, v);
  g_autoptr (DpVocab) voc = dp_vocab_new ();
  g_autoptr (DpCorpus) c = dp_corpus_new (voc, DP_CORPUS_SENTENCES);
  dp_test_push (h, 0, p);
  dp_test_push (h, 0, t);
  dp_test_push (h, 0, e);
  dp_test_push (h, 0, c);
  /* the same batch again from another upstream stage */
  g_autoptr (GError) error = NULL;
  g_assert_cmpint (dp_harness_push_from (h, 0, "other", p, &error), ==, DP_FLOW_OK);
  g_assert_no_error (error);
}

/* The harness keeps stages quiet unless DP_HARNESS_VERBOSE is set. */
static DpHarness *
verbose_null (const char *yaml)
{
  g_setenv ("DP_HARNESS_VERBOSE", "1", TRUE);
  DpHarness *h = dp_test_harness ("null", yaml);
  g_unsetenv ("DP_HARNESS_VERBOSE");
  return h;
}

/* report: true counts every batch: five here; nothing is written. */
static void
test_report (void)
{
  g_autoptr (DpHarness) h = verbose_null ("report: true");
  push_one_of_each (h);
  g_autofree char *err = dp_test_finish_capture (h, 2);
  g_assert_nonnull (strstr (err, ": 5 batches discarded\n"));
  g_assert_cmpuint (dp_test_count_files (dp_harness_output_dir (h)), ==, 0);
}

/* By default it is silent, and it writes nothing. */
static void
test_silent (void)
{
  g_autoptr (DpHarness) h = verbose_null (NULL);
  push_one_of_each (h);
  g_autofree char *err = dp_test_finish_capture (h, 2);
  g_assert_cmpstr (err, ==, "");
  g_assert_cmpuint (dp_test_count_files (dp_harness_output_dir (h)), ==, 0);
}

/* Nothing arrives: zero batches, and that is no error. */
static void
test_empty (void)
{
  g_autoptr (DpHarness) h = verbose_null ("report: true");
  g_autofree char *err = dp_test_finish_capture (h, 2);
  g_assert_nonnull (strstr (err, ": 0 batches discarded\n"));
}

static void
test_bad_options (void)
{
  dp_test_bad_option ("null", "report: sometimes", DP_CONFIG_ERROR_TYPE);
  dp_test_bad_option ("null", "path: x", DP_CONFIG_ERROR_UNKNOWN_KEY);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/plugin/null/report", test_report);
  g_test_add_func ("/plugin/null/silent", test_silent);
  g_test_add_func ("/plugin/null/empty", test_empty);
  g_test_add_func ("/plugin/null/bad-options", test_bad_options);
  return g_test_run ();
}
