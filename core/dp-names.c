/* dp-names.c — name maps: the keys in 240.0.0.0/4 that stand for
 * pseudonyms and IPv6 addresses (docs/architecture.md), and the text of
 * IPv4 and IPv6 addresses. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "dp-batch.h"
#include "dp-hash.h"

/* Entries live in segments that never move, so a lookup reads them without
 * the lock while another thread interns: segment k holds 2^k *
 * DP_NAME_SEG0 entries, and entry i sits in segment
 * bit_length(i + SEG0) - bit_length(SEG0).  An entry is written, then the
 * count published (an atomic store), so a reader that holds a key from a
 * pushed batch sees the whole entry. */
#define DP_NAME_SEG0_BITS 8u
#define DP_NAME_SEG0 (1u << DP_NAME_SEG0_BITS)
#define DP_NAME_N_SEGS 21u
#define DP_NAME_CAP 0x0fffffffu    /* 240.0.0.0 .. 255.255.255.254 */

typedef struct {
  const char *token;      /* pseudonym, or the canonical text of an IPv6 entry */
  const guint8 *ip6;      /* 16 address bytes then the prefix length; NULL for a pseudonym */
} DpNameEntry;

struct _DpNameMap {
  gint ref_count;
  GMutex lock;
  GHashTable *by_token;    /* pseudonym (chunk) -> GUINT_TO_POINTER (index + 1) */
  GHashTable *by_ip6;      /* guint8[17] (chunk) -> GUINT_TO_POINTER (index + 1) */
  GStringChunk *chunk;     /* token text and IPv6 bytes */
  DpNameEntry *seg[DP_NAME_N_SEGS];
  guint n;                 /* entries published; atomic */
  gboolean warned_full;
};

static inline DpNameEntry *
name_map_slot (DpNameEntry *const *seg, guint i)
{
  guint j = i + DP_NAME_SEG0;
  guint k = g_bit_storage (j) - (DP_NAME_SEG0_BITS + 1);
  return &seg[k][j - (DP_NAME_SEG0 << k)];
}

static guint
ip6_key_hash (gconstpointer k)
{
  const guint8 *b = k;
  guint64 lo, hi;
  memcpy (&hi, b, 8);
  memcpy (&lo, b + 8, 8);
  return (guint) dp_hash_mix (hi ^ dp_hash_mix (lo ^ b[16]));
}

static gboolean
ip6_key_equal (gconstpointer a, gconstpointer b)
{
  return memcmp (a, b, 17) == 0;
}

DpNameMap *
dp_name_map_new (void)
{
  DpNameMap *m = g_new0 (DpNameMap, 1);
  m->ref_count = 1;
  g_mutex_init (&m->lock);
  m->by_token = g_hash_table_new (g_str_hash, g_str_equal);
  m->by_ip6 = g_hash_table_new (ip6_key_hash, ip6_key_equal);
  m->chunk = g_string_chunk_new (4096);
  return m;
}

DpNameMap *
dp_name_map_ref (DpNameMap *m)
{
  if (m)
    g_atomic_int_inc (&m->ref_count);
  return m;
}

void
dp_name_map_unref (DpNameMap *m)
{
  if (m == NULL || !g_atomic_int_dec_and_test (&m->ref_count))
    return;
  g_hash_table_destroy (m->by_ip6);
  g_hash_table_destroy (m->by_token);
  g_string_chunk_free (m->chunk);
  for (guint k = 0; k < DP_NAME_N_SEGS; k++)
    g_free (m->seg[k]);
  g_mutex_clear (&m->lock);
  g_free (m);
}

/* Adds an entry under the lock; FALSE when the range is full. */
static gboolean
name_map_add (DpNameMap *m, const char *token, const guint8 *ip6, guint *index)
{
  guint i = m->n;
  if (i >= DP_NAME_CAP)
    return FALSE;
  guint j = i + DP_NAME_SEG0;
  guint k = g_bit_storage (j) - (DP_NAME_SEG0_BITS + 1);
  if (m->seg[k] == NULL)
    m->seg[k] = g_new (DpNameEntry, (gsize) DP_NAME_SEG0 << k);
  DpNameEntry *e = name_map_slot (m->seg, i);
  e->token = token;
  e->ip6 = ip6;
  /* IPv6 text is found by its bytes: dp_name_map_intern parses it first */
  if (ip6)
    g_hash_table_insert (m->by_ip6, (gpointer) ip6, GUINT_TO_POINTER (i + 1));
  else
    g_hash_table_insert (m->by_token, (gpointer) token, GUINT_TO_POINTER (i + 1));
  g_atomic_int_set (&m->n, (gint) (i + 1));
  *index = i;
  return TRUE;
}

static gboolean name_map_intern_ip6_locked (DpNameMap *m, const guint8 addr[16], guint prefix_len,
                                            guint32 *key);

guint32
dp_name_map_intern (DpNameMap *m, const char *token)
{
  guint8 a6[16];
  guint plen;
  guint32 key = 0;
  g_mutex_lock (&m->lock);
  gpointer val = g_hash_table_lookup (m->by_token, token);
  if (val)
    key = DP_NAME_BASE + GPOINTER_TO_UINT (val) - 1;
  else if (dp_ip6_parse_prefix (token, a6, &plen))
    {
      /* an IPv6 address or prefix in any spelling: its canonical entry */
      if (!name_map_intern_ip6_locked (m, a6, plen, &key))
        key = G_MAXUINT32;
    }
  else
    {
      guint i;
      const char *copy = g_string_chunk_insert (m->chunk, token);
      if (name_map_add (m, copy, NULL, &i))
        key = DP_NAME_BASE + i;
      else
        {
          /* 2^28 - 1 names: no realistic trace gets here; the key of the
           * last name stands in, said once */
          if (!m->warned_full)
            g_warning ("name map: more than %u names; later ones share one address", DP_NAME_CAP);
          m->warned_full = TRUE;
          key = G_MAXUINT32 - 1;
        }
    }
  g_mutex_unlock (&m->lock);
  return key;
}

