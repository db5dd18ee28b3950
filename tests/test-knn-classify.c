/* test-knn-classify.c — the knn_classify plugin: hand-computed cases, both
 * vote rules, leave-one-out by identity, joins, and the report against
 * scikit-learn's numbers. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "dp-test.h"

#define IP(i) DP_TEST_IP (10, 0, 0, (i))

/* ------------------------------------------------------------------ */
/* builders */

static DpTable *
make_circle_labels (guint n, const char *const *labels)
{
  g_autofree guint32 *ips = g_new (guint32, n);
  for (guint i = 0; i < n; i++)
    ips[i] = IP (i + 1);
  return dp_test_labels (n, ips, labels);
}

static DpHarness *
run_knn (const char *yaml, gpointer emb, gpointer labels, guint threads)
{
  DpHarness *h = dp_test_harness ("knn_classify", yaml);
  dp_harness_set_threads (h, threads);
  if (emb)
    dp_test_push (h, 0, emb);
  if (labels)
    dp_test_push (h, 1, labels);
  dp_test_finish (h);
  return h;
}

/* Row of @t whose ip column prints as @ip. */
static guint
find_row (const DpTable *t, const char *ip)
{
  for (guint r = 0; r < t->n_rows; r++)
    {
      g_autofree char *s = dp_test_cell_named (t, "ip", r);
      if (strcmp (s, ip) == 0)
        return r;
    }
  g_assert_not_reached ();
}

static void
assert_cell (const DpTable *t, const char *ip, const char *col, const char *expected)
{
  g_autofree char *s = dp_test_cell_named (t, col, find_row (t, ip));
  g_assert_cmpstr (s, ==, expected);
}

/* ------------------------------------------------------------------ */
/* knn_classify: hand-computed cases */

/* Group 1 around 0 degrees, group 2 around 180 degrees. */
static const double circle_deg[] = { 0, 10, 22, 30, 180, 185, 192, 200, 90, 90 };
static const char *const circle_lab[] = { "mirai", "mirai", "mirai", "censys",
                                          "zeta", "beta", "alpha", "gamma", "x1", "y1" };

static void
test_votes (void)
{
  g_autoptr (DpEmbedding) e = dp_test_circle (10, circle_deg);
  g_autoptr (DpTable) l = make_circle_labels (10, circle_lab);
  g_autoptr (DpHarness) h = run_knn ("k: 3", e, l, 1);
  DpTable *p = dp_harness_output (h, "predictions");
  g_assert_nonnull (p);
  g_assert_cmpuint (p->n_rows, ==, 10);
  /* 10.0.0.1 at 0 degrees: 10, 22, 30 degrees away */
  assert_cell (p, "10.0.0.1", "neighbours", "10.0.0.2;10.0.0.3;10.0.0.4");
  assert_cell (p, "10.0.0.1", "neighbour_labels", "mirai;mirai;censys");
  /* 1 - cos 10°, 1 - cos 22°, 1 - cos 30° */
  assert_cell (p, "10.0.0.1", "neighbour_distances", "0.015192;0.072816;0.133975");
  assert_cell (p, "10.0.0.1", "label", "mirai");
  /* majority: two mirai against one censys */
  assert_cell (p, "10.0.0.1", "predicted", "mirai");
  /* 10.0.0.5 at 180: beta (5°), alpha (12°), gamma (20°) — a three-way tie
   * goes to the nearest */
  assert_cell (p, "10.0.0.5", "neighbour_labels", "beta;alpha;gamma");
  assert_cell (p, "10.0.0.5", "predicted", "beta");

  g_autoptr (DpHarness) h2 = run_knn ("k: 3\nvote: paper", e, l, 1);
  DpTable *p2 = dp_harness_output (h2, "predictions");
  /* the authors' rule: censys sorts before mirai and wins with one vote */
  assert_cell (p2, "10.0.0.1", "predicted", "censys");
  /* alpha and beta both once: n.a. */
  assert_cell (p2, "10.0.0.5", "predicted", "n.a.");
}

