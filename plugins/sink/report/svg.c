/* svg.c — the report's drawing primitives: escaping, number formats,
 * axes, stacked bars, horizontal bars, heat maps, scatter plots.
 *
 * Everything is written with presentation attributes and fixed viewBox
 * coordinates; the page scales the figures to its width.  Every mark
 * carries a <title> so a browser shows the exact number on hover. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "report.h"

/* Okabe-Ito (colour-blind safe) first, then the Tableau 10 hues that are
 * not already there, then lighter variants for long label lists. */
const char *const report_palette[REPORT_N_PALETTE] = {
  "#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#000000",
  "#8c564b", "#9467bd", "#17becf", "#bcbd22", "#7f7f7f", "#393b79", "#ff9896", "#98df8a",
  "#c5b0d5", "#c49c94", "#f7b6d2", "#dbdb8d",
};

#define REPORT_W 960
#define REPORT_INK "#333333"
#define REPORT_GRID "#e6e6e6"
#define REPORT_AXIS "#999999"

/* Table strings come from files and may hold any bytes: repair them first
 * so the page stays well-formed XML. */
void
report_esc (GString *out, const char *text)
{
  g_autofree char *valid = NULL;
  if (text == NULL)
    text = "";
  else if (!g_utf8_validate (text, -1, NULL))
    text = valid = g_utf8_make_valid (text, -1);
  for (const char *p = text; *p; p++)
    switch (*p)
      {
      case '&': g_string_append (out, "&amp;"); break;
      case '<': g_string_append (out, "&lt;"); break;
      case '>': g_string_append (out, "&gt;"); break;
      case '"': g_string_append (out, "&quot;"); break;
      case '\'': g_string_append (out, "&#39;"); break;
      default:
        /* XML 1.0 forbids most control characters even as references */
        if ((guchar) *p >= 0x20 || *p == '\n' || *p == '\t')
          g_string_append_c (out, *p);
      }
}

void
report_esc_printf (GString *out, const char *format, ...)
{
  va_list ap;
  va_start (ap, format);
  g_autofree char *text = g_strdup_vprintf (format, ap);
  va_end (ap);
  report_esc (out, text);
}

/* g_utf8_strlen trusts its input: an invalid lead byte before the end
 * would make it step past the terminator. */
glong
report_text_len (const char *text)
{
  if (text == NULL)
    return 0;
  if (g_utf8_validate (text, -1, NULL))
    return g_utf8_strlen (text, -1);
  g_autofree char *valid = g_utf8_make_valid (text, -1);
  return g_utf8_strlen (valid, -1);
}

const char *
report_fmt_si (double v, char buf[static 32])
{
  double a = fabs (v);
  if (isnan (v))
    g_snprintf (buf, 32, "–");
  else if (a >= 1e9)
    g_snprintf (buf, 32, a >= 1e10 ? "%.0fG" : "%.1fG", v / 1e9);
  else if (a >= 1e6)
    g_snprintf (buf, 32, a >= 1e7 ? "%.0fM" : "%.1fM", v / 1e6);
  else if (a >= 1e3)
    g_snprintf (buf, 32, a >= 1e4 ? "%.0fk" : "%.1fk", v / 1e3);
  else if (a == floor (a))
    g_snprintf (buf, 32, "%.0f", v);
  else
    g_snprintf (buf, 32, a >= 10 ? "%.1f" : "%.2f", v);
  return buf;
}

const char *
report_fmt_int (gint64 v, char buf[static 32])
{
  char digits[32];
  g_snprintf (digits, sizeof digits, "%" G_GUINT64_FORMAT, v < 0 ? (guint64) -(v + 1) + 1 : (guint64) v);
  gsize n = strlen (digits), o = 0;
  if (v < 0)
    buf[o++] = '-';
  for (gsize i = 0; i < n; i++)
    {
      if (i > 0 && (n - i) % 3 == 0)
        buf[o++] = ',';
      buf[o++] = digits[i];
    }
  buf[o] = '\0';
  return buf;
}

