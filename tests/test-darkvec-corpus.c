/* test-darkvec-corpus.c — the DarkVec corpus builder on hand-made packets:
 * exact sentences for every language mode, the activity filter boundary,
 * dedup, truncate/split, bucket boundaries and time zones, text output. */
#include "config.h"

#include <string.h>
#include "dp-test.h"

#define H(s) DP_TEST_SEC (s)
#define IP(i) DP_TEST_IP (10, 0, 0, i)
#define DST DP_TEST_IP (192, 0, 2, 1)

/* service ids in the shipped services.txt: order of first mention */
enum { FTP, TELNET, P2P, SMB, MAIL, DBS, HTTP, SSH, NETBIOS, PROXY, DNS, KERBEROS,
       UNK_SYS, UNK_USR, UNK_EPH, ICMP };

static DpCorpus *
build (const char *options, DpPackets *p)
{
  return dp_test_run_output ("darkvec_corpus", options, p, "corpus");
}

/* Sentence @s as "src-last-octets", e.g. "1 3 1". */
static char *
sentence (const DpCorpus *c, guint64 s)
{
  GString *out = g_string_new (NULL);
  for (guint64 i = c->offsets[s]; i < c->offsets[s + 1]; i++)
    {
      guint64 key = c->vocab->keys[c->tokens[i]];
      g_assert_cmpint (DP_TOKEN_KIND (key), ==, DP_TOK_IP);
      g_string_append_printf (out, "%s%u", out->len ? " " : "", (guint) (DP_TOKEN_VALUE (key) & 0xff));
    }
  return g_string_free (out, FALSE);
}

/* Compares the whole corpus with "lang:tokens" lines. */
static void
assert_corpus (const DpCorpus *c, const char *const *expected)
{
  guint n = g_strv_length ((char **) expected);
  for (guint64 s = 0; s < MIN (c->n_sentences, n); s++)
    {
      g_autofree char *got = sentence (c, s);
      g_autofree char *line = g_strdup_printf ("%u:%s", (guint) DP_TOKEN_VALUE (c->sentence_lang[s]), got);
      g_assert_cmpstr (line, ==, expected[s]);
      g_assert_cmpint (DP_TOKEN_KIND (c->sentence_lang[s]), ==, DP_TOK_LANG);
    }
  g_assert_cmpuint (c->n_sentences, ==, n);
}

static DpPackets *
services_packets (void)
{
  DpPackets *p = dp_packets_new (64);
  dp_test_add_probe (p, H (3600 + 5), 9, 6, 23);   /* hour 1 first: buckets are sorted */
  dp_test_add_probe (p, H (1), 1, 6, 23);
  dp_test_add_probe (p, H (2), 2, 6, 22);
  dp_test_add_probe (p, H (3), 1, 6, 445);
  dp_test_add_probe (p, H (4), 3, 6, 2323);
  dp_test_add_probe (p, H (5), 2, 6, 1433);
  dp_test_add_probe (p, H (6), 4, 1, 8);           /* ICMP echo */
  dp_test_add_probe (p, H (7), 5, 6, 5000);
  dp_test_add_probe (p, H (8), 6, 17, 60000);
  dp_test_add_probe (p, H (9), 7, 6, 999);
  dp_test_add_probe (p, H (10), 8, 47, 0);         /* GRE: port-less */
  return p;
}

static void
test_services (void)
{
  g_autoptr (DpPackets) p = services_packets ();
  g_autoptr (DpCorpus) c = build ("min_packets: 1", p);
  /* ids: telnet 1, netbios-smb 3, dbs 5, ssh 7, unk_sys 12, unk_usr 13, unk_eph 14, icmp 15 */
  const char *const want[] = { "1:1 3", "3:1", "5:2", "7:2", "12:7", "13:5", "14:6", "15:4 8", "1:9", NULL };
  g_assert_cmpint (TELNET, ==, 1);
  g_assert_cmpint (ICMP, ==, 15);
  assert_corpus (c, want);
  g_assert_cmpint (c->sentence_time[0], ==, 0);
  g_assert_cmpint (c->sentence_time[8], ==, H (3600));
  /* vocabulary counts are corpus occurrences */
  g_assert_cmpuint (c->vocab->counts[dp_vocab_lookup (c->vocab, DP_TOKEN (DP_TOK_IP, IP (1)))], ==, 2);
}

