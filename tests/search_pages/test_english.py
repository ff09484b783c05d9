"""The search pages in English (issue 12): titles, tabs, sort links, facet headings, chips and result lines come out
in English, lists are joined with ", " and no Chinese punctuation is left around the interface's own values.

Every record here is written in Latin letters except the searched word 锂电池, so after removing that word (the
user's query and data) a Chinese character on the page can only come from the interface."""
import re
from html.parser import HTMLParser

import pytest

from marketplace.extensions import db
from marketplace.indexing import indexer
from marketplace.review import services as review
from tests import factories as f

QUERY = "锂电池"
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
#: the one Chinese word an English page shows on purpose: the switch back to Chinese
ALLOWED = {"中文"}


class _Text(HTMLParser):
    """What a reader sees: text outside scripts and styles, and the readable attributes."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("script", "style")
        self.parts += [v for k, v in attrs if k in ("title", "placeholder", "aria-label", "alt") and v]

    def handle_endtag(self, tag):
        self._skip -= tag in ("script", "style") and self._skip > 0

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(data.strip())


def interface_chinese(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return [part for part in parser.parts if part not in ALLOWED and CJK.search(part.replace(QUERY, ""))]


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(parser.parts)


@pytest.fixture
def latin_catalogue(app, search_engine):
    """Built in its own request context, so that each page below is a request of its own (language included)."""
    with app.test_request_context():
        owner = f.user(f.organization("university", name="Northeast University of Technology"))
        broker = f.user(f.organization("broker_agency", name="Changchun Transfer Centre"), platform_role="broker")
        patent = f.patent(owner, title=f"{QUERY} cathode coating method", ipc_codes=["H01M 4/36", "H01M 4/525"])
        review.submit(owner, patent)
        review.publish(broker, patent)
        f.achievement(owner, publish_by=broker, title=f"{QUERY} cathode coating",
                      summary=f"{QUERY} cathode coated by ALD", keywords=[QUERY, "cathode"],
                      transfer_modes=["licence", "joint_development"])
        buyer = f.user(f.organization("enterprise", name="Changchun Battery Works"))
        f.demand(buyer, publish_by=broker, title=f"{QUERY} anode efficiency",
                 problem=f"{QUERY} anode first-cycle efficiency", indicators="450 mAh/g")
        db.session.commit()
        indexer.drain(search_engine)


@pytest.mark.parametrize("path", [
    f"/search?q={QUERY}",
    f"/search?q={QUERY}&technical_field=new_materials&transfer_modes=licence",
    f"/search/patents?q={QUERY}",
    f"/search/demands?q={QUERY}&industry=energy",
    "/search/orgs",
])
def test_search_pages_in_english_show_no_chinese_interface_text(client, latin_catalogue, path):
    client.get("/?lang=en")
    response = client.get(path)
    assert response.status_code == 200
    assert interface_chinese(response.get_data(as_text=True)) == []


def test_the_issue_example_in_english_and_in_chinese(client, latin_catalogue):
    english = visible_text(client.get(f"/search?q={QUERY}&lang=en").get_data(as_text=True))
    for chinese in ("科技成果检索", "相关度", "成熟度高→低", "价格低→高", "持有方类型", "发布年份", "价格区间",
                    "含开放许可专利", "、", "："):
        assert chinese not in english
    assert "Licence, Joint development" in english  # the result's transfer modes, joined the English way
    assert re.search(r"\(\d+ ms\)", english)

    chinese = visible_text(client.get(f"/search?q={QUERY}&lang=zh").get_data(as_text=True))
    assert "相关度" in chinese and "许可、合作开发" in chinese and "排序：" in chinese
    assert re.search(r"（\d+ ms）", chinese)
    patents = visible_text(client.get(f"/search/patents?q={QUERY}").get_data(as_text=True))
    assert "IPC H01M 4/36、H01M 4/525" in patents and "申请人：Northeast University of Technology" in patents
    english_patents = visible_text(client.get(f"/search/patents?q={QUERY}&lang=en").get_data(as_text=True))
    assert "IPC H01M 4/36, H01M 4/525" in english_patents

