"""Save, load and share a run: the link, weights, config and metrics downloads, and loading a
checkpoint back (refused, in page names, when it belongs elsewhere)."""
from __future__ import annotations

import json

import streamlit as st

from core.config import Config, specs
from core.families import trainer_family
from core.run import RunSettings
from core.training import Trainer, WrongCheckpoint
from ui.live.classmode import Off
from ui.live.state import LiveState, state
from ui.widgets import lazy_expander, set_value, share_link

#: the largest checkpoint a student may load (class mode lowers it)
MAX_UPLOAD_BYTES = 50_000_000


def box(page: str, s: LiveState, trainer_cls: type[Trainer], cfg: Config,
        settings: RunSettings, mode: Off) -> None:
    """The "Save, load and share this run" expander (its contents built once opened)."""
    t = s.trainer
    assert t is not None
    opened = lazy_expander("Save, load and share this run", f"_save_open_{page}")
    if opened is None:
        return
    with opened:
        st.caption("This link rebuilds the same run (settings and seed):")
        st.code(share_link(cfg, settings.seed), language=None)
        cols = st.columns(3)

        def weights() -> bytes:
            with s.lock:
                return t.save_bytes()

        cols[0].download_button("Weights (.pt)", data=weights, file_name=f"{page}-step{t.step}.pt",
                                mime="application/octet-stream", key=f"_dl_pt_{page}",
                                on_click="ignore", width="stretch")
        cols[1].download_button("Config (.json)", file_name=f"{page}-config.json",
                                data=lambda: json.dumps(t.record(), indent=2),
                                mime="application/json", key=f"_dl_json_{page}",
                                on_click="ignore", width="stretch")
        cols[2].download_button("Metrics (.csv)", file_name=f"{page}-history.csv",
                                data=lambda: t.history.to_csv(), mime="text/csv",
                                key=f"_dl_csv_{page}", on_click="ignore",
                                width="stretch")
        st.file_uploader("Load weights saved from this page (.pt)", type=["pt"],
                         key=f"_upload_{page}", on_change=load, args=(page, trainer_cls, mode),
                         max_upload_size=mode.upload_limit_mb(MAX_UPLOAD_BYTES))
        said = st.session_state.pop(f"_load_said_{page}", None)  # right under the uploader
        if said is not None:
            (st.success if said[0] else st.error)(said[1])


def load(page: str, trainer_cls: type[Trainer], mode: Off) -> None:
    """Upload callback: restore a checkpoint, and put its settings into the widgets."""
    s = state(page)
    f = st.session_state.get(f"_upload_{page}")
    if f is None:
        return
    too_big = mode.upload_problem(f.size)
    if too_big:
        st.session_state[f"_load_said_{page}"] = (False, too_big)
        return
    try:
        t = mode.fit(trainer_cls.load_bytes(f.getvalue()))
    except (ValueError, RuntimeError, KeyError, TypeError) as e:
        st.session_state[f"_load_said_{page}"] = (False, refusal(f.name, e, trainer_cls))
        return
    with s.lock:
        s.trainer = t
        t.record_snapshot(force=True)
    mode.pause(s)
    for sp in specs(type(t.config)):
        set_value(sp, getattr(t.config, sp.name))
    st.session_state["seed"] = t.seed
    st.session_state[f"_load_said_{page}"] = (
        True, f"Loaded {f.name[:60]!r}: step {t.step:,}, {t.train_seconds:.1f} s of training.")


def refusal(name: str, error: Exception, trainer_cls: type[Trainer]) -> str:
    """What a student reads when a file is refused: what the file is not, in page names,
    never the loader's own text (PyTorch's advises turning safe loading off)."""
    shown = name if len(name) <= 60 else name[:57] + "…"
    family = getattr(error, "family", None)
    here = _title(trainer_cls.__name__) or "this"
    if family:
        there = _title(family)
        if there:
            return (f"{shown!r} is a checkpoint of the {there} page, not of the {here} page: "
                    f"open the {there} page and load it there.")
    if isinstance(error, WrongCheckpoint):
        return (f"{shown!r} is not an ArchLab checkpoint. Load a .pt file saved with the "
                "\"Weights (.pt)\" button of this page.")
    return (f"{shown!r} looks like a checkpoint of this page but does not fit it (it may come "
            "from an older version of ArchLab): it was not loaded.")


def _title(trainer_name: str) -> str | None:
    fam = trainer_family(trainer_name)
    return fam.title if fam else None
