/* text_corpus — reads a text corpus (one sentence per line, whitespace-
 * separated words, gzip-transparent) into a corpus of DP_TOK_WORD tokens,
 * like gensim's LineSentence: a line longer than max_sentence words is cut
 * into consecutive pieces of that length.  For training and benchmarking
 * word2vec on text, and for corpora written by darkvec_corpus's text_path
 * (tokens that look like addresses or ports stay words here: this source
 * keeps text as text). */
#include "config.h"
#include "darkpipe.h"

typedef struct {
  char *path;
  guint64 max_sentence;
  gboolean lowercase;
} TextCorpusConfig;

static const DpOptionDesc text_corpus_options[] = {
  DP_OPTION_FLAGS ("path", DP_OPT_PATH, NULL, TextCorpusConfig, path, DP_OPT_REQUIRED | DP_OPT_INPUT,
                      "Text file, one sentence per line (may be gzip-compressed)."),
  DP_OPTION_RANGE ("max_sentence", DP_OPT_UINT, "10000", TextCorpusConfig, max_sentence, 1, 1e12,
                   "Longer lines are cut into pieces of this many words (gensim's LineSentence default)."),
  DP_OPTION ("lowercase", DP_OPT_BOOL, "false", TextCorpusConfig, lowercase,
             "Fold ASCII letters to lower case."),
};

static const DpPortDesc text_corpus_outputs[] = {
  { "corpus", DP_TYPE_CORPUS, 0, "One sentence per line (or piece of a long line), in file order." },
};

static gboolean
text_corpus_init (DpStage *stage, const void *config, void **state, GError **error)
{
  *state = (void *) config;
  return TRUE;
}

/* Splits @line in place and appends its words' ids to @ids.  Returns where
 * it stopped, the first NUL: short of the line's length on an embedded one. */
static gsize
text_corpus_split (DpVocab *vocab, char *line, gboolean lowercase, GArray *ids)
{
  char *p = line;
  for (;;)
    {
      while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\f' || *p == '\v')
        p++;
      if (*p == '\0')
        return (gsize) (p - line);
      char *start = p;
      while (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\f' && *p != '\v')
        {
          if (lowercase)
            *p = g_ascii_tolower (*p);
          p++;
        }
      gboolean last = *p == '\0';
      *p = '\0';
      guint id = dp_vocab_add (vocab, dp_vocab_word_key (vocab, start));
      vocab->counts[id]++;
      g_array_append_val (ids, id);
      if (last)
        return (gsize) (p - line);
      p++;
    }
}

static void
text_corpus_emit (DpCorpus *corpus, const GArray *ids, guint64 max_sentence)
{
  const guint32 *data = (const guint32 *) ids->data;
  for (guint64 at = 0; at < ids->len; at += max_sentence)
    dp_corpus_add_sentence (corpus, data + at, MIN (max_sentence, ids->len - at));
}

static gboolean
text_corpus_run (DpStage *stage, void *state, GError **error)
{
  const TextCorpusConfig *c = state;
  g_autoptr (DpLineReader) r = dp_line_reader_open (c->path, error);
  if (r == NULL)
    return FALSE;
  dp_stage_provenance_add_file (stage, c->path);
  g_autoptr (DpVocab) vocab = dp_vocab_new ();
  g_autoptr (DpCorpus) corpus = dp_corpus_new (vocab, DP_CORPUS_SENTENCES);
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (guint32));
  char *line;
  gsize len;
  while ((line = dp_line_reader_next (r, &len)) != NULL)
    {
      g_array_set_size (ids, 0);
      if (text_corpus_split (vocab, line, c->lowercase, ids) != len
          && !dp_stage_data_error (stage, error, "bad-line", "%s: line %" G_GUINT64_FORMAT
                                   ": NUL byte, the rest of the line is ignored",
                                   c->path, dp_line_reader_line (r)))
        return FALSE;
      if (ids->len > 0)
        text_corpus_emit (corpus, ids, c->max_sentence);
      if ((dp_line_reader_line (r) & 1023) == 0)
        {
          if (dp_stage_cancelled (stage))
            return TRUE;
          dp_stage_progress (stage, dp_line_reader_line (r), 0);
        }
    }
  if (dp_line_reader_error (r, error))
    return FALSE;
  dp_stage_count (stage, "sentences", corpus->n_sentences);
  dp_stage_count (stage, "tokens", corpus->n_tokens);
  dp_stage_push (stage, 0, g_steal_pointer (&corpus));
  return TRUE;
}

DP_PLUGIN_DEFINE (text_corpus,
  .kind = DP_KIND_SOURCE,
  .summary = "Read a one-sentence-per-line text file into a word corpus",
  .version = "1.0",
  .doc = "Words are separated by spaces or tabs; empty lines give no sentence.  A line "
         "longer than `max_sentence` words becomes several sentences, as gensim's "
         "LineSentence does, so both train on the same sentences.",
  .outputs = text_corpus_outputs,
  .n_outputs = DP_N_ELEMENTS (text_corpus_outputs),
  .options = text_corpus_options,
  .n_options = DP_N_ELEMENTS (text_corpus_options),
  .config_size = sizeof (TextCorpusConfig),
  .init = text_corpus_init,
  .run = text_corpus_run)
