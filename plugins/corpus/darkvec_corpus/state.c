/* state.c — darkvec_corpus's state_path: the last window_days days of
 * per-source packets, kept across runs.
 *
 * Layout (little-endian): magic "DPACTDAY", version (4) = 1, reserved (4),
 * days (8); per day: day (8, signed), sources (8), then per source:
 * address (4), packets (4, saturated), name length (2) and the name of a
 * pseudonym or IPv6 address (0 for a plain IPv4 address); then the CRC-32
 * (zlib) of every byte before it. */
#include "config.h"

#include <string.h>
#include <zlib.h>

#include "darkvec.h"

static const char darkvec_state_magic[8] = { 'D', 'P', 'A', 'C', 'T', 'D', 'A', 'Y' };

static gint
darkvec_by_u64 (gconstpointer a, gconstpointer b)
{
  guint64 x = *(const guint64 *) a, y = *(const guint64 *) b;
  return x < y ? -1 : (x > y);
}

static gint
darkvec_by_day (gconstpointer a, gconstpointer b)
{
  const DarkvecDay *x = a, *y = b;
  return x->day < y->day ? -1 : (x->day > y->day);
}

static void
darkvec_put (GByteArray *b, const void *data, guint len)
{
  g_byte_array_append (b, data, len);
}

gboolean
darkvec_state_save (Darkvec *d, const char *path, GError **error)
{
  gint64 last = G_MININT64;
  for (guint i = 0; i < d->days->len; i++)
    last = MAX (last, g_array_index (d->days, DarkvecDay, i).day);
  g_autoptr (GByteArray) b = g_byte_array_new ();
  darkvec_put (b, darkvec_state_magic, 8);
  guint32 v32[2] = { GUINT32_TO_LE (1), 0 };
  darkvec_put (b, v32, 8);
  guint64 n_days = 0;
  guint n_at = b->len;
  darkvec_put (b, &n_days, 8);
  /* days in order: the same state gives the same bytes, whichever run
   * read or counted them */
  g_array_sort (d->days, darkvec_by_day);
  for (guint i = 0; i < d->days->len; i++)
    {
      const DarkvecDay *x = &g_array_index (d->days, DarkvecDay, i);
      if (x->day <= last - (gint64) d->config->window_days)
        continue;
      n_days++;
      guint64 day = GUINT64_TO_LE ((guint64) x->day), n = GUINT64_TO_LE (x->counts.n);
      darkvec_put (b, &day, 8);
      darkvec_put (b, &n, 8);
      /* sources in address order: the same state gives the same bytes */
      g_autoptr (GArray) keys = g_array_sized_new (FALSE, FALSE, sizeof (guint64), (guint) x->counts.n);
      for (gsize k = 0; k <= x->counts.mask; k++)
        if (x->counts.keys[k] != DP_HASH_EMPTY)
          g_array_append_val (keys, x->counts.keys[k]);
      g_array_sort (keys, darkvec_by_u64);
      for (guint k = 0; k < keys->len; k++)
        {
          guint64 src = g_array_index (keys, guint64, k);
          const char *name = d->names ? dp_name_map_lookup (d->names, (guint32) src) : NULL;
          guint16 nl = name ? (guint16) MIN (strlen (name), 65535u) : 0;
          guint32 rec[2] = { GUINT32_TO_LE ((guint32) src),
                             GUINT32_TO_LE ((guint32) MIN (*dp_hash_find (&x->counts, src), G_MAXUINT32)) };
          guint16 nl_le = GUINT16_TO_LE (nl);
          darkvec_put (b, rec, 8);
          darkvec_put (b, &nl_le, 2);
          if (nl)
            darkvec_put (b, name, nl);
        }
    }
  n_days = GUINT64_TO_LE (n_days);
  memcpy (b->data + n_at, &n_days, 8);
  guint32 crc = GUINT32_TO_LE ((guint32) crc32 (crc32 (0, NULL, 0), b->data, b->len));
  darkvec_put (b, &crc, 4);
  DpOutFile *f = dp_outfile_open (path, FALSE, error);
  if (f == NULL)
    return FALSE;
  dp_outfile_write (f, b->data, b->len);
  return dp_outfile_commit (f, error);
}

