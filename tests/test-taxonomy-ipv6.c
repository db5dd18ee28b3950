/* test-taxonomy-ipv6.c — the taxonomy on IPv6 sources: the same decisions
 * as for IPv4 on the same traffic at every rule boundary (a workload that
 * straddles them, in both compat modes), the ICMPv6 rules, no IPv4
 * fingerprints, prefix aggregation, and RFC 5952 text in the tables. */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "dp-test.h"
#include "pcap-frames.h"

#define T0 G_GINT64_CONSTANT (1599998400)
#define MS(ms) (DP_TEST_SEC (T0) + (gint64) (ms) * 1000000)

static const char *const modes[] = { "paper", "reference" };

/* 2001:db8::/96 with the IPv4 address in the low 32 bits. */
static guint32
key6 (DpNameMap *m, guint32 a)
{
  if (a == 0)
    return 0;   /* "not part of the key" stays 0 */
  guint8 b[16] = { 0x20, 0x01, 0x0d, 0xb8 };
  b[12] = (guint8) (a >> 24); b[13] = (guint8) (a >> 16); b[14] = (guint8) (a >> 8); b[15] = (guint8) a;
  guint32 k;
  g_assert_true (dp_name_map_intern_ip6 (m, b, 128, &k));
  return k;
}

/* ICMP type/code as IPv6 says the same thing. */
static void
icmp6_of (guint8 *t, guint8 *c)
{
  switch (*t)
    {
    case 8: *t = 128; break;            /* echo request */
    case 0: *t = 129; break;            /* echo reply */
    case 3: *t = 1; break;              /* destination unreachable */
    case 11: *t = 3; break;             /* time exceeded: code 0 hop limit, 1 reassembly */
    default: *t = (guint8) (150 + *t % 50); *c = 0; break;   /* informational, no rule */
    }
}

/* The same packets from and to IPv6 addresses. */
static DpPackets *
packets_v6 (const DpPackets *p, DpNameMap *m)
{
  DpPackets *q = dp_packets_slice (p, 0, p->n_rows);
  dp_packets_set_names (q, m);
  for (guint i = 0; i < q->n_rows; i++)
    {
      q->src[i] = key6 (m, p->src[i]);
      q->dst[i] = key6 (m, p->dst[i]);
      if (q->proto[i] == 1)
        {
          q->proto[i] = 58;
          icmp6_of (&q->icmp_type[i], &q->icmp_code[i]);
        }
    }
  return q;
}

static int
cmp_str (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* Every row of every table a port pushed, as sorted text, addresses as
 * their IPv4 bits and ICMPv6 as ICMP; fingerprint columns left out. */
static GPtrArray *
tables_text (DpHarness *h, guint port, gboolean v6)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *outs = dp_harness_outputs (h, port);
  for (guint k = 0; k < outs->len; k++)
    {
      const DpTable *t = g_ptr_array_index (outs, k);
      for (guint r = 0; r < t->n_rows; r++)
        {
          GString *s = g_string_new (NULL);
          for (guint c = 0; c < t->n_cols; c++)
            {
              const DpColumn *col = &t->cols[c];
              if (strcmp (col->name, "mirai") == 0 || strcmp (col->name, "zmap") == 0
                  || strcmp (col->name, "masscan") == 0 || strcmp (col->name, "zmap41") == 0
                  || strcmp (col->name, "tool") == 0)
                continue;
              if (col->type == DP_COL_IPV4)
                {
                  guint32 a = col->ip[r];
                  if (v6 && a != 0)
                    {
                      const guint8 *b = dp_name_map_lookup_ip6 (t->names, a, NULL);
                      g_assert_nonnull (b);
                      g_assert_cmphex (b[0] << 8 | b[1], ==, 0x2001);
                      a = (guint32) b[12] << 24 | (guint32) b[13] << 16 | (guint32) b[14] << 8 | b[15];
                    }
                  g_string_append_printf (s, "%s=%08x ", col->name, a);
                }
              else if (strcmp (col->name, "proto") == 0 && v6 && col->i64[r] == 58)
                g_string_append_printf (s, "proto=1 ");
              else if (strcmp (col->name, "targets") == 0)
                {
                  /* IPv6 destinations sort by key, not as the IPv4 ones: their number */
                  g_auto (GStrv) items = col->str[r] ? g_strsplit (col->str[r], ",", -1) : NULL;
                  g_string_append_printf (s, "targets=%u ", items ? g_strv_length (items) : 0);
                }
              else if (strcmp (col->name, "proto_name") == 0 && v6 && g_strcmp0 (col->str[r], "icmpv6") == 0)
                g_string_append_printf (s, "proto_name=icmp ");
              else
                {
                  g_string_append_printf (s, "%s=", col->name);
                  dp_table_format_cell (t, c, r, s);
                  g_string_append_c (s, ' ');
                }
            }
          g_ptr_array_add (rows, g_string_free (s, FALSE));
        }
    }
  g_ptr_array_sort (rows, cmp_str);
  return rows;
}

