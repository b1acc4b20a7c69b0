"""The deployment file, and deploying the whole system onto a chain that can run it.

``deployments/<chain id>.json`` is written for other tools as much as for
``sharing``: each contract's address, ABI, deployment block and
transaction, the compiler's version and settings and the EVM version, every
hex value with ``0x``. Later commands find the alliance through it and
refuse a file written for another network (chain id and genesis hash).

Before anything is deployed the node is probed (:func:`require_evm`): the
contracts are compiled for :data:`sharing.chain.compile.EVM_VERSION`, and a
chain without that fork's opcodes would take them and then fail at their
first guarded call.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sharing.chain.ais import CONTRACT, AisSystem, hex_0x
from sharing.chain.compile import EVM_VERSION, ROOT, compiler_settings, load_artifact
from sharing.chain.connect import Chain
from sharing.chain.contract import Handle
from sharing.errors import ChainError, DeploymentError

if TYPE_CHECKING:
    from sharing.chain.pesim import PesimSystem

#: The settlement contract deployed with the alliance by ``sharing deploy``.
SETTLEMENT = "PesimSettlement"
#: Version of the deployment file's layout.
DEPLOYMENT_FORMAT = 2

# Init code that runs PUSH0 (shanghai), TLOAD (cancun, EIP-1153) and MCOPY
# (cancun, EIP-5656) and stops: an eth_call of it fails on a chain without them.
_CANCUN_PROBE = "0x" + "5f5c50" + "5f5f5f5e" + "00"


def require_evm(chain: Chain) -> None:
    """Refuse a chain that cannot run the contracts' EVM version, before anything is deployed.

    Raises
    ------
    ChainError
        The node rejects the opcodes :data:`sharing.chain.compile.EVM_VERSION`
        brings (transient storage for the reentrancy lock, ``MCOPY``).
    """
    try:
        chain.w3.eth.call({"data": _CANCUN_PROBE})  # type: ignore[typeddict-item]
    except Exception as exc:  # noqa: BLE001 - any failure of the probe means the same
        first = (str(exc).strip().splitlines() or [exc.__class__.__name__])[0]
        raise ChainError(
            f"chain {chain.chain_id} cannot run the contracts: they need the {EVM_VERSION} fork "
            f"(transient storage, MCOPY) and the node refused them ({first[:120]}); "
            "nothing deployed"
        ) from None


def deployment_record(system: AisSystem, settlement: PesimSystem | None = None) -> dict[str, Any]:
    """What later commands and other tools need to find, call and trust a deployment.

    Each contract's address, ABI, deployment block and transaction (when
    this process deployed it), compiler version and settings; the EVM
    version; every hex value with ``0x``.
    """
    w3 = system.chain.w3
    contracts = {CONTRACT: _contract_record(system.alliance)}
    if settlement is not None:
        contracts[SETTLEMENT] = _contract_record(settlement.contract)
    return {
        "format": DEPLOYMENT_FORMAT,
        "chain_id": system.chain.chain_id,
        "genesis_hash": hex_0x(w3.eth.get_block(0)["hash"]),
        "rpc_url": _public_origin(system.chain.url),
        "governance": system.governance,
        "evm_version": EVM_VERSION,
        "compiler": {"name": "vyper", "version": system.alliance.artifact.compiler_version},
        "contracts": contracts,
        "epoch_length": system.call("EPOCH_LENGTH"),
        "schedule": asdict(system.schedule()),
        "price_rule": asdict(system.price_rule()),
    }


def _public_origin(url: str | None) -> str | None:
    """The endpoint's scheme, host and port only.

    Hosted endpoints carry an API key in the path, query or user part, and the
    deployment file is shared with every member.
    """
    if not url:
        return None
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}"


def _contract_record(handle: Handle) -> dict[str, Any]:
    """One contract's entry in the deployment file."""
    artifact = handle.artifact
    receipt = handle.deploy_receipt
    return {
        "address": str(handle.address),
        "deploy_block": int(receipt["blockNumber"]) if receipt else None,
        "transaction_hash": hex_0x(receipt["transactionHash"]) if receipt else None,
        "compiler": {
            "name": "vyper",
            "version": artifact.compiler_version,
            "settings": compiler_settings(artifact.name),
        },
        "evm_version": artifact.evm_version,
        "source_hash": "0x" + artifact.source_hash,
        "runtime_size": artifact.runtime_size,
        "abi": artifact.abi,
    }


def deploy_system(
    chain: Chain, governance: str | None = None, epoch_length: int = 86_400
) -> tuple[AisSystem, PesimSystem]:
    """Deploy the whole system - the alliance and the PESIM settlement - after probing the EVM.

    Raises
    ------
    ChainError
        The chain lacks the EVM version the contracts are compiled for
        (:func:`require_evm`); nothing is deployed.
    """
    from sharing.chain.pesim import PesimSystem

    require_evm(chain)
    load_artifact(CONTRACT)  # compile both before the first transaction: a compiler
    load_artifact(SETTLEMENT)  # error must not leave half a system deployed
    system = AisSystem.deploy(chain, governance, epoch_length=epoch_length)
    settlement = PesimSystem.deploy(chain, system.governance)
    return system, settlement


