/* dp-test.c — helpers shared by the test programs. */
#include "config.h"
#include <string.h>
#include <glib/gstdio.h>
#include "dp-test.h"

char *
dp_test_shared (const char *rel)
{
  const char *dir = g_getenv ("DP_SHARED_DIR");
  g_autofree char *path = g_build_filename (dir ? dir : "../shared", rel, NULL);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_autofree char *msg = g_strdup_printf ("shared data %s not present", path);
      g_test_skip (msg);
      return NULL;
    }
  return g_steal_pointer (&path);
}

char *
dp_test_data (const char *rel)
{
  return g_test_build_filename (G_TEST_DIST, "data", rel, NULL);
}

char *
dp_test_tmpdir (void)
{
  GError *error = NULL;
  char *dir = g_dir_make_tmp ("darkpipe-test-XXXXXX", &error);
  g_assert_no_error (error);
  return dir;
}

void
dp_test_rmtree (const char *path)
{
  if (path == NULL)
    return;
  GDir *d = g_dir_open (path, 0, NULL);
  if (d)
    {
      const char *name;
      while ((name = g_dir_read_name (d)))
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
            dp_test_rmtree (child);
          else
            g_unlink (child);
        }
      g_dir_close (d);
    }
  g_rmdir (path);
}

char *
dp_test_read_file (const char *path, gsize *len)
{
  char *contents = NULL;
  GError *error = NULL;
  g_file_get_contents (path, &contents, len, &error);
  g_assert_no_error (error);
  return contents;
}

gint64
dp_test_epoch_ns (const char *s)
{
  g_auto (GStrv) parts = g_strsplit (s, ".", 2);
  const gint64 giga = G_GINT64_CONSTANT (1000000000);
  gint64 sec = 0, frac = 0;
  g_autoptr (GError) error = NULL;
  g_ascii_string_to_signed (parts[0], 10, G_MININT64 / giga, G_MAXINT64 / giga, &sec, &error);
  g_assert_no_error (error);
  if (parts[1] && parts[1][0])
    {
      g_assert_cmpuint (strspn (parts[1], "0123456789"), ==, strlen (parts[1]));
      char digits[10] = "000000000";
      memcpy (digits, parts[1], MIN (strlen (parts[1]), 9));
      g_ascii_string_to_signed (digits, 10, 0, giga - 1, &frac, &error);
      g_assert_no_error (error);
    }
  return sec * giga + frac;
}

/* One fixture row into row @n of @fx. */
static void
dp_test_knn_row (DpTestKnnFixture *fx, guint n, const char *line)
{
  g_auto (GStrv) f = g_strsplit (line, ",", -1);
  g_assert_cmpuint (g_strv_length (f), ==, 2 + DP_TEST_KNN_DIM);
  g_assert_true (dp_ipv4_parse (f[0], &fx->ip[n]));
  fx->label[n] = g_intern_string (f[1]);
  for (guint d = 0; d < DP_TEST_KNN_DIM; d++)
    {
      char *end = NULL;
      double x = g_ascii_strtod (f[2 + d], &end);
      g_assert_true (end != f[2 + d] && *end == '\0');
      fx->v[n * DP_TEST_KNN_DIM + d] = (float) x;
    }
}

void
dp_test_knn_fixture (DpTestKnnFixture *fx)
{
  g_autofree char *path = dp_test_data ("eval/knn-fixture.csv");
  g_autofree char *text = dp_test_read_file (path, NULL);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  guint n = 0;
  for (guint i = 1; lines[i] && *lines[i]; i++, n++)
    {
      g_assert_cmpuint (n, <, DP_TEST_KNN_N);
      dp_test_knn_row (fx, n, lines[i]);
    }
  g_assert_cmpuint (n, ==, DP_TEST_KNN_N);
}

void
dp_test_bad_option (const char *plugin, const char *yaml, gint code)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (DpHarness) h = dp_harness_new (plugin, yaml, &error);
  g_test_message ("%s: %s: %s", plugin, yaml ? yaml : "(no options)",
                  error ? error->message : "(accepted)");
  g_assert_null (h);
  g_assert_error (error, DP_CONFIG_ERROR, code);
}

guint
dp_test_add_packet (DpPackets *p, gint64 ts_ns, guint32 src, guint32 dst,
                    guint8 proto, guint16 sport, guint16 dport, guint8 tcp_flags)
{
  guint r = dp_packets_append (p);
  p->ts[r] = ts_ns;
  p->src[r] = src;
  p->dst[r] = dst;
  p->proto[r] = proto;
  p->ttl[r] = 64;
  p->ip_len[r] = 40;
  if (proto == 6 || proto == 17)
    {
      p->sport[r] = sport;
      p->dport[r] = dport;
      p->l4[r] = DP_L4_PORTS;
      if (proto == 6)
        {
          p->tcp_flags[r] = tcp_flags;
          p->l4[r] |= DP_L4_TCP;
        }
    }
  else if (proto == 1)
    {
      p->icmp_type[r] = (guint8) sport;
      p->icmp_code[r] = (guint8) dport;
      p->l4[r] = DP_L4_ICMP;
    }
  return r;
}
