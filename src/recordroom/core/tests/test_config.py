"""recordroom.config: typed RECORDROOM_* readers."""

from __future__ import annotations

import stat

import pytest

from recordroom import config
from recordroom.config import ConfigError


def test_env_bool_reads_the_usual_spellings(monkeypatch):
    for raw, expected in [("true", True), ("1", True), ("YES", True), ("off", False), ("0", False)]:
        monkeypatch.setenv("RECORDROOM_FLAG", raw)
        assert config.env_bool("FLAG", not expected) is expected


def test_env_bool_names_the_variable_when_malformed(monkeypatch):
    monkeypatch.setenv("RECORDROOM_FLAG", "maybe")
    with pytest.raises(ConfigError, match="RECORDROOM_FLAG must be true or false"):
        config.env_bool("FLAG", False)


def test_env_int_bounds(monkeypatch):
    monkeypatch.setenv("RECORDROOM_N", "3")
    assert config.env_int("N", 1, minimum=1, maximum=5) == 3
    with pytest.raises(ConfigError, match="at least 5"):
        config.env_int("N", 1, minimum=5)
    monkeypatch.setenv("RECORDROOM_N", "three")
    with pytest.raises(ConfigError, match="whole number"):
        config.env_int("N", 1)


def test_env_list(monkeypatch):
    monkeypatch.setenv("RECORDROOM_HOSTS", " a.example, b.example ,,")
    assert config.env_list("HOSTS", []) == ["a.example", "b.example"]


def test_home_moves_everything(monkeypatch, tmp_path):
    monkeypatch.setenv("RECORDROOM_HOME", str(tmp_path / "instance"))
    logs = config.home_dir("logs")
    assert logs == tmp_path / "instance" / "logs"
    assert logs.is_dir()


def test_secret_from_file(monkeypatch, tmp_path):
    secret_file = tmp_path / "key"
    secret_file.write_text("s3cret-from-file\n")
    monkeypatch.setenv("RECORDROOM_SECRET_KEY_FILE", str(secret_file))
    assert config.get_mandatory_secret("SECRET_KEY") == "s3cret-from-file"


def test_missing_mandatory_secret_names_both_variables(monkeypatch):
    monkeypatch.delenv("RECORDROOM_SECRET_KEY", raising=False)
    monkeypatch.delenv("RECORDROOM_SECRET_KEY_FILE", raising=False)
    with pytest.raises(ConfigError, match="RECORDROOM_SECRET_KEY \\(or RECORDROOM_SECRET_KEY_FILE\\)"):
        config.get_mandatory_secret("SECRET_KEY")


def test_local_secret_is_generated_once_owner_only(monkeypatch, tmp_path):
    monkeypatch.setenv("RECORDROOM_HOME", str(tmp_path))
    monkeypatch.delenv("RECORDROOM_DEMO_KEY", raising=False)
    first = config.local_secret("demo_key")
    assert config.local_secret("demo_key") == first
    assert len(first) >= 50
    mode = stat.S_IMODE((tmp_path / "keys" / "demo_key").stat().st_mode)
    assert mode == 0o600
