#!/usr/bin/python3
"""Helpers of bench/word2vec: train with gensim, evaluate embeddings.

  w2v_bench.py gensim CORPUS OUT --sg 1 --size 50 --window 25 --negative 5
               --sample 0 --min-count 10 --epochs 5 --threads 2 --seed 1
      trains gensim's Word2Vec on a one-sentence-per-line file (LineSentence,
      which splits lines at 10,000 words like gensim always does), writes
      word2vec text, prints one JSON line with the training time and words/s
      (corpus words x epochs / seconds of train(), as darkpipe reports).
  w2v_bench.py knn EMBEDDING GROUND_TRUTH_CSV [--k 7]
      leave-one-out k-NN accuracy: z-score per dimension (as DarkVec did),
      cosine, majority vote of the k nearest other vectors (ties: the label
      of the nearest tied neighbour); neighbours come from every vector,
      accuracy is over the vectors whose label is not 'unknown'.  JSON line.
  w2v_bench.py pairs EMBEDDING PAIRS...
      Spearman correlation on word-pair similarity sets (gensim's
      evaluate_word_pairs, case-insensitive); this also checks that gensim
      reads the file.  JSON line.
  w2v_bench.py same TEXT BINARY
      loads both files with gensim (binary=False / True) and checks that they
      hold the same tokens and vectors (within 1e-6).  JSON line.
  w2v_bench.py flops CORPUS --window 25 --size 50 --negative 5 --min-count 10
      the skip-gram flops of one epoch over CORPUS (sample 0), as bench/word2vec
      counts them: every (centre, context) pair, with word2vec's shrunk
      windows (reach uniform in 1..window) and the sentence ends, takes
      (1 + negative) x 3 length-`size` multiply-adds (the dot product, the
      input's error, the output row's move) and one more for the input's
      move: (6 (1 + negative) + 2) x size flops.  Tokens under min_count are
      dropped before windowing, as both trainers do.  Prints JSON: pairs,
      tokens, flops per corpus token and per epoch.
  w2v_bench.py preprocess IN OUT
      gensim.utils.simple_preprocess per line (what gensim's own tests do
      with lee_background.cor).
"""
import argparse
import csv
import json
import logging
import sys
import time

import numpy as np


def cmd_gensim(a):
    from gensim.models import Word2Vec
    from gensim.models.word2vec import LineSentence
    t0 = time.time()
    sentences = LineSentence(a.corpus)
    words = sum(len(s) for s in sentences)
    m = Word2Vec(vector_size=a.size, window=a.window, negative=a.negative, sample=a.sample,
                 min_count=a.min_count, sg=a.sg, workers=a.threads, epochs=a.epochs,
                 seed=a.seed, hs=0, ns_exponent=0.75, alpha=0.025, min_alpha=0.0001)
    m.build_vocab(sentences)
    t1 = time.time()
    m.train(sentences, total_examples=m.corpus_count, epochs=a.epochs)
    t2 = time.time()
    m.wv.save_word2vec_format(a.out, binary=False)
    train_s = t2 - t1
    print(json.dumps({"train_s": train_s, "wall_s": time.time() - t0, "vocab": len(m.wv),
                      "words": words * a.epochs, "words_per_s": words * a.epochs / train_s}))


def cmd_flops(a):
    from collections import Counter
    sentences = [line.split() for line in open(a.corpus)]
    counts = Counter(t for s in sentences for t in s)
    W = a.window
    # expected contexts of position i in a sentence of n kept tokens, the
    # reach r drawn uniformly from 1..W: E[min(i, r) + min(n - 1 - i, r)]
    def side(d):  # E[min(d, r)]
        if d >= W:
            return (W + 1) / 2.0
        return (d * (d + 1) / 2.0 + d * (W - d)) / W
    pairs = 0.0
    tokens = 0
    for s in sentences:
        tokens += len(s)
        n = sum(1 for t in s if counts[t] >= a.min_count)
        pairs += sum(side(i) + side(n - 1 - i) for i in range(n))
    per_pair = (6 * (1 + a.negative) + 2) * a.size
    print(json.dumps({"pairs": pairs, "tokens": tokens, "flops_per_pair": per_pair,
                      "flops_per_token": pairs * per_pair / max(tokens, 1),
                      "flops_per_epoch": pairs * per_pair}))


def load_vectors(path):
    from gensim.models import KeyedVectors
    return KeyedVectors.load_word2vec_format(path, binary=False)


