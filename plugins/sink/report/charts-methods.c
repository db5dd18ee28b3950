/* charts-methods.c — who is who: the comparison table, F1 per class per
 * method, and a confusion matrix per method. */
#include "config.h"

#include <math.h>
#include <string.h>
#include "report.h"
#include "../../common/eval.h"

#define METHODS_MAX_CLASSES 30      /* rows and columns of a confusion matrix */
#define METHODS_MAX_F1_CLASSES 40   /* the largest classes get an F1 bar */
/* the two macro F1s, named so that neither passes for the other */
#define METHODS_MACRO "macro F1, scikit-learn (all classes)"
#define METHODS_MACRO_TRUTH "macro F1, ground-truth classes"

/* The comparison table as it is, numbers formatted; the best accuracy row marked. */
static void
methods_comparison_html (GString *h, const DpTable *t)
{
  gint ca = report_col (t, "accuracy", DP_COL_DOUBLE);
  double best = -1;
  for (guint row = 0; ca >= 0 && row < t->n_rows; row++)
    best = isnan (t->cols[ca].f64[row]) ? best : MAX (best, t->cols[ca].f64[row]);
  char num[32];
  g_string_append (h, "<div style=\"overflow-x:auto\"><table class=\"data\"><thead><tr>");
  for (guint c = 0; c < t->n_cols; c++)
    {
      gboolean numeric = t->cols[c].type == DP_COL_INT64 || t->cols[c].type == DP_COL_DOUBLE;
      g_string_append_printf (h, "<th%s>", numeric ? " class=\"num\"" : "");
      report_esc (h, g_str_has_prefix (t->cols[c].name, "f1_") ? t->cols[c].name + 3 : t->cols[c].name);
      g_string_append (h, "</th>");
    }
  g_string_append (h, "</tr></thead><tbody>\n");
  g_autoptr (GString) cell = g_string_new (NULL);
  for (guint row = 0; row < t->n_rows; row++)
    {
      gboolean is_best = ca >= 0 && t->cols[ca].f64[row] == best;
      g_string_append_printf (h, "<tr%s>", is_best ? " class=\"best\"" : "");
      for (guint c = 0; c < t->n_cols; c++)
        {
          g_string_truncate (cell, 0);
          if (t->cols[c].type == DP_COL_DOUBLE)
            g_string_append (cell, report_fmt_ratio (t->cols[c].f64[row], 3, num));
          else if (t->cols[c].type == DP_COL_INT64)
            g_string_append (cell, report_fmt_int (t->cols[c].i64[row], num));
          else
            dp_table_format_cell (t, c, row, cell);
          gboolean numeric = t->cols[c].type == DP_COL_INT64 || t->cols[c].type == DP_COL_DOUBLE;
          g_string_append_printf (h, "<td%s>", c == 0 ? " class=\"name\"" : numeric ? " class=\"num\"" : "");
          report_esc (h, cell->str);
          g_string_append (h, "</td>");
        }
      g_string_append (h, "</tr>\n");
    }
  g_string_append (h, "</tbody></table></div>\n");
}

