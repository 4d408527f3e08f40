//! The simulation loop: components exchange typed events through a shared clock and queue.
//!
//! A [`Component`] receives events addressed to it and schedules new ones through a
//! [`Context`]. A continuous component (a thermal mass, a battery) can also say when it next
//! needs attention through [`Component::next_threshold`]: after every event it handles, the
//! engine asks it for the instant it will cross a threshold (battery full, chip at its limit) and
//! keeps exactly one wake-up timer for it at that instant, replacing the previous one. The
//! component is then woken with [`Component::on_threshold`] instead of being polled.
//!
//! Order of simultaneous events: by insertion sequence (see [`crate::queue`]). A threshold wake
//! is inserted when the component's previous event is handled, so it runs after every event that
//! was already pending for the same instant.

use crate::queue::{EventQueue, TimerId};
use crate::time::{SimDuration, SimTime};

/// Index of a component inside a [`Simulation`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ComponentId(pub usize);

/// A queued delivery. The target is a `u32` index (see [`target_index`]), which keeps the
/// queue entry of a small event at 24 bytes instead of 32.
enum Delivery<E> {
    Event(u32, E),
    Threshold(u32),
}

/// The queue's form of a component id. Ids that do not fit (no simulation holds 2^32
/// components) map to `u32::MAX`, an id no component has, so such an event is dropped exactly
/// like one addressed to any other unknown id.
#[inline]
fn target_index(id: ComponentId) -> u32 {
    u32::try_from(id.0).unwrap_or(u32::MAX)
}

/// What a component sees while it handles an event: the clock and the scheduler.
pub struct Context<'a, E> {
    now: SimTime,
    me: ComponentId,
    queue: &'a mut EventQueue<Delivery<E>>,
    stop: &'a mut bool,
}

impl<E> Context<'_, E> {
    /// Current simulated time.
    pub fn now(&self) -> SimTime {
        self.now
    }
    /// The id of the component being run.
    pub fn me(&self) -> ComponentId {
        self.me
    }
    /// Deliver `event` to `target` after `delay` (zero delay runs after everything already
    /// pending at this instant).
    pub fn schedule(&mut self, delay: SimDuration, target: ComponentId, event: E) {
        self.queue.schedule(
            self.now + delay,
            Delivery::Event(target_index(target), event),
        );
    }
    /// Deliver `event` to `target` at absolute time `at`, clamped to now so time never goes back.
    pub fn schedule_at(&mut self, at: SimTime, target: ComponentId, event: E) {
        self.queue.schedule(
            at.max(self.now),
            Delivery::Event(target_index(target), event),
        );
    }
    /// Like [`Context::schedule`], returning a handle that can cancel the event.
    pub fn schedule_timer(&mut self, delay: SimDuration, target: ComponentId, event: E) -> TimerId {
        self.queue.schedule_cancellable(
            self.now + delay,
            Delivery::Event(target_index(target), event),
        )
    }
    /// Cancel a timer; `true` if it was still pending.
    pub fn cancel(&mut self, timer: TimerId) -> bool {
        self.queue.cancel(timer)
    }
    /// Ask the simulation to stop after this event.
    pub fn stop(&mut self) {
        *self.stop = true;
    }
}

