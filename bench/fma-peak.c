/* bench/fma-peak.c — the machine's measured single-precision FMA peak, the
 * yardstick bench/word2vec and bench/full-scale print the trainer's
 * GFLOP/s against.
 *
 * Each thread runs 12 independent chains of fused multiply-adds on vector
 * registers (enough to cover an FMA's latency on two pipes), 8 lanes
 * (AVX2+FMA) and, when the CPU has it, 16 lanes (AVX-512F).  One FMA counts
 * as 2 flops per lane.  Threads run the same loop at once, so the 2-thread
 * figure says whether the two vCPUs are two cores' worth of FMA units.
 *
 *   cc -O2 -pthread bench/fma-peak.c -o fma-peak && ./fma-peak [THREADS] [SECONDS]
 * prints one line per width: "avx2|avx512 THREADS WALL_GFLOP/s CPU_GFLOP/s", the
 * second figure flops per CPU second of one thread (the per-core peak, which
 * other jobs on a shared machine do not lower as they lower the first).
 */
#include <errno.h>
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define CHAINS 12
#define ITERS 1000000L

static double
clock_s (clockid_t id)
{
  struct timespec t;
  clock_gettime (id, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static double
now (void)
{
  return clock_s (CLOCK_MONOTONIC);
}

typedef struct {
  int wide;
  double seconds;  /* run at least this long */
  double flops;    /* done */
  double elapsed;
  double cpu;      /* this thread's CPU seconds */
  float sink;
} Job;

/* The chains are named variables, not an array: at -O2 GCC kept an array
 * of accumulators in memory (a load and a store around every FMA), which
 * measured the store path at half the FMA peak.  Twelve chains and two
 * constants fit AVX2's 16 registers. */
#define CHAIN_VARS(T, set1) \
  T x0 = set1 (0.f), x1 = set1 (1.f), x2 = set1 (2.f), x3 = set1 (3.f), x4 = set1 (4.f), x5 = set1 (5.f), \
    x6 = set1 (6.f), x7 = set1 (7.f), x8 = set1 (8.f), x9 = set1 (9.f), x10 = set1 (10.f), x11 = set1 (11.f)
#define CHAIN_STEP(fma)                                                                        \
  do                                                                                           \
    {                                                                                          \
      x0 = fma (x0, a, b); x1 = fma (x1, a, b); x2 = fma (x2, a, b); x3 = fma (x3, a, b);      \
      x4 = fma (x4, a, b); x5 = fma (x5, a, b); x6 = fma (x6, a, b); x7 = fma (x7, a, b);      \
      x8 = fma (x8, a, b); x9 = fma (x9, a, b); x10 = fma (x10, a, b); x11 = fma (x11, a, b);  \
    }                                                                                          \
  while (0)
#define CHAIN_SUM(add) \
  add (add (add (add (x0, x1), add (x2, x3)), add (add (x4, x5), add (x6, x7))), add (add (x8, x9), add (x10, x11)))

__attribute__ ((target ("avx2,fma"))) static float
run8 (long iters)
{
  const __m256 a = _mm256_set1_ps (0.999999f), b = _mm256_set1_ps (1e-7f);
  CHAIN_VARS (__m256, _mm256_set1_ps);
  for (long i = 0; i < iters; i++)
    CHAIN_STEP (_mm256_fmadd_ps);
  return _mm256_cvtss_f32 (CHAIN_SUM (_mm256_add_ps));
}

__attribute__ ((target ("avx512f"))) static float
run16 (long iters)
{
  const __m512 a = _mm512_set1_ps (0.999999f), b = _mm512_set1_ps (1e-7f);
  CHAIN_VARS (__m512, _mm512_set1_ps);
  for (long i = 0; i < iters; i++)
    CHAIN_STEP (_mm512_fmadd_ps);
  return _mm512_reduce_add_ps (CHAIN_SUM (_mm512_add_ps));
}

static void *
worker (void *data)
{
  Job *j = data;
  double t0 = now (), c0 = clock_s (CLOCK_THREAD_CPUTIME_ID);
  long rounds = 0;
  do
    {
      j->sink += j->wide ? run16 (ITERS) : run8 (ITERS);
      rounds++;
    }
  while (now () - t0 < j->seconds);
  j->elapsed = now () - t0;
  j->cpu = clock_s (CLOCK_THREAD_CPUTIME_ID) - c0;
  j->flops = (double) rounds * ITERS * CHAINS * (j->wide ? 16 : 8) * 2;
  return NULL;
}

/* GFLOP/s of wall time (all threads together) and GFLOP per CPU second
 * (one core's rate while it runs: what a loaded machine cannot hide) */
static void
measure (long threads, int wide, double seconds, double *wall, double *cpu)
{
  pthread_t tid[64];
  Job jobs[64] = { 0 };
  for (long t = 0; t < threads; t++)
    {
      jobs[t].wide = wide;
      jobs[t].seconds = seconds;
      pthread_create (&tid[t], NULL, worker, &jobs[t]);
    }
  double flops = 0, elapsed = 0, cpus = 0;
  for (long t = 0; t < threads; t++)
    {
      pthread_join (tid[t], NULL);
      flops += jobs[t].flops;
      elapsed = elapsed > jobs[t].elapsed ? elapsed : jobs[t].elapsed;
      cpus += jobs[t].cpu;
    }
  *wall = flops / elapsed / 1e9;
  *cpu = flops / cpus / 1e9;
}

/* A whole decimal number in [lo, hi], or FALSE. */
static int
parse_long (const char *s, long lo, long hi, long *out)
{
  char *end;
  errno = 0;
  long v = strtol (s, &end, 10);
  if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
    return 0;
  *out = v;
  return 1;
}

/* A finite number in (0, hi], or FALSE. */
static int
parse_seconds (const char *s, double hi, double *out)
{
  char *end;
  errno = 0;
  double v = strtod (s, &end);
  if (errno != 0 || end == s || *end != '\0' || !(v > 0 && v <= hi))
    return 0;
  *out = v;
  return 1;
}

int
main (int argc, char **argv)
{
  long threads = 1;
  double seconds = 1.0;
  if (argc > 3 || (argc > 1 && !parse_long (argv[1], 1, 64, &threads))
      || (argc > 2 && !parse_seconds (argv[2], 3600, &seconds)))
    {
      fprintf (stderr, "usage: fma-peak [THREADS 1..64] [SECONDS, up to 3600]\n");
      return 2;
    }
  __builtin_cpu_init ();
  double wall, cpu;
  if (__builtin_cpu_supports ("avx2") && __builtin_cpu_supports ("fma"))
    {
      measure (threads, 0, seconds, &wall, &cpu);
      printf ("avx2 %ld %.1f %.1f\n", threads, wall, cpu);
    }
  if (__builtin_cpu_supports ("avx512f"))
    {
      measure (threads, 1, seconds, &wall, &cpu);
      printf ("avx512 %ld %.1f %.1f\n", threads, wall, cpu);
    }
  return 0;
}
