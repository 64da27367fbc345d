#!/usr/bin/env python3
"""Rerun every fedsim run behind a measured figure of README.md and print the figures.

Usage, from the repository root after `swift build -c release --product fedsim`:

    python3 bench/readme_figures.py [--bin .build/release/fedsim] [--out Results/readme-figures]

Each block below names the README section it refreshes and the command it runs (the same command
the README quotes beside the table). Runs go to OUT/<name>/; every figure is read back from the
run's summary.json, seeds.json, curve.csv or terminal output, never computed from fedsim's own
formulas. Wall-clock columns are the measured elapsed time of the `fedsim run` process.
Sections not covered: Benchmark (`make bench`) and Models (owned elsewhere).
"""

import argparse
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", default=os.path.join(ROOT, ".build/release/fedsim"))
    parser.add_argument("--out", default=os.path.join(ROOT, "Results/readme-figures"))
    return parser.parse_args()


ARGS = parse_args()


def fedsim(*args, check=True):
    """Runs fedsim with ARGS from the repository root; returns (stdout, wall seconds)."""
    started = time.monotonic()
    done = subprocess.run([ARGS.bin, *args], cwd=ROOT, capture_output=True, text=True)
    wall = time.monotonic() - started
    if check and done.returncode != 0:
        sys.exit(f"fedsim {' '.join(args)} exited {done.returncode}: {done.stderr.strip()}")
    return done.stdout + done.stderr, wall


def run(scenario, name=None, seeds=None):
    """`fedsim run SCENARIO --out OUT/NAME --quiet [--seeds N]`; returns (folder, wall seconds)."""
    name = name or os.path.basename(scenario)[:-5]
    folder = os.path.join(ARGS.out, name)
    extra = ["--seeds", str(seeds)] if seeds else []
    _, wall = fedsim("run", scenario, "--out", folder, "--quiet", *extra)
    return folder, wall


def summary(folder):
    with open(os.path.join(folder, "summary.json")) as f:
        return json.load(f)


def curve(folder):
    with open(os.path.join(folder, "curve.csv")) as f:
        return list(csv.DictReader(f))


def variant(scenario, edit, name):
    """A copy of SCENARIO with EDIT applied to its JSON (data path made absolute), in a temp file."""
    with open(os.path.join(ROOT, scenario)) as f:
        s = json.load(f)
    data = s.setdefault("data", {})
    data["path"] = os.path.join(ROOT, "Scenarios", data.get("path", "data/digits.csv"))
    s["name"] = name
    edit(s)
    fd, path = tempfile.mkstemp(suffix=".json", prefix=name + "-")
    with os.fdopen(fd, "w") as f:
        json.dump(s, f)
    return path


def reached(x):
    """A to-target figure, or "not reached" where summary.json has null (or, before, no key)."""
    return "not reached" if x is None else x


def pct(x):
    return "-" if x is None else f"{100 * x:.2f}%"


def g(x, digits=3):
    return "-" if x is None else f"{x:.{digits}g}"


def secs(x):
    return "not reached" if x is None else f"{x:.2f} s"


def claim(s, key):
    return s["efficiency"][key].get("value")


def med_range(values, fmt):
    values = [v for v in values if v is not None]
    if not values:
        return "-"
    return f"{fmt(statistics.median(values))} [{fmt(min(values))}, {fmt(max(values))}]"


def header(title):
    print(f"\n## {title}\n")


