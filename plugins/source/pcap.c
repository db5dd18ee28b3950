/* pcap.c — reads pcap and pcapng captures (plain or gzip) into packets batches.
 *
 * libpcap parses the file format; the frames go through dp_decode_frame()
 * straight into the batch columns.  libpcap gives no file offsets, so the
 * reader keeps its own for classic pcap (file header + record header +
 * caplen per record) to name where a bad packet or a truncation is. */
#include "config.h"

#include <glob.h>
#include <string.h>
#include <sys/stat.h>
#include <pcap/pcap.h>

#include "darkpipe.h"
#include "dp-decode.h"
#include "dp-output.h"

typedef struct {
  char *path;
  char **paths;
  char *filter;
  gint64 batch_rows;
} PcapConfig;

typedef struct {
  char *path;
  guint index;        /* position in the option list: ties keep it */
  gint64 first_ts;    /* G_MAXINT64 when the file has no packet */
  guint64 size;       /* on disk, for progress */
} PcapFile;

typedef struct {
  const PcapConfig *cfg;
  GArray *files;      /* PcapFile */
  guint64 total_bytes;
  guint64 done_bytes; /* of the files already finished */
  guint64 n_non_ipv4;
  guint64 n_l4_short;
} Pcap;

/* One open capture. */
typedef struct {
  const char *path;
  pcap_t *p;
  int linktype;
  gboolean classic;   /* byte offsets are known */
  gboolean gzip;
  guint rec_hdr;      /* classic record header size */
  guint64 offset;     /* classic: offset of the next record */
  guint64 n_read;     /* records read so far */
  struct bpf_program prog;
  gboolean has_prog;
} PcapReader;

typedef enum { PCAP_READ_FULL, PCAP_READ_EOF, PCAP_READ_ERROR } PcapReadStatus;

static void
pcap_file_clear (gpointer data)
{
  g_free (((PcapFile *) data)->path);
}

static void
pcap_reader_close (PcapReader *r)
{
  if (r->has_prog)
    pcap_freecode (&r->prog);
  if (r->p)
    pcap_close (r->p);   /* closes the FILE too */
  memset (r, 0, sizeof *r);
}

/* ------------------------------------------------------------------ */
/* file list */

static gboolean
pcap_add_path (Pcap *self, const char *pattern, GError **error)
{
  if (strpbrk (pattern, "*?[") == NULL)
    {
      PcapFile f = { g_strdup (pattern), self->files->len, G_MAXINT64, 0 };
      g_array_append_val (self->files, f);
      return TRUE;
    }
  glob_t g;
  int rc = glob (pattern, 0, NULL, &g);
  if (rc != 0)
    {
      if (rc != GLOB_NOMATCH)
        globfree (&g);
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT, "no file matches '%s'", pattern);
      return FALSE;
    }
  for (size_t i = 0; i < g.gl_pathc; i++)
    {
      PcapFile f = { g_strdup (g.gl_pathv[i]), self->files->len, G_MAXINT64, 0 };
      g_array_append_val (self->files, f);
    }
  globfree (&g);
  return TRUE;
}

static gboolean
pcap_collect_files (Pcap *self, GError **error)
{
  const PcapConfig *cfg = self->cfg;
  if (cfg->path == NULL && (cfg->paths == NULL || cfg->paths[0] == NULL))
    {
      g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_REQUIRED,
                   "set 'path' or 'paths' to the capture file(s) to read");
      return FALSE;
    }
  if (cfg->path && !pcap_add_path (self, cfg->path, error))
    return FALSE;
  for (char **p = cfg->paths; p && *p; p++)
    if (!pcap_add_path (self, *p, error))
      return FALSE;
  for (guint i = 0; i < self->files->len; i++)
    {
      PcapFile *f = &g_array_index (self->files, PcapFile, i);
      struct stat st;
      if (stat (f->path, &st) != 0 || !S_ISREG (st.st_mode))
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                       "%s: no such capture file", f->path);
          return FALSE;
        }
      f->size = (guint64) st.st_size;
      self->total_bytes += f->size;
    }
  return TRUE;
}

