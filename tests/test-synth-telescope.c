/* test-synth-telescope.c — the synth_telescope source: determinism, ground truth,
 * stream invariants, and that each population shows the behaviour it is
 * built for, checked on the stream with plain per-source counts (and with
 * the taxonomy detector when it is built). */
#include "config.h"

#include <string.h>

#include "dp-error.h"
#include "dp-harness.h"
#include "dp-hash.h"
#include "dp-test.h"

/* 2021-03-01T00:00:00Z */
#define START_S G_GINT64_CONSTANT (1614556800)
/* a tenth of the senders and of the packets: the default per-sender rates */
#define SMALL "packets: 300000\nscale: 0.1\n"

typedef struct {
  DpHarness *h;
  DpPackets *p;     /* all rows merged */
  DpTable *truth;   /* borrowed from h */
} Run;

static void
run_clear (Run *r)
{
  dp_batch_unref (r->p);
  dp_harness_free (r->h);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

static void
run_synth_batches (Run *r, const char *yaml, guint threads, gboolean merge)
{
  GError *error = NULL;
  r->h = dp_harness_new ("synth_telescope", yaml, &error);
  g_assert_no_error (error);
  dp_harness_set_threads (r->h, threads);
  g_assert_true (dp_harness_run (r->h, &error));
  g_assert_no_error (error);
  g_assert_true (dp_harness_finish (r->h, &error));
  g_assert_no_error (error);
  r->p = merge ? dp_harness_packets (r->h, "packets") : NULL;
  r->truth = dp_harness_output (r->h, "ground_truth");
  g_assert_true (r->p != NULL || !merge);
  g_assert_nonnull (r->truth);
}

static void
run_synth (Run *r, const char *yaml, guint threads)
{
  run_synth_batches (r, yaml, threads, TRUE);
}

static guint
col (const DpTable *t, const char *name)
{
  gint c = dp_table_find_column (t, name);
  g_assert_cmpint (c, >=, 0);
  return (guint) c;
}

/* ip -> row of the ground truth */
static GHashTable *
truth_index (const DpTable *t)
{
  GHashTable *idx = g_hash_table_new (g_direct_hash, g_direct_equal);
  guint c_ip = col (t, "ip");
  for (guint i = 0; i < t->n_rows; i++)
    {
      g_assert_false (g_hash_table_contains (idx, GUINT_TO_POINTER (t->cols[c_ip].ip[i])));
      g_hash_table_insert (idx, GUINT_TO_POINTER (t->cols[c_ip].ip[i]), GUINT_TO_POINTER (i + 1));
    }
  return idx;
}

static const char *
population_of (const DpTable *t, GHashTable *idx, guint32 ip)
{
  guint row = GPOINTER_TO_UINT (g_hash_table_lookup (idx, GUINT_TO_POINTER (ip)));
  g_assert_cmpuint (row, >, 0);
  return t->cols[col (t, "population")].str[row - 1];
}

/* ------------------------------------------------------------------ */

/* @last: the time of the row before (of the batch before), updated */
static void
check_stream (const DpPackets *p, gint64 start_s, gint64 dur_s, guint32 net, guint prefix, gint64 *last)
{
  guint32 mask = prefix ? 0xffffffffu << (32 - prefix) : 0;
  for (guint i = 0; i < p->n_rows; i++)
    {
      g_assert_cmpint (p->ts[i], >=, start_s * 1000000000);
      g_assert_cmpint (p->ts[i], <, (start_s + dur_s) * 1000000000);
      g_assert_cmpint (p->ts[i], >=, *last);
      *last = p->ts[i];
      g_assert_cmpuint (p->dst[i] & mask, ==, net);
      g_assert_cmpuint (p->src[i] & mask, !=, net);
      /* L4 bits agree with the protocol; non-first fragments carry no ports */
      if (p->frag[i] & DP_FRAG_OFFSET_MASK)
        g_assert_cmpuint (p->l4[i], ==, 0);
      else if (p->proto[i] == 6)
        g_assert_cmpuint (p->l4[i], ==, DP_L4_PORTS | DP_L4_TCP);
      else if (p->proto[i] == 17)
        g_assert_cmpuint (p->l4[i], ==, DP_L4_PORTS);
      else
        g_assert_cmpuint (p->l4[i], ==, DP_L4_ICMP);
    }
}

static void
test_defaults (void)
{
  g_auto (Run) r = { 0 };
  run_synth_batches (&r, NULL, 1, FALSE);
  /* ~3 M packets over 2 days into 198.51.100.0/24 from 2021-03-01 */
  GPtrArray *out = dp_harness_outputs (r.h, 0);
  guint64 rows = 0;
  gint64 last = 0;
  for (guint i = 0; i < out->len; i++)
    {
      DpPackets *b = g_ptr_array_index (out, i);
      check_stream (b, START_S, 2 * 86400, 0xc6336400u, 24, &last);
      rows += b->n_rows;
      if (i + 1 < out->len)
        g_assert_cmpuint (b->n_rows, ==, DP_PACKETS_DEFAULT_ROWS);
      else
        g_assert_cmpuint (b->n_rows, <=, DP_PACKETS_DEFAULT_ROWS);
    }
  g_assert_cmpuint (rows, >, 2700000);
  g_assert_cmpuint (rows, <, 3300000);
  /* a few thousand labelled senders, every population present */
  g_autoptr (GHashTable) pops = g_hash_table_new (g_str_hash, g_str_equal);
  guint labelled = 0;
  for (guint i = 0; i < r.truth->n_rows; i++)
    {
      labelled += strcmp (r.truth->cols[col (r.truth, "label")].str[i], "unknown") != 0;
      g_hash_table_add (pops, (gpointer) r.truth->cols[col (r.truth, "population")].str[i]);
    }
  g_assert_cmpuint (labelled, >, 3000);
  g_assert_cmpuint (labelled, <, 6000);
  g_assert_cmpuint (g_hash_table_size (pops), ==, 33);
}

static gboolean
same_packets (const DpPackets *a, const DpPackets *b)
{
  if (a->n_rows != b->n_rows)
    return FALSE;
  gsize n = a->n_rows;
#define SAME(c) (memcmp (a->c, b->c, n * sizeof (*a->c)) == 0)
  return SAME (ts) && SAME (src) && SAME (dst) && SAME (sport) && SAME (dport) && SAME (proto)
         && SAME (tcp_flags) && SAME (tcp_seq) && SAME (ip_id) && SAME (icmp_type)
         && SAME (icmp_code) && SAME (ttl) && SAME (ip_len) && SAME (frag) && SAME (l4)
         && SAME (tcp_win) && SAME (tcp_optlen);
#undef SAME
}

static gboolean
same_truth (const DpTable *a, const DpTable *b)
{
  if (a->n_rows != b->n_rows || a->n_cols != b->n_cols)
    return FALSE;
  for (guint i = 0; i < a->n_rows; i++)
    if (a->cols[0].ip[i] != b->cols[0].ip[i] || a->cols[4].i64[i] != b->cols[4].i64[i]
        || strcmp (a->cols[3].str[i], b->cols[3].str[i]) != 0)
      return FALSE;
  return TRUE;
}

static void
test_determinism (void)
{
  g_auto (Run) a = { 0 };
  g_auto (Run) b = { 0 };
  g_auto (Run) c = { 0 };
  g_auto (Run) d = { 0 };
  run_synth (&a, "seed: 7\n" SMALL, 1);
  run_synth (&b, "seed: 7\n" SMALL, 1);
  run_synth (&c, "seed: 7\n" SMALL, 2);
  run_synth (&d, "seed: 8\n" SMALL, 1);
  g_assert_cmpuint (a.p->n_rows, >, 100000);
  g_assert_true (same_packets (a.p, b.p));
  g_assert_true (same_truth (a.truth, b.truth));
  g_assert_true (same_packets (a.p, c.p));
  g_assert_true (same_truth (a.truth, c.truth));
  g_assert_false (same_packets (a.p, d.p));
  g_assert_false (same_truth (a.truth, d.truth));
}

/* Every source of the stream has a row; its packets are what it sent;
 * organisations and victim groups own their /24s alone. */
static void
test_ground_truth (void)
{
  g_auto (Run) r = { 0 };
  run_synth (&r, "seed: 3\n" SMALL, 1);
  DpTable *t = r.truth;
  g_assert_cmpstr (t->name, ==, "ground_truth");
  g_assert_cmpuint (t->n_cols, ==, 5);
  g_assert_cmpint (t->cols[col (t, "ip")].type, ==, DP_COL_IPV4);
  g_assert_cmpint (t->cols[col (t, "label")].type, ==, DP_COL_STRING);
  g_assert_cmpint (t->cols[col (t, "pattern")].type, ==, DP_COL_STRING);
  g_assert_cmpint (t->cols[col (t, "population")].type, ==, DP_COL_STRING);
  g_assert_cmpint (t->cols[col (t, "packets")].type, ==, DP_COL_INT64);
  g_autoptr (GHashTable) idx = truth_index (t);
  DpHash sent;
  dp_hash_init (&sent, t->n_rows);
  for (guint i = 0; i < r.p->n_rows; i++)
    (*dp_hash_upsert (&sent, r.p->src[i], NULL))++;
  g_assert_cmpuint (sent.n, ==, t->n_rows);
  guint c_ip = col (t, "ip"), c_packets = col (t, "packets");
  gint64 total = 0;
  for (guint i = 0; i < t->n_rows; i++)
    {
      guint64 *n = dp_hash_find (&sent, t->cols[c_ip].ip[i]);
      g_assert_nonnull (n);
      g_assert_cmpint ((gint64) *n, ==, t->cols[c_packets].i64[i]);
      g_assert_cmpint (t->cols[c_packets].i64[i], >, 0);
      total += t->cols[c_packets].i64[i];
      g_assert_nonnull (t->cols[col (t, "label")].str[i]);
      g_assert_nonnull (t->cols[col (t, "pattern")].str[i]);
    }
  g_assert_cmpint (total, ==, r.p->n_rows);
  /* a /24 that holds an organisation's member holds nobody else */
  static const char *grouped[] = { "censys", "stretchoid", "internet_census", "binaryedge",
    "sharashka", "ipip", "shodan", "engin_umich", "shadowserver", "backscatter_tcp",
    "backscatter_udp", "backscatter_icmp" };
  g_autoptr (GHashTable) owner = g_hash_table_new (g_direct_hash, g_direct_equal);
  for (guint i = 0; i < t->n_rows; i++)
    {
      const char *pop = t->cols[col (t, "population")].str[i];
      for (guint g = 0; g < G_N_ELEMENTS (grouped); g++)
        if (strcmp (pop, grouped[g]) == 0)
          g_hash_table_insert (owner, GUINT_TO_POINTER (t->cols[c_ip].ip[i] >> 8), (gpointer) grouped[g]);
    }
  g_assert_cmpuint (g_hash_table_size (owner), >=, 12);
  for (guint i = 0; i < t->n_rows; i++)
    {
      const char *o = g_hash_table_lookup (owner, GUINT_TO_POINTER (t->cols[c_ip].ip[i] >> 8));
      if (o)
        g_assert_cmpstr (o, ==, t->cols[col (t, "population")].str[i]);
      guint8 first = t->cols[c_ip].ip[i] >> 24;
      g_assert_true (first != 0 && first != 10 && first != 127 && first < 224);
    }
  dp_hash_clear (&sent);
}

static void
test_block_and_time (void)
{
  g_auto (Run) r = { 0 };
  run_synth (&r, "block: 192.0.2.128/25\nstart: 2020-01-01T12:00:00+01:00\nduration: 3h\n"
                 "packets: 50000\nscale: 0.05\nbatch_rows: 1000\n", 1);
  /* 11:00Z */
  gint64 last = 0;
  check_stream (r.p, G_GINT64_CONSTANT (1577876400), 3 * 3600, 0xc0000280u, 25, &last);
  g_assert_cmpuint (r.p->n_rows, >, 45000);
  GPtrArray *out = dp_harness_outputs (r.h, 0);
  g_assert_cmpuint (out->len, >=, 45);
  for (guint i = 0; i < out->len; i++)
    g_assert_cmpuint (((DpPackets *) g_ptr_array_index (out, i))->n_rows, <=, 1000);
}

/* packets: rate x duration when rate is set */
static void
test_rate (void)
{
  g_auto (Run) r = { 0 };
  run_synth (&r, "rate: 100\nduration: 2h\npackets: 1\nscale: 0.01\n", 1);
  /* 720,000 expected; the tail adds ~165 */
  g_assert_cmpuint (r.p->n_rows, >, 680000);
  g_assert_cmpuint (r.p->n_rows, <, 760000);
}

static void
test_empty (void)
{
  g_auto (Run) r = { 0 };
  run_synth (&r, "packets: 0\npopulations: [censys, mirai]\n", 1);
  g_assert_cmpuint (r.p->n_rows, ==, 0);
  g_assert_cmpuint (r.truth->n_rows, ==, 0);
  g_assert_cmpuint (r.truth->n_cols, ==, 5);
}

/* populations: only those, sharing the whole budget */
static void
test_populations (void)
{
  g_auto (Run) r = { 0 };
  run_synth (&r, "populations: [ssh_botnet, tail_ping]\npackets: 50000\nscale: 0.2\n", 1);
  g_autoptr (GHashTable) idx = truth_index (r.truth);
  guint ssh = 0, ping = 0;
  for (guint i = 0; i < r.p->n_rows; i++)
    {
      const char *pop = population_of (r.truth, idx, r.p->src[i]);
      if (strcmp (pop, "ssh_botnet") == 0)
        {
          g_assert_cmpuint (r.p->proto[i], ==, 6);
          g_assert_cmpuint (r.p->dport[i], ==, 22);
          ssh++;
        }
      else
        {
          g_assert_cmpstr (pop, ==, "tail_ping");
          g_assert_cmpuint (r.p->proto[i], ==, 1);
          g_assert_cmpuint (r.p->icmp_type[i], ==, 8);
          ping++;
        }
    }
  /* the botnet has the budget (~110 bursts: +-10% is one sd); 300 tail senders send 1-4 packets each */
  g_assert_cmpuint (ssh, >, 35000);
  g_assert_cmpuint (ssh, <, 65000);
  g_assert_cmpuint (ping, >=, 300);
  g_assert_cmpuint (ping, <=, 1200);
  g_assert_cmpuint (r.truth->n_rows, <=, 40 + 300);
}

static void
test_cancel (void)
{
  GError *error = NULL;
  g_autoptr (DpHarness) h = dp_harness_new ("synth_telescope", SMALL, &error);
  g_assert_no_error (error);
  dp_harness_cancel (h);
  g_assert_true (dp_harness_run (h, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (dp_harness_outputs (h, 0)->len, ==, 0);
  g_assert_cmpuint (dp_harness_outputs (h, 1)->len, ==, 0);
}

static void
test_bad_options (void)
{
  static const struct { const char *yaml; int code; } cases[] = {
    { "block: 198.51.100.1/24", DP_CONFIG_ERROR_RANGE },    /* host bits */
    { "block: 0.0.0.0/4", DP_CONFIG_ERROR_RANGE },          /* too large */
    { "block: 198.51.100/24", DP_CONFIG_ERROR_TYPE },
    { "duration: 0s", DP_CONFIG_ERROR_RANGE },
    { "duration: 400d", DP_CONFIG_ERROR_RANGE },
    { "duration: two days", DP_CONFIG_ERROR_TYPE },
    { "start: yesterday", DP_CONFIG_ERROR_TYPE },
    { "start: 2021-13-01T00:00:00Z", DP_CONFIG_ERROR_TYPE },
    { "packets: -5", DP_CONFIG_ERROR_TYPE },
    { "rate: -1", DP_CONFIG_ERROR_RANGE },
    { "scale: 0", DP_CONFIG_ERROR_RANGE },
    { "batch_rows: 8", DP_CONFIG_ERROR_RANGE },
    { "seed: x", DP_CONFIG_ERROR_TYPE },
    { "populations: [censys, nope]", DP_CONFIG_ERROR_CHOICE },
    { "sede: 3", DP_CONFIG_ERROR_UNKNOWN_KEY },
    /* issue #21 item 10: past 2262 the nanosecond times overflow; a rate
     * times a duration is bounded like packets */
    { "start: 9999-12-31T23:59:59Z", DP_CONFIG_ERROR_RANGE },
    { "start: 2261-12-31T00:00:00Z\nduration: 2d", DP_CONFIG_ERROR_RANGE },
    { "start: 1600-01-01", DP_CONFIG_ERROR_RANGE },
    { "rate: 1e9\nduration: 1d", DP_CONFIG_ERROR_RANGE },
    { "packets: 2000000000000", DP_CONFIG_ERROR_RANGE },
    /* memory follows the rate (the episodes alive at once): 1 M packets/s
     * took 1 GB in 17 s and grew on */
    { "rate: 1e6\nduration: 1d", DP_CONFIG_ERROR_RANGE },
    { "rate: 1e9\nduration: 10s", DP_CONFIG_ERROR_RANGE },
    { "packets: 100000000000\nduration: 1h", DP_CONFIG_ERROR_RANGE },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    dp_test_bad_option ("synth_telescope", cases[i].yaml, cases[i].code);

  /* the messages name the options */
  static const struct { const char *yaml, *want; } named[] = {
    { "rate: 1e6\nduration: 1d", "options 'rate' and 'duration': " },
    { "packets: 100000000000\nduration: 1h", "options 'packets' and 'duration': " },
    { "start: 9999-12-31T23:59:59Z", "options 'start' and 'duration': " },
    { "rate: 1e9\nduration: 1d", "options 'rate' and 'duration': " },
  };
  for (guint i = 0; i < G_N_ELEMENTS (named); i++)
    {
      GError *error = NULL;
      DpHarness *h = dp_harness_new ("synth_telescope", named[i].yaml, &error);
      g_assert_null (h);
      g_assert_nonnull (error);
      if (strstr (error->message, named[i].want) == NULL)
        g_error ("%s: %s", named[i].yaml, error->message);
      g_error_free (error);
    }
}

/* With budget for full rounds, engin-umich's rounds each cover the whole
 * block once on 53/udp: every address gets the same count. */
static void
test_rounds_cover_block (void)
{
  g_auto (Run) r = { 0 };
  run_synth (&r, "packets: 20000\npopulations: [engin_umich]\n", 1);
  guint count[256] = { 0 };
  g_autoptr (GHashTable) nets = g_hash_table_new (g_direct_hash, g_direct_equal);
  for (guint i = 0; i < r.p->n_rows; i++)
    {
      g_assert_cmpuint (r.p->proto[i], ==, 17);
      g_assert_cmpuint (r.p->dport[i], ==, 53);
      g_assert_cmpuint (r.p->ip_id[i], ==, 54321);
      count[r.p->dst[i] & 0xff]++;
      g_hash_table_add (nets, GUINT_TO_POINTER (r.p->src[i] >> 8));
    }
  g_assert_cmpuint (g_hash_table_size (nets), ==, 1);
  g_assert_cmpuint (r.truth->n_rows, ==, 4);
  g_assert_cmpuint (count[0], >=, 40);
  for (guint d = 1; d < 256; d++)
    g_assert_cmpuint (count[d], ==, count[0]);
}

/* ------------------------------------------------------------------ */
/* Patterns, counted per clock hour on the stream (taxonomy.md §2 with
 * N1 = N2 = 5, M = 3, N3 = 15; probes only: SYN, UDP with ports, echo). */

static const char *const patterns[] = {
  "port_scan_tcp_heavy", "port_scan_tcp_light", "port_scan_udp_heavy", "port_scan_udp_light",
  "net_scan_tcp_heavy", "net_scan_tcp_light", "net_scan_udp_heavy", "net_scan_udp_light",
  "net_scan_icmp_heavy", "net_scan_icmp_light", "one_flow_tcp", "one_flow_udp",
  "backscatter_tcp", "backscatter_udp", "backscatter_icmp", "ip_fragment", "small_syn",
  "small_udp", "small_ping",
};

static guint
pattern_bit (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (patterns); i++)
    if (strcmp (patterns[i], name) == 0)
      return i;
  g_assert_not_reached ();
}

static void
mark (DpHash *found, guint32 src, const char *pattern)
{
  *dp_hash_upsert (found, src, NULL) |= G_GUINT64_CONSTANT (1) << pattern_bit (pattern);
}

/* proto class of a probe: 1 tcp, 2 udp, 3 icmp echo, 0 none */
static guint
probe_class (const DpPackets *p, guint i)
{
  if (p->proto[i] == 6 && (p->tcp_flags[i] & 0x3f) == 0x02)
    return 1;
  if (p->proto[i] == 17 && (p->l4[i] & DP_L4_PORTS))
    return 2;
  if (p->proto[i] == 1 && p->icmp_type[i] == 8 && p->icmp_code[i] == 0)
    return 3;
  return 0;
}

static void
mark_scans (DpHash *found, const DpHash *by_dst, const DpHash *by_port, const DpHash *flows)
{
  static const char *kind[] = { NULL, "tcp", "udp", "icmp" };
  for (gsize i = 0; i <= by_dst->mask; i++)
    if (by_dst->keys[i] != DP_HASH_EMPTY)
      {
        guint c = (by_dst->keys[i] >> 56) & 3;
        guint64 pk = by_dst->vals[i] >> 32, ports = by_dst->vals[i] & 0xffffffffu;
        if (c != 3 && ports >= 5)
          {
            g_autofree char *name = g_strdup_printf ("port_scan_%s_%s", kind[c], pk > 3 * ports ? "heavy" : "light");
            mark (found, (guint32) (by_dst->keys[i] >> 24), name);
          }
      }
  for (gsize i = 0; i <= by_port->mask; i++)
    if (by_port->keys[i] != DP_HASH_EMPTY)
      {
        guint c = (by_port->keys[i] >> 56) & 3;
        guint64 pk = by_port->vals[i] >> 32, dsts = by_port->vals[i] & 0xffffffffu;
        if (dsts >= 5)
          {
            g_autofree char *name = g_strdup_printf ("net_scan_%s_%s", kind[c], pk > 3 * dsts ? "heavy" : "light");
            mark (found, (guint32) (by_port->keys[i] >> 24), name);
          }
      }
  for (gsize i = 0; i <= flows->mask; i++)
    if (flows->keys[i] != DP_HASH_EMPTY && flows->vals[i] > 15)
      {
        guint c = (flows->keys[i] >> 56) & 3;
        if (c == 1 || c == 2)
          mark (found, (guint32) (flows->keys[i] >> 24), c == 1 ? "one_flow_tcp" : "one_flow_udp");
      }
}

static void
mark_packet (DpHash *found, const DpPackets *p, guint i)
{
  guint8 f = p->tcp_flags[i] & 0x3f;
  if (p->proto[i] == 6 && (f == 0x12 || f == 0x10 || f == 0x04 || f == 0x14))
    mark (found, p->src[i], "backscatter_tcp");
  guint16 sp = p->sport[i];
  if (p->proto[i] == 17 && (p->l4[i] & DP_L4_PORTS) && (sp == 53 || sp == 123 || sp == 137 || sp == 161))
    mark (found, p->src[i], "backscatter_udp");
  if (p->proto[i] == 1 && ((p->icmp_type[i] == 0 && p->icmp_code[i] == 0) || p->icmp_type[i] == 3
                           || (p->icmp_type[i] == 11 && p->icmp_code[i] == 0)))
    mark (found, p->src[i], "backscatter_icmp");
  if (DP_FRAG_IS_FRAGMENT (p->frag[i]))
    mark (found, p->src[i], "ip_fragment");
}

/* Small events per (hour, source): fewer than 5 targets and 5 ports, at most 15 probes. */
static void
mark_small (DpHash *found, const DpHash *by_dst, const DpHash *by_port)
{
  static const char *small[] = { NULL, "small_syn", "small_udp", "small_ping" };
  DpHash pk, dsts, ports;
  dp_hash_init (&pk, 1024);
  dp_hash_init (&dsts, 1024);
  dp_hash_init (&ports, 1024);
  for (gsize i = 0; i <= by_dst->mask; i++)
    if (by_dst->keys[i] != DP_HASH_EMPTY)
      {
        guint64 key = by_dst->keys[i] >> 24;   /* hour, class, src */
        *dp_hash_upsert (&pk, key, NULL) += by_dst->vals[i] >> 32;
        (*dp_hash_upsert (&dsts, key, NULL))++;
      }
  for (gsize i = 0; i <= by_port->mask; i++)
    if (by_port->keys[i] != DP_HASH_EMPTY)
      (*dp_hash_upsert (&ports, by_port->keys[i] >> 24, NULL))++;
  for (gsize i = 0; i <= pk.mask; i++)
    if (pk.keys[i] != DP_HASH_EMPTY)
      {
        guint c = (pk.keys[i] >> 32) & 3;
        guint64 np = *dp_hash_find (&ports, pk.keys[i]);
        if (*dp_hash_find (&dsts, pk.keys[i]) < 5 && (c == 3 || np < 5) && pk.vals[i] <= 15)
          mark (found, (guint32) pk.keys[i], small[c]);
      }
  dp_hash_clear (&pk);
  dp_hash_clear (&dsts);
  dp_hash_clear (&ports);
}

/* src -> bit set of the patterns it showed in some hour (block must be a /24). */
static void
find_patterns (const DpPackets *p, gint64 start_s, DpHash *found)
{
  DpHash by_dst, by_port, flows;
  dp_hash_init (&by_dst, 1 << 16);
  dp_hash_init (&by_port, 1 << 16);
  dp_hash_init (&flows, 1 << 18);
  for (guint i = 0; i < p->n_rows; i++)
    {
      mark_packet (found, p, i);
      guint c = probe_class (p, i);
      if (c == 0)
        continue;
      guint64 hour = (guint64) ((p->ts[i] / 1000000000 - start_s) / 3600);
      guint64 head = (hour << 58) | ((guint64) c << 56) | ((guint64) p->src[i] << 24);
      guint16 port = c == 3 ? 0 : p->dport[i];
      gboolean fresh;
      (*dp_hash_upsert (&flows, head | ((guint64) (p->dst[i] & 0xff) << 16) | port, &fresh))++;
      guint64 *d = dp_hash_upsert (&by_dst, head | (p->dst[i] & 0xff), NULL);
      guint64 *q = dp_hash_upsert (&by_port, head | port, NULL);
      *d += (G_GUINT64_CONSTANT (1) << 32) + (fresh ? 1 : 0);
      *q += (G_GUINT64_CONSTANT (1) << 32) + (fresh ? 1 : 0);
    }
  mark_scans (found, &by_dst, &by_port, &flows);
  mark_small (found, &by_dst, &by_port);
  dp_hash_clear (&by_dst);
  dp_hash_clear (&by_port);
  dp_hash_clear (&flows);
}

/* Share of each population's senders that showed its pattern in some hour. */
static void
check_patterns (const DpTable *t, const DpHash *found, const char *via)
{
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GHashTable) hit = g_hash_table_new (g_str_hash, g_str_equal);
  guint c_ip = col (t, "ip"), c_pop = col (t, "population"), c_pat = col (t, "pattern");
  for (guint i = 0; i < t->n_rows; i++)
    {
      const char *pop = t->cols[c_pop].str[i];
      guint64 *bits = dp_hash_find (found, t->cols[c_ip].ip[i]);
      gboolean ok = bits && (*bits & (G_GUINT64_CONSTANT (1) << pattern_bit (t->cols[c_pat].str[i])));
      g_hash_table_insert (seen, (gpointer) pop, GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (seen, pop)) + 1));
      g_hash_table_insert (hit, (gpointer) pop, GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (hit, pop)) + ok));
    }
  g_assert_cmpuint (g_hash_table_size (seen), ==, 33);
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init (&it, seen);
  while (g_hash_table_iter_next (&it, &k, &v))
    {
      guint n = GPOINTER_TO_UINT (v), ok = GPOINTER_TO_UINT (g_hash_table_lookup (hit, k));
      g_test_message ("%s: %s: %u of %u senders show their pattern", via, (const char *) k, ok, n);
      /* every sender, but for a round's member whose share of a partial round was thin */
      g_assert_cmpuint (ok * 10, >=, n * 9);
    }
}

