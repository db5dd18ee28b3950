/* test-cluster.c — silhouette, kmeans, port_baseline and cluster_profile:
 * hand-computed cases and silhouettes against scikit-learn. */
#include "config.h"

#include <math.h>
#include <string.h>
#include "dp-test.h"

#define IP(i) DP_TEST_IP (10, 0, 0, (i))

/* ------------------------------------------------------------------ */
/* helpers */

static DpEmbedding *
make_embedding (guint n, guint dim, const float *v)
{
  g_autoptr (DpVocab) vocab = dp_vocab_new ();
  for (guint i = 0; i < n; i++)
    dp_vocab_add (vocab, DP_TOKEN (DP_TOK_IP, IP (i + 1)));
  DpEmbedding *e = dp_embedding_new (vocab, n, dim);
  memcpy (e->vectors, v, (gsize) n * dim * sizeof (float));
  return e;
}

static DpEmbedding *
make_circle (guint n, const double *deg)
{
  g_autofree float *v = g_new (float, 2 * n);
  for (guint i = 0; i < n; i++)
    {
      v[2 * i] = (float) cos (deg[i] * G_PI / 180);
      v[2 * i + 1] = (float) sin (deg[i] * G_PI / 180);
    }
  return make_embedding (n, 2, v);
}

static DpTable *
make_clusters (guint n, const guint32 *ips, const gint64 *cluster)
{
  DpTable *t = dp_table_new ("clusters");
  dp_table_add_column (t, "ip", DP_COL_IPV4);
  dp_table_add_column (t, "cluster", DP_COL_INT64);
  for (guint i = 0; i < n; i++)
    {
      guint r = dp_table_append_row (t);
      dp_table_set_ip (t, 0, r, ips[i]);
      dp_table_set_i64 (t, 1, r, cluster[i]);
    }
  return t;
}

static DpHarness *
run_plugin (const char *plugin, const char *yaml, gpointer in0, gpointer in1)
{
  GError *error = NULL;
  DpHarness *h = dp_harness_new (plugin, yaml, &error);
  g_assert_no_error (error);
  if (in0)
    g_assert_true (dp_harness_push (h, 0, in0, &error));
  if (in1)
    g_assert_true (dp_harness_push (h, 1, in1, &error));
  gboolean ok = dp_harness_finish (h, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  return h;
}

static void
assert_format_error (const char *plugin, guint port, gpointer good, guint good_port)
{
  g_autoptr (DpTable) t = dp_table_new ("x");
  dp_table_add_column (t, "ip", DP_COL_IPV4);
  dp_table_add_column (t, "cluster", DP_COL_STRING);
  dp_table_add_column (t, "label", DP_COL_INT64);
  GError *error = NULL;
  g_autoptr (DpHarness) h = dp_harness_new (plugin, NULL, &error);
  g_assert_no_error (error);
  if (good)
    g_assert_true (dp_harness_push (h, good_port, good, &error));
  g_assert_true (dp_harness_push (h, port, t, &error));
  g_assert_false (dp_harness_finish (h, &error));
  g_assert_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT);
  g_error_free (error);
}

/* ------------------------------------------------------------------ */
/* silhouette */

