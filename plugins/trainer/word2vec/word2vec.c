/* word2vec — trains word vectors on a corpus: skip-gram or CBOW with
 * negative sampling, gensim 4's options and defaults.  The hot loops are in
 * w2v-train.c, the sampling tables in w2v-tables.c, training across MPI
 * ranks in w2v-sync.c; this file builds the training vocabulary and the
 * initial vectors, runs the rounds and wraps the result as an embedding.
 *
 * Incremental training (i-DarkVec): with `model_dir` the whole model
 * (input and output vectors, vocabulary with cumulative counts and the day
 * each token was last seen, rounds and words trained, the generator state)
 * is read from DIR/model.dpw2v when there and written back atomically
 * after training (w2v-model.c has the format).  Each round (a run, or a
 * UTC day of the corpus with `rounds: daily`) keeps the model's tokens in
 * its order, drops those unseen for more than `retire_days` days, and
 * appends the round's new tokens that pass min_count.  An initial embedding
 * (init_path or the `init` port) holds input vectors only, so from it the
 * output vectors restart at zero.
 */
#include "config.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "darkpipe.h"
#include "w2v-train.h"
#include "w2v-model.h"
#include "w2v-sync.h"
#include "w2v-tables.h"
#include "../../sink/w2v-common.h"

typedef struct {
  const Word2vecConfig *config;
  DpCorpus *corpus;
  DpEmbedding *init;
  gboolean by_key;   /* a round's new tokens: ties by key (not corpus id) */
} Word2vec;

static const char *const word2vec_rounds_choices[] = { "whole", "daily", NULL };
static const char *const word2vec_emit_choices[] = { "all", "active", NULL };
static const char *const word2vec_pairneg_choices[] = { "unigram", "pairs", "positives", NULL };

static const char *const word2vec_saturation_choices[] = { "clip", "skip", NULL };
static const char *const word2vec_sync_choices[] = { "updates", "average", NULL };
static const char *const word2vec_share_update_choices[] = { "sequential", "batch", NULL };

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
  DP_OPTION_RANGE ("share_negatives", DP_OPT_INT, "0", Word2vecConfig, share_negatives, 0, 10000,
                   "Skip-gram: context words of a centre that share one draw of negatives (0: the whole window, fastest; 1: each pair its own, as gensim)."),
  DP_OPTION_ENUM ("share_update", "sequential", Word2vecConfig, share_update, word2vec_share_update_choices,
                  "Contexts sharing negatives (share_negatives other than 1): train in turn, each pair a full step (sequential), or as one step from the rows as they were (batch, pWord2Vec's HogBatch)."),
  DP_OPTION_FLAGS ("init_path", DP_OPT_PATH, NULL, Word2vecConfig, init_path, DP_OPT_INPUT,
             "A word2vec file to continue training from (i-DarkVec's incremental update)."),
  DP_OPTION_ENUM ("saturation", "clip", Word2vecConfig, saturation, word2vec_saturation_choices,
                  "A dot product past +-6 on the wrong side: clip (push at full rate, word2vec.c) or skip the update (gensim 4; stable on DANTE's repetitive port sequences)."),
  DP_OPTION_FLAGS ("model_dir", DP_OPT_PATH, NULL, Word2vecConfig, model_dir, DP_OPT_OUTPUT | DP_OPT_DIR,
             "Directory of the whole model (model.dpw2v): continued when there, written back after training (i-DarkVec's daily update)."),
  DP_OPTION ("snapshots", DP_OPT_BOOL, "false", Word2vecConfig, snapshots,
             "With model_dir, also keep each day's model as model-YYYY-MM-DD.dpw2v."),
  DP_OPTION_ENUM ("rounds", "whole", Word2vecConfig, rounds, word2vec_rounds_choices,
                  "Train the corpus as one round, or one round per UTC day of its sentence times, in order (a replay of daily updates)."),
  DP_OPTION_RANGE ("retire_days", DP_OPT_INT, "0", Word2vecConfig, retire_days, 0, 100000,
                   "Tokens of the model unseen for more than this many days leave it (0: never)."),
  DP_OPTION_ENUM ("emit", "all", Word2vecConfig, emit, word2vec_emit_choices,
                  "Vectors pushed: every token of the model, or only those of the last round's corpus."),
  DP_OPTION_ENUM ("pair_negatives", "unigram", Word2vecConfig, pair_negatives, word2vec_pairneg_choices,
                  "Pairs corpus: unigram: `negative` draws per pair from the unigram table; pairs: the IP2VEC authors' "
                  "label-0 pairs (a random pair's target with another's context, not a positive pair); positives: the "
                  "same kept only when it is a positive pair, as their code did (docs/compare.md)."),
  DP_OPTION_RANGE ("pair_negative_share", DP_OPT_DOUBLE, "0.1", Word2vecConfig, pair_negative_share, 0, 1,
                   "With pair_negatives pairs or positives: label-0 pairs per positive pair (the authors: 10%)."),
  DP_OPTION_RANGE ("sync_words", DP_OPT_UINT, "50000", Word2vecConfig, sync_words, 1, 1e15,
                   "Under MPI: corpus tokens each rank trains between two combinations of the ranks' models, in whole jobs of ~10,000 (docs/scale-out.md)."),
  DP_OPTION_ENUM ("sync", "average", Word2vecConfig, sync, word2vec_sync_choices,
                  "Under MPI, at each combination: average the ranks' models (pWord2Vec's) or add up their updates since the last one (each sentence counts once, but 4 ranks lose 0.03 of 7-NN accuracy on the demo telescope)."),
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
  if (c->model_dir && (c->init_path || dp_stage_input_connected (stage, 1)))
    return dp_stage_config_error (stage, error, DP_CONFIG_ERROR_STRUCTURE, "model_dir",
                                  "model_dir continues its own model; drop init_path and the init port");
  if (c->snapshots && c->model_dir == NULL)
    return dp_stage_config_error (stage, error, DP_CONFIG_ERROR_STRUCTURE, "snapshots",
                                  "snapshots needs model_dir");
  if (dp_stage_n_ranks (stage) > 1)
    {
      const char *what = c->model_dir ? "model_dir" : c->init_path ? "init_path"
                         : c->rounds == WORD2VEC_ROUNDS_DAILY ? "rounds" : NULL;
      if (what || dp_stage_input_connected (stage, 1))
        return dp_stage_config_error (stage, error, DP_CONFIG_ERROR_STRUCTURE, what ? what : "init",
                                      "continued training (model_dir, init_path, the init port, rounds: daily) "
                                      "does not run under MPI yet (%u ranks); run it in one process",
                                      dp_stage_n_ranks (stage));
    }
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


