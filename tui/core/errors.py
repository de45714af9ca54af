"""Errors the user can act on. Each carries the process exit code the CLI uses."""

from __future__ import annotations

EXIT_OK = 0
EXIT_RUN_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_MISSING_PREREQ = 3
EXIT_INTERNAL = 70  # pipedeck itself broke (a bug: the run's error names the exception)
EXIT_CANCELLED = 130


class PipedeckError(Exception):
    """A one-line message for the user; ``exit_code`` says which kind of failure it is."""

    exit_code = EXIT_BAD_INPUT

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadInput(PipedeckError):
    """The user gave something we cannot use: a missing file, malformed YAML, unknown job."""

    exit_code = EXIT_BAD_INPUT


class MissingPrerequisite(PipedeckError):
    """Something the machine lacks: a Docker engine, an image, a binary."""

    exit_code = EXIT_MISSING_PREREQ
