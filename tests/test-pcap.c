/* test-pcap.c — the pcap source, through the harness.
 * Fixtures are written by the tests themselves (tests/pcap-frames.h); the
 * real captures come from the shared folder, and tshark is the reference
 * where it is installed. */
#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <zlib.h>
#include "dp-test.h"
#include "pcap-frames.h"

/* ------------------------------------------------------------------ */
/* helpers */

typedef DpTestDir Fixture;

static char *
write_file (const Fixture *f, const char *name, const GByteArray *bytes)
{
  char *path = g_build_filename (f->dir, name, NULL);
  GError *error = NULL;
  g_file_set_contents (path, (const char *) bytes->data, bytes->len, &error);
  g_assert_no_error (error);
  return path;
}

static char *
write_gzip (const Fixture *f, const char *name, const GByteArray *bytes)
{
  char *path = g_build_filename (f->dir, name, NULL);
  gzFile gz = gzopen (path, "wb");
  g_assert_nonnull (gz);
  g_assert_cmpint (gzwrite (gz, bytes->data, bytes->len), ==, (int) bytes->len);
  g_assert_cmpint (gzclose (gz), ==, Z_OK);
  return path;
}

/* Runs the pcap source on @yaml expecting failure; returns the error. */
static GError *
run_pcap_error (const char *yaml)
{
  GError *error = NULL;
  g_autoptr (DpHarness) h = dp_harness_new ("pcap", yaml, &error);
  if (h == NULL)
    return error;
  g_assert_false (dp_harness_run (h, &error));
  g_assert_nonnull (error);
  return error;
}

/* A capture with @n TCP SYNs (sport 1000 + i, seq i, 1 ms apart from @t0). */
static GByteArray *
syn_capture (guint n, gint64 t0)
{
  GByteArray *f = pcap_file_new (DP_LINK_ETHERNET, FALSE);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (GByteArray) fr = frame_tcp ((guint16) (1000 + i), 80, i, 0x02);
      pcap_file_add (f, FALSE, t0 + (gint64) i * 1000000, fr->data, fr->len);
    }
  return f;
}

/* ------------------------------------------------------------------ */
/* options */

static void
test_defaults (Fixture *f, gconstpointer data)
{
  (void) data;
  /* more rows than one default batch (16384): two batches */
  g_autoptr (GByteArray) cap = syn_capture (20000, DP_TEST_SEC (1600000000));
  g_autofree char *path = write_file (f, "syn.pcap", cap);
  g_autofree char *yaml = g_strdup_printf ("path: %s", path);
  g_autoptr (DpPackets) p = NULL;
  g_autoptr (DpHarness) h = dp_test_run_pcap (yaml, &p);
  GPtrArray *batches = dp_harness_outputs (h, 0);
  g_assert_cmpuint (batches->len, ==, 2);
  g_assert_cmpuint (((DpPackets *) batches->pdata[0])->n_rows, ==, 16384);
  g_assert_cmpuint (p->n_rows, ==, 20000);
  g_assert_cmpint (p->ts[19999], ==, DP_TEST_SEC (1600000000) + 19999 * G_GINT64_CONSTANT (1000000));
  g_assert_cmpuint (p->sport[19999], ==, (guint16) (1000 + 19999));
  g_assert_cmpuint (p->tcp_seq[12345], ==, 12345);
  g_assert_cmpuint (dp_harness_counter (h, "non-ip"), ==, 0);
}

static void
test_batch_rows (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autoptr (GByteArray) cap = syn_capture (2500, 0);
  g_autofree char *path = write_file (f, "syn.pcap", cap);
  g_autofree char *yaml = g_strdup_printf ("path: %s\nbatch_rows: 1024", path);
  g_autoptr (DpPackets) p = NULL;
  g_autoptr (DpHarness) h = dp_test_run_pcap (yaml, &p);
  GPtrArray *batches = dp_harness_outputs (h, 0);
  g_assert_cmpuint (batches->len, ==, 3);
  g_assert_cmpuint (((DpPackets *) batches->pdata[2])->n_rows, ==, 2500 - 2048);
}

static void
test_bad_options (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autoptr (GByteArray) cap = syn_capture (1, 0);
  g_autofree char *path = write_file (f, "syn.pcap", cap);
  struct { const char *fmt; GQuark domain; int code; } cases[] = {
    { "path: %s\nbatch_rows: 1023", DP_CONFIG_ERROR, DP_CONFIG_ERROR_RANGE },
    { "path: %s\nbatch_rows: 65537", DP_CONFIG_ERROR, DP_CONFIG_ERROR_RANGE },
    { "path: %s\nbatch_rows: many", DP_CONFIG_ERROR, DP_CONFIG_ERROR_TYPE },
    { "path: %s\nbatch_row: 2048", DP_CONFIG_ERROR, DP_CONFIG_ERROR_UNKNOWN_KEY },
    { "path: %s\nfilter: 'tcp port'", DP_CONFIG_ERROR, DP_CONFIG_ERROR_TYPE },
    { "batch_rows: 2048  # %s", DP_CONFIG_ERROR, DP_CONFIG_ERROR_REQUIRED },
    { "path: %s.missing", G_FILE_ERROR, G_FILE_ERROR_NOENT },
    { "paths: ['%s', /nonexistent/*.pcap]", G_FILE_ERROR, G_FILE_ERROR_NOENT },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *yaml = g_strdup_printf (cases[i].fmt, path);
      GError *error = NULL;
      g_autoptr (DpHarness) h = dp_harness_new ("pcap", yaml, &error);
      g_test_message ("case %u: %s", i, yaml);
      g_assert_null (h);
      g_assert_error (error, cases[i].domain, cases[i].code);
      g_error_free (error);
    }
}

/* ------------------------------------------------------------------ */
/* formats and link types */

/* One TCP SYN (sport 40000, dport 443, seq 7) behind each link header. */
static void
test_link_types (Fixture *f, gconstpointer data)
{
  (void) data;
  static const guint8 sll[16] = { 0, 0, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, 0x08, 0x00 };
  static const guint8 sll2[20] = { 0x08, 0x00, 0, 0, 0, 0, 0, 2, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0 };
  static const guint8 null_le[4] = { 2, 0, 0, 0 }, null_be[4] = { 0, 0, 0, 2 };
  static const guint8 eth[14] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x08, 0x00 };
  static const guint8 vlan[18] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x81, 0, 0, 5, 0x08, 0 };
  static const guint8 qinq[22] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x88, 0xa8, 0, 5,
                                   0x81, 0, 0, 6, 0x08, 0 };
  struct { guint32 link; const guint8 *hdr; guint len; } cases[] = {
    { 1, eth, 14 }, { 1, vlan, 18 }, { 1, qinq, 22 }, { 101, NULL, 0 }, { 12, NULL, 0 },
    { 14, NULL, 0 }, { 228, NULL, 0 }, { 113, sll, 16 }, { 276, sll2, 20 },
    { 0, null_le, 4 }, { 0, null_be, 4 }, { 108, null_be, 4 },
  };
  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr (GByteArray) fr = g_byte_array_new ();
      g_byte_array_append (fr, cases[c].hdr, cases[c].len);
      put_ip (fr, 6, 0, 20, 0);
      put_tcp (fr, 40000, 443, 7, 0x02);
      g_autoptr (GByteArray) cap = pcap_file_new (cases[c].link, FALSE);
      pcap_file_add (cap, FALSE, DP_TEST_SEC (100), fr->data, fr->len);
      pcap_file_add (cap, FALSE, DP_TEST_SEC (101), fr->data, fr->len);
      g_autofree char *name = g_strdup_printf ("link%u.cap", c);
      g_autofree char *path = write_file (f, name, cap);
      g_autofree char *yaml = g_strdup_printf ("path: %s", path);
      g_autoptr (DpPackets) p = NULL;
      g_autoptr (DpHarness) h = dp_test_run_pcap (yaml, &p);
      g_test_message ("link %u case %u", cases[c].link, c);
      g_assert_cmpuint (p->n_rows, ==, 2);
      g_assert_cmpint (p->ts[1], ==, DP_TEST_SEC (101));
      g_assert_cmphex (p->src[0], ==, FRAME_SRC);
      g_assert_cmphex (p->dst[0], ==, FRAME_DST);
      g_assert_cmpuint (p->sport[0], ==, 40000);
      g_assert_cmpuint (p->dport[0], ==, 443);
      g_assert_cmpuint (p->tcp_seq[0], ==, 7);
      g_assert_cmpuint (p->l4[0], ==, DP_L4_PORTS | DP_L4_TCP);
    }
}

static void
test_unsupported_link (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autoptr (GByteArray) fr = frame_tcp (1, 2, 3, 2);
  g_autoptr (GByteArray) cap = pcap_file_new (147, FALSE);   /* USER0 */
  pcap_file_add (cap, FALSE, 0, fr->data, fr->len);
  g_autofree char *path = write_file (f, "user0.pcap", cap);
  g_autoptr (GByteArray) good = syn_capture (3, 0);
  g_autofree char *good_path = write_file (f, "good.pcap", good);
  g_autofree char *yaml = g_strdup_printf ("paths: [%s, %s]", path, good_path);
  g_autoptr (DpPackets) p = NULL;
  g_autoptr (DpHarness) h = dp_test_run_pcap (yaml, &p);
  g_assert_cmpuint (p->n_rows, ==, 3);
  g_assert_cmpuint (dp_harness_counter (h, "unsupported-link"), ==, 1);
  /* the message names the file's link type, not 0 (NULL): issue #21 */
  g_autofree char *fy = g_strdup_printf ("path: %s\non_error: fail", path);
  GError *error = NULL;
  g_autoptr (DpHarness) hf = dp_harness_new ("pcap", fy, &error);
  g_assert_no_error (error);
  g_assert_false (dp_harness_run (hf, &error));
  if (strstr (error->message, "user0.pcap: link type 147 (") == NULL)
    g_error ("%s", error->message);
  g_clear_error (&error);
}

