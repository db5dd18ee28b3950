/* test-w2v.c — the w2v sink: the text format against golden text, the
 * binary format against bytes built here, round trips of both (plain and
 * gzip) through the w2v_file source, the "count dim" header, options, and
 * what happens with no embedding, an empty one or two of them. */
#include "config.h"

#include <math.h>
#include <string.h>
#include "dp-test.h"

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

static const char golden_text[] =
  "4 3\n"
  "10.0.0.1 0.5 -1 0.25\n"
  "src_ipaddr12 0.333333343 -2.49999999e-07 123456.789\n"
  "23/tcp 1e-30 -0 3\n"
  "telnet 0.100000001 0.200000003 0.300000012\n";

static void
test_text_golden (void)
{
  g_autofree char *dir = dp_test_tmpdir ();
  g_autoptr (DpEmbedding) e = dp_test_w2v_sample ();
  g_autofree char *path = dp_test_w2v_write (e, dir, "e.txt", "text", FALSE);
  g_autofree char *text = dp_test_read_file (path, NULL);
  g_assert_cmpstr (text, ==, golden_text);
  dp_test_rmtree (dir);
}

/* No format option: text. */
static void
test_default_text (void)
{
  g_autoptr (DpEmbedding) e = dp_test_w2v_sample ();
  g_autoptr (DpHarness) h = dp_test_run ("w2v", "path: d.txt", e, NULL);
  g_autofree char *text = dp_test_read_output (h, "d.txt");
  g_assert_cmpstr (text, ==, golden_text);
  g_assert_cmpuint (dp_harness_counter (h, "vectors"), ==, 4);
}

/* The binary layout, byte by byte: the header line, then per vector the
 * token, a space, dim little-endian float32 and a newline. */
static void
test_binary_golden (void)
{
  const float v[4] = { 1.0f, -2.0f, 0.5f, 0.0f };
  const guint32 ips[2] = { DP_TEST_IP (192, 0, 2, 7), DP_TEST_IP (10, 1, 2, 3) };
  g_autoptr (DpEmbedding) e = dp_test_embedding (2, 2, ips, v);
  g_autoptr (DpHarness) h = dp_test_run ("w2v", "path: e.bin\nformat: binary", e, NULL);
  g_autofree char *path = dp_test_output_path (h, "e.bin");
  gsize len = 0;
  g_autofree char *got = dp_test_read_file (path, &len);
  /* 1.0f = 0x3f800000, -2.0f = 0xc0000000, 0.5f = 0x3f000000, 0.0f = 0 */
  static const guint8 want[] = {
    '2', ' ', '2', '\n',
    '1', '9', '2', '.', '0', '.', '2', '.', '7', ' ',
    0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0, '\n',
    '1', '0', '.', '1', '.', '2', '.', '3', ' ',
    0x00, 0x00, 0x00, 0x3f, 0x00, 0x00, 0x00, 0x00, '\n',
  };
  g_assert_cmpmem (got, len, want, sizeof want);
}

static void
test_round_trip (void)
{
  g_autofree char *dir = dp_test_tmpdir ();
  g_autoptr (DpEmbedding) e = dp_test_w2v_sample ();
  const struct { const char *format; const char *name; gboolean gzip; } cases[] = {
    { "text", "e.txt", FALSE }, { "binary", "e.bin", FALSE },
    { "text", "e.txt.gz", TRUE }, { "binary", "e.bin.gz", TRUE },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gboolean binary = strcmp (cases[i].format, "binary") == 0;
      g_autofree char *path = dp_test_w2v_write (e, dir, cases[i].name, cases[i].format, cases[i].gzip);
      gsize len = 0;
      g_autofree char *raw = dp_test_read_file (path, &len);
      g_assert_cmpuint (len, >=, 2);
      /* gzip only when asked for */
      g_assert_cmpint ((guchar) raw[0] == 0x1f && (guchar) raw[1] == 0x8b, ==, cases[i].gzip);
      DpHarness *rh = NULL;
      g_autoptr (DpEmbedding) back = dp_test_w2v_read (path, NULL, &rh);
      assert_same_tokens (e, back);
      if (binary)
        g_assert_cmpmem (e->vectors, 12 * 4, back->vectors, 12 * 4);
      else
        for (guint k = 0; k < 12; k++)
          g_assert_cmpfloat_with_epsilon (e->vectors[k], back->vectors[k],
                                          1e-6 * MAX (1.0, fabs (e->vectors[k])));
      dp_harness_free (rh);
      /* forcing the right format gives the same; the pseudonym is an address again */
      g_autoptr (DpEmbedding) forced = dp_test_w2v_read (path, binary ? "format: binary" : "format: text", NULL);
      assert_same_tokens (e, forced);
      g_assert_cmpint (DP_TOKEN_KIND (forced->vocab->keys[1]), ==, DP_TOK_IP);
    }
  dp_test_rmtree (dir);
}

