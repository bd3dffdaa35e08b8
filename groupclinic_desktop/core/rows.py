"""Single rows written and read on the driver's own connection, inside one write transaction.

Check-in saves a value every few seconds, and the ORM's unit of work spent about 5 ms a save on
three small rows. Here each statement goes straight to the SQLCipher cursor (tens of
microseconds), while every value still passes through SQLAlchemy's own bind and result
processors for its column, so a row is stored and read exactly as the ORM stores and reads it.
"""

from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import JSON, Engine, Table
from sqlalchemy.engine import Dialect
from sqlmodel import SQLModel

from groupclinic_desktop.core.text_checks import has_nul, refuse_nul

_Processor = Any  # a column type's bind or result processor, or None when values pass as they are


class _Statements:
    """The SQL text and per-column processors for a table, worked out once per dialect."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self._binds: dict[tuple[str, str], _Processor] = {}
        self._results: dict[tuple[str, str], _Processor] = {}
        self._row_binds: dict[tuple[str, tuple[str, ...]], list[_Processor]] = {}
        self._sql: dict[tuple[str, ...], str] = {}

    def sql(self, key: tuple[str, ...], build: Callable[[], str]) -> str:
        """A statement's text, built once per shape: check-in writes the same few again."""
        found = self._sql.get(key)
        if found is None:
            found = self._sql[key] = build()
        return found

    def bind(self, table: Table, name: str) -> _Processor:
        key = (table.name, name)
        if key not in self._binds:
            column_type = table.c[name].type
            self._binds[key] = column_type.dialect_impl(self.dialect).bind_processor(self.dialect)
        return self._binds[key]

    def binds(self, table: Table, names: tuple[str, ...]) -> list[_Processor]:
        """The bind processors of these columns, in order: one look-up for a whole row."""
        key = (table.name, names)
        found = self._row_binds.get(key)
        if found is None:
            found = self._row_binds[key] = [self.bind(table, name) for name in names]
        return found

    def result(self, table: Table, name: str) -> _Processor:
        key = (table.name, name)
        if key not in self._results:
            column_type = table.c[name].type
            impl = column_type.dialect_impl(self.dialect)
            self._results[key] = impl.result_processor(self.dialect, None)
        return self._results[key]


_statements: dict[int, _Statements] = {}


def _for(dialect: Dialect) -> _Statements:
    found = _statements.get(id(dialect))
    if found is None or found.dialect is not dialect:
        found = _statements[id(dialect)] = _Statements(dialect)
    return found


def table_of(model: type[SQLModel]) -> Table:
    """The table of a SQLModel table class (SQLModel sets `__table__` on those, untyped)."""
    table: Table = model.__table__  # type: ignore[attr-defined]
    return table


