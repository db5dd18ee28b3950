/* Tests of the darkvec_csv source: the public DarkVec sample (facts from
 * its documentation and its own datetime index column), a hand-written
 * CoNEXT-style packets.log with every oddity, and layouts made here. */
#include "config.h"

#include <string.h>
#include <zlib.h>
#define TEXT_TEST_PLUGIN "darkvec_csv"
#include "text-source-test.h"

static void
test_bad_options (void)
{
  dp_test_bad_option (TEXT_TEST_PLUGIN, NULL, DP_CONFIG_ERROR_REQUIRED);
  dp_test_bad_option (TEXT_TEST_PLUGIN, "path: x.csv\nbatch_rows: 0", DP_CONFIG_ERROR_RANGE);
  dp_test_bad_option (TEXT_TEST_PLUGIN, "path: x.csv\nbatch_rows: 2000000", DP_CONFIG_ERROR_RANGE);
  dp_test_bad_option (TEXT_TEST_PLUGIN, "path: x.csv\ndelimiter: ','", DP_CONFIG_ERROR_UNKNOWN_KEY);
}

/* Time of the index column "2021-05-01 00:00:00.160742144" in ns (UTC). */
static gint64
index_ns (const char *s)
{
  /* GLib's strict ISO 8601 parser for the seconds, the digits for the ns */
  g_autofree char *iso = g_strdup (s);
  char *dot = strchr (iso, '.');
  char frac[10] = "000000000";
  if (dot)
    {
      memcpy (frac, dot + 1, MIN (strlen (dot + 1), 9));
      *dot = '\0';
    }
  g_assert_true (strlen (iso) == 19 && iso[10] == ' ');
  iso[10] = 'T';
  g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr (GDateTime) dt = g_date_time_new_from_iso8601 (iso, utc);
  g_assert_nonnull (dt);
  guint64 ns;
  g_assert_true (g_ascii_string_to_unsigned (frac, 10, 0, 999999999, &ns, NULL));
  return g_date_time_to_unix (dt) * G_GINT64_CONSTANT (1000000000) + (gint64) ns;
}

static void
test_sample (void)
{
  g_autofree char *path = dp_test_shared ("data/darkvec/darknet01_20210501.csv.gz");
  if (path == NULL)
    return;
  g_autoptr (DpHarness) h = run_file (path, "batch_rows: 1000");
  g_autoptr (DpPackets) p = dp_harness_packets (h, "packets");
  g_assert_cmpuint (dp_harness_outputs (h, 0)->len, ==, 3);
  g_assert_cmpuint (p->n_rows, ==, 3000);
  g_assert_cmpuint (dp_harness_counter (h, "bad-line"), ==, 0);
  g_assert_cmpuint (dp_harness_counter (h, "mirai"), ==, 76);
  guint n_tcp = 0, n_udp = 0, n_icmp = 0;
  g_autoptr (GHashTable) sources = g_hash_table_new (NULL, NULL);
  for (guint i = 0; i < p->n_rows; i++)
    {
      n_tcp += p->proto[i] == 6;
      n_udp += p->proto[i] == 17;
      n_icmp += p->proto[i] == 1;
      g_hash_table_add (sources, GUINT_TO_POINTER (p->src[i]));
      g_assert_nonnull (dp_name_map_lookup (p->names, p->src[i]));
      if (p->proto[i] == 1)
        g_assert_cmpuint (p->l4[i], ==, 0);   /* '-' ports */
    }
  g_assert_cmpuint (n_tcp, ==, 2889);
  g_assert_cmpuint (n_udp, ==, 107);
  g_assert_cmpuint (n_icmp, ==, 4);
  g_assert_cmpuint (g_hash_table_size (sources), ==, 509);
  /* first row: src_ipaddr0,57340,dst_ipaddr0,11676,6,60,2,0,1546020250,243 */
  g_assert_cmpstr (dp_name_map_lookup (p->names, p->src[0]), ==, "src_ipaddr0");
  g_assert_cmpstr (dp_name_map_lookup (p->names, p->dst[0]), ==, "dst_ipaddr0");
  g_assert_cmpuint (p->sport[0], ==, 57340);
  g_assert_cmpuint (p->dport[0], ==, 11676);
  g_assert_cmpuint (p->tcp_flags[0], ==, 2);
  g_assert_cmpuint (p->tcp_seq[0], ==, 1546020250);
  g_assert_cmpuint (p->ttl[0], ==, 243);
  g_assert_cmpuint (p->ip_len[0], ==, 60);
  g_assert_cmpuint (p->l4[0], ==, DP_L4_PORTS | DP_L4_TCP);
  /* ts exactly from its digits: "1619827200.2047381" */
  g_assert_cmpint (p->ts[0], ==, G_GINT64_CONSTANT (1619827200160742000));
  g_assert_cmpint (p->ts[1], ==, G_GINT64_CONSTANT (1619827200204738100));

  /* every ts agrees with the file's own datetime index (written by pandas
   * from the float, so only to within a microsecond) */
  gzFile f = gzopen (path, "rb");
  char line[1024];
  g_assert_nonnull (gzgets (f, line, sizeof line));
  for (guint i = 0; i < p->n_rows; i++)
    {
      g_assert_nonnull (gzgets (f, line, sizeof line));
      *strchr (line, ',') = '\0';
      g_assert_cmpint (ABS (p->ts[i] - index_ns (line)), <, 1000);
    }
  gzclose (f);
}

