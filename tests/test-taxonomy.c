/* test-taxonomy.c — the taxonomy detector: every rule at its boundaries in
 * both compat modes, fingerprints, windowing, options, real captures. */
#include "config.h"

#include <string.h>

#include "dp-pipeline.h"
#include "dp-test.h"

/* An hour boundary, so windows are easy to reason about. */
#define T0 G_GINT64_CONSTANT (1599998400)
#define TS(sec) DP_TEST_SEC (T0 + (sec))
#define MS(ms) (TS (0) + (gint64) (ms) * 1000000)

#define SRC DP_TEST_IP (198, 51, 100, 7)
#define SRC2 DP_TEST_IP (198, 51, 100, 8)
#define DST(i) DP_TEST_IP (10, 0, (i) >> 8, (i) & 0xff)

#define SYN 0x02
#define ACK 0x10
#define SYNACK 0x12

static const char *const modes[] = { "paper", "reference" };

/* ------------------------------------------------------------------ */
/* helpers */

static DpHarness *
tax_new (const char *opts)
{
  g_autoptr (GError) err = NULL;
  DpHarness *h = dp_harness_new ("taxonomy", opts, &err);
  g_assert_no_error (err);
  g_assert_nonnull (h);
  return h;
}

static void
tax_push (DpHarness *h, DpPackets *p)
{
  g_autoptr (GError) err = NULL;
  g_assert_true (dp_harness_push (h, 0, p, &err));
  g_assert_no_error (err);
}

static void
tax_finish (DpHarness *h)
{
  g_autoptr (GError) err = NULL;
  g_assert_true (dp_harness_finish (h, &err));
  g_assert_no_error (err);
}

/* Runs one batch through a fresh stage with "compat: @mode" + @extra options. */
static DpHarness *
tax_run (const char *mode, const char *extra, DpPackets *p)
{
  g_autofree char *opts = g_strdup_printf ("compat: %s\n%s", mode, extra ? extra : "");
  DpHarness *h = tax_new (opts);
  if (p)
    tax_push (h, p);
  tax_finish (h);
  return h;
}

static DpTable *
tax_table (DpHarness *h, const char *port)
{
  DpTable *t = dp_harness_output (h, port);
  g_assert_nonnull (t);
  return t;
}

static guint
tax_col (const DpTable *t, const char *name)
{
  gint c = dp_table_find_column (t, name);
  if (c < 0)
    g_error ("table %s has no column %s", t->name, name);
  return (guint) c;
}

static gint64
tax_i64 (const DpTable *t, const char *col, guint row)
{
  guint c = tax_col (t, col);
  g_assert_cmpint (t->cols[c].type, ==, DP_COL_INT64);
  return t->cols[c].i64[row];
}

/* Row of @src in the sources table @t; fails the test when it is not
 * there, since every caller indexes columns with the row. */
static guint
tax_source_row (const DpTable *t, guint32 src)
{
  guint c = tax_col (t, "src");
  for (guint r = 0; r < t->n_rows; r++)
    if (t->cols[c].ip[r] == src)
      return r;
  g_error ("table %s has no source %08x", t->name, src);
}

/* The value of @pattern for @src in the sources table (which must hold it). */
static gint64
tax_label (DpHarness *h, guint32 src, const char *pattern)
{
  DpTable *t = tax_table (h, "sources");
  guint r = tax_source_row (t, src);
  return tax_i64 (t, pattern, (guint) r);
}

/* Number of labels (pattern columns > 0) @src carries. */
static guint
tax_n_labels (DpHarness *h, guint32 src)
{
  DpTable *t = tax_table (h, "sources");
  guint r = tax_source_row (t, src);
  guint first = tax_col (t, "port_scan_tcp_heavy"), last = tax_col (t, "other");
  guint n = 0;
  for (guint c = first; c <= last; c++)
    n += t->cols[c].i64[r] > 0;
  return n;
}

/* Row of the first event of @pattern for @src; fails the test when there
 * is none, since every caller indexes columns with the row. */
static guint
tax_event (DpHarness *h, const char *pattern, guint32 src)
{
  DpTable *t = tax_table (h, "events");
  guint cp = tax_col (t, "pattern"), cs = tax_col (t, "src");
  for (guint r = 0; r < t->n_rows; r++)
    if (strcmp (t->cols[cp].str[r], pattern) == 0 && t->cols[cs].ip[r] == src)
      return r;
  g_error ("no %s event for source %08x", pattern, src);
}

static void
tax_tcp (DpPackets *p, gint64 ts, guint32 src, guint32 dst, guint16 dport, guint8 flags)
{
  dp_test_add_packet (p, ts, src, dst, 6, 40000, dport, flags);
}

/* @n_pkt SYNs spread round-robin over @n_ports ports of one destination. */
static DpPackets *
tax_port_scan (guint n_ports, guint n_pkt, guint8 proto)
{
  DpPackets *p = dp_packets_new (64);
  for (guint i = 0; i < n_pkt; i++)
    dp_test_add_packet (p, MS (i), SRC, DST (1), proto, 40000, (guint16) (1000 + i % n_ports), SYN);
  return p;
}

/* @n_pkt probes spread round-robin over @n_dst destinations, one port. */
static DpPackets *
tax_net_scan (guint n_dst, guint n_pkt, guint8 proto)
{
  DpPackets *p = dp_packets_new (64);
  for (guint i = 0; i < n_pkt; i++)
    {
      if (proto == 1)
        dp_test_add_packet (p, MS (i), SRC, DST (1 + i % n_dst), 1, 8, 0, 0);
      else
        dp_test_add_packet (p, MS (i), SRC, DST (1 + i % n_dst), proto, 40000, 23, SYN);
    }
  return p;
}

/* ------------------------------------------------------------------ */
/* options, empty input */

static void
test_defaults_empty (void)
{
  g_autoptr (DpHarness) h = tax_new (NULL);
  tax_finish (h);
  static const char *const ports[] = { "sources", "events", "summary" };
  static const char *const some_cols[][4] = {
    { "window_start", "src", "port_scan_tcp_heavy", "other" },
    { "pattern", "dst", "dport", "duration" },
    { "pattern", "sources", "keys", "packets" },
  };
  for (guint k = 0; k < G_N_ELEMENTS (ports); k++)
    {
      DpTable *t = tax_table (h, ports[k]);
      g_assert_cmpuint (t->n_rows, ==, 0);
      g_assert_cmpstr (t->name, ==, ports[k]);
      for (guint c = 0; c < 4; c++)
        g_assert_cmpint (dp_table_find_column (t, some_cols[k][c]), >=, 0);
    }
  /* the 23 patterns + window_start, src, packets, probes, mirai, zmap, masscan, zmap41, tool */
  g_assert_cmpuint (tax_table (h, "sources")->n_cols, ==, 23 + 9);
}

