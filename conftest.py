"""The ``>>>`` examples in the docstrings of ``sharing/`` run as tests (doctests).

``testpaths`` in pyproject.toml lists ``sharing`` beside ``tests``, so a bare
``pytest`` (``make test``) collects them; ``pytest sharing`` runs them alone.
This is ``--doctest-modules`` for ``sharing/`` only: the option itself would
also import every helper module under ``tests/`` (``tests/stateful`` needs
titanoboa, which is not in .venv).  Only files that hold a ``>>>`` are
imported, so modules with heavy imports and no examples cost nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from _pytest.doctest import DoctestModule

PACKAGE = Path(__file__).resolve().parent / "sharing"


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    """Collect the doctests of a module of ``sharing/`` that has examples."""
    if (
        file_path.suffix == ".py"
        and file_path.name != "__main__.py"
        and PACKAGE in file_path.resolve().parents
        and not parent.config.option.doctestmodules  # --doctest-modules collects them itself
        and b">>>" in file_path.read_bytes()
    ):
        return DoctestModule.from_parent(parent, path=file_path)
    return None