/* A token's identity across runs: its key, or for a word, a pseudonym or
 * an IPv6 address (whose keys depend on what a run met first) a 64-bit
 * hash (FNV-1a) of its text. */
static guint64
word2vec_identity (const DpVocab *v, guint64 key)
{
  const char *text = NULL;
  guint64 val = DP_TOKEN_VALUE (key);
  if (DP_TOKEN_KIND (key) == DP_TOK_WORD && v->words && val < v->words->len)
    text = g_ptr_array_index (v->words, val);
  else if (DP_TOKEN_KIND (key) == DP_TOK_IP && v->names)
    text = dp_name_map_lookup (v->names, (guint32) val);
  if (text == NULL)
    return key;
  guint64 h = G_GUINT64_CONSTANT (0xcbf29ce484222325);
  for (const char *c = text; *c; c++)
    h = (h ^ (guint8) *c) * G_GUINT64_CONSTANT (0x100000001b3);
  return h;
}

typedef struct {
  const guint64 *counts;
  const DpVocab *vocab;   /* ties by identity when set, else by corpus id */
} Word2vecSort;

static gint
word2vec_by_count (gconstpointer a, gconstpointer b, gpointer data)
{
  const Word2vecSort *sort = data;
  const guint64 *counts = sort->counts;
  guint32 x = *(const guint32 *) a, y = *(const guint32 *) b;
  if (counts[x] != counts[y])
    return counts[x] > counts[y] ? -1 : 1;
  if (sort->vocab)
    {
      guint64 kx = word2vec_identity (sort->vocab, sort->vocab->keys[x]);
      guint64 ky = word2vec_identity (sort->vocab, sort->vocab->keys[y]);
      if (kx != ky)
        return kx < ky ? -1 : 1;
    }
  return x < y ? -1 : (x > y);
}

