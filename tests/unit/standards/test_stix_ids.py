"""docs/stix_ids.md's worked example, recomputed: the recipe a client in another language follows."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import uuid
from pathlib import Path

from eth_utils import keccak

from sharing.standards.jcs import jcs_dumps
from sharing.standards.stix_parse import load_indicator_bundle
from sharing.standards.stix_split import PART_NAMESPACE, split_bundle

DOC = (Path(__file__).resolve().parents[3] / "docs" / "stix_ids.md").read_text(encoding="utf-8")


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", DOC, flags=re.S)


def _example() -> tuple[str, bytes]:
    source = _blocks("json")[0]
    (line,) = [ln for ln in DOC.splitlines() if ln.startswith('{"id":"bundle--')]
    canonical = line.encode("utf-8")  # the canonical form, the one line of its own block
    return source, canonical


def _stated(label: str) -> str:
    match = re.search(rf"{label}.*?`(0x)?([0-9a-f]{{16,}})`", DOC, flags=re.S)
    assert match, label
    return match.group(2)


def test_worked_example__canonical_bytes_and_hashes_as_stated():
    source, canonical = _example()
    described = load_indicator_bundle(source)
    assert described.canonical_json == canonical == jcs_dumps(json.loads(source))
    assert len(canonical) == 913 and "913 bytes" in DOC
    assert canonical[:24].hex() == _stated("first 24 bytes, hex:")
    assert hashlib.sha256(canonical).hexdigest() == _stated("SHA-256 of the 913 bytes")
    assert described.hash_hex == "0x" + _stated(r"\*\*content hash\*\*") == "0x" + keccak(
        canonical).hex()
    assert b"pattern_version" not in canonical and b'"x_example_source":"sensor-7"' in canonical


def test_worked_example__any_whitespace_and_key_order_give_the_same_hash():
    source, canonical = _example()
    data = json.loads(source)
    shuffled = json.dumps({k: data[k] for k in reversed(list(data))}, indent=5, ensure_ascii=True)
    assert load_indicator_bundle(shuffled).canonical_json == canonical


def test_worked_example__node_js_snippet_gives_the_same_bytes(tmp_path):
    # node is already needed for anvil (npm), so a missing one fails rather than skips.
    assert shutil.which("node"), "node is not installed: `make test` needs it (npm installs anvil)"
    source, canonical = _example()
    (tmp_path / "bundle.json").write_text(source, encoding="utf-8")
    snippet = _blocks("js")[0].replace("// bytes.length", "process.stdout.write(bytes); //")
    out = subprocess.run(["node", "-e", snippet], cwd=tmp_path, capture_output=True, timeout=30)
    assert out.returncode == 0, out.stderr
    assert out.stdout == canonical


def test_worked_example__part_id_as_stated():
    source, _ = _example()
    (part,) = split_bundle(source).parts
    expected = uuid.uuid5(PART_NAMESPACE, "bundle--3f0c2a4e-8d5b-4f7a-9c1e-2b6d8a4f0e11 "
                          "indicator--6b4f2d8e-1a3c-4e5f-8a7b-9c0d1e2f3a4b")
    assert part.bundle["id"] == f"bundle--{expected}"
    assert f"`bundle--{expected}`" in DOC and str(PART_NAMESPACE) in DOC
