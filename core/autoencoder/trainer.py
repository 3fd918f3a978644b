"""Training the autoencoder family live: :class:`AETrainer` and the helpers figures lean on.

API (stable; the page uses these names)
---------------------------------------
``AETrainer(cfg: AEConfig, seed)``: a :class:`core.training.Trainer`.

- ``train_step()`` metrics: ``loss`` (recon + β·KL), ``recon`` (per example, summed over
  features), ``kl`` (VAE only).
- ``evaluate()`` (every ``eval_every`` steps) on the fixed test split: ``test_recon`` (same unit
  as ``recon``, from the encoder mean), ``test_mse`` (per feature), ``test_bce`` (per pixel,
  digits only), ``test_kl`` (VAE); for the DAE also ``test_denoise_mse`` (MSE of the
  reconstruction of noisy test inputs against the clean ones) and ``noisy_mse`` (the noisy
  inputs themselves: the identity map's error).
- ``snapshot()`` -> dict of numpy arrays (see :meth:`AETrainer.snapshot` for every key): test
  latents ``z`` and ``labels``, their 2-D projection ``xy`` with ``center``/``basis`` (z ≈ center
  + xy @ basis), example rows ``ex_orig``/``ex_input``/``ex_recon``, the decoded manifold
  ``grid`` over ``grid_u`` × ``grid_v``, the decoder weights (``dec_W0``, ``dec_b0``...), and for
  the swiss roll ``points``/``points_recon``.
- ``pca_mse``: PCA-2 test MSE on this dataset (a reference line for the error chart).

Module functions taking a snapshot (so they work on any moment of the timeline):

- ``decode(z, snap)``: latent points (N, Z) -> reconstructions (N, D) with that moment's decoder.
- ``plane_to_latent(uv, snap)``: plane coordinates (N, 2) of the scatter -> latent points (N, Z).
- ``decode_plane(uv, snap)``: both at once ("decode anywhere" from a click or sliders).
- ``interpolate(snap, i, j, n=9)``: decoded points along the line between test examples i and j.
- ``embed(z, method="tsne"|"pca", seed=0)``: a 2-D embedding of latents, for latents > 2 (t-SNE
  takes a second or two: call on demand and cache).
"""
from __future__ import annotations

from typing import Any

import numpy as np
import torch

from core.autoencoder.config import AEConfig
from core.autoencoder.data import Dataset, load, pca_baseline
from core.autoencoder.model import (
    Autoencoder, add_noise, decode_numpy, kl_divergence, recon_loss)
from core.datasets import pca
from core.training import Trainer

__all__ = ["AETrainer", "decode", "plane_to_latent", "decode_plane", "interpolate", "embed",
           "N_EXAMPLES", "GRID_SIZE"]

N_EXAMPLES = 10          # fixed test examples shown as originals / noisy / reconstructions
GRID_SIZE = 15           # decoded manifold grid is GRID_SIZE x GRID_SIZE (digits)
GRID_SIZE_POINTS = 20    # ... and for the swiss roll
TEST_NOISE_SEED = 1234   # the DAE's test corruption is fixed so its curve does not jitter
MAX_F32_DECODER = 65_536  # larger decoders are stored as float16 in snapshots (size cap)

def _normal_quantiles(n: int) -> np.ndarray:
    from statistics import NormalDist
    nd = NormalDist()
    return np.array([nd.inv_cdf(p) for p in np.linspace(0.05, 0.95, n)], dtype=np.float32)


def _example_indices(ds: Dataset, k: int) -> np.ndarray:
    """Fixed test examples: the first test image of each digit, or k points along the roll."""
    if ds.continuous_label:
        order = np.argsort(ds.y_test)
        return order[np.linspace(0, len(order) - 1, k).astype(int)]
    return np.array([int(np.flatnonzero(ds.y_test == c)[0]) for c in range(k)])


