"""Fixtures every test folder may use. Keep this small: folder-specific helpers live in that folder.

Tests name the repository's files from ``repo_root`` (or from their own ``Path(__file__)``), never from the
working directory: the suite runs from wherever pytest is started. It runs in an empty folder outside the
checkout (``_away_from_the_repository``), so that a relative path slipping back in fails at once.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

SEED = 20261122
"""The one seed of the suite's stochastic tests: results are reproducible, never tuned to a lucky draw."""


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The root of this checkout (``repo_root / "scenarios" / ...``), wherever pytest was started."""
    return Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session", autouse=True)
def _away_from_the_repository(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Every test runs with an empty working directory, not the checkout, whether pytest was started in the
    checkout or elsewhere: a test that reads ``scenarios/...`` relative to the working directory fails
    everywhere, not only on the machine that starts pytest from another folder. Tests that need a working
    directory of their own still take it with ``monkeypatch.chdir``."""
    before = Path.cwd()
    os.chdir(tmp_path_factory.mktemp("cwd"))
    try:
        yield
    finally:
        os.chdir(before)


@pytest.fixture
def rng() -> np.random.Generator:
    """A fresh generator on a fixed seed for each test (no global random state anywhere)."""
    return np.random.default_rng(np.random.SeedSequence(SEED))


@pytest.fixture
def write_file(tmp_path: Path) -> Callable[[str, str | bytes], Path]:
    """``write_file("before.yaml", text_or_bytes)`` -> the path of a new file in the test's own folder."""

    def write(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return write
