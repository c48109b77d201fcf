"""Console entry points: `briefbot ingest | search | ask | summary | brief | chat | stats | run`."""
from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
import threading
from datetime import datetime
from pathlib import Path
from typing import Any, cast

import click
from tqdm import tqdm

from bot import redact, render, texts
from bot.briefing import select_documents
from bot.config import Settings, SettingsError, load_settings
from bot.debate import view
from bot.delivery.digest import all_pages, compose_briefing
from bot.llm import LLMError
from bot.services import Services, build_services, build_worker
from bot.store import StoreUnavailable, file_problem
from bot.worker import Step, remember_asked

log = logging.getLogger("briefbot")


class RejectedTokenFilter(logging.Filter):
    """A rejected token is reported once, by BriefbotCLI, as one clear line; python-telegram-bot
    logs it too, with a traceback. That record keeps its line and loses the traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            from telegram.error import InvalidToken  # loaded already if telegram is logging
            if isinstance(record.exc_info[1], InvalidToken):
                record.exc_info = record.exc_text = None
        return True


def setup_logging(verbose: bool = False, secrets: list[str] | None = None) -> None:
    """Log to stderr; `secrets` (the token, URL credentials) are redacted from every record
    of every logger and level from here on, tracebacks included."""
    redact.install(secrets or [])
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RejectedTokenFilter) for f in handler.filters):
            handler.addFilter(RejectedTokenFilter())
    for noisy in ("httpx", "httpcore", "apscheduler", "telegram.ext.ExtBot"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # A thread that dies (the background worker, a helper thread) is reported through logging,
    # so its traceback is redacted and lands where the operator reads the log.
    threading.excepthook = _thread_died


def _thread_died(args: threading.ExceptHookArgs) -> None:
    log.error("thread %s died", args.thread.name if args.thread else "?",
              exc_info=args.exc_value if args.exc_value is not None else False)


class OperatorError(click.ClickException):
    """Something the operator must fix before the bot can run: exit status 2, no traceback
    (a supervisor restarting it would only repeat the same failure)."""

    exit_code = 2


def _operator_error(exc: Exception) -> OperatorError | None:
    """The clear error for an exception an operator can fix, or None."""
    if isinstance(exc, StoreUnavailable):
        return OperatorError(f"BRIEFBOT_DB={exc.path}: {exc.reason}")
    if problem := file_problem(exc):  # the file went bad while the command ran
        return OperatorError(f"BRIEFBOT_DB: the database {problem}")
    from telegram.error import InvalidToken  # only on the error path: telegram loads slowly
    if isinstance(exc, InvalidToken):
        return OperatorError(texts.INVALID_TOKEN)
    return None


class BriefbotCLI(click.Group):
    """Turns errors an operator can fix into one clear line; anything else is logged (through
    the redaction) rather than printed raw, so no traceback carries a secret."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except Exception as exc:  # noqa: BLE001 - sorted into operator errors and crashes
            causes = [exc, exc.__cause__, exc.__context__]
            for cause in causes:
                error = _operator_error(cause) if isinstance(cause, Exception) else None
                if error:
                    raise error from None
            log.critical("briefbot %s failed", ctx.invoked_subcommand or "", exc_info=True)
            raise click.exceptions.Exit(1) from None


def _services(ctx: click.Context, *, preload: bool = False, **overrides: object) -> Services:
    obj = ctx.ensure_object(dict)
    if "services" not in obj:
        settings: Settings = obj["settings"]
        if overrides:
            settings = settings.model_copy(update={k: v for k, v in overrides.items() if v})
            obj["settings"] = settings
        obj["services"] = build_services(settings, preload=preload)
        ctx.call_on_close(obj["services"].close)
    return cast(Services, obj["services"])


def _echo_json(data: object) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@click.group(cls=BriefbotCLI)
@click.option("--db", type=click.Path(path_type=Path), help="SQLite file (overrides BRIEFBOT_DB).")
@click.option("-v", "--verbose", is_flag=True, help="Debug logging.")
@click.pass_context
def main(ctx: click.Context, db: Path | None, verbose: bool) -> None:
    """briefbot: Korean AI-policy briefings from local documents and a local LLM."""
    try:
        settings = load_settings()
    except SettingsError as exc:
        setup_logging(verbose)
        raise click.ClickException(str(exc)) from None
    setup_logging(verbose, settings.secrets)
    if db:
        settings = settings.model_copy(update={"BRIEFBOT_DB": db})
    ctx.ensure_object(dict)["settings"] = settings


