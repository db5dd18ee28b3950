/* test-table.c — DpTable cells as text: doubles print as the shortest
 * decimal that reads back to the same value, integers as printf does. */
#include "config.h"

#include <math.h>
#include <string.h>
#include "dp-test.h"

/* Doubles print as a decimal that reads back to the same value, without
 * the 17-digit noise of %.17g where fewer digits are exact. */
static void
test_double_format (void)
{
  static const struct { double v; const char *text; } cases[] = {
    { 947.994946, "947.994946" }, { 0.1, "0.1" }, { -2.5, "-2.5" }, { 3.0, "3" },
    { 1e-9, "0.000000001" }, { 1.0 / 3.0, "0.3333333333333333" },
    { 0.1 + 0.2, "0.30000000000000004" }, { 86399.999999999, "86399.999999999" },
    { 1e22, "1e+22" }, { 123456789012.5, "123456789012.5" }, { -0.0, "0" },
  };
  g_autoptr (DpTable) t = dp_table_new ("doubles");
  guint x = dp_table_add_column (t, "x", DP_COL_DOUBLE);
  g_autoptr (GString) s = g_string_new (NULL);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      dp_table_append_row (t);
      dp_table_set_f64 (t, x, i, cases[i].v);
      g_string_truncate (s, 0);
      dp_table_format_cell (t, x, i, s);
      g_assert_cmpstr (s->str, ==, cases[i].text);
    }
  /* any finite bit pattern, and values with up to nine decimals, read back exactly */
  for (guint i = 0; i < 20000; i++)
    {
      double v;
      if (i % 2)
        {
          guint64 bits = ((guint64) g_test_rand_int () << 32) | (guint32) g_test_rand_int ();
          memcpy (&v, &bits, sizeof v);
          if (!isfinite (v))
            continue;
        }
      else
        v = (double) g_test_rand_int_range (-2000000000, 2000000000) / 1e9 * (i % 7 + 1);
      guint row = dp_table_append_row (t);
      dp_table_set_f64 (t, x, row, v);
      g_string_truncate (s, 0);
      dp_table_format_cell (t, x, row, s);
      g_test_message ("%.17g printed as %s", v, s->str);
      g_assert_cmpfloat (g_ascii_strtod (s->str, NULL), ==, v);
      g_assert_cmpuint (s->len, <=, 24);
    }
}

/* Integers print as printf's %lld does, at every length and both ends. */
static void
test_int_format (void)
{
  g_autoptr (DpTable) t = dp_table_new ("ints");
  guint x = dp_table_add_column (t, "x", DP_COL_INT64);
  g_autoptr (GString) s = g_string_new ("prefix,");
  gint64 fixed[] = { 0, 9, 10, 99, 100, 101, 999, 1000, -1, -9, -10, -99, -100, G_MAXINT64, G_MININT64,
                     G_MININT64 + 1, 1000000000000000000, -999999999999999999 };
  for (guint i = 0; i < G_N_ELEMENTS (fixed) + 20000; i++)
    {
      gint64 v = i < G_N_ELEMENTS (fixed) ? fixed[i]
                 : (gint64) (((guint64) g_test_rand_int () << 32) | (guint32) g_test_rand_int ())
                     >> g_test_rand_int_range (0, 63);
      guint row = dp_table_append_row (t);
      dp_table_set_i64 (t, x, row, v);
      g_string_truncate (s, 7);
      dp_table_format_cell (t, x, row, s);
      g_autofree char *want = g_strdup_printf ("prefix,%" G_GINT64_FORMAT, v);
      g_assert_cmpstr (s->str, ==, want);
    }
}

/* dp_table_reserve: room for the rows at once (appending them moves no
 * column), zero cells, values and nulls kept when it grows a table that
 * has rows, room for a column added later, no change when there is room. */
static void
test_reserve (void)
{
  g_autoptr (DpTable) t = dp_table_new ("r");
  guint a = dp_table_add_column (t, "a", DP_COL_INT64);
  guint s = dp_table_add_column_flags (t, "s", DP_COL_INT64, DP_COLUMN_NULLABLE);
  for (guint r = 0; r < 3; r++)
    {
      dp_table_append_row (t);
      dp_table_set_i64 (t, a, r, 10 + r);
    }
  dp_table_set_null (t, s, 1);
  dp_table_reserve (t, 5000);
  g_assert_cmpuint (t->capacity, >=, 5000);
  g_assert_cmpuint (t->n_rows, ==, 3);
  guint b = dp_table_add_column (t, "b", DP_COL_IPV4);
  const void *da = t->cols[a].data, *db = t->cols[b].data;
  for (guint r = 3; r < 5000; r++)
    {
      g_assert_cmpuint (dp_table_append_row (t), ==, r);
      g_assert_cmpint (t->cols[a].i64[r], ==, 0);
      g_assert_cmpint (t->cols[s].i64[r], ==, 0);
      g_assert_cmpuint (t->cols[b].ip[r], ==, 0);
      g_assert_false (dp_table_is_null (t, s, r));
    }
  g_assert_true (t->cols[a].data == da && t->cols[b].data == db);
  for (guint r = 0; r < 3; r++)
    g_assert_cmpint (t->cols[a].i64[r], ==, 10 + r);
  g_assert_true (dp_table_is_null (t, s, 1));
  g_assert_false (dp_table_is_null (t, s, 0));
  guint cap = t->capacity;
  dp_table_reserve (t, 10);
  g_assert_cmpuint (t->capacity, ==, cap);
  g_assert_true (t->cols[a].data == da);
  /* an empty table: its columns come zeroed */
  g_autoptr (DpTable) e = dp_table_new ("e");
  guint x = dp_table_add_column (e, "x", DP_COL_DOUBLE);
  dp_table_reserve (e, 100000);
  for (guint r = 0; r < 100000; r += 997)
    g_assert_cmpfloat (e->cols[x].f64[r], ==, 0.0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/table/reserve", test_reserve);
  g_test_add_func ("/core/table/double-format", test_double_format);
  g_test_add_func ("/core/table/int-format", test_int_format);
  return g_test_run ();
}