static gboolean
darkvec_state_bad (const char *path, gsize at, const char *what, GError **error)
{
  g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_MALFORMED, "%s: byte %" G_GSIZE_FORMAT ": %s", path, at, what);
  return FALSE;
}

/* Reads the state's days into d->days, except days this input has (the
 * input's count replaces them: a day run again is not counted twice). */
gboolean
darkvec_state_load (Darkvec *d, const char *path, GError **error)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return TRUE;
  if (!g_file_get_contents (path, &data, &len, error))
    return FALSE;
  const guint8 *p = (const guint8 *) data;
  if (len < 8 || memcmp (p, darkvec_state_magic, 8) != 0)
    {
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT,
                   "%s: not a darkvec_corpus state file (no DPACTDAY magic)", path);
      return FALSE;
    }
  if (len < 28)
    {
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_TRUNCATED, "%s: truncated (%" G_GSIZE_FORMAT " bytes)", path, len);
      return FALSE;
    }
  guint32 version, crc;
  memcpy (&version, p + 8, 4);
  if (GUINT32_FROM_LE (version) != 1)
    {
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT, "%s: state file version %u; this darkpipe reads version 1",
                   path, GUINT32_FROM_LE (version));
      return FALSE;
    }
  memcpy (&crc, p + len - 4, 4);
  if (GUINT32_FROM_LE (crc) != (guint32) crc32 (crc32 (0, NULL, 0), p, (uInt) (len - 4)))
    return darkvec_state_bad (path, len - 4, "checksum mismatch: the file is corrupt or truncated", error);
  gsize end = len - 4, at = 24;
  guint64 n_days;
  memcpy (&n_days, p + 16, 8);
  n_days = GUINT64_FROM_LE (n_days);
  guint n_input = d->days->len;
  for (guint64 i = 0; i < n_days; i++)
    {
      if (end - at < 16)
        return darkvec_state_bad (path, at, "day header past the end", error);
      guint64 day, n;
      memcpy (&day, p + at, 8);
      memcpy (&n, p + at + 8, 8);
      at += 16;
      /* days since 1970: +-10^7 keeps the window arithmetic from overflow */
      if ((gint64) GUINT64_FROM_LE (day) < -10000000 || (gint64) GUINT64_FROM_LE (day) > 10000000)
        return darkvec_state_bad (path, at - 16, "day out of range", error);
      gboolean skip = FALSE;
      for (guint k = 0; k < n_input; k++)
        skip |= g_array_index (d->days, DarkvecDay, k).day == (gint64) GUINT64_FROM_LE (day);
      n = GUINT64_FROM_LE (n);
      if (n > (end - at) / 10)
        return darkvec_state_bad (path, at, "more sources than bytes", error);
      DarkvecDay x = { .day = (gint64) GUINT64_FROM_LE (day), .from_state = TRUE };
      dp_hash_init (&x.counts, skip ? 1 : n + 1);
      for (guint64 k = 0; k < n; k++)
        {
          if (end - at < 10)
            {
              dp_hash_clear (&x.counts);
              return darkvec_state_bad (path, at, "source past the end", error);
            }
          guint32 rec[2];
          guint16 nl;
          memcpy (rec, p + at, 8);
          memcpy (&nl, p + at + 8, 2);
          at += 10;
          nl = GUINT16_FROM_LE (nl);
          guint32 src = GUINT32_FROM_LE (rec[0]);
          if (end - at < nl)
            {
              dp_hash_clear (&x.counts);
              return darkvec_state_bad (path, at, "name past the end", error);
            }
          if (nl)
            {
              g_autofree char *name = g_strndup ((const char *) p + at, nl);
              if (d->names == NULL)
                d->names = dp_name_map_new ();
              src = dp_name_map_intern (d->names, name);
              at += nl;
            }
          if (!skip)
            *dp_hash_upsert (&x.counts, src, NULL) += GUINT32_FROM_LE (rec[1]);
        }
      if (skip)
        dp_hash_clear (&x.counts);
      else
        g_array_append_val (d->days, x);
    }
  if (at != end)
    return darkvec_state_bad (path, at, "bytes after the last day", error);
  return TRUE;
}
