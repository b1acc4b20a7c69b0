r"""The semantic key of an indicator: what it detects, not how the document is written.

The content hash of :mod:`sharing.standards.stix` identifies a *document*:
a new STIX id, a new timestamp, a ``revoked: true`` re-issue or another
order of the operands of an ``AND`` makes a new hash, hence a new indicator
that the alliance would pay for again.  The semantic key identifies the
*detection content*: the indicator's ``pattern_type`` and its pattern in a
normal form.  The contract refuses a second indicator with the same key.

The key never depends on ids, timestamps, names, descriptions, labels,
``indicator_types``, ``confidence``, ``revoked``, markings,
``valid_from``/``valid_until``, ``kill_chain_phases``, ``pattern_version``,
external references or the bundle's other objects.  ``docs/semantic_key.md``
gives the same rules with worked examples.

Normal form
-----------
The normal form is the text ``<pattern_type> LF <body>`` (one U+000A between
them) and the key is ``keccak256(UTF-8(normal form))``: Ethereum's
Keccak-256, not the FIPS 202 SHA3-256.  ``pattern_type`` is taken as
written and must be printable ASCII without spaces, so the first line
feed always ends it.

For ``pattern_type = "stix"`` the pattern is parsed with the STIX 2.1
patterning grammar (``stix2-patterns``, whatever ``pattern_version`` says:
that grammar accepts every STIX 2.0 pattern too) and must pass its
validator (whose pre-check also wants ``[`` or ``(`` first, so a leading
comment is refused).  The body is then printed from the parse tree:

1. *Layout.*  Comments and white space outside string literals disappear.
   Binary operators are written with one space on each side
   (``A AND B``, ``x:y = 'v'``), set members are separated by ``", "``,
   keywords in upper case, ``true``/``false`` in lower case.  ``==`` is
   written ``=`` and ``<>`` is written ``!=`` (the grammar's own synonyms);
   ``NOT`` stays where it was (``x:y NOT = 'v'`` is not rewritten as
   ``x:y != 'v'``).
2. *Object paths.*  The object type as written; each property name bare
   when it matches ``[A-Za-z_][A-Za-z0-9_]*`` and is not a keyword of the
   grammar, otherwise as a quoted string literal (``file:'name'`` is
   ``file:name``, ``hashes.'SHA-256'`` stays quoted).  A property name
   right after a ``hashes`` component is a hash algorithm: when it equals
   an entry of STIX 2.1's ``hash-algorithm-ov`` after removing ``-`` and
   ``_`` and upper-casing ASCII letters, it is replaced by that entry
   (``sha256`` -> ``'SHA-256'``).  Index steps are ``[n]`` or ``[*]``.
3. *Literals.*  Strings in single quotes with exactly two escapes, ``\\``
   for a backslash and ``\'`` for a quote, everything else raw (the grammar
   allows no other escape, so this is also how they are read).  Integers
   in decimal without ``+`` and without leading zeros (``-0`` is ``0``).
   Floats as ``[-]I.F`` with the integer part's leading zeros and the
   fraction's trailing zeros removed, keeping at least one digit on each
   side (``+01.50`` -> ``1.5``, ``.5`` -> ``0.5``, ``-0.0`` -> ``0.0``); an
   integer and a float are never equal (``5`` and ``5.0`` differ).  Hex
   literals ``h'..'`` in lower case.  Timestamps ``t'..'`` with the trailing
   zeros of their fraction removed, and the ``.`` if none is left.  Binary
   literals ``b'..'`` and booleans as written.
4. *Values.*  A string literal that is the right-hand side of ``=`` or
   ``!=`` (with or without ``NOT``), a member of an ``IN`` set, or the
   operand of ``ISSUBSET``/``ISSUPERSET`` is rewritten according to its
   object path:

   * ``domain-name:value`` and ``email-addr:value``: ASCII letters lower-cased
     (``A-Z`` to ``a-z``, nothing else);
   * ``<...>hashes.<alg>`` where ``<alg>`` (after step 2) is ``MD5``,
     ``SHA-1``, ``SHA-256``, ``SHA-512``, ``SHA3-256`` or ``SHA3-512``:
     ASCII letters lower-cased (hex digests);
   * ``ipv4-addr:value``: if it is ``A`` or ``A/P`` with ``A`` a dotted-quad
     address (decimal octets 0-255, no leading zeros) and ``P`` a prefix
     length 0-32 without leading zeros, it is written back with ``/32``
     dropped (STIX 2.1 on ``ipv4-addr``: "the CIDR /32 suffix MAY be
     omitted"); host bits under a shorter prefix are kept;
   * ``ipv6-addr:value``: if it is ``A`` or ``A/P`` with ``A`` an RFC 4291
     text address (no zone id) and ``P`` 0-128 without leading zeros, the
     address is written as RFC 5952 section 4 says (lower-case hex, no
     leading zeros in a group, the longest run of two or more zero groups,
     the leftmost on a tie, as ``::``; an embedded IPv4 tail is written in
     hex too) and ``/128`` dropped.

   Anything else (another path, another operator, a value that is not an
   address) is kept as written.
5. *Commutative operators.*  ``AND`` and ``OR``, between comparisons inside
   ``[...]`` and between observation expressions, are flattened (an ``AND``
   operand of an ``AND`` contributes its own operands; parentheses around it
   are redundant) and their operands are sorted in ascending order of their
   normal form as printed in place, compared by Unicode code point (which is
   the order of their UTF-8 bytes).  Duplicate operands are kept.  Members of
   an ``IN`` set are sorted the same way.  ``FOLLOWEDBY`` is not commutative:
   its operands keep their order, and only the parentheses that the
   grammar's left associativity makes redundant are removed.
6. *Parentheses.*  Printed only where precedence needs them: an ``OR`` as an
   operand of an ``AND``, a ``FOLLOWEDBY`` as an operand of ``AND`` or
   ``OR`` or as a right operand of ``FOLLOWEDBY``, and a compound or already
   qualified observation expression that carries qualifiers
   (``([a] WITHIN 5 SECONDS) REPEATS 2 TIMES`` is not the same pattern as
   ``[a] WITHIN 5 SECONDS REPEATS 2 TIMES``: the grammar's validator refuses
   two qualifiers of one kind only in the second).
7. *Qualifiers* ``WITHIN n SECONDS``, ``REPEATS n TIMES`` and
   ``START t'..' STOP t'..'`` are kept, in the order written, with their
   numbers and timestamps as in step 3.

For any other ``pattern_type`` (``snort``, ``yara``, ``sigma``...) the body
is the pattern with CR LF and lone CR turned into LF and leading and
trailing space, tab, LF, vertical tab and form feed removed; nothing else
is touched, because this module does not parse those languages.

What is not normalised, and why
-------------------------------
The rule must be reproducible by anyone, in any language, not clever.  Two
patterns that match the same observations but are written differently
keep different keys: ``x:y != 'v'`` and ``x:y NOT = 'v'``; ``A AND A`` and
``A``; ``IN ('a')`` and ``= 'a'``; ``198.51.100.0/31`` and two ``OR``-ed
addresses; a ``LIKE`` and an equivalent ``MATCHES``; distributed and
factored ``AND``/``OR``.  Neither are URLs (scheme and host case, default
ports, percent-encoding), file names, registry keys, MAC addresses
(STIX already requires them in lower case), Unicode normalisation (NFC),
domain names' trailing dots or IDN forms, values reached through a
reference (``network-traffic:dst_ref.value``), the values of ``LIKE``,
``MATCHES`` and ordering comparisons, or the order of qualifiers.  Each of
these would need either a semantic model of the pattern language or a
per-property canonicaliser whose edge cases two implementations would
resolve differently, and a key that two honest clients compute differently
is worse than a key that misses a clever duplicate: the duplicate still
costs its submitter a commitment and a panel vote.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from eth_utils import keccak
from stix2patterns.exceptions import ParseException
from stix2patterns.v21.grammars.STIXPatternParser import STIXPatternParser as _P
from stix2patterns.v21.pattern import Pattern
from stix2patterns.validator import run_validator

from sharing.errors import InputError
from sharing.standards.stix_parse import parse_bundle

__all__ = [
    "HASH_ALGORITHMS",
    "HEX_HASH_ALGORITHMS",
    "normalised_pattern",
    "semantic_key",
    "semantic_key_hex",
]

#: STIX 2.1 ``hash-algorithm-ov``: the spellings that hash algorithm names are rewritten to.
HASH_ALGORITHMS: Final = (
    "MD5",
    "SHA-1",
    "SHA-256",
    "SHA-512",
    "SHA3-256",
    "SHA3-512",
    "SSDEEP",
    "TLSH",
)
#: Algorithms whose digests are hex strings, hence case-insensitive values.
HEX_HASH_ALGORITHMS: Final = frozenset(
    {"MD5", "SHA-1", "SHA-256", "SHA-512", "SHA3-256", "SHA3-512"}
)

_ALGORITHM_BY_SQUASHED: Final = {a.replace("-", ""): a for a in HASH_ALGORITHMS}

# Tokens that a bare property name would lex as (the 2.1 grammar's keywords are case-sensitive).
_KEYWORDS: Final = frozenset(
    {
        "AND", "OR", "NOT", "FOLLOWEDBY", "LIKE", "MATCHES", "ISSUPERSET", "ISSUBSET",
        "EXISTS", "LAST", "IN", "START", "STOP", "SECONDS", "true", "false", "WITHIN",
        "REPEATS", "TIMES",
    }
)  # fmt: skip
_BARE_NAME: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PATTERN_TYPE: Final = re.compile(r"[\x21-\x7e]+")
_PREFIX: Final = re.compile(r"0|[1-9][0-9]{0,2}")
_UPPER: Final = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_LOWER: Final = "abcdefghijklmnopqrstuvwxyz"
_TO_LOWER: Final = str.maketrans(_UPPER, _LOWER)
_TO_UPPER: Final = str.maketrans(_LOWER, _UPPER)
_OPAQUE_SPACE: Final = " \t\n\x0b\x0c"

# Node kinds, loosest-binding first.
_FOLLOWEDBY: Final = "FOLLOWEDBY"
_OR: Final = "OR"
_AND: Final = "AND"
_ATOM: Final = "atom"  # [...] or a propTest: never needs parentheses
_QUALIFIED: Final = "qualified"  # an observation expression with qualifiers


@dataclass(frozen=True, slots=True)
class _Node:
    """A normalised sub-expression: its kind and, for an operator, its operands as printed."""

    kind: str
    operands: tuple[str, ...]

    @property
    def text(self) -> str:
        return (
            f" {self.kind} ".join(self.operands)
            if self.kind in (_AND, _OR, _FOLLOWEDBY)
            else self.operands[0]
        )


def _atom(text: str, kind: str = _ATOM) -> _Node:
    return _Node(kind, (text,))


def _wrap(node: _Node, needs_parens: Iterable[str]) -> str:
    return f"({node.text})" if node.kind in needs_parens else node.text


def _commutative(kind: str, children: list[_Node], needs_parens: tuple[str, ...]) -> _Node:
    """Flatten same-kind children into one operator and sort the printed operands."""
    operands: list[str] = []
    for child in children:
        if child.kind == kind:
            operands.extend(child.operands)
        else:
            operands.append(_wrap(child, needs_parens))
    return _Node(kind, tuple(sorted(operands)))


def _left_spine(ctx: Any, op: str, child: str) -> list[Any]:
    """Operands of a left-associative chain ``a op b op c``, left to right, without recursion.

    ANTLR builds ``((a op b) op c)``; a long chain would otherwise cost one
    Python frame per operator.
    """
    operands: list[Any] = []
    while getattr(ctx, op)() is not None:
        left, right = getattr(ctx, child)(0), getattr(ctx, child)(1)
        operands.append(right)
        ctx = left
    operands.append(ctx)
    operands.reverse()
    return operands


# --------------------------------------------------------------------------
# Literals and values
# --------------------------------------------------------------------------


def _quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _unquote(token: str) -> str:
    # The grammar's only escapes are \' and \\ (anything else after \ does not lex).
    return re.sub(r"\\(['\\])", r"\1", token[1:-1])


def _float_text(text: str) -> str:
    negative = text.startswith("-")
    whole, _, fraction = text.lstrip("+-").partition(".")
    whole = whole.lstrip("0") or "0"
    fraction = fraction.rstrip("0") or "0"
    sign = "-" if negative and (whole, fraction) != ("0", "0") else ""
    return f"{sign}{whole}.{fraction}"


def _timestamp_text(token: str) -> str:
    body = token[2:-2]  # t'....Z'
    if "." in body:
        body = body.rstrip("0").rstrip(".")
    return f"t'{body}Z'"


def _literal(node: Any) -> tuple[str, str | None]:
    """Print one literal token; also return a string literal's value (``None`` otherwise)."""
    token = node.getSymbol()
    text: str = token.text
    kind = token.type
    if kind == _P.StringLiteral:
        value = _unquote(text)
        return _quote(value), value
    if kind in (_P.IntPosLiteral, _P.IntNegLiteral):
        return str(int(text)), None
    if kind in (_P.FloatPosLiteral, _P.FloatNegLiteral):
        return _float_text(text), None
    if kind == _P.HexLiteral:
        return text.lower(), None
    if kind == _P.TimestampLiteral:
        return _timestamp_text(text), None
    return text, None  # BinaryLiteral, BoolLiteral


