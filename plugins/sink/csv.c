/* csv — writes tables and packet streams as CSV (RFC 4180 quoting).
 *
 * A table becomes its header and rows; further tables on the same input
 * (a detector emitting one table per window) append their rows when their
 * columns match the first.  A packet stream becomes one row per packet,
 * streamed batch by batch, so extracting fields from a capture needs no
 * more memory than one batch. */
#include "config.h"

#include <string.h>
#include <time.h>
#include "darkpipe.h"

enum { CSV_TS_EPOCH, CSV_TS_ISO };
typedef enum { CSV_EMPTY, CSV_TABLE, CSV_PACKETS } CsvMode;

typedef struct {
  char *path;
  gboolean gzip;
  int ts_format;
} Config;

typedef struct {
  DpStage *stage;
  char *path;
  gboolean gzip;
  int ts_format;
  DpOutFile *out;
  CsvMode mode;
  GPtrArray *col_names;  /* columns of the first table */
  GArray *col_types;
  GString *buf;
  GString *cell;
  guint64 rows;
  gint64 iso_sec;        /* second whose text is in iso_text */
  char iso_text[32];
} State;

static const char *const csv_ts_choices[] = { "epoch", "iso", NULL };

static const DpOptionDesc csv_options[] = {
  DP_OPTION_REQUIRED ("path", DP_OPT_PATH, Config, path,
                      "Output file; a relative path goes below the run's output directory."),
  DP_OPTION ("gzip", DP_OPT_BOOL, "false", Config, gzip,
             "Compress with gzip (also done when the path ends in .gz)."),
  DP_OPTION_ENUM ("ts_format", "epoch", Config, ts_format, csv_ts_choices,
                  "Packet time as epoch seconds with 9 decimals or as ISO 8601 UTC with ns."),
};

static const DpPortDesc csv_inputs[] = {
  { "input", DP_TYPE_ANY, 0, "Tables or a packet stream." },
};

static const char *const csv_packet_columns =
  "ts,src,dst,proto,sport,dport,tcp_flags,tcp_seq,ip_id,icmp_type,icmp_code,ttl,ip_len,mf,frag_offset\n";

/* ------------------------------------------------------------------ */

static void
csv_append_quoted (GString *b, const char *s, gsize len)
{
  if (strcspn (s, ",\"\r\n") >= len)
    {
      g_string_append_len (b, s, (gssize) len);
      return;
    }
  g_string_append_c (b, '"');
  for (gsize i = 0; i < len; i++)
    {
      if (s[i] == '"')
        g_string_append_c (b, '"');
      g_string_append_c (b, s[i]);
    }
  g_string_append_c (b, '"');
}

/* g_string_append_printf costs more than the rest of a row together. */
static void
csv_append_uint (GString *b, guint64 v)
{
  char tmp[24];
  int n = 0;
  do
    tmp[n++] = (char) ('0' + v % 10);
  while ((v /= 10) != 0);
  while (n > 0)
    g_string_append_c (b, tmp[--n]);
}

static void
csv_append_ts (State *st, GString *b, gint64 ts)
{
  gint64 sec = ts / 1000000000, ns = ts % 1000000000;
  if (ns < 0)
    {
      sec--;
      ns += 1000000000;
    }
  if (st->ts_format == CSV_TS_ISO)
    {
      if (sec != st->iso_sec || st->iso_text[0] == '\0')
        {
          time_t t = (time_t) sec;
          struct tm tm;
          gmtime_r (&t, &tm);
          strftime (st->iso_text, sizeof st->iso_text, "%Y-%m-%dT%H:%M:%S", &tm);
          st->iso_sec = sec;
        }
      g_string_append_printf (b, "%s.%09" G_GINT64_FORMAT "Z", st->iso_text, ns);
      return;
    }
  if (sec < 0)
    {
      g_string_append_c (b, '-');
      sec = -sec - (ns > 0);
      ns = ns > 0 ? 1000000000 - ns : 0;
    }
  csv_append_uint (b, (guint64) sec);
  char frac[11];
  g_snprintf (frac, sizeof frac, ".%09" G_GINT64_FORMAT, ns);
  g_string_append (b, frac);
}

static void
csv_flush (State *st)
{
  dp_outfile_write (st->out, st->buf->str, st->buf->len);
  g_string_truncate (st->buf, 0);
}

