"""PESIM on a real JSON-RPC node: the same code, the same wei as on the embedded chain."""

import json

import pytest
from click.testing import CliRunner

from sharing import pesim_fixed as fx
from sharing.chain.anvil import running_anvil
from sharing.chain.connect import embedded_chain, rpc_chain
from sharing.chain.pesim import Design, PesimSystem
from sharing.chain.pesim_deviations import measure_deviations
from sharing.chain.pesim_equilibrium import equilibrium_round
from sharing.cli.pesim_onchain import onchain
from sharing.models.ids_game import parse_instance

GAME = ("total-effort", "0.2,0.3,0.5")


@pytest.mark.anvil
def test_pesim_round__anvil_same_code_same_wei():
    game = parse_instance(*GAME)
    local = embedded_chain(6)
    expected = equilibrium_round(PesimSystem.deploy(local), game, local.accounts[1:4])
    with running_anvil(accounts=6) as node:
        chain = rpc_chain(node.url)
        system = PesimSystem.deploy(chain)
        members = chain.accounts[1:4]
        # the equilibrium round, with the deviation test on evm_snapshot / evm_revert
        report = equilibrium_round(system, game, members)
        assert report.taxes_wei == expected.taxes_wei and sum(report.taxes_wei) == 0
        assert report.x_hat == expected.x_hat
        assert report.max_deviation_gain <= report.deviation_tolerance
        assert [p.deviation_gain for p in report.participants] == pytest.approx(
            [p.deviation_gain for p in expected.participants], abs=1e-12)

        # the deviation audit on evm_snapshot / evm_revert: the same rows as on the embedded
        # chain (silent last, in fresh rounds: closing a window moves the node's clock)
        kinds = ["honest", "price-zero", "below-zero", "silent", "best-response", "walk-away"]
        here = measure_deviations(PesimSystem.deploy(local), game, local.accounts[1:4],
                                  kinds=kinds, collateral_wei=10**18)
        there = measure_deviations(system, game, members, kinds=kinds, collateral_wei=10**18)
        assert [(r.index, r.name, r.refused) for r in there] == [
            (r.index, r.name, r.refused) for r in here]
        assert [r.gain_wei for r in there] == [r.gain_wei for r in here]
        assert not any(r.pays for r in there)
        assert any(r.refused for r in there) and any(r.kind == "silent" for r in there)

        # a calldata round with a silent member, settled by an outsider from the logs alone
        messages = [fx.FixedMessage.from_real([0.3, 0.1, 0.7], [1.5, 0.25, 0.5]),
                    fx.FixedMessage.from_real([0.0, 0.9, 0.2], [2.0, 0.0, 0.125]), None]
        rid = system.open_round(members, 10**18, design=Design.CALLDATA)
        system.register_all(rid)
        for p, m in zip(members, messages, strict=True):
            if m is not None:
                system.submit(rid, p, m)
        assert system.messages_from_logs(rid) == messages
        chain.advance_time(system.round_info(rid).message_deadline - chain.timestamp())
        result = system.settle(rid, sender=chain.accounts[5])
        predicted = fx.settle(messages, fx.DEFAULT_WEI_PER_UNIT, 10**18)
        assert result.taxes == predicted.taxes and result.credits == predicted.credits
        assert result.defaults == [2]

        # pull payments on a real node
        before = chain.w3.eth.get_balance(members[0])
        owed = system.withdrawable(members[0])
        r = system.withdraw(members[0])
        fee = r["gasUsed"] * r["effectiveGasPrice"]
        assert chain.w3.eth.get_balance(members[0]) == before + owed - fee

        # the CLI command against the node
        out = CliRunner().invoke(onchain, ["--risk", GAME[0], "--costs", GAME[1],
                                           "--rpc-url", node.url, "--json"])
        assert out.exit_code == 0, out.output
        data = json.loads(out.output)
        assert {"participants", "x_hat", "taxes_wei", "model_taxes", "sum_taxes_wei",
                "max_deviation_gain"} <= set(data)
        assert data["taxes_wei"] == expected.taxes_wei and data["sum_taxes_wei"] == 0
        assert data["chain"] == "rpc"


@pytest.mark.anvil
def test_run_rounds__batched_rounds_settle_as_each_alone__a_bad_round_sends_nothing():
    from sharing.chain.batch import BatchDriver
    from sharing.errors import InputError

    msgs_a = [fx.FixedMessage.from_real([0.3, 0.1, 0.7], [1.5, 0.25, 0.5]),
              fx.FixedMessage.from_real([0.0, 0.9, 0.2], [2.0, 0.0, 0.125]),
              fx.FixedMessage.from_real([0.2, 0.2, 0.2], [1.0, 1.0, 1.0])]
    msgs_b = [fx.FixedMessage.from_real([0.5, 0.5], [0.5, 0.75]),
              fx.FixedMessage.from_real([0.1, 0.4], [1.25, 0.0])]
    local = embedded_chain(6)
    alone = PesimSystem.deploy(local)
    expected = [alone.run_round(local.accounts[1:4], msgs_a, 10**18),
                alone.run_round(local.accounts[4:6], msgs_b, 2 * 10**18)]
    with running_anvil(accounts=6) as node:
        chain = rpc_chain(node.url)
        system = PesimSystem.deploy(chain)
        driver = BatchDriver(chain)
        rounds = [(chain.accounts[1:4], msgs_a, 10**18), (chain.accounts[4:6], msgs_b, 2 * 10**18)]

        block = chain.w3.eth.block_number
        nonce = chain.w3.eth.get_transaction_count(system.governance)
        with pytest.raises(InputError, match="one message per participant"):
            system.run_rounds(driver, [rounds[0], (chain.accounts[4:6], msgs_a, 10**18)])
        assert chain.w3.eth.block_number == block
        assert chain.w3.eth.get_transaction_count(system.governance) == nonce

        settled = system.run_rounds(driver, rounds)
        assert [s.transfers for s in settled] == [e.transfers for e in expected]
        assert [s.x_hat for s in settled] == [e.x_hat for e in expected]
        assert [s.participants for s in settled] == [list(p) for p, _m, _c in rounds]
