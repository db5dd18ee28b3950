/* test-knn-graph.c — knn_graph: hand-computed mutual-neighbour graphs and
 * weights, dropped edges, token columns, empty input and options. */
#include "config.h"

#include <math.h>
#include <string.h>
#include "dp-test.h"

#define IP(i) DP_TEST_IP (10, 0, 0, (i))

static DpGraph *
run_knn_graph (const char *yaml, DpEmbedding *e, DpHarness **hp)
{
  *hp = dp_test_run ("knn_graph", yaml, e, NULL);
  DpGraph *g = dp_harness_output (*hp, "graph");
  g_assert_nonnull (g);
  return g;
}

/* Weight of edge u-v in both directions (asserting they agree), or NAN. */
static double
edge_weight (const DpGraph *g, guint u, guint v)
{
  double w = NAN, back = NAN;
  for (guint64 e = g->rowptr[u]; e < g->rowptr[u + 1]; e++)
    if (g->col[e] == v)
      w = g->weight[e];
  for (guint64 e = g->rowptr[v]; e < g->rowptr[v + 1]; e++)
    if (g->col[e] == u)
      back = g->weight[e];
  g_assert_true (isnan (w) == isnan (back));
  if (!isnan (w))
    g_assert_cmpfloat (w, ==, back);
  return w;
}

static const double four_deg[] = { 0, 10, 30, 100 };

static void
test_graph_hand (void)
{
  /* k' = 1: 1->2 (10°), 2->1, 3->2 (20°), 4->3 (70°): the mutual pair is
   * one edge; weight 1 - (1 - cos θ) = cos θ */
  g_autoptr (DpEmbedding) e = dp_test_circle (4, four_deg);
  DpHarness *h;
  DpGraph *g = run_knn_graph ("k: 1", e, &h);
  g_assert_cmpuint (g->n_nodes, ==, 4);
  g_assert_cmpuint (g->n_edges, ==, 6);
  g_assert_cmpfloat_with_epsilon (edge_weight (g, 0, 1), cos (10 * G_PI / 180), 1e-6);
  g_assert_cmpfloat_with_epsilon (edge_weight (g, 1, 2), cos (20 * G_PI / 180), 1e-6);
  g_assert_cmpfloat_with_epsilon (edge_weight (g, 2, 3), cos (70 * G_PI / 180), 1e-6);
  g_assert_true (isnan (edge_weight (g, 0, 2)));
  /* rows sorted */
  for (guint i = 0; i < 4; i++)
    for (guint64 x = g->rowptr[i] + 1; x < g->rowptr[i + 1]; x++)
      g_assert_cmpuint (g->col[x - 1], <, g->col[x]);
  g_assert_true (g->vocab == e->vocab);
  g_assert_cmpuint (dp_harness_counter (h, "edges"), ==, 3);
  dp_harness_free (h);
}

static void
test_graph_weights (void)
{
  g_autoptr (DpEmbedding) e = dp_test_circle (4, four_deg);
  double d = 1 - cos (10 * G_PI / 180);
  struct { const char *yaml; double w; } cases[] = {
    { "k: 1\nweight: poly\nweight_degree: 3", pow (1 - d, 3) },
    { "k: 1\nweight: negexp\nweight_a: 2\nweight_b: 0.5", 2 * exp (-d / 0.5) },
    { "k: 1\nweight: gauss\nweight_a: 3\nweight_b: 0.1\nweight_c: 0.2", 3 * exp (-(d - 0.1) * (d - 0.1) / (2 * 0.04)) },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      DpHarness *h;
      DpGraph *g = run_knn_graph (cases[i].yaml, e, &h);
      g_assert_cmpfloat_with_epsilon (edge_weight (g, 0, 1), cases[i].w, 1e-5);
      dp_harness_free (h);
    }
}

static void
test_graph_dropped (void)
{
  /* opposite vectors: distance 2, linear weight -1: no edge */
  const double deg[] = { 0, 180 };
  g_autoptr (DpEmbedding) e = dp_test_circle (2, deg);
  DpHarness *h;
  DpGraph *g = run_knn_graph (NULL, e, &h);
  g_assert_cmpuint (g->n_nodes, ==, 2);
  g_assert_cmpuint (g->n_edges, ==, 0);
  g_assert_cmpuint (dp_harness_counter (h, "non-positive-weights-dropped"), ==, 2);
  dp_harness_free (h);
}

static void
test_graph_tokens (void)
{
  g_autoptr (DpVocab) vocab = dp_vocab_new ();
  dp_vocab_add (vocab, DP_TOKEN (DP_TOK_IP, IP (1)));
  dp_vocab_add (vocab, DP_TOKEN (DP_TOK_PORT, (6u << 16) | 23));
  dp_vocab_add (vocab, DP_TOKEN (DP_TOK_IP, IP (2)));
  g_autoptr (DpEmbedding) e = dp_embedding_new (vocab, 3, 2);
  const float v[] = { 1, 0, 1, 0.1f, 0.9f, 0.3f };
  memcpy (e->vectors, v, sizeof v);
  DpHarness *h;
  DpGraph *g = run_knn_graph ("k: 1", e, &h);
  g_assert_cmpuint (g->n_nodes, ==, 2);
  g_assert_cmpuint (g->vocab->n, ==, 2);
  g_assert_cmpuint (g->vocab->keys[1], ==, DP_TOKEN (DP_TOK_IP, IP (2)));
  g_assert_cmpuint (g->n_edges, ==, 2);
  dp_harness_free (h);
  g = run_knn_graph ("k: 1\ntokens: all", e, &h);
  g_assert_cmpuint (g->n_nodes, ==, 3);
  g_assert_true (g->vocab == vocab);
  g_assert_false (isnan (edge_weight (g, 0, 1)));
  dp_harness_free (h);
}

static void
test_graph_empty_and_options (void)
{
  DpHarness *h;
  DpGraph *g = run_knn_graph (NULL, NULL, &h);
  g_assert_cmpuint (g->n_nodes, ==, 0);
  dp_harness_free (h);
  struct { const char *yaml; gint code; } cases[] = {
    { "k: 0", DP_CONFIG_ERROR_RANGE },
    { "weight: cosine", DP_CONFIG_ERROR_CHOICE },
    { "weight: negexp\nweight_b: 0", DP_CONFIG_ERROR_RANGE },
    { "weight: gauss\nweight_c: -1", DP_CONFIG_ERROR_RANGE },
    { "weight_a: x", DP_CONFIG_ERROR_TYPE },
    { "block_rows: 100000", DP_CONFIG_ERROR_RANGE },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    dp_test_bad_option ("knn_graph", cases[i].yaml, cases[i].code);
}


int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/plugin/knn_graph/hand", test_graph_hand);
  g_test_add_func ("/plugin/knn_graph/weights", test_graph_weights);
  g_test_add_func ("/plugin/knn_graph/dropped", test_graph_dropped);
  g_test_add_func ("/plugin/knn_graph/tokens", test_graph_tokens);
  g_test_add_func ("/plugin/knn_graph/empty-options", test_graph_empty_and_options);
  return g_test_run ();
}
