/* jsonl — writes tables and packet streams as JSON Lines: one object per
 * row, keys the column names.  Numbers stay numbers, addresses and strings
 * are JSON strings, NaN and infinities (which JSON cannot say) are null, as
 * are missing fields. */
#include "config.h"

#include <math.h>
#include <string.h>
#include <time.h>
#include "darkpipe.h"

enum { JSONL_TS_EPOCH, JSONL_TS_ISO };

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
  DpBatchType kind;      /* DP_TYPE_NONE until the first batch */
  gboolean have_columns;
  GPtrArray *keys;       /* per column of the first table: escaped "name": */
  GArray *types;
  GString *line;
  GString *cell;
  guint64 rows;
} State;

static const char *const jsonl_ts_choices[] = { "epoch", "iso", NULL };

static const DpOptionDesc jsonl_options[] = {
  DP_OPTION_REQUIRED ("path", DP_OPT_PATH, Config, path,
                      "Output file; a relative path goes below the run's output directory."),
  DP_OPTION ("gzip", DP_OPT_BOOL, "false", Config, gzip,
             "Compress with gzip (also done when the path ends in .gz)."),
  DP_OPTION_ENUM ("ts_format", "epoch", Config, ts_format, jsonl_ts_choices,
                  "Packet time as a number of epoch seconds with 9 decimals or an ISO 8601 UTC string."),
};

static const DpPortDesc jsonl_inputs[] = {
  { "input", DP_TYPE_ANY, 0, "Tables or a packet stream." },
};

/* ------------------------------------------------------------------ */

/* JSON text must be UTF-8: invalid bytes become U+FFFD rather than
 * producing a line no reader accepts. */
static void
jsonl_string (GString *b, const char *s)
{
  g_autofree char *valid = g_utf8_validate (s, -1, NULL) ? NULL : g_utf8_make_valid (s, -1);
  g_string_append_c (b, '"');
  for (const guchar *p = (const guchar *) (valid ? valid : s); *p; p++)
    {
      switch (*p)
        {
        case '"': g_string_append (b, "\\\""); break;
        case '\\': g_string_append (b, "\\\\"); break;
        case '\n': g_string_append (b, "\\n"); break;
        case '\r': g_string_append (b, "\\r"); break;
        case '\t': g_string_append (b, "\\t"); break;
        default:
          if (*p < 0x20)
            g_string_append_printf (b, "\\u%04x", *p);
          else
            g_string_append_c (b, (char) *p);
        }
    }
  g_string_append_c (b, '"');
}

static void
jsonl_ts (State *st, GString *b, gint64 ts)
{
  gint64 sec = ts / 1000000000, ns = ts % 1000000000;
  if (ns < 0)
    {
      sec--;
      ns += 1000000000;
    }
  if (st->ts_format == JSONL_TS_ISO)
    {
      time_t t = (time_t) sec;
      struct tm tm;
      char text[32];
      gmtime_r (&t, &tm);
      strftime (text, sizeof text, "%Y-%m-%dT%H:%M:%S", &tm);
      g_string_append_printf (b, "\"%s.%09" G_GINT64_FORMAT "Z\"", text, ns);
    }
  else if (sec < 0 && ns > 0)
    g_string_append_printf (b, "-%" G_GINT64_FORMAT ".%09" G_GINT64_FORMAT,
                            -sec - 1, 1000000000 - ns);
  else
    g_string_append_printf (b, "%" G_GINT64_FORMAT ".%09" G_GINT64_FORMAT, sec, ns);
}

static gboolean
jsonl_start (State *st, DpBatchType kind, GError **error)
{
  if (st->kind != DP_TYPE_NONE && st->kind != kind)
    {
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT,
                   "%s: the input mixes tables and packets", st->path);
      return FALSE;
    }
  if (st->out == NULL)
    st->out = dp_outfile_open (st->path, st->gzip, error);
  if (st->out == NULL)
    return FALSE;
  st->kind = kind;
  return TRUE;
}

