#!/usr/bin/python3
"""Regenerates the seed corpora in fuzz/corpus/<target>/ from the test
fixtures (tests/data), the shared real captures and traces (../shared/data,
cut to their first records) and hand-made frames.  Seeds stay small: a
fuzzer mutates them, it does not need whole files."""
import gzip, os, struct

top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
shared = os.environ.get("DP_SHARED_DIR", os.path.join(top, "..", "shared"))
out = os.path.join(top, "fuzz", "corpus")


def put(target, name, data):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def ip(proto, payload, frag=0, opts=b""):
    ihl = (20 + len(opts)) // 4
    h = struct.pack(">BBHHHBBH4s4s", 0x40 | ihl, 0, 20 + len(opts) + len(payload), 0x1234,
                    frag, 57, proto, 0, bytes([192, 0, 2, 1]), bytes([198, 51, 100, 7]))
    return h + opts + payload


tcp = struct.pack(">HHIIBBHHH", 40000, 23, 0xdeadbeef, 0, 5 << 4, 2, 1024, 0, 0)
udp = struct.pack(">HHHH", 5353, 53, 8, 0)
icmp = bytes([8, 0, 0, 0, 0, 1, 0, 1])
ether = bytes(range(0x10, 0x1c))
frames = {
    "tcp": ip(6, tcp), "udp": ip(17, udp), "icmp": ip(1, icmp),
    "frag": ip(6, tcp[:8], frag=0x2000), "opts": ip(17, udp, opts=b"\x94\0\0\0"),
}

def ip6(nh, payload):
    return (struct.pack(">IHBB", 0x60012345, len(payload), nh, 61)
            + bytes.fromhex("20010db8000000000000000000000001")
            + bytes.fromhex("20010db8ffff00000000000000000007") + payload)


