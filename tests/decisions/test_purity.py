"""decisions/ is a pure core: it imports no I/O library and never reads the clock."""

import ast
from pathlib import Path

import pytest

from tests.decisions.decision_builders import REPO

CORE = REPO / "decisions"
ALLOWED_IMPORTS = {
    "__future__",
    "collections",
    "collections.abc",
    "csv",
    "dataclasses",
    "datetime",
    "decimal",
    "functools",
    "itertools",  # pure iteration helpers (pairs, combinations)
    "re",
    "textwrap",
    "tomllib",
    "types",
    "typing",
    "zoneinfo",
    "holidays",  # public holiday tables, pure data
}
FORBIDDEN_EXAMPLES = [
    "sqlalchemy",
    "imapclient",
    "smtplib",
    "socket",
    "os",
    "pathlib",
    "subprocess",
    "io",
    "shutil",
    "urllib",
    "http",
    "requests",
    "sys",
    "time",
    "logging",
    "jinja2",
    "mailparser",
]
CLOCK_CALLS = {"now", "today", "utcnow", "time", "monotonic", "fromtimestamp"}
BUILTIN_IO = {"open", "print", "input", "exec", "eval", "__import__", "breakpoint"}


def violations(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [f"import {a.name}" for a in node.names if a.name not in ALLOWED_IMPORTS]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            module = node.module or ""
            if module not in ALLOWED_IMPORTS and module.split(".")[0] != "decisions":
                found.append(f"from {module} import ...")
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in CLOCK_CALLS:
                found.append(f"call .{func.attr}()")
            if isinstance(func, ast.Name) and func.id in BUILTIN_IO:
                found.append(f"call {func.id}()")
    return found


MODULES = sorted(CORE.glob("*.py"))


def test_the_core_has_modules():
    assert len(MODULES) >= 10


@pytest.mark.parametrize("module", MODULES, ids=lambda path: path.name)
def test_module_imports_only_pure_libraries_and_reads_no_clock(module: Path):
    assert violations(module.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("name", FORBIDDEN_EXAMPLES)
def test_the_checker_catches_io_imports(name):
    assert name not in ALLOWED_IMPORTS
    assert violations(f"import {name}") == [f"import {name}"]
    assert violations(f"from {name} import x") == [f"from {name} import ..."]


@pytest.mark.parametrize(
    "source", ["datetime.now()", "date.today()", "datetime.utcnow()", "open('x')", "time.time()"]
)
def test_the_checker_catches_clock_and_file_calls(source):
    assert violations(source)


@pytest.mark.parametrize("module", MODULES, ids=lambda path: path.name)
def test_module_opens_with_a_one_line_purpose_and_stays_small(module: Path):
    text = module.read_text(encoding="utf-8")
    docstring = ast.get_docstring(ast.parse(text))
    assert docstring, "each module says what it is for"
    assert len(docstring.splitlines()[0]) <= 100
    assert len(text.splitlines()) < 300
    assert module.name != "utils.py"
