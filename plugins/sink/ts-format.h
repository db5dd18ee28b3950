/* ts-format.h — the sinks' option ts_format: how a time (a packet's ts, a
 * table's DP_COLUMN_TIME column, both nanoseconds since the epoch, UTC) is
 * written.  Shared by the text sinks (text-sink.h) and sqlite; static
 * functions, compiled into each plugin. */
#pragma once

#include <time.h>
#include <glib.h>

enum { TS_FORMAT_EPOCH, TS_FORMAT_EPOCH_NS, TS_FORMAT_ISO };

/* the option's choices, in the order of TS_FORMAT_* */
static const char *const ts_format_choices[] = { "epoch", "epoch_ns", "iso", NULL };

/* Seconds since the epoch and the nanoseconds in [0, 1e9) of @ts. */
static inline void
ts_format_split (gint64 ts, gint64 *sec, gint64 *ns)
{
  *sec = ts / 1000000000;
  *ns = ts % 1000000000;
  if (*ns < 0)
    {
      (*sec)--;
      *ns += 1000000000;
    }
}

/* "YYYY-MM-DDTHH:MM:SS" (19 characters, UTC) of @sec into @buf; FALSE for
 * a second gmtime cannot break down (not in the gint64 ns range). */
static inline gboolean
ts_format_iso_seconds (gint64 sec, char buf[static 32])
{
  time_t t = (time_t) sec;
  struct tm tm;
  if (gmtime_r (&t, &tm) == NULL || strftime (buf, 32, "%Y-%m-%dT%H:%M:%S", &tm) == 0)
    {
      buf[0] = '\0';
      return FALSE;
    }
  return TRUE;
}

/* @ts as @format says, into @buf: "1614592800.000000000",
 * "1614592800000000000" or "2021-03-01T10:00:00.000000000Z".  Returns
 * @buf. */
static inline const char *
ts_format_text (gint64 ts, int format, char buf[static 48])
{
  gint64 sec, ns;
  if (format == TS_FORMAT_EPOCH_NS)
    {
      g_snprintf (buf, 48, "%" G_GINT64_FORMAT, ts);
      return buf;
    }
  ts_format_split (ts, &sec, &ns);
  if (format == TS_FORMAT_ISO)
    {
      char day[32];
      ts_format_iso_seconds (sec, day);
      g_snprintf (buf, 48, "%s.%09" G_GINT64_FORMAT "Z", day, ns);
      return buf;
    }
  if (sec < 0 && ns > 0)   /* -1.5 s is sec -2 + 0.5: print it as -(1.5) */
    g_snprintf (buf, 48, "-%" G_GINT64_FORMAT ".%09" G_GINT64_FORMAT, -sec - 1, 1000000000 - ns);
  else
    g_snprintf (buf, 48, "%" G_GINT64_FORMAT ".%09" G_GINT64_FORMAT, sec, ns);
  return buf;
}
