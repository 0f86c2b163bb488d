"""The three languages: Danish by default, English and Arabic complete, Arabic right to left."""

from __future__ import annotations

import re


def test_arabic_by_accept_language_is_right_to_left(as_sara) -> None:
    page = as_sara.get("/plan", headers={"Accept-Language": "ar"}).get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in page
    # No English msgid leaked through: the page's own words are Arabic.
    heading = re.search(r"<h1>(.*?)</h1>", page).group(1)
    assert re.search(r"[\u0600-\u06FF]", heading), heading
