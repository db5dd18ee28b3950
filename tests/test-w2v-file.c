/* test-w2v-file.c — the w2v_file source: word2vec files from gensim 4,
 * malformed, non-finite and truncated input, files that are not word2vec.
 * (Round trips with the w2v sink are in test-w2v.c.) */
#include "config.h"

#include <math.h>
#include <string.h>
#include "dp-test.h"

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
  g_autoptr (DpEmbedding) e = dp_test_w2v_read (path, NULL, NULL);
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
  g_autoptr (DpEmbedding) e = dp_test_w2v_read (path, NULL, &h);
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
  g_autoptr (DpEmbedding) e = dp_test_w2v_read (path, NULL, &h);
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
  g_autoptr (DpEmbedding) s = dp_test_w2v_sample ();
  s->vectors[s->dim + 1] = NAN;
  g_autofree char *bin = dp_test_w2v_write (s, dir, "nan.bin", "binary", FALSE);
  DpHarness *hb = NULL;
  g_autoptr (DpEmbedding) back = dp_test_w2v_read (bin, NULL, &hb);
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
  g_autoptr (DpEmbedding) e = dp_test_w2v_sample ();
  g_autofree char *path = dp_test_w2v_write (e, dir, "e.bin", "binary", FALSE);
  gsize len;
  g_autofree char *data = dp_test_read_file (path, &len);
  /* cut inside the last record's floats */
  g_assert_true (g_file_set_contents (path, data, (gssize) len - 6, NULL));
  DpHarness *h = NULL;
  g_autoptr (DpEmbedding) back = dp_test_w2v_read (path, NULL, &h);
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
  g_autoptr (DpEmbedding) e = dp_test_w2v_read (path, NULL, NULL);
  g_assert_cmpuint (e->n, ==, 0);
  g_assert_cmpuint (e->dim, ==, 5);
  dp_test_rmtree (dir);
}

static void
test_bad_options (void)
{
  dp_test_bad_option ("w2v_file", NULL, DP_CONFIG_ERROR_REQUIRED);
  dp_test_bad_option ("w2v_file", "path: x\nformat: csv", DP_CONFIG_ERROR_CHOICE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/plugin/w2v_file/binary-without-newlines", test_binary_without_newlines);
  g_test_add_func ("/plugin/w2v_file/malformed-text", test_malformed_text);
  g_test_add_func ("/plugin/w2v_file/non-finite", test_non_finite);
  g_test_add_func ("/plugin/w2v_file/truncated-binary", test_truncated_binary);
  g_test_add_func ("/plugin/w2v_file/not-word2vec", test_not_word2vec);
  g_test_add_func ("/plugin/w2v_file/bad-options", test_bad_options);
  return g_test_run ();
}
