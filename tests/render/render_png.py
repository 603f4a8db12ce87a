"""A minimal PNG reader for tests (8-bit RGB/RGBA/grey, non-interlaced: what Graphviz's cairo writes).

The tests only need pixel counts, and Pillow is not a dependency of bpr.
"""

from __future__ import annotations

import struct
import zlib

import numpy as np

_CHANNELS = {0: 1, 2: 3, 4: 2, 6: 4}


def read_png(data: bytes) -> np.ndarray:
    """PNG bytes -> array of shape (height, width, channels), dtype uint8."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG file")
    position = 8
    idat = b""
    width = height = channels = 0
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        position += 12 + length
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or interlace != 0 or colour not in _CHANNELS:
                raise ValueError(f"unsupported PNG: depth {depth}, colour type {colour}, interlace {interlace}")
            channels = _CHANNELS[colour]
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    raw = np.frombuffer(zlib.decompress(idat), dtype=np.uint8)
    stride = width * channels
    rows = raw.reshape(height, stride + 1)
    out = np.zeros((height, stride), dtype=np.int32)
    previous = np.zeros(stride, dtype=np.int32)
    for y in range(height):
        kind, line = rows[y, 0], rows[y, 1:].astype(np.int32)
        if kind == 0:
            current = line
        elif kind == 1:
            current = line.copy()
            for x in range(channels, stride):
                current[x] = (current[x] + current[x - channels]) & 0xFF
        elif kind == 2:
            current = (line + previous) & 0xFF
        elif kind == 3:
            current = line.copy()
            for x in range(stride):
                left = current[x - channels] if x >= channels else 0
                current[x] = (current[x] + ((left + previous[x]) >> 1)) & 0xFF
        elif kind == 4:
            current = line.copy()
            for x in range(stride):
                a = current[x - channels] if x >= channels else 0
                b = previous[x]
                c = previous[x - channels] if x >= channels else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                predictor = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                current[x] = (current[x] + predictor) & 0xFF
        else:
            raise ValueError(f"bad PNG filter type {kind}")
        out[y] = current
        previous = current
    return out.astype(np.uint8).reshape(height, width, channels)


def write_png(pixels: np.ndarray) -> bytes:
    """Array (height, width, 3 or 4) uint8 -> PNG bytes (no filtering)."""
    height, width, channels = pixels.shape
    colour = {3: 2, 4: 6}[channels]
    raw = b"".join(b"\x00" + pixels[y].tobytes() for y in range(height))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, colour, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b"")
