"""dnstest: the Python half of shoal's integration test kit.

Raw wire queries over UDP and TCP with time-outs, answer comparison apart
from the ID, TCP pipelining with the order answers arrive in, a windowed
UDP sender, shoalctl's tables as dicts, and a tiny threaded DNS responder
(UDP and TCP) that can delay the answers for some names and counts the
queries per name: the "deliberately slow backend".

Needs python3-dnspython (Debian). Run as a program it starts a responder:
    python3 dnstest.py responder ADDR PORT [--delay NAME=SECONDS]...
        [--counts FILE]
and serves until SIGTERM; FILE holds "name count" lines, rewritten after
every query. Or it sends many UDP queries and reports the answers:
    python3 dnstest.py blast ADDR PORT [--count N] [--name FMT] ...
"""

import argparse
import os
import random
import select
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

import dns.edns
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype
import dns.rrset

__all__ = [
    "query", "raw_header", "msgid", "flags", "rcode", "udp", "tcp",
    "same_but_id", "tcp_pipeline", "udp_blast", "Responder", "ctl",
    "counters", "servers", "workers", "fail", "check",
]

# --------------------------------------------------------------------------
# Building and reading messages
# --------------------------------------------------------------------------


def query(name, rdtype="A", edns=False, dnssec=False, payload=1232,
          qid=None, rd=True):
    """A query in wire form: no EDNS unless edns or dnssec is set."""
    q = dns.message.make_query(
        name, rdtype, use_edns=0 if (edns or dnssec) else False,
        want_dnssec=dnssec, payload=payload)
    q.id = random.randrange(1, 65536) if qid is None else qid
    if not rd:
        q.flags &= ~dns.flags.RD
    return q.to_wire()


def raw_header(qid, flags_word, qd=0, an=0, ns=0, ar=0):
    """Twelve header bytes, any values: for malformed packets."""
    return struct.pack("!6H", qid, flags_word, qd, an, ns, ar)


def msgid(wire):
    return struct.unpack("!H", wire[:2])[0]


def flags(wire):
    return struct.unpack("!H", wire[2:4])[0]


def rcode(wire):
    """The header's RCODE (no extended bits)."""
    return flags(wire) & 0xF


def same_but_id(a, b):
    """(True, "") when a and b are equal apart from their first two
    bytes, else (False, a description of the first difference)."""
    if a is None or b is None:
        return False, "no answer (%s)" % ("first" if a is None else
                                         "second")
    if len(a) != len(b):
        return False, "lengths differ: %d and %d" % (len(a), len(b))
    for i in range(2, len(a)):
        if a[i] != b[i]:
            return False, "first difference at byte %d: %#x and %#x" % (
                i, a[i], b[i])
    return True, ""


# --------------------------------------------------------------------------
# Sending
# --------------------------------------------------------------------------


def _family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def udp(wire, addr, port, timeout=2.0, src=None):
    """Sends one datagram; the first answer with the query's ID, or None
    after timeout seconds."""
    s = socket.socket(_family(addr), socket.SOCK_DGRAM)
    try:
        if src is not None:
            s.bind((src, 0))
        s.sendto(wire, (addr, port))
        deadline = time.monotonic() + timeout
        want = wire[:2]
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            s.settimeout(left)
            try:
                data = s.recv(65535)
            except socket.timeout:
                return None
            if data[:2] == want:
                return data
    finally:
        s.close()


def _recv_exact(s, n, deadline):
    buf = b""
    while len(buf) < n:
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        s.settimeout(left)
        try:
            chunk = s.recv(n - len(buf))
        except (socket.timeout, ConnectionError):
            return None
        if not chunk:
            return None
        buf += chunk
    return buf


def _tcp_read_msg(s, deadline):
    hdr = _recv_exact(s, 2, deadline)
    if hdr is None:
        return None
    return _recv_exact(s, struct.unpack("!H", hdr)[0], deadline)


def tcp_connect(addr, port, timeout=2.0, src=None):
    s = socket.socket(_family(addr), socket.SOCK_STREAM)
    s.settimeout(timeout)
    if src is not None:
        s.bind((src, 0))
    s.connect((addr, port))
    return s


def tcp(wire, addr, port, timeout=2.0, src=None):
    """One query on a fresh TCP connection; its answer or None."""
    try:
        s = tcp_connect(addr, port, timeout, src)
    except OSError:
        return None
    try:
        deadline = time.monotonic() + timeout
        s.sendall(struct.pack("!H", len(wire)) + wire)
        return _tcp_read_msg(s, deadline)
    except OSError:
        return None
    finally:
        s.close()


def tcp_pipeline(wires, addr, port, timeout=5.0):
    """Sends every query on one TCP connection at once, then reads
    answers until each has one or timeout seconds pass. Returns the
    answers in the order they arrived (each with its arrival time, in
    seconds after the send)."""
    s = tcp_connect(addr, port, timeout)
    out = []
    try:
        start = time.monotonic()
        s.sendall(b"".join(struct.pack("!H", len(w)) + w for w in wires))
        deadline = start + timeout
        while len(out) < len(wires):
            m = _tcp_read_msg(s, deadline)
            if m is None:
                break
            out.append((m, time.monotonic() - start))
    finally:
        s.close()
    return out


