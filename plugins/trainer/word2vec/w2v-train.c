/* w2v-train.c — word2vec's training: skip-gram and CBOW with negative
 * sampling, Hogwild over jobs of ~10k corpus tokens.  The vector kernels
 * are in w2v-kern-body.h, one copy per instruction set (w2v-kern-*.c),
 * picked here for the CPU.
 *
 * Skip-gram follows gensim's orientation: each context word's input vector
 * predicts the centre word's output vector.  Where gensim makes one BLAS
 * call per vector operation on unpadded rows, the rows here are padded to
 * whole 8-float vectors and the loops are vector code (AVX2+FMA when the CPU
 * has it), and negatives come from an alias table.  By default
 * (share_negatives 0) a centre's whole window shares one draw of negatives
 * and its pairs train in turn against the 1 + negative output rows kept in
 * L1 (word2vec_seq_body: each pair a full step, as gensim's); with
 * share_update: batch the group is one step instead (Intel's pWord2Vec
 * "HogBatch", word2vec_sgns_body); share_negatives 1 gives every pair its
 * own draw as gensim does (word2vec_pair_body).
 *
 * Determinism: each job (epoch, chunk) seeds its own generator from the seed,
 * so one thread is bit-reproducible and more threads differ only by Hogwild
 * races.  The learning rate decays linearly with the global count of corpus
 * tokens done (gensim's schedule, alpha -> min_alpha over all epochs).
 */
#include "config.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "w2v-kernels.h"

/* The workers of one training, started as the stage is granted threads. */
typedef struct _Word2vecCrew {
  Word2vecWorker *workers;
  GThread **handles;
  guint max, running;
} Word2vecCrew;

static inline guint64
word2vec_next (guint64 *s)
{
  /* xorshift64*: a few cycles, good enough for windows and negatives */
  guint64 x = *s;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  *s = x;
  return x * G_GUINT64_CONSTANT (0x2545f4914f6cdd1d);
}

static inline guint32
word2vec_below (guint64 *s, guint32 n)
{
  return (guint32) (((word2vec_next (s) >> 32) * (guint64) n) >> 32);
}

static inline guint32
word2vec_negative (const Word2vecModel *m, guint64 *s)
{
  guint64 r = word2vec_next (s);
  guint32 cell = (guint32) (((r >> 32) * (guint64) m->n) >> 32);
  Word2vecAlias a = m->alias[cell];
  return (guint32) r < a.threshold ? cell : a.alias;
}

/* Fills outs[1..] with negatives; a draw equal to the positive is skipped
 * (gensim does the same), so there may be fewer than `negative`. */
static inline guint
word2vec_draw_into (Word2vecWorker *w, guint32 *outs, guint32 positive)
{
  guint n = 1;
  outs[0] = positive;
  for (gint64 k = 0; k < w->m->config->negative; k++)
    {
      guint32 neg = word2vec_negative (w->m, &w->rng);
      if (neg != positive)
        {
          /* the row is a random one, likely out of L1/L2: start loading it
           * while the other negatives are drawn */
          const char *row = (const char *) ROW1 (neg);
          for (guint b = 0; b < w->m->stride * sizeof (float); b += 64)
            __builtin_prefetch (row + b, 1, 3);
          outs[n++] = neg;
        }
    }
  return n;
}

static inline guint
word2vec_draw_negatives (Word2vecWorker *w, guint32 positive)
{
  return word2vec_draw_into (w, w->outs, positive);
}

/* Skip-gram over one centre's contexts in groups sharing a draw of
 * negatives.  The next group's negatives are drawn (and their rows
 * prefetched) before the current group trains, so the random rows arrive
 * while the kernel works. */
static void
word2vec_sg_groups (Word2vecWorker *w, guint32 centre, guint n_ctx, guint group, float alpha)
{
  Word2vecKernel k = group == 1 ? w->pair : w->m->config->share_update == WORD2VEC_SHARE_BATCH ? w->sgns : w->seq;
  guint32 *cur = w->outs_buf[0], *next = w->outs_buf[1];
  guint n_cur = word2vec_draw_into (w, cur, centre);
  for (guint j = 0; j < n_ctx; j += group)
    {
      guint n_next = j + group < n_ctx ? word2vec_draw_into (w, next, centre) : 0;
      w->outs = cur;
      k (w, w->ctx + j, MIN (group, n_ctx - j), n_cur, alpha);
      guint32 *t = cur;
      cur = next;
      next = t;
      n_cur = n_next;
    }
  w->outs = w->outs_buf[0];
}

