/* test-options.c — the strict option parser, through the harness and directly. */
#include "config.h"

#include <string.h>
#include "dp-error.h"
#include "dp-test.h"
#include "dp-yaml.h"

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

/* The YAML tree is built from parser events (issue #21). */

/* "x: " then @levels '[' and as many ']' */
static char *
nested (guint levels)
{
  GString *s = g_string_new ("x: ");
  for (guint i = 0; i < levels; i++)
    g_string_append_c (s, '[');
  for (guint i = 0; i < levels; i++)
    g_string_append_c (s, ']');
  g_string_append_c (s, '\n');
  return g_string_free (s, FALSE);
}

/* Parsing @yaml fails with @code, the message "x.yaml:@line:@col: …@fragment…". */
static void
yaml_bad (const char *yaml, gint code, guint line, guint col, const char *fragment)
{
  GError *error = NULL;
  guint l = 0, c = 0;
  DpYamlNode *n = dp_yaml_parse_at ("x.yaml", yaml, strlen (yaml), &l, &c, &error);
  g_assert_null (n);
  g_assert_error (error, DP_CONFIG_ERROR, code);
  g_autofree char *prefix = g_strdup_printf ("x.yaml:%u:%u: ", line, col);
  if (!g_str_has_prefix (error->message, prefix) || !strstr (error->message, fragment))
    g_error ("message '%s' is not '%s…%s…'", error->message, prefix, fragment);
  g_assert_cmpuint (l, ==, line);
  g_assert_cmpuint (c, ==, col);
  g_error_free (error);
}

static DpYamlNode *
yaml_ok (const char *yaml)
{
  GError *error = NULL;
  DpYamlNode *n = dp_yaml_parse ("x.yaml", yaml, strlen (yaml), &error);
  g_assert_no_error (error);
  g_assert_nonnull (n);
  return n;
}

static void
test_yaml_nesting (void)
{
  /* the top mapping is level 1, so the 64th '[' (column 3 + 64) is one too many */
  g_autofree char *deep = nested (100000);
  yaml_bad (deep, DP_CONFIG_ERROR_SYNTAX, 1, 67, "YAML nested deeper than 64 levels");
  g_autofree char *over = nested (DP_YAML_MAX_DEPTH);
  yaml_bad (over, DP_CONFIG_ERROR_SYNTAX, 1, 3 + DP_YAML_MAX_DEPTH, "nested deeper than");

  /* the limit itself parses, every level there (nothing turned into "") */
  g_autofree char *limit = nested (DP_YAML_MAX_DEPTH - 1);
  g_autoptr (DpYamlNode) root = yaml_ok (limit);
  DpYamlNode *n = dp_yaml_map_get (root, "x");
  for (guint i = 1; i < DP_YAML_MAX_DEPTH; i++)
    {
      g_assert_nonnull (n);
      g_assert_cmpint (n->type, ==, DP_YAML_SEQ);
      g_assert_cmpuint (n->line, ==, 1);
      g_assert_cmpuint (n->col, ==, 3 + i);
      n = n->items->len ? g_ptr_array_index (n->items, 0) : NULL;
    }
  g_assert_null (n);

  /* so do block collections, and nesting through an alias counts */
  GString *block = g_string_new ("a: &a\n");
  for (guint i = 1; i < DP_YAML_MAX_DEPTH; i++)
    g_string_append_printf (block, "%*s- \n", (int) (2 * i - 2), "");
  g_string_truncate (block, block->len - 1);
  g_string_append (block, "x\nb: *a\nc: [*a]\n");
  guint c_line = DP_YAML_MAX_DEPTH + 2;   /* "a:", 63 lines of "- ", "b:" */
  yaml_bad (block->str, DP_CONFIG_ERROR_SYNTAX, c_line, 5, "deeper than 64 levels (through alias '*a')");
  g_string_truncate (block, block->len - strlen ("c: [*a]\n"));
  g_autoptr (DpYamlNode) b = yaml_ok (block->str);
  g_assert_cmpint (dp_yaml_map_get (b, "b")->type, ==, DP_YAML_SEQ);
  /* the copy keeps the anchored node's place: its anchor, as libyaml marks it */
  g_assert_cmpuint (dp_yaml_map_get (b, "b")->line, ==, 1);
  g_assert_cmpuint (dp_yaml_map_get (b, "b")->col, ==, 4);
  g_string_free (block, TRUE);
}

