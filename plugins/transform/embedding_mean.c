/* embedding_mean — vectors of sentence owners as the mean of the vectors of
 * their tokens: DANTE's source vector is the average of the embeddings of
 * the ports it hit (darkvec-method.md §12).  The owner of each sentence is
 * the corpus's sentence_key (dante_corpus sets it to the source address).
 */
#include "config.h"
#include <string.h>
#include "darkpipe.h"

enum { MEAN_TOKENS, MEAN_SENTENCES };

typedef struct {
  int mean;
} EmbeddingMeanConfig;

typedef struct {
  const EmbeddingMeanConfig *config;
  DpEmbedding *emb;
  DpCorpus *corpus;
} EmbeddingMean;

/* The owners' running sums, rows in order of first appearance. */
typedef struct {
  DpHash row_of;       /* owner key -> row + 1 */
  GArray *keys;        /* guint64 owner key per row */
  GArray *sums;        /* double, dim per row */
  GArray *weights;     /* double per row: tokens or sentences averaged */
  guint dim;
} EmbeddingMeanAcc;

static const char *const embedding_mean_modes[] = { "tokens", "sentences", NULL };

static const DpOptionDesc embedding_mean_options[] = {
  DP_OPTION_ENUM ("mean", "tokens", EmbeddingMeanConfig, mean, embedding_mean_modes,
                  "Average over all the owner's tokens (weighted by occurrences) or average the per-sentence (per-window) means."),
};

static const DpPortDesc embedding_mean_inputs[] = {
  { "embedding", DP_TYPE_EMBEDDING, 0, "Vectors of the corpus's tokens (e.g. ports)." },
  { "corpus", DP_TYPE_CORPUS, 0, "The corpus the vectors were trained on, with sentence owners (sentence_key)." },
};

static const DpPortDesc embedding_mean_outputs[] = {
  { "embedding", DP_TYPE_EMBEDDING, 0,
    "One vector per sentence owner (e.g. a source address), in order of first appearance in the corpus." },
};

static gboolean
embedding_mean_init (DpStage *stage, const void *config, void **state, GError **error)
{
  EmbeddingMean *s = g_new0 (EmbeddingMean, 1);
  s->config = config;
  *state = s;
  return TRUE;
}

static DpFlow
embedding_mean_process (DpStage *stage, void *state, guint port, const char *upstream, DpBatch *batch, GError **error)
{
  EmbeddingMean *s = state;
  if (port == 0)
    {
      dp_batch_unref (s->emb);
      s->emb = dp_batch_ref (batch);
    }
  else
    {
      dp_batch_unref (s->corpus);
      s->corpus = dp_batch_ref (batch);
    }
  return DP_FLOW_OK;
}

/* Embedding row of every corpus token id, or -1 when it has no vector. */
static gint64 *
embedding_mean_rows (const DpCorpus *c, const DpEmbedding *e)
{
  gint64 *rows = g_new (gint64, MAX (c->vocab->n, 1u));
  for (guint id = 0; id < c->vocab->n; id++)
    {
      gint64 r = dp_vocab_lookup (e->vocab, c->vocab->keys[id]);
      rows[id] = r >= 0 && r < (gint64) e->n ? r : -1;
    }
  return rows;
}

static guint
embedding_mean_row (EmbeddingMeanAcc *a, guint64 key)
{
  gboolean inserted;
  guint64 *v = dp_hash_upsert (&a->row_of, key, &inserted);
  if (inserted)
    {
      *v = a->keys->len + 1;
      g_array_append_val (a->keys, key);
      g_array_set_size (a->sums, a->sums->len + a->dim);
      g_array_set_size (a->weights, a->weights->len + 1);
    }
  return (guint) *v - 1;
}

/* Adds the sum of sentence @s's token vectors to @sum; returns how many
 * tokens had a vector. */
static guint64
embedding_mean_sentence (const DpCorpus *c, const DpEmbedding *e, const gint64 *rows,
                         guint64 s, double *sum)
{
  guint64 n = 0;
  for (guint64 p = c->offsets[s]; p < c->offsets[s + 1]; p++)
    {
      gint64 r = c->tokens[p] < c->vocab->n ? rows[c->tokens[p]] : -1;
      if (r < 0)
        continue;
      const float *v = e->vectors + (gsize) r * e->dim;
      for (guint k = 0; k < e->dim; k++)
        sum[k] += v[k];
      n++;
    }
  return n;
}

