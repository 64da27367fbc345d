"""`make bench`: fedsim against the numpy reference (bench/fedavg_numpy.py) and, with --before
BINARY, against an earlier fedsim build, on the same workloads, in one run.
Usage: python3 bench/run.py FEDSIM VENV_PYTHON [--before BINARY].

Every wall time is the fastest of REPEAT runs; with --before, each repetition runs the current
binary and then the earlier one, so that the machine's load affects both alike. A workload the
earlier binary rejects (a scenario key it does not know, exit status 2) shows "-" in its columns.

Per FedAvg workload, fedsim runs the scenario at R1 and R2 rounds with --threads 1; its
steady-state cost per round is (wall(R2) - wall(R1)) / (R2 - R1), which removes loading,
partitioning, the baseline and the final evaluation. The numpy reference times its own number of
rounds (FEDAVG lists them) after its own setup. "before/after" is the earlier binary's seconds per round over the current
one's; "vs numpy" is numpy seconds per round over fedsim's. Client updates/s = K / fedsim seconds
per round. Peak RSS is the child's maximum resident set (wait4), at R2 rounds. BLAS share: one more
run at R2 rounds with FEDSIM_BLAS_CLOCK set, which times every BLAS call (FedMath's BLASClock,
monotonic clock around each call): nanoseconds inside BLAS / that run's wall time. Threads: wall(R2)
at --threads 1 over wall(R2) at --threads 2.

FedBuff: one run at a fixed number of server versions (bufferSize updates each); tasks/s = tasks
started / wall, each task being one dispatch and one arrival (or loss) event. FedBuff at scale
(bench/fedbuff-churn-*.json: 1k, 100k and 1M devices with the profiles' churn; bench/
fedbuff-fastchurn-*.json: 1k and 1M with the phones' periods shortened to 60 s online and 120 s
offline; the `windows` partition of 2 digits rows each, 5000 server versions): setup s = wall at 1
server version (load, partition, fleet, availability index, baseline, the output files); events/s =
2 x (tasks(5000) - tasks(1)) / (wall(5000) - wall(1)), each task being one dispatch and one end
event; "vs 1k" = events/s over those of the 1k fleet with the same churn; peak RSS at 5000 versions.
"""
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Results", "bench")
FEDAVG = [  # scenario, R1, R2, numpy rounds, numpy arguments (None: no numpy reference)
    ("digits-10of100", 100, 10100, 1000, ["--data", "digits", "--clients", "100", "--per-round", "10"]),
    ("digits-100of1000", 50, 2050, 500, ["--data", "digits", "--clients", "1000", "--per-round", "100"]),
    ("synthetic-1-1", 5, 45, 40, ["--data", "synthetic", "--clients", "30", "--per-round", "10",
                                   "--epochs", "5", "--lr", "0.01", "--l2", "0"]),
    ("shakespeare-quick", 2, 12, None, None),
]
FEDBUFF = ["fedbuff-1k"]
SCALE = [  # scenario, the 1k scenario with the same churn
    ("fedbuff-churn-1k", "fedbuff-churn-1k"), ("fedbuff-churn-100k", "fedbuff-churn-1k"),
    ("fedbuff-churn-1m", "fedbuff-churn-1k"),
    ("fedbuff-fastchurn-1k", "fedbuff-fastchurn-1k"), ("fedbuff-fastchurn-1m", "fedbuff-fastchurn-1k"),
]
REPEAT = 3  # every figure is the fastest of 3 runs, the least disturbed by other load
REJECTED = 2  # fedsim's exit status for a scenario it does not accept


def timed(command, env=None):
    """Wall seconds, peak RSS (MB), stdout and stderr of one child process; None if it rejected its scenario."""
    started = time.perf_counter()
    child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    out, err = child.stdout.read(), child.stderr.read()
    code = os.waitstatus_to_exitcode(status)
    if code == REJECTED:
        return None
    if code != 0:
        sys.exit(f"bench: {' '.join(command)} failed: {err.decode()}")
    return wall, usage.ru_maxrss / 1024, out, err


def scenario(name, rounds):
    """bench/<name>.json with `rounds` and an absolute data path, written under Results/bench/."""
    with open(os.path.join(ROOT, "bench", name + ".json")) as f:
        s = json.load(f)
    s["training"]["rounds"] = rounds
    if "path" in s["data"]:
        s["data"]["path"] = os.path.normpath(os.path.join(ROOT, "bench", s["data"]["path"]))
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, f"{name}-{rounds}.json")
    with open(path, "w") as f:
        json.dump(s, f)
    return path, s


def versions(name):
    with open(os.path.join(ROOT, "bench", name + ".json")) as f:
        return json.load(f)["training"]["rounds"]


def run_once(binary, tag, path, threads, env=None):
    """One run into Results/bench/<scenario>-<tag>-t<threads>: (wall s, peak RSS MB, counters, stderr) or None."""
    name = os.path.splitext(os.path.basename(path))[0]
    out = os.path.join(OUT, f"{name}-{tag}-t{threads}")
    result = timed([binary, "run", path, "--out", out, "--quiet", "--threads", str(threads)], env)
    if result is None:
        return None
    wall, rss, _, err = result
    with open(os.path.join(out, "summary.json")) as f:
        return wall, rss, json.load(f)["counters"], err.decode()


