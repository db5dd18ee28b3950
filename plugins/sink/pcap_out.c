/* pcap_out.c — writes a packets stream as a classic pcap file.
 *
 * The columns hold headers only, so each record carries a synthesised IPv4
 * or IPv6 header and the L4 header the row has (checksums computed from
 * the columns, so anonymised addresses give valid ones), and no payload:
 * the record's original length is the IP total length, which tcpdump and
 * tshark show as a frame cut by the snap length.  A row is IPv6 when its
 * src and dst are IPv6 entries of the batch's name map (keys in
 * 240.0.0.0/4, docs/architecture.md). */
#include "config.h"

#include <string.h>

#include "darkpipe.h"

typedef struct {
  char *path;
  int linktype;       /* index into pcap_out_linktypes */
  int ts_precision;   /* index into pcap_out_precisions */
} PcapOutConfig;

static const char *const pcap_out_linktypes[] = { "raw", "ethernet", NULL };
static const char *const pcap_out_precisions[] = { "us", "ns", NULL };

enum { PCAP_OUT_RAW = 0, PCAP_OUT_ETHERNET = 1 };
enum { PCAP_OUT_US = 0, PCAP_OUT_NS = 1 };

#define PCAP_OUT_SNAPLEN 65535u
#define PCAP_OUT_MAX_RECORD (16 + 14 + 40 + 8 + 60)
#define PCAP_OUT_CHUNK 256   /* rows per reservation in the output buffer */
/* classic pcap holds unsigned 32-bit seconds: 1970-01-01 to 2106-02-07 */
#define PCAP_OUT_MAX_NS ((gint64) G_MAXUINT32 * G_GINT64_CONSTANT (1000000000) + 999999999)

typedef struct {
  const PcapOutConfig *cfg;
  DpOutFile *out;
  guint link_len;     /* bytes of link header before IP */
  guint64 rows;     /* written */
  guint64 seen;     /* received */
  guint64 rows6;    /* of them IPv6 */
} PcapOut;

static inline void
pcap_out_be16 (guint8 *p, guint16 v)
{
  p[0] = (guint8) (v >> 8);
  p[1] = (guint8) v;
}

static inline void
pcap_out_be32 (guint8 *p, guint32 v)
{
  pcap_out_be16 (p, (guint16) (v >> 16));
  pcap_out_be16 (p + 2, (guint16) v);
}

static inline void
pcap_out_st16 (guint8 *p, guint16 v)
{
  v = GUINT16_TO_BE (v);
  memcpy (p, &v, 2);
}

static inline void
pcap_out_st32 (guint8 *p, guint32 v)
{
  v = GUINT32_TO_BE (v);
  memcpy (p, &v, 4);
}

/* The checksum field for a ones' complement sum of 16-bit words taken as
 * a plain integer @sum (RFC 1071: folding the carries gives the same sum
 * as adding the words with end-around carry). */
static inline guint16
pcap_out_fold (guint64 sum)
{
  /* the sums here are below 2^32 (a few dozen words): three folds, no
   * loop, end in 16 bits */
  sum = (sum & 0xffff) + (sum >> 16);
  sum = (sum & 0xffff) + (sum >> 16);
  sum = (sum & 0xffff) + (sum >> 16);
  return (guint16) ~sum;
}

/* The addresses of a row: IPv4 (a6/b6 NULL) or IPv6. */
typedef struct {
  const guint8 *src6, *dst6;
} PcapOutAddrs;

/* Sum of the TCP/UDP (and ICMPv6) pseudo-header: addresses, protocol, L4
 * length (RFC 768/793 for IPv4, RFC 8200 section 8.1 for IPv6). */
static inline guint32
pcap_out_pseudo (const DpPackets *b, guint i, const PcapOutAddrs *a, guint l4_len)
{
  if (a->src6 == NULL)
    return (b->src[i] >> 16) + (b->src[i] & 0xffff) + (b->dst[i] >> 16) + (b->dst[i] & 0xffff)
           + b->proto[i] + l4_len;
  guint32 sum = b->proto[i] + (l4_len >> 16) + (l4_len & 0xffff);
  for (guint k = 0; k < 16; k += 2)
    sum += (guint32) (a->src6[k] << 8 | a->src6[k + 1]) + (guint32) (a->dst6[k] << 8 | a->dst6[k + 1]);
  return sum;
}

