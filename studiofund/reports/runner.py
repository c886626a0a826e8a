"""Running the per-ledger step of a consolidation or an export: in this process, on a local
process pool (the default, one process a core), or on a Dask distributed cluster.

The step is a plain module-level function returning a small picklable dict; results arrive in
completion order through ``on_result(tag, result)``. Whatever ``on_result`` stores survives an
interruption (Ctrl-C): running steps finish and store their results, queued ones are dropped.
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
    pool = ProcessPoolExecutor(max_workers=min(jobs, len(calls)), mp_context=_context(),
                               initializer=_ignore_interrupt)
    try:
        futures = {pool.submit(step, **kwargs): tag for tag, kwargs in calls}
        for future in as_completed(futures):
            # drop our reference at once: a finished future holds its whole result
            on_result(futures.pop(future), future.result())
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


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
