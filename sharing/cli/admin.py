"""CLI: ``sharing admin ...`` - governance of a deployed alliance.

Members (``add-member``, ``remove-member``, ``set-tier``, ``grant-access``),
the panel (``appoint``, ``unseat``, ``set-quorum``), the rules
(``set-windows``, ``set-access-rule``, ``set-reject-penalty``,
``set-reward-schedule``, ``set-price-rule``), the switch (``pause``,
``unpause``) and the surplus (``sweep-surplus``), and the roles themselves (``grant-role``,
``revoke-role``, ``renounce-role``: hand governance to a multisig). Each checks the sender's
role and everything else it can with calls, then simulates the transaction,
before it sends anything (:mod:`sharing.cli._roles`). Without a key or
``--from``, the deployment's governance account is used if the node has it
unlocked (a development node).
"""

from __future__ import annotations

from typing import Any

import click

from sharing.cli._common import emit
from sharing.cli._roles import (
    Session,
    governance_default,
    parse_address,
    render_fields,
    role_options,
    session_from,
    tx_hash,
)
from sharing.errors import InputError


@click.group()
def admin() -> None:
    """Govern the alliance: members, panel, rules, pause, roles (each needs its role)."""


def _open(opts: dict[str, Any], role: str = "GOVERNOR_ROLE") -> tuple[Session, str]:
    session = session_from(opts, default_sender=governance_default)
    return session, session.require_role(role)


def _done(session: Session, action: str, receipt: dict[str, Any], opts: dict[str, Any],
          **fields: Any) -> None:
    result = {"action": action, **fields, "alliance": session.system.address,
              "sender": session.sender, "transaction": tx_hash(receipt),
              "block": int(receipt["blockNumber"])}
    emit(result, opts["as_json"], render_fields(f"admin {action}"))


def _tier(value: str) -> int:
    from sharing.cli.chain import _tier_code

    return _tier_code(value)


def _would(reason: str, fn: str, detail: str) -> Exception:
    from sharing.chain.ais import WouldRevert

    return WouldRevert(reason, fn, detail)


@admin.command("add-member")
@click.argument("address")
@click.option("--tier", required=True, help="critical | core | small (or 0..2).")
@role_options
def add_member(address: str, tier: str, **opts: Any) -> None:
    """Admit ADDRESS as a member firm in a sector tier."""
    from sharing.errors import Revert

    firm, code = parse_address(address, "ADDRESS"), _tier(tier)
    session, _ = _open(opts)
    if session.system.is_member(firm):
        raise _would(Revert.ALREADY_A_MEMBER, "register_member", f"{firm} is already a member")
    receipt = session.send("register_member", firm, code)
    _done(session, "add-member", receipt, opts, firm=firm, tier=code)


@admin.command("set-tier")
@click.argument("address")
@click.option("--tier", required=True, help="critical | core | small (or 0..2).")
@role_options
def set_tier(address: str, tier: str, **opts: Any) -> None:
    """Move member ADDRESS to another sector tier (for later finalisations)."""
    from sharing.errors import Revert

    firm, code = parse_address(address, "ADDRESS"), _tier(tier)
    session, _ = _open(opts)
    if not session.system.is_member(firm):
        raise _would(Revert.NOT_A_MEMBER, "set_member_tier", f"{firm} is not a member")
    receipt = session.send("set_member_tier", firm, code)
    _done(session, "set-tier", receipt, opts, firm=firm, tier=code)


@admin.command("remove-member")
@click.argument("address")
@role_options
def remove_member(address: str, **opts: Any) -> None:
    """Remove member ADDRESS (what it is owed or can claim stays its own)."""
    from sharing.errors import Revert

    firm = parse_address(address, "ADDRESS")
    session, _ = _open(opts)
    if not session.system.is_member(firm):
        raise _would(Revert.NOT_A_MEMBER, "remove_member", f"{firm} is not a member")
    receipt = session.send("remove_member", firm)
    _done(session, "remove-member", receipt, opts, firm=firm)


@admin.command("grant-access")
@click.argument("address")
@click.option("--until-epoch", type=int, default=None, help="Last epoch of access (inclusive).")
@click.option("--epochs", type=int, default=None,
              help="Or: this many epochs from the current one (inclusive).")
