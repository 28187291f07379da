"""garbage: malformed packets and streams leave shoald serving.

usage: check.py SHOAL_ADDR SHOAL_PORT
"""

import random
import socket
import struct
import sys
import time

import dnstest as t

addr, port = sys.argv[1], int(sys.argv[2])
rnd = random.Random(20261123)    # the same packets every run

RD, QR = 0x0100, 0x8000
QUESTION = b"\x03www\x04junk\x04test\x00" + struct.pack("!HH", 1, 1)


def hdr(qd=1, an=0, ns=0, ar=0, fl=RD):
    return t.raw_header(rnd.randrange(65536), fl, qd, an, ns, ar)


def rbytes(n):
    return bytes(rnd.randrange(256) for _ in range(n))


def random_packet():
    return rbytes(rnd.randrange(0, 600))


def truncated_header():
    return rbytes(rnd.randrange(0, 12))


def response():
    return hdr(fl=QR | RD | 0x80, an=1) + QUESTION + rbytes(20)


def compression_loop():
    k = rnd.randrange(3)
    if k == 0:      # a pointer to itself
        return hdr() + b"\xc0\x0c" + struct.pack("!HH", 1, 1)
    if k == 1:      # two pointers to each other
        return hdr() + b"\xc0\x0e\xc0\x0c" + struct.pack("!HH", 1, 1)
    # a label, then a pointer back to it
    return hdr() + b"\x01a\xc0\x0c" + struct.pack("!HH", 1, 1)


def long_label():
    n = rnd.randrange(64, 192)      # 0x40-0xbf: no valid label length
    return hdr() + bytes([n]) + rbytes(n) + b"\x00" + struct.pack(
        "!HH", 1, 1)


def long_name():
    name = b"".join(b"\x3f" + b"a" * 63 for _ in range(5)) + b"\x00"
    return hdr() + name + struct.pack("!HH", 1, 1)


def pointer_past_end():
    return hdr() + b"\xc3\xff" + struct.pack("!HH", 1, 1)


def counts_past_end():
    k = rnd.randrange(3)
    return hdr(an=k + 1, ns=rnd.randrange(3), ar=rnd.randrange(50)) + \
        QUESTION


def huge_rdlength():
    rr = b"\x00" + struct.pack("!HHIH", 16, 1, 60, 0xFFFF) + b"txt"
    return hdr(ar=1) + QUESTION + rr


def question_cut():
    return hdr() + QUESTION[:rnd.randrange(1, len(QUESTION))]


# (name, generator, how many, the counter each packet must raise)
UDP_KINDS = [
    ("truncated headers", truncated_header, 300, "garbage_drops"),
    ("responses (QR set)", response, 300, "garbage_drops"),
    ("compression loops", compression_loop, 300, "formerr"),
    ("labels over 63", long_label, 300, "formerr"),
    ("names over 255", long_name, 100, "formerr"),
    ("pointers past the end", pointer_past_end, 100, "formerr"),
    ("counts past the end", counts_past_end, 300, "formerr"),
    ("huge rdlengths", huge_rdlength, 300, "formerr"),
    ("questions cut short", question_cut, 200, "formerr"),
    ("random bytes", random_packet, 1000, None),
]
OUTCOMES = ("garbage_drops", "formerr", "notimp", "forwarded")

socks = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(8)]
for s in socks:
    s.setblocking(False)


def drain():
    for s in socks:
        while True:
            try:
                s.recv(65535)
            except BlockingIOError:
                break


def settle(before, n, key="queries_udp", limit=5.0):
    """Counters once key has grown by n (or limit seconds passed)."""
    deadline = time.monotonic() + limit
    while True:
        c = t.counters()
        if c[key] - before[key] >= n or time.monotonic() > deadline:
            return c
        drain()
        time.sleep(0.05)


def send_udp(packets):
    for i, p in enumerate(packets):
        socks[i % len(socks)].sendto(p, (addr, port))
        if i % 32 == 31:
            drain()
            time.sleep(0.003)


