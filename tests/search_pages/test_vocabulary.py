"""One vocabulary for the same filter on the list page (/achievements) and the search page (/search) (issue 12)."""
import re

import pytest

from marketplace.extensions import db
from marketplace.indexing import indexer
from tests import factories as f


@pytest.fixture
def one_per_band(app, ctx, search_engine):
    owner = f.user(f.organization("university"))
    broker = f.broker()
    for trl in (2, 5, 8):
        f.achievement(owner, publish_by=broker, title=f"成熟度为 {trl} 的测试成果", trl=trl)
    db.session.commit()
    indexer.drain(search_engine)


def list_filter(html: str, name: str) -> tuple[str, list[str]]:
    """The title and option labels of the list page's ``<select name=name>`` filter."""
    found = re.search(r'<label class="filter">\s*<span>([^<]+)</span>\s*<select name="' + name + r'".*?</select>',
                      html, re.S)
    options = re.findall(r'<option value="[^"]+"[^>]*>([^<]+)</option>', found.group(0))
    return found.group(1).strip(), [o.strip() for o in options]


def search_facet(html: str, title: str) -> list[str]:
    """The value labels of the search page's facet titled ``title``."""
    found = re.search(r'<section class="facet">\s*<h2>' + re.escape(title) + r'</h2>(.*?)</section>', html, re.S)
    assert found, title
    return [label.strip() for label in re.findall(r'</span>([^<]+)</a>', found.group(1))]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_trl_and_holder_filters_read_the_same_on_the_list_and_the_search_page(client, one_per_band, lang):
    listing = client.get(f"/achievements?lang={lang}").get_data(as_text=True)
    search = client.get(f"/search?lang={lang}").get_data(as_text=True)
    trl_title, trl_labels = list_filter(listing, "trl")
    assert sorted(search_facet(search, trl_title)) == sorted(trl_labels)
    holder_title, _ = list_filter(listing, "org_type")
    assert search_facet(search, holder_title)  # the same title heads the holder-type facet
    if lang == "zh":
        assert "TRL 4–6 中试阶段" in trl_labels and holder_title == "持有方类型"
        assert "开发验证" not in listing and "机构类型" not in listing
    for name in ("technical_field", "ip_type", "region"):
        title, _ = list_filter(listing, name)
        assert f"<h2>{title}</h2>" in search, name
