"""Autoencoders (AE, denoising AE, VAE) on 8x8 digits and a swiss roll: config, data, model,
trainer and figures. See ``trainer.py`` and ``figures.py`` for the API the page uses."""