/* pcapng with nanosecond and with the default microsecond resolution. */
static void
test_pcapng (Fixture *f, gconstpointer data)
{
  (void) data;
  for (int ns = 0; ns <= 1; ns++)
    {
      g_autoptr (GByteArray) cap = pcapng_file_new (DP_LINK_ETHERNET, ns);
      gint64 t0 = DP_TEST_SEC (1700000000) + 123456789;
      for (guint i = 0; i < 5; i++)
        {
          g_autoptr (GByteArray) fr = frame_tcp ((guint16) (2000 + i), 22, i, 0x02);
          if (i == 3)
            put8 (fr, 0xee);   /* odd length: the block needs padding */
          pcapng_file_add (cap, ns, t0 + i, fr->data, fr->len);
        }
      g_autofree char *path = write_file (f, "x.pcapng", cap);
      g_autofree char *yaml = g_strdup_printf ("path: %s", path);
      g_autoptr (DpPackets) p = NULL;
      g_autoptr (DpHarness) h = dp_test_run_pcap (yaml, &p);
      g_assert_cmpuint (p->n_rows, ==, 5);
      g_assert_cmpuint (p->sport[4], ==, 2004);
      g_assert_cmpint (p->ts[0], ==, ns ? t0 : t0 / 1000 * 1000);
      g_assert_cmpint (p->ts[4], ==, ns ? t0 + 4 : t0 / 1000 * 1000);
    }
}

/* pcapng: a bad packet is named by its number and its block's offset. */
static void
test_pcapng_bad_packet (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autoptr (GByteArray) cap = pcapng_file_new (DP_LINK_ETHERNET, FALSE);
  g_autoptr (GByteArray) fr = frame_tcp (1, 2, 3, 2);
  pcapng_file_add (cap, FALSE, 0, fr->data, fr->len);
  pcapng_file_add (cap, FALSE, 0, fr->data, 20);   /* IP header cut */
  pcapng_file_add (cap, FALSE, 0, fr->data, fr->len);
  g_autofree char *path = write_file (f, "bad.pcapng", cap);
  g_autofree char *yaml = g_strdup_printf ("path: %s", path);
  g_autoptr (DpPackets) p = NULL;
  g_autoptr (DpHarness) h = dp_test_run_pcap (yaml, &p);
  g_assert_cmpuint (p->n_rows, ==, 2);
  g_assert_cmpuint (dp_harness_counter (h, "short"), ==, 1);
  g_autofree char *yaml2 = g_strdup_printf ("path: %s\non_error: fail", path);
  g_autoptr (GError) error = run_pcap_error (yaml2);
  g_assert_error (error, DP_DATA_ERROR, DP_DATA_ERROR_MALFORMED);
  /* section header 28 bytes, interface 20, a packet block of 54 bytes 88 */
  g_assert_nonnull (strstr (error->message, "bad.pcapng: packet 2 (byte 136):"));
}

/* Raw IPv4 + TCP SYN (no link header), 40 bytes. */
static GByteArray *
frame_raw_tcp (guint16 sport, guint16 dport, guint32 seq, guint8 flags)
{
  GByteArray *b = g_byte_array_new ();
  put_ip (b, 6, 0, 20, 0);
  put_tcp (b, sport, dport, seq, flags);
  return b;
}

/* Packet @i of the pcapng tests: sport 1000 + i, at 100 + i s, in @iface's
 * link type (0: Ethernet, else raw IP) and timestamp @units per second. */
static void
ng_packet (GByteArray *f, gboolean be, guint32 iface, gboolean raw, guint64 units, guint i)
{
  g_autoptr (GByteArray) fr = raw ? frame_raw_tcp ((guint16) (1000 + i), 80, i, 0x02)
                                  : frame_tcp ((guint16) (1000 + i), 80, i, 0x02);
  pcapng_add_epb (f, be, iface, (guint64) (100 + i) * units, fr->data, fr->len);
}

static void
assert_ng_rows (const DpPackets *p, guint n)
{
  g_assert_cmpuint (p->n_rows, ==, n);
  for (guint i = 0; i < n; i++)
    {
      g_assert_cmpuint (p->sport[i], ==, 1000 + i);
      g_assert_cmpint (p->ts[i], ==, DP_TEST_SEC (100 + i));
      g_assert_cmphex (p->src[i], ==, FRAME_SRC);
      g_assert_cmpuint (p->tcp_seq[i], ==, i);
    }
}

/* Interfaces of different link types in one section (issue #21: libpcap
 * read 0 of 20 and said nothing): each packet is decoded with its own
 * interface's link type and timestamp unit, an interface described after
 * packets is taken too, and blocks of other types are skipped. */
static void
test_pcapng_interfaces (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autoptr (GByteArray) cap = g_byte_array_new ();
  pcapng_add_section (cap, FALSE);
  pcapng_add_interface (cap, FALSE, DP_LINK_ETHERNET, 0, 0);     /* microseconds */
  pcapng_add_interface (cap, FALSE, DP_LINK_RAW, 9, 0);          /* nanoseconds */
  pcapng_add_other (cap, FALSE, 4, 16);                          /* name resolution */
  for (guint i = 0; i < 10; i++)
    ng_packet (cap, FALSE, i % 2, i % 2, i % 2 ? 1000000000 : 1000000, i);
  pcapng_add_interface (cap, FALSE, DP_LINK_IPV4, 0x8a, 0);      /* 2^-10 s */
  pcapng_add_other (cap, FALSE, 5, 20);                          /* interface statistics */
  pcapng_add_other (cap, FALSE, 0x40000bad, 3);                  /* custom */
  for (guint i = 10; i < 20; i++)
    ng_packet (cap, FALSE, i % 3, i % 3 != 0, i % 3 == 0 ? 1000000 : i % 3 == 1 ? 1000000000 : 1024, i);
  g_autofree char *path = write_file (f, "mixed-links.pcapng", cap);
  g_autofree char *yaml = g_strdup_printf ("path: %s", path);
  g_autoptr (DpPackets) p = NULL;
  g_autoptr (DpHarness) h = dp_test_run_pcap (yaml, &p);
  assert_ng_rows (p, 20);
  g_assert_cmpuint (dp_harness_counter (h, "unsupported-link"), ==, 0);
  g_assert_cmpuint (dp_harness_counter (h, "bad-file"), ==, 0);

  /* the filter is compiled for each interface's link type */
  g_autofree char *fy = g_strdup_printf ("path: %s\nfilter: tcp src port 1003 or tcp src port 1004 "
                                         "or tcp src port 1011", path);
  g_autoptr (DpPackets) q = NULL;
  g_autoptr (DpHarness) hq = dp_test_run_pcap (fy, &q);
  g_assert_cmpuint (q->n_rows, ==, 3);
  g_assert_cmpuint (q->sport[0], ==, 1003);   /* raw IP */
  g_assert_cmpuint (q->sport[1], ==, 1004);   /* Ethernet */
  g_assert_cmpuint (q->sport[2], ==, 1011);   /* LINKTYPE_IPV4 */

  /* a simple packet block is on interface 0, without a timestamp */
  g_autoptr (GByteArray) spb = g_byte_array_new ();
  pcapng_add_section (spb, FALSE);
  pcapng_add_interface (spb, FALSE, DP_LINK_ETHERNET, 0, 0);
  g_autoptr (GByteArray) fr = frame_tcp (7, 8, 9, 2);
  le32 (spb, 3);
  le32 (spb, 16 + fr->len + 2);
  le32 (spb, fr->len);
  g_byte_array_append (spb, fr->data, fr->len);
  put_zeros (spb, 2);
  le32 (spb, 16 + fr->len + 2);
  g_autofree char *spath = write_file (f, "spb.pcapng", spb);
  g_autofree char *sy = g_strdup_printf ("path: %s", spath);
  g_autoptr (DpPackets) s = NULL;
  g_autoptr (DpHarness) hs = dp_test_run_pcap (sy, &s);
  g_assert_cmpuint (s->n_rows, ==, 1);
  g_assert_cmpuint (s->sport[0], ==, 7);
  g_assert_cmpint (s->ts[0], ==, 0);
}

/* Sections of both byte orders and other link types, one after the other:
 * each section header starts a new interface list. */
