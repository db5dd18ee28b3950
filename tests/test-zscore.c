/* test-zscore.c — the zscore plugin: a tiny matrix against numpy, each
 * option alone, a random matrix against mean and deviation computed here,
 * constant columns, one row, no rows, and non-finite input. */
#include "config.h"

#include <math.h>
#include <string.h>
#include "dp-test.h"

static DpEmbedding *
zscore (DpEmbedding *in, const char *options)
{
  return dp_test_run_output ("zscore", options, in, "embedding");
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

/* A random 50 x 4 matrix with large offsets: every output column has mean
 * 0 and population deviation 1, and each value is (x - mean) / sd with the
 * statistics computed here in long double. */
static void
test_random (void)
{
  const guint n = 50, dim = 4;
  g_autoptr (GRand) r = g_rand_new_with_seed (5);
  g_autofree float *v = g_new (float, n * dim);
  for (guint i = 0; i < n; i++)
    for (guint k = 0; k < dim; k++)
      v[i * dim + k] = (float) (1000.0 * k + g_rand_double_range (r, -3, 3) * (k + 1));
  g_autoptr (DpEmbedding) e = dp_test_embedding (n, dim, NULL, v);
  g_autoptr (DpEmbedding) z = zscore (e, NULL);
  g_assert_cmpuint (z->n, ==, n);
  g_assert_cmpuint (z->dim, ==, dim);
  for (guint k = 0; k < dim; k++)
    {
      long double sum = 0, ss = 0, zsum = 0, zss = 0;
      for (guint i = 0; i < n; i++)
        sum += v[i * dim + k];
      long double mean = sum / n;
      for (guint i = 0; i < n; i++)
        ss += (v[i * dim + k] - mean) * (v[i * dim + k] - mean);
      long double sd = sqrtl (ss / n);
      for (guint i = 0; i < n; i++)
        {
          double want = (double) ((v[i * dim + k] - mean) / sd);
          g_assert_cmpfloat_with_epsilon (z->vectors[i * dim + k], want, 1e-5);
          zsum += z->vectors[i * dim + k];
          zss += (long double) z->vectors[i * dim + k] * z->vectors[i * dim + k];
        }
      g_assert_cmpfloat_with_epsilon ((double) (zsum / n), 0.0, 1e-5);
      g_assert_cmpfloat_with_epsilon ((double) (zss / n), 1.0, 1e-5);
    }
}

/* One row: every column is constant, so everything becomes 0 (a zero
 * scale counts as 1, as in scikit-learn); without the mean it is unchanged. */
static void
test_one_row (void)
{
  const float v[3] = { 4, -2, 0.5f };
  g_autoptr (DpEmbedding) e = dp_test_embedding (1, 3, NULL, v);
  g_autoptr (DpEmbedding) z = zscore (e, NULL);
  g_assert_cmpuint (z->n, ==, 1);
  for (guint k = 0; k < 3; k++)
    g_assert_cmpfloat (z->vectors[k], ==, 0.0f);
  g_autoptr (DpEmbedding) kept = zscore (e, "with_mean: false");
  g_assert_cmpmem (kept->vectors, sizeof v, v, sizeof v);
}

/* An embedding without rows gives one without rows, of the same dimension. */
static void
test_no_rows (void)
{
  g_autoptr (DpVocab) voc = dp_vocab_new ();
  g_autoptr (DpEmbedding) e = dp_embedding_new (voc, 0, 6);
  g_autoptr (DpEmbedding) z = zscore (e, NULL);
  g_assert_cmpuint (z->n, ==, 0);
  g_assert_cmpuint (z->dim, ==, 6);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/plugin/zscore/exact", test_zscore);
  g_test_add_func ("/plugin/zscore/random", test_random);
  g_test_add_func ("/plugin/zscore/one-row", test_one_row);
  g_test_add_func ("/plugin/zscore/no-rows", test_no_rows);
  return g_test_run ();
}
