"""Markdown inline text is built in one pass: the same text as the straightforward (quadratic) version, for any input."""

from __future__ import annotations

import random

from helpfirst.knowledge.sources.markdown import _inline, _parser, markdown_blocks, markdown_text


def _reference_inline(children) -> str:
    """The straightforward version: on each close, look back over everything written and ahead over every token."""
    out: list[str] = []
    opened: list[int] = []
    for i, tok in enumerate(children):
        if tok.type in ("text", "text_special", "code_inline"):
            out.append(tok.content)
        elif tok.type == "image":
            out.append(_reference_inline(tok.children or []) or tok.content)
        elif tok.type in ("softbreak", "hardbreak"):
            out.append("\n")
        elif tok.type.endswith("_open") and tok.type != "link_open":
            opened.append(len(out))
            out.append("")
        elif tok.type.endswith("_close") and tok.type != "link_close" and opened:
            at = opened.pop()
            before = "".join(out[:at])[-1:]
            after = next((c.content[:1] for c in children[i + 1:] if c.type in ("text", "text_special", "code_inline")), "")
            if before.isalnum() and after.isalnum():
                out[at] = tok.markup
                out.append(tok.markup)
    return "".join(out)


_PIECES = ["a", "b", "2", "é", " ", "*", "**", "_", "__", "~~", "`", "[x](http://e.com)", "![pic](p.png)", "![*i*](p.png)",
           "\\*", "&amp;", "<b>", "</b>", "\n", "  \n", "x*y*z", "*", "**", ".", "-", "1*2*3"]


def _inlines(text: str):
    return [tok.children or [] for tok in _parser().parse(text) if tok.type == "inline"]


def test_same_text_as_the_reference_on_random_markdown():
    rng = random.Random(20261126)
    checked = 0
    for _ in range(4000):
        text = "".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 30)))
        for children in _inlines(text):
            assert _inline(children) == _reference_inline(children), repr(text)
            checked += 1
    assert checked > 3000


def test_same_text_as_the_reference_on_written_cases():
    for text in ["2*3*4", "a*b*c", "*a*", "a **b** c", "x**y**z", "a*b **c** d*e", "***a***b", "a***b***c",
                 "a_b_c", "a~~b~~c", "a*`b`*c", "a*[b](u)*c", "a*![b](u)*c", "*a*b*c*", "a *b*c", "Settings > *Wi-Fi*"]:
        for children in _inlines(text):
            assert _inline(children) == _reference_inline(children), text


def test_a_paragraph_of_many_emphases():
    # 20,000 emphases in one paragraph (was quadratic: 16,000 took about 5 s)
    n = 20_000
    assert markdown_text(" ".join(["a*b*c"] * n)) == " ".join(["a*b*c"] * n)
    assert markdown_text(" ".join(["*b*"] * n)) == " ".join(["b"] * n)
    blocks = markdown_blocks(" ".join(["x **y** 2*3*4"] * n))
    assert blocks == [("p", " ".join(["x y 2*3*4"] * n))]
