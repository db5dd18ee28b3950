/* dante_corpus — DANTE's corpus (Cohen et al., ESORICS 2020, as
 * darkvec-method.md §12 describes it): for each (time window, source) the
 * destination ports the source hit, in time order, as one sentence; a
 * source's vector is then the mean of its ports' vectors (embedding_mean).
 *
 * The DarkVec authors' port never finished: its writer never cleared its
 * buffer, so a window with n sources emitted n(n+1)/2 lines.  Here each
 * (window, source) sequence is written exactly once.
 *
 * Streaming: packets go into their window's buffer (12 bytes each + 8 for
 * the time); a window is turned into sentences as soon as the stream is a
 * whole window past its end, so about two windows are held at a time.  The
 * activity filter (min_packets over the whole input) is known only at the
 * end: sentences of sources that miss it are dropped then, in place.
 */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "darkpipe.h"
#include "corpus-common.h"

typedef struct {
  gint64 window;
  guint64 min_sequence;
  guint64 min_packets;
  char *text_path;
} DanteConfig;

typedef struct {
  gint64 number;        /* floor(ts / window) */
  guint32 *src;
  guint32 *tok;         /* vocabulary id of the port token */
  gint64 *ts;
  guint n, cap;
  gboolean disordered;
} DanteWindow;

typedef struct {
  const DanteConfig *config;
  GArray *open;          /* DanteWindow, few */
  gint64 closed_below;   /* windows with a smaller number were emitted */
  gint64 newest;         /* largest window number seen */
  DpHash src_packets;    /* source -> packets over the whole input */
  DpHash per_src;        /* scratch of one window: source -> packets, then sentence + 1 */
  DpVocab *vocab;
  DpCorpus *corpus;
  guint64 packets, late;
} Dante;

static const DpOptionDesc dante_corpus_options[] = {
  DP_OPTION_RANGE ("window", DP_OPT_DURATION, "4h", DanteConfig, window, 1, 366 * 86400.0,
                   "Length of the time windows (consecutive, aligned to 00:00 UTC); one sentence per window and source."),
  DP_OPTION_RANGE ("min_sequence", DP_OPT_UINT, "3", DanteConfig, min_sequence, 1, 1e12,
                   "Shortest sequence written, in packets (the authors: more than 2)."),
  DP_OPTION ("min_packets", DP_OPT_UINT, "10", DanteConfig, min_packets,
             "Sources with fewer packets over the whole input are left out (DarkVec's activity filter)."),
  DP_OPTION_FLAGS ("text_path", DP_OPT_PATH, NULL, DanteConfig, text_path, DP_OPT_OUTPUT,
             "Also write the corpus as text, one sequence per line (e.g. 23/tcp 80/tcp), for other tools."),
};

static const DpPortDesc dante_corpus_inputs[] = {
  { "packets", DP_TYPE_PACKETS, 0,
    "Packets in time order (out of order inside a window is fine; more than a window late is counted and dropped)." },
};
static const DpPortDesc dante_corpus_outputs[] = {
  { "corpus", DP_TYPE_CORPUS, 0,
    "Port sequences by window, then source address; sentence_key is the source, sentence_time the window start." },
};

static gboolean
dante_corpus_init (DpStage *stage, const void *config, void **state, GError **error)
{
  Dante *d = g_new0 (Dante, 1);
  *state = d;
  d->config = config;
  d->open = g_array_new (FALSE, FALSE, sizeof (DanteWindow));
  d->closed_below = G_MININT64;
  d->newest = G_MININT64;
  dp_hash_init (&d->src_packets, 1024);
  dp_hash_init (&d->per_src, 1024);
  d->vocab = dp_vocab_new ();
  d->corpus = dp_corpus_new (d->vocab, DP_CORPUS_SENTENCES);
  dp_corpus_enable_metadata (d->corpus);
  return TRUE;
}

static void
dante_window_free (DanteWindow *w)
{
  g_clear_pointer (&w->src, g_free);
  g_clear_pointer (&w->tok, g_free);
  g_clear_pointer (&w->ts, g_free);
}

