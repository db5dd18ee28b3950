/* pcapng.c — the pcap source's pcapng walk, block by block: every
 * section header sets the byte order and starts a new interface list,
 * every interface block its link type, snapshot length and timestamp
 * unit, and each packet is decoded with its own interface's link type. */
#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "pcap.h"

#define PCAPNG_SHB 0x0a0d0d0au
#define PCAPNG_IDB 1u
#define PCAPNG_OPB 2u   /* obsolete packet block */
#define PCAPNG_SPB 3u
#define PCAPNG_EPB 6u
#define PCAPNG_BYTE_ORDER 0x1a2b3c4du

static inline guint16
pcap_get16 (const guint8 *p, gboolean swapped)
{
  guint16 v;
  memcpy (&v, p, 2);
  return swapped ? GUINT16_SWAP_LE_BE (v) : v;
}

/* The walk stops on a damaged block: a bad-file naming what is wrong. */
static G_GNUC_NO_INLINE G_GNUC_PRINTF (2, 3) PcapNext
pcap_ng_bad (PcapReader *r, const char *format, ...)
{
  va_list ap;
  va_start (ap, format);
  g_vsnprintf (r->msg, sizeof r->msg, format, ap);
  va_end (ap);
  r->offset = r->rec_start;   /* "stopped at" names the block */
  return PCAP_NEXT_BAD;
}

/* The byte order of the section header at @b (12 bytes readable): FALSE
 * when its byte-order magic is neither. */
static gboolean
pcap_ng_byte_order (const guint8 *b, gboolean *swapped)
{
  guint32 m;
  memcpy (&m, b + 8, 4);
  if (m == PCAPNG_BYTE_ORDER)
    *swapped = FALSE;
  else if (m == GUINT32_SWAP_LE_BE (PCAPNG_BYTE_ORDER))
    *swapped = TRUE;
  else
    return FALSE;
  return TRUE;
}

/* At open: the first section header must be one (libpcap's open checks). */
gboolean
pcap_ng_open (PcapReader *r, char *why, gsize why_len)
{
  if (!pcap_block_fill (r, 28))
    {
      g_strlcpy (why, r->read_errno ? dp_input_strerror (r->read_errno)
                 : "truncated pcapng section header", why_len);
      return FALSE;
    }
  const guint8 *b = r->buf;
  gboolean swapped;
  if (!pcap_ng_byte_order (b, &swapped))
    {
      g_strlcpy (why, "pcapng section header has an unknown byte-order magic", why_len);
      return FALSE;
    }
  guint32 len = pcap_get32 (b + 4, swapped);
  guint16 major = pcap_get16 (b + 12, swapped);
  if (len < 28 || len % 4 != 0)
    g_snprintf (why, why_len, "pcapng section header has a length of %u", len);
  else if (major != 1)
    g_snprintf (why, why_len, "unsupported pcapng version %u.%u", major, pcap_get16 (b + 14, swapped));
  else
    return TRUE;
  return FALSE;
}

/* Timestamp units per second for if_tsresol @v: 0 when beyond 64 bits. */
static guint64
pcap_ng_units (guint8 v)
{
  guint e = v & 0x7f;
  if (v & 0x80)
    return e < 64 ? G_GUINT64_CONSTANT (1) << e : 0;
  if (e > 19)
    return 0;
  guint64 u = 1;
  while (e--)
    u *= 10;
  return u;
}

/* An interface description block of @len bytes at @b. */
static PcapNext
pcap_ng_interface (PcapReader *r, const guint8 *b, guint32 len)
{
  const gboolean sw = r->swapped;
  if (len < 20)
    return pcap_ng_bad (r, "interface block has a length of %u",
                        len);
  PcapIface ifc = { 0 };
  ifc.linktype = pcap_get16 (b + 8, sw);
  ifc.snaplen = pcap_get32 (b + 12, sw);
  if (ifc.snaplen == 0 || ifc.snaplen > PCAP_MAX_CAPLEN)
    ifc.snaplen = PCAP_MAX_CAPLEN;
  ifc.units = 1000000;
  ifc.supported = dp_decode_frame (ifc.linktype, NULL, 0, 0, NULL, NULL) != DP_DECODE_UNSUPPORTED_LINK;
  ifc.compiled = r->filter == NULL;
  gsize off = 16, end = len - 4;
  while (off + 4 <= end)
    {
      guint16 code = pcap_get16 (b + off, sw), olen = pcap_get16 (b + off + 2, sw);
      if (code == 0)
        break;
      if (olen > end - off - 4)
        return pcap_ng_bad (r, "interface block: option %u of %u bytes "
                            "overruns the block", code, olen);
      const guint8 *v = b + off + 4;
      if (code == 9 && olen >= 1)
        {
          ifc.units = pcap_ng_units (v[0]);
          if (ifc.units == 0)
            return pcap_ng_bad (r, "interface block: if_tsresol 0x%02x is "
                                "beyond 64 bits", v[0]);
        }
      else if (code == 14 && olen == 8)
        {
          guint64 t;
          memcpy (&t, v, 8);
          if (sw)
            t = GUINT64_SWAP_LE_BE (t);
          /* a wild offset leaves the timestamps out of range (bad-timestamp) */
          ifc.tsoffset = CLAMP ((gint64) t, -(G_GINT64_CONSTANT (1) << 40), G_GINT64_CONSTANT (1) << 40);
        }
      off += 4 + ((olen + 3u) & ~3u);
    }
  g_array_append_val (r->ifaces, ifc);
  return PCAP_NEXT_EOF;   /* not a packet: the caller goes on */
}

