#!/usr/bin/env python3
"""Hand calculation behind case 8 (shanghai_battery_peak_shaving.toml), independent of dctwin's
battery model: run a plain energy bucket through the baseline's grid-import series and report,
for each peak reduction R, whether the battery can hold the import at (peak - R) all year.

    cargo run --release -p dctwin -- run scenarios/cases/base/shanghai_ai_center.toml --out /tmp/c8base
    python3 scenarios/cases/hand/battery_bucket.py /tmp/c8base/timeseries.csv

Bucket: capacity C kWh, usable window 5-95 %, 97.5 % efficiency each way, starts at 95 %;
discharge whatever exceeds the target; recharge at up to P kW with the headroom below the target,
only when the price is at or below the flat level (valley and flat periods).
"""
import csv
import sys


def holds(imports_kw, prices, target_kw, capacity_kwh, power_kw, dt_h, charge_below):
    lo, hi = 0.05 * capacity_kwh, 0.95 * capacity_kwh
    e = hi
    for x, price in zip(imports_kw, prices):
        if x > target_kw:
            e -= (x - target_kw) * dt_h / 0.975
        elif price <= charge_below:
            e = min(hi, e + min(power_kw, target_kw - x) * dt_h * 0.975)
        if e < lo:
            return False
    return True


def main():
    rows = list(csv.DictReader(open(sys.argv[1])))
    g = [float(r["grid_import_kw"]) for r in rows]
    p = [float(r["price_per_kwh"]) for r in rows]
    dt_h = (float(rows[1]["time_s"]) - float(rows[0]["time_s"])) / 3600.0
    peak = max(g)
    print(f"baseline peak of the samples: {peak:.0f} kW")
    print("reduction_kw  target_kw  32MWh/8MW  16MWh/4MW")
    for r in range(1000, 3001, 100):
        t = peak - r
        a = holds(g, p, t, 32000.0, 8000.0, dt_h, 0.68)
        b = holds(g, p, t, 16000.0, 4000.0, dt_h, 0.68)
        print(f"{r:12d}  {t:9.0f}  {str(a):>9}  {str(b):>9}")


if __name__ == "__main__":
    main()
