"""Inquiry pages: 发起洽谈 from a detail page, the private thread (messages, answer, decline with the reason the asker
reads, close), my inquiries with state filters, and 404 for everyone outside the thread."""
from __future__ import annotations

import io
import re

import pytest

from marketplace.extensions import db
from marketplace.inquiries.models import Inquiry
from tests.web.helpers import csrf_from, login, text

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def send(client, world, kind="achievement", record="achievement", **overrides):
    data = {"message": "希望了解许可条件和中试数据。", "cooperation_mode": "licence", "budget": "50",
            "csrf_token": csrf_from(client, f"/inquiries/new?kind={kind}&id={world.ids[record]}")}
    data.update(overrides)
    return client.post(f"/inquiries/new?kind={kind}&id={world.ids[record]}", data=data,
                       content_type="multipart/form-data")


def sent_id(response) -> int:
    assert response.status_code == 302, text(response)[:800]
    return int(re.search(r"/inquiries/(\d+)", response.headers["Location"]).group(1))


def logout(client) -> None:
    assert client.post("/logout", data={"csrf_token": csrf_from(client, "/")}).status_code == 302


def post_to(client, url: str, page: str, **data):
    return client.post(url, data={"csrf_token": csrf_from(client, page), **data})


@pytest.fixture
def thread(client, world):
    """An inquiry the asker sent about the achievement (the asker stays logged in)."""
    login(client, world.emails["asker"])
    return sent_id(send(client, world))


def test_ask_button_on_detail_pages(client, world):
    for kind, record in (("achievements", "achievement"), ("patents", "patent")):
        page = text(client.get(f"/{kind}/{world.ids[record]}"))
        assert "登录后发起洽谈" in page and "/inquiries/new" in page  # anonymous: a login link
    login(client, world.emails["holder"])
    own = text(client.get(f"/achievements/{world.ids['achievement']}"))
    assert "发起洽谈" not in own  # the own organisation's listing
    for kind, record in (("demands", "demand"), ("challenges", "challenge")):
        page = text(client.get(f"/{kind}/{world.ids[record]}"))
        assert f"/inquiries/new?kind={record}&amp;id={world.ids[record]}" in page


def test_send_answer_and_talk(app, client, world, thread):
    page = text(client.get(f"/inquiries/{thread}"))
    assert "希望了解许可条件和中试数据。" in page and "待回复" in page and "吉林洽谈大学" in page
    assert f'href="/achievements/{world.ids["achievement"]}"' in page  # the subject, linked
    logout(client)
    login(client, world.emails["holder"])
    page = text(client.get(f"/inquiries/{thread}"))
    assert "婉拒" in page and "结束洽谈" in page
    reply = post_to(client, f"/inquiries/{thread}/messages", f"/inquiries/{thread}", body="欢迎来校交流。")
    assert reply.status_code == 302
    page = text(client.get(f"/inquiries/{thread}"))
    assert "欢迎来校交流。" in page and "洽谈中" in page
    with app.app_context():
        assert db.session.get(Inquiry, thread).status == "answered"


def test_message_too_long_or_empty_is_422_on_the_field(client, world, thread):
    response = post_to(client, f"/inquiries/{thread}/messages", f"/inquiries/{thread}", body="长" * 5001)
    assert response.status_code == 422 and "不能超过 5000 个字符" in text(response)
    assert 'id="body-error"' in text(response)
    assert post_to(client, f"/inquiries/{thread}/messages", f"/inquiries/{thread}", body="  ").status_code == 422
    too_long = send(client, world, "patent", "patent", message="长" * 5001)
    assert too_long.status_code == 422 and 'id="message-error"' in text(too_long)


def test_decline_reason_shown_to_the_asker(client, world, thread):
    logout(client)
    login(client, world.emails["holder"])
    url, page = f"/inquiries/{thread}/actions/decline", f"/inquiries/{thread}"
    response = post_to(client, url, page, reason_code="other", note="")
    assert response.status_code == 422 and 'id="note-error"' in text(response)
    assert post_to(client, url, page, reason_code="", note="x").status_code == 422
    assert post_to(client, url, page, reason_code="capacity", note="今年团队在做国家重点项目").status_code == 302
    logout(client)
    login(client, world.emails["asker"])
    page = text(client.get(f"/inquiries/{thread}"))
    assert "已婉拒" in page and "目前无力承接" in page and "今年团队在做国家重点项目" in page
    assert f"/inquiries/{thread}/messages" not in page  # no more messages


