"""Uploads: type from content, size limit, storage outside static, downloads only for those who see the parent."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from marketplace.achievements.models import Achievement
from marketplace.attachments.models import Attachment
from marketplace.extensions import db
from marketplace.patents.models import Patent
from tests import factories as f
from tests.web.helpers import login, post, text
from tests.web.test_browse import _user

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x00" * 64


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.fixture
def draft(app, world):
    with app.app_context():
        record = f.achievement(_user(world.owner), title="带附件的草稿成果")
        db.session.commit()
        return record.id


def _upload(client, record_id, content: bytes, name: str, kind="achievement"):
    return post(client, f"/{kind}s/{record_id}/attachments",
                {"file": (io.BytesIO(content), name)}, content_type="multipart/form-data")


def _download(client, url):
    """GET a file and close the streamed response (an unclosed file would be a ResourceWarning)."""
    with client.get(url) as response:
        response.data  # read while open
        return response


def _only_attachment(app) -> Attachment:
    with app.app_context():
        attachment = db.session.execute(db.select(Attachment)).scalar_one()
        db.session.expunge(attachment)
        return attachment


@pytest.mark.parametrize("content, name, mime", [
    (PDF, "技术方案.pdf", "application/pdf"),
    (PNG, "样机照片.png", "image/png"),
    (_docx(), "说明书.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
])
def test_good_file_is_stored_outside_static_and_downloads_as_attachment(app, client, world, draft, content, name,
                                                                        mime):
    login(client, world.owner)
    response = _upload(client, draft, content, name)
    assert response.status_code == 302
    attachment = _only_attachment(app)
    assert attachment.content_type == mime and attachment.original_name == name
    stored = Path(app.config["UPLOAD_FOLDER"]) / attachment.stored_name
    assert stored.read_bytes() == content
    assert name.rsplit(".", 1)[0] not in attachment.stored_name  # generated name, not the user's
    static = Path(app.static_folder).resolve()
    assert static not in stored.resolve().parents
    download = _download(client, f"/attachments/{attachment.id}")
    assert download.status_code == 200 and download.data == content
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''" in download.headers["Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.mimetype == mime
    assert name in text(client.get(f"/achievements/{draft}"))


def test_type_is_checked_from_content_not_name(app, client, world, draft):
    login(client, world.owner)
    response = _upload(client, draft, b"<script>alert(1)</script>", "看起来像.pdf")
    assert response.status_code == 415
    assert "不支持的文件类型" in text(response)
    assert _upload(client, draft, b"MZ\x90\x00" + b"\x00" * 200, "setup.docx").status_code == 415
    with app.app_context():
        assert db.session.execute(db.select(Attachment)).first() is None
    missing = post(client, f"/achievements/{draft}/attachments", {}, content_type="multipart/form-data")
    assert missing.status_code == 422


def test_too_large_upload_is_413_with_a_clear_message(app, client, world, draft):
    login(client, world.owner)
    limit = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = 2048
    try:
        response = _upload(client, draft, PDF + b"0" * 4096, "太大的文件.pdf")
    finally:
        app.config["MAX_CONTENT_LENGTH"] = limit
    assert response.status_code == 413
    assert "上传的文件太大" in text(response) and "MB" in text(response)


def test_other_organisations_get_404_for_draft_attachments(app, client, world, draft):
    login(client, world.owner)
    _upload(client, draft, PDF, "草稿附件.pdf")
    attachment = _only_attachment(app)
    for email in (world.outsider, None):
        other = app.test_client()
        if email:
            login(other, email)
            assert _upload(other, draft, PDF, "x.pdf").status_code == 404
            assert post(other, f"/attachments/{attachment.id}/delete").status_code == 404
        assert _download(other, f"/attachments/{attachment.id}").status_code == 404
    assert app.test_client().get("/attachments/999999").status_code == 404
    # once the record is published anyone may download, but still only the owner may delete
    with app.app_context():
        from marketplace.review import services as review
        record = db.session.get(Achievement, draft)
        review.submit(_user(world.owner), record)
        review.publish(_user(world.broker), record)
        db.session.commit()
    assert _download(app.test_client(), f"/attachments/{attachment.id}").status_code == 200
    outsider = app.test_client()
    login(outsider, world.outsider)
    assert post(outsider, f"/attachments/{attachment.id}/delete").status_code == 404
    assert post(client, f"/attachments/{attachment.id}/delete").status_code == 302
    assert not (Path(app.config["UPLOAD_FOLDER"]) / attachment.stored_name).exists()


def test_demand_attachment(app, client, world):
    with app.app_context():
        demand = f.demand(_user(world.outsider))
        db.session.commit()
        demand_id = demand.id
    login(client, world.outsider)
    assert _upload(client, demand_id, PDF, "需求说明.pdf", kind="demand").status_code == 302
    assert "需求说明.pdf" in text(client.get(f"/demands/{demand_id}"))
    assert app.test_client().get(f"/attachments/{_only_attachment(app).id}").status_code == 404


def _attachments(app) -> list[tuple[str, int]]:
    with app.app_context():
        return [(a.owner_kind, a.owner_id) for a in db.session.execute(db.select(Attachment)).scalars()]


def test_patent_attachment_upload_download_delete(app, client, world):
    with app.app_context():
        patent_id = f.patent(_user(world.owner)).id
        db.session.commit()
    login(client, world.owner)
    page = text(client.get(f"/patents/{patent_id}"))
    assert 'id="attachments"' in page and f'action="/patents/{patent_id}/attachments"' in page
    refused = _upload(client, patent_id, b"not a document", "专利证书.pdf", kind="patent")
    assert refused.status_code == 415 and "不支持的文件类型" in text(refused) and 'id="attachments"' in text(refused)
    response = _upload(client, patent_id, PDF, "专利证书.pdf", kind="patent")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/patents/{patent_id}#attachments")
    attachment = _only_attachment(app)
    assert (attachment.owner_kind, attachment.owner_id) == ("patent", patent_id)
    assert "专利证书.pdf" in text(client.get(f"/patents/{patent_id}"))
    download = _download(client, f"/attachments/{attachment.id}")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Cache-Control"] == "private, no-store"  # a draft
    deleted = post(client, f"/attachments/{attachment.id}/delete")
    assert deleted.status_code == 302 and deleted.headers["Location"].endswith(f"/patents/{patent_id}#attachments")
    assert _attachments(app) == []
    assert not (Path(app.config["UPLOAD_FOLDER"]) / attachment.stored_name).exists()


def test_other_organisations_get_404_for_an_unpublished_patents_attachment(app, client, world):
    with app.app_context():
        patent_id = f.patent(_user(world.owner)).id
        db.session.commit()
    login(client, world.owner)
    assert _upload(client, patent_id, PDF, "未公开.pdf", kind="patent").status_code == 302
    attachment = _only_attachment(app)
    outsider = app.test_client()
    login(outsider, world.outsider)
    assert _download(outsider, f"/attachments/{attachment.id}").status_code == 404
    assert _upload(outsider, patent_id, PDF, "x.pdf", kind="patent").status_code == 404
    assert post(outsider, f"/attachments/{attachment.id}/delete").status_code == 404
    assert _download(app.test_client(), f"/attachments/{attachment.id}").status_code == 404
    assert _attachments(app) == [("patent", patent_id)]


def test_attachments_belong_to_their_kind_not_just_an_id(app, client, world):
    """An achievement and a patent with the same id do not share files."""
    with app.app_context():
        owner = _user(world.owner)
        achievement, patent = f.achievement(owner), f.patent(owner)
        db.session.flush()
        # give both the same new id, so that only the kind tells the owners apart
        record_id = achievement.id = patent.id = max(achievement.id, patent.id) + 1000
        db.session.commit()
    login(client, world.owner)
    assert _upload(client, record_id, PDF, "成果附件.pdf").status_code == 302
    assert "成果附件.pdf" in text(client.get(f"/achievements/{record_id}"))
    assert "成果附件.pdf" not in text(client.get(f"/patents/{record_id}"))
    with app.app_context():
        assert db.session.get(Patent, record_id).attachments == []
        assert [a.original_name for a in db.session.get(Achievement, record_id).attachments] == ["成果附件.pdf"]


@pytest.mark.parametrize("kind", ["achievement", "patent", "demand"])
def test_deleting_a_draft_deletes_its_attachment_rows(app, client, world, kind):
    with app.app_context():
        owner = _user(world.owner)
        record = {"achievement": f.achievement, "patent": f.patent, "demand": f.demand}[kind](owner)
        other = f.achievement(owner, title="留下的成果")
        db.session.commit()
        record_id, other_id = record.id, other.id
    login(client, world.owner)
    assert _upload(client, record_id, PDF, "一.pdf", kind=kind).status_code == 302
    assert _upload(client, record_id, PNG, "二.png", kind=kind).status_code == 302
    assert _upload(client, other_id, PDF, "别人的.pdf").status_code == 302
    assert sorted(_attachments(app)) == sorted([(kind, record_id)] * 2 + [("achievement", other_id)])
    assert post(client, f"/{kind}s/{record_id}/delete").status_code == 302
    assert _attachments(app) == [("achievement", other_id)]
