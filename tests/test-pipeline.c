/* test-pipeline.c — pipeline validation (every error class with its exact
 * position), the loader, and the scheduler. */
#include "config.h"

#include <string.h>
#include "dp-pipeline.h"
#include "dp-test.h"

static DpContext *
test_context (void)
{
  DpContext *ctx = dp_context_new ();
  g_autofree char *dir = g_build_filename (g_getenv ("DP_TOP_BUILDDIR"), "tests", "plugins", NULL);
  dp_context_add_plugin_dir (ctx, dir);
  dp_context_set_quiet (ctx, TRUE);
  return ctx;
}

/* Loads @yaml and asserts that its diagnostics are exactly @expected:
 * "line:col:CODE", in order. */
static void
expect_diags (const char *yaml, const char *const *overrides, const char *const *expected)
{
  g_autoptr (DpContext) ctx = test_context ();
  GPtrArray *diags = NULL;
  GError *error = NULL;
  DpPipeline *p = dp_pipeline_load_text (ctx, "t.yaml", yaml, overrides, &diags, &error);
  g_assert_null (p);
  g_assert_nonnull (error);
  guint n = g_strv_length ((char **) expected);
  GString *got = g_string_new (NULL);
  for (guint i = 0; i < diags->len; i++)
    {
      DpDiagnostic *d = g_ptr_array_index (diags, i);
      g_string_append_printf (got, "%u:%u:%d %s\n", d->line, d->col, d->code, d->message);
    }
  if (diags->len != n)
    g_error ("expected %u diagnostics, got %u:\n%s", n, diags->len, got->str);
  for (guint i = 0; i < n; i++)
    {
      DpDiagnostic *d = g_ptr_array_index (diags, i);
      g_autofree char *key = g_strdup_printf ("%u:%u:%d", d->line, d->col, d->code);
      if (strcmp (key, expected[i]) != 0)
        g_error ("diagnostic %u: expected %s, got:\n%s", i, expected[i], got->str);
      g_autofree char *prefix = g_strdup_printf ("t.yaml:%u:%u: ", d->line, d->col);
      if (d->line)
        g_assert_true (g_str_has_prefix (d->message, prefix));
    }
  g_assert_cmpint (error->code, ==, n == 1 ? ((DpDiagnostic *) g_ptr_array_index (diags, 0))->code
                                           : DP_CONFIG_ERROR_MULTIPLE);
  g_string_free (got, TRUE);
  g_ptr_array_unref (diags);
  g_error_free (error);
}

#define C(line, col, code) G_STRINGIFY (line) ":" G_STRINGIFY (col) ":" G_STRINGIFY (code)

static void
test_syntax (void)
{
  /* libyaml marks the second colon of "plugin: b: c" */
  const char *const e[] = { "3:14:0", NULL };
  expect_diags ("stages:\n  a:\n    plugin: b: c\n", NULL, e);
}

/* nesting is capped while parsing, with the position of the first level
 * too deep; a second document and merge keys are refused (issue #21) */
static void
test_yaml_limits (void)
{
  GString *deep = g_string_new ("x: ");
  for (guint i = 0; i < 100000; i++)
    g_string_append_c (deep, '[');
  for (guint i = 0; i < 100000; i++)
    g_string_append_c (deep, ']');
  g_string_append_c (deep, '\n');
  /* the top mapping is level 1: the 64th "[" (column 67) is level 65 */
  const char *const e1[] = { "1:67:0", NULL };
  expect_diags (deep->str, NULL, e1);
  g_string_free (deep, TRUE);

  /* 64 levels still parse (and x is then an unknown top-level key) */
  GString *ok = g_string_new ("x: ");
  for (guint i = 0; i < 63; i++)
    g_string_append_c (ok, '[');
  for (guint i = 0; i < 63; i++)
    g_string_append_c (ok, ']');
  g_string_append (ok, "\nstages: {}\n");
  const char *const e2[] = { "1:1:2", NULL };
  expect_diags (ok->str, NULL, e2);
  g_string_free (ok, TRUE);

  const char *const e3[] = { "3:1:0", NULL };
  expect_diags ("stages:\n  a: {plugin: tsrc}\n---\nstages: {}\n", NULL, e3);
  const char *const e4[] = { "4:5:0", NULL };
  expect_diags ("base: &b {plugin: tsrc}\nstages:\n  a:\n    <<: *b\n", NULL, e4);
}

