/* darkvec_csv — packets from DarkVec traces: the public sample CSVs
 * (`0,ts,ethtype,src_ip,...` with a datetime index column) and the CoNEXT
 * `packets.log` files (space-separated, header starting with `ts`).
 *
 * Columns are found by their header name, the delimiter from the header
 * line, so both layouts (and column orders we have not seen) read alike.
 * The public samples replace addresses by tokens such as `src_ipaddr12`:
 * those are interned in one name map per stage so sinks print them back. */
#include "config.h"

#include <string.h>
#include "text-source.h"

enum {
  C_TS, C_ETHTYPE, C_SRC_IP, C_SRC_PORT, C_DST_IP, C_DST_PORT, C_PROTO, C_PCK_LEN,
  C_TCP_FLAGS, C_MIRAI, C_TCP_SEQ, C_TTL, C_IP_ID, C_ICMP_TYPE, C_ICMP_CODE, C_DF, C_MF,
  C_FRAG_OFFSET, C_TCP_WIN, C_TCP_OPTLEN, C_COUNT
};

/* The DarkVec names, then the names the csv sink writes packets with, so
 * its output reads back as packets without loss. */
static const struct { const char *name; int col; } darkvec_csv_names[] = {
  { "ts", C_TS }, { "ethtype", C_ETHTYPE }, { "src_ip", C_SRC_IP }, { "src_port", C_SRC_PORT },
  { "dst_ip", C_DST_IP }, { "dst_port", C_DST_PORT }, { "proto", C_PROTO },
  { "pck_len", C_PCK_LEN }, { "tcp_flags", C_TCP_FLAGS }, { "mirai", C_MIRAI },
  { "tcp_seq", C_TCP_SEQ }, { "ttl", C_TTL },
  { "src", C_SRC_IP }, { "dst", C_DST_IP }, { "sport", C_SRC_PORT }, { "dport", C_DST_PORT },
  { "ip_len", C_PCK_LEN }, { "ip_id", C_IP_ID }, { "icmp_type", C_ICMP_TYPE },
  { "icmp_code", C_ICMP_CODE }, { "df", C_DF }, { "mf", C_MF }, { "frag_offset", C_FRAG_OFFSET },
  { "tcp_win", C_TCP_WIN }, { "tcp_optlen", C_TCP_OPTLEN },
};

/* well past any known layout (24 names above); a wider header is refused */
#define DARKVEC_CSV_MAX_COLS 64

typedef struct {
  char *path;
  char **paths;
  guint64 batch_rows;
  int pseudonyms;      /* DARKVEC_CSV_PER_FILE, DARKVEC_CSV_SHARED */
} Config;

enum { DARKVEC_CSV_PER_FILE, DARKVEC_CSV_SHARED };
static const char *const darkvec_csv_pseudonym_choices[] = { "per-file", "shared", NULL };

typedef struct {
  DpStage *stage;
  GPtrArray *files;
  guint batch_rows;
  DpNameMap *names;
  GHashTable *tags;    /* path -> "@stem" its pseudonyms carry (per-file, several files) */
  const char *cur_path;
  const char *cur_tag; /* of cur_path; NULL: pseudonyms as written */
  DpPackets *batch;
  DpFlow flow;         /* what the last push returned */
  guint64 mirai;
  /* layout of the file being read */
  char delim;
  guint n_cols;
  int col[C_COUNT];    /* field index of each known column, or -1 */
} State;

typedef TextSourceRow Row;

static const DpOptionDesc darkvec_csv_options[] = {
  DP_OPTION_FLAGS ("path", DP_OPT_PATH, NULL, Config, path, DP_OPT_INPUT,
             "Input trace (plain or gzip, detected by content); a glob is expanded."),
  DP_OPTION_FLAGS ("paths", DP_OPT_STRLIST, NULL, Config, paths, DP_OPT_INPUT,
             "Input traces or globs, read in the order given (after path)."),
  DP_OPTION_RANGE ("batch_rows", DP_OPT_UINT, "16384", Config, batch_rows, 1, 1048576,
                   "Packets per emitted batch."),
  DP_OPTION_ENUM ("pseudonyms", "per-file", Config, pseudonyms, darkvec_csv_pseudonym_choices,
                  "per-file: the traces number their pseudonyms per file (src_ipaddr1 is another "
                  "source each day), so with several files a pseudonym carries its file's name "
                  "(src_ipaddr1@day2, the file name without its extensions); shared: the same "
                  "pseudonym is the same source in every file."),
};

