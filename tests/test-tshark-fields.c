/* Tests of the tshark_fields source: a hand-written fixture with every
 * oddity of tshark's text, and real tshark output made here from the
 * shared captures (checked against tshark's own frame.time_epoch). */
#include "config.h"

#include <string.h>
#include <zlib.h>
#include <glib/gstdio.h>
#define TEXT_TEST_PLUGIN "tshark_fields"
#include "text-source-test.h"

#define SEC(s) DP_TEST_SEC (s)
#define FEB28 G_GINT64_CONSTANT (1551312000)   /* 2019-02-28 00:00:00 UTC */
#define MAR1_LAST G_GINT64_CONSTANT (1551484799) /* 2019-03-01 23:59:59 UTC */

static void
test_bad_options (void)
{
  dp_test_bad_option (TEXT_TEST_PLUGIN, NULL, DP_CONFIG_ERROR_REQUIRED);
  dp_test_bad_option (TEXT_TEST_PLUGIN, "path: x.tsv\nbatch_rows: 0", DP_CONFIG_ERROR_RANGE);
  dp_test_bad_option (TEXT_TEST_PLUGIN, "path: x.tsv\nheader: maybe", DP_CONFIG_ERROR_CHOICE);
  dp_test_bad_option (TEXT_TEST_PLUGIN, "path: x.tsv\nfrag_offset_unit: words", DP_CONFIG_ERROR_CHOICE);
  dp_test_bad_option (TEXT_TEST_PLUGIN, "path: x.tsv\ntimezone: Nowhere/Atlantis", DP_CONFIG_ERROR_TYPE);
  dp_test_bad_option (TEXT_TEST_PLUGIN, "path: x.tsv\ntimezon: UTC", DP_CONFIG_ERROR_UNKNOWN_KEY);
  dp_test_bad_option (TEXT_TEST_PLUGIN, "path: x.tsv\nbatch_rows: many", DP_CONFIG_ERROR_TYPE);
}

typedef struct {
  gint64 ts;
  guint32 src, dst;
  guint8 proto;
  guint16 sport, dport;
  guint8 flags, l4, ttl;
  guint16 ip_len, frag;
  guint8 icmp_type, icmp_code;
} Expect;

#define TCPB (DP_L4_PORTS | DP_L4_TCP)

/* What each good line of tests/data/text/oddities.tsv says, by hand. */
static const Expect oddities[] = {
  /* line 2: JST ignored, True/False, 0x00000002 */
  { SEC (FEB28 + 2) + 23742000, DP_TEST_IP (203, 0, 113, 5), DP_TEST_IP (198, 51, 100, 1), 6, 40000, 23, 0x02, TCPB, 241, 40, 0, 0, 0 },
  /* line 3: short fraction, 0x012, 0/1 booleans, mf False */
  { SEC (FEB28 + 2) + 500000000, DP_TEST_IP (198, 51, 100, 1), DP_TEST_IP (203, 0, 113, 5), 6, 23, 40000, 0x12, TCPB, 64, 44, 0, 0, 0 },
  /* line 4: "Mar  1", decimal flags, empty booleans */
  { SEC (MAR1_LAST) + 999999999, DP_TEST_IP (203, 0, 113, 5), DP_TEST_IP (198, 51, 100, 2), 6, 1, 445, 0x14, TCPB, 128, 40, 0, 0, 0 },
  /* line 5: no tcp.flags: FIN PSH URG ECE CWR from the booleans (NS has no bit) */
  { SEC (MAR1_LAST) + 999999999, DP_TEST_IP (203, 0, 113, 9), DP_TEST_IP (198, 51, 100, 3), 6, 31337, 80, 0xe9, TCPB, 50, 40, 0, 0, 0 },
  /* line 6: ICMP error: outer values, inner UDP ports not taken */
  { SEC (FEB28 + 3) + 1, DP_TEST_IP (192, 0, 2, 1), DP_TEST_IP (198, 51, 100, 7), 1, 0, 0, 0, DP_L4_ICMP, 64, 56, 0, 3, 3 },
  /* line 7: first fragment, MF True */
  { SEC (FEB28 + 4), DP_TEST_IP (203, 0, 113, 20), DP_TEST_IP (198, 51, 100, 4), 17, 123, 123, 0, DP_L4_PORTS, 60, 1500, DP_FRAG_MF, 0, 0 },
  /* line 8: later fragment, offset 185 blocks, no ports */
  { SEC (FEB28 + 4) + 1000, DP_TEST_IP (203, 0, 113, 20), DP_TEST_IP (198, 51, 100, 4), 17, 0, 0, 0, 0, 60, 520, 185, 0, 0 },
  /* line 12: ICMP echo */
  { SEC (FEB28 + 7), DP_TEST_IP (203, 0, 113, 30), DP_TEST_IP (198, 51, 100, 5), 1, 0, 0, 0, DP_L4_ICMP, 255, 28, 0, 8, 0 },
  /* line 13: GRE */
  { SEC (FEB28 + 8), DP_TEST_IP (203, 0, 113, 31), DP_TEST_IP (198, 51, 100, 6), 47, 0, 0, 0, 0, 30, 100, 0, 0, 0 },
};

