"""GANs: this family's one declaration (read through core/families.py)."""
from __future__ import annotations

from core.declaration import Family

FAMILY = Family(
    slug="gan", title="GANs", icon=":material/theater_comedy:", order=30,
    blurb=("A generator and a discriminator in a duel on 2-D data and digits; reproduce mode "
           "collapse and the losses that cure it."),
    config="core.gan.config:GANConfig",
    trainer="core.gan.trainer:GANTrainer",
    size_fields=("g_hidden", "d_hidden", "n_layers"),
)