class AETrainer(Trainer):
    """Trains an AE / DAE / VAE on mini-batches of the chosen dataset."""

    config_cls = AEConfig
    eval_every = 25
    #: a one-layer ReLU net at lr 1 spikes to ~1e6 (far below the base's absolute 1e8), then
    #: "recovers" with every unit dead; no healthy run comes near 100x its first loss
    explode_factor = 100.0

    def build(self) -> None:
        cfg: AEConfig = self.config
        self.data = load(cfg.dataset)
        self.images = self.data.image_shape is not None
        self.output = "sigmoid" if self.images else "linear"
        self.x_train = torch.from_numpy(self.data.x_train)
        self.x_test = torch.from_numpy(self.data.x_test)
        self.model = Autoencoder(self.data.dim, cfg.hidden_sizes, cfg.latent_dim, cfg.activation,
                                 variational=cfg.variant == "vae", output=self.output)
        self.ex_idx = _example_indices(self.data, N_EXAMPLES)
        self.pca_mse = pca_baseline(cfg.dataset, 2)
        self._make_test_noise()
        # Adam, fused: about 1.75x faster steps for networks this small on one CPU thread
        self.add_optimizer("opt", lambda: torch.optim.Adam(self.model.parameters(),
                                                           lr=cfg.lr, fused=True), lr_field="lr")

    def _make_test_noise(self) -> None:
        cfg: AEConfig = self.config
        if cfg.variant != "dae":
            self.x_test_noisy = None
            return
        g = torch.Generator().manual_seed(TEST_NOISE_SEED)
        self.x_test_noisy = add_noise(self.x_test, cfg.noise_type, cfg.noise_level, g,
                                      clip=self.images)

    def on_live_change(self, changed: set[str]) -> None:
        if changed & {"noise_type", "noise_level"}:
            self._make_test_noise()

    # ---- training --------------------------------------------------------------------------
    def train_step(self) -> dict[str, float]:
        cfg: AEConfig = self.config
        idx = torch.randint(0, len(self.x_train), (cfg.batch_size,), generator=self.gen)
        x = self.x_train[idx]                                              # (B, D)
        x_in = (add_noise(x, cfg.noise_type, cfg.noise_level, self.gen, clip=self.images)
                if cfg.variant == "dae" else x)
        out = self.model(x_in, sample=True, generator=self.gen)
        recon = recon_loss(out.logits, x, self.output).mean()             # target: clean x
        metrics = {}
        if out.logvar is not None:
            kl = kl_divergence(out.mu, out.logvar).mean()
            loss = recon + cfg.beta * kl
            metrics["kl"] = kl
        else:
            loss = recon
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()
        metrics["loss"] = loss
        metrics["recon"] = recon
        return {k: v.item() for k, v in metrics.items()}

    @torch.no_grad()
    def evaluate(self) -> dict[str, float]:
        x = self.x_test
        out = self.model(x, sample=False)
        ev = {"test_recon": recon_loss(out.logits, x, self.output).mean().item(),
              "test_mse": (out.recon - x).pow(2).mean().item()}
        if self.images:
            ev["test_bce"] = recon_loss(out.logits, x, "sigmoid").mean().item() / x.shape[1]
        if out.logvar is not None:
            ev["test_kl"] = kl_divergence(out.mu, out.logvar).mean().item()
        if self.x_test_noisy is not None:
            den = self.model(self.x_test_noisy, sample=False)
            ev["test_denoise_mse"] = (den.recon - x).pow(2).mean().item()
            ev["noisy_mse"] = (self.x_test_noisy - x).pow(2).mean().item()
        return ev

    # ---- what the figures need -------------------------------------------------------------
    @torch.no_grad()
    def snapshot(self) -> dict[str, Any]:
        """Numpy arrays for every figure at this moment (N test examples, Z latent, D features).

        Keys:
            z (N, Z) float32: test latents (encoder means). labels (N,): digit (uint8) or roll
            position (float32). xy (N, 2): their plane coordinates; center (Z,), basis (2, Z),
            explained (2,): the plane (identity for Z = 2, else the top-2 PCA directions of the
            latents) with the fraction of latent variance along each axis; z ≈ center + xy @ basis.
            ex_idx (K,) int32 test indices; ex_orig, ex_input (noisy for the DAE), ex_recon (K, D).
            grid_u, grid_v (G,) plane coordinates; grid (G, G, D): grid[i, j] decodes
            (grid_u[j], grid_v[i]) (over N(0,1) quantiles 5-95 % for the VAE, else the span of xy).
            dec_W0, dec_b0, ... decoder weights (float16 when large); n_dec_layers, activation
            (0-d str), output (0-d str), variational (0-d uint8), image_shape (2,) int32
            (images only).
            points, points_recon (N, 3): test points and their reconstructions (swiss roll only).
        """
        m = self.model
        cfg: AEConfig = self.config
        x = self.x_test
        mu, _ = m.encode(x)
        z = mu.numpy().astype(np.float32)
        center, basis, explained = _plane(z)
        xy = ((z - center) @ basis.T).astype(np.float32)

        ex = self.ex_idx
        x_in = self.x_test_noisy if self.x_test_noisy is not None else x
        ex_recon = m(x_in[ex], sample=False).recon.numpy()

        g = GRID_SIZE if self.images else GRID_SIZE_POINTS
        if m.variational:
            q = _normal_quantiles(g)
            origin = (-center) @ basis.T                   # the prior mean 0 in plane coordinates
            gu, gv = origin[0] + q, origin[1] + q
        else:
            lo, hi = np.percentile(xy, 1, axis=0), np.percentile(xy, 99, axis=0)
            pad = 0.05 * (hi - lo + 1e-6)
            gu = np.linspace(lo[0] - pad[0], hi[0] + pad[0], g, dtype=np.float32)
            gv = np.linspace(lo[1] - pad[1], hi[1] + pad[1], g, dtype=np.float32)
        uu, vv = np.meshgrid(gu, gv)                                          # (G, G) each
        zg = center + np.stack([uu.ravel(), vv.ravel()], 1) @ basis           # (G*G, Z)
        grid = m.reconstruct(m.decode(torch.from_numpy(zg.astype(np.float32)))).numpy()

        snap: dict[str, Any] = {
            "z": z, "labels": (self.data.y_test.astype(np.float32) if self.data.continuous_label
                               else self.data.y_test.astype(np.uint8)),
            "xy": xy, "center": center, "basis": basis, "explained": explained,
            "ex_idx": ex.astype(np.int32), "ex_orig": x[ex].numpy().copy(),
            "ex_input": x_in[ex].numpy().copy(), "ex_recon": ex_recon,
            "grid_u": gu.astype(np.float32), "grid_v": gv.astype(np.float32),
            "grid": grid.reshape(g, g, -1).astype(np.float32),
            "activation": np.array(cfg.activation), "output": np.array(self.output),
            "variational": np.array(m.variational, dtype=np.uint8),
        }
        weights = m.decoder_weights()
        big = sum(w.size + b.size for w, b in weights) > MAX_F32_DECODER
        for i, (w, b) in enumerate(weights):
            snap[f"dec_W{i}"] = w.astype(np.float16) if big else w
            snap[f"dec_b{i}"] = b.astype(np.float16) if big else b
        snap["n_dec_layers"] = np.array(len(weights), dtype=np.int32)
        if self.images:
            snap["image_shape"] = np.array(self.data.image_shape, dtype=np.int32)
        else:
            snap["points"] = self.data.x_test
            snap["points_recon"] = m(x, sample=False).recon.numpy()
        return snap


