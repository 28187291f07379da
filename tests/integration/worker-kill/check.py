"""worker-kill: a killed worker is replaced while queries go on.

usage: check.py SHOAL_ADDR SHOAL_PORT
"""

import os
import signal
import sys
import threading
import time

import dnstest as t

addr, port = sys.argv[1], int(sys.argv[2])
MAX_LOST = 5


def ready_workers():
    return {w["slot"]: w for w in t.workers() if w["state"] == "ready"}


class Stream(threading.Thread):
    """About 100 queries a second, each from a new source port (so the
    kernel spreads them over both workers), until stopped."""

    def __init__(self):
        super().__init__(daemon=True)
        self.stop = threading.Event()
        self.sent = self.answered = 0
        self.lost_at = []

    def run(self):
        start = time.monotonic()
        while not self.stop.is_set() and time.monotonic() - start < 15:
            q = t.query("s%d.wk.test." % self.sent, "A")
            a = t.udp(q, addr, port, timeout=1)
            self.sent += 1
            if a is not None and t.rcode(a) == 0:
                self.answered += 1
            else:
                self.lost_at.append(round(time.monotonic() - start, 2))
            time.sleep(0.01)


w0 = ready_workers()
t.check(sorted(w0) == ["0", "1"], "two workers ready")
t.check(w0["0"]["cpu"] == "0" and w0["1"]["cpu"] == "1",
        "worker 0 on CPU 0, worker 1 on CPU 1")
victim = w0["1"]

s = Stream()
s.start()
time.sleep(1)
before = s.answered
t.check(before > 20, "the stream is answered before the kill (%d)" % before)
print("kill -9 worker 1, pid %s" % victim["pid"], flush=True)
os.kill(int(victim["pid"]), signal.SIGKILL)
killed_at = time.monotonic()

new = None
while time.monotonic() - killed_at < 5:
    w = ready_workers()
    if "1" in w and w["1"]["pid"] != victim["pid"]:
        new = w["1"]
        break
    time.sleep(0.05)
t.check(new is not None, "worker 1 is back within 5 s")
if new is not None:
    print("worker 1 back after %.2f s as pid %s" %
          (time.monotonic() - killed_at, new["pid"]), flush=True)
    t.check(new["restarts"] == "1", "worker 1 restarted once")
    t.check(new["cpu"] == victim["cpu"], "worker 1 kept CPU %s" %
            victim["cpu"])
    w = ready_workers()
    t.check(w["0"]["pid"] == w0["0"]["pid"] and w["0"]["restarts"] == "0",
            "worker 0 was not touched")
time.sleep(1.5)
s.stop.set()
s.join(5)
lost = s.sent - s.answered
print("stream: %d sent, %d answered, %d lost (at %s s)" %
      (s.sent, s.answered, lost, s.lost_at), flush=True)
t.check(s.answered - before > 50, "the stream went on being answered")
t.check(lost <= MAX_LOST, "at most %d queries lost (%d)" % (MAX_LOST, lost))

# Both workers answer again: spread queries over many source ports.
q0 = {k: int(v["queries"]) for k, v in ready_workers().items()}
wires = [t.query("after%d.wk.test." % i, "A") for i in range(200)]
got = t.udp_blast(wires, addr, port, window=16, timeout=1, fresh_ports=32)
t.check(len(got) == 200, "200 queries after the restart answered (%d)" %
        len(got))
q1 = {k: int(v["queries"]) for k, v in ready_workers().items()}
for k in ("0", "1"):
    t.check(q1.get(k, 0) > q0.get(k, 0),
            "worker %s took queries after the restart (%d)" %
            (k, q1.get(k, 0) - q0.get(k, 0)))
t.finish()