static void
test_bad_options (void)
{
  static const struct { const char *yaml; int code; } cases[] = {
    { "n1: 0", DP_CONFIG_ERROR_RANGE },
    { "n2: -3", DP_CONFIG_ERROR_RANGE },
    { "n3: many", DP_CONFIG_ERROR_TYPE },
    { "m: -1", DP_CONFIG_ERROR_RANGE },
    { "r: 50", DP_CONFIG_ERROR_RANGE },
    { "r: half", DP_CONFIG_ERROR_TYPE },
    { "flag_mask: 256", DP_CONFIG_ERROR_RANGE },
    { "flag_mask: 0x3f", DP_CONFIG_ERROR_TYPE },
    { "compat: papr", DP_CONFIG_ERROR_CHOICE },
    { "window: 0s", DP_CONFIG_ERROR_RANGE },
    { "window: soon", DP_CONFIG_ERROR_TYPE },
    { "tool_share: 2", DP_CONFIG_ERROR_RANGE },
    { "treshold: 3", DP_CONFIG_ERROR_UNKNOWN_KEY },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    dp_test_bad_option ("taxonomy", cases[i].yaml, cases[i].code);
}

/* ------------------------------------------------------------------ */
/* port scans */

static void
test_port_scan_boundaries (void)
{
  /* ports, packets -> light, heavy */
  static const struct { guint ports, pkts; gint64 light, heavy; } cases[] = {
    { 4, 4, 0, 0 },     /* N2 - 1 ports */
    { 5, 5, 1, 0 },     /* N2 */
    { 6, 6, 1, 0 },     /* N2 + 1 */
    { 5, 15, 1, 0 },    /* average exactly M: light */
    { 5, 16, 0, 1 },    /* average just above M */
    { 5, 20, 0, 1 },
  };
  for (guint m = 0; m < G_N_ELEMENTS (modes); m++)
    for (guint proto = 6; proto <= 17; proto += 11)
      for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
        {
          g_autoptr (DpPackets) p = tax_port_scan (cases[i].ports, cases[i].pkts, (guint8) proto);
          g_autoptr (DpHarness) h = tax_run (modes[m], NULL, p);
          g_test_message ("%s proto %u ports %u pkts %u", modes[m], proto, cases[i].ports, cases[i].pkts);
          gboolean tcp = proto == 6;
          g_assert_cmpint (tax_label (h, SRC, tcp ? "port_scan_tcp_light" : "port_scan_udp_light"), ==, cases[i].light);
          g_assert_cmpint (tax_label (h, SRC, tcp ? "port_scan_tcp_heavy" : "port_scan_udp_heavy"), ==, cases[i].heavy);
          /* one destination: never a network scan */
          g_assert_cmpint (tax_label (h, SRC, tcp ? "net_scan_tcp_light" : "net_scan_udp_light"), ==, 0);
          /* below N2 ports and N3 packets it is a small event */
          g_assert_cmpint (tax_label (h, SRC, tcp ? "small_syn" : "small_udp"), ==, cases[i].ports < 5 ? 1 : 0);
        }
}

/* With N2 = 1 a pair of one triple (the common case, decided without the
 * pairs table) is a port scan too. */
static void
test_port_scan_single_port (void)
{
  for (guint m = 0; m < G_N_ELEMENTS (modes); m++)
    {
      g_autoptr (DpPackets) p = tax_port_scan (1, 4, 6);
      tax_tcp (p, MS (10), SRC2, DST (2), 80, SYN);
      tax_tcp (p, MS (11), SRC2, DST (3), 80, SYN);
      g_autoptr (DpHarness) h = tax_run (modes[m], "n2: 1", p);
      g_assert_cmpint (tax_label (h, SRC, "port_scan_tcp_heavy"), ==, 1);
      g_assert_cmpint (tax_label (h, SRC2, "port_scan_tcp_light"), ==, 2);
      DpTable *ev = tax_table (h, "events");
      guint r = tax_event (h, "port_scan_tcp_light", SRC2);
      g_assert_cmpint (tax_i64 (ev, "packets", r), ==, 1);
      g_assert_cmpint (tax_i64 (ev, "n_dport", r), ==, 1);
    }
}

static void
test_port_scan_event (void)
{
  g_autoptr (DpPackets) p = tax_port_scan (5, 20, 6);
  g_autoptr (DpHarness) h = tax_run ("paper", NULL, p);
  DpTable *ev = tax_table (h, "events");
  guint r = tax_event (h, "port_scan_tcp_heavy", SRC);
  g_assert_cmpuint (ev->cols[tax_col (ev, "dst")].ip[r], ==, DST (1));
  g_assert_false (dp_table_is_null (ev, tax_col (ev, "dst"), r));
  /* the port is not part of a port scan's key: null, not -1 */
  g_assert_true (dp_table_is_null (ev, tax_col (ev, "dport"), r));
  g_assert_cmpint (tax_i64 (ev, "proto", r), ==, 6);
  g_assert_cmpstr (ev->cols[tax_col (ev, "proto_name")].str[r], ==, "tcp");
  g_assert_cmpint (tax_i64 (ev, "packets", r), ==, 20);
  g_assert_cmpint (tax_i64 (ev, "n_dst", r), ==, 1);
  g_assert_cmpint (tax_i64 (ev, "n_dport", r), ==, 5);
  g_assert_cmpint (tax_i64 (ev, "first_ts", r), ==, TS (0));
  g_assert_cmpint (tax_i64 (ev, "last_ts", r), ==, MS (19));
  /* the ports of the key, all five (default cap 64) */
  g_assert_cmpstr (ev->cols[tax_col (ev, "targets")].str[r], ==, "1000,1001,1002,1003,1004");
  /* times are declared as such, in every table */
  static const char *const time_cols[][2] = {
    { "events", "window_start" }, { "events", "first_ts" }, { "events", "last_ts" },
    { "sources", "window_start" }, { "summary", "window_start" },
  };
  for (guint k = 0; k < G_N_ELEMENTS (time_cols); k++)
    {
      DpTable *t = tax_table (h, time_cols[k][0]);
      g_assert_true (t->cols[tax_col (t, time_cols[k][1])].flags & DP_COLUMN_TIME);
    }
  g_assert_false (ev->cols[tax_col (ev, "packets")].flags & DP_COLUMN_TIME);
  g_assert_cmpint (tax_i64 (ev, "window_start", r), ==, TS (0));
  g_assert_cmpfloat_with_epsilon (ev->cols[tax_col (ev, "duration")].f64[r], 0.019, 1e-9);
  DpTable *sum = tax_table (h, "summary");
  guint cp = tax_col (sum, "pattern");
  gboolean seen = FALSE;
  for (guint i = 0; i < sum->n_rows; i++)
    if (strcmp (sum->cols[cp].str[i], "port_scan_tcp_heavy") == 0)
      {
        g_assert_cmpint (tax_i64 (sum, "sources", i), ==, 1);
        g_assert_cmpint (tax_i64 (sum, "keys", i), ==, 1);
        g_assert_cmpint (tax_i64 (sum, "packets", i), ==, 20);
        seen = TRUE;
      }
  g_assert_true (seen);
}

/* 10 packets on 5 ports of one destination, @n_scan of them SYN, the rest ACK. */
static DpPackets *
tax_mixed_flags (guint n_scan, guint8 scan_flags)
{
  DpPackets *p = dp_packets_new (16);
  for (guint i = 0; i < 10; i++)
    tax_tcp (p, MS (i), SRC, DST (1), (guint16) (1000 + i % 5), i < n_scan ? scan_flags : ACK);
  return p;
}

static void
test_scan_ratio (void)
{
  /* scan-flag packets of 10 -> light port scan in paper / reference mode */
  static const struct { guint n_scan; guint8 flags; gint64 paper, reference; } cases[] = {
    { 5, SYN, 1, 1 },      /* ratio exactly R */
    { 4, SYN, 0, 1 },      /* below R: the reference's inverted ratio still passes */
    { 1, SYN, 0, 1 },
    { 0, SYN, 0, 0 },      /* no match: the reference divides by zero */
    { 10, 0x00, 1, 0 },    /* NULL scan: no printed flag string equals '' */
    { 10, 0x01, 1, 1 },    /* FIN */
    { 10, 0x11, 1, 1 },    /* FIN+ACK */
    { 10, 0x29, 0, 0 },    /* Xmas is not a scan flag */
    { 10, 0xc2, 1, 0 },    /* SYN with ECE+CWR: masked in paper mode, exact in reference */
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    for (guint m = 0; m < G_N_ELEMENTS (modes); m++)
      {
        g_autoptr (DpPackets) p = tax_mixed_flags (cases[i].n_scan, cases[i].flags);
        g_autoptr (DpHarness) h = tax_run (modes[m], NULL, p);
        g_test_message ("%s: %u x 0x%02x", modes[m], cases[i].n_scan, cases[i].flags);
        g_assert_cmpint (tax_label (h, SRC, "port_scan_tcp_light"), ==,
                         m == 0 ? cases[i].paper : cases[i].reference);
      }
}

static void
test_flag_mask (void)
{
  g_autoptr (DpPackets) p = tax_mixed_flags (10, 0xc2);
  g_autoptr (DpHarness) exact = tax_run ("paper", "flag_mask: 255", p);
  g_assert_cmpint (tax_label (exact, SRC, "port_scan_tcp_light"), ==, 0);
  g_autoptr (DpPackets) q = tax_port_scan (2, 2, 6);
  for (guint i = 0; i < q->n_rows; i++)
    q->tcp_flags[i] = 0x42;   /* SYN+ECE */
  g_autoptr (DpHarness) masked = tax_run ("paper", NULL, q);
  g_autoptr (DpHarness) ref = tax_run ("reference", NULL, q);
  g_assert_cmpint (tax_label (masked, SRC, "small_syn"), ==, 1);
  g_assert_cmpint (tax_label (ref, SRC, "small_syn"), ==, 0);
  g_assert_cmpint (tax_label (ref, SRC, "other_tcp"), ==, 1);
}

/* ------------------------------------------------------------------ */
/* network scans */

static void
test_net_scan_boundaries (void)
{
  static const struct { guint dsts, pkts; gint64 light, heavy, small; } cases[] = {
    { 4, 4, 0, 0, 1 },    /* N1 - 1 destinations: a small event */
    { 5, 5, 1, 0, 0 },    /* N1 */
    { 6, 6, 1, 0, 0 },    /* N1 + 1 */
    { 5, 15, 1, 0, 0 },   /* average exactly M */
    { 5, 16, 0, 1, 0 },
    { 4, 15, 0, 0, 1 },   /* small: exactly N3 packets */
    { 4, 16, 0, 0, 0 },   /* N3 + 1 packets: too many for small, too few destinations to scan */
  };
  static const struct { guint8 proto; const char *light, *heavy, *small; } protos[] = {
    { 6, "net_scan_tcp_light", "net_scan_tcp_heavy", "small_syn" },
    { 17, "net_scan_udp_light", "net_scan_udp_heavy", "small_udp" },
    { 1, "net_scan_icmp_light", "net_scan_icmp_heavy", "small_ping" },
  };
  for (guint m = 0; m < G_N_ELEMENTS (modes); m++)
    for (guint k = 0; k < G_N_ELEMENTS (protos); k++)
      for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
        {
          g_autoptr (DpPackets) p = tax_net_scan (cases[i].dsts, cases[i].pkts, protos[k].proto);
          g_autoptr (DpHarness) h = tax_run (modes[m], NULL, p);
          g_test_message ("%s proto %u: %u dsts %u pkts", modes[m], protos[k].proto, cases[i].dsts, cases[i].pkts);
          g_assert_cmpint (tax_label (h, SRC, protos[k].light), ==, cases[i].light);
          g_assert_cmpint (tax_label (h, SRC, protos[k].heavy), ==, cases[i].heavy);
          g_assert_cmpint (tax_label (h, SRC, protos[k].small), ==, cases[i].small);
        }
}

static void
test_net_scan_event (void)
{
  g_autoptr (DpPackets) p = tax_net_scan (6, 6, 17);
  g_autoptr (DpHarness) h = tax_run ("paper", NULL, p);
  DpTable *ev = tax_table (h, "events");
  guint r = tax_event (h, "net_scan_udp_light", SRC);
  /* the destination is not part of a net scan's key: null, not 0.0.0.0 */
  g_assert_true (dp_table_is_null (ev, tax_col (ev, "dst"), r));
  g_assert_false (dp_table_is_null (ev, tax_col (ev, "dport"), r));
  g_assert_cmpint (tax_i64 (ev, "dport", r), ==, 23);
  g_assert_cmpstr (ev->cols[tax_col (ev, "proto_name")].str[r], ==, "udp");
  /* its six destinations in address order */
  g_autoptr (GString) want = g_string_new (NULL);
  for (guint i = 1; i <= 6; i++)
    g_string_append_printf (want, "%s10.0.0.%u", i > 1 ? "," : "", i);
  g_assert_cmpstr (ev->cols[tax_col (ev, "targets")].str[r], ==, want->str);
  g_assert_cmpint (tax_i64 (ev, "n_dst", r), ==, 6);
  g_assert_cmpint (tax_i64 (ev, "n_dport", r), ==, 1);
  g_assert_cmpint (tax_i64 (ev, "packets", r), ==, 6);
}

/* The targets column: capped lists, off, ICMP net scans; keys without a
 * protocol or destination have null cells. */
static void
test_event_targets (void)
{
  g_autoptr (DpPackets) ps = tax_port_scan (20, 40, 6);
  g_autoptr (DpHarness) h = tax_run ("paper", "event_ports: 3", ps);
  DpTable *ev = tax_table (h, "events");
  guint r = tax_event (h, "port_scan_tcp_light", SRC);
  g_assert_cmpstr (ev->cols[tax_col (ev, "targets")].str[r], ==, "1000,1001,1002,+17");
  g_autoptr (DpHarness) off = tax_run ("paper", "event_ports: 0", ps);
  ev = tax_table (off, "events");
  r = tax_event (off, "port_scan_tcp_light", SRC);
  g_assert_true (dp_table_is_null (ev, tax_col (ev, "targets"), r));

  g_autoptr (DpPackets) ns = tax_net_scan (6, 6, 1);
  g_autoptr (DpHarness) hi = tax_run ("paper", "event_dsts: 2", ns);
  ev = tax_table (hi, "events");
  r = tax_event (hi, "net_scan_icmp_light", SRC);
  g_assert_cmpstr (ev->cols[tax_col (ev, "targets")].str[r], ==, "10.0.0.1,10.0.0.2,+4");
  g_assert_cmpstr (ev->cols[tax_col (ev, "proto_name")].str[r], ==, "icmp");
  g_assert_true (dp_table_is_null (ev, tax_col (ev, "dst"), r));
  g_assert_true (dp_table_is_null (ev, tax_col (ev, "dport"), r));

  /* GRE: an "other" event, whose key is the source alone */
  g_autoptr (DpPackets) gre = dp_packets_new (4);
  dp_test_add_packet (gre, TS (1), SRC, DST (1), 47, 0, 0, 0);
  g_autoptr (DpHarness) hg = tax_run ("paper", NULL, gre);
  ev = tax_table (hg, "events");
  r = tax_event (hg, "other", SRC);
  static const char *const nulls[] = { "proto", "proto_name", "dst", "dport", "targets" };
  for (guint k = 0; k < G_N_ELEMENTS (nulls); k++)
    g_assert_true (dp_table_is_null (ev, tax_col (ev, nulls[k]), r));
  g_assert_false (dp_table_is_null (ev, tax_col (ev, "src"), r));
}

/* ------------------------------------------------------------------ */
/* one flow, small events */

static void
test_one_flow (void)
{
  for (guint m = 0; m < G_N_ELEMENTS (modes); m++)
    for (guint proto = 6; proto <= 17; proto += 11)
      for (guint n = 15; n <= 16; n++)
        {
          g_autoptr (DpPackets) p = tax_port_scan (1, n, (guint8) proto);
          g_autoptr (DpHarness) h = tax_run (modes[m], NULL, p);
          gboolean tcp = proto == 6;
          g_assert_cmpint (tax_label (h, SRC, tcp ? "one_flow_tcp" : "one_flow_udp"), ==, n > 15);
          g_assert_cmpint (tax_label (h, SRC, tcp ? "small_syn" : "small_udp"), ==, n <= 15);
          if (n > 15)
            {
              DpTable *ev = tax_table (h, "events");
              guint r = tax_event (h, tcp ? "one_flow_tcp" : "one_flow_udp", SRC);
              g_assert_cmpint (tax_i64 (ev, "dport", r), ==, 1000);
              g_assert_cmpint (tax_i64 (ev, "packets", r), ==, 16);
            }
        }
  /* n3 is an option */
  g_autoptr (DpPackets) p = tax_port_scan (1, 11, 6);
  g_autoptr (DpHarness) h = tax_run ("paper", "n3: 10", p);
  g_assert_cmpint (tax_label (h, SRC, "one_flow_tcp"), ==, 1);
}

static void
test_small_ports (void)
{
  /* 4 destinations, N2 - 1 and N2 ports: small_syn needs fewer than N2 ports */
  for (guint ports = 4; ports <= 5; ports++)
    {
      g_autoptr (DpPackets) p = dp_packets_new (16);
      for (guint i = 0; i < ports; i++)
        tax_tcp (p, MS (i), SRC, DST (1 + i % 4), (guint16) (2000 + i), SYN);
      g_autoptr (DpHarness) h = tax_run ("paper", NULL, p);
      g_assert_cmpint (tax_label (h, SRC, "small_syn"), ==, ports < 5);
      if (ports < 5)
        {
          DpTable *ev = tax_table (h, "events");
          guint r = tax_event (h, "small_syn", SRC);
          g_assert_cmpint (tax_i64 (ev, "n_dst", r), ==, 4);
          g_assert_cmpint (tax_i64 (ev, "n_dport", r), ==, 4);
        }
    }
}

/* ------------------------------------------------------------------ */
/* backscatter, fragments, other */

static void
test_backscatter (void)
{
  for (guint n = 1; n <= 2; n++)
    for (guint m = 0; m < G_N_ELEMENTS (modes); m++)
      {
        g_autoptr (DpPackets) p = dp_packets_new (16);
        for (guint i = 0; i < n; i++)
          {
            tax_tcp (p, MS (i), SRC, DST (1 + i), 443, i == 0 ? SYNACK : 0x14);
            dp_test_add_packet (p, MS (i), SRC2, DST (1 + i), 17, 53, 33000, 0);
            dp_test_add_packet (p, MS (i), DST (200), DST (1 + i), 1, i == 0 ? 3 : 11, i == 0 ? 1 : 0, 0);
          }
        g_autoptr (DpHarness) h = tax_run (modes[m], NULL, p);
        /* paper: one packet is enough; the reference wants more than one */
        gint64 want = m == 0 ? 1 : n > 1;
        g_test_message ("%s n=%u", modes[m], n);
        g_assert_cmpint (tax_label (h, SRC, "backscatter_tcp"), ==, want);
        g_assert_cmpint (tax_label (h, SRC2, "backscatter_udp"), ==, want);
        g_assert_cmpint (tax_label (h, DST (200), "backscatter_icmp"), ==, want);
        /* backscatter ACKs are not scans */
        g_assert_cmpint (tax_label (h, SRC, "small_syn"), ==, 0);
      }
  /* not backscatter: UDP from an unlisted port, ICMP type 11 code 1 (the paper: code 0 only) */
  g_autoptr (DpPackets) p = dp_packets_new (16);
  dp_test_add_packet (p, MS (0), SRC, DST (1), 17, 5353, 33000, 0);
  dp_test_add_packet (p, MS (1), SRC2, DST (1), 1, 11, 1, 0);
  g_autoptr (DpHarness) h = tax_run ("paper", NULL, p);
  g_assert_cmpint (tax_label (h, SRC, "backscatter_udp"), ==, 0);
  g_assert_cmpint (tax_label (h, SRC2, "backscatter_icmp"), ==, 0);
  g_assert_cmpint (tax_label (h, SRC2, "other_icmp"), ==, 1);
}

static void
test_fragments (void)
{
  for (guint m = 0; m < G_N_ELEMENTS (modes); m++)
    {
      g_autoptr (DpPackets) p = dp_packets_new (16);
      /* first fragment of a UDP datagram with its ports, then a non-first one */
      guint r = dp_test_add_packet (p, MS (0), SRC, DST (1), 17, 4000, 5000, 0);
      p->frag[r] = DP_FRAG_MF;
      r = dp_test_add_packet (p, MS (1), SRC, DST (1), 17, 0, 0, 0);
      p->frag[r] = 185;
      p->l4[r] = 0;
      g_autoptr (DpHarness) h = tax_run (modes[m], NULL, p);
      g_assert_cmpint (tax_label (h, SRC, "ip_fragment"), ==, 1);
      g_assert_cmpint (tax_label (h, SRC, "small_udp"), ==, 1);
      DpTable *ev = tax_table (h, "events");
      g_assert_cmpint (tax_i64 (ev, "packets", tax_event (h, "ip_fragment", SRC)), ==, 2);
      /* the port-less fragment: paper mode leaves it to ip_fragment/other, the
       * reference counts it as a UDP packet with a missing port */
      guint s = tax_event (h, "small_udp", SRC);
      g_assert_cmpint (tax_i64 (ev, "packets", s), ==, m == 0 ? 1 : 2);
      g_assert_cmpint (tax_i64 (ev, "n_dport", s), ==, 1);
    }
}

static void
test_other (void)
{
  g_autoptr (DpPackets) p = dp_packets_new (16);
  dp_test_add_packet (p, MS (0), SRC, DST (1), 47, 0, 0, 0);          /* GRE only */
  tax_tcp (p, MS (1), SRC2, DST (1), 80, 0x18);                        /* PSH+ACK only */
  /* small_syn plus GRE */
  tax_tcp (p, MS (2), DST (100), DST (1), 22, SYN);
  dp_test_add_packet (p, MS (3), DST (100), DST (2), 47, 0, 0, 0);
  /* backscatter (2 SYN+ACK) only */
  tax_tcp (p, MS (4), DST (101), DST (1), 80, SYNACK);
  tax_tcp (p, MS (5), DST (101), DST (2), 80, SYNACK);
  for (guint m = 0; m < G_N_ELEMENTS (modes); m++)
    {
      g_autoptr (DpHarness) h = tax_run (modes[m], NULL, p);
      gboolean paper = m == 0;
      g_assert_cmpint (tax_label (h, SRC, "other"), ==, 1);
      g_assert_cmpuint (tax_n_labels (h, SRC), ==, 1);
      g_assert_cmpint (tax_label (h, SRC2, "other_tcp"), ==, 1);
      g_assert_cmpuint (tax_n_labels (h, SRC2), ==, 1);
      g_assert_cmpint (tax_label (h, DST (100), "small_syn"), ==, 1);
      /* paper: GRE is always "other"; reference: other only without a main label */
      g_assert_cmpint (tax_label (h, DST (100), "other"), ==, paper);
      g_assert_cmpint (tax_label (h, DST (101), "backscatter_tcp"), ==, 1);
      /* paper: backscatter is a TCP label; reference: other_tcp ignores backscatter */
      g_assert_cmpint (tax_label (h, DST (101), "other_tcp"), ==, !paper);
    }
}

static void
test_multi_label (void)
{
  /* one source: a light port scan of DST(1) and a SYN+ACK pair (backscatter) */
  g_autoptr (DpPackets) p = tax_port_scan (5, 5, 6);
  tax_tcp (p, MS (10), SRC, DST (2), 80, SYNACK);
  tax_tcp (p, MS (11), SRC, DST (3), 80, SYNACK);
  g_autoptr (DpHarness) h = tax_run ("paper", NULL, p);
  g_assert_cmpint (tax_label (h, SRC, "port_scan_tcp_light"), ==, 1);
  g_assert_cmpint (tax_label (h, SRC, "backscatter_tcp"), ==, 1);
  g_assert_cmpuint (tax_n_labels (h, SRC), ==, 2);
  g_assert_cmpint (tax_label (h, SRC, "packets"), ==, 7);
  /* two scanned destinations make two keys */
  g_autoptr (DpPackets) q = tax_port_scan (5, 5, 6);
  for (guint i = 0; i < 5; i++)
    tax_tcp (q, MS (20 + i), SRC, DST (9), (guint16) (1000 + i), SYN);
  g_autoptr (DpHarness) h2 = tax_run ("paper", NULL, q);
  g_assert_cmpint (tax_label (h2, SRC, "port_scan_tcp_light"), ==, 2);
}

/* ------------------------------------------------------------------ */
/* fingerprints */

static void
test_fingerprints (void)
{
  g_autoptr (DpPackets) p = dp_packets_new (64);
  for (guint i = 0; i < 10; i++)
    {
      guint32 dst = DST (1 + i);
      guint r = dp_test_add_packet (p, MS (i), SRC, dst, 6, 40000, 23, SYN);
      p->tcp_seq[r] = dst;                                 /* Mirai */
      p->ip_id[r] = 1;
      r = dp_test_add_packet (p, MS (i), SRC2, dst, 6, 61000, 443, SYN);
      p->tcp_seq[r] = 0x12345678u + i;
      p->ip_id[r] = (guint16) ((dst ^ 443u ^ p->tcp_seq[r]) & 0xffffu);   /* masscan */
      r = dp_test_add_packet (p, MS (i), DST (100), dst, 17, 40000, 53, 0);
      p->ip_id[r] = i < 8 ? 54321 : 7;                     /* zmap, 8 of 10 */
    }
  g_autoptr (DpHarness) h = tax_run ("paper", NULL, p);
  DpTable *t = tax_table (h, "sources");
  guint a = tax_source_row (t, SRC), b = tax_source_row (t, SRC2), c = tax_source_row (t, DST (100));
  g_assert_cmpint (tax_i64 (t, "mirai", a), ==, 10);
  g_assert_cmpint (tax_i64 (t, "masscan", a), ==, 0);
  g_assert_cmpint (tax_i64 (t, "masscan", b), ==, 10);
  g_assert_cmpint (tax_i64 (t, "mirai", b), ==, 0);
  g_assert_cmpint (tax_i64 (t, "zmap", c), ==, 8);
  g_assert_cmpint (tax_i64 (t, "probes", c), ==, 10);
  guint ct = tax_col (t, "tool");
  g_assert_cmpstr (t->cols[ct].str[a], ==, "mirai");
  g_assert_cmpstr (t->cols[ct].str[b], ==, "masscan");
  g_assert_cmpstr (t->cols[ct].str[c], ==, "");   /* 80 % < tool_share 0.9 */
  DpTable *ev = tax_table (h, "events");
  guint r = tax_event (h, "net_scan_tcp_light", SRC2);
  g_assert_cmpint (tax_i64 (ev, "masscan", r), ==, 10);
  g_autoptr (DpHarness) h2 = tax_run ("paper", "tool_share: 0.8", p);
  DpTable *t2 = tax_table (h2, "sources");
  g_assert_cmpstr (t2->cols[tax_col (t2, "tool")].str[tax_source_row (t2, DST (100))], ==, "zmap");
}

/* One TCP SYN probe from @src to @dst, as a tool's packet builder fills
 * the fields the fingerprints read; the TTL is the initial one less @hops. */
static guint
fp_syn (DpPackets *p, guint32 src, guint32 dst, guint16 sport, guint16 dport, guint32 seq,
        guint16 id, guint8 ttl0, guint hops, guint16 win, guint8 optlen)
{
  guint r = dp_test_add_packet (p, MS (dst & 0xff), src, dst, 6, sport, dport, SYN);
  p->tcp_seq[r] = seq;
  p->ip_id[r] = id;
  p->ttl[r] = (guint8) (ttl0 - hops);
  p->tcp_win[r] = win;
  p->tcp_optlen[r] = optlen;
  p->ip_len[r] = (guint16) (40 + optlen);
  return r;
}

/* The tools' builders, one per version, each sending 10 SYNs from @src to
 * DST (1..10); @g draws what the tool draws at random. */
typedef void (*FpBuilder) (DpPackets *p, guint32 src, GRand *g);

/* Mirai (jgamblin/Mirai-Source-Code, mirai/bot/scanner.c, 2016): TTL 64,
 * IP id random per packet, window random once per bot, no options, source
 * port random >= 1024 once per bot, seq = destination, port 23 or 2323. */
static void
fp_mirai (DpPackets *p, guint32 src, GRand *g)
{
  guint16 win = (guint16) g_rand_int (g), sport = (guint16) g_rand_int_range (g, 1024, 65536);
  for (guint i = 1; i <= 10; i++)
    fp_syn (p, src, DST (i), sport, i % 10 == 0 ? 2323 : 23, DST (i),
            (guint16) g_rand_int (g), 64, 12, win, 0);
}

/* masscan, first template (robertdavidgraham/masscan src/templ-pkt.c at
 * 00e3471, 2013): TTL 255, window 0, no options, IP id = dst ^ dport ^ seq. */
static void
fp_masscan_2013 (DpPackets *p, guint32 src, GRand *g)
{
  for (guint i = 1; i <= 10; i++)
    {
      guint32 seq = g_rand_int (g), dst = DST (i);
      fp_syn (p, src, dst, 0xfedc, 80, seq, (guint16) ((dst ^ 80u ^ seq) & 0xffffu), 255, 3, 0, 0);
    }
}

/* masscan 1.3 (src/templ-pkt.c with templ-opts.h): TTL 255, window bytes
 * 0x04 0x01, MSS 1460 (4 option bytes), the same IP id rule. */
static void
fp_masscan_13 (DpPackets *p, guint32 src, GRand *g)
{
  for (guint i = 1; i <= 10; i++)
    {
      guint32 seq = g_rand_int (g), dst = DST (i);
      guint16 dport = (guint16) g_rand_int_range (g, 1, 65536);
      fp_syn (p, src, dst, 61000, dport, seq, (guint16) ((dst ^ dport ^ seq) & 0xffffu), 255, 3, 1025, 4);
    }
}

/* ZMap 1.x-2.1.1 (zmap/zmap src/probe_modules/packet.c at e573fd2):
 * IP id 54321, TTL 255 (MAXTTL), window 65535, no options. */
static void
fp_zmap_2 (DpPackets *p, guint32 src, GRand *g)
{
  for (guint i = 1; i <= 10; i++)
    fp_syn (p, src, DST (i), (guint16) g_rand_int_range (g, 32768, 61001), 443, g_rand_int (g),
            54321, 255, 7, 65535, 0);
}

/* ZMap 3.0-4.0 (packet.c at 0bfe937: set_mss_option, PR #673): IP id
 * 54321, TTL 255, window 65535, MSS 1460 (4 option bytes). */
static void
fp_zmap_30 (DpPackets *p, guint32 src, GRand *g)
{
  for (guint i = 1; i <= 10; i++)
    fp_syn (p, src, DST (i), (guint16) g_rand_int_range (g, 32768, 61001), 443, g_rand_int (g),
            54321, 255, 7, 65535, 4);
}

/* ZMap 4.1.0 (CHANGELOG 4.1.0, PR #798 random IP id, PR #799 option sets,
 * linux the default): TTL 255, window 65535, MSS, SACK, timestamps, NOP,
 * window scale (20 option bytes). */
static void
fp_zmap_410 (DpPackets *p, guint32 src, GRand *g)
{
  for (guint i = 1; i <= 10; i++)
    {
      guint16 id = (guint16) g_rand_int (g);
      id += id == 54321;
      fp_syn (p, src, DST (i), (guint16) g_rand_int_range (g, 32768, 61001), 443, g_rand_int (g),
              id, 255, 7, 65535, 20);
    }
}

/* ZMap 4.1.1 and later (CHANGELOG 4.1.1, PR #850 TTL 64, PR #855 windows
 * options the default; module_tcp_synscan.c header lengths 24/32/40/44 for
 * smallest-probes/windows/linux/bsd): TTL 64, window 65535, random IP id;
 * the four option sets in turn, windows (12 bytes) on most. */
static void
fp_zmap_411 (DpPackets *p, guint32 src, GRand *g)
{
  static const guint8 optlens[] = { 12, 12, 12, 12, 12, 12, 12, 4, 20, 24 };
  for (guint i = 1; i <= 10; i++)
    {
      guint16 id = (guint16) g_rand_int (g);
      id += id == 54321;
      fp_syn (p, src, DST (i), (guint16) g_rand_int_range (g, 32768, 61001), 80, g_rand_int (g),
              id, 64, 9, 65535, optlens[i - 1]);
    }
}

/* Near misses, none a scanner fingerprint.  Linux 5.x connect(): TTL 64,
 * window 64240, MSS, SACK, timestamps, NOP, window scale (20 bytes). */
static void
fp_linux (DpPackets *p, guint32 src, GRand *g)
{
  for (guint i = 1; i <= 10; i++)
    fp_syn (p, src, DST (i), (guint16) g_rand_int_range (g, 32768, 61001), 22, g_rand_int (g),
            (guint16) g_rand_int (g), 64, 9, 64240, 20);
}

/* FreeBSD / macOS connect(): TTL 64, window 65535, 20 option bytes as
 * ZMap 4.1.0's linux set, but DF set, as these stacks do (path MTU
 * discovery) and ZMap never does. */
static void
fp_bsd (DpPackets *p, guint32 src, GRand *g)
{
  for (guint i = 1; i <= 10; i++)
    {
      guint r = fp_syn (p, src, DST (i), (guint16) g_rand_int_range (g, 49152, 65536), 443, g_rand_int (g),
                        (guint16) g_rand_int (g), 64, 9, 65535, 20);
      p->frag[r] = DP_FRAG_DF;
    }
}

/* nmap -sS (as in the real capture sgr_nmap_tcp_syn_sweep_port80): TTL
 * 37-59, window 1024, MSS only (4 bytes), random IP id. */
static void
fp_nmap (DpPackets *p, guint32 src, GRand *g)
{
  for (guint i = 1; i <= 10; i++)
    fp_syn (p, src, DST (i), 40000, 80, g_rand_int (g), (guint16) g_rand_int (g),
            (guint8) g_rand_int_range (g, 37, 60), 0, 1024, 4);
}

/* Windows 10/11 and an older Windows with window 65535: TTL 128, MSS, NOP,
 * window scale, NOP, NOP, SACK (12 bytes), the ZMap windows set's length. */
static void
fp_windows (DpPackets *p, guint32 src, GRand *g)
{
  for (guint i = 1; i <= 10; i++)
    fp_syn (p, src, DST (i), 50000, 445, g_rand_int (g), (guint16) g_rand_int (g), 128, 10,
            i % 2 ? 64240 : 65535, 12);
}

/* Each tool version's probes match exactly its fingerprint, all 10, and
 * name the tool; the near misses match none. */
static void
test_fingerprint_versions (void)
{
  static const struct { FpBuilder build; const char *fp; } cases[] = {
    { fp_mirai, "mirai" }, { fp_masscan_2013, "masscan" }, { fp_masscan_13, "masscan" },
    { fp_zmap_2, "zmap" }, { fp_zmap_30, "zmap" }, { fp_zmap_410, "zmap41" },
    { fp_zmap_411, "zmap41" }, { fp_linux, NULL }, { fp_nmap, NULL }, { fp_windows, NULL },
    { fp_bsd, NULL },
  };
  static const char *const fps[] = { "mirai", "zmap", "masscan", "zmap41" };
  g_autoptr (GRand) g = g_rand_new_with_seed (41);
  g_autoptr (DpPackets) p = dp_packets_new (256);
  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    cases[c].build (p, DP_TEST_IP (203, 0, 113, 1 + c), g);
  g_autoptr (DpHarness) h = tax_run ("paper", NULL, p);
  DpTable *t = tax_table (h, "sources");
  guint ct = tax_col (t, "tool");
  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      guint r = tax_source_row (t, DP_TEST_IP (203, 0, 113, 1 + c));
      g_test_message ("case %u (%s)", c, cases[c].fp ? cases[c].fp : "none");
      g_assert_cmpint (tax_i64 (t, "probes", r), ==, 10);
      for (guint k = 0; k < G_N_ELEMENTS (fps); k++)
        g_assert_cmpint (tax_i64 (t, fps[k], r), ==,
                         cases[c].fp && strcmp (cases[c].fp, fps[k]) == 0 ? 10 : 0);
      g_assert_cmpstr (t->cols[ct].str[r], ==, cases[c].fp ? cases[c].fp : "");
    }
  /* the events carry the new column too: the 4.1.1 source's network scan
   * of port 80 over the 10 destinations */
  guint r = tax_event (h, "net_scan_tcp_light", DP_TEST_IP (203, 0, 113, 7));
  g_assert_cmpint (tax_i64 (tax_table (h, "events"), "zmap41", r), ==, 10);
  g_assert_cmpint (tax_i64 (tax_table (h, "events"), "zmap", r), ==, 0);
}

/* ZMap's target order (Adrian et al., "Zippier ZMap", WOOT 2014; Mazel
 * and Strullu 2019): the elements of the multiplicative group modulo p,
 * x_{k+1} = x_k * g mod p for a random primitive root g (3^e with e prime
 * to p - 1), element x standing for target x - 1, elements past the last
 * target skipped.  @base is added to each target. */
static guint64
zmap_mulmod (guint64 a, guint64 b, guint64 p)
{
  return (guint64) ((unsigned __int128) a * b % p);
}

static guint64
zmap_pow (guint64 x, guint64 e, guint64 p)
{
  guint64 r = 1;
  for (; e; e >>= 1, x = zmap_mulmod (x, x, p))
    if (e & 1)
      r = zmap_mulmod (r, x, p);
  return r;
}

/* A random generator of the group modulo @p (3 generates both groups used
 * here; @factors: the primes of p - 1). */
static guint64
zmap_generator (guint64 p, const guint64 *factors, guint n_factors, GRand *g)
{
  for (;;)
    {
      guint64 e = ((guint64) g_rand_int (g) << 1 | 1) % (p - 1);
      gboolean coprime = e > 1;
      for (guint k = 0; k < n_factors; k++)
        coprime = coprime && e % factors[k] != 0;
      if (coprime)
        return zmap_pow (3, e, p);
    }
}

/* @n targets of a walk modulo @p over targets [0, @n_targets), from a
 * random start, into @out; a start is drawn again until no target is in
 * 224.0.0.0/3 (multicast and class E: darkpipe's name keys live there,
 * and ZMap's blocklist leaves them out). */
static void
zmap_walk (guint64 p, guint64 gen, guint64 n_targets, guint32 base, guint n, guint32 *out, GRand *g)
{
  gboolean unicast;
  do
    {
      unicast = TRUE;
      guint64 x = 1 + (guint64) g_rand_int (g) % (p - 1);
      for (guint k = 0; k < n; x = zmap_mulmod (x, gen, p))
        if (x - 1 < n_targets)
          {
            out[k] = base + (guint32) (x - 1);
            if (out[k++] >= DP_TEST_IP (224, 0, 0, 0))
              unicast = FALSE;
          }
    }
  while (!unicast);
}

/* ZMap 4.1 and later is told by its target order when nothing else tells:
 * SYNs with a random IP id and no option set of its own (so the header
 * traits do not match), walking the group over all of IPv4 (one probe
 * lost), over one /16 (an allow-listed telescope prefix), and as two
 * sender threads interleaved, are all recognised, every SYN of the source
 * counted; the same destinations in a random order, and a walk that is
 * not ZMap's (successive addresses), are not. */
static void
test_fingerprint_zmap_order (void)
{
  static const guint64 f32[] = { 2, 3, 5, 131, 364289 }, f16[] = { 2 };
  const guint64 p32 = G_GUINT64_CONSTANT (4294967311), p16 = 65537;
  g_autoptr (GRand) g = g_rand_new_with_seed (2019);
  enum { N = 16 };
  guint32 dst[6][N];
  guint n[6] = { N, N, N, N, N, N };
  /* 0: all of IPv4, the 6th probe lost */
  zmap_walk (p32, zmap_generator (p32, f32, G_N_ELEMENTS (f32), g), G_GUINT64_CONSTANT (1) << 32, 0, N, dst[0], g);
  memmove (&dst[0][5], &dst[0][6], (N - 6) * sizeof (guint32));
  n[0] = N - 1;
  /* 1: one /16 */
  zmap_walk (p16, zmap_generator (p16, f16, 1, g), 65536, DP_TEST_IP (198, 51, 0, 0), N, dst[1], g);
  /* 2: two threads, each its own walk, taking turns */
  guint32 a[N / 2], b[N / 2];
  guint64 gen = zmap_generator (p32, f32, G_N_ELEMENTS (f32), g);
  zmap_walk (p32, gen, G_GUINT64_CONSTANT (1) << 32, 0, N / 2, a, g);
  zmap_walk (p32, gen, G_GUINT64_CONSTANT (1) << 32, 0, N / 2, b, g);
  for (guint k = 0; k < N / 2; k++)
    dst[2][2 * k] = a[k], dst[2][2 * k + 1] = b[k];
  /* 3, 4: cases 0 and 1 shuffled */
  for (guint c = 3; c < 5; c++)
    {
      memcpy (dst[c], dst[c - 3], sizeof dst[c]);
      n[c] = n[c - 3];
      for (guint k = n[c] - 1; k > 0; k--)
        {
          guint j = (guint) g_rand_int_range (g, 0, (gint32) k + 1);
          guint32 t = dst[c][k];
          dst[c][k] = dst[c][j], dst[c][j] = t;
        }
    }
  /* 5: a sweep, address after address */
  for (guint k = 0; k < N; k++)
    dst[5][k] = DP_TEST_IP (198, 51, 100, 1 + k);
  static const gboolean zmap[6] = { TRUE, TRUE, TRUE, FALSE, FALSE, FALSE };

  g_autoptr (DpPackets) p = dp_packets_new (256);
  for (guint c = 0; c < 6; c++)
    for (guint k = 0; k < n[c]; k++)
      {
        guint16 id = (guint16) g_rand_int (g);
        id += id == 54321;
        guint r = dp_test_add_packet (p, MS (k), DP_TEST_IP (203, 0, 113, 40 + c), dst[c][k], 6,
                                      (guint16) g_rand_int_range (g, 32768, 61001), 443, SYN);
        p->tcp_seq[r] = g_rand_int (g);
        p->ip_id[r] = id;
        p->ttl[r] = 57;
        p->tcp_win[r] = 65535;
        p->tcp_optlen[r] = 0;   /* none of ZMap 4.1's option sets */
        p->ip_len[r] = 40;
      }
  g_autoptr (DpHarness) h = tax_run ("paper", NULL, p);
  DpTable *t = tax_table (h, "sources");
  guint ct = tax_col (t, "tool");
  for (guint c = 0; c < 6; c++)
    {
      guint r = tax_source_row (t, DP_TEST_IP (203, 0, 113, 40 + c));
      g_test_message ("case %u", c);
      g_assert_cmpint (tax_i64 (t, "probes", r), ==, n[c]);
      g_assert_cmpint (tax_i64 (t, "zmap41", r), ==, zmap[c] ? n[c] : 0);
      g_assert_cmpint (tax_i64 (t, "zmap", r), ==, 0);
      g_assert_cmpstr (t->cols[ct].str[r], ==, zmap[c] ? "zmap41" : "");
    }
}

/* ------------------------------------------------------------------ */
/* windows */

static DpTable *
tax_window_table (DpHarness *h, const char *port, guint k)
{
  GPtrArray *outs = dp_harness_outputs (h, (guint) dp_harness_output_port (h, port));
  g_assert_cmpuint (k, <, outs->len);
  return g_ptr_array_index (outs, k);
}

/* ns since the epoch of a wall-clock time in Europe/Rome, as GLib's own
 * local-time arithmetic puts it (the oracle of the tz tests) */
static gint64
rome_ns (int y, int mo, int d, int h, int mi)
{
  g_autoptr (GTimeZone) tz = g_time_zone_new_identifier ("Europe/Rome");
  g_assert_nonnull (tz);
  g_autoptr (GDateTime) t = g_date_time_new (tz, y, mo, d, h, mi, 0);
  return DP_TEST_SEC (g_date_time_to_unix (t));
}

static gint64
utc_ns (int y, int mo, int d, int h, int mi)
{
  g_autoptr (GDateTime) t = g_date_time_new_utc (y, mo, d, h, mi, 0);
  return DP_TEST_SEC (g_date_time_to_unix (t));
}

/* The window_start and packets of every window of the sources output
 * (the arrays emptied first). */
static void
tax_windows (DpHarness *h, GArray *starts, GArray *packets)
{
  g_array_set_size (starts, 0);
  g_array_set_size (packets, 0);
  GPtrArray *outs = dp_harness_outputs (h, (guint) dp_harness_output_port (h, "sources"));
  for (guint k = 0; k < outs->len; k++)
    {
      DpTable *t = g_ptr_array_index (outs, k);
      for (guint r = 0; r < t->n_rows; r++)
        {
          gint64 w = tax_i64 (t, "window_start", r), n = tax_i64 (t, "packets", r);
          g_array_append_val (starts, w);
          g_array_append_val (packets, n);
        }
    }
}

/* Days in Europe/Rome around the spring change (2021-03-28 has 23 hours),
 * hours around the autumn one (02:00-03:00 comes twice on 2021-10-31):
 * windows start on the zone's wall clock, the repeated hour joins the
 * first, and a clock set back drops nothing. */
static void
test_tz_dst (void)
{
  /* spring, 1d windows: one source per packet, so a row per window and packet */
  g_autoptr (DpPackets) p = dp_packets_new (8);
  tax_tcp (p, utc_ns (2021, 3, 27, 22, 30), SRC, DST (1), 23, SYN);   /* 23:30 on the 27th */
  tax_tcp (p, utc_ns (2021, 3, 27, 23, 30), SRC, DST (1), 23, SYN);   /* 00:30 on the 28th */
  tax_tcp (p, utc_ns (2021, 3, 28, 21, 30), SRC, DST (1), 23, SYN);   /* 23:30 CEST on the 28th */
  tax_tcp (p, utc_ns (2021, 3, 28, 22, 30), SRC, DST (1), 23, SYN);   /* 00:30 on the 29th */
  g_autoptr (DpHarness) h = tax_run ("paper", "window: 1d\ntz: Europe/Rome", p);
  g_autoptr (GArray) starts = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GArray) packets = g_array_new (FALSE, FALSE, sizeof (gint64));
  tax_windows (h, starts, packets);
  const gint64 want[] = { rome_ns (2021, 3, 27, 0, 0), rome_ns (2021, 3, 28, 0, 0), rome_ns (2021, 3, 29, 0, 0) };
  const gint64 want_n[] = { 1, 2, 1 };
  g_assert_cmpuint (starts->len, ==, 3);
  for (guint k = 0; k < 3; k++)
    {
      g_assert_cmpint (g_array_index (starts, gint64, k), ==, want[k]);
      g_assert_cmpint (g_array_index (packets, gint64, k), ==, want_n[k]);
    }
  /* the 28th is 23 hours long there */
  g_assert_cmpint (want[2] - want[1], ==, DP_TEST_SEC (23 * 3600));
  /* the same packets in UTC days: 27th, 27th, 28th, 28th */
  g_autoptr (DpHarness) hu = tax_run ("paper", "window: 1d", p);
  tax_windows (hu, starts, packets);
  g_assert_cmpuint (starts->len, ==, 2);
  g_assert_cmpint (g_array_index (starts, gint64, 0), ==, utc_ns (2021, 3, 27, 0, 0));

  /* autumn, 1h windows: 02:30 CEST, 02:30 CET (the repeated hour), 03:30 CET */
  g_autoptr (DpPackets) a = dp_packets_new (8);
  tax_tcp (a, utc_ns (2021, 10, 31, 0, 30), SRC, DST (1), 23, SYN);
  tax_tcp (a, utc_ns (2021, 10, 31, 1, 30), SRC, DST (1), 23, SYN);
  tax_tcp (a, utc_ns (2021, 10, 31, 2, 30), SRC, DST (1), 23, SYN);
  g_autoptr (DpHarness) ha = tax_run ("paper", "tz: Europe/Rome", a);
  tax_windows (ha, starts, packets);
  g_assert_cmpuint (starts->len, ==, 2);
  /* 02:00 CEST: the first instant of wall-clock 02:00 that day */
  g_assert_cmpint (g_array_index (starts, gint64, 0), ==, utc_ns (2021, 10, 31, 0, 0));
  g_assert_cmpint (g_array_index (packets, gint64, 0), ==, 2);
  g_assert_cmpint (g_array_index (starts, gint64, 1), ==, rome_ns (2021, 10, 31, 3, 0));
  g_assert_cmpint (g_array_index (packets, gint64, 1), ==, 1);

  /* 15-minute windows across the change: every packet counted, none late */
  g_autoptr (DpPackets) q = dp_packets_new (32);
  for (guint i = 0; i < 18; i++)
    tax_tcp (q, utc_ns (2021, 10, 30, 23, 0) + DP_TEST_SEC (600) * i, SRC, DST (1), 23, SYN);
  g_autoptr (DpHarness) hq = tax_run ("paper", "window: 15m\ntz: Europe/Rome", q);
  tax_windows (hq, starts, packets);
  gint64 total = 0;
  for (guint k = 0; k < packets->len; k++)
    {
      total += g_array_index (packets, gint64, k);
      if (k > 0)
        g_assert_cmpint (g_array_index (starts, gint64, k), >, g_array_index (starts, gint64, k - 1));
    }
  g_assert_cmpint (total, ==, 18);
  g_assert_cmpuint (dp_harness_counter (hq, "late-dropped"), ==, 0);

  /* an unknown zone, and a zone with state_path, are refused at check time */
  dp_test_bad_option ("taxonomy", "{tz: Mars/Olympus}", DP_CONFIG_ERROR_TYPE);
  dp_test_bad_option ("taxonomy", "{tz: Europe/Rome, state_path: /tmp/x.state}", DP_CONFIG_ERROR_STRUCTURE);
}

