"""The dashboard's HTTP routes, mounted at ``/`` by ``sharing.server.app.create_app``.

Every page reads the chain per request through a :class:`SnapshotCache`
keyed on the latest block's hash: a new block (or a reverted development
chain) shows on the next request, without restarting the server, and
several pages read in one block cost one snapshot. All chain and pool use
happens inside ``ctx.lock`` (the embedded chain is not thread-safe), in
Starlette's thread pool.

Sessions: the bearer token of :class:`sharing.server.auth.TokenAuthority`
in an HttpOnly, SameSite=Strict cookie; it is verified on every request
and only says who the reader is - what it may read is decided by the
pool at request time (``PoolStore.get_for``).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from sharing.errors import AccessDenied, InputError, SharingError
from sharing.server.auth import AuthError
from sharing.server.context import ServerContext
from sharing.server.dashboard.account import read_account
from sharing.server.dashboard.account_pages import render_account, render_signin
from sharing.server.dashboard.alliance_page import names_for, render_alliance
from sharing.server.dashboard.html import e, page, short, utc
from sharing.server.dashboard.incentives_page import render_incentives
from sharing.server.dashboard.indicator_pages import (
    Content,
    parse_filter,
    render_indicator,
    render_indicators,
)
from sharing.server.dashboard.report import models_folder, read_report
from sharing.server.dashboard.snapshot import EventLog, Snapshot, read_snapshot

#: The session cookie's name.
COOKIE = "sharing_session"
#: The folder of the stylesheet and the live-update script.
STATIC_DIR = Path(__file__).resolve().parent / "static"
#: Sent with every page: nothing but this server's own files, no framing, no referrer.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
_HASH = re.compile(r"0x[0-9a-fA-F]{64}")


class SnapshotCache:
    """The last :class:`Snapshot`, reused while the latest block's hash is unchanged."""

    def __init__(self, ctx: ServerContext) -> None:
        self._ctx = ctx
        self._guard = threading.Lock()
        self._snap: Snapshot | None = None
        self._timestamps: dict[bytes, int] = {}
        self._log = EventLog(ctx.system)

    def latest_hash(self) -> bytes:
        """Hash of the latest block (one cheap call; the caller holds ``ctx.lock``)."""
        return bytes(self._ctx.chain.w3.eth.get_block("latest")["hash"])

    def get(self) -> Snapshot:
        """The snapshot at the latest block; the caller holds ``ctx.lock``."""
        latest = self.latest_hash()
        with self._guard:
            previous = self._snap
        if previous is not None and previous.block_hash == latest:
            return previous
        snap = read_snapshot(self._ctx.system, latest, self._timestamps, self._log, previous)
        with self._guard:
            self._snap = snap
        return snap


def _footer(snap: Snapshot) -> str:
    return (
        f'<span data-block="{snap.block_number}">Block {snap.block_number:,}</span> · '
        f"chain {snap.chain_id} · alliance <code title=\"{e(snap.address)}\">"
        f"{e(short(snap.address))}</code> · chain time {e(utc(snap.timestamp))} · "
        "every figure as the chain holds it at this block"
    )


