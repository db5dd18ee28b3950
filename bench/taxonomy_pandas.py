#!/usr/bin/python3
"""The taxonomy rules (compat: paper, docs/taxonomy.md) in pandas: the peer
that bench/taxonomy measures the taxonomy plugin against.

Reads a tab-separated tshark field extraction (the columns of NAMES below,
first occurrence of each field, ip.defragment off), writes the per-(window, source) matrix to OUT.csv and a
per-window summary (sources per pattern) to stdout as CSV, and prints the
timings on stderr as `key=value` lines.

usage: taxonomy_pandas.py FIELDS.tsv OUT.csv [window_seconds]
"""
import sys
import time

import numpy as np
import pandas as pd

N1, N2, N3, M, R = 5, 5, 15, 3.0, 0.5
FLAG_MASK = 0x3F
NAMES = ["ts", "src", "dst", "proto", "mf", "frag_off", "tsport", "tdport", "flags",
         "usport", "udport", "itype", "icode", "ip_id", "seq"]
PATTERNS = [
    "port_scan_tcp_heavy", "port_scan_tcp_light", "port_scan_udp_heavy", "port_scan_udp_light",
    "net_scan_tcp_heavy", "net_scan_tcp_light", "net_scan_udp_heavy", "net_scan_udp_light",
    "net_scan_icmp_heavy", "net_scan_icmp_light", "one_flow_tcp", "one_flow_udp",
    "backscatter_tcp", "backscatter_udp", "backscatter_icmp", "ip_fragment",
    "small_syn", "small_udp", "small_ping", "other_tcp", "other_udp", "other_icmp", "other",
]
TCP_LABELS = ["port_scan_tcp_heavy", "port_scan_tcp_light", "net_scan_tcp_heavy",
              "net_scan_tcp_light", "one_flow_tcp", "backscatter_tcp", "small_syn"]
UDP_LABELS = ["port_scan_udp_heavy", "port_scan_udp_light", "net_scan_udp_heavy",
              "net_scan_udp_light", "one_flow_udp", "backscatter_udp", "small_udp"]
ICMP_LABELS = ["net_scan_icmp_heavy", "net_scan_icmp_light", "backscatter_icmp", "small_ping"]


def read(path):
    """tshark ran with -E occurrence=f: one value per field (the outer header's)."""
    num = {c: "float64" for c in ("tsport", "tdport", "usport", "udport", "itype", "icode")}
    df = pd.read_csv(path, sep="\t", header=None, names=NAMES, usecols=NAMES[:13],
                     dtype={"ts": "float64", "src": "category", "dst": "category", "proto": "float64",
                            "mf": "float64", "frag_off": "float64", "flags": "object", **num})
    df["proto"] = df.proto.fillna(-1).astype(np.int64)
    df["frag"] = (df.mf == 1) | (df.frag_off > 0)
    flags = df["flags"].dropna()
    df["flags"] = pd.Series([int(v, 16) for v in flags], index=flags.index, dtype="float64")
    # integer codes group fastest (and categoricals would group by every combination)
    names = df.src.cat.categories
    df["src"] = df.src.cat.codes.astype(np.int64)
    df["dst"] = df.dst.cat.codes.astype(np.int64)
    return df.drop(columns=["mf", "frag_off"]), names


def per_key(g, keys, nunique_col):
    return g.groupby(keys, sort=False).agg(n=("ts", "size"), nu=(nunique_col, "nunique"),
                                           ns=("scan", "sum"))


def count(frame, name, result):
    """Number of matching keys per (win, src) into result[name]."""
    c = frame.groupby(["win", "src"]).size()
    result[name] = c


