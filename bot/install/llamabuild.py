"""Set-up time only: build llama-cpp-python for this CPU, prove it runs here, install it.

`python -m bot.install.llamabuild` (run by `make setup`) picks CPU feature flags from what the CPU
reports, builds a wheel per flag set (cached under ~/.cache/briefbot/wheels/<key>/), and proves
each candidate with a smoke decode in a child process: load the small model, evaluate a short
Korean prompt, decode a few tokens. A build whose child dies by a signal or fails is set aside
and the next, more conservative flag set is tried, down to a portable baseline. A cached wheel
is trusted only on CPUs it has passed the smoke decode on (a shared home folder may hold wheels
built elsewhere). One line says which build was chosen and why.

Standard library only: it runs before the project's dependencies are installed.
"""
from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.install.cpu import CPU, FlagSet, flag_sets, read_cpu
from bot.paths import CACHE_DIR, MODELS_DIR, SMALL_MODEL_FILE

DEFAULT_VERSION = "0.3.36"
WHEELHOUSE = CACHE_DIR / "wheels"
RECORD_NAME = ".llama-build.json"  # in the virtualenv: which build is installed, proven where
SMOKE_TIMEOUT = 300.0
SMOKE_SCRIPT = r"""
import json, sys
from llama_cpp import Llama
llm = Llama(model_path=sys.argv[1], n_ctx=256, n_threads=2, n_batch=64, use_mmap=False,
            verbose=False)
prompt = "한국의 인공지능 정책에 대해 한 문장으로 말해 주세요."
tokens = llm.tokenize(prompt.encode(), add_bos=False)
out = []
for token in llm.generate(tokens, top_k=1, temp=0.0):
    out.append(token)
    if len(out) >= 4:
        break
print(json.dumps({"ok": len(out) == 4, "tokens": len(out)}))
"""


class BuildError(Exception):
    """No build could be made or proven; the message says which were tried and why."""


# --- the wheel cache -------------------------------------------------------------------------
@dataclass
class Proof:
    """What is known of one cached wheel: the CPUs it ran on, and where it failed."""

    passed: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, folder: Path) -> Proof:
        try:
            data = json.loads((folder / "proven.json").read_text(encoding="utf-8"))
            return cls(list(data.get("passed", [])), dict(data.get("failed", {})))
        except (OSError, ValueError, AttributeError):
            return cls()

    def save(self, folder: Path) -> None:
        tmp = folder / "proven.json.tmp"
        tmp.write_text(json.dumps({"passed": self.passed, "failed": self.failed}, indent=1),
                       encoding="utf-8")
        tmp.replace(folder / "proven.json")


def cached_wheel(folder: Path) -> Path | None:
    wheels = sorted(folder.glob("llama_cpp_python-*.whl"))
    return wheels[-1] if wheels else None


class Progress:
    """A line every `every` seconds while a long step runs, so a 7-minute build is not silence."""

    def __init__(self, what: str, every: float = 60.0):
        self.what, self.every = what, every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._started = time.monotonic()

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            minutes = (time.monotonic() - self._started) / 60
            print(f"  … still {self.what} ({minutes:.0f} min)", flush=True)

    def __enter__(self) -> Progress:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()


def _sdist(version: str, wheelhouse: Path) -> Path:
    """The llama-cpp-python source, downloaded once for every flag set."""
    folder = wheelhouse / "sdist"
    found = sorted(folder.glob(f"llama_cpp_python-{version}.tar.gz"))
    if found:
        return found[0]
    folder.mkdir(parents=True, exist_ok=True)
    print(f"  downloading the llama-cpp-python {version} source", flush=True)
    done = subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps",
                           "--no-binary", ":all:", "--disable-pip-version-check",
                           "-d", str(folder), f"llama-cpp-python=={version}"],
                          capture_output=True, text=True)
    found = sorted(folder.glob(f"llama_cpp_python-{version}.tar.gz"))
    if done.returncode != 0 or not found:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise BuildError(f"could not download the llama-cpp-python {version} source "
                         f"(is the package registry reachable? pip said: {last})")
    return found[0]


