#!/bin/bash
# darkpipe under MPI (issue #15): `mpirun -np N darkpipe run` of the
# taxonomy writes the same three tables, byte for byte, as one process,
# for 1 to 4 ranks, on a capture whose second half overlaps the first in
# time (so that one process drops packets as late, and the ranks must drop
# the same ones); a rank that fails on its share of the input fails the
# job with its message on rank 0's stderr and no output; a pipeline with a
# stage that cannot run across ranks is refused, naming the stage.
# (tests/mpi-env.sh: the skip, and Open MPI as root); --oversubscribe lets
# 4 ranks share fewer cores.
set -u
. "${DP_TOP_SRCDIR:?}/tests/mpi-env.sh"
# no network interface probing beyond loopback, quiet about missing hardware
export OMPI_MCA_btl=self,vader OMPI_MCA_btl_vader_single_copy_mechanism=none
run_np () { local n=$1; shift; timeout 300 "$MPIRUN" --oversubscribe -np "$n" "$D" "$@"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
echo "1..11"
fail=0
ok () { echo "ok $1 - $2"; }
bad () { echo "not ok $1 - $2"; fail=1; }

make_capture "$tmp/in" s4.pcap 4
make_capture "$tmp/in" s5.pcap 5
# the second capture's records after the first's: the same hours again
{ cat in/s4.pcap; tail -c +25 in/s5.pcap; } > in/both.pcap
tax=(run "$S/pipelines/taxonomy.yaml" --set capture.path=in/both.pcap --set capture.batch_rows=1024)
$D "${tax[@]}" --output-dir one --summary-json one.json 2>one.err || { cat one.err; echo "Bail out! one process failed"; exit 1; }
grep -q late-dropped one.err || { cat one.err; echo "Bail out! the capture has no late packets"; exit 1; }

t=1
for n in 1 2 3 4; do
  if run_np "$n" "${tax[@]}" --output-dir "np$n" --summary-json "np$n.json" --verbose >"np$n.out" 2>"np$n.err"; then
    same=1
    for f in sources.csv events.csv summary.csv; do
      cmp -s "one/$f" "np$n/$f" || { echo "# np $n: $f differs"; same=0; }
    done
    [ -s one/events.csv ] && [ "$same" = 1 ] && ok $t "$n ranks: the three tables are byte-identical to one process" \
      || bad $t "$n ranks: tables differ"
  else
    cat "np$n.err"; bad $t "$n ranks: the run failed"
  fi
  t=$((t + 1))
done

# the summary is the job's: one table (rank 0's), with the whole input's figures
late1=$(sed -n 's/^ *late-dropped: //p' one.err)
late4=$(sed -n 's/^ *late-dropped: //p' np4.err)
cap1=$(awk '$1 == "capture" {print $4}' one.err)
cap4=$(awk '$1 == "capture" {print $4}' np4.err)
if [ "$(grep -c '^stage ' np4.err)" = 1 ] && [ -n "$late1" ] && [ "$late1" = "$late4" ] && [ "$cap1" = "$cap4" ]; then
  ok $t "4 ranks: one summary, with the whole job's packets ($cap4) and late drops ($late4)"
else
  cat np4.err; bad $t "4 ranks: the summary is not the job's (late $late1 vs $late4, packets $cap1 vs $cap4)"
fi
t=$((t + 1))

# the JSON summary (--summary-json) and --verbose: each rank's figures; the
# ranks' packets read add up to one process's, what they routed out to
# what they routed in, the exchange's bytes a packet read are its bytes
# over them, and the summary line and the table say the same
if python3 - one.json np3.json np3.err <<'PY'
import json, re, sys
one, job = (json.load (open (f)) for f in sys.argv[1:3])
err = open (sys.argv[3]).read ()
def cap (s): return next (x for x in s["stages"] if x["plugin"] == "pcap")["rows_out"]
ranks = job["per_rank"]
assert job["ok"] and job["error"] is None and job["ranks"] == 3 and job["figures"] == "job", "header"
assert [r["rank"] for r in ranks] == [0, 1, 2], "ranks"
read = [r["packets_read"] for r in ranks]
assert min (read) > 0 and sum (read) == cap (one) == cap (job), ("packets", read, cap (one))
assert sum (r["routed_out"] for r in ranks) == sum (r["routed_in"] for r in ranks) > 0, "routed"
ex = job["exchange"]
assert ex["bytes"] == sum (r["exchange_bytes"] for r in ranks) > 0 and ex["packets_read"] == sum (read), "exchange"
assert abs (ex["bytes_per_packet"] - ex["bytes"] / ex["packets_read"]) < 0.001, "bytes a packet"
for r in ranks:
    assert r["bytes_sent"] >= r["exchange_bytes"] and r["seconds"] >= r["wait_seconds"] >= 0 and r["peak_mb"] > 0, r
assert one["ranks"] == 1 and one["per_rank"][0]["packets_read"] == cap (one) and one["exchange"]["bytes"] == 0, "one"
line = re.search (r"^ranks: 3;.* ([0-9.]+) bytes a packet read$", err, re.M)
assert line and abs (float (line.group (1)) - ex["bytes_per_packet"]) < 0.06, "summary line"
rows = re.findall (r"^([0-2]) +([0-9]+) +([0-9]+) +([0-9]+) ", err, re.M)
assert [(int (a), int (b)) for a, b, _, _ in rows] == [(r["rank"], r["packets_read"]) for r in ranks], rows
print ("# %d packets read by the ranks (%s), %.1f bytes a packet exchanged" % (sum (read), read, ex["bytes_per_packet"]))
PY
then
  ok $t "3 ranks: the JSON summary's and --verbose's per-rank figures add up to the job's"
else
  bad $t "3 ranks: the per-rank figures are wrong"
fi
t=$((t + 1))

# a bad record in rank 1's block (records 1024-2047) with on_error: fail
command -v python3 >/dev/null || { echo "Bail out! python3 is needed to damage a record"; exit 1; }
cp in/both.pcap in/bad.pcap
python3 - in/bad.pcap <<'PY' || { echo "Bail out! cannot damage the capture"; exit 1; }
import struct, sys
f = open(sys.argv[1], "r+b"); data = f.read()
off, rec = 24, 0
while rec < 1500:
    caplen = struct.unpack_from("<I", data, off + 8)[0]
    if rec == 1500 - 1:
        f.seek(off + 16); f.write(b"\x41")     # raw IP (link type 101): IPv4 with a 4-byte header
    off += 16 + caplen; rec += 1
PY
cat > fail.yaml <<YAML
pipeline: fail
output_dir: $tmp/failed
stages:
  capture: {plugin: pcap, path: in/bad.pcap, batch_rows: 1024, on_error: fail}
  tax: {plugin: taxonomy, input: capture}
  sources: {plugin: csv, input: tax.sources, path: sources.csv}
YAML
if run_np 2 run fail.yaml --summary-json fail.json >fail.out 2>fail.err; then
  bad $t "a failing rank: the job succeeded"
elif grep -q 'darkpipe: error: rank 1 of 2: .*bad.pcap' fail.err && [ ! -e failed/sources.csv ] \
     && [ -z "$(ls -A failed 2>/dev/null)" ] \
     && python3 -c 'import json, sys; j = json.load (open ("fail.json")); sys.exit (j["ok"] or "rank 1 of 2" not in j["error"])'; then
  ok $t "a failing rank: non-zero exit, rank 1's message (also in the JSON summary), no output"
else
  cat fail.err; ls -la failed 2>/dev/null; bad $t "a failing rank: message or output wrong"
fi
t=$((t + 1))

# continued training is refused under MPI, by name, before any data
cat > refuse.yaml <<YAML
pipeline: refuse
output_dir: $tmp/refused
stages:
  capture: {plugin: pcap, path: in/both.pcap}
  corpus: {plugin: darkvec_corpus, input: capture}
  w2v: {plugin: word2vec, input: corpus, model_dir: model}
  out: {plugin: w2v, input: w2v, path: v.txt}
YAML
if run_np 2 run refuse.yaml >refuse.out 2>refuse.err; then
  bad $t "continued training ran under MPI"
elif grep -q "model_dir.*does not run under MPI yet" refuse.err && [ ! -e refused/v.txt ]; then
  ok $t "continued training is refused by name"
else
  cat refuse.err; bad $t "refusal message wrong"
fi
t=$((t + 1))

# DarkVec: the corpus is one process's, sentence for sentence, with 2 to 4
# ranks (rank 0 gets every packet in one process's order); word2vec trains
# data-parallel, averaging the ranks' models every sync_words tokens a
# rank: the same vocabulary, the same vectors again for the same seed and
# rank count, the number of averagings that period gives, and a 7-NN
# accuracy within 0.01 of one process's (bench/mpi-darkvec's goal).  The
# run is a demo telescope of 400,000 packets trained at alpha 0.05: with
# averaging N models learn about as one process at alpha / N
# (docs/scale-out.md), which a run this short would show at 0.025
cat > tel.yaml <<YAML
pipeline: tel
output_dir: $tmp/tel
stages:
  s: {plugin: synth_telescope, seed: 1, duration: 2d, packets: 400000}
  cap: {plugin: pcap_out, input: s, path: tel.pcap}
  gt: {plugin: csv, input: s.ground_truth, path: truth.csv}
YAML
$D run tel.yaml --quiet || { echo "Bail out! cannot make the telescope"; exit 1; }
cat > dv.yaml <<YAML
pipeline: dv
output_dir: $tmp/dv
stages:
  capture: {plugin: pcap, path: $tmp/tel/tel.pcap, batch_rows: 4096}
  corpus: {plugin: darkvec_corpus, input: capture, languages: services, min_packets: 10, text_path: corpus.txt}
  w2v: {plugin: word2vec, input: corpus, sg: true, vector_size: 24, window: 10, min_count: 10, sample: 0,
        epochs: 5, alpha: 0.05, seed: 7, saturation: skip, sync_words: 20000}
  vectors: {plugin: w2v, input: w2v, path: vectors.txt}
  truth: {plugin: labels, path: $tmp/tel/truth.csv}
  scaled: {plugin: zscore, input: w2v}
  knn: {plugin: knn_classify, input: {embedding: scaled, labels: truth}, k: 7}
  report: {plugin: csv, input: knn.report, path: knn-report.csv}
YAML
$D run dv.yaml --output-dir dv1 2>dv1.err || { cat dv1.err; echo "Bail out! one process failed on DarkVec"; exit 1; }
same=1
for n in 2 3 4; do
  run_np "$n" run dv.yaml --output-dir "dv$n" --summary-json "dv$n.json" >"dv$n.out" 2>"dv$n.err" \
    || { cat "dv$n.err"; same=0; continue; }
  cmp -s dv1/corpus.txt "dv$n/corpus.txt" || { echo "# np $n: the corpus differs"; same=0; }
done
# the corpus reads 5 packet columns (ts 8 bytes, src 4, proto 1, dport 2,
# l4 1): only those travel to rank 0, 16 bytes a packet (all 17 would be 39)
# plus a few bytes a round and destination
per=$(python3 -c 'import json, sys
r = json.load (open (sys.argv[1]))["per_rank"]
print ("%.2f" % (sum (x["exchange_bytes"] for x in r) / sum (x["routed_out"] for x in r)))' dv4.json)
[ -s dv1/corpus.txt ] && [ "$same" = 1 ] && awk -v b="$per" 'BEGIN { exit !(b >= 16 && b < 17) }' \
  && ok $t "DarkVec: 2, 3 and 4 ranks build one process's corpus, byte for byte, from $per bytes a packet sent" \
  || bad $t "DarkVec: the corpus differs, a run failed, or $per bytes a packet sent (16 expected)"
t=$((t + 1))

acc () { awk -F, '$1 == "accuracy" {print $4}' "$1"; }
words () { tail -n +2 "$1" | cut -d' ' -f1; }
averagings () { sed -n 's/^ *model-averagings: //p' "$1"; }
# the jobs: sentences in order, cut after the one that brings a job to
# 10,000 tokens; 5 epochs of them, two jobs a rank (sync_words 20000) a period
jobs=$(awk '{ acc += NF; if (acc >= 10000 && NR < n) { jobs++; acc = 0 } } END { print 5 * (jobs + 1) }' \
       n="$(wc -l < dv1/corpus.txt)" dv1/corpus.txt)
run_np 2 run dv.yaml --output-dir dv2b >dv2b.out 2>dv2b.err || cat dv2b.err
a1=$(acc dv1/knn-report.csv); a2=$(acc dv2/knn-report.csv); a4=$(acc dv4/knn-report.csv)
if [ -s dv2/vectors.txt ] && cmp -s dv2/vectors.txt dv2b/vectors.txt && ! cmp -s dv1/vectors.txt dv2/vectors.txt \
   && [ "$(words dv1/vectors.txt)" = "$(words dv2/vectors.txt)" ] \
   && [ "$(averagings dv2.err)" = $(( (jobs + 3) / 4 )) ] && [ "$(averagings dv4.err)" = $(( (jobs + 7) / 8 )) ] \
   && [ -n "$a1" ] && [ -n "$a2" ] && [ -n "$a4" ] \
   && awk -v a="$a1" -v b="$a2" -v c="$a4" 'BEGIN { d = a - b; e = a - c; exit !(d <= 0.01 && d >= -0.01 && e <= 0.01 && e >= -0.01) }'; then
  ok $t "DarkVec: ranks train the same vocabulary, reproducibly, $jobs jobs in periods of two a rank; 7-NN accuracy $a2 (2 ranks), $a4 (4) against $a1"
else
  head -3 dv1/vectors.txt dv2/vectors.txt; grep -h averagings dv2.err dv4.err
  bad $t "DarkVec training under MPI: accuracy $a1 vs $a2 / $a4 (goal: within 0.01), $jobs jobs, or vectors not reproducible"
fi
t=$((t + 1))

# kNN: the queries split across ranks (the embedding shared by rank 0),
# the same predictions (distances too), report, graph and Louvain clusters
# as one process, byte for byte, on one embedding read from a file: the
# labelled queries among all rows (whole blocks of queries per rank) and
# the self-joins (query: all, the graph: the ranks deal out one process's
# row blocks and merge their lists), one thread per rank and two
cat > knn.yaml <<YAML
pipeline: knn
output_dir: $tmp/knn
stages:
  vectors: {plugin: w2v_file, path: $tmp/dv1/vectors.txt}
  truth: {plugin: labels, path: $tmp/tel/truth.csv}
  scaled: {plugin: zscore, input: vectors}
  knn: {plugin: knn_classify, input: {embedding: scaled, labels: truth}, k: 7, block_rows: 64}
  paper: {plugin: knn_classify, input: {embedding: scaled, labels: truth}, k: 5, vote: paper, query: all, block_rows: 64}
  graph: {plugin: knn_graph, input: vectors, k: 3, block_rows: 64}
  clusters: {plugin: louvain, input: graph}
  p1: {plugin: csv, input: knn.predictions, path: predictions.csv}
  r1: {plugin: csv, input: knn.report, path: report.csv}
  p2: {plugin: csv, input: paper.predictions, path: paper-predictions.csv}
  c: {plugin: csv, input: clusters.clusters, path: clusters.csv}
YAML
$D run knn.yaml --output-dir knn1 2>knn1.err || { cat knn1.err; echo "Bail out! one process failed on kNN"; exit 1; }
same=1
for run in "1 1" "2 1" "3 1" "2 2"; do
  set -- $run
  run_np "$1" run knn.yaml --threads "$2" --output-dir "knn$1-$2" >"knn$1-$2.out" 2>"knn$1-$2.err" \
    || { cat "knn$1-$2.err"; same=0; continue; }
  for f in predictions.csv report.csv paper-predictions.csv clusters.csv; do
    cmp -s "knn1/$f" "knn$1-$2/$f" || { echo "# np $1, $2 threads: $f differs"; same=0; }
  done
done
[ "$(wc -l < knn1/predictions.csv)" -gt 100 ] && [ "$(wc -l < knn1/paper-predictions.csv)" -gt 1000 ] && [ "$same" = 1 ] \
  && ok $t "kNN split by query rows: predictions, report, graph clusters byte-identical to one process (1 to 3 ranks)" \
  || bad $t "kNN under MPI differs from one process"
exit $fail
