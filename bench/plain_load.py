"""Plain Beancount's load of a ledger, as a command: the baseline of bench_check.py.

``loader.load_file`` (parse, book, run the ledger's plugins, validate) with nothing of ours, the
same work ``studiofund check`` asks of Beancount; printing the error count. Unlike
``bean-check``, it adds no "hardcore" validations, which ``studiofund check`` does not run
either: against ``bean-check`` our command would look cheaper than it is.

    python bench/plain_load.py LEDGER
"""

import sys

from beancount import loader

if __name__ == "__main__":
    entries, errors, options_map = loader.load_file(sys.argv[1])
    print(f"{len(entries)} entries, {len(errors)} errors")
    sys.exit(1 if errors else 0)
