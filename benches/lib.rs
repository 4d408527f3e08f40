//! Shared workloads for the dctwin benchmarks.
//!
//! The classic *hold* model (Vaucher & Duval 1975; Jones, CACM 29(4), 1986) measures a
//! pending-event set: keep `n` events pending; repeatedly pop the earliest and schedule a
//! replacement at `now + Exp(1)`. Its cost per operation is the engine's cost per event.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use rand::Rng;
use rand_distr::Exp1;
use sim_core::{
    Component, ComponentId, Context, EventQueue, RngStreams, SimDuration, SimTime, Simulation,
    StreamRng,
};

/// One second of simulated time in engine ticks: hold intervals are Exp(1) seconds.
const TICKS_PER_UNIT: f64 = 1.0e6;

/// A primed hold model: a queue with `n` pending events and its random stream.
pub struct HoldModel {
    queue: EventQueue<u32>,
    rng: StreamRng,
    now: SimTime,
}

impl HoldModel {
    /// A queue primed with `n` events at Exp(1) times, from the stream `hold` of seed `seed`.
    pub fn new(n: usize, seed: u64) -> Self {
        let mut rng = RngStreams::new(seed).stream("hold");
        let mut queue = EventQueue::with_capacity(n);
        for i in 0..n {
            let dt: f64 = rng.sample(Exp1);
            queue.schedule(SimTime((dt * TICKS_PER_UNIT) as u64), i as u32);
        }
        HoldModel {
            queue,
            rng,
            now: SimTime::ZERO,
        }
    }

    /// Perform `ops` hold operations; returns a checksum of popped payloads (keeps the work alive).
    pub fn run(&mut self, ops: u64) -> u64 {
        let mut acc = 0u64;
        for _ in 0..ops {
            let Some((t, id)) = self.queue.pop() else {
                break;
            };
            self.now = t;
            acc = acc.wrapping_add(u64::from(id));
            let dt: f64 = self.rng.sample(Exp1);
            self.queue
                .schedule(SimTime(t.0 + (dt * TICKS_PER_UNIT) as u64), id);
        }
        acc
    }

    /// Pending events.
    pub fn pending(&self) -> usize {
        self.queue.len()
    }

    /// Bytes the queue has reserved per pending event (key, payload and spare capacity).
    pub fn reserved_bytes_per_event(&self) -> f64 {
        self.queue.reserved_bytes() as f64 / self.queue.len().max(1) as f64
    }

    /// Current time of the model.
    pub fn now(&self) -> SimTime {
        self.now
    }
}

/// Parameters of an M/M/c queue with a linear server power model.
#[derive(Debug, Clone, Copy)]
pub struct MmcConfig {
    /// Servers, -.
    pub servers: u32,
    /// Poisson arrival rate, jobs per second.
    pub arrival_rate_per_s: f64,
    /// Mean of the exponential service time, s.
    pub mean_service_s: f64,
    /// Jobs that arrive (the run ends when the last of them has left), -.
    pub jobs: u64,
    /// Power of one server, idle, W.
    pub idle_power_w: f64,
    /// Extra power of one busy server, W.
    pub busy_extra_power_w: f64,
    /// Batches for the batch-means standard error of the mean wait, -.
    pub batches: usize,
}

impl Default for MmcConfig {
    /// The peer comparison of issue 8: c = 100, lambda = 90 /s, mean service 1 s, 1 million
    /// jobs, 100 W idle + 200 W busy per server, 20 batches.
    fn default() -> Self {
        MmcConfig {
            servers: 100,
            arrival_rate_per_s: 90.0,
            mean_service_s: 1.0,
            jobs: 1_000_000,
            idle_power_w: 100.0,
            busy_extra_power_w: 200.0,
            batches: 20,
        }
    }
}

/// Results of one M/M/c run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MmcResult {
    /// Jobs served, -.
    pub jobs_served: u64,
    /// Mean time in queue (arrival to service start) over all jobs, s.
    pub mean_wait_s: f64,
    /// Batch-means standard error of `mean_wait_s`, s.
    pub mean_wait_se_s: f64,
    /// Time-average number of busy servers over the run, -.
    pub mean_busy_servers: f64,
    /// Time-average power of all servers, W.
    pub mean_power_w: f64,
    /// Simulated time at the last departure, s.
    pub end_s: f64,
    /// Events handled by the engine, -.
    pub events: u64,
}

#[derive(Debug, Clone, Copy)]
enum MmcEvent {
    Arrival,
    Departure,
}

