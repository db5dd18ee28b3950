/* dp-comm.c — the communication layer: one process, or MPI under a
 * launcher (dp-comm.h says how that is decided). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef HAVE_MPI
#include <mpi.h>
#include <semaphore.h>
#endif
#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/lsan_interface.h>
#endif

#include "dp-comm.h"
#include "dp-private.h"

static DpComm world = { 0, 1, FALSE };
static gsize world_once;

/* set by a signal handler (dp_comm_interrupt) */
static volatile sig_atomic_t comm_interrupted;
/* a wait ended early: the job is ending, MPI is left alone */
static gboolean comm_broken;
static gboolean comm_interruptible = TRUE;
static DpCommStats comm_stats;
/* rank 0: the ranks it was waiting for when a wait was interrupted */
static GArray *comm_missing;

gboolean
dp_comm_launched (void)
{
  static const char *const vars[] = { "OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", NULL };
  for (guint i = 0; vars[i]; i++)
    if (g_getenv (vars[i]) != NULL)
      return TRUE;
  return FALSE;
}

#ifdef HAVE_MPI
/* rank 0's watchdog (comm_watchdog): posted by dp_comm_interrupt */
static sem_t comm_alarm;
static gboolean comm_watched;
static gint comm_exiting;
#endif

void
dp_comm_interrupt (void)
{
  comm_interrupted = 1;
#ifdef HAVE_MPI
  if (comm_watched)
    sem_post (&comm_alarm);
#endif
}

gboolean
dp_comm_interrupted (void)
{
  return comm_interrupted;
}

gboolean
dp_comm_broken (void)
{
  return comm_broken;
}

void
dp_comm_set_interruptible (gboolean interruptible)
{
  comm_interruptible = interruptible;
}

void
dp_comm_stats (DpCommStats *out)
{
  *out = comm_stats;
}

char *
dp_comm_waited_for (const DpComm *c)
{
  if (comm_missing == NULL || comm_missing->len == 0)
    return NULL;
  GString *s = g_string_new (comm_missing->len == 1 ? "rank " : "ranks ");
  for (guint i = 0; i < comm_missing->len; i++)
    g_string_append_printf (s, "%s%u", i ? ", " : "", g_array_index (comm_missing, guint, i));
  g_string_append_printf (s, " of %u", c->size);
  return g_string_free (s, FALSE);
}

#ifdef HAVE_MPI
/* the ranks' meetings before each collective and the notes of ranks that
 * leave (dp-comm.h, "Waiting"), apart from the data */
static MPI_Comm meet_comm = MPI_COMM_NULL;
enum { TAG_LEAVING = 1, TAG_BYE = 2 };
/* rank 0: the ranks that said they leave (c->size flags) */
static gboolean *comm_left;

/* How a meeting polls: at full speed for SPIN_US, then with sleeps of an
 * eighth of the time waited so far, from NAP_MIN_US to NAP_MAX_US: a wait
 * ends at most 1/8 later than it could have, and a rank that waits long
 * wakes 500 times a second, for some 10 microseconds each. */
#define SPIN_US 100
#define NAP_MIN_US 20
#define NAP_MAX_US 2000
/* after an interruption rank 0 waits this long for the other ranks' notes
 * that they leave too: those that send none are the ones it names */
#define GRACE_US 300000
/* a rank that MPI reports lost waits this long for mpirun's SIGTERM */
#define LOST_WAIT_US 3000000
/* and the ranks that left wait this long at exit for rank 0 to say it is
 * done: once the first ranks of a job that mpirun ends have exited, it
 * kills the others at once (else one second after its SIGTERM), and rank
 * 0 is to say whom it waited for */
#define LINGER_US 800000

static void comm_nap (gint64 us);

/* After an interrupted wait: the ranks that left wait for rank 0's word
 * (LINGER_US at most), which rank 0 sends them as it exits. */
