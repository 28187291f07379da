#!/usr/bin/env python3
"""check.py - check a resolver's answers in the test world.

Usage:
  check.py [options] EXPECTED ADDR:PORT
      Ask ADDR:PORT every question of EXPECTED (expected.txt) and compare
      its answers with the expected ones: header flags (QR RD RA, no AA,
      no TC), rcode, answer section (records as sets of owner, type and
      rdata, TTLs and order ignored) and authority section (the zone's SOA
      for negative answers, empty otherwise). Every question is asked
      --passes times (2: once cold, once from the cache).
  --compare PEER:PORT
      Also ask PEER every question and compare the two resolvers' rcodes,
      answer and authority sections with each other.
  --budget SECONDS
      Stop asking after this long (50); the questions left count as
      mismatches.
  --skip TAG
      Leave out the questions marked skip=TAG (repeatable); --compare-skip
      TAG leaves them out of the comparison only.
  check.py --servers tcponly=ADDR noedns=ADDR slow=ADDR lame=ADDR
      Check the world's misbehaving servers themselves (see README.md).

Prints one line per question and, for a mismatch, a diff ("-" expected or
the peer's, "+" what the resolver sent); exits 1 on any mismatch, 2 on a
usage or parse error. Needs dnspython (python3-dnspython).
"""

import argparse
import sys
import time

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype

TIMEOUT = 8.0
# All the questions of a run get this long, so that a resolver that never
# answers fails in a minute instead of hanging the test suite.
BUDGET = 50.0
EDNS_SIZE = 1232


class Question:
    def __init__(self, lineno, qname, qtype, rcode):
        self.lineno = lineno
        self.qname = qname
        self.qtype = qtype
        self.rcode = rcode
        self.soa = None
        self.skip = set()
        self.answer = set()

    def label(self):
        return "%s %s" % (self.qname, dns.rdatatype.to_text(self.qtype))


def rr_key(name, rdtype, rd):
    """An RR as a comparable, printable tuple (case-insensitive names)."""
    text = "%s %s %s" % (name.to_text().lower(),
                         dns.rdatatype.to_text(rdtype), rd.to_text())
    return (name.canonicalize(), rdtype, rd.to_digestable()), text


def parse_expected(path):
    """Reads expected.txt into a list of Questions."""
    questions = []
    with open(path) as f:
        for lineno, line in enumerate(f, 1):
            try:
                parse_line(questions, line.rstrip("\n"))
            except (ValueError, dns.exception.DNSException) as e:
                raise SystemExit("%s:%d: %s" % (path, lineno, e)) from None
    return questions


def parse_line(questions, line):
    if not line.strip() or line.lstrip().startswith("#"):
        return
    if line[0] in " \t":
        if not questions:
            raise ValueError("a record before any question")
        owner, rdtype, rdata = line.split(None, 2)
        name = dns.name.from_text(owner)
        t = dns.rdatatype.from_text(rdtype)
        rd = dns.rdata.from_text(dns.rdataclass.IN, t, rdata,
                                 origin=dns.name.root, relativize=False)
        questions[-1].answer.add(rr_key(name, t, rd))
        return
    words = line.split()
    if len(words) < 3:
        raise ValueError("want QNAME QTYPE RCODE [soa=ZONE] [skip=TAG]")
    q = Question(0, dns.name.from_text(words[0]),
                 dns.rdatatype.from_text(words[1]),
                 dns.rcode.from_text(words[2]))
    for w in words[3:]:
        key, sep, value = w.partition("=")
        if key == "soa" and sep:
            q.soa = dns.name.from_text(value)
        elif key == "skip" and sep:
            q.skip.update(value.split(","))
        else:
            raise ValueError("unknown option '%s'" % w)
    questions.append(q)


def parse_server(text):
    addr, sep, port = text.rpartition(":")
    if not sep or not port.isdigit():
        raise SystemExit("check.py: want ADDR:PORT, not '%s'" % text)
    return addr, int(port)


