"""cli: queries in flight when shoald gets SIGTERM must be answered.

Sends a slow query (the responder waits a second) over UDP and over TCP,
then waits up to 4 s for both answers. usage: inflight.py ADDR PORT
"""

import sys
import threading

import dnstest as t

addr, port = sys.argv[1], int(sys.argv[2])
res = {}


def ask(label, send):
    res[label] = send(t.query("slow.cli.test.", "A"), addr, port, timeout=4)


threads = [threading.Thread(target=ask, args=a)
           for a in (("udp", t.udp), ("tcp", t.tcp))]
for th in threads:
    th.start()
for th in threads:
    th.join(6)
for label in ("udp", "tcp"):
    a = res.get(label)
    t.check(a is not None and t.rcode(a) == 0,
            "the slow query over %s was answered during the stop" % label)
t.finish()
