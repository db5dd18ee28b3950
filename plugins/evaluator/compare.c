/* compare — joins the classification reports of several methods (one
 * knn_classify per method) into one table: accuracy, macro F1, F1 per class,
 * and what each method's own branch of the pipeline cost.
 *
 * A method's branch is every stage upstream of its report that feeds no
 * other report: the corpus builder, the trainer, the scaler, the kNN.  The
 * stages shared by several methods (the packet source, the ground truth)
 * are left out, so the times compare the methods, not the input.
 */
#include "config.h"
#include <math.h>
#include <string.h>
#include "darkpipe.h"
#include "../common/eval.h"

typedef struct {
  char **methods;
} CompareConfig;

typedef struct {
  char *origin;       /* stage that sent it */
  DpTable *report;
} CompareReport;

typedef struct {
  char *label;             /* owned */
  char *origin;            /* owned */
  const DpTable *report;   /* NULL when the stage sent none */
  double seconds, peak_mb;
} CompareRow;

static void
compare_row_clear (gpointer p)
{
  CompareRow *r = p;
  g_free (r->label);
  g_free (r->origin);
}

static void
compare_add_row (GArray *rows, const char *label, const char *origin, const DpTable *report)
{
  CompareRow r = { g_strdup (label), g_strdup (origin), report, NAN, NAN };
  if (report)
    r.seconds = r.peak_mb = 0;
  g_array_append_val (rows, r);
}

typedef struct {
  const CompareConfig *config;
  GPtrArray *labels, *stages;   /* parsed `methods` */
  GArray *reports;              /* CompareReport */
} Compare;

static const DpOptionDesc compare_options[] = {
  DP_OPTION ("methods", DP_OPT_STRLIST, NULL, CompareConfig, methods,
             "Rows as label=stage items (stage: the knn_classify stage of a method), in this order; default: the reporting stages' names."),
};

static const DpColumnDesc compare_report_columns[] = {
  { "class", DP_COL_STRING, 0 },
  { "f1", DP_COL_DOUBLE, 0 },
  { "support", DP_COL_INT64, 0 },
};
static const DpColumnDesc compare_table_columns[] = {
  { "method", DP_COL_STRING, 0 },
  { "sources", DP_COL_INT64, 0 },
  { "accuracy", DP_COL_DOUBLE, 0 },
  { "macro_f1", DP_COL_DOUBLE, 0 },
  { "macro_f1_truth", DP_COL_DOUBLE, 0 },
  { "seconds", DP_COL_DOUBLE, 0 },
  { "peak_mb", DP_COL_DOUBLE, 0 },
};

static const DpPortDesc compare_inputs[] = {
  { "reports", DP_TYPE_TABLE, DP_PORT_MULTI,
    "knn_classify report tables (class, f1, support rows; accuracy and macro avg rows), one per method.", DP_PORT_COLUMNS (compare_report_columns) },
};

static const DpPortDesc compare_outputs[] = {
  { "table", DP_TYPE_TABLE, 0,
    "Table comparison: method, sources, accuracy, macro_f1 (scikit-learn's: every class, unknown and n.a. included), macro_f1_truth (the ground-truth classes only), f1_<class> per class, seconds, peak_mb.", DP_PORT_COLUMNS (compare_table_columns) },
};

static void
compare_finalize (void *state)
{
  Compare *c = state;
  if (c->labels)
    g_ptr_array_unref (c->labels);
  if (c->stages)
    g_ptr_array_unref (c->stages);
  for (guint i = 0; c->reports && i < c->reports->len; i++)
    {
      CompareReport *r = &g_array_index (c->reports, CompareReport, i);
      g_free (r->origin);
      dp_batch_unref (r->report);
    }
  if (c->reports)
    g_array_unref (c->reports);
  g_free (c);
}

static gboolean
compare_parse_methods (Compare *c, GError **error)
{
  for (char **m = c->config->methods; m && *m; m++)
    {
      const char *eq = strchr (*m, '=');
      if (eq == NULL || eq == *m || eq[1] == '\0')
        {
          g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_TYPE,
                       "option 'methods': '%s' is not label=stage (e.g. DarkVec=dv_knn)", *m);
          return FALSE;
        }
      g_autofree char *label = g_strstrip (g_strndup (*m, (gsize) (eq - *m)));
      g_autofree char *stage = g_strstrip (g_strdup (eq + 1));
      for (guint i = 0; i < c->labels->len; i++)
        if (strcmp (g_ptr_array_index (c->labels, i), label) == 0
            || strcmp (g_ptr_array_index (c->stages, i), stage) == 0)
          {
            g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_DUPLICATE_KEY,
                         "option 'methods': '%s' repeats a label or a stage", *m);
            return FALSE;
          }
      g_ptr_array_add (c->labels, g_steal_pointer (&label));
      g_ptr_array_add (c->stages, g_steal_pointer (&stage));
    }
  return TRUE;
}

