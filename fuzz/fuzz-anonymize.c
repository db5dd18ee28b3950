/* fuzz-anonymize.c — the key-file parser of the anonymize plugin (read at
 * init), then addresses through the key it found, forward and back.  A bad
 * key file is a whole-file error: no stage, a message naming the file and
 * never the key; a good one must give a bijection (reverse undoes it). */
#include "config.h"

#include <string.h>

#include "fuzz.h"

DP_FUZZ_DECLARE_PLUGIN (anonymize);

#define FUZZ_KEY_MAX 8192

#define FUZZ_V4_ROWS 48
#define FUZZ_V6_ROWS 16

/* Addresses from every class, the telescope's edges and the input's
 * bytes; then IPv6 addresses and prefixes (keys of a name map, some in the
 * IPv6 telescope) and a pseudonym. */
static DpPackets *
fuzz_anonymize_packets (const guint8 *data, size_t size)
{
  DpPackets *p = dp_packets_new (64);
  for (guint i = 0; i < FUZZ_V4_ROWS; i++)
    {
      guint r = dp_packets_append (p);
      guint32 x = 0x9e3779b9u * (i + 1);
      for (size_t k = 0; k < 4 && size > 0; k++)
        x ^= (guint32) data[(i * 4 + k) % size] << (8 * k);
      p->src[r] = x;
      p->dst[r] = i < 16 ? 0xc6336400u + i * 17 : (i < 20 ? 0xfff00000u + i : x ^ 0x80000000u);
      p->proto[r] = 6;
      p->l4[r] = DP_L4_PORTS | DP_L4_TCP;
    }
  DpNameMap *m = dp_name_map_new ();
  for (guint i = 0; i < FUZZ_V6_ROWS; i++)
    {
      guint r = dp_packets_append (p);
      guint8 a[16];
      for (guint k = 0; k < 16; k++)
        a[k] = size > 0 ? data[(i * 16 + k) % size] ^ (guint8) (i * 37 + k) : (guint8) i;
      if (i < 4)
        a[0] = 0x20, a[1] = 0x01, a[2] = 0x0d, a[3] = 0xb8;   /* 2001:db8::/32 */
      guint plen = i % 5 == 4 ? (guint) (a[15] % 129) : 128;
      DP_FUZZ_CHECK (dp_name_map_intern_ip6 (m, a, plen, &p->src[r]));
      p->dst[r] = i % 2 ? dp_name_map_intern (m, "src_ipaddr1") : p->src[r];
    }
  dp_packets_set_names (p, m);
  dp_name_map_unref (m);
  return p;
}

static DpPackets *
fuzz_anonymize_run (const char *opts, const DpPackets *in)
{
  GError *error = NULL;
  DpHarness *h = DP_FUZZ_HARNESS (anonymize, opts, &error);
  DP_FUZZ_CHECK (h != NULL);
  DP_FUZZ_CHECK (dp_harness_push (h, 0, (gpointer) in, &error));
  DP_FUZZ_CHECK (dp_harness_finish (h, &error));
  DpPackets *out = dp_harness_packets (h, "packets");
  DP_FUZZ_CHECK (out != NULL && out->n_rows == in->n_rows);
  dp_harness_free (h);
  return out;
}

int
dp_fuzz_anonymize (const guint8 *data, size_t size)
{
  if (size > FUZZ_KEY_MAX)
    return 0;
  const char *path = dp_fuzz_write_temp ("anonymize.key", data, size);
  /* odd sizes: a telescope whose host bits are remapped; even: plain */
  g_autofree char *opts = g_strdup_printf ("key_file: '%s'\ncache_size: %u\nipv6_pass_bits: %u\n%s", path,
                                           (guint) (size % 3) * 8, (guint) (size % 7) * 9,
                                           (size & 1) ? "telescope: [198.51.100.0/24, '2001:db8::/32']\n" : "");
  GError *error = NULL;
  DpHarness *h = DP_FUZZ_HARNESS (anonymize, opts, &error);
  if (h == NULL)
    {
      dp_fuzz_file_refused (error, path);
      return 0;
    }
  dp_harness_free (h);
  g_autoptr (DpPackets) in = fuzz_anonymize_packets (data, size);
  g_autoptr (DpPackets) out = fuzz_anonymize_run (opts, in);
  g_autofree char *ropts = g_strdup_printf ("%sreverse: true\n", opts);
  g_autoptr (DpPackets) back = fuzz_anonymize_run (ropts, out);
  for (guint i = FUZZ_V4_ROWS; i < in->n_rows; i++)
    {
      /* IPv6: the same bytes back, the same prefix length; pseudonyms as they were */
      guint pl_in = 0, pl_back = 0;
      const guint8 *a = dp_name_map_lookup_ip6 (in->names, in->src[i], &pl_in);
      const guint8 *b = dp_name_map_lookup_ip6 (back->names, back->src[i], &pl_back);
      DP_FUZZ_CHECK (a != NULL && b != NULL && pl_in == pl_back && memcmp (a, b, 16) == 0);
      DP_FUZZ_CHECK (dp_name_map_lookup_ip6 (out->names, out->src[i], NULL) != NULL);
      DP_FUZZ_CHECK (strcmp (dp_name_map_lookup (back->names, back->dst[i]),
                             dp_name_map_lookup (in->names, in->dst[i])) == 0);
    }
  for (guint i = 0; i < FUZZ_V4_ROWS; i++)
    {
      /* a value that happens to be a key of the map is an entry: its
       * token comes back (keys are renumbered), not its number */
      const char *ts = dp_name_map_lookup (in->names, in->src[i]), *td = dp_name_map_lookup (in->names, in->dst[i]);
      if (ts)
        DP_FUZZ_CHECK (strcmp (ts, dp_name_map_lookup (back->names, back->src[i])) == 0);
      else
        DP_FUZZ_CHECK (back->src[i] == in->src[i]);
      if (td)
        DP_FUZZ_CHECK (strcmp (td, dp_name_map_lookup (back->names, back->dst[i])) == 0);
      else
        DP_FUZZ_CHECK (back->dst[i] == in->dst[i]);
      if (ts || (i > 0 && dp_name_map_lookup (in->names, in->src[i - 1])))
        continue;
      /* 240.0.0.0/4 passes whole, and prefixes are kept */
      if ((in->src[i] >> 28) == 0xf)
        DP_FUZZ_CHECK (out->src[i] == in->src[i]);
      if (i > 0 && in->src[i] != in->src[i - 1])
        DP_FUZZ_CHECK (__builtin_clz (in->src[i] ^ in->src[i - 1]) == __builtin_clz (out->src[i] ^ out->src[i - 1]));
    }
  return 0;
}