def _terminal(ctx: Any) -> Any:
    """The one token of a ``primitiveLiteral`` / ``orderableLiteral`` rule."""
    child = ctx.getChild(0)
    while not hasattr(child, "getSymbol"):
        child = child.getChild(0)
    return child


def _ascii_lower(value: str) -> str:
    # Only A-Z: str.lower() also folds other scripts, which another language may do differently.
    return value.translate(_TO_LOWER)


def _ipv6_text(value: int) -> str:
    """RFC 5952 section 4 text of a 128-bit address, written out so no library version matters."""
    groups = [(value >> (112 - 16 * i)) & 0xFFFF for i in range(8)]
    best_start, best_len, i = -1, 0, 0
    while i < 8:
        if groups[i] == 0:
            j = i
            while j < 8 and groups[j] == 0:
                j += 1
            if j - i > best_len:
                best_start, best_len = i, j - i
            i = j
        else:
            i += 1
    hexes = [format(g, "x") for g in groups]
    if best_len < 2:
        return ":".join(hexes)
    return ":".join(hexes[:best_start]) + "::" + ":".join(hexes[best_start + best_len :])


def _ip_value(value: str, version: int) -> str:
    """Canonical text of an IPv4/IPv6 address or CIDR, or ``value`` unchanged if it is neither."""
    address, slash, prefix = value.partition("/")
    width = 32 if version == 4 else 128
    if slash and not (_PREFIX.fullmatch(prefix) and int(prefix) <= width):
        return value
    if "%" in address:  # an IPv6 zone id: not an address STIX can carry
        return value
    try:
        parsed = ipaddress.IPv4Address(address) if version == 4 else ipaddress.IPv6Address(address)
    except ValueError:
        return value
    text = str(parsed) if version == 4 else _ipv6_text(int(parsed))
    return text if not slash or int(prefix) == width else f"{text}/{prefix}"


