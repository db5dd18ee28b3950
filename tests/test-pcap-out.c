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
 * later fragment, nanosecond timestamps. */
static DpPackets *
synthetic_rows (void)
{
  DpPackets *p = dp_packets_new (16);
  gint64 t = DP_TEST_SEC (1700000000) + 123456789;
  guint r = dp_test_add_packet (p, t, FRAME_SRC, FRAME_DST, 6, 1234, 80, 0xc2);
  p->tcp_seq[r] = 0xfeedface; p->ip_id[r] = 77; p->ttl[r] = 240; p->ip_len[r] = 1500;
  p->tcp_win[r] = 65535; p->tcp_optlen[r] = 20;
  r = dp_test_add_packet (p, t + 1, FRAME_DST, FRAME_SRC, 17, 53, 5353, 0);
  p->ip_len[r] = 28;
  r = dp_test_add_packet (p, t + 2, 1, 0xffffffffu, 1, 3, 13, 0);
  p->ip_len[r] = 56;
  r = dp_test_add_packet (p, t + 3, 2, 3, 17, 9, 10, 0);
  p->frag[r] = DP_FRAG_MF; p->ip_len[r] = 1480;
  r = dp_test_add_packet (p, t + 4, 2, 3, 17, 0, 0, 0);
  p->frag[r] = 185; p->l4[r] = 0; p->ip_len[r] = 100;
  r = dp_test_add_packet (p, t + 5, 4, 5, 47, 0, 0, 0);   /* GRE: no L4 fields */
  p->ip_len[r] = 64;
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
  ADD ("/plugin/pcap_out/options", test_out_options);
#undef ADD
  return g_test_run ();
}