static void
test_pcapng_sections (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autoptr (GByteArray) cap = g_byte_array_new ();
  pcapng_add_section (cap, FALSE);
  pcapng_add_interface (cap, FALSE, DP_LINK_ETHERNET, 0, 0);
  for (guint i = 0; i < 5; i++)
    ng_packet (cap, FALSE, 0, FALSE, 1000000, i);
  pcapng_add_section (cap, TRUE);
  pcapng_add_interface (cap, TRUE, DP_LINK_RAW, 6, 0);
  pcapng_add_other (cap, TRUE, 5, 8);
  for (guint i = 5; i < 10; i++)
    ng_packet (cap, TRUE, 0, TRUE, 1000000, i);
  /* little-endian again; if_tsoffset adds 50 s to the stamps */
  pcapng_add_section (cap, FALSE);
  pcapng_add_interface (cap, FALSE, DP_LINK_RAW, 0, 50);
  for (guint i = 10; i < 15; i++)
    {
      g_autoptr (GByteArray) fr = frame_raw_tcp ((guint16) (1000 + i), 80, i, 0x02);
      pcapng_add_epb (cap, FALSE, 0, (guint64) (100 + i - 50) * 1000000, fr->data, fr->len);
    }
  g_autofree char *path = write_file (f, "sections.pcapng", cap);
  g_autofree char *yaml = g_strdup_printf ("path: %s", path);
  g_autoptr (DpPackets) p = NULL;
  g_autoptr (DpHarness) h = dp_test_run_pcap (yaml, &p);
  assert_ng_rows (p, 15);
  g_assert_cmpuint (dp_harness_counter (h, "bad-file"), ==, 0);

  /* a big-endian file from its first block */
  g_autoptr (GByteArray) be = g_byte_array_new ();
  pcapng_add_section (be, TRUE);
  pcapng_add_interface (be, TRUE, DP_LINK_ETHERNET, 0, 0);
  for (guint i = 0; i < 3; i++)
    ng_packet (be, TRUE, 0, FALSE, 1000000, i);
  g_autofree char *bpath = write_file (f, "be.pcapng", be);
  g_autofree char *by = g_strdup_printf ("path: %s", bpath);
  g_autoptr (DpPackets) b = NULL;
  g_autoptr (DpHarness) hb = dp_test_run_pcap (by, &b);
  assert_ng_rows (b, 3);

  /* a packet on an interface the section does not describe stops the
   * file: the second section's interface list is empty again */
  g_autoptr (GByteArray) bad = g_byte_array_new ();
  pcapng_add_section (bad, FALSE);
  pcapng_add_interface (bad, FALSE, DP_LINK_ETHERNET, 0, 0);
  ng_packet (bad, FALSE, 0, FALSE, 1000000, 0);
  pcapng_add_section (bad, FALSE);
  ng_packet (bad, FALSE, 0, FALSE, 1000000, 1);
  g_autofree char *xpath = write_file (f, "noiface.pcapng", bad);
  g_autofree char *xy = g_strdup_printf ("path: %s", xpath);
  g_autoptr (DpPackets) x = NULL;
  g_autoptr (DpHarness) hx = dp_test_run_pcap (xy, &x);
  g_assert_cmpuint (x->n_rows, ==, 1);
  g_assert_cmpuint (dp_harness_counter (hx, "bad-file"), ==, 1);
  g_autofree char *xf = g_strdup_printf ("path: %s\non_error: fail", xpath);
  g_autoptr (GError) error = run_pcap_error (xf);
  g_assert_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT);
  /* 28 + 20 + 88, then the second section header */
  if (strstr (error->message, "noiface.pcapng: stopped at byte 164: packet block is on "
                               "interface 0, but the section describes 0") == NULL)
    g_error ("%s", error->message);
}

/* An interface of a link type darkpipe does not decode: its packets are
 * counted as unsupported-link, named with the link type; the others are read. */
static void
test_pcapng_unsupported (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autoptr (GByteArray) cap = g_byte_array_new ();
  pcapng_add_section (cap, FALSE);
  pcapng_add_interface (cap, FALSE, DP_LINK_ETHERNET, 0, 0);
  pcapng_add_interface (cap, FALSE, 147, 0, 0);   /* USER0 */
  for (guint i = 0; i < 6; i++)
    ng_packet (cap, FALSE, i % 2, FALSE, 1000000, i);
  g_autofree char *path = write_file (f, "user0.pcapng", cap);
  g_autofree char *yaml = g_strdup_printf ("path: %s", path);
  g_autoptr (DpPackets) p = NULL;
  g_autoptr (DpHarness) h = dp_test_run_pcap (yaml, &p);
  g_assert_cmpuint (p->n_rows, ==, 3);
  g_assert_cmpuint (dp_harness_counter (h, "unsupported-link"), ==, 3);
  g_autofree char *fy = g_strdup_printf ("path: %s\non_error: fail", path);
  g_autoptr (GError) error = run_pcap_error (fy);
  g_assert_error (error, DP_DATA_ERROR, DP_DATA_ERROR_MALFORMED);
  /* packet 2 is the block after 28 + 20 + 20 + 88 bytes */
  if (strstr (error->message, "user0.pcapng: packet 2 (byte 156): link type 147") == NULL
      || strstr (error->message, " of interface 1 is not supported") == NULL)
    g_error ("%s", error->message);
}

/* A pcapng cut inside a block, or damaged: the packets before are kept,
 * the message names the byte offset of the block. */
static void
test_pcapng_truncated (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autoptr (GByteArray) cap = g_byte_array_new ();
  pcapng_add_section (cap, FALSE);
  pcapng_add_interface (cap, FALSE, DP_LINK_ETHERNET, 0, 0);
  for (guint i = 0; i < 4; i++)
    ng_packet (cap, FALSE, 0, FALSE, 1000000, i);
  pcapng_add_other (cap, FALSE, 0x0bad, 100);
  ng_packet (cap, FALSE, 0, FALSE, 1000000, 4);
  const guint first = 28 + 20, block = 88;
  struct { guint cut; guint rows; guint at; gboolean truncated; } cases[] = {
    { first + 3 * block + 40, 3, first + 3 * block, TRUE },       /* inside a packet block */
    { first + 3 * block + 6, 3, first + 3 * block, TRUE },        /* inside its header */
    { first + 4 * block + 50, 4, first + 4 * block, TRUE },       /* inside a skipped block */
    { first + 4 * block + 112 + 10, 4, first + 4 * block + 112, TRUE },
    { 0, 3, first + 3 * block, FALSE },                           /* a damaged trailer */
  };
  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr (GByteArray) d = g_byte_array_new ();
      g_byte_array_append (d, cap->data, cases[c].cut ? cases[c].cut : cap->len);
      if (!cases[c].truncated)
        d->data[first + 4 * block - 4] ^= 1;   /* the 4th block's trailing length */
      g_autofree char *path = write_file (f, "cut.pcapng", d);
      g_autofree char *yaml = g_strdup_printf ("path: %s", path);
      g_test_message ("case %u", c);
      g_autoptr (DpPackets) p = NULL;
      g_autoptr (DpHarness) h = dp_test_run_pcap (yaml, &p);
      assert_ng_rows (p, cases[c].rows);
      g_assert_cmpuint (dp_harness_counter (h, "truncated-file"), ==, cases[c].truncated);
      g_assert_cmpuint (dp_harness_counter (h, "bad-file"), ==, !cases[c].truncated);
      g_autofree char *fy = g_strdup_printf ("path: %s\non_error: fail", path);
      g_autoptr (GError) error = run_pcap_error (fy);
      const gint code = cases[c].truncated ? DP_DATA_ERROR_TRUNCATED : DP_DATA_ERROR_FORMAT;
      g_assert_error (error, DP_DATA_ERROR, code);
      g_autofree char *want = g_strdup_printf ("cut.pcapng: stopped at byte %u: ", cases[c].at);
      if (strstr (error->message, want) == NULL)
        g_error ("case %u: %s", c, error->message);
    }

  /* a damaged section header is a bad file from the start */
  g_autoptr (GByteArray) hdr = g_byte_array_new ();
  g_byte_array_append (hdr, cap->data, cap->len);
  hdr->data[8] = 0x77;   /* the byte-order magic */
  g_autofree char *hpath = write_file (f, "hdr.pcapng", hdr);
  g_autofree char *hy = g_strdup_printf ("path: %s\non_error: fail", hpath);
  g_autoptr (GError) herr = run_pcap_error (hy);
  g_assert_error (herr, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT);
  g_assert_nonnull (strstr (herr->message, "byte-order magic"));
}

typedef struct {
  char *path;
  GByteArray *bytes;
} FifoWriter;

static gpointer
fifo_write (gpointer data)
{
  FifoWriter *w = data;
  FILE *fp = fopen (w->path, "wb");   /* waits for the reader */
  g_assert_nonnull (fp);
  g_assert_cmpuint (fwrite (w->bytes->data, 1, w->bytes->len, fp), ==, w->bytes->len);
  fclose (fp);
  return NULL;
}

/* A FIFO is read as a stream, opened once, before the regular files (its
 * first timestamp cannot be read ahead); a directory says what it is. */
