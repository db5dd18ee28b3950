/* test-compare.c — the compare stage on hand-made reports (columns, values,
 * labels, bad options and inputs) and compare.yaml end to end on a small
 * synthetic telescope: every method's branch runs and gets a row. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dp-pipeline.h"
#include "dp-test.h"

/* A knn_classify-shaped report: class rows, then accuracy and macro avg,
 * and the macro average over the ground-truth classes unless @truth is NaN
 * (a report of an older knn_classify). */
static DpTable *
report (const char *const *classes, const double *f1, const gint64 *support, guint n,
        double accuracy, double macro, double truth, gint64 total)
{
  DpTable *t = dp_table_new ("report");
  dp_table_add_column (t, "class", DP_COL_STRING);
  dp_table_add_column (t, "precision", DP_COL_DOUBLE);
  dp_table_add_column (t, "recall", DP_COL_DOUBLE);
  dp_table_add_column (t, "f1", DP_COL_DOUBLE);
  dp_table_add_column (t, "support", DP_COL_INT64);
  for (guint i = 0; i < n + 2; i++)
    {
      guint r = dp_table_append_row (t);
      dp_table_set_str (t, 0, r, i < n ? classes[i] : i == n ? "accuracy" : "macro avg");
      dp_table_set_f64 (t, 3, r, i < n ? f1[i] : i == n ? accuracy : macro);
      dp_table_set_i64 (t, 4, r, i < n ? support[i] : total);
    }
  if (!isnan (truth))
    {
      guint r = dp_table_append_row (t);
      dp_table_set_str (t, 0, r, "macro avg (ground-truth classes)");
      dp_table_set_f64 (t, 3, r, truth);
      dp_table_set_i64 (t, 4, r, total);
    }
  return t;
}

static DpTable *
report_a (void)
{
  static const char *const cls[] = { "mirai", "censys", "unknown" };
  static const double f1[] = { 0.9, 0.5, 0.0 };
  static const gint64 sup[] = { 10, 4, 0 };
  return report (cls, f1, sup, 3, 0.8, 0.45, 0.7, 14);
}

static DpTable *
report_b (void)
{
  static const char *const cls[] = { "zmap", "mirai", "n.a." };
  static const double f1[] = { 0.25, 1.0, 0.0 };
  static const gint64 sup[] = { 2, 10, 0 };
  return report (cls, f1, sup, 3, 0.95, 0.4, NAN, 12);
}

static DpTable *
run_compare (const char *options, GError **error)
{
  g_autoptr (DpHarness) h = dp_harness_new ("compare", options, error);
  if (h == NULL)
    return NULL;
  g_autoptr (DpTable) a = report_a ();
  g_autoptr (DpTable) b = report_b ();
  g_assert_cmpint (dp_harness_push_from (h, 0, "report1", a, error), ==, DP_FLOW_OK);
  g_assert_cmpint (dp_harness_push_from (h, 0, "report2", b, error), ==, DP_FLOW_OK);
  if (!dp_harness_finish (h, error))
    return NULL;
  DpTable *t = dp_harness_output (h, "table");
  g_assert_nonnull (t);
  return dp_batch_ref (t);
}

static char *
header (const DpTable *t)
{
  GString *s = g_string_new (NULL);
  for (guint c = 0; c < t->n_cols; c++)
    g_string_append_printf (s, "%s%s", c ? "," : "", t->cols[c].name);
  return g_string_free (s, FALSE);
}

static double
cell (const DpTable *t, const char *col, guint row)
{
  gint c = dp_table_find_column (t, col);
  g_assert_cmpint (c, >=, 0);
  g_assert_cmpint (t->cols[c].type, ==, DP_COL_DOUBLE);
  return t->cols[c].f64[row];
}

