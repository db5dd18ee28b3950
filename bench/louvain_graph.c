/* louvain_graph.c — bench driver: makes or reads a graph and runs
 * darkpipe's louvain on it through the test harness, once per thread count
 * of --threads and round, alternating (1, 2, 1, 2, ...).  Prints one line
 * per run: "run THREADS SECONDS CPU_SECONDS MODULARITY CLUSTERS" (the CPU
 * time of the process over the run: on a shared machine the wall time of a
 * threaded run says little without it), then "peak_kb KB" (the process's
 * resident peak, graph included).  With --probe S, first "cores X": the
 * CPU seconds per second that two threads spinning for S seconds got, the
 * cores this run could have used then (on a shared machine where each
 * session gets its share, as with the kernel's autogroups, 2 threads can
 * be no faster than 1 when this is 1 or less).
 *
 *   --mode random:  EDGES edges between uniformly drawn distinct nodes
 *                   (multi-edges kept), no community structure;
 *   --mode planted: nodes in groups of uniform random size in [size-min,
 *                   size-max], node ids shuffled; each edge starts at a
 *                   uniform node and ends with probability 1 - mix in its
 *                   group, else anywhere; EDGES distinct edges (duplicates
 *                   drawn again);
 *   --read PATH:    the graph of an edge list, "u v" or "u v w" lines (ids
 *                   from 0; nodes: the largest id + 1, or --nodes).
 *
 *   louvain_graph (--mode random|planted --nodes N --edges M [--seed S]
 *                  [--mix MU] [--size-min A] [--size-max B] | --read PATH)
 *                 [--edge-file PATH] [--threads 1,2] [--rounds R]
 *                 [--options YAML] [--clusters-out PREFIX] [--probe S]
 * --edge-file writes the generated edges ("u v" lines, igraph's
 * Read_Edgelist); --clusters-out writes PREFIX.THREADS, each node's cluster
 * (a line per node) of the last run with that many threads. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include "darkpipe.h"
#include "dp-harness.h"

typedef struct {
  guint n;
  guint64 m;
  guint64 *key;    /* u << 32 | v */
  float *w;        /* NULL: all 1 */
} Edges;

static int
cmp_u64 (const void *a, const void *b)
{
  guint64 x = *(const guint64 *) a, y = *(const guint64 *) b;
  return x < y ? -1 : x > y;
}

/* Sorted distinct keys u << 32 | v (u < v) of a planted-partition graph. */
static guint64 *
planted_edges (GRand *r, guint n, guint64 m, double mix, guint smin, guint smax)
{
  /* groups over a shuffled node order: members of group g are
   * perm[first[g]] .. perm[first[g + 1] - 1] */
  g_autofree guint32 *perm = g_new (guint32, n);
  for (guint i = 0; i < n; i++)
    perm[i] = i;
  for (guint i = n; i > 1; i--)
    {
      guint j = (guint) g_rand_int_range (r, 0, (gint32) i);
      guint32 t = perm[i - 1];
      perm[i - 1] = perm[j];
      perm[j] = t;
    }
  g_autoptr (GArray) first = g_array_new (FALSE, FALSE, sizeof (guint));
  guint at = 0;
  while (at < n)
    {
      g_array_append_val (first, at);
      at += MIN ((guint) g_rand_int_range (r, (gint32) smin, (gint32) smax + 1), n - at);
    }
  g_array_append_val (first, n);
  g_autofree guint32 *group = g_new (guint32, n);
  g_autofree guint32 *pos = g_new (guint32, n);   /* node -> index in perm */
  for (guint g = 0; g + 1 < first->len; g++)
    for (guint p = g_array_index (first, guint, g); p < g_array_index (first, guint, g + 1); p++)
      {
        group[perm[p]] = g;
        pos[perm[p]] = p;
      }
  guint64 *key = g_new (guint64, m);
  guint64 have = 0;
  while (have < m)
    {
      for (guint64 e = have; e < m; e++)
        {
          guint32 u = (guint32) g_rand_int_range (r, 0, (gint32) n), v;
          guint lo = g_array_index (first, guint, group[u]), hi = g_array_index (first, guint, group[u] + 1);
          if (hi - lo < 2 || g_rand_double (r) < mix)
            do
              v = (guint32) g_rand_int_range (r, 0, (gint32) n);
            while (v == u);
          else
            {
              /* a member other than u: draw among hi - lo - 1 and skip u */
              guint p = lo + (guint) g_rand_int_range (r, 0, (gint32) (hi - lo - 1));
              v = perm[p >= pos[u] ? p + 1 : p];
            }
          key[e] = ((guint64) MIN (u, v) << 32) | MAX (u, v);
        }
      qsort (key, m, sizeof *key, cmp_u64);
      have = 0;
      for (guint64 e = 0; e < m; e++)
        if (have == 0 || key[have - 1] != key[e])
          key[have++] = key[e];
    }
  return key;
}