static void
test_two_days_per_file (void)
{
  g_autofree char *d1 = dp_test_shared ("data/darkvec/darknet01_20210501.csv.gz");
  g_autofree char *d2 = d1 ? dp_test_shared ("data/darkvec/darknet01_20210502.csv.gz") : NULL;
  if (d2 == NULL)
    return;
  g_autofree char *yaml = g_strdup_printf ("paths: ['%s', '%s']", d1, d2);
  g_autoptr (DpHarness) h = run_yaml (yaml);
  g_autoptr (DpPackets) p = dp_harness_packets (h, "packets");
  g_assert_cmpuint (p->n_rows, ==, 6000);
  /* day 1 before day 2, and one token gets one address across files */
  g_assert_cmpint (p->ts[2999], <, p->ts[3000]);
  GPtrArray *outs = dp_harness_outputs (h, 0);
  DpPackets *last = outs->pdata[outs->len - 1];
  g_assert_true (last->names == ((DpPackets *) outs->pdata[0])->names);
  /* the traces number pseudonyms per file: each keeps its day's name, and
   * no key is a source of both days */
  g_assert_cmpstr (dp_name_map_lookup (p->names, p->src[0]), ==, "src_ipaddr0@darknet01_20210501");
  g_assert_true (g_str_has_suffix (dp_name_map_lookup (p->names, p->src[3000]), "@darknet01_20210502"));
  g_autoptr (GHashTable) day1 = g_hash_table_new (g_direct_hash, g_direct_equal);
  for (guint i = 0; i < 3000; i++)
    g_hash_table_add (day1, GUINT_TO_POINTER (p->src[i]));
  guint both = 0;
  for (guint i = 3000; i < 6000; i++)
    both += g_hash_table_contains (day1, GUINT_TO_POINTER (p->src[i]));
  g_assert_cmpuint (both, ==, 0);
  /* shared: one token is one source across the files */
  g_autofree char *yaml2 = g_strdup_printf ("paths: ['%s', '%s']\npseudonyms: shared", d1, d2);
  g_autoptr (DpHarness) h2 = run_yaml (yaml2);
  g_autoptr (DpPackets) q = dp_harness_packets (h2, "packets");
  g_assert_cmpstr (dp_name_map_lookup (q->names, q->src[0]), ==, "src_ipaddr0");
  g_autoptr (GHashTable) qday1 = g_hash_table_new (g_direct_hash, g_direct_equal);
  for (guint i = 0; i < 3000; i++)
    g_hash_table_add (qday1, GUINT_TO_POINTER (q->src[i]));
  both = 0;
  for (guint i = 3000; i < 6000; i++)
    both += g_hash_table_contains (qday1, GUINT_TO_POINTER (q->src[i]));
  g_assert_cmpuint (both, >, 0);
  /* one file: its pseudonyms as written */
  g_autofree char *yaml3 = g_strdup_printf ("path: '%s'", d2);
  g_autoptr (DpHarness) h3 = run_yaml (yaml3);
  g_autoptr (DpPackets) r = dp_harness_packets (h3, "packets");
  g_assert_null (strchr (dp_name_map_lookup (r->names, r->src[0]), '@'));
}

