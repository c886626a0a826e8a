"""Running the per-ledger step of a consolidation or an export: in this process, on a local
process pool (the default, one process a core), or on a Dask distributed cluster.

The step is a plain module-level function returning a small picklable dict; results arrive in
completion order through ``on_result(tag, result)``. Whatever ``on_result`` stores survives an
interruption (Ctrl-C): running steps finish and store their results, queued ones are dropped.

The local pool hands its workers a few calls at a time (:func:`chunks`), not one: each task
costs the main process a future, a wake-up of its waiting thread and a pickled round trip.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any

INSTALL_HINT = "pip install 'studiofund[cluster]'"
CONNECT_TIMEOUT = "15s"

Call = tuple[Any, dict[str, Any]]  # (tag, keyword arguments of the step)

#: calls a task of the local pool at most: 8 ledgers of ~50 ms leave at most 0.4 s of one core
#: idle at the end of a run, and the tasks of 10,000 ledgers drop from 10,000 to 1,250
CHUNK = 8
#: tasks a worker at least (a small run is still spread over every core)
TASKS_PER_WORKER = 4


class SchedulerError(Exception):
    """The Dask cluster cannot be used (not installed, not reachable); message in Chinese."""


def run(step: Callable[..., dict[str, Any]], calls: Sequence[Call], on_result: Callable[[Any, dict], None], *,
        jobs: int | None = None, scheduler: str | None = None, preload: Callable[[], None] | None = None) -> None:
    """Run ``step(**kwargs)`` for every call."""
    if scheduler:
        _run_dask(step, calls, on_result, scheduler)
        return
    jobs = jobs or os.cpu_count() or 1
    if len(calls) <= 1 or jobs == 1:
        for tag, kwargs in calls:
            on_result(tag, step(**kwargs))
        return
    if preload is not None:
        preload()  # imported once before forking: every worker shares it
    workers = min(jobs, len(calls))
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=_context(), initializer=_ignore_interrupt)
    try:
        futures = {pool.submit(_run_steps, step, [kwargs for _, kwargs in chunk]): [tag for tag, _ in chunk]
                   for chunk in chunks(calls, workers)}
        for future in as_completed(futures):
            # drop our reference at once: a finished future holds its whole result
            for tag, result in zip(futures.pop(future), future.result()):
                on_result(tag, result)
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def chunks(calls: Sequence[Call], workers: int) -> list[Sequence[Call]]:
    """``calls`` in consecutive runs of at most :data:`CHUNK`, at least
    :data:`TASKS_PER_WORKER` runs a worker when there are calls enough."""
    size = max(1, min(CHUNK, len(calls) // (workers * TASKS_PER_WORKER)))
    return [calls[i:i + size] for i in range(0, len(calls), size)]


def _run_steps(step: Callable[..., dict[str, Any]], calls: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One task of the local pool: the step of each call, in order."""
    return [step(**kwargs) for kwargs in calls]


def _context():
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else methods[0])


def _ignore_interrupt() -> None:
    """Workers leave Ctrl-C to the main process, which stops handing out work."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def dask_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("distributed") is not None


def _run_dask(step, calls: Sequence[Call], on_result, scheduler: str) -> None:
    if not dask_available():
        raise SchedulerError(f"--scheduler 需要 Dask distributed，当前环境未安装；请运行 {INSTALL_HINT}。")
    from distributed import Client
    from distributed import as_completed as dask_completed

    try:
        client = Client(scheduler, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise SchedulerError(f"无法连接 Dask 调度器 {scheduler}（{exc}）；请确认 `dask scheduler` 已启动、"
                             "地址和端口正确。") from None
    try:
        run_id = uuid.uuid4().hex[:8]
        tags: dict[str, Any] = {}
        futures = []
        for n, (tag, kwargs) in enumerate(calls):
            key = f"studiofund-{run_id}-{n}"
            tags[key] = tag
            futures.append(client.submit(step, key=key, pure=False, **kwargs))
        for future in dask_completed(futures, loop=client.loop):
            result = future.result()
            on_result(tags.pop(future.key), result)
            future.release()
    finally:
        client.close()