def ext6(nh, body=6):
    return bytes([nh, (body - 6) // 8]) + bytes(body)


frames6 = {
    "tcp6": ip6(6, tcp), "udp6": ip6(17, udp), "icmp6": ip6(58, bytes([128, 0, 0, 0, 0, 1, 0, 1])),
    "ext6": ip6(0, ext6(60) + ext6(43, 14) + ext6(6) + tcp),
    "frag6": ip6(44, bytes([17, 0, 0, 1]) + struct.pack(">I", 0xabcd) + udp),
    "ah6": ip6(51, bytes([6, 2]) + bytes(14) + tcp),
}
tunnels = {
    "6in4": ip(41, frames6["tcp6"]), "4in6": ip6(4, frames["udp"]),
    "gre": ip(47, b"\x30\x00\x86\xdd" + bytes(8) + frames6["udp6"]),
    "gre-teb": ip(47, b"\x00\x00\x65\x58" + ether + b"\x08\x00" + frames["tcp"]),
    "erspan": ip(47, b"\x10\x00\x88\xbe" + bytes(12) + ether + b"\x86\xdd" + frames6["tcp6"]),
    "4in4x5": ip(4, ip(4, ip(4, ip(4, ip(4, frames["tcp"]))))),
}

# decode: first byte = index into the link-type table of fuzz-decode.c
# (1 Ethernet, 2 raw IP), second byte = DP_DECODE_TUNNEL_* flags
for name, f in frames.items():
    put("decode", "ether-" + name, bytes([1, 0]) + ether + b"\x08\x00" + f)
    put("decode", "raw-" + name, bytes([2, 0]) + f)
for name, f in frames6.items():
    put("decode", "ether-" + name, bytes([1, 0]) + ether + b"\x86\xdd" + f)
    put("decode", "raw-" + name, bytes([2, 0]) + f)
for name, f in tunnels.items():
    put("decode", "tunnel-" + name, bytes([2, 0x1f]) + f)
put("decode", "ether-qinq", bytes([1, 0]) + ether + b"\x88\xa8\0\1\x81\0\0\2\x08\x00" + frames["tcp"])
put("decode", "null-le", bytes([0, 0]) + struct.pack("<I", 2) + frames["udp"])
put("decode", "null-v6", bytes([0, 0]) + struct.pack("<I", 30) + frames6["udp6"])
put("decode", "loop-be", bytes([5, 0]) + struct.pack(">I", 2) + frames["icmp"])
put("decode", "sll", bytes([6, 0]) + b"\0\0\0\1\0\6" + bytes(8) + b"\x08\x00" + frames["tcp"])
put("decode", "sll2", bytes([7, 0]) + b"\x08\x00" + bytes(18) + frames["udp"])
put("decode", "sll2-v6", bytes([7, 0]) + b"\x86\xdd" + bytes(18) + frames6["tcp6"])

# pcap: classic pcap (both byte orders, ns magic) and pcapng, plus cuts of real captures
def pcap(frames_, link=1, magic=0xa1b2c3d4, endian="<"):
    b = struct.pack(endian + "IHHiIII", magic, 2, 4, 0, 0, 65535, link)
    for i, f in enumerate(frames_):
        b += struct.pack(endian + "IIII", 1600000000 + i, 500, len(f), len(f)) + f
    return b

eth = [ether + b"\x08\x00" + f for f in frames.values()]
put("pcap", "ether-le.pcap", pcap(eth))
put("pcap", "ether-be.pcap", pcap(eth, endian=">"))
put("pcap", "raw-ns.pcap", pcap(list(frames.values()), link=101, magic=0xa1b23c4d))
put("pcap", "sll.pcap", pcap([b"\0\0\0\1\0\6" + bytes(8) + b"\x08\x00" + frames["tcp"]], link=113))
put("pcap", "truncated.pcap", pcap(eth)[:-7])
put("pcap", "ether.pcap.gz", gzip.compress(pcap(eth[:2]), mtime=0))

def pad4(b):
    return b + bytes((-len(b)) % 4)

def block(t, body):
    body = pad4(body)
    return struct.pack("<II", t, 12 + len(body)) + body + struct.pack("<I", 12 + len(body))

ng = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
ng += block(1, struct.pack("<HHI", 1, 0, 65535))
for i, f in enumerate(eth):
    ts = (1600000000 + i) * 1000000
    ng += block(6, struct.pack("<IIIII", 0, ts >> 32, ts & 0xffffffff, len(f), len(f)) + f)
put("pcap", "ether.pcapng", ng)

# pcapng walked block by block: interfaces of several link types (Ethernet,
# raw IP with nanoseconds, LINKTYPE_IPV4 in 2^-10 s described after packets),
# blocks to skip (name resolution, statistics, custom), simple and obsolete
# packet blocks, a second section in the other byte order, an interface of
# a link type darkpipe does not decode
def ng_block(t, body, e="<"):
    body = pad4(body)
    return struct.pack(e + "II", t, 12 + len(body)) + body + struct.pack(e + "I", 12 + len(body))

def ng_section(e="<"):
    return ng_block(0x0A0D0D0A, struct.pack(e + "IHHq", 0x1A2B3C4D, 1, 0, -1), e)

def ng_iface(link, tsresol=None, e="<", tsoffset=None):
    opts = b""
    if tsresol is not None:
        opts += struct.pack(e + "HHB3x", 9, 1, tsresol)
    if tsoffset is not None:
        opts += struct.pack(e + "HHq", 14, 8, tsoffset)
    if opts:
        opts += struct.pack(e + "HH", 0, 0)
    return ng_block(1, struct.pack(e + "HHI", link, 0, 65535) + opts, e)

def ng_epb(iface, ts, f, e="<"):
    return ng_block(6, struct.pack(e + "IIIII", iface, ts >> 32, ts & 0xffffffff, len(f), len(f)) + f, e)

raw = list(frames.values())
m = ng_section() + ng_iface(1) + ng_iface(101, 9) + ng_block(4, bytes(8))
for i in range(4):
    m += ng_epb(i % 2, (1600000000 + i) * (10 ** (9 if i % 2 else 6)), raw[i] if i % 2 else eth[i])
m += ng_iface(228, 0x8a) + ng_block(5, bytes(16)) + ng_block(0x40000BAD, b"custom")
m += ng_epb(2, (1600000010 << 10), raw[0])
m += ng_block(3, struct.pack("<I", len(eth[1])) + eth[1])                     # simple packet block
m += ng_block(2, struct.pack("<HHIIII", 1, 0, 0, 0, len(raw[2]), len(raw[2])) + raw[2])   # obsolete
put("pcap", "ng-multi-link.pcapng", m)
two = ng_section() + ng_iface(1) + ng_epb(0, 1600000000 * 10 ** 6, eth[0])
two += ng_section(">") + ng_iface(101, 6, ">", tsoffset=100) + ng_epb(0, 1600000000 * 10 ** 6, raw[1], ">")
put("pcap", "ng-two-sections.pcapng", two)
put("pcap", "ng-unsupported-link.pcapng",
    ng_section() + ng_iface(147) + ng_iface(1) + ng_epb(0, 0, eth[0]) + ng_epb(1, 0, eth[1]))

def cut_pcap(path, n):
    data = open(path, "rb").read()
    if data[:4] not in (b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4"):
        return None
    e = "<" if data[:4] == b"\xd4\xc3\xb2\xa1" else ">"
    pos = 24
    for _ in range(n):
        if pos + 16 > len(data):
            break
        incl = struct.unpack(e + "I", data[pos + 8:pos + 12])[0]
        pos += 16 + incl
    return data[:pos]

realdir = os.path.join(shared, "data", "real", "pcap")
if os.path.isdir(realdir):
    for name in sorted(os.listdir(realdir)):
        c = cut_pcap(os.path.join(realdir, name), 8)
        if c:
            put("pcap", "real-" + name, c)

# text sources: the fixtures, and cuts of the shared DarkVec traces
def lines(path, n, opener=open):
    with opener(path, "rb") as f:
        return b"".join(f.readline() for _ in range(n))

for name in os.listdir(os.path.join(top, "tests", "data", "text")):
    data = open(os.path.join(top, "tests", "data", "text", name), "rb").read()
    put("tshark_fields" if name.endswith(".tsv") else "darkvec_csv", name, data)
dv = os.path.join(shared, "data", "darkvec")
if os.path.isdir(dv):
    put("darkvec_csv", "darknet01-head.csv", lines(os.path.join(dv, "darknet01_20210501.csv.gz"), 12, gzip.open))
    put("labels", "ground-truth-head.csv", lines(os.path.join(dv, "ground_truth.csv.gz"), 12, gzip.open))
    put("labels", "big-gt-head.csv", lines(os.path.join(dv, "big_gt.csv"), 12))
lab = os.path.join(shared, "data", "real", "labels", "maltrail_mass_scanner.txt")
if os.path.exists(lab):
    put("labels", "maltrail-head.txt", lines(lab, 40))
put("labels", "list.txt", b"# comment\n192.0.2.1 # censys.io\n192.0.2.2\n198.51.100.0/24 # cidr\n2001:db8::1 # v6\n")
put("labels", "csv-header.csv", b"ip,label,extra\n192.0.2.1,a,x\nsrc_ipaddr12,b,y\n192.0.2.1,c,z\n")
put("labels", "list.txt.gz", gzip.compress(b"203.0.113.9 # scan-3.shadowserver.org\n", mtime=0))

# word2vec: text and binary, with address, port and pseudonym tokens
toks = [b"192.0.2.1", b"23/tcp", b"src_ipaddr12", b"word"]
put("w2v_file", "text.w2v", b"4 3\n" + b"".join(t + b" 0.5 -1 2e-3\n" for t in toks))
put("w2v_file", "binary.w2v", b"4 3\n" + b"".join(t + b" " + struct.pack("<3f", 0.5, -1, 2e-3) + b"\n" for t in toks))
put("w2v_file", "binary-gensim.w2v", b"2 2\n" + b"".join(t + b" " + struct.pack("<2f", 1, 2) for t in toks[:2]))
put("w2v_file", "text.w2v.gz", gzip.compress(b"1 2\n10.0.0.1 1 2\n", mtime=0))

# options: first byte = option index in fuzz-options.c
opts = ["true", "-42", "18446744073709551615", "2.5e3", "a string", "/tmp/x", "text", "90s",
        "64M", "192.0.2.0/24", "a,b", "2048"]
for i, v in enumerate(opts):
    put("options", "opt-%02d" % i, bytes([i]) + v.encode())
for i, v in enumerate(["1h30m", "250ms", "2d", "1.5G", "4k", "10.0.0.1/8", "0/0", "-1s"]):
    put("options", "extra-%02d" % i, bytes([7 + i % 3]) + v.encode())

# text corpora: the shared word2vec text corpus, cut
w2v = os.path.join(shared, "data", "w2v", "lee.cor")
if os.path.exists(w2v):
    put("text_corpus", "lee-head.cor", lines(w2v, 6))
put("text_corpus", "small.txt", b"the quick brown fox\n\nJumps Over\tthe lazy dog\n  leading spaces\n")

# darkvec_corpus service maps: the shipped one and small ones
put("services", "services.txt", open(os.path.join(top, "plugins", "corpus", "services.txt"), "rb").read())
put("services", "small.txt", b"# comment\n22/tcp ssh\n137-139/udp netbios\n-/icmp icmp\n80/6 http # inline\n")

# pipelines: the bundled ones and small ones with every error class
pdir = os.path.join(top, "pipelines")
for name in sorted(os.listdir(pdir)):
    if name.endswith(".yaml"):
        put("pipeline", name, open(os.path.join(pdir, name), "rb").read())
put("pipeline", "small.yaml", b"""pipeline: t
output_dir: out
stages:
  src:
    plugin: pcap
    path: x.pcap
    batch_rows: 2048
  scan:
    plugin: taxonomy
    input: src
  out:
    plugin: csv
    input: scan.sources
    on_error: fail
    threads: 2
""")
put("pipeline", "errors.yaml", b"""pipeline: t
stages:
  a: {plugin: pcapp, path: 1}
  b: {plugin: csv, input: c.x, bogus: [1, 2]}
  c: {plugin: csv, input: b}
  c: {plugin: null}
""")

# anonymize key files (cryptopANT format c4:c6:key:pad:mac:iv): a well-formed
# one with fixed, public digits (never a real key), and its near misses
k = "000102030405060708090a0b0c0d0e0f"
pd = "".join("%02x" % (0x10 + i) for i in range(32))
iv = "f0e1d2c3b4a5968778695a4b3c2d1e0f"
put("anonymize", "good.aes", ("03:03:%s:%s::%s\n" % (k, pd, iv)).encode())
put("anonymize", "good-crlf-upper.aes", ("03:03:%s:%s:%s:\r\n" % (k.upper(), pd, "00" * 8)).encode())
put("anonymize", "short-key.aes", ("03:03:%s:%s::\n" % (k[:30], pd)).encode())
put("anonymize", "blowfish.aes", ("02:02:%s:%s::%s\n" % (k, pd, iv)).encode())
put("anonymize", "non-hex.aes", ("03:03:%sxz:%s::\n" % (k[:30], pd)).encode())
put("anonymize", "two-lines.aes", ("03:03:%s:%s::%s\n03:03\n" % (k, pd, iv)).encode())
put("anonymize", "fields.aes", b"03:03::::::\n")

# enrich: CAIDA routeviews prefix-to-AS files (prefix, length, origins):
# nested prefixes with /0 and /32, multi-origin (_) and AS-set (,) fields,
# an IPv6 line, gzip, and near misses
pfx = (b"0.0.0.0\t0\t64496\n10.0.0.0\t8\t64500\n10.1.0.0\t16\t64501\n10.1.2.0\t24\t64502_64503\n"
       b"10.1.2.128\t25\t64505,64506\n10.1.2.3\t32\t64504\n10.1.2.255\t32\t64507_64508,64509\n"
       b"192.0.2.0\t24\t4200000000\n2001:db8::\t32\t64496_64497\n")
put("enrich", "nested.pfx2as", pfx)
put("enrich", "nested.pfx2as.gz", gzip.compress(pfx, mtime=0))
put("enrich", "spaces-comments.pfx2as", b"# routeviews-rv2\n\n1.0.0.0 24  13335\n1.0.4.0\t22\t38803\n")
put("enrich", "ipv6-only.pfx2as", b"2001:db8::\t32\t64496\n2001:db8:1::\t48\t64497\n")
put("enrich", "host-bits.pfx2as", b"10.0.0.0\t8\t64500\n10.0.0.1\t8\t64500\n")
put("enrich", "bad-origin.pfx2as", b"10.0.0.0\t8\t64500_\n")
put("enrich", "big-as.pfx2as", b"10.0.0.0\t8\t4294967296\n")
put("enrich", "duplicate.pfx2as", b"10.0.0.0\t8\t64500\n10.0.0.0\t8\t64999\n")

# word2vec model files (w2v-model.c's layout, version 1): small models of
# dimension 8, one with a pseudonym and a word
def w2v_model(tokens, dim=8, day=18700, rounds=1):
    import zlib
    body = b""
    for i, t in enumerate(tokens):
        text = t.encode()
        body += struct.pack("<QqI", 10 + i, day - i, len(text)) + text
    for m in range(2):
        for i in range(len(tokens)):
            body += struct.pack("<%df" % dim, *[((i * dim + k) % 7 - 3) / (8.0 + m) for k in range(dim)])
    size = 80 + len(body) + 4
    head = b"DPW2VMDL" + struct.pack("<IIII", 1, 1, dim, 0) + struct.pack(
        "<QQQQqQQ", len(tokens), rounds, 1000, 0x9e3779b97f4a7c15, day, size, 0)
    data = head + body
    return data + struct.pack("<I", zlib.crc32(data) & 0xffffffff)


put("w2v_model", "three.dpw2v", w2v_model(["10.0.0.1", "10.0.0.2", "192.0.2.7"]))
put("w2v_model", "names.dpw2v", w2v_model(["10.0.0.3", "src_ipaddr7", "23/tcp", "hello", "2001:db8::1"]))
put("w2v_model", "empty.dpw2v", w2v_model([], rounds=0))
