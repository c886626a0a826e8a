"""The runner of per-ledger steps: the local pool hands out calls a few at a time and every
call's result still arrives once, under its own tag."""

from __future__ import annotations

from studiofund.reports import runner


def square(n: int) -> dict:
    return {"n": n * n}


def test_the_pool_returns_every_result_under_its_tag():
    calls = [(f"tag{i}", {"n": i}) for i in range(37)]
    seen: dict = {}

    def on_result(tag, result):
        assert tag not in seen
        seen[tag] = result

    runner.run(square, calls, on_result, jobs=2)
    assert seen == {f"tag{i}": {"n": i * i} for i in range(37)}


def test_chunks_are_consecutive_bounded_and_spread_over_the_workers():
    calls = [(i, {}) for i in range(10_000)]
    chunks = runner.chunks(calls, 2)
    assert [c for chunk in chunks for c in chunk] == calls
    assert max(len(chunk) for chunk in chunks) == runner.CHUNK
    few = [(i, {}) for i in range(10)]
    assert [len(chunk) for chunk in runner.chunks(few, 2)] == [1] * 10  # a small run: one call a task
    assert len(runner.chunks([(i, {}) for i in range(40)], 2)) >= 2 * runner.TASKS_PER_WORKER