/* A packet block's interface, capture length and data into @hdr. */
static PcapNext
pcap_ng_packet (PcapReader *r, guint32 iface, guint64 t, guint32 caplen, guint32 len,
                guint32 room, struct pcap_pkthdr *hdr, guint *iface_out)
{
  if (iface >= r->ifaces->len)
    return pcap_ng_bad (r, "packet block is on interface %u, but the "
                        "section describes %u", iface, r->ifaces->len);
  const PcapIface *ifc = &g_array_index (r->ifaces, PcapIface, iface);
  if (caplen > room)
    return pcap_ng_bad (r, "packet block: captured length %u overruns "
                        "the block", caplen);
  if (caplen > PCAP_MAX_CAPLEN)
    {
      r->offset = r->rec_start;
      r->snapshot = G_MAXUINT32;
      return pcap_block_too_long (r, caplen);
    }
  guint64 sec = t / ifc->units, frac = t % ifc->units;
  hdr->ts.tv_sec = (time_t) (gint64) MIN (sec, (guint64) G_MAXINT64 / 2) + ifc->tsoffset;
  hdr->ts.tv_usec = (suseconds_t) (guint64) ((unsigned __int128) frac * 1000000000u / ifc->units);
  hdr->caplen = MIN (caplen, ifc->snaplen);
  hdr->len = len;
  *iface_out = iface;
  return PCAP_NEXT_OK;
}

/* The next packet into @hdr, @data and its interface @iface. */
PcapNext
pcap_ng_next (PcapReader *r, struct pcap_pkthdr *hdr, const guint8 **data, guint *iface)
{
  for (;;)
    {
      if (r->buf_len - r->buf_pos < 12 && !pcap_block_fill (r, 12))
        return pcap_block_short (r, "block header", 0, 12);
      const guint8 *b = r->buf + r->buf_pos;
      r->rec_start = r->offset;
      guint32 type;
      memcpy (&type, b, 4);
      if (type == PCAPNG_SHB && !pcap_ng_byte_order (b, &r->swapped))
        return pcap_ng_bad (r, "section header has an unknown byte-order magic");
      const gboolean sw = r->swapped;
      type = pcap_get32 (b, sw);
      guint32 len = pcap_get32 (b + 4, sw);
      if (len < 12 || len % 4 != 0 || (type == PCAPNG_SHB && len < 28))
        return pcap_ng_bad (r, "block of type 0x%x has a length of %u",
                            type, len);
      gboolean parsed = type == PCAPNG_SHB || type == PCAPNG_IDB || type == PCAPNG_EPB
        || type == PCAPNG_SPB || type == PCAPNG_OPB;
      if (!parsed)
        {
          /* skipped by its length, through as many fills as it takes */
          guint32 left = len;
          while (left > 0)
            {
              if (r->buf_len == r->buf_pos && !pcap_block_fill (r, 1))
                {
                  r->offset = r->rec_start;   /* messages name the block */
                  if (r->read_errno)
                    return pcap_block_short (r, "block", 0, left);
                  return pcap_ng_bad (r, "truncated dump file; tried to read %u block bytes, only got %u",
                                      len, len - left);
                }
              gsize take = MIN ((gsize) left, r->buf_len - r->buf_pos);
              r->buf_pos += take;
              r->offset += take;
              left -= (guint32) take;
            }
          continue;
        }
      if (len > PCAP_BLOCK)
        return pcap_ng_bad (r, "block of type 0x%x is %u bytes long, "
                            "more than %u", type, len, PCAP_BLOCK);
      if (r->buf_len - r->buf_pos < len && !pcap_block_fill (r, len))
        return pcap_block_short (r, "block", 12, len - 12);
      b = r->buf + r->buf_pos;
      if (pcap_get32 (b + len - 4, sw) != len)
        return pcap_ng_bad (r, "block of type 0x%x ends with the length "
                            "%u, not %u", type, pcap_get32 (b + len - 4, sw), len);
      r->buf_pos += len;
      r->offset += len;
      PcapNext st;
      switch (type)
        {
        case PCAPNG_SHB:
          if (pcap_get16 (b + 12, sw) != 1)
            return pcap_ng_bad (r, "section header: unsupported pcapng "
                                "version %u.%u", pcap_get16 (b + 12, sw), pcap_get16 (b + 14, sw));
          pcap_ifaces_clear (r);
          continue;
        case PCAPNG_IDB:
          st = pcap_ng_interface (r, b, len);
          if (st == PCAP_NEXT_BAD)
            return st;
          continue;
        case PCAPNG_EPB:
        case PCAPNG_OPB:
          if (len < 32)
            return pcap_ng_bad (r, "packet block has a length of %u",
                                len);
          st = pcap_ng_packet (r, type == PCAPNG_EPB ? pcap_get32 (b + 8, sw) : pcap_get16 (b + 8, sw),
                               (guint64) pcap_get32 (b + 12, sw) << 32 | pcap_get32 (b + 16, sw),
                               pcap_get32 (b + 20, sw), pcap_get32 (b + 24, sw), len - 32, hdr, iface);
          *data = b + 28;
          return st;
        default:   /* PCAPNG_SPB: interface 0, no timestamp */
          if (len < 16)
            return pcap_ng_bad (r, "packet block has a length of %u",
                                len);
          {
            guint32 orig = pcap_get32 (b + 8, sw);
            st = pcap_ng_packet (r, 0, 0, MIN (orig, len - 16), orig, len - 16, hdr, iface);
          }
          *data = b + 12;
          return st;
        }
    }
}

