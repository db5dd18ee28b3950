/* csv — writes tables and packet streams as CSV (RFC 4180 quoting).
 *
 * A table becomes its header and rows; further tables on the same input
 * (a detector emitting one table per window) append their rows when their
 * columns match the first.  A packet stream becomes one row per packet,
 * streamed batch by batch, so extracting fields from a capture needs no
 * more memory than one batch. */
#include "config.h"

#include "text-sink.h"

typedef struct {
  TextSink sink;
} State;

static const DpOptionDesc csv_options[] = {
  TEXT_SINK_OPTIONS ("Every time (a packet's ts, a table's time columns): epoch: seconds with 9 decimals; "
                     "epoch_ns: integer nanoseconds; iso: RFC 3339 UTC with ns (2021-03-01T10:00:00.000000000Z)."),
};

static const DpPortDesc csv_inputs[] = {
  { "input", DP_TYPE_ANY, 0, "Tables or a packet stream." },
};

static const char *const csv_packet_columns =
  "ts,src,dst,proto,sport,dport,tcp_flags,tcp_seq,ip_id,icmp_type,icmp_code,ttl,ip_len,df,mf,frag_offset,tcp_win,tcp_optlen\n";

/* ------------------------------------------------------------------ */

static void
csv_append_quoted (GString *b, const char *s, gsize len)
{
  if (strcspn (s, ",\"\r\n") >= len)
    {
      g_string_append_len (b, s, (gssize) len);
      return;
    }
  /* a quote is doubled: the text up to and with it, then one more */
  const char *end = s + len, *q;
  g_string_append_c (b, '"');
  for (; (q = memchr (s, '"', (gsize) (end - s))) != NULL; s = q + 1)
    {
      g_string_append_len (b, s, q - s + 1);
      g_string_append_c (b, '"');
    }
  g_string_append_len (b, s, end - s);
  g_string_append_c (b, '"');
}

static void
csv_write_header (State *st, const DpTable *t)
{
  for (guint c = 0; c < t->n_cols; c++)
    {
      if (c > 0)
        g_string_append_c (st->sink.buf, ',');
      csv_append_quoted (st->sink.buf, t->cols[c].name, strlen (t->cols[c].name));
    }
  g_string_append_c (st->sink.buf, '\n');
}

static gboolean
csv_write_table (void *self, const DpTable *t, GError **error)
{
  State *st = self;
  gboolean first;
  if (!text_sink_columns (&st->sink, t, &first, error))
    return FALSE;
  if (st->sink.need_header)
    {
      gsize at = st->sink.buf->len;
      csv_write_header (st, t);
      st->sink.need_header = FALSE;
      if (st->sink.resume)
        {
          /* a file continued: its header must be this one, its rows go first */
          g_autofree char *head = g_strndup (st->sink.buf->str + at, st->sink.buf->len - at - 1);
          if (!text_sink_resume_rows (&st->sink, head, error))
            return FALSE;
        }
    }
  for (guint r = 0; r < t->n_rows; r++)
    {
      for (guint c = 0; c < t->n_cols; c++)
        {
          if (c > 0)
            g_string_append_c (st->sink.buf, ',');
          /* numbers and dotted addresses never need quotes: straight in */
          DpColType type = t->cols[c].type;
          if (dp_table_is_null (t, c, r))
            continue;   /* an empty cell */
          if (t->cols[c].flags & DP_COLUMN_TIME)
            text_sink_ts (&st->sink, st->sink.buf, t->cols[c].i64[r], c);
          else if (type == DP_COL_STRING)
            {
              const char *v = t->cols[c].str[r];
              if (v)
                csv_append_quoted (st->sink.buf, v, strlen (v));
            }
          else if (type == DP_COL_IPV4 && t->names)
            {
              g_string_truncate (st->sink.cell, 0);
              dp_table_format_cell (t, c, r, st->sink.cell);
              csv_append_quoted (st->sink.buf, st->sink.cell->str, st->sink.cell->len);
            }
          else
            dp_table_format_cell (t, c, r, st->sink.buf);
        }
      g_string_append_c (st->sink.buf, '\n');
      text_sink_row_done (&st->sink);
    }
  return TRUE;
}

/* Appends ",v", or "," alone when the field is missing. */
static void
csv_append_opt (GString *b, gboolean present, guint64 v)
{
  g_string_append_c (b, ',');
  if (present)
    text_sink_uint (b, v);
}

