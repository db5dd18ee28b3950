/* plugin.c — the anonymize plugin: prefix-preserving anonymisation of IPv4 and IPv6
 * addresses (Crypto-PAn with AES-128, compatible with cryptopANT's key
 * files and output), for packets and for tables with address columns.
 * The IPv4 scrambler and its caches are in ip4.c, the 128-bit one in
 * ip6.c, the key file is read in keyfile.c; here are the batches: packet
 * columns, table columns, and IPv6 addresses as keys of the batches' name
 * map (anon_keys).  The process callbacks are thin wrappers over
 * anon_packets/anon_table. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "anonymize.h"

/* ------------------------------------------------------------------ */
/* IPv6 addresses and pseudonyms: keys of the name map
 *
 * An IPv6 address travels as a key in 240.0.0.0/4 of its batch's name map
 * (docs/architecture.md).  The stage gives its output batches and tables
 * one name map of its own, shared by all of them: an input entry that is
 * an IPv6 address or prefix becomes the key of its anonymised address
 * there, a pseudonym the key of the same token.  The input's map is not
 * written: it holds the addresses in clear, and other branches of the
 * pipeline share it.  Each input map met gets a table from its entries to
 * the output keys, so a key always becomes the same key, whatever batch
 * it comes in; two inputs with the same address meet at one output key.
 * Each entry is computed once (the table is the IPv6 address cache). */

static AnonKeys *
anon_keys_of (Anon *s, DpNameMap *in)
{
  for (guint k = 0; k < s->n_keys; k++)
    if (s->keys[k].in == in)
      return &s->keys[k];
  s->keys = g_renew (AnonKeys, s->keys, s->n_keys + 1);
  AnonKeys *ks = &s->keys[s->n_keys++];
  *ks = (AnonKeys) { dp_name_map_ref (in), { NULL, NULL }, 0 };
  if (s->out_names == NULL)
    s->out_names = dp_name_map_new ();
  return ks;
}

static gboolean
anon_intern6 (Anon *s, const guint8 a[16], guint plen, guint32 *key, GError **error)
{
  if (dp_name_map_intern_ip6 (s->out_names, a, plen, key))
    return TRUE;
  g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FAILED,
               "the output name map is full (2^28 - 1 entries): the IPv6 address cannot be given a key");
  return FALSE;
}

/* The anonymised form of one IPv6 address or prefix (text cells and
 * reverse runs: one at a time). */
static void
anon6_one (Anon *s, const guint8 in[16], guint plen, guint8 out[16])
{
  if (s->cfg->reverse)
    {
      anon6_reverse (s, in, plen, out);
      return;
    }
  anon6_scramble_many (s, (const guint8 (*)[16]) in, &plen, (guint8 (*)[16]) out, 1);
  anon6_forward (s, in, plen, out);
}

/* Sets the rows of @col whose value in @orig (@n rows) is a key of @in
 * below 240.0.0.0 + @size to keys of the stage's output map: IPv6 entries
 * anonymised (@anon) or copied as they are (addresses that `addresses`
 * or `columns` leave alone), pseudonyms copied.  Other rows are not
 * touched (anon_column's). */
