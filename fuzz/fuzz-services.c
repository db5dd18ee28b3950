/* fuzz-services.c — darkvec_corpus's port/protocol → service map
 * (services_path, read at init), then a few packets through the languages
 * it defines.  A bad map is a whole-file error: no stage, a message. */
#include "config.h"

#include "fuzz.h"

DP_FUZZ_DECLARE_PLUGIN (darkvec_corpus);

/* Ports and protocols that hit the map's usual entries and its gaps. */
static DpPackets *
fuzz_services_packets (void)
{
  static const guint16 ports[] = { 22, 23, 80, 137, 445, 1024, 5060, 49152, 65535 };
  static const guint8 protos[] = { 6, 17, 1, 47 };
  DpPackets *p = dp_packets_new (64);
  for (guint i = 0; i < 36; i++)
    {
      guint r = dp_packets_append (p);
      p->ts[r] = (gint64) (i / 4) * G_GINT64_CONSTANT (1000000000) * 600;
      p->src[r] = 0xc0000200u + i % 5;
      p->dst[r] = 0xc6336400u + i;
      p->proto[r] = protos[i % G_N_ELEMENTS (protos)];
      p->dport[r] = ports[i % G_N_ELEMENTS (ports)];
      p->sport[r] = 40000;
      p->l4[r] = p->proto[r] == 1 ? DP_L4_ICMP : p->proto[r] == 47 ? 0 : DP_L4_PORTS;
    }
  return p;
}

int
dp_fuzz_services (const guint8 *data, size_t size)
{
  if (size > 65536)
    return 0;
  const char *path = dp_fuzz_write_temp ("services.txt", data, size);
  g_autofree char *opts = g_strdup_printf ("services_path: '%s'\nmin_packets: 1\nlanguages: %s\n", path,
                                           (size & 1) ? "hybrid" : "services");
  GError *error = NULL;
  DpHarness *h = DP_FUZZ_HARNESS (darkvec_corpus, opts, &error);
  DP_FUZZ_CHECK ((h == NULL) == (error != NULL));
  if (h == NULL)
    {
      DP_FUZZ_CHECK (error->message && *error->message);
      g_error_free (error);
      return 0;
    }
  DpPackets *p = fuzz_services_packets ();
  gboolean ok = dp_harness_push (h, 0, p, &error) && dp_harness_finish (h, &error);
  DP_FUZZ_CHECK (ok == (error == NULL));
  /* every packet becomes a token of some language */
  if (ok)
    DP_FUZZ_CHECK (dp_harness_output (h, "corpus") != NULL);
  g_clear_error (&error);
  dp_batch_unref (p);
  dp_harness_free (h);
  return 0;
}
