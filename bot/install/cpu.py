"""What this CPU can run: its features from /proc/cpuinfo, and the llama.cpp flag sets to try on
it, most capable first. Standard library only (runs before the dependencies are installed)."""
from __future__ import annotations

import hashlib
import platform
import shlex
from dataclasses import dataclass
from pathlib import Path

COMMON_ARGS = ("-DLLAVA_BUILD=OFF",)  # the multimodal library is never used; saves build time
# Features the CPU may report -> llama.cpp's CMake option. AMX is never enabled: its kernels
# fault in VMs whose CPU reports it (general protection fault in ggml_backend_amx_mul_mat),
# and the AVX-512 kernels are as fast for this model size on two cores.
X86_OPTIONS = (
    ("GGML_SSE42", "sse4_2"), ("GGML_AVX", "avx"), ("GGML_AVX2", "avx2"), ("GGML_FMA", "fma"),
    ("GGML_F16C", "f16c"), ("GGML_BMI2", "bmi2"), ("GGML_AVX_VNNI", "avx_vnni"),
    ("GGML_AVX512", "avx512f"), ("GGML_AVX512_VBMI", "avx512vbmi"),
    ("GGML_AVX512_VNNI", "avx512_vnni"), ("GGML_AVX512_BF16", "avx512_bf16"),
)
X86_NEVER = ("GGML_AMX_TILE", "GGML_AMX_INT8", "GGML_AMX_BF16")
AVX2_TIER = ("GGML_SSE42", "GGML_AVX", "GGML_AVX2", "GGML_FMA", "GGML_F16C", "GGML_BMI2")

@dataclass(frozen=True)
class CPU:
    arch: str
    model: str
    flags: frozenset[str]

    @property
    def fingerprint(self) -> str:
        text = "\n".join([self.arch, self.model, *sorted(self.flags)])
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def describe(self) -> str:
        return f"{self.model or 'unknown CPU'} ({self.arch})"


def read_cpu(cpuinfo: Path = Path("/proc/cpuinfo")) -> CPU:
    arch = platform.machine().lower() or "unknown"
    model, flags = "", frozenset[str]()
    try:
        text = cpuinfo.read_text(encoding="utf-8", errors="replace")
    except OSError:
        text = ""
    for line in text.splitlines():
        key, _, value = line.partition(":")
        key = key.strip().lower()
        if key in ("model name", "hardware", "cpu model") and not model:
            model = value.strip()
        elif key in ("flags", "features") and not flags:
            flags = frozenset(value.split())
    if not model:
        model = platform.processor() or ""
    return CPU(arch, model, flags)


@dataclass(frozen=True)
class FlagSet:
    name: str
    options: tuple[tuple[str, str], ...]
    why: str  # in words, for the one line that reports the choice

    def cmake_args(self) -> list[str]:
        return [f"-D{k}={v}" for k, v in self.options] + list(COMMON_ARGS)

    def key(self, version: str) -> str:
        digest = hashlib.sha256(" ".join(self.cmake_args()).encode()).hexdigest()[:10]
        return f"{version}-{self.name}-{digest}"


def flag_sets(cpu: CPU, custom: str | None = None) -> list[FlagSet]:
    """Candidate builds for this CPU, most capable first, ending with a portable baseline."""
    sets: list[FlagSet] = []
    if custom:
        options = tuple((a[2:].split("=", 1)[0], a.split("=", 1)[1]) for a in shlex.split(custom)
                        if a.startswith("-D") and "=" in a)
        sets.append(FlagSet("custom", options, "CMAKE_ARGS from the environment"))
    if cpu.arch in ("x86_64", "amd64", "i686", "i386"):
        have = {opt for opt, flag in X86_OPTIONS if flag in cpu.flags}
        off = [(opt, "OFF") for opt in X86_NEVER]

        def x86(name: str, enabled: set[str], why: str) -> FlagSet:
            options = [("GGML_NATIVE", "OFF")]
            options += [(opt, "ON" if opt in enabled else "OFF") for opt, _ in X86_OPTIONS]
            return FlagSet(name, tuple(options + off), why)

        shown = ", ".join(f for opt, f in X86_OPTIONS if opt in have)
        if "GGML_AVX512" in have:
            sets.append(x86("avx512", have, f"every feature the CPU reports ({shown}); AMX off"))
        avx2 = have & set(AVX2_TIER)
        if "GGML_AVX2" in have:
            sets.append(x86("avx2", avx2, "AVX2/FMA/F16C only"))
        elif avx2:
            sets.append(x86("sse-avx", avx2, "the SSE/AVX features the CPU reports"))
        sets.append(x86("portable", set(), "no optional instruction set (slow, runs anywhere)"))
    else:
        sets.append(FlagSet("native", (("GGML_NATIVE", "ON"),), "the compiler's native tuning"))
        sets.append(FlagSet("portable", (("GGML_NATIVE", "OFF"),), "generic code for the arch"))
    unique: dict[tuple[tuple[str, str], ...], FlagSet] = {}
    for fs in sets:
        unique.setdefault(fs.options, fs)
    return list(unique.values())