def routes(ctx: ServerContext) -> list[BaseRoute]:
    """The dashboard's routes over ``ctx`` (pages, sign-in, static files, the reports)."""
    cache = SnapshotCache(ctx)

    def reader_of(request: Request) -> str | None:
        token = request.cookies.get(COOKIE)
        if not token:
            return None
        try:
            return str(ctx.auth.verify(token))
        except AuthError:
            return None

    def respond(
        request: Request, title: str, current: str, build: Callable[[Snapshot], str],
        *, status: int = 200, refresh: bool = True, private: bool = False,
    ) -> Response:
        footer = ""
        try:
            with ctx.lock:
                snap = cache.get()
                body = build(snap)
            footer = _footer(snap)
        except (OSError, SharingError) as exc:
            # The node or the pool failed: say so on a page, never a traceback.
            title, status, private = "Chain unavailable", 503, True
            body = (
                "<h1>Chain unavailable</h1><p>The dashboard could not read the alliance: "
                f"<code class=wrap>{e(exc)}</code>. It reads the chain again on every request; "
                'try again shortly. <a href="">Reload</a>.</p>'
            )
        html = page(
            title=title, site=ctx.title, current=current, body=body, footer=footer,
            signed_in=reader_of(request), refresh=refresh,
        )
        headers = dict(SECURITY_HEADERS)
        headers["Cache-Control"] = "no-store" if private else "no-cache"
        return HTMLResponse(html, status_code=status, headers=headers)

    def names(snap: Snapshot) -> dict[str, str]:
        extra = ctx.extra.get("names", {}) if isinstance(ctx.extra, dict) else {}
        return names_for(snap, ctx.system.governance, extra)

    # -- pages ---------------------------------------------------------------

    def alliance(request: Request) -> Response:
        return respond(request, "Alliance", "/", lambda s: render_alliance(s, names(s)))

    def indicators(request: Request) -> Response:
        firm = request.query_params.get("firm", "")
        tactic = request.query_params.get("tactic", "")

        def build(snap: Snapshot) -> str:
            chosen = parse_filter(snap, firm, tactic)
            return render_indicators(snap, names(snap), chosen)

        return respond(request, "Indicators", "/indicators", build,
                       private=reader_of(request) is not None)

    def indicator(request: Request) -> Response:
        raw = request.path_params["content_hash"]
        if not _HASH.fullmatch(raw):
            return respond(
                request, "Not an indicator id", "/indicators",
                lambda _s: f"<h1>Not an indicator id</h1><p>{e(raw)} is not 0x and 64 hex "
                'digits. <a href="/indicators">All indicators</a>.</p>',
                status=400,
            )
        digest = bytes.fromhex(raw[2:])
        reader = reader_of(request)
        found: dict[str, Any] = {}

        def build(snap: Snapshot) -> str:
            ind = snap.indicator(digest)
            if ind is None:
                found["missing"] = True
                return (
                    f"<h1>No such indicator</h1><p>Nothing with id <code class=wrap>{e(raw)}"
                    "</code> was revealed on this chain (a commitment shows its hash only "
                    'once revealed). <a href="/indicators">All indicators</a>.</p>'
                )
            return render_indicator(snap, ind, names(snap), content_for(reader, digest), reader)

        response = respond(request, f"Indicator {short(raw)}", "/indicators", build,
                           private=True)
        if found.get("missing"):
            response.status_code = 404
        return response

    def content_for(reader: str | None, digest: bytes) -> Content:
        """The bundle if the pool's rule lets ``reader`` have it now (caller holds the lock)."""
        try:
            stored = ctx.pool.get_for(reader, digest)
        except AccessDenied as exc:
            return Content(None, None, f"The pool refuses it to you: {exc}")
        except InputError:
            return Content(None, None, "The pool holds no bundle for it.")
        return Content(stored.json_text, stored.tlp.label, None)

    def account(request: Request) -> Response:
        reader = reader_of(request)
        if reader is None:
            return RedirectResponse("/signin", status_code=303, headers=SECURITY_HEADERS)

        def build(snap: Snapshot) -> str:
            return render_account(snap, read_account(ctx.system, snap, reader), names(snap))

        return respond(request, "My account", "/account", build, private=True)

    def incentives(request: Request) -> Response:
        report = read_report(ctx.report_dir)
        return respond(request, "Incentives", "/incentives", lambda _s: render_incentives(report))

    # -- sign-in -------------------------------------------------------------

    def signin_page(request: Request, *, status: int = 200, **fields: Any) -> Response:
        return respond(
            request, "Sign in", "/account", lambda _s: render_signin(**fields),
            status=status, refresh=False, private=True,
        )

    def signin(request: Request) -> Response:
        address = request.query_params.get("address", "").strip()
        if not address:
            return signin_page(request)
        try:
            with ctx.lock:
                nonce = ctx.auth.new_nonce()
            message = ctx.auth.message_for(address, nonce, str(request.base_url))
        except AuthError as exc:
            return signin_page(request, status=400, address_value=address, error=str(exc))
        return signin_page(request, address_value=address, message=message)

    async def signin_post(request: Request) -> Response:
        form = await request.form()
        token, message, signature = (
            str(form.get(k, "")).strip() for k in ("token", "message", "signature")
        )
        if not token and not (message and signature):
            return await run_in_threadpool(
                signin_page, request, status=400,
                error="Paste the signature of the message, or a token.",
            )
        expires_at: int | None = None
        try:
            if token:
                ctx.auth.verify(token)  # a session cookie: verified again on every request
            else:
                # A browser submits form text with CRLF line breaks; EIP-4361 text uses LF.
                text = str(form.get("message", "")).replace("\r\n", "\n")
                issued = ctx.auth.exchange(text, signature)
                token, expires_at = issued.token, issued.expires_at
        except AuthError as exc:
            return await run_in_threadpool(signin_page, request, status=400, error=str(exc))
        response = RedirectResponse("/account", status_code=303, headers=SECURITY_HEADERS)
        response.set_cookie(
            COOKIE, token, path="/", httponly=True, samesite="strict",
            max_age=None if expires_at is None else max(1, expires_at - ctx.auth.now()),
            secure=request.url.scheme == "https",
        )
        return response

    def signout(request: Request) -> Response:
        response = RedirectResponse("/", status_code=303, headers=SECURITY_HEADERS)
        response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
        return response

    def live(request: Request) -> Response:
        try:
            with ctx.lock:
                block = ctx.chain.w3.eth.get_block("latest")
        except (OSError, SharingError) as exc:
            return JSONResponse({"error": str(exc)}, 503, headers={"Cache-Control": "no-store"})
        return JSONResponse(
            {"block": int(block["number"]), "hash": "0x" + bytes(block["hash"]).hex()},
            headers={"Cache-Control": "no-store"},
        )

    found: list[BaseRoute] = [
        Route("/", alliance, methods=["GET"]),
        Route("/indicators", indicators, methods=["GET"]),
        Route("/indicators/{content_hash}", indicator, methods=["GET"]),
        Route("/account", account, methods=["GET"]),
        Route("/signin", signin, methods=["GET"]),
        Route("/signin", signin_post, methods=["POST"]),
        Route("/signout", signout, methods=["POST"]),
        Route("/incentives", incentives, methods=["GET"]),
        Route("/live.json", live, methods=["GET"]),
        Mount("/static", app=StaticFiles(directory=STATIC_DIR), name="dashboard-static"),
    ]
    if ctx.report_dir is not None and Path(ctx.report_dir).is_dir():
        found.append(Mount("/report", app=StaticFiles(directory=ctx.report_dir, html=True)))
        models = models_folder(Path(ctx.report_dir))
        if models is not None:
            found.append(Mount("/models-report", app=StaticFiles(directory=models, html=True)))
    return found

