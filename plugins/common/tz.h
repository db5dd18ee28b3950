/* tz.h — windows and buckets aligned in a named time zone: the offset of
 * a zone at a time (cached per hour), and a wall clock that never runs
 * back, for windows that must close in order.  Shared by the darkvec
 * corpus builder (timezone) and the taxonomy (tz). */
#pragma once

#include "darkpipe.h"

typedef struct {
  GTimeZone *tz;        /* NULL: UTC */
  gint64 hour;          /* the hour whose offset is in offset */
  gint64 offset;        /* ns */
} TzZone;

/* check(): FALSE with a message naming option @option of @stage when
 * @name (nullable: UTC) is no time zone GLib knows. */
gboolean tz_zone_check (DpStage *stage, const char *option, const char *name, GError **error);
/* Opens @name ("UTC", NULL, "Europe/Rome", "+02:00") into @z; FALSE with
 * @error when the zone is unknown (it may have gone since check()). */
gboolean tz_zone_open (TzZone *z, const char *option, const char *name, GError **error);
void tz_zone_clear (TzZone *z);
/* TRUE when @z is UTC (no zone to look up). */
static inline gboolean
tz_zone_is_utc (const TzZone *z)
{
  return z->tz == NULL;
}
/* The zone's UTC offset (ns) at @ts (ns since the epoch); zones change
 * offset on the hour (UTC). */
gint64 tz_zone_offset (TzZone *z, gint64 ts);
/* The wall-clock time at @ts (ns, as if the local time were UTC), held
 * still while the clock is set back (the repeated hour at the end of
 * daylight-saving time reads as the last instant before the change), so
 * it never decreases as @ts grows. */
gint64 tz_zone_local (TzZone *z, gint64 ts);
/* The first instant (ns since the epoch) whose tz_zone_local is @local or
 * later: where a window that starts at wall-clock @local starts. */
gint64 tz_zone_utc (TzZone *z, gint64 local);
