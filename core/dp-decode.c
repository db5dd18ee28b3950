/* dp-decode.c — bounds-checked decoding of one captured frame into one row
 * of a DpPackets batch.
 *
 * Every read goes through the cursor helpers below, which check the offset
 * against the captured length first: a frame is untrusted input, and a
 * read past caplen is a read past libpcap's buffer. */
#include "config.h"
#include "dp-decode.h"

/* The IPv4 path of a frame without tunnels is the hot loop of every
 * capture: its parts are forced inline into dp_decode_frame_flags, so that
 * no call, no struct in memory and no tunnel test is left on it
 * (bench/ipv4-cost holds it against the decoder before IPv6). */
#if defined(__GNUC__) || defined(__clang__)
#define DECODE_INLINE static inline __attribute__ ((always_inline))
#else
#define DECODE_INLINE static inline
#endif

/* Big-endian loads of bytes the caller has already bounds-checked. */
static inline guint16
decode_be16 (const guint8 *p)
{
  return (guint16) ((p[0] << 8) | p[1]);
}

static inline guint32
decode_be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

/* TRUE when [off, off + n) lies inside the @len captured bytes. */
static inline gboolean
decode_has (guint32 len, guint32 off, guint32 n)
{
  return off <= len && n <= len - off;
}

#define DECODE_ETHERTYPE_IPV4 0x0800u
#define DECODE_ETHERTYPE_IPV6 0x86ddu
#define DECODE_ETHERTYPE_TEB  0x6558u  /* transparent Ethernet bridging (GRE) */
#define DECODE_ETHERTYPE_ERSPAN2 0x88beu

static inline gboolean
decode_is_ip_type (guint16 type)
{
  return type == DECODE_ETHERTYPE_IPV4 || type == DECODE_ETHERTYPE_IPV6;
}

static inline gboolean
decode_is_vlan (guint16 type)
{
  return type == 0x8100u || type == 0x88a8u || type == 0x9100u;
}

/* Walks 802.1Q / QinQ tags from a type field at @type_off; on success
 * *ip_off is the start of the payload of the innermost tag. */
static DpDecodeResult
decode_ethertype (const guint8 *frame, guint32 caplen, guint32 type_off, guint32 *ip_off, guint *ver)
{
  if (!decode_has (caplen, type_off, 2))
    return DP_DECODE_SHORT;
  guint16 type = decode_be16 (frame + type_off);
  guint32 off = type_off + 2;
  while (decode_is_vlan (type))
    {
      /* a tag: 2 bytes TCI, then the next type field */
      if (!decode_has (caplen, off, 4))
        return DP_DECODE_SHORT;
      type = decode_be16 (frame + off + 2);
      off += 4;
    }
  if (!decode_is_ip_type (type))
    return DP_DECODE_NOT_IP;
  *ip_off = off;
  *ver = type == DECODE_ETHERTYPE_IPV4 ? 4 : 6;
  return DP_DECODE_OK;
}

/* BSD loopback: the family is in the capturing host's byte order (NULL)
 * or network order (LOOP), and files travel between hosts, so both byte
 * orders are accepted for either.  AF_INET is 2 on every system; AF_INET6
 * is 24 (NetBSD, OpenBSD), 28 (FreeBSD) or 30 (macOS), all of which
 * libpcap's files carry.  The version nibble decides in the end. */
static DpDecodeResult
decode_loopback (const guint8 *frame, guint32 caplen, guint32 *ip_off)
{
  if (!decode_has (caplen, 0, 4))
    return DP_DECODE_SHORT;
  guint32 be = decode_be32 (frame);
  guint32 le = GUINT32_SWAP_LE_BE (be);
  guint32 fam = be < 256 ? be : le;
  if (fam != 2 && fam != 24 && fam != 28 && fam != 30)
    return DP_DECODE_NOT_IP;
  *ip_off = 4;
  return DP_DECODE_OK;
}

