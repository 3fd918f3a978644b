"""GAN family: a tiny GAN on 2-D point clouds (GAN Lab's live view) and on 8x8 digits.

Modules: ``config`` (settings, presets, experiments), ``data`` (2-D mixtures, curves, an
uploaded CSV, digits), ``model`` (MLP generator and discriminator), ``losses`` (five GAN losses
and the gradient penalty), ``metrics`` (the metric declarations; mode coverage, high-quality
share), ``snapshot`` (what the figures draw, typed), ``trainer``, ``figures`` (numpy in, figures
out; ``live_figures`` is what the page draws each tick) and ``theory.md``.
"""