/// A model driven by events.
pub trait Component<E> {
    /// Handle one event addressed to this component.
    fn on_event(&mut self, event: E, ctx: &mut Context<'_, E>);

    /// The next instant at which this component's continuous state crosses a threshold it must
    /// act on, or `None`. Asked after every event it handles.
    fn next_threshold(&self, _now: SimTime) -> Option<SimTime> {
        None
    }

    /// Called at the instant returned by [`Component::next_threshold`].
    fn on_threshold(&mut self, _ctx: &mut Context<'_, E>) {}
}

/// A set of components, a clock and a queue.
pub struct Simulation<E> {
    now: SimTime,
    queue: EventQueue<Delivery<E>>,
    components: Vec<Box<dyn Component<E>>>,
    thresholds: Vec<Option<TimerId>>,
    events_handled: u64,
}

impl<E> Default for Simulation<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> Simulation<E> {
    /// An empty simulation at time zero.
    pub fn new() -> Self {
        Simulation {
            now: SimTime::ZERO,
            queue: EventQueue::new(),
            components: Vec::new(),
            thresholds: Vec::new(),
            events_handled: 0,
        }
    }

    /// Add a component and return its id. (Events reach the first 2^32 - 1 components only;
    /// no simulation comes near that.)
    pub fn add(&mut self, component: Box<dyn Component<E>>) -> ComponentId {
        self.components.push(component);
        self.thresholds.push(None);
        ComponentId(self.components.len() - 1)
    }

    /// Schedule an event from outside any component (initial events).
    pub fn schedule_at(&mut self, at: SimTime, target: ComponentId, event: E) {
        self.queue.schedule(
            at.max(self.now),
            Delivery::Event(target_index(target), event),
        );
    }

    /// Current simulated time.
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// Events handled so far (threshold wakes included).
    pub fn events_handled(&self) -> u64 {
        self.events_handled
    }

    /// Borrow a component back (e.g. to read its results after the run).
    pub fn component(&self, id: ComponentId) -> Option<&dyn Component<E>> {
        self.components.get(id.0).map(|b| b.as_ref())
    }

    /// Run events until the queue is empty, a component calls [`Context::stop`], or the next
    /// event lies after `until`. The clock ends at `until` unless stopped earlier.
    pub fn run_until(&mut self, until: SimTime) {
        let mut stop = false;
        while !stop {
            let Some((t, delivery)) = self.queue.pop_until(until) else {
                break;
            };
            debug_assert!(t >= self.now, "time went backwards");
            self.now = t;
            self.events_handled += 1;
            let id = match delivery {
                Delivery::Event(id, _) | Delivery::Threshold(id) => ComponentId(id as usize),
            };
            let Some(component) = self.components.get_mut(id.0) else {
                continue;
            };
            let mut ctx = Context {
                now: t,
                me: id,
                queue: &mut self.queue,
                stop: &mut stop,
            };
            match delivery {
                Delivery::Event(_, e) => component.on_event(e, &mut ctx),
                Delivery::Threshold(_) => {
                    self.thresholds[id.0] = None;
                    component.on_threshold(&mut ctx);
                }
            }
            // Keep exactly one threshold timer per component.
            if let Some(old) = self.thresholds[id.0].take() {
                self.queue.cancel(old);
            }
            if let Some(at) = component.next_threshold(t) {
                let timer = self
                    .queue
                    .schedule_cancellable(at.max(t), Delivery::Threshold(target_index(id)));
                self.thresholds[id.0] = Some(timer);
            }
        }
        if !stop {
            self.now = self.now.max(until);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;
    use std::rc::Rc;

    /// Logs every event it gets; on "ping" n > 0 it schedules "ping" n-1 after 1 s.
    struct Pinger {
        log: Rc<RefCell<Vec<(u64, u32)>>>,
    }
    impl Component<u32> for Pinger {
        fn on_event(&mut self, n: u32, ctx: &mut Context<'_, u32>) {
            self.log.borrow_mut().push((ctx.now().as_micros(), n));
            if n > 0 {
                ctx.schedule(SimDuration::from_secs(1), ctx.me(), n - 1);
            }
        }
    }

    #[test]
    fn events_chain_and_clock_advances() {
        let log = Rc::new(RefCell::new(Vec::new()));
        let mut sim = Simulation::new();
        let p = sim.add(Box::new(Pinger { log: log.clone() }));
        sim.schedule_at(SimTime::ZERO, p, 3);
        sim.run_until(SimTime::from_secs(100));
        assert_eq!(
            *log.borrow(),
            vec![(0, 3), (1_000_000, 2), (2_000_000, 1), (3_000_000, 0)]
        );
        assert_eq!(sim.now(), SimTime::from_secs(100));
        assert_eq!(sim.events_handled(), 4);
    }

    /// A tank filling at a constant rate predicts when it is full instead of being polled.
    struct Tank {
        level: f64,
        rate_per_s: f64,
        since: SimTime,
        full_at: Rc<RefCell<Vec<u64>>>,
    }
    impl Component<f64> for Tank {
        fn on_event(&mut self, new_rate: f64, ctx: &mut Context<'_, f64>) {
            self.level += self.rate_per_s * (ctx.now() - self.since).as_secs_f64();
            self.since = ctx.now();
            self.rate_per_s = new_rate;
        }
        fn next_threshold(&self, now: SimTime) -> Option<SimTime> {
            (self.rate_per_s > 0.0 && self.level < 10.0).then(|| {
                let secs = (10.0 - self.level) / self.rate_per_s;
                now.saturating_add(SimDuration::try_from_secs_f64(secs).unwrap_or_default())
            })
        }
        fn on_threshold(&mut self, ctx: &mut Context<'_, f64>) {
            self.level = 10.0;
            self.since = ctx.now();
            self.rate_per_s = 0.0;
            self.full_at.borrow_mut().push(ctx.now().as_micros());
        }
    }

    #[test]
    fn threshold_is_rescheduled_when_inputs_change() {
        let full_at = Rc::new(RefCell::new(Vec::new()));
        let mut sim = Simulation::new();
        let tank = sim.add(Box::new(Tank {
            level: 0.0,
            rate_per_s: 0.0,
            since: SimTime::ZERO,
            full_at: full_at.clone(),
        }));
        sim.schedule_at(SimTime::ZERO, tank, 1.0); // full at 10 s ...
        sim.schedule_at(SimTime::from_secs(4), tank, 3.0); // ... but now 4 + 6/3 = 6 s
        sim.run_until(SimTime::from_secs(60));
        assert_eq!(
            *full_at.borrow(),
            vec![6_000_000],
            "fires once, at the new time"
        );
    }

    #[test]
    fn small_event_delivery_is_eight_bytes() {
        assert_eq!(std::mem::size_of::<Delivery<u8>>(), 8);
    }

    /// An id beyond the queue's `u32` targets must not wrap onto a real component.
    #[test]
    #[cfg(target_pointer_width = "64")]
    fn event_to_an_unknown_component_is_dropped() {
        let log = Rc::new(RefCell::new(Vec::new()));
        let mut sim = Simulation::new();
        let p = sim.add(Box::new(Pinger { log: log.clone() }));
        sim.schedule_at(SimTime::ZERO, ComponentId(1 << 32), 7);
        sim.schedule_at(SimTime::ZERO, ComponentId(usize::MAX), 7);
        sim.schedule_at(SimTime::ZERO, ComponentId(1), 7);
        sim.schedule_at(SimTime::ZERO, p, 0);
        sim.run_until(SimTime::from_secs(1));
        assert_eq!(*log.borrow(), vec![(0, 0)]);
    }

    struct Stopper;
    impl Component<()> for Stopper {
        fn on_event(&mut self, _: (), ctx: &mut Context<'_, ()>) {
            ctx.stop();
        }
    }

    #[test]
    fn stop_halts_the_run() {
        let mut sim = Simulation::new();
        let s = sim.add(Box::new(Stopper));
        sim.schedule_at(SimTime::from_secs(5), s, ());
        sim.schedule_at(SimTime::from_secs(6), s, ());
        sim.run_until(SimTime::from_secs(10));
        assert_eq!(sim.now(), SimTime::from_secs(5));
        assert_eq!(sim.events_handled(), 1);
    }
}
