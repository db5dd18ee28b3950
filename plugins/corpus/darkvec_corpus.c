/* darkvec_corpus — DarkVec's corpus: one token per packet (its source
 * address); one sentence per (time bucket, language) holding the sources of
 * that bucket's packets of that language in timestamp order.  A language is a
 * class of destination port/protocol: a service of a port map ("services"),
 * one of the top-N port/protocol pairs or "other" ("auto"), everything
 * ("single"), or auto and services side by side ("hybrid", i-DarkVec).
 *
 * Memory: packets stream in, but the activity filter (min_packets over the
 * whole input) and the auto languages (top-N over the whole input) are known
 * only at the end, so every packet is kept until finish as 12 bytes (source,
 * port/protocol, position inside its bucket), grouped by bucket, plus a hash
 * entry per source and per port/protocol pair.  A bucket's records are freed
 * as soon as its sentences are emitted.
 */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "darkpipe.h"
#include "corpus-common.h"
#include "../common/tz.h"

#ifndef DARKVEC_SERVICES_FILE
#define DARKVEC_SERVICES_FILE "/usr/share/darkpipe/services.txt"
#endif

enum { LANG_SERVICES, LANG_AUTO, LANG_SINGLE, LANG_HYBRID };
enum { LONG_TRUNCATE, LONG_SPLIT };

typedef struct {
  int languages;
  char *services_path;
  gint64 top_n;
  gint64 bucket;
  char *timezone;
  guint64 min_packets;
  gboolean dedup_consecutive;
  int long_sentences;
  guint64 max_sentence;
  guint64 overlap;
  char *text_path;
  guint64 window_days;
  char *state_path;
} DarkvecConfig;

/* One day's packets per source (window_days). */
typedef struct {
  gint64 day;            /* days since 1970 in the buckets' time zone */
  DpHash counts;         /* source -> packets */
  gboolean from_state;   /* read from state_path, not seen in this input */
} DarkvecDay;

typedef struct {
  gint64 number;       /* bucket index: floor(local time / bucket) */
  guint32 *src;
  guint32 *pp;         /* darkvec_pp() of each packet */
  guint32 *pos;        /* position inside the bucket, 2^32 steps */
  guint n, cap;
  guint32 last_pos;
  gboolean disordered;
} DarkvecBucket;

typedef struct {
  const DarkvecConfig *config;
  TzZone tz;                 /* the buckets' time zone */
  DpHash bucket_index;       /* bucket number -> index into buckets */
  GArray *buckets;           /* DarkvecBucket */
  DpHash src_packets;        /* source -> packets */
  DpHash pp_packets;         /* port/proto -> packets */
  DpHash services;           /* port/proto -> service language + 1 */
  GPtrArray *service_names;  /* languages of the service map, in id order */
  guint unk[3];              /* ids of unk_sys, unk_usr, unk_eph (a map may name them in any order) */
  guint icmp_lang;
  DpNameMap *names;
  guint64 packets;
  GArray *days;              /* DarkvecDay, window_days > 0 */
  guint day_at;              /* index of the last day counted */
  DpHash window;             /* source -> packets over the window ending on window_day */
  gint64 window_day;
} Darkvec;

#define DARKVEC_DAY_NS G_GINT64_CONSTANT (86400000000000)

static const char *const darkvec_languages[] = { "services", "auto", "single", "hybrid", NULL };
static const char *const darkvec_long[] = { "truncate", "split", NULL };