def _canonical_value(object_type: str, path: list[str], value: str) -> str:
    """Apply the value rules of the module docstring (step 4) to a string literal."""
    if path == ["value"]:
        if object_type in ("domain-name", "email-addr"):
            return _ascii_lower(value)
        if object_type == "ipv4-addr":
            return _ip_value(value, 4)
        if object_type == "ipv6-addr":
            return _ip_value(value, 6)
    if len(path) >= 2 and path[-2] == "hashes" and path[-1] in HEX_HASH_ALGORITHMS:
        return _ascii_lower(value)
    return value


# --------------------------------------------------------------------------
# Object paths and comparisons
# --------------------------------------------------------------------------


def _name_text(name: str) -> str:
    return name if _BARE_NAME.fullmatch(name) and name not in _KEYWORDS else _quote(name)


def _name_of(node: Any) -> str:
    text: str = node.getText()
    return _unquote(text) if text.startswith("'") else text


def _path_steps(ctx: Any) -> list[Any]:
    """The key and index steps of an ``objectPathComponent`` tree, in order."""
    steps: list[Any] = []
    stack = [ctx]
    while stack:
        node = stack.pop()
        if isinstance(node, _P.PathStepContext):
            stack.extend(reversed(node.objectPathComponent()))
        else:
            steps.append(node)
    return steps