/* The contexts of centre @i of @sen (len tokens) into w->ctx, the reach
 * drawn when windows shrink; returns how many. */
static inline guint
word2vec_window (Word2vecWorker *w, const guint32 *sen, guint64 len, gint64 i)
{
  const Word2vecConfig *c = w->m->config;
  const gint64 window = c->window;
  gint64 reach = c->shrink_windows ? window - word2vec_below (&w->rng, (guint32) window) : window;
  gint64 lo = MAX (0, i - reach), hi = MIN ((gint64) len, i + reach + 1);
  guint n_ctx = 0;
  for (gint64 j = lo; j < hi; j++)
    if (j != i)
      w->ctx[n_ctx++] = sen[j];
  return n_ctx;
}

/* Skip-gram with share_negatives 0: each centre's whole window against
 * one draw.  The next centre's negatives are drawn (and their rows
 * prefetched) before this centre's window trains, so that the random rows
 * arrive while the kernel works. */
static void
word2vec_sentence_windows (Word2vecWorker *w, const guint32 *sen, guint64 len, float alpha)
{
  if (len < 2)
    return;   /* no contexts */
  Word2vecKernel k = w->m->config->share_update == WORD2VEC_SHARE_BATCH ? w->sgns : w->seq;
  guint32 *cur = w->outs_buf[0], *next = w->outs_buf[1];
  guint n_cur = word2vec_draw_into (w, cur, sen[0]);
  for (gint64 i = 0; i < (gint64) len; i++)
    {
      guint n_ctx = word2vec_window (w, sen, len, i);
      guint n_next = i + 1 < (gint64) len ? word2vec_draw_into (w, next, sen[i + 1]) : 0;
      w->outs = cur;
      k (w, w->ctx, n_ctx, n_cur, alpha);
      guint32 *t = cur;
      cur = next;
      next = t;
      n_cur = n_next;
    }
  w->outs = w->outs_buf[0];
}

static void
word2vec_sentence (Word2vecWorker *w, const guint32 *sen, guint64 len, float alpha)
{
  const Word2vecConfig *c = w->m->config;
  if (c->sg && c->share_negatives == 0)
    {
      word2vec_sentence_windows (w, sen, len, alpha);
      return;
    }
  for (gint64 i = 0; i < (gint64) len; i++)
    {
      guint n_ctx = word2vec_window (w, sen, len, i);
      if (n_ctx == 0)
        continue;
      if (!c->sg)
        {
          w->kernel (w, w->ctx, n_ctx, word2vec_draw_negatives (w, sen[i]), alpha);
          continue;
        }
      /* groups of `share_negatives` contexts meet one draw of negatives
       * (1: every pair its own, as gensim) */
      word2vec_sg_groups (w, sen[i], n_ctx, (guint) c->share_negatives, alpha);
    }
}

/* The IP2VEC authors' label-0 pair (darkvec-method.md §11): the target of
 * one random pair of the range and the context of another, redrawn until
 * it is not a positive pair (pair_negatives: pairs) or until it is one
 * (positives, as their code's `in clist` test did), at most 64 draws.
 * FALSE when none was found. */
#define WORD2VEC_LABEL0_TRIES 64

