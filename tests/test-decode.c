/* test-decode.c — dp_decode_frame() on hand-built frames of every link type. */
#include "config.h"

#include <string.h>
#include "dp-test.h"
#include "pcap-frames.h"


/* Decodes a copy of exactly @len bytes, so a sanitizer catches any read
 * past the end. */
static DpDecodeResult
decode (int link, const guint8 *data, guint len, DpPackets *p, gboolean *l4_short)
{
  guint8 *copy = g_memdup2 (data, len);
  DpDecodeResult r = dp_decode_frame (link, copy, len, 77, p, l4_short);
  g_free (copy);
  return r;
}

static void
assert_tcp_row (const DpPackets *p, guint i)
{
  g_assert_cmpint (p->ts[i], ==, 77);
  g_assert_cmphex (p->src[i], ==, FRAME_SRC);
  g_assert_cmphex (p->dst[i], ==, FRAME_DST);
  g_assert_cmpuint (p->proto[i], ==, 6);
  g_assert_cmpuint (p->sport[i], ==, 40000);
  g_assert_cmpuint (p->dport[i], ==, 443);
  g_assert_cmphex (p->tcp_seq[i], ==, 0xdeadbeef);
  g_assert_cmphex (p->tcp_flags[i], ==, 0x02);
  g_assert_cmphex (p->ip_id[i], ==, 0x1234);
  g_assert_cmpuint (p->ttl[i], ==, 57);
  g_assert_cmpuint (p->ip_len[i], ==, 40);
  g_assert_cmpuint (p->frag[i], ==, 0);
  g_assert_cmpuint (p->l4[i], ==, DP_L4_PORTS | DP_L4_TCP);
  g_assert_cmpuint (p->tcp_win[i], ==, 1024);     /* put_tcp's window, no options */
  g_assert_cmpuint (p->tcp_optlen[i], ==, 0);
}

/* ------------------------------------------------------------------ */

static void
test_ethernet_tcp (void)
{
  g_autoptr (GByteArray) b = frame_tcp (40000, 443, 0xdeadbeef, 0x02);
  g_autoptr (DpPackets) p = dp_packets_new (4);
  gboolean l4s = TRUE;
  g_assert_cmpint (decode (DP_LINK_ETHERNET, b->data, b->len, p, &l4s), ==, DP_DECODE_OK);
  g_assert_false (l4s);
  g_assert_cmpuint (p->n_rows, ==, 1);
  assert_tcp_row (p, 0);
}

/* 802.1Q, QinQ (0x88a8 outer) and the old 0x9100 tag, up to three deep. */
static void
test_vlan (void)
{
  const guint16 stacks[][3] = {
    { 0x8100, 0, 0 }, { 0x88a8, 0x8100, 0 }, { 0x9100, 0x8100, 0 }, { 0x88a8, 0x8100, 0x8100 },
  };
  for (guint s = 0; s < G_N_ELEMENTS (stacks); s++)
    {
      g_autoptr (GByteArray) b = g_byte_array_new ();
      put_ether (b, stacks[s][0]);
      for (guint t = 0; t < 3 && stacks[s][t]; t++)
        {
          put16 (b, (guint16) (100 + t));          /* TCI */
          put16 (b, t + 1 < 3 && stacks[s][t + 1] ? stacks[s][t + 1] : 0x0800);
        }
      put_ip (b, 6, 0, 20, 0);
      put_tcp (b, 40000, 443, 0xdeadbeef, 0x02);
      g_autoptr (DpPackets) p = dp_packets_new (4);
      gboolean l4s;
      g_assert_cmpint (decode (DP_LINK_ETHERNET, b->data, b->len, p, &l4s), ==, DP_DECODE_OK);
      assert_tcp_row (p, 0);
      /* a tag cut in the middle is a short frame */
      g_assert_cmpint (decode (DP_LINK_ETHERNET, b->data, 16, p, &l4s), ==, DP_DECODE_SHORT);
      g_assert_cmpuint (p->n_rows, ==, 1);
    }
}

static GByteArray *
ip_tcp_with_link (const guint8 *link, guint link_len)
{
  GByteArray *b = g_byte_array_new ();
  g_byte_array_append (b, link, link_len);
  put_ip (b, 6, 0, 20, 0);
  put_tcp (b, 40000, 443, 0xdeadbeef, 0x02);
  return b;
}

static void
test_links (void)
{
  static const guint8 sll[16] = { 0, 0, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, 0x08, 0x00 };
  static const guint8 sll2[20] = { 0x08, 0x00, 0, 0, 0, 0, 0, 2, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0 };
  static const guint8 null_le[4] = { 2, 0, 0, 0 }, null_be[4] = { 0, 0, 0, 2 };
  struct { int link; const guint8 *hdr; guint len; } cases[] = {
    { DP_LINK_RAW, NULL, 0 }, { DP_LINK_RAW_DLT, NULL, 0 }, { DP_LINK_RAW_DLT2, NULL, 0 },
    { DP_LINK_IPV4, NULL, 0 }, { DP_LINK_SLL, sll, 16 }, { DP_LINK_SLL2, sll2, 20 },
    { DP_LINK_NULL, null_le, 4 }, { DP_LINK_NULL, null_be, 4 },
    { DP_LINK_LOOP, null_be, 4 }, { DP_LINK_LOOP, null_le, 4 },
  };
  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr (GByteArray) b = ip_tcp_with_link (cases[c].hdr, cases[c].len);
      g_autoptr (DpPackets) p = dp_packets_new (4);
      gboolean l4s;
      g_test_message ("link %d case %u", cases[c].link, c);
      g_assert_cmpint (decode (cases[c].link, b->data, b->len, p, &l4s), ==, DP_DECODE_OK);
      g_assert_cmpuint (p->n_rows, ==, 1);
      assert_tcp_row (p, 0);
      if (cases[c].len > 0)
        g_assert_cmpint (decode (cases[c].link, b->data, cases[c].len - 1, p, &l4s), ==, DP_DECODE_SHORT);
    }
}

