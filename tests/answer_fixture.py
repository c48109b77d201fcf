"""The answer rules' fixture for the fast tier: the five seeds in a database of their own, each
summarised by its lead sentences (no model writes anything), and a scripted FakeLLM (a subclass
of the `LLM` protocol) whose replies a test enqueues — the rules are ours, so the model's text
is given; the store, Kiwi and retrieval are real."""
from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot.answer.prompting import lead_summary
from bot.ingest.pipeline import ingest_folder
from bot.korean import Korean
from bot.services import Services
from bot.store import Store
from tests.conftest import SEEDS, copy_db, make_settings
from tests.fakes import FakeLLM


@pytest.fixture(scope="session")
def lead_db_template(tmp_path_factory: pytest.TempPathFactory, korean: Korean) -> Path:
    """The five seeds ingested once, each with its lead sentences as its summary."""
    path = tmp_path_factory.mktemp("leads") / "template.db"
    store = Store(path)
    ingest_folder(store, korean, SEEDS, max_bytes=5_000_000)
    for doc in store.documents():
        store.set_summary(doc.id, lead_summary(doc), "lead")
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    return path


@pytest.fixture
def lead_services(tmp_path: Path, korean: Korean, lead_db_template: Path) -> Iterator[Services]:
    """Services over a private copy of the lead-summarised seeds, with a FakeLLM."""
    settings = make_settings(tmp_path)
    copy_db(lead_db_template, settings.BRIEFBOT_DB)
    shutil.copytree(SEEDS, settings.SEEDS_DIR)
    svc = Services(settings=settings, store=Store(settings.BRIEFBOT_DB), korean=korean,
                   llm=FakeLLM())
    yield svc
    svc.close()


@pytest.fixture
def fake_answers(lead_services: Services) -> tuple[object, FakeLLM]:
    """The answer service of `lead_services` and its FakeLLM."""
    assert isinstance(lead_services.llm, FakeLLM)
    return lead_services.answers, lead_services.llm


@contextmanager
def services_over(tmp_path: Path, korean: Korean, pages: dict[str, str]) -> Iterator[Services]:
    """Services over a folder of the given pages (name → text), ingested, with a FakeLLM."""
    settings = make_settings(tmp_path)
    settings.SEEDS_DIR.mkdir()
    for name, text in pages.items():
        (settings.SEEDS_DIR / name).write_text(text, encoding="utf-8")
    svc = Services(settings=settings, store=Store(settings.BRIEFBOT_DB), korean=korean,
                   llm=FakeLLM())
    try:
        ingest_folder(svc.store, korean, settings.SEEDS_DIR, max_bytes=5_000_000)
        yield svc
    finally:
        svc.close()
