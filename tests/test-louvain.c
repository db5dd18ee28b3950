/* test-louvain.c — louvain: hand-computed graphs and modularities,
 * planted communities (also through knn_graph), weights, options. */
#include "config.h"

#include <math.h>
#include <string.h>
#include "dp-test.h"

#define IP(i) DP_TEST_IP (10, 0, 0, (i))

/* ------------------------------------------------------------------ */
/* builders */

/* Undirected graph over 10.0.0.1.. from (u, v, w) triples; u == v is a
 * self entry stored once. */
static DpGraph *
make_graph (guint n, const guint *u, const guint *v, const float *w, guint m)
{
  g_autoptr (DpVocab) vocab = dp_vocab_new ();
  for (guint i = 0; i < n; i++)
    dp_vocab_add (vocab, DP_TOKEN (DP_TOK_IP, IP (i + 1)));
  guint64 entries = 0;
  for (guint e = 0; e < m; e++)
    entries += u[e] == v[e] ? 1 : 2;
  DpGraph *g = dp_graph_new (vocab, n, entries);
  g_autofree guint64 *fill = g_new0 (guint64, n + 1);
  for (guint e = 0; e < m; e++)
    {
      g->rowptr[u[e] + 1]++;
      if (u[e] != v[e])
        g->rowptr[v[e] + 1]++;
    }
  for (guint i = 0; i < n; i++)
    g->rowptr[i + 1] += g->rowptr[i];
  memcpy (fill, g->rowptr, n * sizeof (guint64));
  for (guint e = 0; e < m; e++)
    {
      g->col[fill[u[e]]] = v[e];
      g->weight[fill[u[e]]++] = w ? w[e] : 1;
      if (u[e] != v[e])
        {
          g->col[fill[v[e]]] = u[e];
          g->weight[fill[v[e]]++] = w ? w[e] : 1;
        }
    }
  return g;
}

static DpHarness *
run_louvain (const char *yaml, DpGraph *g)
{
  return dp_test_run ("louvain", yaml, g, NULL);
}

static double
summary_f64 (DpHarness *h, const char *col)
{
  DpTable *t = dp_harness_output (h, "summary");
  g_assert_nonnull (t);
  g_assert_cmpuint (t->n_rows, ==, 1);
  gint c = dp_table_find_column (t, col);
  g_assert_cmpint (c, >=, 0);
  return t->cols[c].type == DP_COL_DOUBLE ? t->cols[c].f64[0] : (double) t->cols[c].i64[0];
}

static const gint64 *
clusters_of (DpHarness *h, guint n)
{
  DpTable *t = dp_harness_output (h, "clusters");
  g_assert_nonnull (t);
  g_assert_cmpuint (t->n_rows, ==, n);
  g_assert_cmpint (dp_table_find_column (t, "cluster"), ==, 1);
  return t->cols[1].i64;
}

/* ------------------------------------------------------------------ */
/* louvain */

/* Two triangles joined by one edge: m = 7, each triangle has 3 inner edges
 * and degree sum 7, so Q = 2 (3/7 - (7/14)^2) = 5/14. */
static const guint tri_u[] = { 0, 1, 0, 3, 4, 3, 2 };
static const guint tri_v[] = { 1, 2, 2, 4, 5, 5, 3 };

static void
test_two_triangles (void)
{
  g_autoptr (DpGraph) g = make_graph (6, tri_u, tri_v, NULL, 7);
  g_autoptr (DpHarness) h = run_louvain (NULL, g);
  g_assert_cmpfloat_with_epsilon (summary_f64 (h, "modularity"), 5.0 / 14.0, 1e-12);
  g_assert_cmpfloat (summary_f64 (h, "n_clusters"), ==, 2);
  g_assert_cmpfloat (summary_f64 (h, "edges"), ==, 7);
  g_assert_cmpfloat (summary_f64 (h, "nodes"), ==, 6);
  const gint64 *c = clusters_of (h, 6);
  g_assert_cmpint (c[0], ==, c[1]);
  g_assert_cmpint (c[1], ==, c[2]);
  g_assert_cmpint (c[3], ==, c[4]);
  g_assert_cmpint (c[4], ==, c[5]);
  g_assert_cmpint (c[0], !=, c[3]);
  /* equal sizes: cluster 0 holds the lower node */
  g_assert_cmpint (c[0], ==, 0);
  DpTable *t = dp_harness_output (h, "clusters");
  GString *s = g_string_new (NULL);
  dp_table_format_cell (t, 0, 5, s);
  g_assert_cmpstr (s->str, ==, "10.0.0.6");
  g_string_free (s, TRUE);
}

