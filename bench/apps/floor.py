"""The first-render floor: the least a page like ArchLab's can cost a browser.

One Streamlit script that imports torch and draws one plotly chart, one Vega-Lite chart and
one formula, timed exactly like an ArchLab page (``bench.browser.first_render``).
"""
import plotly.graph_objects as go
import streamlit as st
import torch

st.set_page_config(page_title="floor", layout="wide")
st.title("Floor")
x = torch.linspace(0, 1, 50)
st.plotly_chart(go.Figure(go.Scatter(x=x.tolist(), y=(x ** 2).tolist())), key="p")
st.vega_lite_chart({"data": {"values": [{"a": i, "b": i * i} for i in range(50)]},
                    "mark": "line", "encoding": {"x": {"field": "a", "type": "quantitative"},
                                                 "y": {"field": "b", "type": "quantitative"}}},
                   key="v")
st.latex(r"\mathcal{L}(\theta) = -\sum_t \log p_\theta(x_t \mid x_{<t})")
