/* w2v-kern-avx512.c — word2vec's kernels with AVX-512 (F, VL, DQ), picked
 * at run time on CPUs that have it (w2v-train.c).
 *
 * The sequential kernel, the default, is written here with 16-lane
 * intrinsics: rows are whole 16-float vectors (word2vec_stride), so a
 * 50-float row is 4 registers where the 8-lane copies take 7.  Besides
 * the width it differs from word2vec_seq_body in three ways:
 *  - all outputs of a pair (up to 8; more in groups of 8) in one pass over
 *    the rows, so the input's error stays in a register and the input row
 *    is written in that pass;
 *  - the 8 dot products of the next context are summed across lanes
 *    together (a transposing reduction: 24 shuffles and adds for 8 sums,
 *    not 8 separate reductions);
 *  - the gradients of a pair are one vector step, the sigmoid table read
 *    with a gather.
 * The arithmetic is that of word2vec_seq_body (each pair a full step on the
 * output rows the pair before moved); only the order of the additions in
 * a dot product differs.  The other kernels are the bodies of
 * w2v-kern-body.h compiled for AVX-512. */
#include "config.h"
#include "w2v-kern-body.h"

#ifdef WORD2VEC_X86
#include <immintrin.h>

#define W512_TARGET "avx512f,avx512vl,avx512dq,avx2,fma"
#define W512_INLINE static inline __attribute__ ((always_inline, target (W512_TARGET)))

/* The sums of the lanes of a0..a7, in lanes 0..7. */
W512_INLINE __m256
w512_hsum8 (__m512 a0, __m512 a1, __m512 a2, __m512 a3, __m512 a4, __m512 a5, __m512 a6, __m512 a7)
{
  /* pairs: 128-bit quarters 0,1 of the result are a's halves added, 2,3 b's */
#define W512_HALVES(a, b) \
  _mm512_add_ps (_mm512_shuffle_f32x4 (a, b, _MM_SHUFFLE (1, 0, 1, 0)), _mm512_shuffle_f32x4 (a, b, _MM_SHUFFLE (3, 2, 3, 2)))
  __m512 t0 = W512_HALVES (a0, a1), t1 = W512_HALVES (a2, a3), t2 = W512_HALVES (a4, a5), t3 = W512_HALVES (a6, a7);
#undef W512_HALVES
  /* quarter q of u0 holds 4 partial sums of a_q, of u1 of a_(4+q) */
#define W512_QUARTERS(a, b) \
  _mm512_add_ps (_mm512_shuffle_f32x4 (a, b, _MM_SHUFFLE (2, 0, 2, 0)), _mm512_shuffle_f32x4 (a, b, _MM_SHUFFLE (3, 1, 3, 1)))
  __m512 u0 = W512_QUARTERS (t0, t1), u1 = W512_QUARTERS (t2, t3);
#undef W512_QUARTERS
  /* in each quarter: lanes 0,1 two partial sums of u0's, lanes 2,3 of u1's */
  __m512 s = _mm512_add_ps (_mm512_shuffle_ps (u0, u1, _MM_SHUFFLE (1, 0, 1, 0)),
                            _mm512_shuffle_ps (u0, u1, _MM_SHUFFLE (3, 2, 3, 2)));
  s = _mm512_add_ps (s, _mm512_shuffle_ps (s, s, _MM_SHUFFLE (2, 3, 0, 1)));
  /* a_q's sum is lane 4q, a_(4+q)'s lane 4q + 2 */
  const __m512i pick = _mm512_setr_epi32 (0, 4, 8, 12, 2, 6, 10, 14, 0, 0, 0, 0, 0, 0, 0, 0);
  return _mm512_castps512_ps256 (_mm512_permutexvar_ps (pick, s));
}

/* word2vec_gradient for f[0..n) into g[0..n): label first_label for
 * output 0, 0 for the others. */