static void
test_columns_values (void)
{
  GError *error = NULL;
  g_autoptr (DpTable) t = run_compare (NULL, &error);
  g_assert_no_error (error);
  g_autofree char *h = header (t);
  /* classes with support somewhere, sorted; unknown and n.a. have none */
  g_assert_cmpstr (h, ==, "method,sources,accuracy,macro_f1,macro_f1_truth,f1_censys,f1_mirai,f1_zmap,seconds,peak_mb");
  g_assert_cmpuint (t->n_rows, ==, 2);
  /* a report is named by the stage that sent it */
  g_assert_cmpstr (t->cols[0].str[0], ==, "report1");
  g_assert_cmpstr (t->cols[0].str[1], ==, "report2");
  g_assert_cmpint (t->cols[1].i64[0], ==, 14);
  g_assert_cmpint (t->cols[1].i64[1], ==, 12);
  g_assert_cmpfloat (cell (t, "accuracy", 0), ==, 0.8);
  g_assert_cmpfloat (cell (t, "macro_f1", 1), ==, 0.4);
  /* the two macro averages come from their own rows, not from each other */
  g_assert_cmpfloat (cell (t, "macro_f1", 0), ==, 0.45);
  g_assert_cmpfloat (cell (t, "macro_f1_truth", 0), ==, 0.7);
  g_assert_true (isnan (cell (t, "macro_f1_truth", 1)));
  g_assert_cmpfloat (cell (t, "f1_censys", 0), ==, 0.5);
  g_assert_true (isnan (cell (t, "f1_censys", 1)));
  g_assert_cmpfloat (cell (t, "f1_mirai", 1), ==, 1.0);
  g_assert_true (isnan (cell (t, "f1_zmap", 0)));
  g_assert_cmpfloat (cell (t, "f1_zmap", 1), ==, 0.25);
}

static void
test_methods_labels (void)
{
  GError *error = NULL;
  /* listed methods first, in the option's order, then the others */
  g_autoptr (DpTable) l = run_compare ("methods: [B = report2]", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (l->n_rows, ==, 2);
  g_assert_cmpstr (l->cols[0].str[0], ==, "B");
  g_assert_cmpfloat (cell (l, "accuracy", 0), ==, 0.95);
  g_assert_cmpstr (l->cols[0].str[1], ==, "report1");
  /* a listed stage that sent nothing and that the run does not know */
  g_autoptr (DpTable) t = run_compare ("methods: [A=report2, B=knn_x]", &error);
  g_assert_null (t);
  g_assert_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_UNKNOWN_STAGE);
  g_assert_nonnull (strstr (error->message, "knn_x"));
  g_clear_error (&error);
}

static void
test_bad_options (void)
{
  static const struct { const char *yaml; gint code; } cases[] = {
    { "methods: [DarkVec]", DP_CONFIG_ERROR_TYPE },
    { "methods: [=knn]", DP_CONFIG_ERROR_TYPE },
    { "methods: [DarkVec=]", DP_CONFIG_ERROR_TYPE },
    { "methods: [a=knn, a=knn2]", DP_CONFIG_ERROR_DUPLICATE_KEY },
    { "methods: [a=knn, b=knn]", DP_CONFIG_ERROR_DUPLICATE_KEY },
    { "method: [a=knn]", DP_CONFIG_ERROR_UNKNOWN_KEY },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    dp_test_bad_option ("compare", cases[i].yaml, cases[i].code);
}

static void
test_bad_report (void)
{
  GError *error = NULL;
  g_autoptr (DpHarness) h = dp_harness_new ("compare", NULL, &error);
  g_assert_no_error (error);
  g_autoptr (DpTable) t = dp_table_new ("predictions");
  dp_table_add_column (t, "ip", DP_COL_IPV4);
  dp_table_add_column (t, "label", DP_COL_STRING);
  dp_table_append_row (t);
  g_assert_true (dp_harness_push (h, 0, t, &error));
  g_assert_false (dp_harness_finish (h, &error));
  g_assert_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT);
  g_clear_error (&error);
}

static void
test_empty (void)
{
  GError *error = NULL;
  g_autoptr (DpHarness) h = dp_harness_new ("compare", NULL, &error);
  g_assert_true (dp_harness_finish (h, &error));
  g_assert_no_error (error);
  DpTable *t = dp_harness_output (h, "table");
  g_assert_nonnull (t);
  g_assert_cmpuint (t->n_rows, ==, 0);
  g_autofree char *hd = header (t);
  g_assert_cmpstr (hd, ==, "method,sources,accuracy,macro_f1,macro_f1_truth,seconds,peak_mb");
}

