/* plugin.c — the pcap source: reads pcap and pcapng captures (plain or gzip) into packets batches.
 *
 * libpcap opens every classic file (it checks the file header and gives
 * the link type, snapshot length and byte order).  Classic pcap records are
 * walked here, in 1 MiB blocks read from libpcap's FILE: its two freads per
 * record were a sixth of a whole taxonomy run.  The walk repeats libpcap's
 * per-record checks and keeps the byte offset of every record to name where
 * a bad packet or a truncation is.
 *
 * pcapng is walked here entirely, block by block (libpcap gives only the
 * first interface's link type and refuses an interface or a section of
 * another type or byte order): every section header sets the byte order and
 * starts a new interface list, every interface block its link type,
 * snapshot length and timestamp unit, and each packet is decoded with its
 * own interface's link type.  Other blocks are skipped by their length
 * (pcapng.c). */
#define _GNU_SOURCE   /* fopencookie */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <unistd.h>
#include <string.h>
#include <sys/stat.h>
#include "pcap.h"


static void
pcap_file_clear (gpointer data)
{
  g_free (((PcapFile *) data)->path);
}

void
pcap_ifaces_clear (PcapReader *r)
{
  for (guint i = 0; r->ifaces && i < r->ifaces->len; i++)
    {
      PcapIface *ifc = &g_array_index (r->ifaces, PcapIface, i);
      if (ifc->has_prog)
        pcap_freecode (&ifc->prog);
    }
  if (r->ifaces)
    g_array_set_size (r->ifaces, 0);
}

/* Stops the read-ahead thread (before the FILE it reads is closed). */
static void
pcap_readahead_stop (PcapReader *r)
{
  if (r->reader == NULL)
    return;
  g_mutex_lock (&r->lock);
  r->quit = TRUE;
  g_cond_broadcast (&r->cond);
  g_mutex_unlock (&r->lock);
  g_thread_join (g_steal_pointer (&r->reader));
  g_mutex_clear (&r->lock);
  g_cond_clear (&r->cond);
}

static void pcap_block_alloc (PcapReader *r);

void
pcap_reader_close (PcapReader *r)
{
  pcap_readahead_stop (r);
  if (r->has_prog)
    pcap_freecode (&r->prog);
  if (r->p)
    pcap_close (r->p);   /* closes the FILE too */
  else if (r->ng && r->fp)
    fclose (r->fp);
  pcap_ifaces_clear (r);
  if (r->ifaces)
    g_array_unref (r->ifaces);
  g_free (r->base[0]);
  g_free (r->base[1]);
  memset (r, 0, sizeof *r);
}

static gboolean
pcap_check_filter (const char *filter, GError **error)
{
  if (filter == NULL || filter[0] == '\0')
    return TRUE;
  pcap_t *dead = pcap_open_dead (DLT_EN10MB, 65535);
  struct bpf_program prog;
  gboolean ok = pcap_compile (dead, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) == 0;
  if (ok)
    pcap_freecode (&prog);
  else
    g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_TYPE,
                 "option 'filter': '%s' is not a valid BPF filter: %s", filter, pcap_geterr (dead));
  pcap_close (dead);
  return ok;
}

/* ------------------------------------------------------------------ */
/* opening one file */

/* The format from the magic number @m (@got bytes of it were read). */
static gboolean
pcap_sniff_magic (PcapReader *r, const guint8 *m, gsize got, char *why, gsize why_len)
{
  guint32 le = (guint32) m[0] | (guint32) m[1] << 8 | (guint32) m[2] << 16 | (guint32) m[3] << 24;
  guint32 be = GUINT32_SWAP_LE_BE (le);
  r->rec_hdr = 16;
  if (got == 4 && (le == 0x0a0d0d0a))
    r->classic = FALSE;
  else if (got == 4 && (le == 0xa1b2c3d4 || be == 0xa1b2c3d4))
    r->classic = TRUE;
  else if (got == 4 && (le == 0xa1b23c4d || be == 0xa1b23c4d))
    r->classic = TRUE, r->nano = TRUE;
  else if (got == 4 && (le == 0xa1b2cd34 || be == 0xa1b2cd34))
    r->classic = TRUE, r->rec_hdr = 24;   /* Kuznetzov's patched format */
  else
    {
      g_strlcpy (why, "not a pcap or pcapng file (unknown magic number)", why_len);
      return FALSE;
    }
  return TRUE;
}

/* Reads the magic number: the format is never guessed from the name. */
static gboolean
pcap_sniff (PcapReader *r, char *why, gsize why_len)
{
  g_autoptr (GError) err = NULL;
  FILE *fp = dp_open_input (r->path, &r->gzip, &err);
  if (fp == NULL)
    {
      g_strlcpy (why, err->message, why_len);
      return FALSE;
    }
  guint8 m[4] = { 0 };
  gsize got = fread (m, 1, 4, fp);
  fclose (fp);
  return pcap_sniff_magic (r, m, got, why, why_len);
}


/* A stream's first bytes, read to sniff it, served again before the rest. */
typedef struct {
  guint8 head[4];
  gsize n, pos;
  FILE *inner;
} PcapReplay;

