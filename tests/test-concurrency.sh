#!/bin/bash
# Branches that run at the same time give what a sequential run gives: every
# pipeline in pipelines/ (on small inputs, fixed seeds, one thread per
# threaded stage) run with --threads 1 and with --threads 2, and every file
# it writes compared byte for byte (issue #13 item 2).  Then a failing
# consumer and a SIGINT with concurrent branches: exit 1 with the
# consumer's message, exit 130, and no half-written output either way.
set -u
B=${DP_TOP_BUILDDIR:?}
S=${DP_TOP_SRCDIR:?}
D="$B/darkpipe"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
n=0
failed=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
bad () { n=$((n + 1)); failed=1; echo "not ok $n - $1"; }

# small inputs: a capture and its ground truth from the synthetic telescope
cat > make.yaml <<EOF
pipeline: make
output_dir: $tmp/in
stages:
  s: {plugin: synth_telescope, seed: 3, duration: 6h, packets: 40000}
  cap: {plugin: pcap_out, input: s, path: capture.pcap}
  gt: {plugin: csv, input: s.ground_truth, path: ground-truth.csv}
EOF
if ! $D run make.yaml --quiet >log 2>&1; then
  cat log
  echo "Bail out! cannot make the inputs"
  exit 1
fi

# the stage names of a pipeline's threaded plugins (word2vec, knn_*, louvain)
threaded_sets () {
  python3 - "$1" <<'PYEOF'
import re, sys
text = open(sys.argv[1]).read()
stages = re.findall(r'^  ([A-Za-z0-9_-]+):\s*(?:\{\s*plugin:\s*([A-Za-z0-9_]+)|\n\s+plugin:\s*([A-Za-z0-9_]+))', text, re.M)
for name, a, b in stages:
    if (a or b) in ("word2vec", "knn_classify", "knn_graph", "louvain"):
        print("--set=%s.threads=1" % name)
PYEOF
}

# per pipeline: what makes it small, and where its inputs are
sets_for () {
  case "$1" in
    compare|demo)
      echo "--set=telescope.packets=40000 --set=telescope.duration=6h" ;;
    taxonomy|extract-csv)
      echo "--set=capture.path=$tmp/in/capture.pcap" ;;
    # the method pipelines with their evaluation branch on
    darkvec|darkvec-single|darkvec-auto|dante|ip2vec)
      echo "--set=capture.path=$tmp/in/capture.pcap --set=truth.path=$tmp/in/ground-truth.csv" ;;
    # one day of the daily update, from an empty model directory
    darkvec-daily)
      echo "--set=capture.path=$tmp/in/capture.pcap --set=w2v.vector_size=16" ;;
    evaluate)
      echo "--set=vectors.path=$tmp/vec/embeddings.txt --set=truth.path=$tmp/in/ground-truth.csv" ;;
  esac
  # fewer epochs: the point is the schedule, not the model
  python3 - "$S/pipelines/$1.yaml" <<'PYEOF'
import re, sys
text = open(sys.argv[1]).read()
for name, a, b in re.findall(r'^  ([A-Za-z0-9_-]+):\s*(?:\{\s*plugin:\s*([A-Za-z0-9_]+)|\n\s+plugin:\s*([A-Za-z0-9_]+))', text, re.M):
    if (a or b) == "word2vec":
        print("--set=%s.epochs=2" % name)
PYEOF
}

# evaluate.yaml reads vectors: those of a darkvec run
$D run "$S/pipelines/darkvec.yaml" --quiet --output-dir "$tmp/vec" \
  --set "capture.path=$tmp/in/capture.pcap" --set w2v.epochs=2 >log 2>&1 || { cat log; bad "darkvec vectors for evaluate.yaml"; }

# files whose content holds time or memory figures: compared without them
sqlite3=${SQLITE3:-$(command -v sqlite3 || true)}
normalise () {
  case "$1" in
    */comparison.csv) cut -d, -f1-6 "$1" ;;   # method..f1 columns; seconds, peak_mb vary
    # (and the minute the page was written: the two runs may straddle one)
    *.html) sed -E 's/[0-9]+\.[0-9]+ s|[0-9.]+ MB|written [0-9-]+ [0-9:]+ UTC//g' "$1" ;;
    # a database's pages depend on the order its transactions came in (the
    # upstreams of a sink run at once): its content, sorted, is compared
    *.db) if [ -n "$sqlite3" ]; then "$sqlite3" "$1" .dump | LC_ALL=C sort
          else echo "(no sqlite3 shell: ${1##*/} not compared)"; fi ;;
    *) cat "$1" ;;
  esac
}

