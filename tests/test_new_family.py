"""A family added the way a newcomer adds one reaches every part of ArchLab, no other file
touched.

The test copies the app into a temporary directory, writes a throwaway family there exactly as
README's recipe says (a package ``core/ducks/`` with its declaration, settings, metric table,
trainer and theory, and a page ``pages/ducks.py``), and then, in that copy and in fresh
processes, checks that it is in the navigation and on the home page, that its page opens and
trains, that the bench runs it, that class mode caps it and that a sweep runs it. Every file of
the copy but the new ones is the repository's own, byte for byte.
"""
from __future__ import annotations

import filecmp
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import ROOT

pytestmark = pytest.mark.slow

#: what the app needs to run (tests, data of other tools and the venv stay behind)
COPIED = ("app.py", "core", "ui", "pages", "bench", "assets", ".streamlit", "serve")

FAMILY = {
    "core/ducks/__init__.py": '"""Ducks: a throwaway family of the tests."""\n',
    "core/ducks/family.py": '''
        """Ducks: this family's one declaration."""
        from core.declaration import Cost, Family


        def step_cost(cfg):
            return Cost("tokens", cfg.batch * 10, f"batch {cfg.batch} x 10 quacks")


        FAMILY = Family(slug="ducks", title="Ducks", icon=":material/pets:", order=70,
                        blurb="A line of ducks learns to fly in formation.",
                        config="core.ducks.config:DuckConfig",
                        trainer="core.ducks.trainer:DuckTrainer",
                        size_fields=("width",), step_cost=step_cost)
        ''',
    "core/ducks/config.py": '''
        from dataclasses import dataclass

        from core.config import Config, param


        @dataclass(frozen=True)
        class DuckConfig(Config):
            width: int = param(16, label="Flock width", help="Hidden units.", min=2,
                               max=4096)
            batch: int = param(32, label="Batch size", help="Ducks per step.", min=1,
                               max=100_000)
            lr: float = param(0.05, label="Learning rate", help="Step size.", min=1e-4,
                              max=1.0, scale="log", live=True, group="Training")
        ''',
    "core/ducks/metrics.py": '''
        from core.metrics import Metric

        METRICS = (Metric("loss", "Training loss"),)
        ''',
    "core/ducks/trainer.py": '''
        import torch

        from core.ducks.config import DuckConfig
        from core.ducks.metrics import METRICS
        from core.training import Trainer


        class DuckTrainer(Trainer):
            config_cls = DuckConfig
            metrics = METRICS

            def build(self):
                c = self.config
                self.model = torch.nn.Sequential(torch.nn.Linear(2, c.width), torch.nn.Tanh(),
                                                 torch.nn.Linear(c.width, 1))
                self.add_optimizer("opt", lambda: torch.optim.SGD(self.model.parameters(),
                                                                  lr=c.lr))
                self.x = torch.randn(256, 2, generator=self.gen)
                self.y = self.x.prod(1, keepdim=True)

            def train_step(self):
                idx = torch.randint(0, 256, (self.config.batch,), generator=self.gen)
                loss = ((self.model(self.x[idx]) - self.y[idx]) ** 2).mean()
                self.opt.zero_grad()
                loss.backward()
                self.opt.step()
                return {"loss": loss.item()}

            def snapshot(self):
                with torch.no_grad():
                    return {"pred": self.model(self.x[:8]).numpy().ravel()}
        ''',
    "core/ducks/theory.md": '''
        ## Overview
        Ducks fly in a V: $E = mc^2$ has nothing to do with it.

        ## Theory
        None.
        ''',
    "pages/ducks.py": '''
        """Ducks: the throwaway family's page."""
        import streamlit as st

        from ui.boot import ensure_navigated
        ensure_navigated()
        from ui.page import Page  # noqa: E402

        page = Page("ducks", caption="Ducks learning to fly.")
        cfg, run, problems = page.sidebar()


        def draw(view):
            st.metric("Ducks in formation", f"{view.step:,}")


        page.body(draw)
        ''',
}


@pytest.fixture(scope="module")
def copy(tmp_path_factory) -> Path:
    where = tmp_path_factory.mktemp("newcomer")
    for name in COPIED:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, where / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif src.exists():
            shutil.copy2(src, where / name)
    for rel, text in FAMILY.items():
        path = where / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())
    return where


