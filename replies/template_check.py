"""Check-config's template check: every template of every language renders with sample data."""

from __future__ import annotations

from pathlib import Path

from base.errors import ConfigError
from replies.context import sample_context
from replies.render import FALLBACK_LANGUAGE, KINDS, TEMPLATES_DIR, languages, render


def check_templates(templates_dir: Path = TEMPLATES_DIR) -> None:
    """Render every template of every language with full and with empty sample data.

    Raises ConfigError naming each template and the variable or line that failed.
    """
    problems = []
    found = languages(templates_dir) if templates_dir.is_dir() else ()
    if FALLBACK_LANGUAGE not in found:
        problems.append(f"template folder {templates_dir / FALLBACK_LANGUAGE}: missing")
    for language in found:
        for kind in KINDS:
            for full in (True, False):
                try:
                    render(kind, language, sample_context(language, full), "Sample", templates_dir)
                except ConfigError as exc:
                    problems.append(str(exc))
                    break
    if problems:
        raise ConfigError("; ".join(problems))