static int
cmp_ts (gconstpointer a, gconstpointer b)
{
  const gint64 *x = a, *y = b;
  return *x < *y ? -1 : *x > *y;
}

/* Sources whose traffic straddles every threshold: port and network scans
 * with N-1..N+1 ports or destinations and averages around M, one-flow
 * around N3, the scan flags and backscatter flags, ICMP echo sweeps and
 * errors, fragments, other protocols, over two windows. */
static DpPackets *
workload (guint32 seed)
{
  GRand *rand = g_rand_new_with_seed (seed);
  static const guint8 flags[] = { 0x02, 0x02, 0x12, 0x10, 0x04, 0x14, 0x01, 0x00, 0x29, 0xc2 };
  static const guint8 icmp[][2] = { { 8, 0 }, { 8, 0 }, { 0, 0 }, { 3, 1 }, { 3, 3 }, { 11, 0 }, { 11, 1 }, { 13, 0 } };
  GArray *rows = g_array_new (FALSE, FALSE, sizeof (gint64) * 2);
  DpPackets *tmp = dp_packets_new (4096);
  for (guint s = 0; s < 300; s++)
    {
      guint32 src = DP_TEST_IP (198, 18, s >> 8, s & 0xff);
      guint kind = (guint) g_rand_int_range (rand, 0, 6);
      guint n_dst = (guint) g_rand_int_range (rand, 1, 8);
      guint n_port = (guint) g_rand_int_range (rand, 1, 8);
      guint n_pkt = n_dst * n_port * (guint) g_rand_int_range (rand, 1, 5) + (guint) g_rand_int_range (rand, 0, 3);
      if (kind == 5)
        n_pkt = (guint) g_rand_int_range (rand, 13, 18);   /* around N3 */
      gint64 t0 = g_rand_int_range (rand, 0, 7000) * G_GINT64_CONSTANT (1000);
      guint8 proto = kind == 0 || kind == 5 ? 6 : kind == 1 ? 17 : kind == 2 ? 1 : kind == 3 ? 6 : 47;
      guint8 fl = flags[g_rand_int_range (rand, 0, G_N_ELEMENTS (flags))];
      for (guint i = 0; i < n_pkt; i++)
        {
          guint32 dst = DP_TEST_IP (10, 0, 0, 1 + (kind == 5 ? 0 : i % n_dst));
          guint16 dport = (guint16) (kind == 5 ? 443 : 1000 + (i / n_dst) % n_port);
          gint64 ts = MS (t0 + (gint64) i * 900);
          guint r;
          if (proto == 1)
            {
              guint j = (guint) g_rand_int_range (rand, 0, G_N_ELEMENTS (icmp));
              r = dp_test_add_packet (tmp, ts, src, dst, 1, icmp[j][0], icmp[j][1], 0);
            }
          else
            {
              guint16 sport = proto == 17 && g_rand_int_range (rand, 0, 4) == 0 ? 53 : 40000;
              r = dp_test_add_packet (tmp, ts, src, dst, proto, sport, dport,
                                      kind == 3 ? flags[i % G_N_ELEMENTS (flags)] : fl);
            }
          if (kind == 3 && i % 5 == 4)
            {
              /* a non-first fragment: no L4 header */
              tmp->frag[r] = 185;
              tmp->l4[r] = 0;
              tmp->sport[r] = tmp->dport[r] = 0;
              tmp->tcp_flags[r] = 0;
            }
          tmp->ip_id[r] = (guint16) g_rand_int (rand);
          tmp->tcp_seq[r] = g_rand_int (rand);
          gint64 key[2] = { ts, r };
          g_array_append_val (rows, key);
        }
    }
  g_array_sort (rows, cmp_ts);
  DpPackets *p = dp_packets_new (rows->len);
  for (guint i = 0; i < rows->len; i++)
    {
      guint r = (guint) ((gint64 *) rows->data)[2 * i + 1];
      g_autoptr (DpPackets) one = dp_packets_slice (tmp, r, 1);
      guint o = dp_packets_append (p);
#define COPY(c) p->c[o] = one->c[0];
      DP_PACKET_COLUMNS (COPY)
#undef COPY
    }
  g_array_unref (rows);
  dp_batch_unref (tmp);
  g_rand_free (rand);
  return p;
}