static const DpPortDesc darkvec_csv_outputs[] = {
  { "packets", DP_TYPE_PACKETS, 0, "Packets in file order; pseudonymous addresses via the batch's name map." },
};

/* ------------------------------------------------------------------ */
/* values */

static gboolean
darkvec_csv_missing (const char *s)
{
  return s[0] == '\0' || (s[0] == '-' && s[1] == '\0');
}

static gboolean
darkvec_csv_proto (const char *s, guint8 *proto)
{
  static const struct { const char *name; guint8 num; } names[] = {
    { "icmp", 1 }, { "tcp", 6 }, { "udp", 17 }, { "gre", 47 },
  };
  guint64 v;
  if (text_source_parse_uint (s, 255, &v))
    {
      *proto = (guint8) v;
      return TRUE;
    }
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_ascii_strcasecmp (s, names[i].name) == 0)
      {
        *proto = names[i].num;
        return TRUE;
      }
  return FALSE;
}

/* A dotted quad stays itself, and IPv6 text is an IPv6 address; anything
 * else is a pseudonym, of its file when the files number them apart. */
static gboolean
darkvec_csv_addr (State *st, const char *s, guint32 *addr)
{
  if (darkvec_csv_missing (s))
    return FALSE;
  if (dp_ipv4_parse (s, addr))
    return TRUE;
  guint8 a6[16];
  if (st->cur_tag == NULL || dp_ip6_parse (s, a6))
    {
      *addr = dp_name_map_intern (st->names, s);
      return TRUE;
    }
  char buf[256];
  if (g_snprintf (buf, sizeof buf, "%s%s", s, st->cur_tag) < (int) sizeof buf)
    *addr = dp_name_map_intern (st->names, buf);
  else
    {
      g_autofree char *long_name = g_strconcat (s, st->cur_tag, NULL);
      *addr = dp_name_map_intern (st->names, long_name);
    }
  return TRUE;
}

/* "@stem" for each file (its name without directory and extensions, "#N"
 * added when two files share one), when pseudonyms are per file and there
 * are several files. */
static GHashTable *
darkvec_csv_tags (const GPtrArray *files)
{
  GHashTable *tags = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  if (files->len < 2)
    return tags;
  g_autoptr (GHashTable) used = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < files->len; i++)
    {
      const char *path = files->pdata[i];
      g_autofree char *base = g_path_get_basename (path);
      char *dot = strchr (base[0] == '.' ? base + 1 : base, '.');
      if (dot)
        *dot = '\0';
      char *tag = g_strdup_printf ("@%s", base);
      if (g_hash_table_contains (used, tag))
        {
          g_free (tag);
          tag = g_strdup_printf ("@%s#%u", base, i + 1);
        }
      g_hash_table_add (used, tag);
      g_hash_table_insert (tags, (gpointer) path, tag);
    }
  return tags;
}

/* ------------------------------------------------------------------ */
/* lines */

/* Splits @len bytes in place on the file's delimiter (runs of spaces
 * count as one, leading and trailing ones as none).  Returns the number of
 * fields, DARKVEC_CSV_MAX_COLS + 1 when there are more. */
static guint
darkvec_csv_split (const State *st, char *line, gsize len, char **f)
{
  guint n = 0;
  gboolean spaces = st->delim == ' ';
  gsize i = 0;
  while (spaces && i < len && line[i] == ' ')
    i++;
  f[n++] = line + i;
  for (; i < len; i++)
    {
      if (line[i] != st->delim)
        continue;
      line[i] = '\0';
      while (spaces && i + 1 < len && line[i + 1] == ' ')
        i++;
      if (spaces && i + 1 == len)
        break;
      if (n == DARKVEC_CSV_MAX_COLS)
        return n + 1;
      f[n++] = line + i + 1;
    }
  return n;
}