static void
comm_part (void)
{
  static int note = 1;
  if (world.rank == 0)
    {
      g_autofree MPI_Request *reqs = g_new (MPI_Request, world.size);
      int n = 0;
      for (guint r = 1; comm_left && r < world.size; r++)
        if (comm_left[r])
          MPI_Isend (&note, 1, MPI_INT, (int) r, TAG_BYE, meet_comm, &reqs[n++]);
      gint64 deadline = g_get_monotonic_time () + 100000;
      for (int done = 0; !done && g_get_monotonic_time () < deadline; comm_nap (1000))
        MPI_Testall (n, reqs, &done, MPI_STATUSES_IGNORE);
      return;
    }
  int bye = 0, done = 0;
  MPI_Request req;
  MPI_Irecv (&bye, 1, MPI_INT, 0, TAG_BYE, meet_comm, &req);
  gint64 deadline = g_get_monotonic_time () + LINGER_US;
  while (!done && g_get_monotonic_time () < deadline)
    {
      MPI_Test (&req, &done, MPI_STATUS_IGNORE);
      if (!done)
        comm_nap (1000);
    }
}

/* Rank 0 after a signal: over TCP, Open MPI may not come back from a call
 * once a rank is lost (it keeps trying to connect), so nothing would say
 * why the rank ended.  If the process is still running WATCHDOG_US after
 * the signal (mpirun's SIGKILL follows in a second), this thread says so,
 * removes the temporary files and ends it. */
#define WATCHDOG_US 700000

static gpointer
comm_watchdog (gpointer data)
{
  while (sem_wait (&comm_alarm) != 0)
    ;
  comm_nap (WATCHDOG_US);
  if (g_atomic_int_get (&comm_exiting))
    return NULL;
  static const char msg[] = "darkpipe: interrupted, and MPI did not return within 0.7 s: a rank was lost (mpirun's "
                            "message says which); no output of an unfinished stage was written\n";
  if (write (STDERR_FILENO, msg, sizeof msg - 1) < 0)
    {
      /* no standard error: nothing else to tell */
    }
  dp_output_sweep_temporaries ();
  _exit (1);
}

static void
comm_finalize (void)
{
  g_atomic_int_set (&comm_exiting, 1);
#ifdef __SANITIZE_ADDRESS__
  /* LeakSanitizer looks now, while Open MPI's threads wait: at exit,
   * after MPI_Finalize, some of them are still ending, and its tracer
   * thread may crash on one ("Tracer caught signal 11") */
  __lsan_do_leak_check ();
#endif
  int done = 0;
  MPI_Finalized (&done);
  /* after an interrupted wait a finalize would wait for the ranks that
   * did not come */
  if (comm_broken)
    comm_part ();
  else if (!done)
    MPI_Finalize ();
}

/* MPI counts are ints: a larger message is a bug of the caller's sizing. */
static int
comm_count (gsize n)
{
  if (n > G_MAXINT)
    {
      char msg[96];
      g_snprintf (msg, sizeof msg, "a message of %" G_GSIZE_FORMAT " bytes is larger than MPI can send at once", n);
      dp_comm_abort (&world, msg);
    }
  return (int) n;
}

static void
comm_nap (gint64 us)
{
  struct timespec ts = { 0, (long) us * 1000 };
  nanosleep (&ts, NULL);
}

typedef enum { POLL_DONE, POLL_INTERRUPTED, POLL_FAILED } Poll;

/* Polls @req until it completes, until an interruption when @stop_early,
 * or until MPI reports an error (a rank lost: a TCP connection broke).
 * With @naps it sleeps between polls after the first SPIN_US, else only
 * once interrupted. */
static Poll
comm_poll (MPI_Request *req, gboolean stop_early, gboolean naps)
{
  gint64 t0 = g_get_monotonic_time ();
  for (;;)
    {
      int done = 0;
      if (MPI_Test (req, &done, MPI_STATUS_IGNORE) != MPI_SUCCESS)
        return POLL_FAILED;
      if (done)
        return POLL_DONE;
      if (stop_early && comm_interrupted)
        return POLL_INTERRUPTED;
      gint64 waited = g_get_monotonic_time () - t0;
      if ((naps || comm_interrupted) && waited >= SPIN_US)
        comm_nap (CLAMP (waited / 8, NAP_MIN_US, NAP_MAX_US));
    }
}