static gboolean
anon_keys (Anon *s, DpNameMap *in, guint size, const guint32 *orig, guint32 *col, guint n, gboolean anon,
           GError **error)
{
  AnonKeys *ks = anon_keys_of (s, in);
  if (ks->n_to < size)
    {
      guint grow = MAX (size, MIN (2 * ks->n_to, (guint) 0x0fffffff));
      for (guint k = 0; k < 2; k++)
        {
          ks->to[k] = g_renew (guint32, ks->to[k], grow);
          memset (ks->to[k] + ks->n_to, 0, (grow - ks->n_to) * sizeof (guint32));
        }
      ks->n_to = grow;
    }
  guint32 *to = ks->to[anon ? 1 : 0];
  guint8 pin[ANON6_BATCH][16], pout[ANON6_BATCH][16];
  guint plen[ANON6_BATCH], pidx[ANON6_BATCH], np = 0;
  for (guint r = 0; r <= n; r++)
    {
      if (r < n)
        {
          guint32 a = orig[r];
          if (a - DP_NAME_BASE >= size || to[a - DP_NAME_BASE] != 0)
            continue;
          guint i = a - DP_NAME_BASE, pl;
          const guint8 *a6 = dp_name_map_lookup_ip6 (in, a, &pl);
          if (a6 == NULL)
            {
              to[i] = dp_name_map_intern (s->out_names, dp_name_map_lookup (in, a));
              s->names_done++;
              continue;
            }
          if (!anon || s->cfg->reverse)
            {
              guint8 b[16];
              if (anon)
                anon6_reverse (s, a6, pl, b);
              if (!anon_intern6 (s, anon ? b : a6, pl, &to[i], error))
                return FALSE;
              s->ip6_done += anon;
              continue;
            }
          to[i] = 1;   /* pending: not a key of any map */
          memcpy (pin[np], a6, 16);
          plen[np] = pl;
          pidx[np++] = i;
          if (np < ANON6_BATCH)
            continue;
        }
      if (np == 0)
        continue;
      anon6_scramble_many (s, (const guint8 (*)[16]) pin, plen, pout, np);
      for (guint k = 0; k < np; k++)
        {
          anon6_forward (s, pin[k], plen[k], pout[k]);
          if (!anon_intern6 (s, pout[k], plen[k], &to[pidx[k]], error))
            return FALSE;
        }
      s->ip6_done += np;
      np = 0;
    }
  for (guint r = 0; r < n; r++)
    if (orig[r] - DP_NAME_BASE < size)
      col[r] = to[orig[r] - DP_NAME_BASE];
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Batches */

/* Copies @in into the stage's output batch (reused when no consumer kept
 * it: a fresh batch per push costs page faults) and rewrites its
 * addresses there; the input is never written. */
static DpFlow
anon_packets (DpStage *stage, Anon *s, const DpPackets *in, GError **error)
{
  guint n = in->n_rows;
  if (s->out_batch == NULL || s->out_batch->capacity < n)
    {
      g_clear_pointer (&s->out_batch, dp_batch_unref);
      s->out_batch = dp_packets_new (MAX (n, DP_PACKETS_DEFAULT_ROWS));
    }
  DpPackets *out = s->out_batch;
#define ANON_COPY(col) if (n) memcpy (out->col, in->col, n * sizeof *in->col);
  DP_PACKET_COLUMNS (ANON_COPY)
#undef ANON_COPY
  out->n_rows = n;
  gboolean src = s->cfg->addresses != ANON_DST, dst = s->cfg->addresses != ANON_SRC;
  /* the keys that the batch's name map had given out when it came */
  guint n_keys = dp_name_map_size (in->names);
  if (src)
    anon_column (s, out->src, n, n_keys);
  if (dst)
    anon_column (s, out->dst, n, n_keys);
  if (in->names && (!anon_keys (s, in->names, n_keys, in->src, out->src, n, src, error)
                    || !anon_keys (s, in->names, n_keys, in->dst, out->dst, n, dst, error)))
    return DP_FLOW_ERROR;
  dp_packets_set_names (out, in->names ? s->out_names : NULL);
  if (anon_failed (s, error))
    return DP_FLOW_ERROR;
  return dp_stage_push_packets (stage, 0, &s->out_batch);
}

static gboolean
anon_table_wants (const Anon *s, const DpColumn *c)
{
  if (c->type != DP_COL_IPV4 && !(c->type == DP_COL_STRING && s->cfg->text_addresses))
    return FALSE;
  if (s->column_names == NULL)
    return TRUE;
  for (guint i = 0; i < s->column_names->len; i++)
    if (strcmp (g_ptr_array_index (s->column_names, i), c->name) == 0)
      return TRUE;
  return FALSE;
}

/* A copy of @in with its address columns anonymised.  A table of networks
 * (an int64 `prefix` column beside the `ip` column, as labels writes for
 * CIDR entries) keeps network addresses there: the host bits past the
 * prefix are cleared again after scrambling. */
static DpTable *
anon_table (Anon *s, DpStage *stage, const DpTable *in, GError **error)
{
  for (guint i = 0; s->column_names && i < s->column_names->len; i++)
    {
      const char *name = g_ptr_array_index (s->column_names, i);
      gint c = dp_table_find_column (in, name);
      if (c < 0 || (in->cols[c].type != DP_COL_IPV4 && in->cols[c].type != DP_COL_STRING))
        {
          g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT,
                       "table '%s' has no address column '%s' (option 'columns')", in->name, name);
          return NULL;
        }
    }
  DpTable *out = dp_table_new (in->name);
  for (guint c = 0; c < in->n_cols; c++)
    dp_table_add_column_flags (out, in->cols[c].name, in->cols[c].type, in->cols[c].flags);
  for (guint r = 0; r < in->n_rows; r++)
    dp_table_append_row (out);
  if (in->names)
    {
      anon_keys_of (s, in->names);
      dp_table_set_names (out, s->out_names);
    }
  guint n_keys = dp_name_map_size (in->names);
  gint pc = dp_table_find_column (in, "prefix");
  if (pc >= 0 && in->cols[pc].type != DP_COL_INT64)
    pc = -1;
  for (guint c = 0; c < in->n_cols; c++)
    {
      const DpColumn *ic = &in->cols[c];
      DpColumn *oc = &out->cols[c];
      switch (ic->type)
        {
        case DP_COL_STRING:
          for (guint r = 0; r < in->n_rows; r++)
            {
              /* a cell that is an address (Maltrail labels some ranges by
               * one) would publish it in clear */
              guint32 a;
              guint8 a6[16], o6[16];
              guint pl;
              char buf[64];
              if (ic->str[r] && anon_table_wants (s, ic) && dp_ipv4_parse (ic->str[r], &a))
                {
                  anon_column (s, &a, 1, 0);
                  dp_table_set_str (out, c, r, dp_ipv4_format (a, NULL, buf));
                  s->text_cells++;
                }
              else if (ic->str[r] && anon_table_wants (s, ic) && dp_ip6_parse_prefix (ic->str[r], a6, &pl))
                {
                  /* IPv6 text, an address or a prefix a::/len */
                  anon6_one (s, a6, pl, o6);
                  dp_table_set_str (out, c, r, dp_ip6_format (o6, pl, buf));
                  s->text_cells++;
                }
              else
                dp_table_set_str (out, c, r, ic->str[r]);
            }
          break;
        case DP_COL_INT64:
          if (in->n_rows)
            memcpy (oc->i64, ic->i64, in->n_rows * sizeof (gint64));
          break;
        case DP_COL_DOUBLE:
          if (in->n_rows)
            memcpy (oc->f64, ic->f64, in->n_rows * sizeof (double));
          break;
        case DP_COL_IPV4:
          if (in->n_rows)
            memcpy (oc->ip, ic->ip, in->n_rows * sizeof (guint32));
          if (anon_table_wants (s, ic))
            {
              anon_column (s, oc->ip, in->n_rows, n_keys);
              /* an IPv4 network: not a name-map key, whose entry has its own prefix */
              for (guint r = 0; pc >= 0 && strcmp (ic->name, "ip") == 0 && r < in->n_rows; r++)
                {
                  gint64 p = in->cols[pc].i64[r];
                  if (p >= 0 && p < 32 && ic->ip[r] - DP_NAME_BASE >= n_keys)
                    oc->ip[r] &= p == 0 ? 0 : (guint32) (G_MAXUINT32 << (32 - p));
                }
            }
          /* IPv6 entries anonymised, pseudonyms (and the addresses of
           * columns left alone) copied into the output's map */
          if (in->names
              && !anon_keys (s, in->names, n_keys, ic->ip, oc->ip, in->n_rows, anon_table_wants (s, ic), error))
            {
              dp_batch_unref (out);
              return NULL;
            }
          break;
        }
      /* a null cell stays null (a null address is 0, which the
       * scrambling above may have turned into another) */
      dp_table_copy_nulls (out, c, in, c);
    }
  return out;
}

