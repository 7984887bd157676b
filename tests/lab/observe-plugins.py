#!/usr/bin/python3
"""Observe one lab target the way the dscp, mss, tcpopt and h2 plugins do.

Runs the plugin's connections (A, and the B connections where the plugin
has them) against one address, captures the client interface with an
AF_PACKET socket, prints every packet (TCP flags and options, DSCP, ECN) and
the conditions that follow. Used to derive and re-check the lab's
expected-dscp.json, expected-mss.json, expected-tcpopt.json and
expected-h2.json.

Run inside the client namespace, as root:
    ip netns exec pp-client python3 tests/lab/observe-plugins.py dscp --mode http 198.18.21.10
The sysctls it changes (tcpopt only) are restored on exit.

Connections: dscp uses a socket with IP_TOS / IPV6_TCLASS and a minimal
HTTP/1.1 GET, because curl 7.88 cannot set the TOS. mss, tcpopt and h2 use
curl in http and https mode and a plain connect() in tcp mode.
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
TCP_FLAG_NAMES = [(TCP_SYN, "S"), (TCP_FIN, "F"), (TCP_RST, "R"), (TCP_PSH, "P"),
                  (TCP_ACK, "."), (TCP_URG, "U"), (TCP_ECE, "E"), (TCP_CWR, "W")]
ECN_NAMES = {0: "not-ect", 1: "ect1", 2: "ect0", 3: "ce"}

TCPOPT_MSS, TCPOPT_WINDOW, TCPOPT_SACK_PERM, TCPOPT_TIMESTAMP = 2, 3, 4, 8

# tcpopt: the option each experiment turns on, as "name sysctl option-kind".
TCPOPT_EXPERIMENTS = [
    ("tsopt", "tcp_timestamps", TCPOPT_TIMESTAMP),
    ("wsopt", "tcp_window_scaling", TCPOPT_WINDOW),
    ("sack", "tcp_sack", TCPOPT_SACK_PERM),
]
SYSCTL_DIR = "/proc/sys/net/ipv4/"


def read_sysctl(name):
    with open(SYSCTL_DIR + name) as f:
        return f.read().strip()


def write_sysctl(name, value):
    with open(SYSCTL_DIR + name, "w") as f:
        f.write(str(value))


def parse_tcp_options(data):
    """Returns {kind: value} for the options pathprobe looks at."""
    options = {}
    i = 0
    while i < len(data):
        kind = data[i]
        if kind == 0:
            break
        if kind == 1:
            i += 1
            continue
        if i + 1 >= len(data) or data[i + 1] < 2:
            break
        length = data[i + 1]
        body = data[i + 2:i + length]
        if kind == TCPOPT_MSS and len(body) == 2:
            options[kind] = struct.unpack("!H", body)[0]
        elif kind == TCPOPT_WINDOW and len(body) == 1:
            options[kind] = body[0]
        elif kind == TCPOPT_TIMESTAMP and len(body) == 8:
            options[kind] = struct.unpack("!II", body)
        else:
            options[kind] = body
        i += length
    return options


def describe_options(options):
    parts = []
    for kind, value in options.items():
        if kind == TCPOPT_MSS:
            parts.append(f"mss:{value}")
        elif kind == TCPOPT_WINDOW:
            parts.append(f"wscale:{value}")
        elif kind == TCPOPT_SACK_PERM:
            parts.append("sackOK")
        elif kind == TCPOPT_TIMESTAMP:
            parts.append("ts")
        else:
            parts.append(f"kind{kind}")
    return ",".join(parts) or "none"


class Packet:
    """One captured IPv4/IPv6 TCP packet, decoded as far as this lab needs."""

    def __init__(self, when, outgoing, src, dst, tos):
        self.when = when
        self.outgoing = outgoing
        self.src = src
        self.dst = dst
        self.dscp = tos >> 2
        self.ecn = tos & 0x03
        self.tcp_flags = 0
        self.seq = 0
        self.payload_len = 0
        self.options = {}

    def is_syn(self):
        return self.tcp_flags & (TCP_SYN | TCP_ACK) == TCP_SYN

    def is_synack(self):
        return self.tcp_flags & (TCP_SYN | TCP_ACK) == TCP_SYN | TCP_ACK

    def describe(self, start):
        arrow = "->" if self.outgoing else "<-"
        flags = "".join(name for bit, name in TCP_FLAG_NAMES if self.tcp_flags & bit)
        text = (f"{(self.when - start) * 1000:8.1f} ms {arrow} {self.src} > {self.dst}"
                f" dscp={self.dscp:<2} ecn={ECN_NAMES[self.ecn]:7} tcp [{flags}]"
                f" seq={self.seq} len={self.payload_len}")
        if self.tcp_flags & TCP_SYN:
            text += f" options={describe_options(self.options)}"
        return text


def decode_frame(frame, outgoing, when):
    """Decodes an Ethernet frame carrying TCP into a Packet, or returns None."""
    if len(frame) < 14:
        return None
    ethertype = struct.unpack("!H", frame[12:14])[0]
    ip = frame[14:]
    if ethertype == 0x0800 and len(ip) >= 20:
        header_len = (ip[0] & 0x0F) * 4
        tos = ip[1]
        total_len = struct.unpack("!H", ip[2:4])[0]
        proto = ip[9]
        src = socket.inet_ntop(socket.AF_INET, ip[12:16])
        dst = socket.inet_ntop(socket.AF_INET, ip[16:20])
        l4 = ip[header_len:total_len]
    elif ethertype == 0x86DD and len(ip) >= 40:
        tos = (struct.unpack("!I", ip[0:4])[0] >> 20) & 0xFF
        payload_len = struct.unpack("!H", ip[4:6])[0]
        proto = ip[6]
        src = socket.inet_ntop(socket.AF_INET6, ip[8:24])
        dst = socket.inet_ntop(socket.AF_INET6, ip[24:40])
        l4 = ip[40:40 + payload_len]
    else:
        return None
    if proto != 6 or len(l4) < 20:
        return None

    packet = Packet(when, outgoing, src, dst, tos)
    data_offset = (l4[12] >> 4) * 4
    packet.seq = struct.unpack("!I", l4[4:8])[0]
    packet.tcp_flags = l4[13]
    packet.payload_len = len(l4) - data_offset
    packet.options = parse_tcp_options(l4[20:data_offset])
    return packet


class Capture:
    """Captures every TCP frame on one interface in a background thread."""

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


class Connection:
    """Outcome and capture of one connection."""

    def __init__(self, label):
        self.label = label
        self.ok = False
        self.detail = ""
        self.http_version = None
        self.elapsed = 0.0
        self.start = 0.0
        self.packets = []

    def from_target(self, address):
        return [p for p in self.packets if not p.outgoing and p.src == address]

    def first_syn(self):
        syns = [p for p in self.packets if p.outgoing and p.is_syn()]
        return syns[0] if syns else None

    def last_synack(self, address):
        # The last SYN-ACK is the one that completed the handshake.
        synacks = [p for p in self.from_target(address) if p.is_synack()]
        return synacks[-1] if synacks else None


def normalize_address(address):
    """Returns the address in the form inet_ntop prints, as Packet stores it."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    try:
        return socket.inet_ntop(family, socket.inet_pton(family, address))
    except OSError:
        sys.exit(f"observe-plugins: invalid IP address: {address}")