static void
test_all_at_once (void)
{
  const char *yaml =
    "pipeline: t\n"                      /* 1 */
    "stagez: 1\n"                        /* 2 unknown top key */
    "stages:\n"                          /* 3 */
    "  src:\n"                           /* 4 */
    "    plugin: tsrc\n"                 /* 5 */
    "    count: -4\n"                    /* 6 type */
    "    batch: 0\n"                     /* 7 range */
    "  pass:\n"                          /* 8 */
    "    plugin: tpas\n"                 /* 9 unknown plugin */
    "  sink:\n"                          /* 10 */
    "    plugin: topts\n"                /* 11 missing required 'needed' (at 10:3) */
    "    mode: fsat\n"                   /* 12 choice */
    "    levle: 2\n"                     /* 13 unknown option */
    "    flag: true\n"                   /* 14 */
    "    flag: false\n"                  /* 15 duplicate key */
    "    input: nowhere\n"               /* 16 unknown stage */
    "  src:\n"                           /* 17 duplicate stage */
    "    plugin: tsrc\n";
  const char *const e[] = {
    C (2, 1, 2), C (6, 12, 4), C (7, 12, 5), C (9, 13, 8), C (10, 3, 7), C (12, 11, 6),
    C (13, 5, 2), C (15, 5, 3), C (16, 12, 9), C (17, 3, 14), NULL };
  expect_diags (yaml, NULL, e);
}

static void
test_wiring_errors (void)
{
  const char *yaml =
    "stages:\n"                          /* 1 */
    "  src:\n"                           /* 2 */
    "    plugin: tsrc\n"                 /* 3 */
    "  p1:\n"                            /* 4 */
    "    plugin: tpass\n"                /* 5 */
    "    input: src.info\n"              /* 6 port type mismatch */
    "  p2:\n"                            /* 7 */
    "    plugin: tpass\n"                /* 8 unconnected input (7:3) */
    "  p3:\n"                            /* 9 */
    "    plugin: tpass\n"                /* 10 */
    "    input: src.nope\n"              /* 11 unknown port */
    "  p4:\n"                            /* 12 */
    "    plugin: tpass\n"                /* 13 */
    "    input: {packets: src, extra: src}\n"  /* 14 ambiguous? no: extra takes table → src.info */
    "  p5:\n"                            /* 15 */
    "    plugin: tpass\n"                /* 16 */
    "    input: {bogus: src}\n"          /* 17 unknown input port; packets unconnected */
    "  s:\n"                             /* 18 */
    "    plugin: topts\n"                /* 19 */
    "    needed: 1\n"                    /* 20 */
    "    input: src\n";                  /* 21 ANY input, two outputs → ambiguous */
  const char *const e[] = {
    C (6, 12, 11), C (7, 3, 13), C (11, 12, 10), C (17, 12, 13), C (17, 13, 10), C (21, 12, 10), NULL };
  expect_diags (yaml, NULL, e);
}

/* a stage name names files and appears in 'stage.port': no '/', '.', control
 * characters or empty names (issue #21) */
static void
test_stage_names (void)
{
  const char *yaml =
    "stages:\n"                          /* 1 */
    "  \"a/b\":\n"                       /* 2 */
    "    plugin: tsrc\n"                 /* 3 */
    "  \"\":\n"                          /* 4 */
    "    plugin: tsrc\n"                 /* 5 */
    "  \"c\\nd\":\n"                     /* 6 */
    "    plugin: tsrc\n"                 /* 7 */
    "  e.f:\n"                           /* 8 */
    "    plugin: tsrc\n"                 /* 9 */
    "  ok_name-2:\n"                     /* 10 */
    "    plugin: tsrc\n";                /* 11 */
  const char *const e[] = { C (2, 3, 1), C (4, 3, 1), C (6, 3, 1), C (8, 3, 1), NULL };
  expect_diags (yaml, NULL, e);
}