def index_folder(services: Services, *, settle_seconds: float = 0.0) -> None:
    """Decode, clean and index the folder: fast, no model call."""
    result = services.index_folder(settle_seconds=settle_seconds)
    click.echo(result.line())
    for name, reason in result.quarantined_files:
        click.echo(f"  quarantined {name}: {reason}")


def model_work(services: Services) -> None:
    """Every document's summary and debate-map positions and the newest documents' prompt
    prefixes, now, with a progress bar in a terminal (plain lines otherwise), unless a running
    bot does them. A failed document is retried by a later run; it fails no other, nor this."""
    worker = build_worker(services)
    if (pid := worker.lease.holder()) is not None:
        click.echo(f"briefbot run (pid {pid}) serves this database: its background worker "
                   "makes the summaries, positions and prompt prefixes; none made here")
        return
    try:
        total = worker.backlog().total
    except LLMError as exc:
        raise click.ClickException(str(exc)) from None
    if not total:
        return
    done = {"summary": 0, "positions": 0, "prefix": 0, "collection": 0, "failed": 0}
    bar = tqdm(total=total, unit="step", desc="model work", file=sys.stderr,
               disable=not sys.stderr.isatty(), dynamic_ncols=True)

    def on_step(step: Step, ok: bool) -> None:
        done[step.kind] += ok
        done["failed"] += not ok
        bar.update(1)
        if bar.disable:  # not a terminal: a plain line per step
            n = sum(done.values())
            click.echo(f"model work: {n}/{max(n, total)} ({step.kind} "
                       f"{step.doc_id or 'shared prefix'}{'' if ok else ': failed'})", err=True)

    try:
        worker.drain(on_step)
    except LLMError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        bar.close()
    if done["summary"]:
        click.echo(f"summarised {done['summary']} document(s)")
    if done["positions"]:
        click.echo(f"looked for debate positions in {done['positions']} document(s)")
    if done["prefix"] or done["collection"]:
        click.echo(f"document prefixes ready: {done['prefix'] + done['collection']}")
    for row in services.store.work_failures():
        click.echo(f"  failed {row.step} of {row.doc_id} ({row.attempts} attempt(s)): "
                   f"{row.last_error}", err=True)


@main.command()
@click.option("--seeds", type=click.Path(path_type=Path),
              help="Folder to read (overrides SEEDS_DIR).")
@click.option("--no-summaries", is_flag=True, help="No summaries (the shared prefix is made).")
@click.option("--no-model", is_flag=True, help="Index only: no model work at all.")
@click.pass_context
def ingest(ctx: click.Context, seeds: Path | None, no_summaries: bool, no_model: bool) -> None:
    """Ingest the document folder: clean, index, summarise."""
    services = _services(ctx, SEEDS_DIR=seeds)
    if not Path(services.settings.SEEDS_DIR).is_dir():
        raise click.ClickException(f"SEEDS_DIR={services.settings.SEEDS_DIR} is not a folder")
    index_folder(services)
    if not (no_summaries or no_model):
        model_work(services)
    elif not no_model and (seconds := services.evaluate_shared_prefix()) is not None:
        click.echo(f"shared prefix for questions ready ({seconds:.0f} s)")


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
    services = _services(ctx, preload=True)  # the model loads while Kiwi warms up
    try:
        answer = services.answers.ask(question)
    except LLMError as exc:
        raise click.ClickException(str(exc)) from None
    remember_asked(services.store, services.answers.cold_documents())  # for the next worker
    if as_json:
        _echo_json({"answer": answer.text,
                    "sources": [{"doc": s.doc_id, "title": s.title, "quote": s.quote}
                                for s in answer.sources], "timings": answer.timings})
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
@click.option("--send", is_flag=True, help="Deliver a briefing to every subscribed chat now, "
              "through the outbox (one manual briefing per chat and day; the scheduled one too).")
@click.pass_context
def brief(ctx: click.Context, as_json: bool, send: bool) -> None:
    """The briefing of the latest documents, every page (as /brief, without buttons)."""
    services = _services(ctx)
    if send:
        if not services.settings.token:
            raise click.ClickException("TELEGRAM_BOT_TOKEN is not set: cannot send the briefing")
        from bot.tg.jobs import send_briefings_now
        queued, report = asyncio.run(send_briefings_now(services))
        click.echo(f"queued {queued} briefing(s); sent {report.sent}, retrying "
                   f"{report.retrying}, failed {report.failed}, dropped {report.dropped}")
        if report.busy:
            click.echo("the running bot holds the outbox; it will send what is left", err=True)
        return
    digest = compose_briefing(services.store, services.korean,
                              since=services.store.get_meta("console_last_brief"),
                              today=datetime.now(services.settings.tz).date())
    if as_json:
        _echo_json({"text": digest.text, "pages": [t for _, t in digest.pages],
                    "doc_ids": list(digest.doc_ids), "positions": digest.positions})
        return
    click.echo(all_pages(digest))


