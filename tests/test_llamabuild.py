"""Set-up's llama.cpp build: flags from what the CPU reports, a smoke decode in a child process,
fallback to more conservative flag sets when the child dies, a wheel cache keyed by flag set and
trusted only on CPUs it was proven on. Driven through the real entry point with a build command
that writes a stand-in wheel and a smoke command that crashes on purpose."""
from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from bot.install import llamabuild
from bot.install.cpu import CPU, flag_sets, read_cpu

ROOT = Path(__file__).resolve().parent.parent
FAKE_BUILD = """
import os, sys, zipfile
out = sys.argv[1]
name = os.path.join(out, "llama_cpp_python-0.3.36-py3-none-linux_x86_64.whl")
with zipfile.ZipFile(name, "w") as zf:
    zf.writestr("llama_cpp/__init__.py", "FLAGSET = %r\\n" % os.environ["BRIEFBOT_FLAGSET"])
    zf.writestr("llama_cpp_python-0.3.36.dist-info/METADATA", "Name: llama_cpp_python\\n")
with open(sys.argv[2], "a") as log:
    log.write(os.environ["BRIEFBOT_FLAGSET"] + " " + os.environ["CMAKE_ARGS"] + "\\n")
"""
# Dies by SIGSEGV (as the AMX kernels did) unless the build is one of the names in argv.
CRASH_UNLESS = """
import os, signal, sys
import llama_cpp  # the candidate wheel, unpacked on PYTHONPATH
assert llama_cpp.FLAGSET == os.environ["BRIEFBOT_FLAGSET"]
if llama_cpp.FLAGSET not in sys.argv[1:]:
    os.kill(os.getpid(), signal.SIGSEGV)
"""
XEON_AMX = CPU("x86_64", "Intel(R) Xeon(R) Platinum 8480+", frozenset(
    "sse4_2 avx avx2 fma f16c bmi2 avx_vnni avx512f avx512vbmi avx512_vnni avx512_bf16 "
    "amx_tile amx_int8 amx_bf16".split()))


@pytest.fixture
def scripts(tmp_path):
    (tmp_path / "build.py").write_text(FAKE_BUILD)
    (tmp_path / "smoke.py").write_text(CRASH_UNLESS)
    return tmp_path


def run_build(tmp_path: Path, smoke: str) -> subprocess.CompletedProcess:
    wheelhouse = tmp_path / "wheels"
    return subprocess.run(
        [sys.executable, "-m", "bot.install.llamabuild", "--no-install",
         "--wheelhouse", str(wheelhouse),
         "--record-dir", str(tmp_path / "venv"),
         "--build-cmd",
         f"{sys.executable} {tmp_path / 'build.py'} {{out}} {tmp_path / 'builds.log'}",
         "--smoke-cmd", f"{sys.executable} {tmp_path / 'smoke.py'} {smoke}"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})


def builds(tmp_path: Path) -> list[str]:
    log = tmp_path / "builds.log"
    return [line.split()[0] for line in log.read_text().splitlines()] if log.exists() else []


def test_a_build_whose_smoke_decode_crashes_falls_back_to_a_conservative_one(scripts):
    result = run_build(scripts, "portable")
    assert result.returncode == 0, result.stderr
    names = [fs.name for fs in flag_sets(read_cpu())]
    assert builds(scripts) == names and names[-1] == "portable"
    chosen = [line for line in result.stdout.splitlines() if line.startswith("llama.cpp:")]
    assert len(chosen) == 1 and "[portable]" in chosen[0]
    for name in names[:-1]:  # the one line says why the better builds were not taken
        assert f"{name}: died by SIGSEGV" in chosen[0]
    record = json.loads((scripts / "venv" / ".llama-build.json").read_text())
    assert record["flagset"] == "portable" and "-DGGML_NATIVE=OFF" in record["cmake_args"]
    assert record["cpu"] == read_cpu().fingerprint

    # Again: nothing is rebuilt, the crashing builds are not smoke-tested again on this CPU,
    # and the proven one is trusted without a smoke decode (this smoke would crash it now).
    again = run_build(scripts, "nothing-passes")
    assert again.returncode == 0, again.stderr
    assert builds(scripts) == names
    assert "[portable]" in again.stdout and "proven on this CPU before" in again.stdout


