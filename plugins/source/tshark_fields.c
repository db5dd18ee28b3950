/* tshark_fields — packets from the tab-separated text `tshark -T fields`
 * writes with a fixed list of 29 fields (plain or gzip).
 *
 * tshark prints what its dissectors saw, so the text varies with its
 * version: booleans as 0/1 or True/False, hex flags of any width, renamed
 * fields (tcp.flags.ecn → ece, ns → ae: only the column order counts), and
 * several values per field when a packet carries an inner header (ICMP
 * errors): the first value is the outer header's. */
#include "config.h"

#include <string.h>
#include "text-source.h"

enum {
  F_TIME, F_FRAME_LEN, F_IP_PROTO, F_IP_LEN, F_IP_TTL, F_IP_VERSION, F_IP_FLAGS,
  F_IP_MF, F_IP_FRAG, F_IP_SRC, F_IP_DST, F_ICMP_TYPE, F_ICMP_CODE, F_TCP_DPORT,
  F_TCP_SPORT, F_TCP_FLAGS, F_TCP_ACK, F_TCP_CWR, F_TCP_FIN, F_TCP_ECN, F_TCP_NS,
  F_TCP_PUSH, F_TCP_SYN, F_TCP_URG, F_TCP_RST, F_TCP_LEN, F_TCP_WIN, F_UDP_SPORT,
  F_UDP_DPORT, F_COUNT
};

/* TCP flag bit of each boolean column, used when tcp.flags itself is empty */
static const struct { int field; guint8 bit; } tshark_fields_flag_bits[] = {
  { F_TCP_FIN, 0x01 }, { F_TCP_SYN, 0x02 }, { F_TCP_RST, 0x04 }, { F_TCP_PUSH, 0x08 },
  { F_TCP_ACK, 0x10 }, { F_TCP_URG, 0x20 }, { F_TCP_ECN, 0x40 }, { F_TCP_CWR, 0x80 },
  { F_TCP_NS, 0 },
};

enum { HEADER_AUTO, HEADER_TRUE, HEADER_FALSE };
enum { FRAG_BLOCKS, FRAG_BYTES };

typedef struct {
  char *path;
  char **paths;
  char *timezone;
  guint64 batch_rows;
  int header;
  int frag_unit;
} Config;

typedef TextSourceRow Row;

typedef struct {
  DpStage *stage;
  GPtrArray *files;
  GTimeZone *tz;
  guint batch_rows;
  int header;
  int frag_unit;
  /* local time → epoch is costly; lines come in time order, so one
   * cached minute serves almost every line */
  gint64 minute_epoch;   /* minute_text read in the timezone option */
  gint64 minute_utc;     /* minute_text read as UTC */
  char minute_text[32];  /* e.g. "Feb 28, 2019 00:00" */
  gsize minute_len;
  DpPackets *batch;
  DpFlow flow;         /* what the last push returned */
} State;

static const char *const tshark_fields_header_choices[] = { "auto", "true", "false", NULL };
static const char *const tshark_fields_frag_choices[] = { "blocks", "bytes", NULL };

static const DpOptionDesc tshark_fields_options[] = {
  DP_OPTION_FLAGS ("path", DP_OPT_PATH, NULL, Config, path, DP_OPT_INPUT,
             "Input file (plain or gzip, detected by content); a glob is expanded."),
  DP_OPTION_FLAGS ("paths", DP_OPT_STRLIST, NULL, Config, paths, DP_OPT_INPUT,
             "Input files or globs, read in the order given (after path)."),
  DP_OPTION ("timezone", DP_OPT_STRING, "UTC", Config, timezone,
             "Zone of frame.time (e.g. Asia/Tokyo or +09:00); the printed abbreviation is ignored."),
  DP_OPTION_RANGE ("batch_rows", DP_OPT_UINT, "16384", Config, batch_rows, 1, 1048576,
                   "Packets per emitted batch."),
  DP_OPTION_ENUM ("header", "auto", Config, header, tshark_fields_header_choices,
                  "Skip a first line of field names: auto skips one starting with frame.time."),
  DP_OPTION_ENUM ("frag_offset_unit", "blocks", Config, frag_unit, tshark_fields_frag_choices,
                  "Unit of ip.frag_offset: 8-byte blocks (as tshark 4 prints it) or bytes (older tshark)."),
};