const char *
report_fmt_ratio (double v, int digits, char buf[static 32])
{
  if (isnan (v))
    g_snprintf (buf, 32, "–");
  else
    g_snprintf (buf, 32, "%.*f", digits, v);
  return buf;
}

const char *
report_ramp (double t, char buf[static 8])
{
  /* light grey-blue to deep blue, perceptually even enough for counts */
  static const guint8 stops[][3] = {
    { 0xf2, 0xf6, 0xfb }, { 0xc6, 0xdb, 0xef }, { 0x6b, 0xae, 0xd6 }, { 0x21, 0x71, 0xb5 }, { 0x08, 0x30, 0x6b },
  };
  const guint n = G_N_ELEMENTS (stops) - 1;
  t = isnan (t) ? 0 : CLAMP (t, 0.0, 1.0);
  guint i = MIN ((guint) (t * n), n - 1);
  double f = t * n - i;
  guint8 c[3];
  for (guint k = 0; k < 3; k++)
    c[k] = (guint8) lround (stops[i][k] + f * (stops[i + 1][k] - stops[i][k]));
  g_snprintf (buf, 8, "#%02x%02x%02x", c[0], c[1], c[2]);
  return buf;
}

static void
report_text (GString *s, double x, double y, const char *anchor, const char *extra, const char *text)
{
  g_string_append_printf (s, "<text x=\"%.1f\" y=\"%.1f\"", x, y);
  if (anchor)
    g_string_append_printf (s, " text-anchor=\"%s\"", anchor);
  if (extra)
    g_string_append_printf (s, " %s", extra);
  g_string_append_c (s, '>');
  report_esc (s, text);
  g_string_append (s, "</text>\n");
}

/* Legend items in rows across the top; returns the height used. */
static double
report_legend (GString *s, double x0, double y0, double width, guint n, const char *const *names,
               const char *const *colours)
{
  double x = x0, y = y0;
  for (guint i = 0; i < n; i++)
    {
      double w = 22 + 6.6 * report_text_len (names[i]) + 14;
      if (x + w > x0 + width && x > x0)
        {
          x = x0;
          y += 18;
        }
      g_string_append_printf (s, "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"12\" rx=\"2\" fill=\"%s\"/>\n",
                              x, y - 10, colours ? colours[i] : report_palette[i % REPORT_N_PALETTE]);
      report_text (s, x + 17, y, NULL, NULL, names[i]);
      x += w;
    }
  return n ? y - y0 + 18 : 0;
}

/* Horizontal grid lines every @step up to @vmax, value labels on the left. */
static void
report_y_axis (GString *s, double x0, double x1, double y_top, double y_bottom, double vmax, double step,
               const char *title)
{
  char buf[32];
  for (guint i = 0; i * step <= vmax * 1.0001; i++)
    {
      double v = i * step, y = y_bottom - (y_bottom - y_top) * v / vmax;
      g_string_append_printf (s, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>\n",
                              x0, x1, y, y, v == 0 ? REPORT_AXIS : REPORT_GRID);
      report_text (s, x0 - 6, y + 4, "end", "fill=\"#666666\"", report_fmt_si (v, buf));
    }
  if (title)
    {
      g_autofree char *attr = g_strdup_printf ("transform=\"rotate(-90 %.1f %.1f)\" fill=\"#555555\"",
                                               x0 - 52, (y_top + y_bottom) / 2);
      report_text (s, x0 - 52, (y_top + y_bottom) / 2, "middle", attr, title);
    }
}

/* x of time @t on a time axis from @t0 to @t1 drawn from @left, @width wide. */
static double
report_time_x (double t, double t0, double t1, double left, double width)
{
  return left + width * (t - t0) / (t1 - t0);
}

/* Ticks and labels of a time axis under a plot (@top to @bottom): times of
 * day in a first row, dates at day changes in a second row with a dashed
 * line across the plot.  Returns the height used below @bottom. */
