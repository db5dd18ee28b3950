/* pcap-frames.h — builders for test frames and capture files (pcap, pcapng),
 * shared by test-decode and test-pcap.  Everything is written by hand so
 * that the tests depend on no capture tool and on no shipped binary. */
#pragma once

#include <glib.h>
#include "dp-test.h"

/* ------------------------------------------------------------------ */
/* frames, big-endian fields */

static inline void
put8 (GByteArray *b, guint8 v)
{
  g_byte_array_append (b, &v, 1);
}

static inline void
put16 (GByteArray *b, guint16 v)
{
  put8 (b, (guint8) (v >> 8));
  put8 (b, (guint8) v);
}

static inline void
put32 (GByteArray *b, guint32 v)
{
  put16 (b, (guint16) (v >> 16));
  put16 (b, (guint16) v);
}

static inline void
put_zeros (GByteArray *b, guint n)
{
  while (n--)
    put8 (b, 0);
}

static inline void
put_ether (GByteArray *b, guint16 type)
{
  for (int i = 0; i < 12; i++)
    put8 (b, (guint8) (0x10 + i));
  put16 (b, type);
}

#define FRAME_SRC DP_TEST_IP (192, 0, 2, 1)
#define FRAME_DST DP_TEST_IP (198, 51, 100, 7)

/* IPv4 header (id 0x1234, ttl 57, FRAME_SRC -> FRAME_DST) with @opts
 * option bytes (a multiple of 4) and @payload bytes announced after it. */
static inline void
put_ip (GByteArray *b, guint8 proto, guint opts, guint payload, guint16 frag)
{
  put8 (b, (guint8) (0x40 | ((20 + opts) / 4)));
  put8 (b, 0);
  put16 (b, (guint16) (20 + opts + payload));
  put16 (b, 0x1234);
  put16 (b, frag);
  put8 (b, 57);
  put8 (b, proto);
  put16 (b, 0);
  put32 (b, FRAME_SRC);
  put32 (b, FRAME_DST);
  for (guint i = 0; i < opts; i++)
    put8 (b, i == 0 ? 0x94 : 0);   /* router alert, then padding */
}

static inline void
put_tcp (GByteArray *b, guint16 sport, guint16 dport, guint32 seq, guint8 flags)
{
  put16 (b, sport);
  put16 (b, dport);
  put32 (b, seq);
  put32 (b, 0);
  put8 (b, 5 << 4);
  put8 (b, flags);
  put16 (b, 1024);
  put32 (b, 0);
}

static inline void
put_udp (GByteArray *b, guint16 sport, guint16 dport)
{
  put16 (b, sport);
  put16 (b, dport);
  put16 (b, 8);
  put16 (b, 0);
}

/* Ethernet + IPv4 + TCP SYN, 54 bytes. */
static inline GByteArray *
frame_tcp (guint16 sport, guint16 dport, guint32 seq, guint8 flags)
{
  GByteArray *b = g_byte_array_new ();
  put_ether (b, 0x0800);
  put_ip (b, 6, 0, 20, 0);
  put_tcp (b, sport, dport, seq, flags);
  return b;
}