static void
test_same_as_ipv4 (void)
{
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint seed = 1; seed <= 4; seed++)
    for (guint m = 0; m < G_N_ELEMENTS (modes); m++)
      {
        g_autoptr (DpPackets) p4 = workload (seed);
        g_autoptr (DpNameMap) names = dp_name_map_new ();
        g_autoptr (DpPackets) p6 = packets_v6 (p4, names);
        g_autofree char *opts = g_strdup_printf ("compat: %s", modes[m]);
        g_autoptr (DpHarness) h4 = dp_test_run ("taxonomy", opts, p4, NULL);
        g_autoptr (DpHarness) h6 = dp_test_run ("taxonomy", opts, p6, NULL);
        guint n_rows = 0;
        for (guint port = 0; port < 3; port++)
          {
            g_autoptr (GPtrArray) a = tables_text (h4, port, FALSE);
            g_autoptr (GPtrArray) b = tables_text (h6, port, TRUE);
            g_test_message ("seed %u %s port %u: %u rows", seed, modes[m], port, a->len);
            g_assert_cmpuint (a->len, ==, b->len);
            for (guint i = 0; i < a->len; i++)
              g_assert_cmpstr (g_ptr_array_index (a, i), ==, g_ptr_array_index (b, i));
            n_rows += a->len;
          }
        g_assert_cmpuint (n_rows, >, 300);
        GPtrArray *sum = dp_harness_outputs (h4, 2);
        for (guint k = 0; k < sum->len; k++)
          {
            const DpTable *t = g_ptr_array_index (sum, k);
            gint cp = dp_table_find_column (t, "pattern");
            for (guint r = 0; r < t->n_rows; r++)
              g_hash_table_add (seen, g_strdup (t->cols[cp].str[r]));
          }
      }
  /* the workload reaches every pattern */
  g_autoptr (GList) names = g_hash_table_get_keys (seen);
  for (GList *l = names; l; l = l->next)
    g_test_message ("pattern seen: %s", (const char *) l->data);
  g_hash_table_remove (seen, "all");
  g_assert_cmpuint (g_hash_table_size (seen), ==, 23);
}

static gint64
label (DpHarness *h, guint32 src, const char *pattern)
{
  DpTable *t = dp_harness_output (h, "sources");
  gint cs = dp_table_find_column (t, "src"), cp = dp_table_find_column (t, pattern);
  g_assert_cmpint (cp, >=, 0);
  for (guint r = 0; r < t->n_rows; r++)
    if (t->cols[cs].ip[r] == src)
      return t->cols[cp].i64[r];
  g_error ("no source %08x", src);
}

/* Rules of ICMPv6 that have no IPv4 twin in the workload: packet too big
 * is backscatter, parameter problem is not; echo sweeps at N1. */