/* This rank's wait was interrupted: it tells rank 0, once, which then
 * names the ranks that did not (dead ones). */
static void
comm_say_leaving (const DpComm *c)
{
  /* static: the send may still read them when the process ends */
  static gboolean said;
  static int note = 1;
  static MPI_Request req;
  if (said || c->rank == 0)
    return;
  said = TRUE;
  MPI_Isend (&note, 1, MPI_INT, 0, TAG_LEAVING, meet_comm, &req);
}

/* Rank 0's wait was interrupted: the ranks that do not say within
 * GRACE_US that they leave too are the ones it waited for (once). */
static void
comm_note_missing (const DpComm *c)
{
  if (comm_missing)
    return;
  comm_missing = g_array_new (FALSE, FALSE, sizeof (guint));
  gboolean *left = comm_left = g_new0 (gboolean, c->size);
  guint n_left = 0;
  gint64 deadline = g_get_monotonic_time () + GRACE_US;
  while (n_left + 1 < c->size && g_get_monotonic_time () < deadline)
    {
      int flag = 0, note = 0;
      MPI_Status st;
      MPI_Iprobe (MPI_ANY_SOURCE, TAG_LEAVING, meet_comm, &flag, &st);
      if (!flag)
        {
          comm_nap (1000);
          continue;
        }
      MPI_Recv (&note, 1, MPI_INT, st.MPI_SOURCE, TAG_LEAVING, meet_comm, MPI_STATUS_IGNORE);
      if (st.MPI_SOURCE > 0 && (guint) st.MPI_SOURCE < c->size && !left[st.MPI_SOURCE])
        {
          left[st.MPI_SOURCE] = TRUE;
          n_left++;
        }
    }
  for (guint r = 1; r < c->size; r++)
    if (!left[r])
      g_array_append_val (comm_missing, r);
}

/* One barrier of the meeting, polled; after an interruption in it, FALSE,
 * or on through it while waits are not interruptible. */
static gboolean
comm_meet_once (const DpComm *c, gboolean naps)
{
  MPI_Request req;
  Poll p = MPI_Ibarrier (meet_comm, &req) == MPI_SUCCESS ? comm_poll (&req, TRUE, naps) : POLL_FAILED;
  if (p == POLL_DONE)
    return TRUE;
  /* MPI lost a rank: mpirun ends the job, its SIGTERM follows (a second
   * later); waiting for it lets the other ranks say they leave first */
  for (gint64 until = g_get_monotonic_time () + LOST_WAIT_US;
       p == POLL_FAILED && !comm_interrupted && g_get_monotonic_time () < until;)
    comm_nap (1000);
  if (c->rank == 0)
    comm_note_missing (c);
  else
    comm_say_leaving (c);
  if (comm_interruptible)
    return FALSE;
  /* a collective stage's step cannot end here (dp-comm.h): rank 0 says
   * whom it waits for, and every rank waits on until mpirun ends it, or
   * ends itself when MPI lost a rank */
  g_autofree char *who = c->rank == 0 ? dp_comm_waited_for (c) : NULL;
  if (who)
    fprintf (stderr, "darkpipe: interrupted while waiting for %s, which did not answer (when a rank ends, mpirun "
             "stops the others: its message says which and why)\n", who);
  if (p == POLL_FAILED)
    {
      comm_broken = TRUE;
      dp_output_sweep_temporaries ();
      exit (1);
    }
  return comm_poll (&req, FALSE, TRUE) == POLL_DONE;
}

/* Every rank at the same point before a collective (dp-comm.h,
 * "Waiting"): a barrier polled with sleeps, where the waiting is done,
 * then one polled at full speed, which a rank that died in the first
 * cannot have entered (it may have passed its part of the first before).
 * FALSE when interrupted (the comm is then broken). */
static gboolean
comm_meet (const DpComm *c)
{
  if (comm_broken)
    return FALSE;
  comm_stats.collectives++;
  gint64 t0 = g_get_monotonic_time ();
  gboolean ok = comm_meet_once (c, TRUE) && comm_meet_once (c, FALSE);
  comm_stats.wait_us += g_get_monotonic_time () - t0;
  if (!ok)
    comm_broken = TRUE;
  return ok;
}
#endif

