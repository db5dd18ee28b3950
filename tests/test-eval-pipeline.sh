#!/bin/bash
# pipelines/evaluate.yaml end to end on the kNN fixture (vectors left
# unscaled, k = 5): its report must hold scikit-learn's numbers
# (tests/data/eval/knn-fixture-report.csv, written by make-knn-fixture.py),
# and the clustering outputs must cover every source.  Speaks TAP.
set -u
B=${DP_TOP_BUILDDIR:?}
S=${DP_TOP_SRCDIR:?}
D="$S/tests/data/eval"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "1..4"
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
