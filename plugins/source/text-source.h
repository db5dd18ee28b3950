/* text-source.h — what the line-oriented packet sources (tshark_fields,
 * darkvec_csv) share: the list of input files from `path` / `paths` with
 * globs, and reading them line by line (plain or gzip) with cancellation,
 * progress and a cut-short file counted as data.  Compiled into each plugin
 * (static functions), so each stays one shared object with one symbol. */
#pragma once

#include <glob.h>
#include "darkpipe.h"

/* One parsed line, copied into the batch only once it is whole (a bad
 * line then leaves nothing behind). */
typedef struct {
  gint64 ts;
  guint32 src, dst, tcp_seq;
  guint16 sport, dport, ip_id, ip_len, frag, tcp_win;
  guint8 proto, tcp_flags, icmp_type, icmp_code, ttl, l4, tcp_optlen;
} TextSourceRow;

/* Writes every column: a batch refilled in place by dp_stage_push_packets
 * still holds the previous rows' values. */
static inline void
text_source_store (DpPackets *p, const TextSourceRow *row)
{
  guint r = dp_packets_append (p);
  p->ts[r] = row->ts;
  p->src[r] = row->src;
  p->dst[r] = row->dst;
  p->sport[r] = row->sport;
  p->dport[r] = row->dport;
  p->proto[r] = row->proto;
  p->tcp_flags[r] = row->tcp_flags;
  p->tcp_seq[r] = row->tcp_seq;
  p->ip_id[r] = row->ip_id;
  p->icmp_type[r] = row->icmp_type;
  p->icmp_code[r] = row->icmp_code;
  p->ttl[r] = row->ttl;
  p->ip_len[r] = row->ip_len;
  p->frag[r] = row->frag;
  p->l4[r] = row->l4;
  p->tcp_win[r] = row->tcp_win;
  p->tcp_optlen[r] = row->tcp_optlen;
}

/* Decimal, or hex after 0x (tshark and DarkVec traces print flags both
 * ways).  @max is at most G_MAXUINT32, so checking it at each digit also
 * keeps the value from overflowing. */
static inline gboolean
text_source_parse_uint (const char *s, guint64 max, guint64 *out)
{
  guint64 v = 0;
  guint base = 10;
  if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
    {
      base = 16;
      s += 2;
    }
  if (*s == '\0')
    return FALSE;
  for (; *s; s++)
    {
      guint d = (guint) (*s - '0');
      if (d > 9 && base == 16)
        d = (guint) ((*s | 0x20) - 'a') + 10;
      if (d >= base || (v = v * base + d) > max)
        return FALSE;
    }
  *out = v;
  return TRUE;
}

/* Parses ".ddddddddd" (any number of digits; past 9 they are dropped) into
 * ns; no dot is no fraction. */
static inline gint64
text_source_read_fraction (const char **p)
{
  gint64 ns = 0;
  int n = 0;
  if (**p != '.')
    return 0;
  (*p)++;
  for (; g_ascii_isdigit (**p); (*p)++, n++)
    if (n < 9)
      ns = ns * 10 + (**p - '0');
  for (; n < 9; n++)
    ns *= 10;
  return ns;
}

/* Epoch seconds "1551312002.023742000" to ns from the digits themselves: a
 * double would lose the last digits of a 10-digit second count. */
static inline gboolean
text_source_parse_epoch (const char *s, gint64 *ts)
{
  gint64 sec = 0;
  int n = 0;
  for (; g_ascii_isdigit (*s); s++)
    if (++n > 12)
      return FALSE;
    else
      sec = sec * 10 + (*s - '0');
  gint64 frac = text_source_read_fraction (&s);
  return n > 0 && *s == '\0' && dp_ts_from_parts (sec, frac, ts);
}

/* A line that is not a packet: counted as non-ipv4 when it is a
 * well-formed line of another network protocol, else as bad-line. */
static inline gboolean
text_source_bad_line (DpStage *stage, DpLineReader *r, gboolean non_ipv4, const char *why,
                      GError **error)
{
  return dp_stage_data_error (stage, error, non_ipv4 ? "non-ipv4" : "bad-line",
                              "%s: line %" G_GUINT64_FORMAT ": %s",
                              dp_line_reader_path (r), dp_line_reader_line (r), why);
}

/* Handles one line of @len bytes (never NULL; may be empty; may be cut in
 * place); the line number comes from the reader.  Returns FALSE with
 * @error to stop the run. */
