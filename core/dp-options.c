/* dp-options.c — the one strict parser for plugin options.  No atoi: every
 * number is parsed whole, with its range checked, and errors say what is
 * allowed. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dp-error.h"
#include "dp-options.h"

const char *
dp_opt_type_name (DpOptType type)
{
  static const char *names[] = { "bool", "int", "uint", "double", "string", "path", "enum",
                                 "duration", "size", "cidr", "string list" };
  return (guint) type < G_N_ELEMENTS (names) ? names[type] : "unknown";
}

static gboolean
type_error (GError **error, const DpOptionDesc *opt, const char *text, const char *expected)
{
  g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_TYPE,
               "option '%s': '%s' is not %s", opt->name, text, expected);
  return FALSE;
}

gboolean
dp_parse_duration (const char *text, gint64 *ns, GError **error)
{
  static const struct { const char *unit; double ns; } units[] = {
    { "ns", 1 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 }, { "m", 60e9 },
    { "min", 60e9 }, { "h", 3600e9 }, { "d", 86400e9 }, { "w", 7 * 86400e9 } };
  const char *p = text;
  double total = 0;
  gboolean any = FALSE;
  /* "90s", "1h30m", "2d", "0.5h" */
  while (*p)
    {
      char *end;
      errno = 0;
      double v = g_ascii_strtod (p, &end);
      if (end == p || errno || !isfinite (v) || v < 0 || *p == '-' || *p == '+')
        goto bad;
      p = end;
      const char *u = p;
      while (*p && g_ascii_isalpha (*p))
        p++;
      gsize ulen = (gsize) (p - u);
      if (ulen == 0)
        goto bad;
      double mult = -1;
      for (guint i = 0; i < G_N_ELEMENTS (units); i++)
        if (strlen (units[i].unit) == ulen && strncmp (units[i].unit, u, ulen) == 0)
          mult = units[i].ns;
      if (mult < 0)
        goto bad;
      total += v * mult;
      any = TRUE;
    }
  if (!any || total > 9.2e18)
    goto bad;
  *ns = (gint64) llround (total);
  return TRUE;
bad:
  g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_TYPE,
               "'%s' is not a duration (a number with a unit: ns, us, ms, s, m, h, d, w; e.g. 90s, 1h, 1h30m)", text);
  return FALSE;
}

gboolean
dp_parse_size (const char *text, guint64 *bytes, GError **error)
{
  char *end;
  if (!g_ascii_isdigit (text[0]))
    goto bad;
  errno = 0;
  double v = g_ascii_strtod (text, &end);
  if (end == text || errno || !isfinite (v) || v < 0)
    goto bad;
  double mult = 1;
  if (*end)
    {
      char u = g_ascii_toupper (*end);
      const char *rest = end + 1;
      switch (u)
        {
        case 'B': mult = 1; rest = end + 1; break;
        case 'K': mult = 1024.0; break;
        case 'M': mult = 1024.0 * 1024; break;
        case 'G': mult = 1024.0 * 1024 * 1024; break;
        case 'T': mult = 1024.0 * 1024 * 1024 * 1024; break;
        default: goto bad;
        }
      if (u != 'B')
        {
          if (*rest == 'i')
            rest++;
          if (*rest == 'B' || *rest == 'b')
            rest++;
        }
      if (*rest)
        goto bad;
    }
  if (v * mult > 1.8e19)
    goto bad;
  *bytes = (guint64) llround (v * mult);
  return TRUE;
bad:
  g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_TYPE,
               "'%s' is not a size (a number with an optional unit: k, M, G, T, binary; e.g. 64M)", text);
  return FALSE;
}

gboolean
dp_parse_cidr (const char *text, DpCidr *cidr, GError **error)
{
  const char *slash = strchr (text, '/');
  g_autofree char *addr_text = slash ? g_strndup (text, (gsize) (slash - text)) : g_strdup (text);
  guint32 addr;
  guint64 prefix = 32;
  if (!dp_ipv4_parse (addr_text, &addr)
      || (slash && !g_ascii_string_to_unsigned (slash + 1, 10, 0, 32, &prefix, NULL)))
    {
      g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_TYPE,
                   "'%s' is not an IPv4 CIDR block (e.g. 192.0.2.0/24)", text);
      return FALSE;
    }
  guint32 mask = prefix == 0 ? 0 : 0xffffffffu << (32 - prefix);
  if ((addr & ~mask) != 0)
    {
      g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_RANGE,
                   "'%s' has host bits set (did you mean %u.%u.%u.%u/%u?)", text,
                   (addr & mask) >> 24, ((addr & mask) >> 16) & 255, ((addr & mask) >> 8) & 255,
                   addr & mask & 255, (guint) prefix);
      return FALSE;
    }
  cidr->addr = addr;
  cidr->mask = mask;
  cidr->prefix = (guint8) prefix;
  return TRUE;
}

char *
dp_format_number (double v)
{
  if (v == (double) (gint64) v && v > -1e15 && v < 1e15)
    return g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) v);
  return g_strdup_printf ("%g", v);
}