static void
check_rows (const DpPackets *p, const Expect *e, guint n, gint64 shift)
{
  g_assert_cmpuint (p->n_rows, ==, n);
  for (guint i = 0; i < n; i++, e++)
    {
      g_test_message ("row %u", i);
      g_assert_cmpint (p->ts[i], ==, e->ts + shift);
      g_assert_cmphex (p->src[i], ==, e->src);
      g_assert_cmphex (p->dst[i], ==, e->dst);
      g_assert_cmpuint (p->proto[i], ==, e->proto);
      g_assert_cmpuint (p->l4[i], ==, e->l4);
      g_assert_cmpuint (p->sport[i], ==, e->sport);
      g_assert_cmpuint (p->dport[i], ==, e->dport);
      g_assert_cmphex (p->tcp_flags[i], ==, e->flags);
      g_assert_cmpuint (p->ttl[i], ==, e->ttl);
      g_assert_cmpuint (p->ip_len[i], ==, e->ip_len);
      g_assert_cmphex (p->frag[i], ==, e->frag);
      g_assert_cmpuint (p->icmp_type[i], ==, e->icmp_type);
      g_assert_cmpuint (p->icmp_code[i], ==, e->icmp_code);
    }
}

static void
test_oddities (void)
{
  g_autofree char *path = dp_test_data ("text/oddities.tsv");
  g_autoptr (DpHarness) h = run_file (path, NULL);
  g_autoptr (DpPackets) p = dp_harness_packets (h, "packets");
  check_rows (p, oddities, G_N_ELEMENTS (oddities), 0);
  /* lines 9 (garbage), 11 (ttl abc), 14 (cut short); line 10 is IPv6 */
  g_assert_cmpuint (dp_harness_counter (h, "bad-line"), ==, 3);
  g_assert_cmpuint (dp_harness_counter (h, "non-ipv4"), ==, 1);
}

static void
test_timezone (void)
{
  g_autofree char *path = dp_test_data ("text/oddities.tsv");
  const char *zones[] = { "timezone: Asia/Tokyo", "timezone: '+09:00'" };
  for (guint z = 0; z < G_N_ELEMENTS (zones); z++)
    {
      g_autoptr (DpHarness) h = run_file (path, zones[z]);
      g_autoptr (DpPackets) p = dp_harness_packets (h, "packets");
      check_rows (p, oddities, G_N_ELEMENTS (oddities), -SEC (9 * 3600));
    }
}

static void
test_gzip (void)
{
  g_autofree char *plain = dp_test_data ("text/oddities.tsv");
  g_autofree char *dir = dp_test_tmpdir ();
  /* no .gz suffix: the gzip magic, not the name, must decide */
  g_autofree char *gz = g_build_filename (dir, "oddities.tsv", NULL);
  gsize len;
  g_autofree char *text = dp_test_read_file (plain, &len);
  gzFile f = gzopen (gz, "wb");
  g_assert_nonnull (f);
  g_assert_cmpint (gzwrite (f, text, (unsigned) len), ==, (int) len);
  g_assert_cmpint (gzclose (f), ==, Z_OK);
  g_autoptr (DpHarness) h = run_file (gz, NULL);
  g_autoptr (DpPackets) p = dp_harness_packets (h, "packets");
  check_rows (p, oddities, G_N_ELEMENTS (oddities), 0);
  g_assert_cmpuint (dp_harness_counter (h, "bad-line"), ==, 3);
  dp_test_rmtree (dir);
}