/* A filter that libpcap cannot compile for Ethernet is a bad option value. */
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
  guint32 le = (guint32) m[0] | (guint32) m[1] << 8 | (guint32) m[2] << 16 | (guint32) m[3] << 24;
  guint32 be = GUINT32_SWAP_LE_BE (le);
  r->rec_hdr = 16;
  if (got == 4 && (le == 0x0a0d0d0a))
    r->classic = FALSE;
  else if (got == 4 && (le == 0xa1b2c3d4 || be == 0xa1b2c3d4 || le == 0xa1b23c4d || be == 0xa1b23c4d))
    r->classic = TRUE;
  else if (got == 4 && (le == 0xa1b2cd34 || be == 0xa1b2cd34))
    r->classic = TRUE, r->rec_hdr = 24;   /* Kuznetzov's patched format */
  else
    {
      g_strlcpy (why, "not a pcap or pcapng file (unknown magic number)", why_len);
      return FALSE;
    }
  return TRUE;
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
 * skipped leaves r->p NULL. */
static gboolean
pcap_reader_open (DpStage *stage, const PcapConfig *cfg, const char *path,
                  PcapReader *r, GError **error)
{
  char why[PCAP_ERRBUF_SIZE + 256] = "";
  memset (r, 0, sizeof *r);
  r->path = path;
  if (!pcap_sniff (r, why, sizeof why))
    return pcap_bad_file (stage, path, why, error);
  g_autoptr (GError) err = NULL;
  FILE *fp = dp_open_input (path, NULL, &err);
  if (fp == NULL)
    return pcap_bad_file (stage, path, err->message, error);
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
      pcap_reader_close (r);
      return dp_stage_data_error (stage, error, "unsupported-link", "%s: link type %d (%s) is not supported",
                                  path, r->linktype, pcap_datalink_val_to_name (r->linktype)
                                  ? pcap_datalink_val_to_name (r->linktype) : "unknown");
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
  return TRUE;
}

/* Time order across files: each file's first timestamp, read up front. */
static gboolean
pcap_probe_files (DpStage *stage, Pcap *self, GError **error)
{
  for (guint i = 0; i < self->files->len; i++)
    {
      PcapFile *f = &g_array_index (self->files, PcapFile, i);
      PcapReader r;
      if (!pcap_reader_open (stage, self->cfg, f->path, &r, error))
        return FALSE;
      if (r.p == NULL)
        {
          /* skipped: reported once here, never read again */
          self->total_bytes -= f->size;
          g_array_remove_index (self->files, i--);
          continue;
        }
      struct pcap_pkthdr *hdr;
      const u_char *data;
      if (pcap_next_ex (r.p, &hdr, &data) == 1
          && !dp_ts_from_parts (hdr->ts.tv_sec, hdr->ts.tv_usec, &f->first_ts))
        f->first_ts = G_MAXINT64;   /* unrepresentable: sorts last, reported when read */
      pcap_reader_close (&r);
    }
  return TRUE;
}

static gint
pcap_file_compare (gconstpointer a, gconstpointer b)
{
  const PcapFile *x = a, *y = b;
  if (x->first_ts != y->first_ts)
    return x->first_ts < y->first_ts ? -1 : 1;
  return x->index < y->index ? -1 : x->index > y->index;
}

/* ------------------------------------------------------------------ */
/* reading */

/* Where the record just read started, for messages. */
static char *
pcap_where (const PcapReader *r, guint32 caplen)
{
  if (r->classic)
    return g_strdup_printf ("byte %" G_GUINT64_FORMAT "%s", r->offset - r->rec_hdr - caplen,
                            r->gzip ? " (uncompressed)" : "");
  return g_strdup_printf ("packet %" G_GUINT64_FORMAT, r->n_read);
}

static G_GNUC_NO_INLINE gboolean
pcap_bad_packet (DpStage *stage, Pcap *self, const PcapReader *r, DpDecodeResult res,
                 const struct pcap_pkthdr *hdr, GError **error)
{
  if (res == DP_DECODE_NOT_IPV4)
    {
      self->n_non_ipv4++;
      return TRUE;
    }
  g_autofree char *where = pcap_where (r, hdr->caplen);
  const char *what = res == DP_DECODE_SHORT ? "frame is shorter than its headers"
    : res == DP_DECODE_BAD_HEADER ? "invalid IPv4 header" : "link type not supported";
  return dp_stage_data_error (stage, error, dp_decode_result_name (res),
                              "%s: %s: %s (%u bytes captured)", r->path, where, what, hdr->caplen);
}

