/* test-text-corpus.c — the text_corpus source: sentences split on
 * whitespace and cut at max_sentence, counts, lowercase, gzip, an empty
 * file, one word, a NUL byte, a missing file and bad options. */
#include "config.h"

#include <string.h>
#include <zlib.h>
#include "dp-test.h"

static void
test_text_corpus (void)
{
  g_autofree char *dir = dp_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "c.txt", NULL);
  g_assert_true (g_file_set_contents (path, "the cat  sat\n\n\tThe dog sat on the mat\r\na b c d e\n", -1, NULL));
  GError *error = NULL;
  g_autofree char *yaml = g_strdup_printf ("path: %s\nmax_sentence: 4", path);
  g_autoptr (DpHarness) h = dp_harness_new ("text_corpus", yaml, &error);
  g_assert_no_error (error);
  g_assert_true (dp_harness_run (h, &error));
  DpCorpus *c = dp_harness_output (h, "corpus");
  g_assert_nonnull (c);
  /* 3, 4 + 2 (cut at 4), 4 + 1 */
  g_assert_cmpuint (c->n_sentences, ==, 5);
  g_assert_cmpuint (c->n_tokens, ==, 14);
  const guint64 ends[] = { 0, 3, 7, 9, 13, 14 };
  g_assert_cmpmem (c->offsets, sizeof ends, ends, sizeof ends);
  g_autoptr (GString) s = g_string_new (NULL);
  for (guint64 i = c->offsets[1]; i < c->offsets[3]; i++)
    {
      dp_vocab_format (c->vocab, c->tokens[i], s);
      g_string_append_c (s, '|');
    }
  g_assert_cmpstr (s->str, ==, "The|dog|sat|on|the|mat|");
  gint64 the = dp_vocab_lookup (c->vocab, dp_vocab_word_lookup (c->vocab, "the"));
  g_assert_cmpuint (c->vocab->counts[the], ==, 2);
  g_autoptr (DpHarness) bad = dp_harness_new ("text_corpus", "path: /nonexistent/c.txt", &error);
  g_assert_no_error (error);
  g_assert_false (dp_harness_run (bad, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  dp_test_rmtree (dir);
}

/* Runs text_corpus on @text written to a file; returns the harness. */
static DpHarness *
run_text (const char *dir, const char *text, gssize len, const char *extra)
{
  g_autofree char *path = g_build_filename (dir, "t.txt", NULL);
  g_assert_true (g_file_set_contents (path, text, len, NULL));
  g_autofree char *yaml = g_strdup_printf ("path: %s\n%s", path, extra ? extra : "");
  g_autoptr (GError) error = NULL;
  DpHarness *h = dp_test_harness ("text_corpus", yaml);
  g_assert_true (dp_harness_run (h, &error));
  g_assert_no_error (error);
  return h;
}

/* An empty file and one of blank lines: an empty corpus, not an error. */
static void
test_empty (void)
{
  g_autofree char *dir = dp_test_tmpdir ();
  const char *texts[] = { "", "\n  \n\t\n" };
  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr (DpHarness) h = run_text (dir, texts[i], -1, NULL);
      DpCorpus *c = dp_harness_output (h, "corpus");
      g_assert_nonnull (c);
      g_assert_cmpuint (c->n_sentences, ==, 0);
      g_assert_cmpuint (c->n_tokens, ==, 0);
      g_assert_cmpuint (c->vocab->n, ==, 0);
      g_assert_cmpuint (dp_harness_counter (h, "sentences"), ==, 0);
    }
  dp_test_rmtree (dir);
}

/* One word without a newline; max_sentence 1 makes a sentence of each word. */
static void
test_one_word (void)
{
  g_autofree char *dir = dp_test_tmpdir ();
  g_autoptr (DpHarness) h = run_text (dir, "hello", -1, NULL);
  DpCorpus *c = dp_harness_output (h, "corpus");
  g_assert_cmpuint (c->n_sentences, ==, 1);
  g_assert_cmpuint (c->n_tokens, ==, 1);
  g_assert_cmpuint (c->vocab->keys[c->tokens[0]], ==, dp_vocab_word_lookup (c->vocab, "hello"));
  g_autoptr (DpHarness) each = run_text (dir, "a b a\n", -1, "max_sentence: 1");
  c = dp_harness_output (each, "corpus");
  g_assert_cmpuint (c->n_sentences, ==, 3);
  g_assert_cmpuint (c->vocab->n, ==, 2);
  g_assert_cmpuint (c->tokens[0], ==, c->tokens[2]);
  g_assert_cmpuint (dp_harness_counter (each, "tokens"), ==, 3);
  dp_test_rmtree (dir);
}