def _object_path(ctx: Any) -> tuple[str, str, list[str]]:
    """Print an object path; return (text, object type, names of its key steps or ``[i]``)."""
    object_type: str = ctx.objectType().getText()
    names = [_name_of(ctx.firstPathComponent().getChild(0))]
    pieces = [f"{object_type}:{_name_text(names[0])}"]
    component = ctx.objectPathComponent()
    for step in _path_steps(component) if component is not None else []:
        if isinstance(step, _P.KeyPathStepContext):
            name = _name_of(step.getChild(1))
            if names[-1] == "hashes":
                squashed = name.translate(_TO_UPPER).replace("-", "").replace("_", "")
                name = _ALGORITHM_BY_SQUASHED.get(squashed, name)
            names.append(name)
            pieces.append("." + _name_text(name))
        else:
            index = step.getChild(1).getText()
            index = index if index == "*" else str(int(index))
            names.append(f"[{index}]")
            pieces.append(f"[{index}]")
    return "".join(pieces), object_type, names


def _value_literal(node: Any, object_type: str, names: list[str]) -> str:
    text, value = _literal(node)
    if value is None:
        return text
    return _quote(_canonical_value(object_type, names, value))


def _prop_test(ctx: Any) -> _Node:
    if isinstance(ctx, _P.PropTestParenContext):
        return _comparison(ctx.comparisonExpression())
    path, object_type, names = _object_path(ctx.objectPath())
    negation = "NOT " if ctx.NOT() is not None else ""
    if isinstance(ctx, _P.PropTestExistsContext):
        return _atom(f"{negation}EXISTS {path}")
    if isinstance(ctx, _P.PropTestEqualContext):
        operator = "=" if ctx.EQ() is not None else "!="
        value = _value_literal(_terminal(ctx.primitiveLiteral()), object_type, names)
        return _atom(f"{path} {negation}{operator} {value}")
    if isinstance(ctx, _P.PropTestOrderContext):
        operator = ctx.getChild(2 if negation else 1).getText()
        value, _ = _literal(_terminal(ctx.orderableLiteral()))
        return _atom(f"{path} {negation}{operator} {value}")
    if isinstance(ctx, _P.PropTestSetContext):
        members = sorted(
            _value_literal(_terminal(m), object_type, names)
            for m in ctx.setLiteral().primitiveLiteral()
        )
        return _atom(f"{path} {negation}IN ({', '.join(members)})")
    keyword = {
        _P.PropTestLikeContext: "LIKE",
        _P.PropTestRegexContext: "MATCHES",
        _P.PropTestIsSubsetContext: "ISSUBSET",
        _P.PropTestIsSupersetContext: "ISSUPERSET",
    }[type(ctx)]
    if keyword in ("ISSUBSET", "ISSUPERSET"):
        value = _value_literal(ctx.StringLiteral(), object_type, names)
    else:
        value, _ = _literal(ctx.StringLiteral())
    return _atom(f"{path} {negation}{keyword} {value}")


