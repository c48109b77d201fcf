"""`briefbot doctor` through the real entry point: real SQLite files, the real llama.cpp build
smoke-decoding in a child process, the fake Bot API over real HTTP."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlite_utils import Database

from bot.cli import main
from bot.config import DEFAULT_MODEL_FILE, SMALL_MODEL_FILE
from bot.doctor import FAIL, WARN, check_build
from bot.install import llamabuild
from bot.store.migrations import migrations
from tests.conftest import ROOT, SMALL_MODEL, TOKEN, copy_db

BAD_TOKEN = "424242:this*token*is*refused-and-must-never-be-printed"
UNSET = ("TELEGRAM_BOT_TOKEN", "TELEGRAM_API_BASE_URL", "ALLOWED_CHAT_IDS", "LLM_BACKEND",
         "LLM_CACHE_MB", "LLM_CTX")


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    for key in UNSET:
        monkeypatch.delenv(key, raising=False)
    values = {"BRIEFBOT_DB": str(tmp_path / "data" / "b.db"), "SEEDS_DIR": str(tmp_path / "seeds"),
              "MODEL_PATH": str(SMALL_MODEL), "LLM_THREADS": "2"}
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return values


def doctor(*args: str):
    return CliRunner().invoke(main, ["doctor", *args], catch_exceptions=False)


def line(output: str, name: str) -> str:
    """The screen line of one check (the first, when a check gives several)."""
    found = [ln for ln in output.splitlines() if ln[6:].startswith(name + " ")]
    assert found, f"no {name!r} line in:\n{output}"
    return found[0]


def test_a_healthy_setup_passes_and_shows_every_check(env, monkeypatch, botapi,
                                                      seeded_db_template):
    copy_db(seeded_db_template, Path(env["BRIEFBOT_DB"]))
    cache = Path(env["BRIEFBOT_DB"]).parent / "kvcache"
    cache.mkdir()
    (cache / "entry.kv").write_bytes(b"\0" * 3_000_000)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", botapi.base_url)

    result = doctor()

    out = result.output
    assert result.exit_code == 0, out
    assert line(out, "cpu").startswith("ok") and llamabuild.read_cpu().fingerprint in out
    assert line(out, "llama.cpp")  # the installed build, or a warning that none is recorded
    assert line(out, "smoke decode").startswith("ok") and "passed in" in out
    assert SMALL_MODEL_FILE in line(out, "model") and "sha256" in line(out, "model")
    names = [m.name for m in migrations.pending(Database(memory=True))]
    assert f"schema {names[-1]} ({len(names)} migrations)" in line(out, "database")
    assert "documents 5," in line(out, "contents") and "quarantined 0" in out
    # The summaries were made with this model and these prompts: nothing is owed.
    assert line(out, "backlog").startswith("ok") and "summary: 0" in out
    assert re.search(r"3 MB of [\d,]+ MB \(a quarter of the disk\), 1 prefix\(es\)",
                     line(out, "prefix cache"))
    assert "@briefbot_test_bot" in line(out, "telegram") and botapi.base_url in out
    assert [c["status"] for c in botapi.calls("getMe")] == [200]
    assert line(out, "allowlist").startswith(WARN)  # a warning, and still exit 0
    assert out.splitlines()[-1].startswith("0 problem(s)")
    assert TOKEN not in out


def test_a_missing_model_fails(env, monkeypatch, tmp_path):
    monkeypatch.setenv("MODEL_PATH", str(tmp_path / "nowhere.gguf"))
    result = doctor("--no-smoke")
    assert result.exit_code == 1
    assert line(result.output, "model").startswith(FAIL) and "is missing" in result.output
    assert not Path(env["BRIEFBOT_DB"]).exists()  # doctor only reads: no database was created


@pytest.mark.model  # the real GGUF files, by their sha256
def test_a_known_model_file_is_checked_by_its_sha256(env, monkeypatch, tmp_path):
    models = tmp_path / "models"
    models.mkdir()
    # The small model under its own name but without a stamp: hashed, and it matches.
    (models / SMALL_MODEL_FILE).symlink_to(SMALL_MODEL.resolve())
    monkeypatch.setenv("MODEL_PATH", str(models / SMALL_MODEL_FILE))
    good = doctor("--no-smoke")
    assert good.exit_code == 0, good.output
    assert "sha256 matches" in line(good.output, "model")

    # The default model's name on other bytes, with a stamp that claims the right sha256
    # (for another size): the stamp is not trusted, the bytes are hashed and do not match.
    damaged = models / DEFAULT_MODEL_FILE
    damaged.write_bytes(b"GGUF" + b"\x01" * 100_000)
    Path(f"{damaged}.sha256").write_text(
        "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046 1117320736 0\n")
    monkeypatch.setenv("MODEL_PATH", str(damaged))
    bad = doctor("--no-smoke")
    assert bad.exit_code == 1
    assert line(bad.output, "model").startswith(FAIL)
    assert "is not the expected cc324af070c2ecbf" in bad.output


@pytest.mark.model  # the model check passes only with the real GGUF
def test_a_smoke_decode_that_fails_in_the_child_fails_doctor(env, tmp_path):
    corrupt = tmp_path / "corrupt.gguf"
    corrupt.write_bytes(b"GGUF\x03\x00\x00\x00" + os.urandom(4096))
    result = doctor("--smoke-model", str(corrupt))
    assert result.exit_code == 1, result.output
    smoke = line(result.output, "smoke decode")
    assert smoke.startswith(FAIL) and str(corrupt) in smoke
    assert "exited" in smoke or "died by" in smoke
    assert line(result.output, "model").startswith("ok")  # only the build is blamed


def test_a_smoke_decode_that_dies_by_a_signal_is_named(env):
    crash = f"{sys.executable} -c 'import os, signal; os.kill(os.getpid(), signal.SIGSEGV)'"
    result = doctor("--smoke-cmd", crash)
    assert result.exit_code == 1
    assert "died by SIGSEGV" in line(result.output, "smoke decode")


def test_an_unreadable_database_fails(env):
    db = Path(env["BRIEFBOT_DB"])
    db.parent.mkdir(parents=True)
    db.write_bytes(b"this is not SQLite at all, just text that happens to be here. " * 100)
    result = doctor("--no-smoke")
    assert result.exit_code == 1
    assert line(result.output, "database").startswith(FAIL)


@pytest.mark.processes
def test_a_refused_token_fails_and_is_never_printed(env, botapi, tmp_path):
    """The real console script in a child process, with debug logging: everything it writes
    (stdout, stderr, every log line) is searched for the token."""
    child_env = {**os.environ, "TELEGRAM_BOT_TOKEN": BAD_TOKEN,
                 "TELEGRAM_API_BASE_URL": botapi.base_url,
                 "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-c", "from bot.cli import main; main()", "-v",
                           "doctor", "--no-smoke"], cwd=tmp_path, env=child_env,
                          capture_output=True, text=True, timeout=120)
    everything = done.stdout + done.stderr
    assert done.returncode == 1, everything
    assert "InvalidToken" in line(done.stdout, "telegram")
    assert line(done.stdout, "telegram").startswith(FAIL)
    assert botapi.request_log_text().endswith("/getMe")  # it did ask, and was refused
    assert BAD_TOKEN not in everything
    assert "this*token*is*refused" not in everything


def test_credentials_in_either_url_are_never_printed(env, monkeypatch):
    secrets = ["llmuser", "llm-pass-123", "llmkey456", "tguser", "tg-pass-789", "tgkey012", TOKEN]
    monkeypatch.setenv("LLM_BACKEND", "openai")
    monkeypatch.setenv("LLM_BASE_URL",
                       "http://llmuser:llm-pass-123@127.0.0.1:9/v1?api_key=llmkey456")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    # Port 9 (discard) refuses connections: getMe fails, and its error is printed too.
    monkeypatch.setenv("TELEGRAM_API_BASE_URL",
                       "http://tguser:tg-pass-789@127.0.0.1:9/bot?api_key=tgkey012")

    out = doctor("--no-smoke").output

    assert line(out, "telegram").startswith(FAIL) and "127.0.0.1:9/bot" in out
    assert "127.0.0.1:9/v1" in line(out, "model")
    assert [s for s in secrets if s in out] == []


def test_a_build_made_for_another_cpu_is_a_warning():
    cpu = llamabuild.read_cpu()
    record = {"flagset": "avx2", "version": "0.3.36", "cpu": "0" * 16, "cpu_model": "Elsewhere",
              "cmake_args": ["-DGGML_NATIVE=OFF", "-DGGML_AVX2=ON", "-DGGML_AMX_TILE=OFF"]}
    checks = check_build(cpu, record)
    assert [c.status for c in checks] == ["ok", "ok", WARN]
    assert "[avx2]" in checks[1].detail and "AVX2" in checks[1].detail
    assert "AMX off" in checks[1].detail
    assert "built for another CPU (Elsewhere" in checks[2].detail
    same = check_build(cpu, {**record, "cpu": cpu.fingerprint})
    assert [c.status for c in same] == ["ok", "ok"]
