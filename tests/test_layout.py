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


def _project_imports(path: Path) -> set[str]:
    """Project modules ``path`` imports anywhere in it (function-level imports included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        else:
            continue
        for n in names:
            if n.split(".")[0] in ("core", "ui", "bench"):
                out.add(n)
    return out


def _module_graph() -> dict[str, set[str]]:
    mods = {}
    for pkg in ("core", "ui", "bench"):
        for p in (ROOT / pkg).rglob("*.py"):
            rel = p.relative_to(ROOT).with_suffix("")
            name = ".".join(rel.parts[:-1] if rel.name == "__init__" else rel.parts)
            mods[name] = p
    graph = {}
    for name, p in mods.items():
        deps = set()
        for imp in _project_imports(p):
            while imp and imp not in mods:  # "core.figures.metric_chart" -> "core.figures"
                imp = imp.rpartition(".")[0]
            if imp and imp != name:
                deps.add(imp)
        graph[name] = deps
    return graph


def test_no_import_cycles_between_project_modules():
    graph = _module_graph()
    # a package imports its own submodules to re-export them: that edge is not a cycle
    def deps(m):
        return {d for d in graph[m] if not d.startswith(m + ".")}
    cycles, state = [], {}

    def visit(m, path):
        state[m] = 1
        for d in sorted(deps(m)):
            if state.get(d) == 1:
                cycles.append(path[path.index(d):] + [d] if d in path else [m, d])
            elif d not in state:
                visit(d, path + [d])
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])
    assert cycles == []


def test_no_private_streamlit_or_plotly_outside_the_workaround_module():
    offenders = []
    for p in [*ROOT.glob("*.py"), *(ROOT / "pages").glob("*.py"), *(ROOT / "ui").rglob("*.py"),
              *(ROOT / "core").rglob("*.py")]:
        text = p.read_text(encoding="utf-8")
        for mod in _imports_full(p):
            if mod.startswith(("streamlit.runtime", "streamlit.web", "streamlit.proto",
                               "streamlit.elements", "plotly.basedatatypes")):
                offenders.append(f"{p.relative_to(ROOT)}: {mod}")
        if "_validate" in text and p.name != "plotly_fast.py":
            offenders.append(f"{p.relative_to(ROOT)}: _validate")
    assert offenders == []


def _imports_full(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
    return out


@pytest.mark.parametrize("page", sorted((ROOT / "pages").glob("*.py")), ids=lambda p: p.stem)
def test_pages_are_thin(page):
    assert len(page.read_text(encoding="utf-8").splitlines()) <= 110


def test_compare_and_history_do_not_pull_in_torch():
    for name in ("core/history.py", "core/compare.py", "core/metrics.py", "core/run.py"):
        assert "torch" not in _imports(ROOT / name), name
