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
  DP_DECODE_NOT_IPV4,        /* IPv6, ARP, …: counted and skipped */
  DP_DECODE_SHORT,           /* frame shorter than its headers (snap length or truncation) */
  DP_DECODE_BAD_HEADER,      /* IPv4 header invalid (version, IHL, total length) */
  DP_DECODE_UNSUPPORTED_LINK,
  DP_DECODE_N_RESULTS
} DpDecodeResult;

/** Short category name used in counters: "ok", "non-ipv4", "short",
 * "bad-header", "unsupported-link" ("unknown" for a value out of range).
 * Returns (transfer none) a static string, never NULL.  Thread-safe. */
DP_API const char *dp_decode_result_name (DpDecodeResult r);

/** Decodes @frame (@caplen bytes captured) of @linktype, timestamp @ts_ns,
 * into a new row of @out.  On anything but DP_DECODE_OK no row is added.
 * A packet whose IP header is complete but whose L4 header is cut short is
 * kept without L4 fields (DP_L4_* bits clear) and reported as DP_DECODE_OK;
 * *@l4_short (nullable) tells the caller so it can count it.
 * @frame (transfer none: only read, never past @caplen bytes) and @out
 * (not NULL) are the caller's; the row written has every column set, so a
 * refilled batch needs nothing more.  Keeps no state: several threads may
 * decode at once, each into its own batch. */
DP_API DpDecodeResult dp_decode_frame (int linktype, const guint8 *frame, guint32 caplen,
                                       gint64 ts_ns, DpPackets *out, gboolean *l4_short);

G_END_DECLS