static const DpPortDesc tshark_fields_outputs[] = {
  { "packets", DP_TYPE_PACKETS, 0, "Decoded IPv4 packets in file order." },
};

/* ------------------------------------------------------------------ */
/* field parsers: each returns FALSE on text that is not a valid value */

static gboolean
tshark_fields_parse_bool (const char *s, gboolean *out)
{
  if (strcmp (s, "1") == 0 || g_ascii_strcasecmp (s, "true") == 0)
    *out = TRUE;
  else if (strcmp (s, "0") == 0 || g_ascii_strcasecmp (s, "false") == 0)
    *out = FALSE;
  else
    return FALSE;
  return TRUE;
}

static gboolean
tshark_fields_read_digits (const char **p, int min, int max, int *out)
{
  int v = 0, n = 0;
  while (g_ascii_isdigit (**p) && n < max)
    {
      v = v * 10 + (**p - '0');
      (*p)++;
      n++;
    }
  *out = v;
  return n >= min;
}

static int
tshark_fields_month (const char *s)
{
  static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
  for (int i = 0; i < 12; i++)
    if (g_ascii_strncasecmp (s, months + 3 * i, 3) == 0)
      return i + 1;
  return 0;
}

/* Days from 1970-01-01 to @y-@m-@d (proleptic Gregorian), by counting
 * 400-year eras with March as the first month so leap days come last. */
