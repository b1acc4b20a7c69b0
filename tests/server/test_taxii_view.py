"""The TAXII filters and pages as pure functions: versions, added_after, cursors that survive appends."""

from __future__ import annotations

import pytest

from sharing.server.taxii_http import TaxiiError
from sharing.server.taxii_view import Record, paginate, select, taxii_time


def rec(ident: str, modified: str, added: int, seq: int, kind: str = "indicator") -> Record:
    obj = {"type": kind, "id": f"{kind}--{ident}", "spec_version": "2.1",
           "created": "2026-01-01T00:00:00.000Z", "modified": modified}
    return Record(obj, added, (added, 0, seq, 0), b"\0" * 32)


RECORDS = [
    rec("a", "2026-01-01T00:00:00.000Z", 100, 0),
    rec("b", "2026-01-02T00:00:00.000Z", 100, 1),
    rec("a", "2026-01-03T00:00:00.000Z", 200, 2),  # a second version of a
    rec("c", "2026-01-04T00:00:00.000Z", 300, 3, kind="malware"),
]


def params(**given: str):
    return lambda key: given.get(key)


def ids(records: list[Record]) -> list[tuple[str, str]]:
    return [(r.id.split("--")[1], r.version[:10]) for r in records]


def test_match_version__last_by_default_first_all_and_a_timestamp():
    assert ids(select(RECORDS, params())) == [("b", "2026-01-02"), ("a", "2026-01-03"),
                                              ("c", "2026-01-04")]
    first = select(RECORDS, params(**{"match[version]": "first"}))
    assert ("a", "2026-01-01") in ids(first) and ("a", "2026-01-03") not in ids(first)
    assert len(select(RECORDS, params(**{"match[version]": "all"}))) == 4
    exact = select(RECORDS, params(**{"match[version]": "2026-01-01T00:00:00.000Z"}))
    assert ids(exact) == [("a", "2026-01-01")]
    both = select(RECORDS, params(**{"match[version]": "first,last", "match[id]": "indicator--a"}))
    assert ids(both) == [("a", "2026-01-01"), ("a", "2026-01-03")]


def test_added_after_type_and_spec_version():
    after = select(RECORDS, params(added_after=taxii_time(100), **{"match[version]": "all"}))
    assert ids(after) == [("a", "2026-01-03"), ("c", "2026-01-04")]
    assert ids(select(RECORDS, params(**{"match[type]": "malware"}))) == [("c", "2026-01-04")]
    assert select(RECORDS, params(**{"match[spec_version]": "2.0"})) == []
    with pytest.raises(TaxiiError) as info:
        select(RECORDS, params(added_after="2026-13-01T00:00:00Z"))
    assert info.value.status == 400


def test_pages__the_cursor_neither_repeats_nor_skips_when_records_are_appended():
    everything = select(RECORDS, params(**{"match[version]": "all"}))
    first = paginate(everything, params(limit="2"))
    assert first.more and len(first.records) == 2 and first.next
    grown = [*everything, rec("d", "2026-01-05T00:00:00.000Z", 400, 4)]
    second = paginate(grown, params(limit="2", next=first.next))
    third = paginate(grown, params(limit="2", next=second.next))
    seen = [*first.records, *second.records, *third.records]
    assert [r.order for r in seen] == [r.order for r in grown] and not third.more
    assert first.headers() == {"X-TAXII-Date-Added-First": taxii_time(100),
                               "X-TAXII-Date-Added-Last": taxii_time(100)}
    assert paginate([], params()).envelope([]) == {}
    for bad in ("0", "-1", "ten"):
        with pytest.raises(TaxiiError):
            paginate(everything, params(limit=bad))
