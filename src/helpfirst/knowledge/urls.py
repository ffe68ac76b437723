"""URL canonicalisation: one key per help page, whatever snapshot, tracking tail or scheme a link has."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

# web.archive.org/web/20200401224734/https://..., also the id_/if_ flavours and a lost second slash
_ARCHIVE = re.compile(r"^(?:https?://)?(?:web\.)?archive\.org/web/[0-9*]{1,14}[a-z_]*/+", re.I)
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:/*", re.I)
_URL_IN_TEXT = re.compile(r"(?:https?://|www\.)[^\s<>\"'\u00a0\u2026]+", re.I)
_TRAILING = ".,;:!?)]}>'\"\u2019\u201d*"

#: query parameters that only say where a click came from, never which page it is
TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "dclid", "msclkid", "yclid", "igshid", "mc_cid", "mc_eid", "_ga", "_gl",
        "ref", "ref_src", "ref_url", "ref_topic", "referrer", "src", "source", "cmpid", "cid", "campaign",
        "visit_id", "rd", "si", "feature", "spm", "share", "sharesource", "s", "t", "smid", "ncid",
        "hl", "language", "locale", "lang", "page", "icid", "intcmp", "trk", "trkcampaign",
    }
)
_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "oly_")

#: short-link hosts whose target can be worked out without a network call
_YOUTU_BE = "youtu.be"
# youtube.com/embed/ID, /shorts/ID, /live/ID and /v/ID are the same video as /watch?v=ID
_YOUTUBE_PATH = re.compile(r"^/(?:embed|shorts|live|v)/([\w-]+)$", re.I)


def _youtube_video(host: str, path: str) -> str:
    """The video id (case kept) of a youtu.be link or a youtube.com embed/shorts/live link; '' for any other URL."""
    if host == _YOUTU_BE and path.strip("/") and "/" not in path.strip("/"):
        return path.strip("/")
    if host == "youtube.com":
        m = _YOUTUBE_PATH.match(path)
        return m.group(1) if m else ""
    return ""


def strip_archive(url: str) -> str:
    """The original address of an archive.org snapshot link (any other URL unchanged)."""
    url = url.strip()
    while True:
        m = _ARCHIVE.match(url)
        if not m:
            return url
        url = url[m.end():]
        # 'https:/x' (a slash lost in copying) becomes 'https://x'
        url = re.sub(r"^(https?):/(?!/)", r"\1://", url, flags=re.I)


def canonical_url(url: str | None) -> str:
    """A comparison key: no archive.org prefix, scheme, www., port, fragment, tracking parameters or trailing slash.

    Host and path are lower-cased (help centres treat them case-insensitively) and percent-escapes
    are decoded; the remaining query parameters are sorted. youtu.be/ID (and youtube.com/embed/ID,
    /shorts/ID, /live/ID, /v/ID) becomes youtube.com/watch?v=ID, the case-sensitive video id unchanged.
    Returns '' for an empty or unusable value.
    """
    if not url:
        return ""
    raw = strip_archive(url.strip().strip(_TRAILING))
    if not raw:
        return ""
    if not _SCHEME.match(raw):
        raw = "http://" + raw
    try:
        parts = urlsplit(raw)
    except ValueError:
        return ""
    host = (parts.hostname or "").lower().rstrip(".")
    if not host:
        return ""
    if host.startswith("www."):
        host = host[4:]
    if host.startswith("m.") and host.count(".") >= 2:
        host = host[2:]
    raw_path = re.sub(r"/{2,}", "/", unquote(parts.path or "")).rstrip("/")
    path = raw_path.lower()
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in TRACKING_PARAMS and not k.lower().startswith(_TRACKING_PREFIXES)
    ]
    video = _youtube_video(host, raw_path)
    if video:
        # video ids are case-sensitive: the id keeps its case, as it does in ?v= (query values are never lower-cased)
        host, path = "youtube.com", "/watch"
        query = [(k, v) for k, v in query if k != "v"] + [("v", video)]
    query.sort()
    key = host + path
    if query:
        key += "?" + urlencode(query)
    return key


def path_key(url: str | None) -> str:
    """A looser key than canonical_url: host and path only (all query parameters dropped)."""
    return canonical_url(url).split("?", 1)[0]


def extract_urls(text: str | None) -> list[str]:
    """The links written in a post's text, in order, without trailing punctuation."""
    if not text:
        return []
    found = []
    for m in _URL_IN_TEXT.finditer(text):
        url = m.group(0).rstrip(_TRAILING)
        if len(url) > 8:
            found.append(url)
    return found


def remove_urls(text: str) -> str:
    """The text without its links."""
    return _URL_IN_TEXT.sub(" ", text)


_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
# letter runs of two or more letters (digit runs are dropped: ids say nothing about the topic)
_WORD = re.compile(r"[a-z]{2,}")
_HOST_NOISE = {"com", "org", "net", "www", "co", "uk", "us", "en", "html", "htm", "php", "aspx", "jsp", "http", "https"}


def url_words(url: str | None) -> str:
    """Readable words of a link: host name, path and query words, camelCase and ids split, snapshot prefix gone.

    'https://web.archive.org/web/2020/https://support.google.com/youtube/answer/185111' gives
    'support google youtube answer'.
    """
    if not url:
        return ""
    raw = strip_archive(url) if "archive.org" in url else url.strip()
    raw = _SCHEME.sub("", raw, count=1).split("#", 1)[0]
    address, _, query = raw.partition("?")
    host, _, path = address.partition("/")
    pieces = [host.split("@")[-1].split(":")[0].replace(".", " "), unquote(path) if "%" in path else path]
    if query:
        for k, v in parse_qsl(query):
            if k.lower() not in TRACKING_PARAMS and not k.lower().startswith(_TRACKING_PREFIXES):
                pieces.append(v)
    # numbers and one-letter pieces of ids say nothing about the topic
    words = _WORD.findall(_CAMEL.sub(" ", " ".join(pieces)).lower())
    return " ".join(w for w in words if w not in _HOST_NOISE)
