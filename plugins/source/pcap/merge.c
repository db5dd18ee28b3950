/* merge.c — the pcap source's files as one timeline: their packets
 * interleaved by timestamp (a k-way merge, as mergecap does), so that two
 * sensors' captures of the same hours, or rotated files that overlap, do
 * not reach the stages out of order (the taxonomy would drop most of the
 * second file as late).  Files are sorted by their first timestamp and
 * opened only when the merged time reaches it, then closed at their end:
 * a day of hourly files keeps one or two open.  Each open file decodes a
 * block of rows ahead; the merge copies the earliest row out.  All the
 * blocks and the output share one name map, so IPv6 keys agree. */
#include "config.h"

#include <string.h>

#include "pcap.h"

#define PCAP_MERGE_ROWS 4096u

typedef struct {
  const PcapFile *f;
  PcapReader r;
  DpPackets *rows;         /* decoded ahead, not yet merged */
  guint pos;               /* next row of rows to merge */
  PcapReadStatus st;       /* of the last read */
} PcapMergeIn;

typedef struct {
  DpStage *stage;
  Pcap *self;
  GPtrArray *open;         /* PcapMergeIn*, the files being merged */
  DpNameMap *names;        /* shared once a file met IPv6; NULL before */
  DpPackets **out;
} PcapMerge;

static void
merge_in_free (PcapMergeIn *in)
{
  pcap_reader_close (&in->r);
  dp_batch_unref (in->rows);
  g_free (in);
}

/* The first batch that met IPv6 gives the map every other batch takes,
 * before its next rows are decoded. */
static void
merge_share_names (PcapMerge *m, DpPackets *rows)
{
  if (m->names || rows->names == NULL)
    return;
  m->names = dp_name_map_ref (rows->names);
  for (guint i = 0; i < m->open->len; i++)
    dp_packets_set_names (((PcapMergeIn *) m->open->pdata[i])->rows, m->names);
  dp_packets_set_names (*m->out, m->names);
}

/* Decodes the next rows of @in; FALSE on a hard error. */
static gboolean
merge_fill (PcapMerge *m, PcapMergeIn *in, GError **error)
{
  in->rows->n_rows = 0;
  in->pos = 0;
  while (in->st == PCAP_READ_FULL && in->rows->n_rows == 0)
    in->st = pcap_file_read (m->stage, m->self, &in->r, in->rows, error);
  merge_share_names (m, in->rows);
  return in->st != PCAP_READ_ERROR;
}

/* Opens file @f into the merge (nothing when it is skipped or empty). */
static gboolean
merge_open (PcapMerge *m, const PcapFile *f, GError **error)
{
  PcapMergeIn *in = g_new0 (PcapMergeIn, 1);
  in->f = f;
  in->st = PCAP_READ_FULL;
  in->rows = dp_packets_new (PCAP_MERGE_ROWS);
  if (m->names)
    dp_packets_set_names (in->rows, m->names);
  if (!pcap_file_start (m->stage, m->self, f, &in->r, error))
    {
      dp_batch_unref (in->rows);
      g_free (in);
      return FALSE;
    }
  if (!in->r.live || !merge_fill (m, in, error) || in->rows->n_rows == 0)
    {
      gboolean ok = in->st != PCAP_READ_ERROR;
      m->self->done_bytes += f->size;
      merge_in_free (in);
      return ok;
    }
  g_ptr_array_add (m->open, in);
  return TRUE;
}

gboolean
pcap_merge_files (DpStage *stage, Pcap *self, guint first, DpPackets **batch, GError **error)
{
  PcapMerge m = { .stage = stage, .self = self, .out = batch };
  m.open = g_ptr_array_new_with_free_func ((GDestroyNotify) merge_in_free);
  if ((*batch)->names)
    m.names = dp_name_map_ref ((*batch)->names);
  guint next = first;
  gboolean ok = TRUE;
  guint64 merged = 0;
  while (ok && self->flow == DP_FLOW_OK)
    {
      /* the earliest row of the open files */
      PcapMergeIn *best = NULL;
      for (guint i = 0; i < m.open->len; i++)
        {
          PcapMergeIn *in = m.open->pdata[i];
          if (best == NULL || in->rows->ts[in->pos] < best->rows->ts[best->pos])
            best = in;
        }
      /* a file whose first packet is not later joins before it is passed */
      const PcapFile *f = next < self->files->len ? &g_array_index (self->files, PcapFile, next) : NULL;
      if (f && (best == NULL || f->first_ts <= best->rows->ts[best->pos]))
        {
          next++;
          ok = merge_open (&m, f, error);
          continue;
        }
      if (best == NULL)
        break;
      DpPackets *out = *batch;
      /* one file open, and all its decoded rows before the next file
       * starts: the rows go over as a block (the common case of files that
       * do not overlap); else the earliest row alone */
      guint take = 1;
      if (m.open->len == 1 && (f == NULL || f->first_ts > best->rows->ts[best->rows->n_rows - 1]))
        take = MIN (best->rows->n_rows - best->pos, out->capacity - out->n_rows);
      /* a full batch was pushed (and emptied or replaced) below: room here */
      g_assert (out->n_rows + take <= out->capacity);
      guint o = out->n_rows;
      out->n_rows += take;
      guint i = best->pos;
      best->pos += take;
#define PCAP_MERGE_COPY(c) memcpy (out->c + o, best->rows->c + i, take * sizeof *out->c);
      DP_PACKET_COLUMNS (PCAP_MERGE_COPY)
#undef PCAP_MERGE_COPY
      if (out->n_rows == out->capacity)
        {
          self->flow = dp_stage_push_packets (stage, 0, batch);
          guint64 pos = self->done_bytes;
          for (guint k = 0; k < m.open->len; k++)
            {
              PcapMergeIn *in = m.open->pdata[k];
              pos += pcap_file_position (&in->r, in->f);
            }
          dp_stage_progress (stage, MIN (pos, self->total_bytes), self->total_bytes);
        }
      merged += take;
      if (best->pos == best->rows->n_rows)
        {
          ok = merge_fill (&m, best, error);
          if (best->rows->n_rows == 0)
            {
              self->done_bytes += best->f->size;
              g_ptr_array_remove_fast (m.open, best);
            }
        }
    }
  if (next - first > 1)
    dp_stage_info (stage, "%" G_GUINT64_FORMAT " packets of %u files merged by time", merged, next - first);
  g_ptr_array_unref (m.open);
  if (m.names)
    dp_name_map_unref (m.names);
  return ok;
}
