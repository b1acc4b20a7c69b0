"""The dashboard in headless Chromium: the numbers are the chain's, access is enforced, it lives.

Each test reads a page the way a person's browser does and compares what is
rendered with ``AisSystem``'s views (the figures ``sharing member status``
prints) and the pool's read rule. Screenshots land in build/screenshots/.
"""

from __future__ import annotations

import json
from typing import Any

from eth_account import Account
from eth_account.messages import encode_defunct

from sharing.chain.ais import Status, new_salt
from sharing.demo import REVEAL_WINDOW
from sharing.errors import AccessDenied
from sharing.standards.synthetic import generate_indicator
from sharing.standards.tlp import Tlp

PHONE = {"width": 390, "height": 844}


def value(page: Any, selector: str) -> int:
    """The exact number a ``<data>`` element carries."""
    return int(page.locator(selector).get_attribute("value"))


def test_alliance__renders_the_numbers_the_chain_reports(served: Any, open_page: Any,
                                                         shoot: Any) -> None:
    page = open_page()
    page.goto(served.url("/"))
    system = served.ctx.system
    with served.ctx.lock:
        expected = {
            "#pool-balance": system.balance(),
            "#unallocated": int(system.call("unallocated")),
            "#total-claimable": int(system.call("total_claimable")),
            "#total-owed": int(system.call("total_owed")),
            "#debts-queued": int(system.call("debt_tail")) - int(system.call("debt_head")),
        }
        statuses = [system.indicator(h).status for h in system.revealed_hashes()]
        status = {a: system.member_status(a) for a in served.members.values()}
        prices = [system.price_index(c) for c in range(14)]
        paused = bool(system.call("paused"))
        panel = int(system.call("panel_size"))
    for selector, wei in expected.items():
        assert value(page, selector) == wei, selector
    assert page.locator("#paused").inner_text() == ("yes" if paused else "no")
    assert value(page, "#count-verified") == statuses.count(Status.VERIFIED) == 4
    assert value(page, "#count-rejected") == statuses.count(Status.REJECTED) == 1
    assert value(page, "#count-voting") + value(page, "#count-reveal-window") \
        + value(page, "#count-decidable-now") == statuses.count(Status.PENDING)
    for code, tier in enumerate(("critical", "core", "small")):
        assert value(page, f"#tier-{tier}") == sum(1 for s in status.values() if s["tier"] == code)
    assert page.locator("#members tbody tr").count() == len(status)
    for address, s in status.items():
        row = page.locator(f'#members tbody tr:has(code[title="{address}"])')
        numbers = row.locator("data")
        assert int(numbers.nth(0).get_attribute("value")) == s["reputation"]
        assert int(numbers.nth(1).get_attribute("value")) == s["claimable_wei"]
        assert int(numbers.nth(2).get_attribute("value")) == s["owed_wei"]
        assert row.locator(".badge").inner_text() == ("yes" if s["pool_access"] else "no")
    assert page.locator("#panel tbody tr").count() == panel
    rows = page.locator("#price-table tbody tr")
    assert [int(rows.nth(c).locator("data").first.get_attribute("value"))
            for c in range(14)] == prices
    assert page.locator("svg.chart").count() >= 1
    shoot(page, "alliance-laptop")


def test_account__siwe_with_javascript_off__shows_member_status(served: Any, open_page: Any,
                                                                shoot: Any) -> None:
    firm = served.members["critical"]
    page = open_page(javascript=False)
    page.goto(served.url("/account"))
    assert page.url == served.url("/signin")
    page.fill("#address", firm)
    page.click("text=Get the message to sign")
    message = page.locator('input[name="message"]').get_attribute("value")
    assert page.locator("#siwe-message").inner_text() == message
    key = served.ctx.chain.key_of(firm)
    signature = Account.from_key(key).sign_message(encode_defunct(text=message)).signature
    page.fill("#signature", "0x" + bytes(signature).hex())
    shoot(page, "signin-message")
    page.click("#siwe-form button")
    assert page.url == served.url("/account")
    cookie = next(c for c in page.context.cookies() if c["name"] == "sharing_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert page.evaluate("document.cookie") is None or "sharing_session" not in str(
        page.evaluate("document.cookie"))
    with served.ctx.lock:
        status = served.ctx.system.member_status(firm)
        mine = [h for h in served.ctx.system.revealed_hashes()
                if served.ctx.system.indicator(h).submitter == firm]
    assert page.locator("#account-address").inner_text() == firm
    assert value(page, "#reputation") == status["reputation"]
    assert value(page, "#claimable") == status["claimable_wei"]
    assert value(page, "#owed") == status["owed_wei"]
    assert value(page, "#access-until-epoch") == status["access_until_epoch"]
    assert page.locator("#mine tbody tr").count() == len(mine) == 2
    shoot(page, "account-laptop")


