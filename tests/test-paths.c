/* test-paths.c — a pipeline whose outputs would overwrite its inputs or each
 * other, or leave the output directory, is refused before any data is read
 * (issue #21 items 1 and 8), each problem at the option's position. */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>
#include <unistd.h>
#include "dp-pipeline.h"
#include "dp-test.h"

typedef struct {
  char *dir;     /* temp dir: input.pcap and the output directory out/ */
  char *in;
  char *out;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  (void) data;
  f->dir = dp_test_tmpdir ();
  f->in = g_build_filename (f->dir, "in.pcap", NULL);
  f->out = g_build_filename (f->dir, "out", NULL);
  g_assert_true (g_file_set_contents (f->in, "not read at check time", -1, NULL));
  g_assert_cmpint (g_mkdir (f->out, 0700), ==, 0);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  (void) data;
  dp_test_rmtree (f->dir);
  g_free (f->dir);
  g_free (f->in);
  g_free (f->out);
}

static DpContext *
real_context (const char *output_dir)
{
  DpContext *ctx = dp_context_new ();
  g_autofree char *dir = g_build_filename (g_getenv ("DP_TOP_BUILDDIR"), "plugins", NULL);
  dp_context_add_plugin_dir (ctx, dir);
  dp_context_set_quiet (ctx, TRUE);
  if (output_dir)
    dp_context_set_output_dir (ctx, output_dir);
  return ctx;
}

/* pcap (reading f->in) -> taxonomy -> two csv sinks with @a and @b as paths;
 * @top is extra top-level YAML. */
static char *
two_sinks (Fixture *f, const char *top, const char *in, const char *a, const char *b)
{
  return g_strdup_printf ("pipeline: paths\n"
                          "output_dir: %s\n"
                          "%s"
                          "stages:\n"
                          "  read:\n"
                          "    plugin: pcap\n"
                          "    path: '%s'\n"
                          "  tax:\n"
                          "    plugin: taxonomy\n"
                          "    input: read\n"
                          "  a:\n"
                          "    plugin: csv\n"
                          "    input: tax.sources\n"
                          "    path: '%s'\n"
                          "  b:\n"
                          "    plugin: csv\n"
                          "    input: tax.events\n"
                          "    path: '%s'\n",
                          f->out, top, in ? in : f->in, a, b);
}

typedef struct {
  guint line;          /* 0: no position (--set, the command line) */
  gint code;
  const char *text;    /* a substring of the message */
} Want;

/* Loads @yaml; with @expected NULL it must load, else its diagnostics must be
 * exactly @expected, in order (ended by a NULL text). */
static void
expect (DpContext *ctx, const char *yaml, const char *const *overrides, const Want *expected)
{
  GPtrArray *diags = NULL;
  GError *error = NULL;
  DpPipeline *p = dp_pipeline_load_text (ctx, "t.yaml", yaml, overrides, &diags, &error);
  if (expected == NULL)
    {
      g_assert_no_error (error);
      g_assert_nonnull (p);
      g_assert_cmpuint (diags->len, ==, 0);
      dp_pipeline_free (p);
      g_ptr_array_unref (diags);
      return;
    }
  g_assert_null (p);
  g_assert_nonnull (error);
  GString *got = g_string_new (NULL);
  for (guint i = 0; i < diags->len; i++)
    {
      DpDiagnostic *d = g_ptr_array_index (diags, i);
      g_string_append_printf (got, "%u:%d:%s\n", d->line, d->code, d->message);
    }
  g_test_message ("%s", got->str);
  guint n = 0;
  while (expected[n].text)
    n++;
  if (diags->len != n)
    g_error ("expected %u diagnostics, got %u:\n%s", n, diags->len, got->str);
  for (guint i = 0; i < n; i++)
    {
      DpDiagnostic *d = g_ptr_array_index (diags, i);
      if (d->line != expected[i].line || d->code != expected[i].code || strstr (d->message, expected[i].text) == NULL)
        g_error ("diagnostic %u: expected line %u, code %d, '%s'; got:\n%s", i, expected[i].line,
                 expected[i].code, expected[i].text, got->str);
    }
  g_string_free (got, TRUE);
  g_ptr_array_unref (diags);
  g_error_free (error);
}

#define E(line, code, text) { (line), (code), (text) }
#define END { 0, 0, NULL }

static void
test_valid (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autoptr (DpContext) ctx = real_context (NULL);
  g_autofree char *y = two_sinks (f, "", NULL, "a.csv", "sub/b.csv.gz");
  expect (ctx, y, NULL, NULL);
}

static void
test_output_is_input (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autoptr (DpContext) ctx = real_context (NULL);
  /* ../in.pcap from out/ is the input; allow_outside so only the clash is left */
  g_autofree char *y = two_sinks (f, "allow_outside_output_dir: true\n", NULL, "../in.pcap", "b.csv");
  const Want want[] = { E (14, DP_CONFIG_ERROR_DUPLICATE_KEY, "would overwrite the input"), END };
  expect (ctx, y, NULL, want);

  /* the same through a symbolic link in the output directory */
  g_autofree char *link = g_build_filename (f->out, "link.pcap", NULL);
  g_assert_cmpint (symlink (f->in, link), ==, 0);
  g_autofree char *y2 = two_sinks (f, "", NULL, "link.pcap", "b.csv");
  const Want want13[] = { E (13, DP_CONFIG_ERROR_DUPLICATE_KEY, "would overwrite the input"), END };
  expect (ctx, y2, NULL, want13);

  /* and through a glob the input names */
  g_autofree char *glob = g_build_filename (f->out, "*.pcap", NULL);
  g_autofree char *y3 = two_sinks (f, "", glob, "new.pcap", "b.csv");
  expect (ctx, y3, NULL, want13);

  /* and by --set */
  const char *const set[] = { "a.path=../in.pcap", NULL };
  g_autofree char *y4 = two_sinks (f, "allow_outside_output_dir: true\n", NULL, "a.csv", "b.csv");
  /* a --set value has no position of its own: the stage's key is named */
  const Want want4[] = { E (11, DP_CONFIG_ERROR_DUPLICATE_KEY, "stage 'a' (csv)"), END };
  expect (ctx, y4, set, want4);
}

