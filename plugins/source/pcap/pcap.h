/* pcap.h — what the parts of the pcap source share: its state, one open
 * capture, and the per-record step both walks inline. */
#pragma once

#include <string.h>
#include <pcap/pcap.h>

#include "darkpipe.h"
#include "dp-decode.h"
#include "dp-output.h"

typedef struct {
  char *path;
  char **paths;
  char *filter;
  gint64 batch_rows;
  int tunnels;        /* PCAP_TUNNELS_* */
  int order;          /* PCAP_ORDER_* */
  /* live capture (live.c) */
  char *interface;
  gint64 snaplen;
  guint64 buffer_size;
  gboolean promisc;
  gboolean immediate;
  gint64 duration;        /* ns; 0: until stopped */
  guint64 count;          /* 0: no limit */
  gint64 flush_interval;  /* ns */
  gint64 stats_interval;  /* ns; 0: no periodic line */
} PcapConfig;

enum { PCAP_TUNNELS_NONE, PCAP_TUNNELS_IP, PCAP_TUNNELS_GRE, PCAP_TUNNELS_ALL };
enum { PCAP_ORDER_MERGE, PCAP_ORDER_SEQUENTIAL };

typedef struct {
  char *path;
  guint index;        /* position in the option list: ties keep it */
  gint64 first_ts;    /* G_MAXINT64 when the file has no packet */
  guint64 size;       /* on disk, for progress */
  gboolean stream;    /* a pipe (FIFO): opened once, never probed */
} PcapFile;

typedef struct {
  const PcapConfig *cfg;
  GArray *files;      /* PcapFile */
  guint64 total_bytes;
  guint64 done_bytes; /* of the files already finished */
  guint decode_flags; /* DP_DECODE_TUNNEL_* */
  guint64 n_non_ip;
  guint64 n_l4_short;
  DpFlow flow;        /* what the last push returned */
  /* under MPI (split_n > 1 ranks): block b of split_block records, in the
   * order one process reads them, is decoded by rank b mod split_n only */
  guint split_n, split_rank;
  guint64 split_block;
  guint64 split_rec;  /* records met so far, all ranks' */
  gboolean split_end; /* the record just taken ended one of this rank's blocks */
} Pcap;

/* Classic records are read in blocks of this size.  A record never
 * exceeds PCAP_MAX_CAPLEN (libpcap's MAXIMUM_SNAPLEN: the larger limits it
 * has are for link types the decoder refuses), so one always fits. */
#define PCAP_BLOCK (1u << 20)
#define PCAP_MAX_CAPLEN 262144u
G_STATIC_ASSERT (PCAP_BLOCK >= 24 + PCAP_MAX_CAPLEN);

/* How old files order caplen and len (libpcap: swapped before 2.3, and
 * in some 2.3 files, which only caplen > len tells apart). */
typedef enum { PCAP_LENGTHS_RIGHT, PCAP_LENGTHS_SWAPPED, PCAP_LENGTHS_MAYBE } PcapLengths;

/* One open capture. */
typedef struct {
  const char *path;
  pcap_t *p;
  int linktype;
  gboolean classic;   /* classic pcap (else pcapng) */
  gboolean gzip;
  gboolean nano;      /* classic: nanosecond magic */
  guint rec_hdr;      /* classic record header size */
  guint64 offset;     /* classic: offset of the next record */
  guint64 rec_start;  /* classic: offset of the record just read */
  guint64 n_read;     /* records read so far */
  struct bpf_program prog;
  gboolean has_prog;
  /* the classic block walk (buf NULL: libpcap reads the records) */
  FILE *fp;           /* libpcap's, just past the file header */
  guint8 *buf;        /* the data, inside base[cur] */
  gsize buf_pos, buf_len;
  gboolean at_end;    /* fread has nothing more */
  int read_errno;     /* and stopped on this error (0: end of file) */
  /* read-ahead (when readahead is set, one file read at a time): a thread
   * reads the next block into the other buffer while this one is walked;
   * each buffer is 2 PCAP_BLOCK, its block read into the second half, the
   * walk's unread tail copied in front of it at the swap */
  gboolean readahead;
  guint8 *base[2];
  guint cur;
  GThread *reader;
  GMutex lock;
  GCond cond;
  gboolean want, ready, quit;   /* base[!cur] asked for, read; stop */
  gsize next_got;
  int next_errno;
  gboolean swapped;
  PcapLengths lengths;
  guint32 snapshot;
  char msg[160];      /* why the walk stopped */
  /* pcapng: the walk over fp (owned), with the current section's interfaces */
  gboolean live;      /* opened (FALSE: the file was skipped) */
  gboolean ng;
  GArray *ifaces;     /* PcapIface */
  const char *filter;
  gboolean iface;     /* a live interface (path names it): packets have no offset */
} PcapReader;