static void
embedding_mean_accumulate (const EmbeddingMean *s, EmbeddingMeanAcc *a, guint64 *skipped)
{
  const DpCorpus *c = s->corpus;
  const DpEmbedding *e = s->emb;
  g_autofree gint64 *rows = embedding_mean_rows (c, e);
  g_autofree double *tmp = g_new (double, MAX (e->dim, 1u));
  for (guint64 st = 0; st < c->n_sentences; st++)
    {
      memset (tmp, 0, e->dim * sizeof (double));
      guint64 n = embedding_mean_sentence (c, e, rows, st, tmp);
      if (n == 0)
        {
          (*skipped)++;
          continue;
        }
      guint row = embedding_mean_row (a, c->sentence_key[st]);
      double *sum = &g_array_index (a->sums, double, (gsize) row * a->dim);
      gboolean per_sentence = s->config->mean == MEAN_SENTENCES;
      for (guint k = 0; k < e->dim; k++)
        sum[k] += per_sentence ? tmp[k] / (double) n : tmp[k];
      g_array_index (a->weights, double, row) += per_sentence ? 1.0 : (double) n;
    }
}

static DpEmbedding *
embedding_mean_output (const EmbeddingMeanAcc *a, const DpCorpus *c)
{
  g_autoptr (DpVocab) vocab = dp_vocab_new ();
  if (c->vocab->names)
    dp_vocab_set_names (vocab, c->vocab->names);
  guint n = a->keys->len;
  DpEmbedding *out = dp_embedding_new (vocab, n, MAX (a->dim, 1u));
  for (guint i = 0; i < n; i++)
    {
      guint id = dp_vocab_add (vocab, g_array_index (a->keys, guint64, i));
      double w = g_array_index (a->weights, double, i);
      vocab->counts[id] = (guint64) w;
      const double *sum = &g_array_index (a->sums, double, (gsize) i * a->dim);
      for (guint k = 0; k < a->dim; k++)
        out->vectors[(gsize) i * out->dim + k] = (float) (sum[k] / w);
    }
  return out;
}

static gboolean
embedding_mean_finish (DpStage *stage, void *state, GError **error)
{
  EmbeddingMean *s = state;
  if (s->emb == NULL || s->corpus == NULL)
    return TRUE;   /* an upstream pushed nothing (e.g. interrupted) */
  if (s->corpus->sentence_key == NULL)
    {
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT,
                   "the corpus has no sentence owners (sentence_key): use a corpus builder "
                   "that records them, such as dante_corpus");
      return FALSE;
    }
  EmbeddingMeanAcc a = { .dim = s->emb->dim };
  dp_hash_init (&a.row_of, 1024);
  a.keys = g_array_new (FALSE, FALSE, sizeof (guint64));
  a.sums = g_array_new (FALSE, TRUE, sizeof (double));
  a.weights = g_array_new (FALSE, TRUE, sizeof (double));
  guint64 skipped = 0;
  embedding_mean_accumulate (s, &a, &skipped);
  DpEmbedding *out = embedding_mean_output (&a, s->corpus);
  dp_stage_count (stage, "owners", a.keys->len);
  dp_stage_count (stage, "sentences-without-vectors", skipped);
  dp_hash_clear (&a.row_of);
  g_array_unref (a.keys);
  g_array_unref (a.sums);
  g_array_unref (a.weights);
  dp_stage_push (stage, 0, out);
  return TRUE;
}

static void
embedding_mean_finalize (void *state)
{
  EmbeddingMean *s = state;
  dp_batch_unref (s->emb);
  dp_batch_unref (s->corpus);
  g_free (s);
}

DP_PLUGIN_DEFINE (embedding_mean,
  .kind = DP_KIND_TRANSFORM,
  .summary = "Vectors of sentence owners (e.g. sources) as the mean of their tokens' vectors",
  .version = "1.0",
  .doc = "DANTE's source vectors: each sentence of the corpus belongs to an owner "
         "(`sentence_key`, set by dante_corpus to the source address); an owner's vector is "
         "the mean of the vectors of the tokens of its sentences.  `mean: tokens` weighs "
         "every token occurrence equally (a port hit 100 times counts 100 times); "
         "`mean: sentences` first averages each sentence (one window of one source) and "
         "then averages those means, so every window counts once.  Tokens without a vector "
         "(dropped by the trainer's min_count) are skipped; a sentence with none is left "
         "out and counted.  The output's tokens are the owners, with the corpus's address "
         "pseudonyms; its counts are the tokens (or sentences) averaged.",
  .inputs = embedding_mean_inputs,
  .n_inputs = DP_N_ELEMENTS (embedding_mean_inputs),
  .outputs = embedding_mean_outputs,
  .n_outputs = DP_N_ELEMENTS (embedding_mean_outputs),
  .options = embedding_mean_options,
  .n_options = DP_N_ELEMENTS (embedding_mean_options),
  .config_size = sizeof (EmbeddingMeanConfig),
  .init = embedding_mean_init,
  .process = embedding_mean_process,
  .finish = embedding_mean_finish,
  .finalize = embedding_mean_finalize)