static void
methods_comparison (Report *r)
{
  const DpTable *t = report_table (r, REPORT_IN_COMPARISON, 0);
  if (t->n_rows == 0 || t->n_cols == 0)
    return;
  ReportChart *c = report_chart_add (r, "methods", "methods-comparison", "The methods side by side",
                                     "Accuracy and the two macro F1s of each method: scikit-learn's (the paper's), "
                                     "over every class that occurs, so predicted unknown and n.a. rows count as "
                                     "classes of F1 0, and the mean over the ground-truth classes only. The "
                                     "table below has F1 per class and what each method's own branch cost (the "
                                     "best accuracy highlighted).");
  gint cm = report_col (t, "method", DP_COL_STRING), ca = report_col (t, "accuracy", DP_COL_DOUBLE);
  gint cf = report_col (t, "macro_f1", DP_COL_DOUBLE), cg = report_col (t, "macro_f1_truth", DP_COL_DOUBLE);
  if (cm >= 0 && ca >= 0 && cf >= 0 && t->n_rows > 0)
    {
      static const char *const series[] = { "accuracy", METHODS_MACRO, METHODS_MACRO_TRUTH };
      guint ns = cg >= 0 ? 3 : 2;
      g_autofree double *v = g_new0 (double, ns * (gsize) t->n_rows);
      /* a missing method name is a cell like any other, not a NULL to draw */
      g_autofree const char **cats = g_new (const char *, t->n_rows);
      for (guint row = 0; row < t->n_rows; row++)
        {
          v[row] = t->cols[ca].f64[row];
          v[t->n_rows + row] = t->cols[cf].f64[row];
          if (cg >= 0)
            v[2 * t->n_rows + row] = t->cols[cg].f64[row];
          cats[row] = t->cols[cm].str[row] ? t->cols[cm].str[row] : "";
        }
      ReportHBars b = {
        .n_cat = t->n_rows, .n_series = ns, .cats = cats, .series = series,
        .values = v, .vmin = 0, .vmax = 1, .x_title = "score (0–1)", .digits = 3, .value_labels = TRUE,
      };
      report_svg_hbars (c->svg, &b, &c->width, &c->height);
    }
  c->html = g_string_new (NULL);
  methods_comparison_html (c->html, t);
}

/* Classes of the reports, by support in the first report that has them. */
static GPtrArray *
methods_classes (Report *r, GHashTable *support)
{
  GPtrArray *in = report_inputs (r, REPORT_IN_REPORT);
  GPtrArray *classes = g_ptr_array_new ();
  for (guint i = 0; i < in->len; i++)
    {
      const DpTable *t = report_table (r, REPORT_IN_REPORT, i);
      gint cc = report_col (t, "class", DP_COL_STRING), cs = dp_table_find_column (t, "support");
      for (guint row = 0; cc >= 0 && row < t->n_rows; row++)
        {
          const char *cls = t->cols[cc].str[row];
          double sup = report_cell_num (t, cs, row);
          if (eval_is_summary_row (cls) || !(sup > 0) || g_hash_table_contains (support, cls))
            continue;
          g_hash_table_insert (support, (gpointer) cls, GINT_TO_POINTER ((gint) sup));
          g_ptr_array_add (classes, (gpointer) cls);
        }
    }
  return classes;
}

static gint
methods_cmp_support (gconstpointer a, gconstpointer b, gpointer data)
{
  const char *x = *(const char *const *) a, *y = *(const char *const *) b;
  gint sx = GPOINTER_TO_INT (g_hash_table_lookup (data, x)), sy = GPOINTER_TO_INT (g_hash_table_lookup (data, y));
  return sx != sy ? (sx > sy ? -1 : 1) : strcmp (x, y);
}

static void
methods_f1 (Report *r)
{
  GPtrArray *in = report_inputs (r, REPORT_IN_REPORT);
  g_autoptr (GHashTable) support = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GPtrArray) classes = methods_classes (r, support);
  if (classes->len == 0)
    return;
  g_ptr_array_sort_with_data (classes, methods_cmp_support, support);
  guint nc = MIN (classes->len, (guint) METHODS_MAX_F1_CLASSES), nm = in->len;
  g_autofree double *v = g_new (double, (gsize) nc * nm);
  g_autoptr (GPtrArray) methods = g_ptr_array_new ();
  g_autoptr (GPtrArray) notes = g_ptr_array_new_with_free_func (g_free);
  for (guint m = 0; m < nm; m++)
    {
      const DpTable *t = report_table (r, REPORT_IN_REPORT, m);
      gint cc = report_col (t, "class", DP_COL_STRING), cf = dp_table_find_column (t, "f1");
      g_ptr_array_add (methods, (gpointer) report_origin (r, REPORT_IN_REPORT, m));
      for (guint k = 0; k < nc; k++)
        {
          v[(gsize) m * nc + k] = NAN;
          for (guint row = 0; cc >= 0 && row < t->n_rows; row++)
            if (g_strcmp0 (t->cols[cc].str[row], g_ptr_array_index (classes, k)) == 0)
              v[(gsize) m * nc + k] = report_cell_num (t, cf, row);
        }
    }
  char num[32];
  for (guint k = 0; k < nc; k++)
    g_ptr_array_add (notes, g_strdup_printf ("n = %s", report_fmt_int (GPOINTER_TO_INT (g_hash_table_lookup (support, g_ptr_array_index (classes, k))), num)));
  ReportChart *c = report_chart_add (r, "methods", "methods-f1", "F1 per class",
                                     "F1 score of every ground-truth class (n: its labelled senders), one bar per "
                                     "method; classes by size (at most 40).");
  ReportHBars b = {
    .n_cat = nc, .n_series = nm, .cats = (const char *const *) classes->pdata,
    .series = (const char *const *) methods->pdata, .notes = (const char *const *) notes->pdata,
    .values = v, .vmin = 0, .vmax = 1, .x_title = "F1 (0–1)", .digits = 3, .value_labels = nm == 1,
  };
  report_svg_hbars (c->svg, &b, &c->width, &c->height);
}

