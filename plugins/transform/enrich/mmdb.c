/* mmdb.c — the enrich plugin's MaxMind DB files through libmaxminddb
 * (GeoLite2-ASN, GeoLite2-Country/-City, DB-IP's lite ASN and country
 * files, which share their layouts).  Without libmaxminddb (configure
 * --with-maxminddb=no, or no libmaxminddb-dev) opening a file fails with a
 * message saying so, which the plugin's check reports against the option. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "enrich.h"

#ifdef HAVE_MAXMINDDB

#include <sys/socket.h>
#include <sys/stat.h>
#include <glib/gstdio.h>
#include <netinet/in.h>
#include <maxminddb.h>

struct _EnrichMmdb {
  MMDB_s db;
  char *path;
};

gboolean
enrich_mmdb_available (void)
{
  return TRUE;
}

/* Whether the search tree holds IPv4 data: an IPv4 database does; an
 * IPv6 one keeps IPv4 under ::/96, which may be empty.  Walks the 96 zero
 * bits as libmaxminddb does for an IPv4 lookup. */
static gboolean
mmdb_has_ipv4 (EnrichMmdb *m, GError **error)
{
  if (m->db.metadata.ip_version != 6)
    return TRUE;
  uint32_t node = 0;
  for (guint depth = 0; depth < 96; depth++)
    {
      MMDB_search_node_s n;
      int status = MMDB_read_node (&m->db, node, &n);
      if (status != MMDB_SUCCESS)
        {
          g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT, "%s: corrupt MaxMind DB: search node %u: %s",
                       m->path, node, MMDB_strerror (status));
          return FALSE;
        }
      switch (n.left_record_type)
        {
        case MMDB_RECORD_TYPE_SEARCH_NODE:
          node = (uint32_t) n.left_record;
          break;
        case MMDB_RECORD_TYPE_DATA:
          return TRUE;   /* one record for all of ::/depth, IPv4 included */
        case MMDB_RECORD_TYPE_EMPTY:
          g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT,
                       "%s: the MaxMind DB (%s, IPv6) has no IPv4 networks (nothing under ::/96); "
                       "darkpipe's addresses are IPv4: use a database with IPv4 data",
                       m->path, enrich_mmdb_type (m));
          return FALSE;
        default:
          g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT,
                       "%s: corrupt MaxMind DB: search node %u points past the tree", m->path, node);
          return FALSE;
        }
    }
  return TRUE;
}

EnrichMmdb *
enrich_mmdb_open (const char *path, GError **error)
{
  GStatBuf st;
  if (g_stat (path, &st) == 0 && S_ISREG (st.st_mode) && st.st_size == 0)
    {
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT, "%s: empty file, not a MaxMind DB", path);
      return NULL;
    }
  EnrichMmdb *m = g_new0 (EnrichMmdb, 1);
  errno = 0;
  int status = MMDB_open (path, MMDB_MODE_MMAP, &m->db);
  int e = errno;
  if (status != MMDB_SUCCESS)
    {
      if (status == MMDB_IO_ERROR || status == MMDB_FILE_OPEN_ERROR)
        g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "%s: cannot read the MaxMind DB: %s%s%s", path,
                     MMDB_strerror (status), e ? ": " : "", e ? g_strerror (e) : "");
      else
        g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT,
                     "%s: not a MaxMind DB, or a truncated or corrupt one: %s", path, MMDB_strerror (status));
      g_free (m);   /* MMDB_open frees what it took on failure */
      return NULL;
    }
  m->path = g_strdup (path);
  if (!mmdb_has_ipv4 (m, error))
    {
      enrich_mmdb_close (m);
      return NULL;
    }
  return m;
}

void
enrich_mmdb_close (EnrichMmdb *m)
{
  if (m == NULL)
    return;
  MMDB_close (&m->db);
  g_free (m->path);
  g_free (m);
}

const char *
enrich_mmdb_type (const EnrichMmdb *m)
{
  return m->db.metadata.database_type ? m->db.metadata.database_type : "untyped";
}

static gboolean
mmdb_failed (EnrichMmdb *m, const char *addr, const char *what, guint32 offset, int status, GError **error)
{
  g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT,
               "%s: corrupt MaxMind DB: looking up %s%s%s (data offset %u): %s", m->path,
               addr, what ? ", " : "", what ? what : "", offset, MMDB_strerror (status));
  return FALSE;
}

/* A string field at @path of @entry, interned; NULL when absent or not a
 * string.  FALSE on a corrupt record. */
