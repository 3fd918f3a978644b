"""Autoencoder, denoising autoencoder and variational autoencoder as small MLPs.

Papers:
- Hinton & Salakhutdinov (2006), "Reducing the dimensionality of data with neural networks".
- Vincent, Larochelle, Bengio & Manzagol (2008), "Extracting and composing robust features with
  denoising autoencoders".
- Kingma & Welling (2014), "Auto-encoding variational Bayes".
- Higgins et al. (2017), "β-VAE: learning basic visual concepts with a constrained variational
  framework".

Shapes: B batch, D input features (64 pixels or 3 coordinates), Z latent size.

The decoder outputs *logits* for images (``output="sigmoid"``: the reconstruction is their
sigmoid and the loss is binary cross-entropy) and raw values for points (``output="linear"``,
mean-squared error). :func:`decode_numpy` runs the same decoder from numpy weights, so a figure
can decode any latent point with the weights of a past moment.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from core.nets import ACTIVATIONS, mlp

__all__ = ["AEOutput", "Autoencoder", "reparameterize", "kl_divergence", "recon_loss",
           "add_noise", "decode_numpy", "ACTIVATIONS"]

#: decoder standard deviation assumed for real-valued points (the swiss roll)
POINT_SIGMA = 0.1



class AEOutput(NamedTuple):
    """What one forward pass gives the loss and the figures."""

    logits: torch.Tensor          # (B, D) decoder output before the output nonlinearity
    recon: torch.Tensor           # (B, D) reconstruction (sigmoid(logits) or logits)
    z: torch.Tensor               # (B, Z) the code fed to the decoder (a sample for the VAE)
    mu: torch.Tensor              # (B, Z) encoder mean (= z for AE/DAE)
    logvar: torch.Tensor | None   # (B, Z) encoder log-variance (VAE only)


def reparameterize(mu: torch.Tensor, logvar: torch.Tensor,
                   generator: torch.Generator | None = None) -> torch.Tensor:
    """z = μ + σ ⊙ ε with σ = exp(logvar / 2), ε ~ N(0, I): a sample that gradients flow through.

    Shapes: mu, logvar (B, Z) -> (B, Z).
    """
    eps = torch.randn(mu.shape, generator=generator, dtype=mu.dtype)
    return mu + torch.exp(0.5 * logvar) * eps


def kl_divergence(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """KL(N(μ, σ²) ‖ N(0, I)) = ½ Σ_j (μ_j² + σ_j² − log σ_j² − 1), per example: (B, Z) -> (B,)."""
    return 0.5 * (mu.pow(2) + logvar.exp() - logvar - 1.0).sum(dim=1)


def recon_loss(logits: torch.Tensor, target: torch.Tensor, output: str) -> torch.Tensor:
    """Reconstruction loss summed over features, per example: (B, D) -> (B,).

    ``output="sigmoid"``: binary cross-entropy of sigmoid(logits) against targets in [0, 1];
    ``output="linear"``: Gaussian negative log-likelihood with a fixed σ = POINT_SIGMA (up to a
    constant), i.e. squared error / (2σ²), so the KL term has a sensible weight on points too.
    """
    if output == "sigmoid":
        return F.binary_cross_entropy_with_logits(logits, target, reduction="none").sum(dim=1)
    return (logits - target).pow(2).sum(dim=1) / (2 * POINT_SIGMA ** 2)


def add_noise(x: torch.Tensor, kind: str, level: float, generator: torch.Generator | None = None,
              clip: bool = True) -> torch.Tensor:
    """Corrupt ``x`` (B, D) for a denoising autoencoder (Vincent et al. 2008).

    gaussian: x + level · N(0, 1), clipped to [0, 1] when ``clip`` (images);
    masking: each feature set to 0 with probability ``level``.
    """
    if level <= 0:
        return x
    if kind == "gaussian":
        noisy = x + level * torch.randn(x.shape, generator=generator, dtype=x.dtype)
        return noisy.clamp(0.0, 1.0) if clip else noisy
    if kind == "masking":
        keep = torch.rand(x.shape, generator=generator, dtype=x.dtype) >= level
        return x * keep
    raise ValueError(f"Expect noise kind 'gaussian' or 'masking', actually {kind!r}")


class Autoencoder(nn.Module):
    """MLP encoder → bottleneck z → mirrored MLP decoder; variational when ``variational``.

    Args:
        d_in: input features D.
        hidden: encoder widths, e.g. (128, 64); the decoder uses them reversed.
        latent_dim: Z.
        activation: a key of :data:`ACTIVATIONS`.
        variational: the encoder outputs (μ, log σ²) and the code is sampled.
        output: "sigmoid" (images in [0, 1]) or "linear" (real-valued points).

    Example:
        >>> m = Autoencoder(64, (32,), 2, "relu", variational=True)
        >>> out = m(torch.zeros(5, 64))
        >>> tuple(out.recon.shape), tuple(out.z.shape), tuple(out.logvar.shape)
        ((5, 64), (5, 2), (5, 2))
    """

    def __init__(self, d_in: int, hidden: tuple[int, ...], latent_dim: int, activation: str,
                 variational: bool, output: str = "sigmoid"):
        super().__init__()
        if activation not in ACTIVATIONS:
            raise ValueError(f"Expect activation in {sorted(ACTIVATIONS)}, actually {activation!r}")
        self.variational = variational
        self.output = output
        self.latent_dim = latent_dim
        self.activation = activation
        # the encoder's last layer gives μ and log σ² side by side for the VAE
        out_dim = 2 * latent_dim if variational else latent_dim
        self.encoder = mlp([d_in, *hidden, out_dim], activation)
        self.decoder = mlp([latent_dim, *reversed(hidden), d_in], activation)

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        """(B, D) -> μ (B, Z), log σ² (B, Z) or None."""
        h = self.encoder(x)
        if self.variational:
            mu, logvar = h.chunk(2, dim=1)
            return mu, logvar
        return h, None

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """(B, Z) -> logits (B, D)."""
        return self.decoder(z)

    def reconstruct(self, logits: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(logits) if self.output == "sigmoid" else logits

    def forward(self, x: torch.Tensor, sample: bool = True,
                generator: torch.Generator | None = None) -> AEOutput:
        # 1) encode  2) sample z (VAE, training) or take the mean  3) decode
        mu, logvar = self.encode(x)                                      # (B, Z) each
        z = reparameterize(mu, logvar, generator) if (logvar is not None and sample) else mu
        logits = self.decode(z)                                          # (B, D)
        return AEOutput(logits, self.reconstruct(logits), z, mu, logvar)

    def decoder_weights(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """The decoder's (W, b) pairs as float32 numpy, W of shape (out, in)."""
        return [(m.weight.detach().numpy().copy(), m.bias.detach().numpy().copy())
                for m in self.decoder if isinstance(m, nn.Linear)]