static void
test_window_split (void)
{
  /* 6 SYNs 0.3 s apart from 3599 s: 4 in the first hour, 2 in the next */
  g_autoptr (DpPackets) p = dp_packets_new (16);
  for (guint i = 0; i < 6; i++)
    tax_tcp (p, TS (3599) + (gint64) i * 300000000, SRC, DST (1 + i), 23, SYN);
  g_autoptr (DpHarness) h = tax_run ("paper", NULL, p);
  GPtrArray *outs = dp_harness_outputs (h, (guint) dp_harness_output_port (h, "sources"));
  g_assert_cmpuint (outs->len, ==, 2);
  for (guint k = 0; k < 2; k++)
    {
      DpTable *t = tax_window_table (h, "sources", k);
      g_assert_cmpuint (t->n_rows, ==, 1);
      g_assert_cmpint (tax_i64 (t, "window_start", 0), ==, TS (3600 * (gint64) k));
      g_assert_cmpint (tax_i64 (t, "packets", 0), ==, k == 0 ? 4 : 2);
      /* 6 destinations in one hour would be a network scan; split, they are small */
      g_assert_cmpint (tax_i64 (t, "small_syn", 0), ==, 1);
      g_assert_cmpint (tax_i64 (t, "net_scan_tcp_light", 0), ==, 0);
    }
  g_assert_cmpuint (dp_harness_outputs (h, 1)->len, ==, 2);
  g_assert_cmpuint (dp_harness_outputs (h, 2)->len, ==, 2);
  /* a 2 h window keeps them together */
  g_autoptr (DpHarness) h2 = tax_run ("paper", "window: 2h", p);
  g_assert_cmpint (tax_label (h2, SRC, "net_scan_tcp_light"), ==, 1);
}