def _comparison_and(ctx: Any) -> _Node:
    parts = _left_spine(ctx, "AND", "comparisonExpressionAnd")
    nodes = [_prop_test(p.propTest()) for p in parts]
    return nodes[0] if len(nodes) == 1 else _commutative(_AND, nodes, (_OR,))


def _comparison(ctx: Any) -> _Node:
    parts = _left_spine(ctx, "OR", "comparisonExpression")
    nodes = [_comparison_and(p.comparisonExpressionAnd()) for p in parts]
    return nodes[0] if len(nodes) == 1 else _commutative(_OR, nodes, ())


# --------------------------------------------------------------------------
# Observation expressions
# --------------------------------------------------------------------------


def _qualifier(ctx: Any) -> str:
    if isinstance(ctx, _P.ObservationExpressionWithinContext):
        q = ctx.withinQualifier()
        return f"WITHIN {_literal(q.getChild(1))[0]} SECONDS"
    if isinstance(ctx, _P.ObservationExpressionRepeatedContext):
        q = ctx.repeatedQualifier()
        return f"REPEATS {_literal(q.getChild(1))[0]} TIMES"
    q = ctx.startStopQualifier()
    start, stop = (_literal(t)[0] for t in q.TimestampLiteral())
    return f"START {start} STOP {stop}"