static void
test_identity_loo (void)
{
  /* 10.0.0.9 and 10.0.0.10 have the same vector: each one's nearest
   * neighbour is the other, at distance 0 */
  g_autoptr (DpEmbedding) e = dp_test_circle (10, circle_deg);
  g_autoptr (DpTable) l = make_circle_labels (10, circle_lab);
  g_autoptr (DpHarness) h = run_knn ("k: 1", e, l, 1);
  DpTable *p = dp_harness_output (h, "predictions");
  assert_cell (p, "10.0.0.9", "neighbours", "10.0.0.10");
  assert_cell (p, "10.0.0.9", "predicted", "y1");
  assert_cell (p, "10.0.0.9", "neighbour_distances", "0.000000");
  assert_cell (p, "10.0.0.10", "neighbours", "10.0.0.9");
  assert_cell (p, "10.0.0.10", "predicted", "x1");
  /* the authors' rule drops the first of k+1 whatever it is: 10.0.0.10's
   * first is its twin (lower row, same distance), so it votes for itself */
  g_autoptr (DpHarness) h2 = run_knn ("k: 1\nloo: first", e, l, 1);
  DpTable *p2 = dp_harness_output (h2, "predictions");
  assert_cell (p2, "10.0.0.9", "neighbours", "10.0.0.10");
  assert_cell (p2, "10.0.0.10", "neighbours", "10.0.0.10");
  assert_cell (p2, "10.0.0.10", "predicted", "y1");
  /* without duplicates both rules agree */
  assert_cell (p2, "10.0.0.1", "neighbours", "10.0.0.2");
}

static void
test_unknowns (void)
{
  /* 10.0.0.2 and 10.0.0.3 unlabelled: with unknown_neighbours they vote
   * unknown; without they are skipped; query: all classifies them too */
  const char *lab[] = { "mirai", NULL, NULL, "censys", "zeta", "beta", "alpha", "gamma", "x1", "y1" };
  g_autoptr (DpEmbedding) e = dp_test_circle (10, circle_deg);
  g_autoptr (DpTable) l = make_circle_labels (10, lab);
  g_autoptr (DpHarness) h = run_knn ("k: 3", e, l, 1);
  DpTable *p = dp_harness_output (h, "predictions");
  g_assert_cmpuint (p->n_rows, ==, 8);
  assert_cell (p, "10.0.0.1", "neighbour_labels", "unknown;unknown;censys");
  assert_cell (p, "10.0.0.1", "predicted", "unknown");

  g_autoptr (DpHarness) h2 = run_knn ("k: 3\nunknown_neighbours: false", e, l, 1);
  DpTable *p2 = dp_harness_output (h2, "predictions");
  assert_cell (p2, "10.0.0.1", "neighbours", "10.0.0.4;10.0.0.9;10.0.0.10");
  assert_cell (p2, "10.0.0.1", "predicted", "censys");

  g_autoptr (DpHarness) h3 = run_knn ("k: 3\nquery: all", e, l, 1);
  DpTable *p3 = dp_harness_output (h3, "predictions");
  g_assert_cmpuint (p3->n_rows, ==, 10);
  assert_cell (p3, "10.0.0.2", "label", "unknown");
  assert_cell (p3, "10.0.0.2", "neighbour_labels", "mirai;unknown;censys");
}

/* ------------------------------------------------------------------ */
/* knn_classify against scikit-learn
 *
 * tests/data/eval/knn-fixture.csv (100 sources, 6-d, 4 classes and 25
 * unlabelled) and the numbers below were made once by
 *   /usr/bin/python3 tests/data/eval/make-knn-fixture.py tests/data/eval/knn-fixture.csv
 * which finds the neighbours independently (float64 cosine distances,
 * self removed by identity, k = 5), votes, and prints
 * sklearn.metrics.classification_report(..., zero_division=0) (sklearn 1.2.1)
 * and, last, the macro average over the ground-truth classes only:
 * precision_recall_fscore_support(..., labels=true classes but unknown,
 * average='macro').  Where unknown or n.a. is predicted the two macro rows
 * differ (sk_majority, sk_paper, sk_all); where not, they agree. */