def test_indicator__restricted_content__only_for_readers_the_pool_allows(
    served: Any, open_page: Any, shoot: Any
) -> None:
    strict = served.members.indicators["D"]  # AMBER+STRICT by critical, recipient: core
    objects = json.loads(strict.bundle_json)["objects"]
    indicator = next(o for o in objects if o["type"] == "indicator")
    pattern, stix_id = indicator["pattern"], indicator["id"]
    path = f"/indicators/0x{strict.content_hash.hex()}"
    members = served.members
    readers = {"core": True, "critical": True, "small": False, "newcomer": False, None: False}
    for name, sees in readers.items():
        address = members[name] if name else None
        with served.ctx.lock:
            try:
                served.ctx.pool.get_for(address, strict.content_hash)
                allowed = True
            except AccessDenied:
                allowed = False
        assert allowed == sees, name  # the pool's own rule, checked directly
        page = open_page(token=served.tokens[address] if address else None)
        page.goto(served.url(path))
        text = page.locator("main").inner_text()
        assert (pattern in text) == sees, name
        assert (stix_id in page.content()) == sees, name  # not even hidden in the page
        assert (page.locator("#stix").count() == 1) == sees, name
        assert (page.locator("#no-content").count() == 1) != sees, name
        assert "verified" in page.locator("#chain-facts").inner_text()
        if name in ("small", "core"):
            shoot(page, f"indicator-strict-as-{name}")


def test_indicators__a_new_verified_indicator_appears_without_restart(
    served: Any, changed_chain: Any, open_page: Any, shoot: Any
) -> None:
    ctx = changed_chain
    page = open_page()
    page.goto(served.url("/indicators"))
    verified_before = page.locator("#verified-table tbody tr").count()
    ind = generate_indicator(4242, tlp=Tlp.GREEN)
    href = f"/indicators/0x{ind.content_hash.hex()}"
    assert page.locator(f'a[href="{href}"]').count() == 0
    firm = served.members["small"]
    with ctx.lock:
        system = ctx.system
        terms = (ind.category, ind.indicator_class, ind.semantic_key)
        salt = new_salt()
        system.commit(firm, ind.content_hash, salt, *terms)
        ctx.chain.mine()
        system.reveal(firm, ind.content_hash, salt, *terms)
        ctx.chain.advance_time(REVEAL_WINDOW)
        for seat in range(3):
            panellist = str(system.call("seat_holder", seat))
            system.vote(panellist, ind.content_hash, True, ind.score_x10, ind.scope)
        system.finalise(ind.content_hash)
        reward = system.indicator(ind.content_hash).reward
    # The page's script notices the new blocks and offers a reload.
    page.locator("#live").get_by_text("New block").wait_for(timeout=10_000)
    page.reload()
    assert page.locator("#verified-table tbody tr").count() == verified_before + 1
    row = page.locator(f'#verified-table tbody tr:has(a[href="{href}"])')
    assert int(row.locator("data[title$='wei']").get_attribute("value")) == reward > 0
    page.click(f'#verified-table a[href="{href}"]')
    steps = page.locator("#steps tbody tr")
    labels = [steps.nth(i).locator("th").inner_text() for i in range(steps.count())]
    assert labels == ["committed", "revealed", "vote", "vote", "vote", "finalised",
                      "reward credited"]
    assert page.locator("#votes tbody tr").count() == 3
    shoot(page, "indicator-new-verified")


def test_pages__phone_width__no_horizontal_scroll(served: Any, open_page: Any,
                                                  shoot: Any) -> None:
    firm = served.members["core"]
    strict = served.members.indicators["D"]
    page = open_page(viewport=PHONE, token=served.tokens[firm])
    for name, path in (
        ("alliance", "/"), ("indicators", "/indicators"),
        ("indicator", f"/indicators/0x{strict.content_hash.hex()}"),
        ("account", "/account"), ("incentives", "/incentives"), ("signin", "/signin"),
    ):
        page.goto(served.url(path))
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at 390px"
        shoot(page, f"{name}-phone")


def test_keyboard__tab_reaches_the_sign_in_form(served: Any, open_page: Any) -> None:
    page = open_page()
    page.goto(served.url("/"))
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Sign in":
            break
    else:
        raise AssertionError("Tab never reached the Sign in link")
    page.keyboard.press("Enter")
    page.wait_for_url(served.url("/signin"))
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "address":
            break
    else:
        raise AssertionError("Tab never reached the address field")
    page.keyboard.type(served.members["small"])
    page.keyboard.press("Enter")
    page.locator("#siwe-message").wait_for()
    assert served.members["small"] in page.locator("#siwe-message").inner_text()


