/* test_port_filter — the example filter under darkpipe's harness, as a
 * third party tests a plugin: no pipeline, batches in, batches out.
 * Run with DARKPIPE_PLUGIN_PATH set to the absolute directory of
 * port_filter.so (`make check` does). */
#include <darkpipe/darkpipe.h>
#include <darkpipe/dp-harness.h>
#include <string.h>

static DpPackets *
packets (const guint16 *dports, guint n)
{
  DpPackets *p = dp_packets_new (n);
  for (guint i = 0; i < n; i++)
    {
      guint r = dp_packets_append (p);
      p->ts[r] = (gint64) i * 1000000000;
      p->src[r] = 0x0a000001u + i;
      p->dst[r] = 0xc0000207u;
      p->proto[r] = 6;
      p->dport[r] = dports[i];
      p->l4[r] = DP_L4_PORTS | DP_L4_TCP;
    }
  return p;
}

static void
test_keeps_ports (void)
{
  GError *error = NULL;
  g_autoptr (DpHarness) h = dp_harness_new ("port_filter", "ports: [23, 2323]", &error);
  g_assert_no_error (error);
  const guint16 d[] = { 23, 80, 2323, 23, 443 };
  g_autoptr (DpPackets) in = packets (d, G_N_ELEMENTS (d));
  g_assert_true (dp_harness_push (h, 0, in, &error));
  g_assert_true (dp_harness_finish (h, &error));
  g_autoptr (DpPackets) out = dp_harness_packets (h, "packets");
  g_assert_cmpuint (out->n_rows, ==, 3);
  g_assert_cmpuint (out->dport[0], ==, 23);
  g_assert_cmpuint (out->dport[1], ==, 2323);
  g_assert_cmpuint (out->src[2], ==, 0x0a000004u);
  /* the input batch is borrowed: unchanged */
  g_assert_cmpuint (in->n_rows, ==, 5);
  g_assert_cmpuint (in->dport[1], ==, 80);
}

static void
test_limit_stops (void)
{
  GError *error = NULL;
  g_autoptr (DpHarness) h = dp_harness_new ("port_filter", "limit: 2", &error);
  g_assert_no_error (error);
  const guint16 d[] = { 1, 2, 3 };
  g_autoptr (DpPackets) in = packets (d, G_N_ELEMENTS (d));
  g_assert_cmpint (dp_harness_push_from (h, 0, "capture", in, &error), ==, DP_FLOW_STOP);
  g_autoptr (DpPackets) out = dp_harness_packets (h, "packets");
  g_assert_cmpuint (out->n_rows, ==, 2);
}

static void
test_bad_port (void)
{
  GError *error = NULL;
  DpHarness *h = dp_harness_new ("port_filter", "ports: [23, telnet]", &error);
  g_assert_null (h);
  g_assert_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_RANGE);
  g_assert_nonnull (strstr (error->message, "'telnet' is not a port number"));
  g_error_free (error);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/port_filter/keeps-ports", test_keeps_ports);
  g_test_add_func ("/port_filter/limit-stops", test_limit_stops);
  g_test_add_func ("/port_filter/bad-port", test_bad_port);
  return g_test_run ();
}
