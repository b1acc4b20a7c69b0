"""The off-chain pool of STIX bundles, gated by the on-chain access rule.

Public names are re-exported here and imported on first use.
"""

from sharing._lazy import lazy

__getattr__, __dir__ = lazy(
    __name__,
    {
        "Action": "sharing.pool.access",
        "BundleRejected": "sharing.pool.admission",
        "ChainView": "sharing.pool.access",
        "admit": "sharing.pool.admission",
        "DenyReason": "sharing.pool.access",
        "PoolAccessDenied": "sharing.pool.access",
        "PoolRequest": "sharing.pool.access",
        "PoolStore": "sharing.pool.store",
        "PutResult": "sharing.pool.store",
        "RejectReason": "sharing.pool.admission",
        "SignedRequest": "sharing.pool.access",
        "StoredBundle": "sharing.pool.store",
        "check_read": "sharing.pool.access",
        "make_request": "sharing.pool.access",
        "normalise_address": "sharing.pool.access",
        "recover_request": "sharing.pool.access",
        "sign_request": "sharing.pool.access",
    },
)
