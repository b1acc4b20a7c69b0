"""What one reader sees in one TAXII collection, now: records, filters, pages.

A collection is a view of the pool, never a copy: at every request the
reader's readable bundles are listed with the pool's own rule
(:meth:`sharing.pool.store.PoolStore.readable_by`: TLP 2.0 and the on-chain
access rule, asked of the chain now), each bundle's indicator status is
read from the chain, and the collection keeps the bundles it is about
(``verified``: the panel verified them; ``tlp-green`` and the like: verified
and so marked; ``pending``: revealed, the panel still voting).  Each
object of a kept bundle is one TAXII record; an object several bundles
share (a TLP marking definition, the alliance identity) is one record, added
when its first bundle was.  Sightings of a kept indicator follow it, each
read under its own TLP marking with its reporter in the submitter's place.

``date_added`` is when the pool stored the bundle (or accepted the
sighting), in whole seconds.  A record is served only once its second is
over, so a client that polls with ``added_after`` set to the last
``X-TAXII-Date-Added-Last`` it saw never misses a record added later in
that same second.

Pages (``limit``, ``next``, ``more``): records are in a fixed order
(``date_added``, then the pool's order); ``next`` is an opaque cursor after
the last record served, so a page never repeats or skips a record that
was there when the first page was read, even if more are added between
pages.
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from sharing.chain.ais import Status
from sharing.pool.access import PoolAccessDenied, check_read
from sharing.server.context import ServerContext
from sharing.server.taxii_http import STIX_MEDIA_TYPE, TaxiiError
from sharing.standards.tlp import Tlp, tlp_of_object

__all__ = [
    "COLLECTIONS",
    "MAX_PAGE",
    "CollectionView",
    "Page",
    "Record",
    "collection_by_id",
    "paginate",
    "records_for",
    "select",
    "taxii_time",
]

#: Largest page the server returns, whatever ``limit`` asks.
MAX_PAGE: Final = 100
_NAMESPACE: Final = uuid.UUID("5c8a1e3e-4a0b-4b8e-9a53-2f3f6a6f1c8d")


@dataclass(frozen=True)
class CollectionView:
    """One TAXII collection: which bundles, by on-chain status and marking."""

    alias: str
    title: str
    description: str
    statuses: frozenset[Status]
    tlp: Tlp | None = None
    can_write: bool = False

    def id_for(self, alliance: str) -> str:
        """The collection's id: a UUIDv5 of the alliance address and the alias."""
        return str(uuid.uuid5(_NAMESPACE, f"{alliance.lower()}/{self.alias}"))

    def keeps(self, status: Status, tlp: Tlp) -> bool:
        """Whether a bundle with this status and marking belongs here."""
        return status in self.statuses and (self.tlp is None or tlp is self.tlp)

    def resource(self, alliance: str) -> dict[str, Any]:
        """The TAXII collection resource."""
        return {
            "id": self.id_for(alliance),
            "title": self.title,
            "description": self.description,
            "alias": self.alias,
            "can_read": True,
            "can_write": self.can_write,
            "media_types": [STIX_MEDIA_TYPE],
        }


_VERIFIED = frozenset({Status.VERIFIED})
COLLECTIONS: Final = (
    CollectionView(
        "verified",
        "Verified indicators",
        "Indicators the alliance's panel verified, with their related objects and "
        "members' sightings; members POST sightings here.",
        _VERIFIED,
        can_write=True,
    ),
    *(
        CollectionView(
            f"tlp-{tlp.value.replace('+', '-')}",
            f"Verified indicators, {tlp.label}",
            f"Verified indicators marked {tlp.label}, with their related objects.",
            _VERIFIED,
            tlp,
        )
        for tlp in (Tlp.CLEAR, Tlp.GREEN, Tlp.AMBER, Tlp.AMBER_STRICT)
    ),
    CollectionView(
        "pending",
        "Indicators under review",
        "Revealed indicators the panel is still voting on: not yet intelligence.",
        frozenset({Status.PENDING}),
    ),
)


def collection_by_id(ctx: ServerContext, ident: str) -> CollectionView:
    """The collection with this id (or alias); 404 otherwise."""
    for view in COLLECTIONS:
        if ident in (view.id_for(ctx.system.address), view.alias):
            return view
    raise TaxiiError(404, "Collection Not Found", f"no collection {ident!r} here", "collection")