static void
test_cycle (void)
{
  const char *yaml =
    "stages:\n"
    "  a:\n"
    "    plugin: tpass\n"
    "    input: b\n"
    "  b:\n"
    "    plugin: tpass\n"
    "    input: a.packets\n"
    "  s:\n"
    "    plugin: tsrc\n";
  const char *const e[] = { C (4, 12, 12), C (7, 12, 12), NULL };
  expect_diags (yaml, NULL, e);
}

static void
test_set_overrides (void)
{
  const char *yaml = "stages:\n  src:\n    plugin: tsrc\n";
  const char *const bad[] = { "src.count=many", "nostage.count=1", "src.colour=red", "junk", NULL };
  const char *const e[] = { C (0, 0, 4), C (0, 0, 9), C (0, 0, 2), C (0, 0, 1), NULL };
  expect_diags (yaml, bad, e);
}

static DpPipeline *
load_ok (DpContext *ctx, const char *yaml, const char *const *overrides)
{
  GError *error = NULL;
  DpPipeline *p = dp_pipeline_load_text (ctx, "t.yaml", yaml, overrides, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (p);
  return p;
}

static void
test_run_fanout (void)
{
  g_autoptr (DpContext) ctx = test_context ();
  g_autofree char *dir = dp_test_tmpdir ();
  dp_context_set_output_dir (ctx, dir);
  const char *yaml =
    "stages:\n"
    "  src: {plugin: tsrc, count: 1000, batch: 64}\n"
    "  a: {plugin: tpass, input: src}\n"
    "  b: {plugin: tpass, input: src.packets}\n"
    "  c: {plugin: tpass, input: a}\n"
    "  out: {plugin: topts, needed: 7, path: sub/v.txt, input: [c.count, b.count, src.info]}\n";
  const char *const set[] = { "src.count=777", NULL };
  g_autoptr (DpPipeline) p = load_ok (ctx, yaml, set);
  GError *error = NULL;
  g_assert_true (dp_pipeline_run (p, &error));
  g_assert_no_error (error);
  g_autofree char *path = g_build_filename (dir, "sub", "v.txt", NULL);
  g_autofree char *v = dp_test_read_file (path, NULL);
  g_assert_true (g_str_has_suffix (v, " 7\n"));
  dp_test_rmtree (dir);
}

/* An optional stage without its required options is off, and so is every
 * stage that reads from it (through an optional port too, and further
 * down); the rest runs.  Given the option, all of them are on. */
static void
test_optional_stages (void)
{
  g_autoptr (DpContext) ctx = test_context ();
  g_autofree char *real = g_build_filename (g_getenv ("DP_TOP_BUILDDIR"), "plugins", NULL);
  dp_context_add_plugin_dir (ctx, real);   /* labels: a table source with a required path */
  g_autofree char *dir = dp_test_tmpdir ();
  dp_context_set_output_dir (ctx, dir);
  g_autofree char *truth = g_build_filename (dir, "truth.csv", NULL);
  g_assert_true (g_file_set_contents (truth, "ip,label\n10.0.0.1,x\n", -1, NULL));
  const char *yaml =
    "stages:\n"
    "  src: {plugin: tsrc, count: 100}\n"
    "  gate: {plugin: labels, optional: true, relabel: [x=y]}\n"
    "  a: {plugin: tpass, input: {packets: src, extra: gate}}\n"
    "  b: {plugin: topts, needed: 1, path: b.txt, input: [a.count, src.info]}\n"
    "  keep: {plugin: topts, needed: 2, path: keep.txt, input: src.info}\n";
  /* off: gate, a (its optional port reads gate) and b (reads a) */
  g_autoptr (DpPipeline) p = load_ok (ctx, yaml, NULL);
  g_assert_cmpuint (dp_pipeline_n_stages (p), ==, 2);
  GError *error = NULL;
  g_assert_true (dp_pipeline_run (p, &error));
  g_assert_no_error (error);
  g_autofree char *keep = g_build_filename (dir, "keep.txt", NULL);
  g_autofree char *b = g_build_filename (dir, "b.txt", NULL);
  g_assert_true (g_file_test (keep, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (b, G_FILE_TEST_EXISTS));
  /* on: every stage is wired and checked (a missing file is refused) */
  const char *const on_missing[] = { "gate.path=/nonexistent/truth.csv", NULL };
  g_autoptr (DpPipeline) refused = dp_pipeline_load_text (ctx, "t.yaml", yaml, on_missing, NULL, &error);
  g_assert_null (refused);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "/nonexistent/truth.csv"));
  g_clear_error (&error);
  g_autofree char *set_path = g_strdup_printf ("gate.path=%s", truth);
  const char *const on_ok[] = { set_path, NULL };
  g_autoptr (DpPipeline) q = load_ok (ctx, yaml, on_ok);
  g_assert_cmpuint (dp_pipeline_n_stages (q), ==, 5);
  g_assert_true (dp_pipeline_run (q, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (b, G_FILE_TEST_EXISTS));
  /* --set can clear the mark: the missing option is an error again */
  const char *const not_optional[] = { "gate.optional=false", NULL };
  const char *const e_req[] = { C (3, 3, 7), NULL };
  expect_diags (yaml, not_optional, e_req);
  /* an off stage's options are still parsed; the mark must be a boolean */
  const char *bad =
    "stages:\n"
    "  src: {plugin: tsrc, colour: red, optional: maybe}\n"
    "  gate: {plugin: labels, optional: true, colour: red}\n";
  const char *const e_bad[] = { C (2, 23, 2), C (2, 46, 4), C (3, 42, 2), NULL };
  expect_diags (bad, NULL, e_bad);
  const char *const bad_set[] = { "gate.optional=perhaps", NULL };
  const char *const e_bad_set[] = { C (0, 0, 4), NULL };
  expect_diags ("stages:\n  gate: {plugin: topts, needed: 1}\n", bad_set, e_bad_set);
  /* the mark is a pipeline's: a lone plugin (the harness) does not take it */
  g_autoptr (DpHarness) h = dp_harness_new ("zscore", "optional: true", &error);
  g_assert_null (h);
  g_assert_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_UNKNOWN_KEY);
  g_clear_error (&error);
  dp_test_rmtree (dir);
}

