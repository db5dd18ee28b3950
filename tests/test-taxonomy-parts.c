/* test-taxonomy-parts.c — the taxonomy's window kept by source partition
 * (plugins/detector/taxonomy/taxonomy-parts.c): a partition flooded with
 * one repeated triple is compacted without changing a count, a time or
 * the order of a source's first packets (which ZMap's order test reads);
 * a partition of distinct triples is not; compacted windows survive a
 * state file; sources across many partitions come out in address order. */
#include "config.h"

#include <string.h>

#include "dp-test.h"

#define T0 G_GINT64_CONSTANT (1599998400)
#define TS_MS(ms) (DP_TEST_SEC (T0) + (gint64) (ms) * 1000000)

/* one partition (203.0.0.0/12): a flooder, a ZMap walker, a UDP scanner */
#define FLOODER DP_TEST_IP (203, 0, 113, 1)
#define WALKER DP_TEST_IP (203, 0, 113, 2)
#define SCANNER DP_TEST_IP (203, 0, 113, 3)
/* another (100.64.0.0/12): a scan of more distinct triples than a first
 * compaction waits for */
#define SWEEPER DP_TEST_IP (100, 64, 0, 1)

enum { N_FLOOD = 200000, N_WALK = 16, N_SCAN = 1000, N_SWEEP = 70000 };

/* Flood packet i at i * 15 ms (within the first hour), the others between
 * them: every 12000th flood packet a walker SYN, every 200th a scanner
 * probe, and the sweeper's SYNs spread evenly. */
static DpPackets *
flood_packets (void)
{
  DpPackets *p = dp_packets_new (N_FLOOD + N_WALK + N_SCAN + N_SWEEP);
  guint walk = 0, scan = 0, sweep = 0;
  guint64 x = 12345;   /* the walk: x -> 3x mod 65537 over one /16 */
  for (guint i = 0; i < N_FLOOD; i++)
    {
      gint64 ts = TS_MS ((gint64) i * 15);
      dp_test_add_packet (p, ts, FLOODER, DP_TEST_IP (10, 20, 99, 1), 17, 40000, 53, 0);
      if (i % 12000 == 0 && walk < N_WALK)
        {
          guint r = dp_test_add_packet (p, ts + 1, WALKER, DP_TEST_IP (10, 20, 0, 0) + (guint32) (x - 1), 6,
                                        40000 + walk, 443, 0x02);
          p->tcp_seq[r] = 0x9e3779b9u * (walk + 1);
          p->ip_id[r] = (guint16) (1000 + 7 * walk);
          p->ttl[r] = 57;
          p->tcp_win[r] = 65535;
          p->tcp_optlen[r] = 0;
          x = x * 3 % 65537;
          walk++;
        }
      if (i % 200 == 0 && scan < N_SCAN)
        {
          dp_test_add_packet (p, ts + 2, SCANNER, DP_TEST_IP (10, 20, 50, 0) + scan, 17, 40000, 161, 0);
          scan++;
        }
      for (; sweep < (guint64) (i + 1) * N_SWEEP / N_FLOOD; sweep++)
        dp_test_add_packet (p, ts + 3, SWEEPER, DP_TEST_IP (10, 20, 0, 0) + sweep, 6, 40000, 23, 0x02);
    }
  g_assert_cmpuint (walk, ==, N_WALK);
  g_assert_cmpuint (scan, ==, N_SCAN);
  g_assert_cmpuint (sweep, ==, N_SWEEP);
  return p;
}

/* Pushes rows [from, to) of @p in batches of 16384, as the pcap source does. */
static void
push_rows (DpHarness *h, const DpPackets *p, guint from, guint to)
{
  for (guint i = from; i < to; i += 16384)
    {
      g_autoptr (DpPackets) b = dp_packets_slice (p, i, MIN (16384u, to - i));
      dp_test_push (h, 0, b);
    }
}

static gint64
cell_i64 (const DpTable *t, const char *col, guint row)
{
  gint c = dp_table_find_column (t, col);
  g_assert_cmpint (c, >=, 0);
  return t->cols[c].i64[row];
}

