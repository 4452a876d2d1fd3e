"""The eval set and its runner: `python -m evals`."""