/* Raw IP: the version nibble says what follows. */
static DpDecodeResult
decode_raw (const guint8 *frame, guint32 caplen, guint32 *ip_off)
{
  if (caplen < 1)
    return DP_DECODE_SHORT;
  *ip_off = 0;
  return DP_DECODE_OK;
}

/* Finds the IP header behind the link layer of @linktype. */
/* *ver is the IP version the link layer announces (0: the header's own
 * version nibble decides). */
static DpDecodeResult
decode_link (int linktype, const guint8 *frame, guint32 caplen, guint32 *ip_off, guint *ver)
{
  *ver = 0;
  switch (linktype)
    {
    case DP_LINK_ETHERNET:
      /* untagged IP, by far the most common frame, without a call */
      if (caplen >= 14 && decode_be16 (frame + 12) == DECODE_ETHERTYPE_IPV4)
        {
          *ip_off = 14;
          *ver = 4;
          return DP_DECODE_OK;
        }
      return decode_ethertype (frame, caplen, 12, ip_off, ver);
    case DP_LINK_RAW:
    case DP_LINK_RAW_DLT:
    case DP_LINK_RAW_DLT2:
    case DP_LINK_IPV4:
      return decode_raw (frame, caplen, ip_off);
    case DP_LINK_SLL:
      /* packet type, ARPHRD, address length, 8 address bytes, protocol */
      if (!decode_has (caplen, 0, 16))
        return DP_DECODE_SHORT;
      return decode_ethertype (frame, caplen, 14, ip_off, ver);
    case DP_LINK_SLL2:
      /* protocol first, then 18 bytes of interface and address */
      if (!decode_has (caplen, 0, 20))
        return DP_DECODE_SHORT;
      if (!decode_is_ip_type (decode_be16 (frame)))
        return DP_DECODE_NOT_IP;
      *ip_off = 20;
      *ver = decode_be16 (frame) == DECODE_ETHERTYPE_IPV4 ? 4 : 6;
      return DP_DECODE_OK;
    case DP_LINK_NULL:
    case DP_LINK_LOOP:
      return decode_loopback (frame, caplen, ip_off);
    default:
      return DP_DECODE_UNSUPPORTED_LINK;
    }
}

/* Transport fields of one packet, filled only as far as the bytes allow. */
typedef struct {
  guint16 sport, dport, win;
  guint32 seq;
  guint8 flags, optlen, icmp_type, icmp_code, l4;
} DecodeL4;

/* Decodes the L4 header in [off, end).  The minimum header sizes (TCP 20,
 * UDP 8, ICMP 8, ICMPv6 4) decide: a header cut anywhere before its end
 * yields no L4 fields at all and *l4_short, so a consumer never mixes whole
 * and partial headers.  ICMP counts only over IPv4 and ICMPv6 only over
 * IPv6 (@icmp_proto is 1 or 58).  Other protocols carry no L4 fields. */
DECODE_INLINE void
decode_l4 (guint8 proto, guint8 icmp_proto, const guint8 *frame, guint32 off, guint32 end,
           DecodeL4 *l4, gboolean *l4_short)
{
  guint32 need = proto == 6 ? 20 : proto == 17 ? 8 : proto != icmp_proto ? 0 : proto == 1 ? 8 : 4;
  if (need == 0)
    return;
  if (!decode_has (end, off, need))
    {
      *l4_short = TRUE;
      return;
    }
  const guint8 *h = frame + off;
  if (proto == icmp_proto)
    {
      /* ICMP errors quote another header: only the outer type/code count */
      l4->icmp_type = h[0];
      l4->icmp_code = h[1];
      l4->l4 = DP_L4_ICMP;
      return;
    }
  l4->sport = decode_be16 (h);
  l4->dport = decode_be16 (h + 2);
  l4->l4 = DP_L4_PORTS;
  if (proto == 6)
    {
      l4->seq = decode_be32 (h + 4);
      l4->flags = h[13];
      l4->win = decode_be16 (h + 14);
      /* the declared option length, whether or not the options were
       * captured; a data offset below 5 is no header length at all */
      guint doff = h[12] >> 4;
      l4->optlen = (guint8) ((MAX (doff, 5u) - 5) * 4);
      l4->l4 |= DP_L4_TCP;
    }
}

