/* test-w2v-kernels.c — word2vec's vector kernels (plugins/trainer/word2vec/
 * w2v-kern-*.c) called directly: every instruction set's copy that this CPU
 * runs, each of its four kernels, against a scalar double-precision
 * reference written here from the kernels' contracts and against the
 * portable copy.  Random rows with repeated contexts (next to each other
 * and apart) and repeated negatives, dot products saturated on both
 * sides, both saturation rules, dims that fill 8- and 16-lane vectors or
 * not, 1 to 17 outputs.  And the choice of kernels by name
 * (DARKPIPE_W2V_KERNELS). */
#include "config.h"

#include <math.h>
#include <string.h>
#include "dp-test.h"
#include "w2v-kernels.h"

#define N_ROWS 20
#define ALPHA 0.2f

enum { K_SEQ, K_BATCH, K_PAIR, K_CBOW, N_KINDS };
static const char *const kind_names[N_KINDS] = { "seq", "batch", "pair", "cbow" };

typedef struct {
  guint kind, dim, n_outs, n_ctx;
  int saturation;
  gboolean cbow_mean;
  float first_label;
  guint32 seed;
} Case;

/* One model's rows: what a kernel or the reference starts from. */
typedef struct {
  Word2vecConfig config;
  Word2vecModel m;
  guint32 ctx[64], outs[WORD2VEC_MAX_OUTS];
} Setup;

static void
setup_init (Setup *s, const Case *c)
{
  memset (s, 0, sizeof *s);
  s->config.sg = c->kind != K_CBOW;
  s->config.vector_size = c->dim;
  s->config.window = 32;
  s->config.negative = MAX (c->n_outs, 2u) - 1;
  s->config.saturation = c->saturation;
  s->config.cbow_mean = c->cbow_mean;
  s->m.config = &s->config;
  s->m.n = N_ROWS;
  s->m.dim = c->dim;
  s->m.stride = word2vec_stride (c->dim);
  s->m.max_sentence = 1;
  s->m.syn0 = word2vec_alloc ((gsize) N_ROWS * s->m.stride);
  s->m.syn1 = word2vec_alloc ((gsize) N_ROWS * s->m.stride);
  g_assert_nonnull (s->m.syn0);
  g_assert_nonnull (s->m.syn1);
  for (int i = 0; i <= SIGMOID_SIZE; i++)
    {
      double x = (i / (double) SIGMOID_SIZE * 2 - 1) * MAX_EXP;
      s->m.sigmoid[i] = (float) (1.0 / (1.0 + exp (-x)));
    }
  g_autoptr (GRand) r = g_rand_new_with_seed (c->seed);
  /* entries in [-0.6, 0.6); two output rows ten times larger, so that
   * some dot products pass +-6 on either side */
  for (guint i = 0; i < N_ROWS; i++)
    for (guint k = 0; k < c->dim; k++)
      {
        s->m.syn0[(gsize) i * s->m.stride + k] = (float) g_rand_double_range (r, -0.6, 0.6);
        s->m.syn1[(gsize) i * s->m.stride + k] = (float) g_rand_double_range (r, -0.6, 0.6) * (i < 2 ? 10 : 1);
      }
  /* contexts from few rows, so they repeat; every fifth a repeat of the one
   * before (the sequential kernel's special case) */
  for (guint i = 0; i < c->n_ctx; i++)
    s->ctx[i] = i > 0 && i % 5 == 0 ? s->ctx[i - 1] : (guint32) g_rand_int_range (r, 0, N_ROWS);
  for (guint k = 0; k < c->n_outs; k++)
    s->outs[k] = (guint32) g_rand_int_range (r, 0, N_ROWS);
  if (c->n_outs > 3)
    s->outs[3] = s->outs[1];   /* a negative drawn twice */
}

static void
setup_clear (Setup *s)
{
  free (s->m.syn0);
  free (s->m.syn1);
}

/* ---------------------------------------------------------- reference */

