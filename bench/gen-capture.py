#!/usr/bin/env python3
"""Write a synthetic Ethernet pcap of TCP connections for the observer bench.

usage: gen-capture.py FILE PACKETS

Each connection is 10 packets (ECN-setup handshake, ECT(0) data both ways,
FINs, last ACK) between documentation addresses; every fourth is IPv6.
Checksums are left zero: the observer does not check them.
"""

import struct
import sys


def ipv4(src, dst, tos, payload):
    total = 20 + len(payload)
    return struct.pack(">BBHHHBBH4s4s", 0x45, tos, total, 0, 0x4000, 64, 6,
                       0, src, dst) + payload


def ipv6(src, dst, tclass, payload):
    first = (6 << 28) | (tclass << 20)
    return struct.pack(">IHBB16s16s", first, len(payload), 6, 64, src,
                       dst) + payload


def tcp(sport, dport, seq, ack, flags, data=b""):
    return struct.pack(">HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags,
                       65535, 0, 0) + data


def main():
    path, count = sys.argv[1], int(sys.argv[2])
    eth4 = b"\x00\x00\x5e\x00\x53\x01\x00\x00\x5e\x00\x53\x02\x08\x00"
    eth6 = b"\x00\x00\x5e\x00\x53\x01\x00\x00\x5e\x00\x53\x02\x86\xdd"
    body = b"x" * 100
    with open(path, "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        written, conn, t = 0, 0, 1700000000.0
        while written < count:
            v6 = conn % 4 == 3
            host = conn % 65000
            if v6:
                c = b"\x20\x01\x0d\xb8" + bytes(10) + struct.pack(">H", host)
                s = b"\x20\x01\x0d\xb8\x00\x01" + bytes(8) + struct.pack(
                    ">H", host)
                ip, eth = ipv6, eth6
            else:
                c = bytes([192, 0, 2, 2])
                s = bytes([198, 18, host >> 8, host & 255])
                ip, eth = ipv4, eth4
            sp = 1024 + conn % 60000
            steps = [
                (c, s, sp, 80, 0, 1000, 0, 0xC2, b""),
                (s, c, 80, sp, 0, 5000, 1001, 0x52, b""),
                (c, s, sp, 80, 0, 1001, 5001, 0x10, b""),
                (c, s, sp, 80, 2, 1001, 5001, 0x18, body),
                (s, c, 80, sp, 0, 5001, 1101, 0x10, b""),
                (s, c, 80, sp, 2, 5001, 1101, 0x18, body),
                (c, s, sp, 80, 0, 1101, 5101, 0x10, b""),
                (c, s, sp, 80, 0, 1101, 5101, 0x11, b""),
                (s, c, 80, sp, 0, 5101, 1102, 0x11, b""),
                (c, s, sp, 80, 0, 1102, 5102, 0x10, b""),
            ]
            for src, dst, a, b, tos, seq, ackn, flags, data in steps:
                frame = eth + ip(src, dst, tos, tcp(a, b, seq, ackn, flags,
                                                    data))
                sec = int(t)
                out.write(struct.pack("<IIII", sec, int((t - sec) * 1e6),
                                      len(frame), len(frame)))
                out.write(frame)
                t += 0.00001
                written += 1
            conn += 1


if __name__ == "__main__":
    main()
