"""The families ArchLab knows, each declared once, in its own package.

A family is a package ``core/<slug>/`` whose ``family.py`` declares it::

    from core.declaration import Family

    FAMILY = Family(
        slug="autoencoder", title="Autoencoders", icon=":material/compress:", order=10,
        blurb="Squeeze digits through a 2–16 number bottleneck and back...",
        config="core.autoencoder.config:AEConfig",
        trainer="core.autoencoder.trainer:AETrainer",
        size_fields=("hidden",))

and every reader finds it here: the navigation and the home page's cards (``ui.registry``),
the bench (``python -m bench``), sweeps, workers and the run store (which rebuild a run from
its family name and config), the save/load panel (which names the page a checkpoint belongs
to) and class mode's caps (``core.classroom``: which settings size the model, what one step
costs). Nothing else lists the families. ``family.py`` and the package's ``__init__.py``
(which discovery imports first) stay light, no torch: the navigation reads every declaration
before any page has imported a model (``tests/test_layout.py`` checks it in a fresh process).
The classes a declaration names are imported on first use.

The rest of the package follows one template: ``config.py`` (the settings, presets and
experiments), ``metrics.py`` (the metric table), ``snapshot.py`` (what a figure draws),
``trainer.py``, ``model.py`` (RL: one file per algorithm instead), ``data.py`` (none where the
data is shared: the transformer's tasks are ``core.tasks``), ``figures.py`` and ``theory.md``
(the seven sections, beside ``family.py``); its page is ``pages/<slug>.py`` and its benchmark,
if any, ``bench/<slug>.py``. ``tests/test_layout.py`` checks the template.
"""
from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

from core.declaration import Cost, Family
from core.paths import ROOT

__all__ = ["Family", "Cost", "FAMILIES", "ROOT", "classes", "config_family", "discover",
           "trainer_family"]

CORE = Path(__file__).resolve().parent


def discover(core: Path = CORE, package: str = "core") -> dict[str, Family]:
    """Every ``<package>.<slug>.family.FAMILY`` under ``core``, by slug, in their order."""
    found = []
    for info in pkgutil.iter_modules([str(core)]):
        if info.ispkg and (core / info.name / "family.py").exists():
            fam = importlib.import_module(f"{package}.{info.name}.family").FAMILY
            if fam.slug != info.name:
                raise ValueError(f"Expect core/{info.name}/family.py to declare slug "
                                 f"{info.name!r}, actually {fam.slug!r}")
            found.append(fam)
    return {f.slug: f for f in sorted(found, key=lambda f: (f.order, f.slug))}


#: slug -> Family, in navigation order
FAMILIES: dict[str, Family] = discover()


def classes(family: str) -> tuple[type, type]:
    """(config class, trainer class) of ``family``; KeyError names the known ones."""
    if family not in FAMILIES:
        raise KeyError(f"Expect a family in {sorted(FAMILIES)}, actually {family!r}")
    return FAMILIES[family].classes()


def config_family(config_cls: type) -> Family | None:
    """The family whose settings class is ``config_cls`` (None: a class no family declares,
    e.g. a test's toy)."""
    where = f"{config_cls.__module__}:{config_cls.__qualname__}"
    return next((f for f in FAMILIES.values() if f.config == where), None)


def trainer_family(trainer_name: str) -> Family | None:
    """The family whose trainer class is called ``trainer_name`` (a checkpoint names it);
    None when no family's is."""
    return next((f for f in FAMILIES.values()
                 if f.trainer.partition(":")[2] == trainer_name), None)
