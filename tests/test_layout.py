"""Project-wide rules: core/ never imports streamlit; the import graph has no cycle and keeps the
ui layers in order; private library APIs stay in their guarded modules; pages are registered;
texts complete."""
import ast
import re
from pathlib import Path

import pytest

from core import content
from core.families import FAMILIES as DECLARED

ROOT = Path(__file__).resolve().parents[1]
#: the code outside tests/: what the app runs, and the tools for tests and measurements
APP = ("core", "ui", "pages", "serve")
TOOLS = ("bench", "sim", "scripts")
#: the project's packages (pages/ and scripts/ hold scripts, which nothing imports)
PACKAGES = ("core", "ui", "serve", "bench", "sim")


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
            if n.split(".")[0] in PACKAGES:
                out.add(n)
    return out


def _module_graph() -> dict[str, set[str]]:
    """Project module -> the project modules it imports (a name that ``ui`` loads on first
    use, ``from ui import Page``, counts as an import of the module that defines it)."""
    import ui
    lazy = {f"ui.{name}": f"ui.{mod}" for name, mod in vars(ui).get("_WHERE", {}).items()}
    mods = {}
    for pkg in PACKAGES:
        for p in (ROOT / pkg).rglob("*.py"):
            rel = p.relative_to(ROOT).with_suffix("")
            name = ".".join(rel.parts[:-1] if rel.name == "__init__" else rel.parts)
            mods[name] = p
    graph = {}
    for name, p in mods.items():
        deps = set()
        for imp in _project_imports(p):
            imp = lazy.get(imp, imp)
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


#: Libraries whose private parts are watched, and their modules that are private as a whole.
LIBRARIES = ("streamlit", "torch", "plotly")
PRIVATE_MODULES = ("streamlit.runtime", "streamlit.web", "streamlit.proto", "streamlit.elements",
                   "plotly.basedatatypes")
#: Every use of a library's private API outside tests/: one module each, which guards it, and
#: the tests that fail loudly when an upgrade breaks it. A use found elsewhere fails
#: :func:`test_private_apis_only_in_their_guarded_modules`.
PRIVATE_USES = {
    "ui/interrupt.py": (
        ("streamlit.runtime.scriptrunner_utils",),
        ("tests/test_dayone.py::test_the_click_check_still_finds_what_it_reads_in_this_streamlit",)),
    "core/plotly_fast.py": (
        ("plotly._validate",),
        ("tests/test_plotly_fast.py::test_private_flag_still_skips_validation",)),
    "sim/wire.py": (
        ("streamlit.proto", "streamlit.runtime.state.session_state"),
        ("tests/test_sim.py::test_the_wire_pieces_are_in_this_streamlit",
         "tests/test_client.py::test_play_ticks_and_pause_stops")),
    "serve/replica.py": (
        ("streamlit.runtime.Runtime", "streamlit.web.cli"),
        ("tests/test_classroom.py::test_the_reaper_still_finds_what_it_reads_in_this_streamlit",
         "tests/test_classroom.py::test_health_and_affinity_cookie")),
    "bench/common.py": (
        ("streamlit.elements.lib.streamlit_plotly_theme",),
        ("tests/test_layout.py::test_the_bench_still_finds_the_pages_plotly_template",)),
    "core/rl/common.py": (
        ("torch._foreach_lerp_",),
        ("tests/test_rl.py::test_soft_update_matches_formula",)),
}


def _code_files() -> list[Path]:
    return [*ROOT.glob("*.py"), *(p for d in APP + TOOLS for p in (ROOT / d).rglob("*.py"))]


def _private(name: str) -> bool:
    return any(part.startswith("_") and not part.startswith("__") for part in name.split("."))


def _private_uses(path: Path) -> set[str]:
    """The private parts of :data:`LIBRARIES` that ``path`` uses: modules it imports that are
    private (:data:`PRIVATE_MODULES`, or a name with a leading underscore), attributes with a
    leading underscore reached from a name it imported from them (``torch._foreach_lerp_``,
    ``Runtime.instance()._session_mgr``), and plotly's ``_validate``."""
    text = path.read_text(encoding="utf-8")
    tree = ast.parse(text)
    origin: dict[str, str] = {}  # local name -> where it came from
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            full = [a.name for a in node.names]
            origin |= {a.asname: a.name for a in node.names if a.asname}
            origin |= {a.name.split(".")[0]: a.name.split(".")[0] for a in node.names
                       if not a.asname}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            full = [f"{node.module}.{a.name}" for a in node.names]
            origin |= {a.asname or a.name: f"{node.module}.{a.name}" for a in node.names}
        else:
            continue
        for name in full:
            if name.split(".")[0] in LIBRARIES and (name.startswith(PRIVATE_MODULES)
                                                    or _private(name)):
                out.add(name)
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Attribute) and _private(node.attr)):
            continue
        chain, root = [node.attr], node.value
        while isinstance(root, (ast.Attribute, ast.Call)):  # Runtime.instance()._session_mgr
            if isinstance(root, ast.Call):
                root = root.func
            else:
                chain.append(root.attr)
                root = root.value
        if isinstance(root, ast.Name) and origin.get(root.id, "").split(".")[0] in LIBRARIES:
            out.add(".".join([origin[root.id], *reversed(chain)]))
    if "_validate" in text:
        out.add("plotly._validate")
    return out


