"""Promises about the project itself: layering, documented settings, schema."""

from __future__ import annotations

import os
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


def test_importing_the_settings_creates_nothing(tmp_path: Path) -> None:
    """Only the commands that write make RATSBLICK_HOME and its files, when they need them."""
    home = tmp_path / "home"
    code = (
        "import django\n"
        "from django.conf import settings\n"
        "django.setup()\n"
        "print(settings.DATABASES['default']['NAME'])\n"
    )
    env = {
        **os.environ,
        "RATSBLICK_HOME": str(home),
        "RATSBLICK_SECRET_KEY": "",
        "DATABASE_URL": "",
        "DJANGO_SETTINGS_MODULE": "ratsblick.settings",
    }
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True
    )
    assert out.stdout.strip() == str(home / "ratsblick.sqlite3")
    assert list(tmp_path.iterdir()) == []


def test_the_secret_key_is_made_on_first_need_and_kept(tmp_path: Path) -> None:
    home = tmp_path / "home"
    code = (
        "from django.conf import settings\n"
        "from django.core.signing import Signer\n"
        "print(Signer().sign('x'), settings.SECRET_KEY)\n"
    )
    env = {
        **os.environ,
        "RATSBLICK_HOME": str(home),
        "RATSBLICK_SECRET_KEY": "",
        "DJANGO_SETTINGS_MODULE": "ratsblick.settings",
    }

    def signed() -> list[str]:
        return subprocess.run(
            [sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True
        ).stdout.split()

    first = signed()
    key = (home / "secret_key").read_text()
    assert first[1] == key
    assert len(key) == 67  # 50 random bytes, URL-safe base64
    assert (home / "secret_key").stat().st_mode & 0o777 == 0o600
    assert [p.name for p in home.iterdir()] == ["secret_key"]
    assert signed() == first  # the same key in the next process
