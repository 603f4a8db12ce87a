"""Fixtures every test folder may use. Keep this small: folder-specific helpers live in that folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

SEED = 20261122
"""The one seed of the suite's stochastic tests: results are reproducible, never tuned to a lucky draw."""


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