static void
jsonl_end_line (State *st)
{
  g_string_append (st->line, "}\n");
  if (st->line->len >= 65536)
    {
      dp_outfile_write (st->out, st->line->str, st->line->len);
      g_string_truncate (st->line, 0);
    }
}

/* Keys are escaped once, from the first table; later tables must match it. */
static gboolean
jsonl_columns (State *st, const DpTable *t, GError **error)
{
  gboolean first = !st->have_columns;
  gboolean same = first || t->n_cols == st->types->len;
  for (guint c = 0; c < t->n_cols && same; c++)
    {
      g_string_truncate (st->cell, 0);
      g_string_append_c (st->cell, c ? ',' : '{');
      jsonl_string (st->cell, t->cols[c].name);
      g_string_append_c (st->cell, ':');
      if (first)
        {
          g_ptr_array_add (st->keys, g_strdup (st->cell->str));
          g_array_append_val (st->types, t->cols[c].type);
        }
      else
        same = strcmp (st->cell->str, st->keys->pdata[c]) == 0
               && t->cols[c].type == g_array_index (st->types, DpColType, c);
    }
  st->have_columns = TRUE;
  if (!same)
    g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT,
                 "%s: table '%s' does not have the columns of the first table "
                 "(%u columns, same names and types needed)",
                 st->path, t->name ? t->name : "", st->types->len);
  return same;
}

static void
jsonl_cell (State *st, const DpTable *t, guint c, guint r)
{
  const DpColumn *col = &t->cols[c];
  GString *b = st->line;
  if (col->type == DP_COL_DOUBLE && !isfinite (col->f64[r]))
    g_string_append (b, "null");
  else if (col->type == DP_COL_STRING && col->str[r] == NULL)
    g_string_append (b, "null");
  else if (col->type == DP_COL_INT64 || col->type == DP_COL_DOUBLE)
    dp_table_format_cell (t, c, r, b);
  else
    {
      g_string_truncate (st->cell, 0);
      dp_table_format_cell (t, c, r, st->cell);
      jsonl_string (b, st->cell->str);
    }
}

static gboolean
jsonl_table (State *st, const DpTable *t, GError **error)
{
  if (!jsonl_start (st, DP_TYPE_TABLE, error) || !jsonl_columns (st, t, error))
    return FALSE;
  for (guint r = 0; r < t->n_rows; r++)
    {
      if (t->n_cols == 0)
        g_string_append_c (st->line, '{');
      for (guint c = 0; c < t->n_cols; c++)
        {
          g_string_append (st->line, st->keys->pdata[c]);
          jsonl_cell (st, t, c, r);
        }
      jsonl_end_line (st);
    }
  st->rows += t->n_rows;
  return TRUE;
}

static void
jsonl_field (GString *b, const char *key, gboolean present, guint64 v)
{
  g_string_append (b, key);
  if (present)
    g_string_append_printf (b, "%" G_GUINT64_FORMAT, v);
  else
    g_string_append (b, "null");
}

static void
jsonl_packet (State *st, const DpPackets *p, guint r)
{
  GString *b = st->line;
  char tmp[64];
  guint8 l4 = p->l4[r];
  g_string_append (b, "{\"ts\":");
  jsonl_ts (st, b, p->ts[r]);
  g_string_append (b, ",\"src\":");
  jsonl_string (b, dp_ipv4_format (p->src[r], p->names, tmp));
  g_string_append (b, ",\"dst\":");
  jsonl_string (b, dp_ipv4_format (p->dst[r], p->names, tmp));
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
  g_string_append (b, (p->frag[r] & DP_FRAG_MF) ? ",\"mf\":true" : ",\"mf\":false");
  jsonl_field (b, ",\"frag_offset\":", TRUE, p->frag[r] & DP_FRAG_OFFSET_MASK);
  jsonl_end_line (st);
}

