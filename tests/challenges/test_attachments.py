"""Files on 揭榜 applications and milestones: private like the application (404 for everyone else), added by the
team while the application is editable or the milestone awaits its evidence; listing attachments are unchanged
(tests/web/test_attachments.py)."""
from __future__ import annotations

import io
from dataclasses import dataclass

import pytest

from marketplace.accounts.models import User
from marketplace.attachments.models import Attachment
from marketplace.challenges import applications, delivery
from marketplace.challenges.models import ChallengeApplication, ChallengeMilestone, ChallengeReview
from marketplace.extensions import db
from marketplace.workflow.challenges import APPLICATION
from tests import factories as f
from tests.challenges.delivery_helpers import awarded, signed
from tests.challenges.helpers import published_challenge
from tests.web.helpers import login, post, text

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class People:
    issuer: str
    team: str
    other: str
    reviewer: str
    broker: str
    challenge_id: int
    application_id: int


@pytest.fixture
def people(app) -> People:
    """A published challenge, a university's submitted application to it and a reviewer assigned to that."""
    with app.app_context():
        issuer = f.user(f.organization("enterprise"))
        team = f.user(f.organization("university"))
        other = f.user(f.organization("enterprise"))
        reviewer = f.user(f.organization("institute"))
        broker = f.broker()
        challenge = published_challenge(issuer, broker)
        application = applications.register_interest(team, challenge)
        APPLICATION.apply(team, application, "submit")
        db.session.add(ChallengeReview(application=application, reviewer_id=reviewer.id))
        db.session.commit()
        return People(issuer.email, team.email, other.email, reviewer.email, broker.email, challenge.id,
                      application.id)


def _client(app, email: str | None):
    client = app.test_client()
    if email:
        login(client, email)
    return client


def _upload(client, url: str, name: str = "揭榜方案.pdf", content: bytes = PDF):
    return post(client, url, {"file": (io.BytesIO(content), name)}, content_type="multipart/form-data")


def _download_status(client, attachment_id: int) -> int:
    with client.get(f"/attachments/{attachment_id}") as response:
        response.data  # read while open
        return response.status_code


def _attachments(app, kind: str) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(db.select(Attachment.id).where(Attachment.owner_kind == kind)))


def test_applicant_attaches_a_file_that_only_the_application_s_readers_can_download(app, people):
    team = _client(app, people.team)
    upload_url = f"/challenge-applications/{people.application_id}/attachments"
    page_url = f"/challenges/{people.challenge_id}/applications/{people.application_id}"
    response = _upload(team, upload_url)
    assert response.status_code == 302 and response.headers["Location"].endswith(page_url + "#attachments")
    [attachment_id] = _attachments(app, "challenge_application")
    wrong = _upload(team, upload_url, "说明.pdf", b"just text, not a PDF")  # the page again, with the reason
    assert wrong.status_code == 415 and "不支持的文件类型" in text(wrong) and "揭榜方案.pdf" in text(wrong)
    page = text(team.get(page_url))
    assert "揭榜方案.pdf" in page and upload_url in page

    with app.app_context():
        stored = db.session.get(Attachment, attachment_id)
        assert stored.org_id == db.session.get(ChallengeApplication, people.application_id).org_id
    for email in (people.issuer, people.reviewer, people.broker, people.team):
        assert _download_status(_client(app, email), attachment_id) == 200, email
    for email in (people.other, None):
        assert _download_status(_client(app, email), attachment_id) == 404, email
    with _client(app, people.issuer).get(f"/attachments/{attachment_id}") as response:
        assert response.headers["Cache-Control"] == "private, no-store"
        assert response.headers["Content-Disposition"].startswith("attachment")

    other = _client(app, people.other)  # the application does not exist for another organisation
    assert _upload(other, upload_url).status_code == 404
    assert post(other, f"/attachments/{attachment_id}/delete").status_code == 404
    assert _attachments(app, "challenge_application") == [attachment_id]


def test_readers_who_are_not_the_applicant_cannot_add_or_delete_files(app, people):
    assert _upload(_client(app, people.team), f"/challenge-applications/{people.application_id}/attachments",
                   ).status_code == 302
    [attachment_id] = _attachments(app, "challenge_application")
    for email in (people.issuer, people.reviewer):
        client = _client(app, email)
        refused = _upload(client, f"/challenge-applications/{people.application_id}/attachments")
        assert refused.status_code == 403 and "只有揭榜单位（牵头单位）的成员可以执行此操作" in text(refused)
        assert "上传附件" not in text(client.get(
            f"/challenges/{people.challenge_id}/applications/{people.application_id}"))
        assert post(client, f"/attachments/{attachment_id}/delete").status_code == 403
    assert _attachments(app, "challenge_application") == [attachment_id]


def test_a_withdrawn_application_takes_no_more_files(app, people):
    team = _client(app, people.team)
    assert post(team, f"/challenges/{people.challenge_id}/applications/{people.application_id}/withdraw"
                ).status_code == 302
    refused = _upload(team, f"/challenge-applications/{people.application_id}/attachments")
    assert refused.status_code == 409 and "当前状态为「已撤回」，不能修改申请" in text(refused)
    assert _attachments(app, "challenge_application") == []


@pytest.fixture
def milestone(app):
    """An awarded team's first milestone (planned), delivery started; the issuer, the team and an outsider."""
    with app.app_context():
        setup = awarded()
        signed(setup)
        other = f.user(f.organization("university"))
        db.session.commit()
        first = setup.applications[0].agreement.milestones[0]
        return {"id": first.id, "issuer": setup.issuer.email, "team": setup.teams[0].email, "other": other.email,
                "issuer_id": setup.issuer.id, "team_id": setup.teams[0].id}


def test_team_attaches_milestone_evidence_until_the_milestone_is_accepted(app, milestone):
    team = _client(app, milestone["team"])
    upload_url = f"/challenge-milestones/{milestone['id']}/attachments"
    response = _upload(team, upload_url, "检测报告.pdf")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/challenges/milestones/{milestone['id']}#attachments")
    [attachment_id] = _attachments(app, "challenge_milestone")
    page = text(team.get(f"/challenges/milestones/{milestone['id']}"))
    assert "检测报告.pdf" in page and upload_url in page
    assert _download_status(_client(app, milestone["issuer"]), attachment_id) == 200
    assert _download_status(_client(app, milestone["other"]), attachment_id) == 404
    assert _upload(_client(app, milestone["other"]), upload_url).status_code == 404

    with app.app_context():
        record = db.session.get(ChallengeMilestone, milestone["id"])
        delivery.submit_evidence(db.session.get(User, milestone["team_id"]), record, "第三方检测报告已出具")
        delivery.accept_milestone(db.session.get(User, milestone["issuer_id"]), record)
        db.session.commit()
    refused = _upload(team, upload_url, "补充材料.pdf")
    assert refused.status_code == 409 and "当前状态为「已通过」，不能提交里程碑材料" in text(refused)
    assert "上传附件" not in text(team.get(f"/challenges/milestones/{milestone['id']}"))
    assert post(team, f"/attachments/{attachment_id}/delete").status_code == 409
    assert _attachments(app, "challenge_milestone") == [attachment_id]
