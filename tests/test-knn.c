/* test-knn.c — the exact kNN routine of plugins/clusterer/dp-knn.c against
 * brute force (built twice: with OpenBLAS when configured, and portable). */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "dp-test.h"
#include "knn.h"

static void
brute (const float *x, guint n, guint dim, guint q, guint k, guint32 *idx, float *sim)
{
  for (guint r = 0; r < k; r++)
    {
      idx[r] = KNN_NONE;
      sim[r] = -INFINITY;
    }
  for (guint j = 0; j < n; j++)
    {
      if (j == q)
        continue;
      float s = 0;
      for (guint d = 0; d < dim; d++)
        s += x[(gsize) q * dim + d] * x[(gsize) j * dim + d];
      guint p = k;
      while (p > 0 && (s > sim[p - 1] || (s == sim[p - 1] && j < idx[p - 1])))
        p--;
      if (p == k)
        continue;
      memmove (sim + p + 1, sim + p, (k - p - 1) * sizeof (float));
      memmove (idx + p + 1, idx + p, (k - p - 1) * sizeof (guint32));
      sim[p] = s;
      idx[p] = j;
    }
}

static void
test_routine (void)
{
  const guint n = 403, dim = 7, k = 6;
  g_autofree float *v = g_new (float, n * dim);
  GRand *r = g_rand_new_with_seed (11);
  for (guint i = 0; i < n * dim; i++)
    v[i] = (float) g_rand_double_range (r, -1, 1);
  /* exact duplicates of other rows, and a zero row */
  memcpy (v + 10 * dim, v + 300 * dim, dim * sizeof (float));
  memcpy (v + 11 * dim, v + 300 * dim, dim * sizeof (float));
  memset (v + 50 * dim, 0, dim * sizeof (float));
  g_rand_free (r);
  guint zero = 0;
  float *x = knn_prepare (v, dim, NULL, n, FALSE, &zero);
  g_assert_cmpuint (zero, ==, 1);
  g_autofree guint32 *self = g_new (guint32, n);
  for (guint i = 0; i < n; i++)
    self[i] = i;
  float *copy = g_memdup2 (x, (gsize) n * dim * sizeof (float));
  g_autofree guint32 *idx = g_new (guint32, n * k);
  g_autofree float *sim = g_new (float, n * k);
  guint32 bi[6];
  float bs[6];
  struct { guint block, threads; gboolean sym; } cfg[] = {
    { 16, 1, TRUE }, { 64, 3, TRUE }, { 1000, 2, TRUE }, { 16, 2, FALSE }, { 37, 1, FALSE } };
  for (guint c = 0; c < G_N_ELEMENTS (cfg); c++)
    {
      KnnParams p = { k, cfg[c].block, cfg[c].threads, NULL };
      g_assert_true (knn_search (x, n, cfg[c].sym ? x : copy, n, self, dim, &p, idx, sim));
      for (guint q = 0; q < n; q++)
        {
          brute (x, n, dim, q, k, bi, bs);
          for (guint j = 0; j < k; j++)
            {
              /* the float sums may differ in the last bit: compare values,
               * and indices where the values are not tied */
              g_assert_cmpfloat_with_epsilon (sim[q * k + j], bs[j], 1e-5);
              if (j + 1 < k && fabsf (bs[j] - bs[j + 1]) > 1e-5 && (j == 0 || fabsf (bs[j] - bs[j - 1]) > 1e-5))
                g_assert_cmpuint (idx[q * k + j], ==, bi[j]);
            }
        }
      /* the duplicates find each other at distance 0, never themselves */
      g_assert_cmpuint (idx[10 * k] + idx[10 * k + 1], ==, 11 + 300);
      g_assert_cmpuint (idx[11 * k] + idx[11 * k + 1], ==, 10 + 300);
      g_assert_cmpuint (idx[300 * k] + idx[300 * k + 1], ==, 10 + 11);
      g_assert_cmpfloat_with_epsilon (knn_distance (sim[10 * k]), 0.0, 1e-6);
    }
  free (x);
  g_free (copy);
}

static void
test_routine_small (void)
{
  /* fewer candidates than k: the rest is NONE */
  float v[] = { 1, 0, 0, 1, 1, 1 };
  float *x = knn_prepare (v, 2, NULL, 3, FALSE, NULL);
  guint32 self[] = { 0, 1, 2 }, idx[12];
  float sim[12];
  KnnParams p = { 4, 2, 1, NULL };
  g_assert_true (knn_search (x, 3, x, 3, self, 2, &p, idx, sim));
  g_assert_cmpuint (idx[0], ==, 2);   /* 45 degrees */
  g_assert_cmpuint (idx[1], ==, 1);   /* 90 degrees */
  g_assert_cmpuint (idx[2], ==, KNN_NONE);
  g_assert_true (isinf (sim[3]));
  g_assert_cmpfloat_with_epsilon (knn_distance (sim[0]), 1 - sqrt (0.5), 1e-6);
  free (x);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#ifdef KNN_PORTABLE
  /* the same routine tests on the kernel used without OpenBLAS */
  g_test_add_func ("/knn/portable/routine", test_routine);
  g_test_add_func ("/knn/portable/routine-small", test_routine_small);
#else
  g_test_add_func ("/knn/routine", test_routine);
  g_test_add_func ("/knn/routine-small", test_routine_small);
#endif
  return g_test_run ();
}