/* The row of @pattern for @src in the events table: fails when absent. */
static guint
event_row (const DpTable *t, const char *pattern, guint32 src)
{
  gint cp = dp_table_find_column (t, "pattern"), cs = dp_table_find_column (t, "src");
  for (guint r = 0; r < t->n_rows; r++)
    if (strcmp (t->cols[cp].str[r], pattern) == 0 && t->cols[cs].ip[r] == src)
      return r;
  g_error ("no %s event for source %08x", pattern, src);
}

/* Every row of every table of each port as text. */
static char *
tables_text (DpHarness *h)
{
  GString *s = g_string_new (NULL);
  for (guint port = 0; port < 3; port++)
    dp_test_append_rows (h, port, s);
  return g_string_free (s, FALSE);
}

static void
test_compaction (void)
{
  g_autoptr (DpPackets) p = flood_packets ();
  g_autoptr (DpHarness) h = dp_test_harness ("taxonomy", NULL);
  push_rows (h, p, 0, p->n_rows);
  dp_test_finish (h);
  /* the flooded partition was compacted, more than once (the sweeper's
   * was tried too, in vain: its triples are distinct) */
  g_assert_cmpuint (dp_harness_counter (h, "partitions-compacted"), >=, 2);

  DpTable *src = dp_harness_output (h, "sources");
  g_assert_cmpuint (src->n_rows, ==, 4);
  gint cs = dp_table_find_column (src, "src"), ct = dp_table_find_column (src, "tool");
  static const guint32 order[] = { SWEEPER, FLOODER, WALKER, SCANNER };
  static const gint64 packets[] = { N_SWEEP, N_FLOOD, N_WALK, N_SCAN };
  for (guint r = 0; r < 4; r++)
    {
      g_assert_cmphex (src->cols[cs].ip[r], ==, order[r]);
      g_assert_cmpint (cell_i64 (src, "packets", r), ==, packets[r]);
    }
  /* the walker's SYNs, spread over the flood's compactions, still walk
   * ZMap's group in the order they came */
  g_assert_cmpint (cell_i64 (src, "zmap41", 2), ==, N_WALK);
  g_assert_cmpstr (src->cols[ct].str[2], ==, "zmap41");

  DpTable *ev = dp_harness_output (h, "events");
  guint r = event_row (ev, "one_flow_udp", FLOODER);
  g_assert_cmpint (cell_i64 (ev, "packets", r), ==, N_FLOOD);
  g_assert_cmpint (cell_i64 (ev, "first_ts", r), ==, TS_MS (0));
  g_assert_cmpint (cell_i64 (ev, "last_ts", r), ==, TS_MS ((gint64) (N_FLOOD - 1) * 15));
  r = event_row (ev, "net_scan_udp_light", SCANNER);
  g_assert_cmpint (cell_i64 (ev, "n_dst", r), ==, N_SCAN);
  r = event_row (ev, "net_scan_tcp_light", SWEEPER);
  g_assert_cmpint (cell_i64 (ev, "n_dst", r), ==, N_SWEEP);
  g_assert_cmpint (cell_i64 (ev, "packets", r), ==, N_SWEEP);
  /* the first sweep SYN rides with flood packet 2 */
  g_assert_cmpint (cell_i64 (ev, "first_ts", r), ==, TS_MS (2 * 15) + 3);
}

/* A window saved with compacted partitions and resumed gives the tables
 * of one run, whichever row the run stopped at. */
static void
test_compaction_state (void)
{
  g_autoptr (DpPackets) p = flood_packets ();
  g_autoptr (DpHarness) one = dp_test_harness ("taxonomy", NULL);
  push_rows (one, p, 0, p->n_rows);
  dp_test_finish (one);
  g_autofree char *want = tables_text (one);
  g_autofree char *dir = dp_test_tmpdir ();
  static const guint cuts[] = { 100000, 200001 };
  for (guint k = 0; k < G_N_ELEMENTS (cuts); k++)
    {
      g_autofree char *path = g_build_filename (dir, "tax.state", NULL);
      g_autofree char *first = g_strdup_printf ("state_path: %s", path);
      g_autofree char *last = g_strdup_printf ("state_path: %s\nstate_final: true", path);
      g_autoptr (DpHarness) a = dp_test_harness ("taxonomy", first);
      push_rows (a, p, 0, cuts[k]);
      dp_test_finish (a);
      g_assert_cmpuint (dp_harness_counter (a, "windows-saved"), ==, 1);
      g_autoptr (DpHarness) b = dp_test_harness ("taxonomy", last);
      push_rows (b, p, cuts[k], p->n_rows);
      dp_test_finish (b);
      g_assert_cmpuint (dp_harness_counter (b, "windows-restored"), ==, 1);
      g_autofree char *got = tables_text (b);
      g_assert_cmpstr (got, ==, want);
    }
  dp_test_rmtree (dir);
}

