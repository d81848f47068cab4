"""The SQL models in `sql/`: found on disk, ordered by the tables their SQL reads, built as
views into the pipeline's DuckDB file, and checked by the data tests.

    sql/staging/stg_spaces.sql   -> view staging.stg_spaces
    sql/marts/space_sessions.sql -> view analytics.space_sessions
    sql/tests/*.sql              -> queries returning offending rows (none = pass)

The build order is not kept anywhere: each file is parsed with sqlglot (DuckDB dialect),
every table it reads outside its own CTEs is collected, and the models are sorted
topologically on those references. Raw tables (`x_spaces.*`) must already exist.

    project = Project.load()            # or Project.load(Path("sql"))
    with duckdb.connect(path) as con:
        built = build(con, project)     # raises ModelError naming the model that failed
        failures = run_tests(con, project)
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import duckdb
import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"
RAW_SCHEMA = "x_spaces"
# Folder under sql/ -> the schema its models are built in.
LAYERS = {"staging": "staging", "marts": "analytics"}
TESTS_FOLDER = "tests"
DIALECT = "duckdb"


class ModelError(Exception):
    """A model or test that cannot be read, ordered or built; the message is one line and
    names the file."""


@dataclass
class Model:
    schema: str
    name: str
    path: Path
    sql: str
    refs: set[str] = field(default_factory=set)  # "schema.table" read by the SQL

    @property
    def relation(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass
class DataTest:
    name: str
    path: Path
    sql: str
    refs: set[str] = field(default_factory=set)


@dataclass
class TestResult:
    test: DataTest
    count: int
    sample: list[tuple]
    error: str | None = None

    @property
    def passed(self) -> bool:
        return self.error is None and self.count == 0


@dataclass
class Project:
    root: Path
    models: list[Model]  # in build order
    tests: list[DataTest]

    @classmethod
    def load(cls, root: Path | str | None = None, with_tests: bool = True) -> Project:
        """The models under `root` (default: the project's sql/) in build order, and the
        data tests unless `with_tests` is false (a broken test then blocks nothing)."""
        root = Path(root) if root is not None else SQL_DIR
        if not root.is_dir():
            raise ModelError(f"{root} is not a directory of SQL models")
        models = []
        for folder, schema in LAYERS.items():
            for path in sorted((root / folder).glob("*.sql")):
                sql = _read(path)
                models.append(Model(schema, path.stem, path, sql, table_refs(sql, path)))
        if not models:
            raise ModelError(f"{root} has no models (sql files under {', '.join(LAYERS)}/)")
        tests = []
        for path in sorted((root / TESTS_FOLDER).glob("*.sql")) if with_tests else []:
            sql = _read(path)
            tests.append(DataTest(path.stem, path, sql, table_refs(sql, path)))
        ordered = build_order(models)
        _check_test_refs(tests, {m.relation for m in models})
        return cls(root, ordered, tests)

    def model(self, relation: str) -> Model:
        for model in self.models:
            if model.relation == relation:
                return model
        raise KeyError(relation)


def _read(path: Path) -> str:
    # Leading lines are kept, so DuckDB's and sqlglot's line numbers are the file's.
    text = re.sub(r"[\s;]*$", "", path.read_text(encoding="utf-8"))  # no trailing semicolon
    if not text.strip():
        raise ModelError(f"{_rel(path)} is empty")
    return text


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def table_refs(sql: str, path: Path) -> set[str]:
    """The qualified tables ("schema.name") a query reads, CTEs left out. Every table must
    be qualified with its schema (x_spaces, staging, analytics): an unqualified name that
    is not a CTE of the query is an error."""
    try:
        statements = [s for s in sqlglot.parse(sql, read=DIALECT) if s is not None]
    except SqlglotError as exc:
        raise ModelError(f"{_rel(path)} does not parse: {_one_line(exc)}") from None
    if len(statements) != 1 or not isinstance(statements[0], exp.Query):
        raise ModelError(f"{_rel(path)} must hold exactly one select query")
    tree = statements[0]
    ctes = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
    refs: set[str] = set()
    for table in tree.find_all(exp.Table):
        name = table.name
        if not name or isinstance(table.this, exp.Func):  # table functions: range(), unnest()
            continue
        schema = table.db
        if not schema:
            if name.lower() in ctes:
                continue
            raise ModelError(
                f"{_rel(path)} reads {name!r}, which is neither one of its CTEs nor qualified "
                f"with a schema ({RAW_SCHEMA}.{name}, staging.{name} or analytics.{name})")
        refs.add(f"{schema}.{name}".lower())
    return refs


def build_order(models: Iterable[Model]) -> list[Model]:
    """Models sorted so that every model comes after the models it reads."""
    models = list(models)
    by_relation: dict[str, Model] = {}
    for model in models:
        if model.relation in by_relation:
            raise ModelError(f"{_rel(model.path)} and {_rel(by_relation[model.relation].path)} "
                             f"both define {model.relation}")
        by_relation[model.relation] = model
    graph: dict[str, set[str]] = {}
    for model in models:
        deps = set()
        for ref in sorted(model.refs):
            schema = ref.split(".", 1)[0]
            if schema == RAW_SCHEMA:
                continue
            if ref not in by_relation:
                raise ModelError(f"model {model.relation} ({_rel(model.path)}) reads {ref}, "
                                 f"which no model defines")
            deps.add(ref)
        graph[model.relation] = deps
    sorter = TopologicalSorter(graph)
    try:
        sorter.prepare()
    except CycleError as exc:
        cycle = exc.args[1]
        raise ModelError("models read each other in a cycle: " + " -> ".join(cycle)) from None
    order: list[str] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready())  # stable: alphabetical among models ready together
        order.extend(ready)
        sorter.done(*ready)
    return [by_relation[r] for r in order]


def _check_test_refs(tests: list[DataTest], relations: set[str]) -> None:
    for test in tests:
        for ref in sorted(test.refs):
            if ref.split(".", 1)[0] != RAW_SCHEMA and ref not in relations:
                raise ModelError(f"test {test.name} ({_rel(test.path)}) reads {ref}, which no model defines")


def _rel(path: Path) -> str:
    """sql/marts/space_sessions.sql -> marts/space_sessions.sql"""
    return f"{path.parent.name}/{path.name}"


def _duckdb_message(exc: Exception) -> str:
    # DuckDB errors carry "LINE n: ..." context and a caret line after the message.
    lines = [line for line in str(exc).splitlines() if line.strip()]
    head = lines[0] if lines else type(exc).__name__
    for line in lines[1:]:
        if line.startswith("LINE "):
            head += f" ({line.split(':', 1)[0].lower()})"
            break
    return _one_line(head)


def check_raw(con: duckdb.DuckDBPyConnection, project: Project) -> None:
    """Every raw table the models read exists (a fresh file, or the wrong one, says so),
    and no schema the models use has the name of the file's catalog."""
    catalog = con.execute("select current_database()").fetchone()[0]
    schemas = {RAW_SCHEMA, *(m.schema for m in project.models)}
    if catalog.lower() in schemas:
        raise ModelError(
            f"the DuckDB file is named {catalog}.duckdb, like the schema {catalog}: DuckDB cannot "
            f"tell {catalog}.<table> from a table of the catalog {catalog}; rename the file")
    rows = con.execute(
        "select lower(table_schema || '.' || table_name) from information_schema.tables "
        "where table_catalog = current_database()").fetchall()
    existing = {r[0] for r in rows}
    if not any(name.startswith(RAW_SCHEMA + ".") for name in existing):
        raise ModelError(f"no {RAW_SCHEMA} dataset in this DuckDB file: run `x-spaces load` first")
    for model in project.models:
        missing = sorted(r for r in model.refs if r.startswith(RAW_SCHEMA + ".") and r not in existing)
        if missing:
            raise ModelError(f"model {model.relation} ({_rel(model.path)}) failed: "
                             f"{', '.join(missing)} does not exist in this DuckDB file")


def build(con: duckdb.DuckDBPyConnection, project: Project) -> list[Model]:
    """Create or replace every model as a view, in dependency order, in one transaction:
    a failing model leaves the file as it was and raises ModelError naming it."""
    check_raw(con, project)
    con.execute("begin transaction")
    try:
        for schema in dict.fromkeys(m.schema for m in project.models):
            con.execute(f"create schema if not exists {schema}")
        for model in project.models:
            try:
                con.execute(f"create or replace view {model.relation} as {model.sql}\n")
            except duckdb.Error as exc:
                raise ModelError(f"model {model.relation} ({_rel(model.path)}) failed: "
                                 f"{_duckdb_message(exc)}") from None
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("commit")
    return project.models


def run_tests(con: duckdb.DuckDBPyConnection, project: Project, sample: int = 5) -> list[TestResult]:
    """Run every data test; a test passes when its query returns no rows."""
    results = []
    for test in project.tests:
        try:
            # the test's first line stays line 1, so DuckDB's line numbers are the file's
            count = con.execute(f"select count(*) from ({test.sql}\n) as offending").fetchone()[0]
            rows = con.execute(f"select * from ({test.sql}\n) as offending limit {sample}").fetchall() \
                if count else []
            results.append(TestResult(test, int(count), rows))
        except duckdb.Error as exc:
            results.append(TestResult(test, 0, [], _duckdb_message(exc)))
    return results