static void
test_on_error_fail (void)
{
  g_autofree char *path = dp_test_data ("text/oddities.tsv");
  g_autofree char *yaml = g_strdup_printf ("path: '%s'\non_error: fail", path);
  g_autoptr (GError) error = NULL;
  g_autoptr (DpHarness) h = dp_harness_new ("tshark_fields", yaml, &error);
  g_assert_no_error (error);
  g_assert_false (dp_harness_run (h, &error));
  g_assert_error (error, DP_DATA_ERROR, DP_DATA_ERROR_MALFORMED);
  g_assert_nonnull (strstr (error->message, "oddities.tsv: line 9:"));
}

static void
test_options_change_reading (void)
{
  g_autofree char *path = dp_test_data ("text/oddities.tsv");
  /* header: false reads the field-name line as data */
  g_autoptr (DpHarness) h1 = run_file (path, "header: false");
  g_assert_cmpuint (dp_harness_counter (h1, "bad-line"), ==, 4);
  /* offsets in bytes: 185 is not a multiple of 8 */
  g_autoptr (DpHarness) h2 = run_file (path, "frag_offset_unit: bytes");
  g_assert_cmpuint (dp_harness_counter (h2, "bad-line"), ==, 4);
  /* batch_rows cuts the stream */
  g_autoptr (DpHarness) h3 = run_file (path, "batch_rows: 4");
  g_assert_cmpuint (dp_harness_outputs (h3, 0)->len, ==, 3);
  g_autoptr (DpPackets) p = dp_harness_packets (h3, "packets");
  check_rows (p, oddities, G_N_ELEMENTS (oddities), 0);
}

/* one UDP line with a given frame.time and destination */
static char *
time_line (const char *time, int dst_last)
{
  return g_strdup_printf ("%s\t60\t17\t28\t64\t4\t0x00\t0\t0\t"
                          "10.0.0.1\t10.0.0.%d\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t1\t2\n",
                          time, dst_last);
}

static char *
one_line (int sec, int dst_last)
{
  g_autofree char *time = g_strdup_printf ("Feb 28, 2019 00:00:%02d.000000000 UTC", sec);
  return time_line (time, dst_last);
}

/* newer tshark prints ISO 8601; frame.time_epoch may stand in for frame.time */
static void
test_time_formats (void)
{
  static const struct { const char *text; gint64 utc_ns; gint64 tokyo_ns; } cases[] = {
    { "2019-02-28T00:00:02.023742000Z", SEC (FEB28 + 2) + 23742000, SEC (FEB28 + 2) + 23742000 },
    { "2019-02-28T09:00:02.5+09:00", SEC (FEB28 + 2) + 500000000, SEC (FEB28 + 2) + 500000000 },
    { "2019-02-27 19:30:02.5-0430", SEC (FEB28 + 2) + 500000000, SEC (FEB28 + 2) + 500000000 },
    { "1551312002.023742", SEC (FEB28 + 2) + 23742000, SEC (FEB28 + 2) + 23742000 },
    /* no zone: the timezone option decides */
    { "2019-02-28T00:00:02", SEC (FEB28 + 2), SEC (FEB28 + 2 - 9 * 3600) },
    { "Dec 31, 2016 23:59:60.000000000 UTC", SEC (G_GINT64_CONSTANT (1483228800)), SEC (G_GINT64_CONSTANT (1483228800) - 9 * 3600) },
  };
  static const char *const bad[] = {
    "2019-02-28T00:00:02+25:00", "2019-13-01T00:00:02Z", "Foo 28, 2019 00:00:02", "2019-02-28T00:00",
    "Feb 28, 2019 24:00:00.0 UTC", "",
  };
  g_autofree char *dir = dp_test_tmpdir ();
  g_autoptr (GString) text = g_string_new (NULL);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *l = time_line (cases[i].text, (int) i);
      g_string_append (text, l);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *l = time_line (bad[i], 99);
      g_string_append (text, l);
    }
  g_autofree char *path = write_file (dir, "times.tsv", text->str);
  for (int tokyo = 0; tokyo < 2; tokyo++)
    {
      g_autoptr (DpHarness) h = run_file (path, tokyo ? "timezone: Asia/Tokyo" : NULL);
      g_autoptr (DpPackets) p = dp_harness_packets (h, "packets");
      g_assert_cmpuint (p->n_rows, ==, G_N_ELEMENTS (cases));
      g_assert_cmpuint (dp_harness_counter (h, "bad-line"), ==, G_N_ELEMENTS (bad));
      for (guint i = 0; i < p->n_rows; i++)
        {
          g_test_message ("time %s", cases[i].text);
          g_assert_cmpint (p->ts[i], ==, tokyo ? cases[i].tokyo_ns : cases[i].utc_ns);
        }
    }
  dp_test_rmtree (dir);
}

