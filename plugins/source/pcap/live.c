/* live.c — the pcap source on a network interface (`interface:`).
 *
 * libpcap's live API opens the interface (pcap_create, the settings, then
 * pcap_activate), with nanosecond timestamps where the platform gives
 * them and the BPF filter in the kernel.  The handle is non-blocking: the
 * loop waits on its selectable descriptor with poll(2) for at most a short
 * tick, so that between packets it sees the end of the run's input (a
 * signal: dp_stage_input_stopped), a cancelled run, the `duration` and
 * `count` limits, the `flush_interval` (a partial batch is pushed, so that
 * a quiet link does not hold packets back) and the `stats_interval`.
 * Records go through the same per-record step as the files (pcap_take).
 * The kernel's drop counts (pcap_stats) are logged as they grow, and end
 * as the stage's counters in the run summary. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include "pcap.h"

/* The link types the decoder reads, as pcap_datalink gives them (DLT_). */
static gboolean
pcap_live_link_ok (int dlt)
{
  switch (dlt)
    {
    case DP_LINK_NULL: case DP_LINK_ETHERNET: case DP_LINK_RAW: case DP_LINK_RAW_DLT:
    case DP_LINK_RAW_DLT2: case DP_LINK_LOOP: case DP_LINK_SLL: case DP_LINK_SLL2:
    case DP_LINK_IPV4:
      return TRUE;
    default:
      return FALSE;
    }
}

/* ------------------------------------------------------------------ */
/* check */

/* (transfer full) the capture devices libpcap knows, comma-separated
 * (NULL when it cannot list them); *@found tells whether @name is one. */
static char *
pcap_live_devices (const char *name, gboolean *found)
{
  char errbuf[PCAP_ERRBUF_SIZE] = "";
  pcap_if_t *devs = NULL;
  *found = FALSE;
  if (pcap_findalldevs (&devs, errbuf) != 0)
    return NULL;
  GString *list = g_string_new (NULL);
  for (pcap_if_t *d = devs; d; d = d->next)
    {
      if (strcmp (d->name, name) == 0)
        *found = TRUE;
      g_string_append_printf (list, "%s%s", list->len ? ", " : "", d->name);
    }
  pcap_freealldevs (devs);
  return g_string_free (list, FALSE);
}

gboolean
pcap_live_check (DpStage *stage, const PcapConfig *cfg, GError **error)
{
  if (cfg->path || (cfg->paths && cfg->paths[0]))
    return dp_stage_config_error (stage, error, DP_CONFIG_ERROR_RANGE, "interface",
                                  "'interface' captures live and cannot be combined with '%s': "
                                  "set one of them", cfg->path ? "path" : "paths");
  if (cfg->interface[0] == '\0')
    return dp_stage_config_error (stage, error, DP_CONFIG_ERROR_RANGE, "interface",
                                  "'interface' is empty: name a network interface (e.g. eth0, or any)");
  gboolean found;
  g_autofree char *devs = pcap_live_devices (cfg->interface, &found);
  /* when libpcap cannot list the devices, pcap_activate will say */
  if (devs && !found)
    return dp_stage_config_error (stage, error, DP_CONFIG_ERROR_RANGE, "interface",
                                  "no network interface '%s' on this host (capture devices: %s)",
                                  cfg->interface, devs[0] ? devs : "none");
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* opening the interface */

/* What pcap_activate's failure @rc means for an operator. */
static const char *
pcap_live_hint (int rc)
{
  switch (rc)
    {
    case PCAP_ERROR_PERM_DENIED:
    case PCAP_ERROR_PROMISC_PERM_DENIED:
      return " (capturing needs root or the CAP_NET_RAW capability, e.g. "
             "`setcap cap_net_raw+eip` on the darkpipe program; docs/live-capture.md)";
    case PCAP_ERROR_NO_SUCH_DEVICE:
      return " (no such interface on this host)";
    case PCAP_ERROR_IFACE_NOT_UP:
      return " (bring it up: ip link set DEV up)";
    default:
      return "";
    }
}

/* The decoder reads only some link types: an interface that offers
 * another one as well (DOCSIS and Ethernet, say) is switched to it. */
static gboolean
pcap_live_linktype (pcap_t *p, const char *iface, int *linktype, GError **error)
{
  int dlt = pcap_datalink (p);
  if (pcap_live_link_ok (dlt))
    {
      *linktype = dlt;
      return TRUE;
    }
  int *dlts = NULL;
  int n = pcap_list_datalinks (p, &dlts);
  for (int i = 0; i < n; i++)
    if (pcap_live_link_ok (dlts[i]) && pcap_set_datalink (p, dlts[i]) == 0)
      {
        *linktype = dlts[i];
        pcap_free_datalinks (dlts);
        return TRUE;
      }
  if (n >= 0)
    pcap_free_datalinks (dlts);
  const char *name = pcap_datalink_val_to_name (dlt);
  g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT,
               "interface %s: link type %s (%d) is not one the decoder reads "
               "(Ethernet, raw IP, Linux cooked, BSD loopback)", iface, name ? name : "unknown", dlt);
  return FALSE;
}