static ssize_t
pcap_replay_read (void *cookie, char *buf, size_t size)
{
  PcapReplay *c = cookie;
  gsize k = MIN (size, c->n - c->pos);
  memcpy (buf, c->head + c->pos, k);
  c->pos += k;
  if (k == size)
    return (ssize_t) k;
  gsize got = fread (buf + k, 1, size - k, c->inner);
  if (got == 0 && k == 0 && ferror (c->inner))
    {
      /* the input layer's error (a damaged gzip stream) goes through errno */
      int e = dp_input_errno (c->inner);
      errno = e ? e : errno ? errno : EIO;
      return -1;
    }
  return (ssize_t) (k + got);
}

static int
pcap_replay_close (void *cookie)
{
  PcapReplay *c = cookie;
  int rc = fclose (c->inner);
  g_free (c);
  return rc;
}

static FILE *
pcap_replay_open (const guint8 *head, gsize n, FILE *inner)
{
  PcapReplay *c = g_new0 (PcapReplay, 1);
  memcpy (c->head, head, n);
  c->n = n;
  c->inner = inner;
  cookie_io_functions_t io = { .read = pcap_replay_read, .close = pcap_replay_close };
  FILE *fp = fopencookie (c, "rb", io);
  if (fp == NULL)
    {
      fclose (inner);
      g_free (c);
    }
  return fp;
}

/* Counts a file that cannot be read at all.  With on_error: fail it is an
 * error of the format code rather than the generic "malformed". */
static gboolean
pcap_bad_file (DpStage *stage, const char *path, const char *why, GError **error)
{
  if (dp_stage_data_error (stage, error, "bad-file", "%s: %s", path, why))
    return TRUE;
  if (error && *error)
    (*error)->code = DP_DATA_ERROR_FORMAT;
  return FALSE;
}


/* Opens @path into @r.  Returns FALSE only on a hard error; a file that is
 * skipped leaves r->live FALSE. */
gboolean
pcap_reader_open (DpStage *stage, const PcapConfig *cfg, const char *path, gboolean stream,
                  PcapReader *r, GError **error)
{
  char why[PCAP_ERRBUF_SIZE + 256] = "";
  memset (r, 0, sizeof *r);
  r->path = path;
  g_autoptr (GError) err = NULL;
  FILE *fp;
  if (stream)
    {
      /* a pipe is opened once: its magic is served again to the reader */
      fp = dp_open_input (path, &r->gzip, &err);
      if (fp == NULL)
        return pcap_bad_file (stage, path, err->message, error);
      guint8 m[4] = { 0 };
      gsize got = fread (m, 1, 4, fp);
      if (!pcap_sniff_magic (r, m, got, why, sizeof why))
        {
          fclose (fp);
          return pcap_bad_file (stage, path, why, error);
        }
      fp = pcap_replay_open (m, got, fp);
      if (fp == NULL)
        return pcap_bad_file (stage, path, g_strerror (errno), error);
    }
  else
    {
      if (!pcap_sniff (r, why, sizeof why))
        return pcap_bad_file (stage, path, why, error);
      fp = dp_open_input (path, NULL, &err);
      if (fp == NULL)
        return pcap_bad_file (stage, path, err->message, error);
    }
  if (!r->classic)
    {
      /* pcapng: walked here, libpcap is not involved */
      r->ng = TRUE;
      r->fp = fp;
      r->filter = cfg->filter && cfg->filter[0] ? cfg->filter : NULL;
      r->ifaces = g_array_new (FALSE, TRUE, sizeof (PcapIface));
      pcap_block_alloc (r);
      if (!pcap_ng_open (r, why, sizeof why))
        {
          pcap_reader_close (r);
          return pcap_bad_file (stage, path, why, error);
        }
      r->live = TRUE;
      return TRUE;
    }
  char errbuf[PCAP_ERRBUF_SIZE] = "";
  r->p = pcap_fopen_offline_with_tstamp_precision (fp, PCAP_TSTAMP_PRECISION_NANO, errbuf);
  if (r->p == NULL)
    {
      fclose (fp);
      return pcap_bad_file (stage, path, errbuf, error);
    }
  r->linktype = pcap_datalink (r->p);
  r->offset = 24;
  /* the decoder answers "unsupported" before it looks at any byte */
  if (dp_decode_frame (r->linktype, NULL, 0, 0, NULL, NULL) == DP_DECODE_UNSUPPORTED_LINK)
    {
      /* named before the reader is closed (closing clears the link type) */
      int lt = r->linktype;
      const char *lname = pcap_datalink_val_to_name (lt);
      pcap_reader_close (r);
      return dp_stage_data_error (stage, error, "unsupported-link", "%s: link type %d (%s) is not supported",
                                  path, lt, lname ? lname : "unknown");
    }
  if (cfg->filter && cfg->filter[0])
    {
      if (pcap_compile (r->p, &r->prog, cfg->filter, 1, PCAP_NETMASK_UNKNOWN) != 0)
        {
          g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FAILED,
                       "%s: filter '%s' does not apply to its link type %d: %s",
                       path, cfg->filter, r->linktype, pcap_geterr (r->p));
          pcap_reader_close (r);
          return FALSE;
        }
      r->has_prog = TRUE;
    }
  r->live = TRUE;
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* reading */

