"""Autoencoders (AE, denoising AE, VAE) on 8x8 digits and a swiss roll: config, data, model,
trainer and figures. See ``trainer.py`` and ``figures.py`` for the API the page uses."""
from core.autoencoder.config import EXPERIMENTS, PRESETS, AEConfig
from core.autoencoder.trainer import AETrainer

__all__ = ["AEConfig", "AETrainer", "PRESETS", "EXPERIMENTS"]