W512_INLINE void
w512_gradients (const Word2vecModel *m, const float *f, float *g, guint n, float first_label, float alpha)
{
  const __m512 zero = _mm512_setzero_ps (), one = _mm512_set1_ps (1.0f);
  const __m512 lo = _mm512_set1_ps (-MAX_EXP), hi = _mm512_set1_ps (MAX_EXP);
  const __m512 scale = _mm512_set1_ps (SIGMOID_SIZE / MAX_EXP / 2), rate = _mm512_set1_ps (alpha);
  const gboolean clip = m->config->saturation != WORD2VEC_SAT_SKIP;
  for (guint k0 = 0; k0 < n; k0 += 16)
    {
      __mmask16 live = n - k0 >= 16 ? (__mmask16) 0xffff : (__mmask16) ((1u << (n - k0)) - 1);
      __m512 fv = _mm512_maskz_loadu_ps (live, f + k0);
      __m512 label = k0 == 0 ? _mm512_maskz_mov_ps (1, _mm512_set1_ps (first_label)) : zero;
      __mmask16 inside = _mm512_mask_cmp_ps_mask (live, fv, lo, _CMP_GT_OQ) & _mm512_cmp_ps_mask (fv, hi, _CMP_LT_OQ);
      /* lanes outside are not read: their index may be anything */
      __m512i idx = _mm512_cvttps_epi32 (_mm512_mul_ps (_mm512_add_ps (fv, hi), scale));
      __m512 sig = _mm512_mask_i32gather_ps (zero, inside, idx, m->sigmoid, 4);
      __m512 gv = _mm512_maskz_mul_ps (inside, _mm512_sub_ps (label, sig), rate);
      if (clip)
        {
          /* saturated on either side (not NaN): the target is 1 or 0 */
          __mmask16 sat = (__mmask16) (live & ~inside) & _mm512_cmp_ps_mask (fv, fv, _CMP_ORD_Q);
          __m512 side = _mm512_maskz_mov_ps (_mm512_cmp_ps_mask (fv, zero, _CMP_GT_OQ), one);
          gv = _mm512_mask_mul_ps (gv, sat, _mm512_sub_ps (label, side), rate);
        }
      _mm512_mask_storeu_ps (g + k0, live, gv);
    }
}

/* f[k0..k0 + 8) = dots of the row @in (nb vectors) with the rows
 * loc + (k0 + j) x stride, j < K (the others 0). */
W512_INLINE void
w512_dots (const float *in, const float *loc, guint stride, guint nb, guint k0, guint K, float *f)
{
  __m512 acc[8];
  const float *o[8];
  for (guint j = 0; j < 8; j++)
    {
      acc[j] = _mm512_setzero_ps ();
      o[j] = loc + (gsize) (k0 + MIN (j, K - 1)) * stride;
    }
  for (guint b = 0; b < nb; b++)
    {
      __m512 x = _mm512_load_ps (in + 16 * b);
      for (guint j = 0; j < 8; j++)
        acc[j] = _mm512_fmadd_ps (x, _mm512_load_ps (o[j] + 16 * b), acc[j]);
    }
  _mm256_storeu_ps (f + k0, w512_hsum8 (acc[0], acc[1], acc[2], acc[3], acc[4], acc[5], acc[6], acc[7]));
}

/* One pass of the sequential kernel over outputs k0..k0 + K of one pair
 * (K, has_next and last constants once inlined): the input's error from
 * the rows as they were (added to e, or starting it at k0 = 0), the rows
 * moved by the input, the next input's dots with the moved rows (into
 * f[k0..k0 + 8)) and, in the last group, the input row moved by its
 * error. */
W512_INLINE void
w512_seq_pass (float *loc, float *e, float *in, const float *next, guint stride, guint nb, guint k0,
               const guint K, const gboolean has_next, const gboolean last, const float *g, float *f)
{
  __m512 gj[8], acc[8];
  float *o[8];
#pragma GCC unroll 8
  for (guint j = 0; j < K; j++)
    {
      gj[j] = _mm512_set1_ps (g[k0 + j]);
      o[j] = loc + (gsize) (k0 + j) * stride;
      acc[j] = _mm512_setzero_ps ();
    }
  for (guint b = 0; b < nb; b++)
    {
      const __m512 x = _mm512_load_ps (in + 16 * b);
      const __m512 y = has_next ? _mm512_load_ps (next + 16 * b) : _mm512_setzero_ps ();
      __m512 err = k0 == 0 ? _mm512_setzero_ps () : _mm512_load_ps (e + 16 * b);
#pragma GCC unroll 8
      for (guint j = 0; j < K; j++)
        {
          const __m512 v = _mm512_load_ps (o[j] + 16 * b);
          err = _mm512_fmadd_ps (gj[j], v, err);
          const __m512 moved = _mm512_fmadd_ps (gj[j], x, v);
          _mm512_store_ps (o[j] + 16 * b, moved);
          if (has_next)
            acc[j] = _mm512_fmadd_ps (y, moved, acc[j]);
        }
      if (last)
        _mm512_store_ps (in + 16 * b, _mm512_add_ps (x, err));
      else
        _mm512_store_ps (e + 16 * b, err);
    }
  if (has_next)
    {
#pragma GCC unroll 8
      for (guint j = K; j < 8; j++)
        acc[j] = _mm512_setzero_ps ();
      _mm256_storeu_ps (f + k0, w512_hsum8 (acc[0], acc[1], acc[2], acc[3], acc[4], acc[5], acc[6], acc[7]));
    }
}

