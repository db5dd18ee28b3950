/* test-w2v-io.c — word2vec files (w2v_text, w2v_binary sinks; w2v_file
 * source): golden text, round trips, gzip, malformed and truncated input;
 * the zscore plugin on a tiny matrix; the text_corpus source. */
#include "config.h"

#include <math.h>
#include <string.h>
#include "dp-test.h"

/* Four tokens of four kinds: address, pseudonym, port, word.  The golden
 * text below is Python's "%.9g" % float(numpy.float32(v)) of these values. */
static DpEmbedding *
sample_embedding (void)
{
  g_autoptr (DpVocab) v = dp_vocab_new ();
  g_autoptr (DpNameMap) names = dp_name_map_new ();
  dp_vocab_set_names (v, names);
  dp_vocab_add (v, DP_TOKEN (DP_TOK_IP, DP_TEST_IP (10, 0, 0, 1)));
  dp_vocab_add (v, DP_TOKEN (DP_TOK_IP, dp_name_map_intern (names, "src_ipaddr12")));
  dp_vocab_add (v, DP_TOKEN (DP_TOK_PORT, (6u << 16) | 23));
  dp_vocab_add (v, dp_vocab_word_key (v, "telnet"));
  DpEmbedding *e = dp_embedding_new (v, 4, 3);
  const float values[12] = { 0.5f, -1.0f, 0.25f, 1.0f / 3, -2.5e-7f, 123456.789f,
                             1e-30f, -0.0f, 3.0f, 0.1f, 0.2f, 0.3f };
  memcpy (e->vectors, values, sizeof values);
  return e;
}

static char *
write_embedding (const char *plugin, DpEmbedding *e, const char *dir, const char *name, gboolean gzip)
{
  GError *error = NULL;
  char *path = g_build_filename (dir, name, NULL);
  g_autofree char *yaml = g_strdup_printf ("path: %s\ngzip: %s", path, gzip ? "true" : "false");
  g_autoptr (DpHarness) h = dp_harness_new (plugin, yaml, &error);
  g_assert_no_error (error);
  g_assert_true (dp_harness_push (h, 0, e, &error));
  g_assert_true (dp_harness_finish (h, &error));
  g_assert_no_error (error);
  return path;
}

/* Reads @path with w2v_file; returns the embedding and the harness (for counters). */
static DpEmbedding *
read_embedding (const char *path, const char *extra, DpHarness **out_h)
{
  GError *error = NULL;
  g_autofree char *yaml = g_strdup_printf ("path: %s\n%s", path, extra ? extra : "");
  DpHarness *h = dp_harness_new ("w2v_file", yaml, &error);
  g_assert_no_error (error);
  g_assert_true (dp_harness_run (h, &error));
  g_assert_no_error (error);
  DpEmbedding *e = dp_batch_ref (dp_harness_output (h, "embedding"));
  if (out_h)
    *out_h = h;
  else
    dp_harness_free (h);
  return e;
}

static void
assert_same_tokens (const DpEmbedding *a, const DpEmbedding *b)
{
  g_assert_cmpuint (a->n, ==, b->n);
  g_assert_cmpuint (a->dim, ==, b->dim);
  g_autoptr (GString) x = g_string_new (NULL);
  g_autoptr (GString) y = g_string_new (NULL);
  for (guint i = 0; i < a->n; i++)
    {
      g_string_truncate (x, 0);
      g_string_truncate (y, 0);
      dp_vocab_format (a->vocab, i, x);
      dp_vocab_format (b->vocab, i, y);
      g_assert_cmpstr (x->str, ==, y->str);
      g_assert_cmpint (DP_TOKEN_KIND (a->vocab->keys[i]), ==, DP_TOKEN_KIND (b->vocab->keys[i]));
    }
}

static void
test_text_golden (void)
{
  g_autofree char *dir = dp_test_tmpdir ();
  g_autoptr (DpEmbedding) e = sample_embedding ();
  g_autofree char *path = write_embedding ("w2v_text", e, dir, "e.txt", FALSE);
  g_autofree char *text = dp_test_read_file (path, NULL);
  g_assert_cmpstr (text, ==,
                   "4 3\n"
                   "10.0.0.1 0.5 -1 0.25\n"
                   "src_ipaddr12 0.333333343 -2.49999999e-07 123456.789\n"
                   "23/tcp 1e-30 -0 3\n"
                   "telnet 0.100000001 0.200000003 0.300000012\n");
  dp_test_rmtree (dir);
}

