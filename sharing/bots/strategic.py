"""Strategic member bots: the moves a firm can make against the mechanism, beyond share or withhold.

A real member does more than share or free-ride. Each move below is one way
to try to be paid more, or to pay less, than honest sharing gives; the
deviation audit (:mod:`sharing.simulation.deviations`) plays each on its own
chain snapshot and measures what it earned against honest sharing.

The content side of the moves (re-issuing the same observable in new
bytes) lives here too: it is what a member's CTI tooling would do, and the
semantic key (:mod:`sharing.standards.semantic_key`) is what must stop it.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sharing.standards.semantic_key import semantic_key
from sharing.standards.stix import content_hash
from sharing.standards.synthetic import SyntheticIndicator

#: Every move the audit measures, with what the firm does (honest sharing is the baseline).
MOVES: dict[str, str] = {
    "withhold": "shares nothing (free-rides on the others' indicators)",
    "junk": "submits junk instead of its indicator (no content at risk), hoping it passes",
    "reworded-duplicate": "shares, then submits the same observable again in new bytes "
    "(new STIX id and timestamp) to be paid twice",
    "revoke-reissue": "shares, then re-issues it as revoked:true (new bytes, same observable) "
    "to be paid again",
    "copy-peer": "withholds, and submits a peer's just-revealed indicator in new bytes as its own",
    "misdeclared-category": "shares its real indicator but commits to the best-priced ATT&CK "
    "tactic instead of its own",
    "panel-timing": "reveals junk just before governance grows the panel, with the new seats "
    "bribed to vote it valid at 10.0 cross-sector",
    "bribe-minority": "submits junk with a minority of the panel bribed to vote it valid at "
    "10.0 cross-sector",
    "bribe-inflate": "shares, and bribes one seat to vote 10.0 cross-sector to lift the median",
}


@dataclass(frozen=True)
class Reissue:
    """The same indicator in new bytes: what a re-worded duplicate puts on chain."""

    bundle_json: str
    content_hash: bytes
    semantic_key: bytes


def reissue(ind: SyntheticIndicator, *, seed: int, revoked: bool = False) -> Reissue:
    """Re-issue ``ind`` with a new indicator id and ``modified`` time (and ``revoked``).

    The observable (the pattern) is untouched, so the semantic key is the
    same while the content hash is new: the duplicate rule must hold on the key.

    Parameters
    ----------
    ind : SyntheticIndicator
        The original.
    seed : int
        Makes the new id reproducible.
    revoked : bool
        Mark the re-issue ``revoked: true`` (STIX 2.1 section 3.2).
    """
    bundle = json.loads(ind.bundle_json)
    old = next(o for o in bundle["objects"] if o["type"] == "indicator")
    new_id = f"indicator--{uuid.UUID(int=(seed * 0x9E3779B97F4A7C15) % 2**128, version=4)}"
    text = json.dumps(bundle).replace(old["id"], new_id)
    bundle = json.loads(text)
    fresh = next(o for o in bundle["objects"] if o["type"] == "indicator")
    modified = datetime.strptime(fresh["modified"], "%Y-%m-%dT%H:%M:%S.%fZ")
    fresh["modified"] = (modified + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    if revoked:
        fresh["revoked"] = True
    out = json.dumps(bundle, sort_keys=True)
    return Reissue(out, content_hash(out), semantic_key(out))
