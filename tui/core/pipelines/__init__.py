"""The pipeline side: Kubeflow pipelines run locally through ``kfp.local`` in a child process.

``discovery`` finds pipelines, ``compile`` compiles them and checks parameters, ``env`` keeps
the cached component virtualenv, ``runner`` runs the ``driver`` child, which installs the
``hooks`` into ``kfp.local`` and speaks the event model on its stdout.

This package's ``__init__`` stays import-free: the driver imports it inside the component
environment, where only the standard library, kfp and its dependencies exist.
"""
