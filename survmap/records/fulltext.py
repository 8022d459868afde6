"""Text search of partnerships on the database's own engine, kept in step by the database.

Each partnership has one search row: its names (agency, city, state and its code, the agency's
counties, technology, vendor) and its text (product, summary). The row lives in

- SQLite: an FTS5 table with the trigram tokenizer (`records_partnership_fts`, rowid = the
  partnership's id), so that a word matches inside a name ("Town 12" finds "Town 120", as
  `icontains` always did) through the index;
- PostgreSQL: a table (`records_partnershipsearch`) with trigram GIN indexes (pg_trgm) on names
  and text for the same substring matches, and a `tsvector` (English) with a GIN index that adds
  matches on word stems ("cameras" finds "camera").

Triggers written here (migration 0007) keep the row in step with every write: a partnership's
insert, update and delete, and the rename of its agency, technology or vendor, or a change of the
agency's counties. The bulk path's raw INSERTs and the ORM alike fire them, so no writer has to
remember the index.

A word of fewer than three characters ("TX", "12") has no trigram: it is matched with LIKE on
the search rows, a scan of one narrow table rather than of five joined ones.

A list in id order (the API's default) stops early on SQLite: `ids_in_order` walks the matches
in rowid order, a few pages' worth at a time, instead of `id IN (every match)`, which makes
SQLite collect every match of a common word ("police") before it returns the first page.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.lookups import In
from django.db.models.sql.where import AND, WhereNode

SQLITE_TABLE = "records_partnership_fts"
POSTGRES_TABLE = "records_partnershipsearch"
# FTS5's trigram tokenizer and pg_trgm both index runs of three characters.
TRIGRAM = 3
# A word's phrase in FTS5 is at most this long: each trigram of a phrase is a lookup (a word of
# 10,000 characters took 12 s). A longer word's phrase is its beginning, and LIKE checks the
# whole word on the rows that phrase finds.
PHRASE_MAX = 64


def _document_select(vendor: str, where: str) -> str:
    """(id, names, text) of the partnerships matching `where` (on `p`, the partnership)."""
    if vendor == "postgresql":
        counties = "string_agg(c.name, ' ')"
        names = (
            "concat_ws(' ', a.name, a.city, s.name, s.code, "
            f"(SELECT {counties} FROM records_agency_counties ac "
            "JOIN geo_county c ON c.fips = ac.county_id WHERE ac.agency_id = a.id), "
            "t.name, v.name)"
        )
        text = "concat_ws(' ', p.product, p.summary)"
    else:
        counties = "group_concat(c.name, ' ')"
        names = (
            "coalesce(a.name, '') || ' ' || coalesce(a.city, '') || ' ' || "
            "coalesce(s.name, '') || ' ' || coalesce(s.code, '') || ' ' || "
            f"coalesce((SELECT {counties} FROM records_agency_counties ac "
            "JOIN geo_county c ON c.fips = ac.county_id WHERE ac.agency_id = a.id), '') || ' ' || "
            "coalesce(t.name, '') || ' ' || coalesce(v.name, '')"
        )
        text = "coalesce(p.product, '') || ' ' || coalesce(p.summary, '')"
    return (
        f"SELECT p.id, {names}, {text} FROM records_partnership p "
        "JOIN records_agency a ON a.id = p.agency_id "
        "LEFT JOIN geo_state s ON s.code = a.state_id "
        "JOIN records_technology t ON t.id = p.technology_id "
        "LEFT JOIN records_vendor v ON v.id = p.vendor_id "
        f"WHERE {where}"
    )


def _sqlite_refresh(where: str, old: str) -> str:
    """Statements of a trigger body: drop the rows `old` names, insert those `where` selects."""
    return (
        f"DELETE FROM {SQLITE_TABLE} WHERE rowid IN ({old}); "
        f"INSERT INTO {SQLITE_TABLE}(rowid, names, body) {_document_select('sqlite', where)};"
    )


def sqlite_install() -> list[str]:
    """The FTS5 table, filled, and the triggers that keep it in step."""
    of_agency = "SELECT id FROM records_partnership WHERE agency_id = {0}"
    partnership_changed = " OR ".join(
        f"OLD.{c} IS NOT NEW.{c}"
        for c in ("product", "summary", "agency_id", "technology_id", "vendor_id")
    )
    return [
        f"CREATE VIRTUAL TABLE {SQLITE_TABLE} USING fts5(names, body, tokenize='trigram')",
        f"INSERT INTO {SQLITE_TABLE}(rowid, names, body) {_document_select('sqlite', '1')}",
        f"CREATE TRIGGER {SQLITE_TABLE}_insert AFTER INSERT ON records_partnership BEGIN "
        f"INSERT INTO {SQLITE_TABLE}(rowid, names, body) "
        f"{_document_select('sqlite', 'p.id = NEW.id')}; END",
        f"CREATE TRIGGER {SQLITE_TABLE}_update AFTER UPDATE ON records_partnership "
        f"WHEN {partnership_changed} BEGIN "
        f"{_sqlite_refresh('p.id = NEW.id', 'OLD.id')} END",
        f"CREATE TRIGGER {SQLITE_TABLE}_delete AFTER DELETE ON records_partnership BEGIN "
        f"DELETE FROM {SQLITE_TABLE} WHERE rowid = OLD.id; END",
        f"CREATE TRIGGER {SQLITE_TABLE}_agency AFTER UPDATE ON records_agency "
        "WHEN OLD.name IS NOT NEW.name OR OLD.city IS NOT NEW.city "
        "OR OLD.state_id IS NOT NEW.state_id BEGIN "
        f"{_sqlite_refresh('p.agency_id = NEW.id', of_agency.format('NEW.id'))} END",
        f"CREATE TRIGGER {SQLITE_TABLE}_county_in AFTER INSERT ON records_agency_counties BEGIN "
        f"{_sqlite_refresh('p.agency_id = NEW.agency_id', of_agency.format('NEW.agency_id'))} "
        "END",
        f"CREATE TRIGGER {SQLITE_TABLE}_county_out AFTER DELETE ON records_agency_counties BEGIN "
        f"{_sqlite_refresh('p.agency_id = OLD.agency_id', of_agency.format('OLD.agency_id'))} "
        "END",
        f"CREATE TRIGGER {SQLITE_TABLE}_technology AFTER UPDATE ON records_technology "
        "WHEN OLD.name IS NOT NEW.name BEGIN "
        + _sqlite_refresh(
            "p.technology_id = NEW.id",
            "SELECT id FROM records_partnership WHERE technology_id = NEW.id",
        )
        + " END",
        f"CREATE TRIGGER {SQLITE_TABLE}_vendor AFTER UPDATE ON records_vendor "
        "WHEN OLD.name IS NOT NEW.name BEGIN "
        + _sqlite_refresh(
            "p.vendor_id = NEW.id", "SELECT id FROM records_partnership WHERE vendor_id = NEW.id"
        )
        + " END",
    ]


SQLITE_TRIGGERS = (
    "insert",
    "update",
    "delete",
    "agency",
    "county_in",
    "county_out",
    "technology",
    "vendor",
)


def sqlite_uninstall() -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {SQLITE_TABLE}_{name}" for name in SQLITE_TRIGGERS] + [
        f"DROP TABLE IF EXISTS {SQLITE_TABLE}"
    ]


def postgres_install() -> list[str]:
    refresh = "records_partnershipsearch_refresh"
    select = _document_select("postgresql", "p.id = ANY(ids)")
    return [
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",
        f"CREATE TABLE {POSTGRES_TABLE} (partnership_id bigint PRIMARY KEY, "
        "names text NOT NULL, body text NOT NULL, document tsvector NOT NULL)",
        f"CREATE INDEX {POSTGRES_TABLE}_names ON {POSTGRES_TABLE} USING gin (names gin_trgm_ops)",
        f"CREATE INDEX {POSTGRES_TABLE}_body ON {POSTGRES_TABLE} USING gin (body gin_trgm_ops)",
        f"CREATE INDEX {POSTGRES_TABLE}_document ON {POSTGRES_TABLE} USING gin (document)",
        # Delete, then insert: rows left by a TRUNCATE of another table never block an id.
        f"CREATE FUNCTION {refresh}(ids bigint[]) RETURNS void LANGUAGE sql AS $$ "
        f"DELETE FROM {POSTGRES_TABLE} WHERE partnership_id = ANY(ids); "
        f"INSERT INTO {POSTGRES_TABLE} (partnership_id, names, body, document) "
        "SELECT d.id, d.names, d.body, to_tsvector('english', d.names || ' ' || d.body) "
        f"FROM ({select}) AS d(id, names, body); $$",
        f"SELECT {refresh}(ARRAY(SELECT id FROM records_partnership))",
        f"CREATE FUNCTION {POSTGRES_TABLE}_on_partnership() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP = 'DELETE' THEN DELETE FROM {POSTGRES_TABLE} WHERE partnership_id = OLD.id; "
        "RETURN NULL; END IF; "
        "IF TG_OP = 'UPDATE' AND (OLD.product, OLD.summary, OLD.agency_id, OLD.technology_id, "
        "OLD.vendor_id) IS NOT DISTINCT FROM (NEW.product, NEW.summary, NEW.agency_id, "
        "NEW.technology_id, NEW.vendor_id) THEN RETURN NULL; END IF; "
        f"PERFORM {refresh}(ARRAY[NEW.id]); RETURN NULL; END $$",
        f"CREATE TRIGGER {POSTGRES_TABLE}_partnership AFTER INSERT OR UPDATE OR DELETE "
        f"ON records_partnership FOR EACH ROW EXECUTE FUNCTION {POSTGRES_TABLE}_on_partnership()",
        f"CREATE FUNCTION {POSTGRES_TABLE}_on_truncate() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN TRUNCATE {POSTGRES_TABLE}; RETURN NULL; END $$",
        f"CREATE TRIGGER {POSTGRES_TABLE}_truncate AFTER TRUNCATE ON records_partnership "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {POSTGRES_TABLE}_on_truncate()",
        # The agency's, technology's or vendor's id whose partnerships to refresh.
        f"CREATE FUNCTION {POSTGRES_TABLE}_on_owner() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "DECLARE owner bigint; BEGIN "
        "IF TG_TABLE_NAME = 'records_agency_counties' THEN "
        "owner := CASE WHEN TG_OP = 'DELETE' THEN OLD.agency_id ELSE NEW.agency_id END; "
        f"PERFORM {refresh}(ARRAY(SELECT id FROM records_partnership "
        "WHERE agency_id = owner)); "
        "ELSE owner := NEW.id; "
        f"PERFORM {refresh}(ARRAY(SELECT id FROM records_partnership WHERE "
        "CASE TG_TABLE_NAME WHEN 'records_agency' THEN agency_id "
        "WHEN 'records_technology' THEN technology_id ELSE vendor_id END = owner)); "
        "END IF; RETURN NULL; END $$",
        f"CREATE TRIGGER {POSTGRES_TABLE}_agency AFTER UPDATE ON records_agency FOR EACH ROW "
        "WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.city IS DISTINCT FROM NEW.city "
        "OR OLD.state_id IS DISTINCT FROM NEW.state_id) "
        f"EXECUTE FUNCTION {POSTGRES_TABLE}_on_owner()",
        f"CREATE TRIGGER {POSTGRES_TABLE}_counties AFTER INSERT OR DELETE "
        f"ON records_agency_counties FOR EACH ROW EXECUTE FUNCTION {POSTGRES_TABLE}_on_owner()",
        f"CREATE TRIGGER {POSTGRES_TABLE}_technology AFTER UPDATE ON records_technology "
        "FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) "
        f"EXECUTE FUNCTION {POSTGRES_TABLE}_on_owner()",
        f"CREATE TRIGGER {POSTGRES_TABLE}_vendor AFTER UPDATE ON records_vendor "
        "FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) "
        f"EXECUTE FUNCTION {POSTGRES_TABLE}_on_owner()",
    ]


def postgres_uninstall() -> list[str]:
    triggers = {
        "partnership": "records_partnership",
        "truncate": "records_partnership",
        "agency": "records_agency",
        "counties": "records_agency_counties",
        "technology": "records_technology",
        "vendor": "records_vendor",
    }
    return [
        f"DROP TRIGGER IF EXISTS {POSTGRES_TABLE}_{name} ON {table}"
        for name, table in triggers.items()
    ] + [
        f"DROP FUNCTION IF EXISTS {POSTGRES_TABLE}_on_owner()",
        f"DROP FUNCTION IF EXISTS {POSTGRES_TABLE}_on_truncate()",
        f"DROP FUNCTION IF EXISTS {POSTGRES_TABLE}_on_partnership()",
        "DROP FUNCTION IF EXISTS records_partnershipsearch_refresh(bigint[])",
        f"DROP TABLE IF EXISTS {POSTGRES_TABLE}",
    ]


def install(connection: BaseDatabaseWrapper) -> None:
    statements = postgres_install() if connection.vendor == "postgresql" else sqlite_install()
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def uninstall(connection: BaseDatabaseWrapper) -> None:
    statements = postgres_uninstall() if connection.vendor == "postgresql" else sqlite_uninstall()
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _like(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def matching_ids(vendor: str, words: Sequence[str]) -> tuple[str, list[str]]:
    """SQL selecting the ids of partnerships whose names or text hold every word (as a
    substring, case aside), and its parameters."""
    if vendor == "postgresql":
        conditions = []
        params: list[str] = []
        for word in words:
            # plainto_tsquery of a stop word is empty and matches nothing: the LIKEs still do.
            conditions.append(
                "(names ILIKE %s OR body ILIKE %s OR document @@ plainto_tsquery('english', %s))"
            )
            params += [_like(word), _like(word), word]
        where = " AND ".join(conditions)
        return f"SELECT partnership_id FROM {POSTGRES_TABLE} WHERE {where}", params
    long_words = [word for word in words if len(word) >= TRIGRAM]
    conditions = []
    params = []
    if long_words:
        # Each word a quoted phrase of its trigrams: FTS5 finds it anywhere in either column.
        conditions.append(f"{SQLITE_TABLE} MATCH %s")
        params.append(
            " AND ".join('"' + word[:PHRASE_MAX].replace('"', '""') + '"' for word in long_words)
        )
    for word in words:
        if len(word) < TRIGRAM or len(word) > PHRASE_MAX:
            conditions.append("(names LIKE %s ESCAPE '\\' OR body LIKE %s ESCAPE '\\')")
            params += [_like(word), _like(word)]
    return f"SELECT rowid FROM {SQLITE_TABLE} WHERE {' AND '.join(conditions)}", params


class MatchingIds(RawSQL):
    """`matching_ids` as the right side of `pk__in`, keeping its words: `ids_in_order` finds it
    in a query to walk the same matches in id order."""

    def __init__(self, vendor: str, words: Sequence[str]) -> None:
        self.vendor = vendor
        self.words = tuple(words)
        super().__init__(*matching_ids(vendor, self.words))


# A walk in id order reads the matches a step at a time: two pages' worth first (the other
# filters rarely drop half of them; a short word's LIKE costs in proportion to the matches
# read), then eight times more at each step. After WALK_STEPS steps the rest is the whole
# match, as without the walk.
FIRST_STEP_PAGES = 2
WALK_STEPS = 3


def _match_in(node: WhereNode, pk: object) -> tuple[int, In] | None:
    """Where `pk__in=MatchingIds(...)` is among the AND-ed conditions of `node`."""
    if node.connector != AND or node.negated:
        return None
    for index, child in enumerate(node.children):
        if (
            isinstance(child, In)
            and isinstance(child.rhs, MatchingIds)
            and getattr(child.lhs, "target", None) is pk
        ):
            return index, child
    return None


def ids_in_order(
    queryset: QuerySet, after: int | None, descending: bool, limit: int
) -> list[int] | None:
    """The ids of the first `limit` rows of `queryset` in id order (after the id `after`), when
    its text search can give them sooner than the whole match: on SQLite, the matches are read
    in rowid order (FTS5 walks its index in that order and stops at the LIMIT) a step at a time,
    and the other conditions of `queryset` keep those of each step that they keep. The ids are
    the same as the whole query's: every match not read yet comes after those read.

    None when `queryset` has no text search among its top conditions, or on PostgreSQL (its
    GIN index gives matches in no order): the caller runs the whole query."""
    if connections[queryset.db].vendor != "sqlite":
        return None
    found_match = _match_in(queryset.query.where, queryset.model._meta.pk)
    if found_match is None:
        return None
    index, lookup = found_match
    match: MatchingIds = lookup.rhs
    sql, params = matching_ids("sqlite", match.words)
    direction = "DESC" if descending else "ASC"
    sign = "-" if descending else ""
    found: list[int] = []
    step = FIRST_STEP_PAGES * limit
    for _ in range(WALK_STEPS):
        bound = [] if after is None else [after]
        compare = f" AND rowid {'<' if descending else '>'} %s" if bound else ""
        # This step's matches as a subquery, not a list of ids: a list of thousands would
        # pass SQLite's limit on parameters.
        step_sql = f"{sql}{compare} ORDER BY rowid {direction} LIMIT %s"
        step_params: list[str | int] = [*params, *bound, step]
        # The same conditions, the whole match swapped for this step's matches.
        narrowed = queryset.all()
        where = narrowed.query.where.clone()
        children: list[Any] = where.children
        children[index] = In(lookup.lhs, RawSQL(step_sql, step_params))  # noqa: S611
        narrowed.query.where = where
        found += narrowed.order_by(f"{sign}pk").values_list("pk", flat=True)[: limit - len(found)]
        if len(found) >= limit:
            return found
        # Short: how many matches the step read, and where it ended.
        with connections[queryset.db].cursor() as cursor:
            last = "min" if descending else "max"
            cursor.execute(f"SELECT count(*), {last}(rowid) FROM ({step_sql})", step_params)
            read, end = cursor.fetchone()
        if read < step:
            return found
        after = end
        step *= 8
    rest = queryset.filter(**{f"pk__{'lt' if descending else 'gt'}": after})
    return found + list(
        rest.order_by(f"{sign}pk").values_list("pk", flat=True)[: limit - len(found)]
    )