def taxii_time(seconds: int) -> str:
    """A TAXII timestamp (RFC 3339, microseconds, UTC)."""
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


_TIMESTAMP = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?Z"
)


def parse_time(value: str, what: str) -> float:
    """Seconds since the epoch of an RFC 3339 UTC timestamp; 400 if malformed."""
    match = _TIMESTAMP.fullmatch(value.strip())
    if match is None:
        raise TaxiiError(
            400, "Bad Filter", f"{what} must be a UTC timestamp like "
            f"2024-01-31T12:00:00.000Z, got {value!r}", "filter",
        )
    y, mo, d, h, mi, s, frac = match.groups()
    try:
        base = datetime(int(y), int(mo), int(d), int(h), int(mi), int(s), tzinfo=UTC)
    except ValueError:
        raise TaxiiError(400, "Bad Filter", f"{what}: no such time {value!r}", "filter") from None
    return base.timestamp() + (float(frac) if frac else 0.0)


@dataclass(frozen=True)
class Record:
    """One STIX object as a TAXII record."""

    object: dict[str, Any]
    date_added: int
    order: tuple[int, int, int, int]
    content_hash: bytes

    @property
    def id(self) -> str:
        """The STIX id."""
        return str(self.object["id"])

    @property
    def type(self) -> str:
        """The STIX type."""
        return str(self.object["type"])

    @property
    def version(self) -> str:
        """``modified``, else ``created``, else when it was added (an immutable object)."""
        obj = self.object
        return str(obj.get("modified") or obj.get("created") or taxii_time(self.date_added))

    @property
    def spec_version(self) -> str:
        """The STIX version (2.1 when the object does not say: an SCO)."""
        return str(self.object.get("spec_version", "2.1"))

    def manifest(self) -> dict[str, Any]:
        """The TAXII manifest record."""
        return {
            "id": self.id,
            "date_added": taxii_time(self.date_added),
            "version": self.version,
            "media_type": STIX_MEDIA_TYPE,
        }


def records_for(
    ctx: ServerContext, reader: str | None, view: CollectionView, now: int
) -> list[Record]:
    """Every record of ``view`` that ``reader`` may read now, in collection order.

    Call with ``ctx.lock`` held.  ``now`` is the server's clock: records of
    the current second are held back (module docstring).
    """
    records: list[Record] = []
    seen: set[tuple[str, str]] = set()
    kept: set[bytes] = set()
    for stored in ctx.pool.readable_by(reader):
        if stored.put_at >= now:
            continue
        status = ctx.status_of(stored.content_hash)
        if not view.keeps(status, stored.tlp):
            continue
        kept.add(stored.content_hash)
        seq = _seq_of(ctx, stored.content_hash)
        for index, obj in enumerate(json.loads(stored.json_text).get("objects", [])):
            record = Record(obj, stored.put_at, (stored.put_at, 0, seq, index), stored.content_hash)
            key = (record.id, record.version)
            if key not in seen:
                seen.add(key)
                records.append(record)
    if ctx.sightings is not None:
        for sighting in ctx.sightings.all():
            if (
                sighting.content_hash in kept
                and sighting.added_at < now
                and _may_read_sighting(ctx, reader, sighting.reporter, sighting.object)
            ):
                records.append(
                    Record(
                        sighting.object,
                        sighting.added_at,
                        (sighting.added_at, 1, sighting.seq, 0),
                        sighting.content_hash,
                    )
                )
    records.sort(key=lambda r: r.order)
    return records


def _may_read_sighting(
    ctx: ServerContext, reader: str | None, reporter: str, obj: dict[str, Any]
) -> bool:
    """The pool's TLP rule applied to a sighting, under its own marking.

    Its reporter stands in the submitter's place; an AMBER+STRICT sighting
    names no recipients, so it is its reporter's alone.
    """
    tlp = tlp_of_object(obj)
    if tlp is None:
        return False
    try:
        check_read(tlp=tlp, requester=reader, submitter=reporter, recipients=(),
                   is_member=ctx.is_member, has_access=ctx.has_access)
    except PoolAccessDenied:
        return False
    return True