def measured_results():
    header("Measured results: fedsim run Scenarios/{quickstart,quickstart-iid,synthetic-1-1}.json")
    print("| scenario | FedAvg final | FedAvg best | baseline best | rounds to target | federated time to target"
          " | compute utilisation | work by samples | work by FLOPs | loss ratio (gap) | time vs equal compute"
          " | by time vs one server |")
    for name in ["quickstart", "quickstart-iid", "synthetic-1-1"]:
        folder, _ = run(f"Scenarios/{name}.json")
        s = summary(folder)
        f, e = s["federated"], s["efficiency"]
        work = claim(s, "workBySamples")
        print(f"| {name} | {pct(f['finalAccuracy'])} | {pct(f['bestAccuracy'])} | {pct(s['baseline']['bestAccuracy'])}"
              f" | {reached(f.get('roundToTarget'))} | {secs(f.get('timeToTargetSeconds'))}"
              f" | {g(claim(s, 'computeUtilisation'), 2)} | {g(work, 3)} ({e['workBySamples']['verdict']})"
              f" | {g(claim(s, 'workByFLOPs'), 3)} ({e['workByFLOPs']['verdict']})"
              f" | {g(claim(s, 'lossAtEqualSamples'), 2)} ({s['lossGap']['gap']:+.3f})"
              f" | {g(claim(s, 'timeAtEqualCompute'), 2)} | {g(e.get('timeVersusOneServer'), 2)} |")
        rows = [r for r in curve(folder) if r["run"] == "federated"]
        above = sum(float(r["accuracy"]) >= s["targetAccuracy"] for r in rows)
        print(f"    {name}: target {pct(s['targetAccuracy'])}, {above} federated evaluations at or above it;"
              f" centralized / federated samples to target {g(work)} (1/x = {g(1 / work) if work else '-'});"
              f" samples baseline {s['baseline']['samples']}, federated {f['samples']};"
              f" loss gap compared at {s['lossGap']['comparedAt']}")


def data_section():
    header("Data: fedsim run Scenarios/quickstart.json and Scenarios/quickstart-niid-bench.json (last row of each curve)")
    print("| scenario | FedAvg final | baseline final | samples to target | time to target | test loss | train loss"
          " | baseline test / train loss |")
    for name in ["quickstart", "quickstart-niid-bench"]:
        folder, _ = run(f"Scenarios/{name}.json")
        s, rows = summary(folder), curve(folder)
        fed = [r for r in rows if r["run"] == "federated"][-1]
        base = [r for r in rows if r["run"] == "baseline"][-1]
        f = s["federated"]
        print(f"| {name} | {pct(f['finalAccuracy'])} | {pct(s['baseline']['finalAccuracy'])}"
              f" | {reached(f.get('samplesToTarget'))} | {secs(f.get('timeToTargetSeconds'))}"
              f" | {float(fed['loss']):.4f} | {float(fed['train_loss']):.4f}"
              f" | {float(base['loss']):.4f} / {float(base['train_loss']):.4f} |")
    path = variant("Scenarios/quickstart-niid-bench.json",
                   lambda s: s["data"]["partition"].update(minSize=10), "niid-bench-minsize10")
    out, _ = fedsim("validate", path, check=False)
    os.remove(path)
    print(f"    quickstart-niid-bench with minSize 10: {out.strip()}")


STRAGGLERS = ["fedavg", "fedavg-overselect", "fedbuff", "fedasync"]