typedef struct {
  gint64 ts;
  guint32 src, dst;
  guint8 proto;
  guint16 sport, dport;
  guint8 flags, l4, ttl;
  guint32 seq;
  guint16 len;
} Expect;

static void
test_packets_log (void)
{
  /* by hand from tests/data/text/packets_log.txt */
  static const Expect rows[] = {
    { G_GINT64_CONSTANT (1614643200000001000), DP_TEST_IP (192, 0, 2, 10), DP_TEST_IP (198, 51, 100, 1), 6, 40000, 23,
      2, DP_L4_PORTS | DP_L4_TCP, 240, 3325256705u, 40 },
    { G_GINT64_CONSTANT (1614643200500000000), DP_TEST_IP (192, 0, 2, 11), DP_TEST_IP (198, 51, 100, 2), 17, 5353, 53,
      0, DP_L4_PORTS, 60, 0, 56 },
    { G_GINT64_CONSTANT (1614643201000000000), DP_TEST_IP (192, 0, 2, 12), DP_TEST_IP (198, 51, 100, 3), 1, 0, 0,
      0, 0, 64, 0, 84 },
    { G_GINT64_CONSTANT (1614643202123456789), DP_TEST_IP (192, 0, 2, 13), DP_TEST_IP (198, 51, 100, 4), 6, 1234, 445,
      0x12, DP_L4_PORTS | DP_L4_TCP, 128, 42, 52 },
    { G_GINT64_CONSTANT (1614643205000000000), DP_TEST_IP (192, 0, 2, 15), DP_TEST_IP (198, 51, 100, 6), 47, 0, 0,
      0, 0, 30, 0, 40 },
  };
  g_autofree char *path = dp_test_data ("text/packets_log.txt");
  g_autoptr (DpHarness) h = run_file (path, NULL);
  g_autoptr (DpPackets) p = dp_harness_packets (h, "packets");
  g_assert_cmpuint (p->n_rows, ==, G_N_ELEMENTS (rows));
  for (guint i = 0; i < p->n_rows; i++)
    {
      const Expect *e = &rows[i];
      g_test_message ("row %u", i);
      g_assert_cmpint (p->ts[i], ==, e->ts);
      g_assert_cmphex (p->src[i], ==, e->src);
      g_assert_cmphex (p->dst[i], ==, e->dst);
      g_assert_null (dp_name_map_lookup (p->names, p->src[i]));
      g_assert_cmpuint (p->proto[i], ==, e->proto);
      g_assert_cmpuint (p->l4[i], ==, e->l4);
      g_assert_cmpuint (p->sport[i], ==, e->sport);
      g_assert_cmpuint (p->dport[i], ==, e->dport);
      g_assert_cmphex (p->tcp_flags[i], ==, e->flags);
      g_assert_cmpuint (p->tcp_seq[i], ==, e->seq);
      g_assert_cmpuint (p->ttl[i], ==, e->ttl);
      g_assert_cmpuint (p->ip_len[i], ==, e->len);
    }
  /* garbage, too few fields, port 99999, the cut last line; one IPv6 */
  g_assert_cmpuint (dp_harness_counter (h, "bad-line"), ==, 4);
  g_assert_cmpuint (dp_harness_counter (h, "non-ipv4"), ==, 1);
  g_assert_cmpuint (dp_harness_counter (h, "mirai"), ==, 1);
}

