"""Files in Teams: the consent card, the upload to the person's OneDrive, the file card.

A bot cannot attach a file to a Teams message. It asks first with a file consent card (1:1
chats only); when the person accepts, Teams creates an empty file in their OneDrive and
sends the bot an upload URL in a `fileConsent/invoke`; the bot PUTs the bytes there and
posts a file info card that opens the file.
https://learn.microsoft.com/microsoftteams/platform/bots/how-to/bots-filesv4
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import aiohttp
from microsoft_agents.activity import Attachment

CONSENT_CONTENT_TYPE = "application/vnd.microsoft.teams.card.file.consent"
INFO_CONTENT_TYPE = "application/vnd.microsoft.teams.card.file.info"
FILE_CONSENT_INVOKE = "fileConsent/invoke"
# What our consent cards carry back, so an invoke we did not ask for is refused.
CONTEXT_KIND = "finops-export"
# OneDrive upload sessions take fragments of a multiple of 320 KiB (the last one excepted).
FRAGMENT = 320 * 1024 * 32  # 10 MiB
UPLOAD_TIMEOUT = aiohttp.ClientTimeout(total=60)
_EXPORT_COMMAND = re.compile(r"^export(?: [0-9]{1,4})?$")


class UploadError(Exception):
    """The file could not be put at the upload URL; the message is safe to show an admin."""


@dataclass(frozen=True)
class ConsentAnswer:
    """A person's answer to one of our consent cards, read from a `fileConsent/invoke`."""

    accepted: bool
    command: str  # the admin command that made the file, e.g. "export 30"
    upload_url: str = ""
    content_url: str = ""
    name: str = ""
    unique_id: str = ""
    file_type: str = ""


def consent_card(filename: str, size: int, description: str, command: str) -> Attachment:
    """Return the card asking to put *filename* in the person's OneDrive.

    The card carries the admin command, not the file: whichever instance receives the
    answer builds the file again (after checking the person is still an admin), so nothing
    is held in memory between the question and the answer.
    """
    context = {"kind": CONTEXT_KIND, "command": command}
    return Attachment(
        content_type=CONSENT_CONTENT_TYPE,
        name=filename,
        content={
            "description": description,
            "sizeInBytes": size,
            "acceptContext": context,
            "declineContext": context,
        },
    )


def info_card(answer: ConsentAnswer) -> Attachment:
    """Return the card that shows the uploaded file and opens it from OneDrive."""
    return Attachment(
        content_type=INFO_CONTENT_TYPE,
        name=answer.name,
        content_url=answer.content_url,
        content={"uniqueId": answer.unique_id, "fileType": answer.file_type},
    )


def read_consent(value: object) -> ConsentAnswer | None:
    """Return the answer in a `fileConsent/invoke` value, or None if it is not one of ours."""
    if not isinstance(value, Mapping):
        return None
    context = value.get("context")
    if not isinstance(context, Mapping) or context.get("kind") != CONTEXT_KIND:
        return None
    command = context.get("command")
    if not isinstance(command, str) or not _EXPORT_COMMAND.match(command):
        return None
    action = value.get("action")
    if action == "decline":
        return ConsentAnswer(accepted=False, command=command)
    info = value.get("uploadInfo")
    if action != "accept" or not isinstance(info, Mapping):
        return None
    fields = {k: info.get(k) for k in ("uploadUrl", "contentUrl", "name", "uniqueId", "fileType")}
    if not all(isinstance(v, str) and v for v in fields.values()):
        return None
    return ConsentAnswer(
        accepted=True,
        command=command,
        upload_url=str(fields["uploadUrl"]),
        content_url=str(fields["contentUrl"]),
        name=str(fields["name"]),
        unique_id=str(fields["uniqueId"]),
        file_type=str(fields["fileType"]),
    )


def upload_allowed(url: str, *, loopback_ok: bool) -> bool:
    """Return True when the bot may PUT a file to *url*: HTTPS, or loopback in local testing."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return True
    if not loopback_ok or parts.scheme != "http" or not parts.hostname:
        return False
    if parts.hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:
        return False


async def upload(session: aiohttp.ClientSession, url: str, data: bytes) -> None:
    """PUT *data* to an upload session URL in fragments; raise UploadError if refused."""
    total = len(data)
    start = 0
    while True:
        chunk = data[start : start + FRAGMENT]
        end = start + len(chunk) - 1
        headers = {
            "Content-Length": str(len(chunk)),
            # An empty file is one empty fragment; OneDrive wants "bytes */0" for it.
            "Content-Range": f"bytes {start}-{end}/{total}" if total else "bytes */0",
        }
        try:
            async with session.put(
                url, data=chunk, headers=headers, timeout=UPLOAD_TIMEOUT
            ) as resp:
                if resp.status >= 300:
                    raise UploadError(f"the upload was refused (HTTP {resp.status})")
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise UploadError(f"the upload failed ({type(exc).__name__})") from exc
        start += len(chunk)
        if start >= total:
            return