static gint64
tshark_fields_days (int y, int m, int d)
{
  y -= m <= 2;
  gint64 era = (y >= 0 ? y : y - 399) / 400;
  gint64 yoe = y - era * 400;
  gint64 doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

/* The date and time up to the minute, in tshark's default form ("Feb 28,
 * 2019 00:00") or ISO 8601 ("2019-02-28T00:00", newer tshark); *end gets
 * where the seconds start.  Fills the minute cache: the minute as UTC
 * (for an explicit offset) and in the timezone option (for none). */
static gboolean
tshark_fields_parse_minute (State *st, const char *s, const char **end)
{
  int y, mo, d, h, mi;
  const char *p = s;
  if (g_ascii_isdigit (*p))
    {
      if (!tshark_fields_read_digits (&p, 4, 4, &y) || *p++ != '-'
          || !tshark_fields_read_digits (&p, 2, 2, &mo) || *p++ != '-'
          || !tshark_fields_read_digits (&p, 2, 2, &d) || (*p != 'T' && *p != ' '))
        return FALSE;
      p++;
    }
  else
    {
      if ((mo = tshark_fields_month (s)) == 0)
        return FALSE;
      for (p = s + 3; *p == ' '; p++)
        ;
      if (!tshark_fields_read_digits (&p, 1, 2, &d) || *p++ != ',' || *p++ != ' '
          || !tshark_fields_read_digits (&p, 4, 4, &y) || *p++ != ' ')
        return FALSE;
    }
  if (!tshark_fields_read_digits (&p, 2, 2, &h) || *p++ != ':'
      || !tshark_fields_read_digits (&p, 2, 2, &mi) || *p != ':'
      || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59)
    return FALSE;
  GDateTime *dt = g_date_time_new (st->tz, y, mo, d, h, mi, 0);
  if (dt == NULL)
    return FALSE;
  st->minute_epoch = g_date_time_to_unix (dt);
  g_date_time_unref (dt);
  st->minute_utc = tshark_fields_days (y, mo, d) * 86400 + h * 3600 + mi * 60;
  *end = p;
  return TRUE;
}

/* What follows the seconds: nothing or a zone word (the timezone option
 * decides), or an explicit "Z" / "+09:00" / "-0500" (*offset in s). */
static gboolean
tshark_fields_zone (const char *p, gboolean *explicit, gint64 *offset)
{
  int hh, mm = 0, sign = *p == '-' ? -1 : 1;
  *explicit = FALSE;
  *offset = 0;
  if (*p == '\0' || *p == ' ')
    return TRUE;
  *explicit = TRUE;
  if (*p == 'Z')
    return p[1] == '\0';
  if (*p != '+' && *p != '-')
    return FALSE;
  p++;
  if (!tshark_fields_read_digits (&p, 2, 2, &hh))
    return FALSE;
  if (*p == ':')
    p++;
  if (*p && !tshark_fields_read_digits (&p, 2, 2, &mm))
    return FALSE;
  *offset = sign * (hh * 3600 + mm * 60);
  return *p == '\0' && hh < 24 && mm < 60;
}

static gboolean
tshark_fields_parse_time (State *st, const char *s, gint64 *ts)
{
  const char *p = s + st->minute_len;
  gboolean explicit;
  gint64 offset;
  int sec;
  if (g_ascii_isdigit (s[0]) && s[strspn (s, "0123456789")] != '-')
    return text_source_parse_epoch (s, ts);  /* frame.time_epoch */
  /* lines come in time order: most share the previous line's minute text */
  if (st->minute_len == 0 || strncmp (s, st->minute_text, st->minute_len) != 0 || *p != ':')
    {
      st->minute_len = 0;
      if (!tshark_fields_parse_minute (st, s, &p))
        return FALSE;
      if ((gsize) (p - s) < sizeof st->minute_text)
        {
          st->minute_len = (gsize) (p - s);
          memcpy (st->minute_text, s, st->minute_len);
          st->minute_text[st->minute_len] = '\0';
        }
    }
  p++;
  if (!tshark_fields_read_digits (&p, 2, 2, &sec) || sec > 60)
    return FALSE;
  gint64 frac = text_source_read_fraction (&p);
  if (!tshark_fields_zone (p, &explicit, &offset))
    return FALSE;
  return dp_ts_from_parts ((explicit ? st->minute_utc - offset : st->minute_epoch) + sec, frac, ts);
}

/* ------------------------------------------------------------------ */
/* one line → one row */

/* Optional numeric field: empty is missing (*present FALSE). */
static gboolean
tshark_fields_opt_uint (char **f, int i, guint64 max, guint64 *v, gboolean *present)
{
  const char *s = f[i];
  *present = *s != '\0';
  *v = 0;
  return !*present || text_source_parse_uint (s, max, v);
}

static const char *
tshark_fields_tcp (char **f, Row *row)
{
  guint64 sport, dport, flags;
  gboolean has_s, has_d, has_f, any_bool = FALSE;
  guint8 bits = 0;
  if (!tshark_fields_opt_uint (f, F_TCP_SPORT, 65535, &sport, &has_s)
      || !tshark_fields_opt_uint (f, F_TCP_DPORT, 65535, &dport, &has_d))
    return "bad tcp port";
  if (!tshark_fields_opt_uint (f, F_TCP_FLAGS, 0xfff, &flags, &has_f))
    return "bad tcp.flags";
  for (guint i = 0; i < G_N_ELEMENTS (tshark_fields_flag_bits); i++)
    {
      const char *s = f[tshark_fields_flag_bits[i].field];
      gboolean on;
      if (*s == '\0')
        continue;
      if (!tshark_fields_parse_bool (s, &on))
        return "bad tcp flag boolean";
      any_bool = TRUE;
      bits |= on ? tshark_fields_flag_bits[i].bit : 0;
    }
  if (has_s && has_d)
    {
      row->sport = (guint16) sport;
      row->dport = (guint16) dport;
      row->l4 |= DP_L4_PORTS;
    }
  if (has_f || any_bool)
    {
      row->tcp_flags = has_f ? (guint8) (flags & 0xff) : bits;
      row->l4 |= DP_L4_TCP;
    }
  return NULL;
}

/* Transport fields count only when they belong to the outer protocol: an
 * ICMP error also shows the tcp/udp fields of the packet it quotes. */
static const char *
tshark_fields_l4 (char **f, Row *row)
{
  guint64 a, b;
  gboolean has_a, has_b;
  switch (row->proto)
    {
    case 6:
      return tshark_fields_tcp (f, row);
    case 17:
      if (!tshark_fields_opt_uint (f, F_UDP_SPORT, 65535, &a, &has_a)
          || !tshark_fields_opt_uint (f, F_UDP_DPORT, 65535, &b, &has_b))
        return "bad udp port";
      if (has_a && has_b)
        {
          row->sport = (guint16) a;
          row->dport = (guint16) b;
          row->l4 |= DP_L4_PORTS;
        }
      return NULL;
    case 1:
      if (!tshark_fields_opt_uint (f, F_ICMP_TYPE, 255, &a, &has_a)
          || !tshark_fields_opt_uint (f, F_ICMP_CODE, 255, &b, &has_b))
        return "bad icmp type or code";
      if (has_a)
        {
          row->icmp_type = (guint8) a;
          row->icmp_code = (guint8) b;
          row->l4 |= DP_L4_ICMP;
        }
      return NULL;
    default:
      return NULL;
    }
}

static const char *
tshark_fields_ip (State *st, char **f, Row *row)
{
  guint64 proto, len, ttl, frag, flags, dummy;
  gboolean has, has_flags, mf = FALSE;
  if (!tshark_fields_opt_uint (f, F_IP_PROTO, 255, &proto, &has) || !has)
    return "bad or missing ip.proto";
  if (!tshark_fields_opt_uint (f, F_IP_LEN, 65535, &len, &has)
      || !tshark_fields_opt_uint (f, F_IP_TTL, 255, &ttl, &has))
    return "bad ip.len or ip.ttl";
  /* frame.len, tcp.len and tcp.window_size are not kept, but a line where
   * they are not numbers is not tshark output */
  if (!tshark_fields_opt_uint (f, F_FRAME_LEN, G_MAXUINT32, &dummy, &has)
      || !tshark_fields_opt_uint (f, F_IP_FLAGS, G_MAXUINT32, &flags, &has_flags)
      || !tshark_fields_opt_uint (f, F_TCP_LEN, G_MAXUINT32, &dummy, &has)
      || !tshark_fields_opt_uint (f, F_TCP_WIN, G_MAXUINT32, &dummy, &has))
    return "bad frame.len, ip.flags, tcp.len or tcp.window_size";
  const char *mf_text = f[F_IP_MF];
  if (*mf_text && !tshark_fields_parse_bool (mf_text, &mf))
    return "bad ip.flags.mf";
  if (!tshark_fields_opt_uint (f, F_IP_FRAG, 65535, &frag, &has))
    return "bad ip.frag_offset";
  if (st->frag_unit == FRAG_BYTES)
    {
      if (frag % 8 != 0)
        return "ip.frag_offset in bytes is not a multiple of 8";
      frag /= 8;
    }
  if (frag > DP_FRAG_OFFSET_MASK)
    return "ip.frag_offset out of range";
  row->proto = (guint8) proto;
  row->ip_len = (guint16) len;
  row->ttl = (guint8) ttl;
  /* ip.flags gives DF: tshark 4 prints the three flag bits as a number
   * (0x02 for DF: the field's mask 0xe0 shifted out; checked with 4.0.17
   * on the masscan capture); the byte (0x40) or the 16-bit word (0x4000)
   * of other versions are read too */
  gboolean df = has_flags && (flags <= 7 ? (flags & 2) != 0 : flags <= 0xff ? (flags & 0x40) != 0
                                                                            : (flags & 0x4000) != 0);
  row->frag = (guint16) (frag | (mf ? DP_FRAG_MF : 0) | (df ? DP_FRAG_DF : 0));
  return NULL;
}

/* Splits @line (@len bytes) in place into exactly F_COUNT tab-separated
 * fields, cutting each field after frame.time at its first comma: of
 * several values (an ICMP error's inner header) the first is the outer. */
static gboolean
tshark_fields_split (char *line, gsize len, char **f)
{
  guint n = 1;
  f[0] = line;
  for (gsize i = 0; i < len; i++)
    {
      if (line[i] == '\t')
        {
          if (n == F_COUNT)
            return FALSE;
          line[i] = '\0';
          f[n++] = line + i + 1;
        }
      else if (line[i] == ',' && n > 1)
        line[i] = '\0';
    }
  return n == F_COUNT;
}

/* Returns NULL when @row is filled, else why the line is bad; *non_ipv4
 * marks a well-formed line of another network protocol (IPv6, ARP). */
static const char *
tshark_fields_parse_line (State *st, char *line, gsize len, Row *row, gboolean *non_ipv4)
{
  char *f[F_COUNT];
  guint64 version;
  gboolean has_version;
  *non_ipv4 = FALSE;
  memset (row, 0, sizeof *row);
  if (!tshark_fields_split (line, len, f))
    return "not 29 tab-separated fields";
  if (!tshark_fields_parse_time (st, f[F_TIME], &row->ts))
    return "bad frame.time";
  if (!tshark_fields_opt_uint (f, F_IP_VERSION, 15, &version, &has_version))
    return "bad ip.version";
  const char *src = f[F_IP_SRC];
  const char *dst = f[F_IP_DST];
  if ((has_version && version != 4) || *src == '\0' || *dst == '\0')
    {
      *non_ipv4 = TRUE;
      return "not an IPv4 packet";
    }
  if (!dp_ipv4_parse (src, &row->src) || !dp_ipv4_parse (dst, &row->dst))
    return "bad ip.src or ip.dst";
  const char *why = tshark_fields_ip (st, f, row);
  return why ? why : tshark_fields_l4 (f, row);
}

static gboolean
tshark_fields_line (void *state, DpLineReader *r, char *line, gsize len, GError **error)
{
  State *st = state;
  Row row;
  gboolean non_ipv4;
  if (*line == '\0')
    return TRUE;
  if (dp_line_reader_line (r) == 1 && st->header != HEADER_FALSE
      && (st->header == HEADER_TRUE || g_str_has_prefix (line, "frame.time")))
    return TRUE;
  const char *why = tshark_fields_parse_line (st, line, len, &row, &non_ipv4);
  if (why)
    return text_source_bad_line (st->stage, r, non_ipv4, why, error);
  if (st->batch == NULL)
    st->batch = dp_packets_new (st->batch_rows);
  text_source_store (st->batch, &row);
  /* refilled in place when no consumer kept it */
  if (st->batch->n_rows >= st->batch_rows)
    st->flow = dp_stage_push_packets (st->stage, 0, &st->batch);
  return TRUE;
}

static gboolean
tshark_fields_run (DpStage *stage, void *state, GError **error)
{
  State *st = state;
  if (!text_source_read_all (stage, st->files, FALSE, tshark_fields_line, st, &st->flow, error))
    return FALSE;
  if (st->batch && st->batch->n_rows > 0 && st->flow == DP_FLOW_OK)
    st->flow = dp_stage_push (stage, 0, g_steal_pointer (&st->batch));
  return TRUE;
}

static gboolean
tshark_fields_check (DpStage *stage, const void *config, GError **error)
{
  const Config *c = config;
  if (!text_source_check_paths (stage, c->path, c->paths, error))
    return FALSE;
  GTimeZone *tz = g_time_zone_new_identifier (c->timezone);
  if (tz == NULL)
    return dp_stage_config_error (stage, error, DP_CONFIG_ERROR_TYPE, "timezone",
                                  "option 'timezone': unknown time zone '%s' (e.g. UTC, Asia/Tokyo, +09:00)",
                                  c->timezone);
  g_time_zone_unref (tz);
  return TRUE;
}

static gboolean
tshark_fields_init (DpStage *stage, const void *config, void **state, GError **error)
{
  const Config *c = config;
  State *st = g_new0 (State, 1);
  *state = st;
  st->stage = stage;
  st->batch_rows = (guint) c->batch_rows;
  st->header = c->header;
  st->frag_unit = c->frag_unit;
  st->files = text_source_files (c->path, c->paths, error);
  if (st->files == NULL)
    return FALSE;
  st->tz = g_time_zone_new_identifier (c->timezone);
  if (st->tz == NULL)   /* check() saw it: the zone database changed since */
    {
      g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_TYPE, "option 'timezone': '%s' is gone", c->timezone);
      return FALSE;
    }
  return TRUE;
}

