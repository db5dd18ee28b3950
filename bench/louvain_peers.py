#!/usr/bin/python3
"""Peers of darkpipe's louvain for bench/louvain and bench/louvain-random.

  igraph    run igraph's community_multilevel on an edge list ("u v" or
            "u v w" lines, ids from 0), print
            "igraph VERSION SECONDS MODULARITY CLUSTERS PEAK_KB", or
            "igraph VERSION timeout SECONDS" when stopped; with --score,
            igraph's modularity of each partition file (a cluster per line,
            in node order) as "score FILE MODULARITY"
  networkx  the same with networkx's louvain_communities
  table     the figures of one graph from the lines that bench/louvain_graph
            and the igraph command printed over the rounds: medians,
            edges/s, modularity, ratios, the goals met or not
"""
import argparse
import multiprocessing
import queue
import resource
import statistics
import sys
import time


def load(path, nodes):
    import igraph as ig
    with open(path) as f:
        weighted = len(f.readline().split()) == 3
    if weighted:
        import numpy as np
        a = np.loadtxt(path, ndmin=2)
        n = max(nodes, int(a[:, :2].max()) + 1 if len(a) else 0)
        g = ig.Graph(n=n, edges=a[:, :2].astype(np.int64).tolist())
        g.es["weight"] = a[:, 2].tolist()
        return g, "weight"
    g = ig.Graph.Read_Edgelist(path, directed=False)
    if g.vcount() < nodes:
        g.add_vertices(nodes - g.vcount())
    return g, None


def memberships(paths):
    out = []
    for p in paths:
        with open(p) as f:
            out.append((p, [int(x) for x in f]))
    return out


def igraph_worker(a, out):
    import igraph as ig
    g, w = load(a.edges, a.nodes)
    t = time.perf_counter()
    c = g.community_multilevel(weights=w)
    t = time.perf_counter() - t
    q = g.modularity(c.membership, weights=w)
    scores = [(p, g.modularity(m, weights=w)) for p, m in memberships(a.score)]
    out.put((ig.__version__, t, q, len(c), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, scores))


def networkx_worker(a, out):
    import networkx as nx
    g, w = load(a.edges, a.nodes)
    G = nx.Graph()
    G.add_nodes_from(range(g.vcount()))
    ws = g.es[w] if w else [1.0] * g.ecount()
    G.add_weighted_edges_from((u, v, x) for (u, v), x in zip(g.get_edgelist(), ws))
    t = time.perf_counter()
    comms = nx.community.louvain_communities(G, weight="weight", resolution=1, seed=15)
    t = time.perf_counter() - t
    memb = [0] * g.vcount()
    for c, nodes in enumerate(comms):
        for v in nodes:
            memb[v] = c
    out.put((nx.__version__, t, g.modularity(memb, weights=w), len(comms),
             resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, []))


def peer(a, worker, name):
    """Runs worker in a child process, stopped after a.timeout seconds."""
    out = multiprocessing.Queue()
    p = multiprocessing.Process(target=worker, args=(a, out))
    p.start()
    try:
        # get before join: the child cannot exit before its queue is drained
        v, t, q, nc, kb, scores = out.get(timeout=a.timeout)
    except queue.Empty:
        p.terminate()
        p.join()
        print(f"{name} - timeout {a.timeout:.0f}", flush=True)
        return
    p.join()
    print(f"{name} {v} {t:.3f} {q:.6f} {nc} {kb}", flush=True)
    for path, s in scores:
        print(f"score {path} {s:.6f}", flush=True)