static void
methods_confusion_one (Report *r, guint m)
{
  const DpTable *t = report_table (r, REPORT_IN_PREDICTIONS, m);
  gint cl = report_col (t, "label", DP_COL_STRING), cp = report_col (t, "predicted", DP_COL_STRING);
  if (cl < 0 || cp < 0 || t->n_rows == 0)
    return;
  g_autoptr (GHashTable) count = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GPtrArray) classes = g_ptr_array_new ();
  for (guint row = 0; row < t->n_rows; row++)
    for (gint side = 0; side < 2; side++)
      {
        const char *s = t->cols[side ? cp : cl].str[row];
        s = s ? s : "";
        if (!g_hash_table_contains (count, s))
          g_ptr_array_add (classes, (gpointer) s);
        g_hash_table_insert (count, (gpointer) s, GINT_TO_POINTER (GPOINTER_TO_INT (g_hash_table_lookup (count, s)) + (side == 0)));
      }
  g_ptr_array_sort_with_data (classes, methods_cmp_support, count);
  if (classes->len > METHODS_MAX_CLASSES)
    {
      /* the rest (by support) share one row and one column */
      g_ptr_array_set_size (classes, METHODS_MAX_CLASSES - 1);
      g_ptr_array_add (classes, "(other classes)");
    }
  guint n = classes->len;
  g_autoptr (GHashTable) ix = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < n; i++)
    g_hash_table_insert (ix, g_ptr_array_index (classes, i), GUINT_TO_POINTER (i + 1));
  g_autofree double *v = g_new0 (double, (gsize) n * n);
  g_autofree double *shade = g_new0 (double, (gsize) n * n);
  for (guint row = 0; row < t->n_rows; row++)
    {
      const char *a = t->cols[cl].str[row], *b = t->cols[cp].str[row];
      guint i = GPOINTER_TO_UINT (g_hash_table_lookup (ix, a ? a : "")), j = GPOINTER_TO_UINT (g_hash_table_lookup (ix, b ? b : ""));
      i = i ? i - 1 : n - 1;
      j = j ? j - 1 : n - 1;
      v[(gsize) i * n + j] += 1;
    }
  /* rows with no true member (predicted-only classes) stay empty */
  guint rows = 0;
  for (guint i = 0; i < n; i++)
    {
      double sum = 0;
      for (guint j = 0; j < n; j++)
        sum += v[(gsize) i * n + j];
      for (guint j = 0; j < n; j++)
        shade[(gsize) i * n + j] = sum > 0 ? v[(gsize) i * n + j] / sum : 0;
      rows += sum > 0;
    }
  const char *method = report_origin (r, REPORT_IN_PREDICTIONS, m);
  g_autofree char *id = g_strdup_printf ("methods-confusion-%u", m + 1);
  g_autofree char *title = g_strdup_printf ("Confusion matrix: %s", method);
  ReportChart *c = report_chart_add (r, "methods", id, title,
                                     "Rows: ground-truth label; columns: predicted label; cells count senders, "
                                     "colour is the share of the row. The diagonal is right.");
  ReportHeat hm = {
    .n_rows = rows, .n_cols = n, .rows = (const char *const *) classes->pdata,
    .cols = (const char *const *) classes->pdata, .values = v, .shade = shade, .cell_text = TRUE,
    .unit = "senders", .legend = "share of the true class", .rotate_cols = TRUE, .cell_h = 20,
    .row_title = "true label", .col_title = "predicted label",
  };
  report_svg_heat (c->svg, &hm, &c->width, &c->height);
}

