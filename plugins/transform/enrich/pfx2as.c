/* pfx2as.c — the enrich plugin's reader of CAIDA's routeviews prefix-to-AS
 * files (https://www.caida.org/catalog/datasets/routeviews-prefix2as/):
 * one `prefix<TAB>length<TAB>origins` line per announced prefix, plain or
 * gzip.  The origin field is one AS, several origins of a prefix seen
 * from different peers (MOAS) joined by `_`, and within an origin an AS
 * set joined by `,` (`64500_64501,64502`).  IPv4 and IPv6 prefixes go
 * into two prefix tries of plugins/common/prefix.h (longest match), so
 * routeviews-rv2 and -rv6 files (or both concatenated) serve.  A line that does not parse is an error naming the
 * file and line: a routing table read in part would enrich silently
 * wrong. */
#include "config.h"

#include <arpa/inet.h>
#include <string.h>

#include "enrich.h"

static inline gboolean
pfx2as_space (char c)
{
  return c == ' ' || c == '\t';
}

/* The origin field: numbers of 1..10 digits (<= 2^32-1) joined by `_` or
 * `,`; the first one in *@first. */
static gboolean
pfx2as_origins (const char *s, gsize n, gint64 *first)
{
  gsize i = 0;
  gboolean have_first = FALSE;
  for (;;)
    {
      guint64 v = 0;
      gsize d = 0;
      while (i < n && g_ascii_isdigit (s[i]) && d < 11)
        v = v * 10 + (guint64) (s[i++] - '0'), d++;
      if (d == 0 || d > 10 || v > G_MAXUINT32)
        return FALSE;
      if (!have_first)
        *first = (gint64) v, have_first = TRUE;
      if (i == n)
        return TRUE;
      if ((s[i] != '_' && s[i] != ',') || i + 1 == n)
        return FALSE;
      i++;
    }
}

Pfx2asLine
enrich_pfx2as_line (const char *line, gsize len, guint32 *addr, guint8 addr6[16], guint *plen, gint64 *asn,
                    const char **origins, gsize *origins_len, const char **why)
{
  const char *p = line, *end = line + len;
  while (p < end && pfx2as_space (*p))
    p++;
  if (p == end || *p == '#')
    return PFX2AS_BLANK;
  if (memchr (line, '\0', len))
    {
      *why = "a NUL byte in the line";
      return PFX2AS_BAD;
    }
  const char *f[3];
  gsize fl[3];
  guint n = 0;
  while (p < end)
    {
      if (n == 3)
        {
          *why = "more than three fields (expected prefix, length and origin AS)";
          return PFX2AS_BAD;
        }
      f[n] = p;
      while (p < end && !pfx2as_space (*p))
        p++;
      fl[n] = (gsize) (p - f[n]);
      n++;
      while (p < end && pfx2as_space (*p))
        p++;
    }
  if (n < 3)
    {
      *why = "fewer than three fields (expected prefix, length and origin AS, tab-separated)";
      return PFX2AS_BAD;
    }
  gboolean v6 = memchr (f[0], ':', fl[0]) != NULL;
  guint max_len = v6 ? 128 : 32, l = 0;
  for (gsize i = 0; i < fl[1]; i++)
    {
      if (!g_ascii_isdigit (f[1][i]) || i == 3)
        {
          l = G_MAXUINT;
          break;
        }
      l = l * 10 + (guint) (f[1][i] - '0');
    }
  if (l > max_len)
    {
      *why = v6 ? "the length is not a number from 0 to 128" : "the length is not a number from 0 to 32";
      return PFX2AS_BAD;
    }
  gint64 first = 0;
  if (!pfx2as_origins (f[2], fl[2], &first))
    {
      *why = "the origin is not an AS number (0 to 4294967295), or ASes joined by _ or ,";
      return PFX2AS_BAD;
    }
  char buf[64];
  if (fl[0] >= sizeof buf)
    {
      *why = "the prefix is not an address";
      return PFX2AS_BAD;
    }
  memcpy (buf, f[0], fl[0]);
  buf[fl[0]] = '\0';
  if (v6)
    {
      guint8 a6[16], net[16];
      if (inet_pton (AF_INET6, buf, a6) != 1)
        {
          *why = "the prefix is not an IPv6 address";
          return PFX2AS_BAD;
        }
      dp_ip6_mask (a6, l, net);
      if (memcmp (a6, net, 16) != 0)
        {
          *why = "the prefix has bits set past its length";
          return PFX2AS_BAD;
        }
      memcpy (addr6, net, 16);
      *plen = l;
      *asn = first;
      *origins = f[2];
      *origins_len = fl[2];
      return PFX2AS_V6;
    }
  guint32 a;
  if (!dp_ipv4_parse (buf, &a))
    {
      *why = "the prefix is not an IPv4 address";
      return PFX2AS_BAD;
    }
  if (a & ~prefix_mask (l))
    {
      *why = "the prefix has bits set past its length";
      return PFX2AS_BAD;
    }
  *addr = a;
  *plen = l;
  *asn = first;
  *origins = f[2];
  *origins_len = fl[2];
  return PFX2AS_V4;
}

