"""Autoencoders: this family's one declaration (read through core/families.py)."""
from __future__ import annotations

from core.declaration import Family

FAMILY = Family(
    slug="autoencoder", title="Autoencoders", icon=":material/compress:", order=10,
    blurb=("Squeeze digits through a 2–16 number bottleneck and back: plain, denoising and "
           "variational. Walk the latent space and decode any point."),
    config="core.autoencoder.config:AEConfig",
    trainer="core.autoencoder.trainer:AETrainer",
    size_fields=("hidden",),
)
