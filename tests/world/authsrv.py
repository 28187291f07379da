#!/usr/bin/env python3
"""authsrv.py - a small authoritative server with one misbehaviour.

The test world's special servers (see README.md):

  --mode plain     answers like any authoritative server
  --mode tcponly   answers every UDP query with TC=1 and empty sections,
                   and TCP queries properly
  --mode noedns    never answers a query that carries an OPT record,
                   over UDP or TCP, and answers plain queries
  --mode slow      sends every answer --delay seconds (0.8) after the
                   query arrived

Usage: authsrv.py --addr ADDR [--port 53] --mode MODE [--delay S]
                  [--pidfile FILE] ORIGIN=ZONEFILE...

It serves the zones' data authoritatively: exact matches, CNAMEs inside
the zone, NODATA and NXDOMAIN with the SOA, REFUSED outside its zones. No
delegations, wildcards or DNAMEs: the zones it serves have none. It runs
in the foreground until SIGTERM. Needs dnspython (python3-dnspython).
"""

import argparse
import os
import socket
import struct
import sys
import threading
import time

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import dns.zone

MAX_CNAME = 8
UDP_MAX = 1232
TCP_IDLE = 10.0


def load_zones(specs):
    """Loads ORIGIN=FILE pairs into a list of (origin, zone)."""
    zones = []
    for spec in specs:
        origin, sep, path = spec.partition("=")
        if not sep or not origin or not path:
            sys.exit("authsrv: bad zone '%s' (want ORIGIN=FILE)" % spec)
        name = dns.name.from_text(origin)
        zone = dns.zone.from_file(path, origin=name, relativize=False)
        zones.append((name, zone))
    return zones


def find_zone(zones, qname):
    """Returns the (origin, zone) that is the closest enclosing zone."""
    best = None
    for origin, zone in zones:
        if qname.is_subdomain(origin):
            if best is None or len(origin) > len(best[0]):
                best = (origin, zone)
    return best


def add_soa(resp, origin, zone):
    """Puts the zone's SOA in the authority section, TTL as RFC 2308."""
    soa = zone.find_rdataset(origin, dns.rdatatype.SOA)
    ttl = min(soa.ttl, soa[0].minimum)
    rrset = dns.rrset.RRset(origin, dns.rdataclass.IN, dns.rdatatype.SOA)
    rrset.update(soa)
    rrset.ttl = ttl
    resp.authority.append(rrset)


def has_descendant(zone, name):
    """True when some node of the zone is strictly below name."""
    for node_name in zone.nodes:
        if node_name != name and node_name.is_subdomain(name):
            return True
    return False


def add_rrset(resp, name, rdataset):
    rrset = dns.rrset.RRset(name, rdataset.rdclass, rdataset.rdtype)
    rrset.update(rdataset)
    resp.answer.append(rrset)


def resolve_in_zone(resp, origin, zone, qname, qtype):
    """Fills resp from one zone, following CNAMEs that stay inside it."""
    name = qname
    for _ in range(MAX_CNAME):
        node = zone.get_node(name)
        if node is None:
            if not has_descendant(zone, name):
                resp.set_rcode(dns.rcode.NXDOMAIN)
            add_soa(resp, origin, zone)
            return
        rds = node.get_rdataset(dns.rdataclass.IN, qtype)
        if rds is not None:
            add_rrset(resp, name, rds)
            return
        cname = node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.CNAME)
        if cname is None:
            add_soa(resp, origin, zone)
            return
        add_rrset(resp, name, cname)
        name = cname[0].target
        if not name.is_subdomain(origin):
            return
    resp.set_rcode(dns.rcode.SERVFAIL)


def make_answer(zones, query):
    """Returns the response message for a parsed query."""
    resp = dns.message.make_response(query)
    if query.edns >= 0:
        resp.use_edns(0, payload=UDP_MAX)
    if query.opcode() != dns.opcode.QUERY or len(query.question) != 1:
        resp.set_rcode(dns.rcode.NOTIMP)
        return resp
    q = query.question[0]
    found = find_zone(zones, q.name)
    if q.rdclass != dns.rdataclass.IN or found is None:
        resp.set_rcode(dns.rcode.REFUSED)
        return resp
    resp.flags |= dns.flags.AA
    resolve_in_zone(resp, found[0], found[1], q.name, q.rdtype)
    return resp


def udp_wire(query, resp, mode):
    """Renders a UDP answer: truncated in tcponly mode or when too big."""
    if mode != "tcponly":
        limit = 512
        if query.edns >= 0:
            limit = max(512, min(query.payload, UDP_MAX))
        try:
            return resp.to_wire(max_size=limit)
        except dns.exception.TooBig:
            pass
    short = dns.message.make_response(query)
    if query.edns >= 0:
        short.use_edns(0, payload=UDP_MAX)
    short.flags |= dns.flags.TC | (resp.flags & dns.flags.AA)
    short.set_rcode(resp.rcode())
    return short.to_wire()


def parse(wire):
    try:
        return dns.message.from_wire(wire)
    except Exception:  # any malformed query is ignored
        return None


class Server:
    def __init__(self, args, zones):
        self.mode = args.mode
        self.delay = args.delay if args.mode == "slow" else 0.0
        self.zones = zones
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind((args.addr, args.port))
        self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.tcp.bind((args.addr, args.port))
        self.tcp.listen(64)

    def wanted(self, query):
        """False when the mode says the query gets no answer at all."""
        return not (self.mode == "noedns" and query.edns >= 0)

    def udp_loop(self):
        while True:
            wire, peer = self.udp.recvfrom(65535)
            query = parse(wire)
            if query is None or not self.wanted(query):
                continue
            out = udp_wire(query, make_answer(self.zones, query), self.mode)
            if self.delay > 0:
                t = threading.Timer(self.delay, self.udp.sendto, (out, peer))
                t.daemon = True
                t.start()
            else:
                self.udp.sendto(out, peer)

    def tcp_loop(self):
        while True:
            conn, _ = self.tcp.accept()
            t = threading.Thread(target=self.tcp_conn, args=(conn,))
            t.daemon = True
            t.start()

    def tcp_conn(self, conn):
        conn.settimeout(TCP_IDLE)
        try:
            while True:
                head = recv_exact(conn, 2)
                if head is None:
                    break
                wire = recv_exact(conn, struct.unpack("!H", head)[0])
                if wire is None:
                    break
                query = parse(wire)
                if query is None or not self.wanted(query):
                    continue
                out = make_answer(self.zones, query).to_wire()
                if self.delay > 0:
                    time.sleep(self.delay)
                conn.sendall(struct.pack("!H", len(out)) + out)
        except OSError:
            pass
        finally:
            conn.close()


def recv_exact(conn, n):
    """Reads exactly n bytes, or returns None at end of stream."""
    buf = b""
    while len(buf) < n:
        chunk = conn.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def main():
    p = argparse.ArgumentParser(description="test world authoritative server")
    p.add_argument("--addr", required=True)
    p.add_argument("--port", type=int, default=53)
    p.add_argument("--mode", default="plain",
                   choices=("plain", "tcponly", "noedns", "slow"))
    p.add_argument("--delay", type=float, default=0.8)
    p.add_argument("--pidfile")
    p.add_argument("zones", nargs="+", metavar="ORIGIN=ZONEFILE")
    args = p.parse_args()
    server = Server(args, load_zones(args.zones))
    if args.pidfile:
        with open(args.pidfile, "w") as f:
            f.write("%d\n" % os.getpid())
    t = threading.Thread(target=server.tcp_loop)
    t.daemon = True
    t.start()
    server.udp_loop()


if __name__ == "__main__":
    main()