const DpComm *
dp_comm_world (void)
{
  if (g_once_init_enter (&world_once))
    {
#ifdef HAVE_MPI
      if (dp_comm_launched ())
        {
          int provided = 0, rank = 0, size = 1;
          MPI_Init_thread (NULL, NULL, MPI_THREAD_FUNNELED, &provided);
          MPI_Comm_rank (MPI_COMM_WORLD, &rank);
          MPI_Comm_size (MPI_COMM_WORLD, &size);
          MPI_Comm_dup (MPI_COMM_WORLD, &meet_comm);
          /* a note to a rank that died is no reason to end this one */
          MPI_Comm_set_errhandler (meet_comm, MPI_ERRORS_RETURN);
          world.rank = (guint) rank;
          world.size = (guint) size;
          world.mpi = TRUE;
          atexit (comm_finalize);
          if (world.rank == 0 && world.size > 1 && sem_init (&comm_alarm, 0, 0) == 0)
            {
              comm_watched = TRUE;
              g_thread_unref (g_thread_new ("dp-watchdog", comm_watchdog, NULL));
            }
        }
#endif
      g_once_init_leave (&world_once, 1);
    }
  return &world;
}

/* The start of every collective under MPI: FALSE when the ranks did not
 * meet (interrupted). */
#ifdef HAVE_MPI
#define COMM_MEET(c) G_STMT_START { if (!comm_meet (c)) return FALSE; } G_STMT_END
#endif

gboolean
dp_comm_barrier (const DpComm *c)
{
#ifdef HAVE_MPI
  if (c->mpi)
    COMM_MEET (c);
#endif
  return TRUE;
}

gboolean
dp_comm_allgather_i64 (const DpComm *c, const gint64 *mine, guint n, gint64 *all)
{
#ifdef HAVE_MPI
  if (c->mpi)
    {
      COMM_MEET (c);
      MPI_Allgather (mine, (int) n, MPI_INT64_T, all, (int) n, MPI_INT64_T, MPI_COMM_WORLD);
      comm_stats.bytes_sent += (guint64) n * 8 * (c->size - 1);
      comm_stats.bytes_received += (guint64) n * 8 * (c->size - 1);
      return TRUE;
    }
#endif
  memcpy (all, mine, n * sizeof *all);
  return TRUE;
}