/* ------------------------------------------------------------------ */
/* The DANTE settings of dante.yaml and of compare.yaml's DANTE branch */

/* Option name -> value text of every stage of a pipeline file, read from
 * its lines ("  stage:" then "    option: value  # comment"); `plugin`
 * and `input` are kept out (the wiring differs between the files). */
static GHashTable *
stage_options (const char *file)
{
  const char *src = g_getenv ("DP_TOP_SRCDIR");
  g_autofree char *path = g_build_filename (src ? src : DP_SRC_DIR, "pipelines", file, NULL);
  g_autofree char *text = dp_test_read_file (path, NULL);
  g_assert_nonnull (text);
  GHashTable *stages = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_hash_table_unref);
  g_autoptr (GRegex) stage_re = g_regex_new ("^  ([A-Za-z0-9_-]+):\\s*(#.*)?$", 0, 0, NULL);
  g_autoptr (GRegex) opt_re = g_regex_new ("^    ([a-z_]+):\\s*(.*?)\\s*(#.*)?$", 0, 0, NULL);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  GHashTable *cur = NULL;
  for (guint i = 0; lines[i]; i++)
    {
      g_autoptr (GMatchInfo) m = NULL;
      if (g_regex_match (stage_re, lines[i], 0, &m))
        {
          cur = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
          g_hash_table_insert (stages, g_match_info_fetch (m, 1), cur);
          continue;
        }
      g_clear_pointer (&m, g_match_info_free);
      if (cur && g_regex_match (opt_re, lines[i], 0, &m))
        {
          g_autofree char *key = g_match_info_fetch (m, 1);
          if (strcmp (key, "plugin") != 0 && strcmp (key, "input") != 0)
            g_hash_table_insert (cur, g_steal_pointer (&key), g_match_info_fetch (m, 2));
        }
    }
  return stages;
}

static char *
options_text (GHashTable *opts)
{
  g_autoptr (GList) keys = g_list_sort (g_hash_table_get_keys (opts), (GCompareFunc) strcmp);
  GString *s = g_string_new (NULL);
  for (GList *k = keys; k; k = k->next)
    g_string_append_printf (s, "%s=%s; ", (char *) k->data, (char *) g_hash_table_lookup (opts, k->data));
  return g_string_free (s, FALSE);
}

static void
test_dante_settings (void)
{
  g_autoptr (GHashTable) dante = stage_options ("dante.yaml");
  g_autoptr (GHashTable) compare = stage_options ("compare.yaml");
  static const char *const pairs[][2] = {
    { "corpus", "dante_corpus" }, { "w2v", "dante_w2v" }, { "sources", "dante_sources" } };
  for (guint i = 0; i < G_N_ELEMENTS (pairs); i++)
    {
      GHashTable *a = g_hash_table_lookup (dante, pairs[i][0]), *b = g_hash_table_lookup (compare, pairs[i][1]);
      g_assert_nonnull (a);
      g_assert_nonnull (b);
      g_autofree char *ta = options_text (a);
      g_autofree char *tb = options_text (b);
      g_test_message ("%s: %s", pairs[i][0], ta);
      g_assert_cmpuint (g_hash_table_size (a), >=, 1);
      g_assert_cmpstr (ta, ==, tb);
    }
  /* the reader sees what it should: the trainer's settings */
  GHashTable *w2v = g_hash_table_lookup (dante, "w2v");
  g_assert_cmpstr (g_hash_table_lookup (w2v, "window"), ==, "25");
  g_assert_cmpstr (g_hash_table_lookup (w2v, "saturation"), ==, "skip");
  g_assert_cmpstr (g_hash_table_lookup (w2v, "share_negatives"), ==, "0");
  g_assert_cmpstr (g_hash_table_lookup (w2v, "share_update"), ==, "batch");
  g_assert_cmpuint (g_hash_table_size (w2v), ==, 11);
}

