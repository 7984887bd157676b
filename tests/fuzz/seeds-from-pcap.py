#!/usr/bin/env python3
"""Turn classic pcap files into seed inputs for fuzz_packet.

usage: seeds-from-pcap.py OUTDIR PCAP...

Each seed holds up to 8 consecutive frames of one capture in fuzz_packet's
input format: a link-type selector byte, then frames with 2-byte lengths.
"""

import os
import struct
import sys

# Index of each pcap link type in fuzz_packet.c's table.
SELECTOR = {1: 0, 101: 1, 12: 1, 228: 2, 229: 3, 113: 4, 276: 5, 0: 6, 108: 7}
FRAMES_PER_SEED = 8


def frames(path):
    with open(path, "rb") as f:
        head = f.read(24)
        if len(head) < 24:
            return None, []
        magic = struct.unpack("<I", head[:4])[0]
        endian = {0xA1B2C3D4: "<", 0xA1B23C4D: "<",
                  0xD4C3B2A1: ">", 0x4D3CB2A1: ">"}.get(magic)
        if endian is None:
            return None, []
        linktype = struct.unpack(endian + "I", head[20:24])[0] & 0xFFFF
        out = []
        while True:
            rec = f.read(16)
            if len(rec) < 16:
                break
            caplen = struct.unpack(endian + "I", rec[8:12])[0]
            data = f.read(caplen)
            if len(data) < caplen:
                break
            out.append(data[:65535])
        return linktype, out


def main():
    outdir, paths = sys.argv[1], sys.argv[2:]
    os.makedirs(outdir, exist_ok=True)
    written = 0
    for path in paths:
        linktype, pkts = frames(path)
        if linktype not in SELECTOR:
            continue
        for i in range(0, len(pkts), FRAMES_PER_SEED):
            seed = bytes([SELECTOR[linktype]])
            for frame in pkts[i:i + FRAMES_PER_SEED]:
                seed += struct.pack(">H", len(frame)) + frame
            name = "%s-%d" % (os.path.basename(path), i)
            with open(os.path.join(outdir, name), "wb") as f:
                f.write(seed)
            written += 1
    print("%d seeds from %d captures" % (written, len(paths)))


if __name__ == "__main__":
    main()