static const char *
darkvec_csv_field (const State *st, char **f, int c)
{
  return st->col[c] < 0 ? "-" : f[st->col[c]];
}

/* Optional number: "-" or an absent column is missing. */
static gboolean
darkvec_csv_opt (const State *st, char **f, int c, guint64 max, guint64 *v, gboolean *has)
{
  const char *s = darkvec_csv_field (st, f, c);
  *v = 0;
  *has = !darkvec_csv_missing (s);
  return !*has || text_source_parse_uint (s, max, v);
}

static const char *
darkvec_csv_l4 (const State *st, char **f, Row *row)
{
  guint64 sport, dport, flags, seq, win, optlen;
  gboolean has_s, has_d, has_f, has_q, has_w;
  if (!darkvec_csv_opt (st, f, C_SRC_PORT, 65535, &sport, &has_s)
      || !darkvec_csv_opt (st, f, C_DST_PORT, 65535, &dport, &has_d))
    return "bad src_port or dst_port";
  if (!darkvec_csv_opt (st, f, C_TCP_FLAGS, 0xfff, &flags, &has_f)
      || !darkvec_csv_opt (st, f, C_TCP_SEQ, G_MAXUINT32, &seq, &has_q))
    return "bad tcp_flags or tcp_seq";
  /* option bytes come in 4-byte words, at most 40 */
  if (!darkvec_csv_opt (st, f, C_TCP_WIN, 65535, &win, &has_w)
      || !darkvec_csv_opt (st, f, C_TCP_OPTLEN, 40, &optlen, &has_w) || optlen % 4 != 0)
    return "bad tcp_win or tcp_optlen";
  /* a trace without a src_port column still says where packets went,
   * which is what DarkVec's port tokens need */
  if (st->col[C_SRC_PORT] < 0)
    has_s = TRUE;
  if ((row->proto == 6 || row->proto == 17) && has_s && has_d)
    {
      row->sport = (guint16) sport;
      row->dport = (guint16) dport;
      row->l4 |= DP_L4_PORTS;
    }
  if (row->proto == 6 && has_f)
    {
      row->tcp_flags = (guint8) (flags & 0xff);
      row->tcp_seq = (guint32) seq;
      row->tcp_win = (guint16) win;
      row->tcp_optlen = (guint8) optlen;
      row->l4 |= DP_L4_TCP;
    }
  return NULL;
}

/* Fields only the csv sink's packet rows have. */
static const char *
darkvec_csv_extra (const State *st, char **f, Row *row)
{
  guint64 id, df, mf, off, type, code;
  gboolean has, has_type;
  if (!darkvec_csv_opt (st, f, C_IP_ID, 65535, &id, &has)
      || !darkvec_csv_opt (st, f, C_DF, 1, &df, &has)
      || !darkvec_csv_opt (st, f, C_MF, 1, &mf, &has)
      || !darkvec_csv_opt (st, f, C_FRAG_OFFSET, DP_FRAG_OFFSET_MASK, &off, &has))
    return "bad ip_id, df, mf or frag_offset";
  if (!darkvec_csv_opt (st, f, C_ICMP_TYPE, 255, &type, &has_type)
      || !darkvec_csv_opt (st, f, C_ICMP_CODE, 255, &code, &has))
    return "bad icmp_type or icmp_code";
  row->ip_id = (guint16) id;
  row->frag = (guint16) (off | (mf ? DP_FRAG_MF : 0) | (df ? DP_FRAG_DF : 0));
  if (row->proto == 1 && has_type)
    {
      row->icmp_type = (guint8) type;
      row->icmp_code = (guint8) code;
      row->l4 |= DP_L4_ICMP;
    }
  return NULL;
}

