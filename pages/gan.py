"""GANs: GAN Lab's live view on 2-D data and digits, plus the pathologies it cannot show."""
import streamlit as st

from core.gan import config as C
from core.gan import data as D
from core.gan import figures as F
from core.gan import losses as L
from core.gan import trainer as T
from ui import LiveState, Page, View, chart

STEPS_PER_PRESS = 10

page = Page("gan", C.GANConfig, T.GANTrainer, title="🎭 Generative adversarial networks",
            caption="A generator and a discriminator in a duel (Goodfellow et al. 2014): five "
                    "losses, spectral normalisation, mode coverage, and a pathology lab.",
            presets=C.PRESETS, experiments=C.EXPERIMENTS, diagram=F.diagram,
            code=[T.GANTrainer.train_step, T.GANTrainer.d_step, T.GANTrainer.g_step,
                  L.d_loss, L.g_loss_per_sample, L.gradient_penalty])
cfg, run, problems = page.sidebar()


def uploaded_points():
    """(points, file id) for the csv dataset, or (None, None); problems say what is missing."""
    if cfg.dataset != "csv":
        return None, None
    up = st.sidebar.file_uploader(
        "Your 2-D points (CSV: x,y per row)", type=["csv", "txt"], key="_gan_csv",
        help=f"Two numeric columns, an optional header, {D.CSV_MIN_ROWS}–{D.CSV_MAX_ROWS} rows, "
             f"at most {D.CSV_MAX_BYTES // 1_000_000} MB.", max_upload_size=1)
    if up is None:
        problems.append("The csv dataset needs your points: upload a CSV file of x,y rows in "
                        "the sidebar, or pick another dataset.")
        return None, None
    cached = st.session_state.get("_gan_points")
    if cached is None or cached[0] != up.file_id:
        try:
            cached = (up.file_id, D.parse_csv(up.getvalue()))
        except ValueError as e:
            problems.append(f"{up.name}: {e}")
            return None, None
        st.session_state["_gan_points"] = cached
    st.sidebar.caption(f"{len(cached[1]):,} points loaded from {up.name}.")
    return cached[1], cached[0]


def step_buttons(s: LiveState) -> None:
    """GAN Lab's step controls: train one player only, or both, for a few steps."""
    def press(which: str, from_step: int) -> None:
        s.playing = False
        if s.trainer is not None:
            with s.lock:
                if s.trainer.step == from_step:  # a click delivered twice trains once
                    s.trainer.step_player(which, STEPS_PER_PRESS)

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
    left, right = st.columns([3, 2])
    if str(snap["kind"]) == "digits":
        left.plotly_chart(F.digit_grid(snap), width="stretch", key="gan_digits")
        left.plotly_chart(F.interpolation_strip(snap), width="stretch", key="gan_interp")
        with right:
            chart(F.loss_chart(view.history(["d_loss", "g_loss"]), view.upto))
        return
    with left:
        layers = st.pills("Show", F.LAYERS, default=list(F.LAYERS), selection_mode="multi",
                          key="_gan_layers")
        st.plotly_chart(F.field_figure(snap, layers or ()), width="stretch", key="gan_field")
        st.caption("Background: the discriminator's output (green = real, purple = fake). "
                   "Arrows: where the generator's loss pushes each generated point. Orange "
                   "mesh: a grid in noise space mapped through the generator.")
    with right:
        chart(F.loss_chart(view.history(["d_loss", "g_loss"]), view.upto))
        if "modes" in snap:
            chart(F.coverage_chart(view.history(["modes", "hq_share"]), len(snap["centres"]),
                                   view.upto))
            st.plotly_chart(F.mode_bars(snap), width="stretch", key="gan_modes")
        chart(F.signal_chart(view.history(["g_grad"]), view.upto))


points, points_id = uploaded_points()
page.body(draw, controls=step_buttons, data_key=points_id,
          make=lambda c, seed: T.GANTrainer(c, seed=seed, points=points))
