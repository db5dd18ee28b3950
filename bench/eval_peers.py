#!/usr/bin/python3
"""Peers of darkpipe's kNN and Louvain for bench/knn and bench/louvain.

  gen       write a clustered N x DIM embedding (word2vec text, tokens are
            addresses 10.x.y.z) and the same matrix as .npy
  knn       run scikit-learn (brute cosine) and FAISS (IndexFlatIP on unit
            vectors) on it, compare their neighbour sets with darkpipe's
            (knn_classify predictions CSV), print times and ratios
  edges     write the kNN graph of darkpipe's neighbour lists as an edge
            list ("u v w" lines) for bench/louvain
"""
import argparse
import csv
import sys
import time

import numpy as np


def token(i):
    return f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}"


def gen(a):
    rng = np.random.default_rng(a.seed)
    centres = rng.normal(size=(a.clusters, a.dim)).astype(np.float32)
    which = rng.integers(0, a.clusters, size=a.n)
    spread = (rng.uniform(0.3, 1.2, size=a.clusters) * a.spread).astype(np.float32)
    X = centres[which] + rng.normal(size=(a.n, a.dim)).astype(np.float32) * spread[which, None]
    X = X.astype(np.float32)
    # what darkpipe reads back from the text file
    text = [" ".join(f"{v:.6g}" for v in row) for row in X]
    X = np.array([[np.float32(v) for v in t.split()] for t in text], dtype=np.float32)
    np.save(a.out + ".npy", X)
    with open(a.out + ".txt", "w") as f:
        f.write(f"{a.n} {a.dim}\n")
        for i, t in enumerate(text):
            f.write(f"{token(i)} {t}\n")


def read_darkpipe_neighbours(path, k):
    nb = {}
    with open(path) as f:
        for r in csv.DictReader(f):
            i = int(r["ip"].split(".")[1]) << 16 | int(r["ip"].split(".")[2]) << 8 | int(r["ip"].split(".")[3])
            toks = r["neighbours"].split(";")[:k]
            nb[i] = [int(t.split(".")[1]) << 16 | int(t.split(".")[2]) << 8 | int(t.split(".")[3]) for t in toks]
    return nb


def drop_self(idx, rows, k):
    out = []
    for q, row in zip(rows, idx):
        row = [int(j) for j in row if j != q]
        out.append(row[:k])
    return out


def compare(name, Xn, dp, peer, rows, k):
    same = ties = 0
    for q, p in zip(rows, peer):
        a, b = set(dp[q]), set(p)
        if a == b:
            same += 1
            continue
        # a tie: every differing neighbour is as far as the k-th one
        kth = max(1 - float(Xn[q] @ Xn[j]) for j in dp[q])
        diff = a ^ b
        if all(abs((1 - float(Xn[q] @ Xn[j])) - kth) < 1e-6 for j in diff):
            ties += 1
    n = len(rows)
    print(f"  neighbour sets identical to {name}: {same}/{n} = {same / n:.4f}"
          f" (+ {ties} differing only by ties at the k-th distance: {(same + ties) / n:.4f})")


def knn(a):
    X = np.load(a.emb)
    n = X.shape[0]
    Xn = (X / np.linalg.norm(X, axis=1, keepdims=True)).astype(np.float32)
    dp = read_darkpipe_neighbours(a.pred, a.k)
    print(f"kNN: {n} x {X.shape[1]}, k = {a.k}, {a.threads} threads")
    print(f"  darkpipe knn_classify stage: {a.dp_seconds:.2f} s")
    results = {}
    q = min(a.sklearn_queries, n) if a.sklearn_queries > 0 else n
    try:
        from sklearn.neighbors import NearestNeighbors
        import sklearn
        nn = NearestNeighbors(n_neighbors=a.k + 1, metric="cosine", algorithm="brute", n_jobs=a.threads)
        t0 = time.perf_counter()
        nn.fit(X)
        _, idx = nn.kneighbors(X[:q])
        t = time.perf_counter() - t0
        full = t * n / q
        results["scikit-learn"] = full
        note = "" if q == n else f" (measured on {q} queries: {t:.2f} s, x{n / q:.0f} for all {n})"
        print(f"  scikit-learn {sklearn.__version__} NearestNeighbors(cosine, brute): {full:.2f} s{note}")
        compare("scikit-learn", Xn, dp, drop_self(idx, range(q), a.k), range(q), a.k)
    except ImportError as e:
        print(f"  scikit-learn not available: {e}")
    try:
        import faiss
        faiss.omp_set_num_threads(a.threads)
        t0 = time.perf_counter()
        index = faiss.IndexFlatIP(X.shape[1])
        index.add(Xn)
        _, idx = index.search(Xn, a.k + 1)
        t = time.perf_counter() - t0
        results["FAISS"] = t
        print(f"  FAISS {faiss.__version__} IndexFlatIP (unit vectors): {t:.2f} s")
        compare("FAISS", Xn, dp, drop_self(idx, range(n), a.k), range(n), a.k)
    except ImportError as e:
        print(f"  FAISS not available ({e}): apt-get install python3-faiss")
    for name, t in results.items():
        print(f"  ratio {name} / darkpipe: {t / a.dp_seconds:.1f}x")


def build_graph(a):
    import igraph as ig
    dp = read_darkpipe_neighbours(a.pred, a.k)
    n = len(dp)
    X = np.load(a.emb)
    Xn = (X / np.linalg.norm(X, axis=1, keepdims=True)).astype(np.float64)
    edges = {}
    for i, nb in dp.items():
        for j in nb:
            edges[(min(i, j), max(i, j))] = 1 - abs(1 - float(Xn[i] @ Xn[j]))
    g = ig.Graph(n=n, edges=list(edges.keys()))
    g.es["weight"] = list(edges.values())
    return g


def edges(a):
    g = build_graph(a)
    print(f"kNN graph (k' = {a.k}, weight 1-|d|) of darkpipe's neighbour lists: {g.vcount()} nodes, {g.ecount()} edges")
    if a.dp_edges and a.dp_edges != g.ecount():
        print(f"  WARNING: darkpipe's knn_graph made {a.dp_edges} edges")
    with open(a.out, "w") as f:
        for (u, v), w in zip(g.get_edgelist(), g.es["weight"]):
            f.write(f"{u} {v} {w!r}\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("gen")
    g.add_argument("--n", type=int, default=100000)
    g.add_argument("--dim", type=int, default=50)
    g.add_argument("--clusters", type=int, default=1000)
    g.add_argument("--seed", type=int, default=7)
    g.add_argument("--spread", type=float, default=1.0, help="scales the cluster spreads (larger: less structure)")
    g.add_argument("--out", required=True)
    for name in ("knn", "edges"):
        s = sub.add_parser(name)
        s.add_argument("--emb", required=True)
        s.add_argument("--pred", required=True)
        s.add_argument("--k", type=int, default=10)
    kn = sub.choices["knn"]
    kn.add_argument("--threads", type=int, default=2)
    kn.add_argument("--dp-seconds", type=float, required=True)
    kn.add_argument("--sklearn-queries", type=int, default=10000)
    ed = sub.choices["edges"]
    ed.add_argument("--out", required=True)
    ed.add_argument("--dp-edges", type=int, default=0)
    a = ap.parse_args()
    {"gen": gen, "knn": knn, "edges": edges}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