/* One round: the sentences [s_begin, s_end) of the corpus, on day @day. */
typedef struct {
  guint64 s_begin, s_end;
  gint64 day;
} Word2vecRound;

/* The next model's vocabulary: the previous model's tokens in its order
 * (less those retired), then the round's new tokens that pass min_count,
 * most frequent first.  Fills m->map; *rows gets, per token, its row in
 * @prev or WORD2VEC_NONE; *retired how many were dropped. */
static W2vModel *
word2vec_next_model (Word2vec *w, Word2vecModel *m, const W2vModel *prev, const Word2vecRound *r,
                     GArray **rows, guint *retired, GError **error)
{
  const Word2vecConfig *c = w->config;
  const DpCorpus *corpus = w->corpus;
  const DpVocab *cv = corpus->vocab;
  g_autofree guint64 *counts = g_new0 (guint64, MAX (cv->n, 1u));
  for (guint64 i = corpus->offsets[r->s_begin]; i < corpus->offsets[r->s_end]; i++)
    if (corpus->tokens[i] < cv->n)
      counts[corpus->tokens[i]]++;
  g_autoptr (DpVocab) out = word2vec_new_vocab (cv);
  m->map = g_new (guint32, MAX (cv->n, 1u));
  memset (m->map, 0xff, MAX (cv->n, 1u) * sizeof (guint32));
  *rows = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autoptr (GArray) total = g_array_new (FALSE, FALSE, sizeof (guint64));
  g_autoptr (GArray) seen = g_array_new (FALSE, FALSE, sizeof (gint64));
  *retired = 0;
  for (guint p = 0; prev && p < prev->n; p++)
    {
      /* words and pseudonyms are re-interned: their keys mean something
       * only in their own vocabulary or name map */
      guint64 key = word2vec_translate (out, prev->vocab, prev->vocab->keys[p]);
      gint64 cid = dp_vocab_lookup (cv, key);
      gboolean here = cid >= 0 && counts[cid] > 0;
      if (!here && c->retire_days > 0 && prev->rounds > 0 && r->day - prev->last_day[p] > c->retire_days)
        {
          (*retired)++;
          continue;
        }
      if (dp_vocab_lookup (out, key) >= 0)
        continue;
      guint id = dp_vocab_add (out, key);
      g_array_append_val (*rows, p);
      if (cid >= 0)
        m->map[cid] = id;
      guint64 t = prev->counts[p] + (cid >= 0 ? counts[cid] : 0);
      gint64 day = here ? r->day : prev->last_day[p];
      g_array_append_val (total, t);
      g_array_append_val (seen, day);
    }
  g_autoptr (GArray) fresh = g_array_new (FALSE, FALSE, sizeof (guint32));
  for (guint32 cid = 0; cid < cv->n; cid++)
    if (m->map[cid] == WORD2VEC_NONE && counts[cid] > 0 && counts[cid] >= (guint64) c->min_count)
      g_array_append_val (fresh, cid);
  /* ties by key when the model carries over days: a corpus's ids depend on
   * what else it holds, so one run over days 1..N and N runs of one day
   * would order a day's new tokens differently */
  Word2vecSort sort = { counts, w->by_key ? cv : NULL };
  g_array_sort_with_data (fresh, word2vec_by_count, &sort);
  guint32 none = WORD2VEC_NONE;
  for (guint i = 0; i < fresh->len; i++)
    {
      guint32 cid = g_array_index (fresh, guint32, i);
      guint id = dp_vocab_add (out, cv->keys[cid]);
      m->map[cid] = id;
      g_array_append_val (*rows, none);
      g_array_append_val (total, counts[cid]);
      g_array_append_val (seen, r->day);
    }
  W2vModel *next = w2v_model_new (out, out->n, (guint) c->vector_size, error);
  if (next == NULL)
    return NULL;
  for (guint i = 0; i < out->n; i++)
    {
      next->counts[i] = out->counts[i] = g_array_index (total, guint64, i);
      next->last_day[i] = g_array_index (seen, gint64, i);
    }
  return next;
}

/* ------------------------------------------------------------------ */
/* initial vectors (the sampling tables: w2v-tables.c) */

