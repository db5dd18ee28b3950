/* test-kmeans.c — the kmeans plugin: a hand-computed euclidean case for
 * several seeds, cosine grouping by angle, k above n, no input, options. */
#include "config.h"

#include <math.h>
#include <string.h>
#include "dp-test.h"

#define IP(i) DP_TEST_IP (10, 0, 0, (i))

static void
test_kmeans_hand (void)
{
  /* (0,0) (0,2) (10,0) (10,2): centres (0,1) and (10,1), inertia 4 */
  const float v[] = { 0, 0, 10, 2, 0, 2, 10, 0 };
  g_autoptr (DpEmbedding) e = dp_test_embedding (4, 2, NULL, v);
  for (guint seed = 1; seed <= 4; seed++)
    {
      g_autofree char *yaml = g_strdup_printf ("k: 2\nmetric: euclidean\nseed: %u", seed);
      g_autoptr (DpHarness) h = dp_test_run ("kmeans", yaml, e, NULL);
      DpTable *c = dp_harness_output (h, "clusters");
      g_assert_cmpuint (c->n_rows, ==, 4);
      /* equal sizes: cluster 0 holds the first point */
      const gint64 want[] = { 0, 1, 0, 1 };
      for (guint i = 0; i < 4; i++)
        g_assert_cmpint (c->cols[1].i64[i], ==, want[i]);
      DpTable *s = dp_harness_output (h, "summary");
      g_assert_cmpfloat_with_epsilon (s->cols[0].f64[0], 4.0, 1e-9);
      g_assert_cmpint (s->cols[2].i64[0], ==, 2);
    }
}

static void
test_kmeans_cosine (void)
{
  /* three directions, lengths that differ a lot: cosine groups by angle */
  double deg[30];
  g_autofree float *v = g_new (float, 60);
  for (guint i = 0; i < 30; i++)
    {
      deg[i] = (i % 3) * 120.0 + (double) (i % 5) - 2;
      double len = 1 + (i % 7) * 10;
      v[2 * i] = (float) (len * cos (deg[i] * G_PI / 180));
      v[2 * i + 1] = (float) (len * sin (deg[i] * G_PI / 180));
    }
  g_autoptr (DpEmbedding) e = dp_test_embedding (30, 2, NULL, v);
  g_autoptr (DpHarness) h = dp_test_run ("kmeans", "k: 3\nn_init: 3", e, NULL);
  DpTable *c = dp_harness_output (h, "clusters");
  for (guint i = 3; i < 30; i++)
    g_assert_cmpint (c->cols[1].i64[i], ==, c->cols[1].i64[i % 3]);
  g_assert_cmpint (c->cols[1].i64[0], ==, 0);
  g_assert_cmpint (c->cols[1].i64[1], ==, 1);
  g_assert_cmpint (c->cols[1].i64[2], ==, 2);
}

static void
test_kmeans_edges (void)
{
  const float v[] = { 1, 0, 0, 1 };
  g_autoptr (DpEmbedding) e = dp_test_embedding (2, 2, NULL, v);
  g_autoptr (DpHarness) h = dp_test_run ("kmeans", "k: 5", e, NULL);
  DpTable *s = dp_harness_output (h, "summary");
  g_assert_cmpint (s->cols[2].i64[0], ==, 2);
  g_assert_cmpfloat_with_epsilon (s->cols[0].f64[0], 0.0, 1e-12);
  g_autoptr (DpHarness) h2 = dp_test_run ("kmeans", NULL, NULL, NULL);
  g_assert_cmpuint (((DpTable *) dp_harness_output (h2, "clusters"))->n_rows, ==, 0);
  const char *yaml[] = { "k: 0", "metric: manhattan", "tol: 2", "max_iter: 0", "n_init: -1" };
  const gint codes[] = { DP_CONFIG_ERROR_RANGE, DP_CONFIG_ERROR_CHOICE, DP_CONFIG_ERROR_RANGE,
                         DP_CONFIG_ERROR_RANGE, DP_CONFIG_ERROR_TYPE };
  for (guint i = 0; i < G_N_ELEMENTS (yaml); i++)
    dp_test_bad_option ("kmeans", yaml[i], codes[i]);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/plugin/kmeans/hand", test_kmeans_hand);
  g_test_add_func ("/plugin/kmeans/cosine", test_kmeans_cosine);
  g_test_add_func ("/plugin/kmeans/edges", test_kmeans_edges);
  return g_test_run ();
}
