"""Read the JSON lines of run.sh, check the M/M/c results against each other and against
Erlang C, and print the speed ratios. Exit status 1 if a check fails."""
import json
import sys


def erlang_c(c, lam, mu):
    """P(wait) and mean wait in queue Wq = C / (c mu - lambda) (Kleinrock vol. 1, eq. 3.40),
    via the Erlang B recursion."""
    a = lam / mu
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    rho = a / c
    pw = b / (1 - rho + rho * b)
    return pw, pw / (c * mu - lam)


rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip().startswith("{")]
ok = True
print("\n== hold model (events per second, median of runs) ==")
for n in sorted({r["pending"] for r in rows if r["model"] == "hold"}):
    def med(engine):
        xs = sorted(r["events_per_s"] for r in rows
                    if r["model"] == "hold" and r["pending"] == n and r["engine"] == engine)
        return xs[len(xs) // 2]
    d, s = med("dctwin"), med("simpy")
    print(f"pending {n:>9,}: dctwin {d/1e6:7.2f} M/s  SimPy {s/1e6:7.3f} M/s  ratio {d/s:6.1f}x"
          f"  (target >= 30x)")

print("\n== M/M/c (c = 100, lambda = 90 /s, mean service 1 s, 100 W idle + 200 W busy) ==")
pw, wq = erlang_c(100, 90.0, 1.0)
print(f"Erlang C: P(wait) = {pw:.4f}, Wq = {wq:.5f} s, busy = 90, power = {100*100+200*90:.0f} W")
mm = {e: [r for r in rows if r["model"] == "mmc" and r["engine"] == e] for e in ("dctwin", "simpy")}
for e, rs in mm.items():
  for r in rs:
      z = (r["mean_wait_s"] - wq) / r["mean_wait_se_s"]
      print(f"{e:>6}: jobs {r['jobs']:,}  Wq {r['mean_wait_s']:.5f} +- {r['mean_wait_se_s']:.5f} s"
            f" (z = {z:+.2f})  busy {r['mean_busy_servers']:.3f}  power {r['mean_power_w']:.0f} W"
            f"  wall {r['wall_s']:.2f} s")
      # Wait: within 4 batch-means standard errors of Erlang C. Busy servers: within 1 % of 90
      # (sum of 1e6 Exp(1) services / run length: relative sd ~0.15 %).
      if (abs(z) > 4 or abs(r["mean_busy_servers"] - 90) > 0.9 or r["jobs"] != 1_000_000
              or abs(r["mean_power_w"] - (100 * 100 + 200 * 90)) > 200 * 0.9):
          print(f"   FAIL: {e} disagrees with Erlang C")
          ok = False
d, s = mm["dctwin"][0], mm["simpy"][0]
zd = (d["mean_wait_s"] - s["mean_wait_s"]) / (d["mean_wait_se_s"]**2 + s["mean_wait_se_s"]**2) ** 0.5
print(f"dctwin vs SimPy: wait difference z = {zd:+.2f}; busy {d['mean_busy_servers'] - s['mean_busy_servers']:+.3f}")
if abs(zd) > 4 or abs(d["mean_busy_servers"] - s["mean_busy_servers"]) > 0.9:
    print("   FAIL: dctwin and SimPy disagree")
    ok = False
dw = sorted(r["wall_s"] for r in mm["dctwin"])[len(mm["dctwin"]) // 2]
sw = sorted(r["wall_s"] for r in mm["simpy"])[len(mm["simpy"]) // 2]
print(f"M/M/c wall time: dctwin {dw:.3f} s, SimPy {sw:.2f} s, ratio {sw/dw:.1f}x  (target >= 100x)")
print("\nchecks:", "PASS" if ok else "FAIL")
sys.exit(0 if ok else 1)
