"""Console entry points: `briefbot ingest | search | ask | summary | brief | chat | stats | run`."""
from __future__ import annotations

import json
import logging
import sys
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

import click

from bot import render, texts
from bot.briefing import compose_brief, select_documents, summarize_pending
from bot.config import Settings, SettingsError, load_settings
from bot.ingest.pipeline import ingest_folder
from bot.llm import LLMError
from bot.services import Services, build_services

log = logging.getLogger("briefbot")
WARM_DOCUMENTS = 30  # newest documents to precompute; the default 2 GB cache holds ~41 (52 MB each)


def setup_logging(verbose: bool = False) -> None:
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # httpx logs every request URL, and Bot API URLs contain the token.
    for noisy in ("httpx", "httpcore", "apscheduler", "telegram.ext.ExtBot"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def _services(ctx: click.Context, **overrides: object) -> Services:
    obj = ctx.ensure_object(dict)
    if "services" not in obj:
        settings: Settings = obj["settings"]
        if overrides:
            settings = settings.model_copy(update={k: v for k, v in overrides.items() if v})
            obj["settings"] = settings
        obj["services"] = build_services(settings)
        ctx.call_on_close(obj["services"].close)
    return obj["services"]


def _echo_json(data: object) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@click.group()
@click.option("--db", type=click.Path(path_type=Path), help="SQLite file (overrides BRIEFBOT_DB).")
@click.option("-v", "--verbose", is_flag=True, help="Debug logging.")
@click.pass_context
def main(ctx: click.Context, db: Path | None, verbose: bool) -> None:
    """briefbot: Korean AI-policy briefings from local documents and a local LLM."""
    setup_logging(verbose)
    try:
        settings = load_settings()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None
    if db:
        settings = settings.model_copy(update={"BRIEFBOT_DB": db})
    ctx.ensure_object(dict)["settings"] = settings


def do_ingest(services: Services, *, summaries: bool, settle_seconds: float = 0.0) -> None:
    settings = services.settings
    result = ingest_folder(services.store, services.korean, Path(settings.SEEDS_DIR),
                           max_bytes=settings.INGEST_MAX_BYTES, settle_seconds=settle_seconds,
                           forget_after=settings.FORGET_AFTER_HOURS * 3600)
    click.echo(result.line())
    for name, reason in result.quarantined_files:
        click.echo(f"  quarantined {name}: {reason}")
    if summaries:
        try:
            done = summarize_pending(services.store, services.llm)
            # Evaluate each document's prompt prefix now, so its first question starts fast.
            warmed = services.answers.warm(services.store.documents(limit=WARM_DOCUMENTS))
        except LLMError as exc:
            raise click.ClickException(str(exc)) from None
        if done:
            click.echo(f"summarised {len(done)} document(s)")
        if warmed:
            click.echo(f"document prefixes ready: {warmed}")


@main.command()
@click.option("--seeds", type=click.Path(path_type=Path), help="Folder to read (overrides SEEDS_DIR).")
@click.option("--no-summaries", is_flag=True, help="Skip generating summaries with the model.")
@click.pass_context
def ingest(ctx: click.Context, seeds: Path | None, no_summaries: bool) -> None:
    """Ingest the document folder: clean, index, summarise."""
    services = _services(ctx, SEEDS_DIR=seeds)
    if not Path(services.settings.SEEDS_DIR).is_dir():
        raise click.ClickException(f"SEEDS_DIR={services.settings.SEEDS_DIR} is not a folder")
    do_ingest(services, summaries=not no_summaries)


@main.command()
@click.argument("query")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--limit", default=5, show_default=True, help="Number of hits.")
@click.pass_context
def search(ctx: click.Context, query: str, as_json: bool, limit: int) -> None:
    """BM25 search over Korean morphemes."""
    hits = _services(ctx).retriever.search(query, limit=limit)
    if as_json:
        _echo_json({"hits": [{"doc": h.doc_id, "title": h.title, "text": h.sentence,
                              "score": h.score} for h in hits]})
        return
    if not hits:
        click.echo("no matches")
    for h in hits:
        click.echo(f"{h.score:7.3f}  {h.doc_id}  {h.title}\n         {h.sentence}")


@main.command()
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def ask(ctx: click.Context, question: str, as_json: bool) -> None:
    """Answer a question from the documents, with sources."""
    try:
        answer = _services(ctx).answers.ask(question)
    except LLMError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        _echo_json({"answer": answer.text,
                    "sources": [{"doc": s.doc_id, "title": s.title, "quote": s.quote}
                                for s in answer.sources],
                    "timings": answer.timings})
    else:
        click.echo(render.answer_plain(answer))


@main.command()
@click.argument("doc", required=False)
@click.option("--latest", type=int, help="The N most recent documents.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def summary(ctx: click.Context, doc: str | None, latest: int | None, as_json: bool) -> None:
    """Stored summaries (made at ingest): one document, the latest N, or a keyword's matches."""
    services = _services(ctx)
    found = services.store.document(doc) if doc else None
    docs = [found] if found else select_documents(
        services.store, services.retriever.search, str(latest) if latest else doc)
    if as_json:
        _echo_json({"summaries": [{"doc": d.id, "title": d.title, "date": d.date,
                                   "outlet": d.outlet, "summary": d.summary} for d in docs]})
        return
    click.echo("\n\n".join(render.summary_plain(d) for d in docs) or texts.NO_DOCUMENTS)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--send", is_flag=True,
              help="Deliver a briefing to every subscribed chat now, through the outbox "
                   "(at most one manual briefing per chat and day; the scheduled one still goes).")
@click.pass_context
def brief(ctx: click.Context, as_json: bool, send: bool) -> None:
    """The morning briefing text, composed from stored summaries."""
    services = _services(ctx)
    if send:
        if not services.settings.token:
            raise click.ClickException("TELEGRAM_BOT_TOKEN is not set: cannot send the briefing")
        import asyncio

        from bot.tg.jobs import send_briefings_now
        queued, report = asyncio.run(send_briefings_now(services))
        click.echo(f"queued {queued} briefing(s); sent {report.sent}, retrying "
                   f"{report.retrying}, failed {report.failed}, dropped {report.dropped}")
        if report.busy:
            click.echo("the running bot holds the outbox; it will send what is left", err=True)
        return
    since = services.store.get_meta("console_last_brief")
    result = compose_brief(services.store, services.korean, since=since,
                           today=datetime.now(services.settings.tz).date())
    if as_json:
        _echo_json(asdict(result))
    else:
        click.echo(result.text)


@main.command()
@click.pass_context
def stats(ctx: click.Context) -> None:
    """Documents, chunks, quarantined files, outbox and model."""
    services = _services(ctx)
    for name, value in services.store.counts().items():
        click.echo(f"{name:>16}: {value}")
    for row in services.store.quarantined():
        click.echo(f"  quarantined {row['name']}: {row['reason']}")
    model = Path(services.settings.MODEL_PATH)
    size = f"{model.stat().st_size / 1e6:.0f} MB" if model.is_file() else "missing"
    click.echo(f"{'model':>16}: {model} ({size})")


@main.command()
@click.pass_context
def chat(ctx: click.Context) -> None:
    """Console chat: plain lines are questions; /summary /brief /search /sources /help."""
    from bot.console import run_console
    run_console(_services(ctx), sys.stdin)


@main.command()
@click.option("--no-summaries", is_flag=True, help="Skip generating summaries at start.")
@click.pass_context
def run(ctx: click.Context, no_summaries: bool) -> None:
    """Ingest, then run the Telegram bot (or the console chat without a token)."""
    services = _services(ctx)
    # A file still being copied is left to the running bot's folder watcher.
    do_ingest(services, summaries=not no_summaries, settle_seconds=5.0)
    if services.settings.token:
        from bot.tg.app import run_bot
        run_bot(services)
    else:
        click.echo("TELEGRAM_BOT_TOKEN is not set: opening the console chat.", err=True)
        from bot.console import run_console
        run_console(services, sys.stdin)


@main.command()
@click.argument("doc")
@click.pass_context
def forget(ctx: click.Context, doc: str) -> None:
    """Forget a document now (by document id or file name): its text, index rows and summary.
    Its file, if still in the folder, is read again only when it changes."""
    forgotten = _services(ctx).store.forget(doc)
    if forgotten is None:
        raise click.ClickException(f"no document or file named {doc}")
    log.info("forgot %s by hand", forgotten)
    click.echo(f"forgot {forgotten}")