static const DpOptionDesc darkvec_corpus_options[] = {
  DP_OPTION_ENUM ("languages", "services", DarkvecConfig, languages, darkvec_languages,
                  "How packets are split into languages: a port map, the top_n pairs, one language, or auto and services both."),
  DP_OPTION_FLAGS ("services_path", DP_OPT_PATH, NULL, DarkvecConfig, services_path, DP_OPT_INPUT,
             "Port/protocol to service map (default: the shipped services.txt reconstruction)."),
  DP_OPTION_RANGE ("top_n", DP_OPT_INT, "10", DarkvecConfig, top_n, 1, 1000000,
                   "Number of port/protocol pairs that get their own language with auto (10 DarkVec, 2500 i-DarkVec)."),
  DP_OPTION_RANGE ("bucket", DP_OPT_DURATION, "1h", DarkvecConfig, bucket, 1, 366 * 86400.0,
                   "Length of the time bucket of one sentence."),
  DP_OPTION ("timezone", DP_OPT_STRING, "UTC", DarkvecConfig, timezone,
             "Time zone the buckets are aligned to (the authors used local time, Europe/Rome)."),
  DP_OPTION ("min_packets", DP_OPT_UINT, "10", DarkvecConfig, min_packets,
             "Sources with fewer packets over the whole input are left out (DarkVec's activity filter)."),
  DP_OPTION ("dedup_consecutive", DP_OPT_BOOL, "false", DarkvecConfig, dedup_consecutive,
             "Drop a token equal to the one before it in its sentence (i-DarkVec)."),
  DP_OPTION_ENUM ("long_sentences", "split", DarkvecConfig, long_sentences, darkvec_long,
                  "Sentences past max_sentence are cut to it (gensim, the authors' runs) or split into overlapping windows."),
  DP_OPTION_RANGE ("max_sentence", DP_OPT_UINT, "10000", DarkvecConfig, max_sentence, 2, 1e12,
                   "Longest sentence emitted (gensim trains on at most 10000 tokens of a sentence)."),
  DP_OPTION ("overlap", DP_OPT_UINT, "25", DarkvecConfig, overlap,
             "Tokens shared by consecutive windows of a split sentence (use the trainer's window)."),
  DP_OPTION_FLAGS ("text_path", DP_OPT_PATH, NULL, DarkvecConfig, text_path, DP_OPT_OUTPUT,
             "Also write the corpus as text, one sentence per line, for other tools."),
  DP_OPTION_RANGE ("window_days", DP_OPT_UINT, "0", DarkvecConfig, window_days, 0, 3660,
                   "When above 0, a bucket of day D keeps the sources with min_packets over days D-window_days+1..D (i-DarkVec's sliding filter) instead of over the whole input."),
  DP_OPTION_FLAGS ("state_path", DP_OPT_PATH, NULL, DarkvecConfig, state_path, DP_OPT_OUTPUT,
             "With window_days: per-source packets of the last days, read when there and written back, so one run a day filters as one run over all days."),
};

/* the packet columns it reads (under MPI only these reach rank 0) */
static const DpColumnDesc darkvec_corpus_packet_columns[] = {
  { "ts", DP_COL_INT64, DP_COLUMN_TIME },
  { "src", DP_COL_IPV4, 0 },
  { "proto", DP_COL_INT64, 0 },
  { "dport", DP_COL_INT64, 0 },
  { "l4", DP_COL_INT64, 0 },
};
static const DpPortDesc darkvec_corpus_inputs[] = {
  { "packets", DP_TYPE_PACKETS, 0, "Packets in time order (per bucket, out-of-order ones are sorted).",
    DP_PORT_COLUMNS (darkvec_corpus_packet_columns) },
};
static const DpPortDesc darkvec_corpus_outputs[] = {
  { "corpus", DP_TYPE_CORPUS, 0,
    "Sentences by bucket, then language; sentence_time is the bucket start, sentence_lang the language." },
};

/* A port/protocol pair; port-less packets (ICMP, GRE, fragments) get their
 * own space so "-/icmp" differs from "0/tcp". */
static inline guint32
darkvec_pp (const DpPackets *p, guint i)
{
  if (p->l4[i] & DP_L4_PORTS)
    return ((guint32) p->proto[i] << 16) | p->dport[i];
  return (1u << 24) | ((guint32) p->proto[i] << 16);
}

static void
darkvec_pp_name (guint32 pp, GString *out)
{
  guint proto = (pp >> 16) & 0xff;
  const char *name = dp_proto_name ((guint8) proto);
  if (!(pp & (1u << 24)))
    g_string_append_printf (out, "%u_", pp & 0xffff);
  if (name)
    g_string_append (out, name);
  else
    g_string_append_printf (out, "proto%u", proto);
}

/* ------------------------------------------------------------------ */
/* the service map */