static gboolean
check_range (const DpOptionDesc *opt, double v, const char *text, GError **error)
{
  if (!(opt->flags & DP_OPT_RANGE) || (v >= opt->min && v <= opt->max))
    return TRUE;
  g_autofree char *lo = dp_format_number (opt->min);
  g_autofree char *hi = dp_format_number (opt->max);
  g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_RANGE,
               "option '%s': %s is out of range [%s, %s]%s", opt->name, text, lo, hi,
               opt->type == DP_OPT_DURATION ? " seconds" : "");
  return FALSE;
}

gboolean
dp_parse_bool (const char *text, gboolean *v)
{
  static const char *yes[] = { "true", "yes", "on", "1" };
  static const char *no[] = { "false", "no", "off", "0" };
  for (guint i = 0; i < G_N_ELEMENTS (yes); i++)
    {
      if (g_ascii_strcasecmp (text, yes[i]) == 0)
        return *v = TRUE, TRUE;
      if (g_ascii_strcasecmp (text, no[i]) == 0)
        return *v = FALSE, TRUE;
    }
  return FALSE;
}

static gboolean
parse_enum (const DpOptionDesc *opt, const char *text, int *out, GError **error)
{
  for (int i = 0; opt->choices && opt->choices[i]; i++)
    if (strcmp (opt->choices[i], text) == 0)
      {
        *out = i;
        return TRUE;
      }
  g_autofree char *allowed = g_strjoinv (", ", (char **) opt->choices);
  guint n = opt->choices ? g_strv_length ((char **) opt->choices) : 0;
  g_autofree char *near = dp_did_you_mean (text, opt->choices, n);
  g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_CHOICE,
               "option '%s': '%s' is not a choice%s; allowed: %s", opt->name, text, near, allowed);
  return FALSE;
}

gboolean
dp_option_parse (const DpOptionDesc *opt, const char *text, void *config, GError **error)
{
  char *field = (char *) config + opt->offset;
  switch (opt->type)
    {
    case DP_OPT_BOOL:
      {
        gboolean v;
        if (!dp_parse_bool (text, &v))
          return type_error (error, opt, text, "a boolean (true/false)");
        *(gboolean *) field = v;
        return TRUE;
      }
    case DP_OPT_INT:
      {
        gint64 v;
        if (!g_ascii_string_to_signed (text, 10, G_MININT64, G_MAXINT64, &v, NULL))
          return type_error (error, opt, text, "an integer");
        if (!check_range (opt, (double) v, text, error))
          return FALSE;
        *(gint64 *) field = v;
        return TRUE;
      }
    case DP_OPT_UINT:
      {
        guint64 v;
        if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT64, &v, NULL))
          return type_error (error, opt, text, "a non-negative integer");
        if (!check_range (opt, (double) v, text, error))
          return FALSE;
        *(guint64 *) field = v;
        return TRUE;
      }
    case DP_OPT_DOUBLE:
      {
        char *end;
        errno = 0;
        double v = g_ascii_strtod (text, &end);
        if (end == text || *end || errno || !isfinite (v))
          return type_error (error, opt, text, "a number");
        if (!check_range (opt, v, text, error))
          return FALSE;
        *(double *) field = v;
        return TRUE;
      }
    case DP_OPT_STRING:
    case DP_OPT_PATH:
      g_free (*(char **) field);
      *(char **) field = g_strdup (text);
      return TRUE;
    case DP_OPT_ENUM:
      return parse_enum (opt, text, (int *) field, error);
    case DP_OPT_DURATION:
      {
        gint64 ns;
        if (!dp_parse_duration (text, &ns, error))
          {
            g_prefix_error (error, "option '%s': ", opt->name);
            return FALSE;
          }
        if (!check_range (opt, (double) ns / 1e9, text, error))
          return FALSE;
        *(gint64 *) field = ns;
        return TRUE;
      }
    case DP_OPT_SIZE:
      {
        guint64 b;
        if (!dp_parse_size (text, &b, error))
          {
            g_prefix_error (error, "option '%s': ", opt->name);
            return FALSE;
          }
        if (!check_range (opt, (double) b, text, error))
          return FALSE;
        *(guint64 *) field = b;
        return TRUE;
      }
    case DP_OPT_CIDR:
      {
        DpCidr c;
        if (!dp_parse_cidr (text, &c, error))
          {
            g_prefix_error (error, "option '%s': ", opt->name);
            return FALSE;
          }
        *(DpCidr *) field = c;
        return TRUE;
      }
    case DP_OPT_STRLIST:
      {
        /* a scalar for a list: comma-separated (what --set gives) */
        g_auto (GStrv) parts = g_strsplit (text, ",", -1);
        for (char **p = parts; *p; p++)
          g_strstrip (*p);
        return dp_option_set_list (opt, (const char *const *) (text[0] ? parts : (char *[]) { NULL }),
                                   config, error);
      }
    default:
      g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_TYPE, "option '%s': unknown type", opt->name);
      return FALSE;
    }
}