def build_wheel(fs: FlagSet, version: str, wheelhouse: Path,
                build_cmd: str | None = None) -> Path:
    """The wheel for this flag set, built now unless the cache has it."""
    folder = wheelhouse / fs.key(version)
    if wheel := cached_wheel(folder):
        return wheel
    folder.mkdir(parents=True, exist_ok=True)
    log_path = folder / "build.log"
    env = {**os.environ, "CMAKE_ARGS": " ".join(fs.cmake_args()),
           "CMAKE_BUILD_PARALLEL_LEVEL": str(os.cpu_count() or 2), "BRIEFBOT_FLAGSET": fs.name}
    with tempfile.TemporaryDirectory(prefix="briefbot-wheel-", dir=folder) as tmp:
        if build_cmd:
            cmd = [part.replace("{out}", tmp) for part in shlex.split(build_cmd)]
        else:
            source = _sdist(version, wheelhouse)
            cmd = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-cache-dir",
                   "--disable-pip-version-check", "-w", tmp, str(source)]
        print(f"  building llama-cpp-python {version} [{fs.name}] (about 7 minutes on 2 cores; "
              f"log: {log_path})", flush=True)
        started = time.monotonic()
        with log_path.open("w", encoding="utf-8") as log, Progress(f"building [{fs.name}]"):
            log.write(f"CMAKE_ARGS={env['CMAKE_ARGS']}\n$ {' '.join(cmd)}\n")
            log.flush()
            done = subprocess.run(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
        built = cached_wheel(Path(tmp))
        if done.returncode != 0 or built is None:
            tail = log_path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
            raise BuildError(f"the [{fs.name}] build failed (exit {done.returncode}): "
                             f"{' | '.join(tail[-2:])[:240]} (log: {log_path})")
        target = folder / built.name
        shutil.move(str(built), target)
    print(f"  built [{fs.name}] in {(time.monotonic() - started) / 60:.1f} min", flush=True)
    return target


# --- the smoke decode ------------------------------------------------------------------------
def _runtime_requirements(wheel: Path) -> list[str]:
    """The wheel's own dependencies (numpy, jinja2, …), without extras."""
    with zipfile.ZipFile(wheel) as zf:
        meta = next((n for n in zf.namelist() if n.endswith(".dist-info/METADATA")), None)
        text = zf.read(meta).decode("utf-8", "replace") if meta else ""
    return [line.split(":", 1)[1].strip() for line in text.splitlines()
            if line.startswith("Requires-Dist:") and "extra ==" not in line]


def _pip(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pip", "-q", "--disable-pip-version-check",
                           *args], capture_output=True, text=True)


def smoke(wheel: Path, model: Path, fs: FlagSet, smoke_cmd: str | None = None,
          timeout: float = SMOKE_TIMEOUT) -> str | None:
    """Run the smoke decode in a child process with the wheel unpacked on its path.
    Returns None when it passed, else why it failed (in words)."""
    if requirements := _runtime_requirements(wheel):
        _pip("install", *requirements)  # quick when present; a failure shows in the child
    with tempfile.TemporaryDirectory(prefix="briefbot-smoke-") as tmp:
        with zipfile.ZipFile(wheel) as zf:
            zf.extractall(tmp)
        for lib in Path(tmp).rglob("*.so*"):
            lib.chmod(0o755)
        env = {**os.environ, "BRIEFBOT_FLAGSET": fs.name,
               "PYTHONPATH": os.pathsep.join([tmp, os.environ.get("PYTHONPATH", "")]).rstrip(
                   os.pathsep)}
        cmd = shlex.split(smoke_cmd) if smoke_cmd else [sys.executable, "-c", SMOKE_SCRIPT,
                                                        str(model)]
        return run_smoke(cmd, env, timeout, expect_json=not smoke_cmd)


def run_smoke(cmd: list[str], env: dict[str, str] | None, timeout: float,
              expect_json: bool = True) -> str | None:
    try:
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout,
                              cwd=tempfile.gettempdir())
    except subprocess.TimeoutExpired:
        return f"timed out after {timeout:.0f} s"
    if done.returncode < 0:
        try:
            name = signal.Signals(-done.returncode).name
        except ValueError:
            name = f"signal {-done.returncode}"
        return f"died by {name}"
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return f"exited {done.returncode}: {last[:200]}"
    if expect_json and '"ok": true' not in done.stdout:
        return f"decoded nothing ({done.stdout.strip()[:120]})"
    return None


def smoke_installed(model: Path, timeout: float = SMOKE_TIMEOUT) -> str | None:
    """The smoke decode against the llama-cpp-python installed in this Python (briefbot doctor)."""
    return run_smoke([sys.executable, "-c", SMOKE_SCRIPT, str(model)], None, timeout)


# --- choosing and installing -----------------------------------------------------------------
@dataclass(frozen=True)
class Choice:
    flagset: FlagSet
    wheel: Path
    line: str