static guint
darkvec_service_id (Darkvec *d, const char *name)
{
  for (guint i = 0; i < d->service_names->len; i++)
    if (strcmp (g_ptr_array_index (d->service_names, i), name) == 0)
      return i;
  g_ptr_array_add (d->service_names, g_strdup (name));
  return d->service_names->len - 1;
}

static gboolean
darkvec_parse_proto (const char *s, guint *proto)
{
  static const char *const names[] = { "icmp", "tcp", "udp", "gre" };
  static const guint numbers[] = { 1, 6, 17, 47 };
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_ascii_strcasecmp (s, names[i]) == 0)
      {
        *proto = numbers[i];
        return TRUE;
      }
  guint64 v;
  if (!g_ascii_string_to_unsigned (s, 10, 0, 255, &v, NULL))
    return FALSE;
  *proto = (guint) v;
  return TRUE;
}

/* "22/tcp", "137-139/udp" or "-/icmp" */
static gboolean
darkvec_parse_spec (const char *spec, guint *proto, guint64 *lo, guint64 *hi, gboolean *portless)
{
  const char *slash = strchr (spec, '/');
  if (slash == NULL || !darkvec_parse_proto (slash + 1, proto))
    return FALSE;
  g_autofree char *ports = g_strndup (spec, (gsize) (slash - spec));
  *portless = strcmp (ports, "-") == 0;
  if (*portless)
    return TRUE;
  char *dash = strchr (ports, '-');
  if (dash)
    *dash = '\0';
  if (!g_ascii_string_to_unsigned (ports, 10, 0, 65535, lo, NULL))
    return FALSE;
  *hi = *lo;
  return dash == NULL || (g_ascii_string_to_unsigned (dash + 1, 10, *lo, 65535, hi, NULL));
}

static gboolean
darkvec_services_line (Darkvec *d, const char *path, guint64 line_no, char *line, GError **error)
{
  char *hash = strchr (line, '#');
  if (hash)
    *hash = '\0';
  g_auto (GStrv) parts = g_strsplit_set (g_strstrip (line), " \t", -1);
  const char *f[3] = { NULL, NULL, NULL };
  guint n = 0;
  for (guint i = 0; parts[i]; i++)
    if (*parts[i])
      {
        if (n < 3)
          f[n] = parts[i];
        n++;
      }
  if (n == 0)
    return TRUE;
  guint proto;
  guint64 lo = 0, hi = 0;
  gboolean portless;
  if (n != 2 || !darkvec_parse_spec (f[0], &proto, &lo, &hi, &portless))
    {
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT,
                   "%s: line %" G_GUINT64_FORMAT ": expected \"port[-port]/proto service\" or "
                   "\"-/proto service\"", path, line_no);
      return FALSE;
    }
  guint id = darkvec_service_id (d, f[1]);
  if (portless)
    *dp_hash_upsert (&d->services, (1u << 24) | (proto << 16), NULL) = id + 1;
  else
    for (guint64 port = lo; port <= hi; port++)
      *dp_hash_upsert (&d->services, (proto << 16) | port, NULL) = id + 1;
  return TRUE;
}

static const char *
darkvec_services_file (const DarkvecConfig *c)
{
  if (c->services_path)
    return c->services_path;
  if (g_file_test (DARKVEC_SERVICES_FILE, G_FILE_TEST_EXISTS))
    return DARKVEC_SERVICES_FILE;
  return DP_SRC_DIR "/plugins/corpus/services.txt";
}

static gboolean
darkvec_load_services (Darkvec *d, GError **error)
{
  const char *path = darkvec_services_file (d->config);
  g_autoptr (DpLineReader) r = dp_line_reader_open (path, error);
  if (r == NULL)
    return FALSE;
  char *line;
  gsize len;
  while ((line = dp_line_reader_next (r, &len)) != NULL)
    if (!darkvec_services_line (d, path, dp_line_reader_line (r), line, error))
      return FALSE;
  if (dp_line_reader_error (r, error))
    return FALSE;
  /* the authors' unmapped classes, by IANA port range */
  d->unk[0] = darkvec_service_id (d, "unk_sys");
  d->unk[1] = darkvec_service_id (d, "unk_usr");
  d->unk[2] = darkvec_service_id (d, "unk_eph");
  d->icmp_lang = darkvec_service_id (d, "icmp");
  return TRUE;
}