def test_private_apis_only_in_their_guarded_modules():
    offenders = []
    for p in _code_files():
        rel = p.relative_to(ROOT).as_posix()
        allowed = PRIVATE_USES.get(rel, ((), ()))[0]
        offenders += [f"{rel}: {u}" for u in sorted(_private_uses(p)) if not u.startswith(allowed)]
    assert offenders == [], "a private API outside its guarded module (see PRIVATE_USES)"


@pytest.mark.parametrize("rel", sorted(PRIVATE_USES))
def test_each_private_use_is_still_there_and_has_its_loud_test(rel):
    prefixes, tests = PRIVATE_USES[rel]
    uses = _private_uses(ROOT / rel)
    assert all(any(u.startswith(p) for u in uses) for p in prefixes), f"stale entry: {uses}"
    for t in tests:
        file, _, name = t.partition("::")
        tree = ast.parse((ROOT / file).read_text(encoding="utf-8"))
        assert name in {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}, t


def test_the_bench_still_finds_the_pages_plotly_template():
    """bench/common.py gives the bench's figures the template a page's figures get through
    Streamlit's private plotly theme module; without it the bench would quietly measure
    plotly's larger default template."""
    import plotly.io as pio
    from streamlit.elements.lib.streamlit_plotly_theme import configure_streamlit_plotly_theme
    before = pio.templates.default
    try:
        pio.templates.default = "plotly"
        configure_streamlit_plotly_theme()
        assert pio.templates.default == "streamlit"
    finally:
        pio.templates.default = before


def test_the_app_never_imports_the_tools():
    """bench/, sim/ and scripts/ are tools for tests and measurements: nothing the app runs
    (app.py, pages/, ui/, core/, serve/) imports them."""
    offenders = [f"{p.relative_to(ROOT)}: {m}"
                 for p in [*ROOT.glob("*.py"), *(q for d in APP for q in (ROOT / d).rglob("*.py"))]
                 for m in sorted(_imports(p) & set(TOOLS))]
    assert offenders == []


def _ui_layers() -> list[str]:
    """The layers ui/__init__.py's docstring names, in its order (``widgets`` → … → ``page``)."""
    doc = ast.get_docstring(ast.parse((ROOT / "ui" / "__init__.py").read_text(encoding="utf-8")))
    paragraph = doc.split("Layers", 1)[1].split("\n\n", 1)[0]
    return re.findall(r"``(\w+)``", paragraph)


def test_ui_layers_import_only_the_layers_above_them():
    """ui/__init__.py says each layer imports only those above it: no ui module of a layer
    reaches a later layer, directly or through the ui helpers it imports."""
    layers = _ui_layers()
    assert len(layers) >= 3 and all((ROOT / "ui" / f"{n}.py").exists() or
                                    (ROOT / "ui" / n / "__init__.py").exists() for n in layers)
    graph = _module_graph()

    def layer(mod: str) -> int | None:
        return next((i for i, n in enumerate(layers)
                     if mod == f"ui.{n}" or mod.startswith(f"ui.{n}.")), None)

    offenders = []
    for mod in sorted(graph):
        i = layer(mod)
        if i is None:
            continue
        seen, todo = set(), [mod]
        while todo:
            for dep in graph[todo.pop()] - seen:
                seen.add(dep)
                todo.append(dep)
        offenders += [f"{mod} ({layers[i]}) reaches {d} ({layers[layer(d)]})"
                      for d in sorted(seen) if (layer(d) or 0) > i]
    assert offenders == []


@pytest.mark.parametrize("page", sorted((ROOT / "pages").glob("*.py")), ids=lambda p: p.stem)
def test_pages_are_thin(page):
    assert len(page.read_text(encoding="utf-8").splitlines()) <= 110