def fastest(binaries, path, threads):
    """For each (binary, tag), the fastest of REPEAT runs, the binaries alternating; None where rejected."""
    best = [None] * len(binaries)
    rejected = [False] * len(binaries)
    for _ in range(REPEAT):
        for i, (binary, tag) in enumerate(binaries):
            if rejected[i]:
                continue
            run = run_once(binary, tag, path, threads)
            if run is None:
                rejected[i] = True
            elif best[i] is None or run[0] < best[i][0]:
                best[i] = run
    return best


def blas_share(binary, path):
    """Nanoseconds inside BLAS calls over the wall time of one run with the BLAS clock on."""
    env = dict(os.environ, FEDSIM_BLAS_CLOCK="1")
    wall, _, _, err = run_once(binary, "blas", path, 1, env)
    line = next(l for l in err.splitlines() if l.startswith("blas clock: "))
    return int(line.split()[2]) * 1e-9 / wall


def figure(value, spec, width):
    """`value` formatted by `spec` and right-aligned in `width` columns, or "-" when there is none."""
    return ("-" if value is None else format(value, spec)).rjust(width)


def ratio(a, b, width):
    """a / b as "1.23x" in `width` columns, or "-" when either is missing."""
    return figure(None if a is None or b is None else a / b, ".2f", width - 1) + ("x" if a is not None and b is not None else " ")


def main():
    binary, python = sys.argv[1], sys.argv[2]
    before = sys.argv[sys.argv.index("--before") + 1] if "--before" in sys.argv else None
    binaries = [(binary, "after")] + ([(before, "before")] if before else [])
    if before:
        print(f"before: {before}")
    print("workload            before s/round  fedsim s/round  before/after  numpy s/round  vs numpy  "
          "client updates/s  peak RSS  BLAS share  threads 1 -> 2")
    for name, r1, r2, numpy_rounds, args in FEDAVG:
        path1, _ = scenario(name, r1)
        path2, s = scenario(name, r2)
        short = fastest(binaries, path1, 1)
        long = fastest(binaries, path2, 1)
        per_round = [None if a is None or b is None else (b[0] - a[0]) / (r2 - r1) for a, b in zip(short, long)]
        after, rss = per_round[0], long[0][1]
        old = per_round[1] if before else None
        w2t2 = fastest(binaries[:1], path2, 2)[0][0]
        numpy = None
        if args is not None:
            numpy = min(json.loads(timed([python, os.path.join(ROOT, "bench", "fedavg_numpy.py"),
                                          "--rounds", str(numpy_rounds)] + args)[2])["secondsPerRound"]
                        for _ in range(REPEAT))
        k = s["training"]["devicesPerRound"]
        print(f"{name:<19} {figure(old, '.3e', 14)}  {after:>14.3e}  {ratio(old, after, 12)}  "
              f"{figure(numpy, '.3e', 13)}  {ratio(numpy, after, 8)}  {k / after:>16.0f}  "
              f"{rss:>5.0f} MB  {blas_share(binary, path2):>9.0%}  "
              f"{long[0][0] / w2t2:>6.2f}x ({long[0][0]:.2f} s -> {w2t2:.2f} s)")
    print("workload            devices  server versions  tasks  wall s  before tasks/s  tasks/s  before/after  "
          "updates applied/s  peak RSS")
    for name in FEDBUFF:
        path, s = scenario(name, versions(name))
        runs = fastest(binaries, path, 1)
        wall, rss, c, _ = runs[0]
        old = runs[1][2]["tasksStarted"] / runs[1][0] if before and runs[1] else None
        devices = sum(g["count"] for g in s["fleet"]["groups"])
        print(f"{name:<19} {devices:>7}  {s['training']['rounds']:>15}  {c['tasksStarted']:>5}  {wall:>6.2f}  "
              f"{figure(old, '.0f', 14)}  {c['tasksStarted'] / wall:>7.0f}  "
              f"{ratio(c['tasksStarted'] / wall, old, 12)}  {c['tasksApplied'] / wall:>17.0f}  "
              f"{rss:>5.0f} MB")
    print("workload              devices  setup s  tasks  events/s  vs 1k  peak RSS")
    rates = {}
    for name, reference in SCALE:
        w1, _, c1, _ = fastest(binaries[:1], scenario(name, 1)[0], 1)[0]
        path, s = scenario(name, versions(name))
        wall, rss, c, _ = fastest(binaries[:1], path, 1)[0]
        devices = sum(g["count"] for g in s["fleet"]["groups"])
        rates[name] = 2 * (c["tasksStarted"] - c1["tasksStarted"]) / (wall - w1)
        print(f"{name:<21} {devices:>7}  {w1:>7.2f}  {c['tasksStarted']:>5}  {rates[name]:>8.0f}  "
              f"{rates[name] / rates[reference]:>4.2f}x  {rss:>5.0f} MB")
    load = os.getloadavg()
    print(f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
