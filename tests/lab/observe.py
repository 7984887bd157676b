#!/usr/bin/python3
"""Observe one lab target the way pathprobe measures it, without pathprobe.

Runs the baseline connection A (net.ipv4.tcp_ecn=2) and the experimental
connection B (net.ipv4.tcp_ecn=1) against one address, captures the client
interface with an AF_PACKET socket, prints every packet (TCP flags, IP ECN
field) and the conditions that follow from the capture. Used to derive and
re-check tests/lab/expected.json.

Run inside the client namespace, as root:
    ip netns exec pp-client python3 tests/lab/observe.py --mode http 198.18.1.10
The sysctls it changes are restored on exit.
"""

import argparse
import json
import select
import socket
import struct
import subprocess
import sys
import threading
import time

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4

TCP_FIN, TCP_SYN, TCP_RST, TCP_PSH, TCP_ACK, TCP_URG, TCP_ECE, TCP_CWR = (
    0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80)
# Letters as tcpdump prints them. Packet.describe adds "A" for AccECN's AE
# bit (the former NS bit), which tcpdump does not show.
TCP_FLAG_NAMES = [(TCP_SYN, "S"), (TCP_FIN, "F"), (TCP_RST, "R"), (TCP_PSH, "P"),
                  (TCP_ACK, "."), (TCP_URG, "U"), (TCP_ECE, "E"), (TCP_CWR, "W")]
ECN_NAMES = {0: "not-ect", 1: "ect1", 2: "ect0", 3: "ce"}

SYSCTL_ECN = "/proc/sys/net/ipv4/tcp_ecn"
SYSCTL_FALLBACK = "/proc/sys/net/ipv4/tcp_ecn_fallback"


def read_sysctl(path):
    with open(path) as f:
        return f.read().strip()


def write_sysctl(path, value):
    with open(path, "w") as f:
        f.write(str(value))


class Packet:
    """One captured IPv4/IPv6 packet, decoded as far as this lab needs."""

    def __init__(self, when, outgoing, src, dst, ecn, proto):
        self.when = when
        self.outgoing = outgoing
        self.src = src
        self.dst = dst
        self.ecn = ecn
        self.proto = proto
        self.tcp_flags = None
        self.accecn_ae = False
        self.seq = None
        self.payload_len = 0
        self.icmp = None

    def describe(self, start):
        arrow = "->" if self.outgoing else "<-"
        text = f"{(self.when - start) * 1000:8.1f} ms {arrow} {self.src} > {self.dst} ecn={ECN_NAMES[self.ecn]:7}"
        if self.tcp_flags is not None:
            flags = "".join(name for bit, name in TCP_FLAG_NAMES if self.tcp_flags & bit)
            if self.accecn_ae:
                flags += "A"
            text += f" tcp [{flags}] seq={self.seq} len={self.payload_len}"
        elif self.icmp is not None:
            text += f" icmp type={self.icmp[0]} code={self.icmp[1]}"
        else:
            text += f" proto={self.proto}"
        return text


def decode_frame(frame, outgoing, when):
    """Decodes an Ethernet frame into a Packet, or returns None."""
    if len(frame) < 14:
        return None
    ethertype = struct.unpack("!H", frame[12:14])[0]
    ip = frame[14:]
    if ethertype == 0x0800 and len(ip) >= 20:
        header_len = (ip[0] & 0x0F) * 4
        ecn = ip[1] & 0x03
        total_len = struct.unpack("!H", ip[2:4])[0]
        proto = ip[9]
        src = socket.inet_ntop(socket.AF_INET, ip[12:16])
        dst = socket.inet_ntop(socket.AF_INET, ip[16:20])
        l4 = ip[header_len:total_len]
        icmp_proto = 1
    elif ethertype == 0x86DD and len(ip) >= 40:
        ecn = (struct.unpack("!I", ip[0:4])[0] >> 20) & 0x03
        payload_len = struct.unpack("!H", ip[4:6])[0]
        proto = ip[6]
        src = socket.inet_ntop(socket.AF_INET6, ip[8:24])
        dst = socket.inet_ntop(socket.AF_INET6, ip[24:40])
        l4 = ip[40:40 + payload_len]
        icmp_proto = 58
    else:
        return None

    packet = Packet(when, outgoing, src, dst, ecn, proto)
    if proto == 6 and len(l4) >= 20:
        data_offset = (l4[12] >> 4) * 4
        packet.seq = struct.unpack("!I", l4[4:8])[0]
        packet.tcp_flags = l4[13]
        packet.accecn_ae = bool(l4[12] & 0x01)
        packet.payload_len = len(l4) - data_offset
    elif proto == icmp_proto and len(l4) >= 2:
        packet.icmp = (l4[0], l4[1])
    return packet


class Capture:
    """Captures every frame on one interface in a background thread."""

    def __init__(self, interface):
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        self.sock.bind((interface, 0))
        self.packets = []
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self.stopping.is_set():
            readable, _, _ = select.select([self.sock], [], [], 0.05)
            if not readable:
                continue
            frame, address = self.sock.recvfrom(65535)
            packet = decode_frame(frame, address[2] == PACKET_OUTGOING, time.monotonic())
            if packet is not None:
                self.packets.append(packet)

    def start(self):
        self.thread.start()

    def stop(self):
        self.stopping.set()
        self.thread.join()
        self.sock.close()