@main.command()
@click.argument("proposition", required=False)
@click.option("--json", "as_json", is_flag=True,
              help='Every proposition with its positions: {"propositions": [{"id", "text", '
                   '"positions": [{"doc", "title", "outlet", "date", "actor", "side", '
                   '"quote"}]}]}.')
@click.option("--png", type=click.Path(path_type=Path, dir_okay=False),
              help="Also write the map as a PNG picture to this file.")
@click.pass_context
def debate(ctx: click.Context, proposition: str | None, as_json: bool, png: Path | None) -> None:
    """The debate map: who argues what, from stored positions (no model call). PROPOSITION (an
    id or a keyword) shows one proposition with every position."""
    services = _services(ctx)
    if as_json:
        _echo_json(services.debate.as_json())
    else:
        lines, _ = render.debate_reply(services.debate, proposition or "", picture=False)
        click.echo(view.plain(lines))
    if png is not None:
        png.write_bytes(services.debate.picture())
        click.echo(f"wrote {png}", err=True)


@main.command()
@click.pass_context
def stats(ctx: click.Context) -> None:
    """Documents, chunks, quarantined files, outbox and model."""
    services = _services(ctx)
    for name, value in services.store.counts().items():
        click.echo(f"{name:>16}: {value}")
    for row in services.store.quarantined():
        click.echo(f"  quarantined {row.name}: {row.reason}")
    backlog = build_worker(services).backlog()
    click.echo(f"{'backlog':>16}: {backlog.summaries} summaries to make, {backlog.failed} failed")
    for failure in services.store.work_failures():
        click.echo(f"  failed {failure.step} of {failure.doc_id} ({failure.attempts} "
                   f"attempt(s)): {failure.last_error}")
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
@click.option("--no-summaries", is_flag=True, help="No background model work (summaries, "
                                                   "prompt prefixes).")
@click.pass_context
def run(ctx: click.Context, no_summaries: bool) -> None:
    """Index the folder, then serve at once: the Telegram bot (or the console chat without a
    token), while summaries and prompt prefixes are made in the background."""
    services = _services(ctx)
    # A file still being copied is left to the running bot's folder watcher.
    index_folder(services, settle_seconds=5.0)
    worker = build_worker(services)
    if not no_summaries:
        worker.start()
    try:
        if services.settings.token:
            from bot.tg.app import run_bot
            run_bot(services, worker)
        else:
            click.echo("TELEGRAM_BOT_TOKEN is not set: opening the console chat.", err=True)
            from bot.console import run_console
            run_console(services, sys.stdin)
    finally:
        if not worker.stop():
            # The worker is inside llama.cpp; freeing the model under it at interpreter exit
            # can crash. Leave now: SQLite has committed everything that was done.
            log.warning("leaving while the background worker finishes a prompt prefix")
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(0)


@main.command()
@click.option("--no-smoke", is_flag=True, help="Skip the smoke decode (it loads a model in a "
                                               "child process: seconds of CPU).")
@click.option("--smoke-model", type=click.Path(path_type=Path),
              help="GGUF the smoke decode loads (default: the small model, else MODEL_PATH).")
@click.option("--smoke-cmd", help="Run this command instead of the smoke decode; exit status 0 "
                                  "means it passed.")
@click.pass_context
def doctor(ctx: click.Context, no_smoke: bool, smoke_model: Path | None,
           smoke_cmd: str | None) -> None:
    """Check the llama.cpp build, model, database, cache and Telegram; exit 1 if broken."""
    from bot.doctor import Options, report, run_checks

    settings: Settings = ctx.obj["settings"]
    checks = run_checks(settings, Options(smoke=not no_smoke, smoke_model=smoke_model,
                                          smoke_cmd=smoke_cmd))
    ctx.exit(report(checks, settings.secrets, click.echo))


@main.command()
@click.argument("doc")
@click.pass_context
def forget(ctx: click.Context, doc: str) -> None:
    """Forget a document now (by document id or file name): its text, index rows and summary.
    Its file, if still in the folder, is read again only when it changes."""
    services = _services(ctx)
    forgotten = services.forget_document(doc)
    if forgotten is None:
        raise click.ClickException(f"no document or file named {doc}")
    log.info("forgot %s by hand", forgotten)
    click.echo(f"forgot {forgotten}")
