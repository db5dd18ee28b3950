/* darkvec.h — the darkvec_corpus plugin's parts: the state, the service
 * map (services.c) and the per-day activity kept across runs (state.c). */
#pragma once

#include "darkpipe.h"
#include "../corpus-common.h"
#include "../../common/tz.h"

#ifndef DARKVEC_SERVICES_FILE
#define DARKVEC_SERVICES_FILE "/usr/share/darkpipe/services.txt"
#endif

enum { LANG_SERVICES, LANG_AUTO, LANG_SINGLE, LANG_HYBRID };
enum { LONG_TRUNCATE, LONG_SPLIT };

typedef struct {
  int languages;
  char *services_path;
  gint64 top_n;
  gint64 bucket;
  char *timezone;
  guint64 min_packets;
  gboolean dedup_consecutive;
  int long_sentences;
  guint64 max_sentence;
  guint64 overlap;
  char *text_path;
  guint64 window_days;
  char *state_path;
} DarkvecConfig;

/* One day's packets per source (window_days). */
typedef struct {
  gint64 day;            /* days since 1970 in the buckets' time zone */
  DpHash counts;         /* source -> packets */
  gboolean from_state;   /* read from state_path, not seen in this input */
} DarkvecDay;

typedef struct {
  gint64 number;       /* bucket index: floor(local time / bucket) */
  guint32 *src;
  guint32 *pp;         /* darkvec_pp() of each packet */
  guint32 *pos;        /* position inside the bucket, 2^32 steps */
  guint n, cap;
  guint32 last_pos;
  gboolean disordered;
} DarkvecBucket;

typedef struct {
  const DarkvecConfig *config;
  TzZone tz;                 /* the buckets' time zone */
  DpHash bucket_index;       /* bucket number -> index into buckets */
  GArray *buckets;           /* DarkvecBucket */
  DpHash src_packets;        /* source -> packets */
  DpHash pp_packets;         /* port/proto -> packets */
  DpHash services;           /* port/proto -> service language + 1 */
  GPtrArray *service_names;  /* languages of the service map, in id order */
  guint unk[3];              /* ids of unk_sys, unk_usr, unk_eph (a map may name them in any order) */
  guint icmp_lang;
  DpNameMap *names;
  guint64 packets;
  GArray *days;              /* DarkvecDay, window_days > 0 */
  guint day_at;              /* index of the last day counted */
  DpHash window;             /* source -> packets over the window ending on window_day */
  gint64 window_day;
} Darkvec;

#define DARKVEC_DAY_NS G_GINT64_CONSTANT (86400000000000)

/* services.c: reads the service map of services_path (or the shipped one)
 * into d->services and d->service_names. */
gboolean darkvec_load_services (Darkvec *d, GError **error);
/* The service language of port/protocol @pp (darkvec_pp). */
guint darkvec_service_of (const Darkvec *d, guint32 pp);

/* state.c: state_path, the last window_days days of per-source packets. */
gboolean darkvec_state_save (Darkvec *d, const char *path, GError **error);
gboolean darkvec_state_load (Darkvec *d, const char *path, GError **error);