/* Opens the output on the first batch and refuses to mix tables and packets. */
static gboolean
csv_begin (State *st, CsvMode mode, GError **error)
{
  if (st->mode != CSV_EMPTY && st->mode != mode)
    {
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT,
                   "%s: the input mixes tables and packets", st->path);
      return FALSE;
    }
  if (st->out == NULL && (st->out = dp_outfile_open (st->path, st->gzip, error)) == NULL)
    return FALSE;
  st->mode = mode;
  return TRUE;
}

/* The first table fixes the header; later ones must have the same columns. */
static gboolean
csv_check_columns (State *st, const DpTable *t, GError **error)
{
  gboolean same = t->n_cols == st->col_names->len;
  for (guint c = 0; same && c < t->n_cols; c++)
    same = strcmp (t->cols[c].name, st->col_names->pdata[c]) == 0
           && t->cols[c].type == g_array_index (st->col_types, DpColType, c);
  if (!same)
    {
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT,
                   "%s: table '%s' does not have the columns of the first table "
                   "(%u columns, same names and types needed)",
                   st->path, t->name ? t->name : "", st->col_names->len);
      return FALSE;
    }
  return TRUE;
}

static void
csv_write_header (State *st, const DpTable *t)
{
  for (guint c = 0; c < t->n_cols; c++)
    {
      g_ptr_array_add (st->col_names, g_strdup (t->cols[c].name));
      g_array_append_val (st->col_types, t->cols[c].type);
      if (c > 0)
        g_string_append_c (st->buf, ',');
      csv_append_quoted (st->buf, t->cols[c].name, strlen (t->cols[c].name));
    }
  g_string_append_c (st->buf, '\n');
}

static gboolean
csv_write_table (State *st, const DpTable *t, GError **error)
{
  gboolean first = st->mode == CSV_EMPTY;
  if (!csv_begin (st, CSV_TABLE, error))
    return FALSE;
  if (first)
    csv_write_header (st, t);
  else if (!csv_check_columns (st, t, error))
    return FALSE;
  for (guint r = 0; r < t->n_rows; r++)
    {
      for (guint c = 0; c < t->n_cols; c++)
        {
          if (c > 0)
            g_string_append_c (st->buf, ',');
          g_string_truncate (st->cell, 0);
          dp_table_format_cell (t, c, r, st->cell);
          csv_append_quoted (st->buf, st->cell->str, st->cell->len);
        }
      g_string_append_c (st->buf, '\n');
      if (st->buf->len >= 65536)
        csv_flush (st);
    }
  st->rows += t->n_rows;
  return TRUE;
}

/* Appends ",v", or "," alone when the field is missing. */
static void
csv_append_opt (GString *b, gboolean present, guint64 v)
{
  g_string_append_c (b, ',');
  if (present)
    csv_append_uint (b, v);
}

static void
csv_append_addr (GString *b, guint32 addr, const DpNameMap *names)
{
  char tmp[64];
  const char *s = dp_ipv4_format (addr, names, tmp);
  g_string_append_c (b, ',');
  csv_append_quoted (b, s, strlen (s));
}

static void
csv_packet_row (State *st, const DpPackets *p, guint r)
{
  GString *b = st->buf;
  gboolean ports = p->l4[r] & DP_L4_PORTS, tcp = p->l4[r] & DP_L4_TCP;
  gboolean icmp = p->l4[r] & DP_L4_ICMP;
  csv_append_ts (st, b, p->ts[r]);
  csv_append_addr (b, p->src[r], p->names);
  csv_append_addr (b, p->dst[r], p->names);
  csv_append_opt (b, TRUE, p->proto[r]);
  csv_append_opt (b, ports, p->sport[r]);
  csv_append_opt (b, ports, p->dport[r]);
  csv_append_opt (b, tcp, p->tcp_flags[r]);
  csv_append_opt (b, tcp, p->tcp_seq[r]);
  csv_append_opt (b, TRUE, p->ip_id[r]);
  csv_append_opt (b, icmp, p->icmp_type[r]);
  csv_append_opt (b, icmp, p->icmp_code[r]);
  csv_append_opt (b, TRUE, p->ttl[r]);
  csv_append_opt (b, TRUE, p->ip_len[r]);
  csv_append_opt (b, TRUE, (p->frag[r] & DP_FRAG_MF) != 0);
  csv_append_opt (b, TRUE, p->frag[r] & DP_FRAG_OFFSET_MASK);
  g_string_append_c (b, '\n');
}

