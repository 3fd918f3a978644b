"""GANTrainer: one ``train_step`` is Algorithm 1 of Goodfellow et al. (2014).

    for k steps:  sample real x and noise z;  descend L_D(D(x), D(G(z)))  [+ λ GP for WGAN-GP]
    once:         sample noise z;             descend L_G(D(G(z)))

``step_mode`` ("both", "d", "g") restricts a step to one player, as GAN Lab's step buttons do;
``step_player(which, n)`` runs n such steps whatever the config says (the page's buttons).

Snapshots hold what the live view draws (:class:`FieldSnapshot` on 2-D data: real and generated
samples, the discriminator's output on a grid, the gradient field on generated samples, the
generator's manifold; :class:`DigitsSnapshot`: a sample grid and an interpolation between two z).
"""
from __future__ import annotations

import numpy as np
import torch

from core.alarms import Alarm, lr_above
from core.gan import data as gdata
from core.gan.config import GANConfig
from core.gan.losses import d_loss, d_output, g_loss, g_loss_per_sample, gradient_penalty
from core.gan.metrics import METRICS, mode_stats
from core.gan.model import Discriminator, Generator, sample_noise
from core.gan.snapshot import DigitsSnapshot, FieldSnapshot, ModeCoverage
from core.datasets import digits
from core.training import Trainer

HEAT_RES = 48       # discriminator heatmap resolution (cells per side)
N_SHOW = 400        # real / generated points per snapshot
N_ARROWS = 120      # generated points with a gradient arrow
MANIFOLD_RES = 16   # noise-grid lines per side
N_EVAL = 2000       # generated samples for the coverage metrics
HEAT_KIND = {"minimax": "prob", "nonsat": "prob", "lsgan": "ls"}  # else a raw score around 0


