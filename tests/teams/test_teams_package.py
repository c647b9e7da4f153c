"""`finops-bot teams-package`: the side-loadable zip, its manifest and its committed icons."""

from __future__ import annotations

import json
import re
import struct
import zipfile
import zlib
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.adapters.teams.package import (
    MANIFEST_TEMPLATE,
    PackageError,
    build_package,
    fill_manifest,
)
from tests.teams.fakes import APP_ID

TEAMS_SCOPES = {"personal", "team", "groupchat"}


def _unfilter(kind: int, line: bytes, prior: bytes) -> bytes:
    """Undo one PNG row filter (RFC 2083, 4 bytes per RGBA pixel)."""
    out = bytearray(line)
    for i, value in enumerate(out):
        left = out[i - 4] if i >= 4 else 0
        up = prior[i]
        corner = prior[i - 4] if i >= 4 else 0
        if kind == 1:
            out[i] = (value + left) & 0xFF
        elif kind == 2:
            out[i] = (value + up) & 0xFF
        elif kind == 3:
            out[i] = (value + (left + up) // 2) & 0xFF
        elif kind == 4:
            p = left + up - corner
            pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
            near = left if pa <= pb and pa <= pc else up if pb <= pc else corner
            out[i] = (value + near) & 0xFF
    return bytes(out)


def _png(data: bytes) -> tuple[int, int, list[tuple[int, int, int, int]]]:
    """Decode an 8-bit RGBA, non-interlaced PNG: width, height and every pixel."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert crc == zlib.crc32(kind + body)
        header = body if kind == b"IHDR" else header
        idat += body if kind == b"IDAT" else b""
        pos += 12 + length
    width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert (depth, color, interlace) == (8, 6, 0)
    raw = zlib.decompress(idat)
    stride = 1 + 4 * width
    pixels: list[tuple[int, int, int, int]] = []
    prior = bytes(4 * width)
    for y in range(height):
        row = raw[y * stride : (y + 1) * stride]
        prior = _unfilter(row[0], row[1:], prior)
        pixels += [
            (prior[x], prior[x + 1], prior[x + 2], prior[x + 3]) for x in range(0, 4 * width, 4)
        ]
    return width, height, pixels


def test_cli_builds_the_zip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """manifest.json and both icons sit at the zip's root; the app id is filled in."""
    out = tmp_path / "app.zip"
    args = ["--app-id", APP_ID.upper(), "--out", str(out), "--website", "https://x.test/bot"]
    assert main(["teams-package", *args]) == 0
    assert str(out) in capsys.readouterr().out
    with zipfile.ZipFile(out) as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(archive.read("manifest.json"))
        color = _png(archive.read("color.png"))
        outline = _png(archive.read("outline.png"))
    assert manifest["id"] == APP_ID
    assert manifest["bots"][0]["botId"] == APP_ID
    assert re.fullmatch(r"\d+\.\d+\.\d+", manifest["version"])
    assert manifest["icons"] == {"color": "color.png", "outline": "outline.png"}
    assert color[:2] == (192, 192)
    assert outline[:2] == (32, 32)
    # Outline icons must be white on transparency; the colour icon is fully opaque.
    assert {p for p in outline[2] if p[3]} == {(255, 255, 255, 255)}
    assert any(p[3] == 0 for p in outline[2])
    assert all(p[3] == 255 for p in color[2])
    assert set(color[2]) == {(255, 255, 255, 255), (0x0F, 0x6C, 0xBD, 255)}
    # The icons are the committed files, byte for byte.
    with zipfile.ZipFile(out) as archive:
        for name in ("color.png", "outline.png"):
            assert archive.read(name) == (MANIFEST_TEMPLATE.parent / name).read_bytes()
    assert manifest["developer"]["websiteUrl"] == "https://x.test/bot"


def test_missing_website_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without --website no placeholder page is slipped into the manifest: one line, exit 2."""
    monkeypatch.setenv("MICROSOFT_APP_ID", APP_ID)
    out = tmp_path / "app.zip"
    assert main(["teams-package", "--out", str(out)]) == 2
    assert capsys.readouterr().err == (
        "finops-bot teams-package: give --website: an https:// page about the bot, which "
        "Teams links as its developer, privacy and terms pages\n"
    )
    assert not out.exists()


def test_manifest_template() -> None:
    """Schema 1.17+, the three bot scopes, and command lists within Teams' limits."""
    template = MANIFEST_TEMPLATE.read_text()
    assert set(re.findall(r"\$\{([A-Z_]+)\}", template)) == {
        "TEAMS_APP_ID",
        "APP_VERSION",
        "WEBSITE_URL",
    }
    manifest = json.loads(
        fill_manifest(
            template,
            {"TEAMS_APP_ID": APP_ID, "APP_VERSION": "1.2.3", "WEBSITE_URL": "https://x.test/"},
        )
    )
    version = tuple(int(n) for n in manifest["manifestVersion"].split("."))
    assert version >= (1, 17)
    assert f"v{manifest['manifestVersion']}/MicrosoftTeams.schema.json" in manifest["$schema"]
    assert len(manifest["name"]["short"]) <= 30
    assert len(manifest["description"]["short"]) <= 80
    assert len(manifest["description"]["full"]) <= 4000
    assert re.fullmatch(r"#[0-9A-Fa-f]{6}", manifest["accentColor"])
    (bot,) = manifest["bots"]
    assert set(bot["scopes"]) == TEAMS_SCOPES
    assert bot["supportsFiles"] is True  # `admin export`'s file consent card needs it
    lists = bot["commandLists"]
    assert len(lists) <= 3
    assert {s for cl in lists for s in cl["scopes"]} == TEAMS_SCOPES
    titles = set()
    for command_list in lists:
        assert len(command_list["commands"]) <= 10
        for command in command_list["commands"]:
            assert len(command["title"]) <= 32
            assert len(command["description"]) <= 128
            titles.add(command["title"])
    assert {"finops-path", "help", "admin status", "admin reload", "admin export"} <= titles
    for key in ("websiteUrl", "privacyUrl", "termsOfUseUrl"):
        assert manifest["developer"][key] == "https://x.test/"


def test_the_zip_is_reproducible(tmp_path: Path) -> None:
    """The same inputs build byte-identical zips (fixed timestamps, committed icons)."""
    args = {"app_id": APP_ID, "version": "1.0.0", "website": "https://x.test/"}
    first = build_package(tmp_path / "a.zip", **args).read_bytes()
    second = build_package(tmp_path / "b.zip", **args).read_bytes()
    assert first == second


def test_missing_app_id_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without --app-id or MICROSOFT_APP_ID: one line naming both, exit 2, no zip."""
    monkeypatch.delenv("MICROSOFT_APP_ID", raising=False)
    out = tmp_path / "app.zip"
    assert main(["teams-package", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "--app-id" in err
    assert "MICROSOFT_APP_ID" in err
    assert not out.exists()


def test_app_id_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """MICROSOFT_APP_ID (the serve setting) is the default app id."""
    monkeypatch.setenv("MICROSOFT_APP_ID", APP_ID)
    out = tmp_path / "app.zip"
    assert main(["teams-package", "--out", str(out), "--website", "https://x.test/"]) == 0
    with zipfile.ZipFile(out) as archive:
        assert json.loads(archive.read("manifest.json"))["id"] == APP_ID


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--app-id", "my-bot", "--website", "https://x.test/"],
            "the app id must be the Azure Bot's Microsoft App ID",
        ),
        (["--app-id", APP_ID, "--website", "http://x.test"], "the website must be an https"),
    ],
)
def test_bad_inputs_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    """A malformed app id or website: one line, exit 2."""
    assert main(["teams-package", "--out", str(tmp_path / "x.zip"), *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"finops-bot teams-package: {message}")
    assert err.count("\n") == 1


def test_placeholders_must_all_be_filled() -> None:
    """A template placeholder without a value is an error, not a literal ${...} in Teams."""
    with pytest.raises(PackageError, match="NEW_THING"):
        fill_manifest('{"a": "${NEW_THING}"}', {})