def stragglers():
    header("Asynchronous modes: fedsim run Scenarios/stragglers-<mode>.json --seeds 5 (median [range] over seeds)")
    per = {}
    for mode in STRAGGLERS:
        folder, _ = run(f"Scenarios/stragglers-{mode}.json", seeds=5)
        per[mode] = [summary(os.path.join(folder, f"seed-{k}")) for k in range(5)]
    targets = [s["targetAccuracy"] for s in per["fedavg"]]
    print(f"seeds {per['fedavg'][0]['seed']} to {per['fedavg'][-1]['seed']}; targets {pct(min(targets))} to {pct(max(targets))}")
    print("| mode | time to target | samples to target | final accuracy | model versions in 60 s | compute utilisation |")
    for mode in STRAGGLERS:
        runs = per[mode]
        missing = [s["seed"] for s in runs if s["federated"].get("timeToTargetSeconds") is None]
        versions = [s["modelVersions"] for s in runs]
        note = f", not reached {len(missing)} of 5 (seeds {missing})" if missing else ""
        print(f"| {mode} | {med_range([s['federated'].get('timeToTargetSeconds') for s in runs], lambda x: f'{x:.2f} s')}{note}"
              f" | {med_range([s['federated'].get('samplesToTarget') for s in runs], lambda x: f'{x:.0f}')}"
              f" | {med_range([s['federated']['finalAccuracy'] for s in runs], pct)}"
              f" | {min(versions)}-{max(versions)}"
              f" | {med_range([claim(s, 'computeUtilisation') for s in runs], lambda x: f'{x:.4f}')} |")
    print("\nspeedup = FedAvg time to target / the other's, per seed where both reached it")
    for reference in ["fedavg", "fedavg-overselect"]:
        cells = []
        for other in ["fedbuff", "fedasync"]:
            speed, work = [], []
            for a, b in zip(per[reference], per[other]):
                ta, tb = a["federated"].get("timeToTargetSeconds"), b["federated"].get("timeToTargetSeconds")
                if ta is not None and tb is not None:
                    speed.append(ta / tb)
                    work.append(b["federated"]["samplesToTarget"] / a["federated"]["samplesToTarget"])
            cells += [med_range(speed, lambda x: f"{x:.2f}x"), med_range(work, lambda x: f"{x:.2f}")]
        print(f"| {reference} ({len(speed)} seeds) | " + " | ".join(cells) + " |")
    for mode in ["fedbuff", "fedasync"]:
        st = [s["staleness"] for s in per[mode]]
        print(f"    {mode} staleness: mean {med_range([x['mean'] for x in st], lambda x: f'{x:.2f}')},"
              f" p90 {min(x['p90'] for x in st)}-{max(x['p90'] for x in st)},"
              f" max {min(x['max'] for x in st)}-{max(x['max'] for x in st)}")


COMPRESSION = ["none", "topk10", "topk10-ef", "topk1", "topk1-ef", "topk0.1", "topk0.1-ef",
               "topk1-uint8-ef", "topk1-qsgd-ef", "qsgd4", "uint8", "sign-ef"]


def compression():
    header("Compression: fedsim run Scenarios/compression-<name>.json")
    print("| scenario | bytes up | factor | final accuracy | time to target |")
    for name in COMPRESSION:
        folder, _ = run(f"Scenarios/compression-{name}.json")
        s = summary(folder)
        f = s["federated"]
        print(f"| compression-{name} | {f['bytesUp']} | {s['compression']['uplinkFactor']:.1f}x"
              f" | {pct(f['finalAccuracy'])} | {secs(f.get('timeToTargetSeconds'))} |")


PRIVACY = ["none", "dp-low", "dp-high", "dp-poisson", "secagg", "both", "secagg-uint8", "secagg-randomk"]


