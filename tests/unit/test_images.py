"""The runner image's name and the errors a user without an engine or a registry sees."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from docker.errors import APIError, ImageNotFound

from tui.core.errors import EXIT_MISSING_PREREQ, BadInput, MissingPrerequisite
from tui.core.images import docker_engine, local_images

REF = re.compile(r"^pipedeck-runner:[0-9a-f]{12}$")


@pytest.fixture
def dead_engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """DOCKER_HOST points at a unix socket nothing listens on."""
    host = f"unix://{tmp_path / 'nobody-listens.sock'}"
    monkeypatch.setenv("DOCKER_HOST", host)
    return host


@pytest.fixture
def runner_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "runner"
    shutil.copytree(local_images.runner_dir(), copy)
    return copy


def test_the_runner_definition_ships_in_localstack() -> None:
    dockerfile = local_images.runner_dir() / "Dockerfile"
    text = dockerfile.read_text()
    assert local_images.runner_dir() == local_images.localstack_dir() / "runner"
    assert "ARG BASE=debian:bookworm-slim\nFROM ${BASE}\n" in text
    assert ":latest" not in text
    assert all(
        ":" in line or "${BASE}" in line for line in text.splitlines() if line.startswith("FROM")
    )


def test_content_hash_is_stable(runner_copy: Path) -> None:
    first = local_images.content_hash(runner_copy, "BASE=debian:bookworm-slim")
    assert re.fullmatch(r"[0-9a-f]{12}", first)
    assert local_images.content_hash(runner_copy, "BASE=debian:bookworm-slim") == first
    assert (
        local_images.content_hash(local_images.runner_dir(), "BASE=debian:bookworm-slim") == first
    )


def test_content_hash_changes_when_a_file_changes(runner_copy: Path) -> None:
    before = local_images.content_hash(runner_copy)
    dockerfile = runner_copy / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text() + "\nRUN true\n")
    assert local_images.content_hash(runner_copy) != before


def test_content_hash_covers_new_and_renamed_files_and_the_base(runner_copy: Path) -> None:
    before = local_images.content_hash(runner_copy)
    (runner_copy / "extra.sh").write_text("echo hi\n")
    added = local_images.content_hash(runner_copy)
    assert added != before
    (runner_copy / "extra.sh").rename(runner_copy / "other.sh")
    assert local_images.content_hash(runner_copy) not in (before, added)
    assert local_images.content_hash(runner_copy, "BASE=a") != local_images.content_hash(
        runner_copy, "BASE=b"
    )


def test_runner_image_names_a_hash_never_latest(dead_engine: str) -> None:
    ref = local_images.runner_image()
    assert REF.match(ref), ref
    assert local_images.runner_image() == ref


def test_no_engine_means_no_image_and_a_clear_status(dead_engine: str) -> None:
    assert local_images.image_present("pipedeck-runner:000000000000") is False
    status = docker_engine.engine_status(timeout=1)
    assert status.answers is False
    assert status.version == ""
    assert "\n" not in status.detail
    assert dead_engine in status.detail


def test_building_without_an_engine_says_how_to_start_one(dead_engine: str) -> None:
    with pytest.raises(MissingPrerequisite) as caught:
        local_images.build_runner()
    message = caught.value.message
    assert "\n" not in message
    assert "no Docker engine answers" in message
    assert dead_engine in message


def test_image_build_command_without_an_engine_is_one_line(dead_engine: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "tui", "image", "build", "runner"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == EXIT_MISSING_PREREQ, proc.stderr
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("pipedeck: no Docker engine answers")


def test_a_missing_ca_bundle_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="no such file"):
        local_images.build_runner(ca_bundle=tmp_path / "missing.crt")


class _Images:
    def get(self, ref: str) -> Any:
        raise ImageNotFound(f"No such image: {ref}")


class _Api:
    def pull(self, repository: str, **kwargs: Any) -> Any:
        raise APIError("Get https://registry-1.docker.io/v2/: no such host")


class NoRegistryEngine:
    """An engine that has no images and cannot reach any registry."""

    images = _Images()
    api = _Api()

    def close(self) -> None:
        pass


@pytest.fixture
def no_registry(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.setattr(docker_engine, "client", lambda timeout=60.0: NoRegistryEngine())
    return []


def test_no_registry_and_no_debootstrap_says_install_it(
    no_registry: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(local_images.shutil, "which", lambda name: None)
    with pytest.raises(MissingPrerequisite) as caught:
        local_images.build_runner(no_registry.append)
    assert "apt-get install debootstrap" in caught.value.message
    assert "\n" not in caught.value.message
    assert "no registry answered; building a Debian base with debootstrap (once)" in no_registry


def test_an_unpullable_custom_base_is_not_replaced_by_debian(
    no_registry: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PIPEDECK_RUNNER_BASE", "registry.example/debian:bookworm-slim")
    with pytest.raises(MissingPrerequisite, match="PIPEDECK_RUNNER_BASE"):
        local_images.build_runner(no_registry.append)
    assert not any("debootstrap" in line for line in no_registry)


class _ProxiedApi:
    """A build whose apt meets an intercepting proxy's certificate."""

    def build(self, **kwargs: Any) -> Any:
        assert kwargs["buildargs"] == {"BASE": "debian:bookworm-slim"}
        yield {"stream": "Step 4/10 : RUN apt-get update\n"}
        yield {"stream": "Err:1 https://deb.debian.org/debian bookworm InRelease\n"}
        yield {"stream": "  Certificate verification failed: The certificate is NOT trusted.\n"}
        yield {
            "error": "The command '/bin/sh -c set -eux; apt-get update' returned a non-zero "
            "code: 100"
        }


class _BaseOnly:
    def get(self, ref: str) -> Any:
        if ref != "debian:bookworm-slim":
            raise ImageNotFound(f"No such image: {ref}")
        return object()


class ProxiedEngine:
    images = _BaseOnly()
    api = _ProxiedApi()

    def close(self) -> None:
        pass


def test_an_untrusted_proxy_certificate_points_at_the_ca_bundle_option(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(docker_engine, "client", lambda timeout=60.0: ProxiedEngine())
    lines: list[str] = []
    with pytest.raises(local_images.ImageBuildFailed) as caught:
        local_images.build_runner(lines.append)
    message = caught.value.message
    assert "\n" not in message
    assert "a RUN step exited with code 100" in message
    assert "--ca-bundle" in message
    assert any("NOT trusted" in line for line in lines)


def test_the_debootstrap_base_is_named_by_its_recipe(monkeypatch: pytest.MonkeyPatch) -> None:
    default = local_images.debootstrap_base()
    assert re.fullmatch(r"pipedeck-base:bookworm-[0-9a-f]{12}", default)
    monkeypatch.setenv("PIPEDECK_DEBIAN_MIRROR", "http://mirror.example/debian")
    assert local_images.debootstrap_base() != default