static void
test_on_error_fail (void)
{
  g_autofree char *path = dp_test_data ("text/packets_log.txt");
  g_autofree char *yaml = g_strdup_printf ("path: '%s'\non_error: fail", path);
  g_autoptr (GError) error = NULL;
  g_autoptr (DpHarness) h = dp_harness_new ("darkvec_csv", yaml, &error);
  g_assert_false (dp_harness_run (h, &error));
  g_assert_error (error, DP_DATA_ERROR, DP_DATA_ERROR_MALFORMED);
  /* the IPv6 line comes first */
  g_assert_nonnull (strstr (error->message, "packets_log.txt: line 6:"));
}

/* Columns found by name, in any order, comma or tab, with or without an
 * index column; pseudonyms and real addresses side by side. */
static void
test_layouts (void)
{
  g_autofree char *dir = dp_test_tmpdir ();
  g_autofree char *a = write_file (dir, "a.csv",
    "proto,dst_port,ts,src_ip,dst_ip\n"
    "6,22,1.25,scanner_a,10.0.0.1\n"
    "17,53,2,10.9.9.9,scanner_a\n");
  g_autofree char *b = write_file (dir, "b.tsv",
    "0\tts\tsrc_ip\tdst_ip\tproto\tsrc_port\tdst_port\ttcp_flags\n"
    "2021-01-01\t3.5\t10.1.1.1\t10.0.0.2\t6\t1\t80\t0x18\n");
  g_autofree char *yaml = g_strdup_printf ("paths: ['%s', '%s']", a, b);
  g_autoptr (DpHarness) h = run_yaml (yaml);
  g_autoptr (DpPackets) p = dp_harness_packets (h, "packets");
  g_assert_cmpuint (p->n_rows, ==, 3);
  g_assert_cmpint (p->ts[0], ==, G_GINT64_CONSTANT (1250000000));
  g_assert_cmpstr (dp_name_map_lookup (p->names, p->src[0]), ==, "scanner_a@a");   /* two files: the pseudonyms of a.csv */
  g_assert_cmphex (p->dst[0], ==, DP_TEST_IP (10, 0, 0, 1));
  g_assert_cmpuint (p->dport[0], ==, 22);
  g_assert_cmpuint (p->sport[0], ==, 0);     /* no src_port column: 0 */
  g_assert_cmpuint (p->l4[0], ==, DP_L4_PORTS);
  g_assert_cmphex (p->src[1], ==, DP_TEST_IP (10, 9, 9, 9));
  g_assert_cmphex (p->dst[1], ==, p->src[0]); /* same token, same address */
  g_assert_cmpuint (p->tcp_flags[2], ==, 0x18);
  g_assert_cmpuint (p->l4[2], ==, DP_L4_PORTS | DP_L4_TCP);
  g_assert_cmpuint (p->dport[2], ==, 80);
  dp_test_rmtree (dir);
}

static void
test_empty_and_not_a_trace (void)
{
  g_autofree char *dir = dp_test_tmpdir ();
  g_autofree char *empty = write_file (dir, "empty.csv", "");
  g_autofree char *hdr = write_file (dir, "header.csv", "ts,src_ip,dst_ip,proto\n");
  g_autofree char *other = write_file (dir, "other.csv", "ip,class\n1.2.3.4,censys\n");
  g_autofree char *yaml = g_strdup_printf ("paths: ['%s', '%s']", empty, hdr);
  g_autoptr (DpHarness) h = run_yaml (yaml);
  g_assert_cmpuint (dp_harness_outputs (h, 0)->len, ==, 0);

  g_autoptr (GError) error = NULL;
  g_autofree char *y2 = g_strdup_printf ("path: '%s'", other);
  g_autoptr (DpHarness) h2 = dp_harness_new ("darkvec_csv", y2, &error);
  g_assert_false (dp_harness_run (h2, &error));
  g_assert_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "other.csv: line 1"));
  dp_test_rmtree (dir);
}

