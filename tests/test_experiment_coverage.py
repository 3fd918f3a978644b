"""Every "experiment to try" on every page names the test that checks its promise, and that
test exists. The families come from :data:`core.families.FAMILIES`, so a new page's
experiments are covered the day it is registered.

Only reads files (the named tests train, slowly; they run with the slow suite).
"""
from __future__ import annotations

import ast
import importlib
from functools import lru_cache
from pathlib import Path

import pytest

from core.families import FAMILIES

ROOT = Path(__file__).resolve().parents[1]


def _experiments(family: str) -> list:
    module = FAMILIES[family].config.partition(":")[0]      # the config class's module
    return list(getattr(importlib.import_module(module), "EXPERIMENTS", []))


@lru_cache(maxsize=None)
def _test_functions(path: str) -> frozenset[str]:
    """Names of the module-level ``test_*`` functions of a test file (parsed, not run)."""
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    return frozenset(n.name for n in tree.body
                     if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
                     and n.name.startswith("test"))


def _problem(test: str) -> str | None:
    """Why ``test`` ("tests/x.py::test_name") does not name an existing test, or None."""
    if not test:
        return "names no test (set Preset.test to 'tests/<file>.py::<test function>')"
    path, sep, name = test.partition("::")
    if not sep or not name or "::" in name:
        return f"test {test!r} is not of the form 'tests/<file>.py::<test function>'"
    if not (path.startswith("tests/") and path.endswith(".py") and (ROOT / path).is_file()):
        return f"test file {path!r} does not exist under tests/"
    if name not in _test_functions(path):
        return f"{path} has no test function {name!r}"
    return None


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_every_experiment_names_an_existing_test(family):
    experiments = _experiments(family)
    assert experiments, f"{family} declares no EXPERIMENTS"
    bad = {e.name: p for e in experiments if (p := _problem(e.test))}
    assert not bad, f"{family}: {bad}"


def test_the_check_catches_missing_and_wrong_names():
    assert _problem("") and _problem("tests/test_experiment_coverage.py")
    assert _problem("tests/no_such_file.py::test_x")
    assert _problem("tests/test_experiment_coverage.py::test_no_such_test")
    assert _problem("tests/test_experiment_coverage.py::_experiments")   # not a test
    assert _problem("tests/test_experiment_coverage.py::"
                    "test_every_experiment_names_an_existing_test") is None