static void
test_resolution (void)
{
  g_autoptr (DpGraph) g = make_graph (6, tri_u, tri_v, NULL, 7);
  /* resolution 0: the connected component is one cluster, Q = 1 */
  g_autoptr (DpHarness) h0 = run_louvain ("resolution: 0", g);
  g_assert_cmpfloat (summary_f64 (h0, "n_clusters"), ==, 1);
  g_assert_cmpfloat_with_epsilon (summary_f64 (h0, "modularity"), 1.0, 1e-12);
  /* resolution 10: every merge loses, singletons;
   * Q = -10 (4 * 2^2 + 2 * 3^2) / 14^2 */
  g_autoptr (DpHarness) h10 = run_louvain ("resolution: 10", g);
  g_assert_cmpfloat (summary_f64 (h10, "n_clusters"), ==, 6);
  g_assert_cmpfloat_with_epsilon (summary_f64 (h10, "modularity"), -340.0 / 196.0, 1e-12);
  g_assert_cmpfloat (summary_f64 (h10, "levels"), ==, 0);
}

/* A self entry adds its weight to A_ii: A = [[2, 1], [1, 0]], 2m = 4.
 * Together: Q = 4/4 - (4/4)^2 = 0; apart: 2/4 - (3/4)^2 - (1/4)^2 = -1/8. */
static void
test_self_loop (void)
{
  const guint u[] = { 0, 0 }, v[] = { 0, 1 };
  const float w[] = { 2, 1 };
  g_autoptr (DpGraph) g = make_graph (2, u, v, w, 2);
  g_autoptr (DpHarness) h = run_louvain (NULL, g);
  g_assert_cmpfloat (summary_f64 (h, "n_clusters"), ==, 1);
  g_assert_cmpfloat_with_epsilon (summary_f64 (h, "modularity"), 0.0, 1e-12);
  g_autoptr (DpHarness) h2 = run_louvain ("resolution: 100", g);
  g_assert_cmpfloat (summary_f64 (h2, "n_clusters"), ==, 2);
  g_assert_cmpfloat_with_epsilon (summary_f64 (h2, "modularity"), 2.0 / 4 - 100 * (9.0 / 16 + 1.0 / 16), 1e-9);
}

/* Planted partition: 12 groups of 40, p_in 0.3, p_out 0.003. */
static DpGraph *
make_planted (guint groups, guint size, double p_in, double p_out, guint32 seed)
{
  guint n = groups * size;
  g_autoptr (GArray) us = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr (GArray) vs = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr (GRand) r = g_rand_new_with_seed (seed);
  for (guint i = 0; i < n; i++)
    for (guint j = i + 1; j < n; j++)
      if (g_rand_double (r) < (i / size == j / size ? p_in : p_out))
        {
          g_array_append_val (us, i);
          g_array_append_val (vs, j);
        }
  return make_graph (n, (guint *) us->data, (guint *) vs->data, NULL, us->len);
}

static void
assert_planted (const gint64 *c, guint groups, guint size)
{
  /* every group is exactly one cluster, and different groups differ */
  for (guint g = 0; g < groups; g++)
    for (guint i = 0; i < size; i++)
      g_assert_cmpint (c[g * size + i], ==, c[g * size]);
  for (guint g = 1; g < groups; g++)
    for (guint h = 0; h < g; h++)
      g_assert_cmpint (c[g * size], !=, c[h * size]);
}

static void
test_planted (void)
{
  g_autoptr (DpGraph) g = make_planted (12, 40, 0.3, 0.003, 5);
  for (guint seed = 1; seed <= 3; seed++)
    {
      g_autofree char *yaml = g_strdup_printf ("seed: %u", seed);
      g_autoptr (DpHarness) h = run_louvain (yaml, g);
      g_assert_cmpfloat (summary_f64 (h, "n_clusters"), ==, 12);
      assert_planted (clusters_of (h, 480), 12, 40);
      g_assert_cmpfloat (summary_f64 (h, "levels"), >=, 1);
    }
}

static void
test_deterministic (void)
{
  g_autoptr (DpGraph) g = make_planted (8, 30, 0.2, 0.02, 9);
  g_autoptr (DpHarness) a = run_louvain ("seed: 4", g);
  g_autoptr (DpHarness) b = run_louvain ("seed: 4", g);
  const gint64 *ca = clusters_of (a, 240), *cb = clusters_of (b, 240);
  for (guint i = 0; i < 240; i++)
    g_assert_cmpint (ca[i], ==, cb[i]);
  g_assert_cmpfloat (summary_f64 (a, "modularity"), ==, summary_f64 (b, "modularity"));
}