/* The flow of the push: a filter wants what its consumers want. */
static DpFlow
anon_batch (DpStage *stage, Anon *s, DpBatch *batch, GError **error)
{
  if (batch->type == DP_TYPE_PACKETS)
    return anon_packets (stage, s, (const DpPackets *) batch, error);
  if (batch->type == DP_TYPE_TABLE)
    {
      DpTable *t = anon_table (s, stage, (const DpTable *) batch, error);
      if (t == NULL)
        return DP_FLOW_ERROR;
      if (anon_failed (s, error))
        {
          dp_batch_unref (t);
          return DP_FLOW_ERROR;
        }
      return dp_stage_push (stage, 1, t);
    }
  g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT, "anonymize takes packets and tables, not %s",
               dp_batch_type_name (batch->type));
  return DP_FLOW_ERROR;
}

/* ------------------------------------------------------------------ */
/* Life cycle */

static DpFlow
anon_process (DpStage *stage, void *state, guint in_port, const char *upstream, DpBatch *batch,
              GError **error)
{
  return anon_batch (stage, state, batch, error);
}

/* Before any data: the sensor's prefixes, a reversible setting, and a key
 * file that reads (its errors name the file and byte, never key digits). */
static gboolean
anon_check (DpStage *stage, const void *config, GError **error)
{
  const AnonConfig *cfg = config;
  for (char **t = cfg->telescope; t && *t; t++)
    {
      DpCidr c;
      guint8 a6[16];
      guint pl;
      g_autoptr (GError) e = NULL;
      if (strchr (*t, ':') ? !anon6_parse_net (*t, a6, &pl, &e) : !dp_parse_cidr (*t, &c, &e))
        return dp_stage_config_error (stage, error, DP_CONFIG_ERROR_TYPE, "telescope", "option 'telescope': %s",
                                      e->message);
    }
  if (cfg->reverse && cfg->telescope && cfg->telescope[0] && cfg->telescope_host == ANON_HOST_ZERO)
    return dp_stage_config_error (stage, error, DP_CONFIG_ERROR_CHOICE, "telescope_host",
                                  "option 'telescope_host': zero cannot be reversed (the telescope's host "
                                  "bits are gone); reverse data made with remap or scramble");
  AnonKey k;
  gboolean ok = anon_key_read (stage, cfg->key_file, &k, error);
  OPENSSL_cleanse (&k, sizeof k);
  if (!ok)
    dp_stage_check_option (stage, "key_file");
  return ok;
}