static void
test_round_trip (void)
{
  g_autofree char *dir = dp_test_tmpdir ();
  g_autoptr (DpEmbedding) e = sample_embedding ();
  const struct { const char *plugin; const char *name; gboolean gzip; } cases[] = {
    { "w2v_text", "e.txt", FALSE }, { "w2v_binary", "e.bin", FALSE },
    { "w2v_text", "e.txt.gz", TRUE }, { "w2v_binary", "e.bin.gz", TRUE },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = write_embedding (cases[i].plugin, e, dir, cases[i].name, cases[i].gzip);
      g_autoptr (DpEmbedding) back = read_embedding (path, NULL, NULL);
      assert_same_tokens (e, back);
      if (strcmp (cases[i].plugin, "w2v_binary") == 0)
        g_assert_cmpmem (e->vectors, 12 * 4, back->vectors, 12 * 4);
      else
        for (guint k = 0; k < 12; k++)
          g_assert_cmpfloat_with_epsilon (e->vectors[k], back->vectors[k],
                                          1e-6 * MAX (1.0, fabs (e->vectors[k])));
      /* forcing the right format gives the same; the pseudonym is an address again */
      g_autoptr (DpEmbedding) forced = read_embedding (path, strcmp (cases[i].plugin, "w2v_text") == 0
                                                       ? "format: text" : "format: binary", NULL);
      assert_same_tokens (e, forced);
      g_assert_cmpint (DP_TOKEN_KIND (forced->vocab->keys[1]), ==, DP_TOK_IP);
    }
  dp_test_rmtree (dir);
}

/* gensim 4 writes binary records without the trailing newline */
static void
test_binary_without_newlines (void)
{
  g_autofree char *dir = dp_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "g.bin", NULL);
  GByteArray *b = g_byte_array_new ();
  g_byte_array_append (b, (const guint8 *) "2 2\n", 4);
  const float v[4] = { 1.5f, -2.0f, 0.125f, 8.0f };
  g_byte_array_append (b, (const guint8 *) "a ", 2);
  g_byte_array_append (b, (const guint8 *) v, 8);
  g_byte_array_append (b, (const guint8 *) "b ", 2);
  g_byte_array_append (b, (const guint8 *) (v + 2), 8);
  g_assert_true (g_file_set_contents (path, (const char *) b->data, b->len, NULL));
  g_byte_array_unref (b);
  g_autoptr (DpEmbedding) e = read_embedding (path, NULL, NULL);
  g_assert_cmpuint (e->n, ==, 2);
  g_assert_cmpmem (e->vectors, 16, v, 16);
  dp_test_rmtree (dir);
}

static void
test_malformed_text (void)
{
  g_autofree char *dir = dp_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "bad.txt", NULL);
  g_assert_true (g_file_set_contents (path, "5 2\na 1 2\nb 1\nc 1 x\na 5 6\n\nd 3 4\n", -1, NULL));
  DpHarness *h = NULL;
  g_autoptr (DpEmbedding) e = read_embedding (path, NULL, &h);
  g_assert_cmpuint (e->n, ==, 2);
  g_assert_cmpfloat (e->vectors[2], ==, 3.0f);
  g_assert_cmpuint (dp_harness_counter (h, "bad-line"), ==, 1);
  g_assert_cmpuint (dp_harness_counter (h, "bad-value"), ==, 1);
  g_assert_cmpuint (dp_harness_counter (h, "duplicate-token"), ==, 1);
  g_assert_cmpuint (dp_harness_counter (h, "truncated"), ==, 1);   /* 5 announced, 2 read */
  dp_harness_free (h);
  GError *error = NULL;
  g_autofree char *yaml = g_strdup_printf ("path: %s\non_error: fail", path);
  g_autoptr (DpHarness) f = dp_harness_new ("w2v_file", yaml, &error);
  g_assert_no_error (error);
  g_assert_false (dp_harness_run (f, &error));
  g_assert_error (error, DP_DATA_ERROR, DP_DATA_ERROR_MALFORMED);
  g_assert_nonnull (strstr (error->message, "line 3"));
  g_clear_error (&error);
  dp_test_rmtree (dir);
}

/* NaN and infinities are bad input, counted and skipped, in text and
 * binary; decimal commas are text with a hint (issue #21 items 6, 7) */