/* A stage that keeps no state between runs refuses state_path by name,
 * so a series of runs cannot silently differ from one run; a stage with
 * state options gets the ordinary unknown-option message for a typo. */
static void
test_state_refused (void)
{
  GError *error = NULL;
  const char *const stateless[] = { "dante_corpus", "zscore", "ip2vec_corpus" };
  for (guint i = 0; i < G_N_ELEMENTS (stateless); i++)
    {
      DpHarness *h = dp_harness_new (stateless[i], "state_path: x.state", &error);
      g_assert_null (h);
      g_assert_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_UNKNOWN_KEY);
      g_assert_nonnull (strstr (error->message, "carries no state between runs"));
      g_assert_nonnull (strstr (error->message, stateless[i]));
      g_clear_error (&error);
    }
  DpHarness *h = dp_harness_new ("taxonomy", "state_pth: x.state", &error);
  g_assert_null (h);
  g_assert_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_UNKNOWN_KEY);
  g_assert_null (strstr (error->message, "carries no state"));
  g_assert_nonnull (strstr (error->message, "state_path"));
  g_clear_error (&error);
}

static void
test_run_failure_stops (void)
{
  g_autoptr (DpContext) ctx = test_context ();
  g_autofree char *dir = dp_test_tmpdir ();
  dp_context_set_output_dir (ctx, dir);
  const char *yaml =
    "stages:\n"
    "  src: {plugin: tsrc, count: 100000, batch: 10}\n"
    "  a: {plugin: tpass, input: src, fail_after: 50}\n"
    "  out: {plugin: topts, needed: 1, path: v.txt, input: a.count}\n";
  g_autoptr (DpPipeline) p = load_ok (ctx, yaml, NULL);
  GError *error = NULL;
  g_assert_false (dp_pipeline_run (p, &error));
  g_assert_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "stage 'a' (tpass)"));
  g_assert_nonnull (strstr (error->message, "failing as asked after 60 rows"));
  g_error_free (error);
  /* the flow value stopped the source at once: the batch after the
   * failure was not even read */
  DpStageStats st;
  g_assert_true (dp_pipeline_stage_stats (p, "src", &st));
  g_assert_cmpuint (st.rows_out, ==, 60);
  g_assert_true (dp_pipeline_stage_stats (p, "a", &st));
  g_assert_cmpuint (st.rows_in, ==, 60);
  g_assert_false (st.finished);
  /* the sink never finished: no output, and no temp file left behind */
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  g_assert_null (g_dir_read_name (d));
  dp_test_rmtree (dir);
}

