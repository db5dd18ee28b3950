#include "config.h"
#include "dp-decode.h"
/* placeholder: the decoder lands with the pcap source */
const char *dp_decode_result_name (DpDecodeResult r) { (void) r; return "unknown"; }
DpDecodeResult dp_decode_frame (int linktype, const guint8 *frame, guint32 caplen, gint64 ts_ns, DpPackets *out, gboolean *l4_short)
{ (void) linktype; (void) frame; (void) caplen; (void) ts_ns; (void) out; if (l4_short) *l4_short = FALSE; return DP_DECODE_UNSUPPORTED_LINK; }