gboolean
dp_option_set_list (const DpOptionDesc *opt, const char *const *items, void *config, GError **error)
{
  if (opt->type != DP_OPT_STRLIST)
    {
      g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_TYPE,
                   "option '%s': a list where a %s belongs", opt->name, dp_opt_type_name (opt->type));
      return FALSE;
    }
  char ***field = (char ***) ((char *) config + opt->offset);
  g_strfreev (*field);
  *field = g_strdupv ((char **) items);
  return TRUE;
}

const DpOptionDesc *
dp_option_find (const DpPluginDesc *desc, const char *name)
{
  for (guint i = 0; i < desc->n_options; i++)
    if (strcmp (desc->options[i].name, name) == 0)
      return &desc->options[i];
  return NULL;
}

void *
dp_config_new (const DpPluginDesc *desc, GError **error)
{
  void *config = g_malloc0 (MAX (desc->config_size, 1u));
  for (guint i = 0; i < desc->n_options; i++)
    {
      const DpOptionDesc *opt = &desc->options[i];
      if (opt->default_text == NULL)
        continue;
      if (!dp_option_parse (opt, opt->default_text, config, error))
        {
          g_prefix_error (error, "plugin %s: bad default: ", desc->name);
          dp_config_free (desc, config);
          return NULL;
        }
    }
  return config;
}

void
dp_config_free (const DpPluginDesc *desc, void *config)
{
  if (config == NULL)
    return;
  for (guint i = 0; i < desc->n_options; i++)
    {
      const DpOptionDesc *opt = &desc->options[i];
      char *field = (char *) config + opt->offset;
      if (opt->type == DP_OPT_STRING || opt->type == DP_OPT_PATH)
        g_free (*(char **) field);
      else if (opt->type == DP_OPT_STRLIST)
        g_strfreev (*(char ***) field);
    }
  g_free (config);
}

static guint
levenshtein (const char *a, const char *b)
{
  gsize la = strlen (a), lb = strlen (b);
  g_autofree guint *row = g_new (guint, lb + 1);
  for (gsize j = 0; j <= lb; j++)
    row[j] = (guint) j;
  for (gsize i = 1; i <= la; i++)
    {
      guint prev = row[0];
      row[0] = (guint) i;
      for (gsize j = 1; j <= lb; j++)
        {
          guint cur = row[j];
          guint sub = prev + (a[i - 1] != b[j - 1]);
          row[j] = MIN (MIN (row[j] + 1, row[j - 1] + 1), sub);
          prev = cur;
        }
    }
  return row[lb];
}

const char *
dp_closest_word (const char *word, const char *const *candidates, guint n)
{
  const char *best = NULL;
  guint best_d = G_MAXUINT;
  guint limit = MAX (2u, (guint) strlen (word) / 3);
  for (guint i = 0; i < n; i++)
    {
      guint d = levenshtein (word, candidates[i]);
      if (d < best_d)
        {
          best_d = d;
          best = candidates[i];
        }
    }
  return best_d <= limit ? best : NULL;
}

char *
dp_did_you_mean (const char *word, const char *const *candidates, guint n)
{
  const char *near = dp_closest_word (word, candidates, n);
  return near ? g_strdup_printf ("; did you mean '%s'?", near) : g_strdup ("");
}

char *
dp_option_format (const DpOptionDesc *opt, const void *config)
{
  const char *field = (const char *) config + opt->offset;
  switch (opt->type)
    {
    case DP_OPT_BOOL: return g_strdup (*(const gboolean *) field ? "true" : "false");
    case DP_OPT_INT: return g_strdup_printf ("%" G_GINT64_FORMAT, *(const gint64 *) field);
    case DP_OPT_UINT: return g_strdup_printf ("%" G_GUINT64_FORMAT, *(const guint64 *) field);
    case DP_OPT_DOUBLE: return g_strdup_printf ("%g", *(const double *) field);
    case DP_OPT_STRING:
    case DP_OPT_PATH: return g_strdup (*(char *const *) field ? *(char *const *) field : "");
    case DP_OPT_ENUM: return g_strdup (opt->choices[*(const int *) field]);
    case DP_OPT_DURATION: return g_strdup_printf ("%gs", (double) *(const gint64 *) field / 1e9);
    case DP_OPT_SIZE: return g_strdup_printf ("%" G_GUINT64_FORMAT, *(const guint64 *) field);
    case DP_OPT_CIDR:
      {
        const DpCidr *c = (const DpCidr *) field;
        return g_strdup_printf ("%u.%u.%u.%u/%u", c->addr >> 24, (c->addr >> 16) & 255,
                                (c->addr >> 8) & 255, c->addr & 255, c->prefix);
      }
    case DP_OPT_STRLIST:
      {
        char **v = *(char **const *) field;
        return v ? g_strjoinv (",", v) : g_strdup ("");
      }
    default: return g_strdup ("?");
    }
}
