"""The app factory: configuration comes from the instance folder it is given, the same way for `kb serve --instance`."""

from __future__ import annotations

from pathlib import Path

from kb import create_app


def test_the_instance_folders_config_py_is_read(tmp_path: Path) -> None:
    (tmp_path / "config.py").write_text('SECRET_KEY = "from-the-instance"\nKB_MARKER = 42\n', encoding="utf-8")
    app = create_app(instance_path=tmp_path)
    assert app.config["SECRET_KEY"] == "from-the-instance" and app.config["KB_MARKER"] == 42
    assert Path(app.instance_path) == tmp_path.resolve()
    assert Path(app.config["INDEX_LINK"]) == tmp_path.resolve() / "index"


def test_test_config_overrides_the_instance_config(tmp_path: Path) -> None:
    (tmp_path / "config.py").write_text('SECRET_KEY = "from-the-instance"\n', encoding="utf-8")
    app = create_app({"SECRET_KEY": "from-the-test"}, instance_path=tmp_path)
    assert app.config["SECRET_KEY"] == "from-the-test"


def test_an_empty_instance_answers_503_with_the_command_to_run(tmp_path: Path) -> None:
    client = create_app(instance_path=tmp_path).test_client()
    response = client.get("/?q=refugees")
    assert response.status_code == 503 and "kb index" in response.get_data(as_text=True)
