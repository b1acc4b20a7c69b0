"""The ASGI application: TAXII 2.1 at ``/taxii2/``, sign-in at ``/auth/``, the dashboard at ``/``.

``create_app(ctx)`` builds one Starlette application over one
:class:`~sharing.server.context.ServerContext`; ``sharing serve`` runs it
on uvicorn.  Sign-in (EIP-4361, :mod:`sharing.server.auth`):

* ``GET /auth/nonce[?address=0x..]`` -> ``{nonce, domain, chain_id, uri,
  statement, expires_at}``, and with an address the exact ``message`` to sign;
* ``POST /auth/token`` with JSON ``{message, signature}`` ->
  ``{token, address, expires_at}``; a refusal is ``401`` with
  ``{error, reason}``.
"""

from __future__ import annotations

import importlib.util
import json
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from sharing.errors import ChainError
from sharing.server.auth import AuthError
from sharing.server.context import ServerContext
from sharing.server.taxii import taxii_routes
from sharing.server.taxii_http import TaxiiError, taxii_error_response
from sharing.server.taxii_write import sighting_routes

__all__ = ["create_app"]


def _auth_routes(ctx: ServerContext) -> list[BaseRoute]:
    async def nonce(request: Request) -> Response:
        auth = ctx.auth
        issued = auth.new_nonce()
        uri = str(request.base_url)
        body: dict[str, Any] = {
            "nonce": issued,
            "domain": auth.domain,
            "chain_id": auth.chain_id,
            "uri": uri,
            "statement": auth.statement,
            "expires_at": auth.now() + auth.nonce_ttl,
        }
        address = request.query_params.get("address")
        if address is not None:
            try:
                body["message"] = auth.message_for(address, issued, uri)
            except AuthError as exc:
                return JSONResponse({"error": str(exc), "reason": exc.reason.value}, 400)
        return JSONResponse(body, headers={"Cache-Control": "no-store"})

    async def token(request: Request) -> Response:
        try:
            data = json.loads(await request.body())
            message, signature = data["message"], data["signature"]
            if not isinstance(message, str) or not isinstance(signature, str):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            return JSONResponse(
                {"error": 'send JSON {"message": <EIP-4361 text>, "signature": "0x..."}',
                 "reason": "malformed"},
                400,
            )
        try:
            issued = ctx.auth.exchange(message, signature)
        except AuthError as exc:
            return JSONResponse({"error": str(exc), "reason": exc.reason.value}, 401)
        return JSONResponse(issued.as_json(), headers={"Cache-Control": "no-store"})

    return [
        Route("/auth/nonce", nonce, methods=["GET"]),
        Route("/auth/token", token, methods=["POST"]),
    ]


def _dashboard_routes(ctx: ServerContext) -> list[BaseRoute]:
    """The dashboard's routes, if the package is installed in this tree."""
    if importlib.util.find_spec("sharing.server.dashboard") is None:
        return []
    from sharing.server import dashboard

    routes = getattr(dashboard, "routes", None)
    return list(routes(ctx)) if callable(routes) else []


async def _taxii_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, TaxiiError)
    return taxii_error_response(exc)


async def _http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own 404 / 405: a TAXII error message under ``/taxii2/``."""
    assert isinstance(exc, HTTPException)
    if request.url.path.startswith("/taxii2"):
        return taxii_error_response(
            TaxiiError(exc.status_code, str(exc.detail), f"{request.method} {request.url.path}")
        )
    return PlainTextResponse(str(exc.detail), exc.status_code, headers=exc.headers)


async def _unexpected(request: Request, exc: Exception) -> Response:
    """Anything else: a TAXII error message under ``/taxii2/`` too, without internals.

    A chain that cannot be read (a node down) is ``503``: the client should
    retry; anything else is ``500``.
    """
    # A node that does not answer: ChainError from the drivers, OSError from the transport
    # (requests' and the socket's connection errors are OSErrors).
    unavailable = isinstance(exc, ChainError | OSError)
    status = 503 if unavailable else 500
    description = (
        "the alliance's chain cannot be read now; retry later" if unavailable
        else "the server failed on this request"
    )
    if request.url.path.startswith("/taxii2"):
        return taxii_error_response(TaxiiError(status, "Server Error", description, "server"))
    return PlainTextResponse(description, status)


def create_app(ctx: ServerContext) -> Starlette:
    """The server's application over ``ctx``."""
    routes: list[BaseRoute] = [
        Mount("/taxii2", routes=taxii_routes(ctx)),
        *_auth_routes(ctx),
        *sighting_routes(ctx),
        *_dashboard_routes(ctx),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={
            TaxiiError: _taxii_error,
            HTTPException: _http_error,
            Exception: _unexpected,
        },
    )
    app.state.ctx = ctx
    return app