def test_compare_and_history_do_not_pull_in_torch():
    for name in ("core/history.py", "core/runs/compare.py", "core/metrics.py", "core/run.py"):
        assert "torch" not in _imports(ROOT / name), name


def test_every_page_family_can_be_rebuilt_by_name():
    """Sweeps and the run store rebuild runs from the family name: every page is listed."""
    from core.families import FAMILIES, classes
    from ui.registry import FAMILIES as PAGES
    for fam in PAGES:
        if fam.available:
            cfg, trainer = classes(fam.slug)
            assert trainer.config_cls is cfg and trainer.metrics, fam.slug
    assert set(FAMILIES) == {f.slug for f in PAGES if f.available}


#: modules every family has (model.py and data.py may be absent: RL writes one file per
#: algorithm, the transformer's tasks are core/tasks.py)
TEMPLATE = ("family.py", "config.py", "metrics.py", "snapshot.py", "trainer.py", "figures.py",
            "theory.md")


def _top_level(path: Path) -> tuple[set[str], set[str]]:
    """(names assigned, classes defined) at the top of a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = {t.id for n in tree.body if isinstance(n, (ast.Assign, ast.AnnAssign))
             for t in (n.targets if isinstance(n, ast.Assign) else [n.target])
             if isinstance(t, ast.Name)}
    return names, {n.name for n in tree.body if isinstance(n, ast.ClassDef)}


def test_every_family_follows_one_template():
    """The same module names for the same things in every family (README, "Adding a family"):
    settings, presets and experiments in config.py, the metric table in metrics.py, snapshot
    types in snapshot.py, none of them elsewhere."""
    from core.families import FAMILIES
    for slug in FAMILIES:
        pkg = ROOT / "core" / slug
        assert [f for f in TEMPLATE if not (pkg / f).exists()] == [], slug
        assert {"PRESETS", "EXPERIMENTS"} <= _top_level(pkg / "config.py")[0], slug
        for name in ("metrics.py", "snapshot.py"):
            assert not _imports(pkg / name) & {"torch", "streamlit"}, (slug, name)
        for path in pkg.glob("*.py"):
            names, classes = _top_level(path)
            if path.name != "metrics.py":
                assert "METRICS" not in names, (slug, path.name)
            if path.name != "snapshot.py":
                assert not [c for c in classes if c.endswith("Snapshot")], (slug, path.name)
            if path.name != "config.py":
                assert not {"PRESETS", "EXPERIMENTS"} & names, (slug, path.name)


def test_policy_is_passed_in_never_imported_by_the_framework_or_families():
    """Class mode's caps are policy: the framework and the families' code take a limit from
    their caller (the page, the panel) and never import ``core.classroom`` themselves."""
    core = ROOT / "core"
    for path in sorted(core.rglob("*.py")):
        rel = path.relative_to(core)
        if rel.parts[0] == "classroom":
            continue
        bad = {m for m in _project_imports(path) if m == "core.classroom"
               or m.startswith("core.classroom.")}
        assert not bad, (str(rel), bad)


def test_the_navigation_reads_every_declaration_without_torch():
    """app.py draws the navigation before any page imports a model: reading the families'
    declarations (their packages' __init__ and family.py) must not import torch. A
    declaration imported on its own (before the registry) works too."""
    import subprocess
    import sys
    code = ("import sys; import core.rl.family; import ui.registry; "
            "print(len(ui.registry.FAMILIES), 'torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    n, torch_loaded = out.stdout.split()
    assert int(n) >= 6 and torch_loaded == "False"


@pytest.mark.parametrize("slug", sorted(DECLARED))
def test_each_declaration_names_what_exists(slug):
    """A declaration is strings: a path through a re-export, a size field that is no
    setting or a missing theory would silently turn off a cap or a tab."""
    from core.config import specs
    from core.families import FAMILIES, config_family, trainer_family
    fam = FAMILIES[slug]
    cfg, trainer = fam.classes()
    assert f"{cfg.__module__}:{cfg.__qualname__}" == fam.config
    assert f"{trainer.__module__}:{trainer.__qualname__}" == fam.trainer
    assert trainer.config_cls is cfg
    assert config_family(cfg) is fam and trainer_family(trainer.__name__) is fam
    assert fam.size_fields and set(fam.size_fields) <= {s.name for s in specs(cfg)}
    assert fam.theory.exists() and fam.page.exists()
    if fam.step_cost is not None:
        cost = fam.step_cost(cfg())
        assert cost is None or (cost.kind in ("tokens", "samples") and cost.amount > 0)
