"""Screenshots of every view of the app on the bundled content, at 1400 and 390 px wide.

Usage: python scripts/screenshots.py [--out docs/screenshots] [--readme docs/screenshot.png]
                                    [--views search page ...]

Indexes content/ into a temporary folder (starting from a copy of index/ when there is one,
so that only what changed is embedded), starts `streamlit run app.py` on a free localhost
port and, in Debian's headless chromium, opens each view (`VIEWS` in tests/e2e.py), waits
until it is drawn and Streamlit's run is over, and saves the visible part of the window as
OUT/VIEW-WIDTH.png. The search at 1400 px is also the README's picture (--readme).
Needs the [test] extra (playwright) and chromium (see .ci/run).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from e2e import VIEWS, browser_page, show_view, streamlit_server  # noqa: E402

from kb import SentenceTransformerEmbedder, Settings, build_index  # noqa: E402

# A laptop window, and a phone (an iPhone 12 to 15 is 390 x 844 CSS pixels).
SIZES = {1400: 900, 390: 844}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    ap.add_argument("--readme", type=Path, default=ROOT / "docs" / "screenshot.png")
    ap.add_argument("--views", nargs="+", choices=list(VIEWS), default=list(VIEWS))
    args = ap.parse_args()

    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="kb-screenshots-") as tmp:
        index_dir = Path(tmp) / "index"
        if (ROOT / "index" / "manifest.json").exists():
            shutil.copytree(ROOT / "index", index_dir)
        build_index(ROOT / "content", index_dir, SentenceTransformerEmbedder(), Settings())
        print(f"indexed in {time.perf_counter() - start:.0f} s")
        args.out.mkdir(parents=True, exist_ok=True)
        with streamlit_server(index_dir) as url:
            for width, height in SIZES.items():
                with browser_page(width=width, height=height) as page:
                    for view in args.views:
                        show_view(page, url, view)
                        page.evaluate("document.fonts.ready")
                        path = args.out / f"{view}-{width}.png"
                        # The window only, as Chromium encodes it: 10 to 150 KB. Quantised to
                        # 256 colours they were a third, but the orange badges turned red.
                        page.screenshot(path=path, animations="disabled", caret="hide")
                        print(f"{path}: {path.stat().st_size // 1024} KB")
    if "search" in args.views:
        shutil.copyfile(args.out / "search-1400.png", args.readme)
    print(f"done in {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
