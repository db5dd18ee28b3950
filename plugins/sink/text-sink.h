/* text-sink.h — what the csv and jsonl sinks share: one atomic output file
 * opened at the first batch, a row buffer, the rule that a sink writes
 * either tables (with the columns of the first one) or packets, and the
 * text of packet times.  Compiled into each plugin (static functions), so
 * every plugin stays one shared object with one exported symbol. */
#pragma once

#include <string.h>
#include <time.h>
#include "darkpipe.h"
#include "ts-format.h"



/* The options both sinks have; each says in @ts_doc what its times look like. */
typedef struct {
  char *path;
  gboolean gzip;
  int ts_format;
  gint64 rotate;         /* ns; 0: one file */
} TextSinkConfig;

#define TEXT_SINK_OPTIONS(ts_doc) \
  DP_OPTION_FLAGS ("path", DP_OPT_PATH, NULL, TextSinkConfig, path, DP_OPT_REQUIRED | DP_OPT_OUTPUT, \
                      "Output file; a relative path goes below the run's output directory."), \
  DP_OPTION ("gzip", DP_OPT_BOOL, "false", TextSinkConfig, gzip, \
             "Compress with gzip (also done when the path ends in .gz)."), \
  DP_OPTION_ENUM ("ts_format", "epoch", TextSinkConfig, ts_format, ts_format_choices, (ts_doc)), \
  DP_OPTION_RANGE ("rotate", DP_OPT_DURATION, NULL, TextSinkConfig, rotate, 0, 366 * 86400.0, \
                   "Write one file per period of this length (UTC, aligned to the epoch; e.g. 1h): path is " \
                   "then a strftime template of the period's start (sources-%Y%m%d-%H.csv), each file " \
                   "written atomically when the next period begins. A table's period is its window_start " \
                   "(or its first time column), all its rows in one period; packets go by their time. " \
                   "Rows must come in time order (the taxonomy emits its windows so). When the file of " \
                   "a run's first period exists (a run resumed mid-period), it is continued, its rows kept.")

#define TEXT_SINK_FLUSH_BYTES 65536

/* The text of the last time written in one column: a window's table
 * repeats its start on every row, and the events' first and last times
 * mostly share their second with the row before (epoch: the second's
 * digits are kept apart, only the fraction is written anew). */
typedef struct {
  gint64 ts;             /* whose text is in text (len 0: none) */
  gint64 sec;            /* epoch: the second whose digits and '.' are in sec_text */
  guint8 len, sec_len;
  char text[46];
  char sec_text[24];
} TextSinkTsMemo;

#define TEXT_SINK_TS_MEMOS 4   /* time columns with a memory of their own (by number, modulo) */

typedef struct {
  const char *plugin;    /* for messages */
  char *path;            /* resolved below the output dir */
  gboolean gzip;
  int ts_format;
  DpOutFile *out;
  DpBatchType kind;      /* DP_TYPE_NONE until the first batch */
  gboolean have_columns;
  GPtrArray *col_names;  /* the first table's columns */
  GArray *col_types;
  const char *packets_header;  /* written before the first packet row, or NULL */
  GString *buf;          /* rows not yet handed to the outfile */
  GString *cell;         /* scratch for one formatted cell */
  guint64 rows;
  gint64 iso_sec;        /* the second whose text is in iso_text */
  char iso_text[32];
  TextSinkTsMemo ts_memo[TEXT_SINK_TS_MEMOS];
  gboolean need_header;  /* the open file has no header yet */
  gint64 rotate_ns;      /* 0: one file */
  gint64 period;         /* of the open file, rotating */
  guint64 files;         /* files written, rotating */
  DpStage *stage;        /* for warnings */
  gboolean header_line;  /* the format starts a file with a header line (csv) */
  FILE *resume;          /* rotating: the existing file of the first period, past its header line */
  char *resume_header;   /* and that line */
} TextSink;

/* The sinks' check: a rotating sink's path must name the period. */
static inline gboolean
text_sink_check (DpStage *stage, const TextSinkConfig *cfg, GError **error)
{
  if (cfg->rotate > 0 && cfg->path && strchr (cfg->path, '%') == NULL)
    return dp_stage_config_error (stage, error, DP_CONFIG_ERROR_TYPE, "path",
                                  "with rotate, path is a strftime template of each period's start "
                                  "(e.g. sources-%%Y%%m%%d-%%H.csv); '%s' would name every period alike",
                                  cfg->path);
  return TRUE;
}

