"""The architectures ArchLab knows, for navigation and the home page's cards.

A family's page is listed once ``pages/<slug>.py`` exists; until then its card says so.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Family:
    slug: str
    title: str
    icon: str
    blurb: str

    @property
    def page(self) -> Path:
        return ROOT / "pages" / f"{self.slug}.py"

    @property
    def picture(self) -> Path:
        return ROOT / "assets" / "cards" / f"{self.slug}.png"

    @property
    def available(self) -> bool:
        return self.page.exists()


def app_pages() -> dict[str, list]:
    """The app's pages as ``st.Page`` objects, by section: what app.py navigates (and what a
    page run without app.py navigates once, see ui/boot.py)."""
    import streamlit as st
    home = st.Page(str(ROOT / "pages" / "home.py"), title="Home", icon=":material/home:", default=True)
    archs = [st.Page(str(f.page), title=f.title, icon=f.icon, url_path=f.slug)
             for f in FAMILIES if f.available]
    explore = [st.Page(str(ROOT / "pages" / "compare.py"), title="Compare runs", icon=":material/compare_arrows:",
                       url_path="compare")]
    return {"home": [home], "Architectures": archs, "Explore": explore}


FAMILIES = [
    Family("autoencoder", "Autoencoders", ":material/compress:",
           "Squeeze digits through a 2–16 number bottleneck and back: plain, denoising and "
           "variational. Walk the latent space and decode any point."),
    Family("transformer", "Transformers", ":material/visibility:",
           "Watch every attention head form while a transformer learns to copy, reverse, sort, "
           "add, or write character by character."),
    Family("gan", "GANs", ":material/theater_comedy:",
           "A generator and a discriminator in a duel on 2-D data and digits; reproduce mode "
           "collapse and the losses that cure it."),
    Family("rl", "Reinforcement learning", ":material/sports_esports:",
           "DQN, REINFORCE, A2C, PPO and DDPG learning CartPole, Pendulum and a grid world "
           "while you watch the policy act."),
    Family("gnn", "Graph neural networks", ":material/hub:",
           "Message passing on graphs: node classification and what each layer lets a node "
           "see."),
    Family("rnn", "Recurrent networks", ":material/replay:",
           "LSTM, GRU and sequence-to-sequence with attention on tasks that need memory."),
]
