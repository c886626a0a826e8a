"""A command that rewrites an entry (record --complete, correct) turns the writer's refusals — a
sealed year, a text that would not load — into its usage error, which the CLI prints in Chinese
with exit code 2, instead of a traceback."""

from __future__ import annotations

import pytest

from studiofund.booking.accounts import BookingUsageError
from studiofund.booking.record import refusals_as_usage_errors
from studiofund.ledger.writer import LedgerWouldNotLoad, SealedYearError


def test_a_sealed_year_is_a_usage_error_with_the_writers_words():
    with pytest.raises(BookingUsageError, match="^2020 年度已封账"):
        with refusals_as_usage_errors("补全"):
            raise SealedYearError("2020 年度已封账")


def test_a_text_that_would_not_load_is_a_usage_error_naming_what_was_done():
    with pytest.raises(BookingUsageError, match="^整改后账簿将无法正确加载：余额断言不符$"):
        with refusals_as_usage_errors("整改"):
            raise LedgerWouldNotLoad("余额断言不符", [])


def test_anything_else_passes_through():
    with pytest.raises(KeyError):
        with refusals_as_usage_errors("补全"):
            raise KeyError("x")