def choose(cpu: CPU, version: str, wheelhouse: Path, model: Path, *, smoke_cmd: str | None = None,
           build_cmd: str | None = None, custom: str | None = None) -> Choice:
    """The first flag set whose wheel passes the smoke decode on this CPU."""
    tried: list[str] = []
    sets = flag_sets(cpu, custom)
    for fs in sets:
        folder = wheelhouse / fs.key(version)
        proof = Proof.load(folder)
        if cpu.fingerprint in proof.failed:
            tried.append(f"{fs.name}: {proof.failed[cpu.fingerprint]} (earlier)")
            continue
        try:
            wheel = build_wheel(fs, version, wheelhouse, build_cmd)
        except BuildError as exc:
            tried.append(f"{fs.name}: {exc}")
            print(f"  {exc}", flush=True)
            continue
        if cpu.fingerprint in proof.passed:
            why = "cached, proven on this CPU before"
        else:
            print(f"  smoke decode with [{fs.name}] (load the small model, decode 4 tokens)",
                  flush=True)
            failure = smoke(wheel, model, fs, smoke_cmd)
            proof = Proof.load(folder)
            if failure:
                proof.failed[cpu.fingerprint] = failure
                proof.save(folder)
                tried.append(f"{fs.name}: {failure}")
                print(f"  [{fs.name}] smoke decode failed: {failure}", flush=True)
                continue
            proof.passed.append(cpu.fingerprint)
            proof.failed.pop(cpu.fingerprint, None)
            proof.save(folder)
            why = "smoke decode passed"
        because = f"; {'; '.join(tried)}" if tried else ""
        line = (f"llama.cpp: using the [{fs.name}] build ({fs.why}) on {cpu.describe()}: {why}"
                f"{because}")
        return Choice(fs, wheel, line)
    raise BuildError(f"no llama.cpp build runs on this CPU, {cpu.describe()}; tried "
                     + "; ".join(tried or ["nothing"])
                     + f". Build logs are under {wheelhouse}. To retry from scratch, delete "
                       "that folder; to force flags, set CMAKE_ARGS.")


def read_record(prefix: Path | str = sys.prefix) -> dict[str, Any] | None:
    try:
        record = json.loads((Path(prefix) / RECORD_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def _installed_version() -> str | None:
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version("llama-cpp-python")
    except PackageNotFoundError:
        return None


def ensure(version: str, wheelhouse: Path, model: Path, *, smoke_cmd: str | None = None,
           build_cmd: str | None = None, install: bool = True, cpu: CPU | None = None,
           record_dir: Path | None = None) -> Choice | None:
    """Make sure a proven build is installed in this Python; returns the choice when one was
    made now, None when the installed build was already proven on this CPU."""
    cpu = cpu or read_cpu()
    custom = os.environ.get("CMAKE_ARGS") or None
    record_dir = Path(record_dir or sys.prefix)
    record = read_record(record_dir)
    if (install and record and record.get("cpu") == cpu.fingerprint
            and record.get("version") == version and _installed_version() == version
            and record.get("custom") == custom):
        print(f"llama.cpp: [{record['flagset']}] build installed and proven on this CPU")
        return None
    choice = choose(cpu, version, wheelhouse, model, smoke_cmd=smoke_cmd, build_cmd=build_cmd,
                    custom=custom)
    if install:
        done = _pip("install", "--no-deps", "--force-reinstall", str(choice.wheel))
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            raise BuildError(f"could not install {choice.wheel.name}: {last}")
    record_dir.mkdir(parents=True, exist_ok=True)
    (record_dir / RECORD_NAME).write_text(json.dumps({
        "version": version, "flagset": choice.flagset.name, "key": choice.flagset.key(version),
        "cmake_args": choice.flagset.cmake_args(), "cpu": cpu.fingerprint,
        "cpu_model": cpu.describe(), "wheel": str(choice.wheel), "custom": custom,
    }, indent=1), encoding="utf-8")
    print(choice.line, flush=True)
    return choice


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.install.llamabuild",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--version", default=DEFAULT_VERSION)
    parser.add_argument("--wheelhouse", type=Path, default=WHEELHOUSE)
    parser.add_argument("--model", type=Path, default=MODELS_DIR / SMALL_MODEL_FILE,
                        help="the GGUF the smoke decode loads")
    parser.add_argument("--smoke-cmd", help="run this instead of the smoke decode (tests)")
    parser.add_argument("--build-cmd", help="run this instead of pip wheel; {out} is the "
                                            "folder to write the wheel to (tests)")
    parser.add_argument("--no-install", action="store_true",
                        help="choose and record, but do not install into this Python")
    parser.add_argument("--record-dir", type=Path, help="where the record is written "
                                                        "(default: this Python's prefix)")
    args = parser.parse_args(argv)
    if not args.smoke_cmd and not args.model.is_file():
        print(f"error: the smoke-decode model {args.model} is missing; run "
              "`python -m bot.install.modelfetch small` first", file=sys.stderr)
        return 1
    try:
        ensure(args.version, args.wheelhouse, args.model, smoke_cmd=args.smoke_cmd,
               build_cmd=args.build_cmd, install=not args.no_install,
               record_dir=args.record_dir)
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
