"""The Alliance page (``/``): who is in it, the money, the panel, the price of each tactic."""

from __future__ import annotations

from collections.abc import Mapping

from sharing.chain.ais import Status
from sharing.server.dashboard.html import (
    address,
    badge,
    bps,
    duration,
    e,
    facts,
    number,
    short,
    table,
    tx,
    wei,
    when,
    yes_no,
)
from sharing.server.dashboard.snapshot import (
    PENDING_STAGES,
    TIER_NAMES,
    Snapshot,
)
from sharing.server.dashboard.svg import Series, step_chart
from sharing.standards.categories import CATEGORIES, NUM_CATEGORIES


def names_for(snap: Snapshot, governance: str, extra: Mapping[str, str]) -> dict[str, str]:
    """A readable name for each address the pages show: its role, or one the server was given."""
    names = {governance: "governance"}
    for m in snap.members:
        names[m.address] = f"{m.tier_name} member"
    for s in snap.seats:
        names[s.holder] = f"panellist {s.index + 1}"
    names.update(extra)
    return names


def summary(snap: Snapshot) -> str:
    """One sentence a person reads first."""
    pending = sum(1 for i in snap.indicators if i.pending)
    verified = len(snap.by_status(Status.VERIFIED))
    rejected = len(snap.by_status(Status.REJECTED))
    state = "paused: no commit, reveal, vote or finalise goes through" if snap.paused else "running"
    return (
        f"{counted(len(snap.members), 'member')} and {counted(snap.panel_size, 'panellist')} "
        f"(quorum {snap.quorum}); {counted(verified, 'indicator')} verified, {rejected} "
        f"rejected, {pending} pending. The alliance is {state}."
    )