static guint
darkvec_service_of (const Darkvec *d, guint32 pp)
{
  const guint64 *v = dp_hash_find (&d->services, pp);
  if (v)
    return (guint) *v - 1;
  if (pp & (1u << 24))
    return d->icmp_lang;
  guint port = pp & 0xffff;
  return d->unk[port < 1024 ? 0 : port < 49152 ? 1 : 2];
}

/* ------------------------------------------------------------------ */
/* streaming */

static gboolean
darkvec_corpus_check (DpStage *stage, const void *config, GError **error)
{
  const DarkvecConfig *c = config;
  if (c->long_sentences == LONG_SPLIT && c->overlap >= c->max_sentence)
    return dp_stage_config_error (stage, error, DP_CONFIG_ERROR_RANGE, "overlap",
                                  "overlap (%" G_GUINT64_FORMAT ") must be below max_sentence (%" G_GUINT64_FORMAT ")",
                                  c->overlap, c->max_sentence);
  if (c->state_path && c->window_days == 0)
    return dp_stage_config_error (stage, error, DP_CONFIG_ERROR_STRUCTURE, "state_path",
                                  "state_path needs window_days");
  return tz_zone_check (stage, "timezone", c->timezone, error);
}

static gboolean
darkvec_corpus_init (DpStage *stage, const void *config, void **state, GError **error)
{
  const DarkvecConfig *c = config;
  Darkvec *d = g_new0 (Darkvec, 1);
  *state = d;
  d->config = c;
  d->buckets = g_array_new (FALSE, FALSE, sizeof (DarkvecBucket));
  d->service_names = g_ptr_array_new_with_free_func (g_free);
  dp_hash_init (&d->bucket_index, 64);
  dp_hash_init (&d->src_packets, 1024);
  dp_hash_init (&d->pp_packets, 256);
  dp_hash_init (&d->services, 256);
  d->days = g_array_new (FALSE, FALSE, sizeof (DarkvecDay));
  /* check() saw the zone: the zone database may have changed since */
  if (!tz_zone_open (&d->tz, "timezone", c->timezone, error))
    return FALSE;
  if (c->languages == LANG_SERVICES || c->languages == LANG_HYBRID)
    return darkvec_load_services (d, error);
  return TRUE;
}

/* UTC offset (ns) of the buckets' zone at @ts. */
static gint64
darkvec_offset (Darkvec *d, gint64 ts)
{
  return tz_zone_offset (&d->tz, ts);
}

static DarkvecBucket *
darkvec_bucket (Darkvec *d, gint64 number)
{
  gboolean inserted;
  /* flip the sign bit: bucket -1 (before 1970) must not become the empty key */
  guint64 *slot = dp_hash_upsert (&d->bucket_index, (guint64) number ^ G_GUINT64_CONSTANT (0x8000000000000000),
                                  &inserted);
  if (inserted)
    {
      DarkvecBucket b = { .number = number };
      *slot = d->buckets->len;
      g_array_append_val (d->buckets, b);
    }
  return &g_array_index (d->buckets, DarkvecBucket, *slot);
}

static void
darkvec_bucket_append (DarkvecBucket *b, guint32 src, guint32 pp, guint32 pos)
{
  if (b->n == b->cap)
    {
      b->cap = MAX (256u, b->cap * 2);
      b->src = g_renew (guint32, b->src, b->cap);
      b->pp = g_renew (guint32, b->pp, b->cap);
      b->pos = g_renew (guint32, b->pos, b->cap);
    }
  if (pos < b->last_pos)
    b->disordered = TRUE;
  b->last_pos = pos;
  b->src[b->n] = src;
  b->pp[b->n] = pp;
  b->pos[b->n] = pos;
  b->n++;
}

static DarkvecDay *
darkvec_day (Darkvec *d, gint64 day)
{
  if (d->day_at < d->days->len && g_array_index (d->days, DarkvecDay, d->day_at).day == day)
    return &g_array_index (d->days, DarkvecDay, d->day_at);
  for (guint i = 0; i < d->days->len; i++)
    if (g_array_index (d->days, DarkvecDay, i).day == day)
      {
        d->day_at = i;
        return &g_array_index (d->days, DarkvecDay, i);
      }
  DarkvecDay n = { .day = day };
  dp_hash_init (&n.counts, 1024);
  g_array_append_val (d->days, n);
  d->day_at = d->days->len - 1;
  return &g_array_index (d->days, DarkvecDay, d->day_at);
}

