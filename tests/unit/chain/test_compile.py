"""The artifact cache: compiled once, rebuilt only when a source or the compiler changes."""

import json
import shutil
from pathlib import Path

import pytest

from sharing.chain import compile as comp
from sharing.errors import SharingError

CONTRACTS = Path(__file__).resolve().parents[3] / "contracts"


@pytest.fixture
def sandbox(tmp_path, monkeypatch):
    src = tmp_path / "contracts"
    shutil.copytree(CONTRACTS, src)
    monkeypatch.setenv("SHARING_CONTRACTS_DIR", str(src))
    monkeypatch.setenv("SHARING_BUILD_DIR", str(tmp_path / "build"))
    calls = []
    real = comp._compile

    def counting(name, digest):
        calls.append(name)
        return real(name, digest)

    monkeypatch.setattr(comp, "_compile", counting)
    return src, tmp_path / "build", calls


def test_artifact__cached_until_a_source_changes(sandbox):
    src, build, calls = sandbox
    first = comp.load_artifact("RewardMathHarness")
    assert calls == ["RewardMathHarness"]
    data = json.loads((build / "RewardMathHarness.json").read_text())
    assert data["compiler_version"] == first.compiler_version and data["source_hash"] == first.source_hash
    assert {"abi", "bytecode", "runtime_size"} <= set(data)
    assert comp.load_artifact("RewardMathHarness") == first
    assert calls == ["RewardMathHarness"]  # served from the cache
    # an imported module changes: the dependent contract is rebuilt
    math = src / "reward_math.vy"
    math.write_text(math.read_text() + "\n# a comment changes the source hash\n")
    again = comp.load_artifact("RewardMathHarness")
    assert calls == ["RewardMathHarness", "RewardMathHarness"]
    assert again.source_hash != first.source_hash


def test_artifact__compiler_version_is_part_of_the_key(sandbox, monkeypatch):
    _, _, calls = sandbox
    comp.load_artifact("RewardMathHarness")
    monkeypatch.setattr(comp, "_compiler_version", lambda: "0.4.99")
    comp.load_artifact("RewardMathHarness")
    assert len(calls) == 2


def test_artifact__corrupt_cache_is_rebuilt(sandbox):
    _, build, calls = sandbox
    comp.load_artifact("RewardMathHarness")
    (build / "RewardMathHarness.json").write_text("{not json")
    comp.load_artifact("RewardMathHarness")
    assert len(calls) == 2


def test_artifact__missing_or_broken_contract__clear_error(sandbox):
    src, _, _ = sandbox
    with pytest.raises(SharingError, match="no contract Nope.vy"):
        comp.load_artifact("Nope")
    (src / "Broken.vy").write_text("# pragma version 0.4.3\n@external\ndef f() -> uint256:\n    return x\n")
    with pytest.raises(SharingError, match="Broken.vy does not compile"):
        comp.load_artifact("Broken")
