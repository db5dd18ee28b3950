/* w2v-kern-avx512.c — word2vec's kernels with AVX-512 (F, VL, DQ), picked
 * at run time on CPUs that have it (w2v-train.c).
 *
 * The sequential kernel, the default, is written here with 16-lane
 * intrinsics: rows are whole 16-float vectors (word2vec_stride), so a
 * 50-float row is 4 registers where the 8-lane copies take 7.  Besides
 * the width it differs from word2vec_seq_body in these ways:
 *  - all outputs of a pair (up to 7; more in groups of 8) in one pass over
 *    the rows, so the input's error stays in a register and the input row
 *    is written in that pass;
 *  - the next context's dot products with the moved rows are taken as
 *      next . (v + g x) = next . v + g (next . x),
 *    the dots with the rows before the move and one dot of the two inputs,
 *    which do not wait for the pair's gradients g: from one pair's
 *    gradients to the next's is one multiply-add, not a pass over the rows;
 *  - the 8 dot products are summed across lanes together (a transposing
 *    reduction: 24 shuffles and adds for 8 sums, not 8 reductions);
 *  - the gradients of a pair are one vector step, the sigmoid table read
 *    with a gather, and stay in registers from one pair to the next.
 * The arithmetic is that of word2vec_seq_body (each pair a full step on the
 * output rows the pair before moved); only the rounding differs.  The other
 * kernels are the bodies of w2v-kern-body.h compiled for AVX-512. */
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

/* word2vec_gradient of the 8 dot products @f (lanes @live; the others
 * give 0), @label the labels. */
W512_INLINE __m256
w512_gradients (const Word2vecModel *m, __m256 f, __mmask8 live, __m256 label, float alpha)
{
  const __m256 zero = _mm256_setzero_ps (), one = _mm256_set1_ps (1.0f);
  const __m256 hi = _mm256_set1_ps (MAX_EXP), rate = _mm256_set1_ps (alpha);
  __mmask8 inside = _mm256_mask_cmp_ps_mask (live, f, _mm256_set1_ps (-MAX_EXP), _CMP_GT_OQ)
                    & _mm256_cmp_ps_mask (f, hi, _CMP_LT_OQ);
  /* lanes outside are not read: their index may be anything */
  __m256i idx = _mm256_cvttps_epi32 (_mm256_mul_ps (_mm256_add_ps (f, hi), _mm256_set1_ps (SIGMOID_SIZE / MAX_EXP / 2)));
  __m256 sig = _mm256_mmask_i32gather_ps (zero, inside, idx, m->sigmoid, 4);
  __m256 g = _mm256_maskz_mul_ps (inside, _mm256_sub_ps (label, sig), rate);
  if (m->config->saturation != WORD2VEC_SAT_SKIP)
    {
      /* saturated on either side (not NaN): the target is 1 or 0 */
      __mmask8 sat = (__mmask8) (live & ~inside) & _mm256_cmp_ps_mask (f, f, _CMP_ORD_Q);
      __m256 side = _mm256_maskz_mov_ps (_mm256_cmp_ps_mask (f, zero, _CMP_GT_OQ), one);
      g = _mm256_mask_mul_ps (g, sat, _mm256_sub_ps (label, side), rate);
    }
  return g;
}

/* The dots of the row @in (nb vectors) with the K rows at @o (stride
 * apart), in lanes 0..K (the others 0). */
W512_INLINE __m256
w512_dots (const float *in, const float *o, guint stride, guint nb, const guint K)
{
  __m512 acc[8];
#pragma GCC unroll 8
  for (guint j = 0; j < 8; j++)
    acc[j] = _mm512_setzero_ps ();
  for (guint b = 0; b < nb; b++)
    {
      __m512 x = _mm512_load_ps (in + 16 * b);
#pragma GCC unroll 8
      for (guint j = 0; j < K; j++)
        acc[j] = _mm512_fmadd_ps (x, _mm512_load_ps (o + (gsize) j * stride + 16 * b), acc[j]);
    }
  return w512_hsum8 (acc[0], acc[1], acc[2], acc[3], acc[4], acc[5], acc[6], acc[7]);
}

/* One pass of the sequential kernel over K output rows at @o (stride
 * apart) for one pair, @g their gradients (K, has_next, first and last
 * constants once inlined): the input's error from the rows as they were
 * (added to e, or starting it when first), the rows moved by the input,
 * and, when last, the input row moved by its error.  Returns the next
 * input's dots with the moved rows (lanes 0..K), taken as
 *   next . (v + g x) = next . v + g (next . x):
 * the dots with the rows as they were and the one dot of the two inputs
 * do not wait for the gradients, so the pass need not either (the chain
 * from one pair's gradients to the next's is one multiply-add, not a
 * pass over the rows and a sum across lanes). */