def open_socket(address, timeout, tos):
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    if tos is not None:
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_TCLASS, tos)
        else:
            sock.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, tos)
    return sock


def connect_tcp(connection, address, port, timeout, tos=None):
    sock = open_socket(address, timeout, tos)
    try:
        sock.connect((address, port))
        connection.ok, connection.detail = True, "connected"
    except OSError as error:
        connection.ok, connection.detail = False, f"{type(error).__name__}: {error}"
    finally:
        sock.close()


def get_http_with_socket(connection, address, domain, timeout, tos=None):
    """Sends one HTTP/1.1 GET on a socket that may carry a TOS."""
    sock = open_socket(address, timeout, tos)
    deadline = time.monotonic() + timeout
    response = b""
    try:
        sock.connect((address, 80))
        sock.sendall(f"GET / HTTP/1.1\r\nHost: {domain}\r\nConnection: close\r\n\r\n".encode())
        while time.monotonic() < deadline:
            sock.settimeout(max(deadline - time.monotonic(), 0.01))
            chunk = sock.recv(4096)
            if not chunk:
                break
            response += chunk
    except OSError as error:
        connection.detail = f"{type(error).__name__}: {error}"
    finally:
        sock.close()
    status_line = response.split(b"\r\n", 1)[0].decode(errors="replace")
    connection.ok = status_line.startswith("HTTP/1.1 200 ")
    connection.detail = connection.detail or f"status line '{status_line}'"


