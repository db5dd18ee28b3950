/* axis.c — the report's axes as numbers, before any drawing: value steps
 * (whole numbers for counts), time steps and the marks of a real time
 * axis (UTC; dates at day changes), and the formats of means and
 * durations.  Pure functions of their arguments, so the tests call them
 * directly. */
#include "config.h"

#include <math.h>
#include "report.h"

double
report_axis_step (double max, guint n, gboolean integer)
{
  if (!(max > 0) || !isfinite (max) || n == 0)
    return 1;
  double raw = max / n, mag = pow (10, floor (log10 (raw))), f = raw / mag;
  double step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
  /* a count axis never shows 0.5: its steps are 1, 2, 5, 10, ... */
  return integer ? MAX (1.0, round (step)) : step;
}

double
report_axis_top (double max, guint n, gboolean integer)
{
  if (!(max > 0) || !isfinite (max))
    return 1;
  double step = report_axis_step (max, n, integer);
  return step * ceil (max / step - 1e-9);
}

/* Steps a reader counts in: seconds, minutes, hours that divide a day,
 * then days and weeks. */
static const double report_time_steps[] = {
  1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800,
  3600, 7200, 10800, 21600, 43200,
  86400, 2 * 86400, 7 * 86400, 14 * 86400, 28 * 86400, 56 * 86400, 91 * 86400, 182 * 86400, 364 * 86400,
};

double
report_time_step (double span, guint max_ticks)
{
  max_ticks = MAX (max_ticks, 1u);
  for (guint i = 0; i < G_N_ELEMENTS (report_time_steps); i++)
    if (span / report_time_steps[i] <= max_ticks)
      return report_time_steps[i];
  return report_time_steps[G_N_ELEMENTS (report_time_steps) - 1] * ceil (span / max_ticks / (364 * 86400.0));
}

static void
report_time_format (double t, const char *format, char out[static 32])
{
  g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc ((gint64) floor (t));
  g_autofree char *text = dt ? g_date_time_format (dt, format) : NULL;
  g_strlcpy (out, text ? text : "?", 32);
}

static void
report_mark_add (GArray *marks, double t, gboolean date, const char *format)
{
  ReportTimeMark m = { .t = t, .date = date };
  report_time_format (t, format, m.label);
  g_array_append_val (marks, m);
}

GArray *
report_time_marks (double t0, double t1, double width_px)
{
  GArray *marks = g_array_new (FALSE, TRUE, sizeof (ReportTimeMark));
  if (!(t1 > t0) || !isfinite (t0) || !isfinite (t1))
    return marks;
  const double px_per_tick = 80, day = 86400;
  double step = report_time_step (t1 - t0, (guint) MAX (1.0, floor (width_px / px_per_tick)));
  const char *format = step >= day ? "%Y-%m-%d" : step >= 60 ? "%H:%M" : "%H:%M:%S";
  /* ticks at whole multiples of the step since the epoch: hours on the
   * hour, days at midnight UTC */
  for (double t = ceil (t0 / step) * step; t <= t1 + 1e-6; t += step)
    report_mark_add (marks, t, FALSE, format);
  if (step >= day)
    return marks;
  /* below a day, a second row names the date at every day change, and the
   * date of the start unless a day change follows closely */
  double first_midnight = ceil (t0 / day) * day;
  if (first_midnight > t0 && (first_midnight - t0) / (t1 - t0) * width_px >= 90)
    report_mark_add (marks, t0, TRUE, "%Y-%m-%d");
  for (double t = first_midnight; t <= t1 + 1e-6; t += day)
    report_mark_add (marks, t, TRUE, "%Y-%m-%d");
  return marks;
}

const char *
report_fmt_mean (double v, char buf[static 32])
{
  double a = fabs (v);
  if (!isfinite (v))
    g_snprintf (buf, 32, "–");
  else if (v == 0 || a >= 1000)
    return report_fmt_si (v, buf);
  else if (a < 0.01)
    g_snprintf (buf, 32, v > 0 ? "<0.01" : ">-0.01");
  else if (a >= 100 || a == floor (a))
    g_snprintf (buf, 32, "%.0f", v);
  else if (a >= 10)
    g_snprintf (buf, 32, "%.1f", v);
  else
    g_snprintf (buf, 32, "%.2f", v);
  return buf;
}

const char *
report_fmt_duration (double seconds, char buf[static 32])
{
  if (!isfinite (seconds) || seconds < 0)
    g_snprintf (buf, 32, "–");
  else if (seconds < 60)
    g_snprintf (buf, 32, "%.0f s", seconds);
  else if (seconds < 3600)
    g_snprintf (buf, 32, "%.0f min", seconds / 60);
  else if (seconds < 2 * 86400)
    g_snprintf (buf, 32, "%.1f h", seconds / 3600);
  else
    g_snprintf (buf, 32, "%.1f d", seconds / 86400);
  return buf;
}

double
report_time_cover (const double *starts, guint n, double width, guint *stretches)
{
  double covered = 0;
  guint runs = n > 0;
  for (guint i = 0; i < n; i++)
    {
      double next = i + 1 < n ? starts[i + 1] - starts[i] : width;
      covered += CLAMP (next, 0.0, width);
      /* the same rule as the grey bands of the charts: a gap is half a bin or more */
      if (i + 1 < n && next - width >= width * 0.5)
        runs++;
    }
  if (stretches)
    *stretches = runs;
  return covered;
}