static gboolean
name_map_intern_ip6_locked (DpNameMap *m, const guint8 addr[16], guint prefix_len, guint32 *key)
{
  guint8 k[17];
  dp_ip6_mask (addr, prefix_len, k);
  k[16] = (guint8) prefix_len;
  gpointer val = g_hash_table_lookup (m->by_ip6, k);
  if (val)
    {
      *key = DP_NAME_BASE + GPOINTER_TO_UINT (val) - 1;
      return TRUE;
    }
  char text[64];
  dp_ip6_format (k, prefix_len, text);
  const guint8 *bytes = (const guint8 *) g_string_chunk_insert_len (m->chunk, (const char *) k, 17);
  const char *token = g_string_chunk_insert (m->chunk, text);
  guint i;
  if (!name_map_add (m, token, bytes, &i))
    return FALSE;
  *key = DP_NAME_BASE + i;
  return TRUE;
}

gboolean
dp_name_map_intern_ip6 (DpNameMap *m, const guint8 addr[16], guint prefix_len, guint32 *key)
{
  if (prefix_len > 128)
    return FALSE;
  g_mutex_lock (&m->lock);
  gboolean ok = name_map_intern_ip6_locked (m, addr, prefix_len, key);
  g_mutex_unlock (&m->lock);
  return ok;
}

static inline const DpNameEntry *
name_map_entry (const DpNameMap *m, guint32 addr)
{
  if (m == NULL || addr < DP_NAME_BASE)
    return NULL;
  guint i = addr - DP_NAME_BASE;
  if (i >= (guint) g_atomic_int_get (&m->n))
    return NULL;
  return name_map_slot (m->seg, i);
}

const char *
dp_name_map_lookup (const DpNameMap *m, guint32 addr)
{
  const DpNameEntry *e = name_map_entry (m, addr);
  return e ? e->token : NULL;
}

const guint8 *
dp_name_map_lookup_ip6 (const DpNameMap *m, guint32 addr, guint *prefix_len)
{
  const DpNameEntry *e = name_map_entry (m, addr);
  if (e == NULL || e->ip6 == NULL)
    return NULL;
  if (prefix_len)
    *prefix_len = e->ip6[16];
  return e->ip6;
}

guint
dp_name_map_size (const DpNameMap *m)
{
  return m ? (guint) g_atomic_int_get (&m->n) : 0;
}

void
dp_ip6_mask (const guint8 addr[16], guint prefix_len, guint8 out[16])
{
  for (guint b = 0; b < 16; b++)
    {
      guint bits = prefix_len > b * 8 ? MIN (prefix_len - b * 8, 8u) : 0;
      out[b] = bits == 8 ? addr[b] : (guint8) (addr[b] & (guint8) (0xff00u >> bits));
    }
}

const char *
dp_ip6_format (const guint8 addr[16], guint prefix_len, char buf[static 64])
{
  /* glibc's inet_ntop writes RFC 5952 text: lower case, the longest run of
   * zero groups (the first of equal runs, never a single one) as "::", and
   * IPv4-mapped addresses as ::ffff:a.b.c.d */
  if (inet_ntop (AF_INET6, addr, buf, 64) == NULL)
    g_strlcpy (buf, "::", 64);
  if (prefix_len < 128)
    {
      gsize n = strlen (buf);
      snprintf (buf + n, 64 - n, "/%u", prefix_len);
    }
  return buf;
}

gboolean
dp_ip6_parse (const char *s, guint8 addr[16])
{
  /* inet_pton refuses zone ids, brackets, prefixes and stray text */
  return strchr (s, ':') != NULL && inet_pton (AF_INET6, s, addr) == 1;
}

gboolean
dp_ip6_parse_prefix (const char *s, guint8 addr[16], guint *prefix_len)
{
  if (strchr (s, ':') == NULL)
    return FALSE;
  const char *slash = strchr (s, '/');
  guint len = 128;
  char text[64];
  if (slash)
    {
      gsize n = (gsize) (slash - s);
      guint64 v;
      if (n == 0 || n >= sizeof text || slash[1] == '+' || slash[1] == '-'
          || (slash[1] == '0' && slash[2] != '\0')
          || !g_ascii_string_to_unsigned (slash + 1, 10, 0, 128, &v, NULL))
        return FALSE;
      memcpy (text, s, n);
      text[n] = '\0';
      s = text;
      len = (guint) v;
    }
  guint8 a[16];
  if (inet_pton (AF_INET6, s, a) != 1)
    return FALSE;
  dp_ip6_mask (a, len, addr);
  *prefix_len = len;
  return TRUE;
}

const char *
dp_ipv4_format (guint32 addr, const DpNameMap *names, char buf[static 64])
{
  const char *name = dp_name_map_lookup (names, addr);
  if (name)
    return name;
  *dp_ipv4_put (buf, addr) = '\0';
  return buf;
}

gboolean
dp_ipv4_parse (const char *s, guint32 *addr)
{
  guint32 a = 0;
  for (int part = 0; part < 4; part++)
    {
      guint v = 0;
      int digits = 0;
      while (*s >= '0' && *s <= '9')
        {
          v = v * 10 + (guint) (*s++ - '0');
          if (++digits > 3 || v > 255)
            return FALSE;
        }
      if (digits == 0)
        return FALSE;
      a = (a << 8) | v;
      if (part < 3 && *s++ != '.')
        return FALSE;
    }
  if (*s != '\0')
    return FALSE;
  *addr = a;
  return TRUE;
}