static gboolean
word2vec_label0_pair (Word2vecWorker *w, guint32 *target, guint32 *context)
{
  const Word2vecModel *m = w->m;
  const DpCorpus *corpus = m->corpus;
  const guint64 n = m->s_end - m->s_begin;
  const gboolean want_positive = m->config->pair_negatives == WORD2VEC_PAIRNEG_POSITIVES;
  for (guint t = 0; t < WORD2VEC_LABEL0_TRIES; t++)
    {
      guint64 a = m->s_begin + word2vec_next (&w->rng) % n, b = m->s_begin + word2vec_next (&w->rng) % n;
      guint64 la = corpus->offsets[a + 1] - corpus->offsets[a], lb = corpus->offsets[b + 1] - corpus->offsets[b];
      if (la < 1 || lb < 2)
        continue;
      guint32 tg = m->map[corpus->tokens[corpus->offsets[a]]];
      guint32 cx = m->map[corpus->tokens[corpus->offsets[b] + 1 + word2vec_next (&w->rng) % (lb - 1)]];
      if (tg == WORD2VEC_NONE || cx == WORD2VEC_NONE)
        continue;
      gboolean positive = dp_hash_find (&m->positives, ((guint64) tg << 32) | cx) != NULL;
      if (positive == want_positive)
        {
          *target = tg;
          *context = cx;
          return TRUE;
        }
    }
  return FALSE;
}

/* DP_CORPUS_PAIRS: the first token is the target, each further token a
 * context it must predict against fresh negatives; or, with the IP2VEC
 * authors' sampling, each pair alone (label 1) and, for a share of them,
 * one label-0 pair. */
static void
word2vec_pairs (Word2vecWorker *w, const guint32 *sen, guint64 len, float alpha)
{
  Word2vecModel *m = w->m;
  if (!m->have_positives)
    {
      for (guint64 j = 1; j < len; j++)
        {
          guint n_outs = word2vec_draw_negatives (w, sen[j]);
          w->pair (w, sen, 1, n_outs, alpha);
        }
      return;
    }
  const guint64 share = (guint64) (m->config->pair_negative_share * 4294967296.0);
  for (guint64 j = 1; j < len; j++)
    {
      w->outs[0] = sen[j];
      w->pair (w, sen, 1, 1, alpha);
      if ((word2vec_next (&w->rng) & 0xffffffffu) >= share)
        continue;
      guint32 pair[2];
      if (!word2vec_label0_pair (w, &pair[0], &pair[1]))
        {
          __atomic_fetch_add (&m->label0_misses, 1, __ATOMIC_RELAXED);
          continue;
        }
      w->outs[0] = pair[1];
      w->first_label = 0.0f;
      w->pair (w, pair, 1, 1, alpha);
      w->first_label = 1.0f;
      __atomic_fetch_add (&m->label0_pairs, 1, __ATOMIC_RELAXED);
    }
}

static float
word2vec_alpha (const Word2vecModel *m, gint64 done)
{
  const Word2vecConfig *c = m->config;
  double progress = m->total_words ? (double) done / (double) m->total_words : 1.0;
  double a = c->alpha - (c->alpha - c->min_alpha) * MIN (progress, 1.0);
  return (float) MAX (a, c->min_alpha);
}

/* Maps one corpus sentence to training ids, dropping rare and sub-sampled
 * tokens before windowing (as gensim does). */
static guint64
word2vec_filter (Word2vecWorker *w, guint64 s)
{
  const Word2vecModel *m = w->m;
  const DpCorpus *corpus = m->corpus;
  gboolean pairs = corpus->mode == DP_CORPUS_PAIRS;
  guint64 len = 0;
  for (guint64 p = corpus->offsets[s]; p < corpus->offsets[s + 1]; p++)
    {
      guint32 id = m->map[corpus->tokens[p]];
      if (id == WORD2VEC_NONE)
        {
          if (pairs && p == corpus->offsets[s])
            return 0;   /* no target, no pairs */
          continue;
        }
      if (!pairs && m->keep[id] != G_MAXUINT32 && m->keep[id] < (guint32) word2vec_next (&w->rng))
        continue;
      w->sen[len++] = id;
    }
  return len;
}