static void
tshark_fields_finalize (void *state)
{
  State *st = state;
  g_clear_pointer (&st->batch, dp_batch_unref);
  g_clear_pointer (&st->files, g_ptr_array_unref);
  g_clear_pointer (&st->tz, g_time_zone_unref);
  g_free (st);
}

DP_PLUGIN_DEFINE (tshark_fields,
  .kind = DP_KIND_SOURCE,
  .summary = "Reads packets from `tshark -T fields` text (29 fields, tab-separated, plain or gzip).",
  .version = "1.0",
  .doc = "Expects the fields frame.time, frame.len, ip.proto, ip.len, ip.ttl, ip.version, "
         "ip.flags, ip.flags.mf, ip.frag_offset, ip.src, ip.dst, icmp.type, icmp.code, "
         "tcp.dstport, tcp.srcport, tcp.flags, tcp.flags.ack, tcp.flags.cwr, tcp.flags.fin, "
         "tcp.flags.ecn (ece), tcp.flags.ns (ae), tcp.flags.push, tcp.flags.syn, "
         "tcp.flags.urg, tcp.flags.reset, tcp.len, tcp.window_size, udp.srcport, "
         "udp.dstport, in this order. ip.flags gives the don't-fragment bit of `frag` "
         "(tshark 4 prints DF as 0x02; 0x40 and 0x4000 are read as DF too).\n\n"
         "frame.time may be tshark's default (`Feb 28, 2019 00:00:02.023742000 JST`: the "
         "zone word is ignored and the `timezone` option says what the clock meant), ISO "
         "8601 as newer tshark prints it (an explicit `Z` or offset wins over the option), "
         "or epoch seconds (frame.time_epoch); nanoseconds are kept exactly. "
         "ip.frag_offset is read in 8-byte blocks, the raw header field, as tshark 4.0.17 "
         "prints it (checked on a crafted fragment); `frag_offset_unit: bytes` reads "
         "the byte offsets some older versions printed.\n\n"
         "Booleans may be 0/1 or True/False; flags hex of any width or decimal. A field "
         "with several values (an ICMP error quoting a header) gives its first, outer "
         "value, and transport fields count only for the outer protocol. Empty fields are "
         "missing. These fields give no IP id, TCP sequence number, raw TCP window or "
         "TCP header length: they are 0 (tcp.window_size may be scaled). Lines of "
         "other protocols are counted as non-ipv4, malformed lines as bad-line.",
  .outputs = tshark_fields_outputs,
  .n_outputs = G_N_ELEMENTS (tshark_fields_outputs),
  .options = tshark_fields_options,
  .n_options = G_N_ELEMENTS (tshark_fields_options),
  .config_size = sizeof (Config),
  .check = tshark_fields_check,
  .init = tshark_fields_init,
  .run = tshark_fields_run,
  .finalize = tshark_fields_finalize)