static double
report_time_axis (GString *s, double left, double width, double top, double bottom, double t0, double t1)
{
  g_autoptr (GArray) marks = report_time_marks (t0, t1, width);
  gboolean dates = FALSE;
  for (guint i = 0; i < marks->len; i++)
    {
      const ReportTimeMark *m = &g_array_index (marks, ReportTimeMark, i);
      double x = report_time_x (m->t, t0, t1, left, width);
      /* a label that would run off the figure moves left to fit */
      double half = 3.4 * strlen (m->label);
      if (!m->date)
        {
          g_string_append_printf (s, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>\n",
                                  x, x, bottom, bottom + 4, REPORT_AXIS);
          report_text (s, MIN (x, REPORT_W - 2 - half), bottom + 17, "middle", "fill=\"#666666\"", m->label);
          continue;
        }
      dates = TRUE;
      if (m->t > t0)
        g_string_append_printf (s, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                                "stroke-dasharray=\"3 3\"/>\n", x, x, top, bottom + 22, REPORT_AXIS);
      report_text (s, MIN (x + 3, REPORT_W - 2 - 2 * half), bottom + 33, NULL,
                   "fill=\"#444444\" font-weight=\"600\" font-size=\"11\"", m->label);
    }
  return dates ? 38 : 22;
}

/* Grey bands over the stretches of [t0, t1] that no item (@times, each
 * @span seconds, increasing) covers, each with its dates in a tooltip. */
static void
report_time_gaps (GString *s, double left, double width, double top, double bottom, double t0, double t1,
                  const double *times, guint n, double span)
{
  char d[32];
  for (guint i = 0; i + 1 < n; i++)
    {
      double g0 = times[i] + span, g1 = times[i + 1];
      if (g1 - g0 < span * 0.5)
        continue;
      double x0 = report_time_x (g0, t0, t1, left, width), x1 = report_time_x (g1, t0, t1, left, width);
      g_autoptr (GDateTime) da = g_date_time_new_from_unix_utc ((gint64) floor (g0));
      g_autoptr (GDateTime) db = g_date_time_new_from_unix_utc ((gint64) floor (g1));
      g_autofree char *ta = da ? g_date_time_format (da, "%Y-%m-%d %H:%M") : g_strdup ("?");
      g_autofree char *tb = db ? g_date_time_format (db, "%Y-%m-%d %H:%M") : g_strdup ("?");
      g_string_append_printf (s, "<rect x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%.1f\" fill=\"#f1f1f1\">"
                              "<title>", x0, top, MAX (x1 - x0, 0.5), bottom - top);
      report_esc_printf (s, "no data from %s to %s UTC (%s)", ta, tb, report_fmt_duration (g1 - g0, d));
      g_string_append (s, "</title></rect>\n");
      if (x1 - x0 >= 44)
        report_text (s, (x0 + x1) / 2, top + 14, "middle", "fill=\"#9a9a9a\" font-size=\"11\"", "no data");
    }
}

/* The tallest stack (0 when none). */
static double
report_bars_max (const ReportBars *b)
{
  double vmax = 0;
  for (guint x = 0; x < b->n_x; x++)
    {
      double sum = 0;
      for (guint k = 0; k < b->n_series; k++)
        {
          double v = b->values[(gsize) k * b->n_x + x];
          sum += !isfinite (v) || v < 0 ? 0 : v;
        }
      vmax = MAX (vmax, sum);
    }
  return vmax;
}

/* A count as text: whole ones with thousands separators, means (a long
 * run's merged windows) with their decimals, never rounded to 0. */
static const char *
report_fmt_count (double v, char buf[static 32])
{
  return v == floor (v) && fabs (v) < 9e15 ? report_fmt_int ((gint64) v, buf) : report_fmt_mean (v, buf);
}

static void
report_bar_rect (GString *s, const ReportBars *b, guint k, guint x, double bx, double bw, double y, double h)
{
  char num[32];
  const char *colour = b->colours ? b->colours[k] : report_palette[k % REPORT_N_PALETTE];
  const char *tip = b->x_tips ? b->x_tips[x] : b->x_labels ? b->x_labels[x] : "";
  double v = b->values[(gsize) k * b->n_x + x];
  g_string_append_printf (s, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"%s\">",
                          bx, y, bw, h, colour);
  g_string_append (s, "<title>");
  if (b->n_series > 1)
    report_esc_printf (s, "%s — %s: %s %s", tip, b->series[k], report_fmt_count (v, num), b->unit ? b->unit : "");
  else
    report_esc_printf (s, "%s: %s %s", tip, report_fmt_count (v, num), b->unit ? b->unit : "");
  g_string_append (s, "</title></rect>\n");
}