static void
word2vec_job (Word2vecWorker *w, guint64 chunk, guint64 epoch)
{
  Word2vecModel *m = w->m;
  const DpCorpus *corpus = m->corpus;
  w->rng = word2vec_mix (m->seed ^ word2vec_mix (epoch * m->n_chunks + chunk + 1)) | 1;
  gint64 pending = 0;
  for (guint64 s = m->chunks[chunk]; s < m->chunks[chunk + 1]; s++)
    {
      guint64 raw = corpus->offsets[s + 1] - corpus->offsets[s];
      gint64 done = __atomic_load_n (&m->words_done, __ATOMIC_RELAXED) + pending;
      float alpha = word2vec_alpha (m, m->words_base + (m->words_scale ? m->words_scale : 1) * done);
      guint64 len = word2vec_filter (w, s);
      if (corpus->mode == DP_CORPUS_PAIRS)
        word2vec_pairs (w, w->sen, len, alpha);
      else
        word2vec_sentence (w, w->sen, len, alpha);
      pending += (gint64) raw;
      __atomic_fetch_add (&m->trained_words, (gint64) len, __ATOMIC_RELAXED);
    }
  __atomic_fetch_add (&m->words_done, pending, __ATOMIC_RELAXED);
}

static gpointer word2vec_worker_run (gpointer data);


/* Worker 0 starts the workers the stage may run now and has not started:
 * jobs come from one counter, so a worker that joins mid-way just takes
 * the next ones. */
static void
word2vec_crew_grow (Word2vecCrew *c, guint want)
{
  for (; c->running < MIN (want, c->max); c->running++)
    c->handles[c->running] = g_thread_new ("word2vec", word2vec_worker_run, &c->workers[c->running]);
}

static gpointer
word2vec_worker_run (gpointer data)
{
  Word2vecWorker *w = data;
  Word2vecModel *m = w->m;
  gint64 n_jobs = m->job_end ? m->job_end : (gint64) (m->n_chunks * (guint64) m->config->epochs);
  gint64 stride = m->job_stride ? m->job_stride : 1;
  for (;;)
    {
      if (__atomic_load_n (&m->stop, __ATOMIC_RELAXED))
        break;
      if (w->tick)
        {
          guint want = w->tick (m, w->tick_data);
          if (want == 0)
            {
              __atomic_store_n (&m->stop, 1, __ATOMIC_RELAXED);
              break;
            }
          word2vec_crew_grow (w->crew, want);
        }
      gint64 job = m->job_first + __atomic_fetch_add (&m->next_job, 1, __ATOMIC_RELAXED) * stride;
      if (job >= n_jobs)
        break;
      word2vec_job (w, (guint64) job % m->n_chunks, (guint64) job / m->n_chunks);
    }
  return NULL;
}

float *
word2vec_alloc (gsize n_floats)
{
  gsize bytes = MAX ((n_floats * sizeof (float) + 63) & ~(gsize) 63, 64u);
  float *p = aligned_alloc (64, bytes);
  if (p != NULL)
    memset (p, 0, bytes);
  return p;
}

/* The kernels of each instruction set, best first, and whether this CPU
 * runs them. */
static gboolean
word2vec_cpu_has (const Word2vecKernels *k)
{
#ifdef WORD2VEC_X86
  __builtin_cpu_init ();
  if (k == &word2vec_kernels_avx512)
    return __builtin_cpu_supports ("avx512f") && __builtin_cpu_supports ("avx512vl")
           && __builtin_cpu_supports ("avx512dq") && __builtin_cpu_supports ("avx2")
           && __builtin_cpu_supports ("fma");
  if (k == &word2vec_kernels_avx2)
    return __builtin_cpu_supports ("avx2") && __builtin_cpu_supports ("fma");
#endif
  return k == &word2vec_kernels_portable;
}

static const Word2vecKernels *const word2vec_all_kernels[] = {
#ifdef WORD2VEC_X86
  &word2vec_kernels_avx512,
  &word2vec_kernels_avx2,
#endif
  &word2vec_kernels_portable,
};

