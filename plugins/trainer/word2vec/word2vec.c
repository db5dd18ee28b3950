/* word2vec — trains word vectors on a corpus: skip-gram or CBOW with
 * negative sampling, gensim 4's options and defaults.  The hot loops are in
 * w2v-train.c; this file builds the training vocabulary, the sampling tables
 * and the initial vectors, and wraps the result as an embedding.
 *
 * Incremental training (i-DarkVec): an initial embedding (init_path or the
 * `init` port) keeps its tokens and vectors, in its order, and the corpus's
 * new tokens that pass min_count are appended.  A word2vec file holds only
 * the input vectors, so the output (negative-sampling) vectors restart at
 * zero, unlike gensim's in-memory build_vocab(update=True).
 */
#include "config.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "darkpipe.h"
#include "w2v-train.h"
#include "../../sink/w2v-common.h"

typedef struct {
  const Word2vecConfig *config;
  DpCorpus *corpus;
  DpEmbedding *init;
} Word2vec;

static const char *const word2vec_saturation_choices[] = { "clip", "skip", NULL };

static const DpOptionDesc word2vec_options[] = {
  DP_OPTION ("sg", DP_OPT_BOOL, "false", Word2vecConfig, sg,
             "Skip-gram when true, CBOW when false (gensim's sg; DarkVec uses skip-gram)."),
  DP_OPTION_RANGE ("vector_size", DP_OPT_INT, "100", Word2vecConfig, vector_size, 1, 10000,
                   "Dimension of the vectors."),
  DP_OPTION_RANGE ("window", DP_OPT_INT, "5", Word2vecConfig, window, 1, 10000,
                   "Maximum distance between a word and its context words."),
  DP_OPTION_RANGE ("negative", DP_OPT_INT, "5", Word2vecConfig, negative, 1, 100,
                   "Negative samples per positive."),
  DP_OPTION_RANGE ("ns_exponent", DP_OPT_DOUBLE, "0.75", Word2vecConfig, ns_exponent, -10, 10,
                   "Exponent of the unigram distribution negatives are drawn from."),
  DP_OPTION_RANGE ("alpha", DP_OPT_DOUBLE, "0.025", Word2vecConfig, alpha, 1e-9, 10,
                   "Initial learning rate."),
  DP_OPTION_RANGE ("min_alpha", DP_OPT_DOUBLE, "0.0001", Word2vecConfig, min_alpha, 0, 10,
                   "Final learning rate; the rate decays linearly over all epochs."),
  DP_OPTION_RANGE ("sample", DP_OPT_DOUBLE, "0.001", Word2vecConfig, sample, 0, 1e9,
                   "Down-sampling threshold for frequent tokens (0 disables it)."),
  DP_OPTION_RANGE ("min_count", DP_OPT_INT, "5", Word2vecConfig, min_count, 0, G_MAXINT32,
                   "Tokens seen fewer times in the corpus are dropped before windowing."),
  DP_OPTION_RANGE ("epochs", DP_OPT_INT, "5", Word2vecConfig, epochs, 1, 100000,
                   "Passes over the corpus."),
  DP_OPTION ("seed", DP_OPT_UINT, "1", Word2vecConfig, seed,
             "Seed of the initial vectors and all random draws (threads: 1 is bit-reproducible)."),
  DP_OPTION ("cbow_mean", DP_OPT_BOOL, "true", Word2vecConfig, cbow_mean,
             "CBOW averages the context vectors (true) or sums them (false)."),
  DP_OPTION ("shrink_windows", DP_OPT_BOOL, "true", Word2vecConfig, shrink_windows,
             "Draw each word's effective window uniformly from 1..window, as word2vec does."),
  DP_OPTION_RANGE ("share_negatives", DP_OPT_INT, "1", Word2vecConfig, share_negatives, 0, 10000,
                   "Skip-gram: context words of a centre that share one draw of negatives (1: each pair its own, as gensim; 0: the whole window, fastest)."),
  DP_OPTION_FLAGS ("init_path", DP_OPT_PATH, NULL, Word2vecConfig, init_path, DP_OPT_INPUT,
             "A word2vec file to continue training from (i-DarkVec's incremental update)."),
  DP_OPTION_ENUM ("saturation", "clip", Word2vecConfig, saturation, word2vec_saturation_choices,
                  "A dot product past +-6 on the wrong side: clip (push at full rate, word2vec.c) or skip the update (gensim 4; stable on DANTE's repetitive port sequences)."),
};