/* Opens and activates the interface: (transfer full) the handle, or NULL
 * with @error.  *@nano tells whether timestamps come in nanoseconds. */
static pcap_t *
pcap_live_open (DpStage *stage, const PcapConfig *cfg, int timeout_ms, gboolean *nano,
                int *linktype, GError **error)
{
  const char *iface = cfg->interface;
  char errbuf[PCAP_ERRBUF_SIZE] = "";
  pcap_t *p = pcap_create (iface, errbuf);
  if (p == NULL)
    {
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FAILED, "interface %s: cannot capture: %s", iface, errbuf);
      return NULL;
    }
  pcap_set_snaplen (p, (int) cfg->snaplen);
  pcap_set_promisc (p, cfg->promisc);
  pcap_set_timeout (p, timeout_ms);
  pcap_set_immediate_mode (p, cfg->immediate);
  pcap_set_buffer_size (p, (int) cfg->buffer_size);
  /* nanoseconds where the platform has them (Linux does); else micro */
  *nano = pcap_set_tstamp_precision (p, PCAP_TSTAMP_PRECISION_NANO) == 0;
  int rc = pcap_activate (p);
  if (rc < 0)
    {
      /* pcap_geterr is empty for some codes: the status names them */
      const char *why = pcap_geterr (p);
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FAILED, "interface %s: cannot capture: %s%s", iface,
                   why && why[0] ? why : pcap_statustostr (rc), pcap_live_hint (rc));
      pcap_close (p);
      return NULL;
    }
  if (rc > 0)
    dp_stage_info (stage, "warning: interface %s: %s%s%s", iface, pcap_statustostr (rc),
                   pcap_geterr (p)[0] ? ": " : "", pcap_geterr (p));
  *nano = *nano && pcap_get_tstamp_precision (p) == PCAP_TSTAMP_PRECISION_NANO;
  if (!pcap_live_linktype (p, iface, linktype, error))
    {
      pcap_close (p);
      return NULL;
    }
  if (cfg->filter && cfg->filter[0])
    {
      bpf_u_int32 net = 0, mask = PCAP_NETMASK_UNKNOWN;
      if (pcap_lookupnet (iface, &net, &mask, errbuf) != 0)
        mask = PCAP_NETMASK_UNKNOWN;
      struct bpf_program prog;
      gboolean set = pcap_compile (p, &prog, cfg->filter, 1, mask) == 0;
      if (set)
        {
          set = pcap_setfilter (p, &prog) == 0;
          pcap_freecode (&prog);
        }
      if (!set)
        {
          g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_TYPE,
                       "interface %s: filter '%s': %s", iface, cfg->filter, pcap_geterr (p));
          pcap_close (p);
          return NULL;
        }
    }
  if (pcap_setnonblock (p, 1, errbuf) != 0)
    {
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FAILED, "interface %s: %s", iface, errbuf);
      pcap_close (p);
      return NULL;
    }
  return p;
}

/* ------------------------------------------------------------------ */
/* the capture loop */

typedef struct {
  DpStage *stage;
  Pcap *self;
  PcapReader r;        /* for messages: r.path names the interface */
  DpPackets *batch;
  int linktype;
  gboolean nano;
  pcap_t *p;
  GError *error;       /* a record refused with on_error: fail */
} PcapLive;

static void
pcap_live_record (u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
  PcapLive *l = (PcapLive *) user;
  struct pcap_pkthdr micro;
  if (!l->nano)
    {
      /* the record step reads the fraction in nanoseconds */
      micro = *h;
      micro.ts.tv_usec *= 1000;
      h = &micro;
    }
  l->r.n_read++;
  if (l->error == NULL
      && !pcap_take (l->stage, l->self, &l->r, l->linktype, NULL, h, data, l->batch, &l->error))
    pcap_breakloop (l->p);
}

