"""Change-list files: the one reader, and the process a change list stands for."""

from __future__ import annotations

import os

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from bpr.changes import (
    Remove,
    Staff,
    change_list_from_data,
    load_process,
    parse_process,
    process_from_data,
    read_change_list,
)
from bpr.cli.main import app
from bpr.errors import ModelError

VALID = Path(__file__).resolve().parents[1] / "model" / "valid"
runner = CliRunner()


# --- change lists as processes: shape, base, circles --------------------------------------------------


def test_change_list_as_text_cannot_name_a_base() -> None:
    with pytest.raises(ModelError) as caught:
        parse_process("base: before.yaml\nchanges: [{remove: receive}]\n", file="c.yaml")
    assert str(caught.value) == (
        "c.yaml:1:7: base: a change list given as text cannot name a base file — send the base process itself"
    )


def test_change_list_with_missing_base_points_at_its_base_line(write_file) -> None:
    write_file("before.yaml", (VALID / "minimal.yaml").read_text(encoding="utf-8"))
    path = write_file("after.yaml", "# 受付の省略\nbase: befor.yaml\nchanges: [{remove: receive}]\n")
    with pytest.raises(ModelError) as caught:
        load_process(path)
    assert str(caught.value) == (
        f"{path}:2:7: base: no base file 'befor.yaml' next to this change list — did you mean 'before.yaml'?"
    )


def test_change_list_shape_problems_come_together() -> None:
    with pytest.raises(ModelError) as caught:
        parse_process("changes: 5\nbase: 3\nextra: 1\n", file="c.yaml")
    assert str(caught.value).splitlines() == [
        "c.yaml:1:10: changes: 'changes:' must be a list of changes — write a list such as "
        "'changes: [{remove: step_id}]'",
        "c.yaml:2:7: base: a change list needs 'base:' naming the process file it changes — base: before.yaml",
        "c.yaml:3:1: extra: unknown field in a change list; allowed: base, changes, name, description",
    ]


def test_change_list_loads_its_base_relative_to_itself(write_file) -> None:
    write_file("proc/before.yaml", (VALID / "minimal.yaml").read_text(encoding="utf-8"))
    path = write_file("proc/after.yaml", "base: before.yaml\nchanges:\n  - staff: {clerk: 3}\n")
    process = load_process(path)
    assert process.roles["clerk"].staff == 3


def test_change_lists_that_name_each_other_in_a_circle_are_refused(write_file) -> None:
    write_file("a.yaml", "base: b.yaml\nchanges: []\n")
    path = write_file("b.yaml", "base: a.yaml\nchanges: []\n")
    with pytest.raises(ModelError) as caught:
        load_process(path)
    (issue,) = caught.value.issues
    assert issue.format() == (f"{tmp(path, 'a.yaml')}:1:7: base: change lists are based on each other in a circle: "
                              "b.yaml -> a.yaml -> b.yaml — one of them must be based on the process file itself")


def tmp(path, name: str) -> str:
    return str(path.parent / name)


def test_a_long_chain_of_change_lists_is_refused_at_the_line_of_its_base(write_file) -> None:
    write_file("c0.yaml", (VALID / "minimal.yaml").read_text(encoding="utf-8"))
    for i in range(1, 1500):
        path = write_file(f"c{i}.yaml", f"base: c{i - 1}.yaml\nchanges: []\n")
    with pytest.raises(ModelError) as caught:
        load_process(path)
    (issue,) = caught.value.issues
    assert (issue.line, issue.column, issue.path) == (1, 7, "base")
    assert issue.file == tmp(path, "c1483.yaml")  # the 17th change list down the chain
    assert issue.message == "change lists are based on change lists more than 16 deep"


def test_a_short_chain_of_change_lists_loads(write_file) -> None:
    write_file("c0.yaml", (VALID / "minimal.yaml").read_text(encoding="utf-8"))
    for i in range(1, 17):
        path = write_file(f"c{i}.yaml", f"base: c{i - 1}.yaml\nchanges: [{{staff: {{clerk: {i}}}}}]\n")
    assert load_process(path).roles["clerk"].staff == 16


def test_a_base_name_too_long_for_the_system_is_an_issue(write_file) -> None:
    path = write_file("after.yaml", f"base: {'b' * 5000}.yaml\nchanges: []\n")
    with pytest.raises(ModelError) as caught:
        load_process(path)
    (issue,) = caught.value.issues
    assert (issue.line, issue.column, issue.path) == (1, 7, "base")
    assert issue.message == f"base '{'b' * 79}…': cannot read file: File name too long"


