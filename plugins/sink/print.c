/* print — shows tables on the terminal as aligned text (a run's headline
 * results), optionally only some rows and columns. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include "darkpipe.h"

typedef struct {
  char *title;
  guint64 max_rows;
  char **columns;
  char *where_column;
  char **where_values;
  gint64 digits_opt;
} PrintConfig;

typedef struct {
  const PrintConfig *cfg;
  GPtrArray *tables;
} PrintState;

static const DpPortDesc print_inputs[] = {
  { "input", DP_TYPE_TABLE, DP_PORT_MULTI, "tables to show, in the order they arrive" },
};

static const DpOptionDesc print_options[] = {
  DP_OPTION ("title", DP_OPT_STRING, NULL, PrintConfig, title, "Heading printed above the table (default: the table's name)."),
  DP_OPTION_RANGE ("max_rows", DP_OPT_UINT, "20", PrintConfig, max_rows, 0, 1e9, "Rows shown at most (0: all)."),
  DP_OPTION ("columns", DP_OPT_STRLIST, NULL, PrintConfig, columns, "Columns to show, in this order (default: all)."),
  DP_OPTION ("where_column", DP_OPT_STRING, NULL, PrintConfig, where_column, "Show only rows whose value in this column is one of where_values."),
  DP_OPTION ("where_values", DP_OPT_STRLIST, NULL, PrintConfig, where_values, "Values of where_column that select a row."),
  DP_OPTION_RANGE ("digits", DP_OPT_INT, "4", PrintConfig, digits_opt, 0, 17, "Decimals shown for floating-point cells."),
};

static gboolean
print_init (DpStage *stage, const void *config, void **state, GError **error)
{
  PrintState *s = g_new0 (PrintState, 1);
  s->cfg = config;
  s->tables = g_ptr_array_new_with_free_func (dp_batch_unref);
  *state = s;
  return TRUE;
}

static DpFlow
print_process (DpStage *stage, void *state, guint port, const char *upstream, DpBatch *batch, GError **error)
{
  PrintState *s = state;
  g_ptr_array_add (s->tables, dp_batch_ref (batch));
  return DP_FLOW_OK;
}

static void
print_cell (const PrintConfig *cfg, const DpTable *t, guint col, guint row, GString *out)
{
  if (t->cols[col].type == DP_COL_DOUBLE)
    {
      double v = t->cols[col].f64[row];
      if (v != v)
        return;  /* NaN: an empty cell reads better than "nan" */
      g_string_append_printf (out, "%.*f", (int) cfg->digits_opt, v);
      return;
    }
  dp_table_format_cell (t, col, row, out);
}

static gboolean
print_row_selected (const PrintConfig *cfg, const DpTable *t, gint where, guint row, GString *tmp)
{
  if (where < 0)
    return TRUE;
  g_string_truncate (tmp, 0);
  dp_table_format_cell (t, (guint) where, row, tmp);
  return cfg->where_values && g_strv_contains ((const char *const *) cfg->where_values, tmp->str);
}

/* A cell's width in characters.  Table strings may hold any bytes, and
 * g_utf8_strlen would step past the terminator after an invalid lead byte. */
static gsize
print_text_len (const char *text)
{
  if (g_utf8_validate (text, -1, NULL))
    return g_utf8_strlen (text, -1);
  g_autofree char *valid = g_utf8_make_valid (text, -1);
  return g_utf8_strlen (valid, -1);
}

static void
print_table (const PrintConfig *cfg, const DpTable *t)
{
  g_autoptr (GArray) cols = g_array_new (FALSE, FALSE, sizeof (guint));
  for (guint i = 0; cfg->columns && cfg->columns[i]; i++)
    {
      gint c = dp_table_find_column (t, cfg->columns[i]);
      if (c >= 0)
        g_array_append_val (cols, c);
    }
  for (guint c = 0; !cfg->columns && c < t->n_cols; c++)
    g_array_append_val (cols, c);
  gint where = cfg->where_column ? dp_table_find_column (t, cfg->where_column) : -1;
  g_autoptr (GString) tmp = g_string_new (NULL);
  g_autoptr (GPtrArray) cells = g_ptr_array_new_with_free_func (g_free);
  guint shown = 0;
  for (guint i = 0; i < cols->len; i++)
    g_ptr_array_add (cells, dp_escape_controls (t->cols[g_array_index (cols, guint, i)].name, FALSE));
  for (guint r = 0; r < t->n_rows && (cfg->max_rows == 0 || shown < cfg->max_rows); r++)
    {
      if (!print_row_selected (cfg, t, where, r, tmp))
        continue;
      shown++;
      for (guint i = 0; i < cols->len; i++)
        {
          GString *cell = g_string_new (NULL);
          print_cell (cfg, t, g_array_index (cols, guint, i), r, cell);
          /* cells quote input: no terminal escape sequences through */
          g_ptr_array_add (cells, dp_escape_controls (cell->str, FALSE));
          g_string_free (cell, TRUE);
        }
    }
  g_autofree gsize *width = g_new0 (gsize, MAX (cols->len, 1u));
  for (guint k = 0; k < cells->len; k++)
    width[k % cols->len] = MAX (width[k % cols->len], print_text_len (g_ptr_array_index (cells, k)));
  g_autofree char *title = dp_escape_controls (cfg->title ? cfg->title : t->name, FALSE);
  printf ("\n%s\n", title);
  for (guint k = 0; k < cells->len; k++)
    {
      const char *cell = g_ptr_array_index (cells, k);
      guint i = k % cols->len;
      printf ("  %-*s", (int) width[i], cell);
      if (i == cols->len - 1)
        putchar ('\n');
    }
  if (shown < t->n_rows && where < 0)
    printf ("  … %u more rows\n", t->n_rows - shown);
}

static gboolean
print_finish (DpStage *stage, void *state, GError **error)
{
  PrintState *s = state;
  for (guint i = 0; i < s->tables->len; i++)
    {
      const DpTable *t = g_ptr_array_index (s->tables, i);
      if (t->n_cols > 0)
        print_table (s->cfg, t);
    }
  fflush (stdout);
  return TRUE;
}

static void
print_finalize (void *state)
{
  PrintState *s = state;
  g_ptr_array_unref (s->tables);
  g_free (s);
}

DP_PLUGIN_DEFINE (print,
  .kind = DP_KIND_SINK,
  .summary = "Shows tables on the terminal as aligned text (headline results of a run).",
  .version = "1.0",
  .inputs = print_inputs, .n_inputs = G_N_ELEMENTS (print_inputs),
  .options = print_options, .n_options = G_N_ELEMENTS (print_options),
  .config_size = sizeof (PrintConfig),
  .init = print_init, .process = print_process, .finish = print_finish,
  .finalize = print_finalize)
