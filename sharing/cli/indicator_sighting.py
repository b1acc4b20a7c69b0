"""CLI: ``sharing indicator sighting`` - report a sighting or a false positive to the TAXII server.

Builds a STIX 2.1 ``sighting`` of a verified indicator (a false positive
carries ``"x_opencti_negative": true``) and POSTs it to the server's
``verified`` collection, exactly as a TAXII client would
(:mod:`sharing.server.taxii_write` decides; docs/taxii.md, "Sightings").
The bearer token comes from ``--token-file`` or ``$SHARING_TAXII_TOKEN``,
never from the command line (``sharing token`` gets one).
"""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click

from sharing.cli._common import emit, json_option
from sharing.cli._roles import render_fields
from sharing.cli.indicator import indicator
from sharing.errors import ChainError, InputError

TAXII = "application/taxii+json;version=2.1"


def _token(token_file: str | None) -> str:
    if token_file is not None:
        try:
            token = Path(token_file).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise InputError(f"cannot read --token-file {token_file}: {exc.strerror}") from None
    else:
        token = os.environ.get("SHARING_TAXII_TOKEN", "").strip()
    if not token:
        raise InputError("a sighting needs a bearer token: --token-file FILE or "
                         "$SHARING_TAXII_TOKEN (get one with `sharing token`)")
    return token


def sighting_object(
    indicator_id: str, *, count: int, false_positive: bool, tlp: str, seen_at: str | None
) -> dict[str, Any]:
    """The STIX 2.1 sighting to send."""
    from sharing.standards.tlp import Tlp

    if not indicator_id.startswith("indicator--"):
        raise InputError(f"--indicator {indicator_id!r} is not a STIX indicator id")
    if count < 0 or count > 999_999_999:
        raise InputError(f"--count must be in 0..999999999, got {count}")
    moment = datetime.now(UTC)
    now = moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    obj: dict[str, Any] = {
        "type": "sighting",
        "spec_version": "2.1",
        "id": f"sighting--{uuid.uuid4()}",
        "created": now,
        "modified": now,
        "sighting_of_ref": indicator_id,
        "count": count,
        "object_marking_refs": [Tlp.parse(tlp).marking_id],
    }
    if seen_at is not None:
        obj["first_seen"] = obj["last_seen"] = seen_at
    if false_positive:
        obj["x_opencti_negative"] = True
    return obj


@indicator.command("sighting")
@click.option("--server", required=True, metavar="URL", help="The server's base URL.")
@click.option("--indicator", "indicator_id", required=True, metavar="ID",
              help="The verified indicator's STIX id (indicator--...).")
@click.option("--false-positive", is_flag=True, help="Report it wrong, not seen.")
@click.option("--count", type=int, default=1, show_default=True, help="Times seen.")
@click.option("--seen-at", default=None, metavar="TIME",
              help="When it was seen (UTC, e.g. 2026-03-01T09:00:00Z).")
@click.option("--tlp", default="green", show_default=True, help="Marking of the sighting.")
@click.option("--token-file", default=None, metavar="FILE",
              help="File holding the bearer token (default: $SHARING_TAXII_TOKEN).")
@json_option
def sighting(
    server: str,
    indicator_id: str,
    false_positive: bool,
    count: int,
    seen_at: str | None,
    tlp: str,
    token_file: str | None,
    as_json: bool,
) -> None:
    """Report a sighting (or a false positive) of a verified indicator."""
    import httpx

    parts = urlsplit(server)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InputError(f"--server {server!r} is not an http(s) URL")
    token = _token(token_file)
    obj = sighting_object(indicator_id, count=count, false_positive=false_positive, tlp=tlp,
                          seen_at=seen_at)
    url = f"{parts.scheme}://{parts.netloc}/taxii2/alliance/collections/verified/objects/"
    try:
        reply = httpx.post(url, json={"objects": [obj]}, timeout=30.0, headers={
            "Authorization": f"Bearer {token}", "Accept": TAXII, "Content-Type": TAXII})
    except httpx.HTTPError as exc:
        raise ChainError(f"cannot reach {url}: {exc.__class__.__name__}: {exc}") from None
    body = reply.json()
    if reply.status_code != 202:
        raise InputError(f"the server refused the sighting ({reply.status_code}): "
                         f"{body.get('description', reply.text)}")
    if body.get("failure_count"):
        raise InputError(f"the server refused the sighting: {body['failures'][0]['message']}")
    result = {
        "sighting": obj["id"],
        "indicator": indicator_id,
        "false_positive": false_positive,
        "status": body["id"],
        "server": body["successes"][0]["message"],
    }
    emit(result, as_json, render_fields("Sighting reported"))
