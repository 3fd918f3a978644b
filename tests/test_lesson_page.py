"""Lesson links in the app: what a student's page does with one, and the teacher's makers."""
from urllib.parse import parse_qs, urlparse

from conftest import open_page
from streamlit.testing.v1 import AppTest
from test_ui import open_toy as _toy
from toy import ToyConfig, ToyTrainer

from core.autoencoder.config import AEConfig
from core.classroom import lesson as L
from core.config import to_dict
from core.runs import compare
from core.runs.store import open_store

TASK = "Raise β until the latent becomes a round blob. What happens to the reconstructions?"


def _token_of(code: str) -> str:
    return parse_qs(urlparse(code).query)["lesson"][0]


def _notes(at) -> str:
    return "\n".join(w.value for w in at.warning)


def test_a_lesson_sets_up_the_page_locks_what_it_names_and_keeps_a_tampered_lock():
    cfg = AEConfig(beta=2.5, latent_dim=3, lr=0.002)
    token = L.make("autoencoder", to_dict(cfg), 11, ["beta", "lr", "seed"], TASK)
    at = open_page("pages/autoencoder.py", lesson=token, lr="9",     # a student edited lr
                   opened=("_sweep_open_autoencoder",))
    lr, coarse = at.number_input(key="lr"), at.select_slider(key="_coarse_lr")
    assert (lr.value, lr.disabled, coarse.disabled) == (0.002, True, True)
    assert (at.slider(key="beta").value, at.slider(key="beta").disabled) == (2.5, True)
    assert (at.text_input(key="seed").value, at.text_input(key="seed").disabled) == ("11", True)
    latent = at.slider(key="latent_dim")
    assert (latent.value, latent.disabled) == (3, False)              # set, not locked
    assert "Learning rate (lr) is locked by this lesson: the link's lr=9 was ignored" \
        in _notes(at)
    assert at.query_params["lr"] == "0.002"                         # the address bar too
    t = at.session_state["_live_autoencoder"].trainer
    assert (t.config.lr, t.config.beta, t.config.latent_dim, t.seed) == (0.002, 2.5, 3, 11)
    assert any(TASK in i.value and "Task" in i.value for i in at.info)
    assert any("Locked by this lesson: Learning rate, β (KL weight), Seed" in c.value
               for c in at.caption)
    # the sweep panel does not offer what the lesson locks
    offered = at.multiselect(key="_sw_params_autoencoder").options
    assert "Latent size" in offered and not {"Learning rate", "β (KL weight)"} & set(offered), \
        offered
    # a preset keeps the locked values and says so; the rest of it applies
    at.selectbox(key="_preset_autoencoder").set_value("autoencoder 8-D").run()
    assert at.slider(key="latent_dim").value == 8 and at.number_input(key="lr").value == 0.002
    assert "Learning rate is locked by this lesson: it stays 0.002" in _notes(at)
    assert at.session_state["_live_autoencoder"].trainer.config.lr == 0.002


def test_a_tampered_lesson_shows_the_error_and_trains_nothing():
    token = L.make("autoencoder", to_dict(AEConfig(beta=2.5)), 0, ["beta"], TASK)
    body, sig = token.split(".")
    forged = L._b64(L.base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
                    .replace(b'"beta":2.5', b'"beta":0.0')) + "." + sig
    at = open_page("pages/autoencoder.py", lesson=forged)
    assert any(L.DAMAGED in e.value for e in at.error)
    assert not [b for b in at.button if b.key == "_play_autoencoder"]   # no live panel
    live = at.session_state["_live_autoencoder"] if "_live_autoencoder" in at.session_state \
        else None
    assert live is None or live.trainer is None
    assert not any(TASK in i.value for i in at.info)                    # nothing of it used


def test_the_maker_makes_a_link_that_opens_with_the_chosen_locks():
    at = open_page("pages/autoencoder.py", beta="3", seed="4",
                   opened=("_lesson_open_autoencoder",))
    at.multiselect(key="_lesson_lock_autoencoder").set_value(["beta", "seed"])
    at.text_area(key="_lesson_task_autoencoder").input(TASK)
    at.button(key="_lesson_make_autoencoder").click().run()
    [code] = [c.value for c in at.code if "lesson=" in c.value]
    lesson = L.read(_token_of(code))
    assert (lesson.page, lesson.seed, lesson.locked, lesson.task) == (
        "autoencoder", 4, ("beta", "seed"), TASK)
    assert lesson.values == to_dict(AEConfig(beta=3.0))
    student = open_page("pages/autoencoder.py", lesson=_token_of(code),
                        opened=("_lesson_open_autoencoder",))
    assert student.slider(key="beta").disabled and student.slider(key="beta").value == 3.0
    assert not student.number_input(key="lr").disabled
    # the teacher opening their own lesson finds its locks and task ready to edit
    assert student.multiselect(key="_lesson_lock_autoencoder").value == ["beta", "seed"]
    assert student.text_area(key="_lesson_task_autoencoder").value == TASK


