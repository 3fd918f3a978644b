"""Home page: a card picture for every family with a page, all the same size, and a
"Where to start" note above the cards (issue 29). The pictures come from scripts/cards.py."""
from PIL import Image

from ui.registry import FAMILIES


def test_every_family_with_a_page_has_a_card_picture_of_one_size():
    with_page = [f for f in FAMILIES if f.available]
    assert with_page
    missing = [f.slug for f in with_page if not f.picture.exists()]
    assert not missing, f"no assets/cards/<slug>.png for {missing}: run scripts/cards.py"
    sizes = {f.slug: Image.open(f.picture).size for f in FAMILIES if f.picture.exists()}
    assert len(set(sizes.values())) == 1, f"card pictures differ in size: {sizes}"
    big = {f.slug: f.picture.stat().st_size for f in with_page
           if f.picture.stat().st_size > 150_000}
    assert not big, f"card pictures over 150 KB: {big}"


def test_home_says_where_to_start_and_shows_every_picture(app_test):
    at = app_test()
    note = " ".join(a.value for a in at.info)
    assert "Where to start" in note and "Autoencoders" in note, note
    shown = len(at.get("image"))
    assert shown == sum(f.picture.exists() for f in FAMILIES), shown
