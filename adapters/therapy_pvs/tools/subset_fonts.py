"""Build step: subset the full DejaVu Sans TTFs to the glyphs a report can contain.

    python adapters/therapy_pvs/tools/subset_fonts.py            # writes leportal_therapy_pvs/fonts/
    python adapters/therapy_pvs/tools/subset_fonts.py --check    # exit 1 if the shipped ones differ

Input: ``adapters/therapy_pvs/fonts-source/`` (DejaVu Sans 2.37 as released, the same files as
Debian's fonts-dejavu-core). Output: the subsets shipped in the package, holding exactly the
characters of ``render.REPERTOIRE`` (plus .notdef), without hinting and OpenType layout tables,
which fpdf2 drops anyway. Run it again after changing the repertoire and commit the result; the
test suite checks that the shipped fonts cover the repertoire and every template character.

Licence: the Bitstream Vera licence allows modified copies as long as the name does not contain
"Bitstream" or "Vera"; DejaVu's changes are in the public domain (``fonts/LICENSE-DejaVu.txt``).
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

from fontTools import subset, ttLib

ADAPTER = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ADAPTER))
SOURCE = ADAPTER / "fonts-source"
TARGET = ADAPTER / "leportal_therapy_pvs" / "fonts"
FILES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")


def subset_font(source: Path, characters: frozenset[str]) -> bytes:
    options = subset.Options()
    options.hinting = False
    options.layout_features = []
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "FFTM", "hdmx", "kern"]
    options.notdef_outline = True
    options.recommended_glyphs = True
    options.name_IDs = ["*"]  # keep the names, the copyright and the licence notice
    options.name_languages = ["*"]
    font = ttLib.TTFont(source, recalcTimestamp=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(map(ord, characters)))
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def main() -> int:
    from leportal_therapy_pvs.render import REPERTOIRE

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args()
    status = 0
    for name in FILES:
        data = subset_font(SOURCE / name, REPERTOIRE)
        target = TARGET / name
        if args.check:
            same = target.is_file() and target.read_bytes() == data
            print(f"{name}: {'up to date' if same else 'DIFFERS, run without --check'}")
            status |= not same
        else:
            target.write_bytes(data)
            print(f"{name}: {(SOURCE / name).stat().st_size:,} → {len(data):,} bytes")
    return status


if __name__ == "__main__":
    sys.exit(main())