def ask(server, q, timeout=TIMEOUT):
    """Sends q over UDP (TCP after TC=1); returns (response, error)."""
    msg = dns.message.make_query(q.qname, q.qtype, use_edns=0,
                                 payload=EDNS_SIZE)
    msg.flags |= dns.flags.RD
    try:
        resp, _ = dns.query.udp_with_fallback(msg, server[0], timeout=timeout,
                                              port=server[1])
        return resp, None
    except dns.exception.Timeout:
        return None, "no answer within %g s" % timeout
    except (OSError, dns.exception.DNSException) as e:
        return None, "query failed: %s" % e


def section_keys(section):
    keys = {}
    for rrset in section:
        for rd in rrset:
            k, text = rr_key(rrset.name, rrset.rdtype, rd)
            keys[k] = text
    return keys


def diff_sets(what, want, got):
    """Lines for the records of one section that differ."""
    lines = []
    for k in sorted(set(want) - set(got), key=lambda k: want[k]):
        lines.append("  - %s: %s" % (what, want[k]))
    for k in sorted(set(got) - set(want), key=lambda k: got[k]):
        lines.append("  + %s: %s" % (what, got[k]))
    return lines


def check_flags(resp):
    lines = []
    for flag in ("QR", "RD", "RA"):
        if not resp.flags & dns.flags.from_text(flag):
            lines.append("  flag %s is not set" % flag)
    for flag in ("AA", "TC"):
        if resp.flags & dns.flags.from_text(flag):
            lines.append("  flag %s is set" % flag)
    return lines


def check_answer(q, resp):
    """Lines describing how resp differs from the expectation."""
    lines = check_flags(resp)
    if resp.rcode() != q.rcode:
        lines.append("  rcode %s, expected %s" % (
            dns.rcode.to_text(resp.rcode()), dns.rcode.to_text(q.rcode)))
    want = dict(q.answer)
    lines += diff_sets("answer", want, section_keys(resp.answer))
    lines += check_authority(q, resp)
    return lines


def check_authority(q, resp):
    """Negative answers carry the zone's SOA, positive ones nothing."""
    lines = []
    soa = dns.rdatatype.SOA
    for rrset in resp.authority:
        if q.soa is not None and rrset.rdtype == soa and \
                rrset.name == q.soa and len(rrset) == 1:
            continue
        for rd in rrset:
            lines.append("  + authority: %s" %
                         rr_key(rrset.name, rrset.rdtype, rd)[1])
    if q.soa is not None and not any(
            r.rdtype == soa and r.name == q.soa for r in resp.authority):
        lines.append("  - authority: %s SOA" % q.soa)
    return lines


def compare(resp, peer):
    """Lines describing how two resolvers' answers differ."""
    lines = []
    if resp.rcode() != peer.rcode():
        lines.append("  rcode %s, peer %s" % (
            dns.rcode.to_text(resp.rcode()), dns.rcode.to_text(peer.rcode())))
    lines += diff_sets("answer", section_keys(peer.answer),
                       section_keys(resp.answer))
    lines += diff_sets("authority", section_keys(peer.authority),
                       section_keys(resp.authority))
    return lines


def report(status, label, elapsed, lines):
    print("%-4s %-32s %6.2fs" % (status, label, elapsed))
    for line in lines:
        print(line)
    sys.stdout.flush()


def run_pass(args, questions, server, peer, npass, deadline):
    """Asks every question once; returns the number of mismatches."""
    bad = 0
    print("# pass %d: %s%s" % (npass, args.server,
                               " against " + args.compare if peer else ""))
    for q in questions:
        if q.skip & set(args.skip):
            report("skip", q.label(), 0.0, [])
            continue
        start = time.monotonic()
        if start > deadline:
            report("FAIL", q.label(), 0.0,
                   ["  not asked: the run took over %g s" % args.budget])
            bad += 1
            continue
        resp, err = ask(server, q)
        elapsed = time.monotonic() - start
        lines = ["  " + err] if err else check_answer(q, resp)
        if peer is not None and not q.skip & set(args.compare_skip):
            presp, perr = ask(peer, q)
            if perr:
                lines.append("  peer: %s" % perr)
            elif resp is not None:
                diff = compare(resp, presp)
                if diff:
                    lines += ["  peer %s differs:" % args.compare] + diff
        report("FAIL" if lines else "ok", q.label(), elapsed, lines)
        bad += 1 if lines else 0
    return bad