/* FALSE with @error for a rotating sink whose path names no period. */
static inline gboolean
text_sink_setup (TextSink *s, DpStage *stage, const char *plugin, const TextSinkConfig *cfg, GError **error)
{
  s->plugin = plugin;
  s->path = dp_stage_output_path (stage, cfg->path);
  s->gzip = cfg->gzip || g_str_has_suffix (cfg->path, ".gz");
  s->ts_format = cfg->ts_format;
  s->kind = DP_TYPE_NONE;
  s->iso_sec = G_MININT64;
  for (guint k = 0; k < TEXT_SINK_TS_MEMOS; k++)
    s->ts_memo[k].sec = G_MININT64;
  s->col_names = g_ptr_array_new_with_free_func (g_free);
  s->col_types = g_array_new (FALSE, FALSE, sizeof (DpColType));
  s->buf = g_string_sized_new (TEXT_SINK_FLUSH_BYTES + 1024);
  s->cell = g_string_new (NULL);
  s->rotate_ns = cfg->rotate;
  s->stage = stage;
  s->period = G_MININT64;
  return text_sink_check (stage, cfg, error);
}

/* Safe on a half-set-up sink; removes an uncommitted temp file. */
static inline void
text_sink_clear (TextSink *s)
{
  g_clear_pointer (&s->out, dp_outfile_abort);
  g_clear_pointer (&s->path, g_free);
  g_clear_pointer (&s->resume, fclose);
  g_clear_pointer (&s->resume_header, g_free);
  g_clear_pointer (&s->col_names, g_ptr_array_unref);
  g_clear_pointer (&s->col_types, g_array_unref);
  if (s->buf)
    g_string_free (g_steal_pointer (&s->buf), TRUE);
  if (s->cell)
    g_string_free (g_steal_pointer (&s->cell), TRUE);
}

/* Opens @path as the output: its header (the packets' columns, or the
 * first table's) goes in before its first row. */
static inline gboolean
text_sink_open (TextSink *s, const char *path, GError **error)
{
  if ((s->out = dp_outfile_open (path, s->gzip, error)) == NULL)
    return FALSE;
  s->need_header = TRUE;
  if (s->kind == DP_TYPE_PACKETS && s->packets_header)
    {
      g_string_append (s->buf, s->packets_header);
      s->need_header = FALSE;
    }
  return TRUE;
}

/* Opens the output on the first batch; a sink holds tables or packets,
 * never both (their rows would not share a header). */
static inline gboolean
text_sink_begin (TextSink *s, const DpBatch *batch, GError **error)
{
  if (batch->type != DP_TYPE_TABLE && batch->type != DP_TYPE_PACKETS)
    {
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT, "%s: %s writes tables and packets, not %s",
                   s->path, s->plugin, dp_batch_type_name (batch->type));
      return FALSE;
    }
  if (s->kind != DP_TYPE_NONE && s->kind != batch->type)
    {
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT,
                   "%s: the input mixes tables and packets", s->path);
      return FALSE;
    }
  s->kind = batch->type;
  /* one file: opened at the first batch; rotating: at each period */
  if (s->rotate_ns == 0 && s->out == NULL)
    return text_sink_open (s, s->path, error);
  return TRUE;
}

/* The first table fixes the columns (*first set); later tables must have
 * the same names and types, so their rows fit under one header. */
static inline gboolean
text_sink_columns (TextSink *s, const DpTable *t, gboolean *first, GError **error)
{
  *first = !s->have_columns;
  if (*first)
    {
      for (guint c = 0; c < t->n_cols; c++)
        {
          g_ptr_array_add (s->col_names, g_strdup (t->cols[c].name));
          g_array_append_val (s->col_types, t->cols[c].type);
        }
      s->have_columns = TRUE;
      return TRUE;
    }
  gboolean same = t->n_cols == s->col_names->len;
  for (guint c = 0; same && c < t->n_cols; c++)
    same = strcmp (t->cols[c].name, s->col_names->pdata[c]) == 0
           && t->cols[c].type == g_array_index (s->col_types, DpColType, c);
  if (!same)
    g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT,
                 "%s: table '%s' does not have the columns of the first table "
                 "(%u columns, same names and types needed)",
                 s->path, t->name ? t->name : "", s->col_names->len);
  return same;
}

static inline void
text_sink_flush (TextSink *s)
{
  dp_outfile_write (s->out, s->buf->str, s->buf->len);
  g_string_truncate (s->buf, 0);
}

/* Call after each row. */
static inline void
text_sink_row_done (TextSink *s)
{
  if (s->buf->len >= TEXT_SINK_FLUSH_BYTES)
    text_sink_flush (s);
}

