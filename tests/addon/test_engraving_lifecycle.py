"""The sample add-on's whole life, as docs/modules.md section 2 tells it: the commands of the marked blocks of
that section are run as written, in the overlay environment where the add-on is pip-installed, on temporary
databases, with the checks a person would make between them.

The add-on's author writes the first migration with a copy of the package that has none yet; the database is
installed by version 1.0 (a copy with the first revision only) and upgraded by the code as shipped. At the end
the database has the tables it had before the install and ``alembic check`` finds nothing to do.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from jewelerp import PROJECT_ROOT
from tests.addon.overlay import ADDON

DOC = PROJECT_ROOT / "docs" / "modules.md"
RUN_MARK = "<!-- run by tests/addon/test_engraving_lifecycle.py -->"
PACKAGE = ADDON / "jewelerp_engraving"
SHIPPED_REVISIONS = sorted((PACKAGE / "migrations").glob("engraving_*.py"))
COMMAND_SECONDS = 120
WALKTHROUGH = [  # docs/modules.md's marked blocks, in order
    [
        "pip install -e examples/jewelerp_engraving",
        "export JEWELERP_DB_URL=sqlite:////tmp/engraving-scratch.db",
        "jewelerp db upgrade",
        'jewelerp db revision --module engraving -m "engraving requests" --autogenerate',
        "unset JEWELERP_DB_URL",
    ],
    ["cd examples/jewelerp_engraving && python -m pytest"],
    [
        "jewelerp modules install engraving",
        "jewelerp modules check",
        "jewelerp modules enable engraving --store MUM",
    ],
    ["jewelerp modules upgrade engraving"],
    ["jewelerp modules uninstall engraving --yes", "pip uninstall -y jewelerp-engraving"],
]


def documented_blocks() -> list[list[str]]:
    """The commands of each ```bash block that follows RUN_MARK in docs/modules.md (comments left out)."""
    blocks = re.findall(re.escape(RUN_MARK) + r"\n```bash\n(.*?)```", DOC.read_text(), re.S)
    return [[line.split(" # ")[0].strip() for line in block.splitlines() if line.strip()] for block in blocks]


@dataclass
class Shell:
    """Runs documented commands the way a terminal in the checkout would, with the overlay's programs:
    ``jewelerp``, ``pip`` and ``python``. A database under /tmp/ in a command lives in the test's folder."""

    python: Path
    folder: Path
    env: dict[str, str] = field(default_factory=dict)

    def run(self, line: str, *, package: Path | None = None, seconds: int = COMMAND_SECONDS) -> str:
        """Run one command (``package``: a folder whose ``jewelerp_engraving`` is imported instead of the
        installed one; at most ``seconds``); returns its output, and fails the test when it fails."""
        folder = ""
        if line.startswith("cd "):
            folder, _, line = line.removeprefix("cd ").partition(" && ")
        words = [self._here(word) for word in shlex.split(line)]
        if words[0] == "export":
            name, _, value = words[1].partition("=")
            self.env[name] = value
            return ""
        if words[0] == "unset":
            self.env.pop(words[1], None)
            return ""
        program = {"jewelerp": ["-m", "jewelerp.cli"], "pip": ["-m", "pip"], "python": []}[words[0]]
        env = {k: v for k, v in os.environ.items() if not k.startswith(("JEWELERP_", "PYTEST_"))}
        env.update(self.env, JEWELERP_SCHEDULER="off", PYTHONPATH=str(package or ""))
        done = subprocess.run(
            [str(self.python), *program, *words[1:]],
            cwd=PROJECT_ROOT / folder,
            env=env,
            capture_output=True,
            text=True,
            timeout=seconds,
            check=False,
        )
        assert done.returncode == 0, f"'{line}' failed:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def _here(self, word: str) -> str:
        return word.replace("sqlite:////tmp/", f"sqlite:///{self.folder}/")


def _package_copy(folder: Path, revisions: list[Path]) -> Path:
    """A folder holding a copy of the add-on's package whose migrations are only ``revisions``."""
    shutil.copytree(PACKAGE, folder / "jewelerp_engraving", ignore=shutil.ignore_patterns("__pycache__", "*.py[co]"))
    migrations = folder / "jewelerp_engraving" / "migrations"
    shutil.rmtree(migrations)
    migrations.mkdir()
    for revision in revisions:
        shutil.copy(revision, migrations)
    return folder


def _columns_created(revisions: list[Path]) -> set[str]:
    """Every column the revisions create or add (``sa.Column("name", ...)``)."""
    return {name for path in revisions for name in re.findall(r"sa\.Column\(\s*['\"](\w+)['\"]", path.read_text())}


class Database:
    """What the sqlite file holds, read as an administrator would."""

    def __init__(self, path: Path):
        self.path = path

    def _rows(self, sql: str) -> list[tuple]:
        with sqlite3.connect(self.path) as connection:
            return connection.execute(sql).fetchall()

    def tables(self) -> list[str]:
        return [name for (name,) in self._rows("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]

    def columns(self, table: str) -> set[str]:
        return {row[1] for row in self._rows(f"PRAGMA table_info({table})")}

    def roles_granted(self, permission: str) -> set[str]:
        return {
            code
            for (code,) in self._rows(
                "SELECT r.code FROM core_role_permission p JOIN core_role r ON r.id = p.role_id "
                f"WHERE p.permission = '{permission}'"
            )
        }

    def stores_enabled(self, module: str) -> set[str]:
        return {
            code
            for (code,) in self._rows(
                "SELECT s.code FROM core_module_state m JOIN core_store s ON s.id = m.store_id "
                f"WHERE m.module = '{module}' AND m.enabled"
            )
        }


def _engraving_line(listing: str) -> str:
    return next((line for line in listing.splitlines() if line.startswith("engraving ")), "")


def test_the_documented_walkthrough_is_the_one_this_test_runs():
    assert documented_blocks() == WALKTHROUGH


def test_the_addon_is_written_tested_installed_upgraded_and_uninstalled_leaving_the_database_as_before(
    overlay_python, tmp_path
):
    shell = Shell(overlay_python, tmp_path)
    writing, own_tests, installing, upgrading, uninstalling = WALKTHROUGH

    # The author installs the package and writes its first migration against a scratch database.
    unmigrated = _package_copy(tmp_path / "unmigrated", [])
    for line in writing:
        shell.run(line, package=unmigrated)
    (written,) = (unmigrated / "jewelerp_engraving" / "migrations").glob("engraving_0001_engraving_requests.py")
    text = written.read_text()
    assert "branch_labels: str | Sequence[str] | None = ('engraving',)" in text
    assert "depends_on: str | Sequence[str] | None = 'billing'" in text
    assert _columns_created([written]) == _columns_created(SHIPPED_REVISIONS)  # the shipped ones build the model

    # Its own tests pass with the plugin's fixtures.
    (line,) = own_tests
    report = shell.run(line)
    assert re.search(r"\b\d+ passed\b", report) and "failed" not in report

    # A store's database before the add-on: the add-on is available, not installed.
    database = Database(tmp_path / "jewelerp.db")
    shell.env["JEWELERP_DB_URL"] = f"sqlite:///{database.path}"
    shell.run("jewelerp db upgrade")
    shell.run('jewelerp stores create MUM --name "Zaveri Bazaar, Mumbai" --state-code 27')
    before = database.tables()
    assert "not installed" in _engraving_line(shell.run("jewelerp modules list"))

    # Version 1.0 of the add-on (its first revision only) is installed, checked and enabled in Mumbai.
    first_version = _package_copy(tmp_path / "first-version", SHIPPED_REVISIONS[:1])
    install, check, enable = installing
    assert "installed engraving 1.0.0" in shell.run(install, package=first_version)
    assert "engraving_request" in database.tables()
    assert "done_at" not in database.columns("engraving_request")
    assert database.roles_granted("engraving.request.manage") == {"admin", "manager", "sales"}
    assert shell.run(check, package=first_version).startswith("registry is sound")
    shell.run(enable, package=first_version)
    assert database.stores_enabled("engraving") == {"MUM"}

    # The shipped code has a second revision: the module says so until it is upgraded.
    assert "upgrade needed" in _engraving_line(shell.run("jewelerp modules list"))
    (upgrade,) = upgrading
    assert "engraving 1.0.0: tables upgraded" in shell.run(upgrade)
    assert "done_at" in database.columns("engraving_request")
    assert "up to date" in _engraving_line(shell.run("jewelerp modules list"))

    # Uninstalled (after a backup) and removed: the database is as it was, and the models match it.
    remove_module, remove_package = uninstalling
    backup = re.search(r"backup taken first: (\S+)", shell.run(remove_module))
    assert backup and Path(backup.group(1)).is_file()
    assert database.tables() == before
    shell.run(remove_package)
    assert _engraving_line(shell.run("jewelerp modules list")) == ""
    shell.run('python -c "from jewelerp import migrations; migrations.check()"')


CORE_SECONDS = 600
# the platform's tests of what modules bring (registry, manifests, boundaries, roles, states, migrations, install
# data, settings, dashboard cards, searchers, events): the ones an installed add-on can break
MODULE_AWARE = (
    "registry",
    "registry_check",
    "module_boundary",
    "module_roles",
    "module_states",
    "migrations",
    "lifecycle",
    "database",
    "install_data",
    "settings_roles",
    "dashboard",
    "search",
    "events",
)


@pytest.mark.timeout(CORE_SECONDS + 60)
def test_the_platform_tests_of_modules_pass_with_the_addon_installed(overlay_python):
    shell = Shell(overlay_python, PROJECT_ROOT)
    files = " ".join(f"tests/core/test_{name}.py" for name in MODULE_AWARE)
    report = shell.run(f"python -m pytest {files} -q -p no:cacheprovider -n 2 --dist loadfile", seconds=CORE_SECONDS)
    assert re.search(r"\b\d+ passed\b", report) and "failed" not in report
