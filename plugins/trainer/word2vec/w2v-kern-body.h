/* w2v-kern-body.h — the bodies of word2vec's kernels, vector code on rows of
 * whole 8-float vectors (Word2vecV8).  Each w2v-kern-*.c includes it once and
 * makes its table with WORD2VEC_DEFINE_KERNELS, whose wrappers carry the
 * file's target attribute (or none): the compiler turns the same bodies
 * into that instruction set's code.
 *
 * The kernels (Word2vecKernel): inputs ctx[0..n_ctx) (input rows, syn0)
 * against outputs w->outs[0..n_outs) (output rows, syn1; outs[0] the
 * positive, the rest negatives) at rate @alpha.  word2vec_seq_body, the
 * default, trains the contexts in turn against one draw; word2vec_sgns_body
 * as one batch step (pWord2Vec's HogBatch); word2vec_pair_body one input
 * (gensim's unit of work); word2vec_cbow_body the mean or sum of the
 * inputs. */
#pragma once

#include <string.h>
#include "w2v-kernels.h"

WORD2VEC_INLINE float
word2vec_dot (const Word2vecV8 *restrict a, const Word2vecV8 *restrict b, guint blocks)
{
  Word2vecV8 acc = { 0 };
  for (guint t = 0; t < blocks; t++)
    acc += a[t] * b[t];
  return ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
}

WORD2VEC_INLINE void
word2vec_axpy (Word2vecV8 *restrict y, float a, const Word2vecV8 *restrict x, guint blocks)
{
  for (guint t = 0; t < blocks; t++)
    y[t] += a * x[t];
}

/* Dots of one input with up to 4 output rows: four independent
 * accumulators, so the adds do not wait on each other's latency. */
WORD2VEC_INLINE void
word2vec_dot4 (const Word2vecV8 *restrict in, const Word2vecWorker *w, const guint32 *outs,
               guint nk, guint nb, float f[4])
{
  const Word2vecV8 *o0 = ROW1 (outs[0]);
  const Word2vecV8 *o1 = ROW1 (outs[nk > 1 ? 1 : 0]);
  const Word2vecV8 *o2 = ROW1 (outs[nk > 2 ? 2 : 0]);
  const Word2vecV8 *o3 = ROW1 (outs[nk > 3 ? 3 : 0]);
  Word2vecV8 a0 = { 0 }, a1 = { 0 }, a2 = { 0 }, a3 = { 0 };
  for (guint t = 0; t < nb; t++)
    {
      Word2vecV8 x = in[t];
      a0 += x * o0[t];
      a1 += x * o1[t];
      a2 += x * o2[t];
      a3 += x * o3[t];
    }
  Word2vecV8 acc[4] = { a0, a1, a2, a3 };
  for (guint j = 0; j < 4; j++)
    f[j] = ((acc[j][0] + acc[j][4]) + (acc[j][1] + acc[j][5]))
           + ((acc[j][2] + acc[j][6]) + (acc[j][3] + acc[j][7]));
}

/* The same for one or two output rows (the tail of 1 + negative). */
WORD2VEC_INLINE void
word2vec_dot2 (const Word2vecV8 *restrict in, const Word2vecWorker *w, const guint32 *outs,
               guint nk, guint nb, float f[2])
{
  const Word2vecV8 *o0 = ROW1 (outs[0]);
  const Word2vecV8 *o1 = ROW1 (outs[nk > 1 ? 1 : 0]);
  Word2vecV8 a0 = { 0 }, a1 = { 0 };
  for (guint t = 0; t < nb; t++)
    {
      a0 += in[t] * o0[t];
      a1 += in[t] * o1[t];
    }
  f[0] = ((a0[0] + a0[4]) + (a0[1] + a0[5])) + ((a0[2] + a0[6]) + (a0[3] + a0[7]));
  f[1] = ((a1[0] + a1[4]) + (a1[1] + a1[5])) + ((a1[2] + a1[6]) + (a1[3] + a1[7]));
}

/* Inputs ctx[0..n_ctx) predict outs[0] (label 1) and outs[1..n_outs)
 * (label 0).  Output gradients use the inputs before their update, input
 * updates use the outputs before theirs, as in one SGD step on the batch. */
