"""URL canonicalisation: one key per help page, whatever snapshot, tracking tail or scheme a link has."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

# web.archive.org/web/20200401224734/https://..., also the id_/if_ flavours and a lost second slash
_ARCHIVE = re.compile(r"^(?:https?://)?(?:web\.)?archive\.org/web/[0-9*]{1,14}[a-z_]*/+", re.I)
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:/*", re.I)
_URL_IN_TEXT = re.compile(r"(?:https?://|www\.)[^\s<>\"'\u00a0\u2026]+", re.I)
_TRAILING = ".,;:!?)]}>'\"\u2019\u201d*"

#: query parameters that only say where a click came from, never which page it is: the well-known
#: click and campaign ids of ad, mail and social platforms. Words that name a page on some sites
#: (t, page, s, source, src, ref, cid, lang, feature, share, ...) are NOT here: dropping them merged
#: different forum topics and pages into one resource.
TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "ttclid", "li_fat_id",
        "igshid", "igsh", "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "mkt_tok", "vero_id", "vero_conv",
        "ref_src", "ref_url", "icid", "intcmp", "cmpid", "trk", "trkcampaign", "smid", "ncid", "spm", "scid",
    }
)
_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "oly_")
#: parameters that are tracking or session state only on one site (host without www.): never a different page there
HOST_TRACKING_PARAMS = {
    # Google Help: a visit's session id, a redirect flag, the topic the reader came through
    "support.google.com": frozenset({"visit_id", "rd", "ref_topic"}),
    # YouTube: share ids and where-from labels (a watch link keeps only its video id anyway)
    "youtube.com": frozenset({"si", "feature", "pp", "ab_channel"}),
}

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


def _is_tracking(host: str, name: str) -> bool:
    name = name.lower()
    return name in TRACKING_PARAMS or name.startswith(_TRACKING_PREFIXES) or name in HOST_TRACKING_PARAMS.get(host, ())


def _route(fragment: str) -> str:
    """The hash route of a single-page help centre ('#/articles/reset', '#!/shipping'), '' for an in-page anchor.

    A route names a page (the app reads it to choose what to show); an anchor ('#top') is a place on one page.
    """
    fragment = unquote(fragment)
    if fragment.startswith("/") or fragment.startswith("!/"):
        route = fragment.rstrip("/")
        return "#" + route if route not in ("", "!") else ""
    return ""


def site(host: str) -> str:
    """The site of a host name, as canonical_url and HOST_TRACKING_PARAMS name it: lower case, no trailing dot,
    no www. and no m. (mobile) prefix ('www.YouTube.com', 'm.youtube.com' -> 'youtube.com'; 'm.co' stays)."""
    host = host.lower().rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    if host.startswith("m.") and host.count(".") >= 2:
        host = host[2:]
    return host


def _key_parts(url: str | None) -> tuple[str, list[tuple[str, str]], str]:
    """(host + path, query pairs kept, hash route) of a link; ('', [], '') for an empty or unusable value."""
    if not url:
        return "", [], ""
    raw = strip_archive(url.strip().strip(_TRAILING))
    if not raw:
        return "", [], ""
    if not _SCHEME.match(raw):
        raw = "http://" + raw
    try:
        parts = urlsplit(raw)
    except ValueError:
        return "", [], ""
    host = site(parts.hostname or "")
    if not host:
        return "", [], ""
    raw_path = re.sub(r"/{2,}", "/", unquote(parts.path or "")).rstrip("/")
    path = raw_path.lower()
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(host, k)]
    route = _route(parts.fragment)
    video = _youtube_video(host, raw_path)
    if not video and host == "youtube.com" and path == "/watch":
        video = next((v for k, v in query if k == "v" and v), "")
    if video:
        # a video link is the video: its id (case-sensitive: query values are never lower-cased) and nothing else,
        # so a watch link from a playlist (&list=...&index=2) or with a start time (&t=42) is the same video
        return "youtube.com/watch", [("v", video)], ""
    query.sort()
    return host + path, query, route


def canonical_url(url: str | None) -> str:
    """A comparison key: no archive.org prefix, scheme, www., port, in-page anchor, tracking parameters or trailing slash.

    Host and path are lower-cased (help centres treat them case-insensitively) and percent-escapes
    are decoded; the remaining query parameters are sorted. Only parameters that never choose a page
    are dropped (TRACKING_PARAMS, utm_* and the like, and HOST_TRACKING_PARAMS on their own host);
    a hash route ('#/articles/reset', '#!/shipping') is kept: in a single-page help centre it is the page.
    A YouTube video link (watch?v=ID, youtu.be/ID, /embed/ID, /shorts/ID, /live/ID, /v/ID) becomes
    youtube.com/watch?v=ID and nothing else, the case-sensitive video id unchanged.
    Returns '' for an empty or unusable value.
    """
    base, query, route = _key_parts(url)
    if not base:
        return ""
    return base + ("?" + urlencode(query) if query else "") + route


def path_key(url: str | None) -> str:
    """A looser key than canonical_url: host, path and hash route only (all query parameters dropped)."""
    base, _query, route = _key_parts(url)
    return base + route if base else ""


def misleading_host(url: str | None) -> str | None:
    """Why a link does not go where its text seems to say, else None: text before an '@' in its address part
    ('https://support.brand.com@evil.example/reset', 'https://user:pw@host/x': a browser goes to the host after the
    '@') or a backslash there ('https://evil.example\\@support.brand.com/': a browser reads '\\' as '/' and goes to
    evil.example, where urlsplit sees support.brand.com). An archive.org snapshot link is judged by its original too.
    """
    if not url or ("@" not in url and "\\" not in url):  # most links: nothing to look at
        return None
    for raw in dict.fromkeys((url.strip(), strip_archive(url))):
        if not _SCHEME.match(raw):
            raw = "http://" + raw
        try:
            netloc = urlsplit(raw).netloc
        except ValueError:
            continue  # not a URL at all: whoever reads it says so
        if "@" not in netloc and "\\" not in netloc:
            continue
        browser = netloc.split("\\", 1)[0]  # where a browser's host part ends
        host = browser.rpartition("@")[2]
        host = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
        if "\\" in netloc:
            return (f"has a backslash in its host part ({netloc[:60]!r}): a browser reads it as '/' and goes to "
                    f"{host or 'another host'!r}, not to the host the text seems to name")
        return (f"has a user name before '@' in its host part ({netloc[:60]!r}): a browser goes to the host after "
                f"the '@' ({host!r}), not to the one written before it; a web address to share has no user name or password")
    return None


#: Unicode categories that end a link written in text, as check_url rejects them in a resource URL: control
#: characters (ESC of a terminal escape, NUL), format characters (bidi overrides, zero-width), surrogates, separators
_ENDS_URL = frozenset({"Cc", "Cf", "Cs", "Zs", "Zl", "Zp"})


def extract_urls(text: str | None) -> list[str]:
    """The links written in a post's text, in order, without trailing punctuation.

    A link ends before a control or format character, and the rest of that run of text is not read as
    another link: 'https://help.acme.com/reset<ESC>]8;;https://evil.example<BEL>' gives only
    'https://help.acme.com/reset' (a draft would paste the characters as they are; what a terminal escape
    hides is not a link the reader saw).
    """
    if not text:
        return []
    found = []
    for m in _URL_IN_TEXT.finditer(text):
        url = m.group(0)
        cut = None if url.isascii() and url.isprintable() else next(  # printable ASCII: none of them (fast path)
            (i for i, c in enumerate(url) if unicodedata.category(c) in _ENDS_URL), None)
        url = (url if cut is None else url[:cut]).rstrip(_TRAILING)
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
    raw, _, fragment = _SCHEME.sub("", raw, count=1).partition("#")
    address, _, query = raw.partition("?")
    host, _, path = address.partition("/")
    hostname = host.split("@")[-1].split(":")[0]
    pieces = [hostname.replace(".", " "), unquote(path) if "%" in path else path, _route(fragment)]
    if query:
        host_site = site(hostname)
        for k, v in parse_qsl(query):
            if not _is_tracking(host_site, k):
                pieces.append(v)
    # numbers and one-letter pieces of ids say nothing about the topic
    words = _WORD.findall(_CAMEL.sub(" ", " ".join(pieces)).lower())
    return " ".join(w for w in words if w not in _HOST_NOISE)