static gboolean
anon_finish (DpStage *stage, void *state, GError **error)
{
  Anon *s = state;
  dp_stage_count (stage, "addresses", s->addresses);
  dp_stage_count (stage, "computed", s->misses);
  dp_stage_count (stage, "aes-blocks", s->blocks_done);
  if (s->ip6_done)
    dp_stage_count (stage, "ipv6-computed", s->ip6_done);
  if (s->names_done)
    dp_stage_count (stage, "pseudonyms", s->names_done);
  if (s->n_nets || s->n_nets6)
    dp_stage_count (stage, "telescope-addresses", s->telescope_hits);
  if (s->text_cells)
    dp_stage_count (stage, "text-addresses", s->text_cells);
  return TRUE;
}

static void
anon_finalize (void *state)
{
  Anon *s = state;
  if (s->ctx)
    EVP_CIPHER_CTX_free (s->ctx);
  OPENSSL_cleanse (s->pad, sizeof s->pad);
  s->pad_word = 0;
  g_free (s->cache);
  g_free (s->net16);
  g_free (s->nets);
  g_free (s->nets6);
  g_free (s->net64);
  for (guint k = 0; k < s->n_keys; k++)
    {
      dp_name_map_unref (s->keys[k].in);
      g_free (s->keys[k].to[0]);
      g_free (s->keys[k].to[1]);
    }
  g_free (s->keys);
  dp_name_map_unref (s->out_names);
  OPENSSL_cleanse (s->pad6, sizeof s->pad6);
  g_free (s->blocks);
  g_free (s->out);
  g_clear_pointer (&s->out_batch, dp_batch_unref);
  g_clear_pointer (&s->column_names, g_ptr_array_unref);
  g_free (s);
}