/* a good header, then random bytes with separators: counted, no crash */
/* a line that starts with NUL is a counted bad line, not an empty one;
 * CR-only line ends are refused, not read as one header line (issue #21) */
static void
test_nul_and_cr (void)
{
  g_autofree char *dir = dp_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "nul.csv", NULL);
  static const char text[] = "ts,src_ip,src_port,dst_ip,dst_port,proto,tcp_flags\n\0abc\n\n\0\n";
  g_assert_true (g_file_set_contents (path, text, sizeof text - 1, NULL));
  g_autoptr (DpHarness) h = run_file (path, NULL);
  g_assert_cmpuint (dp_harness_counter (h, "bad-line"), ==, 2);
  g_autofree char *cr = g_build_filename (dir, "cr.txt", NULL);
  g_assert_true (g_file_set_contents (cr, "a\tb\rc\td\r", -1, NULL));
  g_autofree char *yaml = g_strdup_printf ("path: '%s'", cr);
  g_autoptr (GError) error = NULL;
  g_autoptr (DpHarness) hc = dp_harness_new ("darkvec_csv", yaml, &error);
  g_assert_no_error (error);
  g_assert_false (dp_harness_run (hc, &error));
  g_assert_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "CR-only line ends"));
  g_assert_nonnull (strstr (error->message, "cr.txt"));
  g_clear_error (&error);

  /* a NUL in the header of a second file: refused, not read with the
   * first file's layout (nor, for a first file, with none) */
  g_autofree char *good = write_file (dir, "good.csv", "ts,src_ip,dst_ip,proto\n1551312000,1.2.3.4,5.6.7.8,6\n");
  g_autofree char *nulh = g_build_filename (dir, "nulh.csv", NULL);
  static const char nul_header[] = "\0ts,src_ip,dst_ip,proto\n1551312000,1.2.3.4,5.6.7.8,6\n";
  g_assert_true (g_file_set_contents (nulh, nul_header, sizeof nul_header - 1, NULL));
  const char *const orders[][2] = { { good, nulh }, { nulh, good } };
  for (guint i = 0; i < G_N_ELEMENTS (orders); i++)
    {
      g_autofree char *y2 = g_strdup_printf ("paths: ['%s', '%s']", orders[i][0], orders[i][1]);
      g_autoptr (DpHarness) h2 = dp_harness_new ("darkvec_csv", y2, &error);
      g_assert_no_error (error);
      g_assert_false (dp_harness_run (h2, &error));
      g_assert_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT);
      g_assert_nonnull (strstr (error->message, "nulh.csv: line 1: NUL byte in the header line"));
      g_clear_error (&error);
    }
  dp_test_rmtree (dir);
}

static void
test_garbage (void)
{
  g_autofree char *dir = dp_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "noise.csv", NULL);
  g_autoptr (GRand) rand = g_rand_new_with_seed (11);
  const char header[] = "ts,src_ip,src_port,dst_ip,dst_port,proto,tcp_flags\n";
  gsize n = 65536, h = sizeof header - 1;
  g_autofree char *bytes = g_malloc (n);
  memcpy (bytes, header, h);
  for (gsize i = h; i < n; i++)
    {
      guint32 r = g_rand_int (rand);
      bytes[i] = (r & 0xf00) == 0 ? '\n' : (r & 0xf00) == 0x100 ? ',' : (r & 0xf00) == 0x200 ? '-' : (char) (r & 0xff);
    }
  g_assert_true (g_file_set_contents (path, bytes, (gssize) n, NULL));
  g_autoptr (DpHarness) hr = run_file (path, NULL);
  g_assert_cmpuint (dp_harness_counter (hr, "bad-line"), >, 100);
  g_assert_cmpuint (dp_harness_outputs (hr, 0)->len, ==, 0);
  dp_test_rmtree (dir);
}