/* Where the record just read started, for messages. */
char *
pcap_where (const PcapReader *r)
{
  if (r->iface)
    return g_strdup_printf ("packet %" G_GUINT64_FORMAT, r->n_read);
  if (r->classic)
    return g_strdup_printf ("byte %" G_GUINT64_FORMAT "%s", r->rec_start,
                            r->gzip ? " (uncompressed)" : "");
  return g_strdup_printf ("packet %" G_GUINT64_FORMAT " (byte %" G_GUINT64_FORMAT "%s)", r->n_read,
                          r->rec_start, r->gzip ? ", uncompressed" : "");
}

G_GNUC_NO_INLINE gboolean
pcap_bad_packet (DpStage *stage, Pcap *self, const PcapReader *r, DpDecodeResult res,
                 const struct pcap_pkthdr *hdr, GError **error)
{
  if (res == DP_DECODE_NOT_IP)
    {
      self->n_non_ip++;
      return TRUE;
    }
  g_autofree char *where = pcap_where (r);
  if (res == DP_DECODE_NAME_FULL)
    {
      /* every later IPv6 packet would go too: not a packet's fault */
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FAILED,
                   "%s: %s: more than 2^28 - 1 distinct IPv6 addresses in one run; "
                   "split the input (e.g. per day)", r->path, where);
      return FALSE;
    }
  const char *what = res == DP_DECODE_SHORT ? "frame is shorter than its headers"
    : res == DP_DECODE_BAD_HEADER ? "invalid IP header"
    : res == DP_DECODE_IPV6_EXT_LIMIT ? "more than " G_STRINGIFY (DP_DECODE_MAX_EXT) " IPv6 extension headers"
    : res == DP_DECODE_IPV6_BAD_EXT ? "IPv6 extension header past the payload, misplaced or repeated"
    : res == DP_DECODE_TUNNEL_LIMIT ? "tunnels nested more than " G_STRINGIFY (DP_DECODE_MAX_TUNNELS) " deep"
    : res == DP_DECODE_CLASS_E ? "IPv4 address in 240.0.0.0/4 in a capture with IPv6 (that range keys the IPv6 addresses)"
    : "link type not supported";
  return dp_stage_data_error (stage, error, dp_decode_result_name (res),
                              "%s: %s: %s (%u bytes captured)", r->path, where, what, hdr->caplen);
}

G_GNUC_NO_INLINE gboolean
pcap_bad_timestamp (DpStage *stage, const PcapReader *r, const struct pcap_pkthdr *hdr,
                    GError **error)
{
  g_autofree char *where = r->iface ? pcap_where (r)
    : g_strdup_printf ("packet %" G_GUINT64_FORMAT " (byte offset %" G_GUINT64_FORMAT ")", r->n_read, r->rec_start);
  if (hdr->ts.tv_usec < 0 || hdr->ts.tv_usec >= 1000000000)
    return dp_stage_data_error (stage, error, "bad-timestamp",
                                "%s: %s: timestamp fraction %" G_GINT64_FORMAT " ns is not below one second",
                                r->path, where, (gint64) hdr->ts.tv_usec);
  return dp_stage_data_error (stage, error, "bad-timestamp",
                              "%s: %s: timestamp %" G_GINT64_FORMAT " s is outside 1678..2262",
                              r->path, where, (gint64) hdr->ts.tv_sec);
}

/* The reading stopped on @msg: a cut-off file keeps what came before. */
gboolean
pcap_read_failed (DpStage *stage, const PcapReader *r, const char *msg, GError **error)
{
  gboolean truncated = strstr (msg, "truncated") != NULL;
  g_autofree char *where = g_strdup_printf ("at byte %" G_GUINT64_FORMAT "%s", r->offset,
                                            r->gzip ? " (uncompressed)" : "");
  if (dp_stage_data_error (stage, error, truncated ? "truncated-file" : "bad-file",
                           "%s: stopped %s: %s", r->path, where, msg))
    return TRUE;
  if (error && *error)
    (*error)->code = truncated ? DP_DATA_ERROR_TRUNCATED : DP_DATA_ERROR_FORMAT;
  return FALSE;
}


/* ------------------------------------------------------------------ */
/* the classic block walk */

/* After libpcap opened a classic file: how its records are written. */
static void
pcap_block_format (PcapReader *r)
{
  r->fp = pcap_file (r->p);
  r->swapped = pcap_is_swapped (r->p) == 1;
  r->snapshot = (guint32) pcap_snapshot (r->p);
  int major = pcap_major_version (r->p), minor = pcap_minor_version (r->p);
  r->lengths = PCAP_LENGTHS_RIGHT;
  if ((major == 2 && minor < 3) || (major == 543 && minor == 0))   /* 543.0: DG/UX */
    r->lengths = PCAP_LENGTHS_SWAPPED;
  else if (major == 2 && minor == 3)
    r->lengths = PCAP_LENGTHS_MAYBE;
}

/* Up to @want bytes of the file into @dst: the bytes read, and *@err the
 * error that stopped it short (0: the end of the file). */
static gsize
pcap_block_read (PcapReader *r, guint8 *dst, gsize want, int *err)
{
  errno = 0;
  gsize got = fread (dst, 1, want, r->fp);
  *err = 0;
  if (got < want && ferror (r->fp))
    *err = dp_input_errno (r->fp) ? dp_input_errno (r->fp) : errno ? errno : EIO;
  return got;
}

