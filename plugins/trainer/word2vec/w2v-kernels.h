/* w2v-kernels.h — what the trainer's driver (w2v-train.c) and its vector
 * kernels (w2v-kern-*.c, one file per instruction set, the bodies in
 * w2v-kern-body.h) share: the worker, the gradient and a row's address.
 * Internal to the word2vec plugin. */
#pragma once

#include "w2v-train.h"

#define SIGMOID_SIZE 1024
#define MAX_EXP 6.0f
/* 1 + negative (the option's range, 1..100) */
#define WORD2VEC_MAX_OUTS 101

/* target_clones dispatches "arch=" clones on the CPU model, not its
 * features (an AMD EPYC got the default clone), so the AVX2+FMA and
 * AVX-512 copies are picked by hand with __builtin_cpu_supports. */
#if defined(__x86_64__) && defined(__GNUC__)
#define WORD2VEC_X86 1
#endif
#define WORD2VEC_INLINE static inline __attribute__ ((always_inline))

typedef struct _Word2vecWorker Word2vecWorker;
typedef void (*Word2vecKernel) (Word2vecWorker *w, const guint32 *ctx, guint n_ctx, guint n_outs, float alpha);

/* One instruction set's kernels. */
typedef struct {
  const char *name;
  Word2vecKernel sgns;     /* skip-gram, several inputs, one step */
  Word2vecKernel pair;     /* skip-gram, one input */
  Word2vecKernel seq;      /* skip-gram, several inputs in turn, one draw */
  Word2vecKernel cbow;
} Word2vecKernels;

extern const Word2vecKernels word2vec_kernels_portable;
#ifdef WORD2VEC_X86
extern const Word2vecKernels word2vec_kernels_avx2;
extern const Word2vecKernels word2vec_kernels_avx512;
#endif

/* Names the kernels to use (auto, portable, avx2, avx512): for tests and
 * measurements (docs/darkvec-word2vec.md). */
#define WORD2VEC_KERNELS_ENV "DARKPIPE_W2V_KERNELS"

/* The kernels for @request (NULL, "" or "auto": the best this CPU runs; or
 * a table's name).  A request that cannot be followed (unknown, or not for
 * this CPU) gives the best ones and a message in *why (transfer full; NULL
 * otherwise).  Any thread. */
const Word2vecKernels *word2vec_kernels_choose (const char *request, char **why);

struct _Word2vecWorker {
  Word2vecModel *m;
  Word2vecKernel kernel;   /* skip-gram or CBOW, for this CPU */
  Word2vecKernel sgns;     /* skip-gram, several inputs */
  Word2vecKernel pair;     /* skip-gram, one input */
  Word2vecKernel seq;      /* skip-gram, several inputs in turn, one draw */
  guint index;
  float first_label;    /* label of outs[0] in the one-input kernel: 1, or 0 for a label-0 pair */
  guint64 rng;
  guint32 *sen;         /* the filtered sentence */
  guint32 *ctx;         /* context ids of one centre */
  guint32 *outs;        /* centre (or context) + negatives */
  guint32 *outs_buf[2]; /* outs points to [0], or in turn to both (draw-ahead) */
  float *g;             /* ctx x outs gradients */
  float *ograd;         /* outs x dim accumulated output gradients (seq: the moved output rows) */
  float *orig;          /* seq: the output rows as read */
  float *neu1, *neu1e;  /* CBOW; neu1e also the one-input kernel's error */
  guint (*tick) (Word2vecModel *m, gpointer data);
  gpointer tick_data;
  struct _Word2vecCrew *crew;   /* worker 0: the others, to start more of them */
};

/* A worker of @m (prepared) running kernels @k, its buffers sized by the
 * configuration's window, negative and vector_size and the longest
 * sentence; word2vec_worker_clear frees them. */
void word2vec_worker_init (Word2vecWorker *w, Word2vecModel *m, const Word2vecKernels *k, guint index);
void word2vec_worker_clear (Word2vecWorker *w);

/* Gradient of one (input, output) dot product @f for @label.  Inside
 * (-MAX_EXP, MAX_EXP) the tabulated sigmoid; on the right side of it there is
 * nothing to learn.  Saturated on the wrong side, `saturation: clip` pushes
 * with the full rate as word2vec.c does (it lets vectors that Hogwild races
 * drove together come apart again), `skip` leaves the pair alone as gensim 4
 * does (on DANTE's port sequences, where one port is the context and a
 * negative of itself many times in one window, clipping made vectors
 * overflow to NaN).  NaN never indexes the table: it fails every test. */
WORD2VEC_INLINE float
word2vec_gradient (const Word2vecModel *m, float f, float label, float alpha)
{
  if (f > -MAX_EXP && f < MAX_EXP)
    return (label - m->sigmoid[(int) ((f + MAX_EXP) * (SIGMOID_SIZE / MAX_EXP / 2))]) * alpha;
  if (f != f || m->config->saturation == WORD2VEC_SAT_SKIP)
    return 0.0f;
  return (label - (f > 0 ? 1.0f : 0.0f)) * alpha;
}

/* Rows are padded to a multiple of 16 floats (word2vec_stride; the pad
 * stays 0: it starts at 0 and every update is a combination of rows whose
 * pad is 0), so the loops of w2v-kern-body.h are whole 8-lane vectors: two
 * SSE registers on any x86-64, one AVX register with FMA in the copy picked
 * on CPUs that have them. */
typedef float Word2vecV8 __attribute__ ((vector_size (32)));

/* A row of the input (syn0) or output (syn1) vectors (w: the worker). */
#define ROW0(id) ((Word2vecV8 *) (w->m->syn0 + (gsize) (id) * w->m->stride))
#define ROW1(id) ((Word2vecV8 *) (w->m->syn1 + (gsize) (id) * w->m->stride))