/* DP_FLOW_STOP: a consumer that has had enough stops its source, unless
 * another consumer still wants the data; a port nobody consumes wants
 * nothing. */
static void
test_flow_stop (void)
{
  struct {
    const char *stages;
    guint64 read;       /* rows the source pushed */
  } cases[] = {
    /* the only consumer stops after 35 rows: the source stops at 40 */
    { "  a: {plugin: tpass, input: src, stop_after: 35}\n"
      "  out: {plugin: csv, input: src.info, path: info.csv}\n", 40 },
    /* a second consumer wants everything */
    { "  a: {plugin: tpass, input: src, stop_after: 35}\n"
      "  b: {plugin: tpass, input: src}\n"
      "  out: {plugin: csv, input: src.info, path: info.csv}\n"
      "  bc: {plugin: csv, input: b.count, path: b.csv}\n", 1000 },
    /* both stop: the later one decides */
    { "  a: {plugin: tpass, input: src, stop_after: 35}\n"
      "  b: {plugin: tpass, input: src, stop_after: 500}\n"
      "  out: {plugin: csv, input: src.info, path: info.csv}\n", 500 },
  };
  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr (DpContext) ctx = test_context ();
      g_autofree char *dir = dp_test_tmpdir ();
      dp_context_set_output_dir (ctx, dir);
      g_autofree char *yaml = g_strconcat ("stages:\n  src: {plugin: tsrc, count: 1000, batch: 10}\n",
                                           cases[c].stages, NULL);
      g_autoptr (DpPipeline) p = load_ok (ctx, yaml, NULL);
      GError *error = NULL;
      g_assert_true (dp_pipeline_run (p, &error));
      g_assert_no_error (error);
      DpStageStats st;
      g_assert_true (dp_pipeline_stage_stats (p, "src", &st));
      /* the packets and the one-row info table */
      g_assert_cmpuint (st.rows_out, ==, cases[c].read + 1);
      /* a stopped run is a good run: the source's own total is written */
      g_autofree char *path = g_build_filename (dir, "info.csv", NULL);
      g_autofree char *csv = dp_test_read_file (path, NULL);
      g_autofree char *want = g_strdup_printf ("packets\n%" G_GUINT64_FORMAT "\n", cases[c].read);
      g_assert_true (g_str_has_prefix (csv, want));
      dp_test_rmtree (dir);
    }
}

/* check() callbacks run at load time (darkpipe check), and what they find
 * points at the option it is about, else at the stage */
static void
test_check_callbacks (void)
{
  g_autofree char *dir = dp_test_tmpdir ();
  g_autofree char *vec = g_build_filename (dir, "v.txt", NULL);
  g_assert_true (g_file_set_contents (vec, "1 2\na 0.5 0.5\n", -1, NULL));
  g_autofree char *yaml = g_strdup_printf (
    "stages:\n"
    "  v: {plugin: w2v_file, path: '%s'}\n"
    "  g:\n"
    "    plugin: knn_graph\n"
    "    input: v\n"
    "    weight: negexp\n"
    "    weight_b: 0\n"
    "  p:\n"
    "    plugin: pcap\n"
    "    path: '%s'\n"
    "    filter: 'tcp port ((('\n"
    "  w: {plugin: w2v_file, path: '%s/missing.txt'}\n"
    "  c:\n"
    "    plugin: darkvec_corpus\n"
    "    input: p\n"
    "    languages: single\n"
    "    timezone: Mars/Olympus\n"
    "  s: {plugin: synth_telescope, start: 9999-12-31T23:59:59Z}\n"
    "  t: {plugin: tshark_fields}\n", vec, vec, dir);
  /* knn_graph at weight_b, pcap at filter, the missing file at path,
   * darkvec_corpus at timezone, synth_telescope at start, tshark_fields
   * (neither path nor paths) at the stage */
  const char *const e[] = { C (7, 15, 5), C (11, 13, 4), C (12, 31, 4), C (17, 15, 4), C (18, 39, 5),
                            C (19, 3, 7), NULL };
  expect_diags (yaml, NULL, e);
  dp_test_rmtree (dir);
}

