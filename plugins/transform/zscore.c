/* zscore — per-dimension standardisation of an embedding: every column gets
 * mean 0 and (population) standard deviation 1, exactly what scikit-learn's
 * StandardScaler does and what the DarkVec authors applied before kNN and
 * clustering.  A constant column becomes all zeros (scale 1, as sklearn). */
#include "config.h"
#include <float.h>
#include <math.h>
#include <string.h>
#include "darkpipe.h"

typedef struct {
  gboolean with_mean;
  gboolean with_std;
} ZscoreConfig;

typedef struct {
  const ZscoreConfig *config;
  DpEmbedding *input;
} Zscore;

static const DpOptionDesc zscore_options[] = {
  DP_OPTION ("with_mean", DP_OPT_BOOL, "true", ZscoreConfig, with_mean,
             "Subtract each dimension's mean."),
  DP_OPTION ("with_std", DP_OPT_BOOL, "true", ZscoreConfig, with_std,
             "Divide each dimension by its population standard deviation."),
};

static const DpPortDesc zscore_inputs[] = {
  { "embedding", DP_TYPE_EMBEDDING, 0, "The vectors to standardise." },
};
static const DpPortDesc zscore_outputs[] = {
  { "embedding", DP_TYPE_EMBEDDING, 0, "Standardised vectors over the same vocabulary." },
};

static gboolean
zscore_init (DpStage *stage, const void *config, void **state, GError **error)
{
  Zscore *z = g_new0 (Zscore, 1);
  z->config = config;
  *state = z;
  return TRUE;
}

static DpFlow
zscore_process (DpStage *stage, void *state, guint port, const char *upstream, DpBatch *batch, GError **error)
{
  Zscore *z = state;
  dp_batch_unref (z->input);
  z->input = dp_batch_ref (batch);
  return DP_FLOW_OK;
}

/* Two passes in double, like numpy's mean and var: the one-pass formula
 * loses digits when the mean is large against the spread. */
static void
zscore_column_stats (const DpEmbedding *e, guint k, double *mean, double *scale)
{
  double sum = 0;
  for (guint i = 0; i < e->n; i++)
    sum += e->vectors[(gsize) i * e->dim + k];
  double m = e->n ? sum / e->n : 0;
  double ss = 0;
  for (guint i = 0; i < e->n; i++)
    {
      double d = e->vectors[(gsize) i * e->dim + k] - m;
      ss += d * d;
    }
  double sd = e->n ? sqrt (ss / e->n) : 0;
  *mean = m;
  /* sklearn's _handle_zeros_in_scale: a (near) zero scale becomes 1 */
  *scale = sd < 10 * DBL_EPSILON ? 1.0 : sd;
}

static DpEmbedding *
zscore_apply (const ZscoreConfig *c, const DpEmbedding *in)
{
  DpEmbedding *out = dp_embedding_new (in->vocab, in->n, in->dim);
  for (guint k = 0; k < in->dim; k++)
    {
      double mean, scale;
      zscore_column_stats (in, k, &mean, &scale);
      if (!c->with_mean)
        mean = 0;
      if (!c->with_std)
        scale = 1;
      for (guint i = 0; i < in->n; i++)
        {
          gsize at = (gsize) i * in->dim + k;
          out->vectors[at] = (float) ((in->vectors[at] - mean) / scale);
        }
    }
  return out;
}

static gboolean
zscore_finish (DpStage *stage, void *state, GError **error)
{
  Zscore *z = state;
  if (z->input == NULL)
    return TRUE;
  /* one NaN or infinity would make its column's mean and spread, and so
   * every scaled vector, NaN */
  const DpEmbedding *in = z->input;
  for (gsize at = 0; at < (gsize) in->n * in->dim; at++)
    if (!isfinite (in->vectors[at]))
      {
        GString *tok = g_string_new (NULL);
        dp_vocab_format (in->vocab, (guint) (at / in->dim), tok);
        g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT,
                     "vector %" G_GSIZE_FORMAT " ('%s') has a non-finite value in dimension %" G_GSIZE_FORMAT
                     "; z-scores of every vector would be NaN", at / in->dim + 1, tok->str, at % in->dim + 1);
        g_string_free (tok, TRUE);
        return FALSE;
      }
  dp_stage_push (stage, 0, zscore_apply (z->config, z->input));
  return TRUE;
}

static void
zscore_finalize (void *state)
{
  Zscore *z = state;
  dp_batch_unref (z->input);
  g_free (z);
}

DP_PLUGIN_DEFINE (zscore,
  .kind = DP_KIND_TRANSFORM,
  .summary = "Standardise each embedding dimension (sklearn StandardScaler)",
  .version = "1.0",
  .doc = "Per dimension: `(x - mean) / std` with the population standard deviation "
         "(ddof 0), computed in double precision over all rows.  DarkVec scaled its "
         "embeddings this way before kNN and clustering; i-DarkVec did not.",
  .inputs = zscore_inputs,
  .n_inputs = DP_N_ELEMENTS (zscore_inputs),
  .outputs = zscore_outputs,
  .n_outputs = DP_N_ELEMENTS (zscore_outputs),
  .options = zscore_options,
  .n_options = DP_N_ELEMENTS (zscore_options),
  .config_size = sizeof (ZscoreConfig),
  .init = zscore_init,
  .process = zscore_process,
  .finish = zscore_finish,
  .finalize = zscore_finalize)