/* IPv6 test addresses: 2001:db8::1 -> 2001:db8:ffff::7 */
static const guint8 frame6_src[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const guint8 frame6_dst[16] = { 0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff, [15] = 7 };
#define FRAME6_SRC_TEXT "2001:db8::1"
#define FRAME6_DST_TEXT "2001:db8:ffff::7"

/* IPv6 header (traffic class 0, flow 0x12345, hop limit 61) announcing
 * @payload bytes after it, next header @nh. */
static inline void
put_ip6 (GByteArray *b, guint8 nh, guint payload)
{
  put32 (b, 0x60012345u);
  put16 (b, (guint16) payload);
  put8 (b, nh);
  put8 (b, 61);
  g_byte_array_append (b, frame6_src, 16);
  g_byte_array_append (b, frame6_dst, 16);
}

/* An IPv6 extension header of type-independent layout (next header,
 * length in 8-byte units after the first 8), @len8 * 8 + 8 bytes. */
static inline void
put_ext6 (GByteArray *b, guint8 nh, guint8 len8)
{
  put8 (b, nh);
  put8 (b, len8);
  put_zeros (b, 6 + 8u * len8);
}

/* IPv6 fragment header: offset in 8-byte units, more-fragments bit. */
static inline void
put_frag6 (GByteArray *b, guint8 nh, guint16 offset, gboolean more, guint32 id)
{
  put8 (b, nh);
  put8 (b, 0);
  put16 (b, (guint16) ((offset << 3) | (more ? 1 : 0)));
  put32 (b, id);
}

/* ------------------------------------------------------------------ */
/* capture files, little-endian as written on x86 */

static inline void
le16 (GByteArray *b, guint16 v)
{
  guint8 x[2] = { (guint8) v, (guint8) (v >> 8) };
  g_byte_array_append (b, x, 2);
}

static inline void
le32 (GByteArray *b, guint32 v)
{
  le16 (b, (guint16) v);
  le16 (b, (guint16) (v >> 16));
}

/* Classic pcap file header; @ns picks the nanosecond magic. */
static inline GByteArray *
pcap_file_new (guint32 linktype, gboolean ns)
{
  GByteArray *f = g_byte_array_new ();
  le32 (f, ns ? 0xa1b23c4du : 0xa1b2c3d4u);
  le16 (f, 2);
  le16 (f, 4);
  le32 (f, 0);
  le32 (f, 0);
  le32 (f, 65535);
  le32 (f, linktype);
  return f;
}

static inline void
pcap_file_add (GByteArray *f, gboolean ns, gint64 ts_ns, const guint8 *frame, guint len)
{
  le32 (f, (guint32) (ts_ns / 1000000000));
  le32 (f, (guint32) (ns ? ts_ns % 1000000000 : ts_ns % 1000000000 / 1000));
  le32 (f, len);
  le32 (f, len);
  g_byte_array_append (f, frame, len);
}

/* pcapng: section header + one interface (nanosecond if_tsresol when @ns). */
static inline GByteArray *
pcapng_file_new (guint16 linktype, gboolean ns)
{
  GByteArray *f = g_byte_array_new ();
  le32 (f, 0x0a0d0d0a);
  le32 (f, 28);
  le32 (f, 0x1a2b3c4d);
  le16 (f, 1);
  le16 (f, 0);
  le32 (f, 0xffffffff);
  le32 (f, 0xffffffff);   /* section length unknown */
  le32 (f, 28);
  guint32 idb_len = ns ? 20 + 8 + 4 : 20;
  le32 (f, 1);
  le32 (f, idb_len);
  le16 (f, linktype);
  le16 (f, 0);
  le32 (f, 65535);
  if (ns)
    {
      le16 (f, 9);        /* if_tsresol */
      le16 (f, 1);
      le32 (f, 9);        /* 10^-9, padded to 4 bytes */
      le32 (f, 0);        /* opt_endofopt */
    }
  le32 (f, idb_len);
  return f;
}

/* Enhanced packet block; timestamps in the interface's unit. */
static inline void
pcapng_file_add (GByteArray *f, gboolean ns, gint64 ts_ns, const guint8 *frame, guint len)
{
  guint64 t = ns ? (guint64) ts_ns : (guint64) ts_ns / 1000;
  guint pad = (4 - len % 4) % 4;
  guint32 blen = 32 + len + pad;
  le32 (f, 6);
  le32 (f, blen);
  le32 (f, 0);
  le32 (f, (guint32) (t >> 32));
  le32 (f, (guint32) t);
  le32 (f, len);
  le32 (f, len);
  g_byte_array_append (f, frame, len);
  for (guint i = 0; i < pad; i++)
    put8 (f, 0);
  le32 (f, blen);
}

/* ------------------------------------------------------------------ */
/* pcapng built block by block, in either byte order (@be: big-endian) */

static inline void
ng16 (GByteArray *b, gboolean be, guint16 v)
{
  if (be)
    put16 (b, v);
  else
    le16 (b, v);
}

static inline void
ng32 (GByteArray *b, gboolean be, guint32 v)
{
  if (be)
    put32 (b, v);
  else
    le32 (b, v);
}

/* Section header block (no options): starts a section and its interfaces. */
static inline void
pcapng_add_section (GByteArray *f, gboolean be)
{
  ng32 (f, be, 0x0a0d0d0a);
  ng32 (f, be, 28);
  ng32 (f, be, 0x1a2b3c4d);
  ng16 (f, be, 1);
  ng16 (f, be, 0);
  ng32 (f, be, 0xffffffff);
  ng32 (f, be, 0xffffffff);
  ng32 (f, be, 28);
}

/* Interface description block; @tsresol is the if_tsresol byte, 0 for none
 * (microseconds).  @tsoffset adds an if_tsoffset option when not 0. */
static inline void
pcapng_add_interface (GByteArray *f, gboolean be, guint16 linktype, guint8 tsresol, gint64 tsoffset)
{
  guint32 len = 20 + (tsresol ? 8 : 0) + (tsoffset ? 12 : 0) + (tsresol || tsoffset ? 4 : 0);
  ng32 (f, be, 1);
  ng32 (f, be, len);
  ng16 (f, be, linktype);
  ng16 (f, be, 0);
  ng32 (f, be, 65535);
  if (tsresol)
    {
      ng16 (f, be, 9);
      ng16 (f, be, 1);
      put8 (f, tsresol);
      put_zeros (f, 3);
    }
  if (tsoffset)
    {
      ng16 (f, be, 14);
      ng16 (f, be, 8);
      /* a 64-bit value in the section's byte order */
      guint32 hi = (guint32) ((guint64) tsoffset >> 32), lo = (guint32) tsoffset;
      ng32 (f, be, be ? hi : lo);
      ng32 (f, be, be ? lo : hi);
    }
  if (tsresol || tsoffset)
    ng32 (f, be, 0);   /* opt_endofopt */
  ng32 (f, be, len);
}

/* Enhanced packet block on @iface, @t in the interface's units. */
static inline void
pcapng_add_epb (GByteArray *f, gboolean be, guint32 iface, guint64 t, const guint8 *frame, guint len)
{
  guint pad = (4 - len % 4) % 4;
  guint32 blen = 32 + len + pad;
  ng32 (f, be, 6);
  ng32 (f, be, blen);
  ng32 (f, be, iface);
  ng32 (f, be, (guint32) (t >> 32));
  ng32 (f, be, (guint32) t);
  ng32 (f, be, len);
  ng32 (f, be, len);
  g_byte_array_append (f, frame, len);
  put_zeros (f, pad);
  ng32 (f, be, blen);
}

/* A block of another type (@body_len bytes of zeros), which readers skip. */
static inline void
pcapng_add_other (GByteArray *f, gboolean be, guint32 type, guint body_len)
{
  guint32 blen = 12 + ((body_len + 3u) & ~3u);
  ng32 (f, be, type);
  ng32 (f, be, blen);
  put_zeros (f, blen - 12);
  ng32 (f, be, blen);
}
