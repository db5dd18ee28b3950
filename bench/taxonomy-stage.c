/* bench/taxonomy-stage.c — the taxonomy stage alone: reads a capture with
 * the pcap source into memory once, then times (process CPU time) pushing
 * every batch through a fresh taxonomy stage and finishing it, @reps times.
 * Built and run by bench/taxonomy.
 * usage: taxonomy-stage CAPTURE [REPS] [OPTIONS-YAML] */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "darkpipe.h"
#include "dp-harness.h"

static double
stage_cpu_seconds (void)
{
  struct timespec t;
  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &t);
  return (double) t.tv_sec + (double) t.tv_nsec / 1e9;
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) err = NULL;
  if (argc < 2)
    return 2;
  g_autofree char *yaml = g_strdup_printf ("path: '%s'", argv[1]);
  g_autoptr (DpHarness) src = dp_harness_new ("pcap", yaml, &err);
  if (!src || !dp_harness_run (src, &err))
    {
      fprintf (stderr, "taxonomy-stage: %s\n", err->message);
      return 1;
    }
  GPtrArray *batches = dp_harness_outputs (src, 0);
  guint64 n = 0;
  for (guint i = 0; i < batches->len; i++)
    n += ((DpPackets *) g_ptr_array_index (batches, i))->n_rows;
  guint64 reps = 3;
  if (argc > 2 && !g_ascii_string_to_unsigned (argv[2], 10, 1, 1000, &reps, NULL))
    {
      fprintf (stderr, "taxonomy-stage: repetitions '%s' is not an integer in [1, 1000]\n", argv[2]);
      return 2;
    }
  for (guint64 r = 0; r < reps; r++)
    {
      g_autoptr (DpHarness) h = dp_harness_new ("taxonomy", argc > 3 ? argv[3] : NULL, &err);
      if (!h)
        {
          fprintf (stderr, "taxonomy-stage: %s\n", err->message);
          return 1;
        }
      double t0 = stage_cpu_seconds ();
      for (guint i = 0; i < batches->len; i++)
        dp_harness_push (h, 0, g_ptr_array_index (batches, i), NULL);
      dp_harness_finish (h, NULL);
      double t1 = stage_cpu_seconds ();
      printf ("%" G_GUINT64_FORMAT " %.3f\n", n, t1 - t0);
    }
  return 0;
}