/* The network-layer fields of the packet a row describes. */
typedef struct {
  guint32 src, dst;
  guint16 ip_id, ip_len, frag;
  guint8 proto, ttl;
} DecodeIp;

/* One decode: the caller's arguments, and how deep in tunnels we are. */
typedef struct {
  const guint8 *frame;
  guint flags;
  guint depth;
  DpPackets *out;
  gboolean short_l4;
} Decoder;

static DpDecodeResult decode_ip (Decoder *d, guint32 ip, guint32 bound, guint ver, DecodeIp *ipf,
                                 DecodeL4 *l4);

/* The inner packet of a tunnel at @off (IPv4 or IPv6 by its version
 * nibble, or Ethernet), within @end: its fields replace the outer ones. */
static DpDecodeResult
decode_inner (Decoder *d, guint32 off, guint32 end, gboolean ethernet, guint ver, DecodeIp *ipf,
              DecodeL4 *l4)
{
  if (++d->depth > DP_DECODE_MAX_TUNNELS)
    return DP_DECODE_TUNNEL_LIMIT;
  if (ethernet)
    {
      guint32 ip;
      DpDecodeResult r = decode_ethertype (d->frame, end, off + 12, &ip, &ver);
      if (r != DP_DECODE_OK)
        return r;
      off = ip;
    }
  *l4 = (DecodeL4) { 0 };
  d->short_l4 = FALSE;
  return decode_ip (d, off, end, ver, ipf, l4);
}

/* GRE (RFC 2784/2890) at @off carrying IP, Ethernet or ERSPAN type II: the
 * offset of what it carries, or FALSE for a version or payload we do not
 * look into (the outer packet then stands). */
static gboolean
decode_gre (const Decoder *d, guint32 off, guint32 end, guint32 *inner, gboolean *ethernet,
            guint *ver)
{
  if (!decode_has (end, off, 4))
    return FALSE;
  guint16 fl = decode_be16 (d->frame + off), type = decode_be16 (d->frame + off + 2);
  if ((fl & 0x0007u) != 0 || (fl & 0x4000u) != 0)   /* version 0, no source route */
    return FALSE;
  guint32 len = 4 + ((fl & 0x8000u) ? 4 : 0) + ((fl & 0x2000u) ? 4 : 0) + ((fl & 0x1000u) ? 4 : 0);
  *ethernet = type == DECODE_ETHERTYPE_TEB || type == DECODE_ETHERTYPE_ERSPAN2;
  *ver = type == DECODE_ETHERTYPE_IPV4 ? 4 : type == DECODE_ETHERTYPE_IPV6 ? 6 : 0;
  if (type == DECODE_ETHERTYPE_ERSPAN2)
    len += 8;
  else if (!decode_is_ip_type (type) && type != DECODE_ETHERTYPE_TEB)
    return FALSE;
  *inner = off + len;
  return TRUE;
}

/* Looks through the tunnel that protocol @proto at @off is, if the caller
 * asked to: sets *@r and returns TRUE when it did. */