static gboolean
anon_init (DpStage *stage, const void *config, void **state, GError **error)
{
  const AnonConfig *cfg = config;
  Anon *s = g_new0 (Anon, 1);
  *state = s;
  s->cfg = cfg;
  s->pass_bits = (guint) cfg->pass_bits;
  for (char **t = cfg->telescope; t && *t; t++)
    {
      DpCidr c;
      GError *e = NULL;
      if (strchr (*t, ':'))
        {
          if (anon6_telescope_add (s, *t, &e))
            continue;
          g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_TYPE, "option 'telescope': %s", e->message);
          g_error_free (e);
          return FALSE;
        }
      if (!dp_parse_cidr (*t, &c, &e))
        {
          g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_TYPE, "option 'telescope': %s", e->message);
          g_error_free (e);
          return FALSE;
        }
      s->nets = g_renew (AnonNet, s->nets, s->n_nets + 1);
      s->nets[s->n_nets++] = (AnonNet) { c.addr, c.prefix, 32u - c.prefix };
    }
  if (cfg->reverse && (s->n_nets || s->n_nets6) && cfg->telescope_host == ANON_HOST_ZERO)
    {
      g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_CHOICE, "option 'telescope_host': zero cannot be "
                   "reversed (the telescope's host bits are gone); reverse data made with remap or scramble");
      return FALSE;
    }
  if (cfg->columns)
    {
      s->column_names = g_ptr_array_new ();
      for (char **c = cfg->columns; *c; c++)
        g_ptr_array_add (s->column_names, *c);
    }

  AnonKey k;
  if (!anon_key_read (stage, cfg->key_file, &k, error))
    {
      OPENSSL_cleanse (&k, sizeof k);
      return FALSE;
    }
  memcpy (s->pad, k.pad, 16);
  anon6_init (s, &k);
  s->pad_word = (guint32) k.pad[0] | (guint32) k.pad[1] << 8 | (guint32) k.pad[2] << 16 | (guint32) k.pad[3] << 24;
  s->ctx = EVP_CIPHER_CTX_new ();
  gboolean ok = s->ctx && EVP_EncryptInit_ex (s->ctx, EVP_aes_128_ecb (), NULL, k.key, NULL)
                && EVP_CIPHER_CTX_set_padding (s->ctx, 0);
  OPENSSL_cleanse (&k, sizeof k);
  if (!ok)
    {
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FAILED, "libcrypto could not set up AES-128");
      return FALSE;
    }
  s->blocks = g_malloc (ANON_MISS_BATCH * 32 * 16);
  s->out = g_malloc (ANON_MISS_BATCH * 32 * 16);
  if (cfg->cache_size > 0)
    {
      guint32 n = 1;
      while (n < cfg->cache_size)
        n <<= 1;
      s->cache = g_new (AnonSlot, n);
      s->cache_mask = n - 1;
      /* every slot valid from the start: key 0 with the image of 0.0.0.0 */
      guint32 zero = 0, v;
      if (cfg->reverse)
        v = anon_reverse_one (s, 0);
      else
        {
          anon_scramble_many (s, &zero, &v, 1);
          const AnonNet *t = anon_telescope (s, 0);
          if (t && cfg->telescope_host != ANON_HOST_SCRAMBLE)
            v = anon_telescope_forward (s, t, v);
        }
      for (guint32 i = 0; i < n; i++)
        s->cache[i] = (AnonSlot) { 0, v };
      if (anon_failed (s, error))
        return FALSE;
    }
  if (!cfg->reverse && s->pass_bits < 16)
    s->net16 = g_new0 (guint32, 65536);
  return TRUE;
}