/* The kernel's counts so far; drops reported as they grow. */
typedef struct {
  struct pcap_stat last;      /* at the last report */
  gboolean have;
} PcapLiveStats;

static void
pcap_live_stats (PcapLive *l, PcapLiveStats *st, gboolean final)
{
  struct pcap_stat now;
  if (pcap_stats (l->p, &now) != 0)
    return;
  const char *iface = l->self->cfg->interface;
  guint64 drop = now.ps_drop - st->last.ps_drop, ifdrop = now.ps_ifdrop - st->last.ps_ifdrop;
  if (drop || ifdrop)
    dp_stage_info (l->stage, "warning: interface %s: %" G_GUINT64_FORMAT " packets dropped by the kernel and "
                   "%" G_GUINT64_FORMAT " by the interface since %s (%u and %u in all, %u received; "
                   "a larger buffer_size, a smaller snaplen or a narrower filter may help)", iface, drop, ifdrop,
                   st->have ? "the last report" : "the capture began", now.ps_drop, now.ps_ifdrop, now.ps_recv);
  else if (!final)
    dp_stage_info (l->stage, "interface %s: %u packets received, none dropped", iface, now.ps_recv);
  st->last = now;
  st->have = TRUE;
}

/* The run's totals into the stage's counters (the summary table).  An
 * interface that saw nothing adds none: the run then says so itself. */
static void
pcap_live_counters (PcapLive *l, const PcapLiveStats *st)
{
  const char *iface = l->self->cfg->interface;
  if (!st->have)
    return;
  const struct pcap_stat *s = &st->last;
  dp_stage_info (l->stage, "interface %s: %u packets received, %u dropped by the kernel, %u by the interface",
                 iface, s->ps_recv, s->ps_drop, s->ps_ifdrop);
  if (s->ps_recv == 0 && s->ps_drop == 0 && s->ps_ifdrop == 0)
    return;
  dp_stage_count (l->stage, "received", s->ps_recv);
  dp_stage_count (l->stage, "dropped-kernel", s->ps_drop);
  dp_stage_count (l->stage, "dropped-interface", s->ps_ifdrop);
}

/* One pass of pcap_dispatch into the batch: the records handled, or -1
 * after a failure (@error set when the run must stop; else the capture
 * ended and was reported). */
static int
pcap_live_dispatch (PcapLive *l, guint64 left, GError **error)
{
  DpPackets *b = l->batch;
  guint room = b->capacity > b->n_rows ? b->capacity - b->n_rows : 1;
  int want = (int) MIN ((guint64) room, left);
  int n = pcap_dispatch (l->p, want, pcap_live_record, (u_char *) l);
  if (l->error)
    {
      g_propagate_error (error, g_steal_pointer (&l->error));
      return -1;
    }
  if (n == PCAP_ERROR)
    {
      /* the interface went away, or the socket failed: what was captured
       * stays (like a truncated file), unless on_error: fail */
      dp_stage_data_error (l->stage, error, "capture-failed", "interface %s: capture stopped after %"
                           G_GUINT64_FORMAT " packets: %s", l->self->cfg->interface, l->r.n_read,
                           pcap_geterr (l->p));
      return -1;
    }
  return MAX (n, 0);
}

static void
pcap_live_push (PcapLive *l)
{
  pcap_flush_counts (l->stage, l->self);
  if (l->batch->n_rows > 0 && l->self->flow == DP_FLOW_OK)
    l->self->flow = dp_stage_push_packets (l->stage, 0, &l->batch);
}