static void
test_window_late (void)
{
  g_autoptr (DpHarness) h = tax_new ("slack: 60s");
  g_autoptr (DpPackets) a = dp_packets_new (16);
  tax_tcp (a, TS (100), SRC, DST (1), 23, SYN);
  tax_tcp (a, TS (3610), SRC, DST (2), 23, SYN);   /* next window, within the slack */
  tax_tcp (a, TS (3590), SRC, DST (3), 23, SYN);   /* late, accepted into the first */
  tax_push (h, a);
  g_assert_cmpuint (dp_harness_outputs (h, 0)->len, ==, 0);
  g_autoptr (DpPackets) b = dp_packets_new (16);
  tax_tcp (b, TS (3661), SRC, DST (4), 23, SYN);   /* past end + slack: the first closes */
  tax_push (h, b);
  g_assert_cmpuint (dp_harness_outputs (h, 0)->len, ==, 1);
  g_autoptr (DpPackets) c = dp_packets_new (16);
  tax_tcp (c, TS (3595), SRC, DST (5), 23, SYN);   /* too late */
  tax_tcp (c, TS (3700), SRC, DST (6), 23, SYN);
  tax_push (h, c);
  tax_finish (h);
  g_assert_cmpuint (dp_harness_counter (h, "late-dropped"), ==, 1);
  DpTable *w0 = tax_window_table (h, "sources", 0), *w1 = tax_window_table (h, "sources", 1);
  g_assert_cmpint (tax_i64 (w0, "packets", 0), ==, 2);
  g_assert_cmpint (tax_i64 (w1, "packets", 0), ==, 3);
  g_assert_cmpint (tax_i64 (w1, "window_start", 0), ==, TS (3600));
}