WORD2VEC_INLINE void
word2vec_sgns_body (Word2vecWorker *w, const guint32 *ctx, guint n_ctx, guint n_outs, float alpha)
{
  Word2vecModel *m = w->m;
  const guint nb = (m->dim + 7) / 8;
  Word2vecV8 *restrict ograd = (Word2vecV8 *) w->ograd;
  float *restrict g = w->g;
  memset (ograd, 0, (gsize) n_outs * m->stride * sizeof (float));
  for (guint i = 0; i < n_ctx; i++)
    {
      const Word2vecV8 *restrict in = ROW0 (ctx[i]);
      float f[4];
      for (guint k0 = 0; k0 < n_outs; k0 += 4)
        {
          guint nk = MIN (4u, n_outs - k0);
          if (nk > 2)
            word2vec_dot4 (in, w, w->outs + k0, nk, nb, f);
          else
            word2vec_dot2 (in, w, w->outs + k0, nk, nb, f);
          for (guint j = 0; j < nk; j++)
            {
              guint k = k0 + j;
              float gk = word2vec_gradient (m, f[j], k == 0 ? 1.0f : 0.0f, alpha);
              g[i * n_outs + k] = gk;
              word2vec_axpy (ograd + (gsize) k * nb, gk, in, nb);
            }
        }
    }
  for (guint i = 0; i < n_ctx; i++)
    {
      Word2vecV8 *restrict in = ROW0 (ctx[i]);
      const float *gi = g + i * n_outs;
      guint k = 0;
      /* two outputs per pass over the input row: half the loads and stores */
      for (; k + 1 < n_outs; k += 2)
        {
          const Word2vecV8 *o0 = ROW1 (w->outs[k]), *o1 = ROW1 (w->outs[k + 1]);
          float g0 = gi[k], g1 = gi[k + 1];
          for (guint t = 0; t < nb; t++)
            in[t] += g0 * o0[t] + g1 * o1[t];
        }
      if (k < n_outs)
        word2vec_axpy (in, gi[k], ROW1 (w->outs[k]), nb);
    }
  for (guint k = 0; k < n_outs; k++)
    word2vec_axpy (ROW1 (w->outs[k]), 1.0f, ograd + (gsize) k * nb, nb);
}

/* One input (a single pair, gensim's unit of work): the input's error sums
 * the outputs before their update, each output moves with the old input.
 * The input row is written before the output rows, as in the batch kernel
 * above.  gensim's order (each output written as soon as its gradient is
 * known, the input at the end) collapsed small vocabularies when two
 * threads truly ran at once: on the 24-token planted corpus every vector
 * drifted to one direction with 3x the norm (between-group cosine 0.99,
 * 12 runs of 12), while this order and the batch kernel keep the groups
 * apart (cosine ~0.0).  It costs one more pass over the output rows, which
 * are in L1 by then. */
WORD2VEC_INLINE void
word2vec_pair_body (Word2vecWorker *w, const guint32 *ctx, guint n_ctx, guint n_outs, float alpha)
{
  Word2vecModel *m = w->m;
  const guint nb = (m->dim + 7) / 8;
  Word2vecV8 *restrict in = ROW0 (ctx[0]);
  Word2vecV8 *restrict e = (Word2vecV8 *) w->neu1e;
  Word2vecV8 *restrict old = (Word2vecV8 *) w->neu1;
  float *restrict gks = w->g;
  memset (e, 0, m->stride * sizeof (float));
  for (guint k0 = 0; k0 < n_outs; k0 += 4)
    {
      guint nk = MIN (4u, n_outs - k0);
      float f[4];
      if (nk > 2)
        word2vec_dot4 (in, w, w->outs + k0, nk, nb, f);
      else
        word2vec_dot2 (in, w, w->outs + k0, nk, nb, f);
      for (guint j = 0; j < nk; j++)
        gks[k0 + j] = word2vec_gradient (m, f[j], k0 + j == 0 ? w->first_label : 0.0f, alpha);
    }
  for (guint t = 0; t < nb; t++)
    old[t] = in[t];
  for (guint k = 0; k < n_outs; k++)
    {
      float gk = gks[k];
      Word2vecV8 *restrict out = ROW1 (w->outs[k]);
      for (guint t = 0; t < nb; t++)
        e[t] += gk * out[t];
    }
  word2vec_axpy (in, 1.0f, e, nb);
  for (guint k = 0; k < n_outs; k++)
    {
      float gk = gks[k];
      Word2vecV8 *restrict out = ROW1 (w->outs[k]);
      for (guint t = 0; t < nb; t++)
        out[t] += gk * old[t];
    }
}