typedef gboolean (*TextSourceLineFunc) (void *state, DpLineReader *r, char *line, gsize len,
                                        GError **error);

/* Globs expand in sorted order; a pattern that matches nothing is kept as
 * it is, so opening it reports the missing file by name. */
static inline void
text_source_add_files (GPtrArray *files, const char *pattern)
{
  glob_t g;
  if (glob (pattern, GLOB_NOCHECK, NULL, &g) != 0)
    {
      g_ptr_array_add (files, g_strdup (pattern));
      return;
    }
  for (size_t i = 0; i < g.gl_pathc; i++)
    g_ptr_array_add (files, g_strdup (g.gl_pathv[i]));
  globfree (&g);
}

/** For check(): a file to read is named (the core checks that it is there:
 * `path` and `paths` are input options). */
static inline gboolean
text_source_check_paths (DpStage *stage, const char *path, char *const *paths, GError **error)
{
  if (path == NULL && (paths == NULL || paths[0] == NULL))
    return dp_stage_config_error (stage, error, DP_CONFIG_ERROR_REQUIRED, NULL,
                                  "option 'path' or 'paths' is required");
  return TRUE;
}

/** (transfer full) the files of options `path` then `paths`, in the order
 * given, or NULL with DP_CONFIG_ERROR_REQUIRED when both are unset. */
static inline GPtrArray *
text_source_files (const char *path, char *const *paths, GError **error)
{
  GPtrArray *files = g_ptr_array_new_with_free_func (g_free);
  if (path)
    text_source_add_files (files, path);
  for (char *const *p = paths; p && *p; p++)
    text_source_add_files (files, *p);
  if (files->len > 0)
    return files;
  g_ptr_array_unref (files);
  g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_REQUIRED, "option 'path' or 'paths' is required");
  return NULL;
}

/* @header: line 1 of every file must be a header (darkvec_csv), so a NUL
 * there is a format error rather than a bad line: skipping it would read
 * the file with no layout, or with the previous file's. */
static inline gboolean
text_source_read_file (DpStage *stage, const char *path, gboolean header, TextSourceLineFunc fn,
                       void *state, const DpFlow *flow, GError **error)
{
  g_autoptr (DpLineReader) r = dp_line_reader_open (path, error);
  g_autoptr (GError) read_error = NULL;
  char *line;
  gsize len;
  if (r == NULL)
    return FALSE;
  dp_stage_provenance_add_file (stage, path);
  while ((line = dp_line_reader_next (r, &len)) != NULL)
    {
      /* old Mac line ends: the whole file would be one line */
      if (dp_line_reader_line (r) == 1 && memchr (line, '\r', len))
        {
          g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT,
                       "%s: line 1 holds a CR (\\r) inside it: the file has CR-only line ends; "
                       "convert them first (tr '\\r' '\\n')", path);
          return FALSE;
        }
      /* a NUL anywhere (a line that starts with one looked empty) */
      if (len > 0 && memchr (line, '\0', len))
        {
          if (header && dp_line_reader_line (r) == 1)
            {
              g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT,
                           "%s: line 1: NUL byte in the header line (not a text file?)", path);
              return FALSE;
            }
          if (!text_source_bad_line (stage, r, FALSE, "NUL byte in the line", error))
            return FALSE;
          continue;
        }
      if (!fn (state, r, line, len, error))
        return FALSE;
      if (*flow != DP_FLOW_OK)
        return TRUE;
    }
  /* a cut gzip stream: what came before it is good data */
  if (dp_line_reader_error (r, &read_error))
    return dp_stage_data_error (stage, error, "truncated", "%s", read_error->message);
  return TRUE;
}

/* Reads every file in order; stops quietly once *@flow, which @fn sets
 * from its pushes, is not DP_FLOW_OK.  @header as for text_source_read_file. */
static inline gboolean
text_source_read_all (DpStage *stage, GPtrArray *files, gboolean header, TextSourceLineFunc fn,
                      void *state, const DpFlow *flow, GError **error)
{
  for (guint i = 0; i < files->len; i++)
    {
      if (*flow != DP_FLOW_OK)
        return TRUE;
      if (!text_source_read_file (stage, files->pdata[i], header, fn, state, flow, error))
        return FALSE;
      dp_stage_progress (stage, i + 1, files->len);
    }
  return TRUE;
}
