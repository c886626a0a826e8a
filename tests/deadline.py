"""A call that must answer in time: run in a thread, a hang fails the test instead of stalling it."""

from __future__ import annotations

import threading


def outcome_within(seconds: float, func, *args, **kwargs) -> dict:
    """``func(*args, **kwargs)`` in a thread that must finish within ``seconds`` (asserted); returns
    ``{"value": …}`` or ``{"error": …}``, whatever it raised, for the test to judge."""
    outcome: dict = {}

    def target():
        try:
            outcome["value"] = func(*args, **kwargs)
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            outcome["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"{getattr(func, '__name__', func)} did not return within {seconds} s (a hang)"
    return outcome