/* libpcap stopped with an error: a cut-off file keeps what came before. */
static gboolean
pcap_read_failed (DpStage *stage, const PcapReader *r, GError **error)
{
  const char *msg = pcap_geterr (r->p);
  gboolean truncated = strstr (msg, "truncated") != NULL;
  g_autofree char *where = r->classic
    ? g_strdup_printf ("byte %" G_GUINT64_FORMAT "%s", r->offset, r->gzip ? " (uncompressed)" : "")
    : g_strdup_printf ("after packet %" G_GUINT64_FORMAT, r->n_read);
  if (dp_stage_data_error (stage, error, truncated ? "truncated-file" : "bad-file",
                           "%s: stopped at %s: %s", r->path, where, msg))
    return TRUE;
  if (error && *error)
    (*error)->code = truncated ? DP_DATA_ERROR_TRUNCATED : DP_DATA_ERROR_FORMAT;
  return FALSE;
}

/* The hot loop: fills @batch up to its capacity. */
static PcapReadStatus
pcap_read_batch (DpStage *stage, Pcap *self, PcapReader *r, DpPackets *batch, GError **error)
{
  struct pcap_pkthdr *hdr;
  const u_char *data;
  const guint cap = batch->capacity;
  const int linktype = r->linktype;
  while (batch->n_rows < cap)
    {
      int rc = pcap_next_ex (r->p, &hdr, &data);
      if (G_UNLIKELY (rc != 1))
        {
          if (rc == PCAP_ERROR_BREAK)
            return PCAP_READ_EOF;
          return pcap_read_failed (stage, r, error) ? PCAP_READ_EOF : PCAP_READ_ERROR;
        }
      r->offset += r->rec_hdr + hdr->caplen;
      r->n_read++;
      if (r->has_prog && !pcap_offline_filter (&r->prog, hdr, data))
        continue;
      gint64 ts;
      if (G_UNLIKELY (!dp_ts_from_parts (hdr->ts.tv_sec, hdr->ts.tv_usec, &ts)))
        {
          if (!dp_stage_data_error (stage, error, "bad-timestamp",
                                    "%s: packet %" G_GUINT64_FORMAT " (byte offset %" G_GUINT64_FORMAT
                                    "): timestamp %" G_GINT64_FORMAT " s is outside 1678..2262",
                                    r->path, r->n_read, r->offset - r->rec_hdr - hdr->caplen,
                                    (gint64) hdr->ts.tv_sec))
            return PCAP_READ_ERROR;
          continue;
        }
      gboolean l4_short;
      DpDecodeResult res = dp_decode_frame (linktype, data, hdr->caplen, ts, batch, &l4_short);
      if (G_UNLIKELY (res != DP_DECODE_OK))
        {
          if (!pcap_bad_packet (stage, self, r, res, hdr, error))
            return PCAP_READ_ERROR;
        }
      else if (G_UNLIKELY (l4_short))
        self->n_l4_short++;
    }
  return PCAP_READ_FULL;
}

static void
pcap_flush_counts (DpStage *stage, Pcap *self)
{
  if (self->n_non_ipv4)
    dp_stage_count (stage, "non-ipv4", self->n_non_ipv4);
  if (self->n_l4_short)
    dp_stage_count (stage, "l4-short", self->n_l4_short);
  self->n_non_ipv4 = self->n_l4_short = 0;
}

/* Pushes a full batch and gets the next one.  When every consumer has
 * dropped the batch by the time push returns, nobody can see it any more,
 * so its columns are reused: fresh 16k-row batches cost page faults and
 * zeroing that are a good part of the decode time. */
static void
pcap_push_full (DpStage *stage, Pcap *self, DpPackets **batch)
{
  dp_stage_push (stage, 0, dp_batch_ref (*batch));
  if (g_atomic_int_get (&(*batch)->base.ref_count) == 1)
    {
      (*batch)->n_rows = 0;
      return;
    }
  dp_batch_unref (*batch);
  *batch = dp_packets_new ((guint) self->cfg->batch_rows);
}

/* Reads one file, pushing full batches; the partial last batch stays in
 * *batch so that the next file continues it. */
static gboolean
pcap_read_file (DpStage *stage, Pcap *self, const PcapFile *f, DpPackets **batch, GError **error)
{
  PcapReader r;
  if (!pcap_reader_open (stage, self->cfg, f->path, &r, error))
    return FALSE;
  if (r.p == NULL)
    return TRUE;
  PcapReadStatus st = PCAP_READ_FULL;
  while (st == PCAP_READ_FULL && !dp_stage_cancelled (stage))
    {
      st = pcap_read_batch (stage, self, &r, *batch, error);
      pcap_flush_counts (stage, self);
      if ((*batch)->n_rows == (*batch)->capacity)
        pcap_push_full (stage, self, batch);
      /* a gzip stream has no position on disk to report */
      long pos = r.gzip ? -1 : ftell (pcap_file (r.p));
      guint64 in_file = pos > 0 ? MIN ((guint64) pos, f->size) : 0;
      dp_stage_progress (stage, self->done_bytes + in_file, self->total_bytes);
    }
  pcap_reader_close (&r);
  self->done_bytes += f->size;
  return st != PCAP_READ_ERROR;
}