/* Fills @row; returns NULL or why the line is bad. */
static const char *
darkvec_csv_row (State *st, char **f, Row *row, gboolean *non_ipv4)
{
  guint64 eth, len, ttl, mirai;
  gboolean has_eth, has;
  *non_ipv4 = FALSE;
  if (!darkvec_csv_opt (st, f, C_ETHTYPE, 0xffff, &eth, &has_eth))
    return "bad ethtype";
  if (has_eth && eth != 0x0800)
    {
      *non_ipv4 = TRUE;
      return "not an IPv4 packet";
    }
  if (!text_source_parse_epoch (darkvec_csv_field (st, f, C_TS), &row->ts))
    return "bad ts";
  if (!darkvec_csv_addr (st, darkvec_csv_field (st, f, C_SRC_IP), &row->src)
      || !darkvec_csv_addr (st, darkvec_csv_field (st, f, C_DST_IP), &row->dst))
    return "missing src_ip or dst_ip";
  if (!darkvec_csv_proto (darkvec_csv_field (st, f, C_PROTO), &row->proto))
    return "bad proto";
  if (!darkvec_csv_opt (st, f, C_PCK_LEN, 65535, &len, &has)
      || !darkvec_csv_opt (st, f, C_TTL, 255, &ttl, &has))
    return "bad pck_len or ttl";
  if (!darkvec_csv_opt (st, f, C_MIRAI, 1, &mirai, &has))
    return "bad mirai flag";
  row->ip_len = (guint16) len;
  row->ttl = (guint8) ttl;
  const char *why = darkvec_csv_l4 (st, f, row);
  if (why == NULL)
    why = darkvec_csv_extra (st, f, row);
  if (why == NULL)
    st->mirai += mirai;
  return why;
}

/* The header decides the delimiter (comma, else tab, else spaces) and where
 * each known column is; ts, src_ip, dst_ip and proto must be there. */
static gboolean
darkvec_csv_header (State *st, DpLineReader *r, char *line, gsize len, GError **error)
{
  char *f[DARKVEC_CSV_MAX_COLS];
  if (g_str_has_prefix (line, "\xEF\xBB\xBF"))
    {
      line += 3;  /* a UTF-8 byte order mark from spreadsheet tools */
      len -= 3;
    }
  st->delim = strchr (line, ',') ? ',' : strchr (line, '\t') ? '\t' : ' ';
  st->n_cols = darkvec_csv_split (st, line, len, f);
  for (int c = 0; c < C_COUNT; c++)
    st->col[c] = -1;
  for (guint i = 0; i < st->n_cols && i < DARKVEC_CSV_MAX_COLS; i++)
    for (guint k = 0; k < G_N_ELEMENTS (darkvec_csv_names); k++)
      if (strcmp (g_strstrip (f[i]), darkvec_csv_names[k].name) == 0
          && st->col[darkvec_csv_names[k].col] < 0)
        st->col[darkvec_csv_names[k].col] = (int) i;
  if (st->n_cols > DARKVEC_CSV_MAX_COLS || st->col[C_TS] < 0 || st->col[C_SRC_IP] < 0
      || st->col[C_DST_IP] < 0 || st->col[C_PROTO] < 0)
    {
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT,
                   "%s: line 1: not a DarkVec trace header (needs columns ts, src_ip, "
                   "dst_ip and proto, at most %d columns)",
                   dp_line_reader_path (r), DARKVEC_CSV_MAX_COLS);
      return FALSE;
    }
  return TRUE;
}

static gboolean
darkvec_csv_line (void *state, DpLineReader *r, char *line, gsize len, GError **error)
{
  State *st = state;
  char *f[DARKVEC_CSV_MAX_COLS];
  gboolean non_ipv4 = FALSE;
  const char *why = "wrong number of fields";
  /* a new file starts at line 1 (its reader may sit where the last one did) */
  if (dp_line_reader_line (r) == 1 || dp_line_reader_path (r) != st->cur_path)
    {
      st->cur_path = dp_line_reader_path (r);
      st->cur_tag = g_hash_table_lookup (st->tags, st->cur_path);
    }
  if (dp_line_reader_line (r) == 1)
    return darkvec_csv_header (st, r, line, len, error);
  if (*line == '\0')
    return TRUE;
  Row row = { 0 };
  if (darkvec_csv_split (st, line, len, f) == st->n_cols)
    why = darkvec_csv_row (st, f, &row, &non_ipv4);
  if (why)
    return text_source_bad_line (st->stage, r, non_ipv4, why, error);
  if (st->batch == NULL)
    {
      st->batch = dp_packets_new (st->batch_rows);
      dp_packets_set_names (st->batch, st->names);
    }
  text_source_store (st->batch, &row);
  /* refilled in place when no consumer kept it */
  if (st->batch->n_rows >= st->batch_rows)
    st->flow = dp_stage_push_packets (st->stage, 0, &st->batch);
  return TRUE;
}

