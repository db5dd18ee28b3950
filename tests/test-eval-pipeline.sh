#!/bin/bash
# pipelines/evaluate.yaml end to end on the kNN fixture (vectors left
# unscaled, k = 5): its report must hold scikit-learn's numbers
# (tests/data/eval/knn-fixture-report.csv, written by make-knn-fixture.py),
# and the clustering outputs must cover every source.  Then
# pipelines/darkvec.yaml on a small synthetic telescope, with and without
# --set truth.path: the evaluation outputs appear only with it, their
# numbers agree with the predictions and the ground truth recounted here,
# and the vectors are the same either way.  Speaks TAP.
set -u
B=${DP_TOP_BUILDDIR:?}
S=${DP_TOP_SRCDIR:?}
D="$S/tests/data/eval"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "1..9"
if "$B/darkpipe" --plugin-dir "$B/plugins" run "$S/pipelines/evaluate.yaml" --quiet --threads 2 \
     --output-dir "$tmp/out" --set vectors.path="$D/knn-fixture.w2v.txt" \
     --set truth.path="$D/knn-fixture-labels.csv" --set scaled.with_mean=false \
     --set scaled.with_std=false --set knn.k=5 >"$tmp/log" 2>&1; then
  echo "ok 1 - evaluate.yaml runs"
else
  echo "not ok 1 - evaluate.yaml runs"; sed 's/^/# /' "$tmp/log"; exit 0
fi
# same rows in the same order; numbers equal within 1e-9, nan to nan
if awk -F, 'NR == FNR { want[FNR] = $0; n = FNR; next }
     { split (want[FNR], w, ","); if (w[1] != $1) bad = bad " row " FNR ": " $1 " != " w[1]
       for (i = 2; i <= 5; i++) {
         if (w[i] == "nan" || $i == "nan") { if (w[i] != $i) bad = bad " " $1 "/" i; continue }
         d = w[i] - $i; if (d < 0) d = -d; if (d > 1e-9) bad = bad " " $1 "/" i ": " $i " != " w[i] } }
     END { if (FNR != n) bad = bad " rows " FNR " != " n; if (bad != "") { print bad; exit 1 } }' \
     "$D/knn-fixture-report.csv" "$tmp/out/knn-report.csv" >"$tmp/diff" 2>&1; then
  echo "ok 2 - 5-NN report equals scikit-learn's classification_report"
else
  echo "not ok 2 - 5-NN report equals scikit-learn's classification_report"; sed 's/^/# /' "$tmp/diff"
fi
rows=$(($(wc -l <"$tmp/out/clusters.csv") - 1))
q=$(awk -F, 'NR == 2 { print ($1 > 0 && $1 <= 1) ? "yes" : $1 }' "$tmp/out/clusters-summary.csv")
if [ "$rows" = 100 ] && [ "$q" = yes ]; then
  echo "ok 3 - every source is clustered, modularity in (0, 1]"
else
  echo "not ok 3 - every source is clustered, modularity in (0, 1] (rows $rows, modularity $q)"
fi
nc=$(awk -F, 'NR == 2 { print $3 }' "$tmp/out/clusters-summary.csv")
sil=$(($(wc -l <"$tmp/out/cluster-silhouettes.csv") - 1))
paper=$(awk -F, '$1 == "accuracy" { print $5 }' "$tmp/out/knn-report-paper-vote.csv")
if [ "$sil" = "$nc" ] && [ "$paper" = 75 ]; then
  echo "ok 4 - a silhouette per cluster; the paper-vote report covers the 75 labelled sources"
else
  echo "not ok 4 - silhouettes $sil for $nc clusters; paper-vote support $paper"
fi

# ---- pipelines/darkvec.yaml evaluating in the same run
cat >"$tmp/make.yaml" <<EOF
pipeline: make
output_dir: $tmp/in
stages:
  s: {plugin: synth_telescope, seed: 5, duration: 6h, packets: 40000}
  cap: {plugin: pcap_out, input: s, path: capture.pcap}
  gt: {plugin: csv, input: s.ground_truth, path: ground-truth.csv}
