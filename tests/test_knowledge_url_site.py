"""One site for a host name: url_words drops a site's own tracking parameters on m. and www. hosts, as canonical_url does."""

from __future__ import annotations

from helpfirst.knowledge.urls import canonical_url, site, url_words


def test_site_of_a_host():
    assert site("www.YouTube.com") == "youtube.com"
    assert site("m.youtube.com") == "youtube.com"
    assert site("M.YouTube.com.") == "youtube.com"
    assert site("m.co") == "m.co"
    assert site("support.google.com") == "support.google.com"


def test_url_words_drop_youtube_share_labels_on_the_mobile_site():
    for host in ("youtube.com", "www.youtube.com", "m.youtube.com", "M.YOUTUBE.COM"):
        words = url_words(f"https://{host}/results?search_query=reset+router&feature=share&ab_channel=AcmeHelp").split()
        assert words == ["youtube", "results", "reset", "router"], host


def test_url_words_and_canonical_url_agree_on_the_site():
    url = "https://m.support.google.com/youtube/search?q=captions&ref_topic=wizard"
    assert canonical_url(url) == "support.google.com/youtube/search?q=captions"
    assert "wizard" not in url_words(url).split()
    assert "captions" in url_words(url).split()
