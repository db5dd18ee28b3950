/* dp-comm.h — how the ranks of one job talk: the communication layer of
 * the core (not installed; plugins ask their stage, dp_stage_rank and
 * dp_stage_n_ranks, and never talk to other ranks themselves).
 *
 * Two implementations behind one interface (dp-comm.c): one process (rank
 * 0 of 1: every collective is a copy or nothing), and MPI, compiled only
 * when configure found it and used only when the process was started by a
 * launcher.  Whether it was is decided from the environment, before any
 * MPI call: Open MPI's mpirun sets OMPI_COMM_WORLD_SIZE, PMI-1/2 and PMIx
 * launchers (MPICH's hydra, Slurm's srun) set PMI_SIZE or PMIX_RANK.
 * Without one of them darkpipe never calls MPI_Init: no start-up cost and
 * no message from the MPI library.
 *
 * MPI is one per process, so this state is the process's (the rest of the
 * core keeps none): the first dp_comm_world() decides and initialises it,
 * MPI_Finalize runs at exit.  Collectives are called by every rank in the
 * same order, from the thread that first called dp_comm_world()
 * (MPI_THREAD_FUNNELED). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  guint rank;
  guint size;
  gboolean mpi;      /* MPI was initialised (size may still be 1) */
} DpComm;

/** The job's communicator: decided and initialised on the first call
 * (from the environment, see above), then the same; never NULL. */
const DpComm *dp_comm_world (void);
/** TRUE when the environment says a launcher started this process. */
gboolean dp_comm_launched (void);

void dp_comm_barrier (const DpComm *c);
/** Every rank's @mine into @all (c->size values), in rank order. */
void dp_comm_allgather_i64 (const DpComm *c, gint64 mine, gint64 *all);
/** Sums @n counters of every rank into each rank's @v. */
void dp_comm_allreduce_sum (const DpComm *c, guint64 *v, guint n);
/** Sums @n floats of every rank into each rank's @v (any @n: sent in
 * pieces MPI can count). */
void dp_comm_allreduce_sum_f32 (const DpComm *c, float *v, gsize n);
/** Each rank sends send[d] to rank d and gets recv[s] from rank s (both
 * arrays of c->size; recv's byte arrays are created, owned by the caller).
 * The sizes are exchanged first, so the buffers may differ in size. */
void dp_comm_alltoallv (const DpComm *c, GByteArray *const *send, GByteArray **recv);
/** Rank 0 gets every rank's @len bytes at @data in @all (c->size arrays,
 * created, owned by the caller); other ranks' @all is left alone. */
void dp_comm_gather (const DpComm *c, const void *data, gsize len, GByteArray **all);
/** Rank 0's @buf (*@len bytes) to every rank: *@buf and *@len replaced on
 * the others (*@buf then owned by the caller, g_free). */
void dp_comm_bcast (const DpComm *c, guint8 **buf, gsize *len);
/** Ends every rank of the job now with exit status 1, after writing
 * "darkpipe: rank R: @msg" to stderr: for a failure the ranks cannot
 * agree on any more.  In one process: the message and exit (1). */
G_GNUC_NORETURN void dp_comm_abort (const DpComm *c, const char *msg);

G_END_DECLS