static void
test_non_finite (void)
{
  g_autofree char *dir = dp_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "nan.txt", NULL);
  g_assert_true (g_file_set_contents (path, "4 2\na 1 2\nb nan 1\nc 1 inf\nd 1e39 2\n", -1, NULL));
  DpHarness *h = NULL;
  g_autoptr (DpEmbedding) e = read_embedding (path, NULL, &h);
  g_assert_cmpuint (e->n, ==, 1);
  g_assert_cmpuint (dp_harness_counter (h, "non-finite"), ==, 3);   /* 1e39 overflows a float */
  dp_harness_free (h);
  GError *error = NULL;
  g_autofree char *yaml = g_strdup_printf ("path: %s\non_error: fail", path);
  g_autoptr (DpHarness) f = dp_harness_new ("w2v_file", yaml, &error);
  g_assert_false (dp_harness_run (f, &error));
  g_assert_error (error, DP_DATA_ERROR, DP_DATA_ERROR_MALFORMED);
  g_assert_nonnull (strstr (error->message, "line 3: value 1 of 'b' is 'nan', not a finite float"));
  g_clear_error (&error);

  /* binary: a NaN in the second record */
  g_autoptr (DpEmbedding) s = sample_embedding ();
  s->vectors[s->dim + 1] = NAN;
  g_autofree char *bin = write_embedding ("w2v_binary", s, dir, "nan.bin", FALSE);
  DpHarness *hb = NULL;
  g_autoptr (DpEmbedding) back = read_embedding (bin, NULL, &hb);
  g_assert_cmpuint (back->n, ==, s->n - 1);
  g_assert_cmpuint (dp_harness_counter (hb, "non-finite"), ==, 1);
  dp_harness_free (hb);

  /* decimal commas: read as text, each line a bad value with the hint */
  g_autofree char *comma = g_build_filename (dir, "comma.txt", NULL);
  g_assert_true (g_file_set_contents (comma, "2 2\na 0,5 1,25\nb 0,1 0,2\n", -1, NULL));
  g_autofree char *cy = g_strdup_printf ("path: %s\non_error: fail", comma);
  g_autoptr (DpHarness) c = dp_harness_new ("w2v_file", cy, &error);
  g_assert_false (dp_harness_run (c, &error));
  g_assert_error (error, DP_DATA_ERROR, DP_DATA_ERROR_MALFORMED);
  g_assert_nonnull (strstr (error->message, "line 2: '0,5' is not a number (a decimal comma?"));
  g_clear_error (&error);
  dp_test_rmtree (dir);
}

static void
test_truncated_binary (void)
{
  g_autofree char *dir = dp_test_tmpdir ();
  g_autoptr (DpEmbedding) e = sample_embedding ();
  g_autofree char *path = write_embedding ("w2v_binary", e, dir, "e.bin", FALSE);
  gsize len;
  g_autofree char *data = dp_test_read_file (path, &len);
  /* cut inside the last record's floats */
  g_assert_true (g_file_set_contents (path, data, (gssize) len - 6, NULL));
  DpHarness *h = NULL;
  g_autoptr (DpEmbedding) back = read_embedding (path, NULL, &h);
  g_assert_cmpuint (back->n, ==, 3);
  g_assert_cmpuint (dp_harness_counter (h, "truncated"), >=, 1);
  dp_harness_free (h);
  GError *error = NULL;
  g_autofree char *yaml = g_strdup_printf ("path: %s\non_error: fail", path);
  g_autoptr (DpHarness) f = dp_harness_new ("w2v_file", yaml, &error);
  g_assert_false (dp_harness_run (f, &error));
  g_assert_error (error, DP_DATA_ERROR, DP_DATA_ERROR_MALFORMED);
  /* the last record starts after the header and three 3-float records */
  gsize offset = strlen ("4 3\n") + strlen ("10.0.0.1 ") + 13 + strlen ("src_ipaddr12 ") + 13
                 + strlen ("23/tcp ") + 13;
  g_autofree char *where = g_strdup_printf ("offset %" G_GSIZE_FORMAT ":", offset);
  g_assert_nonnull (strstr (error->message, where));
  g_clear_error (&error);
  dp_test_rmtree (dir);
}

static void
test_not_word2vec (void)
{
  g_autofree char *dir = dp_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "x.txt", NULL);
  const struct { const char *text, *why; } contents[] = {
    { "hello world\n", "expected a header line" }, { "", "expected a header line" },
    { "3\n", "expected a header line" }, { "2 0\n", "the header says 0 dimensions" },
    { "-1 -4\n", "the header's count -1 is negative" },
    { "2 2000000\n", "the header says 2000000 dimensions; at most 1000000" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (contents); i++)
    {
      g_assert_true (g_file_set_contents (path, contents[i].text, -1, NULL));
      GError *error = NULL;
      g_autofree char *yaml = g_strdup_printf ("path: %s", path);
      g_autoptr (DpHarness) h = dp_harness_new ("w2v_file", yaml, &error);
      g_assert_false (dp_harness_run (h, &error));
      g_assert_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT);
      if (strstr (error->message, contents[i].why) == NULL)
        g_error ("'%s': %s", contents[i].text, error->message);
      g_clear_error (&error);
    }
  /* an empty embedding is fine */
  g_assert_true (g_file_set_contents (path, "0 5\n", -1, NULL));
  g_autoptr (DpEmbedding) e = read_embedding (path, NULL, NULL);
  g_assert_cmpuint (e->n, ==, 0);
  g_assert_cmpuint (e->dim, ==, 5);
  dp_test_rmtree (dir);
}

