"""Past conversations from any archive the audit importers read, and what they teach.

A brand reply that links a known resource makes a *case*: the customer's (and agent's) turns
before it are evidence of the problem that resource solves, weighted by the conversation's
outcome. A brand reply without a link that solved the problem becomes a reusable *answer*.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..ingest import ImportOptions, ImportReport
from ..knowledge.store import brand_key
from ..knowledge.urls import canonical_url, extract_urls, misleading_host, path_key
from .outcomes import OutcomeFn, is_solution, rule_outcome


@dataclass
class Turn:
    """One post of a conversation, as the ranking needs it."""

    role: str  # customer | brand | bot
    text: str
    created_at: float | None = None  # epoch seconds
    author: str = ""
    post_id: str = ""
    url: str = ""
    reply_kind: str | None = None


@dataclass
class Conversation:
    """The posts of one thread in time order, with the brand it is with."""

    id: str
    brand: str
    turns: list[Turn]
    outcome: str | None = None


@dataclass
class Case:
    """A brand reply that linked a resource, and what the customer and agent had said before it."""

    brand: str
    url: str
    customer_text: str
    agent_text: str
    created_at: float | None
    weight: float
    conversation_id: str
    outcome: str
    reply_text: str = ""  # the linking reply itself: how the agent described the resource


@dataclass
class Answer:
    """A past brand reply that solved a problem without a link."""

    brand: str
    text: str
    context: str
    created_at: float | None
    weight: float
    post_id: str
    url: str


@dataclass
class Lessons:
    """Everything learned from history."""

    cases: list[Case] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)
    brand_replies: int = 0
    short_link_replies: int = 0  # brand replies whose only links are short links the archive did not expand
    replies_by_brand: dict[str, int] = field(default_factory=dict)  # brand key -> its replies read (learnable or not)


def read_conversations(paths: list[Path], options: ImportOptions, fmt: str | None = None,
                       report: ImportReport | None = None,
                       signal_columns: dict[str, str] | None = None,
                       format_option: str = "--history-format") -> tuple[list[Conversation], ImportReport]:
    """Import, thread and group posts into conversations.

    Canonical CSV/JSONL files may give each post an `outcome` and a `reply_kind` (columns named
    by signal_columns, default their own names); bad values are errors in the report.
    format_option is the option the importers' messages name for giving a file's format (suggest
    and eval suggest call it --history-format).
    """
    from ..audit import load_posts, mark_bots
    from ..ingest import locate_duplicate_ids
    from ..threads import build_threads

    options = replace(options, format_option=format_option)
    report = report if report is not None else ImportReport()
    posts, report = load_posts(paths, options, fmt, report)
    if options.bots:
        posts = mark_bots(posts, options.bots)
    if posts.num_rows == 0:
        return [], report
    threads = build_threads(posts, report, [f["path"] for f in report.files])
    locate_duplicate_ids(report, options)
    signals = _signal_fields(report, options, signal_columns)  # after: it skips the duplicates' lines
    table = threads.posts
    if signals:
        ids = table.column("id").to_pylist()
        for name in ("outcome", "reply_kind"):
            values = [signals.get(i, {}).get(name) for i in ids]
            if any(values):
                table = table.append_column(name, pa.array(values, pa.string()))
    return conversations_from_table(table), report


def _signal_fields(report: ImportReport, options: ImportOptions, columns: dict[str, str] | None) -> dict[str, dict[str, str]]:
    """Post id -> {outcome, reply_kind} of the posts kept from the canonical files read; their errors go to the report.

    Only rows the importer kept count: rejected lines are skipped, and an id gets the values of its
    first row in load order (the importer keeps the first; later files do not overwrite it).
    """
    from ..ingest.canonical import read_signal_fields
    from ..ingest.common import has_quote_damage

    found: dict[str, dict[str, str]] = {}
    read: set[str] = set()
    for f in report.files:
        if f.get("format") not in ("csv", "jsonl") or f["path"] in read:
            continue  # a file given twice: its second reading is all duplicates
        read.add(f["path"])
        file = str(Path(f["path"]))
        values, errors = read_signal_fields(
            Path(f["path"]), options, columns, _rejected_lines(report, file), has_quote_damage(report, file)
        )
        report.errors.extend(errors)
        for key, fields in values.items():
            found.setdefault(key, fields)
    return found


def _rejected_lines(report: ImportReport, file: str) -> set[int]:
    """Lines of `file` whose rows the import rejected (not counting the rows of a second reading of
    the same file, which are duplicates of rows that were kept)."""
    again = {d.rejection for d in report.duplicates if report.given_twice(d)}
    return {
        r.line for i, r in enumerate(report.rejections)
        if i not in again and r.file == file and r.line is not None
    }


def conversations_from_table(posts: pa.Table) -> list[Conversation]:
    """Threaded posts (with root_nr) -> conversations in time order."""
    order = pc.sort_indices(posts, sort_keys=[("root_nr", "ascending"), ("created_at", "ascending"), ("row_nr", "ascending")])
    posts = posts.take(order)
    root = posts.column("root_nr").to_numpy()
    created = posts.column("created_at").cast(pa.int64()).to_numpy(zero_copy_only=False) / 1e6
    cols = {name: posts.column(name).to_pylist() for name in ("id", "author", "author_role", "brand", "text", "url")}
    kinds = posts.column("reply_kind").to_pylist() if "reply_kind" in posts.column_names else None
    outcomes = posts.column("outcome").to_pylist() if "outcome" in posts.column_names else None
    bounds = np.flatnonzero(np.diff(root)) + 1
    starts = np.concatenate([[0], bounds]).tolist()
    ends = np.concatenate([bounds, [len(root)]]).tolist()
    conversations = []
    for s, e in zip(starts, ends):
        turns = []
        brand = ""
        for i in range(s, e):
            role = cols["author_role"][i] or "customer"
            turns.append(Turn(role, cols["text"][i] or "", float(created[i]), cols["author"][i] or "", cols["id"][i],
                              cols["url"][i] or "", kinds[i] if kinds else None))
            if role == "brand" and not brand:
                brand = cols["brand"][i] or cols["author"][i] or ""
        if not brand:
            brand = next((cols["brand"][i] for i in range(s, e) if cols["brand"][i]), "")
        outcome = next((outcomes[i] for i in range(s, e) if outcomes[i]), None) if outcomes else None
        conversations.append(Conversation(cols["id"][s], brand, turns, outcome))
    return conversations


def read_expansions(paths: list[Path]) -> dict[str, str]:
    """Short link -> the page it leads to, from formats that carry both (X API `entities.urls`, any JSON with
    `url` + `unwound_url` or `expanded_url`).

    Files are read as the x-v2 importer reads them (common.iter_json_records: JSON Lines, an array,
    one or several pretty-printed documents). `unwound_url` (where the link finally landed) wins over
    `expanded_url` (the link as written, which may itself be another shortener's). A file that never
    names either key is not parsed at all: canonical JSONL history costs one byte scan.
    """
    import mmap

    from ..ingest import ImportFailed, source_file
    from ..ingest.common import iter_json_records

    found: dict[str, str] = {}

    def walk(value: object) -> None:
        if isinstance(value, dict):
            short = value.get("url")
            long = next((v for v in (value.get("unwound_url"), value.get("expanded_url")) if isinstance(v, str) and v.strip()), None)
            if isinstance(short, str) and long is not None and short != long:
                found[canonical_url(short)] = long
            for v in value.values():
                if isinstance(v, (dict, list)):
                    walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    for path in paths:
        path = source_file(Path(path))  # a pipe was read once, into a copy, by the importer
        try:
            with path.open("rb") as fh:
                if fh.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")[:1] not in (b"{", b"["):
                    continue
                fh.seek(0, 2)
                if fh.tell() == 0:
                    continue
                with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
                    if mm.find(b'"expanded_url"') < 0 and mm.find(b'"unwound_url"') < 0:
                        continue
            for record in iter_json_records(path):
                if record.error is None:
                    walk(record.value)
        except (OSError, ValueError, ImportFailed):
            continue  # the importer reports unreadable and broken files
    return found


def learn(conversations: list[Conversation], knows_url: Callable[[str, str], bool] | None = None,
          outcome: OutcomeFn = rule_outcome, expansions: dict[str, str] | None = None,
          listed: Callable[[str, str], bool] | None = None) -> Lessons:
    """Cases (linking replies) and answers (solving replies without a link) from past conversations.

    knows_url(brand, url) says whether a link names a help resource (default: every link that is
    not to the social network itself, see is_help_link); listed(brand, url) says whether the
    knowledge base lists it, and a listed link is always a case, whatever its host (a brand's help
    centre on the network's own domain, say). expansions maps short links to their targets.
    """
    expansions = expansions or {}
    lessons = Lessons()
    for conv in conversations:
        customer: list[str] = []
        agent: list[str] = []
        for i, turn in enumerate(conv.turns):
            if turn.role == "brand":
                links, short, misleading = _reply_links(turn.text, conv.brand, expansions, listed, knows_url)
                lessons.brand_replies += 1
                key = brand_key(conv.brand)
                lessons.replies_by_brand[key] = lessons.replies_by_brand.get(key, 0) + 1
                if short and not links:
                    # it linked something, we cannot tell what: neither a case nor "a reply that solved without a link"
                    lessons.short_link_replies += 1
                elif misleading and not links:
                    # a link that does not go where its text says (misleading_host): no evidence for any resource, and
                    # a reply holding one is never reused as an answer
                    pass
                elif links or customer:
                    name, weight = outcome(conv, i)
                    when = turn.created_at
                    for url in dict.fromkeys(links):
                        lessons.cases.append(Case(conv.brand, url, "\n".join(customer), "\n".join(agent), when, weight,
                                                  conv.id, name, turn.text))
                    if not links and customer and _last_brand_reply(conv, i) and is_solution(conv, i, name):
                        lessons.answers.append(Answer(conv.brand, turn.text, "\n".join(customer), when, weight,
                                                      turn.post_id, turn.url))
                agent.append(turn.text)
            elif turn.role == "customer":
                customer.append(turn.text)
    return lessons


def _last_brand_reply(conv: Conversation, i: int) -> bool:
    """True when the brand said nothing more after reply i: a reply followed by another one did not settle it."""
    return all(t.role != "brand" for t in conv.turns[i + 1 :])


#: link shorteners of the networks themselves: an archive that keeps only these does not say what was linked
SHORT_LINK_HOSTS = ("t.co",)


def is_short_link(url: str) -> bool:
    """True for a network's short link (t.co) that was not expanded to its target."""
    return path_key(url).split("/", 1)[0] in SHORT_LINK_HOSTS


def short_link_only(text: str, expansions: dict[str, str], brand: str = "",
                    listed: Callable[[str, str], bool] | None = None) -> bool:
    """True when a brand's reply links an unexpanded short link and no help page: what learn() counts in
    short_link_replies (with the same `listed`, a page the knowledge base lists for the brand is a help page)."""
    links, short, _misleading = _reply_links(text, brand, expansions, listed)
    return short and not links


def _reply_links(text: str, brand: str, expansions: dict[str, str], listed: Callable[[str, str], bool] | None = None,
                 knows_url: Callable[[str, str], bool] | None = None) -> tuple[list[str], bool, bool]:
    """(the help links of a brand's reply, short links expanded; whether it has an unexpanded short link; whether it
    has a link that does not go where its text says, misleading_host: never one of the help links)."""
    links = []
    short = False
    misleading = False
    for raw in extract_urls(text):
        target = expansions.get(canonical_url(raw), raw)
        short = short or is_short_link(target)
        if misleading_host(raw) or misleading_host(target):
            misleading = True
            continue
        if is_help_link(target, brand, listed) and (knows_url is None or knows_url(brand, target)):
            links.append(target)
    return links, short, misleading


def short_link_note(count: int, replies: int) -> str:
    """What unexpanded short links mean for learning, and which exports would expand them."""
    return (f"{count:,} of {replies:,} brand replies link only through t.co short links that the archive does not "
            "expand, so what was linked is unknown: such replies are neither linked cases nor reusable answers. Exports that "
            "keep the targets fix this: X API JSON (entities.urls[].expanded_url or unwound_url); in canonical CSV/JSONL "
            "history write the expanded link in the text")


_SOCIAL_HOSTS = ("twitter.com", "x.com", "t.co", "mastodon.social", "bsky.app", "instagram.com", "facebook.com")

#: the networks' own help centres: pages, not profiles or posts (help.twitter.com, help.instagram.com, facebook.com/help)
_HELP_SUBDOMAINS = ("help.", "support.")
_HELP_PATHS = ("help", "business/help")


def is_help_link(url: str, brand: str = "", listed: Callable[[str, str], bool] | None = None) -> bool:
    """Whether a link in a brand reply can name a help resource: any link the knowledge base lists (for
    this brand), else any link that is not to a social network's profiles and posts. A link that does not go where
    its text says (a user name before '@', a backslash in its host part: knowledge.urls.misleading_host) never is:
    'https://evil.example\\@help.acme.com/reset' goes to evil.example, whatever page of help.acme.com it seems to be."""
    if misleading_host(url):
        return False
    return (listed is not None and listed(brand, url)) or _is_resource_link(url)


def _is_resource_link(url: str) -> bool:
    key = path_key(url)
    host, _, path = key.partition("/")
    if not host:
        return False
    for social in _SOCIAL_HOSTS:
        if host == social or host.endswith("." + social):
            # a network's help centre is a help page like any other; its profiles and posts are not
            if host.startswith(_HELP_SUBDOMAINS):
                return True
            return host in ("facebook.com", "instagram.com") and any(path == p or path.startswith(p + "/") for p in _HELP_PATHS)
    return True