@role_options
def grant_access(address: str, until_epoch: int | None, epochs: int | None, **opts: Any) -> None:
    """Grant member ADDRESS pool access until an epoch, independent of contributions."""
    from sharing.errors import Revert

    firm = parse_address(address, "ADDRESS")
    if (until_epoch is None) == (epochs is None):
        raise InputError("give exactly one of --until-epoch N and --epochs N")
    if (epochs is not None and epochs < 1) or (until_epoch is not None and until_epoch < 0):
        raise InputError("--epochs must be at least 1 and --until-epoch at least 0")
    session, _ = _open(opts)
    if not session.system.is_member(firm):
        raise _would(Revert.NOT_A_MEMBER, "grant_access", f"{firm} is not a member")
    if until_epoch is None:
        until_epoch = int(session.system.call("current_epoch")) + int(epochs or 1) - 1
    receipt = session.send("grant_access", firm, until_epoch)
    _done(session, "grant-access", receipt, opts, firm=firm, until_epoch=until_epoch)


@admin.command("appoint")
@click.argument("address")
@click.option("--firm", default=None, help="The member firm the panellist belongs to.")
@click.option("--independent", is_flag=True, help="An independent panellist (no firm).")
@role_options
def appoint(address: str, firm: str | None, independent: bool, **opts: Any) -> None:
    """Give ADDRESS a panel seat, affiliated with a firm or independent."""
    from sharing.chain.ais import ZERO_ADDRESS
    from sharing.errors import Revert

    panellist = parse_address(address, "ADDRESS")
    if (firm is None) == (not independent):
        raise InputError("give exactly one of --firm FIRM and --independent")
    affiliation = parse_address(firm, "--firm") if firm is not None else ZERO_ADDRESS
    session, _ = _open(opts)
    system = session.system
    if firm is not None and not system.is_member(affiliation):
        raise InputError(f"--firm {affiliation} is not a member of the alliance; nothing sent")
    if bool(system.call("is_panellist", panellist)):
        raise _would(Revert.ALREADY_A_PANELLIST, "appoint_panellist",
                     f"{panellist} already holds a seat")
    if int(system.call("panel_size")) >= int(system.call("MAX_PANEL")):
        raise _would(Revert.PANEL_IS_FULL, "appoint_panellist", "every seat is taken")
    receipt = session.send("appoint_panellist", panellist, affiliation)
    _done(session, "appoint", receipt, opts, panellist=panellist,
          affiliation=None if firm is None else affiliation,
          seat=system.seat_of(panellist), quorum=int(system.call("quorum")))


@admin.command("unseat")
@click.argument("address")
@role_options
def unseat(address: str, **opts: Any) -> None:
    """Free panellist ADDRESS's seat (its earlier votes stand)."""
    from sharing.errors import Revert

    panellist = parse_address(address, "ADDRESS")
    session, _ = _open(opts)
    if not bool(session.system.call("is_panellist", panellist)):
        raise _would(Revert.NOT_A_PANELLIST, "remove_panellist", f"{panellist} holds no seat")
    receipt = session.send("remove_panellist", panellist)
    _done(session, "unseat", receipt, opts, panellist=panellist,
          quorum=int(session.system.call("quorum")))


@admin.command("set-quorum")
@click.argument("quorum", type=int)
@role_options
def set_quorum(quorum: int, **opts: Any) -> None:
    """Votes on one side needed to decide (a strict majority of the panel, at most its size)."""
    session, _ = _open(opts)
    receipt = session.send("set_quorum", quorum)
    _done(session, "set-quorum", receipt, opts, quorum=quorum)


@admin.command("set-windows")
@click.option("--reveal", "reveal_s", type=int, default=None, help="Reveal window, seconds.")
@click.option("--vote", "vote_s", type=int, default=None, help="Vote window, seconds.")
@role_options
def set_windows(reveal_s: int | None, vote_s: int | None, **opts: Any) -> None:
    """Set the reveal and vote windows (an omitted one keeps its value)."""
    if reveal_s is None and vote_s is None:
        raise InputError("give --reveal SECONDS, --vote SECONDS or both")
    session, _ = _open(opts)
    system = session.system
    reveal = int(system.call("reveal_window")) if reveal_s is None else reveal_s
    vote = int(system.call("vote_window")) if vote_s is None else vote_s
    receipt = session.send("set_windows", reveal, vote)
    _done(session, "set-windows", receipt, opts, reveal_window=reveal, vote_window=vote)


@admin.command("set-access-rule")
@click.option("--epochs", type=int, default=None,
              help="Epochs of pool access a verified indicator grants.")
@click.option("--open/--gated", "pool_open", default=None,
              help="Every member reads the pool (--open), or only contributors (--gated).")