#define W512_ROW0(id) (m->syn0 + (gsize) (id) * stride)
#define W512_ROW1(id) (m->syn1 + (gsize) (id) * stride)

/* word2vec_seq_body's contract (w2v-kern-body.h): contexts ctx[0..n_ctx)
 * in turn against outputs w->outs[0..n_outs), each pair a full step, the
 * output rows moved in the worker's buffer and their change added back at
 * the end. */
__attribute__ ((target (W512_TARGET))) static void
word2vec_seq_avx512 (Word2vecWorker *w, const guint32 *ctx, guint n_ctx, guint n_outs, float alpha)
{
  Word2vecModel *m = w->m;
  const guint stride = m->stride, nb = (m->dim + 15) / 16;
  float *restrict loc = w->ograd, *restrict orig = w->orig, *restrict e = w->neu1e;
  /* + 8: a group's dots are stored 8 at a time */
  float f[WORD2VEC_MAX_OUTS + 8] __attribute__ ((aligned (64)));
  float g[WORD2VEC_MAX_OUTS + 8] __attribute__ ((aligned (64)));
  for (guint k = 0; k < n_outs; k++)
    {
      const float *row = W512_ROW1 (w->outs[k]);
      for (guint b = 0; b < nb; b++)
        {
          __m512 v = _mm512_load_ps (row + 16 * b);
          _mm512_store_ps (loc + (gsize) k * stride + 16 * b, v);
          _mm512_store_ps (orig + (gsize) k * stride + 16 * b, v);
        }
    }
  gboolean have_f = FALSE;
  for (guint i = 0; i < n_ctx; i++)
    {
      float *in = W512_ROW0 (ctx[i]);
      if (!have_f)
        for (guint k0 = 0; k0 < n_outs; k0 += 8)
          w512_dots (in, loc, stride, nb, k0, MIN (8u, n_outs - k0), f);
      w512_gradients (m, f, g, n_outs, w->first_label, alpha);
      /* the next context's dot products ride on this pass unless it is the
       * same row, which must first take this pair's error */
      const float *next = i + 1 < n_ctx && ctx[i + 1] != ctx[i] ? W512_ROW0 (ctx[i + 1]) : NULL;
      guint k0 = 0;
      for (; n_outs - k0 > 8; k0 += 8)
        if (next)
          w512_seq_pass (loc, e, in, next, stride, nb, k0, 8, TRUE, FALSE, g, f);
        else
          w512_seq_pass (loc, e, in, next, stride, nb, k0, 8, FALSE, FALSE, g, f);
#define W512_LAST(K)                                                         \
  case K:                                                                    \
    if (next)                                                                \
      w512_seq_pass (loc, e, in, next, stride, nb, k0, K, TRUE, TRUE, g, f);  \
    else                                                                     \
      w512_seq_pass (loc, e, in, next, stride, nb, k0, K, FALSE, TRUE, g, f); \
    break;
      switch (n_outs - k0)
        {
          W512_LAST (1) W512_LAST (2) W512_LAST (3) W512_LAST (4)
          W512_LAST (5) W512_LAST (6) W512_LAST (7) W512_LAST (8)
        }
#undef W512_LAST
      have_f = next != NULL;
    }
  for (guint k = 0; k < n_outs; k++)
    {
      float *row = W512_ROW1 (w->outs[k]);
      const float *l = loc + (gsize) k * stride, *o = orig + (gsize) k * stride;
      for (guint b = 0; b < nb; b++)
        _mm512_store_ps (row + 16 * b, _mm512_add_ps (_mm512_load_ps (row + 16 * b),
                                                      _mm512_sub_ps (_mm512_load_ps (l + 16 * b),
                                                                     _mm512_load_ps (o + 16 * b))));
    }
}

#define W512 __attribute__ ((target (W512_TARGET)))
WORD2VEC_KERNEL_WRAPPER (W512, word2vec_sgns_avx512, word2vec_sgns_body)
WORD2VEC_KERNEL_WRAPPER (W512, word2vec_pair_avx512, word2vec_pair_body)
WORD2VEC_KERNEL_WRAPPER (W512, word2vec_cbow_avx512, word2vec_cbow_body)

const Word2vecKernels word2vec_kernels_avx512 = {
  "avx512", word2vec_sgns_avx512, word2vec_pair_avx512, word2vec_seq_avx512, word2vec_cbow_avx512
};
#endif