/// Statistics and state of the M/M/c station (shared with the caller after the run).
struct MmcStation {
    cfg: MmcConfig,
    rng: StreamRng,
    arrived: u64,
    served: u64,
    busy: u32,
    /// Arrival times of waiting jobs, FIFO.
    waiting: VecDeque<SimTime>,
    /// Integral of the busy-server count over time, server-ticks (exact; a u64 holds 100
    /// servers for 5,800 years of microsecond ticks).
    busy_area_ticks: u64,
    last_change: SimTime,
    waits_s: Vec<f64>,
}

impl MmcStation {
    fn exp_delay(&mut self, mean_s: f64) -> SimDuration {
        let x: f64 = self.rng.sample(Exp1);
        // Round to the nearest tick (x >= 0; `f64::round` is a libm call here).
        SimDuration((x * mean_s * TICKS_PER_UNIT + 0.5) as u64)
    }

    fn account(&mut self, now: SimTime) {
        self.busy_area_ticks += u64::from(self.busy) * (now.0 - self.last_change.0);
        self.last_change = now;
    }

    fn start(&mut self, arrived_at: SimTime, ctx: &mut Context<'_, MmcEvent>) {
        self.busy += 1;
        self.waits_s
            .push((ctx.now().0 - arrived_at.0) as f64 / TICKS_PER_UNIT);
        let d = self.exp_delay(self.cfg.mean_service_s);
        ctx.schedule(d, ctx.me(), MmcEvent::Departure);
    }
}

/// The engine component: a handle to the shared station.
struct MmcComponent(Rc<RefCell<MmcStation>>);

impl Component<MmcEvent> for MmcComponent {
    fn on_event(&mut self, event: MmcEvent, ctx: &mut Context<'_, MmcEvent>) {
        let mut st = self.0.borrow_mut();
        let now = ctx.now();
        st.account(now);
        match event {
            MmcEvent::Arrival => {
                st.arrived += 1;
                if st.busy < st.cfg.servers {
                    st.start(now, ctx);
                } else {
                    st.waiting.push_back(now);
                }
                if st.arrived < st.cfg.jobs {
                    let mean_s = 1.0 / st.cfg.arrival_rate_per_s;
                    let d = st.exp_delay(mean_s);
                    ctx.schedule(d, ctx.me(), MmcEvent::Arrival);
                }
            }
            MmcEvent::Departure => {
                st.busy -= 1;
                st.served += 1;
                if let Some(t) = st.waiting.pop_front() {
                    st.start(t, ctx);
                }
            }
        }
    }
}

/// Run the M/M/c queue of `cfg` on [`sim_core::Simulation`] with the `mmc` stream of `seed`
/// until every job has left. Service starts in arrival order (FIFO), the first idle server
/// serves; waits are recorded in order of service start, which is arrival order.
pub fn run_mmc(cfg: MmcConfig, seed: u64) -> MmcResult {
    let station = Rc::new(RefCell::new(MmcStation {
        cfg,
        rng: RngStreams::new(seed).stream("mmc"),
        arrived: 0,
        served: 0,
        busy: 0,
        waiting: VecDeque::new(),
        busy_area_ticks: 0,
        last_change: SimTime::ZERO,
        waits_s: Vec::with_capacity(cfg.jobs as usize),
    }));
    let mut sim = Simulation::new();
    let id: ComponentId = sim.add(Box::new(MmcComponent(Rc::clone(&station))));
    let first = station.borrow_mut().exp_delay(1.0 / cfg.arrival_rate_per_s);
    sim.schedule_at(SimTime::ZERO + first, id, MmcEvent::Arrival);
    sim.run_until(SimTime(u64::MAX / 2));
    let events = sim.events_handled();
    drop(sim);
    let st = station.borrow();
    let end_s = st.last_change.0 as f64 / TICKS_PER_UNIT;
    let (mean_wait_s, mean_wait_se_s) = batch_means(&st.waits_s, cfg.batches);
    let busy_area_s = st.busy_area_ticks as f64 / TICKS_PER_UNIT;
    let mean_busy_servers = busy_area_s / end_s.max(f64::MIN_POSITIVE);
    MmcResult {
        jobs_served: st.served,
        mean_wait_s,
        mean_wait_se_s,
        mean_busy_servers,
        mean_power_w: f64::from(cfg.servers) * cfg.idle_power_w
            + cfg.busy_extra_power_w * mean_busy_servers,
        end_s,
        events,
    }
}

/// Mean of `xs` and its standard error by the method of batch means with `batches` batches of
/// consecutive values (Law, *Simulation Modeling and Analysis*, 5th ed., section 9.5.3).
pub fn batch_means(xs: &[f64], batches: usize) -> (f64, f64) {
    let n = xs.len();
    let mean = xs.iter().sum::<f64>() / n.max(1) as f64;
    let b = batches.max(2);
    let size = n / b;
    if size == 0 {
        return (mean, f64::NAN);
    }
    let means: Vec<f64> = (0..b)
        .map(|k| xs[k * size..(k + 1) * size].iter().sum::<f64>() / size as f64)
        .collect();
    let m = means.iter().sum::<f64>() / b as f64;
    let var = means.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (b - 1) as f64;
    (mean, (var / b as f64).sqrt())
}