@role_options
def set_access_rule(epochs: int | None, pool_open: bool | None, **opts: Any) -> None:
    """Set the pool access rule (an omitted part keeps its value)."""
    if epochs is None and pool_open is None:
        raise InputError("give --epochs N, --open/--gated or both")
    session, _ = _open(opts)
    system = session.system
    n = int(system.call("access_epochs")) if epochs is None else epochs
    is_open = bool(system.call("pool_open")) if pool_open is None else pool_open
    receipt = session.send("set_access_rule", n, is_open)
    _done(session, "set-access-rule", receipt, opts, access_epochs=n, pool_open=is_open)


@admin.command("set-reject-penalty")
@click.argument("penalty", type=int)
@role_options
def set_reject_penalty(penalty: int, **opts: Any) -> None:
    """Reputation points a rejected indicator costs its submitter."""
    session, _ = _open(opts)
    receipt = session.send("set_reject_penalty", penalty)
    _done(session, "set-reject-penalty", receipt, opts, penalty=penalty)


def _int_list(value: str | None, name: str, length: int) -> tuple[int, ...] | None:
    if value is None:
        return None
    try:
        items = tuple(int(v) for v in value.split(","))
    except ValueError:
        raise InputError(f"{name} must be {length} integers separated by commas") from None
    if len(items) != length or any(i < 0 for i in items):
        raise InputError(f"{name} must be {length} non-negative integers, got {value!r}")
    return items


@admin.command("set-reward-schedule")
@click.option("--base-wei", default=None, help="critical,core,small base rewards in wei.")
@click.option("--class-bps", default=None, help="root,specific multipliers in bps.")
@click.option("--severity-bps", default=None, help="none,low,medium,high,critical in bps.")
@click.option("--scope-bps", default=None, help="single,sector,cross-sector in bps.")
@role_options
def set_reward_schedule(base_wei: str | None, class_bps: str | None, severity_bps: str | None,
                        scope_bps: str | None, **opts: Any) -> None:
    """Replace the reward tables (an omitted table keeps its values)."""
    parts = (_int_list(base_wei, "--base-wei", 3), _int_list(class_bps, "--class-bps", 2),
             _int_list(severity_bps, "--severity-bps", 5), _int_list(scope_bps, "--scope-bps", 3))
    if all(p is None for p in parts):
        raise InputError("give at least one of --base-wei, --class-bps, --severity-bps, "
                         "--scope-bps")
    session, _ = _open(opts)
    now = session.system.schedule()
    current = (now.base_wei, now.class_bps, now.severity_bps, now.scope_bps)
    tables = [list(p if p is not None else c) for p, c in zip(parts, current, strict=True)]
    receipt = session.send("set_reward_schedule", *tables)
    _done(session, "set-reward-schedule", receipt, opts, base_wei=tables[0],
          class_bps=tables[1], severity_bps=tables[2], scope_bps=tables[3])


@admin.command("set-price-rule")
@click.option("--base-bps", type=int, default=None, help="Price index of an untouched category.")
@click.option("--min-bps", type=int, default=None, help="Floor of the price index.")
@click.option("--max-bps", type=int, default=None, help="Ceiling of the price index.")
@click.option("--decay-bps", type=int, default=None, help="Factor per verified indicator.")
@click.option("--recovery-bps", type=int, default=None, help="Recovery per epoch.")
@role_options
def set_price_rule(base_bps: int | None, min_bps: int | None, max_bps: int | None,
                   decay_bps: int | None, recovery_bps: int | None, **opts: Any) -> None:
    """Replace the dynamic price rule (an omitted part keeps its value)."""
    given = (base_bps, min_bps, max_bps, decay_bps, recovery_bps)
    if all(v is None for v in given):
        raise InputError("give at least one of --base-bps, --min-bps, --max-bps, --decay-bps, "
                         "--recovery-bps")
    session, _ = _open(opts)
    now = session.system.price_rule()
    current = (now.base_bps, now.min_bps, now.max_bps, now.decay_bps, now.recovery_bps)
    values = [int(c if g is None else g) for g, c in zip(given, current, strict=True)]
    receipt = session.send("set_price_rule", *values)
    names = ("base_bps", "min_bps", "max_bps", "decay_bps", "recovery_bps")
    _done(session, "set-price-rule", receipt, opts, **dict(zip(names, values, strict=True)))