static void
pcap_out_write_header (PcapOut *self)
{
  /* host byte order with the matching magic, as libpcap writes it */
  struct {
    guint32 magic;
    guint16 major, minor;
    gint32 thiszone;
    guint32 sigfigs, snaplen, network;
  } h = {
    self->cfg->ts_precision == PCAP_OUT_NS ? 0xa1b23c4du : 0xa1b2c3d4u,
    2, 4, 0, 0, PCAP_OUT_SNAPLEN,
    self->cfg->linktype == PCAP_OUT_ETHERNET ? 1u : 101u,
  };
  G_STATIC_ASSERT (sizeof h == 24);
  dp_outfile_write (self->out, &h, sizeof h);
}

/* Length of the L4 segment of row @i per its IP header (total length
 * less the @ip_hdr bytes of IP headers), at least the @hdr bytes written:
 * the IP header's total length is MAX (ip_len, headers written) too. */
static inline guint
pcap_out_l4_length (const DpPackets *b, guint i, guint ip_hdr, guint hdr)
{
  return MAX ((gint) b->ip_len[i] - (gint) ip_hdr, (gint) hdr);
}

/* Writes the L4 header of row @i at @p, after @ip_hdr bytes of IP headers
 * (checksums over the pseudo-header included, so rewritten addresses stay
 * consistent); returns its length.  The checksums are sums of the header's
 * words taken from the columns, not read back from the bytes.  May write
 * up to 60 bytes at @p whatever the length returned. */
static inline __attribute__ ((always_inline)) guint
pcap_out_l4 (const DpPackets *b, guint i, const PcapOutAddrs *a, guint ip_hdr, guint8 *restrict p)
{
  if ((b->frag[i] & DP_FRAG_OFFSET_MASK) != 0)
    return 0;   /* a non-first fragment has no L4 header */
  guint8 l4 = b->l4[i];
  switch (b->proto[i])
    {
    case 6:
      if (!(l4 & (DP_L4_PORTS | DP_L4_TCP)))
        return 0;
      {
        /* the options' length kept (their content is not): NOPs */
        guint hl = 20 + (MIN (b->tcp_optlen[i], 40u) & ~3u);
        guint16 sport = b->sport[i], dport = b->dport[i], win = b->tcp_win[i];
        guint32 seq = b->tcp_seq[i];
        guint16 off_flags = (guint16) ((hl / 4) << 12 | b->tcp_flags[i]);
        memset (p, 0, 20);
        memset (p + 20, 1, 40);   /* the room for options: NOPs, hl - 20 of them kept */
        pcap_out_st16 (p, sport);
        pcap_out_st16 (p + 2, dport);
        pcap_out_st32 (p + 4, seq);
        pcap_out_st16 (p + 12, off_flags);
        pcap_out_st16 (p + 14, win);
        /* the segment's length is the IP payload's; the bytes not written
         * (payload) count as zeros; the NOPs add (hl - 20) / 2 words of
         * 0x0101 to the sum */
        guint64 sum = (guint64) pcap_out_pseudo (b, i, a, pcap_out_l4_length (b, i, ip_hdr, hl))
                      + (hl - 20) / 2 * 0x0101u + sport + dport + (seq >> 16) + (seq & 0xffff) + off_flags + win;
        pcap_out_st16 (p + 16, pcap_out_fold (sum));
        return hl;
      }
    case 17:
      if (!(l4 & DP_L4_PORTS))
        return 0;
      {
        guint16 ulen = (guint16) MIN (pcap_out_l4_length (b, i, ip_hdr, 8), 65535u);
        guint16 sport = b->sport[i], dport = b->dport[i];
        pcap_out_st16 (p, sport);
        pcap_out_st16 (p + 2, dport);
        pcap_out_st16 (p + 4, ulen);
        guint16 sum = pcap_out_fold ((guint64) pcap_out_pseudo (b, i, a, ulen) + sport + dport + ulen);
        pcap_out_st16 (p + 6, sum ? sum : 0xffff);   /* 0 would mean "no checksum" */
        return 8;
      }
    case 1:
      if (!(l4 & DP_L4_ICMP) || a->src6)
        return 0;
      {
        guint16 tc = (guint16) (b->icmp_type[i] << 8 | b->icmp_code[i]);
        memset (p, 0, 8);
        pcap_out_st16 (p, tc);
        pcap_out_st16 (p + 2, pcap_out_fold (tc));
        return 8;
      }
    case 58:
      /* ICMPv6: its checksum covers the pseudo-header too */
      if (!(l4 & DP_L4_ICMP) || a->src6 == NULL)
        return 0;
      {
        guint16 tc = (guint16) (b->icmp_type[i] << 8 | b->icmp_code[i]);
        memset (p, 0, 8);
        pcap_out_st16 (p, tc);
        pcap_out_st16 (p + 2, pcap_out_fold ((guint64) pcap_out_pseudo (b, i, a, pcap_out_l4_length (b, i, ip_hdr, 8))
                                             + tc));
        return 8;
      }
    default:
      return 0;
    }
}