gboolean
dp_comm_allreduce_sum (const DpComm *c, guint64 *v, guint n)
{
#ifdef HAVE_MPI
  if (c->mpi && n > 0)
    {
      COMM_MEET (c);
      MPI_Allreduce (MPI_IN_PLACE, v, (int) n, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
      comm_stats.bytes_sent += (guint64) n * 8;
      comm_stats.bytes_received += (guint64) n * 8;
    }
#endif
  return TRUE;
}

gboolean
dp_comm_allreduce_sum_f32 (const DpComm *c, float *v, gsize n)
{
#ifdef HAVE_MPI
  if (c->mpi)
    {
      COMM_MEET (c);
      for (gsize at = 0; at < n;)
        {
          gsize piece = MIN (n - at, (gsize) 1 << 28);
          MPI_Allreduce (MPI_IN_PLACE, v + at, (int) piece, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
          at += piece;
        }
      comm_stats.bytes_sent += (guint64) n * 4;
      comm_stats.bytes_received += (guint64) n * 4;
    }
#endif
  return TRUE;
}

gboolean
dp_comm_alltoallv (const DpComm *c, GByteArray *const *send, GByteArray **recv)
{
#ifdef HAVE_MPI
  if (c->mpi)
    {
      COMM_MEET (c);
      guint n = c->size;
      g_autofree int *scount = g_new (int, n), *rcount = g_new (int, n);
      g_autofree int *sdispl = g_new (int, n), *rdispl = g_new (int, n);
      gsize stotal = 0, rtotal = 0;
      for (guint d = 0; d < n; d++)
        {
          scount[d] = comm_count (send[d]->len);
          sdispl[d] = comm_count (stotal);
          stotal += send[d]->len;
        }
      MPI_Alltoall (scount, 1, MPI_INT, rcount, 1, MPI_INT, MPI_COMM_WORLD);
      for (guint s = 0; s < n; s++)
        {
          rdispl[s] = comm_count (rtotal);
          rtotal += (gsize) rcount[s];
        }
      comm_count (stotal);
      comm_count (rtotal);
      g_autofree guint8 *sbuf = g_malloc (MAX (stotal, 1u)), *rbuf = g_malloc (MAX (rtotal, 1u));
      for (guint d = 0; d < n; d++)
        if (send[d]->len)
          memcpy (sbuf + sdispl[d], send[d]->data, send[d]->len);
      MPI_Alltoallv (sbuf, scount, sdispl, MPI_BYTE, rbuf, rcount, rdispl, MPI_BYTE, MPI_COMM_WORLD);
      for (guint s = 0; s < n; s++)
        {
          recv[s] = g_byte_array_sized_new ((guint) rcount[s]);
          g_byte_array_append (recv[s], rbuf + rdispl[s], (guint) rcount[s]);
        }
      comm_stats.bytes_sent += stotal - send[c->rank]->len;
      comm_stats.bytes_received += rtotal - (gsize) rcount[c->rank];
      return TRUE;
    }
#endif
  recv[0] = g_byte_array_sized_new (send[0]->len);
  g_byte_array_append (recv[0], send[0]->data, send[0]->len);
  return TRUE;
}

gboolean
dp_comm_gather (const DpComm *c, const void *data, gsize len, GByteArray **all)
{
#ifdef HAVE_MPI
  if (c->mpi)
    {
      COMM_MEET (c);
      guint n = c->size;
      int mine = comm_count (len);
      g_autofree int *counts = c->rank == 0 ? g_new (int, n) : NULL;
      g_autofree int *displ = c->rank == 0 ? g_new (int, n) : NULL;
      MPI_Gather (&mine, 1, MPI_INT, counts, 1, MPI_INT, 0, MPI_COMM_WORLD);
      g_autofree guint8 *buf = NULL;
      gsize total = 0;
      if (c->rank == 0)
        {
          for (guint s = 0; s < n; s++)
            {
              displ[s] = comm_count (total);
              total += (gsize) counts[s];
            }
          buf = g_malloc (MAX (total, 1u));
        }
      MPI_Gatherv (data, mine, MPI_BYTE, buf, counts, displ, MPI_BYTE, 0, MPI_COMM_WORLD);
      if (c->rank == 0)
        {
          for (guint s = 0; s < n; s++)
            {
              all[s] = g_byte_array_sized_new ((guint) counts[s]);
              g_byte_array_append (all[s], buf + displ[s], (guint) counts[s]);
            }
          comm_stats.bytes_received += total - len;
        }
      else
        comm_stats.bytes_sent += len;
      return TRUE;
    }
#endif
  all[0] = g_byte_array_sized_new ((guint) len);
  g_byte_array_append (all[0], data, (guint) len);
  return TRUE;
}

gboolean
dp_comm_bcast (const DpComm *c, guint8 **buf, gsize *len)
{
#ifdef HAVE_MPI
  if (c->mpi)
    {
      COMM_MEET (c);
      guint64 n = *len;
      MPI_Bcast (&n, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
      if (c->rank != 0)
        {
          *buf = g_malloc (MAX (n, 1u));
          *len = n;
          comm_stats.bytes_received += n;
        }
      else
        comm_stats.bytes_sent += n * (c->size - 1);
      MPI_Bcast (*buf, comm_count (n), MPI_BYTE, 0, MPI_COMM_WORLD);
    }
#endif
  return TRUE;
}

void
dp_comm_abort (const DpComm *c, const char *msg)
{
  fprintf (stderr, "darkpipe: rank %u: %s\n", c->rank, msg);
  fflush (stderr);
#ifdef HAVE_MPI
  if (c->mpi && !comm_broken)
    MPI_Abort (MPI_COMM_WORLD, 1);
#endif
  exit (1);
}