static gboolean
darkvec_csv_run (DpStage *stage, void *state, GError **error)
{
  State *st = state;
  if (!text_source_read_all (stage, st->files, TRUE, darkvec_csv_line, st, &st->flow, error))
    return FALSE;
  if (st->mirai)
    dp_stage_count (stage, "mirai", st->mirai);
  if (st->batch && st->batch->n_rows > 0 && st->flow == DP_FLOW_OK)
    st->flow = dp_stage_push (stage, 0, g_steal_pointer (&st->batch));
  return TRUE;
}

static gboolean
darkvec_csv_check (DpStage *stage, const void *config, GError **error)
{
  const Config *c = config;
  return text_source_check_paths (stage, c->path, c->paths, error);
}

static gboolean
darkvec_csv_init (DpStage *stage, const void *config, void **state, GError **error)
{
  const Config *c = config;
  State *st = g_new0 (State, 1);
  *state = st;
  st->stage = stage;
  st->batch_rows = (guint) c->batch_rows;
  st->names = dp_name_map_new ();
  st->files = text_source_files (c->path, c->paths, error);
  if (st->files == NULL)
    return FALSE;
  st->tags = c->pseudonyms == DARKVEC_CSV_PER_FILE ? darkvec_csv_tags (st->files)
                                                   : g_hash_table_new (g_str_hash, g_str_equal);
  return TRUE;
}

static void
darkvec_csv_finalize (void *state)
{
  State *st = state;
  g_clear_pointer (&st->batch, dp_batch_unref);
  g_clear_pointer (&st->tags, g_hash_table_unref);
  g_clear_pointer (&st->files, g_ptr_array_unref);
  g_clear_pointer (&st->names, dp_name_map_unref);
  g_free (st);
}

DP_PLUGIN_DEFINE (darkvec_csv,
  .kind = DP_KIND_SOURCE,
  .summary = "Reads packets from DarkVec traces (sample CSV or CoNEXT packets.log, plain or gzip).",
  .version = "1.0",
  .doc = "The header line names the columns (ts, ethtype, src_ip, src_port, dst_ip, "
         "dst_port, proto, pck_len, tcp_flags, mirai, tcp_seq, ttl; others are ignored) "
         "and decides the delimiter: comma, else tab, else spaces. `-` is a missing value. "
         "ts is epoch seconds, converted to ns from its digits. Addresses that are not "
         "dotted quads or IPv6 text (the samples' `src_ipaddr12`) are pseudonyms kept in the batches' "
         "name map, so sinks print them back; the public traces number them per file, so with "
         "several files they carry their file's name (`src_ipaddr12@darknet01_20210501`; "
         "option `pseudonyms`), and a ground truth for such a run names them so too. Packets with mirai = 1 are counted in the "
         "`mirai` counter. pck_len goes to ip_len. A trace without a src_port column "
         "gets source port 0 (its destination ports still count). ICMP type and code "
         "are not in the DarkVec format. The packet rows the csv sink writes (ts, src, dst, "
         "proto, sport, dport, tcp_flags, tcp_seq, ip_id, icmp_type, icmp_code, ttl, "
         "ip_len, df, mf, frag_offset, tcp_win, tcp_optlen) read back without loss. Lines of other ethertypes are counted as non-ipv4, "
         "malformed lines as bad-line (with file and line number); a file whose first "
         "line is not such a header is an error.",
  .outputs = darkvec_csv_outputs,
  .n_outputs = G_N_ELEMENTS (darkvec_csv_outputs),
  .options = darkvec_csv_options,
  .n_options = G_N_ELEMENTS (darkvec_csv_options),
  .config_size = sizeof (Config),
  .check = darkvec_csv_check,
  .init = darkvec_csv_init,
  .run = darkvec_csv_run,
  .finalize = darkvec_csv_finalize)