static gboolean
csv_write_packets (State *st, const DpPackets *p, GError **error)
{
  gboolean first = st->mode == CSV_EMPTY;
  if (!csv_begin (st, CSV_PACKETS, error))
    return FALSE;
  if (first)
    g_string_append (st->buf, csv_packet_columns);
  for (guint r = 0; r < p->n_rows; r++)
    {
      csv_packet_row (st, p, r);
      if (st->buf->len >= 65536)
        csv_flush (st);
    }
  st->rows += p->n_rows;
  return TRUE;
}

static gboolean
csv_process (DpStage *stage, void *state, guint in_port, DpBatch *batch, GError **error)
{
  State *st = state;
  gboolean ok;
  (void) stage;
  (void) in_port;
  if (batch->type == DP_TYPE_TABLE)
    ok = csv_write_table (st, (const DpTable *) batch, error);
  else if (batch->type == DP_TYPE_PACKETS)
    ok = csv_write_packets (st, (const DpPackets *) batch, error);
  else
    {
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT,
                   "%s: csv writes tables and packets, not %s",
                   st->path, dp_batch_type_name (batch->type));
      ok = FALSE;
    }
  if (!ok)
    g_clear_pointer (&st->out, dp_outfile_abort);
  return ok;
}

/* No input at all still leaves a (empty) file, so a run's outputs exist. */
static gboolean
csv_finish (DpStage *stage, void *state, GError **error)
{
  State *st = state;
  if (st->out == NULL && (st->out = dp_outfile_open (st->path, st->gzip, error)) == NULL)
    return FALSE;
  csv_flush (st);
  if (!dp_outfile_commit (g_steal_pointer (&st->out), error))
    return FALSE;
  dp_stage_count (stage, "rows-written", st->rows);
  return TRUE;
}

static gboolean
csv_init (DpStage *stage, const void *config, void **state, GError **error)
{
  const Config *c = config;
  State *st = g_new0 (State, 1);
  (void) error;
  *state = st;
  st->stage = stage;
  st->path = dp_stage_output_path (stage, c->path);
  st->gzip = c->gzip || g_str_has_suffix (c->path, ".gz");
  st->ts_format = c->ts_format;
  st->col_names = g_ptr_array_new_with_free_func (g_free);
  st->col_types = g_array_new (FALSE, FALSE, sizeof (DpColType));
  st->buf = g_string_sized_new (65536 + 1024);
  st->cell = g_string_new (NULL);
  return TRUE;
}

static void
csv_finalize (void *state)
{
  State *st = state;
  if (st == NULL)
    return;
  g_clear_pointer (&st->out, dp_outfile_abort);
  g_free (st->path);
  if (st->col_names)
    g_ptr_array_unref (st->col_names);
  if (st->col_types)
    g_array_unref (st->col_types);
  if (st->buf)
    g_string_free (st->buf, TRUE);
  if (st->cell)
    g_string_free (st->cell, TRUE);
  g_free (st);
}

DP_PLUGIN_DEFINE (csv,
  .kind = DP_KIND_SINK,
  .summary = "Writes tables or packets as CSV (optionally gzip), atomically.",
  .version = "1.0",
  .doc = "A table is written as a header and its rows; cells with a comma, quote or "
         "line break are quoted (RFC 4180). Several tables on the input are appended "
         "under one header when their columns (names and types) match, else the run "
         "fails. A packet stream is written one row per packet with the columns "
         "`ts,src,dst,proto,sport,dport,tcp_flags,tcp_seq,ip_id,icmp_type,icmp_code,"
         "ttl,ip_len,mf,frag_offset`: ts as epoch seconds with 9 decimals (or ISO 8601 "
         "UTC with `ts_format: iso`), addresses dotted or as their pseudonym, "
         "frag_offset in 8-byte units, and empty cells for fields the packet does not "
         "have (ports without a TCP/UDP header, ICMP fields without ICMP). The file "
         "appears only when the run finishes well; no input gives an empty file.",
  .inputs = csv_inputs,
  .n_inputs = G_N_ELEMENTS (csv_inputs),
  .options = csv_options,
  .n_options = G_N_ELEMENTS (csv_options),
  .config_size = sizeof (Config),
  .init = csv_init,
  .process = csv_process,
  .finish = csv_finish,
  .finalize = csv_finalize)