static DpFlow
darkvec_corpus_process (DpStage *stage, void *state, guint port, const char *upstream, DpBatch *batch, GError **error)
{
  Darkvec *d = state;
  const DpPackets *p = (const DpPackets *) batch;
  const gint64 len = d->config->bucket;
  if (p->names && d->names == NULL)
    d->names = dp_name_map_ref (p->names);
  DarkvecBucket *b = NULL;
  for (guint i = 0; i < p->n_rows; i++)
    {
      gint64 local = p->ts[i] + darkvec_offset (d, p->ts[i]);
      gint64 number = dp_floor_div (local, len);
      if (b == NULL || b->number != number)
        b = darkvec_bucket (d, number);
      gint64 into = local - number * len;
      guint32 pos = (guint32) MIN ((double) into / (double) len * 4294967296.0, 4294967295.0);
      guint32 pp = darkvec_pp (p, i);
      darkvec_bucket_append (b, p->src[i], pp, pos);
      if (d->config->window_days > 0)
        (*dp_hash_upsert (&darkvec_day (d, dp_floor_div (local, DARKVEC_DAY_NS))->counts, p->src[i], NULL))++;
      (*dp_hash_upsert (&d->src_packets, p->src[i], NULL))++;
      (*dp_hash_upsert (&d->pp_packets, pp, NULL))++;
    }
  d->packets += p->n_rows;
  return DP_FLOW_OK;
}

/* ------------------------------------------------------------------ */
/* languages and sentences */

typedef struct {
  GPtrArray *names;   /* language names, by id */
  DpHash of;          /* port/proto -> (first language + 1) | (second language + 1) << 32 */
  guint64 *tokens;    /* tokens emitted per language */
} DarkvecLangs;

static gint
darkvec_by_packets (gconstpointer a, gconstpointer b)
{
  const guint64 *x = a, *y = b;   /* (packets, pp) pairs */
  if (x[0] != y[0])
    return x[0] > y[0] ? -1 : 1;
  return x[1] < y[1] ? -1 : (x[1] > y[1]);
}

/* The top_n pairs by packets (ties: lower pair first), then "other".
 * Returns the number of auto languages. */
static guint
darkvec_auto_langs (Darkvec *d, DarkvecLangs *l)
{
  g_autoptr (GArray) pairs = g_array_new (FALSE, FALSE, 2 * sizeof (guint64));
  for (gsize i = 0; i <= d->pp_packets.mask; i++)
    if (d->pp_packets.keys[i] != DP_HASH_EMPTY)
      {
        guint64 pr[2] = { d->pp_packets.vals[i], d->pp_packets.keys[i] };
        g_array_append_val (pairs, pr);
      }
  g_array_sort (pairs, darkvec_by_packets);
  guint n = (guint) MIN ((guint64) d->config->top_n, pairs->len);
  g_autoptr (GString) name = g_string_new (NULL);
  for (guint i = 0; i < pairs->len; i++)
    {
      const guint64 *pr = &g_array_index (pairs, guint64, 2 * i);
      *dp_hash_upsert (&l->of, pr[1], NULL) = (i < n ? i : n) + 1;
      if (i < n)
        {
          g_string_truncate (name, 0);
          darkvec_pp_name ((guint32) pr[1], name);
          g_ptr_array_add (l->names, g_strdup (name->str));
        }
    }
  g_ptr_array_add (l->names, g_strdup ("other"));
  return n + 1;
}