static void
test_window_unordered_batches (void)
{
  /* the same packets in one batch or in reversed single-packet batches */
  g_autoptr (DpPackets) p = tax_net_scan (6, 12, 6);
  g_autoptr (DpHarness) one = tax_run ("paper", NULL, p);
  g_autoptr (DpHarness) h = tax_new (NULL);
  for (guint i = p->n_rows; i-- > 0;)
    {
      g_autoptr (DpPackets) s = dp_packets_slice (p, i, 1);
      tax_push (h, s);
    }
  tax_finish (h);
  DpTable *a = tax_table (one, "events"), *b = tax_table (h, "events");
  g_assert_cmpuint (a->n_rows, ==, b->n_rows);
  for (guint c = 0; c < a->n_cols; c++)
    for (guint r = 0; r < a->n_rows; r++)
      {
        g_autoptr (GString) x = g_string_new (NULL);
        g_autoptr (GString) y = g_string_new (NULL);
        dp_table_format_cell (a, c, r, x);
        dp_table_format_cell (b, c, r, y);
        g_assert_cmpstr (x->str, ==, y->str);
      }
}

/* A window of spoofed traffic: more sources than one output table holds
 * (65536 rows, TAX_CHUNK_ROWS) come out in several tables of the window,
 * all of them, in address order, with their events in (src, pattern)
 * order, and one summary that counts them all. */
