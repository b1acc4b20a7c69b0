"""CLI: ``sharing indicator hash`` / ``submit`` - a STIX bundle file to the chain.

``submit`` checks everything it can before it sends anything: the bundle
(valid STIX 2.1, one indicator, a valid CVSS vector if it claims one, a
marking the pool accepts), the category, the node (reachable, the expected
chain id), the deployment file (this network, code at the address), the
sender (a key, or an unlocked account of a development node; a member of
the alliance) and the content (not already taken). A mistake costs one line
on stderr, a non-zero exit and no transaction. The pipeline itself -
preflight, journal, commit, a later block, reveal, resume - is
:mod:`sharing.submission`, so that other commands submit the same way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from rich.table import Table

from sharing.cli._common import console, emit, json_option
from sharing.cli._roles import parse_address, role_options, session_from
from sharing.errors import ChainError, InputError


def _load_bundle(path: str) -> Any:
    from sharing.standards.stix import load_indicator_bundle

    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read bundle {path}: {exc.__class__.__name__}") from None
    try:
        return load_indicator_bundle(text)
    except InputError as exc:
        raise InputError(f"{path}: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - stix2-validator raises its own errors on odd input
        first = (str(exc).strip().splitlines() or [exc.__class__.__name__])[0]
        raise InputError(f"{path}: invalid STIX 2.1 bundle: {first}") from None


def _describe(ib: Any) -> dict[str, Any]:
    from sharing.standards.stix import category_name

    return {
        "content_hash": ib.hash_hex,
        "indicator_id": ib.indicator_id,
        "tlp": ib.tlp.label if ib.tlp is not None else None,
        "categories": sorted(category_name(c) for c in ib.tactics),
        "cvss": ib.cvss.vector if ib.cvss is not None else None,
        "score_x10": ib.cvss.score_x10 if ib.cvss is not None else None,
        "canonical_bytes": len(ib.canonical_json),
    }


def _render(r: dict[str, Any]) -> None:
    t = Table(title="Indicator bundle" if "transactions" not in r else "Indicator submitted")
    t.add_column("field")
    t.add_column("value")
    for key, value in r.items():
        t.add_row(key, ", ".join(map(str, value)) if isinstance(value, list) else str(value))
    console.print(t)


@click.group()
def indicator() -> None:
    """Hash and submit STIX 2.1 indicator bundles."""


@indicator.command("hash")
@click.option("--bundle", "bundle_path", required=True, help="STIX 2.1 bundle (JSON file).")
@json_option
def hash_command(bundle_path: str, as_json: bool) -> None:
    """The content hash the chain would hold for a bundle, and what the bundle claims."""
    emit(_describe(_load_bundle(bundle_path)), as_json, _render)


def _category(ib: Any, requested: str | None, claim_untagged: bool) -> int:
    from sharing.standards.categories import resolve_category
    from sharing.standards.stix import category_code

    code = None
    if requested is not None:
        code = int(category_code(int(requested) if requested.isdigit() else requested))
    return resolve_category(set(ib.tactics), code, claim_untagged=claim_untagged)[0]


@indicator.command("submit")
@click.option("--bundle", "bundle_path", required=True, help="STIX 2.1 bundle (JSON file).")
@click.option("--firm", default=None,
              help="Member account unlocked on the node (a development node); with a key "
              "(--keystore, --account, $SHARING_PRIVATE_KEY) the key's address submits.")
@click.option("--category", default=None, help="ATT&CK tactic (default: the bundle's only one).")
@click.option("--claim-untagged", is_flag=True,
              help="Declare --category for a bundle that names no ATT&CK tactic (the panel "
              "judges the claim).")
@click.option("--class", "claimed_class", default="root", show_default=True,
              help="root | specific.")
@click.option("--recipient", "recipients", multiple=True, metavar="ADDRESS",
              help="For a TLP:AMBER+STRICT bundle: a member that may read it in the pool "
              "(repeatable).")
@click.option("--chain-id", "expected_chain_id", type=int, default=None,
              help="Refuse to send unless the node reports this chain id.")
@click.option("--journal", "journal_dir", default=None, metavar="DIR",
              help="Where the salt is kept until the reveal (default: $SHARING_JOURNAL_DIR, "
              "else journal/ beside the deployment file).")
@role_options
def submit(
    bundle_path: str,
    firm: str | None,
    category: str | None,
    claim_untagged: bool,
    claimed_class: str,
    recipients: tuple[str, ...],
    expected_chain_id: int | None,
    journal_dir: str | None,
    **opts: Any,
) -> None:
    """Commit and reveal a bundle for a member; every check comes before the first send.

    An interrupted submission (between commit and reveal) is resumed by
    running the same command again: the salt is in the journal.
    """
    from sharing.pool.admission import admit
    from sharing.standards.stix import class_code
    from sharing.submission import Journal, default_journal_dir, submit_bundle

    # Offline checks: the bundle, its category and class, what the pool would refuse.
    ib = _load_bundle(bundle_path)
    cat = _category(ib, category, claim_untagged)
    cls = int(class_code(claimed_class))
    named = tuple(parse_address(r, "--recipient") for r in recipients)
    admit(ib, named)
    if firm is not None:
        if opts["sender"] is not None:
            raise InputError("give --firm or --from, not both")
        opts["sender"] = parse_address(firm, "--firm")
    # The node, the deployment and the sender.
    session = session_from(opts)
    if expected_chain_id is not None and session.chain.chain_id != expected_chain_id:
        raise ChainError(
            f"the node at {opts['rpc_url']} is chain {session.chain.chain_id}, not chain "
            f"{expected_chain_id}; nothing sent"
        )
    sender = session.require_sender("submit")
    journal = Journal(journal_dir or default_journal_dir(session.deployment_path))
    done = submit_bundle(session.system, sender, ib, cat, cls, journal, recipients=named,
                         source=str(Path(bundle_path).resolve()))
    result = _describe(ib) | {
        "firm": sender,
        "class": claimed_class,
        "alliance": done.alliance,
        "chain_id": done.chain_id,
        "category": cat,
        "transactions": done.transactions,
        "resumed": done.resumed,
        "semantic_key": done.semantic_key,
        "vote_opens": done.vote_opens,
        "vote_closes": done.vote_closes,
        "journal": done.journal,
    }
    emit(result, opts["as_json"], _render)


@indicator.command("journal")
@click.option("--journal", "journal_dir", default=None, metavar="DIR",
              help="The journal folder (default: $SHARING_JOURNAL_DIR, else journal/ beside "
              "the deployment file).")
@role_options
def journal_command(journal_dir: str | None, **opts: Any) -> None:
    """Submissions of this alliance in the journal, and what each still needs."""
    from sharing.submission import Journal, default_journal_dir

    session = session_from(opts)
    system = session.system
    journal = Journal(journal_dir or default_journal_dir(session.deployment_path))
    rows = []
    now = session.chain.timestamp()
    for entry in journal.entries(session.chain.chain_id, system.address):
        seq, _, stamp = system.call("commitment_of", entry.sender, entry.bytes_of("commitment"))
        closes = int(stamp) + int(system.call("reveal_window")) if int(seq) else None
        if entry.state == "revealed":
            todo = "nothing: revealed"
        elif entry.state == "expired" or (closes is not None and now >= closes):
            todo = "its commitment expired: run `indicator submit` again to commit afresh"
        else:
            todo = "unfinished: run `indicator submit` again with the same bundle to finish it"
        rows.append({"content_hash": entry.content_hash, "sender": entry.sender,
                     "state": entry.state, "commit_tx": entry.commit_tx,
                     "reveal_tx": entry.reveal_tx, "reveal_closes": closes,
                     "bundle": entry.source, "next": todo})
    result = {"journal": str(journal.directory), "alliance": system.address,
              "unfinished": sum(1 for r in rows if r["state"] != "revealed"), "entries": rows}

    def render(r: dict[str, Any]) -> None:
        t = Table(title=f"Journal {r['journal']}: {r['unfinished']} unfinished")
        for col in ("content hash", "sender", "state", "bundle", "next"):
            t.add_column(col)
        for row in r["entries"]:
            t.add_row(row["content_hash"], row["sender"], row["state"], str(row["bundle"]),
                      row["next"])
        console.print(t)

    emit(result, opts["as_json"], render)


COMMANDS: list[click.Command] = [indicator]