static DanteWindow *
dante_window (Dante *d, gint64 number)
{
  for (guint i = 0; i < d->open->len; i++)
    {
      DanteWindow *w = &g_array_index (d->open, DanteWindow, i);
      if (w->number == number)
        return w;
    }
  DanteWindow w = { .number = number };
  g_array_append_val (d->open, w);
  d->newest = MAX (d->newest, number);
  return &g_array_index (d->open, DanteWindow, d->open->len - 1);
}

static void
dante_window_append (DanteWindow *w, guint32 src, guint32 tok, gint64 ts)
{
  if (w->n == w->cap)
    {
      w->cap = MAX (1024u, w->cap * 2);
      w->src = g_renew (guint32, w->src, w->cap);
      w->tok = g_renew (guint32, w->tok, w->cap);
      w->ts = g_renew (gint64, w->ts, w->cap);
    }
  if (w->n > 0 && ts < w->ts[w->n - 1])
    w->disordered = TRUE;
  w->src[w->n] = src;
  w->tok[w->n] = tok;
  w->ts[w->n] = ts;
  w->n++;
}

/* ------------------------------------------------------------------ */
/* one window -> sentences */

static gint
dante_by_ts (gconstpointer a, gconstpointer b, gpointer data)
{
  const gint64 *ts = data;
  guint32 x = *(const guint32 *) a, y = *(const guint32 *) b;
  if (ts[x] != ts[y])
    return ts[x] < ts[y] ? -1 : 1;
  return x < y ? -1 : (x > y);
}

static gint
dante_by_u32 (gconstpointer a, gconstpointer b)
{
  guint32 x = *(const guint32 *) a, y = *(const guint32 *) b;
  return x < y ? -1 : (x > y);
}

/* Sources with at least min_sequence packets in the window, sorted; their
 * scratch entries become sentence number + 1, the others 0. */
static guint32 *
dante_window_sources (Dante *d, const DanteWindow *w, guint *n_out)
{
  DpHash *h = &d->per_src;
  dp_hash_reset (h);
  for (guint i = 0; i < w->n; i++)
    (*dp_hash_upsert (h, w->src[i], NULL))++;
  guint32 *srcs = g_new (guint32, MAX (h->n, 1u));
  guint n = 0;
  for (gsize i = 0; i <= h->mask; i++)
    if (h->keys[i] != DP_HASH_EMPTY)
      {
        if (h->vals[i] >= d->config->min_sequence)
          srcs[n++] = (guint32) h->keys[i];
        else
          h->vals[i] = 0;
      }
  qsort (srcs, n, sizeof (guint32), dante_by_u32);
  *n_out = n;
  return srcs;
}

static void
dante_window_emit (Dante *d, DanteWindow *w)
{
  guint n_src;
  g_autofree guint32 *srcs = dante_window_sources (d, w, &n_src);
  /* sentence j takes [start[j], start[j + 1]) of buf */
  g_autofree guint64 *start = g_new0 (guint64, n_src + 1);
  for (guint j = 0; j < n_src; j++)
    {
      guint64 *v = dp_hash_find (&d->per_src, srcs[j]);
      start[j + 1] = start[j] + *v;
      *v = j + 1;
    }
  g_autofree guint32 *order = g_new (guint32, MAX (w->n, 1u));
  for (guint i = 0; i < w->n; i++)
    order[i] = i;
  if (w->disordered)
    g_qsort_with_data (order, (gint) w->n, sizeof (guint32), dante_by_ts, w->ts);
  g_autofree guint32 *buf = g_new (guint32, MAX (start[n_src], 1u));
  g_autofree guint64 *fill = g_memdup2 (start, (n_src + 1) * sizeof (guint64));
  for (guint k = 0; k < w->n; k++)
    {
      guint r = order[k];
      guint64 j = *dp_hash_find (&d->per_src, w->src[r]);
      if (j)
        buf[fill[j - 1]++] = w->tok[r];
    }
  DpCorpus *c = d->corpus;
  for (guint j = 0; j < n_src; j++)
    {
      guint64 s = dp_corpus_add_sentence (c, buf + start[j], start[j + 1] - start[j]);
      c->sentence_key[s] = DP_TOKEN (DP_TOK_IP, srcs[j]);
      c->sentence_time[s] = w->number * d->config->window;
    }
  dante_window_free (w);
}