/* Sources in many partitions and several to a partition (both sides of
 * /12 boundaries, the lowest and highest IPv4 addresses, name keys):
 * rows in address order, each with the packets it sent. */
static void
test_partition_order (void)
{
  g_autoptr (GRand) g = g_rand_new_with_seed (17);
  g_autoptr (DpNameMap) names = dp_name_map_new ();
  GArray *srcs = g_array_new (FALSE, FALSE, sizeof (guint32));
  static const guint32 fixed[] = { 1, DP_TEST_IP (10, 15, 255, 255), DP_TEST_IP (10, 16, 0, 0),
                                   DP_TEST_IP (10, 16, 0, 1), DP_TEST_IP (239, 255, 255, 255) };
  for (guint k = 0; k < G_N_ELEMENTS (fixed); k++)
    g_array_append_val (srcs, fixed[k]);
  for (guint k = 0; k < 3000; k++)
    {
      /* random, or near another (one partition) */
      guint32 a = g_rand_int (g) % DP_TEST_IP (224, 0, 0, 0);
      if (k % 3 == 0)
        {
          guint32 near = g_array_index (srcs, guint32, g_rand_int_range (g, 0, (gint32) srcs->len));
          a = near < DP_TEST_IP (224, 0, 0, 0) - 8 ? near + 1 + k % 7 : near - 1 - k % 7;
        }
      g_array_append_val (srcs, a);
    }
  for (guint k = 0; k < 40; k++)
    {
      guint8 b[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (guint8) (k >> 8), (guint8) k };
      guint32 key;
      g_assert_true (dp_name_map_intern_ip6 (names, b, 128, &key));
      g_array_append_val (srcs, key);
    }
  g_autoptr (GHashTable) sent = g_hash_table_new (g_direct_hash, g_direct_equal);
  g_autoptr (DpPackets) p = dp_packets_new (16384);
  dp_packets_set_names (p, names);
  for (guint i = 0; i < 20000; i++)
    {
      guint32 s = g_array_index (srcs, guint32, g_rand_int_range (g, 0, (gint32) srcs->len));
      dp_test_add_packet (p, TS_MS (i), s, DP_TEST_IP (10, 20, 0, i % 200), 6, 40000, 23, 0x02);
      g_hash_table_insert (sent, GUINT_TO_POINTER (s),
                           GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (sent, GUINT_TO_POINTER (s))) + 1));
    }
  g_array_unref (srcs);
  g_autoptr (DpHarness) h = dp_test_run ("taxonomy", NULL, p, NULL);
  DpTable *t = dp_harness_output (h, "sources");
  g_assert_cmpuint (t->n_rows, ==, g_hash_table_size (sent));
  gint cs = dp_table_find_column (t, "src");
  for (guint r = 0; r < t->n_rows; r++)
    {
      guint32 s = t->cols[cs].ip[r];
      if (r > 0)
        g_assert_cmphex (s, >, t->cols[cs].ip[r - 1]);
      g_assert_cmpint (cell_i64 (t, "packets", r), ==, GPOINTER_TO_UINT (g_hash_table_lookup (sent, GUINT_TO_POINTER (s))));
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/plugin/taxonomy/parts/compaction", test_compaction);
  g_test_add_func ("/plugin/taxonomy/parts/compaction-state", test_compaction_state);
  g_test_add_func ("/plugin/taxonomy/parts/partition-order", test_partition_order);
  return g_test_run ();
}