static Compare *
compare_new (const CompareConfig *config)
{
  Compare *c = g_new0 (Compare, 1);
  c->config = config;
  c->labels = g_ptr_array_new_with_free_func (g_free);
  c->stages = g_ptr_array_new_with_free_func (g_free);
  c->reports = g_array_new (FALSE, TRUE, sizeof (CompareReport));
  return c;
}

static gboolean
compare_check (DpStage *stage, const void *config, GError **error)
{
  Compare *c = compare_new (config);
  gboolean ok = compare_parse_methods (c, error);
  compare_finalize (c);
  if (!ok)
    dp_stage_check_option (stage, "methods");
  return ok;
}

static gboolean
compare_init (DpStage *stage, const void *config, void **state, GError **error)
{
  Compare *c = compare_new (config);
  *state = c;
  return compare_parse_methods (c, error);
}

static DpFlow
compare_process (DpStage *stage, void *state, guint port, const char *upstream, DpBatch *batch, GError **error)
{
  Compare *c = state;
  CompareReport r = { g_strdup (upstream), dp_batch_ref (batch) };
  g_array_append_val (c->reports, r);
  return DP_FLOW_OK;
}

/* ------------------------------------------------------------------ */
/* branches */

static void
compare_ancestors (DpStage *stage, const char *name, GHashTable *seen)
{
  if (g_hash_table_contains (seen, name))
    return;
  g_hash_table_add (seen, g_strdup (name));
  g_auto (GStrv) ups = dp_stage_peer_inputs (stage, name);
  for (char **u = ups; u && *u; u++)
    compare_ancestors (stage, *u, seen);
}

/* Seconds (sum) and peak memory (max) of the stages only @rows[i] reaches. */
static void
compare_branch_costs (DpStage *stage, CompareRow *rows, guint n)
{
  g_autoptr (GPtrArray) sets = g_ptr_array_new_with_free_func ((GDestroyNotify) g_hash_table_unref);
  g_autoptr (GHashTable) reach = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < n; i++)
    {
      GHashTable *set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      if (rows[i].report)
        compare_ancestors (stage, rows[i].origin, set);
      g_ptr_array_add (sets, set);
      GHashTableIter it;
      gpointer key;
      g_hash_table_iter_init (&it, set);
      while (g_hash_table_iter_next (&it, &key, NULL))
        g_hash_table_insert (reach, key, GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (reach, key)) + 1));
    }
  g_autoptr (GString) own = g_string_new (NULL);
  for (guint i = 0; i < n; i++)
    {
      GHashTableIter it;
      gpointer key;
      g_string_truncate (own, 0);
      g_hash_table_iter_init (&it, g_ptr_array_index (sets, i));
      while (g_hash_table_iter_next (&it, &key, NULL))
        {
          DpStageStats st;
          if (GPOINTER_TO_UINT (g_hash_table_lookup (reach, key)) != 1 || !dp_stage_peer_stats (stage, key, &st))
            continue;
          rows[i].seconds += st.seconds;
          rows[i].peak_mb = MAX (rows[i].peak_mb, st.peak_mb);
          g_string_append_printf (own, " %s", (const char *) key);
        }
      if (rows[i].report)
        dp_stage_info (stage, "%s: %.3f s, peak %.1f MB over its own stages:%s", rows[i].label,
                       rows[i].seconds, rows[i].peak_mb, own->len ? own->str : " (none known)");
    }
}

/* ------------------------------------------------------------------ */
/* rows */

static const DpTable *
compare_report_of (const Compare *c, const char *origin)
{
  for (guint i = 0; i < c->reports->len; i++)
    {
      const CompareReport *r = &g_array_index (c->reports, CompareReport, i);
      if (strcmp (r->origin, origin) == 0)
        return r->report;
    }
  return NULL;
}

static gboolean
compare_listed (const Compare *c, const char *origin)
{
  for (guint i = 0; i < c->stages->len; i++)
    if (strcmp (g_ptr_array_index (c->stages, i), origin) == 0)
      return TRUE;
  return FALSE;
}

/* The rows: the methods option's order, then unlisted reports in the
 * order the stage's inputs were written (arrival order outside a pipeline). */
