"""Text encoding of an imported file: the .cpg when there is one, else GBK or UTF-8 by content."""

from __future__ import annotations

import codecs
import struct
from dataclasses import dataclass
from pathlib import Path

from geo.errors import N_, GeoError

# Code pages as .cpg files and DBF language drivers write them.
_CPG_NAMES = {"936": "GBK", "CP936": "GBK", "65001": "UTF-8", "UTF8": "UTF-8",
              "GB2312": "GBK", "GB18030": "GB18030"}


@dataclass(frozen=True)
class Encoding:
    """The encoding chosen and why; ``note`` is an English msgid with ``%(name)s`` params."""

    name: str  # as GDAL knows it: "UTF-8", "GBK", "GB18030"
    note: str
    params: dict

    @property
    def python(self) -> str:
        """Return the name Python's codecs use (UTF-8 with an optional byte-order mark)."""
        return "utf-8-sig" if self.name == "UTF-8" else self.name.lower()


def _normalise(name: str) -> str:
    key = name.strip().upper().replace("-", "").replace("_", "")
    name = _CPG_NAMES.get(key, _CPG_NAMES.get(key.removeprefix("CP"), name.strip()))
    try:
        codecs.lookup(name)
    except LookupError:
        raise GeoError(N_("%(field)s %(value)s is not an encoding; use UTF-8 or GBK."),
                       field="encoding", value=name) from None
    return "UTF-8" if codecs.lookup(name).name == "utf-8" else name.upper()


def detect_encoding(data: bytes, requested: str | None = None) -> Encoding:
    """Return the encoding of ``data``: as asked, else UTF-8 when it decodes, else GBK.

    >>> detect_encoding("襄汾".encode("gbk")).name
    'GBK'
    >>> detect_encoding("襄汾".encode("utf-8")).name
    'UTF-8'
    """
    if requested:
        name = _normalise(requested)
        return Encoding(name, N_("Text encoding as given: %(encoding)s."), {"encoding": name})
    try:
        data.decode("utf-8")
        return Encoding("UTF-8", N_("Text encoding detected: %(encoding)s."),
                        {"encoding": "UTF-8"})
    except UnicodeDecodeError:
        pass
    try:
        data.decode("gb18030")
    except UnicodeDecodeError:
        raise GeoError(N_("The text is neither UTF-8 nor GBK; give the encoding with "
                          "--encoding."), field="encoding") from None
    return Encoding("GBK", N_("Text encoding detected: %(encoding)s (the file is not UTF-8)."),
                    {"encoding": "GBK"})


def shapefile_encoding(shp: Path, requested: str | None = None) -> Encoding:
    """Return a Shapefile's encoding: as asked, else its .cpg, else detected from the .dbf."""
    if requested:
        return detect_encoding(b"", requested)
    cpg = next((p for p in shp.parent.iterdir()
                if p.stem == shp.stem and p.suffix.lower() == ".cpg"), None)
    if cpg is not None:
        name = _normalise(cpg.read_text(encoding="ascii", errors="replace"))
        return Encoding(name, N_("Text encoding from the .cpg file: %(encoding)s."),
                        {"encoding": name})
    dbf = next((p for p in shp.parent.iterdir()
                if p.stem == shp.stem and p.suffix.lower() == ".dbf"), None)
    if dbf is None:
        raise GeoError(N_("The Shapefile has no .dbf file; send the .shp, .shx, .dbf (and "
                          ".prj, .cpg) together in one zip."), field="file")
    return detect_encoding(_dbf_text(dbf.read_bytes()))


def _dbf_text(data: bytes) -> bytes:
    """Return the text bytes of a .dbf: field names and records, without binary headers."""
    header_len = struct.unpack("<H", data[8:10])[0]
    names = b"".join(data[i:i + 11].split(b"\0")[0] for i in range(32, header_len - 1, 32))
    return names + data[header_len:].rstrip(b"\x1a")
