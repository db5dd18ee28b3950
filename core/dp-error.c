/* dp-error.c — error domains, and text made safe for a terminal or JSON. */
#include "config.h"
#include <string.h>
#include "dp-error.h"

G_DEFINE_QUARK (dp-config-error-quark, dp_config_error)
G_DEFINE_QUARK (dp-plugin-error-quark, dp_plugin_error)
G_DEFINE_QUARK (dp-data-error-quark, dp_data_error)

char *
dp_escape_controls (const char *text, gboolean keep_newlines)
{
  if (text == NULL)
    return NULL;
  GString *out = g_string_sized_new (strlen (text));
  const char *p = text, *end = text + strlen (text);
  while (p < end)
    {
      unsigned char c = (unsigned char) *p;
      if (c < 0x80)
        {
          if ((c == '\n' || c == '\t') && keep_newlines)
            g_string_append_c (out, (char) c);
          else if (c == '\n')
            g_string_append (out, "\\n");
          else if (c == '\t')
            g_string_append (out, "\\t");
          else if (c < 0x20 || c == 0x7f)
            g_string_append_printf (out, "\\x%02x", c);
          else
            g_string_append_c (out, (char) c);
          p++;
          continue;
        }
      gunichar u = g_utf8_get_char_validated (p, end - p);
      if (u == (gunichar) -1 || u == (gunichar) -2)
        {
          g_string_append_printf (out, "\\x%02x", c);
          p++;
          continue;
        }
      const char *next = g_utf8_next_char (p);
      if (u >= 0x80 && u < 0xa0)
        g_string_append_printf (out, "\\u%04x", u);
      else
        g_string_append_len (out, p, next - p);
      p = next;
    }
  return g_string_free (out, FALSE);
}

void
dp_json_append_string (GString *out, const char *text)
{
  if (text == NULL)
    text = "";
  g_autofree char *valid = g_utf8_validate (text, -1, NULL) ? NULL : g_utf8_make_valid (text, -1);
  g_string_append_c (out, '"');
  for (const guchar *p = (const guchar *) (valid ? valid : text); *p; p++)
    switch (*p)
      {
      case '"': g_string_append (out, "\\\""); break;
      case '\\': g_string_append (out, "\\\\"); break;
      case '\n': g_string_append (out, "\\n"); break;
      case '\r': g_string_append (out, "\\r"); break;
      case '\t': g_string_append (out, "\\t"); break;
      default:
        if (*p < 0x20)
          g_string_append_printf (out, "\\u%04x", *p);
        else
          g_string_append_c (out, (char) *p);
      }
  g_string_append_c (out, '"');
}
