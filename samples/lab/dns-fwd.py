#!/usr/bin/python3
"""dns-fwd.py ADDR - a tiny authoritative-for-nothing DNS server on ADDR:53 (UDP), used
as the lab DC's DNS forwarder (Samba's `dns forwarder`). Names under fabrikam.test get
an A record 10.99.0.9; everything else NXDOMAIN. Only inside the lab namespace cdlab-fwd."""
import socket
import struct
import sys

addr = sys.argv[1]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((addr, 53))
while True:
    q, peer = s.recvfrom(4096)
    if len(q) < 12:
        continue
    qid, flags, qd = struct.unpack("!HHH", q[:6])
    # question: labels up to the zero byte, then type and class
    i, labels = 12, []
    while i < len(q) and q[i] != 0:
        n = q[i]
        labels.append(q[i + 1:i + 1 + n].decode("ascii", "replace"))
        i += 1 + n
    qend = i + 5
    name = ".".join(labels).lower()
    qtype = struct.unpack("!H", q[i + 1:i + 3])[0] if qend <= len(q) else 0
    question = q[12:qend]
    rd = flags & 0x0100
    ans = b""
    if name == "fabrikam.test" or name.endswith(".fabrikam.test"):
        rcode, an = 0, 0
        if qtype == 1:
            ans = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 300, 4) + socket.inet_aton("10.99.0.9")
            an = 1
    else:
        rcode, an = 3, 0
    hdr = struct.pack("!HHHHHH", qid, 0x8000 | 0x0400 | rd | 0x0080 | rcode, 1, an, 0, 0)
    s.sendto(hdr + question + ans, peer)
    print(f"{peer[0]} {name} type {qtype} -> rcode {rcode}", flush=True)