/* The IPv6 header (and a fragment header when the row is a fragment) of
 * row @i at @ip; returns the length of the IP headers and sets *@tot_len. */
static inline __attribute__ ((always_inline)) guint
pcap_out_ip6 (const DpPackets *b, guint i, const PcapOutAddrs *a, guint8 *ip, guint16 *tot_len)
{
  gboolean frag = DP_FRAG_IS_FRAGMENT (b->frag[i]);
  guint ip_hdr = frag ? 48 : 40;
  guint l4_len = pcap_out_l4 (b, i, a, ip_hdr, ip + ip_hdr);
  guint hdr_len = ip_hdr + l4_len;
  *tot_len = (guint16) MAX ((guint) b->ip_len[i], hdr_len);
  pcap_out_be32 (ip, 0x60000000u);   /* version 6, no traffic class, no flow label */
  pcap_out_be16 (ip + 4, (guint16) (*tot_len - 40));
  ip[6] = frag ? 44 : b->proto[i];
  ip[7] = b->ttl[i];   /* hop limit */
  memcpy (ip + 8, a->src6, 16);
  memcpy (ip + 24, a->dst6, 16);
  if (frag)
    {
      /* RFC 8200 4.5: next header, reserved, offset (8-byte units) << 3 | M, identification */
      ip[40] = b->proto[i];
      ip[41] = 0;
      pcap_out_be16 (ip + 42, (guint16) ((b->frag[i] & DP_FRAG_OFFSET_MASK) << 3 | !!(b->frag[i] & DP_FRAG_MF)));
      pcap_out_be32 (ip + 44, b->ip_id[i]);
    }
  return hdr_len;
}

/* The IPv4 header of row @i at @ip, as pcap_out_ip6; its checksum from
 * the words' values. */
static inline guint
pcap_out_ip4 (const DpPackets *b, guint i, const PcapOutAddrs *a, guint8 *restrict ip, guint16 *tot_len)
{
  guint l4_len = pcap_out_l4 (b, i, a, 20, ip + 20);
  guint hdr_len = 20 + l4_len;
  guint16 len = (guint16) MAX ((guint) b->ip_len[i], hdr_len);
  guint16 id = b->ip_id[i], frag = b->frag[i] & (DP_FRAG_DF | DP_FRAG_MF | DP_FRAG_OFFSET_MASK);
  guint16 ttl_proto = (guint16) (b->ttl[i] << 8 | b->proto[i]);
  guint32 src = b->src[i], dst = b->dst[i];
  *tot_len = len;
  pcap_out_st16 (ip, 0x4500);   /* version 4, 20 bytes, no TOS */
  pcap_out_st16 (ip + 2, len);
  pcap_out_st16 (ip + 4, id);
  pcap_out_st16 (ip + 6, frag);
  pcap_out_st16 (ip + 8, ttl_proto);
  pcap_out_st32 (ip + 12, src);
  pcap_out_st32 (ip + 16, dst);
  pcap_out_st16 (ip + 10, pcap_out_fold ((guint64) 0x4500 + len + id + frag + ttl_proto + (src >> 16) + (src & 0xffff)
                                         + (dst >> 16) + (dst & 0xffff)));
  return hdr_len;
}

/* The record header's time fields of @ts (ns, in classic pcap's range). */
static inline void
pcap_out_time (gint64 ts, gboolean ns_precision, guint32 *sec, guint32 *frac)
{
  gint64 s = ts / G_GINT64_CONSTANT (1000000000), ns = ts % G_GINT64_CONSTANT (1000000000);
  if (ns < 0)
    s--, ns += 1000000000;
  *sec = (guint32) s;
  *frac = (guint32) (ns_precision ? ns : ns / 1000);
}

/* The ones' complement checksum field of a sum of 32-bit words (RFC 1071:
 * the same as of their 16-bit halves), the sum below 2^35. */
static inline guint16
pcap_out_fold32 (guint64 sum)
{
  return pcap_out_fold ((sum & 0xffffffffu) + (sum >> 32));
}

