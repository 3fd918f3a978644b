"""Graph neural networks: GCN, GraphSAGE, GAT, GIN and an MLP learning live on a graph."""
import streamlit as st

from ui.boot import ensure_navigated
ensure_navigated()  # before the imports below: a cold start's first visit (ui/boot.py)
from core.gnn import config as C
from core.gnn import figures as F
from core.gnn import model as M
from core.gnn import trainer as T
from core.gnn import upload as U
from ui.charts import chart, clickable, figure, held
from ui.page import Page
from ui.uploads import uploaded

page = Page("gnn", C.GNNConfig, T.GNNTrainer, title="Graph neural networks",
            caption="Message passing on a real citation graph, a karate club, a random block "
                    "model or your own edge list: watch every node's predicted class change "
                    "as the network learns, and click a node to see what it can see.",
            presets=C.PRESETS, experiments=C.EXPERIMENTS, diagram=F.diagram,
            code=lambda cfg: [{"gcn": M.GCNLayer, "sage": M.SAGELayer, "gat": M.GATLayer,
                               "gin": M.GINLayer, "mlp": M.LinearLayer}[cfg.model],
                              M.GNN.forward, M.adjacency, T.GNNTrainer.train_step])
cfg, run, problems = page.sidebar()

graph, data_key = None, None
if cfg.graph == "upload":
    with st.sidebar:
        parsed, data_key, problem = uploaded(
            "Edge list (CSV)", lambda raw, name: U.parse_edge_csv(raw, name=name),
            key="gnn_upload", error=U.GraphError, describe=lambda got, name: got[1],
            help="One link per row: source,target[,label]. Node ids are whole numbers; the "
                 "label (any text) is the class of the source node. At most "
                 f"{U.MAX_UPLOAD_NODES:,} nodes and {U.MAX_UPLOAD_EDGES:,} links.",
            missing="Upload an edge list (CSV rows source,target,label) in the sidebar, or "
                    "pick another graph.")
    graph = parsed[0] if parsed else None
    if problem:
        problems.append(problem)


def draw(view) -> None:
    snap, t = view.snapshot, view.trainer
    sel = st.session_state.get("_gnn_node")
    if sel is not None and sel >= len(snap.pred):
        sel = None
    figs = F.live_figures(snap, t.history, t.config, upto=view.upto, selected=sel)
    # the two figures of every node (2,708 points each on Cora): at most one redraw a second
    # while playing, so the browser is free between them and a Pause click is not kept waiting
    held(figs, ("graph", "embedding"), view, key="_gnn_big", every_s=1.0, also=sel)
    left, right = st.columns([3, 2])
    with left:
        node = next((int(p["point_index"]) for p in clickable(figs.pop("graph"), "gnn_graph")
                     if p.get("curve_number") == 0), None)   # the nodes are trace 0
        if node is not None and node != sel:
            st.session_state["_gnn_node"] = node
            st.rerun(scope="fragment")
        st.caption(f"{t.graph.note} Click a node: its {t.config.depth}-hop receptive field "
                   "lights up" + (" and its attention weights appear." if snap.attention
                                  else "."))
    with right:
        for k in [k for k in figs if k.startswith("chart:")]:
            chart(figs.pop(k), key=f"gnn_{k}")
    if "attention" in figs:
        chart(figs.pop("attention"), key="gnn_attention")
    if not view.below_fold("_gnn_below"):  # Cora's 2,708 points twice: the graph first
        st.caption("The hidden representations and over-smoothing follow...")
        return
    a, b = st.columns(2)
    with a:
        emb = figs["embedding"]
        # drawn while playing too (disabled): a widget that appears on Pause would move the
        # chart under it, and the browser would plot it again from scratch
        if st.toggle("t-SNE (paused only)", key="gnn_tsne", disabled=view.playing) \
                and not view.playing:
            with st.spinner("t-SNE of the hidden vectors..."):
                nodes, xy = T.tsne(snap)
            emb = F.embedding_figure(snap, xy, "t-SNE", nodes)
        figure(emb, key="gnn_embedding")
    with b:
        chart(figs["smoothing"], key="gnn_smoothing")
        same = (t.config.replace(depth=1), t.seed, data_key)   # a sweep varies only depth
        if st.button("Run the depth sweep (layers 1-8, 100 epochs each)", key="gnn_sweep_btn",
                     disabled=view.playing, help="Pause first: the sweep trains 8 networks."):
            bar = st.progress(0.0, text="training depths 1-8...")
            st.session_state["_gnn_sweep"] = same, T.depth_sweep(
                t.config, seed=t.seed, graph=graph, progress=bar.progress)
            bar.empty()
        key, result = st.session_state.get("_gnn_sweep", (None, None))
        chart(F.sweep_chart(result if key == same else None), key="gnn_sweep")


page.body(draw, make=(lambda c, seed: T.GNNTrainer(c, seed, graph=graph)), data_key=data_key)