/* One pass of the sequential kernel over output rows k0..k0+K (K a
 * constant once inlined, so the rows' lanes, the input's, the next
 * input's and the K dot accumulators stay in registers): the input's error
 * from the rows as they were (added to e, or starting it at k0 = 0), the
 * rows moved by the input, and the next input's dots with the moved rows. */
WORD2VEC_INLINE void
word2vec_seq_block (Word2vecV8 *loc, Word2vecV8 *restrict e, const Word2vecV8 *restrict in,
                    const Word2vecV8 *restrict next, guint nb, guint k0, const guint K,
                    const float *gk, float *f)
{
  /* the gradients in registers: a store to a row may alias any float */
  float g[4];
  Word2vecV8 *o[4];
#pragma GCC unroll 4
  for (guint j = 0; j < K; j++)
    {
      g[j] = gk[k0 + j];
      o[j] = loc + (gsize) (k0 + j) * nb;
    }
  Word2vecV8 acc[4] = { { 0 } };
  if (next)
    for (guint t = 0; t < nb; t++)
      {
        const Word2vecV8 x = in[t], y = next[t];
        Word2vecV8 err = k0 == 0 ? (Word2vecV8) { 0 } : e[t];
#pragma GCC unroll 4
        for (guint j = 0; j < K; j++)
          {
            const Word2vecV8 v = o[j][t];
            err += g[j] * v;
            const Word2vecV8 moved = v + g[j] * x;
            o[j][t] = moved;
            acc[j] += y * moved;
          }
        e[t] = err;
      }
  else
    for (guint t = 0; t < nb; t++)
      {
        const Word2vecV8 x = in[t];
        Word2vecV8 err = k0 == 0 ? (Word2vecV8) { 0 } : e[t];
#pragma GCC unroll 4
        for (guint j = 0; j < K; j++)
          {
            const Word2vecV8 v = o[j][t];
            err += g[j] * v;
            o[j][t] = v + g[j] * x;
          }
        e[t] = err;
      }
  if (next)
#pragma GCC unroll 4
    for (guint j = 0; j < K; j++)
      f[k0 + j] = ((acc[j][0] + acc[j][4]) + (acc[j][1] + acc[j][5]))
                  + ((acc[j][2] + acc[j][6]) + (acc[j][3] + acc[j][7]));
}

/* Contexts ctx[0..n_ctx) of one centre, in turn, against one shared draw
 * of outputs (the centre and its negatives), each pair a full SGD step as
 * in word2vec_pair_body: pair i+1 sees the output rows pair i moved, so
 * unlike the batch kernel above nothing is stale.  The output rows are
 * copied into the worker's L1 buffer for the group and only their change
 * is added back at the end, so another thread's writes to them meanwhile
 * are kept, and a negative drawn twice simply moves twice.  The output
 * rows are read once per pair: one pass gives the input's error (with the
 * old row), moves the row and takes the next context's dot product with
 * the moved row. */