def _sigmoid_numpy(x: np.ndarray) -> np.ndarray:
    """σ(x) written with tanh: no overflow warning for large |x| (a diverged run's decoder)."""
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def _act_numpy(x: np.ndarray, activation: str) -> np.ndarray:
    if activation == "relu":
        return np.maximum(x, 0.0)
    if activation == "leaky_relu":
        return np.where(x > 0, x, 0.01 * x)
    if activation == "elu":
        return np.where(x > 0, x, np.expm1(np.minimum(x, 0.0)))
    if activation == "tanh":
        return np.tanh(x)
    if activation == "silu":
        return x * _sigmoid_numpy(x)
    raise ValueError(f"Expect activation in {sorted(ACTIVATIONS)}, actually {activation!r}")


def decode_numpy(z: np.ndarray, weights: list[tuple[np.ndarray, np.ndarray]], activation: str,
                 output: str) -> np.ndarray:
    """The decoder in numpy: z (N, Z) -> reconstruction (N, D), sigmoid applied for images."""
    h = np.asarray(z, dtype=np.float32)
    for i, (w, b) in enumerate(weights):
        h = h @ w.astype(np.float32).T + b.astype(np.float32)
        if i < len(weights) - 1:
            h = _act_numpy(h, activation)
    if output == "sigmoid":
        h = _sigmoid_numpy(h)
    return h.astype(np.float32)
