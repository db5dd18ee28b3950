/* dp-decode.c — bounds-checked decoding of one captured frame into one row
 * of a DpPackets batch.
 *
 * Every read goes through the cursor helpers below, which check the offset
 * against the captured length first: a frame is untrusted input, and a
 * read past caplen is a read past libpcap's buffer. */
#include "config.h"
#include "dp-decode.h"

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

static inline gboolean
decode_is_vlan (guint16 type)
{
  return type == 0x8100u || type == 0x88a8u || type == 0x9100u;
}

/* Walks 802.1Q / QinQ tags from a type field at @type_off; on success
 * *ip_off is the start of the payload of the innermost tag. */
static DpDecodeResult
decode_ethertype (const guint8 *frame, guint32 caplen, guint32 type_off, guint32 *ip_off)
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
  if (type != DECODE_ETHERTYPE_IPV4)
    return DP_DECODE_NOT_IPV4;
  *ip_off = off;
  return DP_DECODE_OK;
}

/* BSD loopback: the family is in the capturing host's byte order (NULL)
 * or network order (LOOP), and files travel between hosts, so both byte
 * orders are accepted for either.  AF_INET is 2 on every system. */
static DpDecodeResult
decode_loopback (const guint8 *frame, guint32 caplen, guint32 *ip_off)
{
  if (!decode_has (caplen, 0, 4))
    return DP_DECODE_SHORT;
  guint32 be = decode_be32 (frame);
  guint32 le = GUINT32_SWAP_LE_BE (be);
  if (be != 2 && le != 2)
    return DP_DECODE_NOT_IPV4;
  *ip_off = 4;
  return DP_DECODE_OK;
}

/* Raw IP: the version nibble says what follows. */
static DpDecodeResult
decode_raw (const guint8 *frame, guint32 caplen, guint32 *ip_off)
{
  if (caplen < 1)
    return DP_DECODE_SHORT;
  if ((frame[0] >> 4) == 6)
    return DP_DECODE_NOT_IPV4;
  *ip_off = 0;
  return DP_DECODE_OK;
}

/* Finds the IPv4 header behind the link layer of @linktype. */
static DpDecodeResult
decode_link (int linktype, const guint8 *frame, guint32 caplen, guint32 *ip_off)
{
  switch (linktype)
    {
    case DP_LINK_ETHERNET:
      /* untagged IPv4, by far the most common frame, without a call */
      if (caplen >= 14 && decode_be16 (frame + 12) == DECODE_ETHERTYPE_IPV4)
        {
          *ip_off = 14;
          return DP_DECODE_OK;
        }
      return decode_ethertype (frame, caplen, 12, ip_off);
    case DP_LINK_RAW:
    case DP_LINK_RAW_DLT:
    case DP_LINK_RAW_DLT2:
    case DP_LINK_IPV4:
      return decode_raw (frame, caplen, ip_off);
    case DP_LINK_SLL:
      /* packet type, ARPHRD, address length, 8 address bytes, protocol */
      if (!decode_has (caplen, 0, 16))
        return DP_DECODE_SHORT;
      return decode_ethertype (frame, caplen, 14, ip_off);
    case DP_LINK_SLL2:
      /* protocol first, then 18 bytes of interface and address */
      if (!decode_has (caplen, 0, 20))
        return DP_DECODE_SHORT;
      if (decode_be16 (frame) != DECODE_ETHERTYPE_IPV4)
        return DP_DECODE_NOT_IPV4;
      *ip_off = 20;
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
  guint16 sport, dport;
  guint32 seq;
  guint8 flags, icmp_type, icmp_code, l4;
} DecodeL4;

/* Decodes the L4 header in [off, end).  The minimum header sizes (TCP 20,
 * UDP 8, ICMP 8) decide: a header cut anywhere before its end yields no
 * L4 fields at all and *l4_short, so a consumer never mixes whole and
 * partial headers.  Other protocols carry no L4 fields. */
static void
decode_l4 (guint8 proto, const guint8 *frame, guint32 off, guint32 end,
           DecodeL4 *l4, gboolean *l4_short)
{
  guint32 need = proto == 6 ? 20 : proto == 17 ? 8 : proto == 1 ? 8 : 0;
  if (need == 0)
    return;
  if (!decode_has (end, off, need))
    {
      *l4_short = TRUE;
      return;
    }
  const guint8 *h = frame + off;
  if (proto == 1)
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
      l4->l4 |= DP_L4_TCP;
    }
}

DpDecodeResult
dp_decode_frame (int linktype, const guint8 *frame, guint32 caplen,
                 gint64 ts_ns, DpPackets *out, gboolean *l4_short)
{
  gboolean short_l4 = FALSE;
  if (l4_short)
    *l4_short = FALSE;
  guint32 ip = 0;
  DpDecodeResult r = decode_link (linktype, frame, caplen, &ip);
  if (r != DP_DECODE_OK)
    return r;
  if (!decode_has (caplen, ip, 20))
    return DP_DECODE_SHORT;
  const guint8 *h = frame + ip;
  guint32 ihl = (guint32) (h[0] & 0x0f) * 4;
  guint16 tot_len = decode_be16 (h + 2);
  if ((h[0] >> 4) != 4 || ihl < 20 || tot_len < ihl)
    return DP_DECODE_BAD_HEADER;
  if (!decode_has (caplen, ip, ihl))
    return DP_DECODE_SHORT;   /* options cut off by the snap length */

  guint16 frag = decode_be16 (h + 6) & (DP_FRAG_MF | DP_FRAG_OFFSET_MASK);
  guint8 proto = h[9];
  DecodeL4 l4 = { 0 };
  /* a non-first fragment starts mid-datagram: it has no L4 header */
  if ((frag & DP_FRAG_OFFSET_MASK) == 0)
    {
      /* trailing link padding is not part of the datagram */
      guint32 end = MIN (caplen, ip + (guint32) tot_len);
      decode_l4 (proto, frame, ip + ihl, end, &l4, &short_l4);
    }

  /* the common case without a call: the caller sizes batches ahead */
  guint row = out->n_rows < out->capacity ? out->n_rows++ : dp_packets_append (out);
  out->ts[row] = ts_ns;
  out->src[row] = decode_be32 (h + 12);
  out->dst[row] = decode_be32 (h + 16);
  out->sport[row] = l4.sport;
  out->dport[row] = l4.dport;
  out->proto[row] = proto;
  out->tcp_flags[row] = l4.flags;
  out->tcp_seq[row] = l4.seq;
  out->ip_id[row] = decode_be16 (h + 4);
  out->icmp_type[row] = l4.icmp_type;
  out->icmp_code[row] = l4.icmp_code;
  out->ttl[row] = h[8];
  out->ip_len[row] = tot_len;
  out->frag[row] = frag;
  out->l4[row] = l4.l4;
  if (l4_short)
    *l4_short = short_l4;
  return DP_DECODE_OK;
}

const char *
dp_decode_result_name (DpDecodeResult r)
{
  static const char *const names[DP_DECODE_N_RESULTS] = {
    "ok", "non-ipv4", "short", "bad-header", "unsupported-link",
  };
  return (guint) r < DP_DECODE_N_RESULTS ? names[r] : "unknown";
}