static void
test_fifo (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autofree char *fifo = g_build_filename (f->dir, "cap.fifo", NULL);
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  g_autoptr (GByteArray) later = syn_capture (3, DP_TEST_SEC (1000));
  g_autofree char *later_path = write_file (f, "later.pcap", later);
  for (guint kind = 0; kind < 3; kind++)
    {
      g_autoptr (GByteArray) cap = NULL;
      if (kind == 2)
        {
          cap = g_byte_array_new ();
          pcapng_add_section (cap, FALSE);
          pcapng_add_interface (cap, FALSE, DP_LINK_ETHERNET, 0, 0);
          pcapng_add_interface (cap, FALSE, DP_LINK_RAW, 0, 0);
          for (guint i = 0; i < 4; i++)
            ng_packet (cap, FALSE, i % 2, i % 2, 1000000, i);
        }
      else
        cap = syn_capture (4, DP_TEST_SEC (2000));
      if (kind == 1)
        {
          g_autofree char *gz = write_gzip (f, "tmp.gz", cap);
          g_autofree char *text = NULL;
          gsize len = 0;
          g_assert_true (g_file_get_contents (gz, &text, &len, NULL));
          g_byte_array_set_size (cap, 0);
          g_byte_array_append (cap, (const guint8 *) text, (guint) len);
        }
      g_test_message ("kind %u", kind);
      FifoWriter w = { fifo, cap };
      GThread *t = g_thread_new ("fifo", fifo_write, &w);
      g_autofree char *yaml = g_strdup_printf ("paths: [%s, %s]", later_path, fifo);
      g_autoptr (DpPackets) p = NULL;
      g_autoptr (DpHarness) h = dp_test_run_pcap (yaml, &p);
      g_thread_join (t);
      g_assert_cmpuint (p->n_rows, ==, 7);
      /* the pipe first, though its packets are later */
      if (kind == 2)
        g_assert_cmpint (p->ts[0], ==, DP_TEST_SEC (100));
      else
        g_assert_cmpint (p->ts[0], ==, DP_TEST_SEC (2000));
      g_assert_cmpint (p->ts[4], ==, DP_TEST_SEC (1000));
    }

  g_autofree char *yaml = g_strdup_printf ("path: %s", f->dir);
  g_autoptr (GError) error = run_pcap_error (yaml);
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_ISDIR);
  g_assert_nonnull (strstr (error->message, ": is a directory, not a capture file"));
}

/* The format comes from the magic number: a gzip pcap named .txt reads. */
static void
test_gzip (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autoptr (GByteArray) cap = syn_capture (3000, DP_TEST_SEC (5));
  g_autofree char *gz = write_gzip (f, "capture.txt", cap);
  g_autofree char *plain = write_file (f, "capture.pcap", cap);
  g_autoptr (GByteArray) ng = pcapng_file_new (DP_LINK_ETHERNET, TRUE);
  g_autoptr (GByteArray) fr = frame_tcp (9, 9, 9, 2);
  pcapng_file_add (ng, TRUE, DP_TEST_SEC (9000), fr->data, fr->len);
  g_autofree char *nggz = write_gzip (f, "ng.gz", ng);
  g_autoptr (DpPackets) a = NULL, b = NULL, c = NULL;
  g_autofree char *y1 = g_strdup_printf ("path: %s", gz);
  g_autofree char *y2 = g_strdup_printf ("path: %s", plain);
  g_autofree char *y3 = g_strdup_printf ("path: %s", nggz);
  g_autoptr (DpHarness) h1 = dp_test_run_pcap (y1, &a);
  g_autoptr (DpHarness) h2 = dp_test_run_pcap (y2, &b);
  g_autoptr (DpHarness) h3 = dp_test_run_pcap (y3, &c);
  g_assert_cmpuint (a->n_rows, ==, 3000);
  dp_test_assert_packets_equal (a, b);
  g_assert_cmpuint (c->n_rows, ==, 1);
  g_assert_cmpint (c->ts[0], ==, DP_TEST_SEC (9000));
}

/* ------------------------------------------------------------------ */
/* bad input */

/* A file cut mid-record keeps every complete packet before the cut. */
static void
test_truncated (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autoptr (GByteArray) cap = syn_capture (10, 0);
  /* records are 16 + 54 bytes: cut inside the 8th record's frame */
  guint cut = 24 + 7 * 70 + 16 + 20;
  g_byte_array_set_size (cap, cut);
  g_autofree char *path = write_file (f, "cut.pcap", cap);
  g_autofree char *gz = write_gzip (f, "cut.pcap.gz", cap);
  const char *paths[] = { path, gz };
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *yaml = g_strdup_printf ("path: %s", paths[i]);
      g_autoptr (DpPackets) p = NULL;
      g_autoptr (DpHarness) h = dp_test_run_pcap (yaml, &p);
      g_assert_cmpuint (p->n_rows, ==, 7);
      g_assert_cmpuint (p->sport[6], ==, 1006);
      g_assert_cmpuint (dp_harness_counter (h, "truncated-file"), ==, 1);
    }
  g_autofree char *yaml = g_strdup_printf ("path: %s\non_error: fail", path);
  g_autoptr (GError) error = run_pcap_error (yaml);
  g_assert_error (error, DP_DATA_ERROR, DP_DATA_ERROR_TRUNCATED);
  g_assert_nonnull (strstr (error->message, "cut.pcap"));
  g_autofree char *where = g_strdup_printf ("byte %u", 24 + 7 * 70);
  g_assert_nonnull (strstr (error->message, where));
}

/* Garbage is counted and the next file still read; with on_error: fail it
 * is a format error naming the file. */
static void
test_garbage (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autoptr (GByteArray) junk = g_byte_array_new ();
  g_byte_array_append (junk, (const guint8 *) "this is not a capture at all\n", 29);
  g_autofree char *bad = write_file (f, "junk.pcap", junk);
  g_autoptr (GByteArray) empty = g_byte_array_new ();
  g_autofree char *zero = write_file (f, "zero.pcap", empty);
  g_autoptr (GByteArray) head = pcap_file_new (1, FALSE);
  g_byte_array_set_size (head, 10);   /* right magic, header cut */
  g_autofree char *cut = write_file (f, "head.pcap", head);
  g_autoptr (GByteArray) good = syn_capture (4, 0);
  g_autofree char *good_path = write_file (f, "good.pcap", good);
  g_autofree char *yaml = g_strdup_printf ("paths: [%s, %s, %s, %s]", bad, zero, cut, good_path);
  g_autoptr (DpPackets) p = NULL;
  g_autoptr (DpHarness) h = dp_test_run_pcap (yaml, &p);
  g_assert_cmpuint (p->n_rows, ==, 4);
  g_assert_cmpuint (dp_harness_counter (h, "bad-file"), ==, 3);

  g_autofree char *yaml2 = g_strdup_printf ("paths: [%s, %s]\non_error: fail", good_path, bad);
  g_autoptr (GError) error = run_pcap_error (yaml2);
  g_assert_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "junk.pcap"));
}

/* A record header with an absurd length ends the file like a cut would,
 * keeping the packets before it, but counts as a bad file. */
static void
test_corrupt_record (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autoptr (GByteArray) cap = syn_capture (3, 0);
  le32 (cap, 1);
  le32 (cap, 0);
  le32 (cap, 0x7fffffff);
  le32 (cap, 0x7fffffff);
  put_zeros (cap, 64);
  g_autofree char *path = write_file (f, "corrupt.pcap", cap);
  g_autofree char *yaml = g_strdup_printf ("path: %s", path);
  g_autoptr (DpPackets) p = NULL;
  g_autoptr (DpHarness) h = dp_test_run_pcap (yaml, &p);
  g_assert_cmpuint (p->n_rows, ==, 3);
  g_assert_cmpuint (dp_harness_counter (h, "bad-file"), ==, 1);
  g_autofree char *yaml2 = g_strdup_printf ("path: %s\non_error: fail", path);
  g_autoptr (GError) error = run_pcap_error (yaml2);
  g_assert_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT);
  g_autofree char *where = g_strdup_printf ("corrupt.pcap: stopped at byte %u", 24 + 3 * 70);
  g_assert_nonnull (strstr (error->message, where));
}

static void
test_empty (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autoptr (GByteArray) cap = pcap_file_new (1, FALSE);
  g_autofree char *path = write_file (f, "empty.pcap", cap);
  g_autoptr (GByteArray) ng = pcapng_file_new (1, FALSE);
  g_autofree char *ngpath = write_file (f, "empty.pcapng", ng);
  g_autofree char *yaml = g_strdup_printf ("paths: [%s, %s]", path, ngpath);
  g_autoptr (DpPackets) p = NULL;
  g_autoptr (DpHarness) h = dp_test_run_pcap (yaml, &p);
  g_assert_cmpuint (p->n_rows, ==, 0);
  g_assert_cmpuint (dp_harness_outputs (h, 0)->len, ==, 0);
  g_assert_cmpuint (dp_harness_counter (h, "bad-file"), ==, 0);
}

/* ARP is counted; a short frame and a bad header are counted and reported
 * with their byte offset; fragments, options and IPv6 decode. */