static const char *const anon_addresses[] = { "both", "src", "dst", NULL };
static const char *const anon_hosts[] = { "remap", "zero", "scramble", NULL };

static const DpOptionDesc anon_options[] = {
  DP_OPTION_FLAGS ("key_file", DP_OPT_PATH, NULL, AnonConfig, key_file, DP_OPT_REQUIRED | DP_OPT_INPUT,
                   "cryptopANT key file (AES, c4:c6:key:pad:mac:iv in hex); make one with 'darkpipe anonymize --new-key FILE'."),
  DP_OPTION_ENUM ("addresses", "both", AnonConfig, addresses, anon_addresses,
                  "Which addresses of packets to anonymise."),
  DP_OPTION_RANGE ("pass_bits", DP_OPT_UINT, "0", AnonConfig, pass_bits, 0, 32,
                   "Leading bits of IPv4 addresses passed unchanged (the old class bits, 1 to 4, are always kept; 240.0.0.0/4 is kept whole)."),
  DP_OPTION_RANGE ("ipv6_pass_bits", DP_OPT_UINT, "0", AnonConfig, ipv6_pass_bits, 0, 128,
                   "Leading bits of IPv6 addresses passed unchanged (no class bits are kept for IPv6)."),
  DP_OPTION ("telescope", DP_OPT_STRLIST, NULL, AnonConfig, telescope,
             "The sensor's own prefixes (IPv4 or IPv6 CIDR): their host bits are remapped or zeroed, per telescope_host."),
  DP_OPTION_ENUM ("telescope_host", "remap", AnonConfig, telescope_host, anon_hosts,
                  "Host bits of telescope addresses: remap (keyed permutation, not prefix-preserving), zero, or scramble like any address."),
  DP_OPTION ("reverse", DP_OPT_BOOL, "false", AnonConfig, reverse,
             "Undo the anonymisation (needs the same key, pass_bits and telescope options)."),
  DP_OPTION_RANGE ("cache_size", DP_OPT_UINT, "1048576", AnonConfig, cache_size, 0, 1 << 28,
                   "Entries of the address cache (8 bytes each, rounded up to a power of two; 0: no cache)."),
  DP_OPTION ("columns", DP_OPT_STRLIST, NULL, AnonConfig, columns,
             "Columns of tables to anonymise (default: every address column, and text columns per text_addresses)."),
  DP_OPTION ("text_addresses", DP_OPT_BOOL, "true", AnonConfig, text_addresses,
             "Also anonymise text cells of tables that are a whole dotted-quad address (labels named by an address)."),
};

static const DpPortDesc anon_inputs[] = {
  { "input", DP_TYPE_ANY, DP_PORT_MULTI, "Packets, or tables with address (ipv4) columns; IPv6 addresses as name-map keys." },
};

static const DpPortDesc anon_outputs[] = {
  { "packets", DP_TYPE_PACKETS, 0, "The packets with src/dst anonymised (a copy; other columns unchanged)." },
  { "tables", DP_TYPE_TABLE, 0, "Each input table with its address columns anonymised." },
};