static void
darkvec_langs_build (Darkvec *d, DarkvecLangs *l)
{
  int mode = d->config->languages;
  l->names = g_ptr_array_new_with_free_func (g_free);
  dp_hash_init (&l->of, d->pp_packets.n + 1);
  guint base = 0;
  if (mode == LANG_AUTO || mode == LANG_HYBRID)
    base = darkvec_auto_langs (d, l);
  if (mode == LANG_SINGLE)
    g_ptr_array_add (l->names, g_strdup ("all"));
  for (gsize i = 0; i <= d->pp_packets.mask; i++)
    {
      guint64 pp = d->pp_packets.keys[i];
      if (pp == DP_HASH_EMPTY)
        continue;
      guint64 *v = dp_hash_upsert (&l->of, pp, NULL);
      if (mode == LANG_SINGLE)
        *v = 1;
      else if (mode == LANG_SERVICES)
        *v = darkvec_service_of (d, (guint32) pp) + 1;
      else if (mode == LANG_HYBRID)
        *v |= (guint64) (base + darkvec_service_of (d, (guint32) pp) + 1) << 32;
    }
  if (mode == LANG_SERVICES || mode == LANG_HYBRID)
    for (guint i = 0; i < d->service_names->len; i++)
      g_ptr_array_add (l->names, g_strdup (g_ptr_array_index (d->service_names, i)));
  l->tokens = g_new0 (guint64, l->names->len);
}

static void
darkvec_langs_clear (DarkvecLangs *l)
{
  g_ptr_array_unref (l->names);
  dp_hash_clear (&l->of);
  g_free (l->tokens);
}

static void
darkvec_add (DpCorpus *c, const guint32 *ids, guint64 n, gint64 time, guint lang)
{
  guint64 s = dp_corpus_add_sentence (c, ids, n);
  c->sentence_time[s] = time;
  c->sentence_lang[s] = DP_TOKEN (DP_TOK_LANG, lang);
  for (guint64 i = 0; i < n; i++)
    c->vocab->counts[ids[i]]++;
}

static guint64
darkvec_dedup (guint32 *ids, guint64 n)
{
  guint64 out = 0;
  for (guint64 i = 0; i < n; i++)
    if (out == 0 || ids[out - 1] != ids[i])
      ids[out++] = ids[i];
  return out;
}

/* One (bucket, language) sequence: dedup, then cut or split when long. */
static guint64
darkvec_emit (const DarkvecConfig *cfg, DpCorpus *c, GArray *seq, gint64 time, guint lang)
{
  guint32 *ids = (guint32 *) seq->data;
  guint64 n = seq->len;
  if (cfg->dedup_consecutive)
    n = darkvec_dedup (ids, n);
  guint64 before = c->n_tokens;
  if (n <= cfg->max_sentence || cfg->long_sentences == LONG_TRUNCATE)
    {
      if (n > 0)
        darkvec_add (c, ids, MIN (n, cfg->max_sentence), time, lang);
      return c->n_tokens - before;
    }
  guint64 step = cfg->max_sentence - cfg->overlap;
  for (guint64 at = 0;; at += step)
    {
      guint64 len = MIN (cfg->max_sentence, n - at);
      darkvec_add (c, ids + at, len, time, lang);
      if (at + len >= n)
        break;
    }
  return c->n_tokens - before;
}

static gint
darkvec_by_pos (gconstpointer a, gconstpointer b, gpointer data)
{
  const guint32 *pos = data;
  guint32 x = *(const guint32 *) a, y = *(const guint32 *) b;
  if (pos[x] != pos[y])
    return pos[x] < pos[y] ? -1 : 1;
  return x < y ? -1 : (x > y);
}

/* Arrival order, or timestamp order (stable) when the bucket needs it. */
static guint32 *
darkvec_order (const DarkvecBucket *b)
{
  guint32 *order = g_new (guint32, MAX (b->n, 1u));
  for (guint i = 0; i < b->n; i++)
    order[i] = i;
  if (b->disordered)
    g_qsort_with_data (order, (gint) b->n, sizeof (guint32), darkvec_by_pos, b->pos);
  return order;
}

