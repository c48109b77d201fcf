"""Plain-text renderings shared by the console and Telegram (which escapes them for HTML)."""
from __future__ import annotations

from bot import texts
from bot.briefing import shown_summary
from bot.debate import view
from bot.debate.service import DebateMap
from bot.types import Answer, Document


def source_line(number: int, title: str, meta: str) -> str:
    return f"[{number}] {title} ({meta})"


def answer_parts(answer: Answer) -> tuple[str, list[tuple[str, str]]]:
    """(answer text, [(source heading, verbatim quote)])."""
    sources = []
    for number, src in enumerate(answer.sources, 1):
        meta = ", ".join(x for x in (src.outlet, src.date) if x) or src.doc_id
        sources.append((source_line(number, src.title, meta), src.quote))
    return answer.text, sources


def answer_plain(answer: Answer) -> str:
    text, sources = answer_parts(answer)
    if not sources:
        return text
    lines = [text, "", texts.SOURCES_HEADER]
    for heading, quote in sources:
        lines += [heading, f"   “{quote}”"]
    return "\n".join(lines)


def summary_plain(doc: Document) -> str:
    return f"■ {doc.title} ({doc.meta})\n{shown_summary(doc)}"


def sources_plain(docs: list[Document]) -> str:
    return "\n".join(f"• {d.title} ({d.meta})" for d in docs) or texts.NO_DOCUMENTS


DRILL_DOWN = 3  # propositions shown in full for one keyword


def debate_reply(debate: DebateMap, arg: str, *, picture: bool = True
                 ) -> tuple[list[tuple[str, str]], bytes | None]:
    """/debate [쟁점ID | 키워드]: (text, style) lines from stored positions, and the map's PNG
    for the overview (None when there is nothing to draw, or `picture` is False)."""
    if not arg.strip():
        shown = debate.topics()
        return view.overview_lines(shown), debate.picture() if shown and picture else None
    matched = debate.match(arg)
    if not matched:
        ids = ", ".join(p.id for p in debate.propositions.current())
        return [(texts.DEBATE_NO_MATCH.format(keyword=arg.strip()[:40], ids=ids), "")], None
    # Those with positions first: "/debate AI" matches most propositions.
    with_positions = {p.proposition for p in debate.store.positions()}
    matched.sort(key=lambda p: p.id not in with_positions)
    lines: list[tuple[str, str]] = []
    for prop in matched[:DRILL_DOWN]:
        topic = next(iter(debate.topics(prop.id)), None)
        if lines:
            lines.append(("", ""))
        lines += (view.topic_lines(topic) if topic
                  else [(texts.DEBATE_NO_POSITIONS.format(text=prop.text), "")])
    if len(matched) > DRILL_DOWN:
        rest = matched[DRILL_DOWN:]
        lines += [("", ""), (texts.DEBATE_MORE_MATCHES.format(
            keyword=arg.strip()[:40], count=len(rest), ids=", ".join(p.id for p in rest)), "")]
    return lines, None
