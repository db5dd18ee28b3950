/* test-port-baseline.c — the port_baseline plugin on dp_test_port_traffic:
 * per-class top ports and the feature vectors by hand, options, no labels,
 * no packets, pseudonymised traffic joined with pseudonymised labels. */
#include "config.h"

#include <math.h>
#include <string.h>
#include "dp-hash.h"
#include "dp-test.h"

#define IP(i) DP_TEST_IP (10, 0, 0, (i))

/* 10.0.0.1 and .2 are mirai, .3 censys, .4 unlabelled */
static DpTable *
make_traffic_labels (void)
{
  const guint32 ips[] = { IP (1), IP (2), IP (3) };
  const char *const lab[] = { "mirai", "mirai", "censys" };
  return dp_test_labels (3, ips, lab);
}

static void
test_port_baseline_hand (void)
{
  g_autoptr (DpPackets) p = dp_test_port_traffic ();
  g_autoptr (DpTable) l = make_traffic_labels ();
  g_autoptr (DpHarness) h = dp_test_run ("port_baseline", "top_ports: 2", p, l);
  DpTable *ports = dp_harness_output (h, "ports");
  g_assert_cmpuint (ports->n_rows, ==, 6);
  /* class order censys, mirai, unknown; each its two busiest ports */
  const char *want[][2] = { { "80/tcp", "censys" }, { "443/tcp", "censys" }, { "23/tcp", "mirai" },
                            { "2323/tcp", "mirai" }, { "445/tcp", "unknown" }, { "-/icmp", "unknown" } };
  for (guint r = 0; r < 6; r++)
    {
      g_autofree char *pp = dp_test_cell (ports, 1, r), *cls = dp_test_cell (ports, 2, r);
      g_assert_cmpstr (pp, ==, want[r][0]);
      g_assert_cmpstr (cls, ==, want[r][1]);
    }
  g_assert_cmpint (ports->cols[3].i64[2], ==, 10);
  DpEmbedding *e = dp_harness_output (h, "embedding");
  g_assert_cmpuint (e->n, ==, 4);
  g_assert_cmpuint (e->dim, ==, 6);
  const float want_v[4][6] = { { 0, 0, 0.75f, 0.25f, 0, 0 }, { 0, 0, 1, 0, 0, 0 },
                               { 0.5f, 1 / 3.0f, 0, 0, 0, 0 }, { 0, 0, 0, 0, 5 / 6.0f, 1 / 6.0f } };
  for (guint i = 0; i < 4; i++)
    {
      gint64 row = dp_vocab_lookup (e->vocab, DP_TOKEN (DP_TOK_IP, IP (i + 1)));
      g_assert_cmpint (row, >=, 0);
      for (guint d = 0; d < 6; d++)
        g_assert_cmpfloat_with_epsilon (e->vectors[row * 6 + d], want_v[i][d], 1e-6);
    }
  g_assert_cmpuint (dp_harness_counter (h, "zero-vectors"), ==, 0);
}

/* ------------------------------------------------------------------ */
/* ties between identical vectors */

#define TIE_N 40

/* 10.0.0.1..40 each send 3 packets to 23/tcp only (identical vectors);
 * 10.0.0.41..43 send 3 packets each to 9999/udp, which no class chooses
 * with top_ports: 1 (all-zero vectors). */
static DpPackets *
tie_traffic (void)
{
  DpPackets *p = dp_packets_new (256);
  guint t = 0;
  for (guint s = 1; s <= TIE_N + 3; s++)
    for (guint k = 0; k < 3; k++)
      dp_test_add_probe (p, DP_TEST_SEC (t++), s, s <= TIE_N ? 6 : 17, s <= TIE_N ? 23 : 9999);
  return p;
}

/* Labels: the first half of the 40 (by address) "a", the rest "b", or
 * the other way round. */
static DpTable *
tie_labels (gboolean swapped)
{
  guint32 ips[TIE_N];
  const char *lab[TIE_N];
  for (guint i = 0; i < TIE_N; i++)
    {
      ips[i] = IP (i + 1);
      lab[i] = (i < TIE_N / 2) != swapped ? "a" : "b";
    }
  return dp_test_labels (TIE_N, ips, lab);
}