static void
test_icmp6 (void)
{
  g_autoptr (DpNameMap) m = dp_name_map_new ();
  g_autoptr (DpPackets) p = dp_packets_new (64);
  dp_packets_set_names (p, m);
  guint32 ptb = key6 (m, 1), pp = key6 (m, 2), sweep4 = key6 (m, 3), sweep5 = key6 (m, 4);
  guint r = dp_test_add_packet (p, MS (0), ptb, key6 (m, 100), 1, 0, 0, 0);
  p->proto[r] = 58; p->icmp_type[r] = 2;
  r = dp_test_add_packet (p, MS (1), pp, key6 (m, 100), 1, 0, 0, 0);
  p->proto[r] = 58; p->icmp_type[r] = 4;
  for (guint i = 0; i < 9; i++)
    {
      r = dp_test_add_packet (p, MS (2 + i), i < 4 ? sweep4 : sweep5, key6 (m, 200 + i % (i < 4 ? 4 : 5)), 1, 0, 0, 0);
      p->proto[r] = 58; p->icmp_type[r] = 128;
    }
  g_autoptr (DpHarness) h = dp_test_run ("taxonomy", NULL, p, NULL);
  g_assert_cmpint (label (h, ptb, "backscatter_icmp"), ==, 1);
  g_assert_cmpint (label (h, pp, "backscatter_icmp"), ==, 0);
  g_assert_cmpint (label (h, pp, "other_icmp"), ==, 1);
  g_assert_cmpint (label (h, sweep4, "small_ping"), ==, 1);
  g_assert_cmpint (label (h, sweep4, "net_scan_icmp_light"), ==, 0);
  g_assert_cmpint (label (h, sweep5, "net_scan_icmp_light"), ==, 1);
  /* their events say ICMPv6 */
  DpTable *ev = dp_harness_output (h, "events");
  gint cproto = dp_table_find_column (ev, "proto");
  g_assert_cmpuint (ev->n_rows, >=, 4);
  for (guint i = 0; i < ev->n_rows; i++)
    g_assert_cmpint (ev->cols[cproto].i64[i], ==, 58);
}

/* The fingerprints are IPv4 rules (ZMap 4.1's traits were read from its
 * IPv4 SYN module); an IPv6 SYN matching them by accident of its numbers,
 * or built like a ZMap 4.1 IPv4 SYN, counts for none. */
static void
test_no_ipv4_fingerprints (void)
{
  g_autoptr (DpNameMap) m = dp_name_map_new ();
  g_autoptr (DpPackets) p = dp_packets_new (16);
  dp_packets_set_names (p, m);
  guint32 s = key6 (m, 1), d = key6 (m, 2);
  guint r = dp_test_add_packet (p, MS (0), s, d, 6, 40000, 23, 0x02);
  p->tcp_seq[r] = d;                           /* Mirai: seq = destination */
  p->ip_id[r] = 54321;                         /* zmap */
  r = dp_test_add_packet (p, MS (1), s, d, 6, 40000, 24, 0x02);
  p->ip_id[r] = (guint16) ((d ^ 24u ^ 7u) & 0xffff);   /* masscan */
  p->tcp_seq[r] = 7;
  r = dp_test_add_packet (p, MS (2), s, d, 6, 40000, 25, 0x02);
  p->tcp_win[r] = 65535;                       /* zmap41 */
  p->tcp_optlen[r] = 12;
  p->ip_id[r] = 1;
  g_autoptr (DpHarness) h = dp_test_run ("taxonomy", NULL, p, NULL);
  g_assert_cmpint (label (h, s, "mirai"), ==, 0);
  g_assert_cmpint (label (h, s, "zmap"), ==, 0);
  g_assert_cmpint (label (h, s, "masscan"), ==, 0);
  g_assert_cmpint (label (h, s, "zmap41"), ==, 0);
}

/* Three addresses of one /64, each probing two ports: three small sources,
 * or with ipv6_prefix: 64 one port scan named by its prefix. */
