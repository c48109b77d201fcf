"""Shared fixtures: real SQLite files, real Kiwi, the real small GGUF model.

Expensive things (Kiwi, the model, a seeded and summarised database) are built once per
session; every test gets its own copy of the database in its own temp folder.
"""
from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from bot.briefing import summarize_pending
from bot.config import MODELS_DIR, SMALL_MODEL_FILE, Settings, load_settings
from bot.ingest.pipeline import ingest_folder
from bot.korean import Korean
from bot.llm import build_llm
from bot.services import Services
from bot.store import Store
from tests.botapi_fixture import botapi  # noqa: F401  (re-exported fixture)

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SMALL_MODEL = MODELS_DIR / SMALL_MODEL_FILE
TOKEN = "123456:TEST-token_abcdefghijklmnopqrstuvwxyz"


def make_settings(tmp_path: Path, **overrides: object) -> Settings:
    values = dict(BRIEFBOT_DB=tmp_path / "briefbot.db", SEEDS_DIR=tmp_path / "seeds",
                  MODEL_PATH=SMALL_MODEL, LLM_THREADS=2, LLM_CTX=4096)
    values.update(overrides)
    return load_settings(**values)


@pytest.fixture(scope="session")
def korean() -> Korean:
    return Korean()


@pytest.fixture(scope="session")
def small_llm(tmp_path_factory):
    settings = make_settings(tmp_path_factory.mktemp("llm"))
    return build_llm(settings)


@pytest.fixture(scope="session")
def seeded_db_template(tmp_path_factory, korean, small_llm) -> Path:
    """The five seeds ingested and summarised once with the small model."""
    path = tmp_path_factory.mktemp("seeded") / "template.db"
    store = Store(path)
    ingest_folder(store, korean, SEEDS, max_bytes=5_000_000)
    summarize_pending(store, small_llm)
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    return path


def copy_db(template: Path, dest: Path) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(template)
    dst = sqlite3.connect(dest)
    src.backup(dst)
    src.close()
    dst.close()
    return dest


@pytest.fixture
def store(tmp_path) -> Store:
    """An empty database of its own, closed after the test."""
    s = Store(tmp_path / "t.db")
    yield s
    s.close()


@pytest.fixture
def seeds_dir(tmp_path) -> Path:
    folder = tmp_path / "seeds"
    shutil.copytree(SEEDS, folder)
    return folder


@pytest.fixture
def services(tmp_path, korean, small_llm, seeded_db_template) -> Services:
    """Services over a private copy of the seeded database, with the real small model."""
    settings = make_settings(tmp_path)
    copy_db(seeded_db_template, settings.BRIEFBOT_DB)
    shutil.copytree(SEEDS, settings.SEEDS_DIR)
    svc = Services(settings=settings, store=Store(settings.BRIEFBOT_DB), korean=korean,
                   llm=small_llm)
    yield svc
    svc.close()


@pytest.fixture
def empty_services(tmp_path, korean, small_llm) -> Services:
    """Services over an empty database and an empty seeds folder."""
    settings = make_settings(tmp_path)
    Path(settings.SEEDS_DIR).mkdir(parents=True, exist_ok=True)
    svc = Services(settings=settings, store=Store(settings.BRIEFBOT_DB), korean=korean,
                   llm=small_llm)
    yield svc
    svc.close()


# Fixtures that load the real model: a test using one (directly or through another fixture)
# is marked `model` and left out of `make test-fast`. Tests that reach the model another way
# (a CLI process, llama_cpp itself) carry the marker themselves.
MODEL_FIXTURES = {"small_llm", "seeded_db_template", "llama_server"}


def pytest_collection_modifyitems(config, items) -> None:
    for item in items:
        if MODEL_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.model)