static void
test_not_ip (void)
{
  g_autoptr (DpPackets) p = dp_packets_new (4);
  gboolean l4s;
  g_autoptr (GByteArray) arp = g_byte_array_new ();
  put_ether (arp, 0x0806);
  put_zeros (arp, 28);
  g_assert_cmpint (decode (DP_LINK_ETHERNET, arp->data, arp->len, p, &l4s), ==, DP_DECODE_NOT_IP);
  guint8 sll2_arp[60] = { 0x08, 0x06 };
  g_assert_cmpint (decode (DP_LINK_SLL2, sll2_arp, 60, p, &l4s), ==, DP_DECODE_NOT_IP);
  guint8 null_ipx[44] = { 23, 0, 0, 0, 0x60 };   /* AF_IPX-ish: neither family */
  g_assert_cmpint (decode (DP_LINK_NULL, null_ipx, 44, p, &l4s), ==, DP_DECODE_NOT_IP);
  g_assert_cmpuint (p->n_rows, ==, 0);
  guint8 v6[60] = { 0x60 };
  g_assert_cmpint (decode (147, v6, 60, p, &l4s), ==, DP_DECODE_UNSUPPORTED_LINK);
  g_assert_cmpint (dp_decode_frame (147, NULL, 0, 0, NULL, NULL), ==, DP_DECODE_UNSUPPORTED_LINK);
  g_assert_null (p->names);
}

/* ------------------------------------------------------------------ */
/* IPv6 */

static DpDecodeResult
decode6 (int link, guint flags, const guint8 *data, guint len, DpPackets *p, gboolean *l4_short)
{
  guint8 *copy = g_memdup2 (data, len);
  DpDecodeResult r = dp_decode_frame_flags (link, flags, copy, len, 77, p, l4_short);
  g_free (copy);
  return r;
}

static const char *
addr_text (const DpPackets *p, guint32 key)
{
  static char buf[64];
  return dp_ipv4_format (key, p->names, buf);
}

static void
assert_tcp6_row (const DpPackets *p, guint i)
{
  g_assert_cmpint (p->ts[i], ==, 77);
  g_assert_cmpstr (addr_text (p, p->src[i]), ==, FRAME6_SRC_TEXT);
  g_assert_cmpstr (addr_text (p, p->dst[i]), ==, FRAME6_DST_TEXT);
  g_assert_cmpuint (p->proto[i], ==, 6);
  g_assert_cmpuint (p->sport[i], ==, 40000);
  g_assert_cmpuint (p->dport[i], ==, 443);
  g_assert_cmphex (p->tcp_seq[i], ==, 0xdeadbeef);
  g_assert_cmphex (p->tcp_flags[i], ==, 0x02);
  g_assert_cmpuint (p->ip_id[i], ==, 0);
  g_assert_cmpuint (p->ttl[i], ==, 61);
  g_assert_cmpuint (p->frag[i], ==, 0);
  g_assert_cmpuint (p->l4[i], ==, DP_L4_PORTS | DP_L4_TCP);
  g_assert_cmpuint (p->tcp_win[i], ==, 1024);
  g_assert_cmpuint (p->tcp_optlen[i], ==, 0);
  guint plen;
  const guint8 *a = dp_name_map_lookup_ip6 (p->names, p->src[i], &plen);
  g_assert_nonnull (a);
  g_assert_cmpmem (a, 16, frame6_src, 16);
  g_assert_cmpuint (plen, ==, 128);
}

/* IPv6 + TCP SYN on every link type that carries it. */
static void
test_ipv6_links (void)
{
  g_autoptr (GByteArray) ip = g_byte_array_new ();
  put_ip6 (ip, 6, 20);
  put_tcp (ip, 40000, 443, 0xdeadbeef, 0x02);
  struct { int link; guint8 head[20]; guint n; } cases[] = {
    { DP_LINK_RAW, { 0 }, 0 },
    { DP_LINK_RAW_DLT, { 0 }, 0 },
    { DP_LINK_IPV4, { 0 }, 0 },       /* LINKTYPE_IPV4 mislabelled: the nibble decides */
    { DP_LINK_ETHERNET, { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x86, 0xdd }, 14 },
    { DP_LINK_ETHERNET, { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x81, 0x00, 0, 7, 0x86, 0xdd }, 18 },
    { DP_LINK_SLL, { 0, 0, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, 0x86, 0xdd }, 16 },
    { DP_LINK_SLL2, { 0x86, 0xdd }, 20 },
    { DP_LINK_NULL, { 30, 0, 0, 0 }, 4 },   /* macOS AF_INET6, little-endian host */
    { DP_LINK_NULL, { 28, 0, 0, 0 }, 4 },   /* FreeBSD */
    { DP_LINK_LOOP, { 0, 0, 0, 24 }, 4 },   /* OpenBSD, network order */
  };
  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr (GByteArray) b = g_byte_array_new ();
      g_byte_array_append (b, cases[c].head, cases[c].n);
      g_byte_array_append (b, ip->data, ip->len);
      g_autoptr (DpPackets) p = dp_packets_new (4);
      gboolean l4s = TRUE;
      g_assert_cmpint (decode (cases[c].link, b->data, b->len, p, &l4s), ==, DP_DECODE_OK);
      g_assert_false (l4s);
      g_assert_cmpuint (p->n_rows, ==, 1);
      assert_tcp6_row (p, 0);
      g_assert_cmpuint (p->ip_len[0], ==, 60);
    }
}

