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

#include "darkvec.h"


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