def udp_blast(wires, addr, port, window=32, timeout=2.0, fresh_ports=0):
    """Sends the queries over UDP with at most window of them waiting for
    an answer; a query unanswered for timeout seconds is given up.
    fresh_ports > 0 spreads the queries over that many source sockets (so
    SO_REUSEPORT spreads them over workers). Returns {index: answer}."""
    nsock = max(1, fresh_ports)
    socks = [socket.socket(_family(addr), socket.SOCK_DGRAM)
             for _ in range(nsock)]
    for s in socks:
        s.setblocking(False)
    answers = {}
    pending = {}           # (sock index, id) -> (query index, sent at)
    nxt = 0
    try:
        while nxt < len(wires) or pending:
            now = time.monotonic()
            while nxt < len(wires) and len(pending) < window:
                k = nxt % nsock
                key = (k, msgid(wires[nxt]))
                if key in pending:
                    break
                socks[k].sendto(wires[nxt], (addr, port))
                pending[key] = (nxt, now)
                nxt += 1
            for key, (i, t) in list(pending.items()):
                if now - t > timeout:
                    del pending[key]
            if not pending:
                continue
            ready, _, _ = select.select(socks, [], [], 0.05)
            for s in ready:
                k = socks.index(s)
                while True:
                    try:
                        data = s.recv(65535)
                    except BlockingIOError:
                        break
                    if len(data) < 2:
                        continue
                    key = (k, msgid(data))
                    if key in pending:
                        answers[pending.pop(key)[0]] = data
    finally:
        for s in socks:
            s.close()
    return answers


# --------------------------------------------------------------------------
# shoalctl
# --------------------------------------------------------------------------


def ctl(*args):
    """shoalctl's output for one command, against $CTLSOCK."""
    r = subprocess.run([os.environ["SHOALCTL"], "-s", os.environ["CTLSOCK"]]
                       + list(args), capture_output=True, text=True,
                       timeout=20)
    if r.returncode != 0:
        raise RuntimeError("shoalctl %s: %s" % (" ".join(args),
                                                 r.stderr.strip()))
    return r.stdout


def counters():
    """`shoalctl counters` as {name: int}."""
    out = {}
    for line in ctl("counters").splitlines():
        k, v = line.split()
        out[k] = int(v)
    return out


def _table(text):
    lines = text.splitlines()
    cols = lines[0].split()
    return [dict(zip(cols, line.split())) for line in lines[1:]]


def servers():
    """`shoalctl servers` as {name: {column: text}}."""
    return {r["name"]: r for r in _table(ctl("servers"))}


def workers():
    """`shoalctl workers` as a list of {column: text}, one per worker
    process the master knows (dead ones included)."""
    return _table(ctl("workers"))


# --------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------

_failures = []


def check(ok, what):
    """Records one assertion; prints it either way."""
    print("%s: %s" % ("ok" if ok else "FAIL", what), flush=True)
    if not ok:
        _failures.append(what)
    return ok


def fail(what):
    check(False, what)


def finish():
    """Exit status of a check script: 1 if any check failed."""
    if _failures:
        print("%d check(s) failed" % len(_failures), flush=True)
        sys.exit(1)
    sys.exit(0)


# --------------------------------------------------------------------------
# The responder
# --------------------------------------------------------------------------


