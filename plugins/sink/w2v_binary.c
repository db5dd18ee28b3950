/* w2v_binary — writes an embedding as a word2vec binary file ("n dim", then per vector
 * "token", a space, dim float32 little-endian and a newline), the format gensim's
 * KeyedVectors.load_word2vec_format (binary=True) reads. */
#include "config.h"
#include "darkpipe.h"
#include "w2v-common.h"

static gboolean
w2v_binary_finish (DpStage *stage, void *state, GError **error)
{
  return w2v_sink_finish_format (stage, state, W2V_FORMAT_BINARY, error);
}

DP_PLUGIN_DEFINE (w2v_binary,
  .kind = DP_KIND_SINK,
  .summary = "Write an embedding as a word2vec binary file",
  .version = "1.0",
  .doc = "Tokens are printed as dotted addresses (or their original pseudonyms), "
         "`port/proto`, protocol names or words; vectors as raw little-endian float32 "
         "(exact).  The file appears atomically.",
  .inputs = w2v_sink_inputs,
  .n_inputs = DP_N_ELEMENTS (w2v_sink_inputs),
  .options = w2v_sink_options,
  .n_options = DP_N_ELEMENTS (w2v_sink_options),
  .config_size = sizeof (W2vSinkConfig),
  .init = w2v_sink_init,
  .process = w2v_sink_process,
  .finish = w2v_binary_finish,
  .finalize = w2v_sink_finalize)
