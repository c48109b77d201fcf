"""`briefbot doctor`: what a new user needs when something is off, on one screen.

Each check gives one line: ok, a warning (worth knowing, nothing broken) or a failure
(the bot cannot work as configured: exit status 1). Doctor only reads: it opens the
database read-only, loads no model in this process and never prints the bot token or
the credentials in a URL setting.
"""
from __future__ import annotations

import asyncio
import shlex
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot import redact
from bot.briefing import summary_key
from bot.config import Settings
from bot.ingest.pipeline import EMPTY_FOLDER_META
from bot.install import llamabuild, modelfetch
from bot.install.cpu import CPU, read_cpu
from bot.llm import model_name
from bot.llm.kvcache import cache_folder, disk_usage
from bot.paths import MODELS_DIR, SMALL_MODEL_FILE
from bot.store import Store

OK, WARN, FAIL = "ok", "warn", "FAIL"
GETME_TIMEOUT = 10.0  # seconds for each of connect, read, write and pool
SMOKE_TIMEOUT = 180.0


@dataclass(frozen=True)
class Check:
    status: str  # OK, WARN or FAIL
    name: str
    detail: str


@dataclass(frozen=True)
class Options:
    smoke: bool = True
    smoke_model: Path | None = None  # default: the small model if present, else MODEL_PATH
    smoke_cmd: str | None = None  # run this instead of the smoke decode


@dataclass(frozen=True)
class _Named:
    """summary_key reads only the model's name; doctor must not load the model to learn it."""
    name: str


def _mb(size: int) -> str:
    return f"{size / 1e6:,.0f} MB" if size >= 1e6 else f"{size / 1e3:,.0f} KB"


# --- llama.cpp -----------------------------------------------------------------------------
def check_build(cpu: CPU, record: dict[str, Any] | None) -> list[Check]:
    checks = [Check(OK, "cpu", f"{cpu.describe()}, fingerprint {cpu.fingerprint}")]
    if record is None:
        checks.append(Check(WARN, "llama.cpp", "no build record in this virtualenv: "
                                               "llama-cpp-python was not installed by `make "
                                               "setup`, so no smoke decode vouched for it"))
        return checks
    enabled = [arg[len("-DGGML_"):-len("=ON")] for arg in record.get("cmake_args", [])
               if arg.startswith("-DGGML_") and arg.endswith("=ON")]
    detail = (f"[{record.get('flagset')}] build of llama-cpp-python {record.get('version')}: "
              f"{' '.join(enabled) or 'no optional instruction set'}"
              f"{'; AMX off' if any('AMX' in a for a in record.get('cmake_args', [])) else ''}")
    checks.append(Check(OK, "llama.cpp", detail))
    if record.get("cpu") != cpu.fingerprint:
        checks.append(Check(WARN, "llama.cpp", f"built for another CPU "
                                               f"({record.get('cpu_model', 'unknown')}, "
                                               f"fingerprint {record.get('cpu')}); `make setup` "
                                               "proves or rebuilds it for this one"))
    return checks


def smoke_model(settings: Settings, options: Options) -> Path:
    if options.smoke_model:
        return options.smoke_model
    small = MODELS_DIR / SMALL_MODEL_FILE
    return small if small.is_file() else Path(settings.MODEL_PATH)


def check_smoke(settings: Settings, options: Options) -> Check:
    if not options.smoke:
        return Check(WARN, "smoke decode", "skipped (--no-smoke)")
    started = time.monotonic()
    if options.smoke_cmd:
        what = options.smoke_cmd
        failure = llamabuild.run_smoke(shlex.split(options.smoke_cmd), None, SMOKE_TIMEOUT,
                                       expect_json=False)
    else:
        model = smoke_model(settings, options)
        what = str(model)
        if not model.is_file():
            return Check(FAIL, "smoke decode", f"no model to load: {model} is missing")
        failure = llamabuild.smoke_installed(model, timeout=SMOKE_TIMEOUT)
    if failure:
        return Check(FAIL, "smoke decode", f"{failure} ({what}); the installed llama.cpp build "
                                           "cannot run here: `make setup` rebuilds it")
    return Check(OK, "smoke decode", f"passed in {time.monotonic() - started:.1f} s ({what}: "
                                     "load, evaluate a Korean prompt, decode 4 tokens)")