def get_http_with_curl(connection, address, domain, timeout, scheme, version_option):
    host = f"[{address}]" if ":" in address else address
    result = subprocess.run(
        ["curl", "--max-time", str(timeout), "-s", "-k", version_option, "-o", "/dev/null",
         "-w", "%{http_code} %{http_version}", "-H", f"Host: {domain}", f"{scheme}://{host}/"],
        capture_output=True, text=True)
    code, _, version = result.stdout.partition(" ")
    connection.ok = result.returncode == 0 and code == "200"
    connection.http_version = version
    connection.detail = f"curl {version_option} exit {result.returncode}, http_code {code}, http_version {version}"


def run_connection(args, label, connect):
    """Runs connect(connection) while capturing, and returns the connection."""
    connection = Connection(label)
    capture = Capture(args.interface)
    capture.start()
    time.sleep(0.05)
    connection.start = time.monotonic()
    connect(connection)
    connection.elapsed = time.monotonic() - connection.start
    # Trailing FINs and ACKs are part of the connection too.
    time.sleep(args.linger)
    capture.stop()
    connection.packets = [p for p in capture.packets if args.address in (p.src, p.dst)]
    time.sleep(0.1)
    return connection


def plain_connect(args, tos=None):
    """Returns a function that makes the connection of args.mode."""
    def connect(connection):
        if args.mode == "tcp":
            connect_tcp(connection, args.address, 80, args.timeout, tos)
        elif tos is not None:
            get_http_with_socket(connection, args.address, args.domain, args.timeout, tos)
        else:
            get_http_with_curl(connection, args.address, args.domain, args.timeout, "http", "--http1.1")
    return connect


def connectivity(prefix, a_ok, b_ok):
    if a_ok and b_ok:
        return f"{prefix}.connectivity.works"
    if a_ok:
        return f"{prefix}.connectivity.broken"
    if b_ok:
        return f"{prefix}.connectivity.transient"
    return f"{prefix}.connectivity.offline"


# ---------------------------------------------------------------- plugins ---

def observe_dscp(args):
    codepoint = args.codepoint
    a = run_connection(args, "A dscp=0", plain_connect(args, tos=0))
    b = run_connection(args, f"B dscp={codepoint}", plain_connect(args, tos=codepoint << 2))
    result = [connectivity(f"dscp.{codepoint}", a.ok, b.ok)]
    for sent, connection in ((0, a), (codepoint, b)):
        if not connection.ok:
            continue
        replies = connection.from_target(args.address)
        synack = connection.last_synack(args.address)
        data = [p for p in replies if p.payload_len > 0]
        first = synack or (data[0] if data else None)
        if first is not None:
            result.append(f"dscp.{sent}.replymark:{first.dscp}")
    return [a, b], sorted(result)


def observe_mss(args):
    a = run_connection(args, "A", plain_connect(args))
    if not a.ok:
        return [a], ["mss.connectivity.offline"]
    result = ["mss.connectivity.online"]
    syn = a.first_syn()
    synack = a.last_synack(args.address)
    if syn is None or synack is None or TCPOPT_MSS not in syn.options:
        return [a], result
    local = syn.options[TCPOPT_MSS]
    result.append(f"mss.option.local.value:{local}")
    remote = synack.options.get(TCPOPT_MSS)
    if remote is None:
        result.append("mss.option.received.absent")
    else:
        result.append(f"mss.option.remote.value:{remote}")
        if remote < local:
            result.append("mss.option.received.deflated")
        elif remote > local:
            result.append("mss.option.received.inflated")
        else:
            result.append("mss.option.received.unchanged")
    return [a], sorted(result)