static void
test_files_and_globs (void)
{
  g_autofree char *dir = dp_test_tmpdir ();
  g_autofree char *l1 = one_line (1, 1), *l2 = one_line (2, 2);
  g_autofree char *a = write_file (dir, "a.tsv", l1);
  g_autofree char *b = write_file (dir, "b.tsv", l2);
  g_autofree char *empty = write_file (dir, "empty.txt", "");
  g_autofree char *hdr = write_file (dir, "header.txt", "frame.time\tframe.len\n");
  g_autofree char *yaml = g_strdup_printf ("paths: ['%s', '%s', '%s', '%s']", b, empty, hdr, a);
  g_autoptr (DpHarness) h = run_yaml (yaml);
  g_autoptr (DpPackets) p = dp_harness_packets (h, "packets");
  g_assert_cmpuint (p->n_rows, ==, 2);
  g_assert_cmphex (p->dst[0], ==, DP_TEST_IP (10, 0, 0, 2));  /* order given, not sorted */
  g_assert_cmphex (p->dst[1], ==, DP_TEST_IP (10, 0, 0, 1));
  g_assert_cmpuint (dp_harness_counter (h, "bad-line"), ==, 0);

  g_autofree char *glob = g_build_filename (dir, "*.tsv", NULL);
  g_autoptr (DpHarness) hg = run_file (glob, NULL);
  g_autoptr (DpPackets) pg = dp_harness_packets (hg, "packets");
  g_assert_cmpuint (pg->n_rows, ==, 2);
  g_assert_cmphex (pg->dst[0], ==, DP_TEST_IP (10, 0, 0, 1));

  g_autoptr (DpHarness) he = run_file (empty, NULL);
  g_assert_cmpuint (dp_harness_outputs (he, 0)->len, ==, 0);
  dp_test_rmtree (dir);
}

/* random bytes, with tabs and newlines sprinkled in: counted, no crash */
/* a line that starts with NUL is a counted bad line, not an empty one;
 * CR-only line ends are refused, not read as one header line (issue #21) */
static void
test_nul_and_cr (void)
{
  g_autofree char *dir = dp_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "nul.tsv", NULL);
  g_assert_true (g_file_set_contents (path, "\n\0abc\n\n\0\n", 9, NULL));
  g_autoptr (DpHarness) h = run_file (path, NULL);
  g_assert_cmpuint (dp_harness_counter (h, "bad-line"), ==, 2);
  g_autofree char *cr = g_build_filename (dir, "cr.txt", NULL);
  g_assert_true (g_file_set_contents (cr, "a\tb\rc\td\r", -1, NULL));
  g_autofree char *yaml = g_strdup_printf ("path: '%s'", cr);
  g_autoptr (GError) error = NULL;
  g_autoptr (DpHarness) hc = dp_harness_new ("tshark_fields", yaml, &error);
  g_assert_no_error (error);
  g_assert_false (dp_harness_run (hc, &error));
  g_assert_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "CR-only line ends"));
  dp_test_rmtree (dir);
}