typedef gboolean (*TextSinkTableFunc) (void *self, const DpTable *t, GError **error);
typedef void (*TextSinkPacketFunc) (void *self, const DpPackets *p, guint row);

/* One batch: a table through @table, a packet stream row by row through
 * @packet.  On failure the temp file is removed at once. */
/* Writes what is buffered and puts the open file in place. */
static inline gboolean
text_sink_commit (TextSink *s, GError **error)
{
  text_sink_flush (s);
  if (!dp_outfile_commit (g_steal_pointer (&s->out), error))
    return FALSE;
  s->files++;
  return TRUE;
}

/* Copies the rest of the existing file being continued into the output,
 * after what is buffered (the header); FALSE with @error when the header
 * the output starts with (@header, NULL for formats without one) is not
 * the existing file's, or the file cannot be read. */
static inline gboolean
text_sink_resume_rows (TextSink *s, const char *header, GError **error)
{
  if (s->resume == NULL)
    return TRUE;
  if (header && g_strcmp0 (header, s->resume_header) != 0)
    {
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT,
                   "%s: rotate: this period's file exists with other columns (%s); it was left as it is",
                   dp_outfile_path (s->out), s->resume_header ? s->resume_header : "no header");
      return FALSE;
    }
  dp_outfile_write (s->out, s->buf->str, s->buf->len);
  g_string_truncate (s->buf, 0);
  char chunk[65536];
  gsize n;
  while ((n = fread (chunk, 1, sizeof chunk, s->resume)) > 0)
    dp_outfile_write (s->out, chunk, n);
  gboolean bad = ferror (s->resume) != 0;
  g_clear_pointer (&s->resume, fclose);
  g_clear_pointer (&s->resume_header, g_free);
  if (bad)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_IO, "%s: rotate: cannot read the existing file of this period",
                   dp_outfile_path (s->out));
      return FALSE;
    }
  return TRUE;
}

/* The first period of a run may have a file already: a run that resumes
 * mid-period (taxonomy state, hourly input) continues it, its rows kept
 * before this run's, rather than replace it.  Opens it for
 * text_sink_resume_rows. */
static inline gboolean
text_sink_resume_open (TextSink *s, const char *name, GError **error)
{
  g_autoptr (GError) err = NULL;
  gboolean gz;
  FILE *fp = dp_open_input (name, &gz, &err);
  if (fp == NULL)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_IO, "%s: rotate: this period's file exists but cannot be "
                   "read to continue it: %s", name, err->message);
      return FALSE;
    }
  if (s->header_line)
    {
      g_autoptr (GString) line = g_string_new (NULL);
      int c;
      while ((c = fgetc (fp)) != EOF && c != '\n')
        g_string_append_c (line, (char) c);
      s->resume_header = g_string_free (g_steal_pointer (&line), FALSE);
    }
  s->resume = fp;
  dp_stage_warning (s->stage, "%s: the file of this run's first period exists: it is continued, its rows "
                    "kept before this run's (a run resumed mid-period; remove it to write the period anew)", name);
  return TRUE;
}

/* Rotating: makes the file of @period (ns since the epoch / rotate) the
 * output, committing the last one when the period moved on. */
static inline gboolean
text_sink_period (TextSink *s, gint64 period, GError **error)
{
  if (s->out && period == s->period)
    return TRUE;
  if (s->out && period < s->period)
    {
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT,
                   "%s: rotate: rows of an earlier period came after the file of a later one was "
                   "begun; rotation needs rows in time order", s->path);
      return FALSE;
    }
  if (s->out && !text_sink_commit (s, error))
    return FALSE;
  gint64 start_s = dp_floor_div (period * s->rotate_ns, 1000000000);
  time_t t = (time_t) start_s;
  struct tm tm;
  char name[4096];
  if (gmtime_r (&t, &tm) == NULL || strftime (name, sizeof name, s->path, &tm) == 0)
    {
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT,
                   "%s: rotate: no file name for the period starting at %" G_GINT64_FORMAT " s", s->path, start_s);
      return FALSE;
    }
  s->period = period;
  gboolean resume = s->files == 0 && g_file_test (name, G_FILE_TEST_IS_REGULAR);
  if (!text_sink_open (s, name, error) || (resume && !text_sink_resume_open (s, name, error)))
    return FALSE;
  /* packets: the header is in the buffer already */
  if (resume && s->kind == DP_TYPE_PACKETS)
    {
      g_autofree char *head = s->packets_header ? g_strndup (s->packets_header, strcspn (s->packets_header, "\n")) : NULL;
      return text_sink_resume_rows (s, head, error);
    }
  if (resume && !s->header_line)
    return text_sink_resume_rows (s, NULL, error);
  return TRUE;
}

