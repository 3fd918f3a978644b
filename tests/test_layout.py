"""Project-wide rules: core/ never imports streamlit; pages are registered; texts complete."""
import ast
import re
from pathlib import Path

import pytest

from core import content

ROOT = Path(__file__).resolve().parents[1]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    mods = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            mods |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            mods.add(node.module.split(".")[0])
    return mods


def test_core_never_imports_streamlit():
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "core").rglob("*.py")
                 if "streamlit" in _imports(p)]
    assert offenders == []


def test_figure_modules_import_neither_torch_nor_streamlit():
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "core").rglob("figures.py")
                 if _imports(p) & {"torch", "streamlit"}]
    assert offenders == []


@pytest.mark.parametrize("md", sorted((ROOT / "core").rglob("theory.md")),
                         ids=lambda p: p.parent.name)
def test_every_theory_text_has_the_seven_sections(md):
    assert content.missing_sections(md.read_text(encoding="utf-8")) == []


def test_readme_test_command_is_what_ci_runs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    blocks = re.findall(r"```(?:bash|sh)\n(.*?)```", readme, re.S)
    test_cmds = [b.strip() for b in blocks if "pytest" in b]
    assert len(test_cmds) == 1, "README must give exactly one test command"
    assert test_cmds[0] in ci


def test_torch_is_pinned():
    reqs = (ROOT / "requirements.txt").read_text().splitlines()
    assert "torch==2.13.0" in reqs
    assert all("==" in r or "[" in r and "==" in r for r in reqs
               if r.strip() and not r.startswith("#"))