W512_INLINE __m256
w512_seq_pass (float *o, float *e, float *in, const float *next, guint stride, guint nb, const guint K,
               const gboolean has_next, const gboolean first, const gboolean last, __m256 g)
{
  __m512 gj[8], acc[8], both = _mm512_setzero_ps ();
  const __m512 g16 = _mm512_castps256_ps512 (g);
#pragma GCC unroll 8
  for (guint j = 0; j < 8; j++)
    {
      gj[j] = _mm512_permutexvar_ps (_mm512_set1_epi32 ((int) j), g16);
      acc[j] = _mm512_setzero_ps ();
    }
  for (guint b = 0; b < nb; b++)
    {
      const __m512 x = _mm512_load_ps (in + 16 * b);
      const __m512 y = has_next ? _mm512_load_ps (next + 16 * b) : _mm512_setzero_ps ();
      __m512 err = first ? _mm512_setzero_ps () : _mm512_load_ps (e + 16 * b);
      if (has_next)
        both = _mm512_fmadd_ps (y, x, both);
#pragma GCC unroll 8
      for (guint j = 0; j < K; j++)
        {
          float *row = o + (gsize) j * stride + 16 * b;
          const __m512 v = _mm512_load_ps (row);
          err = _mm512_fmadd_ps (gj[j], v, err);
          if (has_next)
            acc[j] = _mm512_fmadd_ps (y, v, acc[j]);
          _mm512_store_ps (row, _mm512_fmadd_ps (gj[j], x, v));
        }
      if (last)
        _mm512_store_ps (in + 16 * b, _mm512_add_ps (x, err));
      else
        _mm512_store_ps (e + 16 * b, err);
    }
  if (!has_next)
    return _mm256_setzero_ps ();
  __m256 dots, xy;
  if (K < 8)
    {
      /* the inputs' dot rides in lane 7 of the same sum */
      dots = w512_hsum8 (acc[0], acc[1], acc[2], acc[3], acc[4], acc[5], acc[6], both);
      xy = _mm256_permutexvar_ps (_mm256_set1_epi32 (7), dots);
    }
  else
    {
      dots = w512_hsum8 (acc[0], acc[1], acc[2], acc[3], acc[4], acc[5], acc[6], acc[7]);
      xy = _mm256_set1_ps (_mm512_reduce_add_ps (both));
    }
  return _mm256_fmadd_ps (g, xy, dots);
}

#define W512_ROW0(id) (m->syn0 + (gsize) (id) * stride)
#define W512_ROW1(id) (m->syn1 + (gsize) (id) * stride)
#define W512_LIVE(K) ((__mmask8) ((1u << (K)) - 1))

/* The dots of @next with the K < 8 rows at @o (lanes 0..K) and with @in
 * (lane 7): with the rows as they are before a pair moves them by g x,
 *   next . (v + g x) = next . v + g (next . x). */
W512_INLINE __m256
w512_next_dots (const float *next, const float *in, const float *o, guint stride, guint nb, const guint K)
{
  __m512 acc[8];
#pragma GCC unroll 8
  for (guint j = 0; j < 8; j++)
    acc[j] = _mm512_setzero_ps ();
  for (guint b = 0; b < nb; b++)
    {
      const __m512 y = _mm512_load_ps (next + 16 * b);
#pragma GCC unroll 8
      for (guint j = 0; j < K; j++)
        acc[j] = _mm512_fmadd_ps (y, _mm512_load_ps (o + (gsize) j * stride + 16 * b), acc[j]);
      acc[7] = _mm512_fmadd_ps (y, _mm512_load_ps (in + 16 * b), acc[7]);
    }
  return w512_hsum8 (acc[0], acc[1], acc[2], acc[3], acc[4], acc[5], acc[6], acc[7]);
}

/* 1 + negative < 8 outputs (the usual case): one group, the dots and
 * gradients of a pair in registers from one pass to the next. */
W512_INLINE void
w512_seq_one_group (Word2vecWorker *w, const guint32 *ctx, guint n_ctx, float alpha, float *loc, const guint K)
{
  Word2vecModel *m = w->m;
  const guint stride = m->stride, nb = (m->dim + 15) / 16;
  const __m256 label = _mm256_maskz_mov_ps (1, _mm256_set1_ps (w->first_label));
  __m256 f = _mm256_setzero_ps ();
  gboolean have_f = FALSE;
  for (guint i = 0; i < n_ctx; i++)
    {
      float *in = W512_ROW0 (ctx[i]);
      if (!have_f)
        f = w512_dots (in, loc, stride, nb, K);
      __m256 g = w512_gradients (m, f, W512_LIVE (K), label, alpha);
      /* the next context's dots: with the rows before this pair moves them
       * and with this input (lane 7), unless it is the same row, which
       * must first take this pair's error.  They do not need g and come
       * before the pass in the program: the CPU works on them while the
       * gradients are computed, where inside the pass they waited in the
       * scheduler behind the multiply-adds that need g (12-19% less CPU
       * time on the DarkVec corpus). */
      const float *next = i + 1 < n_ctx && ctx[i + 1] != ctx[i] ? W512_ROW0 (ctx[i + 1]) : NULL;
      __m256 dots = _mm256_setzero_ps ();
      if (next)
        dots = w512_next_dots (next, in, loc, stride, nb, K);
      w512_seq_pass (loc, NULL, in, NULL, stride, nb, K, FALSE, TRUE, TRUE, g);
      if (next)
        f = _mm256_fmadd_ps (g, _mm256_permutexvar_ps (_mm256_set1_epi32 (7), dots), dots);
      have_f = next != NULL;
    }
}