for y in "$S"/pipelines/*.yaml; do
  name=$(basename "$y" .yaml)
  read -r -a extra <<<"$(sets_for "$name" | tr '\n' ' ') $(threaded_sets "$y" | tr '\n' ' ')"
  rc1=0; rc2=0
  $D run "$y" --quiet --threads 1 --output-dir "$tmp/seq-$name" "${extra[@]}" >"seq-$name.out" 2>"seq-$name.err" || rc1=$?
  $D run "$y" --quiet --threads 2 --output-dir "$tmp/par-$name" "${extra[@]}" >"par-$name.out" 2>"par-$name.err" || rc2=$?
  if [ $rc1 -ne 0 ] || [ $rc2 -ne 0 ]; then
    cat "seq-$name.err" "par-$name.err"
    bad "$name: both runs succeed (exit $rc1, $rc2)"
    continue
  fi
  diffs=""
  files=$(cd "$tmp/seq-$name" && find . -type f | sort)
  files2=$(cd "$tmp/par-$name" && find . -type f | sort)
  [ "$files" = "$files2" ] || diffs="the file lists differ"
  for f in $files; do
    if ! cmp -s <(normalise "$tmp/seq-$name/$f") <(normalise "$tmp/par-$name/$f"); then
      diffs="$diffs $f"
      # what differs, for the log (the test's output is kept by make check)
      diff <(normalise "$tmp/seq-$name/$f") <(normalise "$tmp/par-$name/$f") | head -20 | sed 's/^/# /'
    fi
  done
  # printed tables: the comparison's last two columns are seconds and MB
  untimed () { awk '$NF == "peak_mb" || ($NF ~ /^[0-9.]+$/ && $(NF-1) ~ /^[0-9.]+$/ && NF > 8) { NF -= 2 } { print }' "$1"; }
  cmp -s <(untimed "seq-$name.out") <(untimed "par-$name.out") || diffs="$diffs (stdout)"
  if [ -z "$diffs" ] && [ -n "$files" ]; then
    ok "$name: --threads 2 writes what --threads 1 writes ($(echo "$files" | wc -l) files)"
  else
    bad "$name: --threads 2 differs from --threads 1:${diffs:- no files}"
  fi
done

# a consumer that fails mid-stream, beside a branch that would go on: the
# run exits 1 with its message, the source stops, nothing is half-written
cat > fail.yaml <<EOF
pipeline: fail
output_dir: $tmp/fail
stages:
  s: {plugin: synth_telescope, seed: 1, duration: 30d, packets: 200000000}
  tax: {plugin: taxonomy, input: s}
  sources: {plugin: csv, input: tax.sources, path: sources.csv}
  a: {plugin: tpass, input: s, fail_after: 300000}
  count: {plugin: csv, input: a.count, path: count.csv}
EOF
timeout 120 $D --plugin-dir "$B/tests/plugins" run fail.yaml --threads 2 >log 2>&1; rc=$?
if [ $rc -eq 1 ] && grep -q "stage 'a' (tpass): .*failing as asked" log \
   && grep -q "^s  *synth_telescope  *0  *3[0-9][0-9][0-9][0-9][0-9] " log && [ -z "$(find "$tmp/fail" -type f 2>/dev/null)" ]; then
  ok "a failing consumer beside a concurrent branch: exit 1, its message, the source stopped, no output"
else
  tail -12 log
  bad "a failing consumer beside a concurrent branch (exit $rc)"
fi

# SIGINT while concurrent branches stream: exit 130, no output
cat > int.yaml <<EOF
pipeline: int
output_dir: $tmp/int
stages:
  s: {plugin: synth_telescope, seed: 1, duration: 30d, packets: 200000000}
  tax: {plugin: taxonomy, input: s}
  sources: {plugin: csv, input: tax.sources, path: sources.csv}
  corpus: {plugin: darkvec_corpus, input: s, text_path: corpus.txt}
EOF
$D run int.yaml --threads 2 >log 2>&1 &
pid=$!
i=0
while [ $i -lt 200 ] && ! grep -q "^SigCgt:.*[2367aAbBeEfF]" /proc/$pid/status 2>/dev/null; do sleep 0.05; i=$((i + 1)); done
sleep 1
kill -INT $pid
wait $pid; rc=$?
if [ $rc -eq 130 ] && grep -q "interrupted during reading" log && [ -z "$(find "$tmp/int" -type f 2>/dev/null)" ]; then
  ok "SIGINT with concurrent branches: exit 130, no output"
else
  tail -3 log
  bad "SIGINT with concurrent branches (exit $rc)"
fi

echo "1..$n"
exit $failed