static void
test_patterns (void)
{
  g_auto (Run) r = { 0 };
  /* half the senders, so that the small populations have several */
  run_synth (&r, "seed: 11\npackets: 1500000\nscale: 0.5\n", 1);
  DpHash found;
  dp_hash_init (&found, 4096);
  find_patterns (r.p, START_S, &found);
  check_patterns (r.truth, &found, "stream");
  dp_hash_clear (&found);
}

/* Mirai: seq == dst on every packet and on no other TCP packet; zmap and
 * masscan IP ids on the populations built with those tools. */
static void
test_fingerprints (void)
{
  g_auto (Run) r = { 0 };
  run_synth (&r, "seed: 5\n" SMALL, 1);
  g_autoptr (GHashTable) idx = truth_index (r.truth);
  guint telnet = 0, mirai = 0, zmap = 0, masscan = 0;
  for (guint i = 0; i < r.p->n_rows; i++)
    {
      const char *pop = population_of (r.truth, idx, r.p->src[i]);
      gboolean tcp_syn = r.p->proto[i] == 6 && r.p->tcp_flags[i] == 0x02;
      if (strcmp (pop, "mirai") == 0)
        {
          g_assert_true (tcp_syn);
          g_assert_cmpuint (r.p->tcp_seq[i], ==, r.p->dst[i]);
          telnet += r.p->dport[i] == 23 || r.p->dport[i] == 2323;
          mirai++;
        }
      else if (r.p->proto[i] == 6)
        g_assert_cmpuint (r.p->tcp_seq[i], !=, r.p->dst[i]);
      if (strcmp (pop, "internet_census") == 0 || strcmp (pop, "shadowserver") == 0
          || strcmp (pop, "netscan_tcp_light") == 0)
        {
          g_assert_cmpuint (r.p->ip_id[i], ==, 54321);
          zmap++;
        }
      if ((strcmp (pop, "binaryedge") == 0 || strcmp (pop, "portscan_tcp_light") == 0) && tcp_syn)
        {
          g_assert_cmpuint (r.p->ip_id[i], ==, (r.p->dst[i] ^ r.p->dport[i] ^ r.p->tcp_seq[i]) & 0xffff);
          masscan++;
        }
    }
  g_assert_cmpuint (mirai, >, 5000);
  g_assert_cmpuint (telnet * 100, >=, mirai * 85);
  g_assert_cmpuint (zmap, >, 100);
  g_assert_cmpuint (masscan, >, 100);
}

