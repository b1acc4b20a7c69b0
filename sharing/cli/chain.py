"""CLI commands that touch the AIS contracts: ``deploy`` (the whole system), ``quote``, ``demo``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from rich.table import Table

from sharing import quote as q
from sharing.cli._common import (
    console,
    deployment_option,
    emit,
    fee_options,
    json_option,
    policy_from_options,
    rpc_option,
    signer_from_options,
    signer_options,
)
from sharing.errors import DeploymentError


@click.command()
@rpc_option
@deployment_option
@click.option("--epoch-length", default=86_400, show_default=True, help="Seconds per epoch.")
@click.option("--replace", is_flag=True,
              help="Overwrite a deployment file that records a live alliance on this chain.")
@signer_options
@fee_options
@json_option
def deploy(
    rpc_url: str | None,
    deployment_path: str | None,
    epoch_length: int,
    replace: bool,
    keystore: str | None,
    account: str | None,
    password_file: str | None,
    max_fee_gwei: str | None,
    priority_fee_gwei: str | None,
    confirmations: int,
    tx_timeout: float,
    as_json: bool,
) -> None:
    """Compile (cached) and deploy the whole system; write the deployment file.

    The alliance and the PESIM settlement, from the key given (which then
    holds every role) or the node's first unlocked account. The chain is
    probed first: one without the EVM version the contracts need is refused
    before anything is deployed.
    """
    from sharing.chain.connect import connect
    from sharing.chain.deployment import (
        default_deployment_path,
        deploy_system,
        live_deployment,
        write_deployment,
    )

    signer = signer_from_options(keystore, account, password_file)
    policy = policy_from_options(max_fee_gwei, priority_fee_gwei, confirmations, tx_timeout)
    chain = connect(rpc_url, signers=[signer] if signer else [], policy=policy)
    path = Path(deployment_path) if deployment_path else default_deployment_path(chain)
    live = None if replace else live_deployment(chain, path)
    if live is not None:
        raise DeploymentError(
            f"{path} records the alliance at {live} on this chain, and it is live; nothing "
            "deployed (give --deployment NEW_FILE for a second alliance, or --replace)"
        )
    system, settlement = deploy_system(
        chain, signer.address if signer else None, epoch_length=epoch_length
    )
    record = write_deployment(system, path, settlement)
    record["deployment_file"] = str(path)
    record["ephemeral"] = chain.kind == "eth_tester"

    def render(r: dict[str, Any]) -> None:
        t = Table(title=f"Deployed on chain {r['chain_id']}")
        t.add_column("contract")
        t.add_column("address")
        t.add_column("runtime bytes", justify="right")
        for name, c in r["contracts"].items():
            t.add_row(name, c["address"], str(c["runtime_size"]))
        console.print(t)
        console.print(f"EVM version: {r['evm_version']}")
        console.print(f"governance: {r['governance']}")
        console.print(f"deployment file: {r['deployment_file']}")
        if r["ephemeral"]:
            console.print(
                "note: the embedded chain ends with this process; use --rpc-url to keep it."
            )

    emit(record, as_json, render)


def _tier_code(value: str) -> int:
    from sharing.errors import InputError

    names = {
        "critical": 0,
        "critical-infrastructure": 0,
        "core": 1,
        "core-business": 1,
        "small": 2,
        "small-business": 2,
    }
    if value.isdigit() and int(value) < len(q.TIERS):
        return int(value)
    if value.lower() in names:
        return names[value.lower()]
    raise InputError(f"unknown tier {value!r}: use critical, core or small (or 0..2)")


@click.command()
@click.option("--tier", required=True, help="critical | core | small (or 0..2).")
@click.option("--class", "claimed_class", required=True, help="root | specific (or 0..1).")
@click.option("--cvss", "vector", required=True, help="CVSS v3.1 or v4.0 vector.")
@click.option("--scope", required=True, help="single | sector | cross-sector (or 0..2).")
@click.option("--category", required=True, help="ATT&CK tactic name or id, or code.")
@click.option(
    "--price-index",
    type=int,
    default=None,
    help="Category price index in bps (default: an untouched category's).",
)
@click.option("--live", is_flag=True, help="Also ask the deployed contract (needs --rpc-url).")
@rpc_option
@deployment_option
@json_option
def quote(
    tier: str,
    claimed_class: str,
    vector: str,
    scope: str,
    category: str,
    price_index: int | None,
    live: bool,
    rpc_url: str | None,
    deployment_path: str | None,
    as_json: bool,
) -> None:
    """The reward, in wei, that an indicator with these attributes earns."""
    from sharing.errors import InputError
    from sharing.standards import stix
    from sharing.standards.cvss import parse_cvss

    t = _tier_code(tier)
    c = stix.class_code(claimed_class)
    s = stix.scope_code(scope)
    k = stix.category_code(category)
    score = parse_cvss(vector)
    schedule, rule = q.DEFAULT_SCHEDULE, q.DEFAULT_PRICE_RULE
    result: dict[str, Any] = {"schedule": "default"}
    if live:
        if not rpc_url:
            raise InputError("--live needs --rpc-url (the embedded chain has no deployment to ask)")
        from sharing.chain.connect import connect
        from sharing.chain.deployment import default_deployment_path, load_deployment

        chain = connect(rpc_url)
        path = Path(deployment_path) if deployment_path else default_deployment_path(chain)
        system = load_deployment(chain, path)
        schedule, rule = system.schedule(), system.price_rule()
        if price_index is None:
            price_index = system.price_index(k)
        result["schedule"] = str(path)
    price = rule.base_bps if price_index is None else price_index
    reward = q.quote(t, c, score.score_x10, s, price, schedule, rule)
    result.update(
        {
            "tier": q.TIERS[t],
            "class": q.CLASSES[c],
            "cvss": score.vector,
            "score_x10": score.score_x10,
            "band": score.band_name,
            "scope": q.SCOPES[s],
            "category": k,
            "price_index_bps": price,
            "reward_wei": reward,
        }
    )
    if live:
        on_chain = int(system.call("quote", t, c, score.score_x10, s, k))
        result["on_chain_wei"] = on_chain
        result["match"] = on_chain == reward

    def render(r: dict[str, Any]) -> None:
        tab = Table(title="Reward quote")
        tab.add_column("field")
        tab.add_column("value", justify="right")
        for key in ("tier", "class", "score_x10", "band", "scope", "category", "price_index_bps"):
            tab.add_row(key, str(r[key]))
        tab.add_row("reward (wei)", f"{r['reward_wei']:,}")
        tab.add_row("reward (ETH)", f"{r['reward_wei'] / 10**18:.6f}")
        if "on_chain_wei" in r:
            tab.add_row("on chain (wei)", f"{r['on_chain_wei']:,}")
            tab.add_row("match", "yes" if r["match"] else "NO")
        console.print(tab)

    emit(result, as_json, render)


@click.command()
@rpc_option
@click.option("--seed", default=7, show_default=True, help="Seed of the synthetic indicators.")
@json_option
def demo(rpc_url: str | None, seed: int, as_json: bool) -> None:
    """Run the alliance end to end: rewards, a duplicate, junk, a front-run, gated reads."""
    from sharing.chain.connect import connect
    from sharing.demo import run_demo
    from sharing.errors import SharingError

    chain = connect(rpc_url)
    if as_json:
        result = run_demo(chain, seed=seed)
    else:
        with console.status("running the alliance on " + (rpc_url or "the embedded chain")) as st:
            result = run_demo(chain, seed=seed, log=lambda m: st.update(m))

    def render(r: dict[str, Any]) -> None:
        t = Table(title="Indicators")
        for col in (
            "id",
            "submitter (tier)",
            "CVSS",
            "scope",
            "votes +/-",
            "status",
            "reward (wei)",
            "quote match",
        ):
            t.add_column(col, justify="right" if col in ("CVSS", "reward (wei)") else "left")
        notes = []
        for row in r["indicators"]:
            match = {True: "yes", False: "NO", None: "-"}[row["quote_match"]]
            t.add_row(
                row["label"],
                row["submitter"],
                f"{row['cvss'] / 10:.1f}",
                q.SCOPES[row["scope"]],
                f"{row['valid_votes']}/{row['invalid_votes']}",
                row["status"],
                f"{row['reward_wei']:,}",
                match,
            )
            if row["note"]:
                notes.append(f"  {row['label']}: {row['note']}")
        console.print(t)
        console.print("\n".join(notes))
        f = Table(title="Firms")
        for col in ("firm", "reward (wei)", "claimed (wei)", "owed (wei)", "reputation", "access"):
            f.add_column(col, justify="left" if col == "firm" else "right")
        for firm in r["firms"]:
            f.add_row(
                firm["firm"],
                f"{firm['reward_wei']:,}",
                f"{firm['claimed_wei']:,}",
                f"{firm['owed_wei']:,}",
                str(firm["reputation"]),
                "yes" if firm["access"] else "no",
            )
        console.print(f)
        for read in r["reads"]:
            verdict = "allowed" if read["allowed"] else f"denied ({read['reason']})"
            console.print(f"pool read by {read['reader']} {read['when']}: {verdict}")
        c = r["chain"]
        console.print(
            f"{c['transactions']} transactions on {c['kind']} (chain {c['chain_id']}) "
            f"in {c['seconds']} s; contract {c['address']}"
        )
        for name, ok in r["checks"].items():
            console.print(f"check {name}: {'ok' if ok else 'FAILED'}")

    emit(result, as_json, render)
    if not result["ok"]:
        raise SharingError(
            "demo checks failed: " + ", ".join(k for k, v in result["checks"].items() if not v)
        )


COMMANDS: list[click.Command] = [deploy, quote, demo]
