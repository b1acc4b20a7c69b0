"""Compile ``contracts/*.vy`` with vyper 0.4, with a content-addressed artifact cache.

An artifact (ABI, bytecode, compiler version and settings, source hash) is
rebuilt only when a source file of the project, the snekmate version, the
compiler version or its settings change; otherwise it is read from ``build/``.

**The EVM version is pinned** (:data:`EVM_VERSION`), not left to the
compiler's default (vyper 0.4.3 targets ``prague``): the contracts are
compiled for the oldest fork they need, so that every chain running that
fork (rollups often lag mainnet by a fork or two) can run them. That fork is
``cancun``: ``# pragma nonreentrancy on`` takes its lock in transient
storage (EIP-1153 ``TSTORE``/``TLOAD``), and vyper copies memory with
``MCOPY`` (EIP-5656), both new in cancun; ``PUSH0`` (shanghai) comes with
them. A chain without them would run the contracts until the first guarded
call and then fail on an invalid opcode, so
:func:`sharing.chain.deployment.require_evm` probes the node before deploying.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from sharing.errors import SharingError

#: The repository root (the package is used from a checkout, as the Makefile installs it).
ROOT = Path(__file__).resolve().parents[2]


#: The fork the bytecode targets: the oldest with transient storage (see the module docstring).
EVM_VERSION = "cancun"
#: vyper's optimisation mode when a contract names none (``# pragma optimize ...``).
DEFAULT_OPTIMIZE = "gas"
_OPTIMIZE_PRAGMA = re.compile(r"^#\s*pragma\s+optimize\s+(\w+)", re.M)


def compiler_settings(name: str | None = None) -> dict[str, str]:
    """The settings a contract is compiled with, as the deployment file records them.

    The EVM version is pinned here for every contract; the optimisation mode
    is the contract's own pragma (vyper refuses to override it), else vyper's
    default.
    """
    optimize = DEFAULT_OPTIMIZE
    if name is not None:
        source = contracts_dir() / f"{name}.vy"
        if source.exists():
            found = _OPTIMIZE_PRAGMA.search(source.read_text(encoding="utf-8"))
            optimize = found.group(1) if found else DEFAULT_OPTIMIZE
    return {"evm_version": EVM_VERSION, "optimize": optimize}


def contracts_dir() -> Path:
    """Directory of the Vyper sources (``$SHARING_CONTRACTS_DIR`` overrides)."""
    return Path(os.environ.get("SHARING_CONTRACTS_DIR", ROOT / "contracts"))


def testing_dir() -> Path:
    """Test-only contracts (attackers, harnesses): never deployed in production."""
    return contracts_dir() / "testing"


def build_dir() -> Path:
    """Directory of cached artifacts (``$SHARING_BUILD_DIR`` overrides)."""
    return Path(os.environ.get("SHARING_BUILD_DIR", ROOT / "build"))


@dataclass(frozen=True)
class Artifact:
    """A compiled contract."""

    name: str
    abi: list[dict[str, Any]]
    bytecode: str
    runtime_size: int
    compiler_version: str
    source_hash: str
    evm_version: str = EVM_VERSION
    #: The code a deployment leaves at its address, before any immutable values vyper
    #: appends (how ``sharing verify`` recognises a deployment of this checkout).
    bytecode_runtime: str = ""


def _compiler_version() -> str:
    import vyper

    return str(vyper.__version__)


def source_hash() -> str:
    """Hash of every project source, the compiler and the snekmate version."""
    h = hashlib.sha256()
    h.update(_compiler_version().encode())
    h.update(EVM_VERSION.encode())
    h.update(metadata.version("snekmate").encode())
    root = contracts_dir()
    for path in sorted(root.rglob("*.vy*")):
        h.update(path.relative_to(root).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def _compile(name: str, digest: str) -> Artifact:
    import vyper
    from vyper.compiler.input_bundle import FilesystemInputBundle
    from vyper.compiler.settings import Settings

    # Production contracts first, then the test-only ones (which may import production modules).
    search = [
        contracts_dir(),
        testing_dir(),
        *(Path(p) for p in sys.path if p and Path(p).is_dir()),
    ]
    bundle = FilesystemInputBundle(search)
    try:
        file_input = bundle.load_file(Path(f"{name}.vy"))
        settings = Settings(evm_version=EVM_VERSION)
        out = vyper.compile_from_file_input(
            file_input,
            input_bundle=bundle,
            settings=settings,
            output_formats=["abi", "bytecode", "bytecode_runtime"],
        )
    except FileNotFoundError:
        raise SharingError(f"no contract {name}.vy in {contracts_dir()}") from None
    except Exception as exc:  # vyper raises many exception types; all mean "does not compile"
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
        raise SharingError(f"{name}.vy does not compile: {first}") from exc
    runtime = out["bytecode_runtime"]
    return Artifact(
        name=name,
        abi=out["abi"],
        bytecode=out["bytecode"],
        runtime_size=(len(runtime) - 2) // 2,
        compiler_version=_compiler_version(),
        source_hash=digest,
        evm_version=EVM_VERSION,
        bytecode_runtime=runtime,
    )


def load_artifact(name: str, rebuild: bool = False) -> Artifact:
    """Return the artifact of ``contracts/<name>.vy``, compiling only if stale."""
    digest = source_hash()
    path = build_dir() / f"{name}.json"
    if not rebuild and path.exists():
        try:
            data = json.loads(path.read_text())
            # An entry from before the runtime code was kept is rebuilt once.
            if data.get("source_hash") == digest and data.get("bytecode_runtime"):
                return Artifact(**data)
        except (json.JSONDecodeError, TypeError):
            pass  # a corrupt cache entry is simply rebuilt
    artifact = _compile(name, digest)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(artifact.__dict__))
    tmp.replace(path)
    return artifact
