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
 * (MPI_THREAD_FUNNELED).
 *
 * Waiting: Open MPI's blocking calls poll at full speed until the other
 * ranks arrive (it has no blocking progress for shared memory or TCP;
 * mpi_yield_when_idle only adds sched_yield, the rank still runs at 100%
 * CPU).  So every collective first meets the other ranks at rank 0 with
 * small non-blocking messages, polled for a short while and then with
 * sleeps that grow to a fraction of a millisecond: a rank that waits for
 * seconds uses about 1% of a core.  The data moves once every rank is
 * there, by the ordinary blocking collective.  Rank 0 knows which ranks it
 * is waiting for, and a signal (dp_comm_interrupt) ends the wait.
 *
 * The collectives return FALSE only after an interruption: the wait ended
 * before the other ranks arrived, the outputs are unset, and every later
 * collective returns FALSE at once (the job is ending: MPI is left alone
 * and not finalised).  While dp_comm_set_interruptible (FALSE) holds (a
 * plugin's collective stage, which cannot be handed half a collective),
 * waits go on through signals. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  guint rank;
  guint size;
  gboolean mpi;      /* MPI was initialised (size may still be 1) */
} DpComm;

/* What this process's collectives moved and waited (dp_comm_stats). */
typedef struct {
  guint64 bytes_sent, bytes_received;  /* payload to and from other ranks */
  guint64 collectives;
  gint64 wait_us;                      /* waiting for the other ranks to arrive */
} DpCommStats;

/** The job's communicator: decided and initialised on the first call
 * (from the environment, see above), then the same; never NULL. */
const DpComm *dp_comm_world (void);
/** TRUE when the environment says a launcher started this process. */
gboolean dp_comm_launched (void);

gboolean dp_comm_barrier (const DpComm *c);
/** Every rank's @mine (@n values) into @all (c->size * @n values), in rank
 * order. */
gboolean dp_comm_allgather_i64 (const DpComm *c, const gint64 *mine, guint n, gint64 *all);
/** Sums @n counters of every rank into each rank's @v. */
gboolean dp_comm_allreduce_sum (const DpComm *c, guint64 *v, guint n);
/** Sums @n floats of every rank into each rank's @v (any @n: sent in
 * pieces MPI can count). */
gboolean dp_comm_allreduce_sum_f32 (const DpComm *c, float *v, gsize n);
/** Each rank sends send[d] to rank d and gets recv[s] from rank s (both
 * arrays of c->size; recv's byte arrays are created, owned by the caller;
 * left NULL after an interruption).  The sizes are exchanged first, so the
 * buffers may differ in size. */
gboolean dp_comm_alltoallv (const DpComm *c, GByteArray *const *send, GByteArray **recv);
/** Rank 0 gets every rank's @len bytes at @data in @all (c->size arrays,
 * created, owned by the caller); other ranks' @all is left alone, and so
 * is rank 0's after an interruption. */
gboolean dp_comm_gather (const DpComm *c, const void *data, gsize len, GByteArray **all);
/** Rank 0's @buf (*@len bytes) to every rank: *@buf and *@len replaced on
 * the others (*@buf then owned by the caller, g_free). */
gboolean dp_comm_bcast (const DpComm *c, guint8 **buf, gsize *len);
/** Ends every rank of the job now with exit status 1, after writing
 * "darkpipe: rank R: @msg" to stderr: for a failure the ranks cannot
 * agree on any more.  In one process: the message and exit (1). */
G_GNUC_NORETURN void dp_comm_abort (const DpComm *c, const char *msg);

/** Ends the current and every later wait for other ranks (see above).
 * Only sets a flag: async-signal-safe, any thread. */
void dp_comm_interrupt (void);
/** TRUE once dp_comm_interrupt was called (a blocking read may then give
 * up too). */
gboolean dp_comm_interrupted (void);
/** TRUE once a wait was interrupted: the collectives return FALSE. */
gboolean dp_comm_broken (void);
/** Whether a signal may end a wait (default TRUE); see above. */
void dp_comm_set_interruptible (gboolean interruptible);
/** (transfer full) After an interruption on rank 0: which ranks it was
 * waiting for ("rank 2 of 4", "ranks 1, 3 of 4"), else NULL. */
char *dp_comm_waited_for (const DpComm *c);
/** This process's figures so far (zero in one process). */
void dp_comm_stats (DpCommStats *out);

G_END_DECLS