typedef struct {
  const char *name;
  double p, r, f;
  gint64 support;
} ReportRow;

  /* vote=majority queries=75 base=100 */
static const ReportRow sk_majority[] = {
  { "binaryedge", 0.0, 0.0, 0.0, 8 },
  { "censys", 0.7647058823529411, 0.8666666666666667, 0.8125, 30 },
  { "mirai", 0.9259259259259259, 1.0, 0.9615384615384615, 25 },
  { "shodan", 0.8181818181818182, 0.75, 0.7826086956521738, 12 },
  { "unknown", 0.0, 0.0, 0.0, 0 },
  { "accuracy", NAN, NAN, 0.8, 75 },
  { "macro avg", 0.5017627252921371, 0.5233333333333333, 0.5113294314381271, 75 },
  { "weighted avg", 0.7454334191589094, 0.8, 0.7707302118171683, 75 },
  { "macro avg (ground-truth classes)", 0.6272034066151714, 0.6541666666666667, 0.6391617892976589, 75 },
  { NULL, 0, 0, 0, 0 }
};

  /* vote=paper queries=75 base=100 */
static const ReportRow sk_paper[] = {
  { "binaryedge", 0.25, 0.375, 0.3, 8 },
  { "censys", 0.7, 0.7, 0.7, 30 },
  { "mirai", 0.9615384615384616, 1.0, 0.9803921568627451, 25 },
  { "n.a.", 0.0, 0.0, 0.0, 0 },
  { "shodan", 1.0, 0.16666666666666666, 0.2857142857142857, 12 },
  { "accuracy", NAN, NAN, 0.68, 75 },
  { "macro avg", 0.5823076923076923, 0.44833333333333336, 0.45322128851540616, 75 },
  { "weighted avg", 0.7871794871794872, 0.68, 0.6845116713352007, 75 },
  { "macro avg (ground-truth classes)", 0.7278846153846154, 0.5604166666666667, 0.5665266106442577, 75 },
  { NULL, 0, 0, 0, 0 }
};

  /* vote=majority queries=100 base=100 */
static const ReportRow sk_all[] = {
  { "binaryedge", 0.0, 0.0, 0.0, 8 },
  { "censys", 0.6341463414634146, 0.8666666666666667, 0.7323943661971831, 30 },
  { "mirai", 0.8333333333333334, 1.0, 0.9090909090909091, 25 },
  { "shodan", 0.6, 0.75, 0.6666666666666665, 12 },
  { "unknown", 0.7272727272727273, 0.32, 0.4444444444444444, 25 },
  { "accuracy", NAN, NAN, 0.68, 100 },
  { "macro avg", 0.5589504804138951, 0.5873333333333333, 0.5505192772798406, 100 },
  { "weighted avg", 0.6523954175905397, 0.68, 0.6381021482429934, 100 },
  { "macro avg (ground-truth classes)", 0.516869918699187, 0.6541666666666667, 0.5770379854886897, 75 },
  { NULL, 0, 0, 0, 0 }
};

  /* vote=majority queries=75 base=75 */
static const ReportRow sk_labelled_base[] = {
  { "binaryedge", 0.0, 0.0, 0.0, 8 },
  { "censys", 0.7428571428571429, 0.8666666666666667, 0.8, 30 },
  { "mirai", 0.8928571428571429, 1.0, 0.9433962264150945, 25 },
  { "shodan", 0.8, 0.6666666666666666, 0.7272727272727272, 12 },
  { "accuracy", NAN, NAN, 0.7866666666666666, 75 },
  { "macro avg", 0.6089285714285715, 0.6333333333333333, 0.6176672384219554, 75 },
  { "weighted avg", 0.7227619047619048, 0.7866666666666666, 0.7508290451686678, 75 },
  { "macro avg (ground-truth classes)", 0.6089285714285715, 0.6333333333333333, 0.6176672384219554, 75 },
  { NULL, 0, 0, 0, 0 }
};