/* Rows of the previous model are copied (input and output vectors); each
 * fresh row is uniform in [-1/dim, 1/dim) like gensim 4's prep_vectors
 * (gensim 3 and word2vec.c used half that), drawn from a generator seeded
 * by (seed, token key), so a token's start does not depend on the
 * vocabulary order or size; its output vector starts at 0. */
static void
word2vec_init_vectors (Word2vec *w, W2vModel *next, const W2vModel *prev, const GArray *rows)
{
  const guint dim = next->dim;
  for (guint i = 0; i < next->n; i++)
    {
      float *row = next->syn0 + (gsize) i * next->stride;
      guint32 r = g_array_index (rows, guint32, i);
      if (r != WORD2VEC_NONE)
        {
          memcpy (row, prev->syn0 + (gsize) r * prev->stride, dim * sizeof (float));
          memcpy (next->syn1 + (gsize) i * next->stride, prev->syn1 + (gsize) r * prev->stride,
                  dim * sizeof (float));
          continue;
        }
      /* across days (by_key), a pseudonym starts from its text, not from
       * its key in this run's name map */
      guint64 id = w->by_key ? word2vec_identity (next->vocab, next->vocab->keys[i]) : next->vocab->keys[i];
      guint64 s = word2vec_mix (w->config->seed ^ word2vec_mix (id));
      for (guint k = 0; k < dim; k++)
        {
          s = word2vec_mix (s);
          float u = (float) ((s >> 40) * (1.0 / 16777216.0));
          row[k] = (2.0f * u - 1.0f) / (float) dim;
        }
    }
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

/* The previous model: the model directory's file, or an initial embedding
 * (input vectors only: its output vectors start at 0), or none. */
static gboolean
word2vec_load_prev (DpStage *stage, Word2vec *w, W2vModel **prev, GError **error)
{
  const Word2vecConfig *c = w->config;
  *prev = NULL;
  if (c->model_dir)
    {
      g_autofree char *dir = dp_stage_output_path (stage, c->model_dir);
      g_autofree char *path = g_build_filename (dir, W2V_MODEL_NAME, NULL);
      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        {
          dp_stage_info (stage, "%s: no model yet, starting one", path);
          return TRUE;
        }
      *prev = w2v_model_load (path, error);
      if (*prev == NULL)
        return FALSE;
      if ((gint64) (*prev)->dim != c->vector_size)
        {
          g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT,
                       "%s: the model has dimension %u but vector_size is %" G_GINT64_FORMAT,
                       path, (*prev)->dim, c->vector_size);
          g_clear_pointer (prev, w2v_model_free);
          return FALSE;
        }
      dp_stage_info (stage, "%s: %u tokens, %" G_GUINT64_FORMAT " rounds, last day %" G_GINT64_FORMAT,
                     path, (*prev)->n, (*prev)->rounds, (*prev)->day);
      return TRUE;
    }
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
  if (w->init == NULL || w->init->n == 0)
    return TRUE;
  if ((gint64) w->init->dim != c->vector_size)
    {
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT,
                   "initial vectors%s%s have dimension %u but vector_size is %" G_GINT64_FORMAT,
                   c->init_path ? " " : "", c->init_path ? c->init_path : "",
                   w->init->dim, c->vector_size);
      return FALSE;
    }
  W2vModel *m = w2v_model_new (w->init->vocab, w->init->n, w->init->dim, error);
  if (m == NULL)
    return FALSE;
  for (guint i = 0; i < m->n; i++)
    memcpy (m->syn0 + (gsize) i * m->stride, w->init->vectors + (gsize) i * m->dim, m->dim * sizeof (float));
  m->rng = c->seed;
  *prev = m;
  return TRUE;
}

#define WORD2VEC_DAY_NS G_GINT64_CONSTANT (86400000000000)

/* The rounds: one per UTC day of the sentences' times (rounds: daily), or
 * one over the whole corpus on the day of its last sentence. */