/* ------------------------------------------------------------------ */
/* compare.yaml end to end, small */

static void
test_pipeline (void)
{
  const char *src = g_getenv ("DP_TOP_SRCDIR");
  g_autofree char *path = g_build_filename (src ? src : DP_SRC_DIR, "pipelines", "compare.yaml", NULL);
  g_autoptr (DpContext) ctx = dp_context_new ();
  dp_context_set_quiet (ctx, TRUE);
  g_autofree char *dir = dp_test_tmpdir ();
  dp_context_set_output_dir (ctx, dir);
  const char *const set[] = {
    "telescope.packets=60000", "telescope.duration=12h",
    "darkvec_w2v.epochs=1", "auto_w2v.epochs=1", "ip2vec_w2v.epochs=1", "dante_w2v.epochs=1",
    "darkvec_w2v.vector_size=8", "auto_w2v.vector_size=8", "ip2vec_w2v.vector_size=8",
    "dante_w2v.vector_size=8", NULL };
  GError *error = NULL;
  g_autoptr (DpPipeline) p = dp_pipeline_load_file (ctx, path, set, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (dp_pipeline_run (p, &error));
  g_assert_no_error (error);
  g_autofree char *csv = g_build_filename (dir, "comparison.csv", NULL);
  g_autofree char *text = dp_test_read_file (csv, NULL);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 7);   /* header, 5 methods, "" */
  g_assert_true (g_str_has_prefix (lines[0], "method,sources,accuracy,macro_f1,macro_f1_truth,f1_"));
  g_assert_true (g_str_has_suffix (lines[0], ",seconds,peak_mb"));
  g_assert_nonnull (strstr (lines[0], "f1_mirai"));
  static const char *const methods[] = { "DarkVec per-service", "DarkVec auto", "IP2VEC", "DANTE", "port baseline" };
  g_auto (GStrv) head = g_strsplit (lines[0], ",", -1);
  guint n_cols = g_strv_length (head);
  gint64 sources = -1;
  for (guint i = 0; i < 5; i++)
    {
      g_auto (GStrv) f = g_strsplit (lines[i + 1], ",", -1);
      g_assert_cmpuint (g_strv_length (f), ==, n_cols);
      g_assert_cmpstr (f[0], ==, methods[i]);
      /* every branch ran: a report with sources, an accuracy, its own time */
      gint64 n = 0;
      g_assert_true (g_ascii_string_to_signed (f[1], 10, G_MININT64, G_MAXINT64, &n, NULL));
      g_assert_cmpint (n, >, 20);
      if (sources >= 0)
        g_assert_cmpint (n, ==, sources);   /* the same sources for every method */
      sources = n;
      double acc = g_ascii_strtod (f[2], NULL), secs = g_ascii_strtod (f[n_cols - 2], NULL);
      double mb = g_ascii_strtod (f[n_cols - 1], NULL);
      g_assert_true (acc > 0 && acc <= 1);
      /* the labelled sources only are queried: classes beyond the ground
       * truth (unknown, n.a.) can only add F1 zeros to scikit-learn's mean */
      double macro = g_ascii_strtod (f[3], NULL), truth = g_ascii_strtod (f[4], NULL);
      g_assert_true (macro > 0 && truth <= 1);
      g_assert_cmpfloat (macro, <=, truth);
      g_assert_true (secs > 0 && secs < 60);
      g_assert_true (mb > 1);
    }
  dp_test_rmtree (dir);
}