/* Compiles the filter for an interface's link type, at its first packet. */
static G_GNUC_NO_INLINE gboolean
pcap_ng_compile (const PcapReader *r, PcapIface *ifc, guint id, GError **error)
{
  /* pcapng holds LINKTYPE_ values, libpcap compiles for DLT_ ones: they
   * differ for raw IP among the link types the decoder takes */
  int dlt = ifc->linktype == DP_LINK_RAW ? DLT_RAW : ifc->linktype;
  pcap_t *dead = pcap_open_dead (dlt, (int) ifc->snaplen);
  gboolean ok = dead && pcap_compile (dead, &ifc->prog, r->filter, 1, PCAP_NETMASK_UNKNOWN) == 0;
  if (ok)
    ifc->has_prog = ifc->compiled = TRUE;
  else
    g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FAILED,
                 "%s: filter '%s' does not apply to the link type %d of interface %u: %s",
                 r->path, r->filter, ifc->linktype, id, dead ? pcap_geterr (dead) : "out of memory");
  if (dead)
    pcap_close (dead);
  return ok;
}

static G_GNUC_NO_INLINE gboolean
pcap_ng_unsupported (DpStage *stage, const PcapReader *r, const PcapIface *ifc, guint id, GError **error)
{
  const char *lname = pcap_datalink_val_to_name (ifc->linktype);
  g_autofree char *where = pcap_where (r);
  return dp_stage_data_error (stage, error, "unsupported-link",
                              "%s: %s: link type %d%s%s%s of interface %u is not supported", r->path,
                              where, ifc->linktype, lname ? " (" : "", lname ? lname : "", lname ? ")" : "", id);
}

/* pcapng: fills @batch up to its capacity. */
PcapReadStatus
pcap_read_batch_ng (DpStage *stage, Pcap *self, PcapReader *r, DpPackets *batch, GError **error)
{
  struct pcap_pkthdr hdr;
  const guint8 *data = NULL;
  guint id = 0;
  while (batch->n_rows < batch->capacity)
    {
      PcapNext st = pcap_ng_next (r, &hdr, &data, &id);
      if (G_UNLIKELY (st != PCAP_NEXT_OK))
        {
          if (st == PCAP_NEXT_EOF)
            return PCAP_READ_EOF;
          return pcap_read_failed (stage, r, r->msg, error) ? PCAP_READ_EOF : PCAP_READ_ERROR;
        }
      r->n_read++;
      if (G_UNLIKELY (!pcap_split_mine (self)))
        continue;
      PcapIface *ifc = &g_array_index (r->ifaces, PcapIface, id);
      if (G_UNLIKELY (!ifc->supported))
        {
          if (!pcap_ng_unsupported (stage, r, ifc, id, error))
            return PCAP_READ_ERROR;
          if (G_UNLIKELY (self->split_end))
            return PCAP_READ_FULL;
          continue;
        }
      if (G_UNLIKELY (!ifc->compiled) && !pcap_ng_compile (r, ifc, id, error))
        return PCAP_READ_ERROR;
      if (!pcap_take (stage, self, r, ifc->linktype, ifc->has_prog ? &ifc->prog : NULL, &hdr, data,
                      batch, error))
        return PCAP_READ_ERROR;
      if (G_UNLIKELY (self->split_end))
        return PCAP_READ_FULL;
    }
  return PCAP_READ_FULL;
}
