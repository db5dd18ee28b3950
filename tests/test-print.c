/* test-print.c — the print sink: the exact text it prints for a small table
 * (padding, decimals, NaN as an empty cell), then each option: title,
 * max_rows, columns, where_column/where_values, digits; tables without rows
 * or columns, control characters, bad options. */
#include "config.h"

#include <math.h>
#include <string.h>
#include "dp-test.h"

/* label: string, f1: double, n: int64; three rows */
static DpTable *
scores (void)
{
  DpTable *t = dp_table_new ("scores");
  dp_table_add_column (t, "label", DP_COL_STRING);
  dp_table_add_column (t, "f1", DP_COL_DOUBLE);
  dp_table_add_column (t, "n", DP_COL_INT64);
  const char *lab[] = { "mirai", "censys", "x" };
  const double f1[] = { 0.5, NAN, 0.123456 };
  const gint64 n[] = { 12, 7, 1234 };
  for (guint i = 0; i < 3; i++)
    {
      guint r = dp_table_append_row (t);
      dp_table_set_str (t, 0, r, lab[i]);
      dp_table_set_f64 (t, 1, r, f1[i]);
      dp_table_set_i64 (t, 2, r, n[i]);
    }
  return t;
}

/* What print writes to stdout for @t with @yaml. */
static char *
print_text (const char *yaml, DpTable *t)
{
  g_autoptr (DpHarness) h = dp_test_harness ("print", yaml);
  if (t)
    dp_test_push (h, 0, t);
  return dp_test_finish_capture (h, 1);
}

/* Every cell is "  " then the text padded to the widest of its column; a
 * double has 4 decimals; NaN is empty. */
static void
test_golden (void)
{
  g_autoptr (DpTable) t = scores ();
  g_autofree char *text = print_text (NULL, t);
  g_assert_cmpstr (text, ==,
                   "\nscores\n"
                   "  label   f1      n   \n"
                   "  mirai   0.5000  12  \n"
                   "  censys          7   \n"
                   "  x       0.1235  1234\n");
}

static void
test_options (void)
{
  g_autoptr (DpTable) t = scores ();
  /* max_rows: the rest is announced */
  g_autofree char *two = print_text ("max_rows: 2\ntitle: Top", t);
  g_assert_cmpstr (two, ==,
                   "\nTop\n"
                   "  label   f1      n \n"
                   "  mirai   0.5000  12\n"
                   "  censys          7 \n"
                   "  … 1 more rows\n");
  /* columns in the given order; an unknown one is left out */
  g_autofree char *cols = print_text ("columns: [n, nope, label]\ndigits: 1", t);
  g_assert_cmpstr (cols, ==,
                   "\nscores\n"
                   "  n     label \n"
                   "  12    mirai \n"
                   "  7     censys\n"
                   "  1234  x     \n");
  /* where: only matching rows, without the "more rows" line */
  g_autofree char *where = print_text ("where_column: label\nwhere_values: [x, mirai]\ndigits: 2", t);
  g_assert_cmpstr (where, ==,
                   "\nscores\n"
                   "  label  f1    n   \n"
                   "  mirai  0.50  12  \n"
                   "  x      0.12  1234\n");
  /* max_rows: 0 shows all */
  g_autofree char *all = print_text ("max_rows: 0", t);
  g_assert_null (strstr (all, "more rows"));
  g_assert_nonnull (strstr (all, "  x       0.1235  1234\n"));
}

/* Several tables print in the order they arrive; a table without rows
 * prints its header, one without columns nothing, no table nothing. */
static void
test_edges (void)
{
  g_autoptr (DpTable) empty = dp_table_new ("empty");
  dp_table_add_column (empty, "only", DP_COL_INT64);
  g_autoptr (DpTable) none = dp_table_new ("none");
  g_autoptr (DpTable) one = dp_table_new ("one");
  dp_table_add_column (one, "v", DP_COL_INT64);
  dp_table_set_i64 (one, 0, dp_table_append_row (one), 42);
  g_autoptr (DpHarness) h = dp_test_harness ("print", NULL);
  dp_test_push (h, 0, one);
  dp_test_push (h, 0, none);
  dp_test_push (h, 0, empty);
  g_autofree char *text = dp_test_finish_capture (h, 1);
  g_assert_cmpstr (text, ==, "\none\n  v \n  42\n\nempty\n  only\n");
  g_autofree char *nothing = print_text (NULL, NULL);
  g_assert_cmpstr (nothing, ==, "");
}

/* Cells quote input: an escape sequence never reaches the terminal. */
static void
test_controls (void)
{
  g_autoptr (DpTable) t = dp_table_new ("t\033]0;x\007");
  dp_table_add_column (t, "s", DP_COL_STRING);
  dp_table_set_str (t, 0, dp_table_append_row (t), "red \033[31m");
  g_autofree char *text = print_text (NULL, t);
  g_assert_null (strchr (text, '\033'));
  g_assert_null (strchr (text, '\007'));
  g_assert_nonnull (strstr (text, "red "));
}

static void
test_bad_options (void)
{
  static const struct { const char *yaml; gint code; } cases[] = {
    { "digits: 18", DP_CONFIG_ERROR_RANGE },
    { "digits: -1", DP_CONFIG_ERROR_RANGE },
    { "max_rows: many", DP_CONFIG_ERROR_TYPE },
    { "rows: 3", DP_CONFIG_ERROR_UNKNOWN_KEY },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    dp_test_bad_option ("print", cases[i].yaml, cases[i].code);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/plugin/print/golden", test_golden);
  g_test_add_func ("/plugin/print/options", test_options);
  g_test_add_func ("/plugin/print/edges", test_edges);
  g_test_add_func ("/plugin/print/controls", test_controls);
  g_test_add_func ("/plugin/print/bad-options", test_bad_options);
  return g_test_run ();
}