static void
test_two_outputs_one_file (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autoptr (DpContext) ctx = real_context (NULL);
  g_autofree char *y = two_sinks (f, "", NULL, "x.csv", "./sub/../x.csv");
  const Want want[] = { E (17, DP_CONFIG_ERROR_DUPLICATE_KEY, "also written by stage 'a' (option 'path' at line 13)"),
                        END };
  expect (ctx, y, NULL, want);
}

static void
test_empty_and_dir (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autoptr (DpContext) ctx = real_context (NULL);
  g_autofree char *y = two_sinks (f, "", NULL, "", ".");
  const Want want[] = { E (13, DP_CONFIG_ERROR_TYPE, "option 'path': empty path"),
                        E (17, DP_CONFIG_ERROR_RANGE, "is the output directory itself"), END };
  expect (ctx, y, NULL, want);

  /* --output-dir "" */
  g_autoptr (DpContext) ctx2 = real_context ("");
  g_autofree char *y2 = two_sinks (f, "", NULL, "a.csv", "b.csv");
  const Want want2[] = { E (0, DP_CONFIG_ERROR_TYPE, "the output directory is an empty path"), END };
  expect (ctx2, y2, NULL, want2);
}

static void
test_outside (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autoptr (DpContext) ctx = real_context (NULL);
  g_autofree char *abs = g_build_filename (f->dir, "abs.csv", NULL);
  g_autofree char *y = two_sinks (f, "", NULL, "../../x.csv", abs);
  const Want want[] = { E (13, DP_CONFIG_ERROR_RANGE, "outside the output directory"),
                        E (17, DP_CONFIG_ERROR_RANGE, "allow_outside_output_dir: true"), END };
  expect (ctx, y, NULL, want);
  g_autofree char *y2 = two_sinks (f, "allow_outside_output_dir: true\n", NULL, "../x.csv", abs);
  expect (ctx, y2, NULL, NULL);
  g_autofree char *y3 = two_sinks (f, "allow_outside_output_dir: maybe\n", NULL, "a.csv", "b.csv");
  const Want want3[] = { E (3, DP_CONFIG_ERROR_TYPE, "must be true or false"), END };
  expect (ctx, y3, NULL, want3);

  /* --output-dir moves the directory the check uses */
  g_autofree char *sub = g_build_filename (f->out, "sub", NULL);
  g_autoptr (DpContext) ctx2 = real_context (sub);
  g_autofree char *y4 = two_sinks (f, "", NULL, "../a.csv", "b.csv");
  const Want want4[] = { E (13, DP_CONFIG_ERROR_RANGE, "outside the output directory"), END };
  expect (ctx2, y4, NULL, want4);
}

/* pcap -> taxonomy -> report (figures in @svg_dir) and a csv sink at @csv */
static char *
report_and_csv (Fixture *f, const char *svg_dir, const char *csv)
{
  return g_strdup_printf ("pipeline: paths\noutput_dir: %s\nstages:\n"
                          "  read:\n    plugin: pcap\n    path: '%s'\n"
                          "  tax:\n    plugin: taxonomy\n    input: read\n"
                          "  page:\n    plugin: report\n    input: {taxonomy_summary: tax.summary}\n"
                          "    path: report.html\n    svg_dir: %s\n"
                          "  a:\n    plugin: csv\n    input: tax.sources\n    path: %s\n",
                          f->out, f->in, svg_dir, csv);
}

static void
test_svg_dir (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autoptr (DpContext) ctx = real_context (NULL);
  g_autofree char *y = report_and_csv (f, "../../x", "figs/a.csv");
  const Want want[] = { E (14, DP_CONFIG_ERROR_RANGE, "outside the output directory"), END };
  expect (ctx, y, NULL, want);
  g_autofree char *y2 = report_and_csv (f, "figs", "figs/a.csv");
  const Want want2[] = { E (18, DP_CONFIG_ERROR_DUPLICATE_KEY,
                            "and the output directory of stage 'page' (option 'svg_dir' at line 14)"), END };
  expect (ctx, y2, NULL, want2);
  g_autofree char *y3 = report_and_csv (f, "figs", "a.csv");
  expect (ctx, y3, NULL, NULL);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_unsetenv ("DARKPIPE_PLUGIN_PATH");
#define ADD(name, fn) g_test_add ("/paths/" name, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("valid", test_valid);
  ADD ("output-is-input", test_output_is_input);
  ADD ("two-outputs-one-file", test_two_outputs_one_file);
  ADD ("empty-and-dir", test_empty_and_dir);
  ADD ("outside", test_outside);
  ADD ("svg-dir", test_svg_dir);
  return g_test_run ();
}