/* One key per address, the same in every batch sharing the map. */
static void
test_ipv6_keys (void)
{
  g_autoptr (GByteArray) b = g_byte_array_new ();
  put_ip6 (b, 17, 8);
  put_udp (b, 5353, 53);
  g_autoptr (DpPackets) p = dp_packets_new (4);
  gboolean l4s;
  for (int i = 0; i < 3; i++)
    g_assert_cmpint (decode (DP_LINK_RAW, b->data, b->len, p, &l4s), ==, DP_DECODE_OK);
  g_assert_nonnull (p->names);
  g_assert_cmpuint (dp_name_map_size (p->names), ==, 2);
  g_assert_cmphex (p->src[0], ==, p->src[2]);
  g_assert_cmphex (p->src[0], !=, p->dst[0]);
  g_assert_cmphex (p->src[0], >=, DP_NAME_BASE);
  /* a second batch given the same map: the same keys */
  g_autoptr (DpPackets) q = dp_packets_new (4);
  dp_packets_set_names (q, p->names);
  b->data[23] = 9;   /* another source: 2001:db8::9 */
  g_assert_cmpint (decode (DP_LINK_RAW, b->data, b->len, q, &l4s), ==, DP_DECODE_OK);
  g_assert_cmphex (q->dst[0], ==, p->dst[0]);
  g_assert_cmpstr (addr_text (q, q->src[0]), ==, "2001:db8::9");
  g_assert_cmpuint (dp_name_map_size (p->names), ==, 3);
}

/* Extension headers are walked; their bounds, order and number checked. */
static void
test_ipv6_ext (void)
{
  gboolean l4s;
  /* hop-by-hop, destination options (16 bytes), routing, AH, then TCP */
  g_autoptr (GByteArray) b = g_byte_array_new ();
  put_ip6 (b, 0, 8 + 16 + 8 + 16 + 20);
  put_ext6 (b, 60, 0);
  put_ext6 (b, 43, 1);
  put_ext6 (b, 51, 0);
  put8 (b, 6); put8 (b, 2); put_zeros (b, 14);   /* AH: (2 + 2) * 4 = 16 bytes */
  put_tcp (b, 40000, 443, 0xdeadbeef, 0x02);
  g_autoptr (DpPackets) p = dp_packets_new (4);
  g_assert_cmpint (decode (DP_LINK_RAW, b->data, b->len, p, &l4s), ==, DP_DECODE_OK);
  g_assert_false (l4s);
  assert_tcp6_row (p, 0);
  g_assert_cmpuint (p->ip_len[0], ==, 40 + 68);

  /* exactly DP_DECODE_MAX_EXT headers pass, one more is refused */
  for (guint n = DP_DECODE_MAX_EXT; n <= DP_DECODE_MAX_EXT + 1; n++)
    {
      g_autoptr (GByteArray) c = g_byte_array_new ();
      put_ip6 (c, 60, 8 * n + 8);
      for (guint k = 0; k < n; k++)
        put_ext6 (c, k + 1 < n ? 60 : 17, 0);
      put_udp (c, 1, 2);
      g_autoptr (DpPackets) q = dp_packets_new (4);
      g_assert_cmpint (decode (DP_LINK_RAW, c->data, c->len, q, &l4s), ==,
                       n <= DP_DECODE_MAX_EXT ? DP_DECODE_OK : DP_DECODE_IPV6_EXT_LIMIT);
      if (n <= DP_DECODE_MAX_EXT)
        g_assert_cmpuint (q->dport[0], ==, 2);
    }

  /* hop-by-hop after another header; two fragment headers */
  g_autoptr (GByteArray) late_hbh = g_byte_array_new ();
  put_ip6 (late_hbh, 60, 24);
  put_ext6 (late_hbh, 0, 0);
  put_ext6 (late_hbh, 17, 0);
  put_udp (late_hbh, 1, 2);
  g_assert_cmpint (decode (DP_LINK_RAW, late_hbh->data, late_hbh->len, p, &l4s), ==, DP_DECODE_IPV6_BAD_EXT);
  g_autoptr (GByteArray) two_frag = g_byte_array_new ();
  put_ip6 (two_frag, 44, 24);
  put_frag6 (two_frag, 44, 0, TRUE, 1);
  put_frag6 (two_frag, 17, 0, TRUE, 1);
  put_udp (two_frag, 1, 2);
  g_assert_cmpint (decode (DP_LINK_RAW, two_frag->data, two_frag->len, p, &l4s), ==, DP_DECODE_IPV6_BAD_EXT);

  /* a header running past the payload length is malformed; past the
   * captured bytes (payload length honest) it is only short */
  g_autoptr (GByteArray) past = g_byte_array_new ();
  put_ip6 (past, 60, 8);
  put_ext6 (past, 17, 2);   /* 24 bytes announced in an 8-byte payload */
  g_assert_cmpint (decode (DP_LINK_RAW, past->data, past->len, p, &l4s), ==, DP_DECODE_IPV6_BAD_EXT);
  past->data[5] = 24;
  g_assert_cmpint (decode (DP_LINK_RAW, past->data, 40 + 16, p, &l4s), ==, DP_DECODE_SHORT);
  g_assert_cmpuint (p->n_rows, ==, 1);
}

/* Every prefix of an IPv6 frame with a destination-options header. */
static void
test_ipv6_truncation (void)
{
  g_autoptr (GByteArray) b = g_byte_array_new ();
  put_ether (b, 0x86dd);
  put_ip6 (b, 60, 8 + 20);
  put_ext6 (b, 6, 0);
  put_tcp (b, 40000, 443, 0xdeadbeef, 0x02);
  guint hdr_end = 14 + 40 + 8, end = hdr_end + 20;
  g_assert_cmpuint (b->len, ==, end);
  for (guint len = 0; len <= end; len++)
    {
      g_autoptr (DpPackets) p = dp_packets_new (4);
      gboolean l4s = FALSE;
      DpDecodeResult r = decode (DP_LINK_ETHERNET, b->data, len, p, &l4s);
      if (len < hdr_end)
        {
          g_assert_cmpint (r, ==, DP_DECODE_SHORT);
          g_assert_cmpuint (p->n_rows, ==, 0);
          continue;
        }
      g_assert_cmpint (r, ==, DP_DECODE_OK);
      g_assert_cmpint (l4s, ==, len < end);
      g_assert_cmpuint (p->l4[0], ==, len < end ? 0 : DP_L4_PORTS | DP_L4_TCP);
      g_assert_cmpuint (p->ip_len[0], ==, 68);
    }
}

