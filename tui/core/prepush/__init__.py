"""Before you push: which workflows GitHub would run for the push about to be made, and
running them locally (``pipedeck prepush``, the ``pre-push`` hook of ``pipedeck hook``).

``patterns.py`` reads GitHub's filter patterns; ``filters.py`` decides ``on.push`` /
``on.pull_request`` (pure: a workflow's ``on:`` and the facts of the event in, a decision
out); ``triggers.py`` reads the project's workflow files for it. ``push.py`` works the push
out with git (``git.py`` runs it), ``pull_request.py`` the pull request, ``repo.py`` what a
payload says of the repository; ``payload.py`` writes the event payload act is given,
``runs.py`` starts the runs, ``hook.py`` writes the git hook.
"""