static void
test_window_many_sources (void)
{
  const guint n = 150000;
  g_autoptr (DpPackets) p = dp_packets_new (n + 8);
  for (guint i = 0; i < n; i++)
    {
      /* an odd multiplier is a bijection: distinct, scrambled addresses */
      guint32 src = (i + 1) * 2654435761u;
      tax_tcp (p, TS (i % 3000), src == SRC ? 1 : src, DST (i % 4000), 23, SYN);
    }
  for (guint i = 0; i < 6; i++)
    tax_tcp (p, TS (10 + i), SRC, DST (100 + i), 445, SYN);   /* one net scan too */
  g_autoptr (DpHarness) h = tax_run ("paper", NULL, p);
  GPtrArray *srcs = dp_harness_outputs (h, 0), *evs = dp_harness_outputs (h, 1);
  g_assert_cmpuint (srcs->len, ==, 3);
  g_assert_cmpuint (dp_harness_outputs (h, 2)->len, ==, 1);
  guint64 rows = 0, small = 0, events = 0;
  gint64 prev = -1;
  for (guint k = 0; k < srcs->len; k++)
    {
      DpTable *t = g_ptr_array_index (srcs, k);
      g_assert_cmpuint (t->n_rows, <=, 65536);
      for (guint r = 0; r < t->n_rows; r++, rows++)
        {
          guint32 src = t->cols[tax_col (t, "src")].ip[r];
          g_assert_cmpint ((gint64) src, >, prev);
          prev = src;
          g_assert_cmpint (tax_i64 (t, "window_start", r), ==, TS (0));
          small += tax_i64 (t, "small_syn", r);
          if (src == SRC)
            g_assert_cmpint (tax_i64 (t, "net_scan_tcp_light", r), ==, 1);
        }
    }
  g_assert_cmpuint (rows, ==, n + 1);
  g_assert_cmpuint (small, ==, n);
  prev = -1;
  for (guint k = 0; k < evs->len; k++)
    {
      DpTable *t = g_ptr_array_index (evs, k);
      g_assert_cmpuint (t->n_rows, <=, 65536);
      for (guint r = 0; r < t->n_rows; r++, events++)
        {
          gint64 key = (gint64) t->cols[tax_col (t, "src")].ip[r] << 8
                       | (strcmp (t->cols[tax_col (t, "pattern")].str[r], "small_syn") == 0);
          g_assert_cmpint (key, >=, prev);
          prev = key;
        }
    }
  g_assert_cmpuint (evs->len, >, 1);
  DpTable *sum = dp_harness_output (h, "summary");
  guint all = sum->n_rows - 1;
  g_assert_cmpstr (sum->cols[tax_col (sum, "pattern")].str[all], ==, "all");
  g_assert_cmpint (tax_i64 (sum, "sources", all), ==, n + 1);
  g_assert_cmpint (tax_i64 (sum, "keys", all), ==, (gint64) events);
  g_assert_cmpint (tax_i64 (sum, "packets", all), ==, n + 6);
}

/* Odd rows (extreme times, fields missing or inconsistent with the protocol)
 * are data: every row is either in a window or counted as late-dropped. */
static void
test_odd_rows (void)
{
  g_autoptr (DpPackets) p = dp_packets_new (64);
  static const gint64 times[] = { 0, G_MAXINT64, G_MININT64, -1, 1, G_MAXINT64 - 1 };
  static const guint8 protos[] = { 1, 6, 17, 47, 0, 255 };
  guint32 seed = 7;
  for (guint i = 0; i < 48; i++)
    {
      seed = seed * 1103515245u + 12345u;
      guint8 proto = protos[(seed >> 8) % G_N_ELEMENTS (protos)];
      guint r = dp_test_add_packet (p, times[i % G_N_ELEMENTS (times)], seed, ~seed, proto,
                                    (guint16) seed, (guint16) (seed >> 16), (guint8) (seed >> 3));
      p->l4[r] = (guint8) (seed >> 24);
      p->frag[r] = (guint16) (seed >> 5);
    }
  g_autoptr (DpHarness) h = tax_run ("paper", NULL, p);
  g_autoptr (DpHarness) r = tax_run ("reference", "window: 1s\nslack: 0s", p);
  DpHarness *hs[] = { h, r };
  for (guint k = 0; k < G_N_ELEMENTS (hs); k++)
    {
      GPtrArray *outs = dp_harness_outputs (hs[k], 0);
      guint64 n = dp_harness_counter (hs[k], "late-dropped");
      for (guint t = 0; t < outs->len; t++)
        {
          DpTable *tab = g_ptr_array_index (outs, t);
          for (guint row = 0; row < tab->n_rows; row++)
            n += tax_i64 (tab, "packets", row);
        }
      g_assert_cmpuint (n, ==, p->n_rows);
      g_assert_cmpuint (dp_harness_counter (hs[k], "late-dropped"), >, 0);
    }
}

/* ------------------------------------------------------------------ */
/* real captures, through the pcap source */

/* Runs the pcap source on @rel and pushes its batches into a taxonomy stage. */
static DpHarness *
tax_run_pcap (const char *rel, const char *opts)
{
  g_autofree char *path = dp_test_shared (rel);
  if (!path)
    return NULL;
  g_autoptr (GError) err = NULL;
  g_autofree char *yaml = g_strdup_printf ("path: '%s'", path);
  g_autoptr (DpHarness) src = dp_harness_new ("pcap", yaml, &err);
  g_assert_no_error (err);
  g_assert_true (dp_harness_run (src, &err));
  g_assert_no_error (err);
  DpHarness *h = tax_new (opts);
  GPtrArray *outs = dp_harness_outputs (src, 0);
  g_assert_cmpuint (outs->len, >, 0);
  for (guint i = 0; i < outs->len; i++)
    tax_push (h, g_ptr_array_index (outs, i));
  tax_finish (h);
  return h;
}

/* The source that sent most probes (the scanner) in the single window of @h. */
static guint32
tax_top_source (DpHarness *h)
{
  DpTable *t = tax_table (h, "sources");
  guint cp = tax_col (t, "probes"), cs = tax_col (t, "src");
  guint best = 0;
  for (guint r = 1; r < t->n_rows; r++)
    if (t->cols[cp].i64[r] > t->cols[cp].i64[best])
      best = r;
  g_assert_cmpuint (t->n_rows, >, 0);
  return t->cols[cs].ip[best];
}