static gint
dante_by_number (gconstpointer a, gconstpointer b)
{
  const DanteWindow *x = a, *y = b;
  return x->number < y->number ? -1 : (x->number > y->number);
}

/* Emits the open windows numbered below @below, oldest first. */
static void
dante_close_below (Dante *d, gint64 below)
{
  g_array_sort (d->open, dante_by_number);
  guint done = 0;
  while (done < d->open->len && g_array_index (d->open, DanteWindow, done).number < below)
    dante_window_emit (d, &g_array_index (d->open, DanteWindow, done++));
  g_array_remove_range (d->open, 0, done);
  d->closed_below = MAX (d->closed_below, below);
}

static DpFlow
dante_corpus_process (DpStage *stage, void *state, guint port, const char *upstream, DpBatch *batch, GError **error)
{
  Dante *d = state;
  const DpPackets *p = (const DpPackets *) batch;
  const gint64 len = d->config->window;
  if (p->names && d->vocab->names == NULL)
    dp_vocab_set_names (d->vocab, p->names);
  DanteWindow *w = NULL;
  for (guint i = 0; i < p->n_rows; i++)
    {
      gint64 number = dp_floor_div (p->ts[i], len);
      if (G_UNLIKELY (number < d->closed_below))
        {
          d->late++;
          if (!dp_stage_data_error (stage, error, "late-packet",
                                    "packet %" G_GUINT64_FORMAT " (ts %" G_GINT64_FORMAT
                                    " ns) comes after its window was written; dropped",
                                    d->packets + i, p->ts[i]))
            return DP_FLOW_ERROR;
          continue;
        }
      if (w == NULL || w->number != number)
        w = dante_window (d, number);
      guint32 pp = (guint32) p->proto[i] << 16;
      if (p->l4[i] & DP_L4_PORTS)
        pp |= p->dport[i];
      guint32 tok = dp_vocab_add (d->vocab, DP_TOKEN (DP_TOK_PORT, pp));
      dante_window_append (w, p->src[i], tok, p->ts[i]);
      (*dp_hash_upsert (&d->src_packets, p->src[i], NULL))++;
    }
  d->packets += p->n_rows;
  /* a window is complete once the stream is a whole window past its end */
  if (d->newest != G_MININT64 && d->newest - 1 > d->closed_below)
    dante_close_below (d, d->newest - 1);
  return DP_FLOW_OK;
}

/* ------------------------------------------------------------------ */
/* the end */

/* Drops the sentences of sources below min_packets, in place, and counts
 * the tokens that remain. */
static void
dante_filter (Dante *d)
{
  DpCorpus *c = d->corpus;
  guint64 out_s = 0, out_t = 0;
  for (guint64 s = 0; s < c->n_sentences; s++)
    {
      guint64 from = c->offsets[s], to = c->offsets[s + 1];
      guint32 src = (guint32) DP_TOKEN_VALUE (c->sentence_key[s]);
      if (*dp_hash_find (&d->src_packets, src) < d->config->min_packets)
        continue;
      memmove (c->tokens + out_t, c->tokens + from, (to - from) * sizeof (guint32));
      c->offsets[out_s] = out_t;
      c->sentence_key[out_s] = c->sentence_key[s];
      c->sentence_time[out_s] = c->sentence_time[s];
      c->sentence_lang[out_s] = c->sentence_lang[s];
      out_t += to - from;
      out_s++;
    }
  c->offsets[out_s] = out_t;
  c->n_sentences = out_s;
  c->n_tokens = out_t;
  for (guint64 i = 0; i < c->n_tokens; i++)
    d->vocab->counts[c->tokens[i]]++;
}