static void
test_auto (void)
{
  g_autoptr (DpPackets) p = dp_packets_new (64);
  dp_test_add_probe (p, H (1), 1, 6, 23);
  dp_test_add_probe (p, H (2), 2, 6, 445);
  dp_test_add_probe (p, H (3), 3, 6, 23);
  dp_test_add_probe (p, H (4), 4, 6, 22);
  dp_test_add_probe (p, H (5), 5, 1, 8);
  dp_test_add_probe (p, H (6), 6, 6, 445);
  dp_test_add_probe (p, H (7), 7, 6, 23);
  /* top 2: 23/tcp (3 packets), 445/tcp (2); then other */
  g_autoptr (DpCorpus) c = build ("languages: auto\ntop_n: 2\nmin_packets: 1", p);
  const char *const want[] = { "0:1 3 7", "1:2 6", "2:4 5", NULL };
  assert_corpus (c, want);
  /* top_n beyond the distinct pairs: every pair its own language, other empty */
  g_autoptr (DpCorpus) all = build ("languages: auto\ntop_n: 10\nmin_packets: 1", p);
  const char *const want_all[] = { "0:1 3 7", "1:2 6", "2:4", "3:5", NULL };
  assert_corpus (all, want_all);
}

static void
test_single_and_hybrid (void)
{
  g_autoptr (DpPackets) p = dp_packets_new (64);
  dp_test_add_probe (p, H (1), 1, 6, 23);
  dp_test_add_probe (p, H (2), 2, 6, 445);
  dp_test_add_probe (p, H (3), 3, 6, 23);
  g_autoptr (DpCorpus) s = build ("languages: single\nmin_packets: 1", p);
  const char *const want_single[] = { "0:1 2 3", NULL };
  assert_corpus (s, want_single);
  /* hybrid: auto ids 0 (23_tcp), 1 (other), then the services shifted by 2 */
  g_autoptr (DpCorpus) h = build ("languages: hybrid\ntop_n: 1\nmin_packets: 1", p);
  g_autofree char *a = g_strdup_printf ("%u:1 3", 2 + TELNET);
  g_autofree char *b = g_strdup_printf ("%u:2", 2 + SMB);
  const char *const want_hybrid[] = { "0:1 3", "1:2", a, b, NULL };
  assert_corpus (h, want_hybrid);
}

/* Sources with 9, 10 and 11 packets; min_packets 10 keeps the last two. */
static void
test_activity_filter (void)
{
  g_autoptr (DpPackets) p = dp_packets_new (64);
  for (guint k = 0; k < 11; k++)
    {
      if (k < 9)
        dp_test_add_probe (p, H (k * 10 + 1), 9, 6, 23);
      if (k < 10)
        dp_test_add_probe (p, H (k * 10 + 2), 10, 6, 23);
      dp_test_add_probe (p, H (k * 10 + 3), 11, 6, 23);
    }
  g_autoptr (DpCorpus) c = build ("languages: single", p);
  g_assert_cmpuint (c->n_sentences, ==, 1);
  g_assert_cmpuint (c->n_tokens, ==, 21);
  g_assert_cmpint (dp_vocab_lookup (c->vocab, DP_TOKEN (DP_TOK_IP, IP (9))), <, 0);
  g_assert_cmpuint (c->vocab->counts[dp_vocab_lookup (c->vocab, DP_TOKEN (DP_TOK_IP, IP (10)))], ==, 10);
  g_assert_cmpuint (c->vocab->counts[dp_vocab_lookup (c->vocab, DP_TOKEN (DP_TOK_IP, IP (11)))], ==, 11);
}

static void
test_dedup (void)
{
  g_autoptr (DpPackets) p = dp_packets_new (64);
  const guint srcs[] = { 1, 1, 2, 2, 2, 1, 3, 3 };
  for (guint i = 0; i < G_N_ELEMENTS (srcs); i++)
    dp_test_add_probe (p, H (i + 1), srcs[i], 6, 23);
  g_autoptr (DpCorpus) with = build ("languages: single\nmin_packets: 1", p);
  const char *const want_with[] = { "0:1 1 2 2 2 1 3 3", NULL };
  assert_corpus (with, want_with);
  g_autoptr (DpCorpus) without = build ("languages: single\nmin_packets: 1\ndedup_consecutive: true", p);
  const char *const want_without[] = { "0:1 2 1 3", NULL };
  assert_corpus (without, want_without);
}

