"""The Beancount plugin: ``plugin "studiofund.plugin"`` in a studio ledger.

It reads the studio declaration, loads its program's policy, runs every rule and returns the
findings as ordinary Beancount errors, so ``bean-check``, Fava and ``studiofund check`` all see
the same findings. It never changes the entries.

The findings rest on more than the ledger's own files: on the policy (the bundled program or the
bureau's ``policy:`` file, with their TOML includes) and on this package's code. Beancount's
loader caches a load — findings included — in ``.NAME.picklecache`` beside the ledger and trusts
it while the files of ``options_map["include"]`` keep their size and modification time; Fava
watches the same list to reload. So the plugin adds those files to the list (:func:`rests_on`):
the policy files it read, and this module's own file, which an install or upgrade of studiofund
writes anew. A policy edit (or an upgrade) then invalidates the cache and makes Fava reload,
without touching the ledger.
"""

from __future__ import annotations

from pathlib import Path

from studiofund.checks.framework import run_checks
from studiofund.checks.words import BUNDLED as WORD_DICTIONARY
from studiofund.ledger.directives import read_directives
from studiofund.ledger.studio import StudioConfigError, load_studio_policy
from studiofund.policy import PROGRAMS_DIR, PolicyError, policy_files

__plugins__ = ("check_studio",)

#: The code stamp: rewritten by every install or upgrade of the package.
CODE_STAMP = str(Path(__file__).resolve())
#: The word segmentation's dictionary (policy data beside the bundled programs, read by the
#: content rules): an edit of it alone must also change the findings.
WORD_STAMP = str(WORD_DICTIONARY)


def check_studio(entries, options_map, config=None):
    directives = read_directives(entries)
    studio, errors = directives.studio, list(directives.studio_errors)
    if studio is None:
        return entries, errors
    try:
        policy = load_studio_policy(studio)
    except PolicyError as exc:
        rests_on(options_map, studio, exc)
        return entries, errors + [StudioConfigError(studio.meta, f"{exc}", None)]
    rests_on(options_map, studio)
    findings = run_checks(entries, options_map, studio, policy, directives=directives)
    return entries, errors + findings


def rests_on(options_map, studio, failure: PolicyError | None = None) -> None:
    """Add what the findings rest on besides the ledger — the policy files read (or the file
    that failed to load), the word dictionary and the code stamp — to ``options_map["include"]``."""
    path = studio.policy_file or PROGRAMS_DIR / f"{studio.program}.toml"
    if failure is not None and failure.file:
        path = Path(failure.file)
    files = [str(p) for p in policy_files(path) if p.is_file()]
    included = options_map.get("include")
    if not isinstance(included, list):
        return
    known = set(included)
    for name in (*files, WORD_STAMP, CODE_STAMP):
        if name not in known:
            included.append(name)
            known.add(name)
