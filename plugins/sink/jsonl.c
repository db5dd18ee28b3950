/* jsonl — writes tables and packet streams as JSON Lines: one object per
 * row, keys the column names.  Numbers stay numbers, addresses and strings
 * are JSON strings, NaN and infinities (which JSON cannot say) are null, as
 * are missing fields. */
#include "config.h"

#include <math.h>
#include "text-sink.h"

typedef struct {
  TextSink sink;
  GPtrArray *keys;       /* per column of the first table: its escaped "name": */
} State;

static const DpOptionDesc jsonl_options[] = {
  TEXT_SINK_OPTIONS ("Every time (a packet's ts, a table's time columns): epoch: a number of seconds with 9 "
                     "decimals; epoch_ns: integer nanoseconds (a string of digits past 2^53); iso: an RFC 3339 "
                     "UTC string with ns (\"2021-03-01T10:00:00.000000000Z\")."),
};

static const DpPortDesc jsonl_inputs[] = {
  { "input", DP_TYPE_ANY, 0, "Tables or a packet stream." },
};

/* ------------------------------------------------------------------ */

/* Keys are escaped once, from the first table. */
static gboolean
jsonl_columns (State *st, const DpTable *t, GError **error)
{
  gboolean first;
  if (!text_sink_columns (&st->sink, t, &first, error))
    return FALSE;
  for (guint c = 0; first && c < t->n_cols; c++)
    {
      GString *k = g_string_new (c ? "," : "{");
      dp_json_append_string (k, t->cols[c].name);
      g_string_append_c (k, ':');
      g_ptr_array_add (st->keys, g_string_free (k, FALSE));
    }
  return TRUE;
}

/* The largest integer every JSON reader that parses numbers as doubles
 * keeps exact. */
#define JSONL_EXACT G_GINT64_CONSTANT (9007199254740992)

static void
jsonl_cell (State *st, const DpTable *t, guint c, guint r)
{
  const DpColumn *col = &t->cols[c];
  GString *b = st->sink.buf;
  if (dp_table_is_null (t, c, r) || (col->type == DP_COL_DOUBLE && !isfinite (col->f64[r])))
    g_string_append (b, "null");
  else if ((col->flags & DP_COLUMN_TIME) && st->sink.ts_format != TS_FORMAT_EPOCH_NS)
    {
      /* seconds with 9 decimals: a number; iso: a string */
      gboolean iso = st->sink.ts_format == TS_FORMAT_ISO;
      if (iso)
        g_string_append_c (b, '"');
      text_sink_ts (&st->sink, b, col->i64[r], c);
      if (iso)
        g_string_append_c (b, '"');
    }
  else if (col->type == DP_COL_INT64 && (col->i64[r] > JSONL_EXACT || col->i64[r] < -JSONL_EXACT))
    {
      /* past 2^53 a double (jq, JavaScript, pandas' JSON reader) rounds:
       * such integers (nanosecond times, always) go as strings, exact */
      g_string_append_c (b, '"');
      dp_table_format_cell (t, c, r, b);
      g_string_append_c (b, '"');
    }
  else if (col->type == DP_COL_INT64 || col->type == DP_COL_DOUBLE)
    dp_table_format_cell (t, c, r, b);
  else
    {
      g_string_truncate (st->sink.cell, 0);
      dp_table_format_cell (t, c, r, st->sink.cell);
      dp_json_append_string (b, st->sink.cell->str);
    }
}

static gboolean
jsonl_table (void *self, const DpTable *t, GError **error)
{
  State *st = self;
  if (!jsonl_columns (st, t, error))
    return FALSE;
  for (guint r = 0; r < t->n_rows; r++)
    {
      if (t->n_cols == 0)
        g_string_append_c (st->sink.buf, '{');
      for (guint c = 0; c < t->n_cols; c++)
        {
          g_string_append (st->sink.buf, st->keys->pdata[c]);
          jsonl_cell (st, t, c, r);
        }
      g_string_append (st->sink.buf, "}\n");
      text_sink_row_done (&st->sink);
    }
  return TRUE;
}

/* A dotted quad (written into tmp) needs neither validation nor escapes;
 * only pseudonyms go through jsonl_string. */
static void
jsonl_addr (GString *b, guint32 addr, const DpNameMap *names)
{
  char tmp[64];
  const char *s = dp_ipv4_format (addr, names, tmp);
  if (s != tmp)
    {
      dp_json_append_string (b, s);
      return;
    }
  g_string_append_c (b, '"');
  g_string_append (b, s);
  g_string_append_c (b, '"');
}

static void
jsonl_field (GString *b, const char *key, gboolean present, guint64 v)
{
  g_string_append (b, key);
  if (present)
    text_sink_uint (b, v);
  else
    g_string_append (b, "null");
}

