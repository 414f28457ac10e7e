"""Zip archives written from pieces compressed apart, so that one archive can be joined from others' pieces.

Each CSV's rows are compressed apart from its header and end in a full flush, so that the
all-programs zip is joined from the programs' compressed rows as they are: pieces ending in full
flushes, then a final empty block, are one deflate stream. zipfile cannot take compressed data: it
would compress the nation's rows again, 2.0 s of every rebuild (`benchmarks/libraries.py`, December 2026).
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from typing import BinaryIO

_ZIP_DATE = (1 << 5) | 1  # 1980-01-01 at 00:00, in MS-DOS form: the same bytes on every build
_ZIP_LIMIT = 0xFFFFFFFF  # no ZIP64: a national package is about 110 MB


def deflated(data: bytes) -> bytes:
    """Raw deflate, ending in a full flush: a piece of a zip member (see ZipMember)."""
    compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush(zlib.Z_FULL_FLUSH)


END_BLOCK = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15).flush()  # the final, empty block


@dataclass
class ZipMember:
    name: str
    size: int  # its bytes, uncompressed
    crc: int  # their CRC-32
    pieces: list[bytes]  # deflated; with END_BLOCK after them, the member's data

    @property
    def compressed(self) -> int:
        return sum(map(len, self.pieces)) + len(END_BLOCK)


def write_zip(handle: BinaryIO, members: list[ZipMember]) -> dict[str, int]:
    """A zip of ``members`` in their order; returns where each member's data starts in it."""
    starts: dict[str, int] = {}
    directory = []
    position = 0
    for member in members:
        name = member.name.encode()
        if max(member.size, member.compressed, position) >= _ZIP_LIMIT:
            raise ValueError(f"{member.name}: too big for a zip")
        sizes = struct.pack("<III", member.crc, member.compressed, member.size)
        local = b"PK\x03\x04" + struct.pack("<HHHHH", 20, 0, 8, 0, _ZIP_DATE) + sizes + struct.pack("<HH", len(name), 0)
        handle.write(local + name)
        for piece in member.pieces:
            handle.write(piece)
        handle.write(END_BLOCK)
        directory.append(b"PK\x01\x02" + struct.pack("<HHHHHH", 0x0314, 20, 0, 8, 0, _ZIP_DATE) + sizes
                         + struct.pack("<HHHHHII", len(name), 0, 0, 0, 0, 0o100644 << 16, position) + name)
        starts[member.name] = position + len(local) + len(name)
        position += len(local) + len(name) + member.compressed
    listing = b"".join(directory)
    handle.write(listing + b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, len(members), len(members), len(listing),
                                                       position, 0))
    return starts