static void
load_fixture (DpEmbedding **emb, DpTable **labels)
{
  DpTestKnnFixture fx;
  dp_test_knn_fixture (&fx);
  const char *labs[DP_TEST_KNN_N];
  for (guint i = 0; i < DP_TEST_KNN_N; i++)
    labs[i] = strcmp (fx.label[i], "unknown") ? fx.label[i] : NULL;
  *emb = dp_test_embedding (DP_TEST_KNN_N, DP_TEST_KNN_DIM, fx.ip, fx.v);
  *labels = dp_test_labels (DP_TEST_KNN_N, fx.ip, labs);
}

static void
assert_report (const DpTable *t, const ReportRow *expected)
{
  guint n = 0;
  for (; expected[n].name; n++)
    {
      g_autofree char *name = dp_test_cell_named (t, "class", n);
      g_assert_cmpstr (name, ==, expected[n].name);
      const double got[] = { t->cols[1].f64[n], t->cols[2].f64[n], t->cols[3].f64[n] };
      const double want[] = { expected[n].p, expected[n].r, expected[n].f };
      for (guint c = 0; c < 3; c++)
        {
          if (isnan (want[c]))
            g_assert_true (isnan (got[c]));
          else
            g_assert_cmpfloat_with_epsilon (got[c], want[c], 1e-12);
        }
      g_assert_cmpint (t->cols[4].i64[n], ==, expected[n].support);
    }
  g_assert_cmpuint (t->n_rows, ==, n);
}

static void
test_sklearn_report (void)
{
  g_autoptr (DpEmbedding) e = NULL;
  g_autoptr (DpTable) l = NULL;
  load_fixture (&e, &l);
  struct { const char *yaml; const ReportRow *rows; } cases[] = {
    { "k: 5", sk_majority },
    { "k: 5\nvote: paper", sk_paper },
    { "k: 5\nquery: all", sk_all },
    { "k: 5\nunknown_neighbours: false", sk_labelled_base },
  };
  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr (DpHarness) h = run_knn (cases[c].yaml, e, l, 1);
      DpTable *report = dp_harness_output (h, "report");
      g_assert_nonnull (report);
      g_assert_cmpstr (report->name, ==, "report");
      assert_report (report, cases[c].rows);
    }
}

/* Threads and block sizes change nothing. */
static void
test_threads_blocks (void)
{
  g_autoptr (DpEmbedding) e = NULL;
  g_autoptr (DpTable) l = NULL;
  load_fixture (&e, &l);
  g_autoptr (DpHarness) h1 = run_knn ("k: 5\nquery: all", e, l, 1);
  g_autoptr (DpHarness) h2 = run_knn ("k: 5\nquery: all\nblock_rows: 16", e, l, 3);
  DpTable *a = dp_harness_output (h1, "predictions"), *b = dp_harness_output (h2, "predictions");
  g_assert_cmpuint (a->n_rows, ==, 100);
  g_assert_cmpuint (b->n_rows, ==, a->n_rows);
  for (guint r = 0; r < a->n_rows; r++)
    for (guint c = 0; c < a->n_cols; c++)
      {
        g_autofree char *x = dp_test_cell_named (a, a->cols[c].name, r);
        g_autofree char *y = dp_test_cell_named (b, a->cols[c].name, r);
        g_assert_cmpstr (x, ==, y);
      }
}

/* ------------------------------------------------------------------ */
/* joins and inputs */

/* The embedding's vocabulary and the labels table interned the same
 * pseudonyms in a different order: rows join by token text. */
