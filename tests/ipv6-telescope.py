#!/usr/bin/python3
"""ipv6-telescope.py CAPTURE LABELS — a small IPv6 telescope made with scapy
for tests/test-ipv6-pipeline.sh: four groups of twelve IPv6 sources, each
group probing one service (telnet, SMB, HTTP over TCP; DNS over UDP) at
random addresses of 2001:db8:ffff::/48 over two hours, and a ground truth
naming nine sources of each group by address and the DNS group also by
its /48 (so three of its sources are labelled through the range only)."""
import random
import sys

from scapy.all import Ether, IPv6, TCP, UDP, wrpcap
random.seed(7)
groups = {"telnetbot": (23, 6), "smbworm": (445, 6), "webscan": (80, 6), "dnsprobe": (53, 17)}
pkts = []
labels = []
t0 = 1600000000.0
for gi, (name, (port, proto)) in enumerate(groups.items()):
    for s in range(12):
        src = "2001:db8:%x::%x" % (gi + 1, s + 1)
        if s < 9:
            labels.append((src, name))
        for k in range(60):
            ts = t0 + random.uniform(0, 7200)
            dst = "2001:db8:ffff::%x" % random.randint(1, 4000)
            l4 = TCP(sport=40000 + s, dport=port, flags="S") if proto == 6 else UDP(sport=40000 + s, dport=port)
            p = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") / IPv6(src=src, dst=dst) / l4
            p.time = ts
            pkts.append(p)
pkts.sort(key=lambda p: p.time)
wrpcap(sys.argv[1], pkts)
with open(sys.argv[2], "w") as f:
    f.write("ip,label\n")
    for a, l in labels:
        f.write("%s,%s\n" % (a, l))
    f.write("2001:db8:4::/48,dnsprobe\n")
