/* w2v-tables.c — the word2vec trainer's sampling tables: which tokens
 * sub-sampling keeps, and the alias table negatives are drawn from. */
#include "config.h"
#include <math.h>
#include <string.h>
#include "w2v-tables.h"

/* gensim's sub-sampling: keep a token with probability
 * (sqrt(c/t) + 1) * t/c, t = sample * (tokens kept by min_count). */
void
word2vec_build_keep (Word2vecModel *m, const guint64 *counts)
{
  const double sample = m->config->sample;
  double total = 0;
  for (guint i = 0; i < m->n; i++)
    total += (double) counts[i];
  double t = sample < 1.0 ? sample * total : sample * (3 + sqrt (5)) / 2;
  m->keep = g_new (guint32, MAX (m->n, 1u));
  for (guint i = 0; i < m->n; i++)
    {
      double p = 1.0;
      if (sample > 0 && counts[i] > 0)
        p = (sqrt ((double) counts[i] / t) + 1) * (t / (double) counts[i]);
      m->keep[i] = p >= 1.0 ? G_MAXUINT32 : (guint32) llround (p * G_MAXUINT32);
    }
}

/* Walker's alias method (Vose's construction) over count^ns_exponent. */
void
word2vec_build_alias (Word2vecModel *m, const guint64 *counts)
{
  const guint n = m->n;
  g_autofree double *q = g_new (double, n);
  double sum = 0;
  for (guint i = 0; i < n; i++)
    sum += q[i] = counts[i] ? pow ((double) counts[i], m->config->ns_exponent) : 0.0;
  for (guint i = 0; i < n; i++)
    q[i] = sum > 0 ? q[i] * n / sum : 1.0;
  g_autofree guint32 *small = g_new (guint32, n);
  g_autofree guint32 *large = g_new (guint32, n);
  guint ns = 0, nl = 0;
  for (guint i = 0; i < n; i++)
    {
      if (q[i] < 1.0)
        small[ns++] = i;
      else
        large[nl++] = i;
    }
  m->alias = g_new (Word2vecAlias, n);
  while (ns > 0 && nl > 0)
    {
      guint32 s = small[--ns], l = large[nl - 1];
      m->alias[s].threshold = (guint32) MIN (q[s] * 4294967296.0, 4294967295.0);
      m->alias[s].alias = l;
      q[l] -= 1.0 - q[s];
      if (q[l] < 1.0)
        {
          nl--;
          small[ns++] = l;
        }
    }
  /* leftovers are 1 up to rounding: always themselves */
  while (nl > 0)
    {
      guint32 l = large[--nl];
      m->alias[l] = (Word2vecAlias) { G_MAXUINT32, l };
    }
  while (ns > 0)
    {
      guint32 s = small[--ns];
      m->alias[s] = (Word2vecAlias) { G_MAXUINT32, s };
    }
}
