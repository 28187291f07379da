#!/usr/bin/env python3
#
# Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
#
# Captures the real packets kept in this directory. Starts NSD on a
# loopback address with shoal.test.zone, sends it queries built with
# dnspython (and relays kdig's and dig's own queries through a small UDP
# relay so that their exact bytes are kept), and writes each query and
# response as raw wire bytes: q_<name>.bin and r_<name>.bin.
#
# Usage: python3 capture.py [outdir]     (default: this script's directory)
# Needs: nsd, kdig, dig, python3-dnspython.

import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

import dns.edns
import dns.flags
import dns.message
import dns.rdataclass
import dns.rdatatype

ADDR = "127.77.3.1"
RELAY = "127.77.3.2"
PORT = 5399
HERE = os.path.dirname(os.path.abspath(__file__))

NSD_CONF = """server:
	ip-address: {addr}@{port}
	port: {port}
	username: ""
	chroot: ""
	zonesdir: "{tmp}"
	pidfile: "{tmp}/nsd.pid"
	database: ""
	zonelistfile: "{tmp}/zone.list"
	xfrdfile: "{tmp}/xfrd.state"
	xfrdir: "{tmp}"
	logfile: "{tmp}/nsd.log"
	server-count: 1
	verbosity: 1
	hide-version: yes
	minimal-responses: no
remote-control:
	control-enable: no
zone:
	name: shoal.test
	zonefile: "{zone}"
	provide-xfr: 127.0.0.0/8 NOKEY
"""


def find_nsd():
    for d in ("/usr/sbin", "/sbin", "/usr/local/sbin"):
        p = os.path.join(d, "nsd")
        if os.access(p, os.X_OK):
            return p
    return shutil.which("nsd")


def nsd_start(tmp):
    conf = os.path.join(tmp, "nsd.conf")
    with open(conf, "w") as f:
        f.write(NSD_CONF.format(addr=ADDR, port=PORT, tmp=tmp,
                                zone=os.path.join(HERE, "shoal.test.zone")))
    proc = subprocess.Popen([find_nsd(), "-d", "-c", conf])
    probe = dns.message.make_query("shoal.test.", "SOA").to_wire()
    for _ in range(50):
        try:
            udp(probe, timeout=0.2)
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    sys.exit("nsd did not answer")


def udp(wire, addr=ADDR, timeout=2.0):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        s.sendto(wire, (addr, PORT))
        return s.recv(65535)


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise OSError("connection closed")
        buf += chunk
    return buf


def tcp_first(wire):
    with socket.create_connection((ADDR, PORT), timeout=2.0) as s:
        s.sendall(struct.pack("!H", len(wire)) + wire)
        (n,) = struct.unpack("!H", recv_exact(s, 2))
        return recv_exact(s, n)


def save(outdir, name, query, response):
    for prefix, data in (("q", query), ("r", response)):
        with open(os.path.join(outdir, f"{prefix}_{name}.bin"), "wb") as f:
            f.write(data)
    print(f"{name}: query {len(query)} bytes, response {len(response)} bytes")


def query(qname, qtype, qid, edns=False, **kw):
    if edns:
        kw.setdefault("payload", 1232)
    q = dns.message.make_query(qname, qtype, use_edns=0 if edns else False,
                               **kw)
    q.id = qid
    return q.to_wire()


def relay_client(argv):
    """Runs a client against a one-shot relay; returns its query, answer."""
    got = {}
    srv = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    srv.bind((RELAY, PORT))
    srv.settimeout(5.0)

    def serve():
        q, peer = srv.recvfrom(65535)
        r = udp(q)
        srv.sendto(r, peer)
        got["q"], got["r"] = q, r

    t = threading.Thread(target=serve)
    t.start()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, timeout=10)
    t.join()
    srv.close()
    return got["q"], got["r"]


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else HERE
    tmp = tempfile.mkdtemp(prefix="shoal-capture-")
    proc = nsd_start(tmp)
    try:
        cases = [
            ("plain", query("www.shoal.test.", "A", 0x1001)),
            ("ns_glue", query("shoal.test.", "NS", 0x1002)),
            ("nxdomain", query("nope.shoal.test.", "A", 0x1003,
                               edns=True)),
            ("trunc", query("big.shoal.test.", "A", 0x1004)),
            ("txt", query("txt.shoal.test.", "TXT", 0x1005)),
            ("mx", query("shoal.test.", "MX", 0x1006)),
            ("srv", query("_sip._udp.shoal.test.", "SRV", 0x1007)),
            ("naptr", query("naptr.shoal.test.", "NAPTR", 0x1008)),
            ("ptr", query("80.2.0.192.in-addr.shoal.test.", "PTR",
                          0x1009)),
            ("cname_case", query("wWw2.sHoAl.TeSt.", "A", 0x100a)),
            ("soa", query("shoal.test.", "SOA", 0x100b, edns=True,
                          want_dnssec=True)),
            ("referral", query("host.sub.shoal.test.", "A", 0x100c)),
            ("ecs_cookie", query("www.shoal.test.", "AAAA", 0x100d,
                                 edns=True, want_dnssec=True, options=[
                                     dns.edns.ECSOption("192.0.2.0", 24),
                                     dns.edns.GenericOption(
                                         10, bytes.fromhex(
                                             "0102030405060708"))])),
        ]
        for name, q in cases:
            save(outdir, name, q, udp(q))
        big = query("big.shoal.test.", "A", 0x100e)
        save(outdir, "big_tcp", big, tcp_first(big))
        axfr = query("shoal.test.", "AXFR", 0x100f)
        save(outdir, "axfr", axfr, tcp_first(axfr))
        save(outdir, "kdig", *relay_client([
            "kdig", "@" + RELAY, "-p", str(PORT), "+retry=0", "+timeout=2",
            "+subnet=198.51.100.0/22", "+cookie", "+nsid", "+padding=64",
            "+dnssec", "www.shoal.test", "A"]))
        save(outdir, "dig", *relay_client([
            "dig", "@" + RELAY, "-p", str(PORT), "+tries=1", "+time=2",
            "+cookie", "www.shoal.test", "AAAA"]))
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