def probe(addr, qname, qtype, use_edns, tcp=False, timeout=2.0):
    """One non-recursive question to a world server: (response, seconds)."""
    msg = dns.message.make_query(qname, qtype, use_edns=0 if use_edns else
                                 False, payload=EDNS_SIZE)
    msg.flags &= ~dns.flags.RD
    start = time.monotonic()
    try:
        if tcp:
            resp = dns.query.tcp(msg, addr, timeout=timeout)
        else:
            resp = dns.query.udp(msg, addr, timeout=timeout)
    except dns.exception.Timeout:
        resp = None
    return resp, time.monotonic() - start


def has_a(resp, want):
    return resp is not None and any(
        rrset.rdtype == dns.rdatatype.A and str(rd) == want
        for rrset in resp.answer for rd in rrset)


def check_servers(specs):
    """Checks the misbehaving servers directly; returns mismatches."""
    addrs = dict(s.split("=", 1) for s in specs if "=" in s)
    for name in ("tcponly", "noedns", "slow", "lame"):
        if name not in addrs:
            raise SystemExit("check.py: --servers needs %s=ADDR" % name)
    checks = []
    a = addrs["tcponly"]
    r, _ = probe(a, "www.tcponly.test.", "A", True)
    checks.append(("tcponly: UDP answer has TC=1 and no records",
                   r is not None and r.flags & dns.flags.TC and not r.answer))
    r, _ = probe(a, "www.tcponly.test.", "A", True, tcp=True)
    checks.append(("tcponly: TCP answer", has_a(r, "192.0.2.80")))
    a = addrs["noedns"]
    r, _ = probe(a, "www.noedns.test.", "A", True, timeout=1.0)
    checks.append(("noedns: no answer to an EDNS query", r is None))
    r, _ = probe(a, "www.noedns.test.", "A", False)
    checks.append(("noedns: answer to a plain query",
                   has_a(r, "192.0.2.81") and r.edns < 0))
    r, t = probe(addrs["slow"], "www.slow.test.", "A", True)
    checks.append(("slow: answer after 0.7-1.5 s (%.2f s)" % t,
                   has_a(r, "192.0.2.82") and 0.7 <= t <= 1.5))
    r, _ = probe(addrs["lame"], "www.lame1.test.", "A", True)
    checks.append(("lame: REFUSED", r is not None and
                   r.rcode() == dns.rcode.REFUSED))
    bad = 0
    for what, ok in checks:
        print("%-4s %s" % ("ok" if ok else "FAIL", what))
        bad += 0 if ok else 1
    return bad


def main():
    p = argparse.ArgumentParser(
        description="check a resolver's answers in the test world")
    p.add_argument("--compare", metavar="PEER:PORT")
    p.add_argument("--skip", action="append", default=[], metavar="TAG")
    p.add_argument("--compare-skip", action="append", default=[],
                   metavar="TAG")
    p.add_argument("--passes", type=int, default=2, choices=range(1, 4))
    p.add_argument("--budget", type=float, default=BUDGET, metavar="SECONDS")
    p.add_argument("--servers", nargs="+", metavar="NAME=ADDR")
    p.add_argument("expected", nargs="?")
    p.add_argument("server", nargs="?", metavar="ADDR:PORT")
    args = p.parse_args()
    if args.servers:
        bad = check_servers(args.servers)
    else:
        if args.server is None:
            p.error("EXPECTED and ADDR:PORT are needed")
        questions = parse_expected(args.expected)
        server = parse_server(args.server)
        peer = parse_server(args.compare) if args.compare else None
        bad = 0
        deadline = time.monotonic() + args.budget
        for n in range(1, args.passes + 1):
            bad += run_pass(args, questions, server, peer, n, deadline)
    print("# %s" % ("%d mismatches" % bad if bad else "all as expected"))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
