"""Search: parse FHIR search parameters strictly, then answer them with SQL over the index."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select
from sqlalchemy.orm import Session

from plan_service.errors import bad_request
from plan_service.indexing import parse_reference
from plan_service.models import IdentifierRow, ResourceRow, SearchIndexRow
from plan_service.resource_types import ID_PATTERN, RESOURCE_TYPES, SearchParam

DEFAULT_COUNT = 50
MAX_COUNT = 500
RESULT_PARAMS = frozenset({"_count", "_offset", "_sort"})
# `_include=CareTeam:participant`, `_revinclude=Observation:patient`: repeatable, `Type:reference-param`.
INCLUDE_PARAMS = frozenset({"_include", "_revinclude"})
DATE_PREFIXES = frozenset({"eq", "gt", "ge", "lt", "le"})

_DATE = re.compile(
    r"(?P<year>[0-9]{4})(?:-(?P<month>[0-9]{2})(?:-(?P<day>[0-9]{2})"
    r"(?:T(?P<hour>[0-9]{2}):(?P<minute>[0-9]{2})"
    r"(?::(?P<second>[0-9]{2})(?:\.(?P<fraction>[0-9]{1,6}))?)?"
    r"(?P<tz>Z|[+-][0-9]{2}:[0-9]{2}))?)?)?"
)


@dataclass(frozen=True)
class TokenValue:
    system: str | None
    value: str | None
    # `value` (any system) differs from `|value` (no system): only the latter pins the system.
    system_given: bool


@dataclass(frozen=True)
class TokenCriterion:
    param: str
    values: tuple[TokenValue, ...]


@dataclass(frozen=True)
class ReferenceCriterion:
    param: str
    # (type, id); type None for a bare id, which then matches any of the parameter's targets.
    values: tuple[tuple[str | None, str], ...]
    targets: frozenset[str]


@dataclass(frozen=True)
class IdCriterion:
    ids: tuple[str, ...]


@dataclass(frozen=True)
class DateRange:
    prefix: str
    start: datetime
    end: datetime  # exclusive: the value's precision sets the width of the range


@dataclass(frozen=True)
class LastUpdatedCriterion:
    ranges: tuple[DateRange, ...]


Criterion = TokenCriterion | ReferenceCriterion | IdCriterion | LastUpdatedCriterion


@dataclass(frozen=True)
class SearchQuery:
    resource_type: str
    criteria: tuple[Criterion, ...]
    count: int = DEFAULT_COUNT
    offset: int = 0
    descending: bool = False
    # The criteria as the client sent them, to build self/next links.
    echo: tuple[tuple[str, str], ...] = ()
    # (source type, reference parameter): forward includes from the matches; reverse ones into them.
    includes: tuple[tuple[str, str], ...] = ()
    revincludes: tuple[tuple[str, str], ...] = ()


def _split_unescaped(text: str, separator: str) -> list[str]:
    """Split on `separator` except where FHIR escapes it with a backslash."""
    parts, current, chars = [], [], iter(text)
    for char in chars:
        if char == "\\":
            current.append(char + next(chars, ""))
        elif char == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def _values(name: str, raw: str) -> list[str]:
    values = _split_unescaped(raw, ",")
    if any(v == "" for v in values):
        raise bad_request(f"Search parameter {name!r} has an empty value.")
    return values


def _token(name: str, raw: str) -> TokenValue:
    parts = _split_unescaped(raw, "|")
    if len(parts) == 1:
        return TokenValue(None, _unescape(parts[0]), system_given=False)
    if len(parts) != 2 or parts == ["", ""]:
        raise bad_request(f"{name}={raw!r} is not a token (system|code or code).")
    system, value = (_unescape(p) or None for p in parts)
    return TokenValue(system, value, system_given=True)


def _reference(param: SearchParam, raw: str) -> tuple[str | None, str]:
    value = _unescape(raw)
    if "/" not in value:
        if not ID_PATTERN.fullmatch(value):
            raise bad_request(f"{param.name}={value!r} is not a resource id.")
        return None, value
    target = parse_reference(value)
    if target is None:
        raise bad_request(f"{param.name}={value!r} is not a reference (Type/id).")
    return target


def parse_date_range(name: str, raw: str) -> DateRange:
    prefix, text = (raw[:2], raw[2:]) if raw[:2].isalpha() else ("eq", raw)
    if prefix not in DATE_PREFIXES:
        raise bad_request(f"{name}: prefix {prefix!r} is not supported (eq, gt, ge, lt, le).")
    # An unencoded "+" in a query string arrives as a space; only a time zone can contain one.
    match = _DATE.fullmatch(text.replace(" ", "+"))
    if not match:
        raise bad_request(f"{name}={raw!r} is not a date or a date-time with a time zone.")
    part = {k: v for k, v in match.groupdict().items() if v is not None}
    try:
        tz = UTC
        if part.get("tz", "Z") != "Z":
            sign = 1 if part["tz"][0] == "+" else -1
            hours, minutes = int(part["tz"][1:3]), int(part["tz"][4:6])
            tz = timezone(sign * timedelta(hours=hours, minutes=minutes))
        fraction = part.get("fraction", "")
        start = datetime(
            int(part["year"]),
            int(part.get("month", 1)),
            int(part.get("day", 1)),
            int(part.get("hour", 0)),
            int(part.get("minute", 0)),
            int(part.get("second", 0)),
            int(fraction.ljust(6, "0")) if fraction else 0,
            tzinfo=tz,
        ).astimezone(UTC)
        if "month" not in part:
            end = start.replace(year=start.year + 1)
        elif "day" not in part:
            end = (start + timedelta(days=32)).replace(day=1)
        elif "hour" not in part:
            end = start + timedelta(days=1)
        elif "second" not in part:
            end = start + timedelta(minutes=1)
        else:
            end = start + timedelta(microseconds=10 ** (6 - len(fraction)))
    except (ValueError, OverflowError) as exc:
        raise bad_request(f"{name}={raw!r} is not a valid date: {exc}.") from exc
    return DateRange(prefix, start, end)


def _criterion(resource_type: str, name: str, raw: str) -> Criterion:
    values = _values(name, raw)
    if name == "_id":
        return IdCriterion(tuple(_unescape(v) for v in values))
    if name == "_lastUpdated":
        return LastUpdatedCriterion(tuple(parse_date_range(name, v) for v in values))
    param = RESOURCE_TYPES[resource_type].search_params.get(name)
    if param is None:
        if ":" in name:
            raise bad_request(f"Search modifiers are not supported ({name!r}).")
        raise bad_request(f"Unknown search parameter {name!r} for {resource_type}.")
    if param.kind == "token":
        return TokenCriterion(name, tuple(_token(name, v) for v in values))
    return ReferenceCriterion(name, tuple(_reference(param, v) for v in values), param.targets)


def _non_negative_int(name: str, raw: str) -> int:
    # 18 digits keep the value within a 64-bit SQL integer.
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        raise bad_request(f"{name} must be a non-negative integer, not {raw!r}.")
    return int(raw)


def parse_search(
    resource_type: str, params: Iterable[tuple[str, str]], *, result_params: bool = True
) -> SearchQuery:
    """A SearchQuery from query parameters; unknown parameters are an error, never ignored."""
    criteria: list[Criterion] = []
    echo: list[tuple[str, str]] = []
    result: dict[str, str] = {}
    includes: dict[str, list[tuple[str, str]]] = {"_include": [], "_revinclude": []}
    for name, raw in params:
        if name in INCLUDE_PARAMS and result_params:
            includes[name].append(_include(resource_type, name, raw))
            echo.append((name, raw))
            continue
        if name in RESULT_PARAMS and result_params:
            if name in result:
                raise bad_request(f"{name} may be given only once.")
            result[name] = raw
            continue
        criteria.append(_criterion(resource_type, name, raw))
        echo.append((name, raw))
    count = min(_non_negative_int("_count", result.get("_count", str(DEFAULT_COUNT))), MAX_COUNT)
    offset = _non_negative_int("_offset", result.get("_offset", "0"))
    sort = result.get("_sort", "_lastUpdated")
    if sort not in ("_lastUpdated", "-_lastUpdated"):
        raise bad_request(f"_sort must be _lastUpdated or -_lastUpdated, not {sort!r}.")
    return SearchQuery(
        resource_type,
        tuple(criteria),
        count,
        offset,
        sort.startswith("-"),
        tuple(echo),
        tuple(includes["_include"]),
        tuple(includes["_revinclude"]),
    )


def _include(resource_type: str, name: str, raw: str) -> tuple[str, str]:
    """`Type:param` where param is a reference search parameter of Type; `_include` starts at the
    searched type, `_revinclude` at a type whose parameter may point at it."""
    source, _, param = raw.partition(":")
    definition = RESOURCE_TYPES.get(source)
    search_param = definition.search_params.get(param) if definition else None
    if search_param is None or search_param.kind != "reference":
        raise bad_request(f"{name} must be Type:reference-parameter, not {raw!r}.", name)
    if name == "_include" and source != resource_type:
        raise bad_request(f"_include must start at {resource_type}, not {source}.", name)
    if name == "_revinclude" and search_param.targets and resource_type not in search_param.targets:
        raise bad_request(f"{raw} never points at {resource_type}.", name)
    return source, param


def included(session: Session, query: SearchQuery, page: list[ResourceRow]) -> list[ResourceRow]:
    """The resources `_include` and `_revinclude` add to a page: two index lookups per parameter,
    whatever the size of the store; each resource once, none that is already a match."""
    ids = [row.id for row in page]
    if not ids or not (query.includes or query.revincludes):
        return []
    wanted: dict[str, set[str]] = {}
    for source, param in query.includes:
        for ref_type, ref_id in session.execute(
            select(SearchIndexRow.ref_type, SearchIndexRow.ref_id).where(
                SearchIndexRow.resource_type == source,
                SearchIndexRow.param == param,
                SearchIndexRow.resource_id.in_(ids),
            )
        ):
            if ref_type and ref_id:
                wanted.setdefault(ref_type, set()).add(ref_id)
    for source, param in query.revincludes:
        for (resource_id,) in session.execute(
            select(SearchIndexRow.resource_id).where(
                SearchIndexRow.resource_type == source,
                SearchIndexRow.param == param,
                SearchIndexRow.ref_type == query.resource_type,
                SearchIndexRow.ref_id.in_(ids),
            )
        ):
            wanted.setdefault(source, set()).add(resource_id)
    matches = {(query.resource_type, i) for i in ids}
    rows: list[ResourceRow] = []
    for resource_type, found in sorted(wanted.items()):
        rest = sorted(i for i in found if (resource_type, i) not in matches)
        if not rest:
            continue
        rows += session.scalars(
            select(ResourceRow)
            .where(
                ResourceRow.resource_type == resource_type,
                ResourceRow.id.in_(rest),
                ResourceRow.deleted == false(),
            )
            .order_by(ResourceRow.id)
        ).all()
    return rows


def _indexed(resource_type: str, param: str, *matches: ColumnElement[bool]) -> ColumnElement[bool]:
    subquery = select(SearchIndexRow.resource_id).where(
        SearchIndexRow.resource_type == resource_type,
        SearchIndexRow.param == param,
        or_(*matches),
    )
    return ResourceRow.id.in_(subquery)


def _token_match(token: TokenValue) -> ColumnElement[bool]:
    conditions = []
    if token.value is not None:
        conditions.append(SearchIndexRow.value == token.value)
    if token.system_given:
        conditions.append(
            SearchIndexRow.system.is_(None)
            if token.system is None
            else SearchIndexRow.system == token.system
        )
    return and_(*conditions)


def _reference_match(ref_type: str | None, ref_id: str, targets: frozenset[str]) -> ColumnElement:
    if ref_type is not None:
        return and_(SearchIndexRow.ref_type == ref_type, SearchIndexRow.ref_id == ref_id)
    if targets:
        return and_(SearchIndexRow.ref_type.in_(sorted(targets)), SearchIndexRow.ref_id == ref_id)
    return SearchIndexRow.ref_id == ref_id


def _date_match(r: DateRange) -> ColumnElement[bool]:
    column = ResourceRow.last_updated
    match r.prefix:
        case "eq":
            return and_(column >= r.start, column < r.end)
        case "gt":
            return column >= r.end
        case "ge":
            return column >= r.start
        case "lt":
            return column < r.start
        case _:  # "le"
            return column < r.end


def where_clauses(resource_type: str, criteria: Iterable[Criterion]) -> list[ColumnElement[bool]]:
    clauses = [ResourceRow.resource_type == resource_type, ResourceRow.deleted == false()]
    for c in criteria:
        match c:
            case IdCriterion(ids):
                clauses.append(ResourceRow.id.in_(ids))
            case LastUpdatedCriterion(ranges):
                clauses.append(or_(*(_date_match(r) for r in ranges)))
            case TokenCriterion(param, values):
                clauses.append(_indexed(resource_type, param, *map(_token_match, values)))
            case ReferenceCriterion(param, values, targets):
                matches = (_reference_match(t, i, targets) for t, i in values)
                clauses.append(_indexed(resource_type, param, *matches))
    return clauses


def _ordered(statement: Select, descending: bool) -> Select:
    if descending:
        return statement.order_by(ResourceRow.last_updated.desc(), ResourceRow.id.desc())
    return statement.order_by(ResourceRow.last_updated, ResourceRow.id)


def _exact_identifier(criteria: Iterable[Criterion]) -> tuple[str, str] | None:
    """(system, value) when the search is exactly `identifier=system|value`: the idempotency-key lookup."""
    criteria = list(criteria)
    if len(criteria) != 1:
        return None
    match criteria[0]:
        case TokenCriterion("identifier", (TokenValue(system, value, True),)) if system and value:
            return system, value
    return None


def by_identifier(
    session: Session, resource_type: str, system: str, value: str
) -> list[ResourceRow]:
    """The live resource holding (system, value), through the unique identifier index: one index probe
    and one primary-key read whatever the number of stored resources (no ORDER BY for the planner to walk
    the whole type by last_updated; the statement's plan is the same generic or custom)."""
    statement = (
        select(ResourceRow)
        .join(
            IdentifierRow,
            and_(
                IdentifierRow.resource_type == ResourceRow.resource_type,
                IdentifierRow.resource_id == ResourceRow.id,
            ),
        )
        .where(
            IdentifierRow.resource_type == resource_type,
            IdentifierRow.system == system,
            IdentifierRow.value == value,
            ResourceRow.deleted == false(),
        )
    )
    return list(session.scalars(statement).all())


def run_search(session: Session, query: SearchQuery) -> tuple[int, list[ResourceRow]]:
    """(total matches, the requested page of them)."""
    exact = _exact_identifier(query.criteria)
    if exact is not None:
        found = by_identifier(session, query.resource_type, *exact)
        return len(found), found[query.offset : query.offset + query.count]
    clauses = where_clauses(query.resource_type, query.criteria)
    total = session.scalar(select(func.count()).select_from(ResourceRow).where(*clauses)) or 0
    if query.count == 0 or query.offset >= total:
        return total, []
    page = _ordered(select(ResourceRow).where(*clauses), query.descending)
    rows = session.scalars(page.limit(query.count).offset(query.offset)).all()
    return total, list(rows)


def first_matches(
    session: Session, resource_type: str, criteria: Iterable[Criterion], limit: int
) -> list[ResourceRow]:
    exact = _exact_identifier(criteria)
    if exact is not None:  # If-None-Exist: identifier=system|value
        return by_identifier(session, resource_type, *exact)[:limit]
    statement = select(ResourceRow).where(*where_clauses(resource_type, criteria))
    return list(session.scalars(_ordered(statement, False).limit(limit)).all())