# --- the model file ------------------------------------------------------------------------
def check_model(settings: Settings) -> Check:
    path = Path(settings.MODEL_PATH)
    if settings.LLM_BACKEND == "openai":
        return Check(OK, "model", f"LLM_BACKEND=openai: {settings.LLM_MODEL} at "
                                  f"{redact.public_url(settings.LLM_BASE_URL)} (MODEL_PATH "
                                  "unused)")
    if not path.is_file():
        return Check(FAIL, "model", f"MODEL_PATH={path} is missing; run `make setup` or point "
                                    "MODEL_PATH at a GGUF file")
    size = _mb(path.stat().st_size)
    spec = modelfetch.spec_for(path)
    if spec is None:
        return Check(OK, "model", f"{path} ({size}), no known checksum")
    if modelfetch.verified(path, spec):
        return Check(OK, "model", f"{path} ({size}), sha256 verified")
    actual = modelfetch.sha256_of(path)
    if actual != spec.sha256:
        return Check(FAIL, "model", f"{path} ({size}): sha256 {actual[:16]}… is not the "
                                    f"expected {spec.sha256[:16]}…; the file is damaged or "
                                    "incomplete: delete it and run `make setup`")
    return Check(OK, "model", f"{path} ({size}), sha256 matches (no stamp; `make setup` "
                              "writes one)")


# --- the database ----------------------------------------------------------------------------
def backlog(store: Store, settings: Settings) -> dict[str, int | None]:
    """Model work not done yet, by kind. None: cannot be known (the model file is missing)."""
    failed = len(store.work_failures())
    if settings.LLM_BACKEND == "llamacpp" and not Path(settings.MODEL_PATH).is_file():
        return {"documents without a current summary": None, "failed background steps": failed}
    key = summary_key(_Named(model_name(settings)))
    return {"documents without a current summary": len(store.docs_needing_summary(key)),
            "failed background steps": failed}


def check_database(settings: Settings) -> list[Check]:
    path = Path(settings.BRIEFBOT_DB)
    if not path.is_file():
        return [Check(WARN, "database", f"{path} does not exist yet; `briefbot ingest` or "
                                        "`briefbot run` creates it")]
    try:
        store = Store(path, read_only=True)
    except sqlite3.Error as exc:
        return [Check(FAIL, "database", f"{path} cannot be opened: {exc}")]
    try:
        applied, pending = store.schema()
        counts = store.counts()
        work = backlog(store, settings)
        empty_since = store.get_meta(EMPTY_FOLDER_META)
    except sqlite3.Error as exc:
        return [Check(FAIL, "database", f"{path} is unreadable or not a briefbot database: "
                                        f"{exc}")]
    finally:
        store.close()
    version = applied[-1] if applied else "empty"
    checks = [Check(WARN if pending else OK, "database",
                    f"{path}, schema {version} ({len(applied)} migrations"
                    + (f"; {len(pending)} pending, applied at the next start)" if pending
                       else ")"))]
    outbox = ", ".join(f"{name.removeprefix('outbox_')} {n}" for name, n in counts.items()
                       if name.startswith("outbox_")) or "empty"
    checks.append(Check(OK, "contents", f"documents {counts['documents']}, chunks "
                                        f"{counts['chunks']}, quarantined {counts['quarantined']}, "
                                        f"subscribers {counts['subscribers']}; outbox: {outbox}"))
    for kind, count in work.items():
        if count is None:
            checks.append(Check(WARN, "backlog", f"{kind}: unknown (the model file is missing)"))
        else:
            checks.append(Check(WARN if count else OK, "backlog", f"{kind}: {count}"))
    if empty_since:
        since, _, folder = empty_since.partition(" ")
        checks.append(Check(WARN, "folder", f"{folder} has been empty since {since} while its "
                                            "documents are stored: unmounted? Nothing is "
                                            "forgotten until it holds a supported file again"))
    return checks


