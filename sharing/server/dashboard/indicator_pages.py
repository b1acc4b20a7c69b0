"""The Indicators page (``/indicators``) and one page per indicator (``/indicators/0x<hash>``).

The list is the chain's: every revealed indicator (pending by stage,
verified, rejected, then expired and superseded) and the commitments not
revealed yet. An indicator's page adds its steps, each with its
transaction, its votes, and its STIX content - only when the pool's read
rule lets the signed-in reader have it (``PoolStore.get_for``, the rule
TAXII applies); otherwise it says why, and shows only what the chain shows.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from sharing.chain.ais import Status
from sharing.quote import BANDS, CLASSES, SCOPES
from sharing.server.dashboard.html import (
    address,
    badge,
    bps,
    e,
    facts,
    number,
    short,
    table,
    tx,
    utc,
    wei,
    when,
)
from sharing.server.dashboard.snapshot import (
    PENDING_STAGES,
    STAGE_DECIDABLE,
    IndicatorView,
    Snapshot,
)
from sharing.server.dashboard.svg import ballot_bar
from sharing.standards.categories import CATEGORIES
from sharing.standards.cvss import severity_band

#: Badge style of each status or stage.
KIND = {"verified": "ok", "rejected": "warn", STAGE_DECIDABLE: "info"}


def status_badge(ind: IndicatorView) -> str:
    """The indicator's stage or final status as a badge."""
    return badge(ind.stage, KIND.get(ind.stage, "neutral"))


def tactic(code: int) -> str:
    """The ATT&CK tactic's title."""
    return e(CATEGORIES[code].title) if 0 <= code < len(CATEGORIES) else e(f"category {code}")


def severity(ind: IndicatorView) -> str:
    """The median CVSS score the panel gave, with its band (only once decided)."""
    if ind.status != Status.VERIFIED:
        return '<span class="muted">-</span>'
    band = BANDS[severity_band(ind.severity_x10)]
    return f'<data value="{ind.severity_x10}">{ind.severity_x10 / 10:.1f}</data> {e(band)}'


def votes_cell(ind: IndicatorView) -> str:
    """Valid and invalid votes against the quorum, in words and as a bar."""
    text = (f"{ind.valid_votes} valid, {ind.invalid_votes} invalid "
            f"({ind.quorum} of {ind.eligible_count} seats decide)")
    return (
        f'<span class="votes">{e(text)}</span>'
        + ballot_bar(ind.valid_votes, ind.invalid_votes, ind.eligible_count, ind.quorum, text)
    )


def link(ind: IndicatorView) -> str:
    """A link to the indicator's own page, its short hash as text."""
    return (
        f'<a href="/indicators/{e(ind.hash_hex)}" title="{e(ind.hash_hex)}">'
        f"<code>{e(short(ind.hash_hex))}</code></a>"
    )


def indicator_rows(
    items: list[IndicatorView], names: Mapping[str, str], now: int
) -> list[list[str]]:
    """One table row per indicator, in the columns of :data:`HEADERS`."""
    rows = []
    for ind in items:
        last = ind.steps[-1] if ind.steps else None
        rows.append(
            [
                link(ind),
                status_badge(ind),
                wei(ind.reward),
                votes_cell(ind),
                tactic(ind.category),
                address(ind.submitter, names),
                severity(ind),
                e(SCOPES[ind.scope]) if ind.status == Status.VERIFIED else "-",
                (f"{e(last.label)}, {when(last.timestamp, now)}<br>{tx(last.tx_hash)}"
                 if last else "-"),
            ]
        )
    return rows


#: Columns of every indicator table, the ones a person looks for first leftmost (on a
#: phone the table scrolls sideways inside its box).
HEADERS = (
    "Indicator", "Status", "Reward", "Votes", "Tactic", "Submitter", "Median severity",
    "Scope", "Last step",
)


@dataclass(frozen=True)
class Filter:
    """What the Indicators page lists: one submitter's, one tactic's, or all."""

    firm: str | None = None
    tactic: int | None = None
    error: str | None = None

    def keeps(self, ind: IndicatorView) -> bool:
        """Whether the indicator passes the filter."""
        return (self.firm is None or ind.submitter == self.firm) and (
            self.tactic is None or ind.category == self.tactic
        )


def parse_filter(snap: Snapshot, firm: str, tactic: str) -> Filter:
    """The filter from the page's form (query parameters); a bad value is said, not guessed."""
    members = {m.address.lower(): m.address for m in snap.members}
    members.update({i.submitter.lower(): i.submitter for i in snap.indicators})
    chosen_firm = members.get(firm.strip().lower()) if firm.strip() else None
    if firm.strip() and chosen_firm is None:
        return Filter(error=f"{firm} has submitted no indicator on this alliance")
    chosen_tactic = None
    if tactic.strip():
        codes = {c.name: c.code for c in CATEGORIES} | {str(c.code): c.code for c in CATEGORIES}
        chosen_tactic = codes.get(tactic.strip().lower())
        if chosen_tactic is None:
            return Filter(error=f"{tactic} is not an ATT&CK tactic")
    return Filter(chosen_firm, chosen_tactic)