static void
test_ipv6_fragments (void)
{
  g_autoptr (DpPackets) p = dp_packets_new (4);
  gboolean l4s;
  g_autoptr (GByteArray) first = g_byte_array_new ();
  put_ip6 (first, 44, 8 + 16);
  put_frag6 (first, 17, 0, TRUE, 0xabcd1234u);
  put16 (first, 1000); put16 (first, 2000); put16 (first, 1400); put16 (first, 0);
  put_zeros (first, 8);
  g_autoptr (GByteArray) later = g_byte_array_new ();
  put_ip6 (later, 44, 8 + 16);
  put_frag6 (later, 17, 2, FALSE, 0xabcd1234u);   /* offset 16 bytes, last */
  put16 (later, 1000); put16 (later, 2000); put_zeros (later, 12);
  g_assert_cmpint (decode (DP_LINK_RAW, first->data, first->len, p, &l4s), ==, DP_DECODE_OK);
  g_assert_cmpint (decode (DP_LINK_RAW, later->data, later->len, p, &l4s), ==, DP_DECODE_OK);
  g_assert_cmpuint (p->proto[0], ==, 17);
  g_assert_cmpuint (p->frag[0], ==, DP_FRAG_MF);
  g_assert_cmphex (p->ip_id[0], ==, 0x1234);   /* the low 16 bits of the identification */
  g_assert_cmpuint (p->l4[0], ==, DP_L4_PORTS);
  g_assert_cmpuint (p->dport[0], ==, 2000);
  g_assert_cmpuint (p->frag[1], ==, 2);
  g_assert_cmpuint (p->l4[1], ==, 0);
  g_assert_cmpuint (p->dport[1], ==, 0);
  /* a later fragment ends the header chain: its data is not a header even
   * when it looks like one, and the fragment header's next header is the
   * protocol (as tshark has it) */
  g_autoptr (GByteArray) opts = g_byte_array_new ();
  put_ip6 (opts, 44, 8 + 16);
  put_frag6 (opts, 60, 2, FALSE, 7);
  put8 (opts, 17); put8 (opts, 0); put_zeros (opts, 14);   /* looks like destination options */
  g_autoptr (GByteArray) long_opts = g_byte_array_new ();
  put_ip6 (long_opts, 44, 8 + 8);
  put_frag6 (long_opts, 51, 2, TRUE, 7);
  put8 (long_opts, 6); put8 (long_opts, 200); put_zeros (long_opts, 6);   /* an "AH" far too long */
  g_assert_cmpint (decode (DP_LINK_RAW, opts->data, opts->len, p, &l4s), ==, DP_DECODE_OK);
  g_assert_cmpint (decode (DP_LINK_RAW, long_opts->data, long_opts->len, p, &l4s), ==, DP_DECODE_OK);
  g_assert_cmpuint (p->proto[2], ==, 60);
  g_assert_cmpuint (p->l4[2], ==, 0);
  g_assert_cmpuint (p->proto[3], ==, 51);
  g_assert_cmpuint (p->frag[3], ==, 2 | DP_FRAG_MF);
}

static void
test_ipv6_icmp (void)
{
  g_autoptr (DpPackets) p = dp_packets_new (4);
  gboolean l4s;
  g_autoptr (GByteArray) b = g_byte_array_new ();
  put_ip6 (b, 58, 8);
  put8 (b, 128); put8 (b, 0); put16 (b, 0); put32 (b, 0x00010002);   /* echo request */
  g_assert_cmpint (decode (DP_LINK_RAW, b->data, b->len, p, &l4s), ==, DP_DECODE_OK);
  g_assert_cmpuint (p->proto[0], ==, 58);
  g_assert_cmpuint (p->icmp_type[0], ==, 128);
  g_assert_cmpuint (p->l4[0], ==, DP_L4_ICMP);
  /* ICMPv6 needs only its 4-byte header; 3 bytes are short */
  g_assert_cmpint (decode (DP_LINK_RAW, b->data, 44, p, &l4s), ==, DP_DECODE_OK);
  g_assert_false (l4s);
  g_assert_cmpuint (p->l4[1], ==, DP_L4_ICMP);
  g_assert_cmpint (decode (DP_LINK_RAW, b->data, 43, p, &l4s), ==, DP_DECODE_OK);
  g_assert_true (l4s);
  /* protocol 1 over IPv6 and 58 over IPv4 are not ICMP */
  b->data[6] = 1;
  g_assert_cmpint (decode (DP_LINK_RAW, b->data, b->len, p, &l4s), ==, DP_DECODE_OK);
  g_assert_cmpuint (p->l4[3], ==, 0);
  g_autoptr (DpPackets) q = dp_packets_new (4);
  g_autoptr (GByteArray) v4 = g_byte_array_new ();
  put_ip (v4, 58, 0, 8, 0);
  put8 (v4, 128); put_zeros (v4, 7);
  g_assert_cmpint (decode (DP_LINK_RAW, v4->data, v4->len, q, &l4s), ==, DP_DECODE_OK);
  g_assert_cmpuint (q->l4[0], ==, 0);
}

/* IPv4 240.0.0.0/4 addresses are refused once a batch carries IPv6 keys. */
static void
test_class_e (void)
{
  g_autoptr (GByteArray) v4 = g_byte_array_new ();
  put_ip (v4, 17, 0, 8, 0);
  put_udp (v4, 1, 2);
  v4->data[12] = 240;   /* source 240.0.2.1 */
  g_autoptr (DpPackets) p = dp_packets_new (4);
  gboolean l4s;
  g_assert_cmpint (decode (DP_LINK_RAW, v4->data, v4->len, p, &l4s), ==, DP_DECODE_OK);
  g_autoptr (GByteArray) v6 = g_byte_array_new ();
  put_ip6 (v6, 17, 8);
  put_udp (v6, 1, 2);
  g_assert_cmpint (decode (DP_LINK_RAW, v6->data, v6->len, p, &l4s), ==, DP_DECODE_OK);
  g_assert_cmpint (decode (DP_LINK_RAW, v4->data, v4->len, p, &l4s), ==, DP_DECODE_CLASS_E);
  /* the limited broadcast address never keys a name */
  v4->data[12] = 192;
  memset (v4->data + 16, 255, 4);
  g_assert_cmpint (decode (DP_LINK_RAW, v4->data, v4->len, p, &l4s), ==, DP_DECODE_OK);
  g_assert_cmphex (p->dst[2], ==, G_MAXUINT32);
  g_assert_cmpuint (p->n_rows, ==, 3);
}

