/* w2v_file — reads a word2vec file (text or binary, gzip-transparent) back
 * into an embedding.  Tokens are parsed with dp_vocab_parse_token: dotted
 * addresses become address tokens, "23/tcp" port tokens, pseudonyms such as
 * "src_ipaddr12" addresses through a name map that remembers the pseudonym,
 * anything else words. */
#include "config.h"
#include "darkpipe.h"
#include "../sink/w2v-common.h"

typedef struct {
  char *path;
  int format;
} W2vFileConfig;

static const char *const w2v_file_formats[] = { "auto", "text", "binary", NULL };

static const DpOptionDesc w2v_file_options[] = {
  DP_OPTION_FLAGS ("path", DP_OPT_PATH, NULL, W2vFileConfig, path, DP_OPT_REQUIRED | DP_OPT_INPUT,
                      "The word2vec file to read (may be gzip-compressed)."),
  DP_OPTION_ENUM ("format", "auto", W2vFileConfig, format, w2v_file_formats,
                  "File format; auto tells text from binary by the bytes of the first record."),
};

static const DpPortDesc w2v_file_outputs[] = {
  { "embedding", DP_TYPE_EMBEDDING, 0, "The vectors, one row per token of the file, in file order." },
};

static gboolean
w2v_file_init (DpStage *stage, const void *config, void **state, GError **error)
{
  *state = (void *) config;
  return TRUE;
}

static gboolean
w2v_file_run (DpStage *stage, void *state, GError **error)
{
  const W2vFileConfig *c = state;
  W2vFormat detected = W2V_FORMAT_TEXT;
  dp_stage_progress (stage, 0, 1);
  dp_stage_provenance_add_file (stage, c->path);
  DpEmbedding *e = w2v_read (stage, c->path, (W2vFormat) c->format, &detected, error);
  if (e == NULL)
    return FALSE;
  dp_stage_info (stage, "%s: %u vectors of dimension %u (%s)", c->path, e->n, e->dim,
                 detected == W2V_FORMAT_BINARY ? "binary" : "text");
  dp_stage_progress (stage, 1, 1);
  if (dp_stage_cancelled (stage))
    {
      dp_batch_unref (e);
      return TRUE;
    }
  dp_stage_push (stage, 0, e);
  return TRUE;
}

DP_PLUGIN_DEFINE (w2v_file,
  .kind = DP_KIND_SOURCE,
  .summary = "Read a word2vec text or binary file into an embedding",
  .version = "1.0",
  .doc = "Reads what the `w2v` sink, word2vec.c and gensim write.  Malformed "
         "lines (wrong number of values, non-numbers, repeated tokens) are counted with "
         "their line number and skipped; a truncated binary file is reported with the "
         "byte offset of the cut record.  A file whose first line is not \"count dim\" "
         "is an error.",
  .outputs = w2v_file_outputs,
  .n_outputs = DP_N_ELEMENTS (w2v_file_outputs),
  .options = w2v_file_options,
  .n_options = DP_N_ELEMENTS (w2v_file_options),
  .config_size = sizeof (W2vFileConfig),
  .init = w2v_file_init,
  .run = w2v_file_run)