static void
test_pseudonyms (void)
{
  g_autoptr (DpNameMap) vn = dp_name_map_new ();
  g_autoptr (DpNameMap) ln = dp_name_map_new ();
  const char *tok[] = { "src_ipaddr1", "src_ipaddr2", "src_ipaddr3", "src_ipaddr4" };
  guint32 eips[4], lips[4];
  for (guint i = 0; i < 4; i++)
    eips[i] = dp_name_map_intern (vn, tok[i]);
  for (guint i = 4; i-- > 0;)
    lips[i] = dp_name_map_intern (ln, tok[i]);
  g_assert_cmpuint (eips[0], !=, lips[0]);
  float v[] = { 1, 0, 0.9f, 0.1f, 0, 1, 0.1f, 0.9f };
  g_autoptr (DpEmbedding) e = dp_test_embedding (4, 2, eips, v);
  dp_vocab_set_names (e->vocab, vn);
  const char *lab[] = { "a", "a", "b", "b" };
  g_autoptr (DpTable) l = dp_test_labels (4, lips, lab);
  dp_table_set_names (l, ln);
  g_autoptr (DpHarness) h = run_knn ("k: 1", e, l, 1);
  DpTable *p = dp_harness_output (h, "predictions");
  g_assert_cmpuint (p->n_rows, ==, 4);
  assert_cell (p, "src_ipaddr1", "label", "a");
  assert_cell (p, "src_ipaddr1", "neighbours", "src_ipaddr2");
  assert_cell (p, "src_ipaddr1", "predicted", "a");
  assert_cell (p, "src_ipaddr4", "label", "b");
  assert_cell (p, "src_ipaddr4", "predicted", "b");
}

/* Labels that name none of the embedded sources: no result, an error
 * that says both sides and their counts (not accuracy 0.000 on 0
 * sources); a partial match is counted. */