def _python(copy: Path, code: str, **env: str) -> str:
    """Run ``code`` in a fresh interpreter in the copy; its stdout (fails with its stderr)."""
    full = {**os.environ, "PYTHONPATH": str(copy), **env}
    full.pop("ARCHLAB_CLASS", None) if "ARCHLAB_CLASS" not in env else None
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=copy, env=full,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_only_new_files_were_added(copy):
    for name in COPIED:
        src = ROOT / name
        if src.is_dir():
            cmp = filecmp.dircmp(src, copy / name, ignore=["__pycache__"])
            stack = [cmp]
            while stack:
                c = stack.pop()
                assert not c.diff_files, c.diff_files
                stack.extend(c.subdirs.values())
    added = sorted(str(p.relative_to(copy)) for p in copy.rglob("*")
                   if p.is_file() and "__pycache__" not in p.parts
                   and not (ROOT / p.relative_to(copy)).exists())
    assert added == sorted(FAMILY), added


def test_it_is_in_the_navigation_and_on_the_home_page(copy):
    out = _python(copy, """
        from streamlit.testing.v1 import AppTest
        from ui.registry import FAMILIES
        print([f.slug for f in FAMILIES])
        at = AppTest.from_file("app.py", default_timeout=120).run()
        assert not at.exception, at.exception
        print("CARD" if any("A line of ducks learns to fly" in m.value for m in at.markdown)
              else "NO CARD")
        at.switch_page("pages/ducks.py").run()
        assert not at.exception, at.exception
        print("TITLE", at.title[0].value)
        at.button(key="_play_ducks").click().run()
        at.run()
        s = at.session_state["_live_ducks"]
        print("STEP", s.trainer.step)
        """)
    lines = out.splitlines()
    assert eval(lines[0])[-1] == "ducks"           # declared order 70: after the six
    assert lines[1] == "CARD"
    assert lines[2] == "TITLE :material/pets: Ducks"
    assert int(lines[3].split()[1]) > 0            # it trained


def test_the_bench_runs_it(copy):
    out = copy / "bench.json"
    _python(copy, f"""
        import sys
        from bench.__main__ import main
        sys.exit(main(["ducks", "--quick", "--json", {str(out)!r}]))
        """)
    [rec] = json.loads(out.read_text())
    assert rec["family"] == "ducks" and rec["case"] == "ducks-tick"
    assert rec["app_steps_per_s"] > 0 and rec["headless_steps_per_s"] > 0


def test_class_mode_caps_it(copy):
    out = _python(copy, """
        from core import classroom
        from core.ducks.config import DuckConfig
        from core.ducks.trainer import DuckTrainer
        print(classroom.caps_problems(DuckConfig(), DuckTrainer))
        for p in classroom.caps_problems(DuckConfig(width=4096, batch=1000), DuckTrainer):
            print(p)
        """, ARCHLAB_CLASS="1", ARCHLAB_CLASS_MAX_PARAMS="1000")
    lines = out.splitlines()
    assert lines[0] == "[]"                                       # the defaults are allowed
    assert "lower Flock width." in lines[1]                       # its size field, by label
    assert "(batch 1000 x 10 quacks)" in lines[2]                 # its step cost


def test_a_sweep_runs_it(copy, tmp_path):
    """Through the real path: the sweep and its runs in a run store, one worker process
    (which finds the family by name in a fresh interpreter)."""
    out = _python(copy, """
        from core.runs import sweep as SW
        from core.runs.store import open_store
        from core.runs.sweep_spec import SweepSpec
        db = open_store()
        spec = SweepSpec("ducks", ("lr",), {"lr": [0.01, 0.1]}, seeds=(0,),
                         budget_steps=30, metric="loss")
        sid = SW.start(spec, db, "newcomer", workers=1)
        SW.wait(db, sid, timeout=300)
        print(db.get_sweep(sid)["family"])
        for r in SW.results(db, sid):
            print(r["lr"], r["steps"], r["status"], r["loss"] >= 0)
        """, ARCHLAB_DATA=str(tmp_path))
    family, *rows = out.splitlines()
    assert family == "ducks"
    assert sorted(rows) == ["0.01 30 finished True", "0.1 30 finished True"], out