static void
test_long_sentences (void)
{
  g_autoptr (DpPackets) p = dp_packets_new (64);
  for (guint i = 0; i < 10; i++)
    dp_test_add_probe (p, H (i + 1), i, 6, 23);
  g_autoptr (DpCorpus) t = build ("languages: single\nmin_packets: 1\nmax_sentence: 4\n"
                                  "long_sentences: truncate", p);
  const char *const want_t[] = { "0:0 1 2 3", NULL };
  assert_corpus (t, want_t);
  g_autoptr (DpCorpus) s = build ("languages: single\nmin_packets: 1\nmax_sentence: 4\noverlap: 1", p);
  const char *const want_s[] = { "0:0 1 2 3", "0:3 4 5 6", "0:6 7 8 9", NULL };
  assert_corpus (s, want_s);
  /* no overlap: plain consecutive pieces, the last one short */
  g_autoptr (DpCorpus) z = build ("languages: single\nmin_packets: 1\nmax_sentence: 4\noverlap: 0", p);
  const char *const want_z[] = { "0:0 1 2 3", "0:4 5 6 7", "0:8 9", NULL };
  assert_corpus (z, want_z);
  for (guint64 i = 0; i < s->n_sentences; i++)
    g_assert_cmpint (s->sentence_time[i], ==, 0);
}

static void
test_buckets (void)
{
  g_autoptr (DpPackets) p = dp_packets_new (64);
  p->ts[dp_test_add_packet (p, 0, IP (1), DST, 6, 1, 23, 2)] = H (3600) - 1;  /* last ns of hour 0 */
  dp_test_add_packet (p, H (3600), IP (2), DST, 6, 1, 23, 2);
  dp_test_add_packet (p, H (1799), IP (3), DST, 6, 1, 23, 2);
  dp_test_add_packet (p, H (1800), IP (4), DST, 6, 1, 23, 2);
  dp_test_add_packet (p, H (5), IP (5), DST, 6, 1, 23, 2);   /* out of order inside hour 0 */
  g_autoptr (DpCorpus) utc = build ("languages: single\nmin_packets: 1", p);
  const char *const want_utc[] = { "0:5 3 4 1", "0:2", NULL };
  assert_corpus (utc, want_utc);
  g_assert_cmpint (utc->sentence_time[1], ==, H (3600));
  /* half-hour zone: local hours start at UTC xx:30 */
  g_autoptr (DpCorpus) tz = build ("languages: single\nmin_packets: 1\ntimezone: \"+00:30\"", p);
  const char *const want_tz[] = { "0:5 3", "0:4 1 2", NULL };
  assert_corpus (tz, want_tz);
  g_assert_cmpint (tz->sentence_time[0], ==, -H (1800));
  g_assert_cmpint (tz->sentence_time[1], ==, H (1800));
  /* 10-minute buckets */
  g_autoptr (DpCorpus) ten = build ("languages: single\nmin_packets: 1\nbucket: 10m", p);
  g_assert_cmpuint (ten->n_sentences, ==, 5);
  g_assert_cmpint (ten->sentence_time[1], ==, H (1200));
  g_assert_cmpint (ten->sentence_time[4], ==, H (3600));
  /* before 1970: bucket -1 is a bucket like any other, and sorts first */
  g_autoptr (DpPackets) q = dp_packets_new (8);
  dp_test_add_packet (q, H (10), IP (1), DST, 6, 1, 23, 2);
  dp_test_add_packet (q, -H (1), IP (2), DST, 6, 1, 23, 2);
  dp_test_add_packet (q, -H (3601), IP (3), DST, 6, 1, 23, 2);
  g_autoptr (DpCorpus) old = build ("languages: single\nmin_packets: 1", q);
  const char *const want_old[] = { "0:3", "0:2", "0:1", NULL };
  assert_corpus (old, want_old);
  g_assert_cmpint (old->sentence_time[0], ==, -H (7200));
  g_assert_cmpint (old->sentence_time[1], ==, -H (3600));
}

static void
test_text_path (void)
{
  g_autoptr (DpPackets) p = dp_packets_new (16);
  dp_test_add_probe (p, H (1), 1, 6, 23);
  dp_test_add_probe (p, H (2), 2, 6, 22);
  dp_test_add_probe (p, H (3), 3, 6, 23);
  GError *error = NULL;
  g_autoptr (DpHarness) h = dp_harness_new ("darkvec_corpus", "min_packets: 1\ntext_path: c.txt", &error);
  g_assert_no_error (error);
  g_assert_true (dp_harness_push (h, 0, p, &error));
  g_assert_true (dp_harness_finish (h, &error));
  g_autofree char *path = g_build_filename (dp_harness_output_dir (h), "c.txt", NULL);
  g_autofree char *text = dp_test_read_file (path, NULL);
  g_assert_cmpstr (text, ==, "10.0.0.1 10.0.0.3\n10.0.0.2\n");
}