DP_PLUGIN_DEFINE (anonymize,
  .kind = DP_KIND_TRANSFORM,
  .summary = "Prefix-preserving anonymisation of IPv4 and IPv6 addresses (Crypto-PAn, AES-128, cryptopANT-compatible)",
  .version = "1.0",
  .doc = "Scrambles addresses with Crypto-PAn (Xu et al., ICNP 2002) using AES-128 from OpenSSL's "
         "libcrypto (AES-NI through EVP). Two addresses that share a k-bit prefix share a k-bit prefix "
         "afterwards; the key holder can invert the mapping (`reverse: true`). The key file and the "
         "output are those of cryptopANT (`scramble_ips`) with an AES key file: the plugin reproduces "
         "its 1000 IPv4 and 1000 IPv6 test vectors bit for bit. As there, the leading bits of the old "
         "IPv4 address class (A 1, B 2, C 3, D 4) are kept and `pass_bits` keeps more; IPv6 keeps no "
         "class bits, `ipv6_pass_bits` keeps leading bits of IPv6 addresses (IPv4's `pass_bits` counts "
         "bits of a 32-bit address and does not apply to them). Make a key with "
         "`darkpipe anonymize --new-key FILE` (mode 0600, never printed).\n\n"
         "IPv6 addresses travel as keys in 240.0.0.0/4 of the batches' name map. The stage gives "
         "everything it outputs one name map of its own: an IPv6 entry (address, or prefix a::/len, "
         "whose bits past len stay zero) becomes the key of its anonymised address there, a pseudonym "
         "(DarkVec's names) the key of the same token; the input's map, which holds the addresses in "
         "clear, is not passed on. A key becomes the same output key in every batch and table of the "
         "run, and each entry is computed once. Other class E values pass unchanged.\n\n"
         "`telescope` names the sensor's own prefixes, IPv4 or IPv6. Their network bits are scrambled like any "
         "address, but their host bits are, with `telescope_host: remap`, replaced by a keyed "
         "permutation that is not prefix-preserving (distinct destinations stay distinct; the "
         "sensor's layout, which a probe sent to a known address would reveal, does not show), or "
         "zeroed (`zero`). IPv6 prefix entries (aggregates, not addresses) are not remapped.\n\n"
         "Packets come out on `packets` as a copy with `src`/`dst` replaced (per `addresses`); tables "
         "on `tables` with their address columns replaced (all, or `columns`). A table with an int64 "
         "`prefix` column (CIDR entries of `labels`) keeps network addresses in its `ip` column: bits "
         "past the prefix are cleared again. Text cells that are a whole address (Maltrail labels "
         "some ranges by an address, `13.249.87.125`) are anonymised too, and IPv6 text (an address or "
         "a prefix) likewise (`text_addresses`, counted "
         "as `text-addresses`); an address inside longer text is not. Counters: `addresses` (anonymised), `computed` (cache misses, "
         "each address computed), `aes-blocks` (AES blocks encrypted), `telescope-addresses` (of the "
         "computed ones, those in `telescope`), `ipv6-computed` (IPv6 entries anonymised), "
         "`pseudonyms` (pseudonym entries carried over).\n\n"
         "What this does not hide: timing, packet sizes, TTLs, ports, TCP sequence numbers, IP ids "
         "and flags pass unchanged, and they fingerprint senders and tools; prefix preservation "
         "leaks the structure of the address space (how many senders share a /24), which "
         "known-plaintext attacks exploit (a party that knows some real addresses of the trace "
         "learns the mapping of their prefixes); the sensor's prefixes keep their size. See the "
         "README's section on publishing anonymised data.",
  .inputs = anon_inputs, .n_inputs = DP_N_ELEMENTS (anon_inputs),
  .outputs = anon_outputs, .n_outputs = DP_N_ELEMENTS (anon_outputs),
  .options = anon_options, .n_options = DP_N_ELEMENTS (anon_options),
  .config_size = sizeof (AnonConfig),
  .check = anon_check,
  .init = anon_init,
  .process = anon_process,
  .finish = anon_finish,
  .finalize = anon_finalize)