/* The column that places table @t in time: window_start when it is a time
 * column, else its first time column; a table of a plugin that declares
 * none may still have window_start (int64 s) or ts (int64 ns).  -1 when
 * there is none; *@unit the ns of one step of its values. */
static inline gint
text_sink_time_column (const DpTable *t, gint64 *unit)
{
  gint c = dp_table_find_column (t, "window_start");
  *unit = 1;
  if (c >= 0 && (t->cols[c].flags & DP_COLUMN_TIME))
    return c;
  for (guint i = 0; i < t->n_cols; i++)
    if (t->cols[i].flags & DP_COLUMN_TIME)
      return (gint) i;
  *unit = 1000000000;
  if (c >= 0 && t->cols[c].type == DP_COL_INT64)
    return c;
  *unit = 1;
  c = dp_table_find_column (t, "ts");
  return c >= 0 && t->cols[c].type == DP_COL_INT64 ? c : -1;
}

/* The rotation period of table @t (text_sink_time_column), all rows
 * alike; FALSE with @error when it has no such column or spans periods.
 * An empty table has none (*@has FALSE). */
static inline gboolean
text_sink_table_period (const TextSink *s, const DpTable *t, gint64 *period, gboolean *has, GError **error)
{
  *has = FALSE;
  gint64 unit;
  gint c = text_sink_time_column (t, &unit);
  if (c < 0)
    {
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT,
                   "%s: rotate: table '%s' has no time column (nor window_start or ts) to place it in time",
                   s->path, t->name ? t->name : "");
      return FALSE;
    }
  gint64 step = s->rotate_ns / unit > 0 ? s->rotate_ns / unit : 1;
  for (guint r = 0; r < t->n_rows; r++)
    {
      if (dp_table_is_null (t, (guint) c, r))
        continue;
      gint64 p = dp_floor_div (t->cols[c].i64[r], step);
      if (*has && p != *period)
        {
          g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT,
                       "%s: rotate: the rows of table '%s' span several periods; rotate by a period "
                       "the table's windows fit in", s->path, t->name ? t->name : "");
          return FALSE;
        }
      *period = p;
      *has = TRUE;
    }
  return TRUE;
}

static inline gboolean
text_sink_process (TextSink *s, const DpBatch *batch, TextSinkTableFunc table,
                   TextSinkPacketFunc packet, void *self, GError **error)
{
  gboolean ok = text_sink_begin (s, batch, error);
  if (ok && batch->type == DP_TYPE_TABLE)
    {
      const DpTable *t = (const DpTable *) batch;
      gint64 period = 0;
      gboolean has = TRUE;
      if (s->rotate_ns > 0)
        ok = text_sink_table_period (s, t, &period, &has, error) && (!has || text_sink_period (s, period, error));
      if (ok && has)
        ok = table (self, t, error);
      s->rows += ok ? t->n_rows : 0;
    }
  else if (ok)
    {
      const DpPackets *p = (const DpPackets *) batch;
      for (guint r = 0; ok && r < p->n_rows; r++)
        {
          if (s->rotate_ns > 0)
            ok = text_sink_period (s, dp_floor_div (p->ts[r], s->rotate_ns), error);
          if (!ok)
            break;
          packet (self, p, r);
          text_sink_row_done (s);
        }
      s->rows += ok ? p->n_rows : 0;
    }
  if (!ok)
    g_clear_pointer (&s->out, dp_outfile_abort);
  return ok;
}

/* Commits the file; with no input at all it is empty, so a run's outputs
 * always exist afterwards. */
static inline gboolean
text_sink_finish (TextSink *s, DpStage *stage, GError **error)
{
  /* rotating: the last period's file, if any row came */
  if (s->out == NULL && s->rotate_ns == 0 && (s->out = dp_outfile_open (s->path, s->gzip, error)) == NULL)
    return FALSE;
  if (s->out && !text_sink_commit (s, error))
    return FALSE;
  dp_stage_count (stage, "rows-written", s->rows);
  if (s->rotate_ns > 0)
    dp_stage_count (stage, "files-written", s->files);
  return TRUE;
}

/* g_string_append_printf costs more than the rest of a packet row. */
static inline void
text_sink_uint (GString *b, guint64 v)
{
  char tmp[24], *p = tmp + sizeof tmp;
  do
    *--p = (char) ('0' + v % 10);
  while ((v /= 10) != 0);
  g_string_append_len (b, p, tmp + sizeof tmp - p);
}