/* The other checks that moved from init to check: each at its option
 * (the rule on init_path and the init port at init_path). */
static void
test_check_callbacks_more (void)
{
  const char *yaml =
    "stages:\n"
    "  s: {plugin: synth_telescope, packets: 1000, duration: 1h, block: 10.0.0.0/7}\n"
    "  r: {plugin: synth_telescope, rate: 1e6, duration: 1d}\n"
    "  q: {plugin: synth_telescope, populations: [mirai, martians]}\n"
    "  c: {plugin: darkvec_corpus, input: q, max_sentence: 10, overlap: 10}\n"
    "  w:\n"
    "    plugin: word2vec\n"
    "    input: {corpus: c, init: y}\n"
    "    alpha: 0.01\n"
    "    min_alpha: 0.1\n"
    "  v: {plugin: zscore, input: w}\n"
    "  l: {plugin: labels, path: /dev/null, relabel: [mirai]}\n"
    "  k: {plugin: knn_classify, input: {embedding: v, labels: q.ground_truth}}\n"
    "  m: {plugin: compare, input: k.report, methods: [A=k, B]}\n"
    "  y: {plugin: w2v_file, path: /dev/null}\n";
  /* block, rate, populations, overlap, min_alpha, relabel, methods */
  const char *const e[] = { C (2, 68, 5), C (3, 38, 5), C (4, 45, 6), C (5, 68, 5), C (10, 16, 5),
                            C (12, 49, 4), C (14, 50, 4), NULL };
  expect_diags (yaml, NULL, e);
  /* init_path and a wired init port: at init_path */
  const char *both =
    "stages:\n"
    "  q: {plugin: synth_telescope, packets: 1000, duration: 1h}\n"
    "  c: {plugin: darkvec_corpus, input: q}\n"
    "  y: {plugin: w2v_file, path: /dev/null}\n"
    "  w: {plugin: word2vec, input: {corpus: c, init: y}, init_path: /dev/null}\n";
  const char *const e2[] = { C (5, 65, 1), NULL };
  expect_diags (both, NULL, e2);
}

/* Table schemas: an input that reads columns the wired output does not
 * declare is refused at load time, naming both sides (issue #13 item 4). */
static void
test_table_schemas (void)
{
  g_autoptr (DpContext) ctx = test_context ();
  const char *yaml =
    "stages:\n"
    "  s: {plugin: synth_telescope, packets: 1000, duration: 1h}\n"
    "  tax: {plugin: taxonomy, input: s}\n"
    "  r:\n"
    "    plugin: report\n"
    "    path: r.html\n"
    "    input:\n"
    "      clusters: tax.summary\n"
    "      labels: s.ground_truth\n";
  GError *error = NULL;
  g_autoptr (DpPipeline) p = dp_pipeline_load_text (ctx, "t.yaml", yaml, NULL, NULL, &error);
  g_assert_null (p);
  g_assert_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_PORT_TYPE);
  if (strstr (error->message, "t.yaml:8:17: stage 'r' (report): input 'clusters' reads column 'cluster' "
                              "(int64), which tax.summary (stage 'tax' (taxonomy), line 3) does not have; it has: "
                              "window_start (int64), pattern (string), sources (int64)") == NULL)
    g_error ("%s", error->message);
  g_clear_error (&error);
  /* what fits is taken: the labels from the ground truth, clusters from louvain */
  const char *good =
    "stages:\n"
    "  s: {plugin: synth_telescope, packets: 1000, duration: 1h}\n"
    "  r: {plugin: report, path: r.html, input: {labels: s.ground_truth}}\n";
  g_autoptr (DpPipeline) q = dp_pipeline_load_text (ctx, "t.yaml", good, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (q);
}

