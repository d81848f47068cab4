"""How to keep the Spaces' lists (hosts, speakers, invited users, topics): measured.

A) what x_spaces does: list columns on `spaces` (Arrow lists, JSON in DuckDB) behind
   views that unnest them; a merged row replaces its lists with it.
B) dlt nested tables (spaces__host_ids, ...) under merge/delete-insert, which replaces a
   merged parent's children; rows yielded as dicts, so dlt's normalizer unpacks lists.

For each: the first load of N Spaces, a second load that merges 10% of them with changed
(some emptied) lists, and a query counting hosts and speakers per Space.

    .venv/bin/python -m benchmarks.list_storage --spaces 50000
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from pathlib import Path

import dlt
import duckdb
import pyarrow as pa

LISTS = ("host_ids", "speaker_ids", "invited_user_ids", "topic_ids")
SCHEMA = pa.schema([("id", pa.string()), ("title", pa.string()), ("participant_count", pa.int64()),
                    *((name, pa.list_(pa.string())) for name in LISTS)])


def spaces(n: int, seed: int, changed: float = 1.0) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        if rng.random() > changed:
            continue
        out.append({
            "id": f"1S{i:011d}", "title": f"Space {i}", "participant_count": rng.randint(0, 5000),
            "host_ids": [str(rng.randrange(10**9)) for _ in range(rng.randint(1, 4))],
            "speaker_ids": [str(rng.randrange(10**9)) for _ in range(rng.choice((0, 0, 2, 5, 8)))],
            "invited_user_ids": [str(rng.randrange(10**9)) for _ in range(rng.randint(0, 4))],
            "topic_ids": [str(rng.randrange(40)) for _ in range(rng.randint(0, 3))],
        })
    return out


def load(folder: Path, name: str, rows: list[dict], as_arrow: bool) -> float:
    @dlt.resource(name="spaces", primary_key="id",
                  write_disposition={"disposition": "merge", "strategy": "delete-insert"})
    def resource():
        for start in range(0, len(rows), 5000):
            chunk = rows[start:start + 5000]
            yield pa.Table.from_pylist(chunk, schema=SCHEMA) if as_arrow else chunk

    pipeline = dlt.pipeline(name, destination=dlt.destinations.duckdb(
        str(folder / f"{name}.duckdb"), preferred_loader_file_format="parquet"),
        dataset_name="bench", pipelines_dir=str(folder / "pipelines"))
    started = time.perf_counter()
    pipeline.run(resource())
    return time.perf_counter() - started


QUERY_A = """
    with hosts as (
        select s.id as space_id, l.user_id from bench.spaces s,
        unnest(cast(s.host_ids as varchar[])) with ordinality as l(user_id, position)),
    speakers as (
        select s.id as space_id, l.user_id from bench.spaces s,
        unnest(cast(s.speaker_ids as varchar[])) with ordinality as l(user_id, position)),
    h as (select space_id, count(*) as n from hosts group by 1),
    k as (select space_id, count(*) as n from speakers group by 1)
    select count(*), sum(coalesce(h.n, 0)), sum(coalesce(k.n, 0))
    from bench.spaces s left join h on h.space_id = s.id left join k on k.space_id = s.id
"""
QUERY_B = """
    with h as (select _dlt_parent_id, count(*) as n from bench.spaces__host_ids group by 1),
    k as (select _dlt_parent_id, count(*) as n from bench.spaces__speaker_ids group by 1)
    select count(*), sum(coalesce(h.n, 0)), sum(coalesce(k.n, 0))
    from bench.spaces s left join h on h._dlt_parent_id = s._dlt_id left join k on k._dlt_parent_id = s._dlt_id
"""


def query(path: Path, sql: str) -> tuple[float, tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        started = time.perf_counter()
        result = con.execute(sql).fetchone()
        return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spaces", type=int, default=50_000)
    args = parser.parse_args()
    os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
    first = spaces(args.spaces, seed=1)
    second = spaces(args.spaces, seed=2, changed=0.1)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        os.environ["DLT_DATA_DIR"] = str(folder / "dlt")
        results = {}
        for label, name, as_arrow, sql in (("A list columns + views", "lists", True, QUERY_A),
                                           ("B dlt nested tables", "nested", False, QUERY_B)):
            t1 = load(folder, name, first, as_arrow)
            t2 = load(folder, name, second, as_arrow)
            tq, answer = query(folder / f"{name}.duckdb", sql)
            size = (folder / f"{name}.duckdb").stat().st_size / 2**20
            results[label] = answer
            print(f"{label}: first load {t1:.1f} s, merge of 10% {t2:.1f} s, "
                  f"hosts+speakers per Space {tq * 1000:.0f} ms, file {size:.0f} MiB")
        a, b = results.values()
        print(f"same answer both ways: {a == b} {a}")


if __name__ == "__main__":
    main()
