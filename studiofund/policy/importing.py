"""The importing section of a policy: how bank lines are booked (grant payers, categories)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ImportingPolicy(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)