G_GNUC_NO_INLINE static gboolean
decode_tunnel (Decoder *d, gboolean outer_v6, guint8 proto, guint32 off, guint32 end,
               DecodeIp *ipf, DecodeL4 *l4, DpDecodeResult *r)
{
  guint want = proto == 4 ? (outer_v6 ? DP_DECODE_TUNNEL_4IN6 : DP_DECODE_TUNNEL_4IN4)
               : proto == 41 ? (outer_v6 ? DP_DECODE_TUNNEL_6IN6 : DP_DECODE_TUNNEL_6IN4)
               : proto == 47 ? DP_DECODE_TUNNEL_GRE : 0;
  if (want == 0 || !(d->flags & want))
    return FALSE;
  gboolean ethernet = FALSE;
  guint gre_ver = 0;
  if (proto == 47 && !decode_gre (d, off, end, &off, &ethernet, &gre_ver))
    return FALSE;
  /* protocols 4 and 41 name the inner version; GRE's type does too */
  guint ver = proto == 4 ? 4 : proto == 41 ? 6 : gre_ver;
  *r = decode_inner (d, off, end, ethernet, ver, ipf, l4);
  return TRUE;
}

/* An IPv4 address the name map could also hand out (240.0.0.0 up to, not
 * including, the limited broadcast address). */
static inline gboolean
decode_class_e (guint32 a)
{
  return a >= DP_NAME_BASE && a != G_MAXUINT32;
}

DECODE_INLINE DpDecodeResult
decode_ipv4 (Decoder *d, guint32 ip, guint32 bound, DecodeIp *ipf, DecodeL4 *l4)
{
  if (!decode_has (bound, ip, 20))
    return DP_DECODE_SHORT;
  const guint8 *h = d->frame + ip;
  guint32 ihl = (guint32) (h[0] & 0x0f) * 4;
  guint16 tot_len = decode_be16 (h + 2);
  if (ihl < 20 || tot_len < ihl)
    return DP_DECODE_BAD_HEADER;
  if (!decode_has (bound, ip, ihl))
    return DP_DECODE_SHORT;   /* options cut off by the snap length */

  ipf->frag = decode_be16 (h + 6) & (DP_FRAG_DF | DP_FRAG_MF | DP_FRAG_OFFSET_MASK);
  ipf->proto = h[9];
  ipf->src = decode_be32 (h + 12);
  ipf->dst = decode_be32 (h + 16);
  ipf->ip_id = decode_be16 (h + 4);
  ipf->ttl = h[8];
  ipf->ip_len = tot_len;
  /* a non-first fragment starts mid-datagram: it has no L4 header */
  if ((ipf->frag & DP_FRAG_OFFSET_MASK) == 0)
    {
      /* trailing link padding is not part of the datagram */
      guint32 end = MIN (bound, ip + (guint32) tot_len);
      DpDecodeResult r;
      if (d->flags != 0 && !DP_FRAG_IS_FRAGMENT (ipf->frag) && decode_tunnel (d, FALSE, ipf->proto, ip + ihl, end, ipf, l4, &r))
        return r;
      decode_l4 (ipf->proto, 1, d->frame, ip + ihl, end, l4, &d->short_l4);
    }
  if (G_UNLIKELY (d->out->names != NULL) && (decode_class_e (ipf->src) || decode_class_e (ipf->dst)))
    return DP_DECODE_CLASS_E;
  return DP_DECODE_OK;
}

/* IPv6 extension headers that the chain walks through (RFC 8200 4.1 and
 * the IANA list): hop-by-hop, routing, fragment, destination options,
 * AH, mobility, HIP, shim6 and the two experimental values. */
static inline gboolean
decode_is_ext (guint8 nh)
{
  return nh == 0 || nh == 43 || nh == 44 || nh == 60 || nh == 51 || nh == 135 || nh == 139
         || nh == 140 || nh == 253 || nh == 254;
}