/* A scanner organisation works in rounds: when one member is active, others
 * are too (within 10 minutes), which is what DarkVec's context windows see;
 * and two organisations differ in their ports. */
static void
test_coordination (void)
{
  g_auto (Run) r = { 0 };
  run_synth (&r, "seed: 9\npopulations: [censys, stretchoid]\npackets: 200000\n", 1);
  g_autoptr (GHashTable) idx = truth_index (r.truth);
  static const char *pops[] = { "censys", "stretchoid" };
  DpHash ports[2];
  for (guint k = 0; k < G_N_ELEMENTS (pops); k++)
    {
      /* (10-minute slot, member) pairs, and distinct members per slot */
      DpHash pairs, slots;
      dp_hash_init (&pairs, 1024);
      dp_hash_init (&slots, 1024);
      dp_hash_init (&ports[k], 1024);
      for (guint i = 0; i < r.p->n_rows; i++)
        {
          if (strcmp (population_of (r.truth, idx, r.p->src[i]), pops[k]) != 0)
            continue;
          guint64 slot = (guint64) (r.p->ts[i] / 1000000000 - START_S) / 600;
          gboolean fresh;
          dp_hash_upsert (&pairs, (slot << 32) | r.p->src[i], &fresh);
          if (fresh)
            (*dp_hash_upsert (&slots, slot, NULL))++;
          dp_hash_upsert (&ports[k], ((guint64) r.p->proto[i] << 16) | r.p->dport[i], NULL);
        }
      guint busy = 0;
      for (gsize i = 0; i <= slots.mask; i++)
        busy += slots.keys[i] != DP_HASH_EMPTY && slots.vals[i] >= 3;
      g_test_message ("%s: %u of %zu active 10-minute slots have 3 or more members", pops[k], busy, slots.n);
      g_assert_cmpuint (busy * 10, >=, slots.n * 8);
      g_assert_cmpuint (slots.n, >, 20);
      dp_hash_clear (&pairs);
      dp_hash_clear (&slots);
    }
  guint shared = 0;
  for (gsize i = 0; i <= ports[1].mask; i++)
    shared += ports[1].keys[i] != DP_HASH_EMPTY && dp_hash_find (&ports[0], ports[1].keys[i]);
  g_test_message ("ports: censys %zu, stretchoid %zu, shared %u", ports[0].n, ports[1].n, shared);
  g_assert_cmpuint (shared, >, 0);
  g_assert_cmpuint (shared * 2, <, ports[1].n);
  dp_hash_clear (&ports[0]);
  dp_hash_clear (&ports[1]);
}

