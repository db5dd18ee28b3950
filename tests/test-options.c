/* test-options.c — the strict option parser, through the harness and directly. */
#include "config.h"

#include <string.h>
#include "dp-test.h"

static DpHarness *
topts (const char *yaml, GError **error)
{
  g_autofree char *dir = g_build_filename (g_getenv ("DP_TOP_BUILDDIR"), "tests", "plugins", NULL);
  g_setenv ("DARKPIPE_PLUGIN_PATH", dir, TRUE);
  return dp_harness_new ("topts", yaml, error);
}

static char *
topts_values (const char *yaml)
{
  GError *error = NULL;
  g_autofree char *full = g_strdup_printf ("path: values.txt\n%s", yaml);
  g_autoptr (DpHarness) h = topts (full, &error);
  g_assert_no_error (error);
  g_assert_true (dp_harness_finish (h, &error));
  g_assert_no_error (error);
  g_autofree char *path = g_build_filename (dp_harness_output_dir (h), "values.txt", NULL);
  char *text = dp_test_read_file (path, NULL);
  g_strchomp (text);
  return text;
}

static void
test_defaults (void)
{
  g_autofree char *v = topts_values ("needed: 4");
  g_assert_cmpstr (v, ==, "0 0 3 0.5 x 0 3600000000000 67108864 c0000200/24 - 4");
}

static void
test_every_type (void)
{
  g_autofree char *v = topts_values ("needed: 1\nflag: yes\nlevel: -5\ncount: 18446744073709551615\n"
                                     "ratio: 1\nname: 'a b'\nmode: careful\nwindow: 1h30m\n"
                                     "buffer: 1.5k\nblock: 10.1.0.0/16\ntags: [a, 'b c']\n");
  g_assert_cmpstr (v, ==, "1 -5 18446744073709551615 1 a b 2 5400000000000 1536 0a010000/16 a|b c 1");
}

static void
check_bad (const char *yaml, gint code, const char *fragment)
{
  GError *error = NULL;
  g_autofree char *full = g_strdup_printf ("needed: 1\n%s", yaml);
  g_autoptr (DpHarness) h = topts (full, &error);
  g_assert_null (h);
  g_assert_error (error, DP_CONFIG_ERROR, code);
  if (fragment && !strstr (error->message, fragment))
    g_error ("message '%s' lacks '%s'", error->message, fragment);
  g_error_free (error);
}

static void
test_bad_values (void)
{
  check_bad ("flag: maybe", DP_CONFIG_ERROR_TYPE, "not a boolean");
  check_bad ("level: 6", DP_CONFIG_ERROR_RANGE, "out of range [-5, 5]");
  check_bad ("level: 1.5", DP_CONFIG_ERROR_TYPE, "not an integer");
  check_bad ("level: 12abc", DP_CONFIG_ERROR_TYPE, "not an integer");
  check_bad ("count: -1", DP_CONFIG_ERROR_TYPE, "non-negative");
  check_bad ("count: 18446744073709551616", DP_CONFIG_ERROR_TYPE, NULL);
  check_bad ("ratio: 1.01", DP_CONFIG_ERROR_RANGE, NULL);
  check_bad ("ratio: nan", DP_CONFIG_ERROR_TYPE, NULL);
  check_bad ("mode: fsat", DP_CONFIG_ERROR_CHOICE, "did you mean 'fast'?; allowed: fast, slow, careful");
  check_bad ("window: 10", DP_CONFIG_ERROR_TYPE, "not a duration");
  check_bad ("window: 1x", DP_CONFIG_ERROR_TYPE, NULL);
  check_bad ("window: 8d", DP_CONFIG_ERROR_RANGE, NULL);
  check_bad ("window: 500ms", DP_CONFIG_ERROR_RANGE, NULL);
  check_bad ("buffer: 12Q", DP_CONFIG_ERROR_TYPE, "not a size");
  check_bad ("buffer: -3M", DP_CONFIG_ERROR_TYPE, NULL);
  check_bad ("block: 10.1.2.3/16", DP_CONFIG_ERROR_RANGE, "did you mean 10.1.0.0/16?");
  check_bad ("block: 10.1.2/24", DP_CONFIG_ERROR_TYPE, NULL);
  check_bad ("block: 10.1.2.0/33", DP_CONFIG_ERROR_TYPE, NULL);
  check_bad ("block: 256.1.2.0/24", DP_CONFIG_ERROR_TYPE, NULL);
  check_bad ("tags: {a: b}", DP_CONFIG_ERROR_TYPE, NULL);
  check_bad ("name: [a]", DP_CONFIG_ERROR_TYPE, "not a list");
  check_bad ("colour: red", DP_CONFIG_ERROR_UNKNOWN_KEY, "allowed: flag, level");
  check_bad ("levle: 1", DP_CONFIG_ERROR_UNKNOWN_KEY, "did you mean 'level'?");
  check_bad ("level: 1\nlevel: 2", DP_CONFIG_ERROR_DUPLICATE_KEY, "first at line 2");
  check_bad ("on_error: maybe", DP_CONFIG_ERROR_CHOICE, NULL);
  check_bad ("threads: 0", DP_CONFIG_ERROR_RANGE, NULL);
}