WORD2VEC_INLINE void
word2vec_seq_body (Word2vecWorker *w, const guint32 *ctx, guint n_ctx, guint n_outs, float alpha)
{
  Word2vecModel *m = w->m;
  const guint nb = (m->dim + 7) / 8;
  Word2vecV8 *restrict loc = (Word2vecV8 *) w->ograd;
  Word2vecV8 *restrict orig = (Word2vecV8 *) w->orig;
  Word2vecV8 *restrict e = (Word2vecV8 *) w->neu1e;
  float f[WORD2VEC_MAX_OUTS], gk[WORD2VEC_MAX_OUTS];
  for (guint k = 0; k < n_outs; k++)
    {
      const Word2vecV8 *row = ROW1 (w->outs[k]);
      for (guint t = 0; t < nb; t++)
        loc[(gsize) k * nb + t] = orig[(gsize) k * nb + t] = row[t];
    }
  gboolean have_f = FALSE;
  for (guint i = 0; i < n_ctx; i++)
    {
      Word2vecV8 *restrict in = ROW0 (ctx[i]);
      if (!have_f)
        for (guint k = 0; k < n_outs; k++)
          f[k] = word2vec_dot (in, loc + (gsize) k * nb, nb);
      for (guint k = 0; k < n_outs; k++)
        gk[k] = word2vec_gradient (m, f[k], k == 0 ? w->first_label : 0.0f, alpha);
      /* the next context's dot products ride on this pass unless it is the
       * same row, which must first take this pair's error */
      const Word2vecV8 *restrict next = i + 1 < n_ctx && ctx[i + 1] != ctx[i] ? ROW0 (ctx[i + 1]) : NULL;
      for (guint k0 = 0; k0 < n_outs; k0 += 4)
        switch (MIN (4u, n_outs - k0))
          {
          case 4: word2vec_seq_block (loc, e, in, next, nb, k0, 4, gk, f); break;
          case 3: word2vec_seq_block (loc, e, in, next, nb, k0, 3, gk, f); break;
          case 2: word2vec_seq_block (loc, e, in, next, nb, k0, 2, gk, f); break;
          default: word2vec_seq_block (loc, e, in, next, nb, k0, 1, gk, f); break;
          }
      have_f = next != NULL;
      for (guint t = 0; t < nb; t++)
        in[t] += e[t];
    }
  for (guint k = 0; k < n_outs; k++)
    {
      Word2vecV8 *row = ROW1 (w->outs[k]);
      for (guint t = 0; t < nb; t++)
        row[t] += loc[(gsize) k * nb + t] - orig[(gsize) k * nb + t];
    }
}

WORD2VEC_INLINE void
word2vec_cbow_body (Word2vecWorker *w, const guint32 *ctx, guint n_ctx, guint n_outs, float alpha)
{
  Word2vecModel *m = w->m;
  const guint nb = (m->dim + 7) / 8;
  Word2vecV8 *restrict neu1 = (Word2vecV8 *) w->neu1;
  Word2vecV8 *restrict neu1e = (Word2vecV8 *) w->neu1e;
  memset (neu1, 0, m->stride * sizeof (float));
  memset (neu1e, 0, m->stride * sizeof (float));
  for (guint i = 0; i < n_ctx; i++)
    word2vec_axpy (neu1, 1.0f, ROW0 (ctx[i]), nb);
  if (m->config->cbow_mean)
    for (guint t = 0; t < nb; t++)
      neu1[t] /= (float) n_ctx;
  for (guint k = 0; k < n_outs; k++)
    {
      Word2vecV8 *restrict out = ROW1 (w->outs[k]);
      float f = word2vec_dot (neu1, out, nb);
      float gk = word2vec_gradient (m, f, k == 0 ? 1.0f : 0.0f, alpha);
      word2vec_axpy (neu1e, gk, out, nb);
      word2vec_axpy (out, gk, neu1, nb);
    }
  /* gensim: with the mean the error goes whole to every input, with the sum
   * it is divided among them */
  float scale = m->config->cbow_mean ? 1.0f : 1.0f / (float) n_ctx;
  for (guint i = 0; i < n_ctx; i++)
    word2vec_axpy (ROW0 (ctx[i]), scale, neu1e, nb);
}

/* The kernel table @name (@label its name for messages) of the including
 * file's instruction set, @attr the wrappers' attributes: the bodies are
 * always inlined, so they become code of the wrappers' target. */
#define WORD2VEC_KERNEL_WRAPPER(attr, fn, body)                                                        \
  attr static void fn (Word2vecWorker *w, const guint32 *ctx, guint n_ctx, guint n_outs, float alpha) \
  {                                                                                                   \
    body (w, ctx, n_ctx, n_outs, alpha);                                                              \
  }
#define WORD2VEC_DEFINE_KERNELS(name, label, attr)                                                    \
  WORD2VEC_KERNEL_WRAPPER (attr, word2vec_sgns_k, word2vec_sgns_body)                                 \
  WORD2VEC_KERNEL_WRAPPER (attr, word2vec_pair_k, word2vec_pair_body)                                 \
  WORD2VEC_KERNEL_WRAPPER (attr, word2vec_seq_k, word2vec_seq_body)                                   \
  WORD2VEC_KERNEL_WRAPPER (attr, word2vec_cbow_k, word2vec_cbow_body)                                 \
  const Word2vecKernels name = { label, word2vec_sgns_k, word2vec_pair_k, word2vec_seq_k, word2vec_cbow_k }
