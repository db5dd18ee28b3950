# tests/mpi-env.sh — sourced by the MPI tests (tests/test-mpi*.sh): skips
# when darkpipe was configured without MPI or mpirun is missing (a failure
# where CI sets DP_REQUIRE_MPI=1), sets B, S, D and MPIRUN, and lets Open
# MPI run as root (CI runs as root: the OMPI_ALLOW_RUN_AS_ROOT pair is the
# same as mpirun --allow-run-as-root).
B=${DP_TOP_BUILDDIR:?}
S=${DP_TOP_SRCDIR:?}
D="$B/darkpipe"
skip () {
  if [ "${DP_REQUIRE_MPI:-0}" = 1 ]; then echo "Bail out! $1 (DP_REQUIRE_MPI=1)"; exit 1; fi
  echo "1..0 # SKIP $1"; exit 0
}
grep -q '^#define HAVE_MPI 1' "$B/config.h" || skip "darkpipe was configured without MPI (--with-mpi)"
MPIRUN=$(sed -n 's/^MPIRUN = //p' "$B/Makefile")
[ -n "$MPIRUN" ] || MPIRUN=$(command -v mpirun)
[ -n "$MPIRUN" ] || skip "no mpirun (apt-get install openmpi-bin)"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# make_capture DIR NAME SEED: DIR/NAME, 6 hours of a synthetic telescope,
# 30,000 packets (a Bail out! when it cannot be made)
make_capture () {
  cat >"$1.make.yaml" <<YAML
pipeline: make
output_dir: $1
stages:
  s: {plugin: synth_telescope, seed: $3, start: "2021-03-01T00:00:00Z", duration: 6h, packets: 30000}
  cap: {plugin: pcap_out, input: s, path: $2}
YAML
  "$D" run "$1.make.yaml" --quiet || { echo "Bail out! cannot make the capture $1/$2"; exit 1; }
}
# In the AddressSanitizer tree: Open MPI's own leaks are suppressed
# (tests/lsan-openmpi.supp), for which allocations' stacks are unwound in
# full: Open MPI and libc have no frame pointers, and the components Open
# MPI unloads at MPI_Finalize leave nameless frames; their callers in
# libmpi and libopen-pal keep the names
if grep -q -- '-fsanitize=address' "$B/Makefile" 2>/dev/null; then
  export LSAN_OPTIONS="suppressions=$S/tests/lsan-openmpi.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
  export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0"
fi