static gboolean
dante_corpus_finish (DpStage *stage, void *state, GError **error)
{
  Dante *d = state;
  dante_close_below (d, G_MAXINT64);
  guint64 written = d->corpus->n_sentences;
  dante_filter (d);
  DpCorpus *c = d->corpus;
  dp_stage_count (stage, "sentences", c->n_sentences);
  dp_stage_count (stage, "tokens", c->n_tokens);
  guint64 kept = corpus_report_sources (stage, &d->src_packets, d->config->min_packets);
  dp_stage_info (stage, "%" G_GUINT64_FORMAT " packets, %" G_GUINT64_FORMAT " of %" G_GSIZE_FORMAT
                 " sources kept, %" G_GUINT64_FORMAT " sequences (%" G_GUINT64_FORMAT
                 " before the activity filter), %" G_GUINT64_FORMAT " tokens, %u ports, %"
                 G_GUINT64_FORMAT " late packets", d->packets, kept, d->src_packets.n,
                 c->n_sentences, written, c->n_tokens, d->vocab->n, d->late);
  d->corpus = NULL;
  if (d->config->text_path)
    {
      g_autofree char *path = dp_stage_output_path (stage, d->config->text_path);
      if (!dp_corpus_write_text (c, path, error))
        {
          dp_batch_unref (c);
          return FALSE;
        }
    }
  dp_stage_push (stage, 0, c);
  return TRUE;
}

static void
dante_corpus_finalize (void *state)
{
  Dante *d = state;
  for (guint i = 0; d->open && i < d->open->len; i++)
    dante_window_free (&g_array_index (d->open, DanteWindow, i));
  if (d->open)
    g_array_unref (d->open);
  dp_hash_clear (&d->src_packets);
  dp_hash_clear (&d->per_src);
  dp_batch_unref (d->corpus);
  dp_vocab_unref (d->vocab);
  g_free (d);
}

DP_PLUGIN_DEFINE (dante_corpus,
  .kind = DP_KIND_CORPUS,
  .summary = "Build DANTE's corpus: per (time window, source) the destination ports in time order",
  .version = "1.0",
  .doc = "One sentence per (window, source) with at least `min_sequence` packets in the window: "
         "the source's destination ports in time order, one token per packet.  Windows are "
         "`window` long, consecutive and aligned to multiples of `window` since the epoch (UTC); "
         "the authors chunked an unsorted list of hours, so their windows could hold "
         "non-consecutive hours.  Sentences go by window, then source address; each carries "
         "its source (`sentence_key`, an address token) and the window start "
         "(`sentence_time`), which `embedding_mean` uses to turn port vectors into source "
         "vectors.  Sources with fewer than `min_packets` packets over the whole input are "
         "left out (the authors kept sources with more than 10 packets over 5 days; 10 here "
         "matches the DarkVec filter so the methods of compare.yaml see the same sources).\n\n"
         "Each sequence is written once: the authors' writer repeated its buffer after every "
         "source, n(n+1)/2 lines for n sources, and their training never finished.  Port "
         "tokens carry their protocol (`23/tcp`; port-less packets give `0/icmp`), where the "
         "authors used bare port numbers and `-`.  Train with `word2vec` (pipelines/dante.yaml: "
         "skip-gram, 50 dimensions, window 25, 10 epochs, min_count 0).\n\n"
         "Memory: about two windows of packets (20 bytes each) plus the corpus (4 bytes per "
         "token, 40 per sentence).  A packet more than a window late is counted "
         "(`late-packet`) and dropped.",
  .inputs = dante_corpus_inputs,
  .n_inputs = DP_N_ELEMENTS (dante_corpus_inputs),
  .outputs = dante_corpus_outputs,
  .n_outputs = DP_N_ELEMENTS (dante_corpus_outputs),
  .options = dante_corpus_options,
  .n_options = DP_N_ELEMENTS (dante_corpus_options),
  .config_size = sizeof (DanteConfig),
  .init = dante_corpus_init,
  .process = dante_corpus_process,
  .finish = dante_corpus_finish,
  .finalize = dante_corpus_finalize)