typedef struct {
  const Setup *s;
  guint dim, stride;
  double *x;   /* N_ROWS x stride input rows */
  double *o;   /* N_ROWS x stride output rows */
} Ref;

static void
ref_init (Ref *r, const Setup *s)
{
  r->s = s;
  r->dim = s->m.dim;
  r->stride = s->m.stride;
  r->x = g_new (double, (gsize) N_ROWS * r->stride);
  r->o = g_new (double, (gsize) N_ROWS * r->stride);
  for (gsize i = 0; i < (gsize) N_ROWS * r->stride; i++)
    {
      r->x[i] = s->m.syn0[i];
      r->o[i] = s->m.syn1[i];
    }
}

static void
ref_clear (Ref *r)
{
  g_free (r->x);
  g_free (r->o);
}

static double
dot (const double *a, const double *b, guint dim)
{
  double d = 0;
  for (guint k = 0; k < dim; k++)
    d += a[k] * b[k];
  return d;
}

/* The gradient for dot product @f and @label: the tabulated sigmoid inside
 * (-6, 6); outside, 0 with `skip` or for NaN, else the full step towards
 * the label. */
static double
ref_gradient (const Ref *r, double f, float label)
{
  float ff = (float) f;
  if (ff > -6.0f && ff < 6.0f)
    {
      int idx = (int) ((ff + 6.0f) * (1024 / 6.0f / 2));
      return ((double) label - r->s->m.sigmoid[idx]) * ALPHA;
    }
  if (isnan (ff) || r->s->config.saturation == WORD2VEC_SAT_SKIP)
    return 0;
  return ((double) label - (ff > 0 ? 1.0 : 0.0)) * ALPHA;
}

#define RX(id) (r->x + (gsize) (id) * r->stride)
#define RO(id) (r->o + (gsize) (id) * r->stride)

/* The contexts in turn against one draw: each pair a full step on the
 * output rows the pair before moved (w2v-kern-body.h, word2vec_seq_body).
 * A context's row is read as it is when its pair starts (a repeated one
 * has moved); the output rows' moves are added to the rows at the end. */
static void
ref_seq (Ref *r, const Case *c)
{
  const Setup *s = r->s;
  g_autofree double *loc = g_new (double, (gsize) c->n_outs * r->stride);
  g_autofree double *orig = g_new (double, (gsize) c->n_outs * r->stride);
  g_autofree double *g = g_new (double, c->n_outs);
  g_autofree double *e = g_new0 (double, r->stride);
  for (guint k = 0; k < c->n_outs; k++)
    for (guint t = 0; t < r->stride; t++)
      loc[(gsize) k * r->stride + t] = orig[(gsize) k * r->stride + t] = RO (s->outs[k])[t];
  for (guint i = 0; i < c->n_ctx; i++)
    {
      double *x = RX (s->ctx[i]);
      memset (e, 0, r->stride * sizeof (double));
      for (guint k = 0; k < c->n_outs; k++)
        g[k] = ref_gradient (r, dot (x, loc + (gsize) k * r->stride, r->dim), k == 0 ? c->first_label : 0.0f);
      for (guint k = 0; k < c->n_outs; k++)
        for (guint t = 0; t < r->dim; t++)
          {
            e[t] += g[k] * loc[(gsize) k * r->stride + t];
            loc[(gsize) k * r->stride + t] += g[k] * x[t];
          }
      for (guint t = 0; t < r->dim; t++)
        x[t] += e[t];
    }
  for (guint k = 0; k < c->n_outs; k++)
    for (guint t = 0; t < r->dim; t++)
      RO (s->outs[k])[t] += loc[(gsize) k * r->stride + t] - orig[(gsize) k * r->stride + t];
}

/* One step for the whole group (pWord2Vec's HogBatch): every gradient from
 * the rows as they were; label 1 for output 0. */
