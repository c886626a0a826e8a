"""Year-end reports: the usage report of one studio (经费使用情况表), the bureau's consolidation,
and their renderings (terminal table, CSV, XLSX)."""

from .usage import UsageReport, build_cycle, build_report  # noqa: F401