/* The 9 digits of @ns after a '.' (plus @suffix), without printf. */
static inline void
text_sink_fraction (GString *b, gint64 ns, const char *suffix)
{
  char tmp[10];
  tmp[0] = '.';
  for (int i = 9; i >= 1; i--, ns /= 10)
    tmp[i] = (char) ('0' + ns % 10);
  g_string_append_len (b, tmp, 10);
  g_string_append (b, suffix);
}

/* Epoch seconds with 9 decimals ("1566411407.841604000", exact), the
 * integer nanoseconds ("1566411407841604000"), or RFC 3339 UTC with ns
 * ("2019-08-21T18:16:47.841604000Z"), as ts_format says. */
static inline void
text_sink_ts_format (TextSink *s, GString *b, gint64 ts)
{
  if (s->ts_format == TS_FORMAT_EPOCH_NS)
    {
      if (ts < 0)
        {
          g_string_append_c (b, '-');
          text_sink_uint (b, (guint64) 0 - (guint64) ts);
        }
      else
        text_sink_uint (b, (guint64) ts);
      return;
    }
  gint64 sec, ns;
  ts_format_split (ts, &sec, &ns);
  if (s->ts_format == TS_FORMAT_ISO)
    {
      /* rows of one second share its text */
      if (sec != s->iso_sec)
        {
          ts_format_iso_seconds (sec, s->iso_text);
          s->iso_sec = sec;
        }
      g_string_append (b, s->iso_text);
      text_sink_fraction (b, ns, "Z");
      return;
    }
  if (sec < 0)
    {
      /* -1.5 s is sec -2 + 0.5: print it as -(1.5) */
      g_string_append_c (b, '-');
      sec = -sec - (ns > 0);
      ns = ns > 0 ? 1000000000 - ns : 0;
    }
  /* seconds and fraction written back to front, appended at once */
  char tmp[32], *p = tmp + sizeof tmp;
  for (int i = 0; i < 9; i++, ns /= 10)
    *--p = (char) ('0' + ns % 10);
  *--p = '.';
  guint64 u = (guint64) sec;
  do
    *--p = (char) ('0' + u % 10);
  while ((u /= 10) != 0);
  g_string_append_len (b, p, tmp + sizeof tmp - p);
}

/* The 9 digits of @ns (< 10^9) at @p, two at a time. */
static inline void
text_sink_ns9 (char *p, guint32 ns)
{
  static const char pairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";
  for (int i = 7; i >= 1; i -= 2, ns /= 100)
    memcpy (p + i, pairs + 2 * (ns % 100), 2);
  p[0] = (char) ('0' + ns);
}

/* text_sink_ts_format for time column @col (packets: 0), remembering the
 * column's last text (TextSinkTsMemo): formatting a window's start again
 * for each row was a twentieth of a taxonomy run, and its events' first
 * and last times, each formatted whole, 3% of its instructions. */
static inline void
text_sink_ts (TextSink *s, GString *b, gint64 ts, guint col)
{
  TextSinkTsMemo *m = &s->ts_memo[col % TEXT_SINK_TS_MEMOS];
  if (ts == m->ts && m->len > 0)
    {
      g_string_append_len (b, m->text, m->len);
      return;
    }
  if (s->ts_format == TS_FORMAT_EPOCH && ts >= 0)
    {
      gint64 sec = ts / 1000000000;
      if (sec != m->sec)
        {
          char tmp[24], *p = tmp + sizeof tmp;
          *--p = '.';
          guint64 u = (guint64) sec;
          do
            *--p = (char) ('0' + u % 10);
          while ((u /= 10) != 0);
          m->sec_len = (guint8) (tmp + sizeof tmp - p);
          memcpy (m->sec_text, p, m->sec_len);
          m->sec = sec;
        }
      memcpy (m->text, m->sec_text, m->sec_len);
      text_sink_ns9 (m->text + m->sec_len, (guint32) (ts - sec * 1000000000));
      m->len = (guint8) (m->sec_len + 9);
      m->ts = ts;
      g_string_append_len (b, m->text, m->len);
      return;
    }
  gsize at = b->len;
  text_sink_ts_format (s, b, ts);
  gsize n = b->len - at;
  m->len = 0;
  if (n <= sizeof m->text)
    {
      memcpy (m->text, b->str + at, n);
      m->len = (guint8) n;
      m->ts = ts;
    }
}