/* More outputs: groups of 8, the dots and gradients of each group kept in
 * arrays between passes and the input's error in the worker's buffer. */
W512_INLINE void
w512_seq_groups (Word2vecWorker *w, const guint32 *ctx, guint n_ctx, guint n_outs, float alpha, float *loc)
{
  Word2vecModel *m = w->m;
  const guint stride = m->stride, nb = (m->dim + 15) / 16;
  const guint n_groups = (n_outs + 7) / 8;
  __m256 f[(WORD2VEC_MAX_OUTS + 7) / 8];
  float *e = w->neu1e;
  gboolean have_f = FALSE;
  for (guint i = 0; i < n_ctx; i++)
    {
      float *in = W512_ROW0 (ctx[i]);
      const float *next = i + 1 < n_ctx && ctx[i + 1] != ctx[i] ? W512_ROW0 (ctx[i + 1]) : NULL;
      for (guint q = 0; q < n_groups; q++)
        {
          float *o = loc + (gsize) q * 8 * stride;
          const guint K = MIN (8u, n_outs - 8 * q);
          const __m256 label = _mm256_maskz_mov_ps (q == 0 ? 1 : 0, _mm256_set1_ps (w->first_label));
          if (!have_f)
            f[q] = w512_dots (in, o, stride, nb, K);
          __m256 g = w512_gradients (m, f[q], W512_LIVE (K), label, alpha);
          const gboolean first = q == 0, last = q + 1 == n_groups;
#define W512_PASS3(KK, NEXT, FIRST, LAST)                                                  \
  do                                                                                   \
    {                                                                                  \
      if (NEXT)                                                                        \
        f[q] = w512_seq_pass (o, e, in, next, stride, nb, KK, TRUE, FIRST, LAST, g);   \
      else                                                                             \
        w512_seq_pass (o, e, in, NULL, stride, nb, KK, FALSE, FIRST, LAST, g);         \
    }                                                                                  \
  while (0)
#define W512_PASS(KK)                                                                  \
  do                                                                                   \
    {                                                                                  \
      if (first && last)                                                               \
        W512_PASS3 (KK, next != NULL, TRUE, TRUE);                                     \
      else if (first)                                                                  \
        W512_PASS3 (KK, next != NULL, TRUE, FALSE);                                    \
      else if (last)                                                                   \
        W512_PASS3 (KK, next != NULL, FALSE, TRUE);                                    \
      else                                                                             \
        W512_PASS3 (KK, next != NULL, FALSE, FALSE);                                   \
    }                                                                                  \
  while (0)
          /* a group before the last has 8 outputs; the last has 1 to 8 */
          if (K == 8)
            W512_PASS (8);
          else
            W512_PASS (K);
#undef W512_PASS3
#undef W512_PASS
        }
      have_f = next != NULL;
    }
}

/* word2vec_seq_body's contract (w2v-kern-body.h): contexts ctx[0..n_ctx)
 * in turn against outputs w->outs[0..n_outs), each pair a full step, the
 * output rows moved in the worker's buffer and their change added back at
 * the end. */
__attribute__ ((target (W512_TARGET))) static void
word2vec_seq_avx512 (Word2vecWorker *w, const guint32 *ctx, guint n_ctx, guint n_outs, float alpha)
{
  Word2vecModel *m = w->m;
  const guint stride = m->stride, nb = (m->dim + 15) / 16;
  float *restrict loc = w->ograd, *restrict orig = w->orig;
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
  switch (n_outs)
    {
    case 1: w512_seq_one_group (w, ctx, n_ctx, alpha, loc, 1); break;
    case 2: w512_seq_one_group (w, ctx, n_ctx, alpha, loc, 2); break;
    case 3: w512_seq_one_group (w, ctx, n_ctx, alpha, loc, 3); break;
    case 4: w512_seq_one_group (w, ctx, n_ctx, alpha, loc, 4); break;
    case 5: w512_seq_one_group (w, ctx, n_ctx, alpha, loc, 5); break;
    case 6: w512_seq_one_group (w, ctx, n_ctx, alpha, loc, 6); break;
    case 7: w512_seq_one_group (w, ctx, n_ctx, alpha, loc, 7); break;
    default: w512_seq_groups (w, ctx, n_ctx, n_outs, alpha, loc); break;
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