static GArray *
compare_rows (Compare *c, DpStage *stage, GError **error)
{
  g_autoptr (GArray) rows = g_array_new (FALSE, TRUE, sizeof (CompareRow));
  g_array_set_clear_func (rows, compare_row_clear);
  for (guint i = 0; i < c->stages->len; i++)
    {
      const char *origin = g_ptr_array_index (c->stages, i);
      const char *label = g_ptr_array_index (c->labels, i);
      const DpTable *report = compare_report_of (c, origin);
      DpStageStats st;
      if (report == NULL && !dp_stage_peer_stats (stage, origin, &st))
        {
          g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_UNKNOWN_STAGE,
                       "option 'methods': no stage '%s' sent a report", origin);
          return NULL;
        }
      if (report == NULL)
        dp_stage_info (stage, "%s: stage '%s' sent no report", label, origin);
      compare_add_row (rows, label, origin, report);
    }
  g_auto (GStrv) inputs = dp_stage_peer_inputs (stage, dp_stage_name (stage));
  for (char **in = inputs; in && *in; in++)
    if (!compare_listed (c, *in) && compare_report_of (c, *in))
      compare_add_row (rows, *in, *in, compare_report_of (c, *in));
  for (guint i = 0; i < c->reports->len; i++)
    {
      const CompareReport *rep = &g_array_index (c->reports, CompareReport, i);
      gboolean have = FALSE;
      for (guint j = 0; j < rows->len; j++)
        have |= g_array_index (rows, CompareRow, j).report == rep->report;
      if (!have)
        compare_add_row (rows, rep->origin, rep->origin, rep->report);
    }
  return g_steal_pointer (&rows);
}

typedef struct {
  gint cls, f1, support;
} CompareCols;

static gboolean
compare_columns (const CompareRow *r, CompareCols *k, GError **error)
{
  const DpTable *t = r->report;
  k->cls = dp_table_find_column (t, "class");
  k->f1 = dp_table_find_column (t, "f1");
  k->support = dp_table_find_column (t, "support");
  if (k->cls < 0 || t->cols[k->cls].type != DP_COL_STRING || k->f1 < 0 || t->cols[k->f1].type != DP_COL_DOUBLE
      || k->support < 0 || t->cols[k->support].type != DP_COL_INT64)
    {
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT,
                   "report from '%s' (table '%s') needs class (text), f1 (double) and support "
                   "(integer) columns, as knn_classify writes", r->origin, t->name);
      return FALSE;
    }
  return TRUE;
}

static gint
compare_strcmp (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* Classes with support in some report, sorted. */
static GPtrArray *
compare_classes (const GArray *rows)
{
  GPtrArray *classes = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < rows->len; i++)
    {
      const CompareRow *r = &g_array_index (rows, CompareRow, i);
      CompareCols k;
      if (r->report == NULL || !compare_columns (r, &k, NULL))
        continue;
      for (guint j = 0; j < r->report->n_rows; j++)
        {
          const char *name = r->report->cols[k.cls].str[j];
          if (name && !eval_is_summary_row (name) && r->report->cols[k.support].i64[j] > 0
              && !g_ptr_array_find_with_equal_func (classes, name, g_str_equal, NULL))
            g_ptr_array_add (classes, g_strdup (name));
        }
    }
  g_ptr_array_sort (classes, compare_strcmp);
  return classes;
}

/* method, sources, accuracy, macro_f1, macro_f1_truth, then f1_<class> */
#define COMPARE_FIRST_CLASS 5

/* Fills row @out of @t from one report (NaN where it says nothing). */
static void
compare_fill (DpTable *t, guint out, const CompareRow *r, const CompareCols *k, GPtrArray *classes)
{
  guint nc = classes->len;
  for (guint c = 2; c < COMPARE_FIRST_CLASS + nc; c++)
    dp_table_set_f64 (t, c, out, NAN);
  for (guint j = 0; r->report && j < r->report->n_rows; j++)
    {
      const char *name = r->report->cols[k->cls].str[j];
      double f1 = r->report->cols[k->f1].f64[j];
      if (name == NULL)
        continue;
      if (strcmp (name, EVAL_ROW_ACCURACY) == 0)
        {
          dp_table_set_i64 (t, 1, out, r->report->cols[k->support].i64[j]);
          dp_table_set_f64 (t, 2, out, f1);
        }
      else if (strcmp (name, EVAL_ROW_MACRO) == 0)
        dp_table_set_f64 (t, 3, out, f1);
      else if (strcmp (name, EVAL_ROW_MACRO_TRUTH) == 0)
        dp_table_set_f64 (t, 4, out, f1);
      guint at;
      if (!eval_is_summary_row (name) && r->report->cols[k->support].i64[j] > 0
          && g_ptr_array_find_with_equal_func (classes, name, g_str_equal, &at))
        dp_table_set_f64 (t, COMPARE_FIRST_CLASS + at, out, f1);
    }
  dp_table_set_f64 (t, COMPARE_FIRST_CLASS + nc, out, r->seconds);
  dp_table_set_f64 (t, COMPARE_FIRST_CLASS + 1 + nc, out, r->peak_mb);
}