typedef struct {
  const char *cls;
  double f1;
  gint64 support;
} MethodsClass;

static gint
methods_cmp_f1 (gconstpointer a, gconstpointer b)
{
  const MethodsClass *x = a, *y = b;
  return x->f1 != y->f1 ? (x->f1 < y->f1 ? -1 : 1) : (x->support > y->support ? -1 : x->support < y->support);
}

/* Per method: its accuracy and the two hardest classes of 5 or more senders. */
static void
methods_findings (Report *r)
{
  GPtrArray *in = report_inputs (r, REPORT_IN_REPORT);
  for (guint m = 0; in && m < in->len && m < 3; m++)
    {
      const DpTable *t = report_table (r, REPORT_IN_REPORT, m);
      gint cc = report_col (t, "class", DP_COL_STRING), cf = dp_table_find_column (t, "f1"), cs = dp_table_find_column (t, "support");
      g_autoptr (GArray) cls = g_array_new (FALSE, FALSE, sizeof (MethodsClass));
      double acc = NAN, macro = NAN, truth = NAN;
      guint n_classes = 0, n_truth = 0;
      for (guint row = 0; cc >= 0 && row < t->n_rows; row++)
        {
          MethodsClass c = { t->cols[cc].str[row], report_cell_num (t, cf, row), (gint64) report_cell_num (t, cs, row) };
          if (!eval_is_summary_row (c.cls))
            {
              n_classes++;
              n_truth += c.support > 0 && g_strcmp0 (c.cls, "unknown") != 0;
            }
          if (g_strcmp0 (c.cls, EVAL_ROW_ACCURACY) == 0)
            acc = c.f1;
          else if (g_strcmp0 (c.cls, EVAL_ROW_MACRO) == 0)
            macro = c.f1;
          else if (g_strcmp0 (c.cls, EVAL_ROW_MACRO_TRUTH) == 0)
            truth = c.f1;
          else if (!eval_is_summary_row (c.cls) && c.support >= 5 && !isnan (c.f1))
            g_array_append_val (cls, c);
        }
      g_array_sort (cls, methods_cmp_f1);
      g_autoptr (GString) hard = g_string_new (NULL);
      for (guint k = 0; k < MIN (cls->len, 2u); k++)
        {
          const MethodsClass *c = &g_array_index (cls, MethodsClass, k);
          g_string_append_printf (hard, "%s%s (F1 %.2f, %" G_GINT64_FORMAT " senders)", k ? " and " : "", c->cls, c->f1, c->support);
        }
      /* both macro F1s, each saying what it averages */
      g_autoptr (GString) f1s = g_string_new (NULL);
      char num[32];
      if (!isnan (macro))
        g_string_append_printf (f1s, "; macro F1 %s over all %u classes (scikit-learn's, the paper's: "
                                "predicted unknown and n.a. count as classes)", report_fmt_ratio (macro, 3, num), n_classes);
      if (!isnan (truth))
        g_string_append_printf (f1s, "; macro F1 %s over the %u ground-truth classes", report_fmt_ratio (truth, 3, num), n_truth);
      report_finding (r, "%s: accuracy %s%s%s%s.", report_origin (r, REPORT_IN_REPORT, m), report_fmt_ratio (acc, 3, num),
                      f1s->str, hard->len ? "; hardest classes " : "", hard->str);
    }
}

void
report_charts_methods (Report *r)
{
  methods_findings (r);
  if (report_inputs (r, REPORT_IN_COMPARISON))
    methods_comparison (r);
  if (report_inputs (r, REPORT_IN_REPORT))
    methods_f1 (r);
  GPtrArray *pred = report_inputs (r, REPORT_IN_PREDICTIONS);
  for (guint m = 0; pred && m < pred->len; m++)
    methods_confusion_one (r, m);
}
