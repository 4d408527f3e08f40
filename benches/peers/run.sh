#!/usr/bin/env bash
# Side-by-side peers: SimPy (from PyPI, in a local venv) and dctwin's engine on the same two
# models: the hold model at 1e3 and 1e6 pending events, and an M/M/c queue (c = 100, lambda = 90,
# mean service 1, 1 million jobs, 100 W idle + 200 W busy). Checks the M/M/c results against each
# other and Erlang C, prints the speed ratios. Never run in CI (minutes of wall time).
#
#   benches/peers/run.sh            # from the workspace root; REPS=3 by default
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$here/.venv"
reps="${REPS:-3}"
out="${OUT:-$here/results.jsonl}"

if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet simpy
fi
echo "SimPy $("$venv/bin/python" -c 'import simpy; print(simpy.__version__)'), $(python3 --version)"

(cd "$root" && cargo build --quiet --release -p dctwin-benches --example peer_engine)
engine="$root/target/release/examples/peer_engine"
py="$venv/bin/python"
: > "$out"
echo "load: $(uptime)"
for r in $(seq "$reps"); do
  "$engine" hold 1000 10000000 >> "$out"
  "$engine" hold 1000000 10000000 >> "$out"
  "$py" "$here/simpy_models.py" hold 1000 1000000 >> "$out"
  "$py" "$here/simpy_models.py" hold 1000000 1000000 >> "$out"
done
"$engine" mmc 1000000 1 >> "$out"
"$engine" mmc 1000000 2 >> "$out"
"$engine" mmc 1000000 3 >> "$out"
"$py" "$here/simpy_models.py" mmc 1000000 1 >> "$out"
echo "load: $(uptime)"
"$py" "$here/compare.py" "$out"