def check_cache(settings: Settings) -> Check:
    folder = cache_folder(settings.BRIEFBOT_DB)
    entries, size = disk_usage(folder)
    budget_mb = settings.cache_mb()
    if budget_mb == 0:
        return Check(OK, "prefix cache", f"off (LLM_CACHE_MB=0); {folder} holds {_mb(size)}")
    budget = budget_mb << 20
    source = "LLM_CACHE_MB" if settings.LLM_CACHE_MB is not None else "a quarter of the disk"
    detail = f"{_mb(size)} of {budget_mb:,} MB ({source}), {entries} prefix(es) in {folder}"
    if size > budget:
        return Check(WARN, "prefix cache", detail + "; over budget: the next save evicts")
    return Check(OK, "prefix cache", detail)


# --- Telegram --------------------------------------------------------------------------------
async def _get_me(token: str, base_url: str) -> str:
    from telegram import Bot
    from telegram.request import HTTPXRequest

    def request() -> HTTPXRequest:
        return HTTPXRequest(connect_timeout=GETME_TIMEOUT, read_timeout=GETME_TIMEOUT,
                            write_timeout=GETME_TIMEOUT, pool_timeout=GETME_TIMEOUT)

    async with Bot(token, base_url=base_url, request=request(),
                   get_updates_request=request()) as bot:  # initialize() asks getMe
        return bot.username


def check_telegram(settings: Settings) -> list[Check]:
    checks = []
    token = settings.token
    if not token:
        checks.append(Check(OK, "telegram", "no TELEGRAM_BOT_TOKEN: `briefbot run` opens the "
                                            "console chat"))
    else:
        redact.install(settings.secrets)
        where = redact.public_url(settings.TELEGRAM_API_BASE_URL)
        base_url = settings.TELEGRAM_API_BASE_URL
        try:
            username = asyncio.run(_get_me(token, base_url))
        except Exception as exc:  # noqa: BLE001 - every failure is reported, by its class
            checks.append(Check(FAIL, "telegram", f"token set; getMe at {where} failed: "
                                                  f"{type(exc).__name__}: {exc}"))
        else:
            checks.append(Check(OK, "telegram", f"token set; getMe at {where}: @{username}"))
    if not settings.ALLOWED_CHAT_IDS:
        checks.append(Check(WARN, "allowlist", "ALLOWED_CHAT_IDS is empty: every chat may use "
                                               "the bot"))
    else:
        checks.append(Check(OK, "allowlist", f"{len(settings.ALLOWED_CHAT_IDS)} chat(s) allowed"))
    return checks


# --- the screen ------------------------------------------------------------------------------
def run_checks(settings: Settings, options: Options = Options()) -> list[Check]:
    checks = check_build(read_cpu(), llamabuild.read_record())
    if settings.LLM_BACKEND == "llamacpp":
        checks.append(check_smoke(settings, options))
    checks.append(check_model(settings))
    checks += check_database(settings)
    checks.append(check_cache(settings))
    checks += check_telegram(settings)
    return checks


def report(checks: list[Check], secrets: list[str], echo: Callable[[str], None]) -> int:
    """Print the screen; returns the exit status (1 when any check failed). `secrets` (the
    token, credentials in URLs: `Settings.secrets`) are scrubbed from every line, whatever
    check or error message carried them."""
    scrub = redact.Redaction()
    scrub.add(secrets)
    for check in checks:
        echo(scrub(f"{check.status:<5} {check.name:<13} {check.detail}"))
    failed = sum(c.status == FAIL for c in checks)
    warned = sum(c.status == WARN for c in checks)
    echo(f"{failed} problem(s), {warned} warning(s)"
         + (": briefbot cannot work as configured" if failed else ""))
    return 1 if failed else 0
