"""The Teams app package: teams/manifest.json with its placeholders filled, plus two icons.

The icons are committed files beside the manifest: teams/color.png (192x192, white bars on the
accent colour) and teams/outline.png (32x32, white bars on transparency, as Teams requires).
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

TEAMS_DIR = Path(__file__).resolve().parents[3] / "teams"
MANIFEST_TEMPLATE = TEAMS_DIR / "manifest.json"
ICONS = ("color.png", "outline.png")
# A fixed timestamp, so the same inputs always build the same zip.
_ZIP_TIME = (2024, 1, 1, 0, 0, 0)
_PLACEHOLDER = re.compile(r"\$\{([A-Z_]+)\}")
_GUID = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_SEMVER = re.compile(r"^\d+\.\d+\.\d+$")


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
    icons: Path = TEAMS_DIR,
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
    files = {"manifest.json": manifest.encode()}
    files.update((name, (icons / name).read_bytes()) for name in ICONS)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=_ZIP_TIME), data)
    return out
