/* test-names.c — name maps: pseudonyms and IPv6 entries, their keys, the
 * RFC 5952 text of IPv6 addresses, and lookups while another thread
 * interns. */
#include "config.h"

#include <string.h>
#include <arpa/inet.h>
#include "dp-test.h"

/* RFC 5952 section 4 examples and the corner cases around them. */
static void
test_ip6_format (void)
{
  static const struct { const char *in, *out; } cases[] = {
    { "2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1" },
    { "2001:DB8::1", "2001:db8::1" },                        /* 4.3: lower case */
    { "2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1" },         /* 4.2.3: the first of equal runs */
    { "2001:0:0:1:0:0:0:1", "2001:0:0:1::1" },              /* 4.2.3: the longest run */
    { "2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1" },      /* 4.2.2: one zero group stays */
    { "2001:db8::", "2001:db8::" },
    { "::", "::" },
    { "::1", "::1" },
    { "0:0:0:0:0:ffff:c000:0201", "::ffff:192.0.2.1" },      /* section 5: mapped addresses */
    { "fe80:0:0:0:0:0:0:0", "fe80::" },
    { "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      guint8 a[16];
      char buf[64];
      g_assert_true (dp_ip6_parse (cases[i].in, a));
      g_assert_cmpstr (dp_ip6_format (a, 128, buf), ==, cases[i].out);
    }
  guint8 a[16];
  guint plen = 0;
  char buf[64];
  g_assert_true (dp_ip6_parse_prefix ("2001:db8:ab:cd:1:2:3:4/48", a, &plen));
  g_assert_cmpuint (plen, ==, 48);
  g_assert_cmpstr (dp_ip6_format (a, plen, buf), ==, "2001:db8:ab::/48");
  g_assert_true (dp_ip6_parse_prefix ("2001:db8::1", a, &plen));
  g_assert_cmpuint (plen, ==, 128);
  g_assert_true (dp_ip6_parse_prefix ("::/0", a, &plen));
  g_assert_cmpstr (dp_ip6_format (a, plen, buf), ==, "::/0");
  g_assert_true (dp_ip6_parse_prefix ("2001:db8::ff/127", a, &plen));
  g_assert_cmpstr (dp_ip6_format (a, plen, buf), ==, "2001:db8::fe/127");
  static const char *const bad[] = {
    "", "1.2.3.4", "2001:db8::1%eth0", "[2001:db8::1]", "2001:db8::1 ", "2001:db8:::1",
    "2001:db8::/129", "2001:db8::/032", "2001:db8::/", "2001:db8::/-1", "2001:db8::/+8",
    "/64", "12345::1", "g::1", "src_ipaddr1",
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_test_message ("refused: '%s'", bad[i]);
      g_assert_false (dp_ip6_parse_prefix (bad[i], a, &plen));
    }
  g_assert_false (dp_ip6_parse ("2001:db8::/64", a));
}

/* Random addresses with runs of zero groups: the text reads back to the
 * same bytes, is lower case, and uses "::" once, never for a lone zero. */
static void
test_ip6_round_trip (void)
{
  for (guint i = 0; i < 20000; i++)
    {
      guint8 a[16], b[16];
      for (guint g = 0; g < 8; g++)
        {
          guint16 v = g_test_rand_bit () ? 0 : (guint16) g_test_rand_int_range (0, 65536);
          a[2 * g] = (guint8) (v >> 8);
          a[2 * g + 1] = (guint8) v;
        }
      char buf[64];
      dp_ip6_format (a, 128, buf);
      g_assert_true (dp_ip6_parse (buf, b));
      g_assert_cmpmem (a, 16, b, 16);
      for (const char *c = buf; *c; c++)
        g_assert_false (g_ascii_isupper (*c));
      const char *dc = strstr (buf, "::");
      if (dc)
        {
          g_assert_null (strstr (dc + 1, "::"));
          /* the groups it stands for: 8 minus the groups written */
          guint written = 0;
          for (const char *c = buf; *c; c++)
            written += *c != ':' && (c == buf || c[-1] == ':');
          if (strchr (buf, '.'))
            written++;   /* a dotted tail is two groups, counted once above */
          g_assert_cmpuint (8 - written, >=, 2);
        }
    }
}

static void
test_map_kinds (void)
{
  g_autoptr (DpNameMap) m = dp_name_map_new ();
  guint32 p1 = dp_name_map_intern (m, "src_ipaddr1");
  guint8 a[16];
  g_assert_true (dp_ip6_parse ("2001:db8::1", a));
  guint32 k1;
  g_assert_true (dp_name_map_intern_ip6 (m, a, 128, &k1));
  g_assert_cmphex (p1, ==, DP_NAME_BASE);
  g_assert_cmphex (k1, ==, DP_NAME_BASE + 1);
  /* the text of an address, in any spelling, is the same entry */
  g_assert_cmphex (dp_name_map_intern (m, "2001:0DB8:0::1"), ==, k1);
  g_assert_cmpstr (dp_name_map_lookup (m, k1), ==, "2001:db8::1");
  g_assert_null (dp_name_map_lookup_ip6 (m, p1, NULL));
  g_assert_cmpstr (dp_name_map_lookup (m, p1), ==, "src_ipaddr1");
  /* a prefix is its own entry; its bits past the length do not matter */
  guint32 k48, k48b;
  g_assert_true (dp_name_map_intern_ip6 (m, a, 48, &k48));
  a[15] = 99;
  g_assert_true (dp_name_map_intern_ip6 (m, a, 48, &k48b));
  g_assert_cmphex (k48, ==, k48b);
  g_assert_cmphex (k48, !=, k1);
  guint plen = 0;
  const guint8 *b = dp_name_map_lookup_ip6 (m, k48, &plen);
  g_assert_nonnull (b);
  g_assert_cmpuint (plen, ==, 48);
  g_assert_cmpuint (b[15], ==, 0);
  g_assert_cmpstr (dp_name_map_lookup (m, k48), ==, "2001:db8::/48");
  g_assert_cmphex (dp_name_map_intern (m, "2001:db8:0:5::/48"), ==, k48);
  g_assert_false (dp_name_map_intern_ip6 (m, a, 129, &k48));
  /* keys not handed out, or below the range, are nobody's */
  g_assert_null (dp_name_map_lookup (m, DP_NAME_BASE + 3));
  g_assert_null (dp_name_map_lookup (m, DP_TEST_IP (10, 0, 0, 1)));
  g_assert_cmpuint (dp_name_map_size (m), ==, 3);
  char buf[64];
  g_assert_cmpstr (dp_ipv4_format (k1, m, buf), ==, "2001:db8::1");
  g_assert_cmpstr (dp_ipv4_format (DP_TEST_IP (10, 0, 0, 1), m, buf), ==, "10.0.0.1");
}

/* Many entries cross segment bounds; every key keeps its entry. */
static void
test_map_many (void)
{
  g_autoptr (DpNameMap) m = dp_name_map_new ();
  const guint n = 300000;
  for (guint i = 0; i < n; i++)
    {
      guint8 a[16] = { 0x20, 0x01, 0x0d, 0xb8 };
      a[12] = (guint8) (i >> 24); a[13] = (guint8) (i >> 16); a[14] = (guint8) (i >> 8); a[15] = (guint8) i;
      guint32 k;
      g_assert_true (dp_name_map_intern_ip6 (m, a, 128, &k));
      g_assert_cmphex (k, ==, DP_NAME_BASE + i);
    }
  for (guint i = 0; i < n; i += 997)
    {
      const guint8 *a = dp_name_map_lookup_ip6 (m, DP_NAME_BASE + i, NULL);
      g_assert_nonnull (a);
      g_assert_cmpuint (((guint) a[13] << 16) | ((guint) a[14] << 8) | a[15], ==, i);
    }
  g_assert_cmpuint (dp_name_map_size (m), ==, n);
}

typedef struct {
  DpNameMap *m;
  gint published;   /* keys handed out so far, for the reader */
  gint done;
} Race;

static gpointer
race_writer (gpointer data)
{
  Race *r = data;
  for (guint i = 0; i < 200000; i++)
    {
      guint8 a[16] = { 0xfd };
      memcpy (a + 12, &i, 4);
      guint32 k;
      g_assert_true (dp_name_map_intern_ip6 (r->m, a, 128, &k));
      g_atomic_int_set (&r->published, (gint) (k - DP_NAME_BASE + 1));
    }
  g_atomic_int_set (&r->done, 1);
  return NULL;
}

/* A reader holding keys the writer handed out sees whole entries while the
 * writer goes on interning (run under the sanitizers and valgrind). */
static void
test_map_concurrent (void)
{
  Race r = { .m = dp_name_map_new () };
  GThread *w = g_thread_new ("writer", race_writer, &r);
  guint checked = 0;
  while (!g_atomic_int_get (&r.done) || checked < 1000)
    {
      guint n = (guint) g_atomic_int_get (&r.published);
      if (n == 0)
        continue;
      guint i = (guint) g_test_rand_int_range (0, (gint32) n);
      const guint8 *a = dp_name_map_lookup_ip6 (r.m, DP_NAME_BASE + i, NULL);
      g_assert_nonnull (a);
      guint v;
      memcpy (&v, a + 12, 4);
      g_assert_cmpuint (v, ==, i);
      g_assert_nonnull (dp_name_map_lookup (r.m, DP_NAME_BASE + i));
      checked++;
    }
  g_thread_join (w);
  dp_name_map_unref (r.m);
}

/* Vocabularies read IPv6 tokens (word2vec files, text corpora) as
 * address tokens and print them back canonical. */
static void
test_vocab_tokens (void)
{
  g_autoptr (DpVocab) v = dp_vocab_new ();
  guint64 k1, k2, k3;
  g_assert_true (dp_vocab_parse_token (v, "2001:DB8:0::1", &k1));
  g_assert_true (dp_vocab_parse_token (v, "2001:db8::1", &k2));
  g_assert_true (dp_vocab_parse_token (v, "src_ipaddr3", &k3));
  g_assert_cmpuint (DP_TOKEN_KIND (k1), ==, DP_TOK_IP);
  g_assert_cmphex (k1, ==, k2);
  g_assert_cmpuint (DP_TOKEN_KIND (k3), ==, DP_TOK_IP);
  g_assert_cmphex (k1, !=, k3);
  guint id = dp_vocab_add (v, k1);
  g_autoptr (GString) s = g_string_new (NULL);
  dp_vocab_format (v, id, s);
  g_assert_cmpstr (s->str, ==, "2001:db8::1");
  /* a port token is not mistaken for an address, nor an address for a port */
  guint64 kp;
  g_assert_true (dp_vocab_parse_token (v, "23/tcp", &kp));
  g_assert_cmpuint (DP_TOKEN_KIND (kp), ==, DP_TOK_PORT);
  g_assert_true (dp_vocab_parse_token (v, "::23", &kp));
  g_assert_cmpuint (DP_TOKEN_KIND (kp), ==, DP_TOK_IP);
}

/* IPv4 addresses print as inet_ntop prints them: dp_ipv4_format,
 * dp_ipv4_put (ending where the text does) and table cells. */
static void
test_ipv4_format (void)
{
  char buf[64], want[INET_ADDRSTRLEN], put[16];
  g_autoptr (DpTable) t = dp_table_new ("a");
  guint c = dp_table_add_column (t, "a", DP_COL_IPV4);
  dp_table_append_row (t);
  g_autoptr (GString) cell = g_string_new (NULL);
  for (guint i = 0; i < 100000; i++)
    {
      guint32 a = i == 0 ? 0 : i == 1 ? G_MAXUINT32 : i == 2 ? 0x010a6400u : (guint32) g_test_rand_int ();
      guint32 be = g_htonl (a);
      g_assert_nonnull (inet_ntop (AF_INET, &be, want, sizeof want));
      g_assert_cmpstr (dp_ipv4_format (a, NULL, buf), ==, want);
      g_assert_cmpint (dp_ipv4_put (put, a) - put, ==, (gssize) strlen (want));
      g_assert_cmpmem (put, strlen (want), want, strlen (want));
      t->cols[c].ip[0] = a;
      g_string_truncate (cell, 0);
      dp_table_format_cell (t, c, 0, cell);
      g_assert_cmpstr (cell->str, ==, want);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/names/ip6-format", test_ip6_format);
  g_test_add_func ("/core/names/ip6-round-trip", test_ip6_round_trip);
  g_test_add_func ("/core/names/kinds", test_map_kinds);
  g_test_add_func ("/core/names/many", test_map_many);
  g_test_add_func ("/core/names/concurrent", test_map_concurrent);
  g_test_add_func ("/core/names/vocab-tokens", test_vocab_tokens);
  g_test_add_func ("/core/names/ipv4-format", test_ipv4_format);
  return g_test_run ();
}