def _plane(z: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(center (Z,), orthonormal basis (2, Z), explained variance fractions (2,)) of latents.

    Z = 2: the identity (the latent itself). Z > 2: the top-2 principal directions, each signed
    so that its largest entry is positive (stable orientation from one snapshot to the next).
    """
    n, d = z.shape
    var_total = float(z.var(0).sum()) + 1e-12
    if d == 2:
        center = np.zeros(2, np.float32)
        basis = np.eye(2, dtype=np.float32)
        explained = (z.var(0) / var_total).astype(np.float32)
        return center, basis, explained
    center, basis, proj = pca(z, 2)
    return center, basis, (proj.var(0) / var_total).astype(np.float32)


# ---- functions on a snapshot ------------------------------------------------------------------
def decode(z: np.ndarray, snap: dict[str, Any]) -> np.ndarray:
    """Latent points (N, Z) -> reconstructions (N, D) with the decoder stored in ``snap``."""
    n = int(snap["n_dec_layers"])
    weights = [(snap[f"dec_W{i}"], snap[f"dec_b{i}"]) for i in range(n)]
    z = np.atleast_2d(np.asarray(z, dtype=np.float32))
    return decode_numpy(z, weights, str(snap["activation"]), str(snap["output"]))


def plane_to_latent(uv: np.ndarray, snap: dict[str, Any]) -> np.ndarray:
    """Plane coordinates (N, 2) of the latent scatter -> latent points (N, Z)."""
    uv = np.atleast_2d(np.asarray(uv, dtype=np.float32))
    return (snap["center"] + uv @ snap["basis"]).astype(np.float32)


def decode_plane(uv: np.ndarray, snap: dict[str, Any]) -> np.ndarray:
    """Decode points chosen on the scatter's plane: (N, 2) -> (N, D)."""
    return decode(plane_to_latent(uv, snap), snap)


def interpolate(snap: dict[str, Any], i: int, j: int, n: int = 9) -> np.ndarray:
    """Decoded points on the straight latent line from test example ``i`` to ``j``: (n, D)."""
    z = snap["z"]
    a = np.linspace(0.0, 1.0, n, dtype=np.float32)[:, None]
    return decode((1 - a) * z[i] + a * z[j], snap)


def embed(z: np.ndarray, method: str = "tsne", seed: int = 0) -> np.ndarray:
    """A 2-D embedding (N, 2) of latents (N, Z): "pca" (instant) or "tsne" (about 1-3 s)."""
    z = np.asarray(z, dtype=np.float32)
    if method == "pca" or z.shape[1] <= 2:
        center, basis, _ = _plane(z) if z.shape[1] > 2 else (np.zeros(2), np.eye(2), None)
        return ((z - center) @ basis.T).astype(np.float32)
    if method == "tsne":
        from sklearn.manifold import TSNE
        perplexity = float(min(30, max(5, (len(z) - 1) // 3)))
        out = TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=seed
                   ).fit_transform(z)
        return out.astype(np.float32)
    raise ValueError(f"Expect method 'tsne' or 'pca', actually {method!r}")