static void
jsonl_packet (void *self, const DpPackets *p, guint r)
{
  State *st = self;
  GString *b = st->sink.buf;
  guint8 l4 = p->l4[r];
  /* iso, and epoch_ns past 2^53 (every time since 1970-04-15), as strings */
  gboolean quoted = st->sink.ts_format == TS_FORMAT_ISO
                    || (st->sink.ts_format == TS_FORMAT_EPOCH_NS
                        && (p->ts[r] > JSONL_EXACT || p->ts[r] < -JSONL_EXACT));
  g_string_append (b, quoted ? "{\"ts\":\"" : "{\"ts\":");
  text_sink_ts (&st->sink, b, p->ts[r], 0);
  g_string_append (b, quoted ? "\",\"src\":" : ",\"src\":");
  jsonl_addr (b, p->src[r], p->names);
  g_string_append (b, ",\"dst\":");
  jsonl_addr (b, p->dst[r], p->names);
  jsonl_field (b, ",\"proto\":", TRUE, p->proto[r]);
  jsonl_field (b, ",\"sport\":", l4 & DP_L4_PORTS, p->sport[r]);
  jsonl_field (b, ",\"dport\":", l4 & DP_L4_PORTS, p->dport[r]);
  jsonl_field (b, ",\"tcp_flags\":", l4 & DP_L4_TCP, p->tcp_flags[r]);
  jsonl_field (b, ",\"tcp_seq\":", l4 & DP_L4_TCP, p->tcp_seq[r]);
  jsonl_field (b, ",\"ip_id\":", TRUE, p->ip_id[r]);
  jsonl_field (b, ",\"icmp_type\":", l4 & DP_L4_ICMP, p->icmp_type[r]);
  jsonl_field (b, ",\"icmp_code\":", l4 & DP_L4_ICMP, p->icmp_code[r]);
  jsonl_field (b, ",\"ttl\":", TRUE, p->ttl[r]);
  jsonl_field (b, ",\"ip_len\":", TRUE, p->ip_len[r]);
  g_string_append (b, (p->frag[r] & DP_FRAG_DF) ? ",\"df\":true" : ",\"df\":false");
  g_string_append (b, (p->frag[r] & DP_FRAG_MF) ? ",\"mf\":true" : ",\"mf\":false");
  jsonl_field (b, ",\"frag_offset\":", TRUE, p->frag[r] & DP_FRAG_OFFSET_MASK);
  jsonl_field (b, ",\"tcp_win\":", l4 & DP_L4_TCP, p->tcp_win[r]);
  jsonl_field (b, ",\"tcp_optlen\":", l4 & DP_L4_TCP, p->tcp_optlen[r]);
  g_string_append (b, "}\n");
}

static DpFlow
jsonl_process (DpStage *stage, void *state, guint in_port, const char *upstream, DpBatch *batch, GError **error)
{
  State *st = state;
  return text_sink_process (&st->sink, batch, jsonl_table, jsonl_packet, st, error) ? DP_FLOW_OK : DP_FLOW_ERROR;
}

static gboolean
jsonl_finish (DpStage *stage, void *state, GError **error)
{
  State *st = state;
  return text_sink_finish (&st->sink, stage, error);
}

static gboolean
jsonl_check (DpStage *stage, const void *config, GError **error)
{
  return text_sink_check (stage, config, error);
}

static gboolean
jsonl_init (DpStage *stage, const void *config, void **state, GError **error)
{
  State *st = g_new0 (State, 1);
  *state = st;
  st->keys = g_ptr_array_new_with_free_func (g_free);
  return text_sink_setup (&st->sink, stage, "jsonl", config, error);
}

static void
jsonl_finalize (void *state)
{
  State *st = state;
  text_sink_clear (&st->sink);
  g_clear_pointer (&st->keys, g_ptr_array_unref);
  g_free (st);
}

DP_PLUGIN_DEFINE (jsonl,
  .kind = DP_KIND_SINK,
  .summary = "Writes tables or packets as JSON Lines (optionally gzip), atomically.",
  .version = "1.0",
  .doc = "One JSON object per row, keyed by column name: integers and doubles as "
         "numbers (NaN and infinities as null), but integers beyond ±2^53 as strings of their "
         "digits, which jq, JavaScript and pandas would round as numbers (`tonumber` in jq, "
         "int() in Python read them back), addresses and strings as strings, a null cell (the "
         "taxonomy's \"not part of the key\", a missing string) as null. Time columns (those a "
         "plugin declares as times: the taxonomy's window_start, first_ts, last_ts) follow "
         "`ts_format`: `epoch` a number of seconds with 9 decimals (exact in the text; a double "
         "reader keeps about a microsecond), `epoch_ns` the integer nanoseconds (a string of "
         "digits, as every time after April 1970 is past 2^53: exact in jq and pandas), `iso` an "
         "RFC 3339 UTC string with nanoseconds (`2021-03-01T10:00:00.000000000Z`, which "
         "pandas.to_datetime reads exactly). Several tables on the input are appended when their "
         "columns (names and types) match, else the run fails. A packet stream gives one "
         "object per packet with the keys ts, src, dst, proto, sport, dport, tcp_flags, "
         "tcp_seq, ip_id, icmp_type, icmp_code, ttl, ip_len, df and mf (booleans: IPv4's don't-fragment and more-fragments flags), frag_offset "
         "(8-byte units), tcp_win (the TCP window field), tcp_optlen (TCP option bytes); ts as `ts_format` says, "
         "like a time column. Fields a packet does not have are null. Addresses print "
         "as their pseudonym when the batch has one. The file appears only when the run "
         "finishes well.",
  .inputs = jsonl_inputs,
  .n_inputs = G_N_ELEMENTS (jsonl_inputs),
  .options = jsonl_options,
  .n_options = G_N_ELEMENTS (jsonl_options),
  .config_size = sizeof (TextSinkConfig),
  .check = jsonl_check,
  .init = jsonl_init,
  .process = jsonl_process,
  .finish = jsonl_finish,
  .finalize = jsonl_finalize)