static void
test_run_cancelled (void)
{
  g_autoptr (DpContext) ctx = test_context ();
  g_autofree char *dir = dp_test_tmpdir ();
  dp_context_set_output_dir (ctx, dir);
  const char *yaml =
    "stages:\n"
    "  src: {plugin: tsrc, count: 1000, batch: 10}\n"
    "  out: {plugin: topts, needed: 1, path: v.txt, input: src.info}\n";
  g_autoptr (DpPipeline) p = load_ok (ctx, yaml, NULL);
  dp_context_cancel (ctx);
  GError *error = NULL;
  g_assert_false (dp_pipeline_run (p, &error));
  g_assert_error (error, DP_DATA_ERROR, DP_DATA_ERROR_CANCELLED);
  g_assert_nonnull (strstr (error->message, "completed: src read"));
  g_error_free (error);
  g_autofree char *path = g_build_filename (dir, "v.txt", NULL);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  dp_test_rmtree (dir);
}

/* a sink that completes its file while the run is interrupted is named as
 * finished, and its file is there (issue #21 item 9) */
static void
test_run_cancelled_in_sink (void)
{
  g_autoptr (DpContext) ctx = test_context ();
  g_autofree char *dir = dp_test_tmpdir ();
  dp_context_set_output_dir (ctx, dir);
  const char *yaml =
    "stages:\n"
    "  src: {plugin: tsrc, count: 100, batch: 10}\n"
    "  out: {plugin: topts, needed: 1, path: v.txt, interrupt: true, input: src.info}\n";
  g_autoptr (DpPipeline) p = load_ok (ctx, yaml, NULL);
  GError *error = NULL;
  g_assert_false (dp_pipeline_run (p, &error));
  g_assert_error (error, DP_DATA_ERROR, DP_DATA_ERROR_CANCELLED);
  g_assert_nonnull (strstr (error->message, "out finished"));
  g_error_free (error);
  g_autofree char *path = g_build_filename (dir, "v.txt", NULL);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  dp_test_rmtree (dir);
}

static void
test_upstream_names (void)
{
  g_autoptr (DpContext) ctx = test_context ();
  g_autofree char *dir = dp_test_tmpdir ();
  dp_context_set_output_dir (ctx, dir);
  const char *yaml =
    "pipeline: names\n"
    "stages:\n"
    "  src: {plugin: tsrc, count: 8, batch: 4}\n"
    "  a: {plugin: tpass, input: src}\n"
    "  b: {plugin: tpass, input: {packets: src, extra: src.info}}\n"
    "  log: {plugin: tnames, path: log.txt, input: [a.count, b.count, src.info]}\n";
  g_autoptr (DpPipeline) p = load_ok (ctx, yaml, NULL);
  g_assert_true (dp_pipeline_run (p, NULL));
  g_autofree char *path = g_build_filename (dir, "log.txt", NULL);
  g_autofree char *log = dp_test_read_file (path, NULL);
  /* src.info is pushed at the end of src's run, the counts at a's and b's finish */
  g_assert_cmpstr (log, ==,
                   "from src\nfrom a\nfrom b\n"
                   "pipeline names in t.yaml; src count=8 other=(none)\n"
                   "src tsrc in=0 out=9 inputs= finished=1\n"
                   "a tpass in=8 out=9 inputs=src finished=1\n"
                   "b tpass in=9 out=9 inputs=src finished=1\n");
  dp_test_rmtree (dir);
}

static void
test_two_pipelines_one_process (void)
{
  g_autoptr (DpContext) c1 = test_context ();
  g_autoptr (DpContext) c2 = test_context ();
  const char *yaml = "stages:\n  src: {plugin: tsrc, count: 5}\n  a: {plugin: tpass, input: src}\n";
  g_autoptr (DpPipeline) p1 = load_ok (c1, yaml, NULL);
  g_autoptr (DpPipeline) p2 = load_ok (c2, yaml, NULL);
  g_assert_true (dp_pipeline_run (p1, NULL));
  g_assert_true (dp_pipeline_run (p2, NULL));
}

/* ------------------------------------------------------------------ */
/* loader */

static void
expect_load_error (const char *name, gint code, const char *fragment)
{
  g_autoptr (DpContext) ctx = test_context ();
  GError *error = NULL;
  g_assert_null (dp_context_load_plugin (ctx, name, &error));
  g_assert_error (error, DP_PLUGIN_ERROR, code);
  if (fragment && !strstr (error->message, fragment))
    g_error ("'%s' lacks '%s'", error->message, fragment);
  g_error_free (error);
}

