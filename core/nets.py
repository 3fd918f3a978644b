"""Building blocks shared by several families (torch only).

``mlp``: the one multi-layer perceptron builder. With ``out_gain`` it uses the orthogonal
initialisation that policy-gradient implementations use (gain √2 on hidden layers, ``out_gain``
on the last, zero biases; Engstrom et al. 2020 and Huang et al. 2022 list it among PPO's
details); without it, PyTorch's default initialisation.
"""
from __future__ import annotations

import math

from torch import nn

__all__ = ["ACTIVATIONS", "mlp"]

ACTIVATIONS: dict[str, type[nn.Module]] = {
    "relu": nn.ReLU, "leaky_relu": nn.LeakyReLU, "elu": nn.ELU, "tanh": nn.Tanh,
    "silu": nn.SiLU}


def mlp(sizes: list[int], activation: str = "tanh", *,
        out_gain: float | None = None) -> nn.Sequential:
    """Linear layers of ``sizes`` with ``activation`` between them (none after the last).

    Args:
        sizes: widths, input first: ``[4, 64, 64, 2]`` is two hidden layers of 64.
        activation: a key of :data:`ACTIVATIONS`.
        out_gain: orthogonal initialisation with this gain on the last layer (√2 on the
            others, zero biases); None keeps PyTorch's default initialisation.

    >>> import torch
    >>> mlp([4, 64, 64, 2], "relu")(torch.zeros(3, 4)).shape
    torch.Size([3, 2])
    """
    if activation not in ACTIVATIONS:
        raise ValueError(f"Expect activation in {sorted(ACTIVATIONS)}, actually {activation!r}")
    layers: list[nn.Module] = []
    for i in range(len(sizes) - 1):
        lin = nn.Linear(sizes[i], sizes[i + 1])
        last = i == len(sizes) - 2
        if out_gain is not None:
            nn.init.orthogonal_(lin.weight, out_gain if last else math.sqrt(2))
            nn.init.zeros_(lin.bias)
        layers.append(lin)
        if not last:
            layers.append(ACTIVATIONS[activation]())
    return nn.Sequential(*layers)
