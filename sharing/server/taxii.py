"""The TAXII 2.1 API over the pool (OASIS TAXII 2.1, sections 4 and 5).

Mounted at ``/taxii2/`` by :func:`sharing.server.app.create_app`:

===========================================================  ================================
``GET  /taxii2/``                                            discovery
``GET  /taxii2/alliance/``                                   the API root
``GET  /taxii2/alliance/status/{id}/``                       status of an add-objects request
``GET  /taxii2/alliance/collections/``                       collections
``GET  /taxii2/alliance/collections/{id}/``                  one collection
``GET  /taxii2/alliance/collections/{id}/manifest/``         manifests
``GET  /taxii2/alliance/collections/{id}/objects/``          objects (envelope)
``POST /taxii2/alliance/collections/{id}/objects/``          add sightings (verified only)
``GET  /taxii2/alliance/collections/{id}/objects/{oid}/``    one object
``GET  .../objects/{oid}/versions/``                         its versions
===========================================================  ================================

Every endpoint needs ``Authorization: Bearer <token>`` (or ``Token``, or
``Basic`` with the token as the password: :mod:`sharing.server.auth`; 401
without one or with an expired, forged or revoked one).  What a token's
address may read is decided at each request from the chain's answers now:
a collection's ``can_read`` is whether the address is a member with pool
access at that moment (TLP:CLEAR collections: always), reading a
collection it cannot read is 403 naming the on-chain rule, and inside a
readable collection every bundle passes the pool's TLP rule
(:mod:`sharing.server.taxii_view`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from sharing.pool.access import DenyReason
from sharing.server.auth import AuthError, token_from_authorization
from sharing.server.context import ServerContext
from sharing.server.taxii_http import (
    TAXII_MEDIA_TYPE,
    TaxiiError,
    check_accept,
    taxii_response,
)
from sharing.server.taxii_view import (
    COLLECTIONS,
    CollectionView,
    Record,
    collection_by_id,
    paginate,
    records_for,
    select,
)
from sharing.standards.tlp import Tlp

__all__ = ["API_ROOT", "MAX_CONTENT_LENGTH", "reader_of", "taxii_routes"]

#: The one API root's path segment.
API_ROOT: Final = "alliance"
#: Largest request body accepted (an add-objects envelope), bytes.
MAX_CONTENT_LENGTH: Final = 1_048_576


def reader_of(ctx: ServerContext, request: Request) -> str:
    """The address the request's token is bound to; 401 otherwise.

    The token may come as ``Bearer``, ``Token`` or the password of ``Basic``
    (:func:`sharing.server.auth.token_from_authorization`), the ways TAXII
    clients are configured.
    """
    try:
        token = token_from_authorization(request.headers.get("authorization", ""))
        return ctx.auth.verify(token)
    except AuthError as exc:
        raise TaxiiError(
            401, "Unauthorized", exc.detail, f"auth-{exc.reason.value.replace(' ', '-')}"
        ) from None


def can_read(ctx: ServerContext, reader: str, view: CollectionView) -> DenyReason | None:
    """Why ``reader`` may not read ``view`` now, or ``None`` (call under the lock)."""
    if view.tlp is Tlp.CLEAR:
        return None
    if not ctx.is_member(reader):
        return DenyReason.NOT_MEMBER
    if not ctx.has_access(reader):
        return DenyReason.NO_ACCESS
    return None


def require_read(ctx: ServerContext, reader: str, view: CollectionView) -> None:
    """Refuse (403, naming the on-chain rule) a reader who may not read ``view`` now."""
    denied = can_read(ctx, reader, view)
    if denied is not None:
        raise TaxiiError(
            403,
            "Forbidden",
            f"{reader} cannot read {view.alias!r} now: {denied.value} "
            "(the on-chain access rule, checked at every request)",
            denied.name.lower().replace("_", "-"),
        )


def _params(request: Request) -> Callable[[str], str | None]:
    return request.query_params.get


def taxii_routes(ctx: ServerContext) -> list[BaseRoute]:
    """The TAXII routes over ``ctx`` (mounted under ``/taxii2``)."""

    def now() -> int:
        return ctx.auth.now()

    async def discovery(request: Request) -> Response:
        check_accept(request)
        reader_of(ctx, request)
        root = str(request.url_for("taxii_api_root"))
        return taxii_response(
            {
                "title": ctx.title,
                "description": "TAXII 2.1 over the alliance's pool: verified indicators, "
                "read under TLP 2.0 and the on-chain access rule.",
                "default": root,
                "api_roots": [root],
            }
        )

    async def api_root(request: Request) -> Response:
        check_accept(request)
        reader_of(ctx, request)
        return taxii_response(
            {
                "title": ctx.title,
                "description": f"Alliance contract {ctx.system.address} "
                f"on chain {ctx.chain.chain_id}.",
                "versions": [TAXII_MEDIA_TYPE],
                "max_content_length": MAX_CONTENT_LENGTH,
            }
        )

    def _collection_resource(reader: str, view: CollectionView) -> dict[str, Any]:
        resource = view.resource(ctx.system.address)
        denied = can_read(ctx, reader, view)
        resource["can_read"] = denied is None
        resource["can_write"] = view.can_write and denied is None
        return resource

    async def collections(request: Request) -> Response:
        check_accept(request)
        reader = reader_of(ctx, request)
        with ctx.reading():
            items = [_collection_resource(reader, view) for view in COLLECTIONS]
        return taxii_response({"collections": items})

    async def collection(request: Request) -> Response:
        check_accept(request)
        reader = reader_of(ctx, request)
        with ctx.reading():
            view = collection_by_id(ctx, request.path_params["cid"])
            return taxii_response(_collection_resource(reader, view))

    def _records(request: Request) -> list[Record]:
        reader = reader_of(ctx, request)
        with ctx.reading():
            view = collection_by_id(ctx, request.path_params["cid"])
            require_read(ctx, reader, view)
            return records_for(ctx, reader, view, now())

    async def manifest(request: Request) -> Response:
        check_accept(request)
        page = paginate(select(_records(request), _params(request)), _params(request))
        return taxii_response(
            page.envelope([r.manifest() for r in page.records]), headers=page.headers()
        )

    async def objects(request: Request) -> Response:
        check_accept(request)
        if request.method == "POST":
            from sharing.server.taxii_write import add_objects

            return await add_objects(ctx, request)
        page = paginate(select(_records(request), _params(request)), _params(request))
        return taxii_response(
            page.envelope([r.object for r in page.records]), headers=page.headers()
        )

    def _of_object(request: Request) -> list[Record]:
        oid = request.path_params["oid"]
        found = [r for r in _records(request) if r.id == oid]
        if not found:
            raise TaxiiError(
                404, "Object Not Found",
                f"no object {oid!r} in this collection that you may read now", "object",
            )
        return found

    async def get_object(request: Request) -> Response:
        check_accept(request)
        params = _params(request)
        kept = select(_of_object(request), params, allow=frozenset({"version", "spec_version"}))
        page = paginate(kept, params)
        return taxii_response(
            page.envelope([r.object for r in page.records]), headers=page.headers()
        )

    async def versions(request: Request) -> Response:
        check_accept(request)
        params = _params(request)

        def every_version(key: str) -> str | None:
            return "all" if key == "match[version]" else params(key)

        kept = select(
            _of_object(request), every_version, allow=frozenset({"version", "spec_version"})
        )
        page = paginate(kept, params)
        return taxii_response(
            page.envelope([r.version for r in page.records], key="versions"),
            headers=page.headers(),
        )

    async def status(request: Request) -> Response:
        check_accept(request)
        reader = reader_of(ctx, request)
        statuses: dict[str, tuple[str, dict[str, Any]]] = ctx.extra.get("taxii_status", {})
        sid = request.path_params["sid"]
        owner, body = statuses.get(sid, ("", {}))
        if owner != reader:
            raise TaxiiError(404, "Status Not Found", f"no status {sid!r} of yours", "status")
        return taxii_response(body)

    root = f"/{API_ROOT}"
    coll = f"{root}/collections/{{cid}}"
    return [
        Route("/", discovery, methods=["GET"], name="taxii_discovery"),
        Route(f"{root}/", api_root, methods=["GET"], name="taxii_api_root"),
        Route(f"{root}/status/{{sid}}/", status, methods=["GET"]),
        Route(f"{root}/collections/", collections, methods=["GET"]),
        Route(f"{coll}/", collection, methods=["GET"]),
        Route(f"{coll}/manifest/", manifest, methods=["GET"]),
        Route(f"{coll}/objects/", objects, methods=["GET", "POST"]),
        Route(f"{coll}/objects/{{oid}}/", get_object, methods=["GET"]),
        Route(f"{coll}/objects/{{oid}}/versions/", versions, methods=["GET"]),
    ]
