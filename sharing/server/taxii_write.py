"""TAXII "Add Objects" for sightings, and the per-indicator counts.

Members report what they saw of a verified indicator by POSTing STIX 2.1
``sighting`` objects to the ``verified`` collection (TAXII 2.1, section
5.5), the way MISP and OpenCTI push sightings back to a feed.  Each object
is accepted or refused on its own, and the reply is a TAXII status resource
(202) listing both; nothing else is accepted (indicators enter the pool
only through the chain: ``sharing indicator submit`` / ``import``).

A sighting is accepted when

* it is a valid STIX 2.1 ``sighting`` (the OASIS validator; custom ``x_``
  properties allowed, e.g. ``x_opencti_negative`` for a false positive);
* its ``sighting_of_ref`` is an indicator of a bundle in the collection that
  the reporter may read now (verified, and passing the TLP rule);
* it carries a TLP marking other than RED (it is read under that marking:
  a GREEN sighting of a CLEAR indicator reaches members with access only);
* the reporter is not the indicator's submitter (a firm does not vouch for
  its own indicator), and the sighting's id is new.

``GET /sightings/`` returns ``{indicator id: {sightings, false_positives}}``
for the verified indicators the caller may read.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from sharing.errors import InputError
from sharing.server.context import ServerContext
from sharing.server.taxii import MAX_CONTENT_LENGTH, reader_of, require_read
from sharing.server.taxii_http import TaxiiError, check_content_type, taxii_response
from sharing.server.taxii_view import COLLECTIONS, collection_by_id, records_for
from sharing.standards.stix_parse import validate_object
from sharing.standards.tlp import Tlp, tlp_of_object

__all__ = ["add_objects", "indicator_index", "sighting_routes"]


def indicator_index(ctx: ServerContext, reader: str, now: int) -> dict[str, tuple[bytes, str]]:
    """Indicator id -> (content hash, submitter) of the verified bundles ``reader`` may read.

    Call with the lock held.
    """
    verified = COLLECTIONS[0]
    index: dict[str, tuple[bytes, str]] = {}
    for record in records_for(ctx, reader, verified, now + 1):
        if record.type == "indicator" and record.id not in index:
            submitter = ctx.submitter_of(record.content_hash) or ""
            index[record.id] = (record.content_hash, submitter)
    return index


def _check(
    obj: Any, reader: str, index: dict[str, tuple[bytes, str]]
) -> tuple[bytes | None, str]:
    """(content hash, "") if the object is an acceptable sighting, else (None, why not)."""
    if not isinstance(obj, dict):
        return None, "not a STIX object"
    if obj.get("type") != "sighting":
        return None, f"only sightings are accepted here, not {obj.get('type')!r}"
    try:
        validate_object(obj)
    except InputError as exc:
        return None, str(exc)
    tlp = tlp_of_object(obj)
    if tlp is None:
        return None, "a sighting needs a TLP marking (object_marking_refs), as every pool entry"
    if tlp is Tlp.RED:
        return None, "TLP:RED is for named recipients only and never enters the pool"
    target = index.get(str(obj.get("sighting_of_ref")))
    if target is None:
        return None, (
            f"{obj.get('sighting_of_ref')} is not a verified indicator you may read now"
        )
    content_hash, submitter = target
    if submitter == reader:
        return None, "the indicator's submitter cannot report sightings of it"
    return content_hash, ""


async def add_objects(ctx: ServerContext, request: Request) -> Response:
    """``POST .../collections/{id}/objects/``: store sightings, answer a status resource."""
    check_content_type(request)
    reader = reader_of(ctx, request)
    body = await request.body()
    if len(body) > MAX_CONTENT_LENGTH:
        raise TaxiiError(
            413, "Request Too Large", f"at most {MAX_CONTENT_LENGTH} bytes", "content-length"
        )
    try:
        envelope = json.loads(body)
        objects = envelope["objects"]
        if not isinstance(objects, list):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        raise TaxiiError(
            400, "Bad Envelope", 'send a TAXII envelope: {"objects": [<STIX objects>]}', "envelope"
        ) from None
    requested = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    successes: list[dict[str, Any]] = []
    failures: list[dict[str, Any]] = []
    with ctx.reading():
        view = collection_by_id(ctx, request.path_params["cid"])
        if not view.can_write:
            raise TaxiiError(
                403, "Forbidden", f"{view.alias!r} is read-only; POST sightings to 'verified'",
                "read-only",
            )
        require_read(ctx, reader, view)
        if ctx.sightings is None:
            raise TaxiiError(403, "Forbidden", "this server accepts no sightings", "read-only")
        index = indicator_index(ctx, reader, ctx.auth.now())
        for obj in objects:
            ident = str(obj.get("id", "")) if isinstance(obj, dict) else ""
            version = str(obj.get("modified") or obj.get("created") or requested) if isinstance(
                obj, dict) else requested
            content_hash, why = _check(obj, reader, index)
            if content_hash is not None:
                try:
                    ctx.sightings.add(obj, content_hash=content_hash, reporter=reader)
                except InputError as exc:
                    why = str(exc)
            detail = {"id": ident, "version": version}
            if why:
                failures.append(detail | {"message": why})
            else:
                counts = ctx.sightings.counts(str(obj["sighting_of_ref"]))
                successes.append(
                    detail | {"message": f"stored; the indicator has {counts.sightings} "
                              f"sightings and {counts.false_positives} false positives"}
                )
    status: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "status": "complete",
        "request_timestamp": requested,
        "total_count": len(objects),
        "success_count": len(successes),
        "failure_count": len(failures),
        "pending_count": 0,
    }
    if successes:
        status["successes"] = successes
    if failures:
        status["failures"] = failures
    ctx.extra.setdefault("taxii_status", {})[status["id"]] = (reader, status)
    return taxii_response(status, 202)


def sighting_routes(ctx: ServerContext) -> list[BaseRoute]:
    """``GET /sightings/``: counts per verified indicator the caller may read."""

    async def counts(request: Request) -> Response:
        try:
            reader = reader_of(ctx, request)
        except TaxiiError as exc:
            return JSONResponse(exc.body(), exc.status)
        with ctx.reading():
            try:
                require_read(ctx, reader, COLLECTIONS[0])
            except TaxiiError as exc:
                return JSONResponse(exc.body(), exc.status)
            index = indicator_index(ctx, reader, ctx.auth.now())
            store = ctx.sightings
            body = {
                ident: (store.counts(ident).as_json() if store is not None
                        else {"sightings": 0, "false_positives": 0})
                for ident in index
            }
        return JSONResponse(body)

    return [Route("/sightings/", counts, methods=["GET"])]