static GArray *
word2vec_rounds (Word2vec *w, const W2vModel *prev, GError **error)
{
  const DpCorpus *c = w->corpus;
  GArray *rounds = g_array_new (FALSE, FALSE, sizeof (Word2vecRound));
  if (c->n_sentences == 0)
    return rounds;
  if (c->sentence_time == NULL)
    {
      if (w->config->rounds == WORD2VEC_ROUNDS_DAILY)
        {
          g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT,
                       "rounds: daily needs sentence times in the corpus (darkvec_corpus gives them)");
          g_array_unref (rounds);
          return NULL;
        }
      Word2vecRound r = { 0, c->n_sentences, prev ? prev->day + 1 : 0 };
      g_array_append_val (rounds, r);
      return rounds;
    }
  if (w->config->rounds != WORD2VEC_ROUNDS_DAILY)
    {
      /* the day that holds most of the tokens: a capture rotated a little
       * after midnight still counts as the day it is about */
      Word2vecRound r = { 0, c->n_sentences, 0 };
      guint64 best = 0, run = 0;
      for (guint64 s = 0; s < c->n_sentences; s++)
        {
          gint64 day = dp_floor_div (c->sentence_time[s], WORD2VEC_DAY_NS);
          if (s == 0 || day != dp_floor_div (c->sentence_time[s - 1], WORD2VEC_DAY_NS))
            run = 0;
          run += c->offsets[s + 1] - c->offsets[s];
          if (run > best || s == 0)
            best = run, r.day = day;
        }
      g_array_append_val (rounds, r);
      return rounds;
    }
  guint64 start = 0;
  for (guint64 s = 1; s <= c->n_sentences; s++)
    {
      gint64 day = dp_floor_div (c->sentence_time[start], WORD2VEC_DAY_NS);
      if (s < c->n_sentences && dp_floor_div (c->sentence_time[s], WORD2VEC_DAY_NS) == day)
        continue;
      if (rounds->len > 0 && g_array_index (rounds, Word2vecRound, rounds->len - 1).day >= day)
        {
          g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT,
                       "rounds: daily needs the corpus in time order (sentence %" G_GUINT64_FORMAT
                       " goes back to an earlier day)", start + 1);
          g_array_unref (rounds);
          return NULL;
        }
      Word2vecRound r = { start, s, day };
      g_array_append_val (rounds, r);
      start = s;
    }
  return rounds;
}

static void
word2vec_model_clear (Word2vecModel *m)
{
  word2vec_model_release (m);
  g_free (m->map);
  g_free (m->keep);
  g_free (m->alias);
  g_free (m->chunks);
}

/* Trains one round on top of @prev (NULL: a new model).  Returns the next
 * model (transfer full), or NULL with @error; *stopped on cancellation. */
static W2vModel *
word2vec_round (DpStage *stage, Word2vec *w, const W2vModel *prev, const Word2vecRound *r,
                gboolean *stopped, GError **error)
{
  const Word2vecConfig *c = w->config;
  Word2vecModel m = { .config = c, .corpus = w->corpus, .dim = (guint) c->vector_size,
                      .stride = word2vec_stride ((guint) c->vector_size),
                      .s_begin = r->s_begin, .s_end = r->s_end,
                      .seed = prev ? prev->rng : c->seed };
  g_autoptr (GArray) rows = NULL;
  guint retired = 0;
  g_autoptr (W2vModel) next = word2vec_next_model (w, &m, prev, r, &rows, &retired, error);
  if (next == NULL)
    {
      word2vec_model_clear (&m);
      return NULL;
    }
  m.n = next->n;
  m.syn0 = next->syn0;
  m.syn1 = next->syn1;
  word2vec_build_keep (&m, next->counts);
  word2vec_build_alias (&m, next->counts);
  word2vec_init_vectors (w, next, prev, rows);
  word2vec_model_prepare (&m);
  Word2vecTick tick = { stage, 0 };
  gint64 t0 = g_get_monotonic_time ();
  guint threads = dp_stage_n_ranks (stage) > 1 ? word2vec_train_ranks (stage, &m, word2vec_tick, &tick)
                  : word2vec_model_train (&m, dp_stage_threads_max (stage), word2vec_tick, &tick);
  double secs = MAX ((g_get_monotonic_time () - t0) / 1e6, 1e-9);
  *stopped = m.stop != 0;
  dp_stage_progress (stage, m.total_words, m.total_words);
  guint64 tokens = w->corpus->offsets[r->s_end] - w->corpus->offsets[r->s_begin];
  g_autoptr (GString) day = g_string_new (NULL);
  if (w->corpus->sentence_time)
    {
      g_autoptr (GDateTime) t = g_date_time_new_from_unix_utc (r->day * 86400);
      g_autofree char *ymd = t ? g_date_time_format (t, "%Y-%m-%d") : NULL;
      g_string_printf (day, "day %s: ", ymd ? ymd : "?");
    }
  dp_stage_info (stage, "%s%u tokens (%u new, %u retired) x %u dims, %" G_GUINT64_FORMAT " corpus tokens x %"
                 G_GINT64_FORMAT " epochs in %.2f s: %.0f words/s (%.0f trained words/s), %u thread%s",
                 day->str, m.n, m.n - (prev ? prev->n - retired : 0), retired, m.dim, tokens, c->epochs, secs,
                 m.total_words / secs, m.trained_words / secs, threads, threads == 1 ? "" : "s");
  dp_stage_count (stage, "trained-words", (guint64) m.trained_words);
  dp_stage_count (stage, "retired-tokens", retired);
  if (m.have_positives)
    {
      dp_stage_count (stage, "label0-pairs", (guint64) m.label0_pairs);
      dp_stage_count (stage, "label0-misses", (guint64) m.label0_misses);
    }
  next->sg = c->sg;
  next->rounds = (prev ? prev->rounds : 0) + 1;
  next->words = (prev ? prev->words : 0) + m.total_words;
  next->rng = word2vec_mix (m.seed);
  next->day = r->day;
  word2vec_model_clear (&m);
  return g_steal_pointer (&next);
}

