//! # sim-core — the dctwin engine
//!
//! A deterministic discrete-event engine with hybrid (event + continuous) time. It knows nothing
//! of data centers: models live in the `models` crates and use these pieces:
//!
//! - [`time`]: integer simulation time ([`SimTime`], [`SimDuration`]) in microseconds;
//! - [`queue`]: the pending-event set ordered by `(time, insertion sequence)`, with cancellable
//!   timers;
//! - [`engine`]: components that receive typed events and schedule new ones through a context,
//!   and predict their own next threshold crossing instead of being polled;
//! - [`integrate`]: exact energy of piecewise-constant power, exact steps of linear lumped (RC)
//!   systems by matrix exponential;
//! - [`rng`]: named random streams derived from (seed, name) with a portable generator;
//! - [`series`]: piecewise-constant signals (tariffs, carbon intensity, schedules);
//! - [`validate`]: configuration issues (key path, message, severity) reported all at once;
//! - [`recorder`]: fixed-interval signal sampling, event log, CSV and JSON output.
//!
//! ```
//! use sim_core::{Component, Context, SimDuration, SimTime, Simulation};
//!
//! struct Counter(u32);
//! impl Component<()> for Counter {
//!     fn on_event(&mut self, _: (), ctx: &mut Context<'_, ()>) {
//!         self.0 += 1;
//!         if self.0 < 10 {
//!             ctx.schedule(SimDuration::from_secs(1), ctx.me(), ());
//!         }
//!     }
//! }
//! let mut sim = Simulation::new();
//! let c = sim.add(Box::new(Counter(0)));
//! sim.schedule_at(SimTime::ZERO, c, ());
//! sim.run_until(SimTime::from_secs(3600));
//! assert_eq!(sim.events_handled(), 10);
//! ```

pub mod engine;
pub mod integrate;
pub mod queue;
pub mod recorder;
pub mod rng;
pub mod series;
pub mod time;
pub mod validate;

pub use engine::{Component, ComponentId, Context, Simulation};
pub use integrate::{first_order_step, CompensatedSum, EnergyMeter, LinearSystem};
pub use queue::{EventQueue, TimerId};
pub use recorder::{LoggedEvent, Recorder};
pub use rng::{RngStreams, StreamRng};
pub use series::StepSeries;
pub use time::{SimDuration, SimTime, TimeError};
pub use validate::{ConfigIssue, Severity};
