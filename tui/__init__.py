"""pipedeck: run a project's GitHub Actions workflows and Kubeflow pipelines locally."""

__version__ = "0.1.0"