/* A learning rate too high for the corpus drives vectors to infinity and
 * NaN; such a model is no result (one pass, cheap against training). */
static gboolean
word2vec_check_finite (const W2vModel *m, double alpha, GError **error)
{
  for (guint i = 0; i < m->n; i++)
    for (guint k = 0; k < m->dim; k++)
      if (!isfinite (m->syn0[(gsize) i * m->stride + k]))
        {
          g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FAILED,
                       "training diverged: vector %u of %u is not finite (alpha %g is too "
                       "high for this corpus; lower alpha, e.g. to 0.025)", i + 1, m->n, alpha);
          return FALSE;
        }
  return TRUE;
}

static gboolean
word2vec_save (DpStage *stage, const Word2vecConfig *c, const W2vModel *m, GError **error)
{
  g_autofree char *dir = dp_stage_output_path (stage, c->model_dir);
  g_autofree char *path = g_build_filename (dir, W2V_MODEL_NAME, NULL);
  if (!w2v_model_save (m, path, error))
    return FALSE;
  if (c->snapshots)
    {
      g_autoptr (GDateTime) t = g_date_time_new_from_unix_utc (m->day * 86400);
      g_autofree char *ymd = t ? g_date_time_format (t, "%Y-%m-%d") : g_strdup_printf ("%" G_GINT64_FORMAT, m->day);
      g_autofree char *base = g_strdup_printf ("model-%s.dpw2v", ymd);
      g_autofree char *snap = g_build_filename (dir, base, NULL);
      if (!w2v_model_save (m, snap, error))
        return FALSE;
    }
  return TRUE;
}

/* The embedding pushed: every token of the model, or (emit: active) those
 * of the last round's corpus. */
static DpEmbedding *
word2vec_embedding (const Word2vecConfig *c, const W2vModel *m, GError **error)
{
  g_autoptr (DpVocab) v = m->vocab;
  guint n = m->n;
  if (c->emit == WORD2VEC_EMIT_ACTIVE)
    {
      v = word2vec_new_vocab (m->vocab);
      for (guint i = 0; i < m->n; i++)
        if (m->last_day[i] == m->day)
          {
            guint id = dp_vocab_add (v, m->vocab->keys[i]);   /* may move v->counts */
            v->counts[id] = m->counts[i];
          }
      n = v->n;
    }
  else
    dp_vocab_ref (v);
  DpEmbedding *e = dp_embedding_try_new (v, n, m->dim, error);
  for (guint i = 0, r = 0; e && i < m->n; i++)
    if (c->emit != WORD2VEC_EMIT_ACTIVE || m->last_day[i] == m->day)
      memcpy (e->vectors + (gsize) r++ * m->dim, m->syn0 + (gsize) i * m->stride, m->dim * sizeof (float));
  return e;
}

