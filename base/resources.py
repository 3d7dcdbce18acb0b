"""Where the files the service reads at run time are: reply templates, desk pages, shipped
policies, the demo's sample mailbox and orders, and the migrations.

The repository keeps them in top-level folders (templates/, policies/, examples/, migrations/);
pyproject.toml maps those into the package, so the same lookup works from a git checkout, an
editable install and an installed wheel. Nothing else in the code finds them by path arithmetic.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from base.errors import ConfigError

_PACKAGES = {
    "templates": "refund_intake.reply_templates",
    "policies": "refund_intake.shipped_policies",
    "examples": "refund_intake.sample",
    "migrations": "migrations",
    "desk": "desk",
}


def folder(name: str) -> Path:
    """The folder of bundled files called `name` (a key of _PACKAGES), as a real directory.

    Jinja, Alembic and the Maildir reader need directories on disk; pip always installs a wheel
    unpacked, so a package that is not on disk (a zip import) is refused with a clear error."""
    try:
        found = files(_PACKAGES[name])
    except ModuleNotFoundError as exc:  # an editable install made before pyproject mapped it
        raise ConfigError(f"refund-intake's {name} files are not installed ({exc}); install "
                          "the package again: pip install -e . (scripts/bootstrap.sh does)") from exc
    if not isinstance(found, Path):
        raise ConfigError(f"refund-intake's {name} files are not on disk ({found}); "
                          "install it with pip or pipx, not as a zip")
    return found


def shipped_policy(name: str) -> Path:
    """A shipped policy by its name (kreatorz, cafe24-experts, french-saas, marketplace)."""
    path = folder("policies") / f"{name}.toml"
    if not path.is_file():
        raise ConfigError(f"no shipped policy called {name!r}; "
                          f"the shipped ones are {', '.join(shipped_policy_names())}")
    return path


def shipped_policy_names() -> tuple[str, ...]:
    return tuple(sorted(p.stem for p in folder("policies").glob("*.toml")))
