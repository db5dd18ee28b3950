/* test-silhouette.c — the silhouette plugin: a hand-computed case, the
 * fixture against scikit-learn's silhouette_samples, token joins, errors. */
#include "config.h"

#include <math.h>
#include <string.h>
#include "dp-test.h"

#define IP(i) DP_TEST_IP (10, 0, 0, (i))

static void
test_silhouette_hand (void)
{
  /* A 0°, B 10° in cluster 7; C 90°, D 100° in cluster 3; E 200° alone */
  const double deg[] = { 0, 10, 90, 100, 200 };
  const guint32 ips[] = { IP (1), IP (2), IP (3), IP (4), IP (5) };
  const gint64 cl[] = { 7, 7, 3, 3, 9 };
  g_autoptr (DpEmbedding) e = dp_test_circle (5, deg);
  g_autoptr (DpTable) c = dp_test_clusters (5, ips, cl);
  g_autoptr (DpHarness) h = dp_test_run ("silhouette", NULL, e, c);
  DpTable *p = dp_harness_output (h, "silhouettes");
  g_assert_cmpuint (p->n_rows, ==, 5);
  g_assert_cmpint (p->cols[1].i64[0], ==, 7);
  /* A: a = d(A,B) = 1 - cos 10°; b = min(mean(d(A,C), d(A,D)), d(A,E)) */
  double dist[] = { 0, 1 - cos (10 * G_PI / 180), 1 - cos (90 * G_PI / 180),
                    1 - cos (100 * G_PI / 180), 1 - cos (200 * G_PI / 180) };
  double a = dist[1], b = MIN ((dist[2] + dist[3]) / 2, dist[4]);
  g_assert_cmpfloat_with_epsilon (p->cols[2].f64[0], (b - a) / MAX (a, b), 1e-6);
  /* E alone: 0 */
  g_assert_cmpfloat (p->cols[2].f64[4], ==, 0);
  DpTable *m = dp_harness_output (h, "clusters");
  g_assert_cmpuint (m->n_rows, ==, 3);
  /* best first: the two tight pairs, then the singleton */
  g_assert_cmpint (m->cols[0].i64[2], ==, 9);
  g_assert_cmpint (m->cols[1].i64[2], ==, 1);
  for (guint r = 0; r < 2; r++)
    {
      guint first = m->cols[0].i64[r] == 7 ? 0 : 2;
      g_assert_cmpint (m->cols[1].i64[r], ==, 2);
      g_assert_cmpfloat_with_epsilon (m->cols[2].f64[r], (p->cols[2].f64[first] + p->cols[2].f64[first + 1]) / 2, 1e-12);
    }
}

/* silhouette_samples(X, cluster, metric='cosine') of the fixture
 * (see tests/data/eval/make-knn-fixture.py; cluster = sorted label index). */
static const double sk_sil_points[] = { 0.17894288897514343, 0.9232257604598999, 0.41730815172195435, -0.23257610201835632, 0.38466474413871765, -0.22476617991924286, 0.930205225944519, 0.9007815718650818 };
static const double sk_sil_means[] = { -0.24887022376060486, 0.25494474172592163, 0.8770915865898132, 0.274830162525177, -0.2979479432106018 };

static void
test_silhouette_sklearn (void)
{
  DpTestKnnFixture fx;
  dp_test_knn_fixture (&fx);
  const char *names[] = { "binaryedge", "censys", "mirai", "shodan", "unknown" };
  const guint n = DP_TEST_KNN_N;
  gint64 cl[DP_TEST_KNN_N];
  for (guint i = 0; i < n; i++)
    {
      cl[i] = -1;
      for (guint c = 0; c < 5; c++)
        if (strcmp (fx.label[i], names[c]) == 0)
          cl[i] = c;
    }
  g_autoptr (DpEmbedding) e = dp_test_embedding (n, DP_TEST_KNN_DIM, fx.ip, fx.v);
  g_autoptr (DpTable) c = dp_test_clusters (n, fx.ip, cl);
  g_autoptr (DpHarness) h = dp_test_run ("silhouette", NULL, e, c);
  DpTable *p = dp_harness_output (h, "silhouettes");
  for (guint i = 0; i < G_N_ELEMENTS (sk_sil_points); i++)
    g_assert_cmpfloat_with_epsilon (p->cols[2].f64[i], sk_sil_points[i], 2e-6);
  DpTable *m = dp_harness_output (h, "clusters");
  g_assert_cmpuint (m->n_rows, ==, 5);
  for (guint r = 0; r < 5; r++)
    {
      g_assert_cmpfloat_with_epsilon (m->cols[2].f64[r], sk_sil_means[m->cols[0].i64[r]], 2e-6);
      if (r)
        g_assert_cmpfloat (m->cols[2].f64[r - 1], >=, m->cols[2].f64[r]);
    }
}

static void
test_silhouette_join (void)
{
  /* a token column; one clustered token has no vector, one vector no cluster */
  const double deg[] = { 0, 10, 90, 100 };
  g_autoptr (DpEmbedding) e = dp_test_circle (4, deg);
  g_autoptr (DpTable) t = dp_table_new ("clusters");
  dp_table_add_column (t, "token", DP_COL_STRING);
  dp_table_add_column (t, "cluster", DP_COL_INT64);
  const char *tok[] = { "10.0.0.1", "10.0.0.2", "10.0.0.3", "10.9.9.9" };
  for (guint i = 0; i < 4; i++)
    {
      guint r = dp_table_append_row (t);
      dp_table_set_str (t, 0, r, tok[i]);
      dp_table_set_i64 (t, 1, r, i < 2 ? 0 : 1);
    }
  g_autoptr (DpHarness) h = dp_test_run ("silhouette", NULL, e, t);
  DpTable *p = dp_harness_output (h, "silhouettes");
  g_assert_cmpuint (p->n_rows, ==, 3);
  g_assert_cmpuint (dp_harness_counter (h, "clustered-tokens-without-vector"), ==, 1);
  g_assert_cmpfloat (p->cols[2].f64[2], ==, 0);  /* 10.0.0.3 is alone */
}

static void
test_silhouette_errors (void)
{
  g_autoptr (DpHarness) h = dp_test_run ("silhouette", NULL, NULL, NULL);
  g_assert_cmpuint (((DpTable *) dp_harness_output (h, "silhouettes"))->n_rows, ==, 0);
  g_assert_cmpuint (((DpTable *) dp_harness_output (h, "clusters"))->n_rows, ==, 0);
  const double deg[] = { 0, 10 };
  g_autoptr (DpEmbedding) e = dp_test_circle (2, deg);
  dp_test_wrong_columns ("silhouette", 1, e, 0);
  const char *yaml[] = { "tokens: words", "metric: cosine" };
  const gint codes[] = { DP_CONFIG_ERROR_CHOICE, DP_CONFIG_ERROR_UNKNOWN_KEY };
  for (guint i = 0; i < G_N_ELEMENTS (yaml); i++)
    dp_test_bad_option ("silhouette", yaml[i], codes[i]);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/plugin/silhouette/hand", test_silhouette_hand);
  g_test_add_func ("/plugin/silhouette/sklearn", test_silhouette_sklearn);
  g_test_add_func ("/plugin/silhouette/join", test_silhouette_join);
  g_test_add_func ("/plugin/silhouette/errors", test_silhouette_errors);
  return g_test_run ();
}