/* ------------------------------------------------------------------ */
/* plugin */

static void
pcap_source_finalize (void *state)
{
  Pcap *self = state;
  if (self == NULL)
    return;
  if (self->files)
    g_array_unref (self->files);
  g_free (self);
}

static gboolean
pcap_source_init (DpStage *stage, const void *config, void **state, GError **error)
{
  (void) stage;
  Pcap *self = g_new0 (Pcap, 1);
  *state = self;
  self->cfg = config;
  self->files = g_array_new (FALSE, TRUE, sizeof (PcapFile));
  g_array_set_clear_func (self->files, pcap_file_clear);
  return pcap_check_filter (self->cfg->filter, error) && pcap_collect_files (self, error);
}

static gboolean
pcap_source_run (DpStage *stage, void *state, GError **error)
{
  Pcap *self = state;
  if (!pcap_probe_files (stage, self, error))
    return FALSE;
  g_array_sort (self->files, pcap_file_compare);
  g_autoptr (DpPackets) batch = dp_packets_new ((guint) self->cfg->batch_rows);
  for (guint i = 0; i < self->files->len && !dp_stage_cancelled (stage); i++)
    if (!pcap_read_file (stage, self, &g_array_index (self->files, PcapFile, i), &batch, error))
      return FALSE;
  if (batch->n_rows > 0 && !dp_stage_cancelled (stage))
    dp_stage_push (stage, 0, g_steal_pointer (&batch));
  dp_stage_progress (stage, self->total_bytes, self->total_bytes);
  return TRUE;
}

static const DpPortDesc pcap_outputs[] = {
  { "packets", DP_TYPE_PACKETS, 0, "IPv4 packets in time order" },
};

static const DpOptionDesc pcap_options[] = {
  DP_OPTION ("path", DP_OPT_PATH, NULL, PcapConfig, path,
             "Capture file to read (a glob pattern is expanded)."),
  DP_OPTION ("paths", DP_OPT_STRLIST, NULL, PcapConfig, paths,
             "Several capture files or glob patterns, read in order of their first timestamp."),
  DP_OPTION ("filter", DP_OPT_STRING, NULL, PcapConfig, filter,
             "BPF filter expression (tcpdump syntax) applied before decoding."),
  DP_OPTION_RANGE ("batch_rows", DP_OPT_INT, "16384", PcapConfig, batch_rows, 1024, 65536,
                   "Rows per packets batch."),
};

DP_PLUGIN_DEFINE (pcap,
  .kind = DP_KIND_SOURCE,
  .summary = "Reads pcap/pcapng captures (plain or gzip) into IPv4 packet batches",
  .version = "1.0",
  .doc = "Reads classic pcap and pcapng files, plain or gzip-compressed, detected by their "
         "magic number. Link types: Ethernet (with 802.1Q/QinQ tags), raw IP, Linux cooked "
         "(SLL, SLL2), BSD loopback (NULL, LOOP). Non-IPv4 frames are counted as `non-ipv4`; "
         "frames shorter than their headers as `short`, invalid IPv4 headers as `bad-header`, "
         "a file cut off mid-record as `truncated-file` (the packets before are kept), a file "
         "that is no capture at all as `bad-file`, a file of another link type as "
         "`unsupported-link`; messages name the file and the byte offset (pcap) or the "
         "packet number (pcapng). Packets whose TCP/UDP/ICMP header is cut by the snap "
         "length are kept without L4 fields and counted as `l4-short`. Set `path` or "
         "`paths` (or both); several files are read one after the other, ordered by their "
         "first timestamp.",
  .outputs = pcap_outputs,
  .n_outputs = DP_N_ELEMENTS (pcap_outputs),
  .options = pcap_options,
  .n_options = DP_N_ELEMENTS (pcap_options),
  .config_size = sizeof (PcapConfig),
  .init = pcap_source_init,
  .run = pcap_source_run,
  .finalize = pcap_source_finalize)
