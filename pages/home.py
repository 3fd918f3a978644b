"""Home: what ArchLab is, and a card per architecture."""
import streamlit as st

from ui.boot import ensure_navigated
from ui.registry import FAMILIES

ensure_navigated()
st.title(":material/science: ArchLab")
st.markdown(
    "Real PyTorch models that **train live while you watch in your browser tab** (on the "
    "server, not in the browser), beside the theory that "
    "explains what you see. Change a hyperparameter and watch the effect; scrub back through "
    "training; copy the address to share the exact run; pin runs and compare them side by side."
)

st.info(
    "**Where to start.** New here? Open **Autoencoders** first: the simplest model on the "
    "site. It learns in a few seconds, and you can watch the digits sort themselves into "
    "clusters on a 2-D map as it trains. Then open **Transformers** and watch each attention "
    "head find its own pattern while the model learns to reverse a sequence of digits.",
    icon=":material/flag:")

cols = st.columns(3)
for i, fam in enumerate(FAMILIES):
    with cols[i % 3].container(border=True):
        st.subheader(f"{fam.icon} {fam.title}")
        if fam.picture.exists():
            st.image(str(fam.picture), width="stretch")
        st.write(fam.blurb)
        if fam.available:
            st.page_link(str(fam.page), label=f"Open {fam.title}", icon=":material/arrow_forward:")
        else:
            st.caption("Coming soon.")

st.caption("Everything runs on the server's CPU; nothing is downloaded while you use it. "
           "Each browser tab is its own session: your model is yours alone.")
