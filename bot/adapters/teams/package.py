"""The Teams app package: teams/manifest.json with its placeholders filled, plus two icons.

The icons are drawn here (a PNG writer on struct and zlib), so no binary lives in the repo.
"""

from __future__ import annotations

import json
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Mapping
from pathlib import Path
from urllib.parse import urlsplit

MANIFEST_TEMPLATE = Path(__file__).resolve().parents[3] / "teams" / "manifest.json"
COLOR_SIZE = 192
OUTLINE_SIZE = 32
ACCENT = (0x0F, 0x6C, 0xBD, 0xFF)
WHITE = (0xFF, 0xFF, 0xFF, 0xFF)
CLEAR = (0, 0, 0, 0)
# A fixed timestamp, so the same inputs always build the same zip.
_ZIP_TIME = (2024, 1, 1, 0, 0, 0)
_PLACEHOLDER = re.compile(r"\$\{([A-Z_]+)\}")
_GUID = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_SEMVER = re.compile(r"^\d+\.\d+\.\d+$")

Pixel = tuple[int, int, int, int]


class PackageError(ValueError):
    """A bad package input; the message is one line."""


def fill_manifest(template: str, values: Mapping[str, str]) -> str:
    """Replace each ${NAME} in *template* with *values*[NAME]; every name must be given."""
    missing = sorted(set(_PLACEHOLDER.findall(template)) - set(values))
    if missing:
        raise PackageError(f"no value for placeholder(s): {', '.join(missing)}")
    # Values go into JSON strings: encode them as such (without the surrounding quotes).
    filled = _PLACEHOLDER.sub(lambda m: json.dumps(values[m.group(1)])[1:-1], template)
    json.loads(filled)  # the template must stay valid JSON
    return filled


def build_package(
    out: Path,
    *,
    app_id: str,
    version: str,
    website: str,
    template: Path = MANIFEST_TEMPLATE,
) -> Path:
    """Write the side-loadable zip (manifest.json, color.png, outline.png at its root)."""
    if not _GUID.match(app_id):
        raise PackageError(
            f"the app id must be the Azure Bot's Microsoft App ID (a GUID), got {app_id[:60]!r}"
        )
    if not _SEMVER.match(version):
        raise PackageError(f"the version must be MAJOR.MINOR.PATCH, got {version[:40]!r}")
    parts = urlsplit(website)
    if parts.scheme != "https" or not parts.netloc:
        raise PackageError(f"the website must be an https:// URL, got {website[:60]!r}")
    manifest = fill_manifest(
        template.read_text(encoding="utf-8"),
        {"TEAMS_APP_ID": app_id.lower(), "APP_VERSION": version, "WEBSITE_URL": website},
    )
    files = {
        "manifest.json": manifest.encode(),
        "color.png": color_icon(),
        "outline.png": outline_icon(),
    }
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=_ZIP_TIME), data)
    return out


def png(width: int, height: int, pixel: Callable[[int, int], Pixel]) -> bytes:
    """Encode an RGBA image, *pixel*(x, y) for each point, as PNG bytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter type: none
        for x in range(width):
            rows.extend(pixel(x, y))
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + chunk(b"IEND", b"")
    )


def _bars(x: int, y: int, size: int) -> bool:
    """Three rising bars (a cost chart), in a size x size square."""
    unit = size / 16
    base = 13 * unit
    for n, top in enumerate((9, 6, 3)):
        left = (2.5 + 4 * n) * unit
        if left <= x < left + 3 * unit and top * unit <= y < base:
            return True
    return 2 * unit <= x < 14 * unit and base <= y < base + unit


def color_icon() -> bytes:
    """The 192x192 full-colour icon: white bars on the accent colour."""
    return png(
        COLOR_SIZE,
        COLOR_SIZE,
        lambda x, y: WHITE if _bars(x, y, COLOR_SIZE) else ACCENT,
    )


def outline_icon() -> bytes:
    """The 32x32 outline icon: white bars on transparency, as Teams requires."""
    return png(
        OUTLINE_SIZE,
        OUTLINE_SIZE,
        lambda x, y: WHITE if _bars(x, y, OUTLINE_SIZE) else CLEAR,
    )