static gpointer
pcap_readahead (gpointer data)
{
  PcapReader *r = data;
  g_mutex_lock (&r->lock);
  for (;;)
    {
      while (!r->want && !r->quit)
        g_cond_wait (&r->cond, &r->lock);
      if (r->quit)
        break;
      guint8 *dst = r->base[!r->cur] + PCAP_BLOCK;
      g_mutex_unlock (&r->lock);
      int err;
      gsize got = pcap_block_read (r, dst, PCAP_BLOCK, &err);
      g_mutex_lock (&r->lock);
      r->next_got = got;
      r->next_errno = err;
      r->want = FALSE;
      r->ready = TRUE;
      g_cond_broadcast (&r->cond);
    }
  g_mutex_unlock (&r->lock);
  return NULL;
}

/* The block buffer, empty. */
static void
pcap_block_alloc (PcapReader *r)
{
  r->base[0] = g_malloc (2 * PCAP_BLOCK);
  r->cur = 0;
  r->buf = r->base[0] + PCAP_BLOCK;
  r->buf_pos = r->buf_len = 0;
}

/* The read-ahead's fill: takes the block the thread read (asking for it
 * first when none was), puts the unread tail in front of it and asks for
 * the next one.  FALSE: no thread to be had (the caller reads itself). */
static gboolean
pcap_block_swap (PcapReader *r)
{
  if (r->reader == NULL)
    {
      r->base[1] = g_malloc (2 * PCAP_BLOCK);
      g_mutex_init (&r->lock);
      g_cond_init (&r->cond);
      r->want = TRUE;
      r->reader = g_thread_try_new ("dp-pcap-read", pcap_readahead, r, NULL);
      if (r->reader == NULL)
        {
          g_mutex_clear (&r->lock);
          g_cond_clear (&r->cond);
          r->readahead = FALSE;
          return FALSE;
        }
    }
  g_mutex_lock (&r->lock);
  while (!r->ready)
    g_cond_wait (&r->cond, &r->lock);
  r->ready = FALSE;
  gsize got = r->next_got;
  int err = r->next_errno;
  g_mutex_unlock (&r->lock);
  gsize tail = r->buf_len - r->buf_pos;
  guint8 *next = r->base[!r->cur] + PCAP_BLOCK;
  memcpy (next - tail, r->buf + r->buf_pos, tail);
  r->buf = next - tail;
  r->buf_pos = 0;
  r->buf_len = tail + got;
  g_mutex_lock (&r->lock);
  r->cur = !r->cur;
  if (got < PCAP_BLOCK)
    {
      r->at_end = TRUE;
      r->read_errno = err;
    }
  else
    {
      r->want = TRUE;   /* into the buffer just left */
      g_cond_broadcast (&r->cond);
    }
  g_mutex_unlock (&r->lock);
  return TRUE;
}

/* Makes @need bytes from buf_pos readable, moving the unread tail to the
 * front and reading the rest of the block.  FALSE when the file ends (or
 * fails) first. */
G_GNUC_NO_INLINE gboolean
pcap_block_fill (PcapReader *r, gsize need)
{
  gsize tail = r->buf_len - r->buf_pos;
  if (tail >= need)
    return TRUE;
  if (r->at_end)
    return FALSE;
  if (r->readahead && pcap_block_swap (r))
    return r->buf_len >= need;
  memmove (r->buf, r->buf + r->buf_pos, tail);
  r->buf_pos = 0;
  gsize want = PCAP_BLOCK - tail;
  int err;
  gsize got = pcap_block_read (r, r->buf + tail, want, &err);
  r->buf_len = tail + got;
  if (got < want)
    {
      r->at_end = TRUE;
      r->read_errno = err;
    }
  return r->buf_len >= need;
}

/* The walk cannot give the @need bytes of a record's @what, which start
 * @skip bytes into it: the end of the file when it ends between records,
 * else a cut or failed file. */
G_GNUC_NO_INLINE PcapNext
pcap_block_short (PcapReader *r, const char *what, gsize skip, gsize need)
{
  gsize have = r->buf_len - r->buf_pos - skip;
  if (r->read_errno)
    g_snprintf (r->msg, sizeof r->msg, "error reading dump file: %s", dp_input_strerror (r->read_errno));
  else if (skip == 0 && have == 0)
    return PCAP_NEXT_EOF;
  else
    g_snprintf (r->msg, sizeof r->msg, "truncated dump file; tried to read %" G_GSIZE_FORMAT
                " %s bytes, only got %" G_GSIZE_FORMAT, need, what, have);
  return PCAP_NEXT_BAD;
}

/* libpcap refuses a capture length past the maximum, saying which limit. */
G_GNUC_NO_INLINE PcapNext
pcap_block_too_long (PcapReader *r, guint32 caplen)
{
  if (caplen > r->snapshot)
    g_snprintf (r->msg, sizeof r->msg, "invalid packet capture length %u, bigger than snaplen of %u",
                caplen, r->snapshot);
  else
    g_snprintf (r->msg, sizeof r->msg, "invalid packet capture length %u, bigger than maximum of %u",
                caplen, PCAP_MAX_CAPLEN);
  return PCAP_NEXT_BAD;
}