def _observation(ctx: Any) -> _Node:
    if isinstance(ctx, _P.ObservationExpressionSimpleContext):
        return _atom(f"[{_comparison(ctx.comparisonExpression()).text}]")
    if isinstance(ctx, _P.ObservationExpressionCompoundContext):
        return _observations(ctx.observationExpressions())  # parentheses re-added where needed
    inner_ctx = ctx.observationExpression()
    inner = _observation(inner_ctx)
    explicit_group = isinstance(inner_ctx, _P.ObservationExpressionCompoundContext)
    base = f"({inner.text})" if explicit_group and inner.kind != _ATOM else inner.text
    return _atom(f"{base} {_qualifier(ctx)}", _QUALIFIED)


def _observation_and(ctx: Any) -> _Node:
    parts = _left_spine(ctx, "AND", "observationExpressionAnd")
    nodes = [_observation(p.observationExpression()) for p in parts]
    return nodes[0] if len(nodes) == 1 else _commutative(_AND, nodes, (_OR, _FOLLOWEDBY))


def _observation_or(ctx: Any) -> _Node:
    parts = _left_spine(ctx, "OR", "observationExpressionOr")
    nodes = [_observation_and(p.observationExpressionAnd()) for p in parts]
    return nodes[0] if len(nodes) == 1 else _commutative(_OR, nodes, (_FOLLOWEDBY,))


def _observations(ctx: Any) -> _Node:
    parts = _left_spine(ctx, "FOLLOWEDBY", "observationExpressions")
    nodes = [_observation_or(p.observationExpressionOr()) for p in parts]
    if len(nodes) == 1:
        return nodes[0]
    # Left-associative: a leading FOLLOWEDBY group is the same chain; a later one is not.
    operands = list(nodes[0].operands) if nodes[0].kind == _FOLLOWEDBY else [nodes[0].text]
    operands += [_wrap(n, (_FOLLOWEDBY,)) for n in nodes[1:]]
    return _Node(_FOLLOWEDBY, tuple(operands))


def _stix_body(pattern: str) -> str:
    if not pattern:
        raise InputError("empty STIX pattern")
    try:
        errors = run_validator(pattern, "2.1")
    except RecursionError:
        raise InputError("STIX pattern is nested too deeply to check") from None
    except Exception as error:
        # stix2-patterns 2.1.2 crashes on some parsable patterns (a negative index
        # step): stix2 refuses those bundles, so refuse the pattern as well.
        raise InputError(f"invalid STIX pattern {pattern!r}: rejected by stix2-patterns") from error
    if errors:
        raise InputError(f"invalid STIX pattern {pattern!r}: {_one_line(errors[0])}")
    try:
        tree = Pattern(pattern).visit(_TreeGrabber())
        return _observations(tree.observationExpressions()).text
    except ParseException as error:  # pragma: no cover - the validator reports it first
        raise InputError(f"invalid STIX pattern {pattern!r}: {_one_line(str(error))}") from None
    except RecursionError:
        raise InputError("STIX pattern is nested too deeply to normalise") from None


class _TreeGrabber:
    """A visitor that returns the root of the parse tree (``Pattern`` keeps it private)."""

    def visit(self, tree: Any) -> Any:
        return tree


def _one_line(text: str) -> str:
    line = " ".join(str(text).removeprefix("FAIL: ").split())
    return line if len(line) <= 200 else line[:197] + "..."


# --------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------