static void
test_silhouette_hand (void)
{
  /* A 0°, B 10° in cluster 7; C 90°, D 100° in cluster 3; E 200° alone */
  const double deg[] = { 0, 10, 90, 100, 200 };
  const guint32 ips[] = { IP (1), IP (2), IP (3), IP (4), IP (5) };
  const gint64 cl[] = { 7, 7, 3, 3, 9 };
  g_autoptr (DpEmbedding) e = make_circle (5, deg);
  g_autoptr (DpTable) c = make_clusters (5, ips, cl);
  g_autoptr (DpHarness) h = run_plugin ("silhouette", NULL, e, c);
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
  g_autoptr (DpVocab) vocab = dp_vocab_new ();
  for (guint i = 0; i < n; i++)
    dp_vocab_add (vocab, DP_TOKEN (DP_TOK_IP, fx.ip[i]));
  g_autoptr (DpEmbedding) e = dp_embedding_new (vocab, n, DP_TEST_KNN_DIM);
  memcpy (e->vectors, fx.v, sizeof fx.v);
  g_autoptr (DpTable) c = make_clusters (n, fx.ip, cl);
  g_autoptr (DpHarness) h = run_plugin ("silhouette", NULL, e, c);
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
  g_autoptr (DpEmbedding) e = make_circle (4, deg);
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
  g_autoptr (DpHarness) h = run_plugin ("silhouette", NULL, e, t);
  DpTable *p = dp_harness_output (h, "silhouettes");
  g_assert_cmpuint (p->n_rows, ==, 3);
  g_assert_cmpuint (dp_harness_counter (h, "clustered-tokens-without-vector"), ==, 1);
  g_assert_cmpfloat (p->cols[2].f64[2], ==, 0);  /* 10.0.0.3 is alone */
}

static void
test_silhouette_errors (void)
{
  g_autoptr (DpHarness) h = run_plugin ("silhouette", NULL, NULL, NULL);
  g_assert_cmpuint (((DpTable *) dp_harness_output (h, "silhouettes"))->n_rows, ==, 0);
  g_assert_cmpuint (((DpTable *) dp_harness_output (h, "clusters"))->n_rows, ==, 0);
  const double deg[] = { 0, 10 };
  g_autoptr (DpEmbedding) e = make_circle (2, deg);
  assert_format_error ("silhouette", 1, e, 0);
  const char *yaml[] = { "tokens: words", "metric: cosine" };
  const gint codes[] = { DP_CONFIG_ERROR_CHOICE, DP_CONFIG_ERROR_UNKNOWN_KEY };
  for (guint i = 0; i < G_N_ELEMENTS (yaml); i++)
    dp_test_bad_option ("silhouette", yaml[i], codes[i]);
}

/* ------------------------------------------------------------------ */
/* kmeans */

