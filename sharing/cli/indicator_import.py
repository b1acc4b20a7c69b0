"""CLI: ``sharing indicator import`` - a multi-indicator STIX 2.1 report, one submission each.

The bundle is split (:func:`sharing.standards.stix_split.split_bundle`): one
part per indicator with its relationships, the objects they point at, its
sightings, and the identities and markings those name.  Then *every* part
is checked before the first transaction of any:

1. offline: valid STIX 2.1 (custom ``x_`` properties kept; STIX 2.0 refused,
   named), the pool's admission rule
   (:func:`sharing.pool.admission.admit`: a TLP marking, never RED,
   recipients only with AMBER+STRICT), the category (below), and no two
   parts with the same observable (the chain would refuse the second);
2. on chain: :func:`sharing.submission.preflight` for each part (member,
   not paused, a panel that could vote, content and observable free).

A part the sender already holds on chain (an earlier, interrupted import)
is skipped, so running the same import again finishes it; a part between
commit and reveal is resumed from the journal.  Only then are the parts
submitted, one after the other, through :func:`sharing.submission.submit_bundle`,
and with ``--put`` stored in the pool as each is revealed (the bytes the
chain holds the hash of; ``--out DIR`` writes them to files instead).

The category of a part is the ATT&CK tactic named by its indicator's or
its attack pattern's ``mitre-attack`` kill chain phases: exactly one, or
``--category`` choosing among several.  A part that names no tactic is
refused, because the panel could not check a category against it;
``--claim-untagged`` submits ``--category`` for such parts anyway, as the
submitter's claim for the panel to judge (and says so per part).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from sharing.cli._common import console, emit
from sharing.cli._roles import parse_address, role_options, session_from
from sharing.cli.indicator import indicator
from sharing.cli.pool import pool_option
from sharing.errors import ChainError, InputError


@dataclass
class _Part:
    """One part ready to submit: the described bundle and the terms it will commit to."""

    indicator_id: str
    name: str
    described: Any
    category: int
    category_source: str
    semantic_key: bytes
    state: str = "checked"
    transactions: tuple[str, ...] = ()


def _category_of(described: Any, indicator_id: str, requested: int | None,
                 claim_untagged: bool) -> tuple[int, str]:
    from sharing.standards.categories import resolve_category
    from sharing.standards.stix_split import attack_tactics

    return resolve_category(attack_tactics(described.bundle), requested,
                            claim_untagged=claim_untagged, subject=indicator_id)


def prepare_parts(
    text: str, *, category: str | None, claim_untagged: bool, recipients: tuple[str, ...]
) -> tuple[list[_Part], list[str]]:
    """Split and check every part offline; returns the parts and the ids left out.

    Raises
    ------
    InputError
        The first part that fails (naming its indicator), or two parts with
        one observable.
    """
    from sharing.pool.admission import BundleRejected, admit
    from sharing.standards.categories import category_code
    from sharing.standards.semantic_key import semantic_key
    from sharing.standards.stix_parse import load_indicator_bundle
    from sharing.standards.stix_split import split_bundle

    requested = None
    if category is not None:
        requested = int(category_code(int(category) if category.isdigit() else category))
    split = split_bundle(text)
    parts: list[_Part] = []
    keys: dict[bytes, str] = {}
    for part in split.parts:
        try:
            described = load_indicator_bundle(part.bundle)
        except InputError as exc:
            raise InputError(f"{part.indicator_id}: {exc}; nothing sent") from None
        try:
            admit(described, recipients)
        except BundleRejected as exc:
            raise BundleRejected(exc.reason, f"{part.indicator_id} {exc.detail}; nothing sent") \
                from None
        code, source = _category_of(described, part.indicator_id, requested, claim_untagged)
        key = semantic_key(described.canonical_json)
        if key in keys:
            raise InputError(
                f"{part.indicator_id} and {keys[key]} have the same observable (semantic key "
                f"0x{key.hex()}): the chain would refuse the second; nothing sent"
            )
        keys[key] = part.indicator_id
        name = next(str(o.get("name", "")) for o in part.bundle["objects"]
                    if o["id"] == part.indicator_id)
        parts.append(_Part(part.indicator_id, name, described, code, source, key))
    return parts, split.left_out


def _render(result: dict[str, Any]) -> None:
    table = Table(title=f"{len(result['parts'])} indicators", caption=str(result["bundle"]))
    for column in ("indicator", "content hash", "TLP", "category", "state"):
        table.add_column(column)
    for row in result["parts"]:
        table.add_row(row["indicator_id"], row["content_hash"][:18] + "...", row["tlp"],
                      f"{row['category']} ({row['category_source']})", row["state"])
    console.print(table)
    if result["left_out"]:
        console.print(f"left out (in no indicator's part): {', '.join(result['left_out'])}")


def _put_parts(session: Any, pool_path: str | None, parts: list[_Part],
               recipients: tuple[str, ...]) -> None:
    """Store every part the sender holds on chain in the pool (a restatement changes nothing)."""
    from sharing.cli.pool import _request, _store

    with _store(session, pool_path) as store:
        for part in parts:
            digest = part.described.content_hash
            done = store.put(part.described.json_text,
                             _request(session, "put", digest, recipients))
            part.state += ", in the pool" if done.created else ", already in the pool"


@indicator.command("import")
@click.option("--bundle", "bundle_path", required=True,
              help="STIX 2.1 bundle with one or more indicators (JSON file).")
@click.option("--category", default=None,
              help="ATT&CK tactic, for parts naming several (or none, with --claim-untagged).")
@click.option("--claim-untagged", is_flag=True,
              help="Submit --category for parts that name no ATT&CK tactic (a claim the "
              "panel judges).")
@click.option("--class", "claimed_class", default="root", show_default=True,
              help="root | specific.")
@click.option("--recipient", "recipients", multiple=True, metavar="ADDRESS",
              help="For TLP:AMBER+STRICT parts: a member that may read them (repeatable).")
@click.option("--journal", "journal_dir", default=None, metavar="DIR",
              help="Where salts are kept until the reveal (default: $SHARING_JOURNAL_DIR, "
              "else journal/ beside the deployment file).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Write each part's canonical JSON to DIR/<content hash>.json (what "
              "`sharing pool put` stores).")
@click.option("--put", "put_in_pool", is_flag=True,
              help="Store each part in the pool once revealed (as `sharing pool put`).")
@pool_option
@click.option("--dry-run", is_flag=True, help="Check every part on chain; send nothing.")
@role_options
def import_command(
    bundle_path: str,
    category: str | None,
    claim_untagged: bool,
    claimed_class: str,
    recipients: tuple[str, ...],
    journal_dir: str | None,
    out_dir: str | None,
    put_in_pool: bool,
    pool_path: str | None,
    dry_run: bool,
    **opts: Any,
) -> None:
    """Split a report into one bundle per indicator and submit each; every check first."""
    from sharing.chain.ais import Status
    from sharing.standards.categories import category_name, class_code
    from sharing.submission import Journal, default_journal_dir, preflight, submit_bundle

    try:
        text = Path(bundle_path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read bundle {bundle_path}: {exc.__class__.__name__}") from None
    named = tuple(parse_address(r, "--recipient") for r in recipients)
    cls = int(class_code(claimed_class))
    try:
        parts, left_out = prepare_parts(text, category=category, claim_untagged=claim_untagged,
                                        recipients=named)
    except InputError as exc:
        raise InputError(f"{bundle_path}: {exc}") from None
    session = session_from(opts)
    sender = session.require_sender("import")
    system = session.system
    for part in parts:  # every part checked on chain before the first transaction
        held = system.indicator(part.described.content_hash)
        if held.status != Status.NONE and held.submitter == sender:
            part.state = f"already submitted ({held.status.name.lower()})"
            continue
        try:
            preflight(system, sender, part.described, named)
        except ChainError as exc:
            raise ChainError(f"{part.indicator_id}: {exc}") from None
    if out_dir:
        folder = Path(out_dir)
        folder.mkdir(parents=True, exist_ok=True)
        for part in parts:
            (folder / f"{part.described.hash_hex}.json").write_bytes(part.described.canonical_json)
    if not dry_run:
        journal = Journal(journal_dir or default_journal_dir(session.deployment_path))
        for part in parts:
            if part.state != "checked":
                continue
            try:
                done = submit_bundle(system, sender, part.described, part.category, cls, journal,
                                     recipients=named)
            except ChainError as exc:
                finished = sum(p.state == "submitted" for p in parts)
                raise ChainError(
                    f"{part.indicator_id}: {exc} ({finished} of {len(parts)} parts submitted; "
                    "run the same import again to finish: submitted parts are skipped)"
                ) from None
            part.state = "submitted"
            part.transactions = tuple(done.transactions)
        if put_in_pool:
            _put_parts(session, pool_path, parts, named)
    result = {
        "bundle": bundle_path,
        "sender": sender,
        "alliance": system.address,
        "dry_run": dry_run,
        "left_out": left_out,
        "parts": [
            {
                "indicator_id": p.indicator_id,
                "name": p.name,
                "content_hash": p.described.hash_hex,
                "semantic_key": "0x" + p.semantic_key.hex(),
                "tlp": p.described.tlp.label if p.described.tlp else None,
                "category": category_name(p.category),
                "category_source": p.category_source,
                "state": "checked (dry run)" if dry_run and p.state == "checked" else p.state,
                "transactions": list(p.transactions),
            }
            for p in parts
        ],
    }
    emit(result, opts["as_json"], _render)
