"""A whole load against the emulator (in its own process): wall time, rows, requests, peak
memory of the loader, and the emulator's share of the wall time.

    .venv/bin/python -m benchmarks.pipeline_load                       # 20,000 Spaces
    .venv/bin/python -m benchmarks.pipeline_load --spaces 100000 --users 500000 --creators 5000
"""

from __future__ import annotations

import argparse
import logging
import os
import resource
import tempfile
import time
from pathlib import Path

import duckdb

from benchmarks._emulator import EmulatorProcess
from emulator.ids import NumericIds, Tokens
from pipelines.emulator_tokens import EmulatorTokens
from pipelines.spaces_pipeline import make_pipeline, run_load
from sources.x_spaces import x_spaces

SEED = 42  # the emulator's default
QUERIES = ["tech", "music", "crypto", "programming", "sports", "gaming", "book", "film", "science",
           "election", "founders", "marketing", "night", "live", "talk"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spaces", type=int, default=20_000)
    parser.add_argument("--users", type=int, default=50_000)
    parser.add_argument("--creators", type=int, default=1000, help="most active creators to load by id")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--latency-ms", type=float, default=0.0, help="emulated network round trip")
    args = parser.parse_args()
    os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
    logging.getLogger("sources.x_spaces").setLevel(logging.WARNING)

    # Ids and the app token from the seed alone: a World here would weigh on the loader's memory.
    user_ids = NumericIds(SEED, "user", args.users, 10**8, 10**19)
    creators = [user_ids.id(u) for u in range(args.creators)]
    app_token = Tokens(SEED).app
    with tempfile.TemporaryDirectory() as folder, EmulatorProcess(
            "--spaces", str(args.spaces), "--users", str(args.users), "--latency-ms", str(args.latency_ms)) as emu:
        os.environ["DLT_DATA_DIR"] = str(Path(folder) / "dlt")
        db = Path(folder) / "bench.duckdb"
        pipeline = make_pipeline(db, pipelines_dir=str(Path(folder) / "pipelines"))
        source = x_spaces(queries=QUERIES, creator_ids=creators, base_url=emu.url, bearer_token=app_token,
                          user_tokens=EmulatorTokens(emu.url), concurrency=args.concurrency)
        emu.reset()
        started = time.perf_counter()
        report = run_load(pipeline, source)
        wall = time.perf_counter() - started
        stats = emu.stats()
        with duckdb.connect(str(db), read_only=True) as con:
            requests = con.execute("select requests from x_spaces.loads").fetchone()[0]
    rows = sum(report.rows.values())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    share = stats["serve_seconds"] / wall
    print(f"world: {args.spaces:,} Spaces, {args.users:,} users; {len(QUERIES)} queries, {len(creators):,} creators")
    print(f"load: {wall:.1f} s wall, {requests:,} requests ({requests / wall:,.0f}/s), {rows:,} rows "
          f"({rows / wall:,.0f} rows/s); loader peak RSS {peak:,.0f} MiB")
    print("rows: " + ", ".join(f"{k} {v:,}" for k, v in sorted(report.rows.items())))
    print(f"emulator: {stats['serve_seconds']:.1f} s serving = {share:.0%} of the wall time "
          f"(latency sleeps excluded)")
    for endpoint, seconds in stats["serve_seconds_by_endpoint"].items():
        count = sum(stats["requests"].get(endpoint, {}).values())
        print(f"  {endpoint}: {count:,} requests, {seconds:.1f} s ({seconds / max(count, 1) * 1000:.1f} ms each)")


if __name__ == "__main__":
    main()
