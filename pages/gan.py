"""GANs: GAN Lab's live view on 2-D data and digits, plus the pathologies it cannot show."""
import streamlit as st

from ui.boot import ensure_navigated
ensure_navigated()  # before the imports below: a cold start's first visit (ui/boot.py)
from core.gan import config as C
from core.gan import data as D
from core.gan import figures as F
from core.gan import losses as L
from core.gan import snapshot as S
from core.gan import trainer as T
from ui import LiveState, Page, View, figure, show
from ui.live.controls import train_action
from ui.uploads import uploaded

STEPS_PER_PRESS = 10

page = Page("gan", C.GANConfig, T.GANTrainer, title="Generative adversarial networks",
            caption="A generator and a discriminator in a duel (Goodfellow et al. 2014): five "
                    "losses, spectral normalisation, mode coverage, and a pathology lab.",
            presets=C.PRESETS, experiments=C.EXPERIMENTS, diagram=F.diagram,
            code=[T.GANTrainer.train_step, T.GANTrainer.d_step, T.GANTrainer.g_step,
                  L.d_loss, L.g_loss_per_sample, L.gradient_penalty])
cfg, run, problems = page.sidebar()


def uploaded_points():
    """(points, data id, problem) for the csv dataset; (None, None, None) for the others."""
    if cfg.dataset != "csv":
        return None, None, None
    with st.sidebar:
        return uploaded(
            "Your 2-D points (CSV: x,y per row)", lambda raw, name: D.parse_csv(raw),
            key="_gan_csv", error=D.PointsError,
            help=f"Two numeric columns, an optional header, {D.CSV_MIN_ROWS}–{D.CSV_MAX_ROWS} "
                 f"rows, at most {D.CSV_MAX_BYTES // 1_000_000} MB.",
            missing="The csv dataset needs your points: upload a CSV file of x,y rows in the "
                    "sidebar, or pick another dataset.",
            describe=lambda points, name: f"{len(points):,} points loaded from {name}.")


def step_buttons(s: LiveState) -> None:
    """GAN Lab's step controls: train one player only, or both, for a few steps."""
    def press(which: str, from_step: int) -> None:
        train_action(s, from_step, lambda t: t.step_player(which, STEPS_PER_PRESS))

    cols = st.columns(3)
    for col, (which, label) in zip(cols, (("d", "D only"), ("g", "G only"),
                                          ("both", "D + G"))):
        col.button(label, key=f"_gan_step_{which}", on_click=press,
                   args=(which, s.trainer.step if s.trainer else -1),
                   width="stretch", disabled=s.trainer is None or s.trainer.diverged is not None,
                   help=f"{STEPS_PER_PRESS} training steps of "
                        f"{dict(d='the discriminator', g='the generator', both='both players')[which]}, "
                        "then pause.")


def draw(view: View) -> None:
    snap = view.snapshot
    if snap is None:
        return
    if isinstance(snap, S.DigitsSnapshot):
        figs = F.live_figures(snap, view.trainer.history, view.trainer.config, view.upto)
        left, right = st.columns([3, 2])
        with left:
            show({k: figs[k] for k in ("digits", "interp")}, prefix="gan_")
        with right:
            _charts(figs, ("losses",))
        return
    left, right = st.columns([3, 2])
    with left:
        layers = st.pills("Show", F.LAYERS, default=list(F.LAYERS), selection_mode="multi",
                          key="_gan_layers")
        figs = F.live_figures(snap, view.trainer.history, view.trainer.config, view.upto,
                              layers=layers or ())
        figure(figs["field"], "gan_field")
        st.caption("Background: the discriminator's output (green = real, purple = fake). "
                   "Arrows: where the generator's loss pushes 120 of the generated points. Orange "
                   "mesh: a grid in noise space mapped through the generator.")
    with right:
        _charts(figs, ("losses", "coverage", "modes", "signal"))


def _charts(figs: dict, keys: tuple) -> None:
    if "losses" not in figs:  # step 0: no curves yet, and a lighter first frame without them
        st.caption("The charts appear here once training starts.")
    show({k: figs[k] for k in keys if k in figs}, prefix="gan_")


points, points_id, upload_problem = uploaded_points()
if upload_problem:
    problems.append(upload_problem)
page.body(draw, controls=step_buttons, data_key=points_id,
          make=lambda c, seed: T.GANTrainer(c, seed=seed, points=points))
