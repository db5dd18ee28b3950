/* w2v-sync.c — word2vec under MPI (docs/scale-out.md): rank 0's corpus to
 * every rank, then each rank trains its share of each period's jobs and the
 * ranks combine their models at the period's end (one all-reduce of the
 * input and output vectors). */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "darkpipe.h"
#include "w2v-sync.h"

#define WORD2VEC_CORPUS_MAGIC 0x43575044u   /* "DPWC" */

/* What training needs of @c: the vocabulary's keys and counts, the
 * sentences and their times (no names: only rank 0 emits). */
static GBytes *
word2vec_pack_corpus (const DpCorpus *c)
{
  const DpVocab *v = c->vocab;
  GByteArray *b = g_byte_array_new ();
  guint64 head[6] = { WORD2VEC_CORPUS_MAGIC, c->mode, v->n, c->n_sentences, c->n_tokens, c->sentence_time != NULL };
  g_byte_array_append (b, (const guint8 *) head, sizeof head);
  g_byte_array_append (b, (const guint8 *) v->keys, (guint) (v->n * sizeof (guint64)));
  g_byte_array_append (b, (const guint8 *) v->counts, (guint) (v->n * sizeof (guint64)));
  g_byte_array_append (b, (const guint8 *) c->offsets, (guint) ((c->n_sentences + 1) * sizeof (guint64)));
  g_byte_array_append (b, (const guint8 *) c->tokens, (guint) (c->n_tokens * sizeof (guint32)));
  if (c->sentence_time)
    g_byte_array_append (b, (const guint8 *) c->sentence_time, (guint) (c->n_sentences * sizeof (gint64)));
  return g_byte_array_free_to_bytes (b);
}

static DpCorpus *
word2vec_corpus_damaged (GError **error)
{
  g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FAILED, "the corpus rank 0 shared is damaged (a bug)");
  return NULL;
}

static DpCorpus *
word2vec_unpack_corpus (GBytes *bytes, GError **error)
{
  gsize len = 0;
  const guint8 *p = g_bytes_get_data (bytes, &len);
  guint64 head[6];
  if (len < sizeof head)
    return word2vec_corpus_damaged (error);
  memcpy (head, p, sizeof head);
  guint64 nv = head[2], ns = head[3], nt = head[4];
  if (head[0] != WORD2VEC_CORPUS_MAGIC || nv > G_MAXUINT32 || ns > len || nt > len
      || len != sizeof head + nv * 16 + (ns + 1) * 8 + nt * 4 + (head[5] ? ns * 8 : 0))
    return word2vec_corpus_damaged (error);
  const guint64 *keys = (const guint64 *) (gconstpointer) (p + sizeof head), *counts = keys + nv, *offsets = counts + nv;
  const guint32 *tokens = (const guint32 *) (gconstpointer) (offsets + ns + 1);
  const guint8 *times = (const guint8 *) (tokens + nt);
  DpVocab *v = dp_vocab_new ();
  for (guint64 i = 0; i < nv; i++)
    {
      guint id = dp_vocab_add (v, keys[i]);   /* may move v->counts */
      v->counts[id] = counts[i];
    }
  DpCorpus *c = dp_corpus_new (v, (DpCorpusMode) head[1]);
  dp_vocab_unref (v);
  if (head[5])
    dp_corpus_enable_metadata (c);
  for (guint64 s = 0; s < ns; s++)
    {
      if (offsets[s] > offsets[s + 1] || offsets[s + 1] > nt)
        {
          dp_batch_unref (c);
          return word2vec_corpus_damaged (error);
        }
      guint64 at = dp_corpus_add_sentence (c, tokens + offsets[s], offsets[s + 1] - offsets[s]);
      if (head[5])
        memcpy (&c->sentence_time[at], times + s * 8, 8);
    }
  return c;
}

/* Rank 0's corpus (*@corpus there; NULL: nobody trains) to every rank:
 * on the others *@corpus is replaced by it.  FALSE with @error when a
 * rank failed or what arrived is damaged. */
