"""Numbers for figures, tables and equations on pages outside the numbered parts.

Sphinx numbers the figures of pages that have no section number with one global counter:
"Fig. 1", "Fig. 2", ... on the Explore and Appendix pages, which a reader holding the papers
side by side confuses with the papers' Fig. 1 and Fig. 2. Here every such number gets the letter
of its part instead, counted through the part: Fig. E.1, E.2 (Explore), Fig. A.1 (Appendix),
equations (E.1), tables A.1. The letter is the first letter of the part's caption unless
``thermobook_part_letters`` (``{caption: letter}``) says otherwise.

Runs on ``env-get-updated`` after Sphinx's own :class:`TocTreeCollector` has assigned the numbers;
the pages whose numbers it re-letters are returned so that they are written again.
"""
from __future__ import annotations

from sphinx import addnodes
from sphinx.util import logging

logger = logging.getLogger(__name__)


def unnumbered_parts(env) -> list[tuple[str, list[str]]]:
    """``[(caption, [docname, ...]), ...]`` for every unnumbered part (toctree with a caption) of
    the root document, documents in reading order (sub-pages included)."""
    root = env.config.root_doc
    if root not in env.all_docs:
        return []
    parts = []
    for toc in env.get_doctree(root).findall(addnodes.toctree):
        if toc.get("numbered") or not toc.get("caption"):
            continue
        docs: list[str] = []

        def walk(doc):
            if doc in docs or doc not in env.all_docs:
                return
            docs.append(doc)
            for sub in env.toctree_includes.get(doc, []):
                walk(sub)

        for _title, doc in toc["entries"]:
            walk(doc)
        parts.append((str(toc["caption"]), docs))
    return parts


def letter_numbers(app, env) -> list[str]:
    letters = app.config.thermobook_part_letters
    changed = []
    used: dict[str, str] = {}
    for caption, docs in unnumbered_parts(env):
        letter = letters.get(caption, caption.strip()[:1].upper())
        if letter in used and used[letter] != caption:
            logger.warning(f"parts {used[letter]!r} and {caption!r} both number with {letter!r}; "
                           "set thermobook_part_letters", type="thermobook", subtype="numbering")
        used[letter] = caption
        counters: dict[str, int] = {}
        for doc in docs:
            if env.toc_secnumbers.get(doc) or doc not in env.toc_fignumbers:
                continue
            for figtype, numbers in env.toc_fignumbers[doc].items():
                # Keep the page's own order (Sphinx's counter runs through the page).
                for fid, _old in sorted(numbers.items(), key=lambda kv: kv[1]):
                    counters[figtype] = counters.get(figtype, 0) + 1
                    numbers[fid] = (letter, counters[figtype])
            changed.append(doc)
    return changed


def setup(app):
    # After TocTreeCollector (priority 500) has assigned section and figure numbers.
    app.connect("env-get-updated", letter_numbers, priority=800)
