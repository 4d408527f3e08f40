#!/usr/bin/env bash
# Sweep scaling and cost growth of the large reference site (issue 8). Never run in CI.
#
#   benches/sweep_scaling.sh                 # from anywhere; uses target/release/dctwin
#
# 1. `dctwin sweep` of 16 points (cooling.air.supply_setpoint_c = 18, 18.5, ..., 25.5) on the
#    large site shortened to SWEEP_H hours (default 720 = 30 days), with --threads 1 and
#    --threads 2: wall times, speed-up, and a byte comparison of the two sweep.csv files.
# 2. Cost growth: wall time and peak RSS of `dctwin run` for 1k, 10k and 100k nodes
#    (benches/scaling/scaled_site.py: 1, 10, 100 row pairs, everything scaled with the nodes)
#    over GROWTH_H hours (default 720), median of REPS runs (default 3; 100k runs once unless
#    REPS_100K is set).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
sweep_h="${SWEEP_H:-720}"
growth_h="${GROWTH_H:-720}"
reps="${REPS:-3}"
reps_100k="${REPS_100K:-1}"
work="${WORK:-$(mktemp -d /tmp/dctwin-scaling.XXXXXX)}"
mkdir -p "$work"

(cd "$root" && cargo build --quiet --release -p dctwin)
bin="$work/dctwin"
cp "$root/target/release/dctwin" "$bin"   # a private copy: others may rebuild meanwhile

wall() { # wall seconds, max RSS (KiB) and CPU share (%, 200 = both cores) from GNU time
  /usr/bin/time -f "%e %M %P" -o "$work/time.txt" "$@" > "$work/last.log" 2>&1
  cat "$work/time.txt"
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# ---------------------------------------------------------------- 1. sweep, 1 vs 2 threads
printf 'extends = "%s"\n[run]\nduration_h = %s\n' "$root/examples/large-site.toml" "$sweep_h" \
  > "$work/sweep-base.toml"
set_arg="cooling.air.supply_setpoint_c=18,18.5,19,19.5,20,20.5,21,21.5,22,22.5,23,23.5,24,24.5,25,25.5"
echo "== sweep: 16 points, large site, ${sweep_h} h each =="
echo "load: $(uptime)"
for t in 1 2; do
  read -r s rss cpu < <(wall "$bin" sweep "$work/sweep-base.toml" --set "$set_arg" --threads "$t" \
    --out "$work/sweep-t$t")
  echo "threads $t: wall ${s} s, CPU ${cpu} (200% = both cores busy), peak RSS $((rss / 1024)) MiB"
  eval "sweep_t$t=$s"
done
echo "(a speed-up needs an idle second core: with load > 2 the threads only share CPU time)"
echo "speed-up 1 -> 2 threads: $(awk -v a="$sweep_t1" -v b="$sweep_t2" 'BEGIN {printf "%.2f", a / b}')x (target >= 1.8x)"
if cmp -s "$work/sweep-t1/sweep.csv" "$work/sweep-t2/sweep.csv"; then
  echo "sweep.csv byte-identical for 1 and 2 threads: yes"
else
  echo "sweep.csv byte-identical for 1 and 2 threads: NO"; exit 1
fi
echo "load: $(uptime)"

# ---------------------------------------------------------------- 2. cost growth
echo
echo "== cost growth: dctwin run, ${growth_h} h, median of runs =="
for rows in 1 10 100; do
  n=$((rows * 1000))
  python3 "$here/scaling/scaled_site.py" "$rows" "$growth_h" "$work/site-$n.toml"
  "$bin" validate "$work/site-$n.toml" > /dev/null
  r="$reps"; [ "$rows" = 100 ] && r="$reps_100k"
  : > "$work/walls-$n.txt"; : > "$work/rss-$n.txt"
  for _ in $(seq "$r"); do
    read -r s rss _ < <(wall "$bin" run "$work/site-$n.toml" --out "$work/out-$n")
    echo "$s" >> "$work/walls-$n.txt"; echo "$rss" >> "$work/rss-$n.txt"
  done
  w=$(median < "$work/walls-$n.txt"); m=$(median < "$work/rss-$n.txt")
  echo "$n nodes: wall ${w} s (runs: $(tr '\n' ' ' < "$work/walls-$n.txt")), peak RSS $((${m%.*} / 1024)) MiB, $(awk -v w="$w" -v h="$growth_h" 'BEGIN {printf "%.0f", h * 3600 / w}')x real time, load $(cut -d' ' -f1 /proc/loadavg)"
done
echo "work folder: $work"
