"""Five GAN losses written on raw discriminator scores, and the WGAN-GP gradient penalty.

``r = D(x)`` on real samples, ``f = D(G(z))`` on generated ones, both (B,). Every function returns
a scalar to *minimise*. With σ the logistic function, D(x) = σ(r) for the probabilistic losses.

- ``minimax`` (Goodfellow et al. 2014): L_D = -E log σ(r) - E log(1-σ(f)),
  L_G = E log(1-σ(f))  (saturates: tiny gradient when D confidently rejects fakes).
- ``nonsat`` (same paper, the practical variant): L_D as above, L_G = -E log σ(f).
- ``lsgan`` (Mao et al. 2017, a=0, b=c=1): L_D = ½E(r-1)² + ½E f², L_G = ½E(f-1)².
- ``hinge`` (Lim & Ye 2017; Miyato et al. 2018): L_D = E relu(1-r) + E relu(1+f), L_G = -E f.
- ``wgan-gp`` (Arjovsky et al. 2017; Gulrajani et al. 2017): L_D = E f - E r + λ GP,
  L_G = -E f, GP = E (‖∇D(x̂)‖₂ - 1)², x̂ = εx + (1-ε)x̃, ε ~ U[0,1].

log σ(r) = -softplus(-r) and log(1-σ(f)) = -softplus(f) keep everything finite.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

#: losses whose discriminator output is a probability σ(score)
PROBABILISTIC = ("minimax", "nonsat")


def d_loss(kind: str, r: torch.Tensor, f: torch.Tensor) -> torch.Tensor:
    """Discriminator loss on real scores r (B,) and fake scores f (B,), without the GP term."""
    if kind in PROBABILISTIC:
        return F.softplus(-r).mean() + F.softplus(f).mean()
    if kind == "lsgan":
        return 0.5 * ((r - 1) ** 2).mean() + 0.5 * (f ** 2).mean()
    if kind == "hinge":
        return F.relu(1 - r).mean() + F.relu(1 + f).mean()
    if kind == "wgan-gp":
        return f.mean() - r.mean()
    raise ValueError(f"Expect a loss in minimax, nonsat, lsgan, hinge, wgan-gp; actually {kind!r}")


def g_loss_per_sample(kind: str, f: torch.Tensor) -> torch.Tensor:
    """Generator loss of each generated sample (B,); its mean is the generator loss."""
    if kind == "minimax":
        return -F.softplus(f)          # log(1 - σ(f))
    if kind == "nonsat":
        return F.softplus(-f)          # -log σ(f)
    if kind == "lsgan":
        return 0.5 * (f - 1) ** 2
    if kind in ("hinge", "wgan-gp"):
        return -f
    raise ValueError(f"Expect a loss in minimax, nonsat, lsgan, hinge, wgan-gp; actually {kind!r}")


def g_loss(kind: str, f: torch.Tensor) -> torch.Tensor:
    return g_loss_per_sample(kind, f).mean()


def gradient_penalty(D, real: torch.Tensor, fake: torch.Tensor,
                     eps: torch.Tensor) -> torch.Tensor:
    """E (‖∇_x̂ D(x̂)‖₂ - 1)² on x̂ = eps·real + (1-eps)·fake; eps (B, 1). Differentiable in D."""
    x_hat = (eps * real + (1 - eps) * fake).requires_grad_(True)  # (B, D)
    out = D(x_hat)
    (grad,) = torch.autograd.grad(out.sum(), x_hat, create_graph=True)
    return ((grad.norm(2, dim=1) - 1) ** 2).mean()


def d_output(kind: str, score: torch.Tensor) -> torch.Tensor:
    """What the heatmap shows: the probability σ(score) for the probabilistic losses, else the
    raw score (least-squares target, hinge margin or critic value)."""
    return torch.sigmoid(score) if kind in PROBABILISTIC else score