def normalised_pattern(pattern: str, pattern_type: str = "stix") -> str:
    r"""The normal form of a pattern: the text whose keccak-256 is the semantic key.

    Parameters
    ----------
    pattern : str
        The indicator's ``pattern``.
    pattern_type : str, default "stix"
        The indicator's ``pattern_type``, as written (``"stix"``, ``"snort"``,
        ``"yara"``...).  Only ``"stix"`` patterns are parsed.

    Returns
    -------
    str
        ``pattern_type``, a line feed, then the normalised pattern (see the
        module docstring for the rules).

    Raises
    ------
    InputError
        If ``pattern_type`` is empty or holds a space or a non-printable or
        non-ASCII character, if a STIX pattern does not parse or fails the
        ``stix2-patterns`` validator, or if a non-STIX pattern is empty.

    Examples
    --------
    >>> normalised_pattern("[ file:hashes.sha256 = 'AB" + "0" * 62 + "' ]")[:40]
    "stix\n[file:hashes.'SHA-256' = 'ab0000000"
    >>> normalised_pattern("alert tcp any any -> any any (sid:1;)\r\n", "snort")
    'snort\nalert tcp any any -> any any (sid:1;)'
    """
    if not isinstance(pattern_type, str) or not _PATTERN_TYPE.fullmatch(pattern_type):
        raise InputError(
            f"pattern_type must be printable ASCII without spaces, got {pattern_type!r}"
        )
    if not isinstance(pattern, str):
        raise InputError(f"pattern must be a string, got {type(pattern).__name__}")
    if pattern_type == "stix":
        body = _stix_body(pattern)
    else:
        body = pattern.replace("\r\n", "\n").replace("\r", "\n").strip(_OPAQUE_SPACE)
        if not body:
            raise InputError(f"empty {pattern_type} pattern")
    return f"{pattern_type}\n{body}"


def _indicator(bundle: Any) -> Any:
    """The bundle's single indicator, whatever its pattern type."""
    indicators = [o for o in bundle.get("objects", None) or [] if o["type"] == "indicator"]
    if len(indicators) != 1:
        raise InputError(
            f"an indicator bundle needs exactly one indicator, found {len(indicators)}"
        )
    return indicators[0]


def semantic_key(bundle: str | bytes | Mapping[str, Any] | Any, *, validate: bool = False) -> bytes:
    """The 32-byte semantic key of a bundle's indicator, committed with it on chain.

    ``keccak256(UTF-8(normalised_pattern(pattern, pattern_type)))`` of the
    bundle's one indicator: the indicator whose content hash the chain holds.
    Everything else in the bundle is ignored (see the module docstring).

    Parameters
    ----------
    bundle : str, bytes, Mapping or stix2.v21.Bundle
        The bundle in any form :func:`sharing.standards.stix.parse_bundle`
        accepts.  It is parsed with ``stix2`` (STIX 2.1, no custom content),
        which also checks a STIX pattern.
    validate : bool, default False
        Also run the OASIS ``stix2-validator`` over the whole bundle, as
        :func:`~sharing.standards.stix.load_indicator_bundle` does.  Off by
        default: the key reads one property, and whoever submits the bundle
        validates it anyway.

    Returns
    -------
    bytes
        32 bytes.

    Raises
    ------
    InputError
        If the bundle is not a STIX 2.1 bundle, does not hold exactly one
        indicator, or its pattern cannot be normalised.
    """
    parsed = parse_bundle(bundle, validate=validate)
    indicator = _indicator(parsed)
    normal = normalised_pattern(indicator["pattern"], indicator["pattern_type"])
    try:
        encoded = normal.encode("utf-8")
    except UnicodeEncodeError as error:  # "\ud800" is valid JSON, but not UTF-8
        raise InputError("pattern holds a lone surrogate") from error
    return bytes(keccak(encoded))


def semantic_key_hex(
    bundle: str | bytes | Mapping[str, Any] | Any, *, validate: bool = False
) -> str:
    """``0x``-prefixed lower-case hex of :func:`semantic_key`.

    Raises
    ------
    InputError
        As :func:`semantic_key`.
    """
    return "0x" + semantic_key(bundle, validate=validate).hex()
