"""Autoencoders: plain, denoising and variational, on digits or a swiss roll, trained live."""
import numpy as np
import streamlit as st

from ui.boot import ensure_navigated
ensure_navigated()  # before the imports below: a cold start's first visit (ui/boot.py)
from core.autoencoder import config as C
from core.autoencoder import figures as F
from core.autoencoder import model as M
from core.autoencoder import snapshot as S
from core.autoencoder import trainer as T
from ui import Page, View, clickable, figure, show

page = Page("autoencoder", C.AEConfig, T.AETrainer, title="Autoencoders",
            caption="Compress, then rebuild: plain, denoising (Vincent et al. 2008) and "
                    "variational (Kingma & Welling 2014) autoencoders, training live.",
            presets=C.PRESETS, experiments=C.EXPERIMENTS, diagram=F.diagram,
            code=[M.Autoencoder, M.recon_loss, M.kl_divergence, M.add_noise,
                  T.AETrainer.train_step], extra_keys=("zx", "zy", "ia", "ib"))
cfg, run, problems = page.sidebar()


@st.cache_data(max_entries=8, show_spinner="Embedding the latent space with t-SNE…")
def tsne(z: np.ndarray, seed: int) -> np.ndarray:
    return T.embed(z, "tsne", seed=seed)


def draw(view: View) -> None:
    snap, paused = view.snapshot, not view.playing
    figs = F.live_figures(snap, view.trainer.history, view.trainer.config, upto=view.upto)
    latent, examples = figs.pop("latent"), figs.pop("examples")
    left, right = st.columns(2)
    with left:
        show(figs, prefix="ae_")
        if not figs:
            st.caption("The loss curves appear once training starts.")
    with right:
        if not paused:
            figure(latent, "latent")
        else:
            _latent_paused(snap, view.trainer.config.latent_dim)
    figure(examples, "examples")
    if view.playing or view.step == 0:  # untrained: the views below wait for training
        st.caption(("Pause" if view.step else "Train a little, then pause") + " to decode any "
                   "point of the latent plane, see the decoded manifold and interpolate "
                   "between two test examples.")
        return
    explore(snap)


def _latent_paused(snap: S.AESnapshot, latent_dim: int) -> None:
    """The latent scatter with a t-SNE option, the decoded point and clicks (paused only)."""
    xy, method = None, None
    if latent_dim > 2 and st.toggle(
            "t-SNE view of the latent", key="_tsne",
            help="PCA (default) is a linear view of the latent space; t-SNE keeps "
                 "neighbourhoods. Computed on pause, a second or two."):
        xy, method = tsne(snap.z, run.seed), "t-SNE"
    zx, zy = st.session_state.get("zx"), st.session_state.get("zy")
    point = (zx, zy) if method is None and zx is not None else None
    pair = (st.session_state.get("ia", 0), st.session_state.get("ib", 7))
    points = clickable(F.latent_scatter(snap, xy=xy, method=method, point=point, pair=pair),
                       "latent")
    if method is None and points:       # a clicked test example moves the sliders to it
        _pick(points, snap)


def _pick(points: list, snap: S.AESnapshot) -> None:
    cd = points[0].get("customdata")
    idx = int(cd[0] if isinstance(cd, (list, tuple)) else cd)
    if st.session_state.get("_clicked") == idx:  # the same selection comes back every rerun
        return
    st.session_state["_clicked"] = idx
    u, v = snap.xy[idx]
    st.session_state["zx"], st.session_state["zy"] = float(u), float(v)


def explore(snap: S.AESnapshot) -> None:
    """Decode anywhere, the manifold grid and interpolation (drawn while paused)."""
    (u_lo, u_hi), (v_lo, v_hi) = snap.plane_bounds
    for k, (lo, hi) in zip(("zx", "zy"), snap.plane_bounds):  # keep in range after rebuilds
        if k in st.session_state:
            st.session_state[k] = min(max(float(st.session_state[k]), lo), hi)
    st.subheader("Decode anywhere")
    st.caption("Move the sliders, or click a test example in the latent plot above.")
    a, b = st.columns([2, 3])
    with a:
        u = st.slider("Plane x", u_lo, u_hi, (u_lo + u_hi) / 2, key="zx")
        v = st.slider("Plane y", v_lo, v_hi, (v_lo + v_hi) / 2, key="zy")
        x = T.decode_plane(np.array([[u, v]], np.float32), snap)[0]
        st.plotly_chart(F.decoded_figure(x, snap, title=f"Decoded at ({u:.2f}, {v:.2f})"),
                        width="stretch", key="decoded")
    with b:
        st.plotly_chart(F.manifold_figure(snap), width="stretch", key="manifold")
    st.subheader("Interpolate between two test examples")
    n = len(snap.z)
    c1, c2 = st.columns(2)
    i = int(c1.number_input("From test example", 0, n - 1, 0, key="ia"))
    j = int(c2.number_input("To test example", 0, n - 1, min(7, n - 1), key="ib"))
    st.plotly_chart(F.interpolation_figure(T.interpolate(snap, i, j), snap),
                    width="stretch", key="interp")


page.body(draw)
