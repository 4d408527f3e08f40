"""Write a scaled copy of examples/large-site.toml as an `extends` override: `rows_per_kind`
GPU rows (50 racks x 4 gpu_8x_h100) and as many CPU rows (25 racks x 32 cpu_dual_socket), i.e.
1,000 nodes per row pair, with the workload, the room equipment (CRAH, CDU and pump counts) and
the central plant and power ratings scaled by f = rows_per_kind / 10 so every size is as loaded
as the 10,000-node reference.

    python3 scaled_site.py ROWS_PER_KIND DURATION_H OUT.toml
"""
import math
import os
import sys

rows, duration_h, out = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
f = rows / 10.0
base = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "examples", "large-site.toml"))
up = lambda x: max(1, math.ceil(x))
L = [f'extends = "{base}"', f'name = "large-site-x{f:g}"', "[run]", f"duration_h = {duration_h}", ""]
for kind, racks, npr, node in (("gpu", 50, 4, "gpu_8x_h100"), ("cpu", 25, 32, "cpu_dual_socket")):
    for i in range(1, rows + 1):
        L += ["[[it.rows]]", f'name = "{kind}-{i:03d}"', f"racks = {racks}",
              f"nodes_per_rack = {npr}", f'node = "{node}"', f'partition = "{kind}"', ""]
L += ["[[it.workload.sources]]", 'kind = "training_bursts"', f"mean_interval_h = {8 / f}",
      "nodes = 128", "mean_duration_h = 48", 'partition = "gpu"', "",
      "[[it.workload.sources]]", 'kind = "poisson"', f"mean_rate_per_h = {14 * f}",
      "diurnal_amplitude = 0.4", "max_nodes = 8", "mean_runtime_h = 12",
      "checkpoint_interval_h = 1", 'partition = "gpu"', "",
      "[[it.workload.sources]]", 'kind = "poisson"', f"mean_rate_per_h = {100 * f}",
      "diurnal_amplitude = 0.3", "max_nodes = 16", "mean_runtime_h = 8",
      "checkpoint_interval_h = 1", 'partition = "cpu"', ""]
L += ["[cooling.air]", f"crah_count = {up(25 * f) + up(3 * f)}", f"crah_spare_count = {up(3 * f)}",
      f"room_heat_capacity_j_k = {2.0e8 * f}", "",
      "[cooling.liquid]", "rows = [" + ", ".join(f'"gpu-{i:03d}"' for i in range(1, rows + 1)) + "]",
      f"cdu_count = {up(20 * f) + up(2 * f)}", f"cdu_spare_count = {up(2 * f)}",
      f"fw_pump_count = {up(9 * f) + 1}", "fw_pump_spare_count = 1",
      f"tcs_heat_capacity_j_k = {8.0e7 * f}", ""]
for plant, keys in (("chw", {"design_load_w": 9.0e6}), ("fw", {"design_load_w": 1.7e7})):
    L += [f"[heat_rejection.plants.{plant}]"] + [f"{k} = {v * f}" for k, v in keys.items()] + [""]
L += ["[heat_rejection.plants.chw.chiller]", f"capacity_w = {3.5e6 * f}",
      "[heat_rejection.plants.chw.tower]", f"capacity_w = {4.2e6 * f}", f"fan_power_w = {45000 * f}",
      "[heat_rejection.plants.fw.chiller]", f"capacity_w = {5.0e6 * f}",
      "[heat_rejection.plants.fw.dry_cooler]", f"capacity_w = {1.0e6 * f}", f"fan_power_w = {20000 * f}", "",
      "[power.chain.transformer]", f"rated_power_va = {4.0e7 * f}", f"no_load_loss_w = {40000 * f}",
      f"full_load_loss_w = {300000 * f}",
      "[power.chain.converter]", f"modules_required = {up(26 * f)}",
      "[power.chain.pdu]", f"rated_power_w = {3.0e7 * f}", f"no_load_loss_w = {20000 * f}",
      f"full_load_loss_w = {250000 * f}",
      "[power.chain.psu]", f"installed_capacity_w = {3.0e7 * f}",
      "[power.ups_battery]", f"capacity_kwh = {2000 * f}",
      "[power.battery]", f"capacity_kwh = {32000 * f}",
      "[power.pv]", f"dc_capacity_w = {1.5e7 * f}", ""]
open(out, "w").write("\n".join(L))
