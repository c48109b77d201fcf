"""llama.cpp's own `llama-bench`, built once from the sources vendored in the llama-cpp-python
sdist we run, with the CPU flags the installed wheel was built with (so both sides are the same
llama.cpp, compiled the same way), cached under ~/.cache/briefbot/llama-bench/<build key>/.

`python bench/llama_bench.py` builds it ahead of time (several minutes on two cores)."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

CACHE = Path.home() / ".cache" / "briefbot" / "llama-bench"
# Wanted where the tree defines them; an option the tree does not know is not passed at all.
WANTED_OPTIONS = {
    "CMAKE_BUILD_TYPE": "Release",
    "BUILD_SHARED_LIBS": "OFF",  # one self-contained binary to cache
    "LLAMA_CURL": "OFF",
    "LLAMA_OPENSSL": "OFF",
    "LLAMA_BUILD_TESTS": "OFF",
    "LLAMA_BUILD_SERVER": "OFF",
    "LLAMA_BUILD_EXAMPLES": "OFF",
    "LLAMA_BUILD_APP": "OFF",
    "LLAMA_BUILD_TOOLS": "ON",
}


class BenchUnavailable(Exception):
    """llama-bench could not be built or run; the message says why, in one line."""


def llama_cpp_version() -> str:
    from importlib.metadata import version
    return version("llama-cpp-python")


def wheel_flags() -> tuple[str, list[str]]:
    """(cache key, CMake flags) of the llama-cpp-python build set-up installed and proved."""
    from bot.install.llamabuild import read_record
    record = read_record()
    if record is None:
        return "native", ["-DGGML_NATIVE=ON"]  # installed by hand, not by `make setup`
    return record["key"], list(record["cmake_args"])


def binary_path(version: str) -> Path:
    return CACHE / f"{version}-{wheel_flags()[0]}" / "llama-bench"


def _defined_options(tree: Path) -> set[str]:
    names = {"CMAKE_BUILD_TYPE"}
    for lists in (tree / "CMakeLists.txt", tree / "ggml" / "CMakeLists.txt"):
        if lists.is_file():
            text = lists.read_text(encoding="utf-8", errors="replace")
            names |= set(re.findall(r"^\s*(?:option|llama_option_depr)\(\s*(?:\w+\s+)?(\w+)",
                                    text, flags=re.M))
    names.add("BUILD_SHARED_LIBS")
    return names


def _run(cmd: list[str], log: Path, cwd: Path | None = None) -> None:
    with log.open("a", encoding="utf-8") as out:
        out.write(f"\n$ {' '.join(cmd)}\n")
        out.flush()
        done = subprocess.run(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
    if done.returncode != 0:
        tail = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-3:]
        raise BenchUnavailable(f"`{' '.join(cmd[:3])} …` failed (exit {done.returncode}): "
                               + " | ".join(tail)[:300] + f" (log: {log})")


def build(version: str, jobs: int = 2) -> Path:
    """Download the sdist, configure and build only the llama-bench target; return the binary."""
    target = binary_path(version)
    if target.is_file():
        return target
    if not shutil.which("cmake"):
        raise BenchUnavailable("cmake is not installed, so llama-bench cannot be built")
    target.parent.mkdir(parents=True, exist_ok=True)
    log = target.parent / "build.log"
    log.write_text("", encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="llama-bench-") as tmp:
        work = Path(tmp)
        _run([sys.executable, "-m", "pip", "download", "--no-binary", ":all:", "--no-deps",
              "--disable-pip-version-check", f"llama-cpp-python=={version}", "-d", str(work)], log)
        sdist = next(work.glob("llama_cpp_python-*.tar.gz"), None)
        if sdist is None:
            raise BenchUnavailable(f"pip downloaded no llama-cpp-python {version} sdist")
        with tarfile.open(sdist) as tar:
            tar.extractall(work, filter="data")
        tree = next(work.glob("llama_cpp_python-*/vendor/llama.cpp"), None)
        if tree is None or not (tree / "tools" / "llama-bench").is_dir():
            raise BenchUnavailable("the sdist has no vendor/llama.cpp/tools/llama-bench")
        known = _defined_options(tree)
        flags = [f"-D{k}={v}" for k, v in WANTED_OPTIONS.items() if k in known]
        flags += [f for f in wheel_flags()[1] if f[2:].split("=")[0] in known]
        build_dir = work / "build"
        _run(["cmake", "-S", str(tree), "-B", str(build_dir), *flags], log)
        _run(["cmake", "--build", str(build_dir), "--target", "llama-bench", "-j", str(jobs)], log)
        built = next((p for p in build_dir.rglob("llama-bench") if p.is_file()), None)
        if built is None:
            raise BenchUnavailable(f"the build finished but produced no llama-bench (log: {log})")
        shutil.copy2(built, target.with_suffix(".tmp"))
        target.with_suffix(".tmp").replace(target)
    return target


def run(binary: Path, model: Path, threads: int, *, prompt: int = 512, gen: int = 64,
        repetitions: int = 2, timeout: float = 600) -> dict[str, float]:
    """{'pp_tps': …, 'tg_tps': …} from `llama-bench -o json`."""
    # Our Llama runs with flash attention off and n_batch=512; llama-bench must match.
    cmd = [str(binary), "-m", str(model), "-t", str(threads), "-p", str(prompt), "-n", str(gen),
           "-r", str(repetitions), "-fa", "0", "-b", "512", "-ub", "512", "-o", "json"]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise BenchUnavailable(f"llama-bench took longer than {timeout:.0f} s") from None
    if done.returncode != 0:
        raise BenchUnavailable(f"llama-bench failed (exit {done.returncode}): "
                               f"{done.stderr.strip()[-300:]}")
    try:
        rows = json.loads(done.stdout)
    except json.JSONDecodeError:
        raise BenchUnavailable("llama-bench printed no JSON") from None
    out: dict[str, float] = {}
    for row in rows:
        if row.get("n_gen", 0) > 0 and row.get("n_prompt", 0) == 0:
            out["tg_tps"] = float(row["avg_ts"])
        elif row.get("n_prompt", 0) > 0 and row.get("n_gen", 0) == 0:
            out["pp_tps"] = float(row["avg_ts"])
    if "tg_tps" not in out:
        raise BenchUnavailable("llama-bench JSON had no generation (tg) row")
    return out


if __name__ == "__main__":
    try:
        print(build(llama_cpp_version()))
    except BenchUnavailable as exc:
        sys.exit(f"llama-bench unavailable: {exc}")