/* The documented order, computed here: by splitmix64 (mix (seed) ^ address),
 * then address. */
static guint64 tie_seed;

static gint
tie_cmp (gconstpointer a, gconstpointer b)
{
  guint32 x = *(const guint32 *) a, y = *(const guint32 *) b;
  guint64 hx = dp_hash_mix (dp_hash_mix (tie_seed) ^ x), hy = dp_hash_mix (dp_hash_mix (tie_seed) ^ y);
  return hx != hy ? (hx < hy ? -1 : 1) : (x < y ? -1 : x > y);
}

static void
test_port_baseline_ties (void)
{
  g_autoptr (DpPackets) p = tie_traffic ();
  g_autoptr (DpTable) l = tie_labels (FALSE);
  g_autoptr (DpTable) swapped = tie_labels (TRUE);
  g_autoptr (DpHarness) h = dp_test_run ("port_baseline", "top_ports: 1\ninclude_unknown: false", p, l);
  g_autoptr (DpHarness) hs = dp_test_run ("port_baseline", "top_ports: 1\ninclude_unknown: false", p, swapped);
  DpEmbedding *e = dp_harness_output (h, "embedding"), *es = dp_harness_output (hs, "embedding");
  g_assert_cmpuint (e->n, ==, TIE_N + 3);
  g_assert_cmpuint (e->dim, ==, 1);   /* 23/tcp, chosen by both classes */
  /* the three 9999/udp senders have all-zero vectors, and are counted */
  g_assert_cmpuint (dp_harness_counter (h, "zero-vectors"), ==, 3);
  /* rows in the documented hash order, the same whatever the labels */
  guint32 want[TIE_N + 3];
  for (guint i = 0; i < TIE_N + 3; i++)
    want[i] = IP (i + 1);
  tie_seed = 15;
  qsort (want, TIE_N + 3, sizeof *want, (int (*) (const void *, const void *)) tie_cmp);
  gboolean ascending = TRUE;
  for (guint i = 0; i < e->n; i++)
    {
      g_assert_cmpuint (e->vocab->keys[i], ==, DP_TOKEN (DP_TOK_IP, want[i]));
      g_assert_cmpuint (es->vocab->keys[i], ==, e->vocab->keys[i]);
      ascending &= i == 0 || want[i] > want[i - 1];
    }
  g_assert_false (ascending);
  /* through knn_classify: the 7 neighbours of a source among the 40 equal
   * vectors are the first 7 others in that order, not the lowest addresses */
  g_autoptr (DpHarness) k = dp_test_run ("knn_classify", "k: 7", e, l);
  DpTable *pred = dp_harness_output (k, "predictions");
  g_assert_cmpuint (pred->n_rows, ==, TIE_N);
  g_autoptr (GString) first7 = g_string_new (NULL);
  guint taken = 0;
  for (guint i = 0; taken < 7; i++)
    if (want[i] <= IP (TIE_N) && want[i] != pred->cols[0].ip[0])   /* not a zero vector, not itself */
      g_string_append_printf (first7, "%s10.0.0.%u", taken++ ? ";" : "", want[i] & 0xff);
  g_autofree char *got = dp_test_cell_named (pred, "neighbours", 0);
  g_assert_cmpstr (got, ==, first7->str);
  /* order: address restores the ascending rows */
  g_autoptr (DpHarness) ha = dp_test_run ("port_baseline", "top_ports: 1\ninclude_unknown: false\norder: address", p, l);
  DpEmbedding *ea = dp_harness_output (ha, "embedding");
  for (guint i = 0; i < ea->n; i++)
    g_assert_cmpuint (ea->vocab->keys[i], ==, DP_TOKEN (DP_TOK_IP, IP (i + 1)));
  /* another seed, another order */
  g_autoptr (DpHarness) h2 = dp_test_run ("port_baseline", "top_ports: 1\ninclude_unknown: false\nseed: 16", p, l);
  DpEmbedding *e2 = dp_harness_output (h2, "embedding");
  tie_seed = 16;
  qsort (want, TIE_N + 3, sizeof *want, (int (*) (const void *, const void *)) tie_cmp);
  for (guint i = 0; i < e2->n; i++)
    g_assert_cmpuint (e2->vocab->keys[i], ==, DP_TOKEN (DP_TOK_IP, want[i]));
}