static void
darkvec_emit_bucket (Darkvec *d, DarkvecLangs *l, DarkvecBucket *b, DpCorpus *c, GArray **seqs)
{
  g_autofree guint32 *order = darkvec_order (b);
  for (guint k = 0; k < b->n; k++)
    {
      guint r = order[k];
      const guint64 *n = d->config->window_days > 0 ? dp_hash_find (&d->window, b->src[r])
                                                     : dp_hash_find (&d->src_packets, b->src[r]);
      if (n == NULL || *n < d->config->min_packets)
        continue;
      guint32 id = dp_vocab_add (c->vocab, DP_TOKEN (DP_TOK_IP, b->src[r]));
      guint64 v = *dp_hash_find (&l->of, b->pp[r]);
      g_array_append_val (seqs[(v & 0xffffffffu) - 1], id);
      if (v >> 32)
        g_array_append_val (seqs[(v >> 32) - 1], id);
    }
  gint64 start = b->number * d->config->bucket;
  start -= darkvec_offset (d, start);
  for (guint lang = 0; lang < l->names->len; lang++)
    {
      l->tokens[lang] += darkvec_emit (d->config, c, seqs[lang], start, lang);
      g_array_set_size (seqs[lang], 0);
    }
  g_clear_pointer (&b->src, g_free);
  g_clear_pointer (&b->pp, g_free);
  g_clear_pointer (&b->pos, g_free);
}

static gint
darkvec_by_number (gconstpointer a, gconstpointer b)
{
  const DarkvecBucket *x = a, *y = b;
  return x->number < y->number ? -1 : (x->number > y->number);
}

/* d->window: packets per source over the window_days days ending on @day. */
static void
darkvec_window (Darkvec *d, gint64 day)
{
  if (d->window.keys && d->window_day == day)
    return;
  dp_hash_clear (&d->window);
  dp_hash_init (&d->window, 1024);
  d->window_day = day;
  for (guint i = 0; i < d->days->len; i++)
    {
      const DarkvecDay *x = &g_array_index (d->days, DarkvecDay, i);
      if (x->day > day || x->day <= day - (gint64) d->config->window_days)
        continue;
      for (gsize k = 0; k <= x->counts.mask; k++)
        if (x->counts.keys[k] != DP_HASH_EMPTY)
          *dp_hash_upsert (&d->window, x->counts.keys[k], NULL) += x->counts.vals[k];
    }
}

static DpCorpus *
darkvec_build (Darkvec *d, DarkvecLangs *l)
{
  g_autoptr (DpVocab) vocab = dp_vocab_new ();
  if (d->names)
    dp_vocab_set_names (vocab, d->names);
  DpCorpus *c = dp_corpus_new (vocab, DP_CORPUS_SENTENCES);
  dp_corpus_enable_metadata (c);
  g_array_sort (d->buckets, darkvec_by_number);
  GArray **seqs = g_new (GArray *, l->names->len);
  for (guint i = 0; i < l->names->len; i++)
    seqs[i] = g_array_new (FALSE, FALSE, sizeof (guint32));
  for (guint i = 0; i < d->buckets->len; i++)
    {
      DarkvecBucket *b = &g_array_index (d->buckets, DarkvecBucket, i);
      if (d->config->window_days > 0)
        darkvec_window (d, dp_floor_div (b->number * d->config->bucket, DARKVEC_DAY_NS));
      darkvec_emit_bucket (d, l, b, c, seqs);
    }
  for (guint i = 0; i < l->names->len; i++)
    g_array_unref (seqs[i]);
  g_free (seqs);
  return c;
}

static void
darkvec_report (DpStage *stage, const Darkvec *d, const DarkvecLangs *l, const DpCorpus *c)
{
  dp_stage_count (stage, "sentences", c->n_sentences);
  dp_stage_count (stage, "tokens", c->n_tokens);
  guint64 kept = corpus_report_sources (stage, &d->src_packets, d->config->min_packets);
  g_autoptr (GString) msg = g_string_new (NULL);
  for (guint i = 0; i < l->names->len; i++)
    g_string_append_printf (msg, "%s%u=%s:%" G_GUINT64_FORMAT, i ? " " : "", i,
                            (const char *) g_ptr_array_index (l->names, i), l->tokens[i]);
  dp_stage_info (stage, "%" G_GUINT64_FORMAT " packets, %" G_GUINT64_FORMAT " of %" G_GSIZE_FORMAT
                 " sources kept, %" G_GUINT64_FORMAT " sentences, %" G_GUINT64_FORMAT
                 " tokens; languages (id=name:tokens): %s",
                 d->packets, kept, d->src_packets.n, c->n_sentences, c->n_tokens, msg->str);
}