def _filter_form(snap: Snapshot, names: Mapping[str, str], chosen: Filter) -> str:
    firms = sorted({i.submitter for i in snap.indicators} | {m.address for m in snap.members})
    firm_options = '<option value="">every submitter</option>' + "".join(
        f'<option value="{e(f)}"{" selected" if f == chosen.firm else ""}>'
        f"{e(names.get(f, ''))} {e(short(f))}</option>"
        for f in firms
    )
    tactic_options = '<option value="">every tactic</option>' + "".join(
        f'<option value="{e(c.name)}"{" selected" if c.code == chosen.tactic else ""}>'
        f"{e(c.title)}</option>"
        for c in CATEGORIES
    )
    error = (f'<p class="error" role="alert">{e(chosen.error)}; showing all.</p>'
             if chosen.error else "")
    return (
        f'{error}<form method="get" action="/indicators" class="filters" id="filters">'
        f'<div><label for="firm">Submitter</label><select id="firm" name="firm">{firm_options}'
        f'</select></div><div><label for="tactic">Tactic</label><select id="tactic" '
        f'name="tactic">{tactic_options}</select></div>'
        '<div><button type="submit">Show</button></div></form>'
    )


def render_indicators(
    snap: Snapshot, names: Mapping[str, str], chosen: Filter | None = None
) -> str:
    """The body of ``/indicators``, filtered by submitter and tactic if asked."""
    now = snap.timestamp
    chosen = chosen or Filter()
    keep = chosen.keeps

    def by_stage(stage: str) -> list[IndicatorView]:
        return [i for i in snap.by_stage(stage) if keep(i)]

    def by_status(status: Status) -> list[IndicatorView]:
        return [i for i in snap.by_status(status) if keep(i)]

    commitments = [c for c in snap.commitments if chosen.firm in (None, c.firm)]
    if chosen.tactic is not None:
        commitments = []  # a commitment hides its tactic until it is revealed
    parts = [
        "<h1>Indicators</h1>",
        '<p class="lead">Every indicator revealed on chain, newest first. Open one to see '
        "each step's transaction, the votes and, if you may read it, its STIX content.</p>",
        _filter_form(snap, names, chosen),
        '<nav aria-label="Sections of this page" class="toc"><ul>'
        '<li><a href="#pending-h">Pending</a></li><li><a href="#verified-h">Verified</a></li>'
        '<li><a href="#rejected-h">Rejected</a></li><li><a href="#other-h">Other</a></li>'
        "</ul></nav>",
        '<section aria-labelledby="pending-h"><h2 id="pending-h">Pending</h2>',
        table(
            "Committed, not revealed yet (only the firm and the order are public)",
            ("Sequence", "Firm", "Committed", "Reveal before", "Transaction"),
            [
                (
                    number(c.sequence), address(c.firm, names), when(c.timestamp, now),
                    when(c.reveal_by, now), tx(c.tx_hash),
                )
                for c in commitments
            ],
            empty="none.",
            table_id="committed",
        ),
    ]
    explain = {
        PENDING_STAGES[0]: "revealed; voting opens when the reveal window ends",
        PENDING_STAGES[1]: "the panel is voting",
        PENDING_STAGES[2]: "anyone may finalise it now",
    }
    for stage in PENDING_STAGES:
        parts.append(
            table(
                f"{stage.capitalize()}: {explain[stage]}",
                HEADERS,
                indicator_rows(by_stage(stage), names, now),
                empty="none.",
                table_id=f"stage-{stage.replace(' ', '-')}",
            )
        )
    parts.append("</section>")
    for status, heading, ident, caption in (
        (Status.VERIFIED, "Verified", "verified", "Verified: the submitter is paid its reward"),
        (Status.REJECTED, "Rejected", "rejected", "Rejected: the panel found them invalid"),
    ):
        found = by_status(status)
        parts.append(
            f'<section aria-labelledby="{ident}-h"><h2 id="{ident}-h">{heading} '
            f"({len(found)})</h2>"
            + table(caption, HEADERS, indicator_rows(found[:MAX_ROWS], names, now),
                    empty="none yet.", table_id=f"{ident}-table")
            + _more(len(found))
            + "</section>"
        )
    other = [i for i in snap.indicators
             if i.status in (Status.EXPIRED, Status.SUPERSEDED) and keep(i)]
    parts.append(
        '<section aria-labelledby="other-h"><h2 id="other-h">Expired or superseded</h2>'
        + table("Expired or superseded", HEADERS, indicator_rows(other[:MAX_ROWS], names, now),
                empty="none.", table_id="other-table")
        + _more(len(other))
        + "</section>"
    )
    return "".join(parts)