static DpDecodeResult
decode_ipv6 (Decoder *d, guint32 ip, guint32 bound, DecodeIp *ipf, DecodeL4 *l4)
{
  if (!decode_has (bound, ip, 40))
    return DP_DECODE_SHORT;
  const guint8 *h = d->frame + ip;
  guint32 plen = decode_be16 (h + 4);
  /* a payload length of 0 is a jumbogram (RFC 2675): it runs to the end */
  guint32 end = plen == 0 ? bound : MIN (bound, ip + 40 + plen);
  guint32 dgram_end = plen == 0 ? G_MAXUINT32 : ip + 40 + plen;
  guint8 nh = h[6];
  guint32 off = ip + 40;
  guint16 frag = 0, id = 0;
  gboolean seen_frag = FALSE;
  for (guint n = 0; decode_is_ext (nh); n++)
    {
      if (n == DP_DECODE_MAX_EXT)
        return DP_DECODE_IPV6_EXT_LIMIT;
      /* hop-by-hop only first; one fragment header */
      if ((nh == 0 && n > 0) || (nh == 44 && seen_frag))
        return DP_DECODE_IPV6_BAD_EXT;
      guint32 need = nh == 44 ? 8 : 2;
      if (!decode_has (dgram_end, off, need))
        return DP_DECODE_IPV6_BAD_EXT;
      if (!decode_has (end, off, need))
        return DP_DECODE_SHORT;
      const guint8 *e = d->frame + off;
      guint32 len = nh == 44 ? 8 : nh == 51 ? ((guint32) e[1] + 2) * 4 : ((guint32) e[1] + 1) * 8;
      if (!decode_has (dgram_end, off, len))
        return DP_DECODE_IPV6_BAD_EXT;
      if (!decode_has (end, off, len))
        return DP_DECODE_SHORT;
      gboolean later_fragment = FALSE;
      if (nh == 44)
        {
          guint16 fo = decode_be16 (e + 2);
          frag = (guint16) ((fo >> 3) | ((fo & 1u) ? DP_FRAG_MF : 0));
          id = (guint16) decode_be32 (e + 4);
          seen_frag = TRUE;
          /* past the first fragment the data is mid-datagram: the chain
           * ends here, and its next header names what the data belongs to */
          later_fragment = (frag & DP_FRAG_OFFSET_MASK) != 0;
        }
      nh = e[0];
      off += len;
      if (later_fragment)
        break;
    }
  ipf->proto = nh;
  ipf->frag = frag;
  ipf->ip_id = id;
  ipf->ttl = h[7];
  ipf->ip_len = (guint16) MIN (40 + plen, (guint32) G_MAXUINT16);
  if ((frag & DP_FRAG_OFFSET_MASK) == 0)
    {
      DpDecodeResult r;
      if (d->flags != 0 && !DP_FRAG_IS_FRAGMENT (frag) && decode_tunnel (d, TRUE, nh, off, end, ipf, l4, &r))
        return r;
      decode_l4 (nh, 58, d->frame, off, end, l4, &d->short_l4);
    }
  /* addresses last, so a packet refused above interns nothing */
  if (d->out->names == NULL)
    {
      DpNameMap *m = dp_name_map_new ();
      dp_packets_set_names (d->out, m);
      dp_name_map_unref (m);
    }
  if (!dp_name_map_intern_ip6 (d->out->names, h + 8, 128, &ipf->src)
      || !dp_name_map_intern_ip6 (d->out->names, h + 24, 128, &ipf->dst))
    return DP_DECODE_NAME_FULL;
  return DP_DECODE_OK;
}

/* The IP packet at @ip, of version @ver (0: its own nibble says). */
G_GNUC_NO_INLINE static DpDecodeResult
decode_ip (Decoder *d, guint32 ip, guint32 bound, guint ver, DecodeIp *ipf, DecodeL4 *l4)
{
  if (!decode_has (bound, ip, 1))
    return DP_DECODE_SHORT;
  guint nibble = d->frame[ip] >> 4;
  if (ver != 0 && nibble != ver)
    return DP_DECODE_BAD_HEADER;
  switch (nibble)
    {
    case 4:
      return decode_ipv4 (d, ip, bound, ipf, l4);
    case 6:
      return decode_ipv6 (d, ip, bound, ipf, l4);
    default:
      return DP_DECODE_BAD_HEADER;
    }
}