static void
test_real_masscan_tcp (void)
{
  for (guint m = 0; m < G_N_ELEMENTS (modes); m++)
    {
      g_autofree char *opts = g_strdup_printf ("compat: %s", modes[m]);
      g_autoptr (DpHarness) h = tax_run_pcap ("data/real/pcap/esnet_masscan_tcp_0_1000_20190821.pcap", opts);
      if (!h)
        return;
      guint32 s = tax_top_source (h);
      g_assert_cmpint (tax_label (h, s, "port_scan_tcp_light"), >=, 1);
      g_assert_cmpint (tax_label (h, s, "port_scan_tcp_heavy"), ==, 0);
      /* masscan's own RSTs: 4 of them, backscatter in both modes */
      g_assert_cmpint (tax_label (h, s, "backscatter_tcp"), ==, 1);
      g_assert_cmpint (tax_label (h, s, "masscan"), ==, 1001);
      g_assert_cmpint (tax_label (h, s, "mirai") + tax_label (h, s, "zmap") + tax_label (h, s, "zmap41"), ==, 0);
      DpTable *t = tax_table (h, "sources");
      g_assert_cmpstr (t->cols[tax_col (t, "tool")].str[tax_source_row (t, s)], ==, "masscan");
    }
}

static void
test_real_masscan_udp (void)
{
  g_autoptr (DpHarness) h = tax_run_pcap ("data/real/pcap/esnet_masscan_udp_0_1000_20190821.pcap", NULL);
  if (!h)
    return;
  guint32 s = tax_top_source (h);
  g_assert_cmpint (tax_label (h, s, "port_scan_udp_light"), >=, 1);
  g_assert_cmpint (tax_label (h, s, "port_scan_udp_heavy"), ==, 0);
}

static void
test_real_nmap (void)
{
  static const struct { const char *file, *label; } cases[] = {
    { "data/real/pcap/sgr_nmap_icmp_sweep.pcap", "net_scan_icmp_light" },
    { "data/real/pcap/sgr_nmap_tcp_syn_sweep_port80.pcapng", "net_scan_tcp_light" },
    { "data/real/pcap/sgr_nmap_udp_sweep.pcap", "net_scan_udp_heavy" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (DpHarness) h = tax_run_pcap (cases[i].file, NULL);
      if (!h)
        return;
      g_test_message ("%s", cases[i].file);
      guint32 top = tax_top_source (h);
      g_assert_cmpint (tax_label (h, top, cases[i].label), >=, 1);
      /* nmap is none of the fingerprinted tools */
      g_assert_cmpint (tax_label (h, top, "mirai") + tax_label (h, top, "zmap")
                       + tax_label (h, top, "masscan") + tax_label (h, top, "zmap41"), ==, 0);
    }
}

static void
test_real_darkvec (void)
{
  g_autofree char *path = dp_test_shared ("data/darkvec/darknet01_20210501.csv.gz");
  if (!path)
    return;
  g_autoptr (GError) err = NULL;
  g_autofree char *yaml = g_strdup_printf ("path: '%s'", path);
  g_autoptr (DpHarness) src = dp_harness_new ("darkvec_csv", yaml, &err);
  g_assert_no_error (err);
  g_assert_true (dp_harness_run (src, &err));
  g_assert_no_error (err);
  g_autoptr (DpHarness) h = tax_new (NULL);
  GPtrArray *outs = dp_harness_outputs (src, 0);
  guint64 n_pkt = 0;
  for (guint i = 0; i < outs->len; i++)
    {
      tax_push (h, g_ptr_array_index (outs, i));
      n_pkt += ((DpPackets *) g_ptr_array_index (outs, i))->n_rows;
    }
  tax_finish (h);
  g_assert_cmpuint (n_pkt, >, 2900);
  guint64 seen = 0;
  GPtrArray *tables = dp_harness_outputs (h, 0);
  for (guint k = 0; k < tables->len; k++)
    {
      DpTable *t = g_ptr_array_index (tables, k);
      guint first = tax_col (t, "port_scan_tcp_heavy"), last = tax_col (t, "other");
      for (guint r = 0; r < t->n_rows; r++)
        {
          guint n = 0;
          for (guint c = first; c <= last; c++)
            n += t->cols[c].i64[r] > 0;
          g_assert_cmpuint (n, >=, 1);
          seen += tax_i64 (t, "packets", r);
        }
      /* the pseudonyms print back */
      if (t->n_rows > 0)
        {
          g_autoptr (GString) s = g_string_new (NULL);
          dp_table_format_cell (t, tax_col (t, "src"), 0, s);
          g_assert_true (g_str_has_prefix (s->str, "src_ipaddr"));
        }
    }
  g_assert_cmpuint (seen, ==, n_pkt);
}

/* pipelines/taxonomy.yaml end to end on the masscan capture: pcap ->
 * taxonomy -> three CSV files. */
static void
test_pipeline_yaml (void)
{
  g_autofree char *pcap = dp_test_shared ("data/real/pcap/esnet_masscan_tcp_0_1000_20190821.pcap");
  if (!pcap)
    return;
  const char *plugins = g_getenv ("DARKPIPE_PLUGIN_PATH");
  if (!plugins || !g_file_test (plugins, G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("DARKPIPE_PLUGIN_PATH is not a plugin directory");
      return;
    }
  g_autoptr (DpContext) ctx = dp_context_new ();
  dp_context_add_plugin_dir (ctx, plugins);
  dp_context_set_quiet (ctx, TRUE);
  g_autofree char *dir = dp_test_tmpdir ();
  dp_context_set_output_dir (ctx, dir);
  g_autofree char *yaml = g_build_filename (DP_SRC_DIR, "pipelines", "taxonomy.yaml", NULL);
  g_autofree char *set = g_strdup_printf ("capture.path=%s", pcap);
  const char *const overrides[] = { set, NULL };
  g_autoptr (GError) err = NULL;
  g_autoptr (DpPipeline) p = dp_pipeline_load_file (ctx, yaml, overrides, NULL, &err);
  g_assert_no_error (err);
  g_assert_true (dp_pipeline_run (p, &err));
  g_assert_no_error (err);
  static const char *const files[] = { "sources.csv", "events.csv", "summary.csv" };
  static const char *const expect[] = {
    "172.31.15.102,1005,0,1,",                                          /* light port scan */
    "port_scan_tcp_light,172.31.15.102,6,tcp,198.124.152.15,,1005,1,1001,",  /* no port: empty */
    "port_scan_tcp_light,1,1,1005",
  };
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (dir, files[i], NULL);
      g_autofree char *text = dp_test_read_file (path, NULL);
      g_test_message ("%s:\n%s", files[i], text);
      g_assert_nonnull (strstr (text, expect[i]));
    }
  dp_test_rmtree (dir);
}

/* ------------------------------------------------------------------ */
/* state across runs */

/* Traffic over 4 hours from 40 sources (scans, one-flows, small events,
 * backscatter, pings), with packets up to 55 s older than a newer one
 * (accepted within the default slack of 60 s, across window and piece
 * boundaries) and a few 200 s older (late-dropped), in arrival order.
 * With @v6, every third source and its destinations are IPv6 addresses,
 * keys of @names, interned in row order as a decoder would. */
typedef struct {
  gint64 arrival;
  gint64 ts;
  guint32 src, dst;
  guint8 proto;
  guint16 sport, dport;
  guint8 flags;
} StateRow;

static int
cmp_arrival (gconstpointer a, gconstpointer b)
{
  const StateRow *x = a, *y = b;
  return (x->arrival > y->arrival) - (x->arrival < y->arrival);
}

static GArray *
state_workload (void)
{
  GRand *rand = g_rand_new_with_seed (1414);
  GArray *rows = g_array_new (FALSE, FALSE, sizeof (StateRow));
  static const guint8 flags[] = { SYN, SYN, SYN, SYNACK, ACK, 0x04, 0x01 };
  for (guint i = 0; i < 6000; i++)
    {
      StateRow r = { 0 };
      /* a third of the packets within 90 s of an hour boundary */
      if (i % 3 == 0)
        r.arrival = TS (3600 * g_rand_int_range (rand, 1, 4) + g_rand_int_range (rand, -90, 90))
                    + g_rand_int_range (rand, 0, 1000000000);
      else
        r.arrival = TS (g_rand_int_range (rand, 0, 4 * 3600)) + g_rand_int_range (rand, 0, 1000000000);
      guint s = (guint) g_rand_int_range (rand, 0, 40);
      r.src = DP_TEST_IP (198, 18, 0, s);
      guint kind = s % 5;
      r.dst = DST (kind == 0 ? g_rand_int_range (rand, 1, 60) : g_rand_int_range (rand, 1, 4));
      r.proto = kind == 3 ? 17 : kind == 4 ? 1 : 6;
      r.sport = r.proto == 1 ? 8 : 40000;
      r.dport = (guint16) (kind == 1 ? 1000 + g_rand_int_range (rand, 0, 20) : 23);
      if (r.proto == 1)
        r.dport = 0;
      r.flags = r.proto == 6 ? flags[g_rand_int_range (rand, 0, G_N_ELEMENTS (flags))] : 0;
      g_array_append_val (rows, r);
    }
  /* first in their piece whatever the cut (a multiple of 100 s): a packet
   * of a window that an earlier run closed, before any newer packet */
  for (guint k = 1; k < 4 * 36; k++)
    {
      StateRow r = { TS (100 * k), 0, SRC, DST (1), 6, 40000, 23, SYN };
      g_array_append_val (rows, r);
    }
  g_array_sort (rows, cmp_arrival);
  for (guint i = 0; i < rows->len; i++)
    {
      StateRow *r = &g_array_index (rows, StateRow, i);
      guint32 x = g_rand_int (rand) % 100;
      if (r->src == SRC)
        r->ts = r->arrival - DP_TEST_SEC (1000);
      else
        r->ts = r->arrival - (x < 10 ? g_rand_int_range (rand, 0, 55) * G_GINT64_CONSTANT (1000000000)
                            : x == 10 ? DP_TEST_SEC (200) : 0);
    }
  g_rand_free (rand);
  return rows;
}

static guint32
state_key6 (DpNameMap *m, guint32 a)
{
  guint8 b[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, (guint8) (a & 7) };
  b[12] = (guint8) (a >> 24); b[13] = (guint8) (a >> 16); b[14] = (guint8) (a >> 8); b[15] = (guint8) a;
  guint32 k;
  g_assert_true (dp_name_map_intern_ip6 (m, b, 128, &k));
  return k;
}

/* Rows [from, to) as packets; with @names, every third source and its
 * destinations as IPv6 keys of @names, and every third source as a
 * pseudonym. */
static DpPackets *
state_packets (const GArray *rows, guint from, guint to, DpNameMap *names)
{
  DpPackets *p = dp_packets_new (MAX (to - from, 1));
  if (names)
    dp_packets_set_names (p, names);
  for (guint i = from; i < to; i++)
    {
      const StateRow *r = &g_array_index (rows, StateRow, i);
      guint32 src = r->src, dst = r->dst;
      if (names && (src & 0xff) % 3 == 0)
        {
          src = state_key6 (names, src);
          dst = state_key6 (names, dst);
        }
      else if (names && (src & 0xff) % 3 == 1)
        {
          /* a pseudonym, as darkvec_csv names sources */
          g_autofree char *token = g_strdup_printf ("scanner%u", src & 0xff);
          src = dp_name_map_intern (names, token);
        }
      guint k = dp_test_add_packet (p, r->ts, src, dst, r->proto, r->sport, r->dport, r->flags);
      if (names && src >= DP_NAME_BASE && r->proto == 1)
        {
          p->proto[k] = 58;
          p->icmp_type[k] = 128;
        }
    }
  return p;
}

/* Appends every row of every table of each port, as text, to @text[port]. */
static void
state_collect (DpHarness *h, GString **text)
{
  for (guint port = 0; port < 3; port++)
    dp_test_append_rows (h, port, text[port]);
}

/* Runs the taxonomy on rows [from, to) in batches of 500, each run with its
 * own name map (@v6) as each run's decoder has. */
static void
state_run (const char *opts, const GArray *rows, guint from, guint to, gboolean v6, GString **text,
           guint64 *late, guint64 *restored)
{
  g_autoptr (DpHarness) h = tax_new (opts);
  g_autoptr (DpNameMap) names = v6 ? dp_name_map_new () : NULL;
  for (guint i = from; i < to; i += 500)
    {
      g_autoptr (DpPackets) p = state_packets (rows, i, MIN (i + 500, to), names);
      tax_push (h, p);
    }
  tax_finish (h);
  state_collect (h, text);
  *late += dp_harness_counter (h, "late-dropped");
  *restored += dp_harness_counter (h, "windows-restored");
}

static void
state_texts_free (GString **text)
{
  for (guint k = 0; k < 3; k++)
    g_string_free (text[k], TRUE);
}

/* The capture cut into pieces of @piece_s seconds of arrival time, one run
 * each with state_path (the last with state_final), gives the tables of
 * one run over all of it (with state_path and state_final, and when
 * @plain without), byte for byte, whichever the cut: hourly pieces
 * (windows straddle them through the slack), pieces shorter than a window,
 * IPv6 sources named differently by each run's map, prefixes. */
static void
state_check_split (gint64 piece_s, gboolean v6, const char *extra, gboolean plain)
{
  g_autoptr (GArray) rows = state_workload ();
  g_autofree char *dir = dp_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "taxonomy.state", NULL);
  GString *one[3] = { g_string_new (NULL), g_string_new (NULL), g_string_new (NULL) };
  GString *split[3] = { g_string_new (NULL), g_string_new (NULL), g_string_new (NULL) };
  guint64 late_one = 0, late_split = 0, restored = 0, unused = 0;
  /* one run with a fresh state_path and state_final: its own name map,
   * which names sources in the order the taxonomy meets them */
  g_autofree char *one_path = g_build_filename (dir, "one.state", NULL);
  g_autofree char *one_opts = g_strdup_printf ("%s\nstate_path: %s\nstate_final: true", extra, one_path);
  state_run (one_opts, rows, 0, rows->len, v6, one, &late_one, &unused);
  g_assert_cmpuint (unused, ==, 0);
  g_assert_false (g_file_test (one_path, G_FILE_TEST_EXISTS));
  if (plain)
    {
      /* the same as a run without state_path, when the batches' maps
       * list the names in the order the taxonomy meets them */
      GString *bare[3] = { g_string_new (NULL), g_string_new (NULL), g_string_new (NULL) };
      guint64 late_bare = 0;
      state_run (extra, rows, 0, rows->len, v6, bare, &late_bare, &unused);
      for (guint k = 0; k < 3; k++)
        g_assert_cmpstr (bare[k]->str, ==, one[k]->str);
      state_texts_free (bare);
    }
  guint n_runs = 0;
  for (guint from = 0, to; from < rows->len; from = to)
    {
      const StateRow *r = &g_array_index (rows, StateRow, from);
      gint64 end = TS (0) + (dp_floor_div (r->arrival - TS (0), DP_TEST_SEC (piece_s)) + 1) * DP_TEST_SEC (piece_s);
      for (to = from; to < rows->len && g_array_index (rows, StateRow, to).arrival < end; to++)
        ;
      g_autofree char *opts = g_strdup_printf ("%s\nstate_path: %s\nstate_final: %s", extra, path,
                                               to == rows->len ? "true" : "false");
      state_run (opts, rows, from, to, v6, split, &late_split, &restored);
      g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS) == (to < rows->len));
      n_runs++;
    }
  g_assert_cmpuint (n_runs, >=, 4);
  /* every run but the first restored open windows */
  g_assert_cmpuint (restored, >=, n_runs - 1);
  g_assert_cmpuint (late_one, >, 0);
  g_assert_cmpuint (late_split, ==, late_one);
  for (guint k = 0; k < 3; k++)
    {
      g_assert_cmpuint (one[k]->len, >, 1000);
      g_assert_cmpstr (split[k]->str, ==, one[k]->str);
    }
  if (v6)
    {
      g_assert_nonnull (strstr (one[0]->str, "2001:db8:"));
      g_assert_nonnull (strstr (one[0]->str, ",scanner"));
    }
  state_texts_free (one);
  state_texts_free (split);
  dp_test_rmtree (dir);
}