def rules(df, window):
    df["win"] = (df.ts // window).astype(np.int64)
    res = {}
    tcp = df[(df.proto == 6) & df.tdport.notna()].copy()
    fl = tcp["flags"].fillna(-1).astype(np.int64) & FLAG_MASK
    tcp["scan"] = fl.isin([0x02, 0x01, 0x11, 0x00]) & tcp["flags"].notna()
    tcp["syn"] = (fl == 0x02) & tcp["flags"].notna()
    tcp["bs"] = fl.isin([0x12, 0x10, 0x04, 0x14]) & tcp["flags"].notna()
    tcp["dport"] = tcp.tdport
    udp = df[(df.proto == 17) & df.udport.notna()].copy()
    udp["scan"] = True
    udp["dport"] = udp.udport
    icmp = df[(df.proto == 1) & df.itype.notna()]
    echo = icmp[(icmp.itype == 8) & (icmp.icode == 0)].copy()
    echo["scan"] = True

    for name, g, ratio in (("tcp", tcp, True), ("udp", udp, False)):
        a = per_key(g, ["win", "src", "dst"], "dport")
        a = a[(a.nu >= N2) & ((a.ns / a.n >= R) if ratio else True)]
        heavy = a.n / a.nu > M
        count(a[heavy].reset_index(), f"port_scan_{name}_heavy", res)
        count(a[~heavy].reset_index(), f"port_scan_{name}_light", res)
        b = per_key(g, ["win", "src", "dport"], "dst")
        b = b[(b.nu >= N1) & ((b.ns / b.n >= R) if ratio else True)]
        heavy = b.n / b.nu > M
        count(b[heavy].reset_index(), f"net_scan_{name}_heavy", res)
        count(b[~heavy].reset_index(), f"net_scan_{name}_light", res)
        f = g.groupby(["win", "src", "dst", "dport"], sort=False).size()
        count(f[f > N3].reset_index(), f"one_flow_{name}", res)

    e = echo.groupby(["win", "src"]).agg(n=("ts", "size"), nd=("dst", "nunique"))
    heavy = e.n / e.nd > M
    scan = e.nd >= N1
    res["net_scan_icmp_heavy"] = (scan & heavy)[scan & heavy].astype(np.int64)
    res["net_scan_icmp_light"] = (scan & ~heavy)[scan & ~heavy].astype(np.int64)
    small = (e.nd < N1) & (e.n <= N3)
    res["small_ping"] = small[small].astype(np.int64)

    bs_tcp = tcp[tcp.bs]
    bs_udp = udp[udp.usport.isin([53, 123, 137, 161])]
    bs_icmp = icmp[((icmp.itype == 0) & (icmp.icode == 0)) | (icmp.itype == 3)
                   | ((icmp.itype == 11) & (icmp.icode == 0))]
    for name, g in (("backscatter_tcp", bs_tcp), ("backscatter_udp", bs_udp),
                    ("backscatter_icmp", bs_icmp), ("ip_fragment", df[df.frag])):
        res[name] = (g.groupby(["win", "src"]).size() >= 1).astype(np.int64)

    for name, g in (("small_syn", tcp[tcp.syn]), ("small_udp", udp)):
        s = g.groupby(["win", "src"]).agg(n=("ts", "size"), nd=("dst", "nunique"), np_=("dport", "nunique"))
        ok = (s.nd < N1) & (s.np_ < N2) & (s.n <= N3)
        res[name] = ok[ok].astype(np.int64)

    srcs = df.groupby(["win", "src"]).agg(packets=("ts", "size"))
    mat = srcs.join(pd.DataFrame(res), how="left").fillna(0)
    for p in PATTERNS:
        if p not in mat:
            mat[p] = 0
    mat[PATTERNS] = mat[PATTERNS].astype(np.int64)
    has = pd.DataFrame({"win": df.win, "src": df.src, "tcp": df.proto == 6, "udp": df.proto == 17,
                        "icmp": df.proto == 1, "oth": ~df.proto.isin([1, 6, 17])}).groupby(["win", "src"]).max()
    mat["other_tcp"] = (has.tcp & (mat[TCP_LABELS].sum(axis=1) == 0)).astype(np.int64)
    mat["other_udp"] = (has.udp & (mat[UDP_LABELS].sum(axis=1) == 0)).astype(np.int64)
    mat["other_icmp"] = (has.icmp & (mat[ICMP_LABELS].sum(axis=1) == 0)).astype(np.int64)
    mat["other"] = has.oth.astype(np.int64)
    return mat[["packets"] + PATTERNS]


def main():
    path, out = sys.argv[1], sys.argv[2]
    window = float(sys.argv[3]) if len(sys.argv) > 3 else 3600.0
    t0, c0 = time.perf_counter(), time.process_time()
    df, names = read(path)
    t1 = time.perf_counter()
    mat = rules(df, window)
    t2 = time.perf_counter()
    mat.index = mat.index.set_levels(names[mat.index.levels[1]], level="src")
    mat.to_csv(out)
    t3, c3 = time.perf_counter(), time.process_time()
    summary = (mat[PATTERNS] > 0).groupby(level="win").sum()
    summary.index = (summary.index * window).astype(np.int64)
    summary.to_csv(sys.stdout)
    print(f"rows={len(df)}", file=sys.stderr)
    print(f"read_s={t1 - t0:.3f}", file=sys.stderr)
    print(f"rules_s={t2 - t1:.3f}", file=sys.stderr)
    print(f"write_s={t3 - t2:.3f}", file=sys.stderr)
    print(f"cpu_s={c3 - c0:.3f}", file=sys.stderr)


if __name__ == "__main__":
    main()
