#!/usr/bin/env python3
"""Interleaved rounds for scripts/bench's start-up rows.

Usage: rounds.py RUNS WARMUPS NAME=COMMAND...   (each COMMAND split as a shell would, and run without a shell, as
hyperfine -N does; the first is the baseline)

Each round runs every command once, in the order given, so that a machine whose speed drifts (it moved by +-10% over
minutes on the 2-core machines measured in ADR-003) slows a round's commands alike. Prints one line per command:
NAME MEDIAN_MS RATIO, the ratio being the median of each round's ratio to that round's baseline."""
import shlex
import statistics
import subprocess
import sys
import time


def main():
    runs, warmups = int(sys.argv[1]), int(sys.argv[2])
    commands = [(name, shlex.split(command)) for name, command in (arg.split("=", 1) for arg in sys.argv[3:])]
    times = {name: [] for name, _ in commands}
    for round_ in range(warmups + runs):
        for name, command in commands:
            start = time.perf_counter()
            subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, check=False)
            if round_ >= warmups:
                times[name].append((time.perf_counter() - start) * 1000)
    base = times[commands[0][0]]
    for name, _ in commands:
        ratios = [t / b for t, b in zip(times[name], base)]
        print(f"{name} {statistics.median(times[name]):.1f} {statistics.median(ratios):.2f}")


if __name__ == "__main__":
    main()