static gboolean
jsonl_process (DpStage *stage, void *state, guint in_port, DpBatch *batch, GError **error)
{
  State *st = state;
  gboolean ok = FALSE;
  (void) stage;
  (void) in_port;
  if (batch->type == DP_TYPE_TABLE)
    ok = jsonl_table (st, (const DpTable *) batch, error);
  else if (batch->type == DP_TYPE_PACKETS && jsonl_start (st, DP_TYPE_PACKETS, error))
    {
      const DpPackets *p = (const DpPackets *) batch;
      for (guint r = 0; r < p->n_rows; r++)
        jsonl_packet (st, p, r);
      st->rows += p->n_rows;
      ok = TRUE;
    }
  else if (batch->type != DP_TYPE_PACKETS)
    g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT,
                 "%s: jsonl writes tables and packets, not %s",
                 st->path, dp_batch_type_name (batch->type));
  if (!ok)
    g_clear_pointer (&st->out, dp_outfile_abort);
  return ok;
}

static gboolean
jsonl_finish (DpStage *stage, void *state, GError **error)
{
  State *st = state;
  if (st->out == NULL)
    st->out = dp_outfile_open (st->path, st->gzip, error);
  if (st->out == NULL)
    return FALSE;
  dp_outfile_write (st->out, st->line->str, st->line->len);
  g_string_truncate (st->line, 0);
  if (!dp_outfile_commit (g_steal_pointer (&st->out), error))
    return FALSE;
  dp_stage_count (stage, "rows-written", st->rows);
  return TRUE;
}

static gboolean
jsonl_init (DpStage *stage, const void *config, void **state, GError **error)
{
  const Config *c = config;
  State *st = g_new0 (State, 1);
  (void) error;
  *state = st;
  st->stage = stage;
  st->path = dp_stage_output_path (stage, c->path);
  st->gzip = c->gzip || g_str_has_suffix (c->path, ".gz");
  st->ts_format = c->ts_format;
  st->kind = DP_TYPE_NONE;
  st->keys = g_ptr_array_new_with_free_func (g_free);
  st->types = g_array_new (FALSE, FALSE, sizeof (DpColType));
  st->line = g_string_sized_new (65536 + 1024);
  st->cell = g_string_new (NULL);
  return TRUE;
}

static void
jsonl_finalize (void *state)
{
  State *st = state;
  if (st == NULL)
    return;
  g_clear_pointer (&st->out, dp_outfile_abort);
  g_free (st->path);
  g_clear_pointer (&st->keys, g_ptr_array_unref);
  g_clear_pointer (&st->types, g_array_unref);
  if (st->line)
    g_string_free (st->line, TRUE);
  if (st->cell)
    g_string_free (st->cell, TRUE);
  g_free (st);
}

DP_PLUGIN_DEFINE (jsonl,
  .kind = DP_KIND_SINK,
  .summary = "Writes tables or packets as JSON Lines (optionally gzip), atomically.",
  .version = "1.0",
  .doc = "One JSON object per row, keyed by column name: integers and doubles as "
         "numbers (NaN and infinities as null), addresses and strings as strings, a "
         "missing string as null. Several tables on the input are appended when their "
         "columns (names and types) match, else the run fails. A packet stream gives one "
         "object per packet with the keys ts, src, dst, proto, sport, dport, tcp_flags, "
         "tcp_seq, ip_id, icmp_type, icmp_code, ttl, ip_len, mf (boolean), frag_offset "
         "(8-byte units); ts is a number of epoch seconds with 9 decimals (exact in the "
         "text; a double reader keeps about microseconds) or, with `ts_format: iso`, an "
         "ISO 8601 UTC string. Fields a packet does not have are null. Addresses print "
         "as their pseudonym when the batch has one. The file appears only when the run "
         "finishes well.",
  .inputs = jsonl_inputs,
  .n_inputs = G_N_ELEMENTS (jsonl_inputs),
  .options = jsonl_options,
  .n_options = G_N_ELEMENTS (jsonl_options),
  .config_size = sizeof (Config),
  .init = jsonl_init,
  .process = jsonl_process,
  .finish = jsonl_finish,
  .finalize = jsonl_finalize)