static void
test_loader_abi (void)
{
  expect_load_error ("tbadabi", DP_PLUGIN_ERROR_ABI, "ABI version 999");
  expect_load_error ("tbadsize", DP_PLUGIN_ERROR_ABI, "tbadsize.so: plugin ABI mismatch");
  /* refused from its ELF symbol table: its constructor never ran */
  g_unsetenv ("TNOSYM_CONSTRUCTOR_RAN");
  expect_load_error ("tnosym", DP_PLUGIN_ERROR_SYMBOL, "no symbol dp_plugin_tnosym_get_desc); not loaded");
  g_assert_null (g_getenv ("TNOSYM_CONSTRUCTOR_RAN"));
  expect_load_error ("tsrcc", DP_PLUGIN_ERROR_NOT_FOUND, "did you mean 'tsrc'?");
}

/* Every real plugin in the build tree loads, and every default of every
 * option parses (the loader checks it) and can be printed back. */
static void
test_loader_real_plugins (void)
{
  g_autoptr (DpContext) ctx = dp_context_new ();
  g_autofree char *dir = g_build_filename (g_getenv ("DP_TOP_BUILDDIR"), "plugins", NULL);
  g_unsetenv ("DARKPIPE_PLUGIN_PATH");
  dp_context_add_plugin_dir (ctx, dir);
  g_autoptr (GPtrArray) names = dp_context_plugin_names (ctx);
  g_assert_cmpuint (names->len, >=, 1);
  for (guint i = 0; i < names->len; i++)
    {
      GError *error = NULL;
      const char *name = g_ptr_array_index (names, i);
      const DpPluginDesc *d = dp_context_load_plugin (ctx, name, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (d->name, ==, name);
      g_assert_nonnull (d->summary);
      g_autofree char *path = dp_context_plugin_path (ctx, name);
      g_assert_true (g_str_has_prefix (path, dir));
      void *cfg = dp_config_new (d, &error);
      g_assert_no_error (error);
      for (guint o = 0; o < d->n_options; o++)
        {
          g_assert_true (d->options[o].doc && strlen (d->options[o].doc) > 8);
          g_autofree char *text = dp_option_format (&d->options[o], cfg);
          g_assert_nonnull (text);
        }
      dp_config_free (d, cfg);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/pipeline/state-refused", test_state_refused);
  g_test_add_func ("/pipeline/syntax-error", test_syntax);
  g_test_add_func ("/pipeline/yaml-limits", test_yaml_limits);
  g_test_add_func ("/pipeline/all-problems-at-once", test_all_at_once);
  g_test_add_func ("/pipeline/wiring-errors", test_wiring_errors);
  g_test_add_func ("/pipeline/cycle", test_cycle);
  g_test_add_func ("/pipeline/stage-names", test_stage_names);
  g_test_add_func ("/pipeline/set-overrides", test_set_overrides);
  g_test_add_func ("/pipeline/run-fanout", test_run_fanout);
  g_test_add_func ("/pipeline/optional-stages", test_optional_stages);
  g_test_add_func ("/pipeline/run-failure-stops", test_run_failure_stops);
  g_test_add_func ("/pipeline/run-cancelled", test_run_cancelled);
  g_test_add_func ("/pipeline/flow-stop", test_flow_stop);
  g_test_add_func ("/pipeline/check-callbacks", test_check_callbacks);
  g_test_add_func ("/pipeline/table-schemas", test_table_schemas);
  g_test_add_func ("/pipeline/check-callbacks-more", test_check_callbacks_more);
  g_test_add_func ("/pipeline/run-cancelled-in-sink", test_run_cancelled_in_sink);
  g_test_add_func ("/pipeline/two-in-one-process", test_two_pipelines_one_process);
  g_test_add_func ("/pipeline/upstream-names", test_upstream_names);
  g_test_add_func ("/loader/abi-mismatch", test_loader_abi);
  g_test_add_func ("/loader/real-plugins", test_loader_real_plugins);
  return g_test_run ();
}
