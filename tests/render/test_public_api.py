"""The public names of bpr.render are exactly its ``__all__``, in isort order (as ruff keeps it)."""

from __future__ import annotations

import types

import bpr.render


def _isort_key(name: str) -> tuple[int, str]:
    """CONSTANTS, then Classes, then functions, each alphabetical."""
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


def test_all_is_sorted_and_complete():
    public = {name for name in vars(bpr.render) if not name.startswith("_")}
    # Submodules become attributes of the package once anything imports them (bpr.render.report does).
    modules = {name for name, value in vars(bpr.render).items() if isinstance(value, types.ModuleType)}
    assert public - modules == set(bpr.render.__all__)
    assert bpr.render.__all__ == sorted(bpr.render.__all__, key=_isort_key)