/* The common row (IPv4, a TCP header, not a later fragment), as
 * pcap_out_record writes it, from 32-bit words built in registers. */
static inline guint
pcap_out_tcp4 (guint link_len, gboolean ns_precision, const DpPackets *b, guint i, guint8 *restrict rec)
{
  guint8 *ip = rec + 16 + link_len, *tcp = ip + 20;
  guint hl = 20 + (MIN (b->tcp_optlen[i], 40u) & ~3u);
  guint32 len = MAX ((guint32) b->ip_len[i], 20 + hl);
  guint32 src = b->src[i], dst = b->dst[i], seq = b->tcp_seq[i];
  guint32 w0 = 0x45000000u | len;
  guint32 w1 = (guint32) b->ip_id[i] << 16 | (b->frag[i] & (DP_FRAG_DF | DP_FRAG_MF | DP_FRAG_OFFSET_MASK));
  guint32 w2 = (guint32) b->ttl[i] << 24 | 6u << 16;
  w2 |= pcap_out_fold32 ((guint64) w0 + w1 + w2 + src + dst);
  guint32 ports = (guint32) b->sport[i] << 16 | b->dport[i];
  guint32 offwin = ((guint32) (hl / 4) << 12 | b->tcp_flags[i]) << 16 | b->tcp_win[i];
  /* pseudo-header (addresses, protocol, segment length), the header's
   * words, the NOPs (hl - 20 bytes of 0x01) */
  guint32 tsum = (guint32) pcap_out_fold32 ((guint64) src + dst + (6u << 16 | (len - 20)) + ports + seq + offwin
                                            + (hl - 20) / 4 * G_GUINT64_CONSTANT (0x01010101)) << 16;
  if (link_len)
    {
      static const guint8 eth[14] = { 0x02, 0, 0, 0, 0, 0, 0x02, 0, 0, 0, 0, 0, 0x08, 0x00 };
      memcpy (rec + 16, eth, 14);
    }
  pcap_out_st32 (ip, w0);
  pcap_out_st32 (ip + 4, w1);
  pcap_out_st32 (ip + 8, w2);
  pcap_out_st32 (ip + 12, src);
  pcap_out_st32 (ip + 16, dst);
  pcap_out_st32 (tcp, ports);
  pcap_out_st32 (tcp + 4, seq);
  pcap_out_st32 (tcp + 8, 0);
  pcap_out_st32 (tcp + 12, offwin);
  pcap_out_st32 (tcp + 16, tsum);
  memset (tcp + 20, 1, 40);   /* NOPs: hl - 20 of them are in the record */
  guint32 rh[4];
  pcap_out_time (b->ts[i], ns_precision, &rh[0], &rh[1]);
  rh[2] = link_len + 20 + hl;
  rh[3] = link_len + len;
  memcpy (rec, rh, sizeof rh);
  return 16 + link_len + 20 + hl;
}

/* Builds one record (header + frame) for row @i in @rec, after a link
 * header of @link_len bytes, its time in ns (@ns) or us; returns its size. */
static inline guint
pcap_out_record (guint link_len, gboolean ns_precision, const DpPackets *b, guint i, const PcapOutAddrs *a,
                 guint8 *restrict rec)
{
  guint8 *frame = rec + 16;
  guint8 *ip = frame + link_len;
  if (link_len)
    {
      /* locally administered addresses, so no real vendor shows */
      static const guint8 macs[12] = { 0x02, 0, 0, 0, 0, 0, 0x02, 0, 0, 0, 0, 0 };
      memcpy (frame, macs, 12);
      pcap_out_be16 (frame + 12, a->src6 ? 0x86dd : 0x0800);
    }
  guint16 tot_len;
  guint hdr_len = a->src6 ? pcap_out_ip6 (b, i, a, ip, &tot_len) : pcap_out_ip4 (b, i, a, ip, &tot_len);
  guint32 rh[4];
  pcap_out_time (b->ts[i], ns_precision, &rh[0], &rh[1]);
  rh[2] = link_len + hdr_len;
  rh[3] = link_len + tot_len;
  memcpy (rec, rh, sizeof rh);
  return 16 + link_len + hdr_len;
}

/* Where a process call is: the record being built, the counts. */
typedef struct {
  guint8 *rec;
  guint64 seen, rows, rows6;
} PcapOutAt;

/* Any row but the common one (pcap_out_tcp4's): checked (time range,
 * address families) and written by the general builders, or counted and
 * skipped; FALSE when the stage stops on the error.  Out of line, so that
 * the loop over the common rows keeps its columns in registers. */