/// Erlang C: probability that an arrival waits, and the mean wait in queue (s), for `servers`
/// servers, arrival rate `lambda_per_s` and service rate `mu_per_s` (Kleinrock, *Queueing
/// Systems* vol. 1, 1975, eq. 3.40; Wq = C / (c mu - lambda)). Computed with the stable Erlang B
/// recursion B(k) = a B(k-1) / (k + a B(k-1)).
pub fn erlang_c(servers: u32, lambda_per_s: f64, mu_per_s: f64) -> (f64, f64) {
    let a = lambda_per_s / mu_per_s;
    let c = f64::from(servers);
    let mut b = 1.0;
    for k in 1..=servers {
        b = a * b / (f64::from(k) + a * b);
    }
    let rho = a / c;
    let pw = b / (1.0 - rho + rho * b);
    (pw, pw / (c * mu_per_s - lambda_per_s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hold_keeps_population_and_advances_time() {
        let mut h = HoldModel::new(1000, 1);
        h.run(10_000);
        assert_eq!(h.pending(), 1000);
        assert!(h.now() > SimTime::ZERO);
        for n in [1_000usize, 100_000, 1_000_000] {
            let mut h = HoldModel::new(n, 3);
            h.run(3 * n as u64);
            let reserved = h.reserved_bytes_per_event();
            println!("n = {n}: {reserved:.1} bytes reserved per pending event");
            // Issue 2: at most 32 bytes of queue overhead beyond the 4-byte payload.
            assert!(reserved - 4.0 <= 32.0, "n = {n}: {reserved:.1} bytes");
        }
    }

    #[test]
    fn large_site_example_is_the_specified_site() {
        // examples/large-site.toml is the performance reference of issue 8: it must load with
        // no warnings, hold 10,000 nodes (2,000 8-GPU + 8,000 CPU) and run a year at 60 s.
        let file =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/large-site.toml");
        let loaded = match dctwin::load_scenario(&file, &[]) {
            Ok(l) => l,
            Err(e) => panic!("{e}"),
        };
        assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
        let s = &loaded.scenario;
        let nodes = |preset: &str| -> u32 {
            s.it.rows
                .iter()
                .filter(|r| r.node == dctwin_models::it::config::NodeChoice::Preset(preset.into()))
                .map(|r| r.racks * r.nodes_per_rack)
                .sum()
        };
        assert_eq!(nodes("gpu_8x_h100"), 2_000);
        assert_eq!(nodes("cpu_dual_socket"), 8_000);
        assert_eq!(s.run.duration_h, 8760.0);
        assert_eq!(s.run.control_interval_s, 60.0);
    }

    #[test]
    fn erlang_c_matches_a_published_value() {
        // M/M/2, a = 1 Erlang: C = a^2/(2 (2 - a)) / (1 + a + a^2/(2 (2 - a))) = 0.5/2.5 = 1/3
        // (closed form, e.g. Kleinrock vol. 1 eq. 3.40); Wq = C / (c mu - lambda) = 1/3 s.
        let (pw, wq) = erlang_c(2, 1.0, 1.0);
        assert!((pw - 1.0 / 3.0).abs() < 1e-12, "{pw}");
        assert!((wq - 1.0 / 3.0).abs() < 1e-12, "{wq}");
    }

    #[test]
    fn mmc_agrees_with_erlang_c_and_conserves_jobs() {
        // A smaller M/M/c (c = 10, lambda = 8, 100,000 jobs) against Erlang C: every job leaves;
        // mean busy servers = lambda E[S] = 8 within 2 % (relative sd ~0.5 % for 1e5 jobs);
        // mean wait within 5 batch-means standard errors.
        let cfg = MmcConfig {
            servers: 10,
            arrival_rate_per_s: 8.0,
            jobs: 100_000,
            ..MmcConfig::default()
        };
        let r = run_mmc(cfg, 5);
        assert_eq!(r.jobs_served, cfg.jobs);
        assert!((r.mean_busy_servers - 8.0).abs() < 0.16, "{r:?}");
        let (_, wq) = erlang_c(10, 8.0, 1.0);
        assert!(
            (r.mean_wait_s - wq).abs() < 5.0 * r.mean_wait_se_s,
            "{r:?} vs Erlang C {wq}"
        );
        assert!((r.mean_power_w - (10.0 * 100.0 + 200.0 * r.mean_busy_servers)).abs() < 1e-9);
    }
}
