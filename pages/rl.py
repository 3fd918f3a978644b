"""Reinforcement learning: DQN, REINFORCE, A2C, PPO and DDPG learning live on gymnasium."""
import streamlit as st

from core.rl import a2c, common, ddpg, dqn, ppo, reinforce
from core.rl import config as C
from core.rl import figures as F
from core.rl import trainer as T
from ui import Page, View, chart

CODE = {"ppo": [ppo.PPO.rollout, ppo.PPO.update, common.gae, common.ppo_clip_loss],
        "a2c": [a2c.A2C.update, common.gae],
        "reinforce": [reinforce.REINFORCE.update, common.discounted_returns],
        "dqn": [dqn.DQN.collect, dqn.DQN.update, common.ReplayBuffer],
        "ddpg": [ddpg.DDPG.update, ddpg.Actor, ddpg.Critic, common.soft_update, ddpg.OUNoise]}
LABELS = {"policy_loss": "Policy loss", "value_loss": "Value loss (critic)",
          "entropy": "Policy entropy", "clip_frac": "PPO clip fraction",
          "approx_kl": "Approximate KL(old ‖ new)", "td_loss": "TD loss (Huber)",
          "q_mean": "Mean Q on replayed batches", "epsilon": "Exploration ε",
          "buffer_fill": "Replay buffer fill (fraction)", "critic_loss": "Critic loss",
          "actor_loss": "Actor loss (−Q(s, μ(s)))"}

page = Page("rl", C.RLConfig, T.RLTrainer, title="🕹️ Reinforcement learning",
            caption="DQN (Mnih et al. 2015), REINFORCE (Williams 1992), A2C (Mnih et al. 2016), "
                    "PPO (Schulman et al. 2017) and DDPG (Lillicrap et al. 2016) learning "
                    "gymnasium tasks while you watch the policy act.",
            presets=C.PRESETS, experiments=C.EXPERIMENTS, diagram=F.diagram,
            code=lambda c: [T.RLTrainer.train_step, *CODE[c.algo]])
cfg, run, problems = page.sidebar()


def evaluate_button(s) -> None:
    """Page control: N greedy episodes, mean ± std of the return."""
    if st.button("🎯 Evaluate", key="_eval_rl", width="stretch",
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
    upto_env = int(snap["env_steps"]) if snap is not None and not view.live else None
    left, right = st.columns(2)
    with left:
        chart(F.return_chart(**t.episodes(upto_env), threshold=t.threshold, marker=upto_env))
        if snap is not None:
            frames(view, snap)
    with right:
        names = [n for group in t.metric_names().values() for n in group]
        chart(F.metrics_chart(view.history(names, max_points=200), LABELS,
                              marker_step=view.upto))
    if snap is not None:
        st.plotly_chart(F.policy_figure(snap, t.config.env), width="stretch", key="policy")


def frames(view: View, snap: dict) -> None:
    """Cycle through the rollout's frames tick by tick while playing; the full player on pause."""
    fr = snap["frames"]
    what = (f"return {float(snap['rollout_return']):.0f} in {int(snap['frame_steps'])} steps "
            f"(policy at env step {int(snap['frames_env_steps']):,})")
    if view.playing:
        i = view.tick % len(fr)
        st.image(fr[i], width="stretch", caption=f"Greedy policy, frame {i + 1}/{len(fr)}: {what}")
    else:
        st.plotly_chart(F.frames_figure(fr, title=f"Greedy policy from a fixed start<br>"
                                            f"<sup>{what}</sup>"), width="stretch",
                        key="frames")


page.body(draw, controls=evaluate_button)
