"""Promises about the project itself: layering, documented settings, schema."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.db import models

from ratsblick import config
from ratsblick.council.models import OPARL_MODELS
from ratsblick.council.upsert import mapping_for
from ratsblick.oparl.schema import RELATIONS

ROOT = Path(__file__).parent.parent


@pytest.mark.parametrize(
    "package", ["ratsblick.oparl", "ratsblick.replay", "ratsblick.extract", "ratsblick.search"]
)
def test_pure_libraries_do_not_import_django(package: str) -> None:
    code = (
        "import importlib, pkgutil, sys\n"
        f"pkg = importlib.import_module('{package}')\n"
        "for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "    importlib.import_module(m.name)\n"
        "print(sorted(n for n in sys.modules if n.split('.')[0] == 'django'))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert out.stdout.strip() == "[]"


def test_every_setting_is_documented() -> None:
    docs = (ROOT / "docs" / "settings.md").read_text()
    for setting in config.ALL:
        assert f"`{setting.name}`" in docs, setting.name


def test_bad_setting_values_are_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RATSBLICK_HTTP_RETRIES", "many")
    with pytest.raises(ValueError, match="RATSBLICK_HTTP_RETRIES"):
        config.HTTP_RETRIES.get()


def test_model_relations_match_the_oparl_schema() -> None:
    """Every relation column is fed by a relation the flattener knows."""
    for kind, model in OPARL_MODELS.items():
        known = {(r.name, r.target, r.many) for r in RELATIONS[kind]}
        for rel in mapping_for(kind).relations:
            assert (rel.source, rel.target.oparl_type, rel.many) in known, (kind, rel.name)
        assert not any(
            isinstance(f, models.ForeignKey | models.ManyToManyField)
            and f.name not in {r.name for r in mapping_for(kind).relations} | {"body"}
            for f in model._meta.get_fields()
            if f.concrete or f.many_to_many
        )


def test_readme_quick_start() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "make demo" in readme
    assert "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text()
