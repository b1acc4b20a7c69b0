"""The dashboard over HTTP without a browser: errors, sign-in, cookies, the live block, the data.

These run against the same uvicorn server as the browser tests (plain
``httpx`` requests), so they also run where Chromium is absent.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
from eth_account import Account
from eth_account.messages import encode_defunct

from sharing.chain.ais import Status
from sharing.demo import REVEAL_WINDOW
from sharing.server.dashboard.snapshot import STAGE_VOTING, read_snapshot


def _get(served: Any, path: str, token: str | None = None) -> httpx.Response:
    cookies = {"sharing_session": token} if token else None
    return httpx.get(served.url(path), cookies=cookies, follow_redirects=False, timeout=30)


def test_indicator_page__unknown_or_malformed_id__404_and_400(served: Any) -> None:
    missing = _get(served, "/indicators/0x" + "ab" * 32)
    assert missing.status_code == 404 and "No such indicator" in missing.text
    malformed = _get(served, "/indicators/0x1234")
    assert malformed.status_code == 400 and "Not an indicator id" in malformed.text


def test_account__signed_out__redirected_to_sign_in(served: Any) -> None:
    response = _get(served, "/account")
    assert response.status_code == 303 and response.headers["location"] == "/signin"
    forged = _get(served, "/account", token="not-a-token")
    assert forged.status_code == 303


def test_signin__siwe_signature__sets_an_httponly_samesite_cookie(served: Any) -> None:
    firm = served.members["core"]
    key = served.ctx.chain.key_of(firm)
    with httpx.Client(base_url=served.base_url, timeout=30) as client:
        page = client.get("/signin", params={"address": firm})
        assert page.status_code == 200
        message = _hidden_message(page.text)
        assert f"\n{firm}\n" in message and served.ctx.auth.domain in message
        signature = Account.from_key(key).sign_message(encode_defunct(text=message)).signature
        done = client.post("/signin", data={"message": message,
                                            "signature": "0x" + bytes(signature).hex()})
        assert done.status_code == 303 and done.headers["location"] == "/account"
        cookie = done.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie and "path=/" in cookie
        account = client.get("/account")
        assert account.status_code == 200 and firm in account.text
        # The nonce was spent: the same signed message does not sign in twice.
        again = client.post("/signin", data={"message": message,
                                             "signature": "0x" + bytes(signature).hex()})
        assert again.status_code == 400 and "unknown nonce" in again.text


def test_signin__wrong_signer_or_token__refused_with_the_reason(served: Any) -> None:
    firm, other = served.members["core"], served.members["small"]
    with httpx.Client(base_url=served.base_url, timeout=30) as client:
        message = _hidden_message(client.get("/signin", params={"address": firm}).text)
        forged = Account.from_key(served.ctx.chain.key_of(other)).sign_message(
            encode_defunct(text=message)).signature
        refused = client.post("/signin", data={"message": message,
                                               "signature": "0x" + bytes(forged).hex()})
        assert refused.status_code == 400 and "bad signature" in refused.text
        assert "sharing_session" not in refused.headers.get("set-cookie", "")
        bad_token = client.post("/signin", data={"token": "abc.def"})
        assert bad_token.status_code == 400 and "malformed" in bad_token.text
        nothing = client.post("/signin", data={})
        assert nothing.status_code == 400
        good = client.post("/signin", data={"token": served.tokens[firm]})
        assert good.status_code == 303 and "httponly" in good.headers["set-cookie"].lower()
        bad_address = client.get("/signin", params={"address": "0x12"})
        assert bad_address.status_code == 400 and "not an Ethereum address" in bad_address.text


def _hidden_message(page: str) -> str:
    import html

    found = re.search(r'<input type="hidden" name="message" value="([^"]*)">', page)
    assert found is not None
    return html.unescape(found.group(1))


def test_pages__security_headers_and_live_block(served: Any) -> None:
    response = _get(served, "/")
    assert response.status_code == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    with served.ctx.lock:
        block = served.ctx.chain.w3.eth.block_number
    assert _get(served, "/live.json").json()["block"] == block


def test_snapshot__price_index_recovers_as_the_contract_computes(served: Any,
                                                                  changed_chain) -> None:
    """Every tactic's index on the page is the contract's, as epochs pass after verified reports."""
    ctx = changed_chain
    with ctx.lock:
        epoch = int(ctx.system.call("EPOCH_LENGTH"))
        for _ in range(3):
            snap = read_snapshot(ctx.system)
            assert [p.now_bps for p in snap.prices] == [
                ctx.system.price_index(c) for c in range(len(snap.prices))
            ]
            moved = [p for p in snap.prices if p.verified_reports]
            assert moved, "the demo verified indicators in some tactics"
            assert all(p.points[-1] == (snap.timestamp, p.now_bps) for p in snap.prices)
            ctx.chain.advance_time(epoch)


def test_account__panellist__awaiting_vote_until_it_votes(served: Any, changed_chain) -> None:
    ctx = changed_chain
    pending = served.members.indicators["E"]
    label = "0x" + pending.content_hash.hex()
    with ctx.lock:
        panellist = str(ctx.system.call("seat_holder", 0))
        ctx.chain.advance_time(REVEAL_WINDOW)
    token = ctx.auth.issue(panellist).token
    page = _get(served, "/account", token)
    awaiting = re.search(r'<table id="awaiting">.*?</table>', page.text, re.S)
    assert awaiting is not None and label in awaiting.group(0)
    with ctx.lock:
        ctx.system.vote(panellist, pending.content_hash, True, pending.score_x10, pending.scope)
        state = ctx.system.indicator(pending.content_hash)
    assert state.status == Status.PENDING
    page = _get(served, "/account", token)
    assert '<table id="awaiting">' not in page.text and "nothing awaits your vote" in page.text
    votes = re.search(r'<table id="my-votes">.*?</table>', page.text, re.S)
    assert votes is not None and label in votes.group(0) and ">valid<" in votes.group(0)
    indicators = _get(served, "/indicators").text
    voting = re.search(r'<table id="stage-voting">.*?</table>', indicators, re.S)
    assert voting is not None and label in voting.group(0) and STAGE_VOTING in voting.group(0)
    assert "1 valid, 0 invalid" in voting.group(0)


def test_indicator_page__front_run__each_commitment_and_the_supersede_in_order(
    served: Any, changed_chain: Any
) -> None:
    """Core commits first, small copies it and reveals first; core's reveal supersedes small's."""
    from sharing.chain.ais import new_salt
    from sharing.standards.synthetic import generate_indicator

    ctx, members = changed_chain, served.members
    ind = generate_indicator(9001)
    other = generate_indicator(9002)
    terms = (ind.category, ind.indicator_class, ind.semantic_key)
    with ctx.lock:
        first, copy = new_salt(), new_salt()
        ctx.system.commit(members["core"], ind.content_hash, first, *terms)
        ctx.system.commit(members["small"], ind.content_hash, copy, *terms)
        ctx.chain.mine()
        ctx.system.reveal(members["small"], ind.content_hash, copy, *terms)
        ctx.system.reveal(members["core"], ind.content_hash, first, *terms)
        ctx.system.commit(members["critical"], other.content_hash, new_salt(),
                          other.category, other.indicator_class, other.semantic_key)
        holder = ctx.system.indicator(ind.content_hash).submitter
    assert holder == members["core"]
    page = _get(served, f"/indicators/0x{ind.content_hash.hex()}").text
    steps = re.search(r'<table id="steps">.*?</table>', page, re.S)
    assert steps is not None
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th>(.*?)</tr>', steps.group(0), re.S)
    assert [label for label, _ in rows] == [
        "committed", "committed", "revealed", "superseded", "revealed"]
    actors = [re.search(r'<code class="addr" title="([^"]+)"', cells).group(1)
              for _, cells in rows]
    assert actors == [members["core"], members["small"], members["small"], members["small"],
                      members["core"]]
    listing = _get(served, "/indicators").text
    committed = re.search(r'<table id="committed">.*?</table>', listing, re.S)
    assert committed is not None and members["critical"] in committed.group(0)
    assert committed.group(0).count("<tr>") == 2  # the header and the one unrevealed commitment


def test_pages__node_unreachable__503_page_not_a_traceback(served: Any, monkeypatch) -> None:
    def unreachable(*_args: Any, **_kwargs: Any) -> Any:
        raise ConnectionRefusedError("connection refused by the node")

    with served.ctx.lock:
        monkeypatch.setattr(served.ctx.chain.w3.eth, "get_block", unreachable)
    try:
        response = _get(served, "/indicators")
        assert response.status_code == 503
        assert "Chain unavailable" in response.text and "connection refused" in response.text
        assert "Traceback" not in response.text
        assert _get(served, "/live.json").status_code == 503
    finally:
        with served.ctx.lock:
            monkeypatch.undo()
    assert _get(served, "/indicators").status_code == 200


def test_alliance__paused__said_in_the_summary_and_the_money_box(served: Any,
                                                                 changed_chain: Any) -> None:
    assert '<span id="paused" class="badge ok">no</span>' in _get(served, "/").text
    with changed_chain.lock:
        receipt = changed_chain.system.tx("pause", sender=changed_chain.system.governance)
    page = _get(served, "/").text
    assert '<span id="paused" class="badge warn">yes</span>' in page
    assert "The alliance is paused" in page
    activity = re.search(r'<table id="activity">.*?</table>', page, re.S)
    assert activity is not None
    newest = re.search(r"<tbody><tr>(.*?)</tr>", activity.group(0), re.S)
    assert newest is not None and ">paused</th>" in newest.group(1)
    assert "0x" + bytes(receipt["transactionHash"]).hex() in newest.group(1)


def test_signin__token_from_the_sharing_token_command(served: Any) -> None:
    """The token form accepts what `sharing token` prints for a member's key."""
    import os
    import subprocess
    import sys

    firm = served.members["core"]
    env = dict(os.environ, SHARING_PRIVATE_KEY="0x" + served.ctx.chain.key_of(firm).hex())
    env.pop("SHARING_KEYSTORE", None)
    env.pop("SHARING_ACCOUNT", None)
    done = subprocess.run(
        [sys.executable, "-m", "sharing", "token", "--server", served.base_url + "/"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr
    token = done.stdout.strip().splitlines()[-1]
    with httpx.Client(base_url=served.base_url, timeout=30) as client:
        signed_in = client.post("/signin", data={"token": token})
        assert signed_in.status_code == 303
        account = client.get("/account")
    assert account.status_code == 200
    assert f'<code class="wrap" id="account-address">{firm}</code>' in account.text


def test_snapshot__incremental_reads_equal_a_fresh_read(served: Any, changed_chain: Any) -> None:
    """New events only, decided indicators lent by the previous snapshot: the same as reading all."""
    from sharing.chain.ais import new_salt
    from sharing.server.dashboard.snapshot import EventLog
    from sharing.standards.synthetic import generate_indicator

    ctx = changed_chain
    firm = served.members["core"]
    with ctx.lock:
        log = EventLog(ctx.system)
        before = read_snapshot(ctx.system, None, None, log)
        pending = served.members.indicators["E"]
        ctx.chain.advance_time(REVEAL_WINDOW)
        for seat in range(3):
            panellist = str(ctx.system.call("seat_holder", seat))
            ctx.system.vote(panellist, pending.content_hash, False, 0, 0)
        ctx.system.finalise(pending.content_hash)
        ind = generate_indicator(777)
        terms = (ind.category, ind.indicator_class, ind.semantic_key)
        salt = new_salt()
        ctx.system.commit(firm, ind.content_hash, salt, *terms)
        ctx.chain.mine()
        ctx.system.reveal(firm, ind.content_hash, salt, *terms)
        ctx.system.claim(served.members["critical"])
        after = read_snapshot(ctx.system, None, None, log, before)
        fresh = read_snapshot(ctx.system)
    assert not log.reread
    assert after == fresh
    assert after.indicator(pending.content_hash).status == Status.REJECTED
    assert after.indicator(ind.content_hash).stage == "reveal window"
    lent = [i for i in after.indicators if any(i is j for j in before.indicators)]
    assert len(lent) == len(before.indicators) - 1  # every decided one (not E) was not re-read


def test_indicators__filtered_by_submitter_and_tactic(served: Any) -> None:
    members, found = served.members, served.members.indicators
    links = re.compile(r'href="/indicators/(0x[0-9a-f]{64})"')

    def listed(query: str) -> set[str]:
        page = _get(served, "/indicators" + query)
        assert page.status_code == 200
        return set(links.findall(page.text))

    everything = listed("")
    assert everything == {"0x" + i.content_hash.hex() for i in found.values()}
    critical = listed(f"?firm={members['critical'].lower()}")
    assert critical == {"0x" + found[k].content_hash.hex() for k in ("A", "D")}
    tactic = found["A"].category
    from sharing.standards.categories import CATEGORIES

    by_tactic = listed(f"?tactic={CATEGORIES[tactic].name}")
    assert by_tactic == {"0x" + i.content_hash.hex() for i in found.values()
                         if i.category == tactic}
    assert listed(f"?firm={members['critical']}&tactic={CATEGORIES[tactic].name}") == \
        critical & by_tactic
    refused = _get(served, "/indicators?tactic=teleportation")
    assert refused.status_code == 200 and 'role="alert"' in refused.text
    assert "teleportation is not an ATT&amp;CK tactic" in refused.text
    assert set(links.findall(refused.text)) == everything


def test_indicator__window_closed__decidable_now_with_the_command(served: Any,
                                                                   changed_chain: Any) -> None:
    pending = served.members.indicators["E"]
    path = f"/indicators/0x{pending.content_hash.hex()}"
    assert 'id="decidable"' not in _get(served, path).text
    with changed_chain.lock:
        state = changed_chain.system.indicator(pending.content_hash)
        changed_chain.chain.advance_time(state.vote_closes - changed_chain.chain.timestamp())
        assert changed_chain.system.call("can_finalise", pending.content_hash)
    page = _get(served, path).text
    assert 'id="decidable"' in page and f"sharing finalise 0x{pending.content_hash.hex()}" in page
    listing = _get(served, "/indicators").text
    decidable = re.search(r'<table id="stage-decidable-now">.*?</table>', listing, re.S)
    assert decidable is not None and path in decidable.group(0)