/* x and width of bar @x: its slot side by side, or its time span. */
static void
report_bar_place (const ReportBars *b, guint x, double left, double plot_w, double *bx, double *bw)
{
  if (b->x_times == NULL)
    {
      double slot = b->n_x ? plot_w / b->n_x : plot_w;
      *bw = slot > 6 ? slot * 0.82 : slot;
      *bx = left + x * slot + (slot - *bw) / 2;
      return;
    }
  double x0 = report_time_x (b->x_times[x], b->t0, b->t1, left, plot_w);
  double x1 = report_time_x (b->x_times[x] + b->x_width, b->t0, b->t1, left, plot_w);
  /* a thin gap between neighbours when there is room; never narrower than 1.5 px */
  double w = x1 - x0 > 6 ? (x1 - x0) * 0.86 : x1 - x0;
  *bw = MAX (w, 1.5);
  *bx = x0 + (x1 - x0 - *bw) / 2;
}

void
report_svg_bars (GString *s, const ReportBars *b, guint *w, guint *h)
{
  const double left = 76, right = 16, plot_h = 260;
  double top = 8 + (b->n_series > 1 ? report_legend (s, left, 18, REPORT_W - left - right, b->n_series, b->series, b->colours) : 0) + 12;
  double bottom = top + plot_h, plot_w = REPORT_W - left - right;
  /* every bar chart counts something: whole-number steps */
  double max = report_bars_max (b), step = report_axis_step (max, 5, TRUE), vmax = report_axis_top (max, 5, TRUE);
  gboolean timed = b->x_times && b->t1 > b->t0;
  if (timed)
    report_time_gaps (s, left, plot_w, top, bottom, b->t0, b->t1, b->x_times, b->n_x, b->x_width);
  report_y_axis (s, left, REPORT_W - right, top, bottom, vmax, step, b->y_title);
  guint every = b->label_every ? b->label_every : MAX (1u, (guint) ceil (b->n_x / 12.0));
  for (guint x = 0; x < b->n_x; x++)
    {
      double bx, bw, y = bottom;
      report_bar_place (b, x, left, plot_w, &bx, &bw);
      for (guint k = 0; k < b->n_series; k++)
        {
          double v = b->values[(gsize) k * b->n_x + x];
          if (!isfinite (v) || v <= 0)
            continue;
          double hh = plot_h * v / vmax;
          y -= hh;
          report_bar_rect (s, b, k, x, bx, bw, y, hh);
        }
      if (!timed && b->x_labels && x % every == 0)
        {
          g_string_append_printf (s, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>\n",
                                  bx + bw / 2, bx + bw / 2, bottom, bottom + 4, REPORT_AXIS);
          report_text (s, bx + bw / 2, bottom + 17, "middle", "fill=\"#666666\"", b->x_labels[x]);
        }
    }
  double below = timed ? report_time_axis (s, left, plot_w, top, bottom, b->t0, b->t1) : 22;
  if (b->x_title)
    report_text (s, left + plot_w / 2, bottom + below + 18, "middle", "fill=\"#555555\"", b->x_title);
  *w = REPORT_W;
  *h = (guint) ceil (bottom + below + 28);
}

/* ------------------------------------------------------------------ */