static void
test_mixed (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autoptr (GByteArray) cap = pcap_file_new (DP_LINK_ETHERNET, FALSE);
  g_autoptr (GByteArray) arp = g_byte_array_new ();
  put_ether (arp, 0x0806);
  put_zeros (arp, 28);
  g_autoptr (GByteArray) v6 = g_byte_array_new ();
  put_ether (v6, 0x86dd);
  put_ip6 (v6, 17, 8);
  put_udp (v6, 123, 321);
  g_autoptr (GByteArray) syn = frame_tcp (5, 6, 7, 2);
  g_autoptr (GByteArray) frag = g_byte_array_new ();
  put_ether (frag, 0x0800);
  put_ip (frag, 17, 0, 16, 3);        /* non-first fragment: bytes look like ports */
  put_udp (frag, 53, 53);
  put_zeros (frag, 8);
  g_autoptr (GByteArray) opts = g_byte_array_new ();
  put_ether (opts, 0x0800);
  put_ip (opts, 17, 4, 8, 0);
  put_udp (opts, 123, 321);
  g_autoptr (GByteArray) bad = frame_tcp (5, 6, 7, 2);
  bad->data[14] = 0x65;               /* version 6 inside an IPv4 ethertype */
  const GByteArray *frames[] = { arp, syn, frag, opts, syn, bad, syn, v6 };
  for (guint i = 0; i < G_N_ELEMENTS (frames); i++)
    pcap_file_add (cap, FALSE, DP_TEST_SEC (i), frames[i]->data, frames[i]->len);
  pcap_file_add (cap, FALSE, DP_TEST_SEC (10), syn->data, 30);   /* IP header cut */
  g_autofree char *path = write_file (f, "mixed.pcap", cap);
  g_autofree char *yaml = g_strdup_printf ("path: %s", path);
  g_autoptr (DpPackets) p = NULL;
  g_autoptr (DpHarness) h = dp_test_run_pcap (yaml, &p);
  g_assert_cmpuint (p->n_rows, ==, 6);
  g_assert_cmpuint (dp_harness_counter (h, "non-ip"), ==, 1);
  g_assert_cmpuint (dp_harness_counter (h, "bad-header"), ==, 1);
  g_assert_cmpuint (dp_harness_counter (h, "short"), ==, 1);
  g_assert_cmpuint (p->frag[1], ==, 3);
  g_assert_cmpuint (p->l4[1], ==, 0);
  g_assert_cmpuint (p->sport[1], ==, 0);
  g_assert_cmpuint (p->sport[2], ==, 123);
  g_assert_cmpuint (p->dport[2], ==, 321);
  g_assert_cmpuint (p->ip_len[2], ==, 32);
  char buf[64];
  g_assert_cmpstr (dp_ipv4_format (p->src[5], p->names, buf), ==, FRAME6_SRC_TEXT);
  g_assert_cmpuint (p->dport[5], ==, 321);

  /* the bad header is the 6th record: 24 + 54+16 + 40+16... */
  guint64 off = 24;
  for (guint i = 0; i < 5; i++)
    off += 16 + frames[i]->len;
  g_autofree char *yaml2 = g_strdup_printf ("path: %s\non_error: fail", path);
  g_autoptr (GError) error = run_pcap_error (yaml2);
  g_assert_error (error, DP_DATA_ERROR, DP_DATA_ERROR_MALFORMED);
  g_autofree char *where = g_strdup_printf ("mixed.pcap: byte %" G_GUINT64_FORMAT ":", off);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, where));
}

/* Two sensors' captures of the same seconds, each in time order: merged
 * by timestamp (every packet, in order), or one after the other with
 * order: sequential.  A third file that starts later joins when the merge
 * reaches it; IPv6 addresses get one key whichever file they came from. */
static void
test_merge (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autoptr (GByteArray) a = pcap_file_new (DP_LINK_ETHERNET, FALSE);
  g_autoptr (GByteArray) b = pcap_file_new (DP_LINK_ETHERNET, TRUE);   /* ns, another format */
  for (guint i = 0; i < 3000; i++)
    {
      g_autoptr (GByteArray) fa = frame_tcp ((guint16) i, 80, i, 0x02);
      pcap_file_add (a, FALSE, DP_TEST_SEC (100) + (gint64) i * 2000000, fa->data, fa->len);
      g_autoptr (GByteArray) fb = g_byte_array_new ();
      put_ether (fb, 0x86dd);
      put_ip6 (fb, 6, 20);
      put_tcp (fb, (guint16) i, 443, i, 0x02);
      pcap_file_add (b, TRUE, DP_TEST_SEC (100) + (gint64) i * 2000000 + 1000000, fb->data, fb->len);
    }
  g_autoptr (GByteArray) c = pcap_file_new (DP_LINK_ETHERNET, FALSE);
  for (guint i = 0; i < 10; i++)
    {
      g_autoptr (GByteArray) fc = g_byte_array_new ();
      put_ether (fc, 0x86dd);
      put_ip6 (fc, 17, 8);
      put_udp (fc, 53, 53);
      pcap_file_add (c, FALSE, DP_TEST_SEC (103) + (gint64) i * 500000000, fc->data, fc->len);
    }
  g_autofree char *pa = write_file (f, "sensor-a.pcap", a);
  g_autofree char *pb = write_gzip (f, "sensor-b.pcap.gz", b);
  g_autofree char *pc = write_file (f, "later.pcap", c);
  g_autofree char *yaml = g_strdup_printf ("paths: [%s, %s, %s]\nbatch_rows: 1024", pc, pb, pa);
  g_autoptr (DpPackets) p = NULL;
  g_autoptr (DpHarness) h = dp_test_run_pcap (yaml, &p);
  g_assert_cmpuint (p->n_rows, ==, 6010);
  guint v6 = 0, v6_later = 0;
  for (guint i = 1; i < p->n_rows; i++)
    g_assert_cmpint (p->ts[i - 1], <=, p->ts[i]);
  for (guint i = 0; i < p->n_rows; i++)
    {
      v6 += p->dport[i] == 443;
      v6_later += p->dport[i] == 53;
      if (p->dport[i] == 443 || p->dport[i] == 53)
        {
          char buf[64];
          g_assert_cmpstr (dp_ipv4_format (p->src[i], p->names, buf), ==, FRAME6_SRC_TEXT);
          g_assert_cmphex (p->src[i], ==, p->src[1]);   /* one key for the address in both files */
        }
    }
  g_assert_cmpuint (v6, ==, 3000);
  g_assert_cmpuint (v6_later, ==, 10);
  /* sequential: a's packets, then b's (first timestamps 100.000 and 100.001 s) */
  g_autofree char *yaml2 = g_strdup_printf ("paths: [%s, %s]\norder: sequential", pb, pa);
  g_autoptr (DpPackets) q = NULL;
  g_autoptr (DpHarness) h2 = dp_test_run_pcap (yaml2, &q);
  g_assert_cmpuint (q->n_rows, ==, 6000);
  g_assert_cmpuint (q->dport[2999], ==, 80);
  g_assert_cmpuint (q->dport[3000], ==, 443);
  g_assert_cmpint (q->ts[3000], <, q->ts[2999]);
}

/* Files are read in the order of their first timestamps, whatever the
 * order of the option or the glob. */
static void
test_order_and_glob (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autoptr (GByteArray) late = syn_capture (3, DP_TEST_SEC (300));
  g_autoptr (GByteArray) early = syn_capture (3, DP_TEST_SEC (100));
  g_autoptr (GByteArray) mid = syn_capture (3, DP_TEST_SEC (200));
  g_autofree char *a = write_file (f, "a.pcap", late);
  g_autofree char *b = write_file (f, "b.pcap", early);
  g_autofree char *c = write_gzip (f, "c.pcap.gz", mid);
  g_autofree char *yaml = g_strdup_printf ("path: %s/*.pcap*\nbatch_rows: 1024", f->dir);
  g_autoptr (DpPackets) p = NULL;
  g_autoptr (DpHarness) h = dp_test_run_pcap (yaml, &p);
  g_assert_cmpuint (p->n_rows, ==, 9);
  for (guint i = 1; i < 9; i++)
    g_assert_cmpint (p->ts[i - 1], <, p->ts[i]);
  g_assert_cmpint (p->ts[0], ==, DP_TEST_SEC (100));
  g_assert_cmpint (p->ts[8], ==, DP_TEST_SEC (300) + 2000000);
  /* one batch across the three files */
  g_assert_cmpuint (dp_harness_outputs (h, 0)->len, ==, 1);
}

static void
test_filter (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autoptr (GByteArray) cap = pcap_file_new (DP_LINK_ETHERNET, FALSE);
  for (guint i = 0; i < 10; i++)
    {
      g_autoptr (GByteArray) fr = frame_tcp ((guint16) (100 + i), i % 2 ? 80 : 443, i, 0x02);
      pcap_file_add (cap, FALSE, DP_TEST_SEC (i), fr->data, fr->len);
    }
  g_autoptr (GByteArray) cut = g_byte_array_new ();
  put_ether (cut, 0x0800);
  put_ip (cut, 6, 0, 4, 0);             /* TCP without its header: l4 short */
  put16 (cut, 1);
  put16 (cut, 80);
  pcap_file_add (cap, FALSE, DP_TEST_SEC (20), cut->data, cut->len);
  g_autofree char *path = write_file (f, "f.pcap", cap);
  g_autofree char *yaml = g_strdup_printf ("path: %s\nfilter: tcp dst port 80", path);
  g_autoptr (DpPackets) p = NULL;
  g_autoptr (DpHarness) h = dp_test_run_pcap (yaml, &p);
  /* BPF sees the port bytes of the cut TCP header; the decoder keeps the
   * row without L4 fields, since the header is incomplete */
  g_assert_cmpuint (p->n_rows, ==, 6);
  for (guint i = 0; i < 5; i++)
    g_assert_cmpuint (p->dport[i], ==, 80);
  g_assert_cmpuint (p->l4[5], ==, 0);
  g_assert_cmpuint (dp_harness_counter (h, "l4-short"), ==, 1);
  g_autofree char *yaml2 = g_strdup_printf ("path: %s\nfilter: ip", path);
  g_autoptr (DpPackets) q = NULL;
  g_autoptr (DpHarness) h2 = dp_test_run_pcap (yaml2, &q);
  g_assert_cmpuint (q->n_rows, ==, 11);
  g_assert_cmpuint (q->l4[10], ==, 0);
  g_assert_cmpuint (dp_harness_counter (h2, "l4-short"), ==, 1);
}

