/* test-pcap-out.c — the pcap_out sink: round trips through the pcap source
 * (synthetic rows covering every column, the real captures), tshark's view
 * of what it writes, timestamps classic pcap cannot hold, options. */
#include "config.h"

#include <string.h>
#include "dp-test.h"
#include "pcap-frames.h"

typedef DpTestDir Fixture;

/* Writes @p with pcap_out and @extra options; returns the file's path. */
static char *
write_pcap_out (const Fixture *f, const DpPackets *p, const char *name, const char *extra)
{
  g_autofree char *path = g_build_filename (f->dir, name, NULL);
  g_autofree char *yaml = g_strdup_printf ("path: %s\n%s", path, extra ? extra : "");
  GError *error = NULL;
  g_autoptr (DpHarness) h = dp_harness_new ("pcap_out", yaml, &error);
  g_assert_no_error (error);
  /* two pushes, so that the sink sees more than one batch */
  g_autoptr (DpPackets) a = dp_packets_slice (p, 0, p->n_rows / 2);
  g_autoptr (DpPackets) b = dp_packets_slice (p, p->n_rows / 2, p->n_rows - p->n_rows / 2);
  g_assert_true (dp_harness_push (h, 0, a, &error));
  g_assert_true (dp_harness_push (h, 0, b, &error));
  g_assert_true (dp_harness_finish (h, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&path);
}

/* Synthetic rows that exercise every column: TCP, UDP, ICMP, a first and a
 * later fragment, the DF flag (on the TCP and GRE rows: what the fast and
 * the general decoding walk read back), nanosecond timestamps. */
static DpPackets *
synthetic_rows (void)
{
  DpPackets *p = dp_packets_new (16);
  gint64 t = DP_TEST_SEC (1700000000) + 123456789;
  guint r = dp_test_add_packet (p, t, FRAME_SRC, FRAME_DST, 6, 1234, 80, 0xc2);
  p->tcp_seq[r] = 0xfeedface; p->ip_id[r] = 77; p->ttl[r] = 240; p->ip_len[r] = 1500;
  p->tcp_win[r] = 65535; p->tcp_optlen[r] = 20; p->frag[r] = DP_FRAG_DF;
  r = dp_test_add_packet (p, t + 1, FRAME_DST, FRAME_SRC, 17, 53, 5353, 0);
  p->ip_len[r] = 28;
  r = dp_test_add_packet (p, t + 2, 1, 0xffffffffu, 1, 3, 13, 0);
  p->ip_len[r] = 56;
  r = dp_test_add_packet (p, t + 3, 2, 3, 17, 9, 10, 0);
  p->frag[r] = DP_FRAG_MF; p->ip_len[r] = 1480;
  r = dp_test_add_packet (p, t + 4, 2, 3, 17, 0, 0, 0);
  p->frag[r] = 185; p->l4[r] = 0; p->ip_len[r] = 100;
  r = dp_test_add_packet (p, t + 5, 4, 5, 47, 0, 0, 0);   /* GRE: no L4 fields */
  p->ip_len[r] = 64; p->frag[r] = DP_FRAG_DF;
  return p;
}

/* a time classic pcap cannot hold (before 1970, after 2106-02-07 06:28:15)
 * is counted and left out, never wrapped to 1970 (issue #21 item 10) */
static void
test_out_time_range (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autoptr (DpPackets) p = dp_packets_new (8);
  gint64 last = (gint64) G_MAXUINT32 * DP_TEST_SEC (1);
  dp_test_add_packet (p, DP_TEST_SEC (1700000000), 1, 2, 17, 1, 2, 0);
  dp_test_add_packet (p, last + 999999999, 1, 2, 17, 1, 2, 0);       /* the last second: kept */
  dp_test_add_packet (p, last + DP_TEST_SEC (1), 1, 2, 17, 1, 2, 0);  /* 2106-02-07T06:28:16Z */
  dp_test_add_packet (p, -DP_TEST_SEC (1), 1, 2, 17, 1, 2, 0);        /* 1969 */
  dp_test_add_packet (p, DP_TEST_SEC (4323283200), 1, 2, 17, 1, 2, 0);  /* 2107-01-01: would wrap to 1971 */
  g_autofree char *path = g_build_filename (f->dir, "range.pcap", NULL);
  g_autofree char *yaml = g_strdup_printf ("path: %s\nts_precision: ns", path);
  GError *error = NULL;
  g_autoptr (DpHarness) h = dp_harness_new ("pcap_out", yaml, &error);
  g_assert_no_error (error);
  g_assert_true (dp_harness_push (h, 0, p, &error));
  g_assert_true (dp_harness_finish (h, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (dp_harness_counter (h, "bad-timestamp"), ==, 3);
  g_autofree char *ry = g_strdup_printf ("path: %s", path);
  g_autoptr (DpPackets) back = NULL;
  g_autoptr (DpHarness) r = dp_test_run_pcap (ry, &back);
  g_assert_cmpuint (back->n_rows, ==, 2);
  g_assert_cmpint (back->ts[0], ==, DP_TEST_SEC (1700000000));
  g_assert_cmpint (back->ts[1], ==, last + 999999999);

  /* with on_error: fail the first one stops the stage */
  g_autofree char *yf = g_strdup_printf ("path: %s\non_error: fail", path);
  g_autoptr (DpHarness) h2 = dp_harness_new ("pcap_out", yf, &error);
  g_assert_no_error (error);
  g_assert_false (dp_harness_push (h2, 0, p, &error));
  g_assert_error (error, DP_DATA_ERROR, DP_DATA_ERROR_MALFORMED);
  g_assert_nonnull (strstr (error->message, "packet 3: time 2106-02-07T06:28:16Z is outside"));
  g_error_free (error);
}

static void
test_out_roundtrip (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autoptr (DpPackets) syn = synthetic_rows ();
  const char *opts[] = { "ts_precision: ns", "ts_precision: ns\nlinktype: ethernet" };
  for (guint i = 0; i < G_N_ELEMENTS (opts); i++)
    {
      g_autofree char *out = write_pcap_out (f, syn, "syn.pcap", opts[i]);
      g_autofree char *yaml = g_strdup_printf ("path: %s", out);
      g_autoptr (DpPackets) back = NULL;
      g_autoptr (DpHarness) h = dp_test_run_pcap (yaml, &back);
      dp_test_assert_packets_equal (syn, back);
    }
  /* default microseconds: timestamps lose their last three digits */
  g_autofree char *out = write_pcap_out (f, syn, "us.pcap", NULL);
  gsize len = 0;
  g_autofree char *bytes = dp_test_read_file (out, &len);
  /* the TCP row carries its 20 option bytes (NOPs) */
  g_assert_cmpuint (len, ==, 24 + 6 * 16 + 40 + 20 + 28 + 28 + 28 + 20 + 20);
  g_assert_cmphex (*(guint32 *) bytes, ==, 0xa1b2c3d4);
  g_assert_cmpuint (((guint32 *) bytes)[5], ==, 101);
  g_autofree char *yaml = g_strdup_printf ("path: %s", out);
  g_autoptr (DpPackets) back = NULL;
  g_autoptr (DpHarness) h = dp_test_run_pcap (yaml, &back);
  g_assert_cmpint (back->ts[0], ==, syn->ts[0] / 1000 * 1000);
}

static void
test_out_real (Fixture *f, gconstpointer data)
{
  (void) data;
  for (guint c = 0; c < DP_TEST_N_REAL_CASES; c++)
    {
      g_autoptr (DpPackets) p = dp_test_read_real (dp_test_real_cases[c].file);
      if (p == NULL)
        return;
      g_autofree char *out = write_pcap_out (f, p, "real.pcap", "linktype: ethernet");
      g_autofree char *yaml = g_strdup_printf ("path: %s", out);
      g_autoptr (DpPackets) back = NULL;
      g_autoptr (DpHarness) h = dp_test_run_pcap (yaml, &back);
      dp_test_assert_packets_equal (p, back);
      /* tshark starts slowly: TCP and ICMP here, UDP in the synthetic test */
      if (c != 0 && c != 2)
        continue;
      g_autoptr (GPtrArray) rows = dp_test_tshark_rows (out);
      if (rows == NULL)
        continue;
      g_assert_cmpuint (rows->len, ==, p->n_rows);
      for (guint i = 0; i < p->n_rows; i++)
        {
          char **t = rows->pdata[i];
          dp_test_assert_tshark_row (p, i, t);
          g_assert_cmpstr (t[DP_T_CKSUM], ==, "1");   /* good */
        }
    }
}

static void
test_out_tshark_synthetic (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autoptr (DpPackets) syn = synthetic_rows ();
  g_autofree char *out = write_pcap_out (f, syn, "syn.pcap", "ts_precision: ns");
  g_autoptr (GPtrArray) rows = dp_test_tshark_rows (out);
  if (rows == NULL)
    return;
  g_assert_cmpuint (rows->len, ==, syn->n_rows);
  for (guint i = 0; i < syn->n_rows; i++)
    {
      char **t = rows->pdata[i];
      dp_test_assert_tshark_row (syn, i, t);
      g_assert_cmpstr (t[DP_T_CKSUM], ==, "1");
    }
}

/* ------------------------------------------------------------------ */
/* IPv6 rows: addresses that are IPv6 entries of the name map */

#define V6_N 8   /* rows written; then a mixed row and a prefix row */

static DpPackets *
synthetic_rows6 (void)
{
  DpPackets *p = dp_packets_new (16);
  DpNameMap *m = dp_name_map_new ();
  guint8 a[16], b[16], net[16];
  g_assert_true (dp_ip6_parse ("2001:db8:ab::17", a));
  g_assert_true (dp_ip6_parse ("fd00:1::8:0:1", b));
  g_assert_true (dp_ip6_parse ("2001:db8:ab::", net));
  guint32 ka, kb, kn;
  g_assert_true (dp_name_map_intern_ip6 (m, a, 128, &ka));
  g_assert_true (dp_name_map_intern_ip6 (m, b, 128, &kb));
  g_assert_true (dp_name_map_intern_ip6 (m, net, 48, &kn));
  gint64 t = DP_TEST_SEC (1700000000) + 123456789;
  guint r = dp_test_add_packet (p, t, ka, kb, 6, 1234, 80, 0x02);   /* SYN, ends at its header */
  p->tcp_seq[r] = 0xfeedface; p->ttl[r] = 64; p->ip_len[r] = 60;
  r = dp_test_add_packet (p, t + 1, kb, ka, 6, 80, 1234, 0x12);   /* longer: checksum unverifiable */
  p->ttl[r] = 250; p->ip_len[r] = 1280;
  r = dp_test_add_packet (p, t + 2, ka, kb, 17, 53, 5353, 0);
  p->ttl[r] = 1; p->ip_len[r] = 48;
  r = dp_test_add_packet (p, t + 3, kb, ka, 58, 0, 0, 0);   /* ICMPv6 echo request */
  p->icmp_type[r] = 128; p->l4[r] = DP_L4_ICMP; p->ttl[r] = 255; p->ip_len[r] = 48;
  r = dp_test_add_packet (p, t + 4, ka, kb, 58, 0, 0, 0);   /* destination unreachable, port */
  p->icmp_type[r] = 1; p->icmp_code[r] = 4; p->l4[r] = DP_L4_ICMP; p->ttl[r] = 60; p->ip_len[r] = 48;
  r = dp_test_add_packet (p, t + 5, ka, kb, 17, 4000, 53, 0);   /* first fragment */
  p->frag[r] = DP_FRAG_MF; p->ip_id[r] = 0x1234; p->ttl[r] = 33; p->ip_len[r] = 1280;
  r = dp_test_add_packet (p, t + 6, ka, kb, 17, 0, 0, 0);   /* the next one: no L4 header */
  p->frag[r] = 154; p->l4[r] = 0; p->ip_id[r] = 0x1234; p->ttl[r] = 33; p->ip_len[r] = 200;
  r = dp_test_add_packet (p, t + 7, DP_TEST_IP (192, 0, 2, 1), DP_TEST_IP (198, 51, 100, 2), 6, 1, 2, 0x02);
  p->ip_len[r] = 40;   /* IPv4 in the same batch */
  g_assert_cmpuint (p->n_rows, ==, V6_N);
  r = dp_test_add_packet (p, t + 8, ka, DP_TEST_IP (198, 51, 100, 2), 6, 1, 2, 0x02);   /* one of each */
  r = dp_test_add_packet (p, t + 9, kn, kb, 6, 1, 2, 0x02);   /* a prefix as source */
  dp_packets_set_names (p, m);
  dp_name_map_unref (m);
  return p;
}

/* Rows @a and @b equal, addresses by their text (maps differ). */
static void
assert_rows_equal6 (const DpPackets *a, const DpPackets *b, guint n)
{
  g_assert_cmpuint (b->n_rows, ==, n);
  for (guint i = 0; i < n; i++)
    {
      char x[64], y[64];
      g_assert_cmpstr (dp_ipv4_format (a->src[i], a->names, x), ==, dp_ipv4_format (b->src[i], b->names, y));
      g_assert_cmpstr (dp_ipv4_format (a->dst[i], a->names, x), ==, dp_ipv4_format (b->dst[i], b->names, y));
      g_assert_cmpint (a->ts[i], ==, b->ts[i]);
      g_assert_cmpuint (a->proto[i], ==, b->proto[i]);
      g_assert_cmpuint (a->ttl[i], ==, b->ttl[i]);
      g_assert_cmpuint (a->ip_len[i], ==, b->ip_len[i]);
      g_assert_cmphex (a->frag[i], ==, b->frag[i]);
      g_assert_cmphex (a->l4[i], ==, b->l4[i]);
      g_assert_cmpuint (a->sport[i], ==, b->sport[i]);
      g_assert_cmpuint (a->dport[i], ==, b->dport[i]);
      g_assert_cmphex (a->tcp_flags[i], ==, b->tcp_flags[i]);
      g_assert_cmphex (a->tcp_seq[i], ==, b->tcp_seq[i]);
      g_assert_cmpuint (a->icmp_type[i], ==, b->icmp_type[i]);
      g_assert_cmpuint (a->icmp_code[i], ==, b->icmp_code[i]);
      if (DP_FRAG_IS_FRAGMENT (a->frag[i]) || a->src[i] < DP_NAME_BASE)
        g_assert_cmphex (a->ip_id[i], ==, b->ip_id[i]);
    }
}

static void
test_out_ipv6 (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autoptr (DpPackets) syn = synthetic_rows6 ();
  const char *opts[] = { "ts_precision: ns", "ts_precision: ns\nlinktype: ethernet" };
  for (guint k = 0; k < G_N_ELEMENTS (opts); k++)
    {
      g_autofree char *path = g_build_filename (f->dir, "v6.pcap", NULL);
      g_autofree char *yaml = g_strdup_printf ("path: %s\n%s", path, opts[k]);
      GError *error = NULL;
      g_autoptr (DpHarness) h = dp_harness_new ("pcap_out", yaml, &error);
      g_assert_no_error (error);
      g_assert_true (dp_harness_push (h, 0, syn, &error));
      g_assert_true (dp_harness_finish (h, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (dp_harness_counter (h, "mixed-address-family"), ==, 2);
      g_assert_cmpuint (dp_harness_counter (h, "ipv6-packets"), ==, V6_N - 1);
      /* read back by darkpipe's decoder */
      g_autofree char *ry = g_strdup_printf ("path: %s", path);
      g_autoptr (DpPackets) back = NULL;
      g_autoptr (DpHarness) rh = dp_test_run_pcap (ry, &back);
      assert_rows_equal6 (syn, back, V6_N);
      /* with on_error: fail the mixed row stops the stage, naming it */
      if (k == 0)
        {
          g_autofree char *yf = g_strdup_printf ("%s\non_error: fail", yaml);
          g_autoptr (DpHarness) h2 = dp_harness_new ("pcap_out", yf, &error);
          g_assert_no_error (error);
          g_assert_false (dp_harness_push (h2, 0, syn, &error));
          g_assert_error (error, DP_DATA_ERROR, DP_DATA_ERROR_MALFORMED);
          g_assert_nonnull (strstr (error->message, "packet 9: 2001:db8:ab::17 to 198.51.100.2: one IPv4 and one IPv6"));
          g_clear_error (&error);
        }
      /* and by tshark, with every checksum it can verify good */
      const char *tshark = g_getenv ("TSHARK");
      if (tshark == NULL || *tshark == '\0')
        {
          g_test_skip ("TSHARK not set");
          continue;
        }
      const char *argv[] = { tshark, "-n", "-r", path, "-o", "ipv6.defragment:FALSE", "-o", "tcp.check_checksum:TRUE",
                             "-o", "udp.check_checksum:TRUE", "-T", "fields", "-E", "separator=|", "-E", "occurrence=f",
                             "-e", "ipv6.src", "-e", "ipv6.dst", "-e", "ipv6.hlim", "-e", "ipv6.plen",
                             "-e", "ipv6.fraghdr.offset", "-e", "ipv6.fraghdr.more", "-e", "ipv6.fraghdr.ident",
                             "-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "tcp.flags", "-e", "tcp.seq_raw",
                             "-e", "udp.srcport", "-e", "udp.dstport", "-e", "icmpv6.type", "-e", "icmpv6.code",
                             "-e", "tcp.checksum.status", "-e", "udp.checksum.status", "-e", "icmpv6.checksum.status",
                             "-e", "ip.src", "-e", "eth.type", NULL };
      g_autofree char *out = NULL;
      int status = 0;
      g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL, &status, &error);
      g_assert_no_error (error);
      g_assert_true (g_spawn_check_wait_status (status, NULL));
      g_auto (GStrv) lines = g_strsplit (out, "\n", -1);
      g_assert_cmpuint (g_strv_length (lines), ==, V6_N + 1);
      for (guint i = 0; i < V6_N; i++)
        {
          g_test_message ("tshark: %s", lines[i]);
          g_auto (GStrv) t = g_strsplit (lines[i], "|", -1);
          g_assert_cmpuint (g_strv_length (t), ==, 20);
          char x[64];
          g_assert_cmpstr (t[19], ==, k == 0 ? "" : i == V6_N - 1 ? "0x0800" : "0x86dd");
          if (syn->src[i] < DP_NAME_BASE)
            {
              g_assert_cmpstr (t[18], ==, dp_ipv4_format (syn->src[i], NULL, x));
              continue;
            }
          g_assert_cmpstr (t[0], ==, dp_ipv4_format (syn->src[i], syn->names, x));
          g_assert_cmpstr (t[1], ==, dp_ipv4_format (syn->dst[i], syn->names, x));
          g_assert_cmpuint (g_ascii_strtoull (t[2], NULL, 10), ==, syn->ttl[i]);
          g_assert_cmpuint (g_ascii_strtoull (t[3], NULL, 10) + 40, ==, syn->ip_len[i]);
          if (DP_FRAG_IS_FRAGMENT (syn->frag[i]))
            {
              /* tshark 4 shows the offset in bytes or 8-byte units by version: either */
              guint64 off = g_ascii_strtoull (t[4], NULL, 10), want = syn->frag[i] & DP_FRAG_OFFSET_MASK;
              g_assert_true (off == want || off == want * 8);
              g_assert_cmpuint (g_ascii_strtoull (t[5], NULL, 10) != 0 || strcmp (t[5], "True") == 0, ==,
                                !!(syn->frag[i] & DP_FRAG_MF));
              g_assert_cmpuint (g_ascii_strtoull (t[6], NULL, 0), ==, syn->ip_id[i]);
            }
          else
            g_assert_cmpstr (t[4], ==, "");
          const char *cksum = "";
          if (syn->l4[i] == 0)
            g_assert_cmpstr (t[7], ==, "");
          else if (syn->proto[i] == 6)
            {
              g_assert_cmpuint (g_ascii_strtoull (t[7], NULL, 10), ==, syn->sport[i]);
              g_assert_cmpuint (g_ascii_strtoull (t[8], NULL, 10), ==, syn->dport[i]);
              g_assert_cmpuint (g_ascii_strtoull (t[9], NULL, 16), ==, syn->tcp_flags[i]);
              g_assert_cmpuint (g_ascii_strtoull (t[10], NULL, 10), ==, syn->tcp_seq[i]);
              cksum = t[15];
            }
          else if (syn->proto[i] == 17)
            {
              g_assert_cmpuint (g_ascii_strtoull (t[11], NULL, 10), ==, syn->sport[i]);
              g_assert_cmpuint (g_ascii_strtoull (t[12], NULL, 10), ==, syn->dport[i]);
              cksum = t[16];
            }
          else
            {
              g_assert_cmpuint (g_ascii_strtoull (t[13], NULL, 10), ==, syn->icmp_type[i]);
              g_assert_cmpuint (g_ascii_strtoull (t[14], NULL, 10), ==, syn->icmp_code[i]);
              cksum = t[17];
            }
          /* 1 good; 2 unverified: a segment longer than its headers, or a fragment's */
          if (syn->l4[i])
            g_assert_cmpstr (cksum, ==, syn->ip_len[i] > 100 || DP_FRAG_IS_FRAGMENT (syn->frag[i]) ? "2" : "1");
        }
    }
}

static void
test_out_options (Fixture *f, gconstpointer data)
{
  (void) data;
  struct { const char *yaml; int code; } cases[] = {
    { "linktype: raw", DP_CONFIG_ERROR_REQUIRED },
    { "path: x.pcap\nlinktype: fddi", DP_CONFIG_ERROR_CHOICE },
    { "path: x.pcap\nts_precision: ms", DP_CONFIG_ERROR_CHOICE },
    { "path: x.pcap\nsnaplen: 96", DP_CONFIG_ERROR_UNKNOWN_KEY },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    dp_test_bad_option ("pcap_out", cases[i].yaml, cases[i].code);
  /* no input: a valid empty capture, in the output directory */
  GError *error = NULL;
  g_autoptr (DpHarness) h = dp_harness_new ("pcap_out", "path: sub/empty.pcap", &error);
  g_assert_no_error (error);
  g_assert_true (dp_harness_finish (h, &error));
  g_autofree char *path = g_build_filename (dp_harness_output_dir (h), "sub", "empty.pcap", NULL);
  gsize len = 0;
  g_autofree char *bytes = dp_test_read_file (path, &len);
  g_assert_cmpuint (len, ==, 24);
  g_autofree char *yaml = g_strdup_printf ("path: %s", path);
  g_autoptr (DpPackets) back = NULL;
  g_autoptr (DpHarness) h2 = dp_test_run_pcap (yaml, &back);
  g_assert_cmpuint (back->n_rows, ==, 0);
  (void) f;
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, dp_test_dir_setup, fn, dp_test_dir_teardown)
  ADD ("/plugin/pcap_out/roundtrip", test_out_roundtrip);
  ADD ("/plugin/pcap_out/time-range", test_out_time_range);
  ADD ("/plugin/pcap_out/real", test_out_real);
  ADD ("/plugin/pcap_out/tshark", test_out_tshark_synthetic);
  ADD ("/plugin/pcap_out/ipv6", test_out_ipv6);
  ADD ("/plugin/pcap_out/options", test_out_options);
#undef ADD
  return g_test_run ();
}