static const DpPortDesc word2vec_inputs[] = {
  { "corpus", DP_TYPE_CORPUS, 0, "Sentences (or target/context pairs) to train on." },
  { "init", DP_TYPE_EMBEDDING, DP_PORT_OPTIONAL, "Vectors to continue training from." },
};

static const DpPortDesc word2vec_outputs[] = {
  { "embedding", DP_TYPE_EMBEDDING, 0,
    "Input vectors of every token kept (min_count), most frequent first; "
    "after an initial embedding, its tokens first in its order." },
};

static gboolean
word2vec_check (DpStage *stage, const void *config, GError **error)
{
  const Word2vecConfig *c = config;
  if (c->min_alpha > c->alpha)
    return dp_stage_config_error (stage, error, DP_CONFIG_ERROR_RANGE, "min_alpha",
                                  "min_alpha (%g) must not exceed alpha (%g)", c->min_alpha, c->alpha);
  if (c->init_path && dp_stage_input_connected (stage, 1))
    return dp_stage_config_error (stage, error, DP_CONFIG_ERROR_STRUCTURE, "init_path",
                                  "both init_path and the init port are given; use one");
  return TRUE;
}

static gboolean
word2vec_init (DpStage *stage, const void *config, void **state, GError **error)
{
  Word2vec *w = g_new0 (Word2vec, 1);
  w->config = config;
  *state = w;
  return TRUE;
}

static DpFlow
word2vec_process (DpStage *stage, void *state, guint port, const char *upstream, DpBatch *batch, GError **error)
{
  Word2vec *w = state;
  if (port == 0)
    {
      dp_batch_unref (w->corpus);
      w->corpus = dp_batch_ref (batch);
    }
  else
    {
      dp_batch_unref (w->init);
      w->init = dp_batch_ref (batch);
    }
  return DP_FLOW_OK;
}

/* ------------------------------------------------------------------ */
/* vocabulary */

static guint64 *
word2vec_count (const DpCorpus *c)
{
  guint64 *counts = g_new0 (guint64, MAX (c->vocab->n, 1u));
  for (guint64 i = 0; i < c->n_tokens; i++)
    if (c->tokens[i] < c->vocab->n)
      counts[c->tokens[i]]++;
  return counts;
}

/* The output vocabulary starts with the corpus's words in their order, so a
 * corpus word keeps its key. */
static DpVocab *
word2vec_new_vocab (const DpVocab *from)
{
  DpVocab *v = dp_vocab_new ();
  if (from->words)
    for (guint i = 0; i < from->words->len; i++)
      dp_vocab_word_key (v, g_ptr_array_index (from->words, i));
  if (from->names)
    dp_vocab_set_names (v, from->names);
  return v;
}

/* A key of the initial embedding's vocabulary in the output's key space:
 * words and pseudonyms are re-interned, other kinds carry over. */
static guint64
word2vec_translate (DpVocab *out, const DpVocab *init, guint64 key)
{
  guint64 val = DP_TOKEN_VALUE (key);
  if (DP_TOKEN_KIND (key) == DP_TOK_WORD && init->words && val < init->words->len)
    return dp_vocab_word_key (out, g_ptr_array_index (init->words, val));
  const char *pseudonym = DP_TOKEN_KIND (key) == DP_TOK_IP && init->names
                          ? dp_name_map_lookup (init->names, (guint32) val) : NULL;
  if (pseudonym == NULL)
    return key;
  if (out->names == NULL)
    {
      g_autoptr (DpNameMap) names = dp_name_map_new ();
      dp_vocab_set_names (out, names);
    }
  return DP_TOKEN (DP_TOK_IP, dp_name_map_intern (out->names, pseudonym));
}

typedef struct {
  const guint64 *counts;
} Word2vecSort;

static gint
word2vec_by_count (gconstpointer a, gconstpointer b, gpointer data)
{
  const guint64 *counts = ((const Word2vecSort *) data)->counts;
  guint32 x = *(const guint32 *) a, y = *(const guint32 *) b;
  if (counts[x] != counts[y])
    return counts[x] > counts[y] ? -1 : 1;
  return x < y ? -1 : (x > y);
}

/* Fills model->map and returns the output vocabulary; *init_rows gets, per
 * training id, the row of the initial embedding or WORD2VEC_NONE. */