static void
test_cancel (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autoptr (GByteArray) cap = syn_capture (5000, 0);
  g_autofree char *path = write_file (f, "c.pcap", cap);
  g_autofree char *yaml = g_strdup_printf ("path: %s\nbatch_rows: 1024", path);
  GError *error = NULL;
  g_autoptr (DpHarness) h = dp_harness_new ("pcap", yaml, &error);
  g_assert_no_error (error);
  dp_harness_cancel (h);
  g_assert_true (dp_harness_run (h, &error));
  g_assert_cmpuint (dp_harness_outputs (h, 0)->len, ==, 0);
}

/* In a pipeline whose sink keeps no batch, the source reuses its batches:
 * what pcap_out writes must still be every packet, in order. */
static void
test_pipeline (Fixture *f, gconstpointer data)
{
  (void) data;
  const char *top = g_getenv ("DP_TOP_BUILDDIR");
  if (top == NULL)
    {
      g_test_skip ("DP_TOP_BUILDDIR not set");
      return;
    }
  g_autoptr (GByteArray) cap = syn_capture (5000, DP_TEST_SEC (1000));
  g_autofree char *in = write_file (f, "in.pcap", cap);
  g_autofree char *out = g_build_filename (f->dir, "out.pcap", NULL);
  g_autofree char *yaml = g_strdup_printf (
    "pipeline: recycle\ndescription: pcap to pcap_out\nallow_outside_output_dir: true\nstages:\n"
    "  read:\n    plugin: pcap\n    path: %s\n    batch_rows: 1024\n"
    "  write:\n    plugin: pcap_out\n    input: read\n    path: %s\n", in, out);
  g_autoptr (GByteArray) yb = g_byte_array_new ();
  g_byte_array_append (yb, (const guint8 *) yaml, (guint) strlen (yaml));
  g_autofree char *ypath = write_file (f, "p.yaml", yb);
  g_autofree char *exe = g_build_filename (top, "darkpipe", NULL);
  const char *argv[] = { exe, "run", ypath, "--quiet", NULL };
  int status = 0;
  GError *error = NULL;
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_autofree char *y1 = g_strdup_printf ("path: %s", in);
  g_autofree char *y2 = g_strdup_printf ("path: %s", out);
  g_autoptr (DpPackets) a = NULL, b = NULL;
  g_autoptr (DpHarness) h1 = dp_test_run_pcap (y1, &a);
  g_autoptr (DpHarness) h2 = dp_test_run_pcap (y2, &b);
  g_assert_cmpuint (b->n_rows, ==, 5000);
  dp_test_assert_packets_equal (a, b);
}

/* ------------------------------------------------------------------ */
/* the classic record walk: byte orders, versions, blocks, limits */

/* A classic capture in any of its variants, written by hand. */
typedef struct {
  gboolean be;          /* big-endian: byte-swapped on this host */
  gboolean ns;          /* nanosecond magic */
  gboolean kuz;         /* Kuznetzov's 24-byte record headers */
  guint16 minor;        /* version 2.minor */
  gboolean len_first;   /* len written before caplen (files before 2.3) */
  guint32 snaplen;
} CapFormat;

static const CapFormat cap_le = { FALSE, FALSE, FALSE, 4, FALSE, 262144 };

static void
cap_put16 (GByteArray *b, const CapFormat *fmt, guint16 v)
{
  if (fmt->be)
    put16 (b, v);
  else
    le16 (b, v);
}

static void
cap_put32 (GByteArray *b, const CapFormat *fmt, guint32 v)
{
  if (fmt->be)
    put32 (b, v);
  else
    le32 (b, v);
}

static GByteArray *
cap_new (const CapFormat *fmt)
{
  GByteArray *f = g_byte_array_new ();
  cap_put32 (f, fmt, fmt->kuz ? 0xa1b2cd34u : fmt->ns ? 0xa1b23c4du : 0xa1b2c3d4u);
  cap_put16 (f, fmt, 2);
  cap_put16 (f, fmt, fmt->minor);
  cap_put32 (f, fmt, 0);
  cap_put32 (f, fmt, 0);
  cap_put32 (f, fmt, fmt->snaplen);
  cap_put32 (f, fmt, DP_LINK_ETHERNET);
  return f;
}

/* A record of @caplen bytes of @frame (zero-padded past it), @len on the wire. */
static void
cap_add_raw (GByteArray *f, const CapFormat *fmt, guint32 sec, guint32 frac,
             const GByteArray *frame, guint caplen, guint len)
{
  cap_put32 (f, fmt, sec);
  cap_put32 (f, fmt, frac);
  cap_put32 (f, fmt, fmt->len_first ? len : caplen);
  cap_put32 (f, fmt, fmt->len_first ? caplen : len);
  if (fmt->kuz)
    {
      cap_put32 (f, fmt, 0xdeadbeef);   /* ifindex, protocol, type, padding: skipped */
      cap_put32 (f, fmt, 0xfeedface);
    }
  g_byte_array_append (f, frame->data, MIN (caplen, frame->len));
  if (caplen > frame->len)
    put_zeros (f, caplen - frame->len);
}

static void
cap_add (GByteArray *f, const CapFormat *fmt, gint64 ts_ns, const GByteArray *frame)
{
  guint32 frac = (guint32) (ts_ns % 1000000000);
  cap_add_raw (f, fmt, (guint32) (ts_ns / 1000000000), fmt->ns ? frac : frac / 1000,
               frame, frame->len, frame->len + 100);
}

/* Frame @i of a varied stream: TCP SYNs (sport 1000 + i, seq i) and every
 * 7th a UDP datagram, with 0..699 trailing bytes. */
static GByteArray *
var_frame (guint i)
{
  GByteArray *b = g_byte_array_new ();
  put_ether (b, 0x0800);
  if (i % 7 == 3)
    {
      put_ip (b, 17, 0, 8, 0);
      put_udp (b, (guint16) (1000 + i), 53);
    }
  else
    {
      put_ip (b, 6, 0, 20, 0);
      put_tcp (b, (guint16) (1000 + i), 80, i, 0x02);
    }
  put_zeros (b, i * 37 % 700);
  return b;
}

#define VAR_T0 (DP_TEST_SEC (1600000000) + 123456789)
#define VAR_TS(i) (VAR_T0 + (gint64) (i) * 1001)

static GByteArray *
var_capture (const CapFormat *fmt, guint n)
{
  GByteArray *f = cap_new (fmt);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (GByteArray) fr = var_frame (i);
      cap_add (f, fmt, VAR_TS (i), fr);
    }
  return f;
}

/* The same stream as pcapng: libpcap reads it, a reference for the walk. */
static DpPackets *
var_reference (const Fixture *f, gboolean ns, guint n)
{
  g_autoptr (GByteArray) ng = pcapng_file_new (DP_LINK_ETHERNET, ns);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (GByteArray) fr = var_frame (i);
      pcapng_file_add (ng, ns, VAR_TS (i), fr->data, fr->len);
    }
  g_autofree char *path = write_file (f, ns ? "ref-ns.pcapng" : "ref-us.pcapng", ng);
  g_autofree char *yaml = g_strdup_printf ("path: %s", path);
  DpPackets *p = NULL;
  g_autoptr (DpHarness) h = dp_test_run_pcap (yaml, &p);
  g_assert_cmpuint (p->n_rows, ==, n);
  return p;
}

static void
assert_var_stream (const DpPackets *p, guint n, gboolean ns)
{
  g_assert_cmpuint (p->n_rows, ==, n);
  for (guint i = 0; i < n; i++)
    {
      g_assert_cmpint (p->ts[i], ==, ns ? VAR_TS (i) : VAR_TS (i) / 1000 * 1000);
      g_assert_cmpuint (p->sport[i], ==, (guint16) (1000 + i));
      g_assert_cmpuint (p->proto[i], ==, i % 7 == 3 ? 17 : 6);
      if (i % 7 != 3)
        g_assert_cmpuint (p->tcp_seq[i], ==, i);
    }
}

/* Both byte orders, both resolutions, Kuznetzov's headers and the old
 * caplen/len orders read as the same packets as libpcap's pcapng reading. */
