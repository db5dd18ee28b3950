/* fuzz-decode.c — dp_decode_frame_flags on every link type: the first input
 * byte picks the link type, the second the tunnels to look through, the
 * rest is the captured frame. */
#include "config.h"

#include <string.h>

#include "dp-decode.h"
#include "fuzz.h"

static const int decode_links[] = {
  DP_LINK_NULL, DP_LINK_ETHERNET, DP_LINK_RAW, DP_LINK_RAW_DLT, DP_LINK_RAW_DLT2,
  DP_LINK_LOOP, DP_LINK_SLL, DP_LINK_SLL2, DP_LINK_IPV4, 147 /* unsupported */,
};

int
dp_fuzz_decode (const guint8 *data, size_t size)
{
  if (size < 2)
    return 0;
  int link = decode_links[data[0] % G_N_ELEMENTS (decode_links)];
  guint flags = data[1] & DP_DECODE_TUNNEL_ALL;
  /* a private copy of exactly the frame: ASan sees any read past caplen */
  guint32 caplen = (guint32) MIN (size - 2, (size_t) 262144);
  guint8 *frame = g_memdup2 (data + 2, caplen);
  DpPackets *out = dp_packets_new (1);
  gboolean l4_short = TRUE;
  DpDecodeResult r = dp_decode_frame_flags (link, flags, frame, caplen, 42, out, &l4_short);
  DP_FUZZ_CHECK ((guint) r < DP_DECODE_N_RESULTS);
  DP_FUZZ_CHECK (out->n_rows == (r == DP_DECODE_OK ? 1u : 0u));
  if (r == DP_DECODE_OK)
    {
      DP_FUZZ_CHECK (out->ts[0] == 42);
      DP_FUZZ_CHECK (out->ip_len[0] >= 20);
      DP_FUZZ_CHECK (!(out->l4[0] & DP_L4_TCP) || out->proto[0] == 6);
      DP_FUZZ_CHECK (!(out->l4[0] & DP_L4_ICMP) || out->proto[0] == 1 || out->proto[0] == 58);
      /* an IPv6 row's addresses are entries of the batch's map */
      gboolean v6 = dp_name_map_lookup_ip6 (out->names, out->src[0], NULL) != NULL;
      DP_FUZZ_CHECK (v6 == (dp_name_map_lookup_ip6 (out->names, out->dst[0], NULL) != NULL));
      DP_FUZZ_CHECK (!v6 || out->ip_len[0] >= 40);
      DP_FUZZ_CHECK (out->proto[0] != 58 || !(out->l4[0] & DP_L4_ICMP) || v6);
      DP_FUZZ_CHECK (!(out->l4[0] & DP_L4_PORTS) || out->proto[0] == 6 || out->proto[0] == 17);
      DP_FUZZ_CHECK (!l4_short || out->l4[0] == 0);
    }
  else
    DP_FUZZ_CHECK (strcmp (dp_decode_result_name (r), "unknown") != 0);
  /* a second frame into the same batch exercises the append path */
  dp_decode_frame_flags (link, flags, frame, caplen, 43, out, NULL);
  dp_batch_unref (out);
  g_free (frame);
  return 0;
}
