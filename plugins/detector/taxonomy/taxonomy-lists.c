/* taxonomy-lists.c — the ports of each port-scan key and the destinations
 * of each net-scan key, as the events table's `targets` column lists them
 * (event_ports, event_dsts), so "which ports did this source scan in that
 * hour?" needs no second pipeline.
 *
 * The text is the smallest values in increasing order (ports as numbers,
 * destinations as the tables print them: IPv4 addresses in order, then
 * IPv6 addresses in order, then pseudonyms in text order), separated by
 * commas; when more than the cap were seen, a last item "+N" says how many
 * were left out: "22,23,80,443,+12".  An item never starts with '+'
 * otherwise, so splitting on ',' reads it back. */
#include "config.h"

#include "taxonomy.h"

/* What a triple contributes to: the (dst, class) of a port scan, the
 * class|port of a net scan.  Two key spaces apart by the top bit. */
#define TAX_LIST_PAIR (G_GUINT64_CONSTANT (1) << 62)

static guint
taxonomy_list_cls (guint8 proto)
{
  return proto == 6 ? TAX_CLS_TCP : proto == 17 ? TAX_CLS_UDP : TAX_CLS_ICMP;
}

static int
taxonomy_u32_cmp (gconstpointer a, gconstpointer b)
{
  guint32 x = *(const guint32 *) a, y = *(const guint32 *) b;
  return (x > y) - (x < y);
}

/* Address order that does not depend on the name map's keys (which each
 * run hands out in its own order): IPv4 addresses by value, then IPv6
 * addresses by their bytes, then pseudonyms by their text.  Only for keys
 * of the name map: plain IPv4 addresses are ordered by value before. */
static int
taxonomy_named_cmp (gconstpointer a, gconstpointer b, gpointer data)
{
  const DpNameMap *names = data;
  guint32 x = *(const guint32 *) a, y = *(const guint32 *) b;
  const guint8 *x6 = dp_name_map_lookup_ip6 (names, x, NULL), *y6 = dp_name_map_lookup_ip6 (names, y, NULL);
  const char *xn = x6 ? NULL : dp_name_map_lookup (names, x), *yn = y6 ? NULL : dp_name_map_lookup (names, y);
  int cx = x6 ? 1 : xn ? 2 : 0, cy = y6 ? 1 : yn ? 2 : 0;
  if (cx != cy)
    return cx - cy;
  if (cx == 1)
    return memcmp (x6, y6, 16);
  if (cx == 2)
    return strcmp (xn, yn);
  return (x > y) - (x < y);
}

/* Restores the max-heap v[0..k) below position @j. */
static void
taxonomy_sift_down (guint32 *v, guint k, guint j)
{
  for (;;)
    {
      guint l = 2 * j + 1, m = j;
      if (l < k && v[l] > v[m])
        m = l;
      if (l + 1 < k && v[l + 1] > v[m])
        m = l + 1;
      if (m == j)
        return;
      guint32 t = v[j];
      v[j] = v[m];
      v[m] = t;
      j = m;
    }
}

/* Moves the @k smallest of the @n values at @v to its front, in
 * increasing order: a max-heap of k over one pass (lists are capped at a
 * few dozen items, while a net scan's key can hold a /16's addresses). */
static void
taxonomy_smallest (guint32 *v, guint n, guint k)
{
  if (k < n && k > 0)
    {
      for (guint i = k / 2; i-- > 0;)
        taxonomy_sift_down (v, k, i);
      for (guint i = k; i < n; i++)
        if (v[i] < v[0])
          {
            v[0] = v[i];
            taxonomy_sift_down (v, k, 0);
          }
    }
  qsort (v, MIN (k, n), sizeof *v, taxonomy_u32_cmp);
}

static void
taxonomy_list_number (GString *b, guint64 v)
{
  char tmp[24], *p = tmp + sizeof tmp;
  do
    *--p = (char) ('0' + v % 10);
  while ((v /= 10) != 0);
  g_string_append_len (b, p, tmp + sizeof tmp - p);
}

