"""Issue #18.4: the README's sample outputs are the program's real output.

Each sample block is made anew by running what it documents
(tests/readme_samples.py) and compared with README.md; after a change to what
is printed, `python tests/readme_samples.py --write` brings the README up to
date."""

from __future__ import annotations

import pytest
import readme_samples

README = readme_samples.README.read_text()


def test_the_readme_has_its_samples():
    assert sorted(readme_samples.samples(README)) == sorted(readme_samples.SCENARIOS)


@pytest.mark.parametrize("name", sorted(readme_samples.SCENARIOS))
def test_each_sample_is_what_the_program_prints(name):
    block = next(m for m in readme_samples._BLOCK.finditer(README) if m.group("name") == name)
    assert block.group("body") == readme_samples.render(name), (
        f"README.md's sample {name!r} is not what the program prints; run: python tests/readme_samples.py --write")
