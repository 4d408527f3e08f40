"""SimPy side of the peer comparison (benches/peers/run.sh): the hold model and the M/M/c queue,
written the idiomatic SimPy way (one process per entity, simpy.Resource for the servers).

    python simpy_models.py hold N OPS
    python simpy_models.py mmc JOBS SEED

Prints one JSON object per run, with the same fields as dctwin's peer_engine example.
"""
import json
import random
import sys
import time
from collections import deque

import simpy


def hold(n, ops, seed=7):
    """Hold model (Vaucher & Duval 1975): n processes, each waiting Exp(1) again and again, so n
    events are pending at every instant. Warm up for 2 n operations, then time `ops`."""
    env = simpy.Environment()
    rng = random.Random(seed)
    expo = rng.expovariate
    count = [0]

    def proc():
        while True:
            yield env.timeout(expo(1.0))
            count[0] += 1

    for _ in range(n):
        env.process(proc())
    # Each time unit carries ~n events (n independent unit-rate processes).
    env.run(until=2.0)
    start_count = count[0]
    t0 = time.perf_counter()
    env.run(until=2.0 + ops / n)
    wall = time.perf_counter() - t0
    done = count[0] - start_count
    return {"model": "hold", "engine": "simpy", "pending": n, "ops": done,
            "wall_s": wall, "events_per_s": done / wall}


def batch_means(xs, batches=20):
    n = len(xs)
    mean = sum(xs) / n
    size = n // batches
    means = [sum(xs[k * size:(k + 1) * size]) / size for k in range(batches)]
    m = sum(means) / batches
    var = sum((x - m) ** 2 for x in means) / (batches - 1)
    return mean, (var / batches) ** 0.5


def mmc(jobs, seed, servers=100, lam=90.0, mean_service=1.0, idle_w=100.0, busy_w=200.0):
    """M/M/c queue: Poisson arrivals, FIFO simpy.Resource of `servers`, Exp service; linear
    power idle_w per server + busy_w per busy server."""
    env = simpy.Environment()
    rng = random.Random(seed)
    res = simpy.Resource(env, capacity=servers)
    waits = []
    state = {"busy": 0, "area": 0.0, "last": 0.0}

    def account():
        now = env.now
        state["area"] += state["busy"] * (now - state["last"])
        state["last"] = now

    def job():
        arrived = env.now
        with res.request() as req:
            yield req
            waits.append(env.now - arrived)
            account()
            state["busy"] += 1
            yield env.timeout(rng.expovariate(1.0 / mean_service))
            account()
            state["busy"] -= 1

    def source():
        for _ in range(jobs):
            yield env.timeout(rng.expovariate(lam))
            env.process(job())

    env.process(source())
    t0 = time.perf_counter()
    env.run()
    wall = time.perf_counter() - t0
    end = state["last"]
    mean_wait, se = batch_means(waits)
    busy = state["area"] / end
    return {"model": "mmc", "engine": "simpy", "jobs": len(waits), "wall_s": wall,
            "mean_wait_s": mean_wait, "mean_wait_se_s": se, "mean_busy_servers": busy,
            "mean_power_w": servers * idle_w + busy_w * busy, "end_s": end}


if __name__ == "__main__":
    what = sys.argv[1]
    if what == "hold":
        print(json.dumps(hold(int(sys.argv[2]), int(sys.argv[3]))))
    elif what == "mmc":
        print(json.dumps(mmc(int(sys.argv[2]), int(sys.argv[3]))))
    else:
        sys.exit("usage: simpy_models.py hold N OPS | mmc JOBS SEED")