/* One pcapng interface of the current section. */
typedef struct {
  int linktype;
  gboolean supported;
  guint32 snaplen;
  guint64 units;      /* timestamp units per second (if_tsresol) */
  gint64 tsoffset;    /* seconds (if_tsoffset) */
  gboolean compiled;  /* the filter was compiled for it (or there is none) */
  gboolean has_prog;
  struct bpf_program prog;
} PcapIface;

typedef enum { PCAP_READ_FULL, PCAP_READ_EOF, PCAP_READ_ERROR } PcapReadStatus;
typedef enum { PCAP_NEXT_OK, PCAP_NEXT_EOF, PCAP_NEXT_BAD } PcapNext;

/* plugin.c */
void pcap_ifaces_clear (PcapReader *r);
gboolean pcap_reader_open (DpStage *stage, const PcapConfig *cfg, const char *path, gboolean stream,
                           PcapReader *r, GError **error);
void pcap_reader_close (PcapReader *r);
gboolean pcap_file_start (DpStage *stage, Pcap *self, const PcapFile *f, PcapReader *r, GError **error);
PcapReadStatus pcap_file_read (DpStage *stage, Pcap *self, PcapReader *r, DpPackets *batch, GError **error);
guint64 pcap_file_position (const PcapReader *r, const PcapFile *f);
char *pcap_where (const PcapReader *r);
gboolean pcap_bad_packet (DpStage *stage, Pcap *self, const PcapReader *r, DpDecodeResult res,
                          const struct pcap_pkthdr *hdr, GError **error);
gboolean pcap_bad_timestamp (DpStage *stage, const PcapReader *r, const struct pcap_pkthdr *hdr,
                             GError **error);
gboolean pcap_read_failed (DpStage *stage, const PcapReader *r, const char *msg, GError **error);
void pcap_flush_counts (DpStage *stage, Pcap *self);
gboolean pcap_block_fill (PcapReader *r, gsize need);
PcapNext pcap_block_short (PcapReader *r, const char *what, gsize skip, gsize need);
PcapNext pcap_block_too_long (PcapReader *r, guint32 caplen);

/* files.c: the input files */
gboolean pcap_collect_files (Pcap *self, GError **error);
gint pcap_file_compare (gconstpointer a, gconstpointer b);
gboolean pcap_read_file (DpStage *stage, Pcap *self, const PcapFile *f, DpPackets **batch, GError **error);

/* merge.c: several files as one timeline */
gboolean pcap_merge_files (DpStage *stage, Pcap *self, guint first, DpPackets **batch, GError **error);

/* live.c: capture from a network interface */
gboolean pcap_live_check (DpStage *stage, const PcapConfig *cfg, GError **error);
gboolean pcap_live_run (DpStage *stage, Pcap *self, GError **error);

/* pcapng.c: the pcapng walk */
gboolean pcap_ng_open (PcapReader *r, char *why, gsize why_len);
PcapNext pcap_ng_next (PcapReader *r, struct pcap_pkthdr *hdr, const guint8 **data, guint *iface);
PcapReadStatus pcap_read_batch_ng (DpStage *stage, Pcap *self, PcapReader *r, DpPackets *batch,
                                   GError **error);

static inline guint32
pcap_get32 (const guint8 *p, gboolean swapped)
{
  guint32 v;
  memcpy (&v, p, 4);
  return swapped ? GUINT32_SWAP_LE_BE (v) : v;
}

/* Under MPI: counts one more record and says whether this rank decodes
 * it (always TRUE in one process). */
static inline gboolean
pcap_split_mine (Pcap *self)
{
  if (G_LIKELY (self->split_n <= 1))
    return TRUE;
  guint64 i = self->split_rec++;
  if ((i / self->split_block) % self->split_n != self->split_rank)
    return FALSE;
  /* the last record of the block: the batch goes out after it */
  self->split_end = (i + 1) % self->split_block == 0;
  return TRUE;
}

/* One record: filter, timestamp, decode into @batch.  FALSE stops the
 * file (on_error: fail, @error set). */
static inline gboolean
pcap_take (DpStage *stage, Pcap *self, const PcapReader *r, int linktype,
           const struct bpf_program *prog, const struct pcap_pkthdr *hdr,
           const guint8 *data, DpPackets *batch, GError **error)
{
  if (prog && !pcap_offline_filter (prog, hdr, data))
    return TRUE;
  gint64 ts;
  if (G_UNLIKELY (!dp_ts_from_parts (hdr->ts.tv_sec, hdr->ts.tv_usec, &ts)))
    return pcap_bad_timestamp (stage, r, hdr, error);
  gboolean l4_short;
  DpDecodeResult res = dp_decode_frame_flags (linktype, self->decode_flags, data, hdr->caplen, ts,
                                                batch, &l4_short);
  if (G_UNLIKELY (res != DP_DECODE_OK))
    return pcap_bad_packet (stage, self, r, res, hdr, error);
  if (G_UNLIKELY (l4_short))
    self->n_l4_short++;
  return TRUE;
}