static void
test_garbage (void)
{
  g_autofree char *dir = dp_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "noise.tsv", NULL);
  g_autoptr (GRand) rand = g_rand_new_with_seed (7);
  g_autofree char *bytes = g_malloc (65536);
  for (guint i = 0; i < 65536; i++)
    {
      guint32 r = g_rand_int (rand);
      bytes[i] = (r & 0xf00) == 0 ? '\n' : (r & 0xf00) == 0x100 ? '\t' : (char) (r & 0xff);
    }
  g_assert_true (g_file_set_contents (path, bytes, 65536, NULL));
  g_autoptr (DpHarness) h = run_file (path, NULL);
  g_assert_cmpuint (dp_harness_counter (h, "bad-line"), >, 100);
  g_assert_cmpuint (dp_harness_outputs (h, 0)->len, ==, 0);
  dp_test_rmtree (dir);
}

static void
test_missing_file (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (DpHarness) h = dp_harness_new ("tshark_fields", "path: /nonexistent/x.tsv", &error);
  g_assert_no_error (error);
  g_assert_false (dp_harness_run (h, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_assert_nonnull (strstr (error->message, "/nonexistent/x.tsv"));
}

static void
test_cancelled (void)
{
  g_autofree char *path = dp_test_data ("text/oddities.tsv");
  g_autofree char *yaml = g_strdup_printf ("path: '%s'", path);
  g_autoptr (GError) error = NULL;
  g_autoptr (DpHarness) h = dp_harness_new ("tshark_fields", yaml, &error);
  dp_harness_cancel (h);
  g_assert_true (dp_harness_run (h, &error));
  g_assert_cmpuint (dp_harness_outputs (h, 0)->len, ==, 0);
}

/* ------------------------------------------------------------------ */
/* real tshark output */

static const char *const new_fields[] = {
  "frame.time", "frame.len", "ip.proto", "ip.len", "ip.ttl", "ip.version", "ip.flags",
  "ip.flags.mf", "ip.frag_offset", "ip.src", "ip.dst", "icmp.type", "icmp.code",
  "tcp.dstport", "tcp.srcport", "tcp.flags", "tcp.flags.ack", "tcp.flags.cwr",
  "tcp.flags.fin", "tcp.flags.ece", "tcp.flags.ae", "tcp.flags.push", "tcp.flags.syn",
  "tcp.flags.urg", "tcp.flags.reset", "tcp.len", "tcp.window_size", "udp.srcport",
  "udp.dstport",
};

/* Runs tshark with the 29 fields plus frame.time_epoch (the reference for
 * the times), trying the old names of the two renamed flags if needed. */
static char *
run_tshark (const char *tshark, const char *pcap)
{
  for (int old = 0; old < 2; old++)
    {
      g_autoptr (GPtrArray) argv = g_ptr_array_new ();
      g_ptr_array_add (argv, (char *) tshark);
      g_ptr_array_add (argv, "-r");
      g_ptr_array_add (argv, (char *) pcap);
      g_ptr_array_add (argv, "-T");
      g_ptr_array_add (argv, "fields");
      for (guint i = 0; i < G_N_ELEMENTS (new_fields); i++)
        {
          const char *name = new_fields[i];
          if (old && strcmp (name, "tcp.flags.ece") == 0)
            name = "tcp.flags.ecn";
          if (old && strcmp (name, "tcp.flags.ae") == 0)
            name = "tcp.flags.ns";
          g_ptr_array_add (argv, "-e");
          g_ptr_array_add (argv, (char *) name);
        }
      g_ptr_array_add (argv, "-e");
      g_ptr_array_add (argv, "frame.time_epoch");
      g_ptr_array_add (argv, NULL);
      char *out = NULL;
      gint status = 1;
      if (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                        &out, NULL, &status, NULL) && status == 0)
        return out;
      g_free (out);
    }
  g_assert_not_reached ();
}

/* The pcap source decodes the capture itself: every field tshark gives
 * must agree with it (tshark gives no IP id or TCP sequence number). */
static void
compare_with_pcap_source (const char *pcap, const DpPackets *p)
{
  g_autofree char *yaml = g_strdup_printf ("path: '%s'", pcap);
  g_autoptr (GError) error = NULL;
  g_autoptr (DpHarness) h = dp_harness_new ("pcap", yaml, &error);
  g_assert_no_error (error);
  g_assert_true (dp_harness_run (h, &error));
  g_autoptr (DpPackets) q = dp_harness_packets (h, "packets");
  g_assert_cmpuint (q->n_rows, ==, p->n_rows);
  for (guint i = 0; i < p->n_rows; i++)
    {
      g_assert_cmpint (p->ts[i], ==, q->ts[i]);
      g_assert_cmphex (p->src[i], ==, q->src[i]);
      g_assert_cmphex (p->dst[i], ==, q->dst[i]);
      g_assert_cmpuint (p->proto[i], ==, q->proto[i]);
      g_assert_cmpuint (p->l4[i], ==, q->l4[i]);
      g_assert_cmpuint (p->sport[i], ==, q->sport[i]);
      g_assert_cmpuint (p->dport[i], ==, q->dport[i]);
      g_assert_cmphex (p->tcp_flags[i], ==, q->tcp_flags[i]);
      g_assert_cmpuint (p->icmp_type[i], ==, q->icmp_type[i]);
      g_assert_cmpuint (p->icmp_code[i], ==, q->icmp_code[i]);
      g_assert_cmpuint (p->ttl[i], ==, q->ttl[i]);
      g_assert_cmpuint (p->ip_len[i], ==, q->ip_len[i]);
      g_assert_cmphex (p->frag[i], ==, q->frag[i]);
    }
}

/* Runs tshark on @name, feeds the source the 29 fields and checks every
 * time against tshark's epoch and every field against the pcap source.
 * Returns the packets. */
static DpPackets *
read_real (const char *name)
{
  const char *tshark = g_getenv ("TSHARK");
  g_autofree char *rel = g_build_filename ("data/real/pcap", name, NULL);
  g_autofree char *pcap = dp_test_shared (rel);
  if (pcap == NULL)
    return NULL;
  if (tshark == NULL || *tshark == '\0')
    {
      g_test_skip ("no tshark (TSHARK is empty)");
      return NULL;
    }
  g_autofree char *out = run_tshark (tshark, pcap);
  g_auto (GStrv) lines = g_strsplit (out, "\n", -1);
  g_autoptr (GArray) epochs = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GString) text = g_string_new (NULL);
  for (char **l = lines; *l && **l; l++)
    {
      char *tab = strrchr (*l, '\t');
      g_assert_nonnull (tab);
      gint64 ns = dp_test_epoch_ns (tab + 1);
      g_array_append_val (epochs, ns);
      g_string_append_len (text, *l, tab - *l);
      g_string_append_c (text, '\n');
    }
  g_autofree char *dir = dp_test_tmpdir ();
  g_autofree char *tsv = write_file (dir, "real.tsv", text->str);
  g_autoptr (DpHarness) h = run_file (tsv, NULL);
  DpPackets *p = dp_harness_packets (h, "packets");
  g_assert_cmpuint (dp_harness_counter (h, "bad-line"), ==, 0);
  g_assert_cmpuint (dp_harness_counter (h, "non-ipv4"), ==, 0);
  g_assert_cmpuint (p->n_rows, ==, epochs->len);
  for (guint i = 0; i < p->n_rows; i++)
    g_assert_cmpint (p->ts[i], ==, g_array_index (epochs, gint64, i));
  compare_with_pcap_source (pcap, p);
  dp_test_rmtree (dir);
  return p;
}

