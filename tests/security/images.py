"""Hostile images for the upload tests and bench/image_bomb.py, built without decoding anything."""

import struct
import zlib


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def bomb_png(width: int = 12000, height: int = 12000) -> bytes:
    """A valid 1-bit greyscale PNG of width × height white-less pixels: ~17.5 KB for 12000².

    Rows are compressed one at a time, so making it takes no memory; decoding it takes
    width × height bytes in Pillow, and three times that once converted to RGB.
    """
    row = b"\x00" + bytes((width + 7) // 8)  # filter "none", then the packed bits
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # depth 1, greyscale
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def bomb_jpeg_header(width: int = 12000, height: int = 12000) -> bytes:
    """A small real JPEG whose frame header is patched to claim width × height pixels."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (16, 16), "white").save(out, "JPEG")
    data = bytearray(out.getvalue())
    sof = data.index(b"\xff\xc0")
    struct.pack_into(">HH", data, sof + 5, height, width)
    return bytes(data)