static void
test_empty (void)
{
  g_autoptr (DpCorpus) c = build (NULL, NULL);
  g_assert_cmpuint (c->n_sentences, ==, 0);
  g_assert_cmpuint (c->n_tokens, ==, 0);
  g_autoptr (DpPackets) p = dp_packets_new (4);
  g_autoptr (DpCorpus) d = build ("languages: auto", p);
  g_assert_cmpuint (d->n_sentences, ==, 0);
}

static void
test_bad_options (void)
{
  static const struct { const char *yaml; int code; } cases[] = {
    { "languages: ports", DP_CONFIG_ERROR_CHOICE },
    { "long_sentences: wrap", DP_CONFIG_ERROR_CHOICE },
    { "top_n: 0", DP_CONFIG_ERROR_RANGE },
    { "bucket: 0s", DP_CONFIG_ERROR_RANGE },
    { "max_sentence: 1", DP_CONFIG_ERROR_RANGE },
    { "max_sentence: 25\noverlap: 25", DP_CONFIG_ERROR_RANGE },
    { "timezone: Mars/Olympus", DP_CONFIG_ERROR_TYPE },
    { "min_packet: 3", DP_CONFIG_ERROR_UNKNOWN_KEY },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    dp_test_bad_option ("darkvec_corpus", cases[i].yaml, cases[i].code);
}

static void
test_services_file (void)
{
  g_autofree char *dir = dp_test_tmpdir ();
  g_autofree char *good = g_build_filename (dir, "good.txt", NULL);
  g_autofree char *bad = g_build_filename (dir, "bad.txt", NULL);
  g_assert_true (g_file_set_contents (good, "# mine\n23/tcp  iot\n8000-8001/tcp web\n-/icmp ping\n", -1, NULL));
  g_assert_true (g_file_set_contents (bad, "23/tcp iot\n70000/tcp big\n", -1, NULL));
  g_autoptr (DpPackets) p = dp_packets_new (16);
  dp_test_add_probe (p, H (1), 1, 6, 8001);
  dp_test_add_probe (p, H (2), 2, 6, 23);
  dp_test_add_probe (p, H (3), 3, 1, 0);
  dp_test_add_probe (p, H (4), 4, 6, 80);
  g_autofree char *opts = g_strdup_printf ("min_packets: 1\nservices_path: %s", good);
  g_autoptr (DpCorpus) c = build (opts, p);
  /* iot 0, web 1, ping 2, unk_sys 3, unk_usr 4, unk_eph 5, icmp 6 */
  const char *const want[] = { "0:2", "1:1", "2:3", "3:4", NULL };
  assert_corpus (c, want);
  GError *error = NULL;
  g_autofree char *bad_opts = g_strdup_printf ("services_path: %s", bad);
  DpHarness *h = dp_harness_new ("darkvec_corpus", bad_opts, &error);
  g_assert_null (h);
  g_assert_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "line 2"));
  g_clear_error (&error);
  dp_test_rmtree (dir);
}

/* window_days: source 1 sends 6 packets on day 0 and 5 on day 1, source 2
 * 6 on day 0 and 5 on day 2, source 3 12 on day 3 (min_packets 10, a
 * 2-day window).  Day 1 keeps 1 (11 over days 0-1), day 0 keeps none, day 2
 * none (source 2: 5 over days 1-2), day 3 keeps 3. */
static DpPackets *
window_day (guint day)
{
  static const guint plan[][3] = { { 6, 6, 0 }, { 5, 0, 0 }, { 0, 5, 0 }, { 0, 0, 12 } };
  DpPackets *p = dp_packets_new (64);
  for (guint src = 0; src < 3; src++)
    for (guint k = 0; k < plan[day][src]; k++)
      dp_test_add_probe (p, H (day * 86400 + 3600 * (k % 3) + 10 * k + src), src + 1, 6, 23);
  return p;
}

#define WINDOW_OPTS "languages: single\nmin_packets: 10\nwindow_days: 2\n"