static void
test_real_masscan_tcp (void)
{
  g_autoptr (DpPackets) p = read_real ("esnet_masscan_tcp_0_1000_20190821.pcap");
  if (p == NULL)
    return;
  g_autofree guint8 *seen = g_new0 (guint8, 1001);
  guint syn = 0, rst = 0;
  for (guint i = 0; i < p->n_rows; i++)
    {
      g_assert_cmpuint (p->proto[i], ==, 6);
      g_assert_cmpuint (p->l4[i], ==, DP_L4_PORTS | DP_L4_TCP);
      g_assert_cmphex (p->src[i], ==, DP_TEST_IP (172, 31, 15, 102));
      if (p->tcp_flags[i] == 0x02)
        {
          g_assert_cmpuint (p->dport[i], <=, 1000);
          g_assert_cmpuint (seen[p->dport[i]]++, ==, 0);
          syn++;
        }
      else if (p->tcp_flags[i] == 0x04)
        rst++;
    }
  g_assert_cmpuint (syn, ==, 1001);
  g_assert_cmpuint (rst, ==, 4);
}

static void
test_real_masscan_udp (void)
{
  g_autoptr (DpPackets) p = read_real ("esnet_masscan_udp_0_1000_20190821.pcap");
  if (p == NULL)
    return;
  g_autofree guint8 *seen = g_new0 (guint8, 1001);
  g_assert_cmpuint (p->n_rows, ==, 1001);
  for (guint i = 0; i < p->n_rows; i++)
    {
      g_assert_cmpuint (p->proto[i], ==, 17);
      g_assert_cmpuint (p->l4[i], ==, DP_L4_PORTS);
      g_assert_cmpuint (p->dport[i], <=, 1000);
      g_assert_cmpuint (seen[p->dport[i]]++, ==, 0);
    }
}