static gboolean
word2vec_finish (DpStage *stage, void *state, GError **error)
{
  Word2vec *w = state;
  const Word2vecConfig *c = w->config;
  if (dp_stage_n_ranks (stage) > 1 && !word2vec_share_corpus (stage, &w->corpus, error))
    return FALSE;
  if (w->corpus == NULL)
    return TRUE;
  w->by_key = c->model_dir != NULL || c->rounds == WORD2VEC_ROUNDS_DAILY;
  g_autoptr (W2vModel) model = NULL;
  if (!word2vec_load_prev (stage, w, &model, error))
    return FALSE;
  g_autoptr (GArray) rounds = word2vec_rounds (w, model, error);
  if (rounds == NULL)
    return FALSE;
  if (model && c->model_dir && w->corpus->sentence_time && rounds->len > 0
      && g_array_index (rounds, Word2vecRound, 0).day <= model->day && model->rounds > 0)
    /* (a whole-corpus round's day is the one with most of its tokens) */
    {
      g_autoptr (GDateTime) t = g_date_time_new_from_unix_utc (model->day * 86400);
      g_autofree char *ymd = t ? g_date_time_format (t, "%Y-%m-%d") : NULL;
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT,
                   "%s: the model is trained up to %s; this corpus starts on that day or before "
                   "(train each day once, in order; move the model away to start again)",
                   c->model_dir, ymd ? ymd : "?");
      return FALSE;
    }
  for (guint i = 0; i < rounds->len; i++)
    {
      gboolean stopped = FALSE;
      W2vModel *next = word2vec_round (stage, w, model, &g_array_index (rounds, Word2vecRound, i), &stopped, error);
      if (next == NULL)
        return FALSE;
      w2v_model_free (model);
      model = next;
      if (stopped)
        {
          dp_stage_info (stage, "interrupted: no embedding");
          return TRUE;
        }
      if (!word2vec_check_finite (model, c->alpha, error))
        return FALSE;
    }
  if (model == NULL)
    {
      /* nothing to train on: an empty embedding, as before */
      g_autoptr (DpVocab) v = word2vec_new_vocab (w->corpus->vocab);
      dp_stage_push (stage, 0, dp_embedding_new (v, 0, (guint) c->vector_size));
      return TRUE;
    }
  if (c->model_dir && rounds->len > 0 && !word2vec_save (stage, c, model, error))
    return FALSE;
  DpEmbedding *e = word2vec_embedding (c, model, error);
  if (e == NULL)
    return FALSE;
  dp_stage_push (stage, 0, e);
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
         "`share_negatives: 0` (default) draws a centre word's negatives once for its whole "
         "window and trains the window's pairs in turn against them (`share_update: sequential`, "
         "each pair a full step: about 2x faster than per-pair draws, with gensim's 7-NN "
         "accuracy on DarkVec corpora and its WordSim353 on lee, docs/darkvec-word2vec.md); "
         "`share_update: batch` makes the window one step (pWord2Vec's HogBatch: ~1 point "
         "lower 7-NN accuracy); `share_negatives: 1` gives each pair its own draw as gensim "
         "does.  Other differences from gensim: negatives come from "
         "an alias table (exact unigram^ns_exponent) instead of a cumulative table; a dot "
         "product beyond +-6 gives the saturated gradient (as word2vec.c) where gensim "
         "skips the update; initial vectors are seeded per (seed, token), not per word "
         "string; sentences are not cut at 10,000 tokens (cut them in the corpus builder).  "
         "Daily incremental training (i-DarkVec): `model_dir` keeps the whole model between runs "
         "(docs/darkvec-daily.md); one run a day, or `rounds: daily` to replay several days in one run, "
         "give byte-identical models with `threads: 1`.",
  .inputs = word2vec_inputs,
  .n_inputs = DP_N_ELEMENTS (word2vec_inputs),
  .outputs = word2vec_outputs,
  .n_outputs = DP_N_ELEMENTS (word2vec_outputs),
  .options = word2vec_options,
  .n_options = DP_N_ELEMENTS (word2vec_options),
  .config_size = sizeof (Word2vecConfig),
  .flags = DP_PLUGIN_THREADED | DP_PLUGIN_COLLECTIVE,
  .check = word2vec_check,
  .init = word2vec_init,
  .process = word2vec_process,
  .finish = word2vec_finish,
  .finalize = word2vec_finalize)