static DpVocab *
word2vec_build_vocab (Word2vec *w, Word2vecModel *m, GArray **init_rows)
{
  const DpVocab *cv = w->corpus->vocab;
  g_autofree guint64 *counts = word2vec_count (w->corpus);
  DpVocab *out = word2vec_new_vocab (cv);
  m->map = g_new (guint32, MAX (cv->n, 1u));
  memset (m->map, 0xff, MAX (cv->n, 1u) * sizeof (guint32));
  *init_rows = g_array_new (FALSE, FALSE, sizeof (guint32));
  for (guint r = 0; w->init && r < w->init->n; r++)
    {
      guint64 key = word2vec_translate (out, w->init->vocab, w->init->vocab->keys[r]);
      if (dp_vocab_lookup (out, key) >= 0)
        continue;
      guint id = dp_vocab_add (out, key);
      g_array_append_val (*init_rows, r);
      gint64 cid = dp_vocab_lookup (cv, key);
      if (cid >= 0)
        {
          m->map[cid] = id;
          out->counts[id] = counts[cid];
        }
    }
  g_autoptr (GArray) fresh = g_array_new (FALSE, FALSE, sizeof (guint32));
  for (guint32 cid = 0; cid < cv->n; cid++)
    if (m->map[cid] == WORD2VEC_NONE && counts[cid] > 0
        && counts[cid] >= (guint64) w->config->min_count)
      g_array_append_val (fresh, cid);
  Word2vecSort sort = { counts };
  g_array_sort_with_data (fresh, word2vec_by_count, &sort);
  guint32 none = WORD2VEC_NONE;
  for (guint i = 0; i < fresh->len; i++)
    {
      guint32 cid = g_array_index (fresh, guint32, i);
      guint id = dp_vocab_add (out, cv->keys[cid]);
      m->map[cid] = id;
      out->counts[id] = counts[cid];
      g_array_append_val (*init_rows, none);
    }
  return out;
}

/* ------------------------------------------------------------------ */
/* sampling tables and initial vectors */

/* gensim's sub-sampling: keep a token with probability
 * (sqrt(c/t) + 1) * t/c, t = sample * (tokens kept by min_count). */
static void
word2vec_build_keep (Word2vecModel *m, const guint64 *counts)
{
  const double sample = m->config->sample;
  double total = 0;
  for (guint i = 0; i < m->n; i++)
    total += (double) counts[i];
  double t = sample < 1.0 ? sample * total : sample * (3 + sqrt (5)) / 2;
  m->keep = g_new (guint32, MAX (m->n, 1u));
  for (guint i = 0; i < m->n; i++)
    {
      double p = 1.0;
      if (sample > 0 && counts[i] > 0)
        p = (sqrt ((double) counts[i] / t) + 1) * (t / (double) counts[i]);
      m->keep[i] = p >= 1.0 ? G_MAXUINT32 : (guint32) llround (p * G_MAXUINT32);
    }
}

/* Walker's alias method (Vose's construction) over count^ns_exponent. */
static void
word2vec_build_alias (Word2vecModel *m, const guint64 *counts)
{
  const guint n = m->n;
  g_autofree double *q = g_new (double, n);
  double sum = 0;
  for (guint i = 0; i < n; i++)
    sum += q[i] = counts[i] ? pow ((double) counts[i], m->config->ns_exponent) : 0.0;
  for (guint i = 0; i < n; i++)
    q[i] = sum > 0 ? q[i] * n / sum : 1.0;
  g_autofree guint32 *small = g_new (guint32, n);
  g_autofree guint32 *large = g_new (guint32, n);
  guint ns = 0, nl = 0;
  for (guint i = 0; i < n; i++)
    {
      if (q[i] < 1.0)
        small[ns++] = i;
      else
        large[nl++] = i;
    }
  m->alias = g_new (Word2vecAlias, n);
  while (ns > 0 && nl > 0)
    {
      guint32 s = small[--ns], l = large[nl - 1];
      m->alias[s].threshold = (guint32) MIN (q[s] * 4294967296.0, 4294967295.0);
      m->alias[s].alias = l;
      q[l] -= 1.0 - q[s];
      if (q[l] < 1.0)
        {
          nl--;
          small[ns++] = l;
        }
    }
  /* leftovers are 1 up to rounding: always themselves */
  while (nl > 0)
    {
      guint32 l = large[--nl];
      m->alias[l] = (Word2vecAlias) { G_MAXUINT32, l };
    }
  while (ns > 0)
    {
      guint32 s = small[--ns];
      m->alias[s] = (Word2vecAlias) { G_MAXUINT32, s };
    }
}

