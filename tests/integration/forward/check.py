"""forward: compares shoald's answers with NSD's, apart from the ID.

usage: check.py SHOAL_ADDR SHOAL_PORT NSD_A NSD_B NSD_PORT
"""

import sys

import dns.message

import dnstest as t

shoal, sport, nsd_a, nsd_b, nport = (sys.argv[1], int(sys.argv[2]),
                                     sys.argv[3], sys.argv[4],
                                     int(sys.argv[5]))

NAMES = [
    ("www.fwd.test.", "A"),
    ("www.fwd.test.", "AAAA"),
    ("WwW.FwD.TeSt.", "A"),             # the case is kept
    ("fwd.test.", "SOA"),
    ("fwd.test.", "NS"),
    ("fwd.test.", "MX"),                # additional section
    ("fwd.test.", "TXT"),
    ("multi.fwd.test.", "TXT"),         # several strings
    ("alias.fwd.test.", "A"),           # CNAME
    ("chain.fwd.test.", "AAAA"),        # CNAME to a CNAME
    ("host.sub.fwd.test.", "A"),        # referral with glue
    ("anything.wild.fwd.test.", "A"),   # wildcard
    ("a.b.wild.fwd.test.", "TXT"),
    ("nope.fwd.test.", "A"),            # NXDOMAIN
    ("www.fwd.test.", "MX"),            # NODATA
    ("big.fwd.test.", "TXT"),           # large
]

# (label, transport, query options)
MODES = [
    ("udp", t.udp, {}),
    ("udp+edns+do", t.udp, {"dnssec": True, "payload": 4096}),
    ("tcp", t.tcp, {}),
    ("tcp+edns", t.tcp, {"edns": True}),
]

for name, rdtype in NAMES:
    for label, send, opts in MODES:
        q = t.query(name, rdtype, **opts)
        ref = send(q, nsd_a, nport, timeout=2)
        ref_b = send(q, nsd_b, nport, timeout=2)
        got = send(q, shoal, sport, timeout=2)
        what = "%s %s over %s" % (name, rdtype, label)
        if not t.check(ref is not None and ref_b is not None,
                       "NSDs answer %s" % what):
            continue
        t.check(t.same_but_id(ref, ref_b)[0], "NSDs agree on %s" % what)
        if not t.check(got is not None, "shoald answers %s" % what):
            continue
        t.check(t.msgid(got) == t.msgid(q), "the ID of %s is ours" % what)
        same, why = t.same_but_id(ref, got)
        t.check(same, "%s equals NSD's answer %s" % (what, why))

# The rcodes the comparisons above rely on.
nx = t.udp(t.query("nope.fwd.test.", "A"), shoal, sport)
t.check(nx is not None and t.rcode(nx) == 3, "NXDOMAIN is NXDOMAIN")
nodata = t.udp(t.query("www.fwd.test.", "MX"), shoal, sport)
t.check(nodata is not None and t.rcode(nodata) == 0 and
        dns.message.from_wire(nodata).answer == [], "NODATA is empty")

# Truncation: 3.4 kB of TXT without EDNS sets TC, with EDNS 4096 does not.
TC = 0x0200
small = t.udp(t.query("big.fwd.test.", "TXT"), shoal, sport)
t.check(small is not None and t.flags(small) & TC,
        "the large answer over UDP without EDNS has TC set")
large = t.udp(t.query("big.fwd.test.", "TXT", edns=True, payload=4096),
              shoal, sport)
t.check(large is not None and not t.flags(large) & TC and len(large) > 3000,
        "the large answer over UDP with EDNS 4096 is whole")
whole = t.tcp(t.query("big.fwd.test.", "TXT"), shoal, sport)
t.check(whole is not None and len(whole) > 3000 and
        len(dns.message.from_wire(whole).answer[0]) == 16,
        "the large answer over TCP has its 16 strings")
t.finish()