def observe_tcpopt(args):
    names = [sysctl for _, sysctl, _ in TCPOPT_EXPERIMENTS]
    saved = {name: read_sysctl(name) for name in names}
    try:
        for name in names:
            write_sysctl(name, 0)
        a = run_connection(args, "A all options off", plain_connect(args))
        experiments = []
        for prefix, sysctl, kind in TCPOPT_EXPERIMENTS:
            for name in names:
                write_sysctl(name, 1 if name == sysctl else 0)
            b = run_connection(args, f"B {sysctl}=1 only", plain_connect(args))
            experiments.append((prefix, kind, b))
    finally:
        for name, value in saved.items():
            write_sysctl(name, value)

    result = []
    a_synack = a.last_synack(args.address) if a.ok else None
    for prefix, kind, b in experiments:
        result.append(connectivity(prefix, a.ok, b.ok))
        b_synack = b.last_synack(args.address) if b.ok else None
        if b_synack is not None:
            state = "succeeded" if kind in b_synack.options else "failed"
            result.append(f"{prefix}.negotiation.{state}")
        if a_synack is not None:
            state = "seen" if kind in a_synack.options else "not_seen"
            result.append(f"{prefix}.unsolicited.{state}")
    return [a] + [b for _, _, b in experiments], sorted(result)


def observe_h2(args):
    scheme = "https" if args.mode == "https" else "http"

    def curl(version_option):
        return lambda connection: get_http_with_curl(
            connection, args.address, args.domain, args.timeout, scheme, version_option)

    a = run_connection(args, "A HTTP/1.1", curl("--http1.1"))
    b = run_connection(args, "B HTTP/2", curl("--http2"))
    result = [connectivity("h2", a.ok, b.ok)]
    if b.ok:
        result.append("h2.upgrade.success" if b.http_version == "2" else "h2.upgrade.failed")
    return [a, b], sorted(result)


PLUGINS = {"dscp": observe_dscp, "mss": observe_mss, "tcpopt": observe_tcpopt, "h2": observe_h2}
MODES = {"dscp": ("tcp", "http"), "mss": ("tcp", "http"), "tcpopt": ("tcp", "http"), "h2": ("http", "https")}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("plugin", choices=sorted(PLUGINS), help="plugin whose connections to make")
    parser.add_argument("address", help="target IPv4 or IPv6 address")
    parser.add_argument("--domain", default="lab.example", help="HTTP Host header (default: lab.example)")
    parser.add_argument("--mode", choices=("tcp", "http", "https"), default="http",
                        help="what counts as connected: TCP handshake, or HTTP 200 over http or https "
                             "(dscp, mss, tcpopt: tcp or http; h2: http or https)")
    parser.add_argument("--codepoint", type=int, default=48, help="dscp: DSCP of connection B (default: 48)")
    parser.add_argument("--timeout", type=float, default=2.0, help="per-connection timeout in seconds (default: 2)")
    parser.add_argument("--linger", type=float, default=0.3,
                        help="seconds to keep capturing after the connection ends (default: 0.3)")
    parser.add_argument("--interface", default="pp-c0", help="client interface to capture (default: pp-c0)")
    parser.add_argument("--json", action="store_true", help="print only the conditions as a JSON list")
    args = parser.parse_args()
    args.address = normalize_address(args.address)
    if args.mode not in MODES[args.plugin]:
        parser.error(f"{args.plugin} takes --mode {' or '.join(MODES[args.plugin])}, not {args.mode}")
    if not 0 <= args.codepoint <= 63:
        parser.error(f"--codepoint must be 0 to 63, got {args.codepoint}")

    connections, result = PLUGINS[args.plugin](args)
    if args.json:
        print(json.dumps(result))
        return 0
    for connection in connections:
        state = "connected" if connection.ok else "failed"
        print(f"{connection.label}: {state} after {connection.elapsed * 1000:.0f} ms ({connection.detail})")
        for packet in connection.packets:
            print("  " + packet.describe(connection.start))
    print("conditions: " + " ".join(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