static void
test_required (void)
{
  GError *error = NULL;
  g_autoptr (DpHarness) h = topts ("flag: true", &error);
  g_assert_null (h);
  g_assert_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_REQUIRED);
  g_assert_nonnull (strstr (error->message, "'needed'"));
  g_error_free (error);
}

static void
test_position_in_message (void)
{
  GError *error = NULL;
  g_autoptr (DpHarness) h = topts ("needed: 1\n\nlevel:   9\n", &error);
  g_assert_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_RANGE);
  g_assert_true (g_str_has_prefix (error->message, "<options>:3:10: "));
  g_error_free (error);
}

static void
test_parsers (void)
{
  gint64 ns;
  guint64 b;
  DpCidr c;
  g_assert_true (dp_parse_duration ("250ms", &ns, NULL));
  g_assert_cmpint (ns, ==, 250000000);
  g_assert_true (dp_parse_duration ("2d", &ns, NULL));
  g_assert_cmpint (ns, ==, G_GINT64_CONSTANT (172800000000000));
  g_assert_true (dp_parse_duration ("0.5h", &ns, NULL));
  g_assert_cmpint (ns, ==, G_GINT64_CONSTANT (1800000000000));
  g_assert_false (dp_parse_duration ("", &ns, NULL));
  g_assert_false (dp_parse_duration ("-1s", &ns, NULL));
  g_assert_false (dp_parse_duration ("1e400s", &ns, NULL));
  g_assert_true (dp_parse_size ("64M", &b, NULL));
  g_assert_cmpuint (b, ==, 64u << 20);
  g_assert_true (dp_parse_size ("1GiB", &b, NULL));
  g_assert_cmpuint (b, ==, 1u << 30);
  g_assert_true (dp_parse_size ("100", &b, NULL));
  g_assert_cmpuint (b, ==, 100);
  g_assert_false (dp_parse_size ("M", &b, NULL));
  g_assert_true (dp_parse_cidr ("0.0.0.0/0", &c, NULL));
  g_assert_cmpuint (c.mask, ==, 0);
  g_assert_true (dp_parse_cidr ("198.51.100.7", &c, NULL));
  g_assert_cmpuint (c.prefix, ==, 32);
  g_assert_cmpuint (c.addr, ==, 0xc6336407u);
  guint32 a;
  g_assert_false (dp_ipv4_parse ("1.2.3", &a));
  g_assert_false (dp_ipv4_parse ("1.2.3.4.5", &a));
  g_assert_false (dp_ipv4_parse ("01234.2.3.4", &a));
  g_assert_false (dp_ipv4_parse ("1.2.3.4 ", &a));
}

static void
test_closest (void)
{
  const char *const words[] = { "threshold", "window", "compat" };
  g_assert_cmpstr (dp_closest_word ("treshold", words, 3), ==, "threshold");
  g_assert_cmpstr (dp_closest_word ("windo", words, 3), ==, "window");
  g_assert_null (dp_closest_word ("banana", words, 3));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/options/defaults", test_defaults);
  g_test_add_func ("/options/every-type", test_every_type);
  g_test_add_func ("/options/bad-values", test_bad_values);
  g_test_add_func ("/options/required", test_required);
  g_test_add_func ("/options/position", test_position_in_message);
  g_test_add_func ("/options/parsers", test_parsers);
  g_test_add_func ("/options/closest", test_closest);
  return g_test_run ();
}
