"""Copy the user guides' screenshots from the scenario tests' output into docs/screenshots/.

Run once per release, after the browser tests (``make test`` writes ``var/screenshots/``):

    .venv/bin/python scripts/publish_screenshots.py [--from var/screenshots]

The guides link ``docs/screenshots/<name>.jpg``; ``GUIDE_SHOTS`` names, per guide, which
screens of which scenario they show, in both languages. Each picture is the top of the
full-page screenshot, scaled to 1000 pixels wide and stored as JPEG through ImageMagick's
``convert`` (or ``magick``; ``CONVERT=/path`` chooses one), a release tool only, not a dependency of the product or of CI. A screenshot
that a test did not produce is reported and the script exits non-zero, so a renamed step
cannot leave a guide with a stale picture unnoticed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "docs" / "screenshots"

# Screens (without the "scenarioN-<lang>-" prefix' language) the guides show, by scenario.
GUIDE_SHOTS: dict[str, list[str]] = {
    "scenario1": [
        "01-report-received",
        "02-finder-answered",
        "03-desk-forwarded",
        "04-case-notified",
        "05-vendor-portal",
        "06-cve-record",
        "07-advisory-scheduled",
    ],
    "scenario2": [
        "01-case-many-vendors",
        "02-translation-editor",
        "03-overseas-vendor-translation",
        "04-embargo-revised",
        "05-jvnvu-advisory",
    ],
    "scenario3": ["01-all-channels-tried", "02-unreachable-list", "03-committee-decided"],
    "scenario3b": [
        "01-listing-removed",
        "02-enrol-authenticator",
        "03-developer-accepts-the-embargo",
    ],
    "scenario4": ["01-embargo-ended", "02-alert-approved"],
    "scenario5": ["desk-details-sent", "public-statistics"],
    "scenario6": ["01-warned", "02-vendor-sees-the-talk"],
    "scenario7": ["01-confirm", "05-desk-statistics"],
    "scenario8": ["finder-answer"],
}
LANGUAGES = ("ja", "en")
CROP = "1280x1800+0+0"  # the top of the page: what a reader sees first


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="source", default=str(ROOT / "var" / "screenshots"))
    args = parser.parse_args()
    source = Path(args.source)
    convert = os.environ.get("CONVERT") or shutil.which("magick") or shutil.which("convert")
    if convert is None:
        print("ImageMagick's convert is needed (apt-get install imagemagick).", file=sys.stderr)
        return 2
    TARGET.mkdir(parents=True, exist_ok=True)
    missing = []
    for scenario, screens in GUIDE_SHOTS.items():
        for screen in screens:
            for language in LANGUAGES:
                name = f"{scenario}-{language}-{screen}"
                picture = source / f"{name}.png"
                if not picture.exists():
                    missing.append(picture.name)
                    continue
                subprocess.run(  # noqa: S603 (the operator's own ImageMagick)
                    [
                        convert,
                        str(picture),
                        "-crop",
                        CROP,
                        "+repage",
                        "-resize",
                        "1000x",
                        "-strip",
                        "-quality",
                        "72",
                        str(TARGET / f"{name}.jpg"),
                    ],
                    check=True,
                )
    for name in missing:
        print(f"missing: {name}", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