def test_pages__accessible_basics(served: Any, open_page: Any) -> None:
    """Landmarks, one h1, alt text, labelled fields, header cells with a scope on every page."""
    page = open_page(token=served.tokens[served.members["core"]])
    for path in ("/", "/indicators", "/account", "/incentives", "/signin?address="
                 + served.members["core"]):
        page.goto(served.url(path))
        assert page.locator("html[lang=en]").count() == 1
        assert page.locator("main").count() == 1 and page.locator("nav").count() >= 1
        assert page.locator("h1").count() == 1, path
        assert page.locator("img:not([alt])").count() == 0, path
        for field in page.locator("input:not([type=hidden]), textarea, select").all():
            ident = field.get_attribute("id")
            assert ident and page.locator(f'label[for="{ident}"]').count() == 1, path
        assert page.locator("thead th:not([scope=col])").count() == 0, path
        assert page.locator("svg[role=img]:not([aria-label]):not([aria-labelledby])").count() == 0


def test_incentives__the_simulation_verdicts_and_figures(served: Any, open_page: Any,
                                                         shoot: Any) -> None:
    page = open_page()
    page.goto(served.url("/incentives"))
    rows = page.locator("#verdicts tbody tr")
    regimes = [rows.nth(i).locator("th").inner_text() for i in range(rows.count())]
    assert regimes == ["open", "tiered"]
    assert "Cooperation is the unique equilibrium" in page.locator("#headline").inner_text()
    images = page.locator("#dynamics .figures img")
    assert images.count() == 3
    for i in range(3):
        assert images.nth(i).evaluate("img => img.complete && img.naturalWidth > 400")
        assert images.nth(i).get_attribute("alt")
    models = page.locator("#models img")
    assert models.count() == 3
    assert page.locator("#models h3").all_inner_texts() == ["The sharing game (Simmons)"]
    for i in range(3):
        assert models.nth(i).evaluate("img => img.complete && img.naturalWidth > 400")
    assert page.locator('a[href="/models-report/index.html"]').count() == 1
    page.click("text=The whole simulation report")
    assert page.url == served.url("/report/index.html")
    assert page.locator("h1").inner_text() == "Does cooperation come out of the chain?"
    page.go_back()
    shoot(page, "incentives-laptop")


def test_signin__browser_wallet__one_click(served: Any, open_page: Any) -> None:
    """With an EIP-1193 wallet in the page, signin.js gets the message, has it signed, posts it."""
    firm = served.members["small"]
    key = served.ctx.chain.key_of(firm)
    signed: list[str] = []

    def personal_sign(data_hex: str, address: str) -> str:
        assert address == firm
        message = bytes.fromhex(data_hex[2:]).decode()
        signed.append(message)
        return "0x" + bytes(Account.from_key(key).sign_message(
            encode_defunct(text=message)).signature).hex()

    page = open_page()
    page.expose_function("walletSign", personal_sign)
    page.add_init_script(
        "window.ethereum = {request: ({method, params}) => method === 'eth_requestAccounts'"
        f" ? Promise.resolve(['{firm}']) : window.walletSign(params[0], params[1])}};"
    )
    page.goto(served.url("/signin"))
    page.click("#wallet-button")
    page.wait_for_url(served.url("/account"))
    assert page.locator("#account-address").inner_text() == firm
    assert len(signed) == 1 and signed[0].startswith(f"{served.ctx.auth.domain} wants you")


def test_signin__without_a_wallet__the_wallet_button_stays_hidden(served: Any,
                                                                  open_page: Any) -> None:
    page = open_page()
    page.goto(served.url("/signin"))
    assert page.locator("#wallet").is_hidden()
    assert page.locator("#address").is_visible()


#: WCAG 2.x contrast of an element's text against the first opaque background behind it.
CONTRAST_JS = """
els => els.map(el => {
  const rgb = s => s.match(/[\\d.]+/g).map(Number);
  const lum = c => {
    const [r, g, b] = c.slice(0, 3).map(v => v / 255)
      .map(v => v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  let bg = null;
  for (let n = el; n && !bg; n = n.parentElement) {
    const c = rgb(getComputedStyle(n).backgroundColor);
    if (c.length === 3 || c[3] > 0.99) bg = c;
  }
  bg = bg || [255, 255, 255];
  const fg = rgb(getComputedStyle(el).color);
  const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
  return [el.tagName + '.' + el.className, (hi + 0.05) / (lo + 0.05)];
})
"""


def test_pages__text_contrast_at_least_wcag_aa(served: Any, open_page: Any) -> None:
    page = open_page(token=served.tokens[served.members["core"]])
    for path in ("/", "/indicators", "/account", "/incentives"):
        page.goto(served.url(path))
        selector = "p, dt, dd, th, td, caption, a, .badge, .muted, code, figcaption, h1, h2"
        ratios = page.locator(selector).evaluate_all(CONTRAST_JS)
        assert len(ratios) > 20
        low = [(what, round(r, 2)) for what, r in ratios if r < 4.5]
        assert not low, f"{path}: text below 4.5:1 - {low[:5]}"