def normalize_address(address):
    """Returns the address in the form inet_ntop prints, as Packet stores it."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    try:
        return socket.inet_ntop(family, socket.inet_pton(family, address))
    except OSError:
        sys.exit(f"observe: invalid IP address: {address}")


def connect_tcp(address, timeout):
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect((address, 80))
        return True, "connected"
    except OSError as error:
        return False, f"{type(error).__name__}: {error}"
    finally:
        sock.close()


def connect_http(address, domain, timeout):
    host = f"[{address}]" if ":" in address else address
    result = subprocess.run(
        ["curl", "--max-time", str(timeout), "-s", "-o", "/dev/null",
         "-w", "%{http_code}", "-H", f"Host: {domain}", f"http://{host}/"],
        capture_output=True, text=True)
    ok = result.returncode == 0 and result.stdout == "200"
    return ok, f"curl exit {result.returncode}, http_code {result.stdout}"


def run_connection(args, tcp_ecn):
    """Runs one connection with the given tcp_ecn and returns its capture."""
    write_sysctl(SYSCTL_ECN, tcp_ecn)
    capture = Capture(args.interface)
    capture.start()
    time.sleep(0.05)
    start = time.monotonic()
    if args.mode == "tcp":
        ok, detail = connect_tcp(args.address, args.timeout)
    else:
        ok, detail = connect_http(args.address, args.domain, args.timeout)
    elapsed = time.monotonic() - start
    # Trailing FINs and ACKs are part of the connection too.
    time.sleep(args.linger)
    capture.stop()
    # ICMP errors come from the router, not the target, so keep them all.
    packets = [p for p in capture.packets
               if args.address in (p.src, p.dst) or p.icmp is not None]
    return ok, detail, elapsed, start, packets


def conditions(a_ok, b_ok, b_packets, address):
    """Applies pathprobe's condition rules to the outcome and B's capture."""
    if a_ok and b_ok:
        result = ["ecn.connectivity.works"]
    elif a_ok:
        result = ["ecn.connectivity.broken"]
    elif b_ok:
        result = ["ecn.connectivity.transient"]
    else:
        result = ["ecn.connectivity.offline"]
    if not b_ok:
        return sorted(result)

    from_target = [p for p in b_packets if not p.outgoing and p.src == address and p.tcp_flags is not None]
    synacks = [p for p in from_target if p.tcp_flags & (TCP_SYN | TCP_ACK) == TCP_SYN | TCP_ACK]
    if not synacks:
        sys.exit("observe: B connected but no SYN-ACK was captured; is --interface right?")
    # The last SYN-ACK is the one that completed the handshake.
    last_synack = synacks[-1].tcp_flags
    if last_synack & TCP_ECE and last_synack & TCP_CWR:
        result.append("ecn.negotiation.reflected")
    elif last_synack & TCP_ECE:
        result.append("ecn.negotiation.succeeded")
    else:
        result.append("ecn.negotiation.failed")

    marks_seen = {p.ecn for p in from_target}
    for codepoint, name in ((2, "ect0"), (1, "ect1"), (3, "ce")):
        state = "seen" if codepoint in marks_seen else "not_seen"
        result.append(f"ecn.ipmark.{name}.{state}")
    return sorted(result)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("address", help="target IPv4 or IPv6 address")
    parser.add_argument("--domain", default="lab.example", help="HTTP Host header (default: lab.example)")
    parser.add_argument("--mode", choices=("http", "tcp"), default="http",
                        help="what counts as connected: HTTP 200 response or TCP handshake")
    parser.add_argument("--timeout", type=float, default=2.0, help="per-connection timeout in seconds (default: 2)")
    parser.add_argument("--fallback", choices=("0", "1"), default="0",
                        help="net.ipv4.tcp_ecn_fallback during the run (default: 0, as pathprobe sets it)")
    parser.add_argument("--linger", type=float, default=0.3,
                        help="seconds to keep capturing after the connection ends (default: 0.3)")
    parser.add_argument("--interface", default="pp-c0", help="client interface to capture (default: pp-c0)")
    parser.add_argument("--json", action="store_true", help="print only the conditions as a JSON list")
    args = parser.parse_args()
    args.address = normalize_address(args.address)

    saved = {path: read_sysctl(path) for path in (SYSCTL_ECN, SYSCTL_FALLBACK)}
    try:
        write_sysctl(SYSCTL_FALLBACK, args.fallback)
        a_ok, a_detail, a_elapsed, a_start, a_packets = run_connection(args, 2)
        time.sleep(0.1)
        b_ok, b_detail, b_elapsed, b_start, b_packets = run_connection(args, 1)
    finally:
        for path, value in saved.items():
            write_sysctl(path, value)

    result = conditions(a_ok, b_ok, b_packets, args.address)
    if args.json:
        print(json.dumps(result))
        return 0
    for label, ok, detail, elapsed, start, packets in (
            ("A tcp_ecn=2", a_ok, a_detail, a_elapsed, a_start, a_packets),
            ("B tcp_ecn=1", b_ok, b_detail, b_elapsed, b_start, b_packets)):
        state = "connected" if ok else "failed"
        print(f"{label}: {state} after {elapsed * 1000:.0f} ms ({detail})")
        for packet in packets:
            print("  " + packet.describe(start))
    print("conditions: " + " ".join(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
