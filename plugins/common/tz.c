/* tz.c — time zones for windows and buckets (tz.h). */
#include "config.h"

#include "tz.h"

#define TZ_HOUR G_GINT64_CONSTANT (3600000000000)
/* offsets stay within ±26 h, a clock set back by at most this much */
#define TZ_SPAN (26 * TZ_HOUR)
#define TZ_MAX_FOLD_HOURS 3

static gboolean
tz_is_utc_name (const char *name)
{
  return name == NULL || *name == '\0' || g_ascii_strcasecmp (name, "UTC") == 0;
}

gboolean
tz_zone_check (DpStage *stage, const char *option, const char *name, GError **error)
{
  if (tz_is_utc_name (name))
    return TRUE;
  GTimeZone *tz = g_time_zone_new_identifier (name);
  if (tz == NULL)
    return dp_stage_config_error (stage, error, DP_CONFIG_ERROR_TYPE, option,
                                  "%s: unknown time zone '%s' (e.g. UTC, Europe/Rome, +02:00)", option, name);
  g_time_zone_unref (tz);
  return TRUE;
}

gboolean
tz_zone_open (TzZone *z, const char *option, const char *name, GError **error)
{
  z->tz = NULL;
  z->hour = G_MININT64;
  z->offset = 0;
  if (tz_is_utc_name (name))
    return TRUE;
  if ((z->tz = g_time_zone_new_identifier (name)) == NULL)
    {
      g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_TYPE, "%s: '%s' is gone", option, name);
      return FALSE;
    }
  return TRUE;
}

void
tz_zone_clear (TzZone *z)
{
  g_clear_pointer (&z->tz, g_time_zone_unref);
}

/* the offset (ns) during hour number @hour since the epoch */
static gint64
tz_hour_offset (TzZone *z, gint64 hour)
{
  if (hour != z->hour)
    {
      gint iv = g_time_zone_find_interval (z->tz, G_TIME_TYPE_UNIVERSAL, hour * 3600);
      z->offset = iv < 0 ? 0 : (gint64) g_time_zone_get_offset (z->tz, iv) * 1000000000;
      z->hour = hour;
    }
  return z->offset;
}

gint64
tz_zone_offset (TzZone *z, gint64 ts)
{
  if (z->tz == NULL)
    return 0;
  return tz_hour_offset (z, dp_floor_div (ts, TZ_HOUR));
}

gint64
tz_zone_local (TzZone *z, gint64 ts)
{
  /* times past ±146 years from 1970 (hostile captures) stay UTC: no overflow */
  if (z->tz == NULL || ts <= G_MININT64 / 2 || ts >= G_MAXINT64 / 2)
    return ts;
  gint64 hour = dp_floor_div (ts, TZ_HOUR);
  gint64 off = tz_hour_offset (z, hour);
  /* the change just before @ts, if the clock was set back there and @ts is
   * still in the repeated span: the wall clock stays before the change */
  for (gint64 k = 0; k < TZ_MAX_FOLD_HOURS; k++)
    {
      gint64 prev = tz_hour_offset (z, hour - k - 1);
      if (prev == off)
        continue;
      gint64 change = (hour - k) * TZ_HOUR;
      if (prev > off && ts < change + (prev - off))
        return change + prev - 1;
      break;
    }
  tz_hour_offset (z, hour);   /* the cache back on @ts's hour */
  return ts + off;
}

gint64
tz_zone_utc (TzZone *z, gint64 local)
{
  if (z->tz == NULL || local <= G_MININT64 / 2 || local >= G_MAXINT64 / 2)
    return local;
  /* tz_zone_local never decreases: the first instant at or past @local */
  gint64 lo = local - TZ_SPAN, hi = local + TZ_SPAN;
  while (lo < hi)
    {
      gint64 mid = lo + (hi - lo) / 2;
      if (tz_zone_local (z, mid) >= local)
        hi = mid;
      else
        lo = mid + 1;
    }
  return lo;
}
