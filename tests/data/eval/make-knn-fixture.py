#!/usr/bin/python3
"""Writes knn-fixture.csv and prints the scikit-learn reference numbers that
tests/test-knn.c compares knn_classify's report with.

Run once with Debian's python3-sklearn (1.2.1):
    /usr/bin/python3 tests/data/eval/make-knn-fixture.py tests/data/eval/knn-fixture.csv
It also writes, beside the CSV, the same vectors as a word2vec text file,
the labelled rows as an ip,label file, and scikit-learn's majority-vote
report as CSV, for tests/test-eval-pipeline.sh.
The neighbours are computed independently of darkpipe: exact cosine
distances in float64 over the float32 vectors, the point itself removed by
identity, k = 5; the vote is done here (majority with ties to the nearest,
and the authors' get_freqs rule); the numbers are classification_report's
(zero_division=0), then a row "macro avg (ground-truth classes)":
precision_recall_fscore_support(..., labels=the true classes but unknown,
average="macro", zero_division=0), support = their labelled sources."""
import sys
import numpy as np
from sklearn.metrics import classification_report, precision_recall_fscore_support

rng = np.random.default_rng(2021)
classes = ["censys", "mirai", "shodan", "binaryedge"]
centres = rng.normal(size=(len(classes), 6))
rows = []
for c, name in enumerate(classes):
    n = [30, 25, 12, 8][c]
    spread = [0.6, 0.5, 0.9, 1.2][c]
    for _ in range(n):
        rows.append((name, centres[c] + rng.normal(scale=spread, size=6)))
for _ in range(25):
    rows.append(("unknown", rng.normal(scale=1.3, size=6)))
order = rng.permutation(len(rows))
rows = [rows[i] for i in order]

with open(sys.argv[1], "w") as f:
    f.write("ip,label," + ",".join(f"v{d}" for d in range(6)) + "\n")
    for i, (label, v) in enumerate(rows):
        f.write(f"10.1.{i // 200}.{i % 200 + 1},{label}," + ",".join(f"{x:.6f}" for x in v) + "\n")
stem = sys.argv[1][:-len(".csv")]
with open(stem + ".w2v.txt", "w") as f, open(stem + "-labels.csv", "w") as g:
    f.write(f"{len(rows)} 6\n")
    g.write("ip,label\n")
    for i, (label, v) in enumerate(rows):
        ip = f"10.1.{i // 200}.{i % 200 + 1}"
        f.write(ip + " " + " ".join(f"{x:.6f}" for x in v) + "\n")
        if label != "unknown":
            g.write(f"{ip},{label}\n")

# the vectors as the test reads them back: 6 decimals, then float32
X = np.array([[np.float32(f"{x:.6f}") for x in v] for _, v in rows], dtype=np.float32).astype(np.float64)
Xn = X / np.linalg.norm(X, axis=1, keepdims=True)
D = 1 - Xn @ Xn.T
y = np.array([l for l, _ in rows])
K = 5

def neighbours(i, base):
    cand = [j for j in base if j != i]
    cand.sort(key=lambda j: (D[i, j], j))
    return cand[:K]

def majority(labs):
    best, bc = "n.a.", 0
    for l in labs:
        c = labs.count(l)
        if c > bc:
            best, bc = l, c
    return best

def paper(labs):
    lab, freqs = np.unique(labs, return_counts=True)
    if lab.shape[0] == 1:
        return lab[0]
    return "n.a." if freqs[0] == freqs[1] else lab[0]

def report(queries, base, vote, csv_path=None):
    yt, yp = [], []
    for i in queries:
        yt.append(y[i])
        yp.append(vote([y[j] for j in neighbours(i, base)]))
    r = classification_report(yt, yp, output_dict=True, zero_division=0)
    gt = sorted(set(yt) - {"unknown"})
    p, rc, f, _ = precision_recall_fscore_support(yt, yp, labels=gt, average="macro", zero_division=0)
    r["macro avg (ground-truth classes)"] = {"precision": p, "recall": rc, "f1-score": f,
                                             "support": sum(1 for t in yt if t in gt)}
    if csv_path:
        with open(csv_path, "w") as f:
            f.write("class,precision,recall,f1,support\n")
            for name, v in r.items():
                if name == "accuracy":
                    f.write(f"accuracy,nan,nan,{v!r},{len(yt)}\n")
                else:
                    f.write(f"{name},{v['precision']!r},{v['recall']!r},{v['f1-score']!r},{v['support']}\n")
    print(f"/* vote={vote.__name__} queries={len(queries)} base={len(base)} */")
    for name, v in r.items():
        if name == "accuracy":
            print(f'  {{ "accuracy", NAN, NAN, {v!r}, {len(yt)} }},')
        else:
            print(f'  {{ "{name}", {v["precision"]!r}, {v["recall"]!r}, {v["f1-score"]!r}, {v["support"]} }},')

everyone = list(range(len(rows)))
labelled = [i for i in everyone if y[i] != "unknown"]
import os
base_path = os.path.splitext(sys.argv[1])[0]
report(labelled, everyone, majority, base_path + "-report.csv")
report(labelled, everyone, paper)
report(everyone, everyone, majority)
report(labelled, labelled, majority)

# silhouette reference: clusters = the labels as integers in sorted order
from sklearn.metrics import silhouette_samples
names = sorted(set(y))
cl = np.array([names.index(l) for l in y])
sil = silhouette_samples(X.astype(np.float32), cl, metric="cosine")
print("/* silhouette_samples(X, cluster, metric='cosine'); cluster = sorted label index */")
print("static const double sk_sil_points[] = { " + ", ".join(repr(float(v)) for v in sil[:8]) + " };")
print("static const double sk_sil_means[] = { " + ", ".join(repr(float(sil[cl == c].mean())) for c in range(len(names))) + " };")
