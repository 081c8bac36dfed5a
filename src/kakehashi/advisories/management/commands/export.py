"""``kakehashi export --out DIR [--force]``: every published advisory's machine-readable
files, laid out as the site serves them, for static hosting.

The files come from the registry in :mod:`kakehashi.advisories.exports` (OSV, VULDEF,
JVNRSS, the Atom feeds, and whatever is added there), built from published revisions
only. They are written into a temporary directory next to DIR, which then takes DIR's
place, so a web server never sees a half-written tree. An existing DIR that is not
empty is refused unless ``--force`` is given (it is then replaced as a whole).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path, PurePosixPath
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ...exports import EXPORTS, current_revisions


class Command(BaseCommand):
    help = "Write the machine-readable exports of every published advisory into a directory."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, help="The directory to write.")
        parser.add_argument(
            "--force", action="store_true", help="Replace DIR even when it is not empty."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(options["out"]).resolve()
        if out.exists() and not out.is_dir():
            raise CommandError(_("%(path)s exists and is not a directory.") % {"path": out})
        if out.is_dir() and any(out.iterdir()) and not options["force"]:
            raise CommandError(
                _("%(path)s is not empty; use --force to replace it.") % {"path": out}
            )
        out.parent.mkdir(parents=True, exist_ok=True)
        revisions = current_revisions()
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
        try:
            counts = {
                name: _write(staging, exporter(revisions)) for name, exporter in EXPORTS.items()
            }
            staging.chmod(0o755)
            _replace(staging, out)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        for name, count in counts.items():
            self.stdout.write(
                ngettext("%(name)s: %(count)d file", "%(name)s: %(count)d files", count)
                % {"name": name, "count": count}
            )
        self.stdout.write(
            ngettext(
                "%(count)d published advisory exported to %(path)s.",
                "%(count)d published advisories exported to %(path)s.",
                len(revisions),
            )
            % {"count": len(revisions), "path": out}
        )


def _write(root: Path, files: Any) -> int:
    count = 0
    for path, data in files:
        relative = PurePosixPath(path)
        if relative.is_absolute() or ".." in relative.parts:
            raise CommandError(_("An export named an unsafe path: %(path)s") % {"path": path})
        target = root.joinpath(*relative.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        count += 1
    return count


def _replace(staging: Path, out: Path) -> None:
    """Put ``staging`` in the place of ``out``: a rename each, so ``out`` is always
    either the old tree or the new one."""
    if not out.exists():
        staging.rename(out)
        return
    old = out.with_name(f".{out.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    out.rename(old)
    staging.rename(out)
    shutil.rmtree(old)