static void
test_yaml_documents_and_merge (void)
{
  yaml_bad ("a: 1\n---\nb: 2\n", DP_CONFIG_ERROR_SYNTAX, 2, 1, "a second YAML document");
  yaml_bad ("--- {a: 1}\n...\n--- b\n", DP_CONFIG_ERROR_SYNTAX, 3, 1, "pipeline file holds one");
  yaml_bad ("a: 1\n...\n---\nb: 2\n", DP_CONFIG_ERROR_SYNTAX, 3, 1, "a second YAML document");
  yaml_bad ("a: 1\n...\nb: 2\n", DP_CONFIG_ERROR_SYNTAX, 3, 1, "did not find expected <document start>");
  g_autoptr (DpYamlNode) one = yaml_ok ("---\na: 1\n...\n# only a comment after\n");
  g_assert_cmpstr (dp_yaml_map_get (one, "a")->value, ==, "1");
  g_autoptr (DpYamlNode) empty = yaml_ok ("# nothing\n");
  g_assert_cmpint (empty->type, ==, DP_YAML_MAP);
  g_assert_cmpuint (dp_yaml_map_size (empty), ==, 0);

  yaml_bad ("base: &b {plugin: x}\nstage:\n  <<: *b\n", DP_CONFIG_ERROR_SYNTAX, 3, 3,
            "YAML merge keys ('<<') are not supported");
  yaml_bad ("s: {k: 1, <<: {a: b}}\n", DP_CONFIG_ERROR_SYNTAX, 1, 11, "merge keys");
  /* '<<' as a value or quoted is an ordinary string */
  g_autoptr (DpYamlNode) m = yaml_ok ("a: <<\n'<<': 1\nl: [<<]\n");
  g_assert_cmpstr (dp_yaml_map_get (m, "a")->value, ==, "<<");
  g_assert_cmpstr (dp_yaml_map_get (m, "<<")->value, ==, "1");
}

static void
test_yaml_aliases (void)
{
  /* aliases are copies with the anchored node's positions and quoting */
  g_autoptr (DpYamlNode) t = yaml_ok ("a: &x {k: 'v', n: [1, 2]}\nb: *x\nc: &s \"5\"\nd: *s\n");
  DpYamlNode *b = dp_yaml_map_get (t, "b"), *d = dp_yaml_map_get (t, "d");
  g_assert_cmpint (b->type, ==, DP_YAML_MAP);
  g_assert_true (b != dp_yaml_map_get (t, "a"));
  g_assert_cmpuint (b->line, ==, 1);
  g_assert_cmpuint (b->col, ==, 4);   /* at "&x", where libyaml starts the node */
  g_assert_true (dp_yaml_map_get (b, "k")->quoted);
  g_assert_cmpuint (dp_yaml_map_get (b, "n")->items->len, ==, 2);
  g_assert_cmpstr (d->value, ==, "5");
  g_assert_true (d->quoted);
  g_assert_cmpuint (d->line, ==, 3);

  yaml_bad ("a: *nope\n", DP_CONFIG_ERROR_SYNTAX, 1, 4, "undefined alias '*nope'");
  yaml_bad ("a: &r [1, *r]\n", DP_CONFIG_ERROR_SYNTAX, 1, 11, "inside the node it names");
  yaml_bad ("a: &r 1\nb: &r 2\n", DP_CONFIG_ERROR_SYNTAX, 2, 4, "'&r' defined twice (first at line 1)");

  /* the alias bomb still stops at the node budget, at the alias that
   * would pass it */
  GString *bomb = g_string_new ("x0: &a0 [l, l, l, l, l, l, l, l, l, l]\n");
  for (guint i = 1; i < 9; i++)
    {
      g_string_append_printf (bomb, "x%u: &a%u [", i, i);
      for (guint j = 0; j < 10; j++)
        g_string_append_printf (bomb, "%s*a%u", j ? ", " : "", i - 1);
      g_string_append (bomb, "]\n");
    }
  GError *error = NULL;
  g_assert_null (dp_yaml_parse ("x.yaml", bomb->str, bomb->len, &error));
  g_assert_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_STRUCTURE);
  g_assert_nonnull (strstr (error->message, "more than 200000 YAML nodes"));
  g_assert_true (g_str_has_prefix (error->message, "x.yaml:6:"));
  g_clear_error (&error);
  g_string_free (bomb, TRUE);

  /* a syntax error keeps libyaml's words and position */
  yaml_bad ("a:\n  b: c: d\n", DP_CONFIG_ERROR_SYNTAX, 2, 7, "YAML syntax error: mapping values are not allowed");
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
  g_test_add_func ("/options/yaml-nesting", test_yaml_nesting);
  g_test_add_func ("/options/yaml-documents-merge", test_yaml_documents_and_merge);
  g_test_add_func ("/options/yaml-aliases", test_yaml_aliases);
  return g_test_run ();
}