def cmd_knn(a):
    kv = load_vectors(a.embedding)
    labels = {}
    with open(a.ground_truth, newline="") as f:
        for row in csv.DictReader(f):
            labels[row["ip"]] = row["label"]
    keys = list(kv.index_to_key)
    x = kv.vectors.astype(np.float64)
    x = (x - x.mean(axis=0)) / np.where(x.std(axis=0) > 0, x.std(axis=0), 1.0)
    x /= np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    y = np.array([labels.get(k, "unknown") for k in keys])
    sims = x @ x.T
    np.fill_diagonal(sims, -np.inf)
    k = a.k
    nearest = np.argpartition(-sims, k, axis=1)[:, :k]
    order = np.take_along_axis(sims, nearest, axis=1).argsort(axis=1)[:, ::-1]
    nearest = np.take_along_axis(nearest, order, axis=1)
    eval_rows = np.where(y != "unknown")[0]
    correct = 0
    for i in eval_rows:
        votes = {}
        for j in nearest[i]:
            votes[y[j]] = votes.get(y[j], 0) + 1
        best = max(votes.values())
        pred = next(y[j] for j in nearest[i] if votes[y[j]] == best)
        correct += pred == y[i]
    n = len(eval_rows)
    print(json.dumps({"k": k, "vectors": len(keys), "labelled": int(n),
                      "accuracy": correct / n if n else float("nan")}))


def cmd_pairs(a):
    kv = load_vectors(a.embedding)
    out = {"vectors": len(kv.index_to_key)}
    for path in a.pairs:
        delim = "\t" if path.endswith(".tsv") else None
        if delim is None:
            with open(path) as f:
                first = next(line for line in f if not line.startswith("#"))
            delim = "\t" if "\t" in first else " "
        (_, _), (rho, _), oov = kv.evaluate_word_pairs(path, delimiter=delim)
        name = path.rsplit("/", 1)[-1].split(".")[0]
        out[name] = float(rho)
        out[name + "_oov"] = float(oov)
    print(json.dumps(out))


def cmd_same(a):
    from gensim.models import KeyedVectors
    t = KeyedVectors.load_word2vec_format(a.text, binary=False)
    b = KeyedVectors.load_word2vec_format(a.binary, binary=True)
    same_keys = t.index_to_key == b.index_to_key
    diff = float(np.max(np.abs(t.vectors - b.vectors))) if same_keys and len(t.vectors) else float("nan")
    print(json.dumps({"vectors": len(t.index_to_key), "same_tokens": same_keys,
                      "max_abs_diff": diff, "ok": bool(same_keys and diff <= 1e-6)}))


def cmd_preprocess(a):
    from gensim.utils import simple_preprocess
    with open(a.inp, encoding="utf8", errors="replace") as f, open(a.out, "w") as g:
        for line in f:
            words = simple_preprocess(line)
            if words:
                g.write(" ".join(words) + "\n")


def main():
    logging.basicConfig(level=logging.ERROR)
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("gensim")
    g.add_argument("corpus")
    g.add_argument("out")
    for name, typ, default in [("sg", int, 1), ("size", int, 100), ("window", int, 5),
                               ("negative", int, 5), ("sample", float, 1e-3),
                               ("min_count", int, 5), ("epochs", int, 5), ("threads", int, 1),
                               ("seed", int, 1)]:
        g.add_argument("--" + name.replace("_", "-"), dest=name, type=typ, default=default)
    k = sub.add_parser("knn")
    k.add_argument("embedding")
    k.add_argument("ground_truth")
    k.add_argument("--k", type=int, default=7)
    w = sub.add_parser("pairs")
    w.add_argument("embedding")
    w.add_argument("pairs", nargs="+")
    sm = sub.add_parser("same")
    sm.add_argument("text")
    sm.add_argument("binary")
    fl = sub.add_parser("flops")
    fl.add_argument("corpus")
    for name, default in [("window", 5), ("size", 100), ("negative", 5), ("min_count", 5)]:
        fl.add_argument("--" + name.replace("_", "-"), dest=name, type=int, default=default)
    pp = sub.add_parser("preprocess")
    pp.add_argument("inp")
    pp.add_argument("out")
    a = p.parse_args()
    {"gensim": cmd_gensim, "knn": cmd_knn, "pairs": cmd_pairs, "same": cmd_same,
     "flops": cmd_flops, "preprocess": cmd_preprocess}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
