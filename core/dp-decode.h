/* dp-decode.h — bounds-checked decoding of one captured frame into one row
 * of a DpPackets batch.  Shared by the pcap source and the fuzz targets. */
#pragma once

#include "dp-api.h"

#include <glib.h>
#include "dp-batch.h"

G_BEGIN_DECLS

/* Link types (the DLT_/LINKTYPE_ values that matter here). */
#define DP_LINK_NULL     0    /* BSD loopback, 4-byte host-order family */
#define DP_LINK_ETHERNET 1
#define DP_LINK_RAW      101  /* LINKTYPE_RAW */
#define DP_LINK_RAW_DLT  12   /* DLT_RAW on some BSDs */
#define DP_LINK_RAW_DLT2 14   /* DLT_RAW on OpenBSD */
#define DP_LINK_LOOP     108  /* OpenBSD loopback, network-order family */
#define DP_LINK_SLL      113
#define DP_LINK_SLL2     276
#define DP_LINK_IPV4     228

typedef enum {
  DP_DECODE_OK = 0,
  DP_DECODE_NOT_IP,          /* ARP, LLDP, …: counted and skipped */
  DP_DECODE_SHORT,           /* frame shorter than its headers (snap length or truncation) */
  DP_DECODE_BAD_HEADER,      /* IP header invalid (version, IHL, total length) */
  DP_DECODE_UNSUPPORTED_LINK,
  DP_DECODE_IPV6_EXT_LIMIT,  /* more than DP_DECODE_MAX_EXT IPv6 extension headers */
  DP_DECODE_IPV6_BAD_EXT,    /* an extension header past the payload, misplaced or repeated */
  DP_DECODE_TUNNEL_LIMIT,    /* tunnels nested deeper than DP_DECODE_MAX_TUNNELS */
  DP_DECODE_NAME_FULL,       /* the batch's name map has no key left for an IPv6 address */
  DP_DECODE_CLASS_E,         /* an IPv4 240.0.0.0/4 address in a batch that carries IPv6 */
  DP_DECODE_N_RESULTS
} DpDecodeResult;

/** Bound on the IPv6 extension-header chain walked per packet. */
#define DP_DECODE_MAX_EXT 8
/** Bound on nested tunnels looked through per packet. */
#define DP_DECODE_MAX_TUNNELS 4

/* Tunnels dp_decode_frame_flags looks through when asked (bits of its
 * @flags); the outer packet is what a row describes otherwise. */
#define DP_DECODE_TUNNEL_4IN4 0x01u   /* IPv4 protocol 4 */
#define DP_DECODE_TUNNEL_6IN4 0x02u   /* IPv4 protocol 41 (6in4, 6to4, 6rd) */
#define DP_DECODE_TUNNEL_4IN6 0x04u   /* IPv6 next header 4 */
#define DP_DECODE_TUNNEL_6IN6 0x08u   /* IPv6 next header 41 */
#define DP_DECODE_TUNNEL_GRE  0x10u   /* GRE version 0 carrying IP, Ethernet or ERSPAN II */
#define DP_DECODE_TUNNEL_ALL  0x1fu

/** Short category name used in counters: "ok", "non-ip", "short",
 * "bad-header", "unsupported-link", "ipv6-ext-limit", "ipv6-bad-ext",
 * "tunnel-limit", "address-table-full", "class-e-address" ("unknown" for a
 * value out of range).  Returns (transfer none) a static string, never
 * NULL.  Thread-safe. */
DP_API const char *dp_decode_result_name (DpDecodeResult r);

/** Decodes @frame (@caplen bytes captured) of @linktype, timestamp @ts_ns,
 * into a new row of @out, as dp_decode_frame_flags with no tunnels looked
 * through. */
DP_API DpDecodeResult dp_decode_frame (int linktype, const guint8 *frame, guint32 caplen,
                                       gint64 ts_ns, DpPackets *out, gboolean *l4_short);

/** Decodes @frame (@caplen bytes captured) of @linktype, timestamp @ts_ns,
 * into a new row of @out, looking through the tunnels named by @flags
 * (DP_DECODE_TUNNEL_*): then the row describes the innermost packet.
 * IPv4 and IPv6 are decoded; an IPv6 packet's addresses are interned into
 * @out's name map (created when @out has none: a source that fills several
 * batches gives them all the same map, so keys stay the same), and in a
 * batch with a name map an IPv4 packet from or to 240.0.0.0/4 (but
 * 255.255.255.255) is refused as DP_DECODE_CLASS_E rather than risk
 * meaning an IPv6 address.  On anything but DP_DECODE_OK no row is added.
 * A packet whose IP header is complete but whose L4 header is cut short is
 * kept without L4 fields (DP_L4_* bits clear) and reported as DP_DECODE_OK;
 * *@l4_short (nullable) tells the caller so it can count it.
 * @frame (transfer none: only read, never past @caplen bytes) and @out
 * (not NULL) are the caller's; the row written has every column set, so a
 * refilled batch needs nothing more.  Keeps no state: several threads may
 * decode at once, each into its own batch. */
DP_API DpDecodeResult dp_decode_frame_flags (int linktype, guint flags, const guint8 *frame,
                                             guint32 caplen, gint64 ts_ns, DpPackets *out,
                                             gboolean *l4_short);

G_END_DECLS
