"""Hostile and broken XML is refused with a clear message naming the file (and line), in bounded time and
memory: entity expansion (billion laughs, quadratic blow-up), external entities and DTDs, huge files, deep
nesting, malformed or empty files. Time and memory are measured in a child process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bpr.interchange.bpmn_read import BpmnImportError, read_bpmn
from bpr.interchange.xmlsafe import MAX_BYTES

ROOT = Path(__file__).resolve().parents[2]
BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"

LAUGHS = ('<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
          + "".join(f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'
                    for i in range(1, 10))
          + f']>\n<definitions xmlns="{BPMN}"><process id="p" name="&lol9;"/></definitions>\n')
QUADRATIC = ('<?xml version="1.0"?>\n<!DOCTYPE q [<!ENTITY a "' + "x" * 100_000 + '">]>\n'
             f'<definitions xmlns="{BPMN}"><process id="p" name="' + "&a;" * 20_000 + '"/></definitions>\n')
XXE = ('<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
       f'<definitions xmlns="{BPMN}"><process id="p" name="&x;"/></definitions>\n')
EXTERNAL_DTD = ('<?xml version="1.0"?>\n<!DOCTYPE definitions SYSTEM "http://127.0.0.1:9/evil.dtd">\n'
                f'<definitions xmlns="{BPMN}"/>\n')
PARAMETER = ('<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>\n'
             f'<definitions xmlns="{BPMN}"/>\n')
UNDECLARED = f'<?xml version="1.0"?>\n<definitions xmlns="{BPMN}">\n<process id="&nope;"/></definitions>\n'
DEEP = f'<definitions xmlns="{BPMN}">' + "<a>" * 100_000 + "</a>" * 100_000 + "</definitions>"
MALFORMED = f'<?xml version="1.0"?>\n<definitions xmlns="{BPMN}">\n<process id="p">\n</definitions>\n'

CASES = {  # name: (content, what the message says, line)
    "billion_laughs": (LAUGHS, "declares a DTD", 2),
    "quadratic_blowup": (QUADRATIC, "declares a DTD", 2),
    "external_entity": (XXE, "declares a DTD", 2),
    "external_dtd": (EXTERNAL_DTD, "declares a DTD", 2),
    "parameter_entity": (PARAMETER, "declares a DTD", 2),
    "undeclared_entity": (UNDECLARED, "not well-formed XML: undefined entity", 3),
    "deep_nesting": (DEEP, "", 1),
    "malformed": (MALFORMED, "not well-formed XML: mismatched tag", 4),
    "empty": ("", "the file is empty", None),
    "binary": ("\x00\x01\x02garbage", "not well-formed XML", 1),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_refused_with_a_clear_message(name: str, tmp_path: Path) -> None:
    content, says, line = CASES[name]
    path = tmp_path / f"{name}.bpmn"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(BpmnImportError) as caught:
        read_bpmn(path)
    issue = caught.value.issues[0]
    assert issue.file == str(path) and says in issue.message
    assert issue.line == line
    assert "root:" not in str(caught.value)  # nothing of /etc/passwd in any message


def test_a_100_megabyte_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.bpmn"
    with path.open("wb") as handle:  # sparse: 100 MB on paper, nothing on disk
        handle.truncate(100 * 1024 * 1024)
    with pytest.raises(BpmnImportError, match=r"file is 100.0 MiB; at most 16 MiB are read"):
        read_bpmn(path)


def test_bytes_over_the_limit_are_refused() -> None:
    with pytest.raises(BpmnImportError, match="larger than 16 MiB"):
        read_bpmn(b" " * (MAX_BYTES + 1))


def test_refusals_take_bounded_time_and_memory(tmp_path: Path) -> None:
    """All the hostile files read in one child process: each refusal within 2 s, all within 64 MB more than
    the process held before (a billion laughs expanded would need gigabytes)."""
    files = {}
    for name, (content, _, _) in CASES.items():
        files[name] = str(tmp_path / f"{name}.bpmn")
        Path(files[name]).write_text(content, encoding="utf-8")
    huge = tmp_path / "huge.bpmn"
    with huge.open("wb") as handle:
        handle.truncate(100 * 1024 * 1024)
    real = tmp_path / "real100.bpmn"  # a real 17 MB file of elements, read up to the limit only
    with real.open("w", encoding="utf-8") as handle:
        handle.write(f'<definitions xmlns="{BPMN}"><process id="p">')
        handle.write(('<task id="t" name="' + "x" * 1000 + '"/>\n') * 17_500)
        handle.write("</process></definitions>")
    files["huge"], files["real100"] = str(huge), str(real)
    script = f"""
import json, resource, sys, time
from bpr.interchange.bpmn_read import BpmnImportError, read_bpmn
files = json.loads(sys.argv[1])
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
out = {{}}
for name, path in files.items():
    start = time.monotonic()
    try:
        read_bpmn(path)
        out[name] = ["accepted", time.monotonic() - start]
    except BpmnImportError as error:
        out[name] = [error.issues[0].message, time.monotonic() - start]
out["__memory_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base
print(json.dumps(out))
"""
    done = subprocess.run([sys.executable, "-c", script, json.dumps(files)], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result.pop("__memory_kb") < 64 * 1024
    for name, (message, seconds) in result.items():
        assert message != "accepted", name
        assert seconds < 2.0, f"{name}: {seconds:.2f} s"


def test_the_cli_prints_one_line_and_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "laughs.bpmn"
    path.write_text(LAUGHS, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "bpr", "import", str(path)], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.strip() == (f"{path}:2: the document declares a DTD (<!DOCTYPE …>), which is refused — BPMN "
                                   "files need no DTD; entities in it could expand without bound or read other "
                                   "files. Remove the <!DOCTYPE …> block")