/* The record header at @h into @hdr, caplen as written.  Seconds and
 * fraction are unsigned (the format's definition, and tshark's reading:
 * libpcap 1.10 sign-extends the seconds of native-order files only); the
 * fraction is given in nanoseconds, as libpcap does when asked for
 * nanosecond precision. */
static inline void
pcap_block_header (const PcapReader *r, const guint8 *h, struct pcap_pkthdr *hdr)
{
  guint32 caplen = pcap_get32 (h + 8, r->swapped), len = pcap_get32 (h + 12, r->swapped);
  if (G_UNLIKELY (r->lengths != PCAP_LENGTHS_RIGHT)
      && (r->lengths == PCAP_LENGTHS_SWAPPED || caplen > len))
    {
      guint32 t = caplen;
      caplen = len, len = t;
    }
  gint64 frac = pcap_get32 (h + 4, r->swapped);
  if (!r->nano)
    frac *= 1000;
  hdr->ts.tv_sec = (time_t) pcap_get32 (h, r->swapped);
  hdr->ts.tv_usec = (suseconds_t) MIN (frac, (gint64) G_MAXLONG);
  hdr->caplen = caplen;
  hdr->len = len;
}

/* The next record into @hdr and @data (valid until the next call). */
static inline PcapNext
pcap_block_next (PcapReader *r, struct pcap_pkthdr *hdr, const guint8 **data)
{
  const gsize rec_hdr = r->rec_hdr;
  if (G_UNLIKELY (r->buf_len - r->buf_pos < rec_hdr) && !pcap_block_fill (r, rec_hdr))
    return pcap_block_short (r, "header", 0, rec_hdr);
  pcap_block_header (r, r->buf + r->buf_pos, hdr);
  const guint32 caplen = hdr->caplen;
  if (G_UNLIKELY (caplen > PCAP_MAX_CAPLEN))
    return pcap_block_too_long (r, caplen);
  if (G_UNLIKELY (r->buf_len - r->buf_pos < rec_hdr + caplen)
      && !pcap_block_fill (r, rec_hdr + caplen))
    return pcap_block_short (r, "captured", rec_hdr, caplen);
  /* past the snapshot length: libpcap reads it all, hands out the snapshot */
  hdr->caplen = MIN (caplen, r->snapshot);
  *data = r->buf + r->buf_pos + rec_hdr;
  r->buf_pos += rec_hdr + caplen;
  r->rec_start = r->offset;
  r->offset += rec_hdr + caplen;
  return PCAP_NEXT_OK;
}

/* The hot loop of classic files: fills @batch up to its capacity. */
static PcapReadStatus
pcap_read_batch_block (DpStage *stage, Pcap *self, PcapReader *r, DpPackets *batch,
                       GError **error)
{
  struct pcap_pkthdr hdr;
  const guint8 *data = NULL;
  while (batch->n_rows < batch->capacity)
    {
      PcapNext st = pcap_block_next (r, &hdr, &data);
      if (G_UNLIKELY (st != PCAP_NEXT_OK))
        {
          if (st == PCAP_NEXT_EOF)
            return PCAP_READ_EOF;
          return pcap_read_failed (stage, r, r->msg, error) ? PCAP_READ_EOF : PCAP_READ_ERROR;
        }
      r->n_read++;
      if (G_UNLIKELY (!pcap_split_mine (self)))
        continue;
      if (!pcap_take (stage, self, r, r->linktype, r->has_prog ? &r->prog : NULL, &hdr, data, batch,
                      error))
        return PCAP_READ_ERROR;
      if (G_UNLIKELY (self->split_end))
        return PCAP_READ_FULL;
    }
  return PCAP_READ_FULL;
}


void
pcap_flush_counts (DpStage *stage, Pcap *self)
{
  if (self->n_non_ip)
    dp_stage_count (stage, "non-ip", self->n_non_ip);
  if (self->n_l4_short)
    dp_stage_count (stage, "l4-short", self->n_l4_short);
  self->n_non_ip = self->n_l4_short = 0;
}

/* The first record's timestamp, read as the file will be read: G_MAXINT64
 * when there is none or it is unrepresentable (sorts last, reported when
 * the file is read). */
static gint64
pcap_first_ts (PcapReader *r)
{
  struct pcap_pkthdr one, *hdr = &one;
  gint64 ts;
  if (r->classic)
    {
      guint8 h[24];
      pcap_block_format (r);
      if (fread (h, 1, r->rec_hdr, r->fp) != r->rec_hdr)
        return G_MAXINT64;
      pcap_block_header (r, h, &one);
    }
  else
    {
      const guint8 *data;
      guint id;
      if (pcap_ng_next (r, &one, &data, &id) != PCAP_NEXT_OK)
        return G_MAXINT64;
    }
  return dp_ts_from_parts (hdr->ts.tv_sec, hdr->ts.tv_usec, &ts) ? ts : G_MAXINT64;
}