/* Writes the decoded packet as a new row of @out. */
DECODE_INLINE void
decode_emit (DpPackets *out, gint64 ts_ns, const DecodeIp *ipf, const DecodeL4 *l4)
{
  /* the common case without a call: the caller sizes batches ahead */
  guint row = out->n_rows < out->capacity ? out->n_rows++ : dp_packets_append (out);
  out->ts[row] = ts_ns;
  out->src[row] = ipf->src;
  out->dst[row] = ipf->dst;
  out->sport[row] = l4->sport;
  out->dport[row] = l4->dport;
  out->proto[row] = ipf->proto;
  out->tcp_flags[row] = l4->flags;
  out->tcp_seq[row] = l4->seq;
  out->ip_id[row] = ipf->ip_id;
  out->icmp_type[row] = l4->icmp_type;
  out->icmp_code[row] = l4->icmp_code;
  out->ttl[row] = ipf->ttl;
  out->ip_len[row] = ipf->ip_len;
  out->frag[row] = ipf->frag;
  out->l4[row] = l4->l4;
  out->tcp_win[row] = l4->win;
  out->tcp_optlen[row] = l4->optlen;
}

/* The common IPv4 packet, straight into a new row of @out: a 20-byte
 * header, the first (or only) fragment, and a TCP, UDP or ICMP header
 * captured whole, in a batch with room and no IPv6 addresses (so no class
 * E test).  Writes what decode_ipv4 and decode_emit would, without their
 * intermediate structures; FALSE (nothing written) for any other packet,
 * which the general walk then decodes. */
DECODE_INLINE gboolean
decode_ipv4_common (const guint8 *h, guint32 avail, gint64 ts_ns, DpPackets *out)
{
  if (G_UNLIKELY (avail < 28 || h[0] != 0x45 || out->names != NULL || out->n_rows >= out->capacity))
    return FALSE;
  guint16 tot_len = decode_be16 (h + 2), frag = decode_be16 (h + 6);
  guint8 proto = h[9];
  guint32 end = MIN (avail, (guint32) tot_len);
  guint32 need = proto == 6 ? 40 : proto == 17 || proto == 1 ? 28 : G_MAXUINT32;
  if (G_UNLIKELY ((frag & DP_FRAG_OFFSET_MASK) != 0 || end < need))
    return FALSE;
  const guint8 *l = h + 20;
  guint row = out->n_rows++;
  out->ts[row] = ts_ns;
  out->src[row] = decode_be32 (h + 12);
  out->dst[row] = decode_be32 (h + 16);
  out->proto[row] = proto;
  out->ip_id[row] = decode_be16 (h + 4);
  out->ttl[row] = h[8];
  out->ip_len[row] = tot_len;
  out->frag[row] = frag & (DP_FRAG_DF | DP_FRAG_MF | DP_FRAG_OFFSET_MASK);
  gboolean icmp = proto == 1, tcp = proto == 6;
  out->sport[row] = icmp ? 0 : decode_be16 (l);
  out->dport[row] = icmp ? 0 : decode_be16 (l + 2);
  out->icmp_type[row] = icmp ? l[0] : 0;
  out->icmp_code[row] = icmp ? l[1] : 0;
  out->l4[row] = icmp ? DP_L4_ICMP : tcp ? DP_L4_PORTS | DP_L4_TCP : DP_L4_PORTS;
  if (tcp)
    {
      /* option bytes: the data offset in bytes less 20 (none below 5 words) */
      guint doff4 = (l[12] >> 2) & 0x3cu;
      out->tcp_seq[row] = decode_be32 (l + 4);
      out->tcp_flags[row] = l[13];
      out->tcp_win[row] = decode_be16 (l + 14);
      out->tcp_optlen[row] = (guint8) (doff4 > 20 ? doff4 - 20 : 0);
    }
  else
    {
      out->tcp_seq[row] = 0;
      out->tcp_flags[row] = 0;
      out->tcp_win[row] = 0;
      out->tcp_optlen[row] = 0;
    }
  return TRUE;
}

