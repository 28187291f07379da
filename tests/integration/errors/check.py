"""errors: FORMERR, NOTIMP, dropped responses, and ACL refusal.

usage: check.py errors|acl SHOAL_ADDR SHOAL_PORT
"""

import struct
import sys

import dnstest as t

mode, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])

RD = 0x0100
QR = 0x8000
FORMERR, NOTIMP = 1, 4
QUESTION = (b"\x03www\x03err\x04test\x00" + struct.pack("!HH", 1, 1))


def delta(before, after, name):
    return after[name] - before[name]


def rcode_name(r):
    return {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 4: "NOTIMP"}.get(
        r, str(r))


def errors():
    c0 = t.counters()
    s0 = t.servers()["nsd"]

    # Two questions: FORMERR, over UDP and over TCP.
    q = t.raw_header(0x1111, RD, qd=2) + QUESTION + QUESTION
    for label, send in (("UDP", t.udp), ("TCP", t.tcp)):
        a = send(q, addr, port, timeout=2)
        t.check(a is not None and t.msgid(a) == 0x1111 and
                t.flags(a) & QR and t.rcode(a) == FORMERR,
                "QDCOUNT=2 over %s: FORMERR (%s)" %
                (label, "none" if a is None else rcode_name(t.rcode(a))))

    # Opcode 2 (STATUS): NOTIMP.
    q = t.raw_header(0x2222, (2 << 11) | RD, qd=1) + QUESTION
    a = t.udp(q, addr, port, timeout=2)
    t.check(a is not None and t.msgid(a) == 0x2222 and
            t.rcode(a) == NOTIMP and (t.flags(a) >> 11) & 0xF == 2,
            "opcode STATUS: NOTIMP with the opcode kept")

    # No question at all: shoald answers FORMERR (a NOTIMP would do too).
    q = t.raw_header(0x3333, RD, qd=0)
    a = t.udp(q, addr, port, timeout=2)
    got = None if a is None else t.rcode(a)
    print("QDCOUNT=0 is answered %s" %
          ("nothing" if got is None else rcode_name(got)))
    t.check(got == FORMERR, "QDCOUNT=0: FORMERR")

    # A response sent to shoald: dropped without an answer.
    q = t.raw_header(0x4444, QR | RD | 0x80, qd=1, an=0) + QUESTION
    a = t.udp(q, addr, port, timeout=1)
    t.check(a is None, "a response (QR=1) gets no answer")

    c1 = t.counters()
    s1 = t.servers()["nsd"]
    t.check(delta(c0, c1, "formerr") == 3,
            "formerr counted 3 (%d)" % delta(c0, c1, "formerr"))
    t.check(delta(c0, c1, "notimp") == 1,
            "notimp counted 1 (%d)" % delta(c0, c1, "notimp"))
    t.check(delta(c0, c1, "garbage_drops") == 1,
            "garbage_drops counted 1 (%d)" % delta(c0, c1, "garbage_drops"))
    t.check(delta(c0, c1, "forwarded") == 0 and
            s1["queries"] == s0["queries"],
            "none of them was forwarded (%d)" % delta(c0, c1, "forwarded"))
    t.check(delta(c0, c1, "queries") == 5,
            "5 queries counted (%d)" % delta(c0, c1, "queries"))

    # And a good query is.
    a = t.udp(t.query("www.err.test.", "A"), addr, port, timeout=2)
    t.check(a is not None and t.rcode(a) == 0, "a good query: NOERROR")
    c2 = t.counters()
    t.check(delta(c1, c2, "forwarded") == 1, "a good query is forwarded")


def acl():
    c0 = t.counters()
    q = t.query("www.err.test.", "A")
    a = t.udp(q, addr, port, timeout=1, src="127.0.0.1")
    t.check(a is None, "UDP from 127.0.0.1: no answer within 1 s")
    a = t.tcp(q, addr, port, timeout=1, src="127.0.0.1")
    t.check(a is None, "TCP from 127.0.0.1: no answer within 1 s")
    c1 = t.counters()
    t.check(delta(c0, c1, "acl_drops") == 2,
            "acl_drops counted 2 (%d)" % delta(c0, c1, "acl_drops"))
    t.check(delta(c0, c1, "forwarded") == 0, "nothing was forwarded")
    t.check(delta(c0, c1, "responses") == 0, "nothing was answered")


{"errors": errors, "acl": acl}[mode]()
t.finish()