/* Time order across files: each file's first timestamp, read up front. */
static gboolean
pcap_probe_files (DpStage *stage, Pcap *self, GError **error)
{
  for (guint i = 0; i < self->files->len; i++)
    {
      PcapFile *f = &g_array_index (self->files, PcapFile, i);
      if (f->stream)
        continue;   /* read once, first */
      PcapReader r;
      if (!pcap_reader_open (stage, self->cfg, f->path, FALSE, &r, error))
        return FALSE;
      if (!r.live)
        {
          /* skipped: reported once here, never read again */
          self->total_bytes -= f->size;
          g_array_remove_index (self->files, i--);
          continue;
        }
      f->first_ts = pcap_first_ts (&r);
      pcap_reader_close (&r);
    }
  return TRUE;
}

/* Opens file @f for reading records: FALSE on a hard error; a file that
 * is skipped leaves r->live FALSE. */
gboolean
pcap_file_start (DpStage *stage, Pcap *self, const PcapFile *f, PcapReader *r, GError **error)
{
  if (!pcap_reader_open (stage, self->cfg, f->path, f->stream, r, error))
    return FALSE;
  if (!r->live)
    return TRUE;
  dp_stage_provenance_add_file (stage, f->path);
  if (r->classic)
    {
      /* the walk takes over libpcap's FILE, just past the file header */
      pcap_block_format (r);
      pcap_block_alloc (r);
    }
  return TRUE;
}

/* Decodes records of @r into @batch until it is full or the file ends. */
PcapReadStatus
pcap_file_read (DpStage *stage, Pcap *self, PcapReader *r, DpPackets *batch, GError **error)
{
  PcapReadStatus st = r->ng ? pcap_read_batch_ng (stage, self, r, batch, error)
                            : pcap_read_batch_block (stage, self, r, batch, error);
  pcap_flush_counts (stage, self);
  return st;
}

/* How far into file @f reader @r is, in bytes (0 when unknown). */
guint64
pcap_file_position (const PcapReader *r, const PcapFile *f)
{
  /* a gzip stream has no position on disk to report; the walk reads
   * ahead of its records, so its own offset is the exact one */
  long pos = r->gzip ? -1 : r->buf ? (long) r->offset : ftell (pcap_file (r->p));
  return pos > 0 ? MIN ((guint64) pos, f->size) : 0;
}

/* ------------------------------------------------------------------ */
/* plugin */

static void
pcap_source_finalize (void *state)
{
  Pcap *self = state;
  if (self->files)
    g_array_unref (self->files);
  g_free (self);
}

static Pcap *
pcap_new (const PcapConfig *cfg)
{
  Pcap *self = g_new0 (Pcap, 1);
  self->cfg = cfg;
  self->files = g_array_new (FALSE, TRUE, sizeof (PcapFile));
  g_array_set_clear_func (self->files, pcap_file_clear);
  static const guint tunnel_flags[] = {
    [PCAP_TUNNELS_NONE] = 0,
    [PCAP_TUNNELS_IP] = DP_DECODE_TUNNEL_4IN4 | DP_DECODE_TUNNEL_6IN4 | DP_DECODE_TUNNEL_4IN6
                        | DP_DECODE_TUNNEL_6IN6,
    [PCAP_TUNNELS_GRE] = DP_DECODE_TUNNEL_GRE,
    [PCAP_TUNNELS_ALL] = DP_DECODE_TUNNEL_ALL,
  };
  self->decode_flags = tunnel_flags[cfg->tunnels];
  return self;
}

/* A file to read, and a filter that compiles.  (The core checks that the
 * files are there: `path` and `paths` are input options.) */
static gboolean
pcap_source_check (DpStage *stage, const void *config, GError **error)
{
  const PcapConfig *cfg = config;
  if (cfg->interface)
    {
      if (dp_stage_n_ranks (stage) > 1)
        return dp_stage_config_error (stage, error, DP_CONFIG_ERROR_STRUCTURE, "interface",
                                      "a live capture does not run under MPI (%u ranks): run it in one process",
                                      dp_stage_n_ranks (stage));
      if (!pcap_live_check (stage, cfg, error))
        return FALSE;
    }
  else if (cfg->path == NULL && (cfg->paths == NULL || cfg->paths[0] == NULL))
    return dp_stage_config_error (stage, error, DP_CONFIG_ERROR_REQUIRED, NULL,
                                  "set 'path' or 'paths' to the capture file(s) to read, "
                                  "or 'interface' to capture live");
  else if (cfg->count || cfg->duration)
    return dp_stage_config_error (stage, error, DP_CONFIG_ERROR_RANGE, cfg->count ? "count" : "duration",
                                  "'%s' limits a live capture: it needs 'interface'",
                                  cfg->count ? "count" : "duration");
  if (!pcap_check_filter (cfg->filter, error))
    {
      dp_stage_check_option (stage, "filter");
      return FALSE;
    }
  return TRUE;
}

/* Under MPI every rank walks every record and decodes its blocks
 * (docs/scale-out.md): for files read start to end in one order. */