def table(a):
    runs, ig, scores, peak, version, cores = {}, [], {}, 0, "?", []
    ig_timeout = None
    with open(a.results) as f:
        for line in f:
            w = line.split()
            if w[0] == "run":
                runs.setdefault(int(w[1]), []).append((float(w[2]), float(w[3]), float(w[4]), int(w[5])))
            elif w[0] == "igraph" and w[2] == "timeout":
                ig_timeout = float(w[3])
            elif w[0] == "igraph":
                version = w[1]
                ig.append((float(w[2]), float(w[3]), int(w[4]), int(w[5])))
            elif w[0] == "score":
                scores[int(w[1].rsplit(".", 1)[1])] = float(w[2])
            elif w[0] == "peak_kb":
                peak = max(peak, int(w[1]))
            elif w[0] == "cores":
                cores.append(float(w[1]))
    med = {t: statistics.median(r[0] for r in rs) for t, rs in runs.items()}
    print(f"{a.name}: {a.nodes} nodes, {a.edges} edges; {a.rounds} rounds, each darkpipe 1 thread,"
          f" 2 threads, then igraph; medians")
    print(f"  {'':22} {'seconds':>8} {'CPU s':>7} {'edges/s':>9}  modularity (igraph's score)  clusters")
    for t in sorted(runs):
        rs = runs[t]
        cpu = statistics.median(r[1] for r in rs)
        qs = [r[2] for r in rs]
        q = f"{min(qs):.4f}" if max(qs) - min(qs) < 5e-5 else f"{min(qs):.4f}..{max(qs):.4f}"
        s = f" ({scores[t]:.4f})" if t in scores else ""
        name = f"darkpipe {t} thread" + ("s" if t > 1 else "")
        print(f"  {name:22} {med[t]:8.3f} {cpu:7.3f} {a.edges / med[t] / 1e6:8.2f}M  {q}{s}"
              f"  {statistics.median(r[3] for r in rs):.0f}")
    if ig:
        t_ig = statistics.median(r[0] for r in ig)
        q_ig = statistics.median(r[1] for r in ig)
        print(f"  {'igraph ' + version:22} {t_ig:8.3f} {'':7} {a.edges / t_ig / 1e6:8.2f}M  {q_ig:.4f}"
              f"  {statistics.median(r[2] for r in ig):.0f}")
    elif ig_timeout:
        print(f"  igraph: stopped after {ig_timeout:.0f} s")
    print(f"  peak memory: darkpipe driver {peak / 1024:.0f} MB (graph included)"
          + (f", igraph {max(r[3] for r in ig) / 1024:.0f} MB" if ig else ""))
    if 1 in med and 2 in med:
        print(f"  speed-up 2 threads / 1 thread: {med[1] / med[2]:.2f}x"
              + (f" (CPU s: {statistics.median(r[1] for r in runs[2]) / statistics.median(r[1] for r in runs[1]):.2f}x"
                 f" one thread's; cores this run could use, by two spinning threads: "
                 f"{', '.join(f'{c:.2f}' for c in cores)})" if cores else ""))
        gap = max(abs(q2[2] - q1[2]) for q1 in runs[1] for q2 in runs[2])
        print(f"  modularity, 2 threads against 1: largest gap {gap:.5f}"
              f" (goal <= 0.002: {'met' if gap <= 0.002 else 'not met'})")
    for t in sorted(med):
        if ig:
            print(f"  ratio igraph / darkpipe {t} thread{'s' if t > 1 else ''}: {t_ig / med[t]:.1f}x;"
                  f" modularity darkpipe - igraph {statistics.median(r[2] for r in runs[t]) - q_ig:+.4f}")
        elif ig_timeout:
            print(f"  igraph / darkpipe {t} thread{'s' if t > 1 else ''}: > {ig_timeout / med[t]:.0f}x")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("igraph", "networkx"):
        s = sub.add_parser(name)
        s.add_argument("--edges", required=True)
        s.add_argument("--nodes", type=int, default=0)
        s.add_argument("--timeout", type=float, default=1800)
        s.add_argument("--score", nargs="*", default=[])
    t = sub.add_parser("table")
    t.add_argument("--results", required=True)
    t.add_argument("--name", required=True)
    t.add_argument("--nodes", type=int, required=True)
    t.add_argument("--edges", type=int, required=True)
    t.add_argument("--rounds", type=int, required=True)
    a = ap.parse_args()
    if a.cmd == "igraph":
        peer(a, igraph_worker, "igraph")
    elif a.cmd == "networkx":
        peer(a, networkx_worker, "networkx")
    else:
        table(a)


if __name__ == "__main__":
    sys.exit(main())
