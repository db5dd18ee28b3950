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

__attribute__ ((target ("avx2,fma"))) static float
run8 (long iters)
{
  __m256 acc[CHAINS];
  const __m256 a = _mm256_set1_ps (0.999999f), b = _mm256_set1_ps (1e-7f);
  for (int c = 0; c < CHAINS; c++)
    acc[c] = _mm256_set1_ps ((float) c);
  for (long i = 0; i < iters; i++)
    for (int c = 0; c < CHAINS; c++)
      acc[c] = _mm256_fmadd_ps (acc[c], a, b);
  __m256 s = acc[0];
  for (int c = 1; c < CHAINS; c++)
    s = _mm256_add_ps (s, acc[c]);
  return _mm256_cvtss_f32 (s);
}

__attribute__ ((target ("avx512f"))) static float
run16 (long iters)
{
  __m512 acc[CHAINS];
  const __m512 a = _mm512_set1_ps (0.999999f), b = _mm512_set1_ps (1e-7f);
  for (int c = 0; c < CHAINS; c++)
    acc[c] = _mm512_set1_ps ((float) c);
  for (long i = 0; i < iters; i++)
    for (int c = 0; c < CHAINS; c++)
      acc[c] = _mm512_fmadd_ps (acc[c], a, b);
  return _mm512_reduce_add_ps (acc[0]) + _mm512_reduce_add_ps (acc[CHAINS - 1]);
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
measure (int threads, int wide, double seconds, double *wall, double *cpu)
{
  pthread_t tid[64];
  Job jobs[64] = { 0 };
  for (int t = 0; t < threads; t++)
    {
      jobs[t].wide = wide;
      jobs[t].seconds = seconds;
      pthread_create (&tid[t], NULL, worker, &jobs[t]);
    }
  double flops = 0, elapsed = 0, cpus = 0;
  for (int t = 0; t < threads; t++)
    {
      pthread_join (tid[t], NULL);
      flops += jobs[t].flops;
      elapsed = elapsed > jobs[t].elapsed ? elapsed : jobs[t].elapsed;
      cpus += jobs[t].cpu;
    }
  *wall = flops / elapsed / 1e9;
  *cpu = flops / cpus / 1e9;
}

int
main (int argc, char **argv)
{
  int threads = argc > 1 ? atoi (argv[1]) : 1;
  double seconds = argc > 2 ? atof (argv[2]) : 1.0;
  if (threads < 1 || threads > 64 || !(seconds > 0))
    {
      fprintf (stderr, "usage: fma-peak [THREADS 1..64] [SECONDS]\n");
      return 2;
    }
  __builtin_cpu_init ();
  double wall, cpu;
  if (__builtin_cpu_supports ("avx2") && __builtin_cpu_supports ("fma"))
    {
      measure (threads, 0, seconds, &wall, &cpu);
      printf ("avx2 %d %.1f %.1f\n", threads, wall, cpu);
    }
  if (__builtin_cpu_supports ("avx512f"))
    {
      measure (threads, 1, seconds, &wall, &cpu);
      printf ("avx512 %d %.1f %.1f\n", threads, wall, cpu);
    }
  return 0;
}