w0 = {w["slot"]: w for w in t.workers() if w["state"] == "ready"}
t.check(len(w0) == 2, "two workers ready before")
start = time.monotonic()
total = 0
for name, gen, n, ctr in UDP_KINDS:
    packets = [gen() for _ in range(n)]
    total += n
    c0 = t.counters()
    send_udp(packets)
    c1 = settle(c0, n)
    d = {k: c1[k] - c0[k] for k in OUTCOMES}
    got = c1["queries_udp"] - c0["queries_udp"]
    print("%-24s %4d sent, %4d received: %s" % (name, n, got, ", ".join(
        "%s %d" % (k, v) for k, v in d.items())), flush=True)
    t.check(got == n, "%s: all %d received" % (name, n))
    if ctr is not None:
        t.check(d[ctr] == n, "%s: %s counted each" % (name, ctr))
    t.check(sum(d.values()) == got,
            "%s: each one dropped, answered or forwarded once" % name)
drain()

# TCP: bad lengths, garbage, connections cut mid-message.
def tcp_garbage(payload, linger_rst=False):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(2)
    try:
        s.connect((addr, port))
        if payload:
            s.sendall(payload)
        if linger_rst:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                         struct.pack("ii", 1, 0))
    except OSError:
        pass
    finally:
        s.close()


c0 = t.counters()
read_errors = 0
for i in range(20):     # lengths too short for any query: hang up
    tcp_garbage(struct.pack("!H", rnd.randrange(12)) + rbytes(12))
    read_errors += 1
for i in range(20):     # a length, then less than it said, then EOF
    n = rnd.randrange(12, 65536)
    tcp_garbage(struct.pack("!H", n) + rbytes(rnd.randrange(min(n, 500))))
    read_errors += 1
for i in range(20):     # half a length prefix
    tcp_garbage(b"\x00")
    read_errors += 1
for i in range(20):     # reset in the middle of a message
    tcp_garbage(struct.pack("!H", 300) + rbytes(100), linger_rst=True)
for i in range(20):     # well framed garbage, then EOF
    p = random_packet()
    tcp_garbage(struct.pack("!H", len(p)) + p)
for i in range(20):     # a query, then gone before the answer
    q = t.query("www.junk.test.", "A")
    tcp_garbage(struct.pack("!H", len(q)) + q, linger_rst=(i % 2 == 0))
for i in range(20):     # nothing at all
    tcp_garbage(b"")
c1 = settle(c0, 140, key="tcp_closed")
print("tcp: accepted %d, closed %d, read errors %d" % tuple(
    c1[k] - c0[k] for k in ("tcp_accepted", "tcp_closed",
                            "tcp_read_errors")), flush=True)
t.check(c1["tcp_accepted"] - c0["tcp_accepted"] == 140,
        "all 140 TCP connections accepted")
t.check(c1["tcp_read_errors"] - c0["tcp_read_errors"] >= read_errors,
        "tcp_read_errors counted at least the %d bad streams" % read_errors)
print("garbage sent in %.1f s" % (time.monotonic() - start), flush=True)

# Still serving, with the same workers.
a = t.udp(t.query("www.junk.test.", "A"), addr, port, timeout=2)
t.check(a is not None and t.rcode(a) == 0, "a good query over UDP: NOERROR")
a = t.tcp(t.query("www.junk.test.", "A"), addr, port, timeout=2)
t.check(a is not None and t.rcode(a) == 0, "a good query over TCP: NOERROR")
w1 = {w["slot"]: w for w in t.workers() if w["state"] == "ready"}
for slot, w in w0.items():
    t.check(slot in w1 and w1[slot]["pid"] == w["pid"],
            "worker %s kept its pid %s" % (slot, w["pid"]))
    t.check(slot in w1 and w1[slot]["restarts"] == "0",
            "worker %s never restarted" % slot)
c = t.counters()
t.check(c["garbage_drops"] >= 600 and c["formerr"] >= 1600,
        "the counters show the drops (%d) and FORMERRs (%d)" %
        (c["garbage_drops"], c["formerr"]))
t.finish()