/* The IPv6 packet inside 6in4, 4in6, GRE (plain, with key and sequence,
 * Ethernet, ERSPAN II) when asked, else the outer one. */
static void
test_tunnels (void)
{
  gboolean l4s;
  g_autoptr (GByteArray) inner6 = g_byte_array_new ();
  put_ip6 (inner6, 6, 20);
  put_tcp (inner6, 40000, 443, 0xdeadbeef, 0x02);
  g_autoptr (GByteArray) inner4 = frame_tcp (40000, 443, 0xdeadbeef, 0x02);
  g_byte_array_remove_range (inner4, 0, 14);

  /* 6in4 */
  g_autoptr (GByteArray) t = g_byte_array_new ();
  put_ip (t, 41, 0, inner6->len, 0);
  g_byte_array_append (t, inner6->data, inner6->len);
  g_autoptr (DpPackets) p = dp_packets_new (8);
  g_assert_cmpint (decode6 (DP_LINK_RAW, 0, t->data, t->len, p, &l4s), ==, DP_DECODE_OK);
  g_assert_cmpuint (p->proto[0], ==, 41);
  g_assert_cmphex (p->src[0], ==, FRAME_SRC);
  g_assert_cmpuint (p->l4[0], ==, 0);
  g_assert_cmpint (decode6 (DP_LINK_RAW, DP_DECODE_TUNNEL_4IN6, t->data, t->len, p, &l4s), ==, DP_DECODE_OK);
  g_assert_cmpuint (p->proto[1], ==, 41);   /* not the tunnel asked for */
  g_assert_cmpint (decode6 (DP_LINK_RAW, DP_DECODE_TUNNEL_6IN4, t->data, t->len, p, &l4s), ==, DP_DECODE_OK);
  assert_tcp6_row (p, 2);
  /* a 6in4 that holds IPv4 contradicts itself */
  t->data[20] = 0x45;
  g_assert_cmpint (decode6 (DP_LINK_RAW, DP_DECODE_TUNNEL_ALL, t->data, t->len, p, &l4s), ==, DP_DECODE_BAD_HEADER);

  /* 4in6 */
  g_autoptr (GByteArray) u = g_byte_array_new ();
  put_ip6 (u, 4, inner4->len);
  g_byte_array_append (u, inner4->data, inner4->len);
  g_autoptr (DpPackets) q = dp_packets_new (8);
  g_assert_cmpint (decode6 (DP_LINK_RAW, DP_DECODE_TUNNEL_4IN6, u->data, u->len, q, &l4s), ==, DP_DECODE_OK);
  assert_tcp_row (q, 0);

  /* GRE: flags word and protocol, then key and sequence when flagged */
  struct { guint16 flags, type; guint extra; gboolean follow; } gre[] = {
    { 0x0000, 0x0800, 0, TRUE },
    { 0x3000, 0x86dd, 8, TRUE },      /* key + sequence */
    { 0xb000, 0x0800, 12, TRUE },     /* checksum + key + sequence */
    { 0x1000, 0x88be, 4 + 8, TRUE },  /* ERSPAN II: sequence, 8-byte header, Ethernet */
    { 0x0000, 0x6558, 0, TRUE },      /* transparent Ethernet bridging */
    { 0x0001, 0x880b, 0, FALSE },     /* version 1 (PPTP): the outer packet stands */
    { 0x0000, 0x0806, 0, FALSE },     /* ARP inside: the outer packet stands */
  };
  for (guint g = 0; g < G_N_ELEMENTS (gre); g++)
    {
      gboolean eth = gre[g].type == 0x88be || gre[g].type == 0x6558;
      const GByteArray *in = gre[g].type == 0x86dd ? inner6 : inner4;
      g_autoptr (GByteArray) w = g_byte_array_new ();
      put_ip (w, 47, 0, 4 + gre[g].extra + (eth ? 14 : 0) + in->len, 0);
      put16 (w, gre[g].flags);
      put16 (w, gre[g].type);
      put_zeros (w, gre[g].extra);
      if (eth)
        put_ether (w, 0x0800);
      g_byte_array_append (w, in->data, in->len);
      g_autoptr (DpPackets) r = dp_packets_new (4);
      g_assert_cmpint (decode6 (DP_LINK_RAW, DP_DECODE_TUNNEL_GRE, w->data, w->len, r, &l4s), ==, DP_DECODE_OK);
      if (!gre[g].follow)
        {
          g_assert_cmpuint (r->proto[0], ==, 47);
          continue;
        }
      if (in == inner6)
        assert_tcp6_row (r, 0);
      else
        assert_tcp_row (r, 0);
    }

  /* tunnels in tunnels: DP_DECODE_MAX_TUNNELS deep is fine, one more not */
  for (guint depth = DP_DECODE_MAX_TUNNELS; depth <= DP_DECODE_MAX_TUNNELS + 1; depth++)
    {
      g_autoptr (GByteArray) n = g_byte_array_new ();
      for (guint k = 0; k < depth; k++)
        put_ip (n, 4, 0, (depth - k - 1) * 20 + inner4->len, 0);
      g_byte_array_append (n, inner4->data, inner4->len);
      g_autoptr (DpPackets) r = dp_packets_new (4);
      DpDecodeResult res = decode6 (DP_LINK_RAW, DP_DECODE_TUNNEL_ALL, n->data, n->len, r, &l4s);
      g_assert_cmpint (res, ==, depth <= DP_DECODE_MAX_TUNNELS ? DP_DECODE_OK : DP_DECODE_TUNNEL_LIMIT);
      if (res == DP_DECODE_OK)
        assert_tcp_row (r, 0);
    }
}