/* The taxonomy detector finds each population's pattern. */
static void
test_taxonomy (void)
{
  GError *error = NULL;
  g_autoptr (DpHarness) tax = dp_harness_new ("taxonomy", NULL, &error);
  g_assert_no_error (error);
  g_auto (Run) r = { 0 };
  run_synth (&r, "seed: 13\n" SMALL, 1);
  GPtrArray *out = dp_harness_outputs (r.h, 0);
  for (guint i = 0; i < out->len; i++)
    g_assert_true (dp_harness_push (tax, 0, g_ptr_array_index (out, i), &error));
  g_assert_true (dp_harness_finish (tax, &error));
  g_assert_no_error (error);
  DpHash found;
  dp_hash_init (&found, 4096);
  GPtrArray *tables = dp_harness_outputs (tax, (guint) dp_harness_output_port (tax, "sources"));
  for (guint b = 0; b < tables->len; b++)
    {
      DpTable *t = g_ptr_array_index (tables, b);
      guint c_src = col (t, "src");
      for (guint p = 0; p < G_N_ELEMENTS (patterns); p++)
        {
          guint c = col (t, patterns[p]);
          for (guint i = 0; i < t->n_rows; i++)
            if (t->cols[c].i64[i] > 0)
              mark (&found, t->cols[c_src].ip[i], patterns[p]);
        }
    }
  check_patterns (r.truth, &found, "taxonomy");
  dp_hash_clear (&found);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/plugin/synth_telescope/defaults", test_defaults);
  g_test_add_func ("/plugin/synth_telescope/determinism", test_determinism);
  g_test_add_func ("/plugin/synth_telescope/ground-truth", test_ground_truth);
  g_test_add_func ("/plugin/synth_telescope/block-and-time", test_block_and_time);
  g_test_add_func ("/plugin/synth_telescope/rate", test_rate);
  g_test_add_func ("/plugin/synth_telescope/empty", test_empty);
  g_test_add_func ("/plugin/synth_telescope/populations", test_populations);
  g_test_add_func ("/plugin/synth_telescope/cancel", test_cancel);
  g_test_add_func ("/plugin/synth_telescope/bad-options", test_bad_options);
  g_test_add_func ("/plugin/synth_telescope/rounds-cover-block", test_rounds_cover_block);
  g_test_add_func ("/plugin/synth_telescope/patterns", test_patterns);
  g_test_add_func ("/plugin/synth_telescope/fingerprints", test_fingerprints);
  g_test_add_func ("/plugin/synth_telescope/coordination", test_coordination);
  g_test_add_func ("/plugin/synth_telescope/taxonomy", test_taxonomy);
  return g_test_run ();
}