static void
report_hbar_one (GString *s, const ReportHBars *b, guint k, guint c, double x0, double scale, double y, double bh)
{
  char num[32];
  double v = b->values[(gsize) k * b->n_cat + c];
  if (!isfinite (v))
    return;
  const char *colour = b->colours ? b->colours[k] : report_palette[k % REPORT_N_PALETTE];
  if (b->colour_sign && b->n_series == 1)
    colour = v < 0 ? "#D55E00" : "#0072B2";
  double xa = x0 + scale * (MIN (v, 0.0) - MIN (b->vmin, 0.0));
  double len = fabs (v) * scale;
  g_string_append_printf (s, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"%s\"><title>",
                          xa, y, MAX (len, 0.5), bh, colour);
  const char *text = b->counts ? report_fmt_count (v, num) : report_fmt_ratio (v, b->digits, num);
  if (b->n_series > 1)
    report_esc_printf (s, "%s — %s: %s", b->cats[c], b->series[k], text);
  else
    report_esc_printf (s, "%s: %s", b->cats[c], text);
  g_string_append (s, "</title></rect>\n");
  if (b->value_labels)
    report_text (s, xa + len + 4, y + bh / 2 + 4, NULL, "font-size=\"10\" fill=\"#555555\"", text);
}

void
report_svg_hbars (GString *s, const ReportHBars *b, guint *w, guint *h)
{
  guint longest = 4;
  for (guint c = 0; c < b->n_cat; c++)
    longest = MAX (longest, (guint) report_text_len (b->cats[c]));
  const double left = MIN (16 + 6.8 * longest, 300.0), right = b->notes ? 110 : 50;
  double top = 8 + (b->n_series > 1 ? report_legend (s, left, 18, REPORT_W - left - right, b->n_series, b->series, b->colours) : 0) + 22;
  double bh = b->n_series > 1 ? 9 : 14, group = bh * b->n_series + 8;
  double plot_w = REPORT_W - left - right, span = b->vmax - MIN (b->vmin, 0.0);
  double scale = span > 0 ? plot_w / span : 1, bottom = top + group * b->n_cat;
  char num[32];
  double step = report_axis_step (span, 5, b->counts);
  for (double v = ceil (MIN (b->vmin, 0.0) / step) * step; v <= b->vmax + step * 1e-6; v += step)
    {
      double x = left + scale * (v - MIN (b->vmin, 0.0));
      g_string_append_printf (s, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>\n",
                              x, x, top - 4, bottom, fabs (v) < step * 1e-6 ? REPORT_AXIS : REPORT_GRID);
      report_text (s, x, top - 8, "middle", "fill=\"#666666\" font-size=\"11\"",
                   b->counts ? report_fmt_si (v, num) : report_fmt_ratio (v, step < 0.1 ? 2 : step < 1 ? 1 : 0, num));
    }
  for (guint c = 0; c < b->n_cat; c++)
    {
      double y = top + group * c + 4;
      report_text (s, left - 8, y + bh * b->n_series / 2 + 4, "end", NULL, b->cats[c]);
      for (guint k = 0; k < b->n_series; k++)
        report_hbar_one (s, b, k, c, left, scale, y + k * bh, bh - 1);
      if (b->notes && b->notes[c])
        report_text (s, REPORT_W - 8, y + bh * b->n_series / 2 + 4, "end", "fill=\"#888888\" font-size=\"11\"", b->notes[c]);
    }
  if (b->x_title)
    report_text (s, left + plot_w / 2, bottom + 24, "middle", "fill=\"#555555\"", b->x_title);
  *w = REPORT_W;
  *h = (guint) ceil (bottom + 36);
}

/* ------------------------------------------------------------------ */

static double
report_heat_shade (const ReportHeat *hm, gsize i, double vmax)
{
  if (hm->shade)
    return hm->shade[i];
  double v = hm->values[i];
  if (!isfinite (v) || !isfinite (vmax) || vmax <= 0)
    return 0;
  return hm->log_shade ? log1p (v) / log1p (vmax) : v / vmax;
}