/* Everything but IPv4 without tunnels: IPv6, tunnels, bad versions. */
G_GNUC_NO_INLINE static DpDecodeResult
decode_frame_general (guint flags, const guint8 *frame, guint32 caplen, guint32 ip, guint ver,
                      gint64 ts_ns, DpPackets *out, gboolean *l4_short)
{
  Decoder d = { .frame = frame, .flags = flags, .out = out };
  DecodeIp ipf;
  DecodeL4 l4 = { 0 };
  DpDecodeResult r = decode_ip (&d, ip, caplen, ver, &ipf, &l4);
  if (r != DP_DECODE_OK)
    return r;
  decode_emit (out, ts_ns, &ipf, &l4);
  if (l4_short)
    *l4_short = d.short_l4;
  return DP_DECODE_OK;
}

DpDecodeResult
dp_decode_frame_flags (int linktype, guint flags, const guint8 *frame, guint32 caplen,
                       gint64 ts_ns, DpPackets *out, gboolean *l4_short)
{
  if (l4_short)
    *l4_short = FALSE;
  guint32 ip = 0;
  /* IPv4 on Ethernet (untagged) or raw IP, without tunnels: by far the most
   * common frames, found without the link layer's general walk */
  gboolean fast = FALSE;
  if (G_LIKELY (flags == 0))
    {
      if (linktype == DP_LINK_ETHERNET && caplen > 14 && decode_be16 (frame + 12) == DECODE_ETHERTYPE_IPV4)
        ip = 14, fast = TRUE;
      /* raw IP: libpcap reports LINKTYPE_RAW files as DLT_RAW, 12 on Linux */
      else if ((linktype == DP_LINK_RAW_DLT || linktype == DP_LINK_RAW || linktype == DP_LINK_RAW_DLT2
                || linktype == DP_LINK_IPV4) && caplen > 0)
        fast = TRUE;
      fast = fast && (frame[ip] >> 4) == 4;
      if (fast && decode_ipv4_common (frame + ip, caplen - ip, ts_ns, out))
        return DP_DECODE_OK;
    }
  if (!fast)
    {
      guint ver;
      DpDecodeResult r = decode_link (linktype, frame, caplen, &ip, &ver);
      if (r != DP_DECODE_OK)
        return r;
      if (G_UNLIKELY (flags != 0 || !decode_has (caplen, ip, 1) || (frame[ip] >> 4) != 4 || ver == 6))
        return decode_frame_general (flags, frame, caplen, ip, ver, ts_ns, out, l4_short);
    }
  /* IPv4 without tunnels: the locals below never leave this function, so
   * they live in registers (flags is 0: no tunnel test is compiled in) */
  Decoder d = { .frame = frame, .flags = 0, .out = out };
  DecodeIp ipf;
  DecodeL4 l4 = { 0 };
  DpDecodeResult r = decode_ipv4 (&d, ip, caplen, &ipf, &l4);
  if (r != DP_DECODE_OK)
    return r;
  decode_emit (out, ts_ns, &ipf, &l4);
  if (l4_short)
    *l4_short = d.short_l4;
  return DP_DECODE_OK;
}

DpDecodeResult
dp_decode_frame (int linktype, const guint8 *frame, guint32 caplen,
                 gint64 ts_ns, DpPackets *out, gboolean *l4_short)
{
  return dp_decode_frame_flags (linktype, 0, frame, caplen, ts_ns, out, l4_short);
}

const char *
dp_decode_result_name (DpDecodeResult r)
{
  static const char *const names[DP_DECODE_N_RESULTS] = {
    "ok", "non-ip", "short", "bad-header", "unsupported-link", "ipv6-ext-limit",
    "ipv6-bad-ext", "tunnel-limit", "address-table-full", "class-e-address",
  };
  return (guint) r < DP_DECODE_N_RESULTS ? names[r] : "unknown";
}
