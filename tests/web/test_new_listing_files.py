"""Files chosen on a new listing's form are attached once it is saved; a refused file never loses the listing."""
from __future__ import annotations

import io

import pytest

from marketplace.achievements.models import Achievement
from marketplace.attachments.models import Attachment
from marketplace.demands.models import Demand
from marketplace.extensions import db
from tests.web.helpers import login, post, text
from tests.web.test_attachments import PDF, PNG
from tests.web.test_workflow import FORM

DEMAND = {"title": "高强度铝合金焊接工艺", "problem": "现有焊接接头强度系数只有0.6，希望提升到0.85以上。",
          "industry": "automotive", "cooperation_modes": ["service"]}


def _saved(app, model, title):
    with app.app_context():
        record = db.session.execute(db.select(model).where(model.title == title)).scalar_one()
        names = sorted(a.original_name for a in db.session.execute(
            db.select(Attachment).where(Attachment.owner_id == record.id)).scalars())
        return record.id, record.status, names


@pytest.mark.parametrize("path, model, data, who", [
    ("/achievements/new", Achievement, FORM, "owner"),
    ("/demands/new", Demand, DEMAND, "outsider"),
])
def test_new_listing_form_offers_files_and_attaches_them_after_saving(app, client, world, path, model, data, who):
    login(client, getattr(world, who))
    form = text(client.get(path))
    assert 'enctype="multipart/form-data"' in form and 'type="file" name="files" multiple' in form
    response = post(client, path, {**data, "files": [(io.BytesIO(PDF), "技术方案.pdf"), (io.BytesIO(PNG), "照片.png")]},
                    content_type="multipart/form-data")
    assert response.status_code == 302
    record_id, status, names = _saved(app, model, data["title"])
    assert status == "draft" and names == ["技术方案.pdf", "照片.png"]
    assert "附件" in text(client.get(response.headers["Location"]))


def test_a_refused_file_is_named_and_the_listing_is_kept_as_a_draft(app, client, world):
    login(client, world.owner)
    response = post(client, "/achievements/new",
                    {**FORM, "files": [(io.BytesIO(b"MZ\x90\x00 not a document"), "setup.exe"),
                                       (io.BytesIO(PDF), "技术方案.pdf")]},
                    content_type="multipart/form-data")
    assert response.status_code == 302 and response.headers["Location"].endswith("#attachments")
    record_id, status, names = _saved(app, Achievement, FORM["title"])
    assert status == "draft" and names == ["技术方案.pdf"]
    page = text(client.get(response.headers["Location"].split("#")[0]))
    assert "附件“setup.exe”未上传" in page and "不支持的文件类型" in page and "已保存为草稿" in page


def test_the_edit_form_keeps_its_own_upload_section(app, client, world):
    login(client, world.owner)
    post(client, "/achievements/new", FORM)
    record_id, _status, _names = _saved(app, Achievement, FORM["title"])
    assert 'name="files"' not in text(client.get(f"/achievements/{record_id}/edit"))