class GANTrainer(Trainer):
    config_cls = GANConfig
    eval_every = 50
    metrics = METRICS
    #: Adam at lr 1 for both players sends the losses into the thousands (the generator's to
    #: 3e7) and every sample onto one point; a balanced game keeps both losses within a few
    #: units. Mode collapse onto one of the modes is a lesson (its preset), not an alarm: the
    #: collapse alarm only blames a learning rate far above its default.
    alarms = (
        Alarm("d_loss", above=lambda t: 100.0, hold=20,
              says="the discriminator's loss stayed above {limit:g} for {hold} steps (now "
                   "{value:.3g}); a balanced game keeps it within a few units"),
        Alarm("g_loss", above=lambda t: 100.0, hold=20,
              says="the generator's loss stayed above {limit:g} for {hold} steps (now "
                   "{value:.3g}); a balanced game keeps it within a few units"),
        # dead units put every sample on exactly one point (spread 0); the vanishing-gradient
        # presets (D at 67x its default rate) sit near 4 % of the data's spread
        Alarm("spread", below=lambda t: 0.005, hold=100, when=lr_above(10.0),
              says="every generated sample collapsed onto one point: their spread stayed "
                   "under {limit:.1%} of the data's for {hold} steps (now {value:.1%})"),
    )

    def __init__(self, config: GANConfig, seed: int = 0, points: np.ndarray | None = None):
        """``points``: the user's uploaded 2-D points, for the ``csv`` dataset."""
        self.points = None if points is None else np.asarray(points, dtype=np.float32)
        super().__init__(config, seed)

    # ---- build ------------------------------------------------------------------------------
    def build(self) -> None:
        c = self.config
        if c.is_2d:
            self.out_dim = 2
            if c.dataset == "csv" and self.points is None:
                raise ValueError("Expect uploaded points for the csv dataset, actually none: "
                                 "upload a CSV file of x,y rows first")
            self.centres = gdata.mode_centres(c.dataset)
            self.bounds = gdata.bounds(c.dataset, self.points)
            # a fixed pool of real points (fast batches, fixed picture); mixtures resample fresh
            self.pool = torch.from_numpy(gdata.sample_2d(c.dataset, self.rng, 20_000, c.spread,
                                                         self.points))
        else:
            self.out_dim = 64
            self.centres = None
            self.pool = torch.from_numpy(digits()[0].copy())
        self.data_spread = float(self.pool.std(0).mean())
        self.G = Generator(c.z_dim, c.g_hidden, c.n_layers, self.out_dim, image=not c.is_2d)
        self.D = Discriminator(self.out_dim, c.d_hidden, c.n_layers, c.spectral_norm)
        # built on first use; G follows ``lr``, D follows ``lr_d``
        self.add_optimizer("opt_g", lambda: self._optimizer(self.G, c.lr), lr_field="lr")
        self.add_optimizer("opt_d", lambda: self._optimizer(self.D, c.lr_d), lr_field="lr_d")
        # fixed inputs for the pictures, so frames differ only by training
        g = torch.Generator().manual_seed(self.seed + 1)
        self.z_show = sample_noise(c.noise, N_SHOW, c.z_dim, g)
        self.z_eval = sample_noise(c.noise, N_EVAL, c.z_dim, g)
        self.real_show = self._real(N_SHOW, g).numpy()
        self.z_pair = sample_noise(c.noise, 2, c.z_dim, g)

    # ---- optimisers, built on first use -----------------------------------------------------
    def _optimizer(self, module: torch.nn.Module, lr: float) -> torch.optim.Optimizer:
        c = self.config
        if c.optimizer == "adam":
            # fused: one kernel per step instead of a dozen small ones (~2x faster on CPU)
            return torch.optim.Adam(module.parameters(), lr=lr, betas=(c.beta1, c.beta2),
                                    fused=True)
        return torch.optim.SGD(module.parameters(), lr=lr, momentum=c.momentum)

    def _real(self, n: int, gen: torch.Generator | None = None) -> torch.Tensor:
        idx = torch.randint(0, len(self.pool), (n,), generator=gen or self.gen)
        return self.pool[idx]

    def _noise(self, n: int) -> torch.Tensor:
        return sample_noise(self.config.noise, n, self.config.z_dim, self.gen)

    # ---- one step: Algorithm 1 --------------------------------------------------------------
    def d_step(self) -> float:
        """One discriminator update; returns L_D (with the penalty for WGAN-GP)."""
        c = self.config
        B = c.batch_size
        x = self._real(B)                                  # (B, D)
        with torch.no_grad():
            x_fake = self.G(self._noise(B))                # (B, D), no gradient into G
        scores = self.D(torch.cat([x, x_fake]))            # (2B,) one pass for both halves
        loss = d_loss(c.loss, scores[:B], scores[B:])
        if c.loss == "wgan-gp" and c.gp_lambda > 0:
            eps = torch.rand(B, 1, generator=self.gen)
            loss = loss + c.gp_lambda * gradient_penalty(self.D, x, x_fake, eps)
        self.opt_d.zero_grad(set_to_none=True)
        loss.backward()
        self.opt_d.step()
        return loss.item()

    def g_step(self) -> tuple[float, float]:
        """One generator update; returns (L_G, mean ‖∂L_G/∂x‖ per generated sample).

        The second number is the signal G receives: near zero is a vanishing gradient.
        """
        c = self.config
        x_fake = self.G(self._noise(c.batch_size))         # (B, D)
        x_fake.retain_grad()
        self.D.requires_grad_(False)                       # D is only a path for the gradient
        loss = g_loss(c.loss, self.D(x_fake))
        self.opt_g.zero_grad(set_to_none=True)
        loss.backward()
        self.D.requires_grad_(True)
        self.opt_g.step()
        gnorm = x_fake.grad.norm(dim=1).mean() * c.batch_size  # undo the 1/B of the mean
        return loss.item(), gnorm.item()

    def train_step(self) -> dict[str, float]:
        mode = self.config.step_mode
        out: dict[str, float] = {}
        if mode in ("both", "d"):
            for _ in range(self.config.d_steps):
                out["d_loss"] = self.d_step()
        if mode in ("both", "g"):
            out["g_loss"], out["g_grad"] = self.g_step()
        return out

    def step_player(self, which: str, n: int = 1):
        """Run ``n`` steps of one player ("d", "g") or both, whatever ``step_mode`` says."""
        if which not in ("both", "d", "g"):
            raise ValueError(f"Expect 'both', 'd' or 'g', actually {which!r}")
        keep = self.config
        self.config = keep.replace(step_mode=which)
        try:
            return self.run_steps(n)
        finally:
            self.config = keep

    # ---- live settings ----------------------------------------------------------------------
    def modules(self) -> dict[str, torch.nn.Module]:
        return {"G": self.G, "D": self.D}

    def suggestion(self, metric: str) -> str:
        c = self.config
        return (f"The learning rates (G {c.lr:g}, D {c.lr_d:g}) are probably too high: divide "
                "them by 10, or switch to WGAN-GP or spectral normalisation, and press reset.")

    # ---- metrics and pictures ---------------------------------------------------------------
    def generate(self, z: torch.Tensor) -> np.ndarray:
        with torch.no_grad():
            return self.G(z).numpy()

    def coverage(self) -> tuple[int, float]:
        """(modes covered, high-quality share) on the fixed evaluation noise."""
        covered, share, _ = mode_stats(self.generate(self.z_eval), self.centres,
                                       self.config.spread)
        return covered, share

    def evaluate(self) -> dict[str, float]:
        fake = self.generate(self.z_eval)                                  # (N_EVAL, D)
        out = {"spread": float(fake.std(0).mean()) / max(self.data_spread, 1e-12)}
        if self.centres is not None:
            covered, share, _ = mode_stats(fake, self.centres, self.config.spread)
            out.update(modes=float(covered), hq_share=share)
        return out

    def snapshot(self) -> FieldSnapshot | DigitsSnapshot:
        # eval mode: spectral norm must not run a power iteration (training state) for a picture
        self.D.eval()
        try:
            return self.snapshot_2d() if self.config.is_2d else self.snapshot_digits()
        finally:
            self.D.train()

    def snapshot_2d(self) -> FieldSnapshot:
        c = self.config
        x0, x1, y0, y1 = self.bounds
        gx = torch.linspace(x0, x1, HEAT_RES)
        gy = torch.linspace(y0, y1, HEAT_RES)
        yy, xx = torch.meshgrid(gy, gx, indexing="ij")
        grid = torch.stack([xx.ravel(), yy.ravel()], 1)
        with torch.no_grad():
            heat = d_output(c.loss, self.D(grid)).reshape(HEAT_RES, HEAT_RES)
            fake = self.G(self.z_show)
        # gradient field: where L_G pushes each generated sample (-∂ℓ_G/∂x)
        xa = fake[:N_ARROWS].clone().requires_grad_(True)
        with torch.enable_grad():
            (grad,) = torch.autograd.grad(g_loss_per_sample(c.loss, self.D(xa)).sum(), xa)
        # manifold: a grid over the first two noise dimensions (others at 0) mapped through G
        lim = 2.0 if c.noise == "gaussian" else 1.0
        t = torch.linspace(-lim, lim, MANIFOLD_RES)
        zz = torch.zeros(MANIFOLD_RES * MANIFOLD_RES, c.z_dim)
        a, b = torch.meshgrid(t, t, indexing="ij")
        zz[:, 0] = a.ravel()
        if c.z_dim > 1:
            zz[:, 1] = b.ravel()
        with torch.no_grad():
            mani = self.G(zz).reshape(MANIFOLD_RES, MANIFOLD_RES, 2)
        coverage = None
        if self.centres is not None:
            covered, share, counts = mode_stats(self.generate(self.z_eval), self.centres,
                                                c.spread)
            coverage = ModeCoverage(self.centres, float(c.spread), counts.astype(np.int32),
                                    int(covered), float(share))
        return FieldSnapshot(
            real=self.real_show.astype(np.float32), fake=fake.numpy().astype(np.float32),
            arrow_xy=fake[:N_ARROWS].numpy().astype(np.float32),
            arrow_uv=(-grad).numpy().astype(np.float32), heat=heat.numpy().astype(np.float32),
            heat_kind=HEAT_KIND.get(c.loss, "score"),
            bounds=tuple(float(v) for v in self.bounds),
            manifold=mani.numpy().astype(np.float32), coverage=coverage)

    def snapshot_digits(self) -> DigitsSnapshot:
        with torch.no_grad():
            samples = self.G(self.z_show[:32]).reshape(-1, 8, 8)
            w = torch.linspace(0, 1, 10)[:, None]
            z = (1 - w) * self.z_pair[0] + w * self.z_pair[1]          # (10, Z) straight line
            interp = self.G(z).reshape(-1, 8, 8)
        real = self.pool[:16].reshape(-1, 8, 8)
        return DigitsSnapshot(samples=samples.numpy().astype(np.float32),
                              interp=interp.numpy().astype(np.float32),
                              real=real.numpy().astype(np.float32))
