/* fuzz-options.c — the one strict option parser (every option type, with
 * ranges and choices) and the duration/size/CIDR text parsers that plugins
 * also call.  The first input byte picks the option, the rest is its text.
 * A value that parses must print back (dp_option_format) to text that
 * parses to the same value, for the types whose printed form is exact. */
#include "config.h"

#include <string.h>

#include "dp-options.h"
#include "fuzz.h"

typedef struct {
  gboolean b;
  gint64 i;
  guint64 u;
  double d;
  char *s;
  char *path;
  int e;
  gint64 dur;
  guint64 size;
  DpCidr cidr;
  char **list;
  gint64 i_range;
} FuzzConfig;

static const char *const fuzz_choices[] = { "auto", "text", "binary", "text2", NULL };

static const DpOptionDesc fuzz_options[] = {
  DP_OPTION ("b", DP_OPT_BOOL, "false", FuzzConfig, b, "A bool."),
  DP_OPTION ("i", DP_OPT_INT, "0", FuzzConfig, i, "An int."),
  DP_OPTION ("u", DP_OPT_UINT, "0", FuzzConfig, u, "A uint."),
  DP_OPTION_RANGE ("d", DP_OPT_DOUBLE, "0.5", FuzzConfig, d, -1e9, 1e9, "A double."),
  DP_OPTION ("s", DP_OPT_STRING, NULL, FuzzConfig, s, "A string."),
  DP_OPTION ("path", DP_OPT_PATH, NULL, FuzzConfig, path, "A path."),
  DP_OPTION_ENUM ("e", "auto", FuzzConfig, e, fuzz_choices, "An enum."),
  DP_OPTION_RANGE ("dur", DP_OPT_DURATION, "1h", FuzzConfig, dur, 0, 1e18, "A duration."),
  DP_OPTION ("size", DP_OPT_SIZE, "64M", FuzzConfig, size, "A size."),
  DP_OPTION ("cidr", DP_OPT_CIDR, "10.0.0.0/8", FuzzConfig, cidr, "A CIDR."),
  DP_OPTION ("list", DP_OPT_STRLIST, NULL, FuzzConfig, list, "A list."),
  DP_OPTION_RANGE ("i_range", DP_OPT_INT, "1024", FuzzConfig, i_range, 1024, 65536, "A ranged int."),
};

static gboolean
fuzz_options_exact (DpOptType t)
{
  return t != DP_OPT_DOUBLE && t != DP_OPT_DURATION && t != DP_OPT_STRLIST;
}

int
dp_fuzz_options (const guint8 *data, size_t size)
{
  if (size < 1 || size > 4096)
    return 0;
  const DpOptionDesc *opt = &fuzz_options[data[0] % G_N_ELEMENTS (fuzz_options)];
  g_autofree char *text = g_strndup ((const char *) data + 1, size - 1);
  DpPluginDesc desc = { .name = "fuzz", .options = fuzz_options,
                        .n_options = G_N_ELEMENTS (fuzz_options), .config_size = sizeof (FuzzConfig) };
  GError *error = NULL;
  void *config = dp_config_new (&desc, &error);
  DP_FUZZ_CHECK (config != NULL && error == NULL);
  gboolean ok = dp_option_parse (opt, text, config, &error);
  DP_FUZZ_CHECK (ok == (error == NULL));
  if (ok && fuzz_options_exact (opt->type))
    {
      g_autofree char *printed = dp_option_format (opt, config);
      ok = dp_option_parse (opt, printed, config, &error);
      if (!ok)
        fprintf (stderr, "'%s' parsed, printed as '%s', which does not: %s\n", text, printed, error->message);
      DP_FUZZ_CHECK (ok);
      g_autofree char *again = dp_option_format (opt, config);
      DP_FUZZ_CHECK (strcmp (printed, again) == 0);
    }
  else if (!ok)
    {
      DP_FUZZ_CHECK (error->domain == DP_CONFIG_ERROR && error->message && *error->message);
      g_clear_error (&error);
    }
  dp_config_free (&desc, config);

  /* the exported text parsers on the same bytes */
  gint64 ns;
  guint64 bytes;
  DpCidr cidr;
  if (dp_parse_duration (text, &ns, &error))
    DP_FUZZ_CHECK (error == NULL);
  g_clear_error (&error);
  if (dp_parse_size (text, &bytes, &error))
    DP_FUZZ_CHECK (error == NULL);
  g_clear_error (&error);
  if (dp_parse_cidr (text, &cidr, &error))
    DP_FUZZ_CHECK (cidr.prefix <= 32 && (cidr.addr & ~cidr.mask) == 0);
  g_clear_error (&error);
  dp_closest_word (text, fuzz_choices, G_N_ELEMENTS (fuzz_choices) - 1);
  return 0;
}
