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
test_not_ipv4 (void)
{
  g_autoptr (DpPackets) p = dp_packets_new (4);
  gboolean l4s;
  guint8 v6[60] = { 0x60 };
  g_assert_cmpint (decode (DP_LINK_RAW, v6, 60, p, &l4s), ==, DP_DECODE_NOT_IPV4);
  g_autoptr (GByteArray) eth6 = g_byte_array_new ();
  put_ether (eth6, 0x86dd);
  g_byte_array_append (eth6, v6, 40);
  g_assert_cmpint (decode (DP_LINK_ETHERNET, eth6->data, eth6->len, p, &l4s), ==, DP_DECODE_NOT_IPV4);
  g_autoptr (GByteArray) arp = g_byte_array_new ();
  put_ether (arp, 0x0806);
  put_zeros (arp, 28);
  g_assert_cmpint (decode (DP_LINK_ETHERNET, arp->data, arp->len, p, &l4s), ==, DP_DECODE_NOT_IPV4);
  guint8 sll2_v6[60] = { 0x86, 0xdd };
  g_assert_cmpint (decode (DP_LINK_SLL2, sll2_v6, 60, p, &l4s), ==, DP_DECODE_NOT_IPV4);
  guint8 null_v6[44] = { 30, 0, 0, 0, 0x60 };   /* AF_INET6 on macOS */
  g_assert_cmpint (decode (DP_LINK_NULL, null_v6, 44, p, &l4s), ==, DP_DECODE_NOT_IPV4);
  g_assert_cmpuint (p->n_rows, ==, 0);
  g_assert_cmpint (decode (147, v6, 60, p, &l4s), ==, DP_DECODE_UNSUPPORTED_LINK);
  g_assert_cmpint (dp_decode_frame (147, NULL, 0, 0, NULL, NULL), ==, DP_DECODE_UNSUPPORTED_LINK);
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
  g_assert_cmpstr (dp_decode_result_name (DP_DECODE_NOT_IPV4), ==, "non-ipv4");
  g_assert_cmpstr (dp_decode_result_name (DP_DECODE_SHORT), ==, "short");
  g_assert_cmpstr (dp_decode_result_name (DP_DECODE_BAD_HEADER), ==, "bad-header");
  g_assert_cmpstr (dp_decode_result_name (DP_DECODE_UNSUPPORTED_LINK), ==, "unsupported-link");
  g_assert_cmpstr (dp_decode_result_name (DP_DECODE_N_RESULTS), ==, "unknown");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/decode/ethernet-tcp", test_ethernet_tcp);
  g_test_add_func ("/decode/vlan", test_vlan);
  g_test_add_func ("/decode/links", test_links);
  g_test_add_func ("/decode/not-ipv4", test_not_ipv4);
  g_test_add_func ("/decode/bad-header", test_bad_header);
  g_test_add_func ("/decode/every-truncation", test_every_truncation);
  g_test_add_func ("/decode/ip-options", test_ip_options);
  g_test_add_func ("/decode/fragments", test_fragments);
  g_test_add_func ("/decode/icmp", test_icmp);
  g_test_add_func ("/decode/padding", test_padding);
  g_test_add_func ("/decode/random", test_random);
  g_test_add_func ("/decode/names", test_names);
  return g_test_run ();
}