static G_GNUC_NO_INLINE gboolean
pcap_out_other_row (DpStage *stage, const PcapOut *self, const DpPackets *b, guint i, PcapOutAt *at,
                    GError **error)
{
  const guint link_len = self->link_len;
  const gboolean ns_precision = self->cfg->ts_precision == PCAP_OUT_NS;
  if (G_UNLIKELY (b->ts[i] < 0 || b->ts[i] > PCAP_OUT_MAX_NS))
    {
      g_autoptr (GDateTime) t = g_date_time_new_from_unix_utc (b->ts[i] / G_GINT64_CONSTANT (1000000000));
      g_autofree char *when = t ? g_date_time_format_iso8601 (t) : g_strdup_printf ("%" G_GINT64_FORMAT " ns", b->ts[i]);
      return dp_stage_data_error (stage, error, "bad-timestamp",
                                  "packet %" G_GUINT64_FORMAT ": time %s is outside what a classic pcap "
                                  "file holds (1970-01-01 to 2106-02-07); not written",
                                  at->seen, when);
    }
  /* an IPv6 entry of the name map: an IPv6 row, whose two addresses
   * must both be (the decoder never makes one of each) */
  guint ps = 128, pd = 128;
  PcapOutAddrs a = { NULL, NULL };
  if (G_UNLIKELY (b->src[i] >= DP_NAME_BASE || b->dst[i] >= DP_NAME_BASE))
    {
      /* (the map holds no key below 240.0.0.0: the lookups are skipped) */
      a.src6 = dp_name_map_lookup_ip6 (b->names, b->src[i], &ps);
      a.dst6 = dp_name_map_lookup_ip6 (b->names, b->dst[i], &pd);
    }
  if (G_UNLIKELY ((a.src6 == NULL) != (a.dst6 == NULL) || ps != 128 || pd != 128))
    {
      char x[64], y[64];
      return dp_stage_data_error (stage, error, "mixed-address-family",
                                  "packet %" G_GUINT64_FORMAT ": %s to %s: %s; not written", at->seen,
                                  dp_ipv4_format (b->src[i], b->names, x), dp_ipv4_format (b->dst[i], b->names, y),
                                  ps != 128 || pd != 128 ? "an IPv6 prefix is not an address"
                                  : "one IPv4 and one IPv6 address");
    }
  at->rec += pcap_out_record (link_len, ns_precision, b, i, &a, at->rec);
  at->rows++;
  at->rows6 += a.src6 != NULL;
  return TRUE;
}

static DpFlow
pcap_out_process (DpStage *stage, void *state, guint in_port, const char *upstream, DpBatch *batch, GError **error)
{
  PcapOut *self = state;
  /* the columns' pointers in a local copy, which the bytes stored through
   * the record pointer cannot alias: they stay in registers instead of
   * being loaded again after each store */
  const DpPackets cols = *(const DpPackets *) batch, *b = &cols;
  const guint link_len = self->link_len;
  const gboolean ns_precision = self->cfg->ts_precision == PCAP_OUT_NS;
  PcapOutAt at = { NULL, self->seen, self->rows, self->rows6 };
  /* records are built in the output's buffer, PCAP_OUT_CHUNK rows' room
   * reserved at a time */
  guint8 *chunk = NULL, *end = NULL;
  DpFlow flow = DP_FLOW_OK;
  for (guint i = 0; i < b->n_rows; i++)
    {
      if (G_UNLIKELY ((gsize) (end - at.rec) < PCAP_OUT_MAX_RECORD))
        {
          if (at.rec)
            dp_outfile_advance (self->out, (gsize) (at.rec - chunk));
          chunk = at.rec = dp_outfile_reserve (self->out, PCAP_OUT_CHUNK * PCAP_OUT_MAX_RECORD);
          end = at.rec + PCAP_OUT_CHUNK * PCAP_OUT_MAX_RECORD;
        }
      at.seen++;
      /* the common row: IPv4 addresses (no name-map keys), a time classic
       * pcap holds, a TCP header, not a later fragment */
      if (G_LIKELY ((guint64) b->ts[i] <= (guint64) PCAP_OUT_MAX_NS && b->src[i] < DP_NAME_BASE
                    && b->dst[i] < DP_NAME_BASE && b->proto[i] == 6
                    && (b->l4[i] & (DP_L4_PORTS | DP_L4_TCP)) == (DP_L4_PORTS | DP_L4_TCP)
                    && (b->frag[i] & DP_FRAG_OFFSET_MASK) == 0))
        {
          at.rec += pcap_out_tcp4 (link_len, ns_precision, b, i, at.rec);
          at.rows++;
        }
      else if (!pcap_out_other_row (stage, self, b, i, &at, error))
        {
          flow = DP_FLOW_ERROR;
          break;
        }
    }
  if (at.rec)
    dp_outfile_advance (self->out, (gsize) (at.rec - chunk));
  self->seen = at.seen;
  self->rows = at.rows;
  self->rows6 = at.rows6;
  return flow;
}

