"""The dashboard's HTML vocabulary: escaping, formatting of wei, time and addresses, the page frame.

Every page is a Python string built from these helpers; every value that
comes from the chain, the pool or a request passes through :func:`e`
(``html.escape``) exactly once, here. Numbers a test or a person may want
exactly are wrapped in ``<data value="...">`` (wei, basis points), with a
readable rendering as the visible text.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal

#: Wei per ether.
WEI_PER_ETH = 10**18
#: Seconds between automatic reloads when JavaScript is off (with it on, a script asks for
#: the block number instead and offers a reload link).
NOSCRIPT_REFRESH_S = 30
#: The pages of the main navigation: (path, label).
NAV: tuple[tuple[str, str], ...] = (
    ("/", "Alliance"),
    ("/indicators", "Indicators"),
    ("/account", "My account"),
    ("/incentives", "Incentives"),
)


def e(value: object) -> str:
    """Escape any value for HTML text or a quoted attribute."""
    return html.escape(str(value), quote=True)


def ether_text(wei: int) -> str:
    """Wei as ether, at most 6 decimals, trailing zeros dropped (``1.25 ETH``)."""
    value = Decimal(wei) / Decimal(WEI_PER_ETH)
    text = f"{value:,.6f}".rstrip("0").rstrip(".")
    if Decimal(text.replace(",", "")) != value:
        text = "~" + text
    return f"{text} ETH"


def wei(amount: int, id_: str | None = None) -> str:
    """An amount of wei: ether as text, the exact wei as the ``data`` value and tooltip."""
    ident = f' id="{e(id_)}"' if id_ else ""
    return (
        f'<data{ident} class="num" value="{amount}" title="{amount:,} wei">'
        f"{e(ether_text(amount))}</data>"
    )


def number(value: int, id_: str | None = None) -> str:
    """A plain integer, exact in its ``data`` value."""
    ident = f' id="{e(id_)}"' if id_ else ""
    return f'<data{ident} class="num" value="{value}">{value:,}</data>'


def bps(value: int) -> str:
    """A price index in basis points, shown as a multiplier (``0.9x``)."""
    return (
        f'<data class="num" value="{value}" title="{value} basis points">'
        f"{value / 10_000:g}x</data>"
    )


def utc(ts: int) -> str:
    """A unix time as ``YYYY-MM-DD HH:MM UTC``."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M UTC")


def duration(seconds: int) -> str:
    """A span in the largest sensible unit (``2 h 5 min``, ``3 days``)."""
    s = abs(seconds)
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min"
    if s < 86_400:
        h, m = divmod(s // 60, 60)
        return f"{h} h {m} min" if m else f"{h} h"
    d = s // 86_400
    return f"{d} day" if d == 1 else f"{d} days"


def when(ts: int, now: int) -> str:
    """A time on the chain's clock, with how far it is from the latest block."""
    rel = "now" if ts == now else (
        f"in {duration(ts - now)}" if ts > now else f"{duration(now - ts)} ago"
    )
    iso = datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")
    return f'<time datetime="{iso}" title="{e(utc(ts))}">{e(rel)}</time>'


def short(hex_text: str, keep: int = 6) -> str:
    """``0x1234ab…cdef`` for an address or hash too long for a table cell."""
    if len(hex_text) <= 2 + 2 * keep:
        return hex_text
    return f"{hex_text[:2 + keep]}…{hex_text[-4:]}"


def address(addr: str | None, names: Mapping[str, str]) -> str:
    """An address: its known name (if any) and its short form; the full one on hover."""
    if not addr:
        return '<span class="muted">none</span>'
    name = names.get(addr)
    label = f"{e(name)} " if name else ""
    return f'{label}<code class="addr" title="{e(addr)}">{e(short(addr))}</code>'


def tx(tx_hash: str) -> str:
    """A transaction hash, short, the full hash on hover and for copying."""
    return f'<code class="tx" title="{e(tx_hash)}">{e(short(tx_hash, 8))}</code>'


def badge(text: str, kind: str, id_: str | None = None) -> str:
    """A coloured word (status, yes/no); the colour never carries the meaning alone."""
    ident = f' id="{e(id_)}"' if id_ else ""
    return f'<span{ident} class="badge {e(kind)}">{e(text)}</span>'


def yes_no(value: bool, yes: str = "yes", no: str = "no") -> str:
    """A boolean as a badge."""
    return badge(yes if value else no, "ok" if value else "warn")


def table(
    caption: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    empty: str = "None.",
    numeric: Sequence[int] = (),
    row_header: bool = True,
    table_id: str | None = None,
) -> str:
    """A table with a caption and header cells; cells are HTML already escaped.

    The first cell of each row is a row header (``th scope=row``) unless
    ``row_header`` is false; columns listed in ``numeric`` align right.
    Wide tables scroll inside their own box on a phone, never the page.
    """
    body = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            cls = ' class="n"' if i in numeric else ""
            if i == 0 and row_header:
                cells.append(f'<th scope="row"{cls}>{cell}</th>')
            else:
                cells.append(f"<td{cls}>{cell}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    if not body:
        return f'<p class="empty"><strong>{e(caption)}:</strong> {e(empty)}</p>'
    head = "".join(
        f'<th scope="col"{" class=n" if i in numeric else ""}>{e(h)}</th>'
        for i, h in enumerate(headers)
    )
    ident = f' id="{e(table_id)}"' if table_id else ""
    return (
        f'<div class="scroll" role="region" aria-label="{e(caption)}" tabindex="0">'
        f"<table{ident}><caption>{e(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def facts(items: Iterable[tuple[str, str]], id_: str | None = None) -> str:
    """Key figures as a description list (label, HTML value)."""
    ident = f' id="{e(id_)}"' if id_ else ""
    inner = "".join(f"<div><dt>{e(k)}</dt><dd>{v}</dd></div>" for k, v in items)
    return f'<dl class="facts"{ident}>{inner}</dl>'


def page(
    *,
    title: str,
    site: str,
    current: str,
    body: str,
    footer: str,
    signed_in: str | None,
    refresh: bool = True,
) -> str:
    """The frame of every page: skip link, header and navigation, main, footer.

    ``refresh``: pages that only show the chain reload themselves when a
    block is mined (a small script; without JavaScript a slow meta refresh);
    forms do not, so nothing typed is lost.
    """
    links = []
    for path, label in NAV:
        cur = ' aria-current="page"' if path == current else ""
        links.append(f'<li><a href="{path}"{cur}>{e(label)}</a></li>')
    who = (
        f'<p class="who">Signed in as <code title="{e(signed_in)}">{e(short(signed_in))}</code></p>'
        if signed_in
        else '<p class="who"><a href="/signin">Sign in</a></p>'
    )
    live = ""
    if refresh:
        live = (
            f'<noscript><meta http-equiv="refresh" content="{NOSCRIPT_REFRESH_S}"></noscript>'
            '<script src="/static/live.js" defer></script>'
        )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{e(title)} · {e(site)}</title>"
        f'<link rel="stylesheet" href="/static/dashboard.css">{live}</head><body>'
        '<a class="skip" href="#main">Skip to content</a>'
        f'<header class="top"><p class="site"><a href="/">{e(site)}</a></p>'
        f'<nav aria-label="Main"><ul>{"".join(links)}</ul></nav>{who}</header>'
        f'<main id="main" tabindex="-1">{body}</main>'
        f'<footer><p id="live" aria-live="polite">{footer}</p></footer>'
        "</body></html>"
    )