/* The list text of @values (reordered here), at most @cap of them. */
static char *
taxonomy_list_text (GArray *values, guint64 cap, gboolean addresses, DpNameMap *names)
{
  guint32 *v = (guint32 *) (void *) values->data;
  guint n = values->len, shown = (guint) MIN ((guint64) n, cap);
  if (addresses && names != NULL)
    {
      /* plain IPv4 addresses first, by value; keys of the name map after
       * them, in their own order, when the cap reaches them */
      guint plain = 0;
      for (guint i = 0; i < n; i++)
        if (v[i] < DP_NAME_BASE)
          {
            guint32 t = v[plain]; v[plain++] = v[i]; v[i] = t;
          }
      taxonomy_smallest (v, plain, MIN (plain, shown));
      if (plain < shown)
        g_qsort_with_data (v + plain, (gint) (n - plain), sizeof *v, taxonomy_named_cmp, names);
    }
  else
    taxonomy_smallest (v, n, shown);
  GString *b = g_string_new (NULL);
  char buf[64];
  for (guint i = 0; i < shown; i++)
    {
      if (i)
        g_string_append_c (b, ',');
      if (addresses)
        g_string_append (b, dp_ipv4_format (v[i], names, buf));
      else
        taxonomy_list_number (b, v[i]);
    }
  if (n > cap)
    {
      g_string_append (b, ",+");
      taxonomy_list_number (b, (guint64) n - cap);
    }
  return g_string_free (b, FALSE);
}

void
taxonomy_event_lists (TaxClose *c, const TaxTable *triples, const guint64 *key, gsize from, gsize to)
{
  const TaxonomyConfig *cfg = c->cfg;
  GArray *ev = c->k->events;
  DpHash index;                 /* key of the list -> event number */
  gboolean any = FALSE;
  dp_hash_init (&index, 16);
  for (guint i = 0; i < ev->len; i++)
    {
      const TaxEvent *e = &g_array_index (ev, TaxEvent, i);
      guint64 k;
      if (e->pattern <= TAX_PS_UDP_LIGHT && cfg->event_ports > 0)
        k = TAX_LIST_PAIR | (guint64) taxonomy_list_cls (e->proto) << 32 | e->dst;
      else if (e->pattern >= TAX_NS_TCP_HEAVY && e->pattern <= TAX_NS_UDP_LIGHT && cfg->event_dsts > 0)
        k = TAX_KEY_B (taxonomy_list_cls (e->proto), e->dport < 0 ? TAX_PORT_NULL : (guint32) e->dport);
      else if ((e->pattern == TAX_NS_ICMP_HEAVY || e->pattern == TAX_NS_ICMP_LIGHT) && cfg->event_dsts > 0)
        k = TAX_KEY_B (TAX_CLS_ICMP, TAX_ICMP_ECHO);
      else
        continue;
      *dp_hash_upsert (&index, k, NULL) = i;
      any = TRUE;
    }
  if (!any)
    {
      dp_hash_clear (&index);
      return;
    }
  g_autoptr (GPtrArray) values = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  for (guint i = 0; i < ev->len; i++)
    g_ptr_array_add (values, g_array_new (FALSE, FALSE, sizeof (guint32)));
  for (gsize k = from; k < to; k++)
    {
      const TaxAgg *t = &triples->entries[(guint32) key[k]];
      guint cls = TAX_KEY_CLS (t->b);
      guint32 port = TAX_KEY_PORT (t->b);
      const guint64 *slot;
      /* a port scan's ports: the triples of its (dst, class) with a port */
      if ((cls == TAX_CLS_TCP || cls == TAX_CLS_UDP) && port != TAX_PORT_NULL
          && (slot = dp_hash_find (&index, TAX_LIST_PAIR | (guint64) cls << 32 | t->dst)) != NULL)
        g_array_append_val (g_ptr_array_index (values, (guint) *slot), port);
      /* a net scan's destinations: the triples of its class|port */
      if ((slot = dp_hash_find (&index, t->b)) != NULL)
        g_array_append_val (g_ptr_array_index (values, (guint) *slot), t->dst);
    }
  for (gsize i = 0; i <= index.mask; i++)
    if (index.keys[i] != DP_HASH_EMPTY)
      {
        TaxEvent *e = &g_array_index (ev, TaxEvent, (guint) index.vals[i]);
        gboolean pair = (index.keys[i] & TAX_LIST_PAIR) != 0;
        e->list = taxonomy_list_text (g_ptr_array_index (values, (guint) index.vals[i]),
                                      pair ? cfg->event_ports : cfg->event_dsts, !pair, c->names);
      }
  dp_hash_clear (&index);
}
