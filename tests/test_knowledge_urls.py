"""URL canonicalisation and URL words: the same page is the same key however it was linked."""

from __future__ import annotations

import pytest

from helpfirst.knowledge.urls import canonical_url, extract_urls, path_key, url_words

SAME = [
    ("https://support.google.com/youtube/answer/185111",
     "https://web.archive.org/web/20200401224734/https://support.google.com/youtube/answer/185111"),
    ("https://help.acme.com/reset-password", "http://www.help.acme.com/reset-password/"),
    ("https://help.acme.com/reset-password", "https://HELP.acme.com/reset-password?utm_source=twitter&utm_medium=social#top"),
    ("https://help.acme.com/a?id=7", "https://help.acme.com/a?fbclid=XYZ&id=7&ref_src=twsrc"),
    ("https://community.adobe.com/t5/x", "https://community.adobe.com:443/t5/x"),
    ("https://www.youtube.com/watch?v=abc123", "https://youtu.be/abc123?si=share"),
    ("https://web.archive.org/web/2019/https://a.example/b", "https://web.archive.org/web/20200101000000id_/http://a.example/b/"),
    ("https://a.example/b", "web.archive.org/web/20200101/https:/a.example/b"),
]


@pytest.mark.parametrize("a,b", SAME)
def test_same_page_same_key(a, b):
    assert canonical_url(a) == canonical_url(b) != ""


def test_different_pages_stay_apart():
    assert canonical_url("https://a.example/x?id=1") != canonical_url("https://a.example/x?id=2")
    assert canonical_url("https://a.example/x") != canonical_url("https://b.example/x")
    assert path_key("https://a.example/x?id=1") == path_key("https://a.example/x?id=2")


def test_unusable_values():
    assert canonical_url("") == canonical_url(None) == ""
    assert canonical_url("https://") == ""


def test_links_in_text_without_trailing_punctuation():
    text = "Try this: https://help.acme.com/a). Or www.acme.com/b, thanks! https://x.co"
    assert extract_urls(text) == ["https://help.acme.com/a", "www.acme.com/b", "https://x.co"]


def test_url_words_split_paths_and_drop_ids():
    assert url_words("https://web.archive.org/web/20200401/https://support.google.com/youtube/answer/185111") == "support google youtube answer"
    assert url_words("https://support.playstation.com/s/article/How-to-Improve-a-network-connection?language=en_US") == \
        "support playstation article how to improve network connection"
    assert url_words("https://help.acme.com/resetPassword_now") == "help acme reset password now"


@pytest.mark.parametrize("link", [
    "https://youtu.be/dQw4w9WgXcQ", "https://youtu.be/dQw4w9WgXcQ?si=share&t=42", "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    "https://m.youtube.com/watch?v=dQw4w9WgXcQ&feature=share", "https://www.youtube.com/embed/dQw4w9WgXcQ",
    "https://youtube.com/shorts/dQw4w9WgXcQ/",
])
def test_youtube_links_keep_the_case_sensitive_video_id(link):
    assert canonical_url(link) == "youtube.com/watch?v=dQw4w9WgXcQ"


def test_youtube_ids_differing_only_in_case_stay_apart():
    assert canonical_url("https://youtu.be/abcDEF") != canonical_url("https://youtu.be/ABCdef")