gboolean
word2vec_share_corpus (DpStage *stage, DpCorpus **corpus, GError **error)
{
  g_autoptr (GBytes) mine = *corpus ? word2vec_pack_corpus (*corpus) : g_bytes_new (NULL, 0);
  GBytes *shared = mine;
  if (!dp_stage_ranks_share (stage, &shared, error))
    return FALSE;
  g_autoptr (GBytes) got = shared != mine ? shared : NULL;
  if (dp_stage_rank (stage) == 0)
    dp_stage_count (stage, "corpus-bytes", g_bytes_get_size (shared));
  if (g_bytes_get_size (shared) == 0)
    {
      g_clear_pointer (corpus, dp_batch_unref);
      return TRUE;
    }
  if (dp_stage_rank (stage) != 0)
    {
      dp_batch_unref (*corpus);
      *corpus = word2vec_unpack_corpus (shared, error);
      if (*corpus == NULL)
        return FALSE;
    }
  return TRUE;
}

/* Every rank's jobs of each period: sync_words corpus tokens a rank (whole
 * jobs, at least one), rank r running jobs first + r, first + r + n, ...;
 * then the ranks combine their models (docs/scale-out.md has why the
 * period is counted per rank and why the models are averaged).  The
 * learning rate follows the global word count: the words of the periods
 * before, plus this rank's words times the rank count. */
guint
word2vec_train_ranks (DpStage *stage, Word2vecModel *m, guint (*tick) (Word2vecModel *m, gpointer data),
                      gpointer tick_data)
{
  const Word2vecConfig *c = m->config;
  guint n = dp_stage_n_ranks (stage), me = dp_stage_rank (stage);
  gint64 n_jobs = (gint64) (m->n_chunks * (guint64) c->epochs);
  guint64 per_rank = MAX ((c->sync_words + WORD2VEC_JOB_WORDS / 2) / WORD2VEC_JOB_WORDS, 1u);
  gint64 period = (gint64) (per_rank * n);
  gsize floats = (gsize) m->n * m->stride;
  float scale = 1.0f / (float) n;
  gboolean updates = c->sync == WORD2VEC_SYNC_UPDATES;
  /* with sync: updates, the model of the last averaging */
  float *base0 = updates ? word2vec_alloc (floats) : NULL, *base1 = updates ? word2vec_alloc (floats) : NULL;
  if (updates && (base0 == NULL || base1 == NULL))
    g_error ("word2vec: out of memory for a copy of the model (%" G_GSIZE_FORMAT " floats)", floats);
  if (updates)
    {
      memcpy (base0, m->syn0, floats * sizeof (float));
      memcpy (base1, m->syn1, floats * sizeof (float));
    }
  guint threads = 0;
  guint64 syncs = 0;
  for (gint64 lo = 0; lo < n_jobs; lo += period)
    {
      gint64 hi = MIN (n_jobs, lo + period);
      m->job_first = lo + me;
      m->job_stride = n;
      m->job_end = hi;
      m->next_job = 0;
      m->words_done = 0;
      m->words_scale = n;
      if (m->job_first < hi)
        threads = MAX (threads, word2vec_model_train (m, dp_stage_threads_max (stage), tick, tick_data));
      float stop = m->stop ? 1.0f : 0.0f;
      dp_stage_ranks_sum (stage, &stop, 1);
      if (updates)
        for (gsize i = 0; i < floats; i++)
          {
            m->syn0[i] -= base0[i];
            m->syn1[i] -= base1[i];
          }
      dp_stage_ranks_sum (stage, m->syn0, floats);
      dp_stage_ranks_sum (stage, m->syn1, floats);
      for (gsize i = 0; i < floats; i++)
        if (updates)
          {
            base0[i] = m->syn0[i] += base0[i];
            base1[i] = m->syn1[i] += base1[i];
          }
        else
          {
            m->syn0[i] *= scale;
            m->syn1[i] *= scale;
          }
      syncs++;
      for (gint64 j = lo; j < hi; j++)
        {
          guint64 ch = (guint64) j % m->n_chunks;
          m->words_base += (gint64) (m->corpus->offsets[m->chunks[ch + 1]] - m->corpus->offsets[m->chunks[ch]]);
        }
      if (stop > 0)
        {
          m->stop = 1;
          break;
        }
    }
  free (base0);
  free (base1);
  m->words_done = m->words_base;
  /* what one rank puts into the all-reduces (the model's two matrices
   * and the stop flag each time): the volume of bench/scale's model */
  dp_stage_count (stage, "model-averagings", me == 0 ? syncs : 0);
  dp_stage_count (stage, "allreduce-bytes", me == 0 ? syncs * (2 * floats + 1) * sizeof (float) : 0);
  return threads;
}
