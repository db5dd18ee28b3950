/* dp-comm.c — the communication layer: one process, or MPI under a
 * launcher (dp-comm.h says how that is decided). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef HAVE_MPI
#include <mpi.h>
#endif

#include "dp-comm.h"

static DpComm world = { 0, 1, FALSE };
static gsize world_once;

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
static void
comm_finalize (void)
{
  int done = 0;
  MPI_Finalized (&done);
  if (!done)
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
          world.rank = (guint) rank;
          world.size = (guint) size;
          world.mpi = TRUE;
          atexit (comm_finalize);
        }
#endif
      g_once_init_leave (&world_once, 1);
    }
  return &world;
}

void
dp_comm_barrier (const DpComm *c)
{
#ifdef HAVE_MPI
  if (c->mpi)
    MPI_Barrier (MPI_COMM_WORLD);
#endif
}

void
dp_comm_allgather_i64 (const DpComm *c, gint64 mine, gint64 *all)
{
#ifdef HAVE_MPI
  if (c->mpi)
    {
      MPI_Allgather (&mine, 1, MPI_INT64_T, all, 1, MPI_INT64_T, MPI_COMM_WORLD);
      return;
    }
#endif
  all[0] = mine;
}

void
dp_comm_allreduce_sum (const DpComm *c, guint64 *v, guint n)
{
#ifdef HAVE_MPI
  if (c->mpi && n > 0)
    MPI_Allreduce (MPI_IN_PLACE, v, (int) n, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
#endif
}

void
dp_comm_allreduce_sum_f32 (const DpComm *c, float *v, gsize n)
{
#ifdef HAVE_MPI
  if (c->mpi)
    for (gsize at = 0; at < n;)
      {
        gsize piece = MIN (n - at, (gsize) 1 << 28);
        MPI_Allreduce (MPI_IN_PLACE, v + at, (int) piece, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
        at += piece;
      }
#endif
}

void
dp_comm_alltoallv (const DpComm *c, GByteArray *const *send, GByteArray **recv)
{
#ifdef HAVE_MPI
  if (c->mpi)
    {
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
      return;
    }
#endif
  recv[0] = g_byte_array_sized_new (send[0]->len);
  g_byte_array_append (recv[0], send[0]->data, send[0]->len);
}

void
dp_comm_gather (const DpComm *c, const void *data, gsize len, GByteArray **all)
{
#ifdef HAVE_MPI
  if (c->mpi)
    {
      guint n = c->size;
      int mine = comm_count (len);
      g_autofree int *counts = c->rank == 0 ? g_new (int, n) : NULL;
      g_autofree int *displ = c->rank == 0 ? g_new (int, n) : NULL;
      MPI_Gather (&mine, 1, MPI_INT, counts, 1, MPI_INT, 0, MPI_COMM_WORLD);
      g_autofree guint8 *buf = NULL;
      if (c->rank == 0)
        {
          gsize total = 0;
          for (guint s = 0; s < n; s++)
            {
              displ[s] = comm_count (total);
              total += (gsize) counts[s];
            }
          buf = g_malloc (MAX (total, 1u));
        }
      MPI_Gatherv (data, mine, MPI_BYTE, buf, counts, displ, MPI_BYTE, 0, MPI_COMM_WORLD);
      if (c->rank == 0)
        for (guint s = 0; s < n; s++)
          {
            all[s] = g_byte_array_sized_new ((guint) counts[s]);
            g_byte_array_append (all[s], buf + displ[s], (guint) counts[s]);
          }
      return;
    }
#endif
  all[0] = g_byte_array_sized_new ((guint) len);
  g_byte_array_append (all[0], data, (guint) len);
}

void
dp_comm_bcast (const DpComm *c, guint8 **buf, gsize *len)
{
#ifdef HAVE_MPI
  if (c->mpi)
    {
      guint64 n = *len;
      MPI_Bcast (&n, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
      if (c->rank != 0)
        {
          *buf = g_malloc (MAX (n, 1u));
          *len = n;
        }
      MPI_Bcast (*buf, comm_count (n), MPI_BYTE, 0, MPI_COMM_WORLD);
    }
#endif
}

void
dp_comm_abort (const DpComm *c, const char *msg)
{
  fprintf (stderr, "darkpipe: rank %u: %s\n", c->rank, msg);
  fflush (stderr);
#ifdef HAVE_MPI
  if (c->mpi)
    MPI_Abort (MPI_COMM_WORLD, 1);
#endif
  exit (1);
}