@admin.command("pause")
@role_options
def pause(**opts: Any) -> None:
    """Stop commits, reveals, votes and finalising (claims and funding stay open)."""
    from sharing.errors import Revert

    session, _ = _open(opts, "PAUSER_ROLE")
    if session.system.paused():
        raise _would(Revert.PAUSED, "pause", "the alliance is already paused")
    receipt = session.send("pause")
    _done(session, "pause", receipt, opts, paused=True)


@admin.command("unpause")
@role_options
def unpause(**opts: Any) -> None:
    """Resume normal operation."""
    from sharing.errors import Revert

    session, _ = _open(opts, "PAUSER_ROLE")
    if not session.system.paused():
        raise _would(Revert.NOT_PAUSED, "unpause", "the alliance is not paused")
    receipt = session.send("unpause")
    _done(session, "unpause", receipt, opts, paused=False)


@admin.command("sweep-surplus")
@click.option("--to", "recipient", required=True, help="Who receives the surplus.")
@role_options
def sweep_surplus(recipient: str, **opts: Any) -> None:
    """Send wei forced into the contract outside fund() to an address (no book touched)."""
    from sharing.errors import Revert

    to = parse_address(recipient, "--to")
    session, _ = _open(opts)
    amount = session.system.surplus()
    if amount == 0:
        raise _would(Revert.NO_SURPLUS, "sweep_surplus", "the contract holds no surplus")
    receipt = session.send("sweep_surplus", to)
    _done(session, "sweep-surplus", receipt, opts, recipient=to, amount_wei=amount)


_ROLES = {"governor": "GOVERNOR_ROLE", "pauser": "PAUSER_ROLE", "admin": "DEFAULT_ADMIN_ROLE"}


def _role(name: str) -> tuple[str, bytes]:
    """``governor`` | ``pauser`` | ``admin`` -> (its constant's name, its 32-byte id)."""
    from sharing.chain import ais

    key = _ROLES.get(name.lower())
    if key is None:
        raise InputError(f"unknown role {name!r}: use governor, pauser or admin")
    return key, bytes(32) if key == "DEFAULT_ADMIN_ROLE" else getattr(ais, key)


def _role_admin(session: Session, role: bytes, role_name: str) -> str:
    """The sender, checked to hold the role that administers ``role``."""
    from sharing.errors import Revert

    sender = session.require_sender("role change")
    admin_role = bytes(session.system.call("getRoleAdmin", role))
    if not session.system.has_role(admin_role, sender):
        raise _would(Revert.MISSING_ROLE, "grantRole",
                     f"{sender} does not hold the admin role of {role_name}")
    return sender


@admin.command("grant-role")
@click.argument("role_name", metavar="ROLE")
@click.argument("address")
@role_options
def grant_role(role_name: str, address: str, **opts: Any) -> None:
    """Give ROLE (governor | pauser | admin) to ADDRESS, e.g. a multisig."""
    name, role = _role(role_name)
    who = parse_address(address, "ADDRESS")
    session = session_from(opts, default_sender=governance_default)
    _role_admin(session, role, name)
    if session.system.has_role(role, who):
        raise InputError(f"{who} already holds {name}; nothing sent")
    receipt = session.send("grantRole", role, who)
    _done(session, "grant-role", receipt, opts, role=name, account=who)


@admin.command("revoke-role")
@click.argument("role_name", metavar="ROLE")
@click.argument("address")
@role_options
def revoke_role(role_name: str, address: str, **opts: Any) -> None:
    """Take ROLE (governor | pauser | admin) from ADDRESS."""
    name, role = _role(role_name)
    who = parse_address(address, "ADDRESS")
    session = session_from(opts, default_sender=governance_default)
    _role_admin(session, role, name)
    if not session.system.has_role(role, who):
        raise InputError(f"{who} does not hold {name}; nothing sent")
    receipt = session.send("revokeRole", role, who)
    _done(session, "revoke-role", receipt, opts, role=name, account=who)


@admin.command("renounce-role")
@click.argument("role_name", metavar="ROLE")
@role_options
def renounce_role(role_name: str, **opts: Any) -> None:
    """Give up the sender's own ROLE (after handing it to its successor)."""
    name, role = _role(role_name)
    session = session_from(opts, default_sender=governance_default)
    sender = session.require_sender("renounce-role")
    if not session.system.has_role(role, sender):
        raise InputError(f"{sender} does not hold {name}; nothing sent")
    receipt = session.send("renounceRole", role, sender)
    _done(session, "renounce-role", receipt, opts, role=name, account=sender)


COMMANDS: list[click.Command] = [admin]