static void
report_heat_cell (GString *s, const ReportHeat *hm, guint r, guint c, double x, double y, double cw, double ch, double vmax)
{
  gsize i = (gsize) r * hm->n_cols + c;
  double v = hm->values[i];
  char col[8], num[32];
  if (!isfinite (v))
    {
      /* keeps the grid readable where a value is absent */
      g_string_append_printf (s, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"#fafafa\"/>\n",
                              x, y, cw - 1, ch - 1);
      return;
    }
  double t = report_heat_shade (hm, i, vmax);
  const char *text = hm->digits ? report_fmt_ratio (v, hm->digits, num) : report_fmt_si (v, num);
  if (hm->digits && v > 0 && v < pow (10, -hm->digits))
    text = hm->digits == 2 ? "<0.01" : "<0.1";
  g_string_append_printf (s, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"%s\"><title>",
                          x, y, cw - 1, ch - 1, report_ramp (t, col));
  report_esc_printf (s, "%s → %s: %s %s", hm->rows[r], hm->col_tips ? hm->col_tips[c] : hm->cols[c], text,
                     hm->unit ? hm->unit : "");
  g_string_append (s, "</title></rect>\n");
  if (hm->cell_text && v != 0)
    {
      g_autofree char *attr = g_strdup_printf ("font-size=\"10\" fill=\"%s\"", t > 0.55 ? "#ffffff" : "#333333");
      report_text (s, x + cw / 2 - 0.5, y + ch / 2 + 3.5, "middle", attr, text);
    }
}

static void
report_heat_legend (GString *s, const ReportHeat *hm, double x, double y, double vmax)
{
  char col[8], num[32];
  for (guint i = 0; i < 10; i++)
    g_string_append_printf (s, "<rect x=\"%.1f\" y=\"%.1f\" width=\"16\" height=\"10\" fill=\"%s\"/>\n",
                            x + 16 * i, y, report_ramp (i / 9.0, col));
  report_text (s, x, y + 24, NULL, "font-size=\"10\" fill=\"#666666\"", "0");
  const char *hi = hm->shade ? "1" : hm->digits ? report_fmt_ratio (vmax, hm->digits, num) : report_fmt_si (vmax, num);
  report_text (s, x + 160, y + 24, "end", "font-size=\"10\" fill=\"#666666\"", hi);
  if (hm->legend)
    report_text (s, x + 170, y + 9, NULL, "font-size=\"11\" fill=\"#555555\"", hm->legend);
}

void
report_svg_heat (GString *s, const ReportHeat *hm, guint *w, guint *h)
{
  guint longest = 4, longest_col = 2;
  for (guint r = 0; r < hm->n_rows; r++)
    longest = MAX (longest, (guint) report_text_len (hm->rows[r]));
  for (guint c = 0; c < hm->n_cols; c++)
    longest_col = MAX (longest_col, (guint) report_text_len (hm->cols[c]));
  double left = MIN (14 + 6.6 * longest, 280.0);
  if (hm->row_title)
    left = MAX (left, MIN (16 + 7.0 * report_text_len (hm->row_title), 280.0));
  double avail = REPORT_W - left - (hm->rotate_cols ? 60 : 16);   /* rotated names lean right */
  gboolean timed = hm->col_times && hm->t1 > hm->t0;
  double cw = hm->cell_w ? hm->cell_w : MIN (48.0, hm->n_cols ? avail / hm->n_cols : avail);
  double ch = hm->cell_h ? hm->cell_h : 20;
  double head = timed ? 0 : hm->rotate_cols ? 12 + 5.6 * MIN (longest_col, 24u) : 24;
  double top = 44 + head, vmax = 0;
  for (gsize i = 0; i < (gsize) hm->n_rows * hm->n_cols; i++)
    if (isfinite (hm->values[i]))
      vmax = MAX (vmax, hm->values[i]);
  report_heat_legend (s, hm, left, 12, vmax);
  guint every = hm->label_every ? hm->label_every : 1;
  for (guint c = 0; !timed && c < hm->n_cols; c += every)
    {
      double x = left + cw * c + cw / 2;
      if (hm->rotate_cols)
        {
          g_autofree char *attr = g_strdup_printf ("transform=\"rotate(-45 %.1f %.1f)\" font-size=\"11\" fill=\"#555555\"", x, top - 6);
          report_text (s, x, top - 6, NULL, attr, hm->cols[c]);
        }
      else
        report_text (s, x, top - 6, "middle", "font-size=\"11\" fill=\"#555555\"", hm->cols[c]);
    }
  double bottom = top + ch * hm->n_rows, width = timed ? avail : cw * hm->n_cols;
  if (timed)
    report_time_gaps (s, left, avail, top, bottom, hm->t0, hm->t1, hm->col_times, hm->n_cols, hm->col_width);
  for (guint r = 0; r < hm->n_rows; r++)
    {
      double y = top + ch * r;
      report_text (s, left - 6, y + ch / 2 + 4, "end", "font-size=\"11\"", hm->rows[r]);
      for (guint c = 0; c < hm->n_cols; c++)
        {
          if (!timed)
            {
              report_heat_cell (s, hm, r, c, left + cw * c, y, cw, ch, vmax);
              continue;
            }
          /* cells at their time; one pixel apart only where they are wide */
          double x0 = report_time_x (hm->col_times[c], hm->t0, hm->t1, left, avail);
          double px = report_time_x (hm->col_times[c] + hm->col_width, hm->t0, hm->t1, left, avail) - x0;
          report_heat_cell (s, hm, r, c, x0, y, px > 3 ? px : MAX (px, 1.5) + 1, ch, vmax);
        }
    }
  double below = timed ? report_time_axis (s, left, avail, top, bottom, hm->t0, hm->t1) : 0;
  if (hm->col_title)
    report_text (s, left + width / 2, bottom + below + 22, "middle", "fill=\"#555555\"", hm->col_title);
  if (hm->row_title)
    report_text (s, 8, top - 6, NULL, "fill=\"#555555\" font-weight=\"600\"", hm->row_title);
  bottom += below;
  *w = REPORT_W;
  *h = (guint) ceil (bottom + 34);
}

