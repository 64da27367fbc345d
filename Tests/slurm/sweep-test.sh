#!/usr/bin/env bash
# sweep-test.sh FEDSIM [SWEEP.json]: runs a sweep (by default a 4-point one written here) locally with --jobs 2 and as a Slurm job array on a
# single-node cluster started for the test (cluster.sh, under a temporary folder, stopped at the
# end), and checks that the merged sweep-curves.csv and sweep-runs.csv are byte-identical.
# Exit 0 when they are or when the cluster cannot start (then it says SKIPPED and why), 1 otherwise.
set -euo pipefail
FEDSIM=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/fedsim-slurm.XXXXXX")
chmod 0755 "$T"  # munged wants every folder above its socket searchable by all
mkdir -p "$T/cluster"
trap 'bash "$HERE/cluster.sh" down "$T/cluster" || true; rm -rf "$T"' EXIT

if ! bash "$HERE/cluster.sh" up "$T/cluster" 2>"$T/cluster-up.log"; then
  echo "slurm sweep test: SKIPPED, the single-node cluster did not start: $(tail -n 1 "$T/cluster-up.log")"
  exit 0
fi
export SLURM_CONF=$T/cluster/slurm.conf

if [ -n "${2:-}" ]; then
  sweep=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
  what=$(basename "$2")
else
  sweep=$T/sweep.json
  what="4 points"
  cat >"$sweep" <<JSON
{ "name": "slurm-test", "scenario": "$ROOT/Scenarios/quickstart.json",
  "grid": [ { "path": "training.learningRate", "values": [0.1, 0.3] },
            { "path": "training.devicesPerRound", "values": [5, 10] },
            { "path": "training.rounds", "values": [20] } ],
  "seeds": [4] }
JSON
fi
start=$(date +%s.%N)
"$FEDSIM" sweep "$sweep" --out "$T/local" --jobs 2 --quiet
mid=$(date +%s.%N)
"$FEDSIM" sweep "$sweep" --out "$T/slurm" --slurm --wait --quiet
end=$(date +%s.%N)
status=0
for f in sweep-curves.csv sweep-runs.csv; do
  if ! cmp -s "$T/local/$f" "$T/slurm/$f"; then echo "slurm sweep test: FAIL, $f differs:"; diff "$T/local/$f" "$T/slurm/$f" | head -n 10; status=1; fi
done
rows=$(($(wc -l <"$T/local/sweep-curves.csv") - 1))
[ "$rows" -gt 0 ] || { echo "slurm sweep test: FAIL, no curve rows"; status=1; }
[ $status = 0 ] && printf 'slurm sweep test: ok, %s, %d curve rows identical (local --jobs 2 %.1f s, Slurm array %.1f s)\n' \
  "$what" "$rows" "$(awk "BEGIN { print $mid - $start }")" "$(awk "BEGIN { print $end - $mid }")"
exit $status
