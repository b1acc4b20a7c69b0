"""Members' sightings of pooled indicators: STIX 2.1 ``sighting`` objects, stored and counted.

A member that meets an alliance indicator in its own traffic reports a
``sighting`` whose ``sighting_of_ref`` is the indicator's id; one that
finds it wrong reports a false positive, a sighting with
``"x_opencti_negative": true`` (the property OpenCTI writes for a false
positive; STIX 2.1 has none, and a consumer may ignore a custom
property).  Who may report which indicator (a member with pool access who
can read it, never about its own) is the server's rule
(:mod:`sharing.server.taxii_write`); this module stores what was accepted
and counts it per indicator.

A false positive has no on-chain effect: the alliance contract is at
24,109 of the 24,576 bytes a contract may have, and a reputation penalty
driven by reports would need its own vote to resist a competitor's
reports (docs/taxii.md, "Sightings").  The counts are served to the
members, who weigh them.

The table lives in its own SQLite database (``:memory:`` by default, or
the pool's file: the table names do not collide).
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from sharing.errors import InputError

__all__ = ["FALSE_POSITIVE_PROPERTY", "Sighting", "SightingCounts", "SightingStore"]

#: The custom property that marks a sighting as a false positive (OpenCTI's name).
FALSE_POSITIVE_PROPERTY: Final = "x_opencti_negative"

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS sightings (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    id             TEXT NOT NULL UNIQUE,
    indicator_id   TEXT NOT NULL,
    content_hash   BLOB NOT NULL CHECK (length(content_hash) = 32),
    reporter       TEXT NOT NULL,
    false_positive INTEGER NOT NULL,
    object_json    TEXT NOT NULL,
    added_at       INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS sightings_by_indicator ON sightings (indicator_id);
"""


@dataclass(frozen=True)
class Sighting:
    """One accepted sighting."""

    seq: int
    id: str
    indicator_id: str
    content_hash: bytes
    reporter: str
    false_positive: bool
    object: dict[str, Any]
    added_at: int


@dataclass(frozen=True)
class SightingCounts:
    """How often an indicator was seen, and reported wrong."""

    sightings: int
    false_positives: int

    def as_json(self) -> dict[str, int]:
        """Plain data for a response."""
        return {"sightings": self.sightings, "false_positives": self.false_positives}


def is_false_positive(sighting: Mapping[str, Any]) -> bool:
    """Whether a sighting object reports a false positive."""
    return sighting.get(FALSE_POSITIVE_PROPERTY) is True


class SightingStore:
    """Accepted sightings, in the order they were added.

    Parameters
    ----------
    path : str or os.PathLike, default ":memory:"
        SQLite database (the pool's own file may be shared).
    clock : callable
        Unix time (inject one in tests).
    """

    def __init__(
        self, path: str | os.PathLike[str] = ":memory:", clock: Callable[[], float] = time.time
    ) -> None:
        self._db = sqlite3.connect(os.fspath(path), check_same_thread=False)
        self._clock = clock
        with self._db:
            self._db.executescript(_SCHEMA)

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def add(
        self, sighting: Mapping[str, Any], *, content_hash: bytes, reporter: str
    ) -> Sighting:
        """Store one sighting the server accepted (ids are unique: a repeat is refused).

        Raises
        ------
        InputError
            If the object is not a sighting of an indicator, or its id was
            already reported.
        """
        if sighting.get("type") != "sighting":
            raise InputError(f"expected a sighting object, got {sighting.get('type')!r}")
        ref = str(sighting.get("sighting_of_ref", ""))
        if not ref.startswith("indicator--"):
            raise InputError(f"sighting_of_ref must name an indicator, got {ref!r}")
        added = int(self._clock())
        text = json.dumps(dict(sighting), sort_keys=True, separators=(",", ":"))
        try:
            with self._db:
                cursor = self._db.execute(
                    "INSERT INTO sightings (id, indicator_id, content_hash, reporter, "
                    "false_positive, object_json, added_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        str(sighting["id"]),
                        ref,
                        content_hash,
                        reporter,
                        int(is_false_positive(sighting)),
                        text,
                        added,
                    ),
                )
        except sqlite3.IntegrityError:
            raise InputError(f"sighting {sighting['id']} was already reported") from None
        return Sighting(
            seq=int(cursor.lastrowid or 0),
            id=str(sighting["id"]),
            indicator_id=ref,
            content_hash=content_hash,
            reporter=reporter,
            false_positive=is_false_positive(sighting),
            object=dict(sighting),
            added_at=added,
        )

    def all(self) -> list[Sighting]:
        """Every sighting, in the order added."""
        rows = self._db.execute(
            "SELECT seq, id, indicator_id, content_hash, reporter, false_positive, object_json, "
            "added_at FROM sightings ORDER BY seq"
        )
        return [
            Sighting(
                seq=int(r[0]),
                id=str(r[1]),
                indicator_id=str(r[2]),
                content_hash=bytes(r[3]),
                reporter=str(r[4]),
                false_positive=bool(r[5]),
                object=json.loads(r[6]),
                added_at=int(r[7]),
            )
            for r in rows
        ]

    def counts(self, indicator_id: str) -> SightingCounts:
        """Sightings and false positives reported for one indicator."""
        total, negative = self._db.execute(
            "SELECT count(*), coalesce(sum(false_positive), 0) FROM sightings "
            "WHERE indicator_id = ?",
            (indicator_id,),
        ).fetchone()
        return SightingCounts(sightings=int(total) - int(negative), false_positives=int(negative))

    def reported(self, indicator_id: str, reporter: str) -> int:
        """How many sightings ``reporter`` made of one indicator."""
        row = self._db.execute(
            "SELECT count(*) FROM sightings WHERE indicator_id = ? AND reporter = ?",
            (indicator_id, reporter),
        ).fetchone()
        return int(row[0])