static void
test_port_baseline_options (void)
{
  g_autoptr (DpPackets) p = dp_test_port_traffic ();
  g_autoptr (DpTable) l = make_traffic_labels ();
  g_autoptr (DpHarness) h = dp_test_run ("port_baseline", "top_ports: 2\ninclude_unknown: false\nmin_packets: 5", p, l);
  DpEmbedding *e = dp_harness_output (h, "embedding");
  g_assert_cmpuint (e->dim, ==, 4);
  g_assert_cmpuint (e->n, ==, 3);  /* 10.0.0.2 sent 4 packets */
  g_assert_cmpint (dp_vocab_lookup (e->vocab, DP_TOKEN (DP_TOK_IP, IP (2))), ==, -1);
  /* no labels: everything is unknown, whose top 4 ports are features */
  g_autoptr (DpHarness) h2 = dp_test_run ("port_baseline", NULL, p, NULL);
  DpTable *ports = dp_harness_output (h2, "ports");
  g_assert_cmpuint (ports->n_rows, ==, 4);
  g_autofree char *first = dp_test_cell (ports, 1, 0);
  g_assert_cmpstr (first, ==, "23/tcp");
  /* no packets: an empty embedding */
  g_autoptr (DpHarness) h3 = dp_test_run ("port_baseline", NULL, NULL, l);
  g_assert_cmpuint (((DpEmbedding *) dp_harness_output (h3, "embedding"))->n, ==, 0);
  dp_test_wrong_columns ("port_baseline", 1, p, 0);
  const char *yaml[] = { "top_ports: 0", "min_packets: 0", "include_unknown: 2" };
  const gint codes[] = { DP_CONFIG_ERROR_RANGE, DP_CONFIG_ERROR_RANGE, DP_CONFIG_ERROR_TYPE };
  for (guint i = 0; i < G_N_ELEMENTS (yaml); i++)
    dp_test_bad_option ("port_baseline", yaml[i], codes[i]);
}

/* Pseudonymised traffic joins pseudonymised labels by text. */
static void
test_port_baseline_pseudonyms (void)
{
  g_autoptr (DpNameMap) pn = dp_name_map_new ();
  g_autoptr (DpNameMap) ln = dp_name_map_new ();
  g_autoptr (DpPackets) p = dp_packets_new (8);
  dp_packets_set_names (p, pn);
  guint32 a = dp_name_map_intern (pn, "src_ipaddr1"), b = dp_name_map_intern (pn, "src_ipaddr2");
  dp_test_add_packet (p, 0, a, 1, 6, 1, 23, 2);
  dp_test_add_packet (p, 0, b, 1, 6, 1, 80, 2);
  DpTable *l = dp_table_new ("labels");
  dp_table_add_column (l, "ip", DP_COL_IPV4);
  dp_table_add_column (l, "label", DP_COL_STRING);
  dp_table_set_names (l, ln);
  guint r = dp_table_append_row (l);
  dp_table_set_ip (l, 0, r, dp_name_map_intern (ln, "src_ipaddr2"));
  dp_table_set_str (l, 1, r, "censys");
  g_autoptr (DpHarness) h = dp_test_run ("port_baseline", "top_ports: 1", p, l);
  dp_batch_unref (l);
  DpTable *ports = dp_harness_output (h, "ports");
  g_autofree char *pp = dp_test_cell (ports, 1, 0), *cls = dp_test_cell (ports, 2, 0);
  g_assert_cmpstr (pp, ==, "80/tcp");
  g_assert_cmpstr (cls, ==, "censys");
  DpEmbedding *e = dp_harness_output (h, "embedding");
  GString *s = g_string_new (NULL);
  dp_vocab_format (e->vocab, 0, s);
  g_assert_cmpstr (s->str, ==, "src_ipaddr1");
  g_string_free (s, TRUE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/plugin/port_baseline/hand", test_port_baseline_hand);
  g_test_add_func ("/plugin/port_baseline/options", test_port_baseline_options);
  g_test_add_func ("/plugin/port_baseline/pseudonyms", test_port_baseline_pseudonyms);
  g_test_add_func ("/plugin/port_baseline/ties", test_port_baseline_ties);
  return g_test_run ();
}