def _seq_of(ctx: ServerContext, content_hash: bytes) -> int:
    """The bundle's position in the pool (put order), memoised per context."""
    positions: dict[bytes, int] = ctx.extra.setdefault("pool_positions", {})
    if content_hash not in positions:
        positions.clear()
        positions.update({h: i for i, h in enumerate(ctx.pool.hashes())})
    return positions[content_hash]


def _split(value: str | None) -> list[str] | None:
    if value is None:
        return None
    return [v.strip() for v in value.split(",") if v.strip()]


def select(
    records: Iterable[Record],
    params: Callable[[str], str | None],
    *,
    allow: frozenset[str] = frozenset({"id", "type", "version", "spec_version"}),
) -> list[Record]:
    """Apply ``added_after`` and the ``match[...]`` filters, TAXII 2.1 style.

    ``match[version]`` takes ``last`` (the default), ``first``, ``all`` or
    timestamps, comma-separated, applied per object id after the other
    filters.
    """
    after = params("added_after")
    after_s = parse_time(after, "added_after") if after is not None else None
    ids = _split(params("match[id]")) if "id" in allow else None
    types = _split(params("match[type]")) if "type" in allow else None
    specs = _split(params("match[spec_version]")) if "spec_version" in allow else None
    kept = [
        r
        for r in records
        if (after_s is None or r.date_added > after_s)
        and (ids is None or r.id in ids)
        and (types is None or r.type in types)
        and (specs is None or r.spec_version in specs)
    ]
    if "version" not in allow:
        return kept
    wanted = _split(params("match[version]")) or ["last"]
    if "all" in wanted:
        return kept
    stamps = {parse_time(w, "match[version]") for w in wanted if w not in ("first", "last")}
    by_id: dict[str, list[Record]] = {}
    for r in kept:
        by_id.setdefault(r.id, []).append(r)
    chosen: set[tuple[str, str, tuple[int, int, int, int]]] = set()
    for group in by_id.values():
        ordered = sorted(group, key=lambda r: parse_time(r.version, "version"))
        picks = []
        if "first" in wanted:
            picks.append(ordered[0])
        if "last" in wanted:
            picks.append(ordered[-1])
        picks += [r for r in ordered if parse_time(r.version, "version") in stamps]
        chosen.update((r.id, r.version, r.order) for r in picks)
    return [r for r in kept if (r.id, r.version, r.order) in chosen]


@dataclass(frozen=True)
class Page:
    """One page of records and how to get the next."""

    records: list[Record]
    more: bool
    next: str | None

    def headers(self) -> dict[str, str]:
        """``X-TAXII-Date-Added-First`` / ``-Last`` of the records on this page."""
        if not self.records:
            return {}
        return {
            "X-TAXII-Date-Added-First": taxii_time(self.records[0].date_added),
            "X-TAXII-Date-Added-Last": taxii_time(self.records[-1].date_added),
        }

    def envelope(self, items: list[Any], key: str = "objects") -> dict[str, Any]:
        """The TAXII envelope (or versions) resource: empty when there is nothing."""
        if not items:
            return {}
        body: dict[str, Any] = {"more": self.more, key: items}
        if self.next is not None:
            body["next"] = self.next
        return body


def _cursor(order: tuple[int, int, int, int]) -> str:
    return base64.urlsafe_b64encode(",".join(map(str, order)).encode()).decode().rstrip("=")


def _uncursor(token: str) -> tuple[int, int, int, int]:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        a, b, c, d = (int(x) for x in raw.split(","))
    except (ValueError, UnicodeDecodeError):
        raise TaxiiError(400, "Bad Filter", f"next {token!r} is not a cursor this server issued",
                         "filter") from None
    return a, b, c, d


def paginate(records: list[Record], params: Callable[[str], str | None]) -> Page:
    """The page ``limit`` and ``next`` ask for (at most :data:`MAX_PAGE` records)."""
    raw_limit = params("limit")
    limit = MAX_PAGE
    if raw_limit is not None:
        if not raw_limit.isdigit() or int(raw_limit) <= 0:
            raise TaxiiError(
                400, "Bad Filter", f"limit must be a positive integer, got {raw_limit!r}", "filter"
            )
        limit = min(int(raw_limit), MAX_PAGE)
    token = params("next")
    if token is not None:
        after = _uncursor(token)
        records = [r for r in records if r.order > after]
    page = records[:limit]
    more = len(records) > limit
    return Page(page, more, _cursor(page[-1].order) if more else None)
