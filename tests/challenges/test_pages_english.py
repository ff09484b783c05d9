"""揭榜挂帅 execution form errors in English: the page's own field checks (a date or an amount it cannot read) are
shown in the user's language."""
from __future__ import annotations

from marketplace.extensions import db
from tests.challenges.delivery_helpers import awarded, signed
from tests.web.helpers import login, post, text


def test_unreadable_date_and_negative_amount_in_english(app):
    with app.app_context():
        setup = awarded()
        signed(setup)
        db.session.commit()
        issuer, challenge_id = setup.issuer.email, setup.challenge.id
    client = app.test_client()
    login(client, issuer)
    client.get("/?lang=en")

    extend = post(client, f"/challenges/{challenge_id}/run/extend", {"extended_to": "soon", "reason": "more time"})
    assert extend.status_code == 422 and "Please enter a valid date" in text(extend)
    assert "请输入有效的日期" not in text(extend)

    accept = post(client, f"/challenges/{challenge_id}/run/accept", {"reward_paid": "-5"})
    assert accept.status_code == 422 and "The amount cannot be negative" in text(accept)
    assert "金额不能为负数" not in text(accept)