EOF
run_dv () {
  "$B/darkpipe" --plugin-dir "$B/plugins" run "$S/pipelines/darkvec.yaml" --quiet --output-dir "$tmp/$1" \
    --set capture.path="$tmp/in/capture.pcap" --set w2v.epochs=2 --set w2v.threads=1 "${@:2}" >"$tmp/$1.log" 2>&1
}
if "$B/darkpipe" --plugin-dir "$B/plugins" run "$tmp/make.yaml" --quiet >"$tmp/log" 2>&1 \
   && run_dv with --set truth.path="$tmp/in/ground-truth.csv" && run_dv without; then
  echo "ok 5 - darkvec.yaml runs with and without truth.path"
else
  echo "not ok 5 - darkvec.yaml runs with and without truth.path"; cat "$tmp"/*.log | sed 's/^/# /'; exit 0
fi
outs="knn-report.csv knn-report-paper-vote.csv knn-predictions.csv report.html"
missing=""; extra=""
for f in embeddings.txt $outs; do [ -s "$tmp/with/$f" ] || missing="$missing $f"; done
for f in $outs; do [ -e "$tmp/without/$f" ] && extra="$extra $f"; done
if [ -z "$missing$extra" ] && cmp -s "$tmp/with/embeddings.txt" "$tmp/without/embeddings.txt"; then
  echo "ok 6 - evaluation files only with truth.path; the same vectors either way"
else
  echo "not ok 6 - missing with truth:$missing; present without:$extra (or the vectors differ)"
fi
# the queries: every embedded source whose ground-truth label is not unknown
want=$(awk -F, 'FNR == 1 { next } NR == FNR { if ($2 != "unknown" && $2 != "") lab[$1] = 1; next }
                ($1 in lab) { n++ } END { print n + 0 }' \
       "$tmp/in/ground-truth.csv" <(tr ' ' , <"$tmp/with/embeddings.txt"))
got=$(($(wc -l <"$tmp/with/knn-predictions.csv") - 1))
support=$(awk -F, '$1 == "accuracy" { print $5 }' "$tmp/with/knn-report.csv")
if [ "$want" -gt 50 ] && [ "$got" = "$want" ] && [ "$support" = "$want" ]; then
  echo "ok 7 - one prediction per labelled embedded source ($want)"
else
  echo "not ok 7 - labelled embedded sources $want, predictions $got, report support $support"
fi
# accuracy and both macro F1s recounted from the predictions: scikit-learn's
# over the union of true and predicted classes, and the mean over the
# ground-truth classes; each equal to its own row of the report
recount=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
  { t = $c["label"]; p = $c["predicted"]; n++; tr[t]++; pr[p]++; cls[t] = 1; cls[p] = 1; if (t == p) { tp[t]++; ok++ } }
  END { for (k in cls) { P = pr[k] ? tp[k] / pr[k] : 0; R = tr[k] ? tp[k] / tr[k] : 0; F = P + R ? 2 * P * R / (P + R) : 0
                         all += F; na++; if (tr[k] && k != "unknown") { gt += F; ng++ } }
        printf "%.9f %.9f %.9f\n", ok / n, all / na, gt / ng }' "$tmp/with/knn-predictions.csv")
report=$(awk -F, '$1 == "accuracy" { a = $4 } $1 == "macro avg" { m = $4 } $1 == "macro avg (ground-truth classes)" { g = $4 }
                  END { printf "%.9f %.9f %.9f\n", a, m, g }' "$tmp/with/knn-report.csv")
if [ "$recount" = "$report" ] && awk -v r="$report" 'BEGIN { split (r, x, " "); exit !(x[1] > 0.5 && x[1] <= 1 && x[2] > 0 && x[2] <= x[3] && x[3] <= 1) }'; then
  echo "ok 8 - accuracy, sklearn's macro F1 and the ground-truth macro F1 as recounted ($report)"
else
  echo "not ok 8 - report '$report' vs recount '$recount' (or out of range)"
fi
# the page names both macro F1s by what they average
if grep -q "macro F1 [0-9.]* over all [0-9]* classes (scikit-learn" "$tmp/with/report.html" \
   && grep -q "macro F1 [0-9.]* over the [0-9]* ground-truth classes" "$tmp/with/report.html"; then
  echo "ok 9 - report.html gives both macro F1s, each named"
else
  echo "not ok 9 - report.html lacks the two named macro F1s"
fi
