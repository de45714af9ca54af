"""The fidelity report: what will differ when a stored run runs on the real service (GitHub
Actions, a KFP cluster). Every item comes from something the run recorded (its events, its
meta.json) or from the file it ran (the workflow, the compiled pipeline spec kept in the run's
folder); nothing is guessed. ``report.report_for(record)`` is the entry point."""
