"""docs/pool_requests.md's worked example, recomputed from the page itself."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from eth_account import Account

from sharing.pool.requests import PoolRequest, SignedRequest, recover_request, sign_request

PAGE = Path(__file__).resolve().parents[3] / "docs" / "pool_requests.md"
#: anvil's first development key: published, as the page says.
KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"


def _page() -> tuple[dict[str, Any], dict[str, str]]:
    """The example's typed data and its table of values, keyed by the row's first word."""
    text = PAGE.read_text(encoding="utf-8")
    block = re.search(r"```json\n(.*?)```", text, re.S)
    assert block is not None
    rows = re.findall(r"^\| (.+?) \| `(0x[0-9a-f]+)` \|$", text, re.M)
    values = {label.strip("`").split()[0].split("(")[0]: value for label, value in rows}
    return json.loads(block.group(1)), values


def test_worked_example__every_value_recomputes() -> None:
    typed, values = _page()
    assert set(values) == {"domain", "hashStruct", "digest", "signature"}
    request = PoolRequest.parse(json.dumps(typed))
    assert request.typed_data() == typed
    message = request.signable()
    assert "0x" + message.header.hex() == values["domain"]
    assert "0x" + message.body.hex() == values["hashStruct"]
    assert "0x" + request.digest().hex() == values["digest"]
    assert "0x" + sign_request(KEY, request).signature.hex() == values["signature"]
    # The page's signature verifies as a request of the key's address.
    page_signed = SignedRequest(json.dumps(typed), bytes.fromhex(values["signature"][2:]))
    assert recover_request(page_signed).requester == Account.from_key(KEY).address


def test_worked_example__a_keystore_signer_signs_the_same(tmp_path) -> None:
    """A member's keystore (sharing.chain.signer.Signer) signs requests like a raw key."""
    from signer_fixtures import PASSWORD, write_keystore

    from sharing.chain.signer import Signer

    typed, values = _page()
    request = PoolRequest.parse(json.dumps(typed))
    signer = Signer.from_keystore(write_keystore(tmp_path / "k.json", bytes.fromhex(KEY[2:])),
                                  PASSWORD)
    assert "0x" + sign_request(signer, request).signature.hex() == values["signature"]


def test_wire_form__round_trips_and_refuses_garbage() -> None:
    from sharing.pool.requests import DenyReason, PoolAccessDenied

    typed, values = _page()
    signed = sign_request(KEY, PoolRequest.parse(json.dumps(typed)))
    wire = json.loads(signed.to_json())
    assert wire["typed_data"] == typed and wire["signature"] == values["signature"]
    again = SignedRequest.from_json(json.dumps(wire, indent=4))  # any spelling
    assert recover_request(again) == recover_request(signed)
    for garbage in ("{}", "[]", '{"typed_data": {}, "signature": "0xzz"}', "not json"):
        try:
            recover_request(SignedRequest.from_json(garbage))
        except PoolAccessDenied as exc:
            assert exc.reason is DenyReason.MALFORMED
        else:
            raise AssertionError(f"accepted {garbage!r}")
