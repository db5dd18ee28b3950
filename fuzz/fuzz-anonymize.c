/* fuzz-anonymize.c — the key-file parser of the anonymize plugin (read at
 * init), then addresses through the key it found, forward and back.  A bad
 * key file is a whole-file error: no stage, a message naming the file and
 * never the key; a good one must give a bijection (reverse undoes it). */
#include "config.h"

#include <string.h>

#include "fuzz.h"

DP_FUZZ_DECLARE_PLUGIN (anonymize);

#define FUZZ_KEY_MAX 8192

/* Addresses from every class, the telescope's edges and the input's bytes. */
static DpPackets *
fuzz_anonymize_packets (const guint8 *data, size_t size)
{
  DpPackets *p = dp_packets_new (64);
  for (guint i = 0; i < 48; i++)
    {
      guint r = dp_packets_append (p);
      guint32 x = 0x9e3779b9u * (i + 1);
      for (size_t k = 0; k < 4 && size > 0; k++)
        x ^= (guint32) data[(i * 4 + k) % size] << (8 * k);
      p->src[r] = x;
      p->dst[r] = i < 16 ? 0xc6336400u + i * 17 : (i < 20 ? 0xf0000000u + i : x ^ 0x80000000u);
      p->proto[r] = 6;
      p->l4[r] = DP_L4_PORTS | DP_L4_TCP;
    }
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
  g_autofree char *opts = g_strdup_printf ("key_file: '%s'\ncache_size: %u\n%s", path, (guint) (size % 3) * 8,
                                           (size & 1) ? "telescope: [198.51.100.0/24]\n" : "");
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
  for (guint i = 0; i < in->n_rows; i++)
    {
      DP_FUZZ_CHECK (back->src[i] == in->src[i]);
      DP_FUZZ_CHECK (back->dst[i] == in->dst[i]);
      /* 240.0.0.0/4 passes whole, and prefixes are kept */
      if ((in->src[i] >> 28) == 0xf)
        DP_FUZZ_CHECK (out->src[i] == in->src[i]);
      if (i > 0 && in->src[i] != in->src[i - 1])
        DP_FUZZ_CHECK (__builtin_clz (in->src[i] ^ in->src[i - 1]) == __builtin_clz (out->src[i] ^ out->src[i - 1]));
    }
  return 0;
}
