"""Units of work of a load and the pool that runs them.

A task makes requests (each one paid for from the load's budget first) and yields what
it got; the pool runs tasks on worker threads and hands their results back, in arrival
order, to the one thread that turns them into table pages and touches dlt state.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from sources.x_spaces import settings as cfg
from sources.x_spaces._models import Response


class Budget:
    """At most `limit` requests in this load (0: no limit). Thread-safe."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.spent = 0
        self.exhausted = False
        self._lock = threading.Lock()

    def covers(self, requests: int) -> bool:
        """Whether `requests` more calls fit in what is left."""
        with self._lock:
            return not self.limit or self.spent + requests <= self.limit

    def take(self) -> bool:
        with self._lock:
            if self.limit and self.spent >= self.limit:
                self.exhausted = True
                return False
            self.spent += 1
            return True


@dataclass
class Task:
    """`run(budget)` yields Responses; `kind` and `key` say what it is for."""

    kind: str  # search, lookup, creators, buyers, posts
    key: str
    run: Callable[[Budget], Iterator[Any]]
    info: dict[str, Any] = field(default_factory=dict)


@dataclass
class Result:
    task: Task
    response: Response | None = None
    done: bool = False
    error: BaseException | None = None
    info: dict[str, Any] = field(default_factory=dict)  # set by the task at its end


def run_tasks(tasks: list[Task], budget: Budget, workers: int,
              stop: threading.Event) -> Iterator[Result]:
    """Run tasks concurrently; yield each response as it arrives, then a done Result per task."""
    if not tasks:
        return
    results: queue.Queue[Result] = queue.Queue(maxsize=max(4, workers * 4))
    finished = threading.Event()  # this call is over (normally or not): workers stop

    def halted() -> bool:
        return finished.is_set() or stop.is_set()

    def put(result: Result) -> None:
        while not finished.is_set():
            try:
                results.put(result, timeout=0.2)
                return
            except queue.Full:
                continue

    def work(task: Task) -> None:
        info: dict[str, Any] = {}
        try:
            if halted():
                return
            generator = task.run(budget)
            for item in generator:
                if isinstance(item, dict):  # the task's closing info
                    info.update(item)
                    continue
                put(Result(task, response=item))
                if halted():
                    generator.close()
                    break
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer thread
            put(Result(task, done=True, error=exc, info=info))
            return
        put(Result(task, done=True, info=info))

    pending = len(tasks)
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="x-spaces") as pool:
        for task in tasks:
            pool.submit(work, task)
        try:
            while pending:
                try:
                    result = results.get(timeout=0.2)
                except queue.Empty:
                    if stop.is_set():
                        break
                    continue
                if result.done:
                    pending -= 1
                yield result
        finally:
            finished.set()  # consumer gone or finished: let workers exit
            while True:
                try:
                    results.get_nowait()
                except queue.Empty:
                    break


class Ticker:
    """Counts finished tasks; due() every PROGRESS_EVERY seconds, for progress on long phases."""

    def __init__(self) -> None:
        self.done = 0
        self._next = time.monotonic() + cfg.PROGRESS_EVERY

    def due(self) -> bool:
        self.done += 1
        if time.monotonic() < self._next:
            return False
        self._next = time.monotonic() + cfg.PROGRESS_EVERY
        return True


def plural(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else ("es" if noun.endswith("ch") else "s"))