static void
test_byte_orders (Fixture *f, gconstpointer data)
{
  (void) data;
  const guint n = 300;
  g_autoptr (DpPackets) ref_us = var_reference (f, FALSE, n);
  g_autoptr (DpPackets) ref_ns = var_reference (f, TRUE, n);
  const CapFormat fmts[] = {
    { FALSE, FALSE, FALSE, 4, FALSE, 65535 }, { TRUE, FALSE, FALSE, 4, FALSE, 65535 },
    { FALSE, TRUE, FALSE, 4, FALSE, 65535 }, { TRUE, TRUE, FALSE, 4, FALSE, 65535 },
    { FALSE, FALSE, TRUE, 4, FALSE, 65535 }, { TRUE, FALSE, TRUE, 4, FALSE, 0 },
    { FALSE, FALSE, FALSE, 2, TRUE, 65535 }, { TRUE, TRUE, FALSE, 3, TRUE, 65535 },
    { FALSE, FALSE, FALSE, 3, FALSE, 65535 },
  };
  for (guint c = 0; c < G_N_ELEMENTS (fmts); c++)
    {
      g_autoptr (GByteArray) cap = var_capture (&fmts[c], n);
      g_autofree char *path = write_file (f, "var.pcap", cap);
      g_autofree char *yaml = g_strdup_printf ("path: %s", path);
      g_autoptr (DpPackets) p = NULL;
      g_autoptr (DpHarness) h = dp_test_run_pcap (yaml, &p);
      g_test_message ("format %u", c);
      assert_var_stream (p, n, fmts[c].ns);
      dp_test_assert_packets_equal (p, fmts[c].ns ? ref_ns : ref_us);
    }
}

/* Fractions of a second are checked; seconds are unsigned in both orders. */
static void
test_timestamps (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autoptr (GByteArray) fr = frame_tcp (1, 2, 3, 2);
  for (int c = 0; c < 4; c++)
    {
      CapFormat fmt = cap_le;
      fmt.be = c & 1;
      fmt.ns = (c & 2) != 0;
      guint32 unit = fmt.ns ? 1000000000u : 1000000u;
      g_autoptr (GByteArray) cap = cap_new (&fmt);
      cap_add_raw (cap, &fmt, 0xffffffffu, unit - 1, fr, fr->len, fr->len);
      cap_add_raw (cap, &fmt, 0x80000000u, 0, fr, fr->len, fr->len);
      cap_add_raw (cap, &fmt, 5, unit, fr, fr->len, fr->len);        /* a whole second */
      cap_add_raw (cap, &fmt, 6, 0xffffffffu, fr, fr->len, fr->len);
      cap_add_raw (cap, &fmt, 7, 1, fr, fr->len, fr->len);
      g_autofree char *path = write_file (f, "ts.pcap", cap);
      g_autofree char *yaml = g_strdup_printf ("path: %s", path);
      g_autoptr (DpPackets) p = NULL;
      g_autoptr (DpHarness) h = dp_test_run_pcap (yaml, &p);
      g_test_message ("case %d", c);
      g_assert_cmpuint (p->n_rows, ==, 3);
      g_assert_cmpint (p->ts[0], ==, DP_TEST_SEC (G_GINT64_CONSTANT (4294967295)) + 999999999
                       - (fmt.ns ? 0 : 999));
      g_assert_cmpint (p->ts[1], ==, DP_TEST_SEC (G_GINT64_CONSTANT (2147483648)));
      g_assert_cmpint (p->ts[2], ==, DP_TEST_SEC (7) + (fmt.ns ? 1 : 1000));
      g_assert_cmpuint (dp_harness_counter (h, "bad-timestamp"), ==, 2);
      g_autofree char *yaml2 = g_strdup_printf ("path: %s\non_error: fail", path);
      g_autoptr (GError) error = run_pcap_error (yaml2);
      g_assert_error (error, DP_DATA_ERROR, DP_DATA_ERROR_MALFORMED);
      g_autofree char *what = g_strdup_printf ("ts.pcap: packet 3 (byte offset %u): timestamp "
                                               "fraction 1000000000 ns", 24 + 2 * 70);
      g_assert_nonnull (strstr (error->message, what));
    }
}

/* Writes @n filler SYNs (sport 1000 + i, seq i) so that the next record
 * starts at byte @at (> 24 + 16 + 54). */
static void
cap_fill_to (GByteArray *cap, const CapFormat *fmt, guint *n, guint at)
{
  while (cap->len < at)
    {
      guint room = at - cap->len - 16;
      guint len = room > 2000 + 70 ? 1500 : room > 1500 + 70 ? room - 70 : room;
      g_autoptr (GByteArray) fr = frame_tcp ((guint16) (1000 + *n), 80, *n, 0x02);
      cap_add_raw (cap, fmt, 1, *n, fr, len, len);
      (*n)++;
    }
  g_assert_cmpuint (cap->len, ==, at);
}

/* The walk reads 1 MiB blocks after the file header: records that start
 * just before the first block's end, in their header or their frame, and
 * a maximal record across it, are read whole, plain and gzip. */
static void
test_block_boundaries (Fixture *f, gconstpointer data)
{
  (void) data;
  const guint end = 24 + (1u << 20);
  const guint before[] = { 0, 1, 8, 15, 16, 17, 70, 1000, 200000 };
  for (guint c = 0; c < G_N_ELEMENTS (before); c++)
    {
      g_autoptr (GByteArray) cap = cap_new (&cap_le);
      guint n = 0;
      cap_fill_to (cap, &cap_le, &n, end - before[c]);
      /* at the boundary: a maximal record, or a short one */
      g_autoptr (GByteArray) fr = frame_tcp ((guint16) (1000 + n), 80, n, 0x02);
      guint len = c % 2 ? 262144 : 54;
      cap_add_raw (cap, &cap_le, 1, n++, fr, len, len);
      for (guint i = 0; i < 50; i++)
        cap_fill_to (cap, &cap_le, &n, cap->len + 16 + 54 + i);
      g_autofree char *plain = write_file (f, "block.pcap", cap);
      g_autofree char *gz = write_gzip (f, "block.pcap.gz", cap);
      const char *paths[] = { plain, gz };
      for (guint k = 0; k < 2; k++)
        {
          g_autofree char *yaml = g_strdup_printf ("path: %s\non_error: fail", paths[k]);
          g_autoptr (DpPackets) p = NULL;
          g_autoptr (DpHarness) h = dp_test_run_pcap (yaml, &p);
          g_test_message ("case %u %s", c, paths[k]);
          g_assert_cmpuint (p->n_rows, ==, n);
          for (guint i = 0; i < n; i++)
            {
              g_assert_cmpuint (p->sport[i], ==, (guint16) (1000 + i));
              g_assert_cmpuint (p->tcp_seq[i], ==, i);
              g_assert_cmpint (p->ts[i], ==, DP_TEST_SEC (1) + 1000 * (gint64) i);
            }
        }
    }
}

/* Runs @path (cut at @cut bytes) and checks that the cut is reported at
 * the start of the record it falls in (@rec_start), after @rows rows. */
static void
assert_cut (const Fixture *f, const GByteArray *cap, guint cut, guint rows, guint rec_start)
{
  g_autoptr (GByteArray) part = g_byte_array_new ();
  g_byte_array_append (part, cap->data, cut);
  g_autofree char *path = write_file (f, "cut.pcap", part);
  g_autofree char *yaml = g_strdup_printf ("path: %s", path);
  g_autoptr (DpPackets) p = NULL;
  g_autoptr (DpHarness) h = dp_test_run_pcap (yaml, &p);
  g_test_message ("cut at %u: record at %u", cut, rec_start);
  g_assert_cmpuint (p->n_rows, ==, rows);
  if (rows > 0)
    g_assert_cmpuint (p->tcp_seq[rows - 1], ==, rows - 1);
  g_assert_cmpuint (dp_harness_counter (h, "truncated-file"), ==, cut != rec_start);
  if (cut == rec_start)
    return;
  g_autofree char *yaml2 = g_strdup_printf ("path: %s\non_error: fail", path);
  g_autoptr (GError) error = run_pcap_error (yaml2);
  g_assert_error (error, DP_DATA_ERROR, DP_DATA_ERROR_TRUNCATED);
  g_autofree char *where = g_strdup_printf ("cut.pcap: stopped at byte %u: truncated", rec_start);
  g_assert_nonnull (strstr (error->message, where));
}

/* A cut anywhere in a record header or frame, before and after the first
 * block's end, keeps the records before it and names where that record
 * starts; a cut between records is a clean end. */
static void
test_truncated_offsets (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autoptr (GByteArray) cap = cap_new (&cap_le);
  guint n = 0, starts[8];
  for (guint i = 0; i < 4; i++)
    {
      starts[n] = cap->len;
      cap_fill_to (cap, &cap_le, &n, cap->len + 16 + 54 + 10 * i);
    }
  for (guint r = 0; r < 4; r += 3)
    for (guint cut = starts[r]; cut < starts[r] + 16 + 54 + 10 * r; cut += cut < starts[r] + 20 ? 1 : 13)
      assert_cut (f, cap, cut, r, starts[r]);
  assert_cut (f, cap, cap->len, 4, cap->len);
  /* past the first block, in a maximal record that straddles its end */
  cap_fill_to (cap, &cap_le, &n, 24 + (1u << 20) - 100);
  guint big = cap->len;
  g_autoptr (GByteArray) fr = frame_tcp ((guint16) (1000 + n), 80, n, 0x02);
  cap_add_raw (cap, &cap_le, 1, n++, fr, 262144, 262144);
  const guint cuts[] = { big + 8, big + 16 + 80, 24 + (1u << 20) + 1, big + 16 + 262143 };
  for (guint i = 0; i < G_N_ELEMENTS (cuts); i++)
    assert_cut (f, cap, cuts[i], n - 1, big);
  assert_cut (f, cap, cap->len, n, cap->len);
}

