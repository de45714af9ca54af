"""Cluster mode: a kind cluster with a minimal Kubeflow Pipelines install, and pipelines run on
it (or on any KFP endpoint) through ``kfp.Client``.

Modules: ``tools`` (find and run kind/kubectl), ``kind`` / ``kubectl`` (their argv),
``settings`` (names, ports, paths), ``preflight``, ``install`` (``up --cluster``), ``forward``
(the API/UI port-forwards), ``airgap`` (image tarballs), ``task_map`` (KFP task details → node
events), ``pod_logs``, ``runner`` (``ClusterPipelineRunner``), ``targets`` (kind or
``--kfp-host``) and ``launch`` (a recorded run, as ``tui.core.launch`` does for kfp.local).
"""
