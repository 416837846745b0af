#!/usr/bin/env python3
"""Extracts Kafka frames from a pcap of loopback TCP traffic.

Arguments: the pcap, then the broker ports to keep (all if none); an
argument --skip=PREFIX drops streams whose first request's client id starts
with PREFIX (given several times: any of them), e.g. Gregor's own
inter-broker traffic (--skip=broker- --skip=gregor-controller).
Output, one frame per line: "req|resp <api_key> <version> <hex>", where hex
is the frame without its 4-byte size prefix. A stream is a request stream
if its first frame parses as a request header; responses are matched to
their request by correlation id on the same connection."""
import struct
import sys

KNOWN = {0: 11, 1: 17, 2: 9, 3: 12, 4: 2, 5: 1, 6: 7, 7: 2, 8: 9, 9: 9,
         10: 6, 11: 9, 12: 4, 13: 5, 14: 5, 15: 5, 16: 5, 17: 1, 18: 4,
         19: 7, 20: 6, 21: 2, 22: 5, 23: 4, 24: 4, 25: 4, 26: 4, 27: 1,
         28: 4, 29: 3, 30: 3, 31: 3, 32: 4, 33: 2, 35: 4, 36: 2, 37: 3,
         42: 2, 43: 2, 44: 1, 45: 0, 46: 0, 47: 0, 50: 0, 51: 0, 60: 0,
         61: 0, 65: 0, 66: 1}


def packets(path):
    data = open(path, 'rb').read()
    magic = struct.unpack('<I', data[:4])[0]
    end = '<' if magic in (0xa1b2c3d4, 0xa1b23c4d) else '>'
    link = struct.unpack(end + 'I', data[20:24])[0]
    off = 24
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack(end + 'IIII', data[off:off + 16])
        pkt = data[off + 16:off + 16 + incl]
        off += 16 + incl
        if link == 1:      # Ethernet
            if pkt[12:14] != b'\x08\x00':
                continue
            pkt = pkt[14:]
        elif link == 113:  # Linux cooked
            pkt = pkt[16:]
        elif link == 0:    # BSD loopback
            pkt = pkt[4:]
        if len(pkt) < 20 or pkt[0] >> 4 != 4 or pkt[9] != 6:
            continue
        ihl = (pkt[0] & 15) * 4
        tot = struct.unpack('>H', pkt[2:4])[0]
        tcp = pkt[ihl:tot]
        sport, dport, seq = struct.unpack('>HHI', tcp[:8])
        doff = (tcp[12] >> 4) * 4
        yield (sport, dport), seq, tcp[doff:]


def streams(path):
    flows = {}
    for key, seq, payload in packets(path):
        if not payload:
            continue
        f = flows.setdefault(key, {'next': None, 'buf': bytearray(),
                                   'order': len(flows)})
        if f['next'] is None or seq == f['next']:
            f['buf'] += payload
            f['next'] = (seq + len(payload)) & 0xffffffff
    return flows


def frames(buf):
    off = 0
    while off + 4 <= len(buf):
        n = struct.unpack('>i', buf[off:off + 4])[0]
        if n < 0 or off + 4 + n > len(buf):
            break
        yield bytes(buf[off + 4:off + 4 + n])
        off += 4 + n


def main():
    flows = streams(sys.argv[1])
    skip = tuple(a[7:].encode() for a in sys.argv[2:] if a.startswith('--skip='))
    ports = {int(p) for p in sys.argv[2:] if not p.startswith('--')}
    out = []
    for key, f in sorted(flows.items(), key=lambda kv: kv[1]['order']):
        if ports and key[1] not in ports:
            continue
        fr = list(frames(f['buf']))
        if not fr or len(fr[0]) < 8:
            continue
        k, v = struct.unpack('>hh', fr[0][:4])
        if k not in KNOWN:
            continue
        n = struct.unpack('>h', fr[0][8:10])[0]
        if skip and n >= 0 and fr[0][10:10 + n].startswith(skip):
            continue
        # a request stream: pair it with the reverse direction
        back = flows.get((key[1], key[0]))
        corr = {}
        for b in fr:
            k, v, c = struct.unpack('>hhi', b[:8])
            corr[c] = (k, v)
            if k in KNOWN and v <= KNOWN[k]:
                out.append('req %d %d %s' % (k, v, b.hex()))
        if back:
            for b in frames(back['buf']):
                c = struct.unpack('>i', b[:4])[0]
                # librdkafka's mock writes its ApiVersions "unsupported
                # version" answer in a format no broker uses: not a vector.
                if c in corr and corr[c][0] == 18 and b[4:6] != b'\0\0':
                    continue
                if c in corr and corr[c][0] in KNOWN and \
                        corr[c][1] <= KNOWN[corr[c][0]]:
                    out.append('resp %d %d %s' % (corr[c][0], corr[c][1],
                                                 b.hex()))
    seen = set()
    for line in out:
        if line not in seen:
            seen.add(line)
            print(line)


main()