/* Sentences of @c, "day:tokens" each. */
static char *
corpus_days (const DpCorpus *c)
{
  GString *out = g_string_new (NULL);
  for (guint64 s = 0; s < c->n_sentences; s++)
    {
      g_autofree char *toks = sentence (c, s);
      g_string_append_printf (out, "%" G_GINT64_FORMAT ":%s\n", c->sentence_time[s] / DP_TEST_SEC (86400), toks);
    }
  return g_string_free (out, FALSE);
}

static void
test_window_days (void)
{
  g_autoptr (DpPackets) all = dp_packets_new (64);
  for (guint d = 0; d < 4; d++)
    {
      g_autoptr (DpPackets) p = window_day (d);
      for (guint i = 0; i < p->n_rows; i++)
        {
          guint r = dp_packets_append (all);
#define COPY(col) all->col[r] = p->col[i];
          DP_PACKET_COLUMNS (COPY)
#undef COPY
        }
    }
  g_autoptr (DpCorpus) one = build (WINDOW_OPTS, all);
  g_autofree char *got = corpus_days (one);
  /* day 1: source 1's five packets (hours 0, 1, 2 of the day); day 3: source 3 */
  g_assert_cmpstr (got, ==, "1:1 1\n1:1 1\n1:1\n3:3 3 3 3\n3:3 3 3 3\n3:3 3 3 3\n");
  /* one run a day through the state file gives the same sentences */
  g_autofree char *dir = dp_test_tmpdir ();
  g_autofree char *state = g_build_filename (dir, "activity.state", NULL);
  g_autofree char *opts = g_strdup_printf (WINDOW_OPTS "state_path: %s", state);
  g_autoptr (GString) each = g_string_new (NULL);
  for (guint d = 0; d < 4; d++)
    {
      g_autoptr (DpPackets) p = window_day (d);
      g_autoptr (DpCorpus) c = build (opts, p);
      g_autofree char *part = corpus_days (c);
      g_string_append (each, part);
    }
  g_assert_cmpstr (each->str, ==, got);
  /* a day run again replaces its counts, it does not add them */
  g_autoptr (DpPackets) p3 = window_day (3);
  g_autoptr (DpCorpus) again = build (opts, p3);
  g_autofree char *again_s = corpus_days (again);
  g_assert_cmpstr (again_s, ==, "3:3 3 3 3\n3:3 3 3 3\n3:3 3 3 3\n");
  /* a damaged state file: a clear error naming it */
  gsize len;
  g_autofree char *bytes = dp_test_read_file (state, &len);
  bytes[len / 2] ^= 1;
  g_assert_true (g_file_set_contents (state, bytes, (gssize) len, NULL));
  GError *error = NULL;
  g_autoptr (DpHarness) h = dp_harness_new ("darkvec_corpus", opts, &error);
  g_assert_no_error (error);
  g_autoptr (DpPackets) p0 = window_day (0);
  dp_test_push (h, 0, p0);
  g_assert_false (dp_harness_finish (h, &error));
  g_assert_error (error, DP_DATA_ERROR, DP_DATA_ERROR_MALFORMED);
  g_assert_nonnull (strstr (error->message, state));
  g_clear_error (&error);
  dp_test_bad_option ("darkvec_corpus", "state_path: x.state", DP_CONFIG_ERROR_STRUCTURE);
  dp_test_rmtree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/plugin/darkvec_corpus/services", test_services);
  g_test_add_func ("/plugin/darkvec_corpus/auto", test_auto);
  g_test_add_func ("/plugin/darkvec_corpus/single-hybrid", test_single_and_hybrid);
  g_test_add_func ("/plugin/darkvec_corpus/activity-filter", test_activity_filter);
  g_test_add_func ("/plugin/darkvec_corpus/dedup", test_dedup);
  g_test_add_func ("/plugin/darkvec_corpus/long-sentences", test_long_sentences);
  g_test_add_func ("/plugin/darkvec_corpus/buckets", test_buckets);
  g_test_add_func ("/plugin/darkvec_corpus/text-path", test_text_path);
  g_test_add_func ("/plugin/darkvec_corpus/empty", test_empty);
  g_test_add_func ("/plugin/darkvec_corpus/bad-options", test_bad_options);
  g_test_add_func ("/plugin/darkvec_corpus/services-file", test_services_file);
  g_test_add_func ("/plugin/darkvec_corpus/window-days", test_window_days);
  return g_test_run ();
}