const Word2vecKernels *
word2vec_kernels_choose (const char *request, char **why)
{
  const Word2vecKernels *best = NULL;
  for (guint i = 0; i < G_N_ELEMENTS (word2vec_all_kernels) && best == NULL; i++)
    if (word2vec_cpu_has (word2vec_all_kernels[i]))
      best = word2vec_all_kernels[i];
  *why = NULL;
  if (request == NULL || *request == '\0' || strcmp (request, "auto") == 0)
    return best;
  for (guint i = 0; i < G_N_ELEMENTS (word2vec_all_kernels); i++)
    if (strcmp (request, word2vec_all_kernels[i]->name) == 0)
      {
        if (word2vec_cpu_has (word2vec_all_kernels[i]))
          return word2vec_all_kernels[i];
        *why = g_strdup_printf ("%s=%s: this CPU cannot run them; using %s", WORD2VEC_KERNELS_ENV, request,
                                best->name);
        return best;
      }
  g_autoptr (GString) names = g_string_new ("auto");
  for (guint i = 0; i < G_N_ELEMENTS (word2vec_all_kernels); i++)
    g_string_append_printf (names, ", %s", word2vec_all_kernels[i]->name);
  g_autofree char *shown = g_strescape (request, NULL);
  *why = g_strdup_printf ("%s=\"%s\" is not one of %s; using %s", WORD2VEC_KERNELS_ENV, shown, names->str,
                          best->name);
  return best;
}

/* The kernels for WORD2VEC_KERNELS_ENV, with a warning on stderr once for
 * each value that cannot be followed.  The last value is kept in a static
 * buffer, not on the heap: the plugin may be unloaded and loaded again
 * (a value too long for it is looked at every time). */
static const Word2vecKernels *
word2vec_kernels_current (void)
{
  static GMutex lock;
  static char last_request[64];
  static gboolean last_set, last_null;
  static const Word2vecKernels *last;
  g_mutex_lock (&lock);
  const char *request = g_getenv (WORD2VEC_KERNELS_ENV);
  gboolean same = last_set && (request == NULL ? last_null
                                               : !last_null && strlen (request) < sizeof last_request
                                                 && strcmp (request, last_request) == 0);
  if (!same)
    {
      g_autofree char *why = NULL;
      last = word2vec_kernels_choose (request, &why);
      last_set = TRUE;
      last_null = request == NULL;
      g_strlcpy (last_request, request ? request : "", sizeof last_request);
      if (why)
        g_printerr ("darkpipe: warning: word2vec: %s\n", why);
    }
  const Word2vecKernels *k = last;
  g_mutex_unlock (&lock);
  return k;
}

void
word2vec_worker_init (Word2vecWorker *w, Word2vecModel *m, const Word2vecKernels *k, guint index)
{
  const Word2vecConfig *c = m->config;
  gsize n_outs = (gsize) c->negative + 1;
  gsize n_ctx = MAX ((gsize) c->window * 2, 1u);
  memset (w, 0, sizeof *w);
  w->m = m;
  w->index = index;
  w->first_label = 1.0f;
  w->sgns = k->sgns;
  w->pair = k->pair;
  w->seq = k->seq;
  w->kernel = c->sg ? k->sgns : k->cbow;
  w->sen = g_new (guint32, MAX (m->max_sentence, 1u));
  w->ctx = g_new (guint32, n_ctx);
  w->outs_buf[0] = g_new (guint32, n_outs);
  w->outs_buf[1] = g_new (guint32, n_outs);
  w->outs = w->outs_buf[0];
  w->g = g_new (float, n_ctx * n_outs);
  /* a few rows each: out of memory here is GLib's abort, as for g_new */
  w->ograd = g_aligned_alloc0 (n_outs * m->stride, sizeof (float), 64);
  w->orig = g_aligned_alloc0 (n_outs * m->stride, sizeof (float), 64);
  w->neu1 = g_aligned_alloc0 (m->stride, sizeof (float), 64);
  w->neu1e = g_aligned_alloc0 (m->stride, sizeof (float), 64);
}

void
word2vec_worker_clear (Word2vecWorker *w)
{
  g_free (w->sen);
  g_free (w->ctx);
  g_free (w->outs_buf[0]);
  g_free (w->outs_buf[1]);
  g_free (w->g);
  g_aligned_free (w->ograd);
  g_aligned_free (w->orig);
  g_aligned_free (w->neu1);
  g_aligned_free (w->neu1e);
}

