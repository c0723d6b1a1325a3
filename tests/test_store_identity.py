import getpass
import re
from pathlib import Path

import pytest

from warroom.store import LedgerError, default_db_path, node_id, resolve_db_path, resolve_operator


@pytest.fixture(autouse=True)
def private_data_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("WARROOM_OPERATOR", raising=False)
    monkeypatch.delenv("WARROOM_DB", raising=False)
    return tmp_path / "data" / "warroom"


def test_operator_comes_from_the_cli_then_the_environment_then_the_login(monkeypatch):
    assert resolve_operator(None) == getpass.getuser()
    monkeypatch.setenv("WARROOM_OPERATOR", "  lee ")
    assert resolve_operator(None) == "lee"
    assert resolve_operator(" ana ") == "ana"


@pytest.mark.parametrize("value", ["", "   ", "\t\n"])
def test_an_empty_operator_name_is_refused(value, monkeypatch):
    with pytest.raises(LedgerError) as caught:
        resolve_operator(value)
    assert str(caught.value) == "the operator name is empty; pass --operator NAME"
    monkeypatch.setenv("WARROOM_OPERATOR", value)
    with pytest.raises(LedgerError):
        resolve_operator(None)


def test_node_id_is_made_once_and_kept(private_data_home):
    first = node_id()
    assert re.fullmatch(r"[0-9a-f]{12}", first)
    assert node_id() == first
    assert (private_data_home / "node-id").read_text().strip() == first
    assert [p.name for p in private_data_home.iterdir()] == ["node-id"]  # no temp file left


def test_a_damaged_node_id_file_is_replaced(private_data_home):
    private_data_home.mkdir(parents=True)
    (private_data_home / "node-id").write_text("not an id\n")
    assert re.fullmatch(r"[0-9a-f]{12}", node_id())


def test_node_id_falls_back_to_a_stable_value_when_it_cannot_be_kept(tmp_path, monkeypatch):
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the data folder should be")
    monkeypatch.setenv("XDG_DATA_HOME", str(blocker))
    first = node_id()
    assert re.fullmatch(r"[0-9a-f]{12}", first)
    assert node_id() == first


def test_default_db_path_is_in_the_user_data_folder(private_data_home):
    assert default_db_path("billing-cutover") == private_data_home / "billing-cutover.sqlite"


@pytest.mark.parametrize("deployment", ["", ".", "..", "a/b"])
def test_default_db_path_refuses_ids_that_are_not_file_names(deployment):
    with pytest.raises(LedgerError, match="pass --db PATH"):
        default_db_path(deployment)


def test_db_path_comes_from_the_cli_then_the_environment_then_the_default(private_data_home, monkeypatch, tmp_path):
    assert resolve_db_path(None, "billing") == private_data_home / "billing.sqlite"
    monkeypatch.setenv("WARROOM_DB", str(tmp_path / "env.sqlite"))
    assert resolve_db_path(None, "billing") == tmp_path / "env.sqlite"
    assert resolve_db_path("~/x.sqlite", "billing") == Path.home() / "x.sqlite"
