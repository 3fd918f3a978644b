"""Reinforcement learning: DQN, REINFORCE, A2C, PPO and DDPG learning live on gymnasium."""
import streamlit as st

from ui.boot import ensure_navigated
ensure_navigated()  # before the imports below: a cold start's first visit (ui/boot.py)
from core.rl import a2c, common, ddpg, dqn, ppo, reinforce
from core.rl import config as C
from core.rl import figures as F
from core.rl import trainer as T
from ui import Page, View, figure

CODE = {"ppo": [ppo.PPO.rollout, ppo.PPO.update, common.gae, common.ppo_clip_loss],
        "a2c": [a2c.A2C.update, common.gae],
        "reinforce": [reinforce.REINFORCE.update, common.discounted_returns],
        "dqn": [dqn.DQN.collect, dqn.DQN.update, common.ReplayBuffer],
        "ddpg": [ddpg.DDPG.update, ddpg.Actor, ddpg.Critic, common.soft_update, ddpg.OUNoise]}

page = Page("rl", C.RLConfig, T.RLTrainer, title="Reinforcement learning",
            caption="DQN (Mnih et al. 2015), REINFORCE (Williams 1992), A2C (Mnih et al. 2016), "
                    "PPO (Schulman et al. 2017) and DDPG (Lillicrap et al. 2016) learning "
                    "gymnasium tasks while you watch the policy act.",
            presets=C.PRESETS, experiments=C.EXPERIMENTS, diagram=F.diagram,
            code=lambda c: [T.RLTrainer.train_step, *CODE[c.algo]])
cfg, run, problems = page.sidebar()


def evaluate_button(s) -> None:
    """Page control: N greedy episodes, mean ± std of the return."""
    if st.button("Evaluate", icon=":material/target:", key="_eval_rl", width="stretch",
                 help="Play 10 greedy episodes (no exploration) from fixed seeds."):
        with s.lock:
            ev = s.trainer.evaluate(10)
            st.session_state["_rl_eval"] = (s.trainer.step, ev["eval_return"], ev["eval_std"])


def draw(view: View) -> None:
    t, snap = view.trainer, view.snapshot
    ev = st.session_state.get("_rl_eval")
    if ev is not None:
        st.success(f"Greedy evaluation at step {ev[0]:,}: return {ev[1]:.1f} ± {ev[2]:.1f} "
                   "over 10 episodes.")
    figs = F.live_figures(snap, t.history, t.config, view.upto, metrics=t.algo_metrics,
                          episodes=t.episodes())
    left, right = st.columns(2)
    with left:
        figure(figs["return"], "rl_return")
        if snap is not None:
            frames(view, snap)
    with right:
        figure(figs["metrics"], "rl_metrics")
    if "policy" in figs:
        figure(figs["policy"], "policy")
    elif snap is not None:
        st.caption("The value map and greedy action over the states appear after the first "
                   "training step.")


def frames(view: View, snap) -> None:
    """Cycle through the rollout's frames tick by tick while playing; the full player on pause
    (from the first step on: before it, the first frame is enough and the page opens faster)."""
    r = snap.rollout
    fr = r.frames
    what = (f"one episode, return {r.ret:.0f} in {r.steps} env steps, weights of env step "
            f"{r.env_steps:,}")
    which = "(the return chart shows the exploring policy)"
    if view.playing or view.step == 0:
        i = view.tick % len(fr)
        st.image(fr[i], width="stretch",
                 caption=f"Greedy policy (no exploration), frame {i + 1}/{len(fr)}: {what} "
                         f"{which}")
    else:
        st.plotly_chart(F.frames_figure(fr, title="Greedy policy (no exploration) from a fixed "
                                                  f"start<br><sup>{what}<br>{which}</sup>"),
                        width="stretch", key="frames")


page.body(draw, controls=evaluate_button)