#: Rows shown per decided table (the newest); a long-lived alliance has thousands.
MAX_ROWS = 100


def _more(count: int) -> str:
    if count <= MAX_ROWS:
        return ""
    return f'<p class="muted">The newest {MAX_ROWS} of {count} are listed.</p>'


@dataclass(frozen=True)
class Content:
    """What the pool gave the reader for this indicator, or why not."""

    json_text: str | None
    tlp: str | None
    refusal: str | None


def render_indicator(
    snap: Snapshot, ind: IndicatorView, names: Mapping[str, str], content: Content,
    reader: str | None,
) -> str:
    """The body of ``/indicators/0x<hash>``."""
    now = snap.timestamp
    decided = ind.status == Status.VERIFIED
    chain_facts = facts(
        [
            ("Status", status_badge(ind)),
            ("Submitter", address(ind.submitter, names)),
            ("Tactic", tactic(ind.category)),
            ("Claimed class", e(CLASSES[ind.claimed_class])
             if ind.claimed_class < len(CLASSES) else number(ind.claimed_class)),
            ("Votes", votes_cell(ind)),
            ("Eligible seats", number(ind.eligible_count)),
            ("Voting", f"opens {when(ind.vote_opens, now)}, closes {when(ind.vote_closes, now)}"
             if ind.pending else "closed: decided"),
            ("Price index at reveal", bps(ind.price_bps)),
            ("Median severity (CVSS)", severity(ind)),
            ("Scope", e(SCOPES[ind.scope]) if decided else "-"),
            ("Reward", wei(ind.reward, "reward")),
        ],
        id_="chain-facts",
    )
    steps = table(
        "Steps on chain",
        ("Step", "When", "Block", "Transaction", "Detail"),
        [
            (e(s.label), f"{when(s.timestamp, now)} <span class=muted>{e(utc(s.timestamp))}</span>",
             number(s.block), tx(s.tx_hash),
             (address(s.actor, names) + " " if s.actor else "") + e(s.detail)
             + (" " + wei(s.amount) if s.amount is not None else ""))
            for s in ind.steps
        ],
        table_id="steps",
    )
    votes = table(
        "Votes",
        ("Panellist", "Seat", "Verdict", "CVSS score", "Scope", "Transaction"),
        [
            (
                address(v.panellist, names), number(v.seat + 1),
                badge("valid", "ok") if v.valid else badge("invalid", "warn"),
                f"{v.score_x10 / 10:.1f}" if v.valid else "-",
                e(SCOPES[v.scope]) if v.valid else "-",
                tx(v.tx_hash),
            )
            for v in ind.votes
        ],
        empty="no vote yet.",
        table_id="votes",
    )
    if content.json_text is not None:
        bundle = json.loads(content.json_text)
        pretty = json.dumps(bundle, indent=2, sort_keys=True)
        found = [o for o in bundle.get("objects", []) if o.get("type") == "indicator"]
        summary = facts(
            [(k, f"<code class=wrap>{e(o[k])}</code>" if k == "pattern" else e(o[k]))
             for o in found[:1] for k in ("name", "pattern", "valid_from") if k in o],
            id_="stix-summary",
        ) if found else ""
        body = (
            f"<p>Marked <strong>{e(content.tlp)}</strong>; you may read it "
            "(the pool's TLP rule and the chain's access rule, checked for this request).</p>"
            f"{summary}<details><summary>The whole STIX 2.1 bundle</summary>"
            f'<pre id="stix" tabindex="0"><code>{e(pretty)}</code></pre></details>'
        )
    else:
        who = "You are not signed in." if reader is None else ""
        body = (
            f'<p id="no-content">The content is not shown. {e(who)} '
            f"{e(content.refusal or '')}</p>"
        )
        if reader is None:
            body += '<p><a href="/signin">Sign in</a> to read what your access allows.</p>'
    decide = (
        f'<p class="verdict" id="decidable">The panel has decided: anyone may finalise it now '
        f"with <code class=wrap>sharing finalise {e(ind.hash_hex)}</code>.</p>"
        if ind.stage == STAGE_DECIDABLE else ""
    )
    return (
        f'<p class="crumbs"><a href="/indicators">Indicators</a> /</p>'
        f'<h1>Indicator <code class="wrap">{e(ind.hash_hex)}</code></h1>'
        f'{decide}<section aria-labelledby="chain-h"><h2 id="chain-h">On chain</h2>'
        f"{chain_facts}</section>"
        f'<section aria-labelledby="steps-h"><h2 id="steps-h">History</h2>{steps}{votes}</section>'
        f'<section aria-labelledby="stix-h"><h2 id="stix-h">STIX content</h2>{body}</section>'
    )