static void
ref_batch (Ref *r, const Case *c)
{
  const Setup *s = r->s;
  g_autofree double *g = g_new (double, (gsize) c->n_ctx * c->n_outs);
  g_autofree double *x0 = g_new (double, (gsize) N_ROWS * r->stride);
  g_autofree double *o0 = g_new (double, (gsize) N_ROWS * r->stride);
  memcpy (x0, r->x, (gsize) N_ROWS * r->stride * sizeof (double));
  memcpy (o0, r->o, (gsize) N_ROWS * r->stride * sizeof (double));
  for (guint i = 0; i < c->n_ctx; i++)
    for (guint k = 0; k < c->n_outs; k++)
      g[i * c->n_outs + k] = ref_gradient (r, dot (x0 + (gsize) s->ctx[i] * r->stride,
                                                   o0 + (gsize) s->outs[k] * r->stride, r->dim),
                                           k == 0 ? 1.0f : 0.0f);
  for (guint i = 0; i < c->n_ctx; i++)
    for (guint k = 0; k < c->n_outs; k++)
      for (guint t = 0; t < r->dim; t++)
        {
          RX (s->ctx[i])[t] += g[i * c->n_outs + k] * o0[(gsize) s->outs[k] * r->stride + t];
          RO (s->outs[k])[t] += g[i * c->n_outs + k] * x0[(gsize) s->ctx[i] * r->stride + t];
        }
}

/* One input (gensim's pair): its error from the outputs as they were, each
 * output moved by the input as it was. */
static void
ref_pair (Ref *r, const Case *c)
{
  const Setup *s = r->s;
  double *x = RX (s->ctx[0]);
  g_autofree double *old = g_memdup2 (x, r->stride * sizeof (double));
  g_autofree double *g = g_new (double, c->n_outs);
  g_autofree double *e = g_new0 (double, r->stride);
  for (guint k = 0; k < c->n_outs; k++)
    g[k] = ref_gradient (r, dot (old, RO (s->outs[k]), r->dim), k == 0 ? c->first_label : 0.0f);
  for (guint k = 0; k < c->n_outs; k++)
    for (guint t = 0; t < r->dim; t++)
      e[t] += g[k] * RO (s->outs[k])[t];
  for (guint t = 0; t < r->dim; t++)
    x[t] += e[t];
  for (guint k = 0; k < c->n_outs; k++)
    for (guint t = 0; t < r->dim; t++)
      RO (s->outs[k])[t] += g[k] * old[t];
}

/* CBOW: the inputs' sum (or mean) against each output in turn; the error
 * goes whole to every input with the mean, divided among them with the
 * sum. */
static void
ref_cbow (Ref *r, const Case *c)
{
  const Setup *s = r->s;
  g_autofree double *h = g_new0 (double, r->stride);
  g_autofree double *e = g_new0 (double, r->stride);
  for (guint i = 0; i < c->n_ctx; i++)
    for (guint t = 0; t < r->dim; t++)
      h[t] += RX (s->ctx[i])[t];
  if (c->cbow_mean)
    for (guint t = 0; t < r->dim; t++)
      h[t] /= c->n_ctx;
  for (guint k = 0; k < c->n_outs; k++)
    {
      double *o = RO (s->outs[k]);
      double g = ref_gradient (r, dot (h, o, r->dim), k == 0 ? 1.0f : 0.0f);
      for (guint t = 0; t < r->dim; t++)
        {
          e[t] += g * o[t];
          o[t] += g * h[t];
        }
    }
  double scale = c->cbow_mean ? 1.0 : 1.0 / c->n_ctx;
  for (guint i = 0; i < c->n_ctx; i++)
    for (guint t = 0; t < r->dim; t++)
      RX (s->ctx[i])[t] += scale * e[t];
}

/* ---------------------------------------------------------- the cases */

static void
run_kernel (Setup *s, const Word2vecKernels *k, const Case *c)
{
  Word2vecWorker w;
  word2vec_worker_init (&w, &s->m, k, 0);
  memcpy (w.outs, s->outs, c->n_outs * sizeof (guint32));
  w.first_label = c->first_label;
  Word2vecKernel fn = c->kind == K_SEQ ? k->seq : c->kind == K_BATCH ? k->sgns : c->kind == K_PAIR ? k->pair : k->cbow;
  fn (&w, s->ctx, c->kind == K_PAIR ? 1 : c->n_ctx, c->n_outs, ALPHA);
  word2vec_worker_clear (&w);
}

