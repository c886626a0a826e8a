"""``python -m studiofund`` is the ``studiofund`` command."""

from studiofund.cli import main

main()
