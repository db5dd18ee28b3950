/* w2v — writes an embedding as a word2vec file, in the text or the binary
 * format that gensim's KeyedVectors.load_word2vec_format reads (binary=False
 * or binary=True).  Both start with a header line "n dim"; text then has one
 * "token v1 … vdim" line per vector, binary the token, a space, dim float32
 * little-endian and a newline. */
#include "config.h"
#include "darkpipe.h"
#include "w2v-common.h"

enum { W2V_SINK_TEXT, W2V_SINK_BINARY };

typedef struct {
  char *path;
  gboolean gzip;
  int format;
} W2vConfig;

typedef struct {
  const W2vConfig *config;
  DpEmbedding *embedding;
} W2vState;

static const char *const w2v_formats[] = { "text", "binary", NULL };

static const DpOptionDesc w2v_options[] = {
  DP_OPTION_FLAGS ("path", DP_OPT_PATH, NULL, W2vConfig, path, DP_OPT_REQUIRED | DP_OPT_OUTPUT,
                   "Output file; a relative path goes below the run's output directory."),
  DP_OPTION ("gzip", DP_OPT_BOOL, "false", W2vConfig, gzip,
             "Compress the file with gzip (gensim reads .gz transparently)."),
  DP_OPTION_ENUM ("format", "text", W2vConfig, format, w2v_formats,
                  "text: one line of decimal values per token, 9 significant digits (float32 "
                  "values read back exactly); binary: raw little-endian float32 (exact, smaller)."),
};

static const DpPortDesc w2v_inputs[] = {
  { "embedding", DP_TYPE_EMBEDDING, 0, "The vectors to write." },
};

static gboolean
w2v_init (DpStage *stage, const void *config, void **state, GError **error)
{
  W2vState *s = g_new0 (W2vState, 1);
  s->config = config;
  *state = s;
  return TRUE;
}

static DpFlow
w2v_process (DpStage *stage, void *state, guint in_port, const char *upstream, DpBatch *batch,
             GError **error)
{
  W2vState *s = state;
  /* a whole value: keep the latest one, write it at finish */
  dp_batch_unref (s->embedding);
  s->embedding = dp_batch_ref (batch);
  return DP_FLOW_OK;
}

static gboolean
w2v_finish (DpStage *stage, void *state, GError **error)
{
  W2vState *s = state;
  if (s->embedding == NULL)
    {
      dp_stage_info (stage, "no embedding arrived: %s not written", s->config->path);
      return TRUE;
    }
  W2vFormat format = s->config->format == W2V_SINK_BINARY ? W2V_FORMAT_BINARY : W2V_FORMAT_TEXT;
  g_autofree char *path = dp_stage_output_path (stage, s->config->path);
  if (!w2v_write (s->embedding, path, format, s->config->gzip, error))
    return FALSE;
  dp_stage_count (stage, "vectors", s->embedding->n);
  return TRUE;
}

static void
w2v_finalize (void *state)
{
  W2vState *s = state;
  if (s == NULL)
    return;
  dp_batch_unref (s->embedding);
  g_free (s);
}

DP_PLUGIN_DEFINE (w2v,
  .kind = DP_KIND_SINK,
  .summary = "Write an embedding as a word2vec file (text or binary)",
  .version = "1.0",
  .doc = "Tokens are printed as dotted addresses (or their original pseudonyms), "
         "`port/proto`, protocol names or words.  `format: text` writes floats with 9 "
         "significant digits, so float32 values round-trip exactly; `format: binary` "
         "writes raw little-endian float32.  The `w2v_file` source reads both back.  "
         "The file appears atomically.",
  .inputs = w2v_inputs,
  .n_inputs = DP_N_ELEMENTS (w2v_inputs),
  .options = w2v_options,
  .n_options = DP_N_ELEMENTS (w2v_options),
  .config_size = sizeof (W2vConfig),
  .init = w2v_init,
  .process = w2v_process,
  .finish = w2v_finish,
  .finalize = w2v_finalize)