/* ------------------------------------------------------------------ */
/* state_path: the last window_days days of per-source packets.
 *
 * Layout (little-endian): magic "DPACTDAY", version (4) = 1, reserved (4),
 * days (8); per day: day (8, signed), sources (8), then per source:
 * address (4), packets (4, saturated), name length (2) and the name of a
 * pseudonym or IPv6 address (0 for a plain IPv4 address); then the CRC-32
 * (zlib) of every byte before it. */

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

static gboolean
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
static gboolean
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

static gboolean
darkvec_corpus_finish (DpStage *stage, void *state, GError **error)
{
  Darkvec *d = state;
  g_autofree char *state_path = d->config->state_path ? dp_stage_output_path (stage, d->config->state_path) : NULL;
  if (state_path && !darkvec_state_load (d, state_path, error))
    return FALSE;
  DarkvecLangs l = { 0 };
  darkvec_langs_build (d, &l);
  g_autoptr (DpCorpus) c = darkvec_build (d, &l);
  darkvec_report (stage, d, &l, c);
  darkvec_langs_clear (&l);
  if (d->config->text_path)
    {
      g_autofree char *path = dp_stage_output_path (stage, d->config->text_path);
      if (!dp_corpus_write_text (c, path, error))
        return FALSE;
    }
  if (state_path && !darkvec_state_save (d, state_path, error))
    return FALSE;
  dp_stage_push (stage, 0, g_steal_pointer (&c));
  return TRUE;
}

static void
darkvec_corpus_finalize (void *state)
{
  Darkvec *d = state;
  tz_zone_clear (&d->tz);
  for (guint i = 0; d->buckets && i < d->buckets->len; i++)
    {
      DarkvecBucket *b = &g_array_index (d->buckets, DarkvecBucket, i);
      g_free (b->src);
      g_free (b->pp);
      g_free (b->pos);
    }
  if (d->buckets)
    g_array_unref (d->buckets);
  if (d->service_names)
    g_ptr_array_unref (d->service_names);
  dp_hash_clear (&d->bucket_index);
  dp_hash_clear (&d->src_packets);
  dp_hash_clear (&d->pp_packets);
  dp_hash_clear (&d->services);
  dp_hash_clear (&d->window);
  for (guint i = 0; d->days && i < d->days->len; i++)
    dp_hash_clear (&g_array_index (d->days, DarkvecDay, i).counts);
  if (d->days)
    g_array_unref (d->days);
  dp_name_map_unref (d->names);
  g_free (d);
}

DP_PLUGIN_DEFINE (darkvec_corpus,
  .kind = DP_KIND_CORPUS,
  .summary = "Build DarkVec's corpus: per (time bucket, language) sequences of source addresses",
  .version = "1.0",
  .doc = "One token per packet, its source address.  Sentences go by bucket, then language "
         "id, so the corpus is the same for the same packets.  Languages: `services` maps "
         "`port/proto` to the 12 named services of the paper through `services_path` (default: "
         "the shipped reconstruction, see services.txt) and unmapped ports to `unk_sys` (0-1023), "
         "`unk_usr` (1024-49151), `unk_eph` (49152-65535) or `icmp` (no port); `auto` gives the "
         "`top_n` pairs by packets over the whole input a language each and the rest `other`; "
         "`single` puts everything in one; `hybrid` emits both the auto and the services "
         "sentences (auto ids first).  `min_packets` drops sources with fewer packets over the "
         "whole input.  Long sentences are cut at `max_sentence` (`truncate`, what gensim does "
         "silently and the authors' runs got) or split into windows overlapping by `overlap` "
         "tokens (`split`).  Memory: 12 bytes per packet until finish.",
  .inputs = darkvec_corpus_inputs,
  .n_inputs = DP_N_ELEMENTS (darkvec_corpus_inputs),
  .outputs = darkvec_corpus_outputs,
  .n_outputs = DP_N_ELEMENTS (darkvec_corpus_outputs),
  .options = darkvec_corpus_options,
  .n_options = DP_N_ELEMENTS (darkvec_corpus_options),
  .config_size = sizeof (DarkvecConfig),
  .check = darkvec_corpus_check,
  .init = darkvec_corpus_init,
  .process = darkvec_corpus_process,
  .finish = darkvec_corpus_finish,
  .finalize = darkvec_corpus_finalize)