static void
test_bad_header (void)
{
  g_autoptr (DpPackets) p = dp_packets_new (4);
  gboolean l4s;
  struct { guint off; guint8 val; } pokes[] = {
    { 0, 0x55 },  /* version 5 */
    { 0, 0x44 },  /* IHL 4 */
    { 2, 0 },     /* total length high byte 0 ... */
  };
  for (guint i = 0; i < G_N_ELEMENTS (pokes); i++)
    {
      g_autoptr (GByteArray) b = g_byte_array_new ();
      put_ip (b, 6, 0, 20, 0);
      put_tcp (b, 1, 2, 3, 4);
      b->data[pokes[i].off] = pokes[i].val;
      if (i == 2)
        b->data[3] = 19;   /* ... total length 19 < header */
      g_assert_cmpint (decode (DP_LINK_RAW, b->data, b->len, p, &l4s), ==, DP_DECODE_BAD_HEADER);
    }
  g_assert_cmpuint (p->n_rows, ==, 0);
}

/* Every prefix of a frame: short until the IP header is whole, then kept
 * with L4 bits only once the whole L4 header is there. */
static void
test_every_truncation (void)
{
  g_autoptr (GByteArray) b = g_byte_array_new ();
  put_ether (b, 0x8100);
  put16 (b, 7);
  put16 (b, 0x0800);
  put_ip (b, 6, 8, 20, 0);
  put_tcp (b, 40000, 443, 0xdeadbeef, 0x12);
  guint ip_end = 18 + 28, end = ip_end + 20;
  g_assert_cmpuint (b->len, ==, end);
  for (guint len = 0; len <= end; len++)
    {
      g_autoptr (DpPackets) p = dp_packets_new (4);
      gboolean l4s = FALSE;
      DpDecodeResult r = decode (DP_LINK_ETHERNET, b->data, len, p, &l4s);
      if (len < ip_end)
        {
          g_assert_cmpint (r, ==, DP_DECODE_SHORT);
          g_assert_cmpuint (p->n_rows, ==, 0);
          continue;
        }
      g_assert_cmpint (r, ==, DP_DECODE_OK);
      g_assert_cmpuint (p->n_rows, ==, 1);
      g_assert_cmpint (l4s, ==, len < end);
      g_assert_cmpuint (p->l4[0], ==, len < end ? 0 : DP_L4_PORTS | DP_L4_TCP);
      g_assert_cmpuint (p->sport[0], ==, len < end ? 0 : 40000);
      g_assert_cmpuint (p->ip_len[0], ==, 48);
    }
}

/* A TCP SYN with @optlen option bytes (MSS, then NOPs, as a sender pads)
 * and window @win, after the IP header the caller wrote. */
static void
put_tcp_opts (GByteArray *b, guint16 win, guint optlen)
{
  put16 (b, 40000);
  put16 (b, 443);
  put32 (b, 0xdeadbeef);
  put32 (b, 0);
  put8 (b, (guint8) ((5 + optlen / 4) << 4));
  put8 (b, 0x02);
  put16 (b, win);
  put32 (b, 0);
  for (guint i = 0; i < optlen; i++)
    put8 (b, i == 0 ? 2 : i == 1 ? 4 : i == 2 ? 0x05 : i == 3 ? 0xb4 : 1);
}

/* The TCP window and option length, over IPv4 and IPv6, whole or with the
 * options cut by the snap length (the declared length stands); zero for
 * a row without a TCP header, also in a batch refilled after a TCP row. */
static void
test_tcp_window_options (void)
{
  const guint optlens[] = { 0, 4, 12, 20, 24, 40 };
  for (guint v6 = 0; v6 < 2; v6++)
    for (guint k = 0; k < G_N_ELEMENTS (optlens); k++)
      {
        guint ol = optlens[k];
        guint16 win = (guint16) (65535 - 7 * k);
        g_autoptr (GByteArray) b = g_byte_array_new ();
        if (v6)
          put_ip6 (b, 6, 20 + ol);
        else
          put_ip (b, 6, 0, 20 + ol, 0);
        guint hdr = b->len;
        put_tcp_opts (b, win, ol);
        g_autoptr (DpPackets) p = dp_packets_new (4);
        gboolean l4s = TRUE;
        g_assert_cmpint (decode (DP_LINK_RAW, b->data, b->len, p, &l4s), ==, DP_DECODE_OK);
        g_assert_false (l4s);
        /* the fixed header only: the options are cut off */
        g_assert_cmpint (decode (DP_LINK_RAW, b->data, hdr + 20, p, &l4s), ==, DP_DECODE_OK);
        g_assert_cmpuint (p->n_rows, ==, 2);
        for (guint i = 0; i < 2; i++)
          {
            g_assert_cmpuint (p->l4[i], ==, DP_L4_PORTS | DP_L4_TCP);
            g_assert_cmpuint (p->tcp_win[i], ==, win);
            g_assert_cmpuint (p->tcp_optlen[i], ==, ol);
          }
        /* refilled: a UDP row takes the place of the TCP one */
        p->n_rows = 0;
        g_autoptr (GByteArray) u = g_byte_array_new ();
        if (v6)
          put_ip6 (u, 17, 8);
        else
          put_ip (u, 17, 0, 8, 0);
        put_udp (u, 53, 53);
        g_assert_cmpint (decode (DP_LINK_RAW, u->data, u->len, p, &l4s), ==, DP_DECODE_OK);
        g_assert_cmpuint (p->tcp_win[0], ==, 0);
        g_assert_cmpuint (p->tcp_optlen[0], ==, 0);
      }
  /* a data offset below 5 declares no header length: no options */
  g_autoptr (GByteArray) b = frame_tcp (40000, 443, 0xdeadbeef, 0x02);
  b->data[14 + 20 + 12] = 3 << 4;
  g_autoptr (DpPackets) p = dp_packets_new (4);
  gboolean l4s;
  g_assert_cmpint (decode (DP_LINK_ETHERNET, b->data, b->len, p, &l4s), ==, DP_DECODE_OK);
  g_assert_cmpuint (p->tcp_optlen[0], ==, 0);
  g_assert_cmpuint (p->tcp_win[0], ==, 1024);
}

/* The common IPv4 packet has a path of its own (no link walk, no
 * intermediate structures): on random IPv4 headers, truncated anywhere,
 * it writes what the general walk writes (forced by a tunnel flag, which
 * changes nothing for packets that are not GRE), for every column, the
 * result and the l4-short flag, on raw and Ethernet links. */
