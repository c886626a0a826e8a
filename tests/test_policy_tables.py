"""The policy tables behave as frozen dataclasses: equal and hashed by their fields, shown with
them, and never changed once built (the methods are shared, :class:`studiofund.policy.fields.Frozen`)."""

from __future__ import annotations

import dataclasses
import pickle

import pytest

from studiofund.policy import load_program
from studiofund.policy.detection import Threshold


def test_a_table_is_equal_hashed_and_shown_by_its_fields():
    policy = load_program("shenzhen-city")
    copy = pickle.loads(pickle.dumps(policy))
    assert copy == policy and copy is not policy
    assert dataclasses.replace(policy, asset_threshold=policy.asset_threshold + 1) != policy
    assert policy != "shenzhen-city" and Threshold() != dataclasses.replace(Threshold(), review=1)
    assert hash(Threshold(review=2, error=5)) == hash(Threshold(review=2, error=5))
    assert len({Threshold(), Threshold(), Threshold(error=5)}) == 2
    assert repr(Threshold(review=3, error=4)) == "Threshold(review=3, error=4)"
    assert repr(policy.allocation).startswith("Allocation(clause=")


def test_a_table_cannot_be_changed():
    policy = load_program("shenzhen-city")
    with pytest.raises(dataclasses.FrozenInstanceError):
        policy.asset_threshold = 0
    with pytest.raises(dataclasses.FrozenInstanceError):
        policy.allocation.note = "x"
    with pytest.raises(dataclasses.FrozenInstanceError):
        policy.something_else = 1
    with pytest.raises(dataclasses.FrozenInstanceError):
        del policy.cycle_years
    assert policy.is_permitted(policy.accounts[0].account)  # a cached view is still computed
    with pytest.raises(dataclasses.FrozenInstanceError):
        policy.permitted = frozenset()