/* ------------------------------------------------------------------ */

static int
report_cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

/* Axis range from the 1st to the 99th percentile (padded), so a few far
 * outliers do not squeeze the mass of points into a corner. */
static void
report_range (const double *v, guint n, double *lo, double *hi)
{
  g_autofree double *s = g_new (double, n + 1);
  guint m = 0;
  for (guint i = 0; i < n; i++)
    if (isfinite (v[i]))
      s[m++] = v[i];
  if (m == 0)
    {
      *lo = 0, *hi = 1;
      return;
    }
  qsort (s, m, sizeof (double), report_cmp_double);
  *lo = s[(gsize) floor (0.01 * (m - 1))];
  *hi = s[(gsize) ceil (0.99 * (m - 1))];
  if (*hi - *lo < 1e-12)
    *lo -= 1, *hi += 1;
  double pad = (*hi - *lo) * 0.06;
  *lo = MAX (*lo - pad, s[0] - (*hi - *lo) * 0.02);
  *hi = MIN (*hi + pad, s[m - 1] + (*hi - *lo) * 0.02);
}

static void
report_scatter_labels (GString *s, const ReportScatter *sc, double left, double top, double pw, double ph,
                       double x0, double x1, double y0, double y1)
{
  g_autoptr (GArray) boxes = g_array_new (FALSE, FALSE, sizeof (double));   /* x, y, width of placed names */
  for (guint g = 0; g < sc->n_groups; g++)
    {
      if (!sc->annotate || !sc->annotate[g])
        continue;
      double sx = 0, sy = 0, spread = 0;
      guint n = 0;
      for (guint i = 0; i < sc->n; i++)
        if (sc->group[i] == g && isfinite (sc->x[i]) && isfinite (sc->y[i]))
          sx += sc->x[i], sy += sc->y[i], n++;
      if (n == 0)
        continue;
      double px = left + pw * (sx / n - x0) / (x1 - x0), py = top + ph - ph * (sy / n - y0) / (y1 - y0);
      for (guint i = 0; i < sc->n; i++)
        if (sc->group[i] == g && isfinite (sc->x[i]) && isfinite (sc->y[i]))
          spread += hypot (pw * (sc->x[i] - sx / n) / (x1 - x0), ph * (sc->y[i] - sy / n) / (y1 - y0));
      /* a name at the centre of a scattered class would point at nothing */
      if (spread / n > 70 || px < left || px > left + pw || py < top || py > top + ph)
        continue;
      double w = 7.0 * report_text_len (sc->groups[g]);
      gboolean placed = FALSE;
      for (guint k = 0; k < 4 && !placed; k++, py += 14)
        {
          placed = TRUE;
          for (guint b = 0; b < boxes->len; b += 3)
            {
              double *bx = &g_array_index (boxes, double, b);
              if (fabs (bx[0] - px) < (bx[2] + w) / 2 && fabs (bx[1] - py) < 13)
                placed = FALSE;
            }
        }
      if (!placed)
        continue;
      py -= 14;
      double box[3] = { px, py, w };
      g_array_append_vals (boxes, box, 3);
      report_text (s, px, py, "middle",
                   "font-size=\"11\" font-weight=\"600\" fill=\"#222222\" stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\"",
                   sc->groups[g]);
    }
}

