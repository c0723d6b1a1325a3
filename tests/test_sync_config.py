"""Which export to sync with: --export, then $WARROOM_EXPORT, then `export:` in the config file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from platformdirs import user_config_path

from warroom.sync.config import ExportChoice, config_path, resolve_export
from warroom.sync.errors import SyncError


@pytest.fixture
def config(tmp_path) -> Path:
    return tmp_path / "config" / "config.yaml"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_the_command_line_wins_over_the_environment_and_the_file(config, tmp_path):
    write(config, "export: /from/file\n")
    environ = {"WARROOM_EXPORT": "/from/env"}
    assert resolve_export(str(tmp_path / "cli"), environ=environ, path=config) == ExportChoice(
        str(tmp_path / "cli"), "--export")


def test_the_environment_wins_over_the_file(config):
    write(config, "export: /from/file\n")
    assert resolve_export(None, environ={"WARROOM_EXPORT": "/from/env"}, path=config) == ExportChoice(
        "/from/env", "WARROOM_EXPORT")


def test_an_empty_environment_variable_falls_through_to_the_file(config):
    write(config, "# where we all meet\nexport: git:ssh://git@127.0.0.1/warroom.git\ntheme: dark\n")
    assert resolve_export(None, environ={"WARROOM_EXPORT": "  "}, path=config) == ExportChoice(
        "git:ssh://git@127.0.0.1/warroom.git", str(config))


@pytest.mark.parametrize("text", [None, "", "# nothing yet\n", "theme: dark\n", "export:\n", "export: ''\n"])
def test_nothing_names_an_export(config, text):
    if text is not None:
        write(config, text)
    assert resolve_export(None, environ={}, path=config) is None


def test_a_folder_gets_its_tilde_expanded_but_a_git_remote_does_not(config, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert resolve_export("~/share", environ={}, path=config).spec == str(tmp_path / "home" / "share")
    assert resolve_export(None, environ={"WARROOM_EXPORT": "~/env-share"}, path=config).spec == str(
        tmp_path / "home" / "env-share")
    write(config, "export: ~/file-share\n")
    assert resolve_export(None, environ={}, path=config).spec == str(tmp_path / "home" / "file-share")
    assert resolve_export("git:~/repo.git", environ={}, path=config).spec == "git:~/repo.git"


def test_an_empty_command_line_value_is_an_error(config):
    with pytest.raises(SyncError, match=r"^--export is empty; give a folder or git:<remote>$"):
        resolve_export(" ", environ={"WARROOM_EXPORT": "/from/env"}, path=config)


@pytest.mark.parametrize(
    "text, what",
    [
        ("export: [unclosed\n", "is not YAML: "),
        ("- export: /a\n", "is not a mapping like `export: ~/share/warroom` (found a list)"),
        ("export: [/a, /b]\n", "has an export that is not text (found a list)"),
        ("export: 42\n", "has an export that is not text (found a number)"),
        ("export: {git: x}\n", "has an export that is not text (found a mapping)"),
        ("export: yes\n", "has an export that is not text (found true/false)"),
    ],
)
def test_a_broken_config_file_is_one_sentence_naming_it(config, text, what):
    write(config, text)
    with pytest.raises(SyncError) as caught:
        resolve_export(None, environ={}, path=config)
    message = str(caught.value)
    assert message.startswith(f"the config file {config} {what}")
    assert message.endswith("; fix or remove it")


def test_a_config_file_that_is_not_utf8_or_not_a_file_is_an_error(config):
    write(config, "")
    config.write_bytes(b"export: /caf\xe9\n")
    with pytest.raises(SyncError, match="is not UTF-8 text; fix or remove it"):
        resolve_export(None, environ={}, path=config)
    os.unlink(config)
    config.mkdir()
    with pytest.raises(SyncError, match="cannot be read: "):
        resolve_export(None, environ={}, path=config)


def test_a_broken_config_file_does_not_matter_when_something_else_names_the_export(config):
    write(config, "export: [unclosed\n")
    assert resolve_export(None, environ={"WARROOM_EXPORT": "/from/env"}, path=config).source == "WARROOM_EXPORT"


def test_the_config_file_is_in_the_users_config_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    assert config_path() == user_config_path("warroom") / "config.yaml"
    assert config_path() == tmp_path / "xdg-config" / "warroom" / "config.yaml"
    write(config_path(), "export: /from/default/file\n")
    assert resolve_export(None, environ={}) == ExportChoice("/from/default/file", str(config_path()))