/* Keys of a random graph, drawn as the first version of this bench did. */
static guint64 *
random_edges (GRand *r, guint n, guint64 m)
{
  guint64 *key = g_new (guint64, m);
  for (guint64 e = 0; e < m; e++)
    {
      guint32 u = (guint32) g_rand_int_range (r, 0, (gint32) n), v;
      do
        v = (guint32) g_rand_int_range (r, 0, (gint32) n);
      while (v == u);
      key[e] = ((guint64) u << 32) | v;
    }
  return key;
}

/* An edge list file; FALSE with a message naming the line when it is bad. */
static gboolean
read_edges (const char *path, guint nodes, Edges *out)
{
  FILE *f = fopen (path, "r");
  if (f == NULL)
    {
      fprintf (stderr, "louvain_graph: %s: %s\n", path, g_strerror (errno));
      return FALSE;
    }
  g_autoptr (GArray) key = g_array_new (FALSE, FALSE, sizeof (guint64));
  g_autoptr (GArray) w = g_array_new (FALSE, FALSE, sizeof (float));
  char line[256];
  guint64 lineno = 0, top = 0;
  gboolean weighted = FALSE, ok = TRUE;
  while (ok && fgets (line, sizeof line, f))
    {
      lineno++;
      char *p = line, *end;
      errno = 0;
      guint64 u = g_ascii_strtoull (p, &end, 10);
      ok = end != p && errno == 0 && u < G_MAXUINT32;
      guint64 v = ok ? g_ascii_strtoull (p = end, &end, 10) : 0;
      ok = ok && end != p && errno == 0 && v < G_MAXUINT32;
      double x = 1;
      if (ok)
        {
          p = end;
          x = g_ascii_strtod (p, &end);
          if (end == p)
            x = 1;
          else
            weighted = TRUE;
          while (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n')
            end++;
          ok = *end == '\0' && errno == 0;
        }
      if (!ok)
        {
          fprintf (stderr, "louvain_graph: %s:%" G_GUINT64_FORMAT ": not \"u v [w]\"\n", path, lineno);
          break;
        }
      guint64 k = u << 32 | v;
      float wf = (float) x;
      g_array_append_val (key, k);
      g_array_append_val (w, wf);
      top = MAX (top, MAX (u, v) + 1);
    }
  if (ok && ferror (f))
    {
      fprintf (stderr, "louvain_graph: %s: read error\n", path);
      ok = FALSE;
    }
  fclose (f);
  if (ok && nodes && top > nodes)
    {
      fprintf (stderr, "louvain_graph: %s: node id %" G_GUINT64_FORMAT " >= --nodes %u\n", path, top - 1, nodes);
      ok = FALSE;
    }
  if (!ok)
    return FALSE;
  out->n = nodes ? nodes : (guint) top;
  out->m = key->len;
  out->key = (guint64 *) g_array_free (g_steal_pointer (&key), FALSE);
  out->w = weighted ? (float *) g_array_free (g_steal_pointer (&w), FALSE) : NULL;
  return TRUE;
}

static DpGraph *
csr_of (const Edges *ed)
{
  guint n = ed->n;
  g_autoptr (DpVocab) vocab = dp_vocab_new ();
  for (guint i = 0; i < n; i++)
    dp_vocab_add (vocab, DP_TOKEN (DP_TOK_IP, i + 1));
  DpGraph *g = dp_graph_new (vocab, n, 2 * ed->m);
  for (guint64 e = 0; e < ed->m; e++)
    {
      g->rowptr[(ed->key[e] >> 32) + 1]++;
      g->rowptr[(ed->key[e] & 0xffffffffu) + 1]++;
    }
  for (guint i = 0; i < n; i++)
    g->rowptr[i + 1] += g->rowptr[i];
  g_autofree guint64 *fill = g_memdup2 (g->rowptr, (gsize) n * sizeof (guint64));
  for (guint64 e = 0; e < ed->m; e++)
    {
      guint32 u = (guint32) (ed->key[e] >> 32), v = (guint32) (ed->key[e] & 0xffffffffu);
      float w = ed->w ? ed->w[e] : 1;
      g->col[fill[u]] = v;
      g->weight[fill[u]++] = w;
      g->col[fill[v]] = u;
      g->weight[fill[v]++] = w;
    }
  return g;
}

static double
cpu_seconds (void)
{
  struct rusage ru;
  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static gpointer
spin (gpointer data)
{
  gint64 end = g_get_monotonic_time () + (gint64) (*(double *) data * 1e6);
  volatile guint64 x = 0;
  while (g_get_monotonic_time () < end)
    x++;
  return NULL;
}

/* CPU seconds per second that two spinning threads get over @secs. */
static double
probe_cores (double secs)
{
  double cpu0 = cpu_seconds ();
  GThread *t = g_thread_new ("spin", spin, &secs);
  spin (&secs);
  g_thread_join (t);
  return (cpu_seconds () - cpu0) / secs;
}

static gboolean
write_clusters (DpHarness *h, const char *prefix, guint threads)
{
  g_autofree char *path = g_strdup_printf ("%s.%u", prefix, threads);
  DpTable *t = dp_harness_output (h, "clusters");
  FILE *f = fopen (path, "w");
  for (guint r = 0; f && r < t->n_rows; r++)
    fprintf (f, "%" G_GINT64_FORMAT "\n", t->cols[1].i64[r]);
  if (f == NULL || fclose (f) != 0)
    {
      perror (path);
      return FALSE;
    }
  return TRUE;
}

static gboolean
run_louvain (DpGraph *g, const char *options, guint threads, const char *clusters_out, GError **error)
{
  g_autoptr (DpHarness) h = dp_harness_new ("louvain", options, error);
  if (h == NULL)
    return FALSE;
  dp_harness_set_threads (h, threads);
  if (!dp_harness_push (h, 0, g, error))
    return FALSE;
  double cpu0 = cpu_seconds ();
  gint64 t0 = g_get_monotonic_time ();
  if (!dp_harness_finish (h, error))
    return FALSE;
  double secs = (g_get_monotonic_time () - t0) / 1e6, cpu = cpu_seconds () - cpu0;
  DpTable *s = dp_harness_output (h, "summary");
  printf ("run %u %.3f %.3f %.6f %" G_GINT64_FORMAT "\n", threads, secs, cpu, s->cols[0].f64[0], s->cols[2].i64[0]);
  fflush (stdout);
  return clusters_out == NULL || write_clusters (h, clusters_out, threads);
}

int
main (int argc, char **argv)
{
  g_autofree char *mode = NULL, *read = NULL, *edge_file = NULL, *threads = NULL, *options = NULL,
                  *clusters_out = NULL;
  gint64 nodes = 0, edges = 0, seed = 1, smin = 50, smax = 1950, rounds = 1;
  double mix = 0.3, probe = 0;
  GOptionEntry entries[] = {
    { "mode", 0, 0, G_OPTION_ARG_STRING, &mode, "random or planted", "MODE" },
    { "read", 0, 0, G_OPTION_ARG_FILENAME, &read, "read the graph from this edge list", "PATH" },
    { "nodes", 0, 0, G_OPTION_ARG_INT64, &nodes, "nodes", "N" },
    { "edges", 0, 0, G_OPTION_ARG_INT64, &edges, "edges", "M" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "generator seed", "S" },
    { "mix", 0, 0, G_OPTION_ARG_DOUBLE, &mix, "planted: share of edges drawn anywhere", "MU" },
    { "size-min", 0, 0, G_OPTION_ARG_INT64, &smin, "planted: smallest group", "A" },
    { "size-max", 0, 0, G_OPTION_ARG_INT64, &smax, "planted: largest group", "B" },
    { "edge-file", 0, 0, G_OPTION_ARG_FILENAME, &edge_file, "write the generated edges here", "PATH" },
    { "threads", 0, 0, G_OPTION_ARG_STRING, &threads, "thread counts to run, comma-separated", "LIST" },
    { "rounds", 0, 0, G_OPTION_ARG_INT64, &rounds, "runs of each thread count (0: only make the graph)", "R" },
    { "options", 0, 0, G_OPTION_ARG_STRING, &options, "louvain's options (YAML)", "YAML" },
    { "clusters-out", 0, 0, G_OPTION_ARG_FILENAME, &clusters_out, "write PREFIX.THREADS", "PREFIX" },
    { "probe", 0, 0, G_OPTION_ARG_DOUBLE, &probe, "first measure the cores available over S seconds", "S" },
    { NULL }
  };
  GError *error = NULL;
  g_autoptr (GOptionContext) oc = g_option_context_new ("- run louvain on a generated or given graph");
  g_option_context_add_main_entries (oc, entries, NULL);
  if (!g_option_context_parse (oc, &argc, &argv, &error))
    {
      fprintf (stderr, "louvain_graph: %s\n", error->message);
      return 2;
    }
  gboolean planted = mode && strcmp (mode, "planted") == 0, random = mode && strcmp (mode, "random") == 0;
  if ((read == NULL) == !(planted || random) || nodes < 0 || nodes > G_MAXINT32 || rounds < 0
      || (!read && (nodes < 2 || edges < 1)) || smin < 1 || smax < smin || mix < 0 || mix > 1
      || (planted && (guint64) edges > (guint64) nodes * (nodes - 1) / 4))
    {
      fprintf (stderr, "louvain_graph: bad arguments (see --help)\n");
      return 2;
    }
  Edges ed = { (guint) nodes, (guint64) edges, NULL, NULL };
  if (read)
    {
      if (!read_edges (read, (guint) nodes, &ed))
        return 1;
    }
  else
    {
      g_autoptr (GRand) r = g_rand_new_with_seed ((guint32) seed);
      ed.key = planted ? planted_edges (r, ed.n, ed.m, mix, (guint) smin, (guint) smax) : random_edges (r, ed.n, ed.m);
    }
  if (edge_file)
    {
      FILE *f = fopen (edge_file, "w");
      for (guint64 e = 0; f && e < ed.m; e++)
        fprintf (f, "%u %u\n", (guint32) (ed.key[e] >> 32), (guint32) (ed.key[e] & 0xffffffffu));
      if (f == NULL || fclose (f) != 0)
        {
          perror (edge_file);
          return 1;
        }
    }
  g_autoptr (DpGraph) g = rounds > 0 ? csr_of (&ed) : NULL;
  g_free (ed.key);
  g_free (ed.w);
  if (probe > 0)
    printf ("cores %.2f\n", probe_cores (probe));
  g_auto (GStrv) list = g_strsplit (threads ? threads : "1", ",", -1);
  for (gint64 round = 0; round < rounds; round++)
    for (guint t = 0; list[t]; t++)
      if (!run_louvain (g, options, (guint) g_ascii_strtoull (list[t], NULL, 10), clusters_out, &error))
        {
          fprintf (stderr, "louvain_graph: %s\n", error->message);
          return 1;
        }
  struct rusage ru;
  getrusage (RUSAGE_SELF, &ru);
  printf ("peak_kb %ld\n", ru.ru_maxrss);
  return 0;
}