/* Each fresh row is uniform in [-1/dim, 1/dim) like gensim 4's prep_vectors
 * (gensim 3 and word2vec.c used half that), drawn from a generator seeded by
 * (seed, token key), so a token's start does not depend on the vocabulary
 * order or size. */
static gboolean
word2vec_init_vectors (Word2vec *w, Word2vecModel *m, const DpVocab *out, const GArray *init_rows,
                       GError **error)
{
  const guint dim = m->dim;
  /* the size follows from the vocabulary and vector_size: a model too big
   * for the machine is the user's to resize, not a crash */
  m->syn0 = word2vec_alloc ((gsize) m->n * m->stride);
  m->syn1 = m->syn0 ? word2vec_alloc ((gsize) m->n * m->stride) : NULL;
  if (m->syn1 == NULL)
    {
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FAILED,
                   "not enough memory for the model: 2 x %u tokens x %u floats (%.1f GB); "
                   "lower vector_size or raise min_count", m->n, m->stride,
                   2.0 * m->n * m->stride * sizeof (float) / 1e9);
      return FALSE;
    }
  for (guint i = 0; i < m->n; i++)
    {
      float *row = m->syn0 + (gsize) i * m->stride;
      guint32 r = g_array_index (init_rows, guint32, i);
      if (r != WORD2VEC_NONE)
        {
          memcpy (row, w->init->vectors + (gsize) r * dim, dim * sizeof (float));
          continue;
        }
      guint64 s = word2vec_mix (w->config->seed ^ word2vec_mix (out->keys[i]));
      for (guint k = 0; k < dim; k++)
        {
          s = word2vec_mix (s);
          float u = (float) ((s >> 40) * (1.0 / 16777216.0));
          row[k] = (2.0f * u - 1.0f) / (float) dim;
        }
    }
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* running */

typedef struct {
  DpStage *stage;
  gint64 last_us;
} Word2vecTick;

/* Progress, and how many threads to run now: 0 once the run ends, else
 * what the scheduler grants (more when other stages have ended). */
static guint
word2vec_tick (Word2vecModel *m, gpointer data)
{
  Word2vecTick *t = data;
  gint64 now = g_get_monotonic_time ();
  if (now - t->last_us > 200000)
    {
      t->last_us = now;
      dp_stage_progress (t->stage, (guint64) __atomic_load_n (&m->words_done, __ATOMIC_RELAXED),
                         m->total_words);
    }
  return dp_stage_cancelled (t->stage) ? 0 : dp_stage_threads (t->stage);
}

static gboolean
word2vec_load_init (DpStage *stage, Word2vec *w, GError **error)
{
  const Word2vecConfig *c = w->config;
  if (c->init_path)
    {
      if (w->init)
        {
          g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_STRUCTURE,
                       "both init_path and the init port are given; use one");
          return FALSE;
        }
      w->init = w2v_read (stage, c->init_path, W2V_FORMAT_AUTO, NULL, error);
      if (w->init == NULL)
        return FALSE;
    }
  if (w->init && w->init->n > 0 && (gint64) w->init->dim != c->vector_size)
    {
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT,
                   "initial vectors%s%s have dimension %u but vector_size is %" G_GINT64_FORMAT,
                   c->init_path ? " " : "", c->init_path ? c->init_path : "",
                   w->init->dim, c->vector_size);
      return FALSE;
    }
  return TRUE;
}

static void
word2vec_model_clear (Word2vecModel *m)
{
  g_free (m->map);
  g_free (m->keep);
  g_free (m->alias);
  g_free (m->chunks);
  free (m->syn0);
  free (m->syn1);
}