/* A frame longer than the file's snapshot length is read whole and handed
 * on cut to it, like libpcap does; the records after it keep their exact
 * offsets, and the filter sees the length on the wire. */
static void
test_snapshot (Fixture *f, gconstpointer data)
{
  (void) data;
  CapFormat fmt = cap_le;
  fmt.snaplen = 64;
  g_autoptr (GByteArray) opts = g_byte_array_new ();
  put_ether (opts, 0x0800);
  put_ip (opts, 6, 20, 20, 0);                  /* TCP header ends at 74: past the snapshot */
  put_tcp (opts, 5, 6, 7, 2);
  g_autoptr (GByteArray) syn = frame_tcp (7, 80, 9, 2);
  g_autoptr (GByteArray) bad = frame_tcp (8, 80, 9, 2);
  bad->data[14] = 0x65;
  g_autoptr (GByteArray) cap = cap_new (&fmt);
  cap_add_raw (cap, &fmt, 1, 0, opts, opts->len, opts->len);
  cap_add_raw (cap, &fmt, 2, 0, syn, syn->len, 1500);
  cap_add_raw (cap, &fmt, 3, 0, bad, bad->len, bad->len);
  g_autofree char *path = write_file (f, "snap.pcap", cap);
  g_autofree char *yaml = g_strdup_printf ("path: %s", path);
  g_autoptr (DpPackets) p = NULL;
  g_autoptr (DpHarness) h = dp_test_run_pcap (yaml, &p);
  g_assert_cmpuint (p->n_rows, ==, 2);
  g_assert_cmpuint (p->l4[0], ==, 0);
  g_assert_cmphex (p->src[0], ==, FRAME_SRC);
  g_assert_cmpuint (p->ip_len[0], ==, 60);
  g_assert_cmpuint (p->sport[1], ==, 7);
  g_assert_cmpuint (p->tcp_seq[1], ==, 9);
  g_assert_cmpuint (dp_harness_counter (h, "l4-short"), ==, 1);
  g_autofree char *yaml2 = g_strdup_printf ("path: %s\non_error: fail", path);
  g_autoptr (GError) error = run_pcap_error (yaml2);
  g_autofree char *where = g_strdup_printf ("snap.pcap: byte %u: invalid IP header (54 bytes",
                                            24 + 16 + 74 + 16 + 54);
  g_assert_nonnull (strstr (error->message, where));
  g_autofree char *yaml3 = g_strdup_printf ("path: %s\nfilter: greater 1000", path);
  g_autoptr (DpPackets) q = NULL;
  g_autoptr (DpHarness) h3 = dp_test_run_pcap (yaml3, &q);
  g_assert_cmpuint (q->n_rows, ==, 1);
  g_assert_cmpuint (q->sport[0], ==, 7);
}

/* Capture lengths up to 262144 are read (cut to the snapshot length);
 * past it the file is bad from that record on. */
static void
test_caplen_limit (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autoptr (GByteArray) syn = frame_tcp (7, 80, 9, 2);
  for (guint32 snaplen = 0; snaplen <= 65535; snaplen += 65535)
    {
      CapFormat fmt = cap_le;
      fmt.snaplen = snaplen;        /* 0: libpcap takes 262144 */
      g_autoptr (GByteArray) cap = cap_new (&fmt);
      cap_add_raw (cap, &fmt, 1, 0, syn, 262144, 262144);
      cap_add_raw (cap, &fmt, 2, 0, syn, 70000, 70000);
      guint at = cap->len;
      cap_add_raw (cap, &fmt, 3, 0, syn, 262145, 262145);
      cap_add_raw (cap, &fmt, 4, 0, syn, syn->len, syn->len);
      g_autofree char *path = write_file (f, "long.pcap", cap);
      g_autofree char *yaml = g_strdup_printf ("path: %s", path);
      g_autoptr (DpPackets) p = NULL;
      g_autoptr (DpHarness) h = dp_test_run_pcap (yaml, &p);
      g_assert_cmpuint (p->n_rows, ==, 2);
      g_assert_cmpint (p->ts[1], ==, DP_TEST_SEC (2));
      g_assert_cmpuint (dp_harness_counter (h, "bad-file"), ==, 1);
      g_autofree char *yaml2 = g_strdup_printf ("path: %s\non_error: fail", path);
      g_autoptr (GError) error = run_pcap_error (yaml2);
      g_assert_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT);
      g_autofree char *where = g_strdup_printf ("long.pcap: stopped at byte %u: invalid packet "
                                                "capture length 262145", at);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, where));
    }
}

/* ------------------------------------------------------------------ */
/* real captures */

static void
test_real_counts (void)
{
  for (guint c = 0; c < DP_TEST_N_REAL_CASES; c++)
    {
      const DpTestRealCase *rc = &dp_test_real_cases[c];
      g_autoptr (DpPackets) p = dp_test_read_real (rc->file);
      if (p == NULL)
        return;
      guint syn = 0, rst = 0, tcp = 0, udp = 0, icmp = 0;
      for (guint i = 0; i < p->n_rows; i++)
        {
          syn += p->proto[i] == 6 && p->tcp_flags[i] == 0x02;
          rst += p->proto[i] == 6 && (p->tcp_flags[i] & 0x04);
          tcp += p->proto[i] == 6 && p->l4[i] == (DP_L4_PORTS | DP_L4_TCP);
          udp += p->proto[i] == 17 && p->l4[i] == DP_L4_PORTS;
          icmp += p->proto[i] == 1 && p->l4[i] == DP_L4_ICMP;
          if (i > 0)
            g_assert_cmpint (p->ts[i - 1], <=, p->ts[i]);
        }
      g_test_message ("%s", rc->file);
      g_assert_cmpuint (p->n_rows, ==, rc->rows);
      g_assert_cmpuint (syn, ==, rc->syn);
      g_assert_cmpuint (rst, ==, rc->rst);
      g_assert_cmpuint (tcp, ==, rc->tcp);
      g_assert_cmpuint (udp, ==, rc->udp);
      g_assert_cmpuint (icmp, ==, rc->icmp);
    }
}

/* ------------------------------------------------------------------ */
/* tshark as the reference */

static void
test_real_tshark (void)
{
  for (guint c = 0; c < DP_TEST_N_REAL_CASES; c++)
    {
      g_autoptr (DpPackets) p = dp_test_read_real (dp_test_real_cases[c].file);
      if (p == NULL)
        return;
      g_autofree char *rel = g_build_filename ("data/real/pcap", dp_test_real_cases[c].file, NULL);
      g_autofree char *path = dp_test_shared (rel);
      g_autoptr (GPtrArray) rows = dp_test_tshark_rows (path);
      if (rows == NULL)
        return;
      g_test_message ("%s", dp_test_real_cases[c].file);
      g_assert_cmpuint (rows->len, ==, p->n_rows);
      for (guint i = 0; i < p->n_rows; i++)
        dp_test_assert_tshark_row (p, i, rows->pdata[i]);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, dp_test_dir_setup, fn, dp_test_dir_teardown)
  ADD ("/plugin/pcap/defaults", test_defaults);
  ADD ("/plugin/pcap/batch-rows", test_batch_rows);
  ADD ("/plugin/pcap/bad-options", test_bad_options);
  ADD ("/plugin/pcap/link-types", test_link_types);
  ADD ("/plugin/pcap/unsupported-link", test_unsupported_link);
  ADD ("/plugin/pcap/pcapng", test_pcapng);
  ADD ("/plugin/pcap/pcapng-bad-packet", test_pcapng_bad_packet);
  ADD ("/plugin/pcap/pcapng-interfaces", test_pcapng_interfaces);
  ADD ("/plugin/pcap/pcapng-sections", test_pcapng_sections);
  ADD ("/plugin/pcap/pcapng-unsupported", test_pcapng_unsupported);
  ADD ("/plugin/pcap/pcapng-truncated", test_pcapng_truncated);
  ADD ("/plugin/pcap/fifo", test_fifo);
  ADD ("/plugin/pcap/gzip", test_gzip);
  ADD ("/plugin/pcap/truncated", test_truncated);
  ADD ("/plugin/pcap/garbage", test_garbage);
  ADD ("/plugin/pcap/corrupt-record", test_corrupt_record);
  ADD ("/plugin/pcap/empty", test_empty);
  ADD ("/plugin/pcap/mixed", test_mixed);
  ADD ("/plugin/pcap/order-and-glob", test_order_and_glob);
  ADD ("/plugin/pcap/merge", test_merge);
  ADD ("/plugin/pcap/filter", test_filter);
  ADD ("/plugin/pcap/cancel", test_cancel);
  ADD ("/plugin/pcap/pipeline", test_pipeline);
  ADD ("/plugin/pcap/byte-orders", test_byte_orders);
  ADD ("/plugin/pcap/timestamps", test_timestamps);
  ADD ("/plugin/pcap/block-boundaries", test_block_boundaries);
  ADD ("/plugin/pcap/truncated-offsets", test_truncated_offsets);
  ADD ("/plugin/pcap/snapshot", test_snapshot);
  ADD ("/plugin/pcap/caplen-limit", test_caplen_limit);
  g_test_add_func ("/plugin/pcap/real-counts", test_real_counts);
  g_test_add_func ("/plugin/pcap/real-tshark", test_real_tshark);
#undef ADD
  return g_test_run ();
}
