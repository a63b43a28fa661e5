"""The measured stages of a benchmark run, one module each; `bench/run.py` runs them in turn.

Each stage is a function that returns its figures as plain JSON data (a dict), which the run
keeps in bench/out/results.json under the stage's name.
"""