static void
test_isolated_and_bad_edges (void)
{
  /* node 4 and 5 isolated; a negative and an out-of-range entry skipped */
  const guint u[] = { 0, 1, 2, 3 }, v[] = { 1, 2, 0, 4 };
  const float w[] = { 1, 1, 1, -2 };
  g_autoptr (DpGraph) g = make_graph (6, u, v, w, 4);
  g->col[g->rowptr[1]] = 99;  /* 1 -> 0 becomes 1 -> 99 */
  g_autoptr (DpHarness) h = run_louvain (NULL, g);
  g_assert_cmpuint (dp_harness_counter (h, "edges-skipped"), ==, 3);
  const gint64 *c = clusters_of (h, 6);
  g_assert_cmpint (c[0], ==, 0);
  g_assert_cmpint (c[1], ==, 0);
  g_assert_cmpint (c[2], ==, 0);
  /* singletons by node order */
  g_assert_cmpint (c[3], ==, 1);
  g_assert_cmpint (c[4], ==, 2);
  g_assert_cmpint (c[5], ==, 3);
}

static void
test_empty (void)
{
  g_autoptr (DpHarness) h = run_louvain (NULL, NULL);
  g_assert_cmpuint (((DpTable *) dp_harness_output (h, "clusters"))->n_rows, ==, 0);
  g_assert_cmpfloat (summary_f64 (h, "modularity"), ==, 0);
  g_assert_cmpfloat (summary_f64 (h, "n_clusters"), ==, 0);
}

static void
test_pseudonyms (void)
{
  g_autoptr (DpGraph) g = make_graph (6, tri_u, tri_v, NULL, 7);
  g_autoptr (DpNameMap) names = dp_name_map_new ();
  g_autoptr (DpVocab) v = dp_vocab_new ();
  dp_vocab_set_names (v, names);
  for (guint i = 0; i < 6; i++)
    {
      g_autofree char *tok = g_strdup_printf ("src_ipaddr%u", i);
      dp_vocab_add (v, DP_TOKEN (DP_TOK_IP, dp_name_map_intern (names, tok)));
    }
  dp_vocab_unref (g->vocab);
  g->vocab = dp_vocab_ref (v);
  g_autoptr (DpHarness) h = run_louvain (NULL, g);
  DpTable *t = dp_harness_output (h, "clusters");
  GString *s = g_string_new (NULL);
  dp_table_format_cell (t, 0, 4, s);
  g_assert_cmpstr (s->str, ==, "src_ipaddr4");
  g_string_free (s, TRUE);
}

