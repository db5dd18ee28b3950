/* w2v-train.h — the word2vec trainer's model and hot loops (internal to the
 * word2vec plugin; nothing here is exported from the shared object). */
#pragma once

#include <glib.h>
#include "darkpipe.h"
#include "dp-hash.h"

typedef struct {
  gboolean sg;
  gint64 vector_size;
  gint64 window;
  gint64 negative;
  double ns_exponent;
  double alpha;
  double min_alpha;
  double sample;
  gint64 min_count;
  gint64 epochs;
  guint64 seed;
  gboolean cbow_mean;
  gboolean shrink_windows;
  gint64 share_negatives;
  int share_update;           /* WORD2VEC_SHARE_* */
  char *init_path;
  int saturation;             /* WORD2VEC_SAT_CLIP (word2vec.c) or WORD2VEC_SAT_SKIP (gensim 4) */
  char *model_dir;
  gboolean snapshots;
  int rounds;                 /* WORD2VEC_ROUNDS_* */
  gint64 retire_days;
  int emit;                   /* WORD2VEC_EMIT_* */
  int pair_negatives;         /* WORD2VEC_PAIRNEG_* */
  double pair_negative_share;
  guint64 sync_words;         /* under MPI: corpus tokens of each rank between model combinations */
  int sync;                   /* WORD2VEC_SYNC_*: how the ranks' models are combined */
} Word2vecConfig;

/* Corpus tokens of one job (a chunk of sentences). */
#define WORD2VEC_JOB_WORDS 10000

enum { WORD2VEC_SAT_CLIP = 0, WORD2VEC_SAT_SKIP = 1 };
/* Contexts sharing a draw of negatives (share_negatives != 1) train in
 * turn, each pair a full step on rows the pair before moved, or as one
 * batch step (pWord2Vec's HogBatch: every gradient from the rows as they
 * were). */
enum { WORD2VEC_SHARE_SEQUENTIAL = 0, WORD2VEC_SHARE_BATCH = 1 };
enum { WORD2VEC_ROUNDS_WHOLE = 0, WORD2VEC_ROUNDS_DAILY = 1 };
enum { WORD2VEC_EMIT_ALL = 0, WORD2VEC_EMIT_ACTIVE = 1 };
enum { WORD2VEC_SYNC_UPDATES = 0, WORD2VEC_SYNC_AVERAGE = 1 };
/* Negatives of a pairs corpus: `negative` draws from the unigram^ns_exponent
 * table per pair (word2vec's), or the IP2VEC authors' label-0 pairs, a
 * target of one random pair with the context of another: kept when that
 * pair is not a positive (their intent) or only when it is (their code). */
enum { WORD2VEC_PAIRNEG_UNIGRAM = 0, WORD2VEC_PAIRNEG_PAIRS = 1, WORD2VEC_PAIRNEG_POSITIVES = 2 };

/* One (probability, alias) cell of Walker's alias table: 8 bytes, so a
 * 200k-token vocabulary's sampler (1.6 MB) stays in the L2/L3 cache, unlike
 * word2vec.c's 400 MB unigram table. */
typedef struct {
  guint32 threshold;   /* keep this cell's own id when the low 32 random bits are below */
  guint32 alias;
} Word2vecAlias;

typedef struct {
  const Word2vecConfig *config;
  const DpCorpus *corpus;
  guint64 s_begin, s_end;   /* the sentences trained: [s_begin, s_end) (0, 0: all) */
  guint64 seed;             /* seeds every job's generator */
  guint n;                  /* training vocabulary */
  guint dim;
  guint stride;             /* word2vec_stride (dim); the pad stays 0 */
  float *syn0;              /* n x stride input vectors (the embedding) */
  float *syn1;              /* n x stride output vectors (negative sampling) */
  guint32 *map;             /* corpus token id -> training id, or G_MAXUINT32 */
  guint32 *keep;            /* sub-sampling: keep when keep[w] >= random u32 */
  Word2vecAlias *alias;
  float sigmoid[1024 + 1];
  guint64 *chunks;          /* first sentence of each job, n_chunks + 1 */
  guint64 n_chunks;
  guint64 max_sentence;
  guint64 total_words;      /* corpus tokens (of the range) x epochs: the alpha schedule's length */
  /* the jobs (epoch x n_chunks + chunk) one call of word2vec_model_train
   * runs: job_first, job_first + job_stride, ... below job_end (0, 1 and
   * every job unless set: under MPI a rank's share of one period) */
  gint64 job_first, job_stride, job_end;
  /* the alpha schedule's progress: words_base + words_scale x words_done
   * (0 and 1 in one process; under MPI the words of every rank before this
   * period, and the rank count: pWord2Vec's estimate of the global count) */
  gint64 words_base, words_scale;
  /* shared progress, updated atomically by the workers */
  gint64 next_job;
  gint64 words_done;
  gint64 trained_words;
  gint stop;
  /* pair_negatives pairs/positives: the positive pairs of the range, as
   * target << 32 | context training ids (a set: values unused) */
  DpHash positives;
  gboolean have_positives;
  gint64 label0_pairs;      /* label-0 pairs trained (atomically) */
  gint64 label0_misses;     /* draws that found no pair to keep */
} Word2vecModel;

#define WORD2VEC_NONE G_MAXUINT32

/* Floats from one row of syn0/syn1 to the next: @dim rounded up to 16, so
 * every row starts a 64-byte cache line and is whole 16-float (AVX-512)
 * vectors.  The same on every CPU, so a model's layout never depends on
 * the instruction set its kernels use (MPI ranks add whole matrices); the
 * 8-lane kernels loop over the (dim + 7) / 8 vectors that hold the row. */
static inline guint
word2vec_stride (guint dim)
{
  return (dim + 15) & ~15u;
}

/** 64-byte aligned, zeroed, NULL when memory is short; free() it. */
float *word2vec_alloc (gsize n_floats);
void word2vec_model_prepare (Word2vecModel *m);
/** Frees what word2vec_model_prepare allocated beyond the chunks. */
void word2vec_model_release (Word2vecModel *m);
/** Trains @m with up to @max_threads workers; worker 0 runs in the calling
 * thread and calls @tick between jobs (progress, cancellation), which says
 * how many workers may run now: 0 stops, more than run starts others.
 * Returns how many ran. */
guint word2vec_model_train (Word2vecModel *m, guint max_threads,
                            guint (*tick) (Word2vecModel *m, gpointer data), gpointer data);

static inline guint64
word2vec_mix (guint64 x)
{
  x += G_GUINT64_CONSTANT (0x9e3779b97f4a7c15);
  x = (x ^ (x >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  x = (x ^ (x >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
  return x ^ (x >> 31);
}
