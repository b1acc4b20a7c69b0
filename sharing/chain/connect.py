"""Connect to a chain: the embedded eth-tester/py-evm chain or any JSON-RPC node.

One :class:`Chain` object hides the differences the rest of the package must
not care about: where accounts and their keys come from, how to take and
revert snapshots, and how to move the clock (eth-tester's ``time_travel``
against anvil's ``evm_increaseTime``).

A chain also carries the signers of the accounts whose keys this process
holds (``add_signer``) and the policy their transactions are priced and
waited for with (``tx_policy``); :mod:`sharing.chain.transactions` signs a
transaction locally when its sender has a signer here, and otherwise lets
the node sign it from an unlocked account, as on a development chain.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from eth_account import Account
from eth_typing import ChecksumAddress
from web3 import Web3
from web3.exceptions import Web3RPCError
from web3.providers.eth_tester import EthereumTesterProvider

from sharing.chain.signer import Signer
from sharing.chain.transactions import TxPolicy, TxState
from sharing.errors import ChainError

#: anvil's (and hardhat's) default development mnemonic.
ANVIL_MNEMONIC = "test test test test test test test test test test test junk"
#: Environment variable naming the default JSON-RPC endpoint.
RPC_URL_ENV = "SHARING_RPC_URL"

Account.enable_unaudited_hdwallet_features()


@dataclass
class Chain:
    """A web3 connection plus the accounts we control and the clock we can move.

    Attributes
    ----------
    w3 : Web3
        The connection.
    kind : str
        ``"eth_tester"`` for the embedded chain, ``"rpc"`` for a JSON-RPC node.
    accounts : list of ChecksumAddress
        Unlocked, funded accounts, in a stable order.
    url : str or None
        The endpoint of an RPC chain.
    signers : dict of str to Signer
        Keys held in this process, by address: their transactions are signed
        locally and sent raw (see :meth:`add_signer`).
    tx_policy : TxPolicy
        Fee cap, tip, confirmations and timeout of every transaction.
    """

    w3: Web3
    kind: str
    accounts: list[ChecksumAddress]
    url: str | None = None
    _keys: dict[str, bytes] = field(default_factory=dict, repr=False)
    signers: dict[str, Signer] = field(default_factory=dict, repr=False)
    tx_policy: TxPolicy = field(default_factory=TxPolicy)
    _tx: TxState = field(default_factory=TxState, repr=False)

    @property
    def chain_id(self) -> int:
        """The chain id reported by the node."""
        return int(self.w3.eth.chain_id)

    def key_of(self, account: str) -> bytes:
        """Private key of one of our accounts (to sign pool requests, EIP-712)."""
        try:
            return self._keys[Web3.to_checksum_address(account)]
        except KeyError:
            raise ChainError(f"no private key known for account {account}") from None

    def add_signer(self, signer: Signer) -> ChecksumAddress:
        """Sign ``signer.address``'s transactions locally from now on; return the address.

        The node need not know the account: ``sender=signer.address`` in any
        ``Handle.transact`` or ``deploy`` is then built, signed and sent raw.
        """
        self.signers[signer.address] = signer
        self._tx.nonces.forget(signer.address)
        return signer.address

    def add_key(self, private_key: bytes, source: str = "a derived development key") -> str:
        """Hold ``private_key`` here: its account signs locally (transactions and pool requests).

        For accounts a development chain did not unlock (a simulation larger
        than the node's account list); returns the account's address.
        """
        signer = Signer.from_key(private_key, source)
        self._keys[str(signer.address)] = bytes(private_key)
        return str(self.add_signer(signer))

    def signer_of(self, account: str) -> Signer | None:
        """The signer held for ``account``, or None (the node signs, if it can)."""
        if not self.signers:
            return None
        try:
            return self.signers.get(Web3.to_checksum_address(account))
        except ValueError:
            return None

    def snapshot(self) -> Any:
        """Take a snapshot of the chain state; pass the result to :meth:`revert`."""
        if self.kind == "eth_tester":
            return self.w3.provider.ethereum_tester.take_snapshot()  # type: ignore[attr-defined]
        return self.w3.provider.make_request("evm_snapshot", [])["result"]  # type: ignore[arg-type]

    def revert(self, snapshot_id: Any) -> None:
        """Return the chain to a snapshot taken with :meth:`snapshot`.

        Local nonce counts are forgotten: the accounts' nonces went back too.
        """
        self._tx.reset()
        if self.kind == "eth_tester":
            self.w3.provider.ethereum_tester.revert_to_snapshot(snapshot_id)  # type: ignore[attr-defined]
            return
        ok = self.w3.provider.make_request("evm_revert", [snapshot_id])  # type: ignore[arg-type]
        if not ok.get("result"):
            raise ChainError(f"the node refused to revert to snapshot {snapshot_id}")

    def timestamp(self) -> int:
        """Timestamp of the latest block."""
        return int(self.w3.eth.get_block("latest")["timestamp"])

    def advance_time(self, seconds: int) -> None:
        """Move the clock forward by ``seconds`` and mine a block at the new time."""
        if seconds <= 0:
            return
        if self.kind == "eth_tester":
            tester = self.w3.provider.ethereum_tester  # type: ignore[attr-defined]
            tester.time_travel(self.timestamp() + seconds)
            tester.mine_blocks(1)
            return
        self.w3.provider.make_request("evm_increaseTime", [seconds])  # type: ignore[arg-type]
        self.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]

    def mine(self, blocks: int = 1) -> None:
        """Mine empty blocks (commit and reveal must be in different blocks)."""
        if self.kind == "eth_tester":
            self.w3.provider.ethereum_tester.mine_blocks(blocks)  # type: ignore[attr-defined]
            return
        for _ in range(blocks):
            self.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]


def embedded_chain(num_accounts: int = 20) -> Chain:
    """Start an in-process eth-tester chain (py-evm backend) with funded accounts."""
    from eth_tester import EthereumTester, PyEVMBackend

    if num_accounts < 1:
        raise ChainError("the embedded chain needs at least one account")
    state = PyEVMBackend.generate_genesis_state(num_accounts=num_accounts)
    backend = PyEVMBackend(genesis_state=state)
    tester = EthereumTester(backend=backend)
    w3 = Web3(EthereumTesterProvider(tester))
    keys: dict[str, bytes] = {
        str(Web3.to_checksum_address(k.public_key.to_checksum_address())): k.to_bytes()
        for k in backend.account_keys
    }
    accounts = [Web3.to_checksum_address(a) for a in w3.eth.accounts]
    return Chain(w3=w3, kind="eth_tester", accounts=accounts, _keys=keys)


def rpc_chain(
    url: str,
    mnemonic: str = ANVIL_MNEMONIC,
    timeout: float = 30.0,
    signers: Sequence[Signer] = (),
    policy: TxPolicy | None = None,
    read_only: bool = False,
) -> Chain:
    """Connect to a JSON-RPC node whose unlocked accounts derive from ``mnemonic``.

    With ``signers`` the node may have no unlocked account at all (a public
    endpoint, a testnet, a rollup): every transaction of a signer is signed
    here. Without them, a node with no unlocked account is refused, since
    nothing could be sent - unless ``read_only`` (a command that only reads).
    """
    w3 = Web3(Web3.HTTPProvider(url, request_kwargs={"timeout": timeout}))
    try:
        accounts = [Web3.to_checksum_address(a) for a in w3.eth.accounts]
    except Web3RPCError as exc:
        if not signers and not read_only:
            raise ChainError(
                f"cannot reach a JSON-RPC node at {url}: {exc.__class__.__name__}"
            ) from None
        accounts = []  # public endpoints may refuse eth_accounts; our keys are here
    except Exception as exc:  # noqa: BLE001 - any transport failure means the same to a user
        raise ChainError(
            f"cannot reach a JSON-RPC node at {url}: {exc.__class__.__name__}"
        ) from None
    if not accounts and not signers and not read_only:
        raise ChainError(f"the node at {url} has no unlocked accounts")
    keys: dict[str, bytes] = {}
    for i in range(len(accounts)):
        acct = Account.from_mnemonic(mnemonic, account_path=f"m/44'/60'/0'/0/{i}")
        keys[Web3.to_checksum_address(acct.address)] = bytes(acct.key)
    chain = Chain(w3=w3, kind="rpc", accounts=accounts, url=url, _keys=keys)
    if policy is not None:
        chain.tx_policy = policy
    for signer in signers:
        chain.add_signer(signer)
    return chain


def connect(
    rpc_url: str | None = None,
    num_accounts: int = 20,
    signers: Sequence[Signer] = (),
    policy: TxPolicy | None = None,
) -> Chain:
    """Connect to ``rpc_url`` (or ``$SHARING_RPC_URL``), else start the embedded chain.

    ``signers`` and ``policy`` are attached to the chain either way (see
    :meth:`Chain.add_signer`).
    """
    url = rpc_url or os.environ.get(RPC_URL_ENV)
    if url:
        return rpc_chain(url, signers=signers, policy=policy)
    chain = embedded_chain(num_accounts=num_accounts)
    if policy is not None:
        chain.tx_policy = policy
    for signer in signers:
        chain.add_signer(signer)
    return chain