static gboolean
mmdb_string (EnrichMmdb *m, const char *addr, MMDB_entry_s *entry, const char *const *path, GStringChunk *strings,
             const char **out, GError **error)
{
  MMDB_entry_data_s d;
  int status = MMDB_aget_value (entry, &d, path);
  if (status == MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR)
    return TRUE;
  if (status != MMDB_SUCCESS)
    return mmdb_failed (m, addr, path[0], entry->offset, status, error);
  if (!d.has_data || d.type != MMDB_DATA_TYPE_UTF8_STRING || d.data_size == 0)
    return TRUE;
  g_autofree char *s = g_strndup (d.utf8_string, d.data_size);
  *out = g_string_chunk_insert_const (strings, s);
  return TRUE;
}

gboolean
enrich_mmdb_lookup (EnrichMmdb *m, guint32 addr4, const guint8 *addr6, gboolean asn, gboolean country,
                    GStringChunk *strings, EnrichInfo *info, GError **error)
{
  struct sockaddr_in sa;
  struct sockaddr_in6 sa6;
  char addr[64];
  memset (&sa, 0, sizeof sa);
  memset (&sa6, 0, sizeof sa6);
  if (addr6)
    {
      /* an IPv4 database has no IPv6 networks: nothing to find */
      if (m->db.metadata.ip_version != 6)
        return TRUE;
      sa6.sin6_family = AF_INET6;
      memcpy (&sa6.sin6_addr, addr6, 16);
      dp_ip6_format (addr6, 128, addr);
    }
  else
    {
      sa.sin_family = AF_INET;
      sa.sin_addr.s_addr = g_htonl (addr4);
      dp_ipv4_format (addr4, NULL, addr);
    }
  int status = MMDB_SUCCESS;
  MMDB_lookup_result_s r = MMDB_lookup_sockaddr (&m->db, addr6 ? (const struct sockaddr *) &sa6
                                                               : (const struct sockaddr *) &sa, &status);
  if (status != MMDB_SUCCESS)
    return mmdb_failed (m, addr, NULL, 0, status, error);
  if (!r.found_entry)
    return TRUE;
  if (asn)
    {
      static const char *const number[] = { "autonomous_system_number", NULL };
      static const char *const org[] = { "autonomous_system_organization", NULL };
      MMDB_entry_data_s d;
      status = MMDB_aget_value (&r.entry, &d, number);
      if (status != MMDB_SUCCESS && status != MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR)
        return mmdb_failed (m, addr, number[0], r.entry.offset, status, error);
      if (status == MMDB_SUCCESS && d.has_data)
        switch (d.type)
          {
          case MMDB_DATA_TYPE_UINT16: info->asn = d.uint16; break;
          case MMDB_DATA_TYPE_UINT32: info->asn = d.uint32; break;
          case MMDB_DATA_TYPE_INT32: info->asn = d.int32 > 0 ? d.int32 : 0; break;
          case MMDB_DATA_TYPE_UINT64: info->asn = d.uint64 <= G_MAXUINT32 ? (gint64) d.uint64 : 0; break;
          default: break;   /* not a number: no ASN */
          }
      if (!mmdb_string (m, addr, &r.entry, org, strings, &info->as_org, error))
        return FALSE;
    }
  if (country)
    {
      static const char *const iso[] = { "country", "iso_code", NULL };
      static const char *const registered[] = { "registered_country", "iso_code", NULL };
      const char *c = NULL;
      if (!mmdb_string (m, addr, &r.entry, iso, strings, &c, error))
        return FALSE;
      if (c == NULL && !mmdb_string (m, addr, &r.entry, registered, strings, &c, error))
        return FALSE;
      if (c)
        info->country = c;
    }
  return TRUE;
}

#else /* !HAVE_MAXMINDDB */

gboolean
enrich_mmdb_available (void)
{
  return FALSE;
}

EnrichMmdb *
enrich_mmdb_open (const char *path, GError **error)
{
  g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_TYPE,
               "%s: this darkpipe was built without libmaxminddb, so it cannot read MaxMind DB files "
               "(apt-get install libmaxminddb-dev, then configure --with-maxminddb); pfx2as files work without it",
               path);
  return NULL;
}

void
enrich_mmdb_close (EnrichMmdb *db)
{
}

const char *
enrich_mmdb_type (const EnrichMmdb *db)
{
  return "none";
}

gboolean
enrich_mmdb_lookup (EnrichMmdb *db, guint32 addr4, const guint8 *addr6, gboolean asn, gboolean country,
                    GStringChunk *strings, EnrichInfo *info, GError **error)
{
  g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FAILED, "built without libmaxminddb");
  return FALSE;
}

#endif