class Rows:
    """Inserts, updates and look-ups of whole or partial rows in the open write transaction.

    Table and column names come from the models and the callers' constants, never from input;
    every value goes as a parameter."""

    def __init__(self, connection: Any, dialect: Dialect) -> None:
        self._cursor = connection.cursor()
        self._statements = _for(dialect)

    def _bound(self, table: Table, values: dict[str, Any]) -> list[Any]:
        for name, value in values.items():
            if has_nul(value):
                refuse_nul(value, name.replace("_", " ").capitalize())
        processors = self._statements.binds(table, tuple(values))
        return [
            value if process is None else process(value)
            for process, value in zip(processors, values.values(), strict=True)
        ]

    def bound(self, model: type[SQLModel], column: str, value: Any) -> Any:
        """A value as its column stores it (through the column's bind processor)."""
        process = self._statements.bind(table_of(model), column)
        return value if process is None else process(value)

    def insert(self, model: type[SQLModel], values: dict[str, Any]) -> int:
        """Insert one row; returns its new id."""
        table = table_of(model)
        names = tuple(values)

        def build() -> str:
            marks = ", ".join("?" for _ in names)
            return f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({marks})"

        sql = self._statements.sql(("insert", table.name, *names), build)
        self._cursor.execute(sql, self._bound(table, values))
        return int(self._cursor.lastrowid)

    def insert_many(
        self,
        model: type[SQLModel],
        names: tuple[str, ...],
        rows: Sequence[Sequence[Any]],
        *,
        ready: Collection[str] = (),
    ) -> None:
        """Insert many rows of the same columns in one statement run (a bulk import): each
        value through its column's bind processor, as insert() does, without SQLAlchemy's
        per-row statement work. The values are checked already (a cohort file's cells are
        refused with any NUL in them, core.cohort.check). Columns named in `ready` hold values
        in the driver's form already (a JSON column's text) and pass as they are."""
        table = table_of(model)

        def build() -> str:
            marks = ", ".join("?" for _ in names)
            return f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({marks})"

        sql = self._statements.sql(("insert", table.name, *names), build)
        # Column by column: one processor over a whole column, not a loop of calls per row.
        columns = [list(column) for column in zip(*rows, strict=True)]
        binds = self._statements.binds(table, names)
        for index, (name, process) in enumerate(zip(names, binds, strict=True)):
            if process is not None and name not in ready:
                columns[index] = _bound_column(process, columns[index], _repeats(table, name))
        self._cursor.executemany(sql, list(zip(*columns, strict=True)))

    def update(self, model: type[SQLModel], where: dict[str, Any], values: dict[str, Any]) -> int:
        """Change the given columns of the rows matching `where`; returns how many changed."""
        table = table_of(model)
        names, tested = tuple(values), tuple(where)

        def build() -> str:
            changes = ", ".join(f"{name} = ?" for name in names)
            return f"UPDATE {table.name} SET {changes} WHERE {_tests(tested)}"

        sql = self._statements.sql(("update", table.name, *names, "where", *tested), build)
        self._cursor.execute(sql, self._bound(table, values) + self._bound(table, where))
        return int(self._cursor.rowcount)

    def whole(self, model: type[SQLModel], row_id: int) -> dict[str, Any] | None:
        """Every column of the row with this id, or None."""
        return self.first(model, list(table_of(model).c.keys()), {"id": row_id})

    def first(
        self,
        model: type[SQLModel],
        columns: Sequence[str],
        where: dict[str, Any],
        *,
        newest_by: Sequence[str] = (),
    ) -> dict[str, Any] | None:
        """The first row matching `where` (the newest by `newest_by` if given), as
        {column: value} with the ORM's own conversions, or None."""
        table = table_of(model)
        # A None in `where` tests "IS NULL" (a voided value, say), which `= ?` never matches.
        nulls = tuple(name for name, value in where.items() if value is None)
        if nulls:
            where = {name: value for name, value in where.items() if value is not None}
        tested = tuple(where)

        def build() -> str:
            order = f" ORDER BY {', '.join(f'{n} DESC' for n in newest_by)}" if newest_by else ""
            tests = " AND ".join([_tests(tested), *(f"{name} IS NULL" for name in nulls)])
            return (
                f"SELECT {', '.join(columns)} FROM {table.name} WHERE {tests}{order}"
                " LIMIT 1"
            )

        key = ("select", table.name, *columns, "where", *tested, "null", *nulls, "newest",
               *newest_by)
        sql = self._statements.sql(key, build)
        found = self._cursor.execute(sql, self._bound(table, where)).fetchone()
        if found is None:
            return None
        row = {}
        for name, value in zip(columns, found, strict=True):
            process = self._statements.result(table, name)
            row[name] = value if process is None else process(value)
        return row


def _repeats(table: Table, name: str) -> bool:
    """Whether a column's values repeat across a bulk write (times, dates, codes: worth
    remembering each one's bound form); a JSON document seldom does and cannot be a key."""
    return not isinstance(table.c[name].type, JSON)


def _bound_column(process: Callable[[Any], Any], values: list[Any], repeats: bool) -> list[Any]:
    """One column's values through its bind processor. Where values repeat (an import's rows
    share one time of writing and a few dates; the datetime processor costs microseconds a
    value) each distinct value is worked out once, when the column holds one type besides
    None, so that equal values of different types (1 and True, a str and its enum) never
    share a result."""
    if repeats:
        try:
            distinct = set(values)
        except TypeError:  # not hashable: each is worked out
            distinct = None
        if distinct is not None and len({type(v) for v in distinct} - {type(None)}) <= 1:
            bound = {value: process(value) for value in distinct}
            return [bound[value] for value in values]
    return list(map(process, values))


def _tests(names: tuple[str, ...]) -> str:
    return " AND ".join(f"{name} = ?" for name in names) or "1"


@contextmanager
def write(engine: Engine) -> Iterator[Rows]:
    """One durable transaction (BEGIN IMMEDIATE ... COMMIT) on a pooled connection.

    Driver errors come out as SQLAlchemy's own exception types, as from the ORM's transactions,
    with their parameters hidden (they may hold patient data)."""
    from sqlalchemy.exc import DBAPIError

    pooled = engine.raw_connection()
    connection = pooled.driver_connection
    assert connection is not None  # a fresh checkout always holds its driver connection
    dbapi = engine.dialect.dbapi
    try:
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield Rows(connection, engine.dialect)
            connection.execute("COMMIT")
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise
    except dbapi.Error as exc:  # type: ignore[union-attr]
        raise DBAPIError.instance(
            None, None, exc, dbapi.Error, hide_parameters=True  # type: ignore[union-attr]
        ) from exc
    finally:
        pooled.close()