static void
test_state_hourly (void)
{
  state_check_split (3600, FALSE, "", TRUE);
}

static void
test_state_short_pieces (void)
{
  state_check_split (1500, FALSE, "compat: reference", TRUE);
}

static void
test_state_ipv6 (void)
{
  state_check_split (3600, TRUE, "", TRUE);
  state_check_split (1100, TRUE, "", TRUE);
  /* prefixes: a run without state_path names them in its batches' map
   * after the names the batch brought (docs/taxonomy.md) */
  state_check_split (3600, TRUE, "ipv6_prefix: 64", FALSE);
}

/* A state file that is damaged, of another version or of other options is
 * an error naming it, at start; state_final needs state_path. */
static void
test_state_bad (void)
{
  g_autoptr (GArray) rows = state_workload ();
  g_autofree char *dir = dp_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "taxonomy.state", NULL);
  g_autofree char *opts = g_strdup_printf ("state_path: %s", path);
  GString *text[3] = { g_string_new (NULL), g_string_new (NULL), g_string_new (NULL) };
  guint64 late = 0, restored = 0;
  state_run (opts, rows, 0, 1000, TRUE, text, &late, &restored);
  g_autofree char *good = NULL;
  gsize len;
  g_assert_true (g_file_get_contents (path, &good, &len, NULL));
  g_assert_cmpuint (len, >, 100);
  struct { gsize at; guint8 xor; gssize cut; const char *opts, *msg; } cases[] = {
    { 40, 0x01, -1, NULL, "checksum mismatch" },
    { 0, 0, (gssize) len - 7, NULL, "checksum mismatch" },
    { 8, 0x02, -1, NULL, "version 3" },
    { 1, 0x20, -1, NULL, "no taxonomy state header" },
    { 0, 0, 5, NULL, "no taxonomy state header" },
    { 0, 0, -1, "window: 2h", "other window" },
    { 0, 0, -1, "compat: reference", "other window" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *bad = g_memdup2 (good, len);
      bad[cases[i].at] ^= cases[i].xor;
      g_assert_true (g_file_set_contents (path, bad, cases[i].cut >= 0 ? cases[i].cut : (gssize) len, NULL));
      g_autofree char *o = g_strdup_printf ("%s\n%s", opts, cases[i].opts ? cases[i].opts : "");
      g_autoptr (GError) err = NULL;
      DpHarness *h = dp_harness_new ("taxonomy", o, &err);
      g_assert_null (h);
      g_assert_nonnull (err);
      g_assert_nonnull (strstr (err->message, path));
      if (!strstr (err->message, cases[i].msg))
        g_error ("case %u: %s", i, err->message);
    }
  /* the good file restores */
  g_assert_true (g_file_set_contents (path, good, (gssize) len, NULL));
  g_autofree char *fin = g_strdup_printf ("%s\nstate_final: true", opts);
  state_run (fin, rows, 1000, 2000, TRUE, text, &late, &restored);
  g_assert_cmpuint (restored, >, 0);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  dp_test_bad_option ("taxonomy", "state_final: true", DP_CONFIG_ERROR_STRUCTURE);
  state_texts_free (text);
  dp_test_rmtree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/plugin/taxonomy/defaults-empty", test_defaults_empty);
  g_test_add_func ("/plugin/taxonomy/bad-options", test_bad_options);
  g_test_add_func ("/plugin/taxonomy/port-scan-boundaries", test_port_scan_boundaries);
  g_test_add_func ("/plugin/taxonomy/port-scan-event", test_port_scan_event);
  g_test_add_func ("/plugin/taxonomy/event-targets", test_event_targets);
  g_test_add_func ("/plugin/taxonomy/tz-dst", test_tz_dst);
  g_test_add_func ("/plugin/taxonomy/port-scan-single-port", test_port_scan_single_port);
  g_test_add_func ("/plugin/taxonomy/scan-ratio", test_scan_ratio);
  g_test_add_func ("/plugin/taxonomy/flag-mask", test_flag_mask);
  g_test_add_func ("/plugin/taxonomy/net-scan-boundaries", test_net_scan_boundaries);
  g_test_add_func ("/plugin/taxonomy/net-scan-event", test_net_scan_event);
  g_test_add_func ("/plugin/taxonomy/one-flow", test_one_flow);
  g_test_add_func ("/plugin/taxonomy/small-ports", test_small_ports);
  g_test_add_func ("/plugin/taxonomy/backscatter", test_backscatter);
  g_test_add_func ("/plugin/taxonomy/fragments", test_fragments);
  g_test_add_func ("/plugin/taxonomy/other", test_other);
  g_test_add_func ("/plugin/taxonomy/multi-label", test_multi_label);
  g_test_add_func ("/plugin/taxonomy/fingerprints", test_fingerprints);
  g_test_add_func ("/plugin/taxonomy/fingerprint-versions", test_fingerprint_versions);
  g_test_add_func ("/plugin/taxonomy/fingerprint-zmap-order", test_fingerprint_zmap_order);
  g_test_add_func ("/plugin/taxonomy/window-split", test_window_split);
  g_test_add_func ("/plugin/taxonomy/window-late", test_window_late);
  g_test_add_func ("/plugin/taxonomy/window-unordered", test_window_unordered_batches);
  g_test_add_func ("/plugin/taxonomy/window-many-sources", test_window_many_sources);
  g_test_add_func ("/plugin/taxonomy/odd-rows", test_odd_rows);
  g_test_add_func ("/plugin/taxonomy/real-masscan-tcp", test_real_masscan_tcp);
  g_test_add_func ("/plugin/taxonomy/real-masscan-udp", test_real_masscan_udp);
  g_test_add_func ("/plugin/taxonomy/real-nmap", test_real_nmap);
  g_test_add_func ("/plugin/taxonomy/real-darkvec", test_real_darkvec);
  g_test_add_func ("/plugin/taxonomy/pipeline-yaml", test_pipeline_yaml);
  g_test_add_func ("/plugin/taxonomy/state-hourly", test_state_hourly);
  g_test_add_func ("/plugin/taxonomy/state-short-pieces", test_state_short_pieces);
  g_test_add_func ("/plugin/taxonomy/state-ipv6", test_state_ipv6);
  g_test_add_func ("/plugin/taxonomy/state-bad", test_state_bad);
  return g_test_run ();
}