gboolean
pcap_live_run (DpStage *stage, Pcap *self, GError **error)
{
  const PcapConfig *cfg = self->cfg;
  /* the kernel hands over a partly filled buffer after this long: a
   * fraction of the flush interval, at most a tenth of a second */
  gint64 flush_us = cfg->flush_interval / 1000;
  int tick_ms = (int) CLAMP (flush_us / 2000, 1, 100);
  PcapLive l = { .stage = stage, .self = self };
  l.p = pcap_live_open (stage, cfg, tick_ms, &l.nano, &l.linktype, error);
  if (l.p == NULL)
    return FALSE;
  g_autofree char *where = g_strdup_printf ("interface %s", cfg->interface);
  l.r.path = where;
  l.r.iface = TRUE;
  int fd = pcap_get_selectable_fd (l.p);
  g_autofree char *origin = g_strdup_printf ("live capture on interface %s%s%s%s", cfg->interface,
                                             cfg->filter && cfg->filter[0] ? " (filter: " : "",
                                             cfg->filter && cfg->filter[0] ? cfg->filter : "",
                                             cfg->filter && cfg->filter[0] ? ")" : "");
  dp_stage_provenance_set_origin (stage, origin);
  dp_stage_set_live (stage);
  dp_stage_info (stage, "capturing on %s (link type %s, snaplen %" G_GINT64_FORMAT ", %s timestamps)%s",
                 cfg->interface, pcap_datalink_val_to_name (l.linktype) ? pcap_datalink_val_to_name (l.linktype) : "?",
                 cfg->snaplen, l.nano ? "nanosecond" : "microsecond",
                 cfg->count || cfg->duration ? "" : "; Ctrl-C (SIGINT) or SIGTERM ends it");
  l.batch = dp_packets_new ((guint) cfg->batch_rows);

  gint64 start = g_get_monotonic_time ();
  gint64 end = cfg->duration > 0 ? start + cfg->duration / 1000 : G_MAXINT64;
  gint64 stats_us = cfg->stats_interval / 1000;
  gint64 next_stats = stats_us > 0 ? start + stats_us : G_MAXINT64;
  gint64 flush_at = G_MAXINT64;
  PcapLiveStats st = { 0 };
  gboolean ok = TRUE, drain = TRUE;
  for (;;)
    {
      if (self->flow != DP_FLOW_OK || dp_stage_cancelled (stage))
        {
          drain = FALSE;
          break;
        }
      guint64 left = cfg->count ? cfg->count - MIN (cfg->count, l.r.n_read) : G_MAXUINT64;
      if (left == 0)
        {
          drain = FALSE;
          break;
        }
      gint64 now = g_get_monotonic_time ();
      if (dp_stage_input_stopped (stage) || now >= end)
        break;
      guint before = l.batch->n_rows;
      int n = pcap_live_dispatch (&l, left, error);
      if (n < 0)
        {
          ok = error == NULL || *error == NULL;
          drain = FALSE;
          break;
        }
      now = g_get_monotonic_time ();
      if (before == 0 && l.batch->n_rows > 0)
        flush_at = now + flush_us;
      if (l.batch->n_rows >= l.batch->capacity || (l.batch->n_rows > 0 && now >= flush_at))
        {
          pcap_live_push (&l);
          flush_at = G_MAXINT64;
        }
      if (now >= next_stats)
        {
          pcap_live_stats (&l, &st, FALSE);
          next_stats = now + stats_us;
        }
      dp_stage_progress (stage, l.r.n_read, 0);
      if (n > 0)
        continue;   /* more may be waiting */
      /* nothing: wait for the descriptor, a tick at most */
      gint64 wait = MIN (MIN (flush_at, end), next_stats) - now;
      int ms = (int) CLAMP ((wait + 999) / 1000, 0, tick_ms);
      if (fd >= 0)
        {
          struct pollfd pfd = { .fd = fd, .events = POLLIN };
          if (poll (&pfd, 1, ms) < 0 && errno != EINTR)
            g_usleep ((gulong) ms * 1000);
        }
      else
        g_usleep ((gulong) ms * 1000);
    }
  /* the input ended (signal, duration): what the kernel holds was
   * captured before, so it is read too, for at most two ticks */
  if (ok && drain)
    {
      gint64 until = g_get_monotonic_time () + 2 * tick_ms * 1000;
      while (self->flow == DP_FLOW_OK && !dp_stage_cancelled (stage))
        {
          guint64 left = cfg->count ? cfg->count - MIN (cfg->count, l.r.n_read) : G_MAXUINT64;
          if (left == 0)
            break;
          int n = pcap_live_dispatch (&l, left, error);
          if (n < 0)
            {
              ok = error == NULL || *error == NULL;
              break;
            }
          if (l.batch->n_rows >= l.batch->capacity)
            pcap_live_push (&l);
          if (n == 0)
            {
              if (g_get_monotonic_time () >= until)
                break;
              g_usleep (1000);
            }
        }
    }
  if (ok)
    pcap_live_push (&l);
  else
    pcap_flush_counts (stage, self);
  pcap_live_stats (&l, &st, TRUE);
  pcap_live_counters (&l, &st);
  dp_stage_progress (stage, l.r.n_read, 0);
  g_clear_pointer (&l.batch, dp_batch_unref);
  pcap_close (l.p);
  return ok;
}
