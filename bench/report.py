"""The results table (printed and as JSON) and what it was measured on."""
from __future__ import annotations

import json
import os
import platform
import resource
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path


@dataclass
class Figure:
    """One row. `ratio` is ≥ 1 when the target is met: measured/target where higher is better
    ("m/t"), target/measured where lower is better ("t/m")."""
    name: str
    target: str
    measured: str
    ratio: float | None = None
    ratio_kind: str = ""  # "m/t" or "t/m"
    passed: bool | None = None  # None: informational, or could not be measured
    note: str = ""


def lower_is_better(name: str, value: float | None, target: float, fmt: str, unit: str,
                    *, target_text: str | None = None, note: str = "") -> Figure:
    if value is None:
        return Figure(name, target_text or f"≤ {target:{fmt}} {unit}", "not measured", note=note)
    ratio = target / value if value > 0 else float("inf")
    return Figure(name, target_text or f"≤ {target:{fmt}} {unit}", f"{value:{fmt}} {unit}",
                  round(ratio, 2), "t/m", value <= target, note)


def higher_is_better(name: str, value: float | None, target: float, fmt: str, unit: str,
                     *, target_text: str | None = None, note: str = "") -> Figure:
    if value is None:
        return Figure(name, target_text or f"≥ {target:{fmt}} {unit}", "not measured", note=note)
    return Figure(name, target_text or f"≥ {target:{fmt}} {unit}", f"{value:{fmt}} {unit}",
                  round(value / target, 2), "m/t", value >= target, note)


def info(name: str, measured: str, note: str = "") -> Figure:
    return Figure(name, "—", measured, note=note)


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu_model": cpu or platform.processor(), "cores": os.cpu_count(),
            "platform": platform.platform(), "python": platform.python_version()}


class CpuShare:
    """How much CPU other processes took while the benchmark ran: the figures are only as
    good as the machine was quiet."""

    def __init__(self) -> None:
        self.start = self._now()

    @staticmethod
    def _now() -> tuple[float, float]:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        busy = (sum(fields[:8]) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")
        ours = sum(getattr(resource.getrusage(who), f) for who in
                   (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
                   for f in ("ru_utime", "ru_stime"))
        return busy, ours

    def others(self, seconds: float) -> dict:
        busy, ours = (b - a for a, b in zip(self.start, self._now()))
        other = max(0.0, busy - ours)
        share = other / (seconds * (os.cpu_count() or 1))
        return {"other_cpu_s": round(other), "other_share": round(share, 3)}


def table(figures: list[Figure]) -> str:
    head = ("figure", "target", "measured", "ratio", "pass")
    rows = [head]
    for f in figures:
        ratio = "—" if f.ratio is None else (
            f"{f.ratio:.2f} {f.ratio_kind}" if f.ratio < 100 else f">100 {f.ratio_kind}")
        verdict = {True: "PASS", False: "FAIL", None: "info" if f.target == "—" else "n/a"}
        rows.append((f.name, f.target, f.measured, ratio, verdict[f.passed]))
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    line = lambda r: "  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip()  # noqa: E731
    out = [line(rows[0]), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in rows[1:]]
    notes = [f"  [{n}] {f.name}: {f.note}" for n, f in enumerate(figures, 1) if f.note]
    legend = ("ratio ≥ 1 means the target is met; m/t = measured/target (higher is better), "
              "t/m = target/measured (lower is better).")
    return "\n".join(out + ["", legend] + (["notes:"] + notes if notes else []))


def write_json(path: Path, figures: list[Figure], context: dict, details: dict) -> None:
    data = {"timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
            **machine(), **context, "figures": [asdict(f) for f in figures], "details": details}
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