/* The first line holds the vector count and the dimension, in both formats. */
static void
test_header (void)
{
  g_autofree char *dir = dp_test_tmpdir ();
  const guint n = 7, dim = 5;
  g_autofree float *v = g_new0 (float, n * dim);
  for (guint i = 0; i < n * dim; i++)
    v[i] = (float) i / 4;
  g_autoptr (DpEmbedding) e = dp_test_embedding (n, dim, NULL, v);
  const char *formats[] = { "text", "binary" };
  for (guint f = 0; f < 2; f++)
    {
      g_autofree char *name = g_strdup_printf ("h.%s", formats[f]);
      g_autofree char *path = dp_test_w2v_write (e, dir, name, formats[f], FALSE);
      gsize len = 0;
      g_autofree char *raw = dp_test_read_file (path, &len);
      g_assert_true (g_str_has_prefix (raw, "7 5\n"));
      /* text: one line per vector after the header; binary: fixed records */
      if (f == 0)
        {
          guint lines = 0;
          for (gsize k = 0; k < len; k++)
            lines += raw[k] == '\n';
          g_assert_cmpuint (lines, ==, 1 + n);
        }
      else
        g_assert_cmpuint (len, ==, strlen ("7 5\n") + n * (strlen ("10.0.0.1 ") + 4 * dim + 1));
    }
  dp_test_rmtree (dir);
}

/* An embedding without vectors is a header alone, and reads back empty. */
static void
test_empty_embedding (void)
{
  g_autoptr (DpVocab) voc = dp_vocab_new ();
  g_autoptr (DpEmbedding) e = dp_embedding_new (voc, 0, 4);
  const char *formats[] = { "text", "binary" };
  for (guint f = 0; f < 2; f++)
    {
      g_autofree char *yaml = g_strdup_printf ("path: z.w2v\nformat: %s", formats[f]);
      g_autoptr (DpHarness) h = dp_test_run ("w2v", yaml, e, NULL);
      g_autofree char *text = dp_test_read_output (h, "z.w2v");
      g_assert_cmpstr (text, ==, "0 4\n");
      g_assert_cmpuint (dp_harness_counter (h, "vectors"), ==, 0);
      g_autofree char *path = dp_test_output_path (h, "z.w2v");
      g_autoptr (DpEmbedding) back = dp_test_w2v_read (path, NULL, NULL);
      g_assert_cmpuint (back->n, ==, 0);
      g_assert_cmpuint (back->dim, ==, 4);
    }
}

/* No embedding arrives: nothing is written, and that is no error. */
static void
test_no_embedding (void)
{
  const char *formats[] = { "text", "binary" };
  for (guint f = 0; f < 2; f++)
    {
      g_autofree char *yaml = g_strdup_printf ("path: never.txt\nformat: %s", formats[f]);
      g_autoptr (DpHarness) h = dp_test_run ("w2v", yaml, NULL, NULL);
      g_autofree char *p = dp_test_output_path (h, "never.txt");
      g_assert_false (g_file_test (p, G_FILE_TEST_EXISTS));
      g_assert_cmpuint (dp_test_count_files (dp_harness_output_dir (h)), ==, 0);
      g_assert_cmpuint (dp_harness_counter (h, "vectors"), ==, 0);
    }
}

/* An embedding is a whole value: of two, the later one is written. */
static void
test_latest_wins (void)
{
  const float a[2] = { 1, 2 }, b[4] = { 3, 4, 5, 6 };
  g_autoptr (DpEmbedding) first = dp_test_embedding (1, 2, NULL, a);
  g_autoptr (DpEmbedding) second = dp_test_embedding (2, 2, NULL, b);
  g_autoptr (DpHarness) h = dp_test_harness ("w2v", "path: l.txt");
  dp_test_push (h, 0, first);
  dp_test_push (h, 0, second);
  dp_test_finish (h);
  g_autofree char *text = dp_test_read_output (h, "l.txt");
  g_assert_cmpstr (text, ==, "2 2\n10.0.0.1 3 4\n10.0.0.2 5 6\n");
}

static void
test_bad_options (void)
{
  static const struct { const char *yaml; gint code; } cases[] = {
    { NULL, DP_CONFIG_ERROR_REQUIRED },
    { "format: binary", DP_CONFIG_ERROR_REQUIRED },
    { "path: x\ngzip: sometimes", DP_CONFIG_ERROR_TYPE },
    { "path: x\nformat: csv", DP_CONFIG_ERROR_CHOICE },
    { "path: x\nformat: auto", DP_CONFIG_ERROR_CHOICE },   /* auto is for reading */
    { "path: x\nbinary: true", DP_CONFIG_ERROR_UNKNOWN_KEY },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    dp_test_bad_option ("w2v", cases[i].yaml, cases[i].code);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/plugin/w2v/text-golden", test_text_golden);
  g_test_add_func ("/plugin/w2v/default-text", test_default_text);
  g_test_add_func ("/plugin/w2v/binary-golden", test_binary_golden);
  g_test_add_func ("/plugin/w2v/round-trip", test_round_trip);
  g_test_add_func ("/plugin/w2v/header", test_header);
  g_test_add_func ("/plugin/w2v/empty-embedding", test_empty_embedding);
  g_test_add_func ("/plugin/w2v/no-embedding", test_no_embedding);
  g_test_add_func ("/plugin/w2v/latest-wins", test_latest_wins);
  g_test_add_func ("/plugin/w2v/bad-options", test_bad_options);
  return g_test_run ();
}
