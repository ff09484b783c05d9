"""Listing forms in English (issue 12): the lists an edit form is filled with (keywords, IPC codes) are joined the
English way, and the patent choices put no ideographic space between number and title; Chinese is unchanged."""
import pytest

from marketplace.extensions import db
from tests import factories as f
from tests.web.helpers import login, text


@pytest.fixture
def owner_listings(app):
    with app.test_request_context():
        owner = f.user(f.organization("university", name="Latin University"), email="owner@example.cn")
        patent = f.patent(owner, number="ZL202110000001.1", title="Coating method", ipc_codes=["H01M 4/36", "H01M 4/525"])
        achievement = f.achievement(owner, title="Cathode coating", keywords=["cathode", "coating"])
        demand = f.demand(owner, title="Anode efficiency", keywords=["anode", "silicon"])
        db.session.commit()
        return {"patent": patent.id, "achievement": achievement.id, "demand": demand.id}


@pytest.mark.parametrize("lang, sep, gap", [("en", ", ", " — "), ("zh", "、", "\u3000")])
def test_edit_forms_join_lists_in_the_page_language(client, owner_listings, lang, sep, gap):
    login(client, "owner@example.cn")
    client.get(f"/?lang={lang}")
    achievement = text(client.get(f"/achievements/{owner_listings['achievement']}/edit"))
    assert f'value="cathode{sep}coating"' in achievement
    assert f"ZL202110000001.1{gap}Coating method" in achievement
    assert f'value="anode{sep}silicon"' in text(client.get(f"/demands/{owner_listings['demand']}/edit"))
    assert f'value="H01M 4/36{sep}H01M 4/525"' in text(client.get(f"/patents/{owner_listings['patent']}/edit"))
