"""The rules, one concern per module. Importing this package registers them all."""

from . import balance, categories, vouchers  # noqa: F401
from . import sealing  # noqa: F401
from . import allocation, budget, content, disqualification, documents  # noqa: F401