def counted(n: int, noun: str) -> str:
    """``1 member``, ``3 members``."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _price_section(snap: Snapshot) -> str:
    moved = [p for p in snap.prices if p.verified_reports]
    rule = snap.price_rule
    intro = (
        f"<p>Each ATT&amp;CK tactic has a price index that scales its rewards: it starts at "
        f"{bps(rule.base_bps)}, falls to {rule.decay_bps / 100:g}% of itself with every verified "
        f"indicator of the tactic (never below {bps(rule.min_bps)}) and recovers by "
        f"{bps(rule.recovery_bps)} per epoch of {e(duration(snap.epoch_length))} "
        f"(at most {bps(rule.max_bps)}). Reconstructed from the chain's "
        "<code>PriceIndexUpdated</code> events.</p>"
    )
    if moved:
        t_range = (min(p.points[0][0] for p in moved), max(p.points[-1][0] for p in moved))
        values = [v for p in moved for _, v in p.points]
        y_min = (min(values) - 500) / 10_000
        y_max = (max(max(values), rule.base_bps) + 500) / 10_000
        cards = []
        for p in moved:
            cat = CATEGORIES[p.category]
            chart = step_chart(
                [Series(cat.title, [(t, v / 10_000) for t, v in p.points])],
                title=f"{cat.title}: price index over time",
                description=(
                    f"Step line of the {cat.title} index from the chain's start to now: "
                    f"{p.verified_reports} verified reports, {p.now_bps / 10_000:g}x now."
                ),
                y_min=y_min, y_max=y_max, chart_id=f"price-{p.category}", t_range=t_range,
            )
            cards.append(
                f'<figure class="card price"><figcaption><strong>{e(cat.title)}</strong> '
                f"{bps(p.now_bps)} now, {p.verified_reports} verified</figcaption>"
                f"{chart}</figure>"
            )
        chart_html = f'<div class="charts">{"".join(cards)}</div>'
        rest = NUM_CATEGORIES - len(moved)
        if rest:
            chart_html += (f"<p>The other {rest} tactics have no verified indicator yet "
                           "and stand at their base index.</p>")
    else:
        chart_html = "<p>No verified indicator yet: every tactic is at its base index.</p>"
    rows = [
        (
            f"{e(CATEGORIES[p.category].title)} <span class=muted>"
            f"{e(CATEGORIES[p.category].tactic_id)}</span>",
            bps(p.now_bps),
            number(p.verified_reports),
        )
        for p in snap.prices
    ]
    return (
        '<section aria-labelledby="prices-h"><h2 id="prices-h">Price index per tactic</h2>'
        + intro
        + chart_html
        + '<details><summary>Index of every tactic now</summary>'
        + table("Price index now", ("Tactic", "Index now", "Verified reports"), rows,
                numeric=(1, 2), table_id="price-table")
        + "</details></section>"
    )


def render_alliance(snap: Snapshot, names: Mapping[str, str]) -> str:
    """The body of ``/``."""
    money = facts(
        [
            ("Pool balance", wei(snap.balance, "pool-balance")),
            ("Unallocated (funded, not yet credited)", wei(snap.unallocated, "unallocated")),
            ("Claimable by members", wei(snap.total_claimable, "total-claimable")),
            ("Owed (rewards the pool could not pay yet)", wei(snap.total_owed, "total-owed")),
            ("Debts queued", number(snap.debts_queued, "debts-queued")),
            ("Paused", badge("yes" if snap.paused else "no",
                             "warn" if snap.paused else "ok", "paused")),
        ],
        id_="money",
    )
    counts = snap.tier_counts()
    tier_line = ", ".join(f"{number(counts[t], f'tier-{t}')} {e(t)}" for t in TIER_NAMES)
    members = table(
        "Members, by tier",
        ("Member", "Tier", "Reputation", "Claimable", "Owed", "Pool access"),
        [
            (
                address(m.address, names),
                e(m.tier_name),
                number(m.reputation),
                wei(m.claimable),
                wei(m.owed),
                yes_no(m.has_access),
            )
            for m in snap.members
        ],
        numeric=(2, 3, 4),
        empty="No member yet.",
        table_id="members",
    )
    seats = table(
        f"Panel: {snap.panel_size} seats, quorum {snap.quorum}",
        ("Seat", "Panellist", "Affiliation"),
        [
            (
                number(s.index + 1),
                address(s.holder, names),
                address(s.affiliation, names) if s.affiliation else "independent",
            )
            for s in snap.seats
        ],
        empty="No panellist yet: nothing can be revealed.",
        table_id="panel",
    )
    pending = {stage: len(snap.by_stage(stage)) for stage in PENDING_STAGES}
    flow = facts(
        [
            ("Committed, not revealed", number(len(snap.commitments), "count-committed")),
            *((f"Pending: {stage}", number(n, f"count-{stage.replace(' ', '-')}"))
              for stage, n in pending.items()),
            ("Verified", number(len(snap.by_status(Status.VERIFIED)), "count-verified")),
            ("Rejected", number(len(snap.by_status(Status.REJECTED)), "count-rejected")),
        ],
        id_="flow",
    )
    access = (
        "open to every member" if snap.pool_open else
        f"gated: a member reads it for {snap.access_epochs} epochs after a verified indicator"
    )
    rules = facts(
        [
            ("Reveal window", e(duration(snap.reveal_window))),
            ("Vote window", e(duration(snap.vote_window))),
            ("Epoch", f"{number(snap.epoch, 'epoch')} ({e(duration(snap.epoch_length))} each)"),
            ("Pool", e(access)),
        ]
    )
    return (
        "<h1>Alliance</h1>"
        '<p class="lead">Members share threat indicators (STIX); an independent panel votes '
        "on each; a verified one earns its submitter a reward from the pool and pool access. "
        "Everything below is read from the alliance's contract.</p>"
        f'<p class="lead" id="summary"><strong>{e(summary(snap))}</strong></p>'
        '<div class="grid">'
        f'<section aria-labelledby="money-h"><h2 id="money-h">Money</h2>{money}</section>'
        f'<section aria-labelledby="flow-h"><h2 id="flow-h">Indicators</h2>{flow}'
        '<p><a href="/indicators">All indicators</a></p></section></div>'
        + _activity(snap, names)
        + f'<section aria-labelledby="members-h"><h2 id="members-h">Members</h2>'
        f"<p>{tier_line}.</p>{members}</section>"
        f'<section aria-labelledby="panel-h"><h2 id="panel-h">Panel</h2>{seats}'
        f"<p>An indicator is decided by a majority of the seats eligible for it "
        f"(at least {snap.quorum} of {snap.panel_size} when all may vote).</p></section>"
        + _price_section(snap)
        + f'<section aria-labelledby="rules-h"><h2 id="rules-h">Rules in force</h2>{rules}'
        "</section>"
    )


def _activity(snap: Snapshot, names: Mapping[str, str]) -> str:
    """The latest steps across the alliance, each with its transaction."""
    now = snap.timestamp
    rows = []
    for step in snap.activity:
        target = ""
        if step.content_hash is not None:
            h = "0x" + step.content_hash.hex()
            target = f'<a href="/indicators/{e(h)}" title="{e(h)}"><code>{e(short(h))}</code></a>'
        rows.append((
            e(step.label),
            address(step.actor, names) if step.actor else "-",
            " ".join(x for x in (target, e(step.detail)) if x) or "-",
            wei(step.amount) if step.amount is not None else "",
            when(step.timestamp, now),
            tx(step.tx_hash),
        ))
    return (
        '<section aria-labelledby="activity-h"><h2 id="activity-h">Recent activity</h2>'
        + table("The latest steps on chain, newest first",
                ("What", "Who", "Indicator or detail", "Amount", "When", "Transaction"), rows,
                numeric=(3,), empty="nothing yet.", table_id="activity")
        + "</section>"
    )
