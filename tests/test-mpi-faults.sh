#!/bin/bash
# darkpipe under MPI when a rank dies or the job is interrupted (issue #15,
# docs/scale-out.md "Faults"): 4 ranks run a pipeline whose rank-0 source
# reads a FIFO this test holds open, so the job stands still at a known
# point (rank 0 blocked in the read, ranks 1-3 waiting for it, rank 0's
# packet copy half-written under its temporary name).  Then
#   1. the waiting ranks sleep: each uses under 5% of a core (polling MPI
#      would use all of it), and the job completes once the FIFO ends;
#   2. SIGKILL to rank 2: mpirun exits non-zero, rank 0's own stderr names
#      rank 2 as the rank it waited for, the output directory stays empty
#      (no output, no temporary file);
#   3. SIGINT to mpirun (Ctrl-C): Open MPI's mpirun sends every rank SIGTERM
#      (SIGKILL a second later) and exits 1; every rank is gone, rank 0 says
#      it was interrupted, nothing is left in the output directory;
#   4. SIGINT to every rank (a launcher that forwards it): every rank stops,
#      mpirun passes on their status 130, nothing is left;
#   5. SIGTERM to rank 0 and SIGKILL 50 ms later: no temporary file left.
set -u
. "${DP_TOP_SRCDIR:?}/tests/mpi-env.sh"
export OMPI_MCA_btl=self,vader OMPI_MCA_btl_vader_single_copy_mechanism=none
# Open MPI's blocking calls yield the core when there are more ranks than
# cores: not here, so that a rank that polls shows as one (test 1)
export OMPI_MCA_mpi_yield_when_idle=0
tmp=$(mktemp -d)
mp=
cleanup () {
  exec 3>&- 2>/dev/null
  [ -n "$mp" ] && kill -KILL "$mp" "${ranks[@]}" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
cd "$tmp" || exit 1
echo "1..5"
fail=0
ok () { echo "ok $1 - $2"; }
bad () { echo "not ok $1 - $2"; fail=1; }

make_capture "$tmp/in" s.pcap 4
mkfifo in/labels.fifo || { echo "Bail out! mkfifo"; exit 1; }
cat > slow.yaml <<YAML
pipeline: slow
output_dir: $tmp/out
stages:
  capture: {plugin: pcap, path: $tmp/in/s.pcap, batch_rows: 1024}
  copy: {plugin: csv, input: capture, path: packets.csv}
  tax: {plugin: taxonomy, input: capture}
  sources: {plugin: csv, input: tax.sources, path: sources.csv}
  truth: {plugin: labels, path: $tmp/in/labels.fifo}
  lab: {plugin: csv, input: truth, path: labels.csv}
YAML

# starts the job in the background (mpirun's pid in $mp, its stderr tagged
# by rank in run.err), opens the FIFO as fd 3 and waits until the job
# stands still: four ranks, the packet copy's temporary file in out/
pids= ranks=()
start () {
  rm -rf out run.err
  "$MPIRUN" --oversubscribe --tag-output -np 4 "$D" run slow.yaml >run.out 2>run.err 3>&- &
  mp=$!
  exec 3>in/labels.fifo
  echo "ip,label" >&3
  ranks=()
  for _ in $(seq 1 300); do
    ranks=()
    for p in $(pgrep -P "$mp"); do
      r=$(tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | sed -n 's/^OMPI_COMM_WORLD_RANK=//p')
      [ -n "$r" ] && ranks[$r]=$p
    done
    [ "${#ranks[@]}" = 4 ] && compgen -G "out/.packets.csv.tmp-*" >/dev/null && break
    sleep 0.1
  done
  [ "${#ranks[@]}" = 4 ] || { cat run.err; echo "Bail out! the job did not start"; exit 1; }
  sleep 1
}
# waits for mpirun (60 s at most); its status in $rc
finish () {
  for _ in $(seq 1 600); do kill -0 "$mp" 2>/dev/null || break; sleep 0.1; done
  exec 3>&-
  if kill -0 "$mp" 2>/dev/null; then
    kill -KILL "$mp" "${ranks[@]}" 2>/dev/null; wait "$mp" 2>/dev/null; rc=timeout
  else
    wait "$mp"; rc=$?
  fi
  mp=
}
cpu_ticks () { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
# the ranks ended (5 s at most after mpirun: a process killed may take a
# moment to go, more under AddressSanitizer)
gone () {
  for _ in $(seq 1 50); do
    local left=0
    for p in "$@"; do [ -d "/proc/$p" ] && ! grep -q '^State:.*Z' "/proc/$p/status" 2>/dev/null && left=1; done
    [ "$left" = 0 ] && return 0
    sleep 0.1
  done
  return 1
}
rank0 () { grep '^\[1,0\]<stderr>:darkpipe: ' run.err; }

# 1. waiting ranks sleep: CPU time of ranks 1-3 over 3 s (clock ticks of
# 1/100 s): under 5% of a core each (a rank that polls uses all of it, or
# its share of the cores when there are fewer)
start
a=(); for r in 1 2 3; do a[$r]=$(cpu_ticks "${ranks[$r]}"); done
sleep 3
worst=0
for r in 1 2 3; do d=$(( $(cpu_ticks "${ranks[$r]}") - a[r] )); [ "$d" -gt "$worst" ] && worst=$d; done
pct=$(( (worst + 2) / 3 ))
echo "1.2.3.4,scanner" >&3
exec 3>&-
finish
if [ "$worst" -lt 15 ] && [ "$rc" = 0 ] && [ -s out/labels.csv ] && [ -s out/packets.csv ]; then
  ok 1 "waiting ranks sleep (the busiest used $pct% of a core), the job completes"
else
  cat run.err; bad 1 "waiting ranks: $pct% of a core, or the job failed (status $rc)"
fi

# 2. a rank killed
start
kill -KILL "${ranks[2]}"
exec 3>&-
finish
if [ "$rc" != 0 ] && [ "$rc" != timeout ] && rank0 | grep -q 'interrupted while waiting for rank 2 of 4' \
   && grep -q 'rank 2 .*signal 9' run.err && [ -z "$(ls -A out)" ]; then
  ok 2 "a killed rank: mpirun exits $rc, rank 0 names rank 2, no output nor temporary file"
else
  cat run.err; ls -A out; bad 2 "a killed rank: status $rc, message or leftovers wrong"
fi

# 3. SIGINT to mpirun; the FIFO stays open until the job ended
start
kill -INT "$mp"
finish
if [ "$rc" = 1 ] && gone "${ranks[@]}" && rank0 | grep -q 'interrupted' && [ -z "$(ls -A out)" ]; then
  ok 3 "SIGINT to mpirun: every rank stopped, mpirun exits 1 (Open MPI's status), nothing written"
else
  cat run.err; ls -A out; bad 3 "SIGINT to mpirun: status $rc, ranks left or output written"
fi

# 4. SIGINT to every rank
start
kill -INT "${ranks[@]}"
exec 3>&-
finish
if [ "$rc" = 130 ] && gone "${ranks[@]}" && rank0 | grep -q 'interrupted' && [ -z "$(ls -A out)" ]; then
  ok 4 "SIGINT to the ranks: every rank stopped, exit status 130, nothing written"
else
  cat run.err; ls -A out; bad 4 "SIGINT to the ranks: status $rc, ranks left or output written"
fi
# 5. rank 0 killed 50 ms after its SIGTERM (mpirun kills the ranks left at
# once when the others exited first): the temporary file is gone already
# (the signal handler unlinks it, dp_output_sweep_temporaries)
start
kill -TERM "${ranks[0]}"
sleep 0.05
kill -KILL "${ranks[0]}"
exec 3>&-
finish
if [ "$rc" != 0 ] && [ "$rc" != timeout ] && [ -z "$(ls -A out)" ]; then
  ok 5 "rank 0 killed right after SIGTERM: no temporary file left"
else
  cat run.err; ls -A out; bad 5 "rank 0 killed right after SIGTERM: status $rc, leftovers"
fi
exit $fail