/* seconds and peak MB of every stage, from the run summary */
static GHashTable *
summary_of (DpPipeline *p)
{
  char *buf = NULL;
  gsize len = 0;
  FILE *f = open_memstream (&buf, &len);
  dp_pipeline_print_summary (p, f);
  fclose (f);
  GHashTable *stats = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_auto (GStrv) lines = g_strsplit (buf, "\n", -1);
  for (char **l = lines; *l; l++)
    {
      g_auto (GStrv) w = g_strsplit_set (*l, " ", -1);
      GPtrArray *f6 = g_ptr_array_new ();
      for (char **x = w; *x; x++)
        if (**x)
          g_ptr_array_add (f6, *x);
      if (f6->len == 6 && g_ascii_isdigit (((char *) g_ptr_array_index (f6, 4))[0]))
        {
          double *v = g_new (double, 2);
          v[0] = g_ascii_strtod (g_ptr_array_index (f6, 4), NULL);
          v[1] = g_ascii_strtod (g_ptr_array_index (f6, 5), NULL);
          g_hash_table_insert (stats, g_strdup (g_ptr_array_index (f6, 0)), v);
        }
      g_ptr_array_unref (f6);
    }
  free (buf);
  return stats;
}

/* Two methods over one source, labels by default: the stage names in the
 * order of the reports input; each method's seconds are the sum over its
 * own stages (not the shared source), its peak the max over them. */
static void
test_pipeline_branches (void)
{
  g_autoptr (DpContext) ctx = dp_context_new ();
  dp_context_set_quiet (ctx, TRUE);
  g_autofree char *dir = dp_test_tmpdir ();
  dp_context_set_output_dir (ctx, dir);
  const char *yaml =
    "pipeline: t\n"
    "stages:\n"
    "  telescope: {plugin: synth_telescope, packets: 40000, duration: 6h}\n"
    "  base_a: {plugin: port_baseline, input: {packets: telescope, labels: telescope.ground_truth}}\n"
    "  knn_a: {plugin: knn_classify, k: 3, input: {embedding: base_a.embedding, labels: telescope.ground_truth}}\n"
    "  base_b: {plugin: port_baseline, top_ports: 2, input: {packets: telescope, labels: telescope.ground_truth}}\n"
    "  knn_b: {plugin: knn_classify, input: {embedding: base_b.embedding, labels: telescope.ground_truth}}\n"
    "  cmp: {plugin: compare, input: {reports: [knn_b.report, knn_a.report]}}\n"
    "  out: {plugin: csv, input: cmp, path: c.csv}\n";
  GError *error = NULL;
  g_autoptr (DpPipeline) p = dp_pipeline_load_text (ctx, "t.yaml", yaml, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (dp_pipeline_run (p, &error));
  g_assert_no_error (error);
  g_autoptr (GHashTable) st = summary_of (p);
  g_autofree char *csv = g_build_filename (dir, "c.csv", NULL);
  g_autofree char *text = dp_test_read_file (csv, NULL);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 4);
  g_auto (GStrv) head = g_strsplit (lines[0], ",", -1);
  guint nc = g_strv_length (head);
  static const char *const order[][2] = { { "knn_b", "base_b" }, { "knn_a", "base_a" } };
  for (guint i = 0; i < 2; i++)
    {
      g_auto (GStrv) f = g_strsplit (lines[i + 1], ",", -1);
      g_assert_cmpstr (f[0], ==, order[i][0]);
      const double *k = g_hash_table_lookup (st, order[i][0]);
      const double *b = g_hash_table_lookup (st, order[i][1]);
      g_assert_nonnull (k);
      g_assert_nonnull (b);
      g_assert_cmpfloat_with_epsilon (g_ascii_strtod (f[nc - 2], NULL), k[0] + b[0], 0.0015);
      g_assert_cmpfloat_with_epsilon (g_ascii_strtod (f[nc - 1], NULL), MAX (k[1], b[1]), 0.06);
    }
  dp_test_rmtree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/plugin/compare/columns-values", test_columns_values);
  g_test_add_func ("/plugin/compare/methods-unknown-stage", test_methods_labels);
  g_test_add_func ("/plugin/compare/bad-options", test_bad_options);
  g_test_add_func ("/plugin/compare/bad-report", test_bad_report);
  g_test_add_func ("/plugin/compare/empty", test_empty);
  g_test_add_func ("/pipeline/compare/branches", test_pipeline_branches);
  g_test_add_func ("/pipeline/compare/end-to-end", test_pipeline);
  g_test_add_func ("/pipeline/compare/dante-settings", test_dante_settings);
  return g_test_run ();
}
