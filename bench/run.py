"""`make bench`: fedsim against the numpy reference (bench/fedavg_numpy.py) on the same workloads,
in one run. Usage: python3 bench/run.py FEDSIM VENV_PYTHON.

Every wall time is the fastest of REPEAT runs. Per FedAvg workload, fedsim runs the scenario at R1 and R2 rounds with --threads 1; its steady-state
cost per round is (wall(R2) - wall(R1)) / (R2 - R1), which removes loading, partitioning, the
baseline and the final evaluation. The numpy reference times R2 - R1 rounds after its own setup.
"speed-up" is numpy seconds per round / fedsim seconds per round. Client updates/s = K / fedsim
seconds per round. Peak RSS is the child's maximum resident set (wait4), at R2 rounds. Threads:
wall(R2) at --threads 1 over wall(R2) at --threads 2. FedBuff: one run at a fixed number of server
versions (bufferSize updates each); tasks/s = tasks started / wall, each task being one dispatch
and one arrival (or loss) event. FedBuff at scale (bench/fedbuff-churn-*.json: 1k, 100k and 1M
devices, churn, the `windows` partition of 2 digits rows each, 5000 server versions): setup s =
wall at 1 server version (load, partition, fleet, availability index, baseline, the output files);
events/s = 2 x (tasks(5000) - tasks(1)) / (wall(5000) - wall(1)), each task being one dispatch and one
end event; peak RSS at 5000 versions.
"""
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Results", "bench")
FEDAVG = [  # scenario, R1, R2, numpy arguments
    ("digits-10of100", 100, 1100, ["--data", "digits", "--clients", "100", "--per-round", "10"]),
    ("digits-100of1000", 50, 550, ["--data", "digits", "--clients", "1000", "--per-round", "100"]),
    ("synthetic-1-1", 5, 45, ["--data", "synthetic", "--clients", "30", "--per-round", "10",
                               "--epochs", "5", "--lr", "0.01", "--l2", "0"]),
]
FEDBUFF = ["fedbuff-1k"]
SCALE = ["fedbuff-churn-1k", "fedbuff-churn-100k", "fedbuff-churn-1m"]
REPEAT = 3  # every figure is the fastest of 3 runs, the least disturbed by other load


def timed(command):
    """Wall seconds and peak RSS (MB) of one child process."""
    started = time.perf_counter()
    child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    out, err = child.stdout.read(), child.stderr.read()
    if status != 0:
        sys.exit(f"bench: {' '.join(command)} failed: {err.decode()}")
    return wall, usage.ru_maxrss / 1024, out


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


def fedsim(binary, path, threads):
    """The fastest of REPEAT runs (wall s, its peak RSS MB) and the run's counters."""
    name = os.path.splitext(os.path.basename(path))[0]
    out = os.path.join(OUT, f"{name}-t{threads}")
    wall, rss, _ = min(timed([binary, "run", path, "--out", out, "--quiet", "--threads", str(threads)])
                       for _ in range(REPEAT))
    with open(os.path.join(out, "summary.json")) as f:
        return wall, rss, json.load(f)["counters"]


def main():
    binary, python = sys.argv[1], sys.argv[2]
    print("workload            fedsim s/round  numpy s/round  speed-up  client updates/s  peak RSS  threads 1 -> 2")
    for name, r1, r2, args in FEDAVG:
        path1, _ = scenario(name, r1)
        path2, s = scenario(name, r2)
        w1, _, _ = fedsim(binary, path1, 1)
        w2, rss, _ = fedsim(binary, path2, 1)
        w2t2, _, _ = fedsim(binary, path2, 2)
        per_round = (w2 - w1) / (r2 - r1)
        numpy = min(json.loads(timed([python, os.path.join(ROOT, "bench", "fedavg_numpy.py"), "--rounds", str(r2 - r1)]
                                     + args)[2])["secondsPerRound"] for _ in range(REPEAT))
        k = s["training"]["devicesPerRound"]
        print(f"{name:<19} {per_round:>14.3e}  {numpy:>13.3e}  {numpy / per_round:>7.2f}x  {k / per_round:>16.0f}  "
              f"{rss:>5.0f} MB  {w2 / w2t2:>6.2f}x ({w2:.2f} s -> {w2t2:.2f} s)")
    print("workload            devices  server versions  tasks  wall s  tasks/s  updates applied/s  peak RSS")
    for name in FEDBUFF:
        path, s = scenario(name, json.load(open(os.path.join(ROOT, "bench", name + ".json")))["training"]["rounds"])
        wall, rss, c = fedsim(binary, path, 1)
        devices = sum(g["count"] for g in s["fleet"]["groups"])
        print(f"{name:<19} {devices:>7}  {s['training']['rounds']:>15}  {c['tasksStarted']:>5}  {wall:>6.2f}  "
              f"{c['tasksStarted'] / wall:>7.0f}  {c['tasksApplied'] / wall:>17.0f}  {rss:>5.0f} MB")
    print("workload            devices  setup s  tasks  events/s  peak RSS")
    for name in SCALE:
        versions = json.load(open(os.path.join(ROOT, "bench", name + ".json")))["training"]["rounds"]
        w1, _, c1 = fedsim(binary, scenario(name, 1)[0], 1)
        path, s = scenario(name, versions)
        wall, rss, c = fedsim(binary, path, 1)
        devices = sum(g["count"] for g in s["fleet"]["groups"])
        events = 2 * (c["tasksStarted"] - c1["tasksStarted"]) / (wall - w1)
        print(f"{name:<19} {devices:>7}  {w1:>7.2f}  {c['tasksStarted']:>5}  {events:>8.0f}  {rss:>5.0f} MB")
    load = os.getloadavg()
    print(f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