def test_a_compare_lesson_opens_the_shared_runs():
    db = open_store()
    ids = []
    for seed, lr in ((0, 0.05), (1, 0.01)):
        t = ToyTrainer(ToyConfig(lr=lr), seed=seed)
        t.run_steps(10)
        ids.append(db.save_run(compare.pin(f"teacher lr={lr}", "toy", t), owner="teacher"))
    token = L.make("compare", {}, 0, [], "Which learning rate wins?", runs=ids)
    at = open_page("pages/compare.py", lesson=token)
    options = at.multiselect[0].options
    assert any(o.startswith("shared: teacher lr=0.05") for o in options)
    assert any(o.startswith("shared: teacher lr=0.01") for o in options)
    assert any("Which learning rate wins?" in i.value for i in at.info)
    assert not [b for b in at.button if "Delete" in b.label]           # read-only
    at.text_area(key="_lesson_task_compare").input("Again?")
    at.button(key="_lesson_make_compare").click().run()
    [code] = [c.value for c in at.code if "lesson=" in c.value]
    assert L.read(_token_of(code)).runs == tuple(ids)
    bad = open_page("pages/compare.py", lesson=token[:-2])
    assert any(L.DAMAGED in e.value for e in bad.error)


# ---- finer points on the toy family (cheap) --------------------------------------------
def test_an_unlocked_setting_in_the_address_bar_wins_over_the_lessons_start():
    """A reload keeps what the student changed; locked ones stay the lesson's."""
    token = L.make("toy", {"hidden": 12, "lr": 0.01}, 7, ["lr"], "")
    at = _toy(lesson=token, hidden="20", lr="0.01")      # lr as the lesson has it: no note
    assert at.slider(key="hidden").value == 20 and not at.slider(key="hidden").disabled
    assert at.number_input(key="lr").value == 0.01 and at.text_input(key="seed").value == "7"
    assert not at.warning


def test_a_locked_default_value_leaves_the_address_bar():
    token = L.make("toy", {"hidden": 8, "lr": 0.05}, 0, ["lr", "hidden"], "")
    at = _toy(lesson=token, lr="0.5", hidden="30")
    assert "lr" not in at.query_params and "hidden" not in at.query_params
    assert at.number_input(key="lr").value == 0.05 and at.slider(key="hidden").value == 8
    assert "Hidden is locked by this lesson" in _notes(at)


def test_a_lesson_for_another_page_is_not_used_here():
    token = L.make("autoencoder", {"hidden": "128"}, 3, ["seed"], "Not here.")
    at = _toy(lesson=token)
    assert not at.text_input(key="seed").disabled and at.text_input(key="seed").value == "0"
    assert "is for the Autoencoders page" in _notes(at)
    assert not any("Not here." in i.value for i in at.info)


def test_leaving_the_lesson_unlocks():
    token = L.make("toy", {"hidden": 12, "lr": 0.01}, 7, ["hidden"], "")
    at = _toy(lesson=token)
    assert at.slider(key="hidden").disabled
    assert at.slider(key="hidden").help.startswith(":material/lock: Locked by this lesson.")
    del at.query_params["lesson"]                    # opened from the sidebar: no lesson
    at.run()
    assert not at.slider(key="hidden").disabled and at.slider(key="hidden").value == 12


def _toy_with_locks():
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path.cwd() / "tests"))
    import streamlit as st
    from toy import ToyConfig

    from ui import config_sidebar
    from ui.lesson import locked
    config_sidebar(ToyConfig, "toy")
    st.text(f"locked={sorted(locked('toy'))} elsewhere={sorted(locked('gan'))}")


def test_other_panels_can_ask_what_is_locked():
    token = L.make("toy", {"hidden": 12, "lr": 0.01}, 7, ["lr", "seed"], "")
    at = AppTest.from_function(_toy_with_locks, default_timeout=60)
    at.query_params["lesson"] = token
    at.run()
    assert at.text[0].value == "locked=['lr', 'seed'] elsewhere=[]"