static void
test_real_icmp_sweep (void)
{
  g_autoptr (DpPackets) p = read_real ("sgr_nmap_icmp_sweep.pcap");
  if (p == NULL)
    return;
  g_assert_cmpuint (p->n_rows, ==, 512);
  for (guint i = 0; i < p->n_rows; i++)
    {
      g_assert_cmpuint (p->l4[i], ==, DP_L4_ICMP);
      g_assert_cmpuint (p->icmp_type[i], ==, 8);
      g_assert_cmphex (p->src[i], ==, DP_TEST_IP (10, 0, 0, 128));
    }
}

static void
test_real_others (void)
{
  g_autoptr (DpPackets) a = read_real ("sgr_nmap_tcp_syn_sweep_port80.pcapng");
  g_autoptr (DpPackets) b = a ? read_real ("sgr_nmap_udp_sweep.pcap") : NULL;
  if (b == NULL)
    return;
  g_assert_cmpuint (a->n_rows, ==, 513);
  g_assert_cmpuint (b->n_rows, ==, 512);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/plugin/tshark_fields/bad-options", test_bad_options);
  g_test_add_func ("/plugin/tshark_fields/oddities", test_oddities);
  g_test_add_func ("/plugin/tshark_fields/timezone", test_timezone);
  g_test_add_func ("/plugin/tshark_fields/time-formats", test_time_formats);
  g_test_add_func ("/plugin/tshark_fields/gzip", test_gzip);
  g_test_add_func ("/plugin/tshark_fields/on-error-fail", test_on_error_fail);
  g_test_add_func ("/plugin/tshark_fields/options", test_options_change_reading);
  g_test_add_func ("/plugin/tshark_fields/files-and-globs", test_files_and_globs);
  g_test_add_func ("/plugin/tshark_fields/garbage", test_garbage);
  g_test_add_func ("/plugin/tshark_fields/nul-and-cr", test_nul_and_cr);
  g_test_add_func ("/plugin/tshark_fields/missing-file", test_missing_file);
  g_test_add_func ("/plugin/tshark_fields/cancelled", test_cancelled);
  g_test_add_func ("/plugin/tshark_fields/real-masscan-tcp", test_real_masscan_tcp);
  g_test_add_func ("/plugin/tshark_fields/real-masscan-udp", test_real_masscan_udp);
  g_test_add_func ("/plugin/tshark_fields/real-icmp-sweep", test_real_icmp_sweep);
  g_test_add_func ("/plugin/tshark_fields/real-others", test_real_others);
  return g_test_run ();
}
