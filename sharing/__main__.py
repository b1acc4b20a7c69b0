"""``python -m sharing`` is the ``sharing`` command."""

from sharing.cli import main

main()