/* The largest difference between @a and @b over both matrices, relative
 * to 1 + |b|; a pad lane that is not exactly 0 fails at once. */
static double
worst (const Setup *a, const double *bx, const double *bo, const float *fbx, const float *fbo)
{
  double d = 0;
  const guint stride = a->m.stride, dim = a->m.dim;
  for (guint i = 0; i < N_ROWS; i++)
    for (guint t = 0; t < stride; t++)
      {
        gsize p = (gsize) i * stride + t;
        double vx = bx ? bx[p] : fbx[p], vo = bo ? bo[p] : fbo[p];
        if (t >= dim)
          {
            g_assert_cmpfloat (a->m.syn0[p], ==, 0.0f);
            g_assert_cmpfloat (a->m.syn1[p], ==, 0.0f);
            continue;
          }
        d = MAX (d, fabs (a->m.syn0[p] - vx) / (1 + fabs (vx)));
        d = MAX (d, fabs (a->m.syn1[p] - vo) / (1 + fabs (vo)));
      }
  return d;
}

/* How far any entry moved from its start. */
static double
moved (const Setup *before, const Setup *after)
{
  double d = 0;
  for (gsize p = 0; p < (gsize) N_ROWS * before->m.stride; p++)
    {
      d = MAX (d, fabs (after->m.syn0[p] - before->m.syn0[p]));
      d = MAX (d, fabs (after->m.syn1[p] - before->m.syn1[p]));
    }
  return d;
}

/* Float rounding, summation order, and now and then a dot product that
 * falls on the other side of a sigmoid-table cell edge (a step of ~0.3%
 * of that pair's gradient) */
#define TOLERANCE 2e-4

static const guint dims[] = { 1, 7, 8, 16, 17, 50, 64, 100 };
static const guint n_outs_list[] = { 1, 2, 3, 6, 8, 9, 17 };
static const guint n_ctx_list[] = { 1, 2, 6, 26, 50 };

static void
check_table (const Word2vecKernels *k)
{
  double worst_ref = 0, worst_portable = 0;
  guint cases = 0, trained = 0;
  for (guint kind = 0; kind < N_KINDS; kind++)
    for (guint di = 0; di < G_N_ELEMENTS (dims); di++)
      for (guint oi = 0; oi < G_N_ELEMENTS (n_outs_list); oi++)
        for (guint ci = 0; ci < G_N_ELEMENTS (n_ctx_list); ci++)
          {
            if (kind == K_PAIR && n_ctx_list[ci] > 1)
              continue;
            Case c = { .kind = kind, .dim = dims[di], .n_outs = n_outs_list[oi], .n_ctx = n_ctx_list[ci],
                       .saturation = (di + oi + ci) % 2 ? WORD2VEC_SAT_SKIP : WORD2VEC_SAT_CLIP,
                       .cbow_mean = (oi + ci) % 2 == 0,
                       .first_label = kind == K_PAIR && oi % 2 ? 0.0f : 1.0f,
                       .seed = 1000 * kind + 100 * di + 10 * oi + ci };
            Setup start, run, portable;
            setup_init (&start, &c);
            setup_init (&run, &c);
            setup_init (&portable, &c);
            Ref r;
            ref_init (&r, &start);
            switch (kind)
              {
              case K_SEQ: ref_seq (&r, &c); break;
              case K_BATCH: ref_batch (&r, &c); break;
              case K_PAIR: ref_pair (&r, &c); break;
              default: ref_cbow (&r, &c); break;
              }
            run_kernel (&run, k, &c);
            run_kernel (&portable, &word2vec_kernels_portable, &c);
            double dr = worst (&run, r.x, r.o, NULL, NULL);
            double dp = worst (&run, NULL, NULL, portable.m.syn0, portable.m.syn1);
            double mv = moved (&start, &run);
            if (dr > TOLERANCE || dp > TOLERANCE)
              g_test_message ("%s %s: dim %u, %u outputs, %u contexts, saturation %d: %.3g from the reference, "
                              "%.3g from the portable kernel", k->name, kind_names[kind], c.dim, c.n_outs,
                              c.n_ctx, c.saturation, dr, dp);
            g_assert_cmpfloat (dr, <=, TOLERANCE);
            g_assert_cmpfloat (dp, <=, TOLERANCE);
            worst_ref = MAX (worst_ref, dr);
            worst_portable = MAX (worst_portable, dp);
            trained += mv > 10 * TOLERANCE;
            cases++;
            ref_clear (&r);
            setup_clear (&start);
            setup_clear (&run);
            setup_clear (&portable);
          }
  g_test_message ("%s: %u cases, worst %.3g from the reference, %.3g from the portable kernels; "
                  "%u cases moved an entry by more than 10x the tolerance", k->name, cases, worst_ref,
                  worst_portable, trained);
  /* the comparisons mean something: nearly every case trains well beyond
   * the tolerance (a few CBOW sums of 26 or 50 inputs saturate every dot
   * product, which `skip` leaves alone) */
  g_assert_cmpuint (trained, >=, cases - cases / 50);
}

