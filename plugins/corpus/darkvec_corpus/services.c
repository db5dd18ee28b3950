/* services.c — darkvec_corpus's service map: port/protocol pairs to the
 * named languages of the paper (services_path, or the shipped services.txt). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "darkvec.h"


static guint
darkvec_service_id (Darkvec *d, const char *name)
{
  for (guint i = 0; i < d->service_names->len; i++)
    if (strcmp (g_ptr_array_index (d->service_names, i), name) == 0)
      return i;
  g_ptr_array_add (d->service_names, g_strdup (name));
  return d->service_names->len - 1;
}

static gboolean
darkvec_parse_proto (const char *s, guint *proto)
{
  static const char *const names[] = { "icmp", "tcp", "udp", "gre" };
  static const guint numbers[] = { 1, 6, 17, 47 };
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_ascii_strcasecmp (s, names[i]) == 0)
      {
        *proto = numbers[i];
        return TRUE;
      }
  guint64 v;
  if (!g_ascii_string_to_unsigned (s, 10, 0, 255, &v, NULL))
    return FALSE;
  *proto = (guint) v;
  return TRUE;
}

/* "22/tcp", "137-139/udp" or "-/icmp" */
static gboolean
darkvec_parse_spec (const char *spec, guint *proto, guint64 *lo, guint64 *hi, gboolean *portless)
{
  const char *slash = strchr (spec, '/');
  if (slash == NULL || !darkvec_parse_proto (slash + 1, proto))
    return FALSE;
  g_autofree char *ports = g_strndup (spec, (gsize) (slash - spec));
  *portless = strcmp (ports, "-") == 0;
  if (*portless)
    return TRUE;
  char *dash = strchr (ports, '-');
  if (dash)
    *dash = '\0';
  if (!g_ascii_string_to_unsigned (ports, 10, 0, 65535, lo, NULL))
    return FALSE;
  *hi = *lo;
  return dash == NULL || (g_ascii_string_to_unsigned (dash + 1, 10, *lo, 65535, hi, NULL));
}

static gboolean
darkvec_services_line (Darkvec *d, const char *path, guint64 line_no, char *line, GError **error)
{
  char *hash = strchr (line, '#');
  if (hash)
    *hash = '\0';
  g_auto (GStrv) parts = g_strsplit_set (g_strstrip (line), " \t", -1);
  const char *f[3] = { NULL, NULL, NULL };
  guint n = 0;
  for (guint i = 0; parts[i]; i++)
    if (*parts[i])
      {
        if (n < 3)
          f[n] = parts[i];
        n++;
      }
  if (n == 0)
    return TRUE;
  guint proto;
  guint64 lo = 0, hi = 0;
  gboolean portless;
  if (n != 2 || !darkvec_parse_spec (f[0], &proto, &lo, &hi, &portless))
    {
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT,
                   "%s: line %" G_GUINT64_FORMAT ": expected \"port[-port]/proto service\" or "
                   "\"-/proto service\"", path, line_no);
      return FALSE;
    }
  guint id = darkvec_service_id (d, f[1]);
  if (portless)
    *dp_hash_upsert (&d->services, (1u << 24) | (proto << 16), NULL) = id + 1;
  else
    for (guint64 port = lo; port <= hi; port++)
      *dp_hash_upsert (&d->services, (proto << 16) | port, NULL) = id + 1;
  return TRUE;
}

static const char *
darkvec_services_file (const DarkvecConfig *c)
{
  if (c->services_path)
    return c->services_path;
  if (g_file_test (DARKVEC_SERVICES_FILE, G_FILE_TEST_EXISTS))
    return DARKVEC_SERVICES_FILE;
  return DP_SRC_DIR "/plugins/corpus/services.txt";
}

gboolean
darkvec_load_services (Darkvec *d, GError **error)
{
  const char *path = darkvec_services_file (d->config);
  g_autoptr (DpLineReader) r = dp_line_reader_open (path, error);
  if (r == NULL)
    return FALSE;
  char *line;
  gsize len;
  while ((line = dp_line_reader_next (r, &len)) != NULL)
    if (!darkvec_services_line (d, path, dp_line_reader_line (r), line, error))
      return FALSE;
  if (dp_line_reader_error (r, error))
    return FALSE;
  /* the authors' unmapped classes, by IANA port range */
  d->unk[0] = darkvec_service_id (d, "unk_sys");
  d->unk[1] = darkvec_service_id (d, "unk_usr");
  d->unk[2] = darkvec_service_id (d, "unk_eph");
  d->icmp_lang = darkvec_service_id (d, "icmp");
  return TRUE;
}

guint
darkvec_service_of (const Darkvec *d, guint32 pp)
{
  const guint64 *v = dp_hash_find (&d->services, pp);
  if (v)
    return (guint) *v - 1;
  if (pp & (1u << 24))
    return d->icmp_lang;
  guint port = pp & 0xffff;
  return d->unk[port < 1024 ? 0 : port < 49152 ? 1 : 2];
}