static void
test_lowercase (void)
{
  g_autofree char *dir = dp_test_tmpdir ();
  g_autoptr (DpHarness) h = run_text (dir, "The THE the\n", -1, "lowercase: true");
  DpCorpus *c = dp_harness_output (h, "corpus");
  g_assert_cmpuint (c->vocab->n, ==, 1);
  gint64 the = dp_vocab_lookup (c->vocab, dp_vocab_word_lookup (c->vocab, "the"));
  g_assert_cmpint (the, ==, 0);
  g_assert_cmpuint (c->vocab->counts[the], ==, 3);
  dp_test_rmtree (dir);
}

/* A gzip-compressed file reads as the plain text. */
static void
test_gzip (void)
{
  g_autofree char *dir = dp_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "c.txt.gz", NULL);
  gzFile gz = gzopen (path, "wb");
  g_assert_nonnull (gz);
  const char text[] = "x y\nz\n";
  g_assert_cmpint (gzwrite (gz, text, sizeof text - 1), ==, (int) sizeof text - 1);
  g_assert_cmpint (gzclose (gz), ==, Z_OK);
  g_autofree char *yaml = g_strdup_printf ("path: %s", path);
  g_autoptr (DpHarness) h = dp_test_harness ("text_corpus", yaml);
  g_autoptr (GError) error = NULL;
  g_assert_true (dp_harness_run (h, &error));
  g_assert_no_error (error);
  DpCorpus *c = dp_harness_output (h, "corpus");
  g_assert_cmpuint (c->n_sentences, ==, 2);
  g_assert_cmpuint (c->n_tokens, ==, 3);
  dp_test_rmtree (dir);
}

/* A NUL byte ends its line's words: counted as a bad line, or fatal with
 * on_error: fail. */
static void
test_nul_byte (void)
{
  g_autofree char *dir = dp_test_tmpdir ();
  const char text[] = "a b\0c d\ne f\n";
  g_autoptr (DpHarness) h = run_text (dir, text, sizeof text - 1, NULL);
  DpCorpus *c = dp_harness_output (h, "corpus");
  g_assert_cmpuint (dp_harness_counter (h, "bad-line"), ==, 1);
  g_assert_cmpuint (c->n_sentences, ==, 2);
  g_assert_cmpuint (c->n_tokens, ==, 4);
  g_autofree char *path = g_build_filename (dir, "t.txt", NULL);
  g_autofree char *yaml = g_strdup_printf ("path: %s\non_error: fail", path);
  g_autoptr (DpHarness) f = dp_test_harness ("text_corpus", yaml);
  g_autoptr (GError) error = NULL;
  g_assert_false (dp_harness_run (f, &error));
  g_assert_error (error, DP_DATA_ERROR, DP_DATA_ERROR_MALFORMED);
  g_assert_nonnull (strstr (error->message, "line 1"));
  dp_test_rmtree (dir);
}

static void
test_bad_options (void)
{
  static const struct { const char *yaml; gint code; } cases[] = {
    { NULL, DP_CONFIG_ERROR_REQUIRED },
    { "path: x\nmax_sentence: 0", DP_CONFIG_ERROR_RANGE },
    { "path: x\nlowercase: often", DP_CONFIG_ERROR_TYPE },
    { "path: x\nwindow: 5", DP_CONFIG_ERROR_UNKNOWN_KEY },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    dp_test_bad_option ("text_corpus", cases[i].yaml, cases[i].code);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/plugin/text_corpus/lines", test_text_corpus);
  g_test_add_func ("/plugin/text_corpus/empty", test_empty);
  g_test_add_func ("/plugin/text_corpus/one-word", test_one_word);
  g_test_add_func ("/plugin/text_corpus/lowercase", test_lowercase);
  g_test_add_func ("/plugin/text_corpus/gzip", test_gzip);
  g_test_add_func ("/plugin/text_corpus/nul-byte", test_nul_byte);
  g_test_add_func ("/plugin/text_corpus/bad-options", test_bad_options);
  return g_test_run ();
}
