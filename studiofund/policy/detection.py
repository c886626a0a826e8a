"""The detection section of a policy: patterns of the content rules (三公经费, 个人消费,
学校公用经费). Filled in by the compliance-checks work; kept permissive until then."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class DetectionPolicy(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)
