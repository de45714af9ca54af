"""pipedeck's core: runners, the event model, the run store and the local stack.

Pure Python. Never imports textual (checked by import-linter and by a test).
"""
