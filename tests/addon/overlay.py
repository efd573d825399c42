"""The add-on overlay: a virtual environment at ``.tools/addon-venv`` that sees every package of the main
environment (a ``.pth`` file adds its site-packages) and has ``examples/jewelerp_engraving`` installed with pip,
so the main environment never sees the add-on and the rest of the suite keeps running without it.

Idempotent: a stamp holds what the overlay was made from, so a second call only compares it. Run it alone
(``python -m tests.addon.overlay``) to make the overlay and print its python.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import sysconfig
from pathlib import Path

from jewelerp import PROJECT_ROOT

OVERLAY = PROJECT_ROOT / ".tools" / "addon-venv"
ADDON = PROJECT_ROOT / "examples" / "jewelerp_engraving"
PYTHON = OVERLAY / "bin" / "python"
STAMP = OVERLAY / ".jewelerp-addon-stamp"
SITE_PACKAGES = OVERLAY / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"


def _main_site_packages() -> str:
    if Path(sys.prefix).resolve() == OVERLAY.resolve():
        raise RuntimeError("make the add-on overlay from the main environment's python, not from the overlay's")
    return sysconfig.get_path("purelib")


def _fingerprint(site_packages: str) -> str:
    """What the overlay is made from: the interpreter, the main site-packages and the add-on's packaging."""
    made_from = f"{sys.version}\n{site_packages}\n{(ADDON / 'pyproject.toml').read_text()}"
    return hashlib.sha256(made_from.encode()).hexdigest()


def pip_install(python: Path, *args: str) -> None:
    """``python -m pip install`` quietly, failing with pip's own output."""
    command = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", *args]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}")


def addon_installed() -> bool:
    """Whether the add-on's distribution is installed in the overlay."""
    return any(SITE_PACKAGES.glob("jewelerp_engraving-*.dist-info"))


def ensure_overlay() -> Path:
    """Make the overlay if it is missing or stale and return its python (jewelerp and the add-on importable)."""
    site_packages = _main_site_packages()
    want = _fingerprint(site_packages)
    if PYTHON.exists() and STAMP.exists() and STAMP.read_text() == want:
        if not addon_installed():  # someone ran 'pip uninstall jewelerp-engraving' in it (the lifecycle test does)
            pip_install(PYTHON, "--no-deps", "-e", str(ADDON))
        return PYTHON
    STAMP.unlink(missing_ok=True)
    subprocess.run([sys.executable, "-m", "venv", "--clear", "--without-pip", str(OVERLAY)], check=True)
    # A plain path line would add the folder but not run its .pth files (the editable jewelerp install is one).
    (SITE_PACKAGES / "jewelerp-main-venv.pth").write_text(f"import site; site.addsitedir({site_packages!r})\n")
    pip_install(PYTHON, "--no-deps", "-e", str(ADDON))
    STAMP.write_text(want)
    return PYTHON


if __name__ == "__main__":
    print(ensure_overlay())