static void
test_louvain_options (void)
{
  struct { const char *yaml; gint code; } cases[] = {
    { "resolution: -1", DP_CONFIG_ERROR_RANGE },
    { "resolution: high", DP_CONFIG_ERROR_TYPE },
    { "max_levels: 0", DP_CONFIG_ERROR_RANGE },
    { "seed: x", DP_CONFIG_ERROR_TYPE },
    { "gamma: 1", DP_CONFIG_ERROR_UNKNOWN_KEY },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    dp_test_bad_option ("louvain", cases[i].yaml, cases[i].code);
}

/* A sparse planted partition: @groups groups of @size nodes, node ids
 * shuffled (so a group is not a block of ids); each node draws @deg_in edges
 * to members of its group and @deg_out to any node (repeats become
 * parallel edges, whose weights add); weights uniform in [0.5, 1.5) when
 * @weighted, else 1.  *@group_of (n entries) gets each node's group. */
static DpGraph *
make_sparse_planted (guint groups, guint size, guint deg_in, guint deg_out, gboolean weighted, guint32 seed,
                     guint32 **group_of)
{
  guint n = groups * size;
  g_autoptr (GRand) r = g_rand_new_with_seed (seed);
  g_autofree guint32 *perm = g_new (guint32, n);
  for (guint i = 0; i < n; i++)
    perm[i] = i;
  for (guint i = n; i > 1; i--)
    {
      guint j = (guint) g_rand_int_range (r, 0, (gint32) i);
      guint32 t = perm[i - 1];
      perm[i - 1] = perm[j];
      perm[j] = t;
    }
  /* node perm[p] is in group p / size */
  guint32 *group = g_new (guint32, n);
  for (guint p = 0; p < n; p++)
    group[perm[p]] = p / size;
  g_autoptr (GArray) us = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr (GArray) vs = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr (GArray) ws = g_array_new (FALSE, FALSE, sizeof (float));
  for (guint p = 0; p < n; p++)
    for (guint d = 0; d < deg_in + deg_out; d++)
      {
        guint u = perm[p], v;
        do
          v = d < deg_in ? perm[(p / size) * size + (guint) g_rand_int_range (r, 0, (gint32) size)]
                         : (guint) g_rand_int_range (r, 0, (gint32) n);
        while (v == u);
        float w = weighted ? (float) g_rand_double_range (r, 0.5, 1.5) : 1.0f;
        g_array_append_val (us, u);
        g_array_append_val (vs, v);
        g_array_append_val (ws, w);
      }
  *group_of = group;
  return make_graph (n, (guint *) us->data, (guint *) vs->data, (float *) ws->data, us->len);
}

/* The summary and every node's cluster, modularity to the last bit. */
static char *
result_text (DpHarness *h, guint n)
{
  GString *s = g_string_new (NULL);
  g_string_append_printf (s, "levels %.0f\nn_clusters %.0f\nmodularity %a\n", summary_f64 (h, "levels"),
                          summary_f64 (h, "n_clusters"), summary_f64 (h, "modularity"));
  const gint64 *c = clusters_of (h, n);
  for (guint i = 0; i < n; i++)
    g_string_append_printf (s, "%" G_GINT64_FORMAT "%c", c[i], i % 25 == 24 || i + 1 == n ? '\n' : ' ');
  return g_string_free (s, FALSE);
}

/* The graph of the golden file: 30 groups of 100, 3 edges in and 2 out per
 * node, weighted: a partition that hangs on every choice of the moving. */
static char *
golden_run (void)
{
  g_autofree guint32 *group = NULL;
  g_autoptr (DpGraph) g = make_sparse_planted (30, 100, 3, 2, TRUE, 21, &group);
  g_autoptr (DpHarness) h = dp_test_harness ("louvain", "seed: 7");
  dp_harness_set_threads (h, 1);
  dp_test_push (h, 0, g);
  dp_test_finish (h);
  return result_text (h, 3000);
}

/* With one thread the result is the one of louvain 1.0 (before threads),
 * byte for byte: tests/data/louvain/threads1.txt was written by that
 * version (test-louvain --write-golden). */
static void
test_threads1_golden (void)
{
  g_autofree char *path = dp_test_data ("louvain/threads1.txt");
  g_autofree char *want = dp_test_read_file (path, NULL);
  g_autofree char *got = golden_run ();
  g_assert_cmpstr (got, ==, want);
}

/* louvain on the graph knn_graph builds from points drawn around 6 directions in 8-d. */
static void
test_graph_louvain_chain (void)
{
  const guint groups = 6, size = 30, dim = 8, n = groups * size;
  g_autoptr (GRand) r = g_rand_new_with_seed (17);
  g_autoptr (DpVocab) vocab = dp_vocab_new ();
  for (guint i = 0; i < n; i++)
    dp_vocab_add (vocab, DP_TOKEN (DP_TOK_IP, IP (1) + i));
  g_autoptr (DpEmbedding) e = dp_embedding_new (vocab, n, dim);
  for (guint i = 0; i < n; i++)
    for (guint d = 0; d < dim; d++)
      e->vectors[i * dim + d] = (float) ((d == i / size ? 3.0 : 0.0) + g_rand_double_range (r, -0.5, 0.5));
  g_autoptr (DpHarness) h = dp_test_run ("knn_graph", "k: 3", e, NULL);
  DpGraph *g = dp_harness_output (h, "graph");
  g_assert_nonnull (g);
  g_autoptr (DpHarness) lv = run_louvain (NULL, g);
  g_assert_cmpfloat (summary_f64 (lv, "n_clusters"), ==, groups);
  assert_planted (clusters_of (lv, n), groups, size);
}

int
main (int argc, char **argv)
{
  if (argc == 3 && strcmp (argv[1], "--write-golden") == 0)
    {
      g_autofree char *text = golden_run ();
      GError *error = NULL;
      if (!g_file_set_contents (argv[2], text, -1, &error))
        g_error ("%s", error->message);
      return 0;
    }
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/plugin/louvain/two-triangles", test_two_triangles);
  g_test_add_func ("/plugin/louvain/resolution", test_resolution);
  g_test_add_func ("/plugin/louvain/self-loop", test_self_loop);
  g_test_add_func ("/plugin/louvain/planted", test_planted);
  g_test_add_func ("/plugin/louvain/deterministic", test_deterministic);
  g_test_add_func ("/plugin/louvain/isolated-bad-edges", test_isolated_and_bad_edges);
  g_test_add_func ("/plugin/louvain/empty", test_empty);
  g_test_add_func ("/plugin/louvain/pseudonyms", test_pseudonyms);
  g_test_add_func ("/plugin/louvain/bad-options", test_louvain_options);
  g_test_add_func ("/plugin/louvain/knn-graph-chain", test_graph_louvain_chain);
  g_test_add_func ("/plugin/louvain/threads1-golden", test_threads1_golden);
  return g_test_run ();
}