static gboolean
pcap_out_finish (DpStage *stage, void *state, GError **error)
{
  PcapOut *self = state;
  g_autofree char *path = g_strdup (dp_outfile_path (self->out));
  if (!dp_outfile_commit (g_steal_pointer (&self->out), error))
    return FALSE;
  dp_stage_info (stage, "wrote %" G_GUINT64_FORMAT " packets to %s", self->rows, path);
  if (self->rows6)
    dp_stage_count (stage, "ipv6-packets", self->rows6);
  return TRUE;
}

static gboolean
pcap_out_init (DpStage *stage, const void *config, void **state, GError **error)
{
  PcapOut *self = g_new0 (PcapOut, 1);
  *state = self;
  self->cfg = config;
  self->link_len = self->cfg->linktype == PCAP_OUT_ETHERNET ? 14 : 0;
  g_autofree char *path = dp_stage_output_path (stage, self->cfg->path);
  self->out = dp_outfile_open (path, FALSE, error);
  if (self->out == NULL)
    return FALSE;
  pcap_out_write_header (self);
  return TRUE;
}

static void
pcap_out_finalize (void *state)
{
  PcapOut *self = state;
  dp_outfile_abort (self->out);
  g_free (self);
}

static const DpPortDesc pcap_out_inputs[] = {
  { "packets", DP_TYPE_PACKETS, 0, "packets to write" },
};

static const DpOptionDesc pcap_out_options[] = {
  DP_OPTION_FLAGS ("path", DP_OPT_PATH, NULL, PcapOutConfig, path, DP_OPT_REQUIRED | DP_OPT_OUTPUT,
                      "Output pcap file (relative paths go below the output directory)."),
  DP_OPTION_ENUM ("linktype", "raw", PcapOutConfig, linktype, pcap_out_linktypes,
                  "Link layer of the records: raw IP (LINKTYPE_RAW, IPv4 and IPv6) or Ethernet."),
  DP_OPTION_ENUM ("ts_precision", "us", PcapOutConfig, ts_precision, pcap_out_precisions,
                  "Timestamp precision: microseconds (the classic magic) or nanoseconds."),
};

DP_PLUGIN_DEFINE (pcap_out,
  .kind = DP_KIND_SINK,
  .summary = "Writes packets as a classic pcap file with synthesised IPv4 or IPv6 headers",
  .version = "1.0",
  .doc = "Each row becomes one record: an IPv4 header and, when the row has one, a TCP, UDP or "
         "ICMP header built from the columns; no payload. A row whose src and dst are IPv6 "
         "entries of the batch's name map becomes an IPv6 packet (ethertype 0x86dd on Ethernet): "
         "hop limit from `ttl`, next header from `proto`, a fragment header when `frag` says the "
         "row is a fragment (offset, M flag, identification from `ip_id`), ICMPv6 (proto 58) with "
         "its type and code; counted as `ipv6-packets`. A row with one IPv4 and one IPv6 address, "
         "or an IPv6 prefix as address, is not written and counted as `mixed-address-family`. "
         "Checksums are computed from the columns "
         "(TCP, UDP and ICMPv6 over the pseudo-header, the bytes not written counted as zeros), so "
         "rewritten addresses (`anonymize`) give valid ones: tshark verifies every checksum of a "
         "record that ends at its headers, and marks the others, cut by the snap length, "
         "unverified. The record's "
         "original length is the IP total length, so tools show the frames as cut by the "
         "snap length. The file is written to a temporary name and renamed at the end.",
  .inputs = pcap_out_inputs,
  .n_inputs = DP_N_ELEMENTS (pcap_out_inputs),
  .options = pcap_out_options,
  .n_options = DP_N_ELEMENTS (pcap_out_options),
  .config_size = sizeof (PcapOutConfig),
  .init = pcap_out_init,
  .process = pcap_out_process,
  .finish = pcap_out_finish,
  .finalize = pcap_out_finalize)