@pytest.mark.parametrize("kind", ["fifo", "device", "folder"])
def test_a_base_must_be_a_regular_file(write_file, kind: str) -> None:
    path = write_file("after.yaml", "base: special\nchanges: []\n")
    special = path.parent / "special"
    if kind == "fifo":
        os.mkfifo(special)
        expected = "is a named pipe (FIFO), not a process file"
    elif kind == "device":
        special.symlink_to("/dev/zero")
        expected = "is a device, not a process file"
    else:
        special.mkdir()
        expected = "is a folder, not a process file"
    with pytest.raises(ModelError) as caught:
        load_process(path)
    (issue,) = caught.value.issues
    assert (issue.line, issue.path, issue.message) == (1, "base", f"base 'special' {expected}")


def test_a_change_list_may_rename_its_process(write_file) -> None:
    write_file("before.yaml", (VALID / "minimal.yaml").read_text(encoding="utf-8"))
    path = write_file("after.yaml", "base: before.yaml\nname: 見直し後\nchanges: [{staff: {clerk: 2}}]\n")
    process = load_process(path)
    assert process.name == "見直し後" and process._file == str(path)


# --- the reader ------------------------------------------------------------------------------------


def test_reader_gives_the_parts_of_a_change_list() -> None:
    listed = read_change_list("base: before.yaml\nname: 後\nchanges:\n  - remove: a\n", "after.yaml")
    assert listed is not None
    assert (listed.file, listed.base, listed.name, listed.description) == ("after.yaml", "before.yaml", "後", None)
    assert listed.items == [{"remove": "a"}] and listed.locations["changes[0].remove"] == (4, 13)
    assert listed.parse() == (Remove(step="a"),)


def test_reader_says_none_for_a_complete_process_file() -> None:
    assert read_change_list((VALID / "minimal.yaml").read_text(encoding="utf-8"), "minimal.yaml") is None
    assert read_change_list("- remove: a\n", "list.yaml") is None  # a bare list does not stand for a process


def test_reader_of_changes_onto_a_given_process_takes_a_bare_list_and_needs_no_base() -> None:
    bare = read_change_list("- staff: {clerk: 2}\n", "c.yaml", base_needed=False)
    assert bare is not None and bare.base is None and bare.parse() == (Staff(roles={"clerk": 2}),)
    listed = read_change_list("changes:\n  - staff: {clerk: 2}\n", "c.yaml", base_needed=False)
    assert listed is not None and listed.parse() == bare.parse()
    with pytest.raises(ModelError) as caught:
        read_change_list("id: x\n", "c.yaml", base_needed=False)
    assert str(caught.value) == ("c.yaml:1:1: changes: expected a list of changes or a mapping with 'changes:' — "
                                 "write 'changes:' and under it one '- remove: step_id' per line")
    with pytest.raises(ModelError) as caught:
        read_change_list("changes: [{remove: a}]\nbase: 3\nextra: 1\n", "c.yaml", base_needed=False)
    assert [issue.path for issue in caught.value.issues] == ["base", "extra"]


def test_reader_locates_problems_of_the_changes_it_holds() -> None:
    listed = change_list_from_data([{"remov": "a"}], "changes", base_needed=False)
    assert listed is not None
    with pytest.raises(ModelError) as caught:
        listed.parse()
    assert str(caught.value) == "changes: changes[0].remov: unknown change 'remov' — did you mean 'remove'?"


def test_changes_file_of_the_cli_goes_through_the_reader(tmp_path: Path) -> None:
    before = tmp_path / "before.yaml"
    before.write_text((VALID / "minimal.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    changes = tmp_path / "changes.yaml"
    changes.write_text("changes: [{staff: {clerk: 2}}]\nextra: 1\n", encoding="utf-8")
    for command in (["whatif", str(before)], ["simulate", str(before), "-r", "1", "--horizon", "1d"]):
        result = runner.invoke(app, [*command, "--changes", str(changes)])
        assert result.exit_code == 2
        assert result.stderr == (f"{changes}:2:1: extra: unknown field in a change list; allowed: base, changes, name, "
                                 "description\n")


# --- whatever comes in, only ModelError goes out -----------------------------------------------------

_KEYS = st.sampled_from(["base", "changes", "name", "description", "remove", "staff", "id"]) | st.text(max_size=4)
_VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8),
                       lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_KEYS, inner, max_size=3),
                       max_leaves=20)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(_KEYS, _VALUES, max_size=5), st.booleans())
def test_random_change_lists_raise_only_model_error(data: dict, base_needed: bool) -> None:
    for call in (lambda: process_from_data(data),
                 lambda: read_change_list(yaml.safe_dump(data, allow_unicode=True), base_needed=base_needed)):
        try:
            call()
        except ModelError as error:
            assert error.issues
