"""Settings: flags > PIPEDECK_* > [tool.pipedeck] (pyproject.toml / pipedeck.toml) > defaults."""

from pathlib import Path

import pytest

from tui.core import config
from tui.core.errors import BadInput


def test_defaults(tmp_path: Path) -> None:
    settings = config.load(tmp_path)
    assert settings.runner == "auto" and settings.s3_port == 4566
    assert settings.s3_endpoint == "http://127.0.0.1:4566"
    assert settings.buckets == ("my-model-storage",) and settings.ca_bundle is None


def test_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.pipedeck]\nrunner = "docker"\ns3_port = 5000\nbuckets = ["a", "b"]\n'
    )
    assert config.load(tmp_path).runner == "docker"
    monkeypatch.setenv("PIPEDECK_RUNNER", "host")
    monkeypatch.setenv("PIPEDECK_S3_PORT", "6000")
    settings = config.load(tmp_path)
    assert (settings.runner, settings.s3_port, settings.buckets) == ("host", 6000, ("a", "b"))
    assert config.load(tmp_path, runner="auto", s3_port=None).runner == "auto"


def test_pipedeck_toml_wins_over_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.pipedeck]\nrunner = "docker"\n')
    (tmp_path / "pipedeck.toml").write_text('runner = "host"\noffline = true\n')
    settings = config.load(tmp_path)
    assert settings.runner == "host" and settings.offline is True


def test_bad_settings_are_one_line_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.pipedeck\n")
    with pytest.raises(BadInput, match=r"pyproject.toml: invalid TOML"):
        config.load(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[tool.pipedeck]\ncolour = "blue"\n')
    with pytest.raises(BadInput, match=r"pyproject.toml: unknown pipedeck setting\(s\) colour"):
        config.load(tmp_path)
    (tmp_path / "pyproject.toml").unlink()
    monkeypatch.setenv("PIPEDECK_S3_PORT", "many")
    with pytest.raises(BadInput, match="s3_port"):
        config.load(tmp_path)