static gboolean
word2vec_finish (DpStage *stage, void *state, GError **error)
{
  Word2vec *w = state;
  const Word2vecConfig *c = w->config;
  if (w->corpus == NULL)
    return TRUE;
  if (!word2vec_load_init (stage, w, error))
    return FALSE;
  Word2vecModel m = { .config = c, .corpus = w->corpus, .dim = (guint) c->vector_size,
                      .stride = ((guint) c->vector_size + 7) & ~7u };
  g_autoptr (GArray) init_rows = NULL;
  g_autoptr (DpVocab) vocab = word2vec_build_vocab (w, &m, &init_rows);
  m.n = vocab->n;
  word2vec_build_keep (&m, vocab->counts);
  word2vec_build_alias (&m, vocab->counts);
  if (!word2vec_init_vectors (w, &m, vocab, init_rows, error))
    {
      word2vec_model_clear (&m);
      return FALSE;
    }
  word2vec_model_prepare (&m);
  Word2vecTick tick = { stage, 0 };
  gint64 t0 = g_get_monotonic_time ();
  guint threads = word2vec_model_train (&m, dp_stage_threads_max (stage), word2vec_tick, &tick);
  double secs = MAX ((g_get_monotonic_time () - t0) / 1e6, 1e-9);
  gboolean stopped = m.stop != 0;
  dp_stage_progress (stage, m.total_words, m.total_words);
  dp_stage_info (stage, "%u tokens x %u dims, %" G_GUINT64_FORMAT " corpus tokens x %" G_GINT64_FORMAT
                 " epochs in %.2f s: %.0f words/s (%.0f trained words/s), %u thread%s",
                 m.n, m.dim, w->corpus->n_tokens, c->epochs, secs, m.total_words / secs,
                 m.trained_words / secs, threads, threads == 1 ? "" : "s");
  dp_stage_count (stage, "trained-words", (guint64) m.trained_words);
  /* the output vectors are done with: their memory goes before the copy */
  free (m.syn1);
  m.syn1 = NULL;
  g_autoptr (DpEmbedding) e = dp_embedding_try_new (vocab, m.n, m.dim, error);
  for (guint i = 0; e && i < m.n; i++)
    memcpy (e->vectors + (gsize) i * m.dim, m.syn0 + (gsize) i * m.stride, m.dim * sizeof (float));
  word2vec_model_clear (&m);
  if (e == NULL)
    return FALSE;
  if (stopped)
    {
      dp_stage_info (stage, "interrupted: no embedding");
      return TRUE;
    }
  /* a learning rate too high for the corpus drives vectors to infinity
   * and NaN; such a model is no result (one pass, cheap against training) */
  for (gsize at = 0; at < (gsize) e->n * e->dim; at++)
    if (!isfinite (e->vectors[at]))
      {
        g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FAILED,
                     "training diverged: vector %" G_GSIZE_FORMAT " of %u is not finite (alpha %g is too "
                     "high for this corpus; lower alpha, e.g. to 0.025)", at / e->dim + 1, e->n, c->alpha);
        return FALSE;
      }
  dp_stage_push (stage, 0, g_steal_pointer (&e));
  return TRUE;
}

static void
word2vec_finalize (void *state)
{
  Word2vec *w = state;
  dp_batch_unref (w->corpus);
  dp_batch_unref (w->init);
  g_free (w);
}

DP_PLUGIN_DEFINE (word2vec,
  .kind = DP_KIND_TRAINER,
  .summary = "Train word2vec vectors (skip-gram/CBOW, negative sampling) on a corpus",
  .version = "1.0",
  .doc = "gensim 4's options and defaults (sg 0, vector_size 100, window 5, negative 5, "
         "ns_exponent 0.75, alpha 0.025 to min_alpha 0.0001, sample 0.001, min_count 5, "
         "epochs 5).  Tokens below min_count are removed before windowing; sentences are "
         "used whole (the corpus builder decides how long ones are cut).  Threads work Hogwild on "
         "jobs of ~10k tokens; with `threads: 1` a seed reproduces the vectors bit for bit.  "
         "A pairs corpus trains each (target, context) pair against fresh negatives.  "
         "`share_negatives` trades quality for speed: 0 draws a centre word's negatives "
         "once for its whole window (pWord2Vec's HogBatch: about 2x faster again, but on "
         "DarkVec corpora ~1 point lower 7-NN accuracy than gensim), 1 (default) gives each "
         "pair its own as gensim does.  Other differences from gensim: negatives come from "
         "an alias table (exact unigram^ns_exponent) instead of a cumulative table; a dot "
         "product beyond +-6 gives the saturated gradient (as word2vec.c) where gensim "
         "skips the update; initial vectors are seeded per (seed, token), not per word "
         "string; sentences are not cut at 10,000 tokens (cut them in the corpus builder).",
  .inputs = word2vec_inputs,
  .n_inputs = DP_N_ELEMENTS (word2vec_inputs),
  .outputs = word2vec_outputs,
  .n_outputs = DP_N_ELEMENTS (word2vec_outputs),
  .options = word2vec_options,
  .n_options = DP_N_ELEMENTS (word2vec_options),
  .config_size = sizeof (Word2vecConfig),
  .flags = DP_PLUGIN_THREADED,
  .check = word2vec_check,
  .init = word2vec_init,
  .process = word2vec_process,
  .finish = word2vec_finish,
  .finalize = word2vec_finalize)