static void
test_ipv4_paths_agree (void)
{
  GRand *rng = g_rand_new_with_seed (17);
  static const guint8 protos[] = { 6, 17, 1, 6, 17, 2, 132 };
  guint fast_rows = 0;
  for (guint iter = 0; iter < 20000; iter++)
    {
      guint8 f[14 + 80];
      for (guint i = 0; i < sizeof f; i++)
        f[i] = (guint8) g_rand_int (rng);
      gboolean eth = iter & 1;
      guint ip = eth ? 14 : 0;
      if (eth)
        f[12] = 0x08, f[13] = 0x00;
      guint r = g_rand_int_range (rng, 0, 16);
      /* mostly plausible headers: version 4, IHL 5 (sometimes more or less),
       * a length that fits or not, fragments now and then */
      f[ip] = r == 0 ? (guint8) g_rand_int (rng) : r < 3 ? (guint8) (0x40 | g_rand_int_range (rng, 0, 16)) : 0x45;
      guint tot = g_rand_int_range (rng, 0, 16) == 0 ? (guint) g_rand_int_range (rng, 0, 65536)
                                                     : (guint) g_rand_int_range (rng, 20, 80);
      f[ip + 2] = (guint8) (tot >> 8), f[ip + 3] = (guint8) tot;
      if (g_rand_int_range (rng, 0, 4) != 0)
        f[ip + 6] &= 0x40, f[ip + 7] = 0;   /* DF or nothing: not a fragment */
      f[ip + 9] = protos[g_rand_int_range (rng, 0, G_N_ELEMENTS (protos))];
      guint len = g_rand_int_range (rng, 0, 8) == 0 ? (guint) g_rand_int_range (rng, 0, (gint) sizeof f + 1)
                                                    : (guint) sizeof f;
      int link = eth ? DP_LINK_ETHERNET : (iter & 2) ? DP_LINK_RAW_DLT : DP_LINK_RAW;
      g_autoptr (DpPackets) a = dp_packets_new (4);
      g_autoptr (DpPackets) b = dp_packets_new (4);
      gboolean sa = TRUE, sb = FALSE;
      guint8 *copy = g_memdup2 (f, len);
      DpDecodeResult ra = dp_decode_frame_flags (link, 0, copy, len, 5, a, &sa);
      DpDecodeResult rb = dp_decode_frame_flags (link, DP_DECODE_TUNNEL_GRE, copy, len, 5, b, &sb);
      g_free (copy);
      if (f[ip + 9] == 47)
        continue;
      g_assert_cmpint (ra, ==, rb);
      g_assert_cmpint (sa, ==, sb);
      g_assert_cmpuint (a->n_rows, ==, b->n_rows);
      if (a->n_rows == 0)
        continue;
      fast_rows++;
#define SAME(c) g_assert_cmpuint ((guint64) a->c[0], ==, (guint64) b->c[0]);
      DP_PACKET_COLUMNS (SAME)
#undef SAME
    }
  /* most of them decoded, through both paths */
  g_assert_cmpuint (fast_rows, >, 10000);
  g_rand_free (rng);
}

static void
test_ip_options (void)
{
  g_autoptr (GByteArray) b = g_byte_array_new ();
  put_ip (b, 17, 12, 8, 0);
  put16 (b, 5353);
  put16 (b, 53);
  put16 (b, 8);
  put16 (b, 0);
  g_autoptr (DpPackets) p = dp_packets_new (4);
  gboolean l4s;
  g_assert_cmpint (decode (DP_LINK_RAW, b->data, b->len, p, &l4s), ==, DP_DECODE_OK);
  g_assert_false (l4s);
  g_assert_cmpuint (p->sport[0], ==, 5353);
  g_assert_cmpuint (p->dport[0], ==, 53);
  g_assert_cmpuint (p->l4[0], ==, DP_L4_PORTS);
  g_assert_cmpuint (p->ip_len[0], ==, 40);
  /* options cut by the snap length: the IP header itself is incomplete */
  g_assert_cmpint (decode (DP_LINK_RAW, b->data, 24, p, &l4s), ==, DP_DECODE_SHORT);
}

static void
test_fragments (void)
{
  g_autoptr (DpPackets) p = dp_packets_new (4);
  gboolean l4s;
  g_autoptr (GByteArray) first = g_byte_array_new ();
  put_ip (first, 17, 0, 16, DP_FRAG_MF);
  put16 (first, 1000); put16 (first, 2000); put16 (first, 1400); put16 (first, 0);
  put_zeros (first, 8);
  g_autoptr (GByteArray) later = g_byte_array_new ();
  put_ip (later, 17, 0, 16, 2);   /* offset 16 bytes, last fragment */
  put16 (later, 1000); put16 (later, 2000); put_zeros (later, 12);
  g_assert_cmpint (decode (DP_LINK_RAW, first->data, first->len, p, &l4s), ==, DP_DECODE_OK);
  g_assert_cmpint (decode (DP_LINK_RAW, later->data, later->len, p, &l4s), ==, DP_DECODE_OK);
  g_assert_false (l4s);
  g_assert_cmpuint (p->frag[0], ==, DP_FRAG_MF);
  g_assert_cmpuint (p->l4[0], ==, DP_L4_PORTS);
  g_assert_cmpuint (p->dport[0], ==, 2000);
  g_assert_cmpuint (p->frag[1], ==, 2);
  g_assert_true (DP_FRAG_IS_FRAGMENT (p->frag[1]));
  g_assert_cmpuint (p->l4[1], ==, 0);
  g_assert_cmpuint (p->sport[1], ==, 0);
  g_assert_cmpuint (p->dport[1], ==, 0);
}