def test_when_nothing_runs_the_error_names_the_cpu_and_every_flag_set(scripts):
    result = run_build(scripts, "nothing-passes")
    assert result.returncode == 1
    error = result.stderr.strip().splitlines()[-1]
    assert error.startswith("error: no llama.cpp build runs on this CPU")
    assert read_cpu().describe() in error
    for fs in flag_sets(read_cpu()):
        assert f"{fs.name}: died by SIGSEGV" in error
    assert "Segmentation fault" not in result.stderr and "Traceback" not in result.stderr


def test_a_cached_wheel_is_smoke_tested_on_a_cpu_it_was_not_proven_on(scripts):
    wheelhouse, model = scripts / "wheels", scripts / "model.gguf"
    build_cmd = f"{sys.executable} {scripts / 'build.py'} {{out}} {scripts / 'builds.log'}"
    passes = f"{sys.executable} {scripts / 'smoke.py'} avx512 avx2 portable native"
    here = llamabuild.choose(XEON_AMX, "0.3.36", wheelhouse, model, smoke_cmd=passes,
                             build_cmd=build_cmd)
    assert here.flagset.name == "avx512" and "smoke decode passed" in here.line
    assert llamabuild.choose(XEON_AMX, "0.3.36", wheelhouse, model, smoke_cmd="false",
                             build_cmd=build_cmd).line.endswith("proven on this CPU before")
    # the same home folder on another machine: the cached avx512 wheel crashes there
    other = CPU("x86_64", "Another Xeon (VM)", XEON_AMX.flags)
    there = llamabuild.choose(other, "0.3.36", wheelhouse, model, build_cmd=build_cmd,
                              smoke_cmd=f"{sys.executable} {scripts / 'smoke.py'} avx2")
    assert there.flagset.name == "avx2" and "avx512: died by SIGSEGV" in there.line
    assert builds(scripts) == ["avx512", "avx2"]  # the cached wheels were reused, not rebuilt


def test_flags_follow_what_the_cpu_reports_and_amx_is_never_enabled():
    sets = {fs.name: dict(fs.options) for fs in flag_sets(XEON_AMX)}
    assert list(sets) == ["avx512", "avx2", "portable"]
    for options in sets.values():
        assert options["GGML_NATIVE"] == "OFF"
        assert all(options[k] == "OFF" for k in ("GGML_AMX_TILE", "GGML_AMX_INT8", "GGML_AMX_BF16"))
    assert sets["avx512"]["GGML_AVX512_BF16"] == "ON" and sets["avx2"]["GGML_AVX512"] == "OFF"
    assert all(v == "OFF" for k, v in sets["portable"].items())
    old = CPU("x86_64", "an old laptop", frozenset("sse4_2 avx".split()))
    tiers = {fs.name: dict(fs.options) for fs in flag_sets(old)}
    assert list(tiers) == ["sse-avx", "portable"]
    assert tiers["sse-avx"]["GGML_AVX"] == "ON" and tiers["sse-avx"]["GGML_AVX2"] == "OFF"
    arm = [fs.name for fs in flag_sets(CPU("aarch64", "", frozenset({"neon"})))]
    assert arm == ["native", "portable"]
    keys = {fs.key("0.3.36") for fs in flag_sets(XEON_AMX)}
    assert len(keys) == 3  # one wheel cache folder per flag set


def test_cpuinfo_is_read_for_model_and_flags(tmp_path):
    info = tmp_path / "cpuinfo"
    info.write_text("processor\t: 0\nmodel name\t: Test CPU 9000\nflags\t\t: fpu avx2 fma\n\n"
                    "processor\t: 1\nmodel name\t: Test CPU 9000\nflags\t\t: fpu avx2 fma\n")
    cpu = read_cpu(info)
    assert cpu.model == "Test CPU 9000" and cpu.flags == {"fpu", "avx2", "fma"}
    assert read_cpu(info).fingerprint == cpu.fingerprint


@pytest.mark.model
def test_the_installed_build_passes_its_smoke_decode_on_this_machine():
    """The wheel `make setup` installed, with the real small model, in a child process."""
    from bot.config import MODELS_DIR, SMALL_MODEL_FILE
    assert llamabuild.smoke_installed(MODELS_DIR / SMALL_MODEL_FILE) is None
    record = llamabuild.read_record()
    assert record and record["cpu"] == read_cpu().fingerprint
    with zipfile.ZipFile(record["wheel"]) as zf:
        assert any(n.endswith("libggml-cpu.so") for n in zf.namelist())