static void
test_labels_match_nothing (void)
{
  const guint32 eips[] = { 0x0a000001, 0x0a000002, 0x0a000003, 0x0a000004 };
  const guint32 lips[] = { 0xc0000201, 0xc0000202, 0x0a000003 };
  float v[] = { 1, 0, 0.9f, 0.1f, 0, 1, 0.1f, 0.9f };
  const char *lab[] = { "a", "b", "c" };
  g_autoptr (DpEmbedding) e = dp_test_embedding (4, 2, eips, v);
  g_autoptr (DpTable) none = dp_test_labels (2, lips, lab);
  GError *error = NULL;
  g_autoptr (DpHarness) h = dp_harness_new ("knn_classify", "k: 1", &error);
  g_assert_no_error (error);
  g_assert_true (dp_harness_push (h, 0, e, &error));
  g_assert_true (dp_harness_push (h, 1, none, &error));
  g_assert_false (dp_harness_finish (h, &error));
  g_assert_error (error, DP_DATA_ERROR, DP_DATA_ERROR_EMPTY);
  g_assert_nonnull (strstr (error->message, "none of the 2 labelled rows of table 'labels' names one of the "
                                            "embedding's 4 sources"));
  g_clear_error (&error);
  g_assert_null (dp_harness_output (h, "report"));
  /* one of three matches: a result, and the count */
  g_autoptr (DpTable) one = dp_test_labels (3, lips, lab);
  g_autoptr (DpHarness) h2 = dp_harness_new ("knn_classify", "k: 1", &error);
  g_assert_true (dp_harness_push (h2, 0, e, &error));
  g_assert_true (dp_harness_push (h2, 1, one, &error));
  g_assert_true (dp_harness_finish (h2, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (dp_harness_counter (h2, "sources-labelled"), ==, 1);
}

/* The synthetic telescope's ground_truth table has more columns. */
static void
test_ground_truth_table (void)
{
  g_autoptr (DpEmbedding) e = dp_test_circle (10, circle_deg);
  DpTable *t = dp_table_new ("ground_truth");
  dp_table_add_column (t, "pattern", DP_COL_STRING);
  dp_table_add_column (t, "ip", DP_COL_IPV4);
  dp_table_add_column (t, "population", DP_COL_STRING);
  dp_table_add_column (t, "label", DP_COL_STRING);
  dp_table_add_column (t, "packets", DP_COL_INT64);
  for (guint i = 0; i < 4; i++)
    {
      guint r = dp_table_append_row (t);
      dp_table_set_ip (t, 1, r, IP (i + 1));
      dp_table_set_str (t, 3, r, circle_lab[i]);
      dp_table_set_i64 (t, 4, r, 10);
    }
  g_autoptr (DpHarness) h = run_knn ("k: 3", e, t, 1);
  dp_batch_unref (t);
  DpTable *p = dp_harness_output (h, "predictions");
  g_assert_cmpuint (p->n_rows, ==, 4);
  assert_cell (p, "10.0.0.4", "label", "censys");
  assert_cell (p, "10.0.0.4", "predicted", "mirai");
}

static void
test_bad_labels_table (void)
{
  g_autoptr (DpEmbedding) e = dp_test_circle (10, circle_deg);
  g_autoptr (DpTable) t = dp_table_new ("x");
  dp_table_add_column (t, "ip", DP_COL_IPV4);
  dp_table_add_column (t, "class", DP_COL_STRING);
  GError *error = NULL;
  g_autoptr (DpHarness) h = dp_harness_new ("knn_classify", NULL, &error);
  g_assert_no_error (error);
  g_assert_true (dp_harness_push (h, 0, e, &error));
  g_assert_true (dp_harness_push (h, 1, t, &error));
  g_assert_false (dp_harness_finish (h, &error));
  g_assert_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT);
  g_error_free (error);
}

static void
test_empty (void)
{
  g_autoptr (DpHarness) h = run_knn (NULL, NULL, NULL, 1);
  DpTable *p = dp_harness_output (h, "predictions");
  DpTable *r = dp_harness_output (h, "report");
  g_assert_nonnull (p);
  g_assert_cmpuint (p->n_rows, ==, 0);
  g_assert_cmpuint (r->n_rows, ==, 4);  /* accuracy, macro avg, weighted avg, macro avg (ground-truth classes) */
  g_assert_cmpint (r->cols[4].i64[3], ==, 0);
  g_assert_cmpint (r->cols[4].i64[0], ==, 0);
  /* an embedding without any label: nothing to query */
  g_autoptr (DpEmbedding) e = dp_test_circle (10, circle_deg);
  g_autoptr (DpHarness) h2 = run_knn (NULL, e, NULL, 1);
  g_assert_cmpuint (((DpTable *) dp_harness_output (h2, "predictions"))->n_rows, ==, 0);
}

/* Non-address tokens are ignored by default, classified with tokens: all. */
static void
test_tokens (void)
{
  g_autoptr (DpVocab) vocab = dp_vocab_new ();
  dp_vocab_add (vocab, DP_TOKEN (DP_TOK_IP, IP (1)));
  dp_vocab_add (vocab, DP_TOKEN (DP_TOK_PORT, (6u << 16) | 23));
  dp_vocab_add (vocab, DP_TOKEN (DP_TOK_IP, IP (2)));
  dp_vocab_add (vocab, DP_TOKEN (DP_TOK_IP, IP (3)));
  g_autoptr (DpEmbedding) e = dp_embedding_new (vocab, 4, 2);
  float v[] = { 1, 0, 1, 0.01f, 0, 1, 0.2f, 1 };
  memcpy (e->vectors, v, sizeof v);
  DpTable *t = dp_table_new ("labels");
  dp_table_add_column (t, "token", DP_COL_STRING);
  dp_table_add_column (t, "label", DP_COL_STRING);
  const char *rows[][2] = { { "10.0.0.1", "a" }, { "23/tcp", "port" }, { "10.0.0.2", "b" }, { "10.0.0.3", "b" } };
  for (guint i = 0; i < 4; i++)
    {
      guint r = dp_table_append_row (t);
      dp_table_set_str (t, 0, r, rows[i][0]);
      dp_table_set_str (t, 1, r, rows[i][1]);
    }
  g_autoptr (DpHarness) h = run_knn ("k: 1", e, t, 1);
  DpTable *p = dp_harness_output (h, "predictions");
  g_assert_cmpuint (p->n_rows, ==, 3);
  g_assert_cmpint (p->cols[0].type, ==, DP_COL_IPV4);
  assert_cell (p, "10.0.0.1", "neighbours", "10.0.0.3");
  g_autoptr (DpHarness) h2 = run_knn ("k: 1\ntokens: all", e, t, 1);
  dp_batch_unref (t);
  DpTable *p2 = dp_harness_output (h2, "predictions");
  g_assert_cmpuint (p2->n_rows, ==, 4);
  g_assert_cmpint (dp_table_find_column (p2, "token"), ==, 0);
  g_autofree char *n0 = dp_test_cell_named (p2, "neighbours", 0);
  g_autofree char *p0 = dp_test_cell_named (p2, "predicted", 0);
  g_assert_cmpstr (n0, ==, "23/tcp");
  g_assert_cmpstr (p0, ==, "port");
}

static void
test_bad_options (void)
{
  struct { const char *yaml; gint code; } cases[] = {
    { "k: 0", DP_CONFIG_ERROR_RANGE },
    { "k: seven", DP_CONFIG_ERROR_TYPE },
    { "vote: plurality", DP_CONFIG_ERROR_CHOICE },
    { "query: some", DP_CONFIG_ERROR_CHOICE },
    { "tokens: port", DP_CONFIG_ERROR_CHOICE },
    { "block_rows: 8", DP_CONFIG_ERROR_RANGE },
    { "unknown_neighbours: maybe", DP_CONFIG_ERROR_TYPE },
    { "kk: 3", DP_CONFIG_ERROR_UNKNOWN_KEY },
    { "loo: last", DP_CONFIG_ERROR_CHOICE },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    dp_test_bad_option ("knn_classify", cases[i].yaml, cases[i].code);
}

static void
test_defaults (void)
{
  /* k = 7, majority, labelled queries: 10 labelled points on the circle */
  g_autoptr (DpEmbedding) e = dp_test_circle (10, circle_deg);
  g_autoptr (DpTable) l = make_circle_labels (10, circle_lab);
  g_autoptr (DpHarness) h = run_knn (NULL, e, l, 1);
  DpTable *p = dp_harness_output (h, "predictions");
  g_autofree char *n = dp_test_cell_named (p, "neighbour_labels", find_row (p, "10.0.0.1"));
  g_auto (GStrv) parts = g_strsplit (n, ";", -1);
  g_assert_cmpuint (g_strv_length (parts), ==, 7);
}


/* Cancelled before the search: nothing is pushed, no error. */
static void
test_cancel (void)
{
  g_autoptr (DpEmbedding) e = dp_test_circle (10, circle_deg);
  g_autoptr (DpTable) l = make_circle_labels (10, circle_lab);
  GError *error = NULL;
  g_autoptr (DpHarness) h = dp_harness_new ("knn_classify", "k: 3", &error);
  g_assert_no_error (error);
  g_assert_true (dp_harness_push (h, 0, e, &error));
  g_assert_true (dp_harness_push (h, 1, l, &error));
  dp_harness_cancel (h);
  g_assert_true (dp_harness_finish (h, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (dp_harness_outputs (h, 0)->len, ==, 0);
  g_assert_cmpuint (dp_harness_outputs (h, 1)->len, ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/plugin/knn_classify/defaults", test_defaults);
  g_test_add_func ("/plugin/knn_classify/votes", test_votes);
  g_test_add_func ("/plugin/knn_classify/identity-loo", test_identity_loo);
  g_test_add_func ("/plugin/knn_classify/unknowns", test_unknowns);
  g_test_add_func ("/plugin/knn_classify/sklearn-report", test_sklearn_report);
  g_test_add_func ("/plugin/knn_classify/threads-blocks", test_threads_blocks);
  g_test_add_func ("/plugin/knn_classify/pseudonyms", test_pseudonyms);
  g_test_add_func ("/plugin/knn_classify/ground-truth-table", test_ground_truth_table);
  g_test_add_func ("/plugin/knn_classify/bad-labels-table", test_bad_labels_table);
  g_test_add_func ("/plugin/knn_classify/empty", test_empty);
  g_test_add_func ("/plugin/knn_classify/labels-match-nothing", test_labels_match_nothing);
  g_test_add_func ("/plugin/knn_classify/tokens", test_tokens);
  g_test_add_func ("/plugin/knn_classify/bad-options", test_bad_options);
  g_test_add_func ("/plugin/knn_classify/cancel", test_cancel);
  return g_test_run ();
}