static DpTable *
compare_table (const GArray *rows, GError **error)
{
  g_autoptr (GPtrArray) classes = compare_classes (rows);
  g_autoptr (DpTable) t = dp_table_new ("comparison");
  dp_table_add_column (t, "method", DP_COL_STRING);
  dp_table_add_column (t, "sources", DP_COL_INT64);
  dp_table_add_column (t, "accuracy", DP_COL_DOUBLE);
  dp_table_add_column (t, "macro_f1", DP_COL_DOUBLE);
  dp_table_add_column (t, "macro_f1_truth", DP_COL_DOUBLE);
  g_autoptr (GString) name = g_string_new (NULL);
  for (guint i = 0; i < classes->len; i++)
    {
      g_string_printf (name, "f1_%s", (const char *) g_ptr_array_index (classes, i));
      dp_table_add_column (t, name->str, DP_COL_DOUBLE);
    }
  dp_table_add_column (t, "seconds", DP_COL_DOUBLE);
  dp_table_add_column (t, "peak_mb", DP_COL_DOUBLE);
  for (guint i = 0; i < rows->len; i++)
    {
      const CompareRow *r = &g_array_index (rows, CompareRow, i);
      CompareCols k = { -1, -1, -1 };
      if (r->report && !compare_columns (r, &k, error))
        return NULL;
      guint out = dp_table_append_row (t);
      dp_table_set_str (t, 0, out, r->label);
      compare_fill (t, out, r, &k, classes);
    }
  return g_steal_pointer (&t);
}

static gboolean
compare_finish (DpStage *stage, void *state, GError **error)
{
  Compare *c = state;
  GArray *rows = compare_rows (c, stage, error);
  if (rows == NULL)
    return FALSE;
  compare_branch_costs (stage, (CompareRow *) rows->data, rows->len);
  DpTable *t = compare_table (rows, error);
  g_array_unref (rows);
  if (t == NULL)
    return FALSE;
  dp_stage_count (stage, "methods", t->n_rows);
  dp_stage_push (stage, 0, t);
  return TRUE;
}

DP_PLUGIN_DEFINE (compare,
  .kind = DP_KIND_EVALUATOR,
  .summary = "Side-by-side table of several methods' k-NN reports, with each method's time and memory",
  .version = "1.0",
  .doc = "Takes the `report` tables of one `knn_classify` per method (any number, on the "
         "`reports` input) and writes one row per method: `sources` (labelled sources "
         "evaluated), `accuracy`, `macro_f1` (the report's `macro avg`, scikit-learn's, "
         "which also averages the `n.a.`/`unknown` rows when they are predicted, as the "
         "paper's tables do), `macro_f1_truth` (the report's `macro avg (ground-truth "
         "classes)`: the mean F1 of the classes that have labelled sources; NaN for a "
         "report without that row), "
         "`f1_<class>` for every class with support in some report (NaN where a method "
         "evaluated no source of that class), `seconds` and `peak_mb`.\n\n"
         "A row's label comes from `methods` (`label=stage`), else it is the name of the "
         "stage that sent the report.  `seconds` sums, and `peak_mb` takes the maximum of, "
         "the statistics of the method's own branch: the stages upstream of its report that "
         "are upstream of no other report (shared ones, such as the packet source and the "
         "ground truth, are left out; a lone report therefore counts its source too).  The "
         "stages of each branch are listed in the run log.  Peak memory is the process's "
         "resident peak while those stages ran, so it includes whatever other branches held "
         "at the time; it bounds the method's own need from above.  A method listed in "
         "`methods` whose stage sent no report (interrupted, failed) gets a row of NaN.",
  .inputs = compare_inputs,
  .n_inputs = DP_N_ELEMENTS (compare_inputs),
  .outputs = compare_outputs,
  .n_outputs = DP_N_ELEMENTS (compare_outputs),
  .options = compare_options,
  .n_options = DP_N_ELEMENTS (compare_options),
  .config_size = sizeof (CompareConfig),
  .check = compare_check,
  .init = compare_init,
  .process = compare_process,
  .finish = compare_finish,
  .finalize = compare_finalize)
