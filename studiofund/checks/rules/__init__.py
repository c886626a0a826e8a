"""The rules, one concern per module. Importing this package registers them all."""

from . import balance, categories, vouchers  # noqa: F401
