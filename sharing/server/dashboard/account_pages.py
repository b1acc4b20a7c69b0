"""My account (``/account``) and Sign-In with Ethereum without JavaScript (``/signin``).

Sign-in works with JavaScript off: the member types its address, the page
shows the exact EIP-4361 message (``TokenAuthority.message_for``) to sign
with any wallet or ``cast wallet sign``, and accepts the signature pasted
back; or it accepts a bearer token from ``sharing token``. With a browser
wallet, ``static/signin.js`` does the same in one click. Either way the
routes store the token in an HttpOnly, SameSite=Strict cookie.
"""

from __future__ import annotations

from collections.abc import Mapping

from sharing.server.dashboard.account import AccountView
from sharing.server.dashboard.html import (
    address,
    badge,
    e,
    facts,
    number,
    table,
    tx,
    utc,
    wei,
    when,
    yes_no,
)
from sharing.server.dashboard.indicator_pages import (
    HEADERS,
    indicator_rows,
    link,
    status_badge,
    tactic,
)
from sharing.server.dashboard.snapshot import TIER_NAMES, Snapshot


def render_account(snap: Snapshot, view: AccountView, names: Mapping[str, str]) -> str:
    """The body of ``/account`` for a signed-in address."""
    now = snap.timestamp
    acc = view.access
    if acc.pool_open:
        until = "while a member (the pool is open to every member)"
    elif acc.until_time is not None:
        until = (f'epoch <data id="access-until-epoch" value="{acc.until_epoch}">'
                 f"{acc.until_epoch}</data>, ends {when(acc.until_time, now)} "
                 f'<small class="muted">({e(utc(acc.until_time))})</small>')
    else:
        until = "no access: a verified indicator (or a grant by governance) gives it"
    role = (
        f"{TIER_NAMES[view.tier]} member" if view.tier is not None else "not a member"
    ) + (f", panellist on seat {view.seat.index + 1}" if view.seat else "")
    standing = facts(
        [
            ("Reputation", number(view.reputation, "reputation")),
            ("Claimable now", wei(view.claimable, "claimable")),
            ("Owed (the pool was short)", wei(view.owed, "owed")),
            ("Pool access now", yes_no(view.access.has_access)),
            ("Access until", until),
        ],
        id_="standing",
    )
    parts = [
        "<h1>My account</h1>",
        f'<p class="lead"><code class="wrap" id="account-address">{e(view.address)}</code>: '
        f"{e(role)}.</p>",
        f'<section aria-labelledby="standing-h"><h2 id="standing-h">Standing</h2>{standing}'
        "<p class=muted>Claim with <code>sharing claim</code>; these are the contract's own "
        "figures, the same as <code>sharing member status</code>.</p></section>",
    ]
    if view.seat is not None:
        parts.append(
            '<section aria-labelledby="vote-h"><h2 id="vote-h">Awaiting my vote</h2>'
            + table(
                "Indicators awaiting my vote",
                ("Indicator", "Submitter", "Tactic", "Voting opens", "Voting closes"),
                [
                    (link(i), address(i.submitter, names), tactic(i.category),
                     when(i.vote_opens, now), when(i.vote_closes, now))
                    for i in view.awaiting_vote
                ],
                empty="nothing awaits your vote.",
                table_id="awaiting",
            )
            + (
                "<p>Vote from a terminal with your key: <code>sharing panel vote HASH --valid "
                "--cvss VECTOR --scope single|sector|cross-sector</code>, or <code>sharing panel "
                "vote HASH --invalid</code>.</p>" if view.awaiting_vote else ""
            )
            + table(
                "My votes",
                ("Indicator", "My verdict", "Decision so far", "Transaction"),
                [
                    (link(i), badge("valid", "ok") if v.valid else badge("invalid", "warn"),
                     status_badge(i), tx(v.tx_hash))
                    for i in view.voted for v in i.votes if v.panellist == view.address
                ],
                empty="no vote yet.",
                table_id="my-votes",
            )
            + "</section>"
        )
    parts.append(
        '<section aria-labelledby="mine-h"><h2 id="mine-h">My indicators</h2>'
        + table("My indicators", HEADERS, indicator_rows(list(view.indicators), names, now),
                empty="none revealed yet.", table_id="mine")
        + table(
            "My commitments not revealed yet",
            ("Sequence", "Committed", "Reveal before"),
            [(number(c.sequence), when(c.timestamp, now), when(c.reveal_by, now))
             for c in view.commitments],
            empty="none.",
        )
        + "</section>"
        '<form method="post" action="/signout" class="inline">'
        '<button type="submit">Sign out</button></form>'
    )
    return "".join(parts)


def render_signin(
    *,
    address_value: str = "",
    message: str | None = None,
    error: str | None = None,
) -> str:
    """The body of ``/signin``: address, then message and signature; or a token."""
    err = (f'<p class="error" role="alert" id="signin-error">{e(error)}</p>' if error else "")
    if message is None:
        step = (
            '<form method="get" action="/signin" class="card">'
            "<h2>1. Your address</h2>"
            '<label for="address">Member address (0x...)</label>'
            f'<input id="address" name="address" type="text" inputmode="text" autocomplete="off" '
            f'spellcheck="false" required pattern="0x[0-9a-fA-F]{{40}}" value="{e(address_value)}">'
            '<button type="submit">Get the message to sign</button></form>'
        )
    else:
        step = (
            '<form method="post" action="/signin" class="card" id="siwe-form">'
            "<h2>2. Sign this message</h2>"
            "<p>Sign it with your wallet (<code>personal_sign</code>) or "
            "<code>cast wallet sign</code>, then paste the signature. It expires in a few "
            "minutes and works once.</p>"
            f'<pre id="siwe-message" tabindex="0">{e(message)}</pre>'
            f'<input type="hidden" name="message" value="{e(message)}">'
            '<label for="signature">Signature (0x..., 65 bytes)</label>'
            '<textarea id="signature" name="signature" rows="3" required spellcheck="false">'
            "</textarea>"
            '<button type="submit">Sign in</button>'
            '<p><a href="/signin">Use another address</a></p></form>'
        )
    token_form = (
        '<form method="post" action="/signin" class="card" id="token-form">'
        "<h2>Or use a token</h2>"
        "<p>A bearer token from <code>sharing token</code> (the same one a TAXII client "
        "uses).</p>"
        '<label for="token">Token</label>'
        '<input id="token" name="token" type="password" autocomplete="off" required>'
        '<button type="submit">Sign in with the token</button></form>'
    )
    return (
        "<h1>Sign in</h1>"
        '<p class="lead">Sign-In with Ethereum (EIP-4361): prove you hold a member\'s key, '
        "and this browser keeps a session cookie (HttpOnly) until the token expires. "
        "Signing costs nothing and sends no transaction.</p>"
        f"{err}{WALLET}"
        f'<div class="grid">{step}{token_form}</div>'
        '<script src="/static/signin.js" defer></script>'
    )


#: Shown by static/signin.js only when the browser has a wallet (hidden otherwise).
WALLET = (
    '<section id="wallet" class="card" hidden aria-labelledby="wallet-h">'
    '<h2 id="wallet-h">With your browser wallet</h2>'
    "<p>Your wallet signs the same message; nothing is sent to the chain.</p>"
    '<button type="button" id="wallet-button">Sign in with the wallet</button>'
    '<p id="wallet-status" role="status"></p></section>'
)
