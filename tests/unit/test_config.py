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
        '[tool.pipedeck]\nrunner = "docker"\ns3_port = 5000\nbuckets = ["models", "data-v2"]\n'
    )
    assert config.load(tmp_path).runner == "docker"
    monkeypatch.setenv("PIPEDECK_RUNNER", "host")
    monkeypatch.setenv("PIPEDECK_S3_PORT", "6000")
    settings = config.load(tmp_path)
    assert (settings.runner, settings.s3_port, settings.buckets) == (
        "host",
        6000,
        ("models", "data-v2"),
    )
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
    with pytest.raises(BadInput, match="PIPEDECK_S3_PORT=many: expected a port number"):
        config.load(tmp_path)


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("s3_port = 99999", "setting s3_port = 99999: expected a port number 1-65535"),
        ("s3_port = -1", "setting s3_port = -1: expected a port number"),
        ('s3_port = "4566"', "setting s3_port = '4566': expected a port number"),
        ("s3_port = true", "setting s3_port = True: expected a port number"),
        ('offline = "yes"', "setting offline = 'yes': expected true or false"),
        ('runner = "vm"', "setting runner = 'vm': expected one of auto, host, docker"),
        ('buckets = "models"', "setting buckets = 'models': expected a list of bucket names"),
        ('buckets = ["Bad_Name"]', "'Bad_Name' is not one"),
        ("ca_bundle = 3", "setting ca_bundle = 3: expected the path of a PEM file"),
        ("s3_host = 1", "setting s3_host = 1: expected a non-empty string"),
    ],
)
def test_each_setting_is_checked_by_type_and_range(tmp_path: Path, toml: str, message: str):
    (tmp_path / "pyproject.toml").write_text(f"[tool.pipedeck]\n{toml}\n")
    with pytest.raises(BadInput) as caught:
        config.load(tmp_path)
    assert message in caught.value.message
    assert caught.value.message.startswith(str(tmp_path / "pyproject.toml"))


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("PIPEDECK_OFFLINE", "yes", True),
        ("PIPEDECK_OFFLINE", "0", False),
        ("PIPEDECK_BUCKETS", "models, data", ("models", "data")),
        ("PIPEDECK_S3_PORT", "4570", 4570),
    ],
)
def test_environment_strings_become_typed_settings(
    tmp_path, monkeypatch, variable, value, expected
):
    monkeypatch.setenv(variable, value)
    name = variable.removeprefix("PIPEDECK_").lower()
    assert getattr(config.load(tmp_path), name) == expected


def test_a_malformed_tool_table_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('tool = "x"\n')
    with pytest.raises(BadInput, match=r"\[tool\] must be a table"):
        config.load(tmp_path)
    (tmp_path / "pyproject.toml").write_bytes(b"[tool.pipedeck]\nrunner = '\xff'\n")
    with pytest.raises(BadInput, match="not UTF-8"):
        config.load(tmp_path)