static void
csv_append_addr (GString *b, guint32 addr, const DpNameMap *names)
{
  char tmp[64];
  const char *s = dp_ipv4_format (addr, names, tmp);
  g_string_append_c (b, ',');
  /* a dotted quad (written into tmp) never needs quotes; a pseudonym may */
  if (s == tmp)
    g_string_append (b, s);
  else
    csv_append_quoted (b, s, strlen (s));
}

static void
csv_packet_row (void *self, const DpPackets *p, guint r)
{
  State *st = self;
  GString *b = st->sink.buf;
  gboolean ports = p->l4[r] & DP_L4_PORTS, tcp = p->l4[r] & DP_L4_TCP;
  gboolean icmp = p->l4[r] & DP_L4_ICMP;
  text_sink_ts (&st->sink, b, p->ts[r], 0);
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
  csv_append_opt (b, TRUE, (p->frag[r] & DP_FRAG_DF) != 0);
  csv_append_opt (b, TRUE, (p->frag[r] & DP_FRAG_MF) != 0);
  csv_append_opt (b, TRUE, p->frag[r] & DP_FRAG_OFFSET_MASK);
  csv_append_opt (b, tcp, p->tcp_win[r]);
  csv_append_opt (b, tcp, p->tcp_optlen[r]);
  g_string_append_c (b, '\n');
}

static DpFlow
csv_process (DpStage *stage, void *state, guint in_port, const char *upstream, DpBatch *batch, GError **error)
{
  State *st = state;
  return text_sink_process (&st->sink, batch, csv_write_table, csv_packet_row, st, error) ? DP_FLOW_OK : DP_FLOW_ERROR;
}

static gboolean
csv_finish (DpStage *stage, void *state, GError **error)
{
  State *st = state;
  return text_sink_finish (&st->sink, stage, error);
}

static gboolean
csv_check (DpStage *stage, const void *config, GError **error)
{
  return text_sink_check (stage, config, error);
}

static gboolean
csv_init (DpStage *stage, const void *config, void **state, GError **error)
{
  State *st = g_new0 (State, 1);
  *state = st;
  st->sink.packets_header = csv_packet_columns;
  st->sink.header_line = TRUE;
  return text_sink_setup (&st->sink, stage, "csv", config, error);
}

static void
csv_finalize (void *state)
{
  State *st = state;
  text_sink_clear (&st->sink);
  g_free (st);
}

DP_PLUGIN_DEFINE (csv,
  .kind = DP_KIND_SINK,
  .summary = "Writes tables or packets as CSV (optionally gzip), atomically.",
  .version = "1.0",
  .doc = "A table is written as a header and its rows; cells with a comma, quote or "
         "line break are quoted (RFC 4180). Time columns (those a plugin declares as times: "
         "the taxonomy's window_start, first_ts, last_ts) are written as `ts_format` says: "
         "epoch seconds with 9 decimals (the default), integer nanoseconds (`epoch_ns`) or "
         "RFC 3339 UTC with nanoseconds (`iso`). A null cell (the taxonomy's \"not part of the "
         "key\", a missing string) is empty. Several tables on the input are appended "
         "under one header when their columns (names and types) match, else the run "
         "fails. A packet stream is written one row per packet with the columns "
         "`ts,src,dst,proto,sport,dport,tcp_flags,tcp_seq,ip_id,icmp_type,icmp_code,"
         "ttl,ip_len,df,mf,frag_offset,tcp_win,tcp_optlen`: ts as `ts_format` says, addresses dotted or as their "
         "pseudonym, frag_offset in 8-byte units, tcp_win the TCP window field, tcp_optlen "
         "the TCP option bytes (data offset * 4 - 20), and empty cells for fields the packet does not "
         "have (ports without a TCP/UDP header, TCP fields without TCP, ICMP fields without ICMP). The file "
         "appears only when the run finishes well; no input gives an empty file.",
  .inputs = csv_inputs,
  .n_inputs = G_N_ELEMENTS (csv_inputs),
  .options = csv_options,
  .n_options = G_N_ELEMENTS (csv_options),
  .config_size = sizeof (TextSinkConfig),
  .check = csv_check,
  .init = csv_init,
  .process = csv_process,
  .finish = csv_finish,
  .finalize = csv_finalize)
