"""MLP generator and discriminator (GAN Lab's tiny networks; Goodfellow et al. 2014).

Letters: B batch, Z latent size, H hidden width, D data size (2 for points, 64 for digits).

>>> import torch
>>> G, Dn = Generator(2, 16, 2, 2), Discriminator(2, 16, 2)
>>> Dn(G(torch.zeros(5, 2))).shape
torch.Size([5])
"""
from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm as _sn


class Generator(nn.Module):
    """z (B, Z) -> x (B, D): ``n_layers`` hidden ReLU layers of width H.

    Points come out unbounded; images through a sigmoid into [0, 1].
    """

    def __init__(self, z_dim: int, hidden: int, n_layers: int, out_dim: int,
                 image: bool = False):
        super().__init__()
        layers: list[nn.Module] = []
        d = z_dim
        for _ in range(n_layers):
            layers += [nn.Linear(d, hidden), nn.ReLU()]
            d = hidden
        layers.append(nn.Linear(d, out_dim))
        if image:
            layers.append(nn.Sigmoid())
        self.net = nn.Sequential(*layers)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z)  # (B, D)


class Discriminator(nn.Module):
    """x (B, D) -> raw score (B,): a logit for the minimax/non-saturating losses, a critic value
    for WGAN-GP and hinge. LeakyReLU(0.2) keeps gradients alive on the fake side."""

    def __init__(self, in_dim: int, hidden: int, n_layers: int, spectral_norm: bool = False):
        super().__init__()
        wrap = _sn if spectral_norm else (lambda m: m)
        layers: list[nn.Module] = []
        d = in_dim
        for _ in range(n_layers):
            layers += [wrap(nn.Linear(d, hidden)), nn.LeakyReLU(0.2)]
            d = hidden
        layers.append(wrap(nn.Linear(d, 1)))
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x).squeeze(-1)  # (B,)


def sample_noise(kind: str, n: int, z_dim: int, gen: torch.Generator) -> torch.Tensor:
    """p(z): standard normal or uniform on [-1, 1]^Z, drawn from ``gen``. Shape (n, Z)."""
    if kind == "gaussian":
        return torch.randn(n, z_dim, generator=gen)
    if kind == "uniform":
        return torch.rand(n, z_dim, generator=gen) * 2 - 1
    raise ValueError(f"Expect noise 'gaussian' or 'uniform', actually {kind!r}")
