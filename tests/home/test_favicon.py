"""The site icon: /favicon.ico answers (browsers ask for it on every page without an icon link, the API docs too)."""
import re
import struct


def test_favicon_ico_is_served_as_an_icon(client):
    with client.get("/favicon.ico") as response:
        assert response.status_code == 200
        assert response.mimetype in ("image/vnd.microsoft.icon", "image/x-icon")
        reserved, kind, count = struct.unpack("<HHH", response.data[:6])
        assert (reserved, kind) == (0, 1) and count >= 1  # an ICO header with at least one image
        assert "max-age" in response.headers.get("Cache-Control", "")


def test_api_docs_page_links_an_icon_that_exists(client):
    html = client.get("/api/v1/docs").get_data(as_text=True)
    icons = re.findall(r'<link rel="icon" href="([^"]+)"', html)
    assert icons
    for href in icons:
        with client.get(href) as response:
            assert response.status_code == 200
