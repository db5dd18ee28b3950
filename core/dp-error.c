/* dp-error.c — error domains, and text made safe for a terminal. */
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
