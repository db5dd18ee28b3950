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

/* At most this many values are sorted by insertion: fewer mispredicted
 * branches than a heap's on short lists, the default cap's length. */
#define TAXONOMY_SORT_SMALL 64

/* Moves the @k smallest of the @n values at @v to its front, in
 * increasing order: when there are more, a max-heap of k over one pass
 * (lists are capped at a few dozen items, while a net scan's key can hold
 * a /16's addresses); then sorted, by insertion when short, else by taking
 * the heap's top off k times. */
static void
taxonomy_smallest (guint32 *v, guint n, guint k)
{
  k = MIN (k, n);
  if (k < n || k > TAXONOMY_SORT_SMALL)
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
  if (k > TAXONOMY_SORT_SMALL)
    {
      for (guint m = k - 1; m > 0; m--)
        {
          guint32 t = v[0];
          v[0] = v[m];
          v[m] = t;
          taxonomy_sift_down (v, m, 0);
        }
      return;
    }
  for (guint i = 1; i < k; i++)
    {
      guint32 x = v[i];
      guint j = i;
      for (; j > 0 && v[j - 1] > x; j--)
        v[j] = v[j - 1];
      v[j] = x;
    }
}

/* Writes @v in decimal at @p; returns the end. */
static inline char *
taxonomy_put_number (char *p, guint64 v)
{
  char tmp[24], *q = tmp + sizeof tmp;
  do
    *--q = (char) ('0' + v % 10);
  while ((v /= 10) != 0);
  gsize len = (gsize) (tmp + sizeof tmp - q);
  memcpy (p, q, len);
  return p + len;
}

/* Appends the list text of the @n values at @v (reordered here), at most
 * @cap of them, and a NUL to @b. */
static void
taxonomy_list_text (GString *b, guint32 *v, guint n, guint64 cap, gboolean addresses, DpNameMap *names)
{
  guint shown = (guint) MIN ((guint64) n, cap), plain = n;
  if (addresses && names != NULL)
    {
      /* plain IPv4 addresses first, by value; keys of the name map after
       * them, in their own order, when the cap reaches them */
      plain = 0;
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
  /* the plain items straight into the string: at most 16 bytes each */
  guint direct = MIN (plain, shown);
  gsize len = b->len;
  g_string_set_size (b, len + (gsize) direct * 16 + 32);
  char *p = b->str + len;
  for (guint i = 0; i < direct; i++)
    {
      if (i)
        *p++ = ',';
      p = addresses ? dp_ipv4_put (p, v[i]) : taxonomy_put_number (p, v[i]);
    }
  g_string_truncate (b, (gsize) (p - b->str));
  char buf[64];
  for (guint i = direct; i < shown; i++)
    {
      if (i)
        g_string_append_c (b, ',');
      g_string_append (b, dp_ipv4_format (v[i], names, buf));
    }
  if (n > cap)
    {
      char tail[32];
      tail[0] = ',';
      tail[1] = '+';
      g_string_append_len (b, tail, taxonomy_put_number (tail + 2, (guint64) n - cap) - tail);
    }
  g_string_append_c (b, '\0');
}

void
taxonomy_event_lists (TaxClose *c, gsize n)
{
  const TaxonomyConfig *cfg = c->cfg;
  TaxScratch *k = c->k;
  GArray *ev = k->events;
  const guint32 echo_b = TAX_KEY_B (TAX_CLS_ICMP, TAX_ICMP_ECHO);
  gboolean any = k->echo_ev != TAX_NO_EVENT;
  for (gsize i = 0; i < k->n_pairs && !any; i++)
    any = k->pair_ev[i] != TAX_NO_EVENT;
  for (gsize i = 0; i < k->n_ports && !any; i++)
    any = k->port_ev[i] != TAX_NO_EVENT;
  if (!any)
    return;
  /* the values of each listed event, event after event: counted, then
   * placed (a triple gives a port to its pair's list and a destination
   * to its port's) */
  if (ev->len + 1 > k->start_cap)
    {
      k->start_cap = MAX (ev->len + 1, k->start_cap * 2);
      k->start = g_renew (guint32, k->start, k->start_cap);
    }
  guint32 *start = k->start;
  memset (start, 0, (ev->len + 1) * sizeof *start);
  for (gsize j = 0; j < n; j++)
    {
      guint32 b = k->b_of[j];
      guint32 pe = k->pair_of[j] == TAX_NO_EVENT ? TAX_NO_EVENT : k->pair_ev[k->pair_of[j]];
      guint32 qe = k->port_of[j] == TAX_NO_EVENT ? (b == echo_b ? k->echo_ev : TAX_NO_EVENT)
                                                 : k->port_ev[k->port_of[j]];
      if (pe != TAX_NO_EVENT && TAX_KEY_PORT (b) != TAX_PORT_NULL)
        start[pe + 1]++;
      if (qe != TAX_NO_EVENT)
        start[qe + 1]++;
    }
  for (guint i = 0; i < ev->len; i++)
    start[i + 1] += start[i];
  gsize total = start[ev->len];
  if (total > k->vals_cap)
    {
      k->vals_cap = MAX (total, k->vals_cap * 2);
      k->vals = g_renew (guint32, k->vals, k->vals_cap);
    }
  /* start[i] moves to the end of list i - 1 while placing */
  for (gsize j = 0; j < n; j++)
    {
      guint32 b = k->b_of[j], port = TAX_KEY_PORT (b);
      guint32 pe = k->pair_of[j] == TAX_NO_EVENT ? TAX_NO_EVENT : k->pair_ev[k->pair_of[j]];
      guint32 qe = k->port_of[j] == TAX_NO_EVENT ? (b == echo_b ? k->echo_ev : TAX_NO_EVENT)
                                                 : k->port_ev[k->port_of[j]];
      if (pe != TAX_NO_EVENT && port != TAX_PORT_NULL)
        k->vals[start[pe]++] = port;
      if (qe != TAX_NO_EVENT)
        k->vals[start[qe]++] = k->dst_of[j];
    }
  /* now start[i] is the end of list i, the end of list i - 1 (or 0) its
   * start; it becomes where list i's text starts (or TAX_NO_EVENT).  A
   * listed event always has values: n1 and n2 are at least 1 */
  GString *text = k->text;
  g_string_truncate (text, 0);
  guint32 b = 0;
  for (guint i = 0; i < ev->len; i++)
    {
      guint32 e = start[i];
      start[i] = TAX_NO_EVENT;
      if (e > b)
        {
          gboolean ports = g_array_index (ev, TaxEvent, i).pattern <= TAX_PS_UDP_LIGHT;
          start[i] = (guint32) text->len;
          taxonomy_list_text (text, k->vals + b, e - b, ports ? cfg->event_ports : cfg->event_dsts,
                              !ports, c->names);
        }
      b = e;
    }
  for (guint i = 0; i < ev->len; i++)
    if (start[i] != TAX_NO_EVENT)
      g_array_index (ev, TaxEvent, i).list = text->str + start[i];
}
