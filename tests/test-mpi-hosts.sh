#!/bin/bash
# darkpipe across hosts (issue #15): four network namespaces stand for four
# hosts, joined by veth pairs to a bridge in a fifth; mpirun runs in the
# first and starts Open MPI's daemon on the others through a launch agent
# (plm_rsh_agent) that enters the host's namespace, with its own host name
# (a UTS namespace) and /etc/hosts (/etc/netns/NS/hosts, which `ip netns
# exec` mounts over /etc/hosts): no ssh.  The ranks talk over TCP only
# (btl tcp,self on the veth subnet; shared memory would pass between
# namespaces of one machine).  Then
#   1. the taxonomy on four hosts writes one process's three tables, byte
#      for byte, and --verbose and the JSON summary name the four hosts;
#   2. SIGKILL to the rank on the third host: mpirun exits non-zero and
#      names rank 2, rank 0 says it was interrupted (over TCP Open MPI may
#      not return to it, then its watchdog says so: docs/scale-out.md),
#      nothing is written.
# Needs root (namespaces, veths): skipped otherwise, or when the kernel or
# container does not allow network namespaces (a failure where CI sets
# DP_REQUIRE_NETNS=1).  Every namespace, link and file is removed on every
# way out (trap).
set -u
. "${DP_TOP_SRCDIR:?}/tests/mpi-env.sh"
skip_netns () {
  if [ "${DP_REQUIRE_NETNS:-0}" = 1 ]; then echo "Bail out! $1 (DP_REQUIRE_NETNS=1)"; exit 1; fi
  echo "1..0 # SKIP $1"; exit 0
}
[ "$(id -u)" = 0 ] || skip_netns "not root: network namespaces and veth pairs need root"
command -v ip >/dev/null && command -v unshare >/dev/null || skip_netns "no ip (iproute2) or unshare (util-linux)"

P=dpmh$$                       # namespaces $P-h0..3 and $P-br, links $P-v0..3
HOSTS=(dpnode0 dpnode1 dpnode2 dpnode3)
NET=10.201.77
tmp=$(mktemp -d)
mp=
made_etc_netns=0
[ -d /etc/netns ] || made_etc_netns=1
cleanup () {
  [ -n "$mp" ] && kill -KILL "$mp" 2>/dev/null
  for ns in $(ip netns list 2>/dev/null | awk -v p="$P-" 'index ($1, p) == 1 {print $1}'); do
    pids=$(ip netns pids "$ns" 2>/dev/null)
    [ -n "$pids" ] && kill -KILL $pids 2>/dev/null
    ip netns del "$ns" 2>/dev/null
  done
  rm -rf /etc/netns/"$P"-* "$tmp"
  [ "$made_etc_netns" = 1 ] && rmdir /etc/netns 2>/dev/null
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

ip netns add "$P-br" 2>/dev/null || skip_netns "cannot create a network namespace here (ip netns add)"
ip netns exec "$P-br" ip link add br0 type bridge && ip netns exec "$P-br" ip link set br0 up \
  || { echo "Bail out! cannot make the bridge"; exit 1; }
for i in 0 1 2 3; do
  ns=$P-h$i
  mkdir -p "/etc/netns/$ns"
  { echo "127.0.0.1 localhost"; for j in 0 1 2 3; do echo "$NET.$((j + 1)) ${HOSTS[$j]}"; done; } >"/etc/netns/$ns/hosts"
  ip netns add "$ns" && ip link add "$P-v$i" type veth peer name eth0 netns "$ns" \
    && ip link set "$P-v$i" netns "$P-br" && ip netns exec "$P-br" ip link set "$P-v$i" master br0 up \
    && ip netns exec "$ns" ip addr add "$NET.$((i + 1))/24" dev eth0 \
    && ip netns exec "$ns" ip link set eth0 up && ip netns exec "$ns" ip link set lo up \
    || { echo "Bail out! cannot make host $i"; exit 1; }
done

cd "$tmp" || exit 1
# Open MPI's launch agent, called as `agent HOST COMMAND...` (as ssh is)
cat >agent <<SH
#!/bin/sh
host=\$1; shift
case \$host in dpnode[0-3]) ;; *) echo "agent: unknown host \$host" >&2; exit 1 ;; esac
exec ip netns exec "$P-h\${host#dpnode}" unshare --uts sh -c "hostname \$host && \$*"
SH
chmod +x agent
# runs mpirun on host 0 over the four hosts, one slot each (rank r on host r)
mpi4 () {
  ip netns exec "$P-h0" unshare --uts sh -c 'hostname dpnode0 && exec "$@"' sh \
    timeout 120 "$MPIRUN" --host dpnode0,dpnode1,dpnode2,dpnode3 -np 4 --tag-output \
    --mca plm_rsh_agent "$tmp/agent" --mca plm_rsh_no_tree_spawn 1 \
    --mca btl tcp,self --mca btl_tcp_if_include "$NET.0/24" --mca oob_tcp_if_include "$NET.0/24" \
    "$D" "$@"
}