/* packets -> csv sink -> darkvec_csv gives back every column */
static void
test_csv_sink_round_trip (void)
{
  g_autoptr (DpNameMap) names = dp_name_map_new ();
  g_autoptr (DpPackets) p = dp_packets_new (8);
  dp_packets_set_names (p, names);
  dp_test_add_packet (p, DP_TEST_SEC (1619827200) + 160742000, dp_name_map_intern (names, "src_ipaddr7"),
                      DP_TEST_IP (198, 51, 100, 1), 6, 40000, 23, 0x12);
  p->tcp_seq[0] = 3325256705u;
  p->ip_id[0] = 54321;
  p->tcp_win[0] = 1025;
  p->tcp_optlen[0] = 4;
  dp_test_add_packet (p, DP_TEST_SEC (1619827201), DP_TEST_IP (10, 0, 0, 1), DP_TEST_IP (10, 0, 0, 2), 17, 53, 5353, 0);
  dp_test_add_packet (p, DP_TEST_SEC (1619827202) + 1, DP_TEST_IP (10, 0, 0, 3), DP_TEST_IP (10, 0, 0, 4), 1, 3, 13, 0);
  guint r = dp_test_add_packet (p, DP_TEST_SEC (1619827203), DP_TEST_IP (10, 0, 0, 5), DP_TEST_IP (10, 0, 0, 6), 17, 0, 0, 0);
  p->l4[r] = 0;
  p->frag[r] = DP_FRAG_MF | 185;
  r = dp_test_add_packet (p, DP_TEST_SEC (1619827204), DP_TEST_IP (10, 0, 0, 7), DP_TEST_IP (10, 0, 0, 8), 47, 0, 0, 0);

  g_autoptr (GError) error = NULL;
  g_autoptr (DpHarness) sink = dp_harness_new ("csv", "path: packets.csv.gz", &error);
  g_assert_no_error (error);
  g_assert_true (dp_harness_push (sink, 0, p, &error));
  g_assert_true (dp_harness_finish (sink, &error));
  g_autofree char *csv = g_build_filename (dp_harness_output_dir (sink), "packets.csv.gz", NULL);
  g_autoptr (DpHarness) h = run_file (csv, NULL);
  g_autoptr (DpPackets) q = dp_harness_packets (h, "packets");
  g_assert_cmpuint (q->n_rows, ==, p->n_rows);
  g_assert_cmpuint (dp_harness_counter (h, "bad-line"), ==, 0);
  for (guint i = 0; i < p->n_rows; i++)
    {
      g_test_message ("row %u", i);
      g_assert_cmpint (q->ts[i], ==, p->ts[i]);
      g_assert_cmpstr (dp_name_map_lookup (q->names, q->src[i]), ==, dp_name_map_lookup (p->names, p->src[i]));
      if (dp_name_map_lookup (p->names, p->src[i]) == NULL)
        g_assert_cmphex (q->src[i], ==, p->src[i]);
      g_assert_cmphex (q->dst[i], ==, p->dst[i]);
      g_assert_cmpuint (q->proto[i], ==, p->proto[i]);
      g_assert_cmpuint (q->l4[i], ==, p->l4[i]);
      g_assert_cmpuint (q->sport[i], ==, p->sport[i]);
      g_assert_cmpuint (q->dport[i], ==, p->dport[i]);
      g_assert_cmphex (q->tcp_flags[i], ==, p->tcp_flags[i]);
      g_assert_cmpuint (q->tcp_seq[i], ==, p->tcp_seq[i]);
      g_assert_cmpuint (q->ip_id[i], ==, p->ip_id[i]);
      g_assert_cmpuint (q->icmp_type[i], ==, p->icmp_type[i]);
      g_assert_cmpuint (q->icmp_code[i], ==, p->icmp_code[i]);
      g_assert_cmpuint (q->ttl[i], ==, p->ttl[i]);
      g_assert_cmpuint (q->ip_len[i], ==, p->ip_len[i]);
      g_assert_cmphex (q->frag[i], ==, p->frag[i]);
      g_assert_cmpuint (q->tcp_win[i], ==, p->tcp_win[i]);
      g_assert_cmpuint (q->tcp_optlen[i], ==, p->tcp_optlen[i]);
    }
  g_assert_cmpuint (q->tcp_win[0], ==, 1025);
}

