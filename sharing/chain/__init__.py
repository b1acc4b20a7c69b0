"""Deploy and drive the contracts: connect, compile, deploy, wrappers, ledger.

Public names are re-exported here and imported on first use.
"""

from sharing._lazy import lazy

__getattr__, __dir__ = lazy(
    __name__,
    {
        "AisSystem": "sharing.chain.ais",
        "AnvilNode": "sharing.chain.anvil",
        "Artifact": "sharing.chain.compile",
        "Chain": "sharing.chain.connect",
        "Handle": "sharing.chain.contract",
        "IndicatorHistory": "sharing.chain.ledger",
        "IndicatorState": "sharing.chain.ais",
        "Ledger": "sharing.chain.ledger",
        "Status": "sharing.chain.ais",
        "anvil_binary": "sharing.chain.anvil",
        "at": "sharing.chain.contract",
        "build_dir": "sharing.chain.compile",
        "commitment_of": "sharing.chain.ais",
        "connect": "sharing.chain.connect",
        "contracts_dir": "sharing.chain.compile",
        "default_deployment_path": "sharing.chain.ais",
        "deploy": "sharing.chain.contract",
        "embedded_chain": "sharing.chain.connect",
        "free_port": "sharing.chain.anvil",
        "load_artifact": "sharing.chain.compile",
        "load_deployment": "sharing.chain.ais",
        "new_salt": "sharing.chain.ais",
        "rebuild": "sharing.chain.ledger",
        "rpc_chain": "sharing.chain.connect",
        "running_anvil": "sharing.chain.anvil",
        "source_hash": "sharing.chain.compile",
        "start_anvil": "sharing.chain.anvil",
        "translate_reverts": "sharing.chain.contract",
        "write_deployment": "sharing.chain.ais",
    },
)