void
report_svg_scatter (GString *s, const ReportScatter *sc, guint *w, guint *h)
{
  const double left = 56, right = 16;
  double top = 8 + report_legend (s, left, 18, REPORT_W - left - right, sc->n_groups, sc->groups, sc->colours) + 10;
  double pw = REPORT_W - left - right, ph = 520;
  double x0, x1, y0, y1;
  report_range (sc->x, sc->n, &x0, &x1);
  report_range (sc->y, sc->n, &y0, &y1);
  g_string_append_printf (s, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#fbfbfb\" stroke=\"%s\"/>\n",
                          left, top, pw, ph, REPORT_GRID);
  /* unlabelled (grey) points first so the classes sit on top */
  for (int pass = 0; pass < 2; pass++)
    for (guint i = 0; i < sc->n; i++)
      {
        gboolean grey = strcmp (sc->colours[sc->group[i]], REPORT_GREY) == 0;
        if (grey != (pass == 0) || !isfinite (sc->x[i]) || !isfinite (sc->y[i]))
          continue;
        double px = left + pw * CLAMP ((sc->x[i] - x0) / (x1 - x0), 0.0, 1.0);
        double py = top + ph - ph * CLAMP ((sc->y[i] - y0) / (y1 - y0), 0.0, 1.0);
        g_string_append_printf (s, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%s\" fill=\"%s\" fill-opacity=\"%s\"><title>",
                                px, py, grey ? "2" : "2.6", sc->colours[sc->group[i]], grey ? "0.5" : "0.8");
        report_esc (s, sc->tips ? sc->tips[i] : sc->groups[sc->group[i]]);
        g_string_append (s, "</title></circle>\n");
      }
  report_scatter_labels (s, sc, left, top, pw, ph, x0, x1, y0, y1);
  report_text (s, left + pw / 2, top + ph + 22, "middle", "fill=\"#555555\"", sc->x_title);
  g_autofree char *attr = g_strdup_printf ("transform=\"rotate(-90 %.1f %.1f)\" fill=\"#555555\"", left - 14, top + ph / 2);
  report_text (s, left - 14, top + ph / 2, "middle", attr, sc->y_title);
  *w = REPORT_W;
  *h = (guint) ceil (top + ph + 34);
}

void
report_svg_wrap (GString *out, const ReportChart *c, gboolean standalone)
{
  if (standalone)
    g_string_append_printf (out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%u\" height=\"%u\" ",
                            c->width, c->height);
  else
    g_string_append (out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"100%\" ");
  g_string_append_printf (out, "viewBox=\"0 0 %u %u\" font-family=\"%s\" font-size=\"12\" fill=\"%s\" role=\"img\">\n",
                          c->width, c->height, REPORT_FONT, REPORT_INK);
  g_string_append (out, "<title>");
  report_esc (out, c->title);
  g_string_append (out, "</title>\n");
  if (standalone)
    g_string_append_printf (out, "<rect width=\"%u\" height=\"%u\" fill=\"#ffffff\"/>\n", c->width, c->height);
  g_string_append_len (out, c->svg->str, c->svg->len);
  g_string_append (out, "</svg>\n");
}