echo "1..2"
fail=0
ok () { echo "ok $1 - $2"; }
bad () { echo "not ok $1 - $2"; fail=1; }

make_capture "$tmp/in" s.pcap 4
tax=(run "$S/pipelines/taxonomy.yaml" --set capture.path="$tmp/in/s.pcap" --set capture.batch_rows=1024)
$D "${tax[@]}" --output-dir "$tmp/one" 2>one.err || { cat one.err; echo "Bail out! one process failed"; exit 1; }

# 1. the taxonomy on four hosts
if mpi4 "${tax[@]}" --output-dir "$tmp/four" --verbose --summary-json "$tmp/four.json" >four.out 2>four.err; then
  same=1
  for f in sources.csv events.csv summary.csv; do
    cmp -s "one/$f" "four/$f" || { echo "# $f differs"; same=0; }
  done
  hosts=$(python3 -c 'import json, sys
r = json.load (open (sys.argv[1]))["per_rank"]
assert all (x["bytes_sent"] > 0 for x in r)
print (" ".join (x["host"] for x in r))' four.json)
  if [ "$same" = 1 ] && [ -s one/events.csv ] && [ "$hosts" = "${HOSTS[*]}" ] \
     && [ "$(grep -cE '^\[1,0\]<stderr>:[0-3] .* dpnode[0-3]$' four.err)" = 4 ]; then
    ok 1 "four hosts over TCP: one process's three tables, ranks on $hosts"
  else
    cat four.err; bad 1 "four hosts: tables differ or the hosts are not four ($hosts)"
  fi
else
  cat four.err; bad 1 "four hosts: the run failed"
fi

# 2. the rank on host 2 killed while the job waits for a FIFO on rank 0
mkfifo in/labels.fifo
cat >slow.yaml <<YAML
pipeline: slow
output_dir: $tmp/slow
stages:
  capture: {plugin: pcap, path: $tmp/in/s.pcap, batch_rows: 1024}
  copy: {plugin: csv, input: capture, path: packets.csv}
  truth: {plugin: labels, path: $tmp/in/labels.fifo}
  lab: {plugin: csv, input: truth, path: labels.csv}
YAML
mpi4 run slow.yaml >slow.out 2>slow.err 3>&- &
mp=$!
exec 3>in/labels.fifo
echo "ip,label" >&3
victim=
for _ in $(seq 1 300); do
  victim=$(for p in $(ip netns pids "$P-h2"); do
             tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx 'OMPI_COMM_WORLD_RANK=2' && echo "$p"
           done | head -1)
  [ -n "$victim" ] && compgen -G "slow/.packets.csv.tmp-*" >/dev/null && break
  sleep 0.1
done
sleep 1
[ -n "$victim" ] && kill -KILL "$victim"
exec 3>&-
for _ in $(seq 1 600); do kill -0 "$mp" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$mp" 2>/dev/null; then rc=timeout; else wait "$mp"; rc=$?; fi
mp=
if [ -n "$victim" ] && [ "$rc" != 0 ] && [ "$rc" != timeout ] \
   && grep -q '^\[1,0\]<stderr>:darkpipe: interrupted' slow.err && grep -q 'process rank 2 .*signal 9' slow.err \
   && [ -z "$(ls -A slow 2>/dev/null)" ]; then
  ok 2 "four hosts: a killed rank stops the job (status $rc), rank 0 says so, mpirun names it, nothing written"
else
  cat slow.err; ls -A slow; bad 2 "four hosts: killed rank: status $rc, message or leftovers wrong"
fi
exit $fail