static void
test_kmeans_hand (void)
{
  /* (0,0) (0,2) (10,0) (10,2): centres (0,1) and (10,1), inertia 4 */
  const float v[] = { 0, 0, 10, 2, 0, 2, 10, 0 };
  g_autoptr (DpEmbedding) e = make_embedding (4, 2, v);
  for (guint seed = 1; seed <= 4; seed++)
    {
      g_autofree char *yaml = g_strdup_printf ("k: 2\nmetric: euclidean\nseed: %u", seed);
      g_autoptr (DpHarness) h = run_plugin ("kmeans", yaml, e, NULL);
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
  g_autoptr (DpEmbedding) e = make_embedding (30, 2, v);
  g_autoptr (DpHarness) h = run_plugin ("kmeans", "k: 3\nn_init: 3", e, NULL);
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
  g_autoptr (DpEmbedding) e = make_embedding (2, 2, v);
  g_autoptr (DpHarness) h = run_plugin ("kmeans", "k: 5", e, NULL);
  DpTable *s = dp_harness_output (h, "summary");
  g_assert_cmpint (s->cols[2].i64[0], ==, 2);
  g_assert_cmpfloat_with_epsilon (s->cols[0].f64[0], 0.0, 1e-12);
  g_autoptr (DpHarness) h2 = run_plugin ("kmeans", NULL, NULL, NULL);
  g_assert_cmpuint (((DpTable *) dp_harness_output (h2, "clusters"))->n_rows, ==, 0);
  const char *yaml[] = { "k: 0", "metric: manhattan", "tol: 2", "max_iter: 0", "n_init: -1" };
  const gint codes[] = { DP_CONFIG_ERROR_RANGE, DP_CONFIG_ERROR_CHOICE, DP_CONFIG_ERROR_RANGE,
                         DP_CONFIG_ERROR_RANGE, DP_CONFIG_ERROR_TYPE };
  for (guint i = 0; i < G_N_ELEMENTS (yaml); i++)
    dp_test_bad_option ("kmeans", yaml[i], codes[i]);
}

/* ------------------------------------------------------------------ */
/* port_baseline and cluster_profile share this traffic:
 *   10.0.0.1 mirai   23/tcp x6, 2323/tcp x2
 *   10.0.0.2 mirai   23/tcp x4
 *   10.0.0.3 censys  80/tcp x3, 443/tcp x2, 22/tcp x1
 *   10.0.0.4 —       445/tcp x5, icmp x1 */
static DpPackets *
make_traffic (void)
{
  DpPackets *p = dp_packets_new (64);
  struct { guint src; guint8 proto; guint16 port; guint n; } f[] = {
    { 1, 6, 23, 6 }, { 1, 6, 2323, 2 }, { 2, 6, 23, 4 }, { 3, 6, 80, 3 }, { 3, 6, 443, 2 },
    { 3, 6, 22, 1 }, { 4, 6, 445, 5 }, { 4, 1, 0, 1 } };
  guint t = 0;
  for (guint i = 0; i < G_N_ELEMENTS (f); i++)
    for (guint k = 0; k < f[i].n; k++)
      dp_test_add_packet (p, DP_TEST_SEC (t++), IP (f[i].src), DP_TEST_IP (192, 0, 2, 1), f[i].proto,
                          40000, f[i].port, 0x02);
  return p;
}

static DpTable *
make_traffic_labels (void)
{
  DpTable *t = dp_table_new ("labels");
  dp_table_add_column (t, "ip", DP_COL_IPV4);
  dp_table_add_column (t, "label", DP_COL_STRING);
  const char *lab[] = { "mirai", "mirai", "censys" };
  for (guint i = 0; i < 3; i++)
    {
      guint r = dp_table_append_row (t);
      dp_table_set_ip (t, 0, r, IP (i + 1));
      dp_table_set_str (t, 1, r, lab[i]);
    }
  return t;
}

static char *
cell (const DpTable *t, guint col, guint row)
{
  GString *s = g_string_new (NULL);
  dp_table_format_cell (t, col, row, s);
  return g_string_free (s, FALSE);
}

static void
test_port_baseline_hand (void)
{
  g_autoptr (DpPackets) p = make_traffic ();
  g_autoptr (DpTable) l = make_traffic_labels ();
  g_autoptr (DpHarness) h = run_plugin ("port_baseline", "top_ports: 2", p, l);
  DpTable *ports = dp_harness_output (h, "ports");
  g_assert_cmpuint (ports->n_rows, ==, 6);
  /* class order censys, mirai, unknown; each its two busiest ports */
  const char *want[][2] = { { "80/tcp", "censys" }, { "443/tcp", "censys" }, { "23/tcp", "mirai" },
                            { "2323/tcp", "mirai" }, { "445/tcp", "unknown" }, { "-/icmp", "unknown" } };
  for (guint r = 0; r < 6; r++)
    {
      g_autofree char *pp = cell (ports, 1, r), *cls = cell (ports, 2, r);
      g_assert_cmpstr (pp, ==, want[r][0]);
      g_assert_cmpstr (cls, ==, want[r][1]);
    }
  g_assert_cmpint (ports->cols[3].i64[2], ==, 10);
  DpEmbedding *e = dp_harness_output (h, "embedding");
  g_assert_cmpuint (e->n, ==, 4);
  g_assert_cmpuint (e->dim, ==, 6);
  const float want_v[4][6] = { { 0, 0, 0.75f, 0.25f, 0, 0 }, { 0, 0, 1, 0, 0, 0 },
                               { 0.5f, 1 / 3.0f, 0, 0, 0, 0 }, { 0, 0, 0, 0, 5 / 6.0f, 1 / 6.0f } };
  for (guint i = 0; i < 4; i++)
    {
      g_assert_cmpuint (e->vocab->keys[i], ==, DP_TOKEN (DP_TOK_IP, IP (i + 1)));
      for (guint d = 0; d < 6; d++)
        g_assert_cmpfloat_with_epsilon (e->vectors[i * 6 + d], want_v[i][d], 1e-6);
    }
}

static void
test_port_baseline_options (void)
{
  g_autoptr (DpPackets) p = make_traffic ();
  g_autoptr (DpTable) l = make_traffic_labels ();
  g_autoptr (DpHarness) h = run_plugin ("port_baseline", "top_ports: 2\ninclude_unknown: false\nmin_packets: 5", p, l);
  DpEmbedding *e = dp_harness_output (h, "embedding");
  g_assert_cmpuint (e->dim, ==, 4);
  g_assert_cmpuint (e->n, ==, 3);  /* 10.0.0.2 sent 4 packets */
  g_assert_cmpint (dp_vocab_lookup (e->vocab, DP_TOKEN (DP_TOK_IP, IP (2))), ==, -1);
  /* no labels: everything is unknown, whose top 4 ports are features */
  g_autoptr (DpHarness) h2 = run_plugin ("port_baseline", NULL, p, NULL);
  DpTable *ports = dp_harness_output (h2, "ports");
  g_assert_cmpuint (ports->n_rows, ==, 4);
  g_autofree char *first = cell (ports, 1, 0);
  g_assert_cmpstr (first, ==, "23/tcp");
  /* no packets: an empty embedding */
  g_autoptr (DpHarness) h3 = run_plugin ("port_baseline", NULL, NULL, l);
  g_assert_cmpuint (((DpEmbedding *) dp_harness_output (h3, "embedding"))->n, ==, 0);
  assert_format_error ("port_baseline", 1, p, 0);
  const char *yaml[] = { "top_ports: 0", "min_packets: 0", "include_unknown: 2" };
  const gint codes[] = { DP_CONFIG_ERROR_RANGE, DP_CONFIG_ERROR_RANGE, DP_CONFIG_ERROR_TYPE };
  for (guint i = 0; i < G_N_ELEMENTS (yaml); i++)
    dp_test_bad_option ("port_baseline", yaml[i], codes[i]);
}

/* Pseudonymised traffic joins pseudonymised labels by text. */
static void
test_port_baseline_pseudonyms (void)
{
  g_autoptr (DpNameMap) pn = dp_name_map_new ();
  g_autoptr (DpNameMap) ln = dp_name_map_new ();
  g_autoptr (DpPackets) p = dp_packets_new (8);
  dp_packets_set_names (p, pn);
  guint32 a = dp_name_map_intern (pn, "src_ipaddr1"), b = dp_name_map_intern (pn, "src_ipaddr2");
  dp_test_add_packet (p, 0, a, 1, 6, 1, 23, 2);
  dp_test_add_packet (p, 0, b, 1, 6, 1, 80, 2);
  DpTable *l = dp_table_new ("labels");
  dp_table_add_column (l, "ip", DP_COL_IPV4);
  dp_table_add_column (l, "label", DP_COL_STRING);
  dp_table_set_names (l, ln);
  guint r = dp_table_append_row (l);
  dp_table_set_ip (l, 0, r, dp_name_map_intern (ln, "src_ipaddr2"));
  dp_table_set_str (l, 1, r, "censys");
  g_autoptr (DpHarness) h = run_plugin ("port_baseline", "top_ports: 1", p, l);
  dp_batch_unref (l);
  DpTable *ports = dp_harness_output (h, "ports");
  g_autofree char *pp = cell (ports, 1, 0), *cls = cell (ports, 2, 0);
  g_assert_cmpstr (pp, ==, "80/tcp");
  g_assert_cmpstr (cls, ==, "censys");
  DpEmbedding *e = dp_harness_output (h, "embedding");
  GString *s = g_string_new (NULL);
  dp_vocab_format (e->vocab, 0, s);
  g_assert_cmpstr (s->str, ==, "src_ipaddr1");
  g_string_free (s, TRUE);
}

static void
test_cluster_profile_hand (void)
{
  g_autoptr (DpPackets) p = make_traffic ();
  const guint32 ips[] = { IP (1), IP (2), IP (3), IP (5) };
  const gint64 cl[] = { 4, 4, -1, -1 };
  g_autoptr (DpTable) c = make_clusters (4, ips, cl);
  g_autoptr (DpHarness) h = run_plugin ("cluster_profile", NULL, c, p);
  DpTable *t = dp_harness_output (h, "profile");
  g_assert_cmpuint (t->n_rows, ==, 2);
  /* cluster -1: 10.0.0.3 (and the silent 10.0.0.5) */
  const gint64 want[2][6] = { { -1, 2, 1, 6, 3, 1 }, { 4, 2, 2, 12, 2, 1 } };
  for (guint r = 0; r < 2; r++)
    for (guint k = 0; k < 6; k++)
      g_assert_cmpint (t->cols[k].i64[r], ==, want[r][k]);
  g_autofree char *top0 = cell (t, 6, 0), *top1 = cell (t, 6, 1);
  g_assert_cmpstr (top0, ==, "80/tcp:0.5;443/tcp:0.33;22/tcp:0.17");
  g_assert_cmpstr (top1, ==, "23/tcp:0.83;2323/tcp:0.17");
  g_autoptr (DpHarness) h2 = run_plugin ("cluster_profile", "top_ports: 1", c, p);
  g_autofree char *one = cell (dp_harness_output (h2, "profile"), 6, 1);
  g_assert_cmpstr (one, ==, "23/tcp:0.83");
}

static void
test_cluster_profile_edges (void)
{
  g_autoptr (DpHarness) h = run_plugin ("cluster_profile", NULL, NULL, NULL);
  g_assert_cmpuint (((DpTable *) dp_harness_output (h, "profile"))->n_rows, ==, 0);
  /* clusters without any traffic */
  const guint32 ips[] = { IP (7) };
  const gint64 cl[] = { 0 };
  g_autoptr (DpTable) c = make_clusters (1, ips, cl);
  g_autoptr (DpPackets) p = make_traffic ();
  g_autoptr (DpHarness) h2 = run_plugin ("cluster_profile", NULL, c, p);
  DpTable *t = dp_harness_output (h2, "profile");
  g_assert_cmpint (t->cols[2].i64[0], ==, 0);
  g_autofree char *top = cell (t, 6, 0);
  g_assert_cmpstr (top, ==, "");
  assert_format_error ("cluster_profile", 0, NULL, 0);
  const char *yaml[] = { "top_ports: -3", "top: 2" };
  const gint codes[] = { DP_CONFIG_ERROR_TYPE, DP_CONFIG_ERROR_UNKNOWN_KEY };
  for (guint i = 0; i < G_N_ELEMENTS (yaml); i++)
    dp_test_bad_option ("cluster_profile", yaml[i], codes[i]);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/plugin/silhouette/hand", test_silhouette_hand);
  g_test_add_func ("/plugin/silhouette/sklearn", test_silhouette_sklearn);
  g_test_add_func ("/plugin/silhouette/join", test_silhouette_join);
  g_test_add_func ("/plugin/silhouette/errors", test_silhouette_errors);
  g_test_add_func ("/plugin/kmeans/hand", test_kmeans_hand);
  g_test_add_func ("/plugin/kmeans/cosine", test_kmeans_cosine);
  g_test_add_func ("/plugin/kmeans/edges", test_kmeans_edges);
  g_test_add_func ("/plugin/port_baseline/hand", test_port_baseline_hand);
  g_test_add_func ("/plugin/port_baseline/options", test_port_baseline_options);
  g_test_add_func ("/plugin/port_baseline/pseudonyms", test_port_baseline_pseudonyms);
  g_test_add_func ("/plugin/cluster_profile/hand", test_cluster_profile_hand);
  g_test_add_func ("/plugin/cluster_profile/edges", test_cluster_profile_edges);
  return g_test_run ();
}