class Responder:
    """A tiny authoritative-ish server on addr:port, UDP and TCP, each
    query answered in its own thread when delayed. Names are compared in
    lower case with the final dot ("slow.test.").

    A gets 192.0.2.1, AAAA gets 2001:db8::1, TXT gets the qname, any other
    type an empty NOERROR answer. delays maps a name to the seconds its
    answer waits. counts maps a name to the queries seen for it."""

    def __init__(self, addr, port, delays=None, counts_file=None):
        self.addr = addr
        self.port = port
        self.delays = {k.lower(): v for k, v in (delays or {}).items()}
        self.counts = {}
        self.counts_file = counts_file
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = []
        fam = _family(addr)
        self.usock = socket.socket(fam, socket.SOCK_DGRAM)
        self.usock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.usock.bind((addr, port))
        self.tsock = socket.socket(fam, socket.SOCK_STREAM)
        self.tsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.tsock.bind((addr, port))
        self.tsock.listen(64)

    def start(self):
        for fn in (self._udp_loop, self._tcp_loop):
            t = threading.Thread(target=fn, daemon=True)
            t.start()
            self._threads.append(t)
        return self

    def stop(self):
        self._stop.set()
        for s in (self.usock, self.tsock):
            try:
                s.close()
            except OSError:
                pass

    def count(self, name):
        with self._lock:
            return self.counts.get(name.lower(), 0)

    def _note(self, name):
        with self._lock:
            self.counts[name] = self.counts.get(name, 0) + 1
            if self.counts_file is None:
                return
            tmp = self.counts_file + ".tmp"
            with open(tmp, "w") as f:
                for k in sorted(self.counts):
                    f.write("%s %d\n" % (k, self.counts[k]))
            os.replace(tmp, self.counts_file)

    def _answer(self, wire):
        try:
            q = dns.message.from_wire(wire)
        except Exception:
            return None, None
        if not q.question:
            return None, None
        qn = q.question[0].name
        qt = q.question[0].rdtype
        name = qn.to_text().lower()
        r = dns.message.make_response(q)
        r.flags |= dns.flags.AA
        if qt == dns.rdatatype.A:
            r.answer.append(dns.rrset.from_text(qn, 60, "IN", "A",
                                                "192.0.2.1"))
        elif qt == dns.rdatatype.AAAA:
            r.answer.append(dns.rrset.from_text(qn, 60, "IN", "AAAA",
                                                "2001:db8::1"))
        elif qt == dns.rdatatype.TXT:
            r.answer.append(dns.rrset.from_text(qn, 60, "IN", "TXT",
                                                '"%s"' % name))
        self._note(name)
        return r.to_wire(), self.delays.get(name, 0)

    def _udp_loop(self):
        while not self._stop.is_set():
            try:
                wire, peer = self.usock.recvfrom(65535)
            except OSError:
                return
            ans, delay = self._answer(wire)
            if ans is None:
                continue
            if delay:
                threading.Timer(delay, self._udp_send,
                                (ans, peer)).start()
            else:
                self._udp_send(ans, peer)

    def _udp_send(self, ans, peer):
        try:
            self.usock.sendto(ans, peer)
        except OSError:
            pass

    def _tcp_loop(self):
        while not self._stop.is_set():
            try:
                c, _ = self.tsock.accept()
            except OSError:
                return
            threading.Thread(target=self._tcp_conn, args=(c,),
                             daemon=True).start()

    def _tcp_conn(self, c):
        wlock = threading.Lock()
        timers = []
        try:
            while not self._stop.is_set():
                m = _tcp_read_msg(c, time.monotonic() + 30)
                if m is None:
                    break
                ans, delay = self._answer(m)
                if ans is None:
                    continue
                if delay:
                    t = threading.Timer(delay, self._tcp_send,
                                        (c, wlock, ans))
                    t.start()
                    timers.append(t)
                else:
                    self._tcp_send(c, wlock, ans)
        finally:
            for t in timers:
                t.join(5)
            c.close()

    @staticmethod
    def _tcp_send(c, wlock, ans):
        with wlock:
            try:
                c.sendall(struct.pack("!H", len(ans)) + ans)
            except OSError:
                pass


def _blast(a):
    """The blast command: sends count queries, prints what came back,
    fails unless at least --expect of them were answered NOERROR."""
    wires = [query(a.name.replace("%d", str(i)), a.type)
             for i in range(a.count)]
    got = udp_blast(wires, a.addr, a.port, window=a.window,
                    timeout=a.timeout, fresh_ports=a.ports)
    ok = sum(1 for w in got.values() if rcode(w) == 0)
    print("blast: %d queries, %d answered, %d NOERROR" %
          (a.count, len(got), ok), flush=True)
    expect = a.count if a.expect is None else a.expect
    return 0 if ok >= expect else 1


def _main():
    ap = argparse.ArgumentParser(prog="dnstest.py")
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("blast", help="send many UDP queries")
    b.add_argument("addr")
    b.add_argument("port", type=int)
    b.add_argument("--count", type=int, default=100)
    b.add_argument("--name", default="www.test.",
                   help="qname; %%d becomes the query's number")
    b.add_argument("--type", default="A")
    b.add_argument("--window", type=int, default=32)
    b.add_argument("--timeout", type=float, default=2.0)
    b.add_argument("--ports", type=int, default=8,
                   help="source sockets to spread the queries over")
    b.add_argument("--expect", type=int,
                   help="NOERROR answers needed (default: all)")
    r = sub.add_parser("responder", help="serve until SIGTERM")
    r.add_argument("addr")
    r.add_argument("port", type=int)
    r.add_argument("--delay", action="append", default=[],
                   metavar="NAME=SECONDS")
    r.add_argument("--counts", metavar="FILE")
    a = ap.parse_args()
    if a.cmd == "blast":
        sys.exit(_blast(a))
    delays = {}
    for d in a.delay:
        n, _, s = d.partition("=")
        delays[dns.name.from_text(n).to_text().lower()] = float(s)
    resp = Responder(a.addr, a.port, delays, a.counts).start()
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    print("responder on %s port %d" % (a.addr, a.port), flush=True)
    # Bounded: a forgotten responder ends by itself after ten minutes.
    done.wait(600)
    resp.stop()


if __name__ == "__main__":
    _main()