void
enrich_pfx2as_clear (EnrichPfx2as *p)
{
  g_clear_pointer (&p->jump_node, g_free);
  g_clear_pointer (&p->jump_best, g_free);
  prefix_clear (&p->trie);
  prefix_clear (&p->trie6);
  g_clear_pointer (&p->asn, g_array_unref);
  g_clear_pointer (&p->origins, g_ptr_array_unref);
}

/* The node at depth 16 and the best prefix down to it, per /16. */
static void
pfx2as_jump_table (EnrichPfx2as *p)
{
  p->jump_node = g_new (guint32, 65536);
  p->jump_best = g_new (gint64, 65536);
  const PrefixNode *nodes = (const PrefixNode *) (gpointer) p->trie.nodes->data;
  for (guint32 hi = 0; hi < 65536; hi++)
    {
      guint32 n = 0;
      for (guint i = 0; i < 16 && (i == 0 || n != 0); i++)
        n = nodes[n].child[(hi >> (15 - i)) & 1];
      p->jump_node[hi] = n;
      p->jump_best[hi] = prefix_lookup_upto (&p->trie, hi << 16, 16, NULL);
    }
}

gboolean
enrich_pfx2as_read (EnrichPfx2as *p, const char *path, GStringChunk *strings, GError **error)
{
  g_autoptr (DpLineReader) r = dp_line_reader_open (path, error);
  if (r == NULL)
    return FALSE;
  if (p)
    {
      prefix_init (&p->trie);
      prefix_init (&p->trie6);
      p->asn = g_array_new (FALSE, FALSE, sizeof (gint64));
      p->origins = g_ptr_array_new ();
    }
  guint64 v4 = 0, v6 = 0;
  char *line;
  gsize len;
  while ((line = dp_line_reader_next (r, &len)) != NULL)
    {
      guint32 addr = 0;
      guint8 addr6[16];
      guint plen = 0;
      gint64 asn = 0;
      const char *origins = NULL, *why = NULL;
      gsize origins_len = 0;
      Pfx2asLine kind = enrich_pfx2as_line (line, len, &addr, addr6, &plen, &asn, &origins, &origins_len, &why);
      switch (kind)
        {
        case PFX2AS_BLANK:
          break;
        case PFX2AS_BAD:
          {
            g_autofree char *cut = g_strndup (line, MIN (len, 60));
            g_autofree char *shown = dp_escape_controls (cut, FALSE);
            guint64 at = dp_line_reader_line (r);
            /* the last piece of a gzip stream cut short: say so */
            if (dp_line_reader_next (r, NULL) == NULL && dp_line_reader_error (r, error))
              return FALSE;
            g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT,
                         "%s: line %" G_GUINT64_FORMAT ": not a pfx2as line (%s): '%s'", path, at, why, shown);
            return FALSE;
          }
        case PFX2AS_V4:
        case PFX2AS_V6:
          if (kind == PFX2AS_V4)
            v4++;
          else
            v6++;
          if (p == NULL)
            break;
          if ((kind == PFX2AS_V4 ? prefix_insert (&p->trie, addr, plen, (gint64) p->asn->len)
                                 : prefix6_insert (&p->trie6, addr6, plen, (gint64) p->asn->len)) >= 0)
            {
              p->duplicates++;   /* the first line of a prefix wins */
              break;
            }
          g_array_append_val (p->asn, asn);
          /* not interned: a hash probe per line costs more than the bytes */
          g_ptr_array_add (p->origins, g_string_chunk_insert_len (strings, origins, (gssize) origins_len));
          break;
        }
    }
  if (dp_line_reader_error (r, error))
    return FALSE;
  if (v4 + v6 == 0)
    {
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_EMPTY,
                   "%s: no prefix in %" G_GUINT64_FORMAT " lines (an empty pfx2as file?)", path,
                   dp_line_reader_line (r));
      return FALSE;
    }
  if (p)
    {
      p->v4 = v4;
      p->v6 = v6;
      pfx2as_jump_table (p);
    }
  return TRUE;
}

gboolean
enrich_pfx2as_lookup (const EnrichPfx2as *p, guint32 addr, EnrichInfo *info)
{
  const PrefixNode *nodes = (const PrefixNode *) (gpointer) p->trie.nodes->data;
  gint64 i = p->jump_best[addr >> 16];
  for (guint32 n = p->jump_node[addr >> 16], b = 16; n != 0 && b < 32; b++)
    {
      n = nodes[n].child[(addr >> (31 - b)) & 1];
      if (n != 0 && nodes[n].value >= 0)
        i = nodes[n].value;
    }
  if (i < 0)
    return FALSE;
  info->asn = g_array_index (p->asn, gint64, i);
  info->as_origins = g_ptr_array_index (p->origins, i);
  return TRUE;
}

gboolean
enrich_pfx2as_lookup6 (const EnrichPfx2as *p, const guint8 addr6[16], EnrichInfo *info)
{
  gint64 i = prefix6_lookup (&p->trie6, addr6);
  if (i < 0)
    return FALSE;
  info->asn = g_array_index (p->asn, gint64, i);
  info->as_origins = g_ptr_array_index (p->origins, i);
  return TRUE;
}
