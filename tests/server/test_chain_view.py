"""Chain answers pinned to one block per request: memoised within it, never across blocks."""

from __future__ import annotations

from server_helpers import Served


def test_pinned_view__one_block_per_request_then_live_again(served: Served):
    ctx = served.ctx
    view = ctx.chain_view
    assert view is not None
    core = served.members["core"]
    calls = []
    original = view.system.has_access

    def counting(account: str) -> bool:
        calls.append(account)
        return original(account)

    view.system.has_access = counting  # type: ignore[method-assign]
    with ctx.locked():
        snapshot = ctx.chain.snapshot()
        ctx.chain.mine()  # a block no request has read yet
        try:
            with ctx.reading():
                assert ctx.has_access(core) and ctx.has_access(core)
                assert len(calls) == 1  # asked once in this block
                epochs = int(ctx.system.call("access_epochs"))
                ctx.chain.advance_time(epochs * int(ctx.system.call("EPOCH_LENGTH")) + 1)
                ctx.chain.mine()
                assert ctx.has_access(core)  # still the answer of the block the request began in
            with ctx.reading():
                assert not ctx.has_access(core)  # a new block: asked again
            assert len(calls) == 2
            assert not view.has_access(core) and len(calls) == 3  # outside a pin: always live
        finally:
            ctx.chain.revert(snapshot)
            view.system.has_access = original  # type: ignore[method-assign]
    with ctx.reading():
        assert ctx.has_access(core)  # the reverted branch's block: its own memo
