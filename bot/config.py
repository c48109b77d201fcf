"""Settings: the only module that reads the environment or `.env`."""
from __future__ import annotations

import math
import os
import re
import shutil
from datetime import time as dtime
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.paths import DEFAULT_MODEL_FILE, MODELS_DIR, PROJECT_ROOT, PROMPTS_DIR, SMALL_MODEL_FILE  # noqa: F401 (re-exported)
from bot.redact import url_secrets
from bot.types import DEBATE_METHODS

# The prefix cache's default budget: a quarter of the disk, within these bounds (MB).
CACHE_FLOOR_MB, CACHE_CEILING_MB = 512, 20_480
CACHE_FOLDER = "kvcache"  # next to the database (bot/llm/kvcache.py cache_folder)


def disk_margin(total: int) -> int:
    """Bytes of a disk the prefix cache never takes: 1 GB, or a tenth of a small disk."""
    return min(1 << 30, total // 10)


class SettingsError(Exception):
    """A setting has a value the bot cannot use; the message names it."""


def _int_list(value: object) -> list[int]:
    if value is None or value == "":
        return []
    if isinstance(value, (list, tuple)):
        return [int(v) for v in value]
    items = [part.strip() for part in str(value).split(",") if part.strip()]
    try:
        return [int(item) for item in items]
    except ValueError:
        raise ValueError("expected comma-separated integers, e.g. -1001234,5678") from None


class Settings(BaseSettings):
    """Everything the bot can be told from outside. Field names are the env var names."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore",
                                      case_sensitive=True)

    TELEGRAM_BOT_TOKEN: SecretStr | None = Field(
        None,
        description="Bot token from @BotFather; without it `make run` opens the console chat.")
    TELEGRAM_API_BASE_URL: str = Field(
        "https://api.telegram.org/bot",
        description="python-telegram-bot base_url: the URL the token is appended to.")
    BRIEFBOT_DB: Path = Field(Path("data/briefbot.db"), description="Path of the SQLite file.")
    SEEDS_DIR: Path = Field(Path("seeds"), description="The watched document folder.")
    MODEL_PATH: Path = Field(MODELS_DIR / DEFAULT_MODEL_FILE, description="A GGUF model file.")
    LLM_THREADS: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1, le=256,
                             description="llama.cpp threads (default: all cores).")
    LLM_CTX: int = Field(4096, ge=512, le=131072, description="llama.cpp context length in tokens.")
    LLM_CACHE_MB: int | None = Field(None, ge=0, description="Disk budget in MB for evaluated "
                                     "document prefixes (KV state), next to BRIEFBOT_DB; 0 turns "
                                     "it off; unset: a quarter of the free disk, at most 20 GB. "
                                     "Never more than leaves 1 GB (a tenth of a small disk) free.")
    LLM_BACKEND: str = Field("llamacpp",
                             description="llamacpp (in-process) or openai (HTTP server).")
    LLM_BASE_URL: str = Field("http://127.0.0.1:8000/v1",
                              description="OpenAI-compatible server base URL when "
                              "LLM_BACKEND=openai.")
    LLM_MODEL: str = Field("default",
                           description="Model name sent to the OpenAI-compatible server.")
    DEBATE_SIDES: str = Field("cues", description="How the debate map decides a side: cues "
                              "(the sentence's wording), model (the LLM's constrained choice), "
                              "or cues+veto (the wording, unless the LLM is sure of no side).")
    BRIEFING_TIME: str = Field("08:00", description="Morning briefing time, 24-hour HH:MM.")
    BRIEFING_TZ: str = Field("Asia/Seoul", description="IANA time zone of BRIEFING_TIME.")
    BRIEFING_GRACE_HOURS: float = Field(3.0, ge=0, le=48,
                                        description="A briefing missed while down is sent if "
                                        "at most this late.")
    ALLOWED_CHAT_IDS: Annotated[list[int], NoDecode] = Field(
        default_factory=list, description="Comma-separated chat ids allowed; empty = every chat.")
    ADMIN_IDS: Annotated[list[int], NoDecode] = Field(
        default_factory=list, description="Comma-separated user ids allowed to use /stats.")
    INGEST_MAX_BYTES: int = Field(5_000_000, ge=1,
                                  description="Files larger than this are quarantined.")
    RETENTION_DAYS: int = Field(30, ge=1, le=3650,
                                description="Sent or given-up outbox messages, chat turns and "
                                "delivery records older than this many days are deleted "
                                "(the running bot checks once a day).")
    FORGET_AFTER_HOURS: float = Field(
        24.0, description="A file gone from SEEDS_DIR this long has its document, index "
        "rows and summary removed (a file that comes back sooner is kept); more than 0.")

    @field_validator("ALLOWED_CHAT_IDS", "ADMIN_IDS", mode="before")
    @classmethod
    def _parse_ids(cls, value: object) -> list[int]:
        return _int_list(value)

    @field_validator("FORGET_AFTER_HOURS")
    @classmethod
    def _check_forget_after(cls, value: float) -> float:
        # 0 would forget a file moved away for a moment (an editor's save, a sync) at the next
        # scan, and announce it as new when it is back: forgetting at once is `briefbot forget`.
        if not (math.isfinite(value) and value > 0):
            raise ValueError("expected a number of hours greater than 0, e.g. 24 (`briefbot "
                             "forget DOC` forgets a document at once)")
        return value

    @field_validator("BRIEFING_TIME")
    @classmethod
    def _check_time(cls, value: str) -> str:
        parse_hhmm(value)
        return value

    @field_validator("BRIEFING_TZ")
    @classmethod
    def _check_tz(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("expected an IANA time zone name, e.g. Asia/Seoul") from None
        return value

    @field_validator("LLM_BACKEND")
    @classmethod
    def _check_backend(cls, value: str) -> str:
        if value not in ("llamacpp", "openai"):
            raise ValueError("expected llamacpp or openai")
        return value

    def cache_mb(self) -> int:
        """LLM_CACHE_MB, or a quarter of the disk the database is on (free space plus what the
        cache holds already), at least CACHE_FLOOR_MB and at most CACHE_CEILING_MB: the cache
        grows with the disk. Either way never more than leaves `disk_margin` free."""
        folder = Path(self.BRIEFBOT_DB).resolve().parent
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent
        try:
            usage = shutil.disk_usage(folder)
        except OSError:
            return self.LLM_CACHE_MB if self.LLM_CACHE_MB is not None else CACHE_FLOOR_MB
        cache = Path(self.BRIEFBOT_DB).resolve().parent / CACHE_FOLDER
        held = sum(p.stat().st_size for pattern in ("*.kv", "*.tmp") for p in cache.glob(pattern))
        room = max(0, usage.free + held - disk_margin(usage.total)) >> 20
        wanted = (self.LLM_CACHE_MB if self.LLM_CACHE_MB is not None
                  else max(CACHE_FLOOR_MB, min(CACHE_CEILING_MB, ((usage.free + held) // 4) >> 20)))
        return min(wanted, room)

    @field_validator("DEBATE_SIDES")
    @classmethod
    def _check_sides(cls, value: str) -> str:
        if value not in DEBATE_METHODS:
            raise ValueError(f"expected one of {', '.join(DEBATE_METHODS)}")
        return value

    @field_validator("TELEGRAM_API_BASE_URL", "LLM_BASE_URL")
    @classmethod
    def _check_url(cls, value: str) -> str:
        if not re.match(r"^https?://", value):
            raise ValueError("expected an http:// or https:// URL")
        return value

    @property
    def token(self) -> str | None:
        return self.TELEGRAM_BOT_TOKEN.get_secret_value() if self.TELEGRAM_BOT_TOKEN else None

    @property
    def secrets(self) -> list[str]:
        """Strings that must never reach a log line: the token, credentials in URLs."""
        return [s for s in [self.token, *url_secrets(self.TELEGRAM_API_BASE_URL),
                            *url_secrets(self.LLM_BASE_URL)] if s]

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.BRIEFING_TZ)

    @property
    def briefing_time(self) -> dtime:
        return parse_hhmm(self.BRIEFING_TIME)


def parse_hhmm(value: str) -> dtime:
    match = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", value.strip())
    if not match:
        raise ValueError("expected a 24-hour time HH:MM, e.g. 08:00")
    return dtime(int(match.group(1)), int(match.group(2)))


def load_settings(**overrides: Any) -> Settings:
    """Read settings; a bad value raises SettingsError naming the setting and what it expects."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            name = ".".join(str(p) for p in err["loc"]) or "settings"
            problems.append(f"{name}: {err['msg'].removeprefix('Value error, ')}")
        raise SettingsError("Invalid setting " + "; ".join(problems)) from None