def test_close(client, world, thread):
    response = post_to(client, f"/inquiries/{thread}/actions/close", f"/inquiries/{thread}")
    assert response.status_code == 302
    assert "已结束" in text(client.get(f"/inquiries/{thread}"))
    again = post_to(client, f"/inquiries/{thread}/actions/close", f"/inquiries/{thread}")
    assert again.status_code == 302 and "当前状态为「已结束」" in text(client.get(f"/inquiries/{thread}"))
    assert post_to(client, f"/inquiries/{thread}/actions/flag_overdue", f"/inquiries/{thread}").status_code == 404


def test_outsiders_get_404(app, client, world, thread):
    token = csrf_from(client, "/")
    logout(client)
    assert client.get(f"/inquiries/{thread}").status_code == 404  # anonymous
    for name in ("third", "broker2", "admin"):
        login(client, world.emails[name])
        assert client.get(f"/inquiries/{thread}").status_code == 404
        token = csrf_from(client, "/")
        assert client.post(f"/inquiries/{thread}/messages", data={"body": "hi", "csrf_token": token}).status_code == 404
        assert client.post(f"/inquiries/{thread}/actions/close", data={"csrf_token": token}).status_code == 404
        assert "希望了解许可条件" not in text(client.get("/inquiries"))
        logout(client)
    login(client, world.emails["broker"])  # the responsible broker reads and writes
    assert client.get(f"/inquiries/{thread}").status_code == 200


def test_own_listing_unpublished_and_duplicate(client, world, thread):
    duplicate = send(client, world)
    assert duplicate.status_code == 302 and duplicate.headers["Location"].endswith(f"/inquiries/{thread}")
    assert "已就该成果发起洽谈" in text(client.get(f"/inquiries/{thread}"))
    assert "继续原洽谈" in text(client.get(f"/inquiries/new?kind=achievement&id={world.ids['achievement']}"))
    assert client.get(f"/inquiries/new?kind=achievement&id={world.ids['draft']}").status_code == 404
    assert client.get("/inquiries/new?kind=organization&id=1").status_code == 404
    assert client.get("/inquiries/new?kind=achievement&id=x").status_code == 404
    own = send(client, world, "demand", "demand")
    assert own.status_code == 403 and "不能就本机构发布的需求发起洽谈" in text(own)


def test_attachments_visible_only_in_the_thread(client, world):
    login(client, world.emails["asker"])
    thread = sent_id(send(client, world, file=(io.BytesIO(PDF), "技术要求.pdf")))
    page = text(client.get(f"/inquiries/{thread}"))
    assert "技术要求.pdf" in page
    attachment = int(re.search(r"/attachments/(\d+)", page).group(1))
    with client.get(f"/attachments/{attachment}") as download:
        assert download.status_code == 200 and download.data == PDF
    logout(client)
    login(client, world.emails["holder"])
    with client.get(f"/attachments/{attachment}") as download:
        assert download.status_code == 200
    upload = client.post(f"/inquiries/{thread}/attachments", data={
        "file": (io.BytesIO(PDF), "答复.pdf"), "csrf_token": csrf_from(client, f"/inquiries/{thread}")},
        content_type="multipart/form-data")
    assert upload.status_code == 302
    logout(client)
    assert client.get(f"/attachments/{attachment}").status_code == 404
    login(client, world.emails["third"])
    assert client.get(f"/attachments/{attachment}").status_code == 404
    upload = client.post(f"/inquiries/{thread}/attachments", data={
        "file": (io.BytesIO(PDF), "x.pdf"), "csrf_token": csrf_from(client, "/")}, content_type="multipart/form-data")
    assert upload.status_code == 404


def test_my_inquiries_with_filters_and_overdue_marks(app, client, world, thread):
    with app.app_context():
        inquiry = db.session.get(Inquiry, thread)
        inquiry.created_at = inquiry.created_at.replace(year=inquiry.created_at.year - 1)
        db.session.commit()
    page = text(client.get("/inquiries"))
    assert "高镍三元正极材料表面包覆改性技术" in page and "超时未回复" in page
    assert "高镍三元" in text(client.get("/inquiries?status=open&box=sent"))
    assert "高镍三元" not in text(client.get("/inquiries?status=declined"))
    assert "高镍三元" not in text(client.get("/inquiries?box=received"))
    assert "高镍三元" in text(client.get("/inquiries?overdue=1"))
    assert client.get("/inquiries?status=bogus&page=abc&box=zzz").status_code == 200
    logout(client)
    login(client, world.emails["broker"])
    assert "高镍三元" in text(client.get("/inquiries?box=brokered"))
    logout(client)
    assert client.get("/inquiries").status_code == 302  # to the login page