static gboolean
pcap_split_init (DpStage *stage, Pcap *self, GError **error)
{
  self->split_n = dp_stage_n_ranks (stage);
  self->split_rank = dp_stage_rank (stage);
  self->split_block = (guint64) self->cfg->batch_rows;
  if (self->split_n <= 1)
    return TRUE;
  for (guint i = 0; i < self->files->len; i++)
    if (g_array_index (self->files, PcapFile, i).stream)
      {
        g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_STRUCTURE,
                     "%s: a pipe or the standard input cannot be read by %u ranks (under MPI every rank reads "
                     "the records): give a file", g_array_index (self->files, PcapFile, i).path, self->split_n);
        return FALSE;
      }
  if (self->files->len > 1 && self->cfg->order == PCAP_ORDER_MERGE)
    {
      g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_STRUCTURE,
                   "%u files merged by time do not split across %u ranks yet: set order: sequential (files "
                   "that do not overlap in time give the same packets) or give one file",
                   self->files->len, self->split_n);
      return FALSE;
    }
  return TRUE;
}

static gboolean
pcap_source_init (DpStage *stage, const void *config, void **state, GError **error)
{
  Pcap *self = pcap_new (config);
  *state = self;
  if (self->cfg->interface)
    return TRUE;   /* opened as the run starts (live.c) */
  /* the core saw the files at load time: they may have gone since */
  if (!pcap_collect_files (self, error))
    return FALSE;
  return pcap_split_init (stage, self, error);
}

static gboolean
pcap_source_run (DpStage *stage, void *state, GError **error)
{
  Pcap *self = state;
  if (self->cfg->interface)
    return pcap_live_run (stage, self, error);
  if (!pcap_probe_files (stage, self, error))
    return FALSE;
  g_array_sort (self->files, pcap_file_compare);
  g_autoptr (DpPackets) batch = dp_packets_new ((guint) self->cfg->batch_rows);
  /* streams first, as they come; then the files, merged by time unless
   * order: sequential */
  guint first_file = 0;
  for (; first_file < self->files->len && self->flow == DP_FLOW_OK; first_file++)
    {
      const PcapFile *f = &g_array_index (self->files, PcapFile, first_file);
      if (!f->stream && self->cfg->order == PCAP_ORDER_MERGE)
        break;
      if (!pcap_read_file (stage, self, f, &batch, error))
        return FALSE;
    }
  /* one file needs no merge: it is decoded straight into the batches */
  if (first_file + 1 == self->files->len && self->flow == DP_FLOW_OK
      && !pcap_read_file (stage, self, &g_array_index (self->files, PcapFile, first_file), &batch, error))
    return FALSE;
  if (first_file + 1 < self->files->len && self->flow == DP_FLOW_OK
      && !pcap_merge_files (stage, self, first_file, &batch, error))
    return FALSE;
  /* under MPI: this rank's last block, unless it ended with a push */
  gboolean split_left = self->split_n > 1 && self->split_rec % self->split_block != 0
                        && ((self->split_rec - 1) / self->split_block) % self->split_n == self->split_rank;
  if ((self->split_n > 1 ? split_left : batch->n_rows > 0) && self->flow == DP_FLOW_OK)
    self->flow = dp_stage_push (stage, 0, g_steal_pointer (&batch));
  dp_stage_progress (stage, self->total_bytes, self->total_bytes);
  return TRUE;
}

static const DpPortDesc pcap_outputs[] = {
  { "packets", DP_TYPE_PACKETS, 0, "IPv4 and IPv6 packets in time order" },
};

static const char *const pcap_tunnel_choices[] = { "none", "ip", "gre", "all", NULL };
static const char *const pcap_order_choices[] = { "merge", "sequential", NULL };

static const DpOptionDesc pcap_options[] = {
  DP_OPTION_FLAGS ("path", DP_OPT_PATH, NULL, PcapConfig, path, DP_OPT_INPUT,
             "Capture file to read (a glob pattern is expanded)."),
  DP_OPTION_FLAGS ("paths", DP_OPT_STRLIST, NULL, PcapConfig, paths, DP_OPT_INPUT,
             "Several capture files or glob patterns (several sensors, or one sensor's rotated files)."),
  DP_OPTION_ENUM ("order", "merge", PcapConfig, order, pcap_order_choices,
                  "Several files: merge (their packets interleaved by timestamp, as mergecap does; files "
                  "are opened as the merged time reaches their first packet, so a day of hourly files "
                  "keeps one or two open) or sequential (one file after the other, in order of their "
                  "first timestamps)."),
  DP_OPTION ("filter", DP_OPT_STRING, NULL, PcapConfig, filter,
             "BPF filter expression (tcpdump syntax) applied before decoding (live: in the kernel)."),
  DP_OPTION_RANGE ("batch_rows", DP_OPT_INT, "16384", PcapConfig, batch_rows, 1024, 65536,
                   "Rows per packets batch."),
  DP_OPTION_ENUM ("tunnels", "none", PcapConfig, tunnels, pcap_tunnel_choices,
                  "Tunnels to look through, so that rows describe the inner packet: none; ip "
                  "(IPv4 and IPv6 in IPv4 or IPv6: protocols 4 and 41); gre (GRE version 0 carrying "
                  "IP, Ethernet or ERSPAN type II); all."),
  DP_OPTION_FLAGS ("interface", DP_OPT_STRING, NULL, PcapConfig, interface, DP_OPT_INPUT,
             "Network interface to capture from, live (instead of path/paths; `any` for all); needs CAP_NET_RAW."),
  DP_OPTION_RANGE ("snaplen", DP_OPT_INT, "262144", PcapConfig, snaplen, 64, 262144,
                   "Live capture: bytes kept of each frame (the decoder reads headers only: 256 keeps every header whole)."),
  DP_OPTION_RANGE ("buffer_size", DP_OPT_SIZE, "32M", PcapConfig, buffer_size, 65536, 2147483647.0,
                   "Live capture: the kernel's buffer for packets not yet read (larger rides out bursts)."),
  DP_OPTION ("promisc", DP_OPT_BOOL, "true", PcapConfig, promisc,
             "Live capture: put the interface in promiscuous mode (see traffic to every address, as on a span port)."),
  DP_OPTION ("immediate", DP_OPT_BOOL, "false", PcapConfig, immediate,
             "Live capture: hand over each packet at once instead of in buffered blocks (lower latency, more CPU)."),
  DP_OPTION_RANGE ("duration", DP_OPT_DURATION, NULL, PcapConfig, duration, 0, 366 * 86400.0,
                   "Live capture: stop after this long (unset: until SIGINT/SIGTERM or count)."),
  DP_OPTION_RANGE ("count", DP_OPT_UINT, NULL, PcapConfig, count, 0, 1e18,
                   "Live capture: stop after this many packets captured, as tcpdump -c counts them (unset: no limit)."),
  DP_OPTION_RANGE ("flush_interval", DP_OPT_DURATION, "1s", PcapConfig, flush_interval, 0.001, 3600,
                   "Live capture: push a partly filled batch after this long, so a quiet link holds no packets back."),
  DP_OPTION_RANGE ("stats_interval", DP_OPT_DURATION, "1m", PcapConfig, stats_interval, 0, 366 * 86400.0,
                   "Live capture: log the kernel's received and dropped counts this often (0s: only at the end)."),
};

