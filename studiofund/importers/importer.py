"""``beangulp.Importer`` subclasses: the banks for beangulp's CLI and Fava's import page.

An importer identifies a file when the best-fitting layout of all known layouts is one of its
bank's, so exactly one importer claims a file. ``extract`` books every line (the policy comes
from the studio declaration in the existing entries when there are any, so Fava books by the
ledger's own program); ``deduplicate`` marks lines whose ``bank-ref`` the ledger already has.
"""

from __future__ import annotations

import datetime
import functools
import tomllib
from pathlib import Path

import beangulp
from beancount.core import data

from studiofund.ledger.studio import load_studio_policy, parse_studio
from studiofund.policy import PROGRAMS_DIR, PolicyError, validate_table
from studiofund.policy.importing import ImportingPolicy
from studiofund.policy.models import DEDICATED

from .bank import Bank
from .booking import Rules, book_statement
from .layout import BANK_NAMES, GENERIC, Layout, bank_hint, detect_layout
from .plan import account_labels, existing_balances, existing_refs, is_duplicate, missing_opens
from .statement import Statement, read_statement
from .table import StatementError, Table, file_stamp, read_table

BANK_ACCOUNT = DEDICATED


@functools.lru_cache(maxsize=16)
def _cached_table(stamp: tuple[str, int, int]) -> Table:
    return read_table(stamp[0])


def load_table(path: str | Path) -> Table:
    """Read a statement file once per version (identify and extract both need it)."""
    try:
        stamp = file_stamp(path)
    except OSError as exc:
        raise StatementError(path, f"无法读取（{exc.strerror}）；请检查路径。") from None
    return _cached_table(stamp)


def default_importing() -> ImportingPolicy:
    """The bundled ``_import.toml`` (payers, interest and fee words) when no policy is known."""
    path = PROGRAMS_DIR / "_import.toml"
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    return validate_table(ImportingPolicy, raw.get("importing", {}), path)


def policy_from_entries(entries: list[data.Directive]):
    """The policy of the studio declared in ``entries``, or None."""
    studio, _ = parse_studio(entries)
    if studio is None:
        return None
    try:
        return load_studio_policy(studio)
    except PolicyError:
        return None


class StatementImporter(beangulp.Importer):
    """The statements of one bank (all of its layouts) on the dedicated account."""

    def __init__(self, bank: Bank, *, policy=None, account: str = BANK_ACCOUNT,
                 candidates: list[Layout] | None = None):
        self.bank = bank
        self.policy = policy
        self.account_name = account
        self.candidates = list(candidates) if candidates else list(bank.layouts)
        for layout in bank.layouts:
            if layout not in self.candidates:
                self.candidates.append(layout)

    #: Banks whose title rows can claim a statement that only the common headers read.
    known_banks = frozenset(BANK_NAMES)

    @property
    def name(self) -> str:
        return f"studiofund.{self.bank.id}"

    # -- beangulp API --------------------------------------------------------------------------
    def identify(self, filepath: str) -> bool:
        """A file is this bank's when its best-fitting layout is one of the bank's, or — read by
        the common headers alone — when its title names this bank (the generic importer takes
        what no bank's title claims)."""
        try:
            sheets = load_table(filepath).sheets
            for rows in sheets:
                match = detect_layout(self.candidates, rows)
                if match is None:
                    continue
                if match.layout.columns:
                    return match.layout in self.bank.layouts
                hint = bank_hint(rows, match.header_rows[0])
                owner = hint if hint in self.known_banks else GENERIC.id
                return self.bank.id == owner
        except Exception:  # identify must never fail: Fava calls it on every downloaded file
            return False
        return False

    def account(self, filepath: str) -> str:
        return self.account_name

    def date(self, filepath: str) -> datetime.date | None:
        try:
            return self.statement(filepath).last_date
        except StatementError:
            return None

    def filename(self, filepath: str) -> str | None:
        try:
            st = self.statement(filepath)
        except StatementError:
            return None
        suffix = Path(filepath).suffix.lower() or ".csv"
        return f"{self.bank.id}-{st.first_date}-{st.last_date}{suffix}"

    def extract(self, filepath: str, existing: data.Entries) -> data.Entries:
        """Every line of the file, its closing balance, and — when the existing ledger is known —
        the ``open`` of accounts it lacks (the holding and fee accounts)."""
        rules, policy = self.rules(existing)
        entries = book_statement(self.statement(filepath), rules)
        if existing:
            entries = missing_opens(entries, list(existing), account_labels(policy, rules.importing)) + entries
        return entries

    def deduplicate(self, entries: data.Entries, existing: data.Entries) -> None:
        """Mark entries whose ``bank-ref`` (or balance) the ledger already has."""
        refs, balances = existing_refs(existing), existing_balances(existing)
        for entry in entries:
            if is_duplicate(entry, refs, balances):
                entry.meta[beangulp.extract.DUPLICATE] = True

    # -- helpers -------------------------------------------------------------------------------
    def statement(self, filepath: str) -> Statement:
        """The parsed statement; raises :class:`StatementError`."""
        layouts = list(self.bank.layouts) + ([] if GENERIC in self.bank.layouts else [GENERIC])
        label = None if self.bank.id == GENERIC.id else self.bank.label
        return read_statement(filepath, layouts, table=load_table(filepath), bank_label=label)

    def rules(self, existing: data.Entries | None = None) -> tuple[Rules, object]:
        """The booking rules and the policy they come from (the ledger's, the importer's, or
        just the bundled payer and fee patterns)."""
        policy = policy_from_entries(list(existing)) if existing else None
        policy = policy or self.policy
        if policy is not None:
            return Rules.from_policy(policy, self.account_name), policy
        return Rules(default_importing(), (), self.account_name), None
