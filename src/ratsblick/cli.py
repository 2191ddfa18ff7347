"""The `ratsblick` command: Django's management commands, with dashed names.

`ratsblick add-body URL` runs the `add_body` command; every Django command
(`ratsblick migrate`, `ratsblick shell`) works too.
"""

from __future__ import annotations

import os
import sys

from django.core.management import execute_from_command_line


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ratsblick.settings")
    args = list(sys.argv if argv is None else argv)
    if len(args) > 1 and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")
    args[0] = "ratsblick"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