static void
test_icmp (void)
{
  g_autoptr (DpPackets) p = dp_packets_new (4);
  gboolean l4s;
  /* port unreachable quoting a UDP header: the quoted ports stay out */
  g_autoptr (GByteArray) b = g_byte_array_new ();
  put_ip (b, 1, 0, 8 + 28, 0);
  put8 (b, 3); put8 (b, 3); put16 (b, 0); put32 (b, 0);
  put_ip (b, 17, 0, 8, 0);
  put16 (b, 1111); put16 (b, 2222); put16 (b, 8); put16 (b, 0);
  g_assert_cmpint (decode (DP_LINK_RAW, b->data, b->len, p, &l4s), ==, DP_DECODE_OK);
  g_assert_cmpuint (p->proto[0], ==, 1);
  g_assert_cmpuint (p->icmp_type[0], ==, 3);
  g_assert_cmpuint (p->icmp_code[0], ==, 3);
  g_assert_cmpuint (p->l4[0], ==, DP_L4_ICMP);
  g_assert_cmpuint (p->sport[0], ==, 0);
  g_assert_cmphex (p->src[0], ==, FRAME_SRC);
  /* echo request cut inside its 8-byte header */
  g_assert_cmpint (decode (DP_LINK_RAW, b->data, 24, p, &l4s), ==, DP_DECODE_OK);
  g_assert_true (l4s);
  g_assert_cmpuint (p->l4[1], ==, 0);
}

/* Ethernet pads short frames: bytes past the IP total length are not L4. */
static void
test_padding (void)
{
  g_autoptr (GByteArray) b = g_byte_array_new ();
  put_ether (b, 0x0800);
  put_ip (b, 6, 0, 4, 0);        /* datagram claims 24 bytes */
  put16 (b, 40000); put16 (b, 443);
  put_zeros (b, 22);             /* padding to 60 */
  g_autoptr (DpPackets) p = dp_packets_new (4);
  gboolean l4s;
  g_assert_cmpint (decode (DP_LINK_ETHERNET, b->data, b->len, p, &l4s), ==, DP_DECODE_OK);
  g_assert_true (l4s);
  g_assert_cmpuint (p->l4[0], ==, 0);
  g_assert_cmpuint (p->ip_len[0], ==, 24);
}

/* Random bytes on every link type: rows appear exactly on DP_DECODE_OK. */
static void
test_random (void)
{
  static const int links[] = { 0, 1, 12, 14, 101, 108, 113, 228, 276, 147 };
  GRand *rand = g_rand_new_with_seed (42);
  g_autoptr (DpPackets) p = dp_packets_new (1024);
  guint ok = 0;
  for (guint i = 0; i < 20000; i++)
    {
      guint len = (guint) g_rand_int_range (rand, 0, 80);
      guint8 buf[80];
      for (guint j = 0; j < len; j++)
        buf[j] = (guint8) g_rand_int (rand);
      if (len > 0 && g_rand_boolean (rand))
        buf[0] = 0x45;
      int link = links[g_rand_int_range (rand, 0, G_N_ELEMENTS (links))];
      gboolean l4s;
      DpDecodeResult r = decode (link, buf, len, p, &l4s);
      g_assert_cmpint (r, <, DP_DECODE_N_RESULTS);
      ok += r == DP_DECODE_OK;
      g_assert_cmpuint (p->n_rows, ==, ok);
    }
  g_assert_cmpuint (ok, >, 100);
  g_rand_free (rand);
}

static void
test_names (void)
{
  g_assert_cmpstr (dp_decode_result_name (DP_DECODE_OK), ==, "ok");
  g_assert_cmpstr (dp_decode_result_name (DP_DECODE_NOT_IP), ==, "non-ip");
  g_assert_cmpstr (dp_decode_result_name (DP_DECODE_SHORT), ==, "short");
  g_assert_cmpstr (dp_decode_result_name (DP_DECODE_BAD_HEADER), ==, "bad-header");
  g_assert_cmpstr (dp_decode_result_name (DP_DECODE_UNSUPPORTED_LINK), ==, "unsupported-link");
  g_assert_cmpstr (dp_decode_result_name (DP_DECODE_IPV6_EXT_LIMIT), ==, "ipv6-ext-limit");
  g_assert_cmpstr (dp_decode_result_name (DP_DECODE_IPV6_BAD_EXT), ==, "ipv6-bad-ext");
  g_assert_cmpstr (dp_decode_result_name (DP_DECODE_TUNNEL_LIMIT), ==, "tunnel-limit");
  g_assert_cmpstr (dp_decode_result_name (DP_DECODE_NAME_FULL), ==, "address-table-full");
  g_assert_cmpstr (dp_decode_result_name (DP_DECODE_CLASS_E), ==, "class-e-address");
  g_assert_cmpstr (dp_decode_result_name (DP_DECODE_N_RESULTS), ==, "unknown");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/decode/ethernet-tcp", test_ethernet_tcp);
  g_test_add_func ("/decode/vlan", test_vlan);
  g_test_add_func ("/decode/tcp-window-options", test_tcp_window_options);
  g_test_add_func ("/decode/links", test_links);
  g_test_add_func ("/decode/not-ip", test_not_ip);
  g_test_add_func ("/decode/ipv6-links", test_ipv6_links);
  g_test_add_func ("/decode/ipv6-keys", test_ipv6_keys);
  g_test_add_func ("/decode/ipv6-ext", test_ipv6_ext);
  g_test_add_func ("/decode/ipv6-truncation", test_ipv6_truncation);
  g_test_add_func ("/decode/ipv6-fragments", test_ipv6_fragments);
  g_test_add_func ("/decode/ipv6-icmp", test_ipv6_icmp);
  g_test_add_func ("/decode/class-e", test_class_e);
  g_test_add_func ("/decode/tunnels", test_tunnels);
  g_test_add_func ("/decode/bad-header", test_bad_header);
  g_test_add_func ("/decode/every-truncation", test_every_truncation);
  g_test_add_func ("/decode/ip-options", test_ip_options);
  g_test_add_func ("/decode/ipv4-paths-agree", test_ipv4_paths_agree);
  g_test_add_func ("/decode/fragments", test_fragments);
  g_test_add_func ("/decode/icmp", test_icmp);
  g_test_add_func ("/decode/padding", test_padding);
  g_test_add_func ("/decode/random", test_random);
  g_test_add_func ("/decode/names", test_names);
  return g_test_run ();
}
