"""tcp-ooo: out-of-order answers on one TCP connection.

usage: check.py SHOAL_ADDR SHOAL_PORT
"""

import sys

import dns.message

import dnstest as t

addr, port = sys.argv[1], int(sys.argv[2])


def qname_of(wire):
    return dns.message.from_wire(wire).question[0].name.to_text().lower()


# One slow query, then five fast ones, all written at once.
names = ["slow.test."] + ["fast%d.test." % i for i in range(5)]
wires = [t.query(n, "A", qid=1000 + i) for i, n in enumerate(names)]
got = t.tcp_pipeline(wires, addr, port, timeout=5)
t.check(len(got) == len(wires), "%d of %d answers arrived" %
        (len(got), len(wires)))
order = [qname_of(a) for a, _ in got]
print("arrival order:", " ".join("%s@%.2fs" % (n, s)
                                 for n, (_, s) in zip(order, got)))
t.check(order[-1:] == ["slow.test."], "the slow answer arrived last")
t.check(sorted(order[:-1]) == sorted(names[1:]),
        "the fast answers arrived before it")
t.check(all(s < 0.9 for (a, s) in got if qname_of(a) != "slow.test."),
        "every fast answer took less than 0.9 s")
t.check(all(s >= 0.9 for (a, s) in got if qname_of(a) == "slow.test."),
        "the slow answer took its second")
for a, _ in got:
    i = names.index(qname_of(a))
    t.check(t.msgid(a) == 1000 + i and t.rcode(a) == 0,
            "%s came back with its ID %d, NOERROR" % (names[i], 1000 + i))

# Many pipelined queries on one connection: every one answered, once.
N = 300
names = ["q%d.many.test." % i for i in range(N)]
wires = [t.query(n, "A", qid=i + 1) for i, n in enumerate(names)]
got = t.tcp_pipeline(wires, addr, port, timeout=10)
t.check(len(got) == N, "%d of %d pipelined queries answered" %
        (len(got), N))
ids = sorted(t.msgid(a) for a, _ in got)
t.check(ids == list(range(1, N + 1)), "each ID answered exactly once")
t.check(all(qname_of(a) == names[t.msgid(a) - 1] for a, _ in got),
        "each answer is for its own question")
t.finish()