static void
test_sink_options (void)
{
  const char *plugins[] = { "w2v_text", "w2v_binary" };
  for (guint i = 0; i < 2; i++)
    {
      dp_test_bad_option (plugins[i], NULL, DP_CONFIG_ERROR_REQUIRED);
      dp_test_bad_option (plugins[i], "path: x\ngzip: sometimes", DP_CONFIG_ERROR_TYPE);
      /* nothing arrives: nothing written, no error */
      GError *error = NULL;
      g_autoptr (DpHarness) ok = dp_harness_new (plugins[i], "path: never.txt", &error);
      g_assert_no_error (error);
      g_assert_true (dp_harness_finish (ok, &error));
      g_autofree char *p = g_build_filename (dp_harness_output_dir (ok), "never.txt", NULL);
      g_assert_false (g_file_test (p, G_FILE_TEST_EXISTS));
    }
  dp_test_bad_option ("w2v_file", "path: x\nformat: csv", DP_CONFIG_ERROR_CHOICE);
}

static DpEmbedding *
zscore (DpEmbedding *in, const char *options)
{
  GError *error = NULL;
  g_autoptr (DpHarness) h = dp_harness_new ("zscore", options, &error);
  g_assert_no_error (error);
  g_assert_true (dp_harness_push (h, 0, in, &error));
  g_assert_true (dp_harness_finish (h, &error));
  return dp_batch_ref (dp_harness_output (h, "embedding"));
}

/* Columns (1,3,5), (2,4,9), (7,7,7): numbers from numpy's mean and std (ddof 0). */
static void
test_zscore (void)
{
  g_autoptr (DpVocab) v = dp_vocab_new ();
  for (guint i = 0; i < 3; i++)
    dp_vocab_add (v, DP_TOKEN (DP_TOK_IP, i));
  g_autoptr (DpEmbedding) e = dp_embedding_new (v, 3, 3);
  const float m[9] = { 1, 2, 7, 3, 4, 7, 5, 9, 7 };
  memcpy (e->vectors, m, sizeof m);
  g_autoptr (DpEmbedding) z = zscore (e, NULL);
  const double want[9] = { -1.224744871, -1.019049331, 0,
                           0, -0.339683110, 0,
                           1.224744871, 1.358732441, 0 };
  for (guint k = 0; k < 9; k++)
    g_assert_cmpfloat_with_epsilon (z->vectors[k], want[k], 1e-6);
  g_assert_true (z->vocab == e->vocab);
  g_autoptr (DpEmbedding) centred = zscore (e, "with_std: false");
  g_assert_cmpfloat_with_epsilon (centred->vectors[1], -3.0, 1e-6);
  g_autoptr (DpEmbedding) scaled = zscore (e, "with_mean: false");
  g_assert_cmpfloat_with_epsilon (scaled->vectors[0], 1 / 1.632993162, 1e-6);
  dp_test_bad_option ("zscore", "with_mean: 3", DP_CONFIG_ERROR_TYPE);
  /* one NaN would turn every scaled vector into NaN: refused (issue #21 item 7) */
  g_autoptr (DpEmbedding) bad = dp_embedding_new (v, 3, 3);
  memcpy (bad->vectors, m, sizeof m);
  bad->vectors[4] = INFINITY;
  GError *error = NULL;
  g_autoptr (DpHarness) hz = dp_harness_new ("zscore", NULL, &error);
  g_assert_true (dp_harness_push (hz, 0, bad, &error));
  g_assert_false (dp_harness_finish (hz, &error));
  g_assert_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "vector 2 ("));
  g_assert_nonnull (strstr (error->message, "non-finite value in dimension 2"));
  g_clear_error (&error);
  g_autoptr (DpHarness) empty = dp_harness_new ("zscore", NULL, &error);
  g_assert_true (dp_harness_finish (empty, &error));
  g_assert_cmpuint (dp_harness_outputs (empty, 0)->len, ==, 0);
}

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

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/plugin/w2v_text/golden", test_text_golden);
  g_test_add_func ("/plugin/w2v_file/round-trip", test_round_trip);
  g_test_add_func ("/plugin/w2v_file/binary-without-newlines", test_binary_without_newlines);
  g_test_add_func ("/plugin/w2v_file/malformed-text", test_malformed_text);
  g_test_add_func ("/plugin/w2v_file/non-finite", test_non_finite);
  g_test_add_func ("/plugin/w2v_file/truncated-binary", test_truncated_binary);
  g_test_add_func ("/plugin/w2v_file/not-word2vec", test_not_word2vec);
  g_test_add_func ("/plugin/w2v_text/options", test_sink_options);
  g_test_add_func ("/plugin/zscore/exact", test_zscore);
  g_test_add_func ("/plugin/text_corpus/lines", test_text_corpus);
  return g_test_run ();
}
