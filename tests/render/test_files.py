"""Output files: whole or not at all, the user's umask, links written through, created folders named."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bpr.cli.main import app
from bpr.render.files import StagedFiles, missing_folder, write_atomic

runner = CliRunner()


@pytest.fixture()
def umask() -> Iterator[None]:
    old = os.umask(0o027)
    yield
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("umask")
@pytest.mark.parametrize("data", ["テキスト\n", b"\x89PNG..."])
def test_a_new_file_gets_the_mode_of_the_umask(tmp_path: Path, data: str | bytes) -> None:
    target = tmp_path / "out.txt"
    write_atomic(target, data)
    assert mode(target) == 0o640  # 0666 & ~0027; mkstemp alone gave 0600
    assert target.read_bytes() == (data.encode() if isinstance(data, str) else data)


@pytest.mark.parametrize("existing", [0o644, 0o600, 0o664])
def test_an_existing_file_keeps_its_mode(tmp_path: Path, existing: int) -> None:
    target = tmp_path / "out.yaml"
    target.write_text("old", encoding="utf-8")
    target.chmod(existing)
    write_atomic(target, "new")
    assert mode(target) == existing and target.read_text(encoding="utf-8") == "new"


def test_a_symbolic_link_is_written_through(tmp_path: Path) -> None:
    real = tmp_path / "real.yaml"
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "link.yaml"
    link.symlink_to(real)
    write_atomic(link, "new")
    assert link.is_symlink() and real.read_text(encoding="utf-8") == "new"


def test_a_failure_leaves_no_file_and_no_folder(tmp_path: Path) -> None:
    existing = tmp_path / "keep.html"
    existing.write_text("as it was", encoding="utf-8")
    with pytest.raises(KeyboardInterrupt), StagedFiles() as staged:
        staged.write(existing, "new page")
        staged.write(tmp_path / "new" / "deep" / "a.svg", "<svg/>")
        raise KeyboardInterrupt  # e.g. Ctrl-C while the third diagram is drawn
    assert existing.read_text(encoding="utf-8") == "as it was"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.html"]


def test_missing_folder_is_the_outermost_one_created(tmp_path: Path) -> None:
    assert missing_folder(tmp_path / "x.json") is None
    assert missing_folder(tmp_path / "a" / "b" / "x.json") == tmp_path / "a"


def test_the_cli_says_which_folder_it_created(tmp_path: Path) -> None:
    target = tmp_path / "typo" / "schema.json"
    result = runner.invoke(app, ["schema", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert f"note: created folder {tmp_path / 'typo'}" in result.stderr
    assert target.is_file()