/* Jobs of about WORD2VEC_JOB_WORDS corpus tokens, cut at sentence ends. */
static void
word2vec_make_chunks (Word2vecModel *m)
{
  const DpCorpus *c = m->corpus;
  GArray *starts = g_array_new (FALSE, FALSE, sizeof (guint64));
  guint64 first = m->s_begin, acc = 0;
  g_array_append_val (starts, first);
  m->max_sentence = 0;
  for (guint64 s = m->s_begin; s < m->s_end; s++)
    {
      guint64 len = c->offsets[s + 1] - c->offsets[s];
      m->max_sentence = MAX (m->max_sentence, len);
      acc += len;
      if (acc >= WORD2VEC_JOB_WORDS && s + 1 < m->s_end)
        {
          guint64 next = s + 1;
          g_array_append_val (starts, next);
          acc = 0;
        }
    }
  guint64 end = m->s_end;
  g_array_append_val (starts, end);
  m->n_chunks = starts->len - 1;
  m->chunks = (guint64 *) g_array_free (starts, FALSE);
}

void
word2vec_model_prepare (Word2vecModel *m)
{
  for (int i = 0; i <= SIGMOID_SIZE; i++)
    {
      double x = (i / (double) SIGMOID_SIZE * 2 - 1) * MAX_EXP;
      m->sigmoid[i] = (float) (1.0 / (1.0 + exp (-x)));
    }
  if (m->s_begin == 0 && m->s_end == 0)
    m->s_end = m->corpus->n_sentences;
  word2vec_make_chunks (m);
  guint64 tokens = m->corpus->offsets[m->s_end] - m->corpus->offsets[m->s_begin];
  m->total_words = tokens * (guint64) m->config->epochs;
  m->have_positives = m->corpus->mode == DP_CORPUS_PAIRS && m->config->pair_negatives != WORD2VEC_PAIRNEG_UNIGRAM
                      && m->s_end > m->s_begin;
  if (m->have_positives)
    {
      const DpCorpus *c = m->corpus;
      dp_hash_init (&m->positives, (gsize) (m->s_end - m->s_begin) + 16);
      for (guint64 s = m->s_begin; s < m->s_end; s++)
        {
          guint32 tg = c->offsets[s + 1] > c->offsets[s] ? m->map[c->tokens[c->offsets[s]]] : WORD2VEC_NONE;
          if (tg == WORD2VEC_NONE)
            continue;
          for (guint64 p = c->offsets[s] + 1; p < c->offsets[s + 1]; p++)
            if (m->map[c->tokens[p]] != WORD2VEC_NONE)
              dp_hash_upsert (&m->positives, ((guint64) tg << 32) | m->map[c->tokens[p]], NULL);
        }
    }
}

void
word2vec_model_release (Word2vecModel *m)
{
  if (m->have_positives)
    dp_hash_clear (&m->positives);
  m->have_positives = FALSE;
}

guint
word2vec_model_train (Word2vecModel *m, guint max_threads,
                      guint (*tick) (Word2vecModel *m, gpointer data), gpointer data)
{
  if (m->n == 0 || m->n_chunks == 0 || m->s_end <= m->s_begin)
    return 0;
  Word2vecCrew crew = { .max = MAX (max_threads, 1u), .running = 1 };
  crew.workers = g_new (Word2vecWorker, crew.max);
  crew.handles = g_new0 (GThread *, crew.max);
  const Word2vecKernels *k = word2vec_kernels_current ();
  for (guint t = 0; t < crew.max; t++)
    word2vec_worker_init (&crew.workers[t], m, k, t);
  crew.workers[0].tick = tick;
  crew.workers[0].tick_data = data;
  crew.workers[0].crew = &crew;
  word2vec_crew_grow (&crew, tick ? tick (m, data) : crew.max);
  word2vec_worker_run (&crew.workers[0]);
  /* started only by worker 0, which has returned: running is final */
  for (guint t = 1; t < crew.running; t++)
    g_thread_join (crew.handles[t]);
  for (guint t = 0; t < crew.max; t++)
    word2vec_worker_clear (&crew.workers[t]);
  g_free (crew.workers);
  g_free (crew.handles);
  return crew.running;
}
