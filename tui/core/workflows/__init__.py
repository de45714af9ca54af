"""The workflow side: GitHub Actions workflows run locally through act.

``discovery`` reads the workflow files into a plan of jobs and steps, ``mode`` chooses host or
docker mode, ``act_argv`` checks a request and builds act's command line, ``runner`` runs act
and turns ``act_log``'s parse of its JSON log into events; ``standins`` maps well-known
actions to local stand-ins when offline, ``host_venv`` makes host mode's per-run virtualenv.
"""
