"""act 0.2.89's names for what it creates, so a run can record them.

- a job's container: ``createContainerName("act", "<workflow name>/<job name>")`` — the job
  name as act's JSON log gives it in its ``job`` field (``-1``, ``-2``… for matrix legs);
- a service container: ``createContainerName(<job container>, <service id>)``;
- a job network (jobs with services): ``<job container>-<job id>-network``;
- an action's clone in the action cache: ``safeFilename(uses)``, and with act's newer git
  cache (used whenever ``--local-repository`` is given) ``safeFilename(owner/repo) + ".git"``.

``createContainerName`` replaces every character outside ``[a-zA-Z0-9]`` by ``-``, collapses
``--`` once, trims to 63 characters and appends ``-`` and the SHA-256 of the untrimmed name.
"""

from __future__ import annotations

import re

_UNSAFE = re.compile(r"[^a-zA-Z0-9]")
_FILENAME = str.maketrans({c: "-" for c in '<>:"/\\|?*'})


def container_name(*parts: str) -> str:
    import hashlib  # docker mode's (OpenSSL's libcrypto: ~3 ms to load)

    name = _UNSAFE.sub("-", "-".join(parts)).replace("--", "-")
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()
    return f"{name[:63].strip('-')}-{digest}"


def job_container(job: str) -> str:
    """``job``: act's ``job`` log field, ``<workflow name>/<job name>``."""
    return container_name("act", job)


def service_container(job: str, service_id: str) -> str:
    return container_name(job_container(job), service_id)


def job_network(job: str, job_id: str) -> str:
    return f"{job_container(job)}-{job_id}-network"


def safe_filename(text: str) -> str:
    return text.translate(_FILENAME)


def action_cache_entries(uses: str) -> list[str]:
    """The action cache entries ``uses: owner/repo[/path]@ref`` is cloned into."""
    name = uses.partition("@")[0]
    owner_repo = "/".join(name.split("/")[:2])
    return [safe_filename(uses), safe_filename(owner_repo) + ".git"]
