/* louvain_random.c — bench driver: darkpipe's louvain (through the test
 * harness) on a random graph without community structure, where Louvain
 * implementations that sweep every node until nothing moves are slow
 * (performance-notes.md).  Writes the edge list for the peers.
 *   louvain_random NODES EDGES SEED EDGE_FILE */
#include <stdio.h>
#include <stdlib.h>
#include "darkpipe.h"

int
main (int argc, char **argv)
{
  if (argc != 5)
    {
      fprintf (stderr, "usage: %s NODES EDGES SEED EDGE_FILE\n", argv[0]);
      return 2;
    }
  guint n = (guint) g_ascii_strtoull (argv[1], NULL, 10);
  guint64 m = g_ascii_strtoull (argv[2], NULL, 10);
  g_autoptr (DpVocab) vocab = dp_vocab_new ();
  for (guint i = 0; i < n; i++)
    dp_vocab_add (vocab, DP_TOKEN (DP_TOK_IP, i + 1));
  g_autoptr (GRand) r = g_rand_new_with_seed ((guint32) g_ascii_strtoull (argv[3], NULL, 10));
  g_autofree guint32 *u = g_new (guint32, m);
  g_autofree guint32 *v = g_new (guint32, m);
  g_autoptr (DpGraph) g = dp_graph_new (vocab, n, 2 * m);
  FILE *f = fopen (argv[4], "w");
  for (guint64 e = 0; e < m; e++)
    {
      u[e] = (guint32) g_rand_int_range (r, 0, (gint32) n);
      do
        v[e] = (guint32) g_rand_int_range (r, 0, (gint32) n);
      while (v[e] == u[e]);
      g->rowptr[u[e] + 1]++;
      g->rowptr[v[e] + 1]++;
      fprintf (f, "%u %u\n", u[e], v[e]);
    }
  fclose (f);
  for (guint i = 0; i < n; i++)
    g->rowptr[i + 1] += g->rowptr[i];
  g_autofree guint64 *fill = g_memdup2 (g->rowptr, (gsize) n * sizeof (guint64));
  for (guint64 e = 0; e < m; e++)
    {
      g->col[fill[u[e]]] = v[e];
      g->weight[fill[u[e]]++] = 1;
      g->col[fill[v[e]]] = u[e];
      g->weight[fill[v[e]]++] = 1;
    }
  GError *error = NULL;
  g_autoptr (DpHarness) h = dp_harness_new ("louvain", NULL, &error);
  if (h == NULL || !dp_harness_push (h, 0, g, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  gint64 t0 = g_get_monotonic_time ();
  gboolean ok = dp_harness_finish (h, &error);
  double secs = (g_get_monotonic_time () - t0) / 1e6;
  if (!ok)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  DpTable *s = dp_harness_output (h, "summary");
  printf ("%.3f %.6f %" G_GINT64_FORMAT "\n", secs, s->cols[0].f64[0], s->cols[2].i64[0]);
  return 0;
}
