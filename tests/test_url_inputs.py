"""Values arriving from a link or typed into a box (issue 29 items 5 and 9): the controls show
the value in use, anything changed on the way gets a note saying what is used instead, and the
address bar holds only the value in use."""
import pytest
from conftest import open_page
from test_ui import open_toy


def _notes(at) -> str:
    return "\n".join(w.value for w in at.warning)


@pytest.mark.parametrize("page, name, query", [
    ("pages/autoencoder.py", "lr", {}),
    ("pages/gan.py", "lr", {}),
    ("pages/gan.py", "lr_d", {}),
    ("pages/autoencoder.py", "lr", {"lr": "0.002"}),
    ("pages/gan.py", "lr", {"lr": "0.002"}),
    ("pages/gan.py", "lr_d", {"lr_d": "0.0007"}),
])
def test_the_learning_rate_slider_and_box_show_one_value(page, name, query):
    """By default (4e-3 and 3e-3 lie between the 1-2-5 notches) and from a link."""
    at = open_page(page, **query)
    box, slider = at.number_input(key=name), at.select_slider(key=f"_coarse_{name}")
    expected = float(query.get(name, box.value))
    assert box.value == expected
    assert slider.value == expected, (slider.value, box.value)
    assert slider.format_func(slider.value) == f"{expected:g}"


def test_a_typed_value_is_what_the_slider_shows_and_the_slider_still_moves_by_factors():
    at = open_toy()
    at.number_input(key="lr").set_value(0.0035).run()
    slider = at.select_slider(key="_coarse_lr")
    assert slider.value == 0.0035 and at.number_input(key="lr").value == 0.0035
    i = slider.options.index("0.0035")
    assert slider.options[i - 1:i + 2] == ["0.002", "0.0035", "0.005"]  # one notch = a factor
    slider.set_value(0.005).run()
    assert at.number_input(key="lr").value == 0.005
    assert at.select_slider(key="_coarse_lr").value == 0.005
    assert "0.0035" not in at.select_slider(key="_coarse_lr").options  # no stale notch


def test_a_repeated_link_parameter_is_noted_and_the_address_bar_keeps_the_one_used():
    at = open_page("pages/autoencoder.py", lr=["0.1", "0.2"])
    assert at.number_input(key="lr").value == 0.2
    assert at.select_slider(key="_coarse_lr").value == 0.2
    notes = _notes(at)
    assert "lr" in notes and "2 times" in notes and "using the last, 0.2" in notes, notes
    assert at.query_params["lr"] == "0.2"  # one value, not ["0.1", "0.2"]


def test_a_typed_text_over_the_limit_is_refused_with_a_note_and_the_box_keeps_the_value():
    at = open_page("pages/autoencoder.py")
    at.text_input(key="hidden").input("128,64").run()
    at.text_input(key="hidden").input("1" * 5000).run()
    assert at.text_input(key="hidden").value == "128,64"
    notes = _notes(at)
    assert "Hidden sizes" in notes and "5,000 characters" in notes and "kept 128,64" in notes, \
        notes
    assert at.query_params["hidden"] == "128,64"
    assert not at.error  # nothing refused is in use
    at.text_input(key="hidden").input("64").run()       # a good value clears the note
    assert "Hidden sizes" not in _notes(at) and at.query_params["hidden"] == "64"


@pytest.mark.parametrize("typed, note", [
    ("1.5", "Expect a whole number for Seed, actually '1.5'; kept 7."),
    ("1e999", "Expect a finite number for Seed, actually '1e999'; kept 7."),
    ("200000", "Seed 200000 is out of range [0, 99999]; using 99999."),
])
def test_a_typed_seed_that_cannot_be_used_as_given_gets_a_note(typed, note):
    """The seed box is read by the schema: what the browser would have turned silently into
    another number (1.5 into 1, 1e999 into 0) reaches the page as typed."""
    at = open_page("pages/autoencoder.py", seed="7")
    at.text_input(key="seed").input(typed).run()
    assert note in _notes(at), _notes(at)
    used = "99999" if typed == "200000" else "7"
    assert at.text_input(key="seed").value == used and at.query_params["seed"] == used
    assert at.session_state["_live_autoencoder"].trainer.seed == int(used)
