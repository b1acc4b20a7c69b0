"""TAXII 2.1 over HTTP: media types, content negotiation, error objects, the bearer token.

Every TAXII response, success or error, is ``application/taxii+json;
version=2.1`` (TAXII 2.1, section 1.6.8: the envelope carries the STIX
objects, so no STIX media type is served).  A request whose ``Accept``
admits neither that type nor ``application/taxii+json`` nor ``*/*`` is
refused with 406; a ``POST`` whose ``Content-Type`` is not
``application/taxii+json;version=2.1`` with 415.  Every error is a TAXII
error message (section 3.6.1): ``title``, ``description``, ``http_status``
and, here, an ``error_code`` naming the rule that refused.
"""

from __future__ import annotations

import json
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import Response

from sharing.errors import SharingError

__all__ = [
    "TAXII_MEDIA_TYPE",
    "TaxiiError",
    "check_accept",
    "check_content_type",
    "taxii_error_response",
    "taxii_response",
]

TAXII_MEDIA_TYPE: Final = "application/taxii+json;version=2.1"
STIX_MEDIA_TYPE: Final = "application/stix+json;version=2.1"
_ACCEPTABLE: Final = {"application/taxii+json", "application/*", "*/*"}


class TaxiiError(SharingError):
    """An error the server answers with a TAXII error message."""

    def __init__(
        self, status: int, title: str, description: str, error_code: str | None = None
    ) -> None:
        self.status = status
        self.title = title
        self.description = description
        self.error_code = error_code
        super().__init__(f"{status} {title}: {description}")

    def body(self) -> dict[str, Any]:
        """The TAXII error message."""
        body: dict[str, Any] = {
            "title": self.title,
            "description": self.description,
            "http_status": str(self.status),
        }
        if self.error_code:
            body["error_code"] = self.error_code
        return body


def _media_types(header: str) -> list[tuple[str, dict[str, str]]]:
    found = []
    for part in header.split(","):
        pieces = [p.strip() for p in part.split(";") if p.strip()]
        if not pieces:
            continue
        params = {}
        for p in pieces[1:]:
            key, _, value = p.partition("=")
            params[key.strip().lower()] = value.strip().strip('"')
        found.append((pieces[0].lower(), params))
    return found


def check_accept(request: Request) -> None:
    """Refuse (406) a request that cannot accept ``application/taxii+json;version=2.1``."""
    header = request.headers.get("accept", "")
    if not header:
        return
    for media, params in _media_types(header):
        if params.get("q") in {"0", "0.0", "0.00", "0.000"}:
            continue
        if media in _ACCEPTABLE and params.get("version", "2.1") == "2.1":
            return
    raise TaxiiError(
        406,
        "Not Acceptable",
        f"this server answers {TAXII_MEDIA_TYPE} only; the request accepts {header!r}",
        "media-type",
    )


def check_content_type(request: Request) -> None:
    """Refuse (415) a body that is not ``application/taxii+json;version=2.1``."""
    header = request.headers.get("content-type", "")
    types = _media_types(header)
    if (
        len(types) == 1
        and types[0][0] == "application/taxii+json"
        and types[0][1].get("version", "2.1") == "2.1"
    ):
        return
    raise TaxiiError(
        415,
        "Unsupported Media Type",
        f"send {TAXII_MEDIA_TYPE}, not {header or 'no Content-Type'}",
        "media-type",
    )


def taxii_response(
    body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """A TAXII JSON response."""
    return Response(
        json.dumps(body, separators=(",", ":"), ensure_ascii=False),
        status_code=status,
        media_type=TAXII_MEDIA_TYPE,
        headers=headers,
    )


def taxii_error_response(error: TaxiiError) -> Response:
    """The error message as a response (401 also names the scheme to use)."""
    headers = {"WWW-Authenticate": 'Bearer realm="taxii"'} if error.status == 401 else None
    return taxii_response(error.body(), error.status, headers)