DP_PLUGIN_DEFINE (pcap,
  .kind = DP_KIND_SOURCE,
  .summary = "Reads pcap/pcapng captures (plain or gzip) into IPv4/IPv6 packet batches",
  .version = "1.0",
  .doc = "Reads classic pcap and pcapng files, plain or gzip-compressed, detected by their "
         "magic number. Link types: Ethernet (with 802.1Q/QinQ tags), raw IP, Linux cooked "
         "(SLL, SLL2), BSD loopback (NULL, LOOP). IPv4 and IPv6 are decoded (the IPv6 "
         "extension-header chain up to 8 headers, fragments, ICMPv6); IPv6 addresses travel as "
         "keys of the batches' name map and print as RFC 5952 text. Frames of other protocols "
         "are counted as `non-ip`; "
         "frames shorter than their headers as `short`, invalid IP headers as `bad-header`, "
         "malformed IPv6 chains as `ipv6-ext-limit` or `ipv6-bad-ext`, tunnels nested over 4 "
         "deep as `tunnel-limit`, and, in a capture with IPv6, IPv4 packets from or to "
         "240.0.0.0/4 (the range that keys IPv6 addresses) as `class-e-address`; "
         "a file cut off mid-record as `truncated-file` (the packets before are kept), a file "
         "that is no capture at all as `bad-file`, a file of another link type as "
         "`unsupported-link`; messages name the file and the byte offset (pcapng: and the "
         "packet number). In pcapng every packet is decoded with the link type of its own "
         "interface, across any number of interfaces and sections (either byte order); the "
         "packets of an interface of another link type are counted as `unsupported-link`. Packets whose TCP/UDP/ICMP header is cut by the snap "
         "length are kept without L4 fields and counted as `l4-short`. Set `path` or "
         "`paths` (or both); several files are merged by timestamp into one timeline (`order: merge`, "
         "the default: two sensors' captures of the same hours stay in time order), or read one "
         "after the other in order of their first timestamps (`order: sequential`); a pipe (FIFO), or `-` for the standard input (`path: '-'` in YAML, `--set "
         "capture.path=-`: `tcpdump -w - | darkpipe run …`), is read once as a stream, before the files. "
         "Set `interface` instead to capture live from a network interface (root or CAP_NET_RAW; "
         "docs/live-capture.md): the BPF `filter` runs in the kernel, timestamps are in nanoseconds "
         "where the platform gives them, a partly filled batch is pushed every `flush_interval`; the "
         "capture ends after `count` packets or `duration`, or on SIGINT/SIGTERM, and then every "
         "stage finishes and writes its output (exit 130 for SIGINT, 0 for SIGTERM). The kernel's "
         "counts from pcap_stats end in the summary as `received`, `dropped-kernel` and "
         "`dropped-interface`, with a warning whenever drops grew (checked every `stats_interval`); "
         "an interface that fails or goes away mid-capture ends it as `capture-failed`, keeping "
         "the packets before.",
  .outputs = pcap_outputs,
  .n_outputs = DP_N_ELEMENTS (pcap_outputs),
  .options = pcap_options,
  .n_options = DP_N_ELEMENTS (pcap_options),
  .config_size = sizeof (PcapConfig),
  .check = pcap_source_check,
  .init = pcap_source_init,
  .run = pcap_source_run,
  .finalize = pcap_source_finalize,
  .flags = DP_PLUGIN_SPLITS_INPUT)