/* A TCP window past 16 bits, option bytes past 40 or not whole 4-byte
 * words: bad lines, the good one kept. */
static void
test_bad_tcp_window_options (void)
{
  g_autofree char *dir = dp_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "w.csv", NULL);
  const char text[] =
    "ts,src,dst,proto,sport,dport,tcp_flags,tcp_seq,tcp_win,tcp_optlen\n"
    "1,10.0.0.1,10.0.0.2,6,1,2,2,7,65535,40\n"
    "2,10.0.0.1,10.0.0.2,6,1,2,2,7,65536,0\n"
    "3,10.0.0.1,10.0.0.2,6,1,2,2,7,1024,44\n"
    "4,10.0.0.1,10.0.0.2,6,1,2,2,7,1024,6\n";
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  g_autoptr (DpHarness) h = run_file (path, NULL);
  g_autoptr (DpPackets) p = dp_harness_packets (h, "packets");
  g_assert_cmpuint (p->n_rows, ==, 1);
  g_assert_cmpuint (p->tcp_win[0], ==, 65535);
  g_assert_cmpuint (p->tcp_optlen[0], ==, 40);
  g_assert_cmpuint (dp_harness_counter (h, "bad-line"), ==, 3);
  dp_test_rmtree (dir);
}

static void
test_truncated_gzip (void)
{
  g_autofree char *src = dp_test_shared ("data/darkvec/darknet01_20210501.csv.gz");
  if (src == NULL)
    return;
  gsize len;
  g_autofree char *bytes = dp_test_read_file (src, &len);
  g_autofree char *dir = dp_test_tmpdir ();
  g_autofree char *cut = g_build_filename (dir, "cut.csv.gz", NULL);
  g_assert_true (g_file_set_contents (cut, bytes, (gssize) (len / 2), NULL));
  g_autoptr (DpHarness) h = run_file (cut, NULL);
  g_autoptr (DpPackets) p = dp_harness_packets (h, "packets");
  /* what came before the cut is kept; the cut is counted, not fatal */
  g_assert_cmpuint (p->n_rows, >, 1000);
  g_assert_cmpuint (p->n_rows, <, 3000);
  g_assert_cmpuint (dp_harness_counter (h, "truncated") + dp_harness_counter (h, "bad-line"), >=, 1);
  dp_test_rmtree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/plugin/darkvec_csv/bad-options", test_bad_options);
  g_test_add_func ("/plugin/darkvec_csv/sample", test_sample);
  g_test_add_func ("/plugin/darkvec_csv/two-days-per-file", test_two_days_per_file);
  g_test_add_func ("/plugin/darkvec_csv/packets-log", test_packets_log);
  g_test_add_func ("/plugin/darkvec_csv/on-error-fail", test_on_error_fail);
  g_test_add_func ("/plugin/darkvec_csv/layouts", test_layouts);
  g_test_add_func ("/plugin/darkvec_csv/empty-and-not-a-trace", test_empty_and_not_a_trace);
  g_test_add_func ("/plugin/darkvec_csv/garbage", test_garbage);
  g_test_add_func ("/plugin/darkvec_csv/nul-and-cr", test_nul_and_cr);
  g_test_add_func ("/plugin/darkvec_csv/csv-sink-round-trip", test_csv_sink_round_trip);
  g_test_add_func ("/plugin/darkvec_csv/truncated-gzip", test_truncated_gzip);
  g_test_add_func ("/plugin/darkvec_csv/bad-tcp-window-options", test_bad_tcp_window_options);
  return g_test_run ();
}