static void
test_table (gconstpointer data)
{
  const char *name = data;
  g_autofree char *why = NULL;
  const Word2vecKernels *k = word2vec_kernels_choose (name, &why);
  if (why != NULL)
    {
      g_test_skip (why);
      return;
    }
  g_assert_cmpstr (k->name, ==, name);
  check_table (k);
}

/* Names pick tables; auto the best this CPU runs; a name that cannot be
 * followed gives the best with a message naming the request. */
static void
test_choose (void)
{
  g_autofree char *why = NULL;
  const Word2vecKernels *best = word2vec_kernels_choose (NULL, &why);
  g_assert_null (why);
  g_assert_true (word2vec_kernels_choose ("auto", &why) == best);
  g_assert_null (why);
  g_assert_true (word2vec_kernels_choose ("", &why) == best);
  g_assert_null (why);
  g_assert_true (word2vec_kernels_choose ("portable", &why) == &word2vec_kernels_portable);
  g_assert_null (why);
  g_assert_true (word2vec_kernels_choose ("avx-512", &why) == best);
  g_assert_nonnull (why);
  g_assert_nonnull (strstr (why, "DARKPIPE_W2V_KERNELS=\"avx-512\""));
  g_assert_nonnull (strstr (why, "avx512"));
  g_clear_pointer (&why, g_free);
#ifdef WORD2VEC_X86
  __builtin_cpu_init ();
  gboolean has512 = __builtin_cpu_supports ("avx512f") && __builtin_cpu_supports ("avx512vl")
                    && __builtin_cpu_supports ("avx512dq");
  gboolean has2 = __builtin_cpu_supports ("avx2") && __builtin_cpu_supports ("fma");
  g_assert_true (best == (has512 && has2 ? &word2vec_kernels_avx512
                          : has2 ? &word2vec_kernels_avx2 : &word2vec_kernels_portable));
  const Word2vecKernels *k = word2vec_kernels_choose ("avx512", &why);
  if (has512 && has2)
    {
      g_assert_true (k == &word2vec_kernels_avx512);
      g_assert_null (why);
    }
  else
    {
      /* e.g. under valgrind, which hides AVX-512 */
      g_assert_true (k == best);
      g_assert_nonnull (strstr (why, "cannot run"));
    }
#endif
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/w2v-kernels/choose", test_choose);
  g_test_add_data_func ("/w2v-kernels/portable", "portable", test_table);
  g_test_add_data_func ("/w2v-kernels/avx2", "avx2", test_table);
  g_test_add_data_func ("/w2v-kernels/avx512", "avx512", test_table);
  return g_test_run ();
}