def privacy():
    header("Privacy: fedsim run Scenarios/privacy-<name>.json")
    print("| scenario | final accuracy | epsilon (method) | bytes up | bytes down | virtual time | wall clock"
          " | secure-aggregation bytes | clipped |")
    found = {}
    for name in PRIVACY:
        folder, wall = run(f"Scenarios/privacy-{name}.json")
        s = found[name] = summary(folder)
        f = s["federated"]
        eps = s.get("epsilon")
        method = (s.get("privacyAccounting") or {}).get("method", "")
        print(f"| privacy-{name} | {pct(f['finalAccuracy'])} | {'-' if eps is None else f'{eps:.4g}'} ({method})"
              f" | {f['bytesUp']} | {f['bytesDown']} | {f['virtualTimeSeconds']:.2f} s | {wall:.2f} s"
              f" | {s['counters']['secureAggregationBytes']} | {s['counters']['secureAggregationClipped']} |")
    none, sec = found["none"]["federated"], found["secagg"]["federated"]
    print(f"    secure aggregation / none: bytes up {sec['bytesUp'] / none['bytesUp']:.3f}x,"
          f" down {sec['bytesDown'] / none['bytesDown']:.3f}x,"
          f" virtual time {sec['virtualTimeSeconds'] / none['virtualTimeSeconds']:.2f}x;"
          f" random-k loses {100 * (found['secagg']['federated']['finalAccuracy'] - found['secagg-randomk']['federated']['finalAccuracy']):.2f} points")

    def as_fedbuff(s):
        del s["training"]["devicesPerRound"]
        s["training"].update(mode="fedbuff", concurrency=10, fedbuff={"bufferSize": 10})

    variants = [
        ("privacy-dp-high-overselect", lambda s: s["training"].update(overSelection=1.0)),
        ("privacy-dp-high-fedbuff", as_fedbuff),
    ]
    for name, edit in variants:
        path = variant("Scenarios/privacy-dp-high.json", edit, name)
        folder, _ = run(path, name)
        os.remove(path)
        s = summary(folder)
        acc = s["privacyAccounting"]
        print(f"    {name}: epsilon {s['epsilon']:.4g} ({acc['method']}, steps {acc['steps']},"
              f" worst device {acc.get('worstDevice')}), final accuracy {pct(s['federated']['finalAccuracy'])}")
        out, _ = fedsim("privacy", "--q", "1", "--sigma", "1.5", "--steps", str(acc["steps"]))
        print(f"      fedsim privacy --q 1 --sigma 1.5 --steps {acc['steps']}: {out.strip()}")
    path = variant("Scenarios/privacy-secagg-randomk.json", lambda s: s.pop("secureAggregation"), "randomk-without-masks")
    folder, _ = run(path, "randomk-without-masks")
    os.remove(path)
    print(f"    privacy-secagg-randomk without secureAggregation: final accuracy"
          f" {pct(summary(folder)['federated']['finalAccuracy'])}, against privacy-none {pct(none['finalAccuracy'])}")
    for args in [["--q", "0.1", "--sigma", "1.5", "--steps", "300"],
                 ["--q", "0.0005", "--sigma", "4", "--steps", "5000"]]:
        out, _ = fedsim("privacy", *args)
        print(f"    fedsim privacy {' '.join(args)}: {out.strip()}")


def several_seeds():
    header("Several seeds: fedsim run Scenarios/quickstart.json --seeds 3")
    out, _ = fedsim("run", "Scenarios/quickstart.json", "--seeds", "3", "--out",
                    os.path.join(ARGS.out, "quickstart-seeds"))
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("efficiency over"))
    print("\n".join(lines[start:start + 7]))


def regress_example():
    header("Golden curves: make regress with the quickstart at learning rate 0.25 instead of 0.3")
    folder = tempfile.mkdtemp(prefix="regress-example-")
    path = os.path.join(folder, "quickstart.json")
    os.replace(variant("Scenarios/quickstart.json", lambda s: s["training"].update(learningRate=0.25), "quickstart"), path)
    listing = os.path.join(folder, "regress.txt")
    with open(listing, "w") as f:
        f.write(path + "\n" + "".join(line for line in open(os.path.join(ROOT, "Scenarios/regress.txt"))
                                      if line.strip() and not line.startswith("#") and "quickstart.json" not in line))
    done = subprocess.run(["make", "--no-print-directory", "regress", f"REGRESS_LIST={listing}",
                           f"REGRESS_OUT={os.path.join(ARGS.out, 'regress-example')}"],
                          cwd=ROOT, capture_output=True, text=True)
    print("\n".join(line for line in done.stdout.splitlines() if not line.startswith(("[", "Build", "swift "))))
    shutil.rmtree(folder)


if __name__ == "__main__":
    os.makedirs(ARGS.out, exist_ok=True)
    measured_results()
    data_section()
    stragglers()
    compression()
    privacy()
    several_seeds()
    regress_example()
