"""Virtual environments made for a run, so that a control never holds our package.

``bare(root, name)``: an empty venv (``python -m venv --without-pip``).

``HermesVenvs``: venvs whose site-packages mirror the bench's own environment
(one symlink per entry, so they cost milliseconds to make) with every file of
this package left out (the control), or with the package laid out as a wheel
installs it plus our ``.pth`` (ours), or with a floor program in its place. All
have names of the same length, so paths cost the same on every side; only the
entries that differ differ.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from common import PTH, PY, output

DIST = "hermes_setup_pools"


def bare(root: Path, name: str) -> tuple[str, Path]:
    """A venv with nothing installed: its python and its site-packages."""
    venv = root / name
    subprocess.run([PY, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    return python, purelib(python)


def purelib(python: str) -> Path:
    return Path(output([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], {}).strip())


def ours_in(site: Path) -> set[str]:
    """The top-level entries of site-packages that belong to this package (its
    dist-info, what its RECORD lists there, the package itself)."""
    names = {DIST, PTH.name}
    for info in site.glob(f"{DIST}-*.dist-info"):
        names.add(info.name)
        record = info / "RECORD"
        if record.exists():
            for line in record.read_text().splitlines():
                first = line.split(",", 1)[0].split("/", 1)[0]
                if first and first != "..":
                    names.add(first)
    return {n for n in names if (site / n).exists() or (site / n).is_symlink()}


class HermesVenvs:
    """Mirrors of the bench's environment: ``control()`` without our package,
    ``ours()`` with it installed as a wheel would be, ``floor(pth, files)``
    with a floor program instead."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.site = purelib(PY)
        self.ours_names = ours_in(self.site)
        self.package = Path(output([PY, "-c", f"import {DIST}; print({DIST}.__file__)"], {}).strip()).parent

    def _clone(self, name: str) -> tuple[str, Path]:
        python, site = bare(self.root, name)
        for entry in os.listdir(self.site):
            if entry == "__pycache__":  # a directory of its own: the floor's bytecode must not land in ours
                (site / entry).mkdir()
                for cached in os.listdir(self.site / entry):
                    (site / entry / cached).symlink_to(self.site / entry / cached)
            elif entry not in self.ours_names:
                (site / entry).symlink_to(self.site / entry)
        return python, site

    def control(self) -> str:
        return self._clone("hv-ctl")[0]

    def ours(self) -> str:
        python, site = self._clone("hv-our")
        (site / DIST).symlink_to(self.package)
        shutil.copyfile(PTH, site / PTH.name)
        for info in self.site.glob(f"{DIST}-*.dist-info"):
            (site / info.name).symlink_to(info)
        return python

    def floor(self, pth_line: str, files: dict[str, Path]) -> str:
        python, site = self._clone("hv-flr")
        (site / "hsp_floor.pth").write_text(pth_line + "\n")
        for target, source in files.items():
            shutil.copyfile(source, site / target)
        return python
