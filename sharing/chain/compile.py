"""Compile ``contracts/*.vy`` with vyper 0.4, with a content-addressed artifact cache.

An artifact (ABI, bytecode, compiler version, source hash) is rebuilt only
when a source file of the project, the snekmate version or the compiler
version changes; otherwise it is read from ``build/``.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from sharing.errors import SharingError

#: The repository root (the package is used from a checkout, as the Makefile installs it).
ROOT = Path(__file__).resolve().parents[2]


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


def _compiler_version() -> str:
    import vyper

    return str(vyper.__version__)


def source_hash() -> str:
    """Hash of every project source, the compiler and the snekmate version."""
    h = hashlib.sha256()
    h.update(_compiler_version().encode())
    h.update(metadata.version("snekmate").encode())
    root = contracts_dir()
    for path in sorted(root.rglob("*.vy*")):
        h.update(path.relative_to(root).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def _compile(name: str, digest: str) -> Artifact:
    import vyper
    from vyper.compiler.input_bundle import FilesystemInputBundle

    # Production contracts first, then the test-only ones (which may import production modules).
    search = [
        contracts_dir(),
        testing_dir(),
        *(Path(p) for p in sys.path if p and Path(p).is_dir()),
    ]
    bundle = FilesystemInputBundle(search)
    try:
        file_input = bundle.load_file(Path(f"{name}.vy"))
        out = vyper.compile_from_file_input(
            file_input, input_bundle=bundle, output_formats=["abi", "bytecode", "bytecode_runtime"]
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
    )


def load_artifact(name: str, rebuild: bool = False) -> Artifact:
    """Return the artifact of ``contracts/<name>.vy``, compiling only if stale."""
    digest = source_hash()
    path = build_dir() / f"{name}.json"
    if not rebuild and path.exists():
        try:
            data = json.loads(path.read_text())
            if data.get("source_hash") == digest:
                return Artifact(**data)
        except (json.JSONDecodeError, TypeError):
            pass  # a corrupt cache entry is simply rebuilt
    artifact = _compile(name, digest)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(artifact.__dict__))
    tmp.replace(path)
    return artifact
