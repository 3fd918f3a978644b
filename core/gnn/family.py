"""Graph neural networks: this family's one declaration (read through core/families.py)."""
from __future__ import annotations

from core.declaration import Family

FAMILY = Family(
    slug="gnn", title="Graph neural networks", icon=":material/hub:", order=50,
    blurb=("Message passing on graphs: node classification and what each layer lets a node "
           "see."),
    config="core.gnn.config:GNNConfig",
    trainer="core.gnn.trainer:GNNTrainer",
    size_fields=("hidden", "depth"),
)