static void
test_prefix (void)
{
  g_autoptr (DpNameMap) m = dp_name_map_new ();
  g_autoptr (DpPackets) p = dp_packets_new (16);
  dp_packets_set_names (p, m);
  guint8 a[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 2 };
  guint32 dst = key6 (m, 9);
  for (guint i = 0; i < 6; i++)
    {
      a[15] = (guint8) (1 + i / 2);
      guint32 k;
      g_assert_true (dp_name_map_intern_ip6 (m, a, 128, &k));
      dp_test_add_packet (p, MS (i), k, dst, 6, 40000, (guint16) (80 + i), 0x02);
    }
  g_autoptr (DpHarness) h = dp_test_run ("taxonomy", NULL, p, NULL);
  DpTable *t = dp_harness_output (h, "sources");
  g_assert_cmpuint (t->n_rows, ==, 3);
  g_autoptr (DpHarness) h64 = dp_test_run ("taxonomy", "ipv6_prefix: 64\nn2: 6", p, NULL);
  t = dp_harness_output (h64, "sources");
  g_assert_cmpuint (t->n_rows, ==, 1);
  gint cs = dp_table_find_column (t, "src");
  g_autoptr (GString) s = g_string_new (NULL);
  dp_table_format_cell (t, (guint) cs, 0, s);
  g_assert_cmpstr (s->str, ==, "2001:db8:1:2::/64");
  g_assert_cmpint (label (h64, t->cols[cs].ip[0], "port_scan_tcp_light"), ==, 1);
  g_assert_cmpint (label (h64, t->cols[cs].ip[0], "packets"), ==, 6);
}

/* A capture with IPv6 frames through pcap and the taxonomy: tables name
 * the sources in RFC 5952 text. */
static void
test_from_capture (void)
{
  g_autoptr (GByteArray) cap = pcap_file_new (DP_LINK_ETHERNET, FALSE);
  for (guint i = 0; i < 6; i++)
    {
      g_autoptr (GByteArray) b = g_byte_array_new ();
      put_ether (b, 0x86dd);
      put_ip6 (b, 6, 20);
      put_tcp (b, 40000, (guint16) (1000 + i), 1, 0x02);
      pcap_file_add (cap, FALSE, DP_TEST_SEC (T0 + i), b->data, b->len);
    }
  g_autofree char *dir = dp_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "v6.pcap", NULL);
  g_assert_true (g_file_set_contents (path, (const char *) cap->data, cap->len, NULL));
  g_autofree char *yaml = g_strdup_printf ("path: %s", path);
  g_autoptr (DpHarness) src = dp_test_harness ("pcap", yaml);
  g_autoptr (GError) err = NULL;
  g_assert_true (dp_harness_run (src, &err));
  g_assert_no_error (err);
  GPtrArray *outs = dp_harness_outputs (src, 0);
  g_assert_cmpuint (outs->len, ==, 1);
  g_autoptr (DpHarness) h = dp_test_run ("taxonomy", NULL, g_ptr_array_index (outs, 0), NULL);
  DpTable *t = dp_harness_output (h, "sources");
  g_assert_cmpuint (t->n_rows, ==, 1);
  g_autoptr (GString) s = g_string_new (NULL);
  dp_table_format_cell (t, (guint) dp_table_find_column (t, "src"), 0, s);
  g_assert_cmpstr (s->str, ==, FRAME6_SRC_TEXT);
  g_assert_cmpint (label (h, t->cols[dp_table_find_column (t, "src")].ip[0], "port_scan_tcp_light"), ==, 1);
  g_unlink (path);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/plugin/taxonomy/ipv6/same-as-ipv4", test_same_as_ipv4);
  g_test_add_func ("/plugin/taxonomy/ipv6/icmp6", test_icmp6);
  g_test_add_func ("/plugin/taxonomy/ipv6/no-ipv4-fingerprints", test_no_ipv4_fingerprints);
  g_test_add_func ("/plugin/taxonomy/ipv6/prefix", test_prefix);
  g_test_add_func ("/plugin/taxonomy/ipv6/from-capture", test_from_capture);
  return g_test_run ();
}