def default_deployment_path(chain: Chain) -> Path:
    """``deployments/<chain id>.json`` in the project."""
    return ROOT / "deployments" / f"{chain.chain_id}.json"


def write_deployment(
    system: AisSystem, path: Path, settlement: PesimSystem | None = None
) -> dict[str, Any]:
    """Write the deployment file (atomically) and return its content."""
    record = deployment_record(system, settlement)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(record, indent=2) + "\n")
    tmp.replace(path)
    return record


def read_deployment(path: Path) -> dict[str, Any]:
    """The deployment file's content (raises :class:`DeploymentError` if missing or malformed)."""
    try:
        record = json.loads(path.read_text())
        record["contracts"][CONTRACT]["address"]
    except FileNotFoundError:
        raise DeploymentError(f"no deployment file at {path}; run `sharing deploy` first") from None
    except (json.JSONDecodeError, KeyError, TypeError):
        raise DeploymentError(f"{path} is not a deployment file") from None
    return dict(record)


#: Most bytes of immutable values vyper may append to a contract's runtime code.
MAX_IMMUTABLE_BYTES = 32 * 32


def verify_deployment(chain: Chain, path: Path) -> list[dict[str, Any]]:
    """Check that each contract ``path`` records is the one this checkout compiles.

    The code at each address must be the artifact's runtime code followed by
    at most :data:`MAX_IMMUTABLE_BYTES` of immutable values (vyper appends
    them at deployment: the alliance's genesis time and epoch length). A
    member who receives a deployment file runs this before trusting it.

    Returns
    -------
    list of dict
        Per contract: ``contract``, ``address``, ``matches``, ``code_bytes``,
        ``runtime_bytes``, ``immutable_bytes`` and, when it does not match,
        ``why``.
    """
    from web3 import Web3

    load_deployment(chain, path)  # the right network, and code at the alliance
    rows: list[dict[str, Any]] = []
    for name, entry in read_deployment(path)["contracts"].items():
        try:
            artifact = load_artifact(name)
        except Exception:  # noqa: BLE001 - a contract this checkout does not have
            rows.append({"contract": name, "address": entry.get("address"), "matches": False,
                         "why": f"this checkout has no contract {name}"})
            continue
        address = Web3.to_checksum_address(entry["address"])
        code = bytes(chain.w3.eth.get_code(address))
        runtime = bytes.fromhex(artifact.bytecode_runtime.removeprefix("0x"))
        tail = len(code) - len(runtime)
        why = None
        if not code:
            why = "no code at the address"
        elif not code.startswith(runtime):
            why = "the code differs from this checkout's compilation"
        elif not 0 <= tail <= MAX_IMMUTABLE_BYTES:
            why = f"{tail} bytes after the runtime code, more than immutables take"
        rows.append({"contract": name, "address": address, "matches": why is None,
                     "code_bytes": len(code), "runtime_bytes": len(runtime),
                     "immutable_bytes": max(tail, 0), "why": why})
    return rows


def live_deployment(chain: Chain, path: Path) -> str | None:
    """The alliance address ``path`` records if it is deployed on ``chain`` now, else None.

    ``sharing deploy`` refuses to overwrite such a file: it is the members'
    only pointer to their alliance.
    """
    from web3 import Web3

    try:
        record = read_deployment(path)
        address = Web3.to_checksum_address(record["contracts"][CONTRACT]["address"])
    except (DeploymentError, ValueError):
        return None
    if record.get("chain_id") != chain.chain_id:
        return None
    if hex_0x(str(record.get("genesis_hash"))) != hex_0x(chain.w3.eth.get_block(0)["hash"]):
        return None
    return str(address) if chain.w3.eth.get_code(address) else None


def load_deployment(chain: Chain, path: Path) -> AisSystem:
    """Attach to the deployment recorded in ``path``, refusing one for another network."""
    record = read_deployment(path)
    address = record["contracts"][CONTRACT]["address"]
    if record.get("chain_id") != chain.chain_id:
        raise DeploymentError(
            f"{path} is for chain {record.get('chain_id')}, connected to chain {chain.chain_id}"
        )
    genesis = hex_0x(chain.w3.eth.get_block(0)["hash"])
    if hex_0x(str(record.get("genesis_hash"))) != genesis:
        raise DeploymentError(f"{path} was written for another network (genesis differs)")
    block = record["contracts"][CONTRACT].get("deploy_block") or 0
    return AisSystem.at(chain, address, record["governance"], int(block))


def load_settlement(chain: Chain, path: Path) -> PesimSystem:
    """Attach to the PESIM settlement recorded beside the alliance in ``path``."""
    from sharing.chain.pesim import PesimSystem

    system = load_deployment(chain, path)
    entry = read_deployment(path)["contracts"].get(SETTLEMENT)
    if not entry:
        raise DeploymentError(f"{path} records no {SETTLEMENT}; run `sharing deploy` again")
    return PesimSystem.at(chain, entry["address"], system.governance)
