//! The assembled cooling plant the site runner steps once per control interval.
//!
//! Per step (inputs held constant over the step, see the module docs of [`crate::air`] and
//! [`crate::liquid`] for the equations and sources):
//! 1. the policy decides from the previous step's observations; the [`Guard`] corrects it;
//! 2. rack heat is split: air racks to air; cold-plate racks `capture_fraction` to the
//!    technology cooling loop (TCS) and the rest to air; immersion racks all to their tank;
//! 3. TCS: flow = pump speed × design rack flow, limited by the running CDUs' rated flow;
//!    chip = TCS supply + (heat per plate) × R(plate flow); each running CDU carries an equal
//!    share; the TCS supply achieved is the setpoint unless the facility water is too warm
//!    (the CDU's valve can only throttle, not chill): `max(setpoint, fw_supply + rise)` with the
//!    rise from effectiveness-NTU. With no CDU running the TCS heat is stored in the loop's
//!    fluid (its supply temperature rises) and released when a CDU returns;
//! 4. immersion: each tank's exchanger against facility water by effectiveness-NTU; the tank's
//!    bulk fluid is a lumped heat capacity that follows load and facility-water changes with
//!    its time constant (several minutes) while each chip follows its own heat at once;
//! 5. facility water: flow = CDU primary flows + tank exchanger flows, limited by the running
//!    facility-water pumps; all pump power becomes heat in the pumped fluid;
//! 6. air: CRAH airflow = IT need × airflow ratio within the running units' fan range; the
//!    room's hot node is advanced exactly ([`crate::air::RoomAir`]); each rack inlet mixes
//!    supply and hot air at its row's recirculation fraction, raised when the CRAHs fall short
//!    of the airflow the racks draw.
//!
//! The cold-plate loop is quasi-steady (its time constant, tens of seconds, is short against a
//! one-minute step); the room and the tank fluid are dynamic and start at their steady state for
//! the first step's inputs. Before the first step the policy sees the first step's load and no
//! temperatures (NaN), so it starts from its initial outputs. Energy closes exactly: `chw_load_w + fw_load_w +
//! heat_stored_j / dt = IT heat + white-space heat + fan and pump power`.
//!
//! Cost per step is O(racks) with no allocation; the only transcendental functions per step
//! are a handful of `exp`/`powf` calls independent of the rack count.

use std::ops::Range;

use sim_core::SimDuration;

use crate::air::{Containment, Crah, RoomAir, AIR_CP_J_KG_K};
use crate::ashrae::{AshraeClass, Exceedance};
use crate::config::{CoolingConfig, PolicyKind, RATING_TANK_FLUID_C, RATING_WATER_C};
use crate::control::{
    Actions, CoolingPolicy, FixedSetpoints, Guard, Observations, PidPumpSpeed, PidSupplyAir,
    SafeRanges, SupplyReset,
};
use crate::coolant::Coolant;
use crate::liquid::{Cdu, ColdPlate, CounterflowHx, ImmersionTank, Pump};
use crate::ThermalError;

/// Equipment that is down during a step (indices out of range are ignored).
#[derive(Debug, Clone, Copy, Default)]
pub struct Faults<'a> {
    /// Indices of tripped CRAH units, `0..air.crah_count`.
    pub crah_down: &'a [usize],
    /// Indices of failed CDUs (including their TCS pump), `0..liquid.cdu_count`.
    pub cdu_down: &'a [usize],
    /// Indices of failed facility-water pumps, `0..liquid.fw_pump_count`.
    pub fw_pump_down: &'a [usize],
}

/// What the site runner hands the plant for one step.
#[derive(Debug, Clone, Copy)]
pub struct ThermalInputs<'a> {
    /// Mean IT heat of each rack over the step, W (negative or NaN taken as 0).
    pub rack_heat_w: &'a [f64],
    /// Power-chain losses released into the white space, W.
    pub white_space_extra_heat_w: f64,
    /// Outdoor dry bulb, °C (seen by the policy).
    pub outdoor_dry_bulb_c: f64,
    /// Chilled-water supply heat rejection achieved last step, °C.
    pub chw_supply_c: f64,
    /// Facility-water supply heat rejection achieved last step, °C.
    pub fw_supply_c: f64,
    /// Equipment down.
    pub faults: Faults<'a>,
}

/// The plant's outputs for one step. Powers and loads are means over the step.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ThermalStep {
    /// Rack inlet air temperature at the end of the step, °C, per rack.
    pub rack_inlet_c: Vec<f64>,
    /// Rack outlet (exhaust) air temperature, °C, per rack: inlet + `air.server_delta_t_k` for
    /// racks that release heat to air (IT fans hold the design air temperature rise), inlet
    /// for immersion racks and idle racks.
    pub rack_outlet_c: Vec<f64>,
    /// Hottest chip per rack, °C: cold-plate and immersion racks from their resistances; air
    /// racks estimated as inlet + `air.air_chip_rise_k`. `+inf` if a liquid rack has no
    /// coolant flow (no CDU or facility-water pump running).
    pub rack_chip_c: Vec<f64>,
    /// Maximum of `rack_chip_c`, °C.
    pub max_chip_c: f64,
    /// Maximum chip temperature of the air-cooled, cold-plate and immersion racks, in that
    /// order, °C (NaN where the site has no rack of that kind): the air rows' inlet + rise
    /// otherwise masks the liquid chips in `max_chip_c`.
    pub max_chip_by_cooling_c: [f64; 3],
    /// Maximum of `rack_inlet_c`, °C.
    pub max_inlet_c: f64,
    /// Total IT heat, W.
    pub it_heat_w: f64,
    /// Supply air temperature achieved, °C.
    pub crah_supply_c: f64,
    /// Hot-aisle / return air temperature at the end of the step, °C.
    pub hot_aisle_c: f64,
    /// CRAH airflow, kg/s.
    pub crah_airflow_kg_s: f64,
    /// CRAH fan electric power, W.
    pub crah_fan_power_w: f64,
    /// TCS (CDU secondary) pump power, W.
    pub tcs_pump_power_w: f64,
    /// Immersion tank pump power, W.
    pub immersion_pump_power_w: f64,
    /// Facility-water pump power, W.
    pub fw_pump_power_w: f64,
    /// Heat into the chilled-water loop (CRAH coils, incl. fan heat), W.
    pub chw_load_w: f64,
    /// Chilled-water supply the CRAHs need for their supply-air setpoint, °C.
    pub chw_supply_setpoint_c: f64,
    /// Chilled-water return, °C.
    pub chw_return_c: f64,
    /// Chilled-water flow, kg/s.
    pub chw_flow_kg_s: f64,
    /// Heat into the facility-water loop (CDUs and immersion exchangers incl. pump heat), W.
    pub fw_load_w: f64,
    /// Facility-water supply needed: the lower of what the CDUs need for the TCS setpoint and
    /// what the tanks need to keep chips `immersion.chip_margin_k` below the limit, °C.
    pub fw_supply_setpoint_c: f64,
    /// Facility-water return, °C.
    pub fw_return_c: f64,
    /// Facility-water flow, kg/s.
    pub fw_flow_kg_s: f64,
    /// TCS supply temperature achieved, °C.
    pub tcs_supply_c: f64,
    /// TCS flow, kg/s.
    pub tcs_flow_kg_s: f64,
    /// Heat stored over the step in the room, the TCS fluid and the tanks' fluid (negative:
    /// released), J.
    pub heat_stored_j: f64,
    /// The actions applied this step (after the guard).
    pub actions: Option<Actions>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RackCooling {
    Air,
    ColdPlate,
    Immersion,
}

/// The cooling plant: air path, cold-plate liquid path, immersion tanks and their controls.
#[derive(Debug)]
pub struct CoolingPlant {
    cfg: CoolingConfig,
    n_cold_plate: usize,
    n_immersion: usize,
    crah: Crah,
    containment: Containment,
    room: RoomAir,
    cold_plate: ColdPlate,
    cdu: Option<Cdu>,
    tcs_pump: Pump,
    fw_pump: Pump,
    tank: Option<ImmersionTank>,
    tank_pump: Pump,
    policy: Box<dyn CoolingPolicy + Send>,
    guard: Guard,
    obs: Observations,
    decisions: Decisions,
    tcs_stored_j: f64,
    tank_fluid_c: f64,
    /// Bulk fluid temperature of each immersion rack's tank at the end of the last step, °C
    /// (NaN before the first step and for other racks).
    tank_bulk_c: Vec<f64>,
    /// Heat capacity of one tank's fluid inventory, J/K (0: quasi-steady tank).
    tank_heat_capacity_j_k: f64,
    started: bool,
    crah_up: Vec<bool>,
    cdu_up: Vec<bool>,
    fw_up: Vec<bool>,
    out: ThermalStep,
    caps_w: Vec<f64>,
    heat_buf: Vec<f64>,
    /// Runs of consecutive racks of one row: one technology and one recirculation fraction,
    /// so one inlet temperature. Per-step work that depends only on those is done per segment;
    /// loops over a technology's racks go over its segments (rows are usually contiguous, so
    /// a handful of runs and no index indirection).
    segments: Vec<Segment>,
    /// Per segment: sum and maximum of its racks' cleaned heat this step, W.
    segment_heat_w: Vec<(f64, f64)>,
    /// Per segment: (inlet temperature, racks) for the exceedance count.
    segment_inlets: Vec<(f64, usize)>,
    exceedance: Exceedance,
}

/// When the policy decides: on every step (a plant stepped on its own), or only when the site's
/// master asks, at its decision instants (the physics may take several sub-steps in between).
#[derive(Debug, Clone, Copy, Default)]
struct Decisions {
    /// Decide only when asked ([`CoolingPlant::request_decision`]).
    external: bool,
    /// A decision is due at the next step: the time since the last decision, s.
    due_since_s: Option<f64>,
    /// Actions commanded from outside for the next decision (still guarded).
    commanded: Option<Actions>,
    /// The actions in force.
    held: Option<Actions>,
}

/// Consecutive racks of one row (see [`CoolingPlant`]'s `segments`).
#[derive(Debug, Clone)]
struct Segment {
    racks: Range<usize>,
    kind: RackCooling,
    /// `1 - r`, the design share of the racks' inlet air that comes from the CRAHs.
    cold_share: f64,
}

/// Maximal runs of consecutive racks with the same row.
fn segments_of(rack_rows: &[usize], kinds: &[RackCooling], cold_share: &[f64]) -> Vec<Segment> {
    let mut segs: Vec<Segment> = Vec::new();
    for (i, &row) in rack_rows.iter().enumerate() {
        match segs.last_mut() {
            Some(s) if s.racks.end == i && rack_rows[s.racks.start] == row => s.racks.end = i + 1,
            _ => segs.push(Segment {
                racks: i..i + 1,
                kind: kinds[i],
                cold_share: cold_share[i],
            }),
        }
    }
    segs
}

/// Cleans `src` into `dst` ([`clean_heat`] of each; `dst` beyond `src` is zeroed) and returns
/// their sum and maximum (0 when empty). Four partial sums, so the loop vectorises.
fn clean_sum_max(src: &[f64], dst: &mut [f64]) -> (f64, f64) {
    let n = src.len().min(dst.len());
    dst[n..].fill(0.0);
    let (src, dst) = (&src[..n], &mut dst[..n]);
    let mut sum = [0.0f64; 4];
    let mut max = [0.0f64; 4];
    let mut d4 = dst.chunks_exact_mut(4);
    let mut s4 = src.chunks_exact(4);
    for (d, s) in (&mut d4).zip(&mut s4) {
        for k in 0..4 {
            let q = clean_heat(s[k]);
            d[k] = q;
            sum[k] += q;
            max[k] = if q > max[k] { q } else { max[k] };
        }
    }
    for (d, &q) in d4.into_remainder().iter_mut().zip(s4.remainder()) {
        let q = clean_heat(q);
        *d = q;
        sum[0] += q;
        max[0] = if q > max[0] { q } else { max[0] };
    }
    (
        (sum[0] + sum[1]) + (sum[2] + sum[3]),
        max[0].max(max[1]).max(max[2].max(max[3])),
    )
}

/// A rack heat as used by the plant, W: 0 if negative or not finite.
#[inline]
fn clean_heat(q: f64) -> f64 {
    // `&` rather than `&&`: no short-circuit branch, so loops over racks vectorise.
    if (q > 0.0) & (q < f64::INFINITY) {
        q
    } else {
        0.0
    }
}

/// The policy behind the guard at a decision, or the held actions between decisions.
fn decide_or_hold(
    d: &mut Decisions,
    policy: &mut (dyn CoolingPolicy + Send),
    guard: &mut Guard,
    obs: &mut Observations,
    h_s: f64,
) -> Actions {
    let due = match (d.external, d.due_since_s.take(), d.held) {
        (true, None, Some(held)) => return held,
        (true, Some(since), _) => since.max(0.0),
        _ => h_s,
    };
    obs.dt_s = due;
    let proposed = match d.commanded.take() {
        Some(a) => a,
        None => policy.decide(obs),
    };
    let act = guard.apply(proposed, obs);
    d.held = Some(act);
    act
}

fn mark_up(up: &mut [bool], down: &[usize]) -> usize {
    up.iter_mut().for_each(|u| *u = true);
    for &i in down {
        if let Some(u) = up.get_mut(i) {
            *u = false;
        }
    }
    up.iter().filter(|u| **u).count()
}

impl CoolingPlant {
    /// Build the plant with the configured built-in policy. `rack_rows[i]` is the row index of
    /// rack `i` into `row_names`.
    pub fn new(
        cfg: &CoolingConfig,
        rack_rows: &[usize],
        row_names: &[String],
    ) -> Result<CoolingPlant, ThermalError> {
        let base = Actions {
            crah_supply_c: cfg.air.supply_setpoint_c,
            crah_airflow_ratio: cfg.control.crah_airflow_ratio,
            tcs_supply_c: cfg.liquid.tcs_supply_setpoint_c,
            tcs_pump_speed: cfg.control.tcs_pump_speed,
        };
        let c = &cfg.control;
        let policy: Box<dyn CoolingPolicy + Send> = match c.policy {
            PolicyKind::Fixed => Box::new(FixedSetpoints(base)),
            PolicyKind::SupplyReset => Box::new(SupplyReset {
                base,
                signal: c.reset_signal,
                signal_low: c.reset_signal_low,
                signal_high: c.reset_signal_high,
                tcs_at_low_c: c.reset_tcs_at_low_c,
                tcs_at_high_c: c.reset_tcs_at_high_c,
            }),
            PolicyKind::Pid => Box::new(PidPumpSpeed {
                base,
                target_chip_c: c.pid_target_chip_c,
                kp_per_k: c.pid_kp_per_k,
                ki_per_k_s: c.pid_ki_per_k_s,
                min_speed: c.guard_pump_speed[0],
                max_speed: c.guard_pump_speed[1],
                integral: c.tcs_pump_speed,
            }),
            PolicyKind::PidInlet => Box::new(PidSupplyAir {
                base,
                target_inlet_c: c.pid_target_inlet_c,
                kp: c.pid_inlet_kp,
                ki_per_s: c.pid_inlet_ki_per_s,
                min_supply_c: c.guard_crah_supply_c[0],
                max_supply_c: c.guard_crah_supply_c[1],
                integral_k: (c.guard_crah_supply_c[1] - cfg.air.supply_setpoint_c).max(0.0),
            }),
        };
        Self::with_policy(cfg, rack_rows, row_names, policy)
    }

    /// Build the plant with a custom policy (still behind the guard).
    pub fn with_policy(
        cfg: &CoolingConfig,
        rack_rows: &[usize],
        row_names: &[String],
        policy: Box<dyn CoolingPolicy + Send>,
    ) -> Result<CoolingPlant, ThermalError> {
        let errors: Vec<String> = cfg
            .validate()
            .into_iter()
            .filter(|i| i.severity == sim_core::Severity::Error)
            .map(|i| i.to_string())
            .collect();
        if !errors.is_empty() {
            return Err(ThermalError::InvalidConfig(errors.join("\n")));
        }
        let known = || row_names.join(", ");
        let mut row_kind = vec![RackCooling::Air; row_names.len()];
        for (key, rows, kind) in [
            ("liquid.rows", &cfg.liquid.rows, RackCooling::ColdPlate),
            (
                "immersion.rows",
                &cfg.immersion.rows,
                RackCooling::Immersion,
            ),
        ] {
            for (i, name) in rows.iter().enumerate() {
                let Some(r) = row_names.iter().position(|n| n == name) else {
                    return Err(ThermalError::UnknownRow {
                        key: format!("{key}[{i}]"),
                        name: name.clone(),
                        known: known(),
                    });
                };
                if row_kind[r] != RackCooling::Air && row_kind[r] != kind {
                    return Err(ThermalError::RowInTwoTechnologies(name.clone()));
                }
                row_kind[r] = kind;
            }
        }
        let mut rack_kind = Vec::with_capacity(rack_rows.len());
        for (rack, &row) in rack_rows.iter().enumerate() {
            let Some(&k) = row_kind.get(row) else {
                return Err(ThermalError::BadRackRow {
                    rack,
                    row,
                    rows: row_names.len(),
                });
            };
            rack_kind.push(k);
        }
        let mut row_recirc = vec![cfg.air.recirculation_fraction; row_names.len()];
        for (name, &r) in &cfg.air.row_recirculation_fraction {
            let Some(i) = row_names.iter().position(|n| n == name) else {
                return Err(ThermalError::UnknownRow {
                    key: format!("air.row_recirculation_fraction.{name}"),
                    name: name.clone(),
                    known: known(),
                });
            };
            row_recirc[i] = r;
        }
        // rack_rows were checked against row_names above
        let cold_share: Vec<f64> = rack_rows
            .iter()
            .map(|&row| 1.0 - row_recirc.get(row).copied().unwrap_or(0.0))
            .collect();
        let n_cold_plate = rack_kind
            .iter()
            .filter(|k| **k == RackCooling::ColdPlate)
            .count();
        let n_immersion = rack_kind
            .iter()
            .filter(|k| **k == RackCooling::Immersion)
            .count();

        let a = &cfg.air;
        let l = &cfg.liquid;
        let im = &cfg.immersion;
        let water_cp = Coolant::Water.properties_clamped(RATING_WATER_C).cp_j_kg_k;
        let tcs_cp = l
            .coolant
            .properties_clamped(l.tcs_supply_setpoint_c)
            .cp_j_kg_k;
        let tank_props = im.coolant.properties_clamped(RATING_TANK_FLUID_C);
        let tank_cp = tank_props.cp_j_kg_k;
        let cdu_duty = (l.cdu_count - l.cdu_spare_count.min(l.cdu_count)).max(1) as f64;
        let fw_duty = (l.fw_pump_count - l.fw_pump_spare_count.min(l.fw_pump_count)).max(1) as f64;
        let class: AshraeClass = cfg.ashrae_class;
        let ctl = &cfg.control;
        let ranges = SafeRanges {
            crah_supply_c: (ctl.guard_crah_supply_c[0], ctl.guard_crah_supply_c[1]),
            crah_airflow_ratio: (ctl.guard_airflow_ratio[0], ctl.guard_airflow_ratio[1]),
            tcs_supply_c: (ctl.guard_tcs_supply_c[0], ctl.guard_tcs_supply_c[1]),
            tcs_pump_speed: (ctl.guard_pump_speed[0], ctl.guard_pump_speed[1]),
            chip_limit_c: cfg.chip_limit_c,
            inlet_limit_c: class.allowable().max_c,
            release_margin_k: ctl.guard_release_margin_k,
        };
        let n = rack_rows.len();
        let segments = segments_of(rack_rows, &rack_kind, &cold_share);
        Ok(CoolingPlant {
            cfg: cfg.clone(),
            n_cold_plate,
            n_immersion,
            crah: Crah {
                rated_airflow_kg_s: a.crah_rated_airflow_kg_s,
                rated_fan_power_w: a.crah_rated_fan_power_w,
            },
            containment: Containment {
                recirculation_fraction: a.recirculation_fraction,
                bypass_fraction: a.bypass_fraction,
            },
            room: RoomAir {
                heat_capacity_j_k: a.room_heat_capacity_j_k,
                hot_c: a.supply_setpoint_c + a.server_delta_t_k,
            },
            cold_plate: ColdPlate {
                r_ref_k_w: l.cold_plate_r_ref_k_w,
                flow_ref_kg_s: l.cold_plate_flow_ref_kg_s,
                flow_exponent: l.cold_plate_flow_exponent,
            },
            cdu: Cdu::from_rated(
                l.cdu_rated_capacity_w,
                l.cdu_rated_approach_k,
                l.cdu_rated_tcs_flow_kg_s,
                tcs_cp,
                l.cdu_rated_fw_flow_kg_s,
                water_cp,
            ),
            tcs_pump: Pump {
                rated_flow_kg_s: cdu_duty * l.cdu_rated_tcs_flow_kg_s,
                rated_head_pa: l.tcs_pump_rated_head_pa,
                efficiency: l.tcs_pump_efficiency,
            },
            fw_pump: Pump {
                rated_flow_kg_s: fw_duty * l.fw_pump_rated_flow_kg_s,
                rated_head_pa: l.fw_pump_rated_head_pa,
                efficiency: l.fw_pump_efficiency,
            },
            tank: CounterflowHx::from_rated(
                im.hx_rated_capacity_w,
                im.hx_rated_approach_k,
                im.tank_fluid_flow_kg_s,
                tank_cp,
                im.tank_fw_flow_kg_s,
                water_cp,
            )
            .map(|hx| ImmersionTank {
                hx,
                fluid_flow_kg_s: im.tank_fluid_flow_kg_s,
                chips: im.chips_per_tank as f64,
                chip_to_fluid_r_k_w: im.chip_to_fluid_r_k_w,
            }),
            tank_pump: Pump {
                rated_flow_kg_s: im.tank_fluid_flow_kg_s,
                rated_head_pa: im.tank_pump_rated_head_pa,
                efficiency: im.tank_pump_efficiency,
            },
            policy,
            guard: Guard::new(ranges),
            // Nothing measured before the first step: NaN temperatures (a policy holds its
            // initial output on a non-finite error; the guard neither trips nor releases).
            obs: Observations {
                max_chip_c: f64::NAN,
                max_inlet_c: f64::NAN,
                ..Observations::default()
            },
            decisions: Decisions::default(),
            tcs_stored_j: 0.0,
            tank_fluid_c: RATING_TANK_FLUID_C,
            tank_bulk_c: vec![f64::NAN; n],
            tank_heat_capacity_j_k: im.tank_fluid_volume_m3
                * tank_props.density_kg_m3
                * tank_props.cp_j_kg_k,
            started: false,
            crah_up: vec![true; a.crah_count],
            cdu_up: vec![true; l.cdu_count],
            fw_up: vec![true; l.fw_pump_count],
            out: ThermalStep {
                rack_inlet_c: vec![0.0; n],
                rack_outlet_c: vec![0.0; n],
                rack_chip_c: vec![0.0; n],
                ..ThermalStep::default()
            },
            caps_w: vec![f64::INFINITY; n],
            heat_buf: vec![0.0; n],
            segment_heat_w: vec![(0.0, 0.0); segments.len()],
            segment_inlets: Vec::with_capacity(segments.len()),
            segments,
            exceedance: Exceedance::default(),
        })
    }

    /// Number of racks.
    pub fn racks(&self) -> usize {
        self.heat_buf.len()
    }

    /// Name of the policy in use.
    pub fn policy_name(&self) -> &str {
        self.policy.name()
    }

    /// The guard (clamp and fallback counters).
    pub fn guard(&self) -> &Guard {
        &self.guard
    }

    /// Hours outside the ASHRAE bands and above the chip limit so far.
    pub fn exceedance(&self) -> &Exceedance {
        &self.exceedance
    }

    /// The last step's outputs.
    pub fn last(&self) -> &ThermalStep {
        &self.out
    }

    /// Per-rack power caps, W: `+inf` for racks not capped. With
    /// `throttle_at_chip_limit = true`, a liquid or immersion rack whose chip exceeded the
    /// limit last step gets the heat at which its chip would sit at the limit (chip rise is
    /// linear in heat). Air racks are never capped (their chip estimate does not depend on
    /// heat).
    pub fn rack_power_cap_w(&self) -> &[f64] {
        &self.caps_w
    }

    /// Decide only when [`Self::request_decision`] asks (the site's master does, at its decision
    /// instants); between decisions the actions in force are held over any number of physics
    /// steps, so the controller's behaviour does not depend on how the physics is sub-stepped.
    pub fn decide_on_request(&mut self) {
        self.decisions.external = true;
    }

    /// The next step starts with a decision; `since_last_s` is the time since the previous one
    /// (what a PI controller integrates over). `commanded` replaces the built-in policy's
    /// proposal for this decision; the guard corrects it either way.
    pub fn request_decision(&mut self, since_last_s: f64, commanded: Option<Actions>) {
        self.decisions.due_since_s = Some(since_last_s);
        self.decisions.commanded = commanded;
    }

    /// The actions in force (after the guard), if a decision was taken.
    pub fn actions(&self) -> Option<Actions> {
        self.decisions.held
    }

    /// Advance the plant over `dt` with `inputs` held constant. Racks beyond
    /// `inputs.rack_heat_w.len()` are taken as dissipating nothing. A zero `dt` changes
    /// nothing and returns the previous step.
    pub fn step(&mut self, dt: SimDuration, inputs: &ThermalInputs<'_>) -> &ThermalStep {
        if dt.is_zero() {
            return &self.out;
        }
        let h_s = dt.as_secs_f64();
        // cleaned rack heats (missing, negative, non-finite -> 0) with their sum and maximum
        // per segment, one pass
        let given = inputs.rack_heat_w.len();
        for (seg, sm) in self.segments.iter().zip(&mut self.segment_heat_w) {
            let r = seg.racks.clone();
            let src = &inputs.rack_heat_w[r.start.min(given)..r.end.min(given)];
            *sm = clean_sum_max(src, &mut self.heat_buf[r]);
        }
        let heat_w = &self.heat_buf;
        let fw_supply_c = inputs.fw_supply_c;
        let chw_supply_c = inputs.chw_supply_c;

        // 2. split heat (before the policy, which sees this load on the first step)
        let f = self.cfg.liquid.capture_fraction;
        // heat per technology, and sum of (1 - r_i) * air heat_i (sets the CRAH supply the
        // racks draw)
        let (mut q_air_racks, mut q_cp_racks, mut q_imm_racks) = (0.0, 0.0, 0.0);
        let (mut cold_air, mut cold_cp) = (0.0, 0.0);
        for (seg, &(q, _)) in self.segments.iter().zip(&self.segment_heat_w) {
            match seg.kind {
                RackCooling::Air => {
                    q_air_racks += q;
                    cold_air += seg.cold_share * q;
                }
                RackCooling::ColdPlate => {
                    q_cp_racks += q;
                    cold_cp += seg.cold_share * q;
                }
                RackCooling::Immersion => q_imm_racks += q,
            }
        }
        let q_it = q_air_racks + q_cp_racks + q_imm_racks;
        let q_cp = f * q_cp_racks;
        let q_air = q_air_racks + (1.0 - f) * q_cp_racks;
        let q_air_cold_w = cold_air + (1.0 - f) * cold_cp;

        // The first step starts from a consistent state: the policy sees the load it is about
        // to act on (not 0 W), the tanks' fluid starts at its steady state for this step's
        // inputs, as the room does (see below).
        let first = !self.started;
        if first {
            self.obs.it_heat_w = q_it;
            self.obs.design_it_heat_w = q_it;
        }

        // 1. policy behind the guard
        self.obs.outdoor_dry_bulb_c = inputs.outdoor_dry_bulb_c;
        self.obs.chw_supply_c = chw_supply_c;
        self.obs.fw_supply_c = fw_supply_c;
        let act = decide_or_hold(
            &mut self.decisions,
            self.policy.as_mut(),
            &mut self.guard,
            &mut self.obs,
            h_s,
        );

        let n_crah = mark_up(&mut self.crah_up, inputs.faults.crah_down);
        let n_cdu = mark_up(&mut self.cdu_up, inputs.faults.cdu_down);
        let n_fw = mark_up(&mut self.fw_up, inputs.faults.fw_pump_down);
        let a = &self.cfg.air;
        let l = &self.cfg.liquid;
        let im = &self.cfg.immersion;

        // 3. TCS flows and pumps
        let water = Coolant::Water.properties_clamped(fw_supply_c);
        let tcs_fluid = l.coolant.properties_clamped(act.tcs_supply_c);
        let n_cp = self.n_cold_plate as f64;
        let tcs_demand = n_cp * act.tcs_pump_speed * l.rack_design_flow_kg_s;
        let tcs_flow = tcs_demand.min(n_cdu as f64 * l.cdu_rated_tcs_flow_kg_s);
        let tcs_pump_power_w = if tcs_flow > 0.0 {
            self.tcs_pump.power_w(tcs_flow, tcs_fluid.density_kg_m3)
        } else {
            0.0
        };
        let per_cdu_tcs = if n_cdu > 0 {
            tcs_flow / n_cdu as f64
        } else {
            0.0
        };
        let cdu_fw_demand =
            n_cdu as f64 * l.cdu_rated_fw_flow_kg_s * per_cdu_tcs / l.cdu_rated_tcs_flow_kg_s;

        // 5a. facility-water flow (needed by steps 3 and 4)
        let n_imm = self.n_immersion as f64;
        let fw_demand = cdu_fw_demand + n_imm * im.tank_fw_flow_kg_s;
        let fw_cap = n_fw as f64 * l.fw_pump_rated_flow_kg_s;
        let fw_scale = if fw_demand > fw_cap && fw_demand > 0.0 {
            fw_cap / fw_demand
        } else {
            1.0
        };
        let fw_flow = fw_demand * fw_scale;
        let fw_pump_power_w = if fw_flow > 0.0 {
            self.fw_pump.power_w(fw_flow, water.density_kg_m3)
        } else {
            0.0
        };

        // 3b. CDUs
        let q_tcs = q_cp + tcs_pump_power_w;
        let mut fw_load = fw_pump_power_w;
        let mut stored_j = 0.0;
        let mut fw_sp = f64::INFINITY;
        let per_cdu_fw = if n_cdu > 0 {
            cdu_fw_demand * fw_scale / n_cdu as f64
        } else {
            0.0
        };
        let cdu_rise_k = match self.cdu {
            Some(cdu) if per_cdu_tcs > 0.0 && per_cdu_fw > 0.0 => Some(cdu.approach_at_k(
                q_tcs / n_cdu as f64,
                per_cdu_tcs,
                tcs_fluid.cp_j_kg_k,
                per_cdu_fw,
                water.cp_j_kg_k,
            )),
            _ => None,
        };
        let tcs_supply_c = match cdu_rise_k {
            Some(rise) if rise.is_finite() => {
                // Heat stored in the TCS fluid while no CDU ran leaves through the CDUs as the
                // fluid turns over: exact decay of the excess over the step with the fluid's
                // turnover time C / (m cp) (lumped capacitance, Incropera & DeWitt 5.1), so a
                // short first step with a CDU back releases a short step's share.
                let released_j = if self.tcs_stored_j != 0.0 {
                    let tau_s = l.tcs_heat_capacity_j_k / (tcs_flow * tcs_fluid.cp_j_kg_k);
                    self.tcs_stored_j * -(-h_s / tau_s).exp_m1()
                } else {
                    0.0
                };
                fw_load += q_tcs + released_j / h_s;
                stored_j -= released_j;
                self.tcs_stored_j -= released_j;
                if self.n_cold_plate > 0 {
                    fw_sp = fw_sp.min(act.tcs_supply_c - rise);
                }
                act.tcs_supply_c.max(fw_supply_c + rise)
                    + self.tcs_stored_j / l.tcs_heat_capacity_j_k
            }
            _ => {
                // No heat path to facility water: the TCS fluid stores the heat.
                self.tcs_stored_j += q_tcs * h_s;
                stored_j += q_tcs * h_s;
                act.tcs_supply_c + self.tcs_stored_j / l.tcs_heat_capacity_j_k
            }
        };
        let plates = l.cold_plates_per_rack as f64;
        let plate_flow = if self.n_cold_plate > 0 {
            tcs_flow / n_cp / plates
        } else {
            0.0
        };
        let r_plate = self.cold_plate.resistance_k_w(plate_flow);

        // 4. immersion: fluid properties at the tanks' mean temperature of the last step; on
        // the first step at their steady state for this step's inputs (a few fixed-point
        // rounds), so the run does not start with a settling step.
        let tank_fw = im.tank_fw_flow_kg_s * fw_scale;
        let tank_at = |t_c: f64| {
            let fluid = im.coolant.properties_clamped(t_c);
            let pump_w = self
                .tank_pump
                .power_w(im.tank_fluid_flow_kg_s, fluid.density_kg_m3);
            let k = self.tank.map_or(f64::INFINITY, |t| {
                t.fluid_rise_k_per_w(fluid.cp_j_kg_k, tank_fw, water.cp_j_kg_k)
            });
            (pump_w, k)
        };
        if first && self.n_immersion > 0 {
            for _ in 0..4 {
                let (pump_w, k) = tank_at(self.tank_fluid_c);
                if !k.is_finite() {
                    break;
                }
                self.tank_fluid_c =
                    fw_supply_c + (q_imm_racks / self.n_immersion as f64 + pump_w) * k;
            }
        }
        let (tank_pump_w, tank_k_per_w) = if self.n_immersion > 0 {
            tank_at(self.tank_fluid_c)
        } else {
            (0.0, f64::INFINITY)
        };
        let chip_r_per_w = im.chip_to_fluid_r_k_w / im.chips_per_tank as f64;

        // 6. air path
        // Cold air the racks draw from the CRAHs: sum (1 - r_i) m_it_i; the CRAHs must supply
        // it plus the bypass: m_crah = cold / (1 - b) (see crate::air).
        let m_cold = q_air_cold_w / (AIR_CP_J_KG_K * a.server_delta_t_k);
        let one_minus_b = 1.0 - self.containment.bypass_fraction;
        let m_need = m_cold / one_minus_b * act.crah_airflow_ratio;
        let m_max = n_crah as f64 * a.crah_rated_airflow_kg_s;
        let m_crah = m_need.clamp(m_max * a.crah_min_speed, m_max);
        let fan_w = if n_crah > 0 {
            n_crah as f64 * self.crah.fan_power_w(m_crah / n_crah as f64)
        } else {
            0.0
        };
        // Share of each rack's design cold air actually delivered (< 1: racks draw more hot
        // air, r_i' = 1 - phi (1 - r_i)).
        let phi = if m_cold > 0.0 {
            (one_minus_b * m_crah / m_cold).min(1.0)
        } else {
            1.0
        };
        let supply_c = act.crah_supply_c.max(chw_supply_c + a.coil_approach_k);
        let extra = if inputs.white_space_extra_heat_w.is_finite() {
            inputs.white_space_extra_heat_w
        } else {
            0.0
        };
        let q_room = q_air + extra + fan_w;
        if first && m_crah > 0.0 {
            self.room.hot_c = RoomAir::steady_hot_c(q_room, m_crah, supply_c);
        }
        self.started = true;
        let room = self.room.advance(q_room, m_crah, supply_c, h_s);
        stored_j += room.stored_j;
        let hot_c = self.room.hot_c;
        let cold_span_k = phi * (hot_c - supply_c);

        // per-rack temperatures, immersion loads, caps
        let limit = self.cfg.chip_limit_c;
        let throttle = self.cfg.throttle_at_chip_limit;
        let out = &mut self.out;
        let caps = &mut self.caps_w;
        // inlet_i = (1 - r_i') supply + r_i' hot = hot - phi (1 - r_i) (hot - supply): one value
        // per segment (a row's racks share r_i), as are the air racks' chip estimates; outlets
        // and liquid chips depend on each rack's heat.
        let mut max_inlet_c = f64::NEG_INFINITY;
        let mut max_chip = f64::NEG_INFINITY;
        // per cooling kind: air, cold plate, immersion
        let mut max_kind = [f64::NEG_INFINITY; 3];
        let (rise_k, dt_k) = (a.air_chip_rise_k, a.server_delta_t_k);
        let cp_slope = f / plates * r_plate;
        let cp_cap = ((limit - tcs_supply_c) / cp_slope).max(0.0);
        self.segment_inlets.clear();
        for (seg, &(_, q_max)) in self.segments.iter().zip(&self.segment_heat_w) {
            let r = seg.racks.clone();
            let t = hot_c - seg.cold_share * cold_span_k;
            self.segment_inlets.push((t, r.len()));
            if t > max_inlet_c {
                max_inlet_c = t;
            }
            out.rack_inlet_c[r.clone()].fill(t);
            if seg.kind == RackCooling::Immersion {
                // no heat to air; chips below
                out.rack_outlet_c[r].fill(t);
                continue;
            }
            let t_out = t + dt_k;
            for (o, &q) in out.rack_outlet_c[r.clone()]
                .iter_mut()
                .zip(&heat_w[r.clone()])
            {
                *o = if q > 0.0 { t_out } else { t };
            }
            if seg.kind == RackCooling::Air {
                let chip = t + rise_k;
                out.rack_chip_c[r].fill(chip);
                if chip > max_chip {
                    max_chip = chip;
                }
                max_kind[0] = max_kind[0].max(chip);
                continue;
            }
            // cold plate: chip = TCS supply + q f R / plates, rising with q
            for (c, &q) in out.rack_chip_c[r.clone()]
                .iter_mut()
                .zip(&heat_w[r.clone()])
            {
                *c = tcs_supply_c + if q > 0.0 { q * cp_slope } else { 0.0 };
            }
            let chip = tcs_supply_c + if q_max > 0.0 { q_max * cp_slope } else { 0.0 };
            if chip > max_chip {
                max_chip = chip;
            }
            max_kind[1] = max_kind[1].max(chip);
            if throttle {
                for (cap, &c) in caps[r.clone()].iter_mut().zip(&out.rack_chip_c[r]) {
                    *cap = if c > limit && cp_cap.is_finite() {
                        cp_cap
                    } else {
                        f64::INFINITY
                    };
                }
            }
        }
        let imm_load = q_imm_racks + n_imm * tank_pump_w;
        // Tank bulk fluid, lumped capacitance C (Incropera & DeWitt ch. 5.1):
        // dT/dt = (q + pump - (T - fw) / k) / C with k = 1 / (eps C_min), advanced exactly over
        // the step with the inputs held: T1 = T_ss + (T0 - T_ss) exp(-h / (C k)),
        // T_ss = fw + (q + pump) k ([`sim_core::first_order_step`] with its decay factor taken
        // once: every tank has the same time constant). The chip follows its own heat at once
        // (chip = T1 + q R / chips); the fluid lags. Without facility-water flow the fluid
        // stores all its heat and the chip is reported as +inf (no coolant flow).
        let cap_j_k = self.tank_heat_capacity_j_k;
        let flowing = tank_k_per_w.is_finite();
        let decay = if cap_j_k > 0.0 && flowing {
            (-h_s / (cap_j_k * tank_k_per_w)).exp()
        } else {
            0.0
        };
        // Throttling cap: the heat q at which the chip would sit at the limit next step from
        // the bulk state T1, limit = T_ss(q) (1 - decay) + T1 decay + q R / chips, solved for q
        // as (cap_at_c - T1 decay) / cap_k_per_w.
        let g = 1.0 - decay;
        let cap_at_c = limit - (fw_supply_c + tank_pump_w * tank_k_per_w) * g;
        let cap_k_per_w = tank_k_per_w * g + chip_r_per_w;
        let mut imm_stored_j = 0.0;
        let mut bulk_sum_c = 0.0;
        let mut imm_need = 0.0f64;
        let tank_segments = self
            .segments
            .iter()
            .filter(|s| s.kind == RackCooling::Immersion);
        for r in tank_segments.map(|s| s.racks.clone()) {
            for ((c, q), (t_f, cap)) in out.rack_chip_c[r.clone()]
                .iter_mut()
                .zip(heat_w[r.clone()].iter().copied())
                .zip(
                    self.tank_bulk_c[r.clone()]
                        .iter_mut()
                        .zip(caps[r.clone()].iter_mut()),
                )
            {
                let q_tank = q + tank_pump_w;
                let ss_rise = q_tank * tank_k_per_w;
                imm_need = imm_need.max(ss_rise + q * chip_r_per_w);
                let t0 = if first || !t_f.is_finite() {
                    if flowing {
                        fw_supply_c + ss_rise
                    } else {
                        fw_supply_c
                    }
                } else {
                    *t_f
                };
                let t1 = if flowing {
                    let t_ss = fw_supply_c + ss_rise;
                    let t1 = t_ss + (t0 - t_ss) * decay;
                    *c = t1 + q * chip_r_per_w;
                    t1
                } else {
                    *c = f64::INFINITY;
                    if cap_j_k > 0.0 {
                        t0 + q_tank * h_s / cap_j_k
                    } else {
                        t0
                    }
                };
                imm_stored_j += if cap_j_k > 0.0 {
                    cap_j_k * (t1 - t0)
                } else {
                    0.0
                };
                *t_f = t1;
                bulk_sum_c += t1;
                if *c > max_chip {
                    max_chip = *c;
                }
                if *c > max_kind[2] {
                    max_kind[2] = *c;
                }
                if throttle {
                    *cap = f64::INFINITY;
                    if *c > limit {
                        let cap_w = if flowing {
                            ((cap_at_c - t1 * decay) / cap_k_per_w).max(0.0)
                        } else {
                            0.0
                        };
                        if cap_w.is_finite() {
                            *cap = cap_w;
                        }
                    }
                }
            }
        }
        if self.n_immersion > 0 {
            fw_load += imm_load - imm_stored_j / h_s;
            stored_j += imm_stored_j;
            fw_sp = fw_sp.min(limit - im.chip_margin_k - imm_need);
            // the tanks' mean bulk temperature: their fluid properties on the next step
            let mean_c = bulk_sum_c / n_imm;
            if mean_c.is_finite() {
                self.tank_fluid_c = mean_c;
            }
        }
        if !fw_sp.is_finite() {
            fw_sp = act.tcs_supply_c - l.cdu_rated_approach_k;
        }

        // outputs
        let o = &mut self.out;
        o.max_chip_by_cooling_c =
            max_kind.map(|m| if m == f64::NEG_INFINITY { f64::NAN } else { m });
        o.max_chip_c = if self.heat_buf.is_empty() {
            f64::NAN
        } else {
            max_chip
        };
        o.max_inlet_c = if self.heat_buf.is_empty() {
            f64::NAN
        } else {
            max_inlet_c
        };
        o.it_heat_w = q_it;
        o.crah_supply_c = supply_c;
        o.hot_aisle_c = self.room.hot_c;
        o.crah_airflow_kg_s = m_crah;
        o.crah_fan_power_w = fan_w;
        o.tcs_pump_power_w = tcs_pump_power_w;
        o.immersion_pump_power_w = tank_pump_w * n_imm;
        o.fw_pump_power_w = fw_pump_power_w;
        o.chw_load_w = room.coil_load_w;
        o.chw_supply_setpoint_c = act.crah_supply_c - a.coil_approach_k;
        let chw_cp = Coolant::Water.properties_clamped(chw_supply_c).cp_j_kg_k;
        if room.coil_load_w > 0.0 {
            o.chw_flow_kg_s = room.coil_load_w / (chw_cp * a.chw_delta_t_k);
            o.chw_return_c = chw_supply_c + a.chw_delta_t_k;
        } else {
            o.chw_flow_kg_s = 0.0;
            o.chw_return_c = chw_supply_c;
        }
        o.fw_load_w = fw_load;
        o.fw_supply_setpoint_c = fw_sp;
        o.fw_flow_kg_s = fw_flow;
        o.fw_return_c = if fw_flow > 0.0 {
            fw_supply_c + fw_load / (fw_flow * water.cp_j_kg_k)
        } else {
            fw_supply_c
        };
        o.tcs_supply_c = tcs_supply_c;
        o.tcs_flow_kg_s = tcs_flow;
        o.heat_stored_j = stored_j;
        o.actions = Some(act);

        self.exceedance.accumulate_groups(
            self.cfg.ashrae_class,
            &self.segment_inlets,
            o.max_chip_c,
            limit,
            dt.as_hours_f64(),
        );
        self.obs.max_inlet_c = o.max_inlet_c;
        self.obs.max_chip_c = o.max_chip_c;
        self.obs.it_heat_w = q_it;
        self.obs.design_it_heat_w = self.obs.design_it_heat_w.max(q_it);
        &self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: SimDuration = SimDuration::from_minutes(1);

    /// Rows: 0 "air" (20 racks of 15 kW), 1 "gpu" (10 cold-plate racks of 60 kW),
    /// 2 "tank" (5 immersion racks of 40 kW).
    fn mixed_site() -> (CoolingConfig, Vec<usize>, Vec<String>, Vec<f64>) {
        let mut cfg = CoolingConfig::default();
        cfg.liquid.rows = vec!["gpu".into()];
        cfg.immersion.rows = vec!["tank".into()];
        let names = vec!["air".to_string(), "gpu".to_string(), "tank".to_string()];
        let mut rows = vec![0; 20];
        rows.extend(vec![1; 10]);
        rows.extend(vec![2; 5]);
        let mut heat = vec![15e3; 20];
        heat.extend(vec![60e3; 10]);
        heat.extend(vec![40e3; 5]);
        (cfg, rows, names, heat)
    }

    fn inputs<'a>(heat: &'a [f64], faults: Faults<'a>) -> ThermalInputs<'a> {
        ThermalInputs {
            rack_heat_w: heat,
            white_space_extra_heat_w: 20e3,
            outdoor_dry_bulb_c: 25.0,
            chw_supply_c: 14.0,
            fw_supply_c: 26.0,
            faults,
        }
    }

    fn balance_residual(s: &ThermalStep, heat: &[f64], extra_w: f64, h_s: f64) -> f64 {
        let input: f64 = heat.iter().sum::<f64>()
            + extra_w
            + s.crah_fan_power_w
            + s.tcs_pump_power_w
            + s.immersion_pump_power_w
            + s.fw_pump_power_w;
        let out = s.chw_load_w + s.fw_load_w + s.heat_stored_j / h_s;
        (out - input).abs() / input
    }

    #[test]
    fn energy_balance_closes_every_step_and_at_steady_state() {
        let (cfg, rows, names, heat) = mixed_site();
        let mut p = CoolingPlant::new(&cfg, &rows, &names).unwrap();
        for k in 0..300 {
            // a CRAH and a CDU fault in the middle exercise the storage terms
            let crah: &[usize] = if (100..150).contains(&k) {
                &[0, 1]
            } else {
                &[]
            };
            let cdu: &[usize] = if (120..130).contains(&k) {
                &[0, 1, 2]
            } else {
                &[]
            };
            let f = Faults {
                crah_down: crah,
                cdu_down: cdu,
                fw_pump_down: &[],
            };
            let s = p.step(MIN, &inputs(&heat, f));
            let r = balance_residual(s, &heat, 20e3, 60.0);
            assert!(r < 1e-9, "step {k}: residual {r:e}");
        }
        let s = p.step(MIN, &inputs(&heat, Faults::default()));
        assert!(
            s.heat_stored_j.abs() / 60.0 < 1e-6 * s.it_heat_w,
            "steady state"
        );
        let r = balance_residual(s, &heat, 20e3, 60.0);
        assert!(r < 1e-6);
        // loads land where expected: fw carries the liquid share, chw the air share
        let liquid = 10.0 * 60e3 * 0.8 + 5.0 * 40e3;
        assert!(s.fw_load_w > liquid && s.fw_load_w < liquid * 1.05);
        assert!(s.chw_load_w > 20.0 * 15e3 + 10.0 * 60e3 * 0.2 + 20e3);
        assert!(s.max_chip_c < cfg.chip_limit_c, "{}", s.max_chip_c);
        assert!(s.fw_return_c > 26.0 && s.chw_return_c > 14.0);
    }

    #[test]
    fn facility_water_at_its_setpoint_gives_the_tcs_setpoint() {
        let (cfg, rows, names, heat) = mixed_site();
        let mut p = CoolingPlant::new(&cfg, &rows, &names).unwrap();
        let mut fw = 26.0;
        for _ in 0..5 {
            let mut i = inputs(&heat, Faults::default());
            i.fw_supply_c = fw;
            fw = p.step(MIN, &i).fw_supply_setpoint_c;
        }
        let mut i = inputs(&heat, Faults::default());
        i.fw_supply_c = fw;
        let s = p.step(MIN, &i);
        // properties are evaluated at the fw temperature, so allow a small fixed-point residual
        assert!((s.tcs_supply_c - 32.0).abs() < 0.05, "{}", s.tcs_supply_c);
        // a warmer fw supply cannot hold the setpoint
        i.fw_supply_c = fw + 3.0;
        assert!(p.step(MIN, &i).tcs_supply_c > 34.9);
    }

    fn air_hall(crahs: usize, spares: usize) -> (CoolingPlant, Vec<f64>) {
        let mut cfg = CoolingConfig::default();
        cfg.air.crah_count = crahs;
        cfg.air.crah_spare_count = spares;
        cfg.control.crah_airflow_ratio = 1.0;
        let names = vec!["r".to_string()];
        let p = CoolingPlant::new(&cfg, &[0; 20], &names).unwrap();
        (p, vec![14e3; 20])
    }

    fn air_inputs<'a>(heat: &'a [f64], down: &'a [usize]) -> ThermalInputs<'a> {
        ThermalInputs {
            rack_heat_w: heat,
            white_space_extra_heat_w: 0.0,
            outdoor_dry_bulb_c: 20.0,
            chw_supply_c: 14.0,
            fw_supply_c: 25.0,
            faults: Faults {
                crah_down: down,
                ..Faults::default()
            },
        }
    }

    #[test]
    fn crah_trip_without_spare_warms_the_room_with_its_time_constant() {
        let (mut p, heat) = air_hall(2, 0);
        for _ in 0..10 {
            p.step(MIN, &air_inputs(&heat, &[]));
        }
        let before = p.last().max_inlet_c;
        let hot0 = p.last().hot_aisle_c;
        let s1 = p.step(MIN, &air_inputs(&heat, &[1])).clone();
        let m = s1.crah_airflow_kg_s;
        assert!((m - 15.0).abs() < 1e-12, "one unit at full speed");
        let q = 20.0 * 14e3 + s1.crah_fan_power_w;
        let hot_inf = s1.crah_supply_c + q / (m * AIR_CP_J_KG_K);
        let tau_s = 2.0e7 / (m * AIR_CP_J_KG_K);
        let mut inlet = vec![s1.max_inlet_c];
        for k in 2..=60u32 {
            let s = p.step(MIN, &air_inputs(&heat, &[1]));
            inlet.push(s.max_inlet_c);
            // exact first-order response of the hot node
            let t = 60.0 * f64::from(k);
            let want = hot_inf + (hot0 - hot_inf) * (-t / tau_s).exp();
            assert!(
                (s.hot_aisle_c - want).abs() < 1e-9,
                "{} vs {want}",
                s.hot_aisle_c
            );
        }
        assert!(inlet[0] > before);
        assert!(inlet.windows(2).all(|w| w[1] > w[0]), "rises monotonically");
        // rises over minutes: after 1 min well short of the 60-min value
        assert!(inlet[59] - inlet[0] > 2.0, "{inlet:?}");
        assert!(tau_s > 600.0 && tau_s < 3600.0);
    }

    #[test]
    fn inlet_pid_lowers_the_supply_after_a_trip() {
        let run = |policy: PolicyKind| {
            let mut cfg = CoolingConfig::default();
            cfg.air.crah_count = 2;
            cfg.air.crah_spare_count = 0;
            cfg.control.crah_airflow_ratio = 1.0;
            cfg.control.policy = policy;
            let mut p = CoolingPlant::new(&cfg, &[0; 20], &["r".to_string()]).unwrap();
            let heat = vec![14e3; 20];
            for _ in 0..10 {
                p.step(MIN, &air_inputs(&heat, &[]));
            }
            for _ in 0..60 {
                p.step(MIN, &air_inputs(&heat, &[1]));
            }
            p.last().clone()
        };
        let fixed = run(PolicyKind::Fixed);
        let pid = run(PolicyKind::PidInlet);
        // coil limit: chilled water 14 °C + 5 K approach
        assert!(
            (pid.crah_supply_c - 19.0).abs() < 1e-9,
            "{}",
            pid.crah_supply_c
        );
        assert!(pid.max_inlet_c < fixed.max_inlet_c - 2.0);
    }

    #[test]
    fn crah_trip_with_n_plus_1_keeps_inlets_within_limits() {
        let (mut p, heat) = air_hall(3, 1);
        for _ in 0..10 {
            p.step(MIN, &air_inputs(&heat, &[]));
        }
        let before = p.last().max_inlet_c;
        for _ in 0..120 {
            p.step(MIN, &air_inputs(&heat, &[2]));
        }
        let after = p.last().max_inlet_c;
        // Only the extra fan heat of two units at higher speed (cube law) warms the room a
        // little: 3 x (0.60)^3 -> 2 x (0.90)^3 of rated fan power, about 8 kW more.
        assert!((after - before).abs() < 0.1, "{before} -> {after}");
        assert!(after > before);
        assert!(after < AshraeClass::A1.recommended().max_c);
        assert_eq!(p.exceedance().outside_allowable_h, 0.0);
    }

    #[test]
    fn chip_temperature_falls_as_pump_speed_rises() {
        let (mut cfg, rows, names, heat) = mixed_site();
        let mut prev = f64::INFINITY;
        for speed in [0.4, 0.6, 0.8, 1.0] {
            cfg.control.tcs_pump_speed = speed;
            let mut p = CoolingPlant::new(&cfg, &rows, &names).unwrap();
            let s = p.step(MIN, &inputs(&heat, Faults::default()));
            let gpu_chip = s.rack_chip_c[20];
            assert!(gpu_chip < prev, "speed {speed}: {gpu_chip}");
            prev = gpu_chip;
        }
    }

    #[test]
    fn cdu_redundancy_and_total_loss() {
        let (cfg, rows, names, heat) = mixed_site();
        let mut p = CoolingPlant::new(&cfg, &rows, &names).unwrap();
        let base = p.step(MIN, &inputs(&heat, Faults::default())).rack_chip_c[20];
        let one = Faults {
            cdu_down: &[0],
            ..Faults::default()
        };
        let n1 = p.step(MIN, &inputs(&heat, one)).rack_chip_c[20];
        assert!(
            (n1 - base).abs() < 1e-9,
            "N+1 keeps the chip: {base} vs {n1}"
        );
        let all = Faults {
            cdu_down: &[0, 1, 2],
            ..Faults::default()
        };
        let s = p.step(MIN, &inputs(&heat, all));
        assert!(s.rack_chip_c[20].is_infinite() && s.heat_stored_j > 0.0);
        assert!(p.exceedance().chip_over_limit_h > 0.0);
    }

    #[test]
    fn throttle_caps_bring_chips_back_to_the_limit() {
        let (mut cfg, rows, names, mut heat) = mixed_site();
        cfg.throttle_at_chip_limit = true;
        let mut p = CoolingPlant::new(&cfg, &rows, &names).unwrap();
        heat[20] = 120e3;
        let s = p.step(MIN, &inputs(&heat, Faults::default()));
        assert!(s.rack_chip_c[20] > cfg.chip_limit_c);
        let cap = p.rack_power_cap_w()[20];
        assert!(cap < 120e3 && cap > 0.0);
        assert!(p.rack_power_cap_w()[21].is_infinite());
        // A fresh plant sees the same actions as the first step above (on its next step the
        // first plant's guard switches to the safe rule because the chip was over the limit).
        heat[20] = cap;
        let mut fresh = CoolingPlant::new(&cfg, &rows, &names).unwrap();
        let s = fresh.step(MIN, &inputs(&heat, Faults::default()));
        assert!(
            (s.rack_chip_c[20] - cfg.chip_limit_c).abs() < 1e-6,
            "{} tcs {}",
            s.rack_chip_c[20],
            s.tcs_supply_c
        );
    }

    #[test]
    fn immersion_throttle_cap_is_exact() {
        let (mut cfg, rows, names, mut heat) = mixed_site();
        cfg.throttle_at_chip_limit = true;
        heat[30] = 90e3;
        let mut p = CoolingPlant::new(&cfg, &rows, &names).unwrap();
        let s = p.step(MIN, &inputs(&heat, Faults::default()));
        assert!(
            s.rack_chip_c[30] > cfg.chip_limit_c,
            "{}",
            s.rack_chip_c[30]
        );
        let cap = p.rack_power_cap_w()[30];
        assert!(cap < 90e3);
        // The cap holds for the next step from the tank's present (lagging) fluid state; the
        // tank path does not depend on the guard's actions. Exact up to the fluid properties,
        // which follow the tanks' mean temperature from one step to the next (0.05 K).
        heat[30] = cap;
        let s = p.step(MIN, &inputs(&heat, Faults::default()));
        assert!(
            (s.rack_chip_c[30] - cfg.chip_limit_c).abs() < 0.05,
            "{}",
            s.rack_chip_c[30]
        );
        // immersion racks release no heat to air; cold-plate racks exhaust above their inlet
        assert_eq!(s.rack_outlet_c[30], s.rack_inlet_c[30]);
        assert!(s.rack_outlet_c[20] > s.rack_inlet_c[20]);
    }

    #[test]
    fn losing_facility_water_pumps_without_spare_warms_the_tcs() {
        let (mut cfg, rows, names, heat) = mixed_site();
        cfg.liquid.fw_pump_count = 2;
        cfg.liquid.fw_pump_spare_count = 0;
        cfg.liquid.fw_pump_rated_flow_kg_s = 9.0;
        let mut p = CoolingPlant::new(&cfg, &rows, &names).unwrap();
        let ok = p.step(MIN, &inputs(&heat, Faults::default())).clone();
        let one = Faults {
            fw_pump_down: &[1],
            ..Faults::default()
        };
        let s = p.step(MIN, &inputs(&heat, one)).clone();
        assert!((s.fw_flow_kg_s - 9.0).abs() < 1e-12);
        assert!(
            s.tcs_supply_c > ok.tcs_supply_c,
            "{} vs {}",
            s.tcs_supply_c,
            ok.tcs_supply_c
        );
        assert!(
            s.rack_chip_c[30] > ok.rack_chip_c[30],
            "tank chips warm too"
        );
        assert!(s.fw_supply_setpoint_c < ok.fw_supply_setpoint_c);
        assert!(balance_residual(&s, &heat, 20e3, 60.0) < 1e-9);
    }

    #[test]
    fn supply_reset_follows_outdoor_temperature_through_the_plant() {
        let (mut cfg, rows, names, heat) = mixed_site();
        cfg.control.policy = PolicyKind::SupplyReset;
        let mut p = CoolingPlant::new(&cfg, &rows, &names).unwrap();
        assert_eq!(p.policy_name(), "supply_reset");
        let mut i = inputs(&heat, Faults::default());
        i.fw_supply_c = 20.0;
        i.outdoor_dry_bulb_c = 0.0;
        let cold = p.step(MIN, &i).tcs_supply_c;
        i.outdoor_dry_bulb_c = 40.0;
        let warm = p.step(MIN, &i).tcs_supply_c;
        // defaults: 30 °C at <= 10 °C outdoor, 38 °C at >= 30 °C outdoor
        assert!((cold - 30.0).abs() < 1e-12 && (warm - 38.0).abs() < 1e-12);
    }

    #[derive(Debug)]
    struct Broken;
    impl CoolingPolicy for Broken {
        fn name(&self) -> &str {
            "broken"
        }
        fn decide(&mut self, _: &Observations) -> Actions {
            Actions {
                crah_supply_c: f64::NAN,
                crah_airflow_ratio: 1.0,
                tcs_supply_c: 99.0,
                tcs_pump_speed: 0.0,
            }
        }
    }

    #[test]
    fn guard_replaces_a_broken_policy_with_the_safe_rule() {
        let (cfg, rows, names, heat) = mixed_site();
        let mut p = CoolingPlant::with_policy(&cfg, &rows, &names, Box::new(Broken)).unwrap();
        for _ in 0..10 {
            let s = p.step(MIN, &inputs(&heat, Faults::default()));
            let a = s.actions.unwrap();
            assert_eq!(a.crah_supply_c, cfg.control.guard_crah_supply_c[0]);
            assert_eq!(a.tcs_pump_speed, cfg.control.guard_pump_speed[1]);
            assert!(s.max_chip_c < cfg.chip_limit_c);
        }
        assert_eq!(p.guard().fallback_steps, 10);
    }

    #[test]
    fn a_row_with_more_recirculation_has_warmer_inlets() {
        let (mut cfg, rows, names, heat) = mixed_site();
        let mut p = CoolingPlant::new(&cfg, &rows, &names).unwrap();
        let s = p.step(MIN, &inputs(&heat, Faults::default()));
        assert!(
            s.rack_inlet_c.iter().all(|&t| t == s.rack_inlet_c[0]),
            "uniform"
        );
        cfg.air
            .row_recirculation_fraction
            .insert("gpu".to_string(), 0.25);
        let mut p = CoolingPlant::new(&cfg, &rows, &names).unwrap();
        let s = p.step(MIN, &inputs(&heat, Faults::default()));
        assert!(s.rack_inlet_c[20] > s.rack_inlet_c[0] + 1.0);
        assert_eq!(s.max_inlet_c, s.rack_inlet_c[20]);
        // inlet between supply and hot aisle, 25 % of the way up for the gpu row
        let frac = (s.rack_inlet_c[20] - s.crah_supply_c) / (s.hot_aisle_c - s.crah_supply_c);
        assert!((frac - 0.25).abs() < 1e-9, "{frac}");
        assert!(balance_residual(s, &heat, 20e3, 60.0) < 1e-9);
        cfg.air
            .row_recirculation_fraction
            .insert("nope".into(), 0.1);
        assert!(matches!(
            CoolingPlant::new(&cfg, &rows, &names),
            Err(ThermalError::UnknownRow { .. })
        ));
    }

    #[test]
    fn zero_step_changes_nothing() {
        let (cfg, rows, names, heat) = mixed_site();
        let mut p = CoolingPlant::new(&cfg, &rows, &names).unwrap();
        let a = p.step(MIN, &inputs(&heat, Faults::default())).clone();
        let b = p.step(SimDuration::ZERO, &inputs(&heat, Faults::default()));
        assert_eq!(&a, b);
    }

    /// A year of one-minute steps of a 1,500-rack site (heavy in debug builds: run with
    /// `cargo test -p dctwin-thermal --release -- --ignored`). Checks that the energy balance
    /// holds at every step with a varying load and a CRAH and CDU fault on the way.
    #[test]
    #[ignore]
    fn a_year_of_minutes_on_1500_racks_keeps_its_energy_balance() {
        let mut cfg = CoolingConfig::default();
        cfg.air.crah_count = 12;
        cfg.air.crah_spare_count = 2;
        cfg.liquid.rows = vec!["gpu".into()];
        cfg.liquid.cdu_count = 12;
        cfg.liquid.cdu_spare_count = 2;
        cfg.liquid.fw_pump_count = 12;
        cfg.liquid.fw_pump_spare_count = 2;
        let names = vec!["air".to_string(), "gpu".to_string()];
        let rows: Vec<usize> = (0..1500).map(|i| usize::from(i >= 1000)).collect();
        let mut heat: Vec<f64> = (0..1500)
            .map(|i| if i >= 1000 { 40e3 } else { 3e3 })
            .collect();
        let mut p = CoolingPlant::new(&cfg, &rows, &names).unwrap();
        let started = std::time::Instant::now();
        let mut worst = 0.0f64;
        for k in 0..525_600u64 {
            let load = 0.8 + 0.2 * ((k % 1440) as f64 / 1440.0 * std::f64::consts::TAU).sin();
            heat[0] = 3e3 * load;
            heat[1000] = 40e3 * load;
            let crah: &[usize] = if (1000..1100).contains(&k) {
                &[0, 1, 2]
            } else {
                &[]
            };
            let f = Faults {
                crah_down: crah,
                ..Faults::default()
            };
            let mut i = inputs(&heat, f);
            i.white_space_extra_heat_w = 50e3;
            let s = p.step(MIN, &i);
            worst = worst.max(balance_residual(s, &heat, 50e3, 60.0));
        }
        eprintln!(
            "1,500 racks, 525,600 steps: {:.2} s wall, worst balance residual {worst:e}",
            started.elapsed().as_secs_f64()
        );
        assert!(worst < 1e-9);
    }

    #[test]
    fn heats_are_cleaned_summed_and_segmented_by_row() {
        let src = [1.0, -2.0, f64::NAN, 4.0, f64::INFINITY, 6.0, 0.5];
        let mut dst = [9.0; 9];
        let (sum, max) = clean_sum_max(&src, &mut dst);
        assert_eq!(dst, [1.0, 0.0, 0.0, 4.0, 0.0, 6.0, 0.5, 0.0, 0.0]);
        assert_eq!((sum, max), (11.5, 6.0));
        assert_eq!(clean_sum_max(&[], &mut []), (0.0, 0.0));
        // Rows 0, 0, 1, 1, 0: the second run of row 0 is its own segment.
        let kinds = [RackCooling::Air; 5];
        let segs = segments_of(&[0, 0, 1, 1, 0], &kinds, &[0.9, 0.9, 0.8, 0.8, 0.9]);
        let ranges: Vec<_> = segs.iter().map(|s| s.racks.clone()).collect();
        assert_eq!(ranges, vec![0..2, 2..4, 4..5]);
        assert_eq!(segs[1].cold_share, 0.8);
    }

    #[test]
    fn same_inputs_give_identical_outputs() {
        let (mut cfg, rows, names, heat) = mixed_site();
        cfg.control.policy = PolicyKind::Pid;
        let mut a = CoolingPlant::new(&cfg, &rows, &names).unwrap();
        let mut b = CoolingPlant::new(&cfg, &rows, &names).unwrap();
        for _ in 0..50 {
            let x = a.step(MIN, &inputs(&heat, Faults::default())).clone();
            let y = b.step(MIN, &inputs(&heat, Faults::default()));
            assert_eq!(&x, y);
        }
    }

    #[test]
    fn bad_rows_are_errors() {
        let (mut cfg, rows, names, _) = mixed_site();
        cfg.liquid.rows = vec!["nope".into()];
        let e = CoolingPlant::new(&cfg, &rows, &names).unwrap_err();
        assert!(matches!(e, ThermalError::UnknownRow { ref key, .. } if key == "liquid.rows[0]"));
        let cfg = CoolingConfig::default();
        let e = CoolingPlant::new(&cfg, &[0, 3], &names).unwrap_err();
        assert!(matches!(
            e,
            ThermalError::BadRackRow {
                rack: 1,
                row: 3,
                ..
            }
        ));
        let mut bad = CoolingConfig::default();
        bad.air.bypass_fraction = 2.0;
        assert!(matches!(
            CoolingPlant::new(&bad, &[0], &names),
            Err(ThermalError::InvalidConfig(_))
        ));
    }

    /// Immersion site only: one row of 4 tanks, model defaults.
    fn tanks() -> (CoolingPlant, CoolingConfig) {
        let mut cfg = CoolingConfig::default();
        cfg.immersion.rows = vec!["tank".into()];
        let names = vec!["tank".to_string()];
        (CoolingPlant::new(&cfg, &[0; 4], &names).unwrap(), cfg)
    }

    fn tank_inputs(heat: &[f64], fw_c: f64) -> ThermalInputs<'_> {
        ThermalInputs {
            rack_heat_w: heat,
            white_space_extra_heat_w: 0.0,
            outdoor_dry_bulb_c: 0.0,
            chw_supply_c: 14.0,
            fw_supply_c: fw_c,
            faults: Faults::default(),
        }
    }

    #[test]
    fn immersion_run_does_not_start_with_a_chip_spike() {
        // The tanks start at their steady state for the first step's inputs: with the facility
        // water at what the tanks ask for, the first step's chip already sits at the target
        // (limit - margin) and stays there; no settling step, no spike.
        let (mut p, cfg) = tanks();
        let heat = vec![30e3; 4];
        let target = cfg.chip_limit_c - cfg.immersion.chip_margin_k;
        // the supply the tanks ask for at this load (independent of the fluid state)
        let fw = p.step(MIN, &tank_inputs(&heat, 30.0)).fw_supply_setpoint_c;
        let (mut p, _) = tanks();
        let mut chips = Vec::new();
        for _ in 0..10 {
            let s = p.step(MIN, &tank_inputs(&heat, fw));
            chips.push(s.max_chip_c);
            assert!(s.heat_stored_j.abs() < 1e-6 * s.it_heat_w * 60.0, "{s:?}");
        }
        // at the target (up to the water properties, taken at 30 °C for the requested supply)
        // from the first step on, and constant
        for c in &chips {
            assert!((c - target).abs() < 0.1, "{chips:?}");
            assert!((c - chips[0]).abs() < 1e-6, "{chips:?}");
        }
        assert_eq!(p.exceedance().chip_over_limit_h, 0.0);
    }

    #[test]
    fn a_tank_load_step_shows_its_rise_at_once_and_then_its_fluid_lag() {
        let (mut p, cfg) = tanks();
        let im = &cfg.immersion;
        let chip_r = im.chip_to_fluid_r_k_w / im.chips_per_tank as f64;
        let mut heat = vec![10e3; 4];
        let fw = 40.0;
        let before = p.step(MIN, &tank_inputs(&heat, fw)).max_chip_c;
        heat[0] = 40e3;
        // the quasi-steady answer for the new load (a fresh plant starts at steady state)
        let (mut fresh, _) = tanks();
        let steady = fresh.step(MIN, &tank_inputs(&heat, fw)).max_chip_c;
        let mut prev = before;
        for k in 0..120 {
            let s = p.step(MIN, &tank_inputs(&heat, fw)).clone();
            if k == 0 {
                // chip to fluid at once, plus part of the fluid's own rise
                assert!(s.max_chip_c >= before + 30e3 * chip_r, "{}", s.max_chip_c);
                assert!(s.max_chip_c < steady - 1.0, "{} vs {steady}", s.max_chip_c);
                assert!(s.heat_stored_j > 0.0);
            }
            assert!(s.max_chip_c >= prev && s.max_chip_c <= steady + 1e-9);
            assert!(balance_residual(&s, &heat, 0.0, 60.0) < 1e-9);
            prev = s.max_chip_c;
        }
        // (the fresh plant's fluid properties start from a slightly different state)
        assert!((prev - steady).abs() < 0.05, "{prev} vs {steady}");
        // quasi-steady tanks (no fluid inventory) jump at once
        let mut cfg = cfg.clone();
        cfg.immersion.tank_fluid_volume_m3 = 0.0;
        let mut q = CoolingPlant::new(&cfg, &[0; 4], &["tank".to_string()]).unwrap();
        q.step(MIN, &tank_inputs(&[10e3; 4], fw));
        let jump = q.step(MIN, &tank_inputs(&heat, fw)).max_chip_c;
        assert!((jump - steady).abs() < 0.05, "{jump} vs {steady}");
    }

    #[test]
    fn losing_all_facility_water_stores_tank_heat_and_releases_it_after() {
        let (mut p, _) = tanks();
        let heat = vec![30e3; 4];
        let fw = 40.0;
        let ok = p.step(MIN, &tank_inputs(&heat, fw)).clone();
        let mut i = tank_inputs(&heat, fw);
        let all: Vec<usize> = (0..16).collect();
        i.faults.fw_pump_down = &all;
        let s = p.step(MIN, &i).clone();
        assert!(s.max_chip_c.is_infinite() && s.heat_stored_j > 0.0);
        assert!(balance_residual(&s, &heat, 0.0, 60.0) < 1e-9);
        let back = p.step(MIN, &tank_inputs(&heat, fw)).clone();
        assert!(back.heat_stored_j < 0.0 && back.fw_load_w > ok.fw_load_w);
        assert!(back.max_chip_c > ok.max_chip_c && back.max_chip_c.is_finite());
        assert!(balance_residual(&back, &heat, 0.0, 60.0) < 1e-9);
    }

    #[test]
    fn pid_first_step_holds_its_initial_speed_instead_of_reacting_to_a_0_c_chip() {
        // Before the first step nothing has been measured; the PI loop must not read that as
        // a chip 70 K below target and start the cold plates at the minimum pump speed.
        let (mut cfg, rows, names, heat) = mixed_site();
        cfg.control.policy = PolicyKind::Pid;
        cfg.control.tcs_pump_speed = 0.8;
        let mut p = CoolingPlant::new(&cfg, &rows, &names).unwrap();
        let s = p.step(MIN, &inputs(&heat, Faults::default()));
        let a = s.actions.unwrap();
        assert_eq!(a.tcs_pump_speed, 0.8);
        assert_eq!(p.guard().fallback_steps, 0);
    }

    /// Records what the plant shows the policy (the policy itself holds the base actions).
    #[derive(Debug)]
    struct Spy(std::sync::Arc<std::sync::Mutex<Vec<Observations>>>, Actions);

    impl CoolingPolicy for Spy {
        fn name(&self) -> &str {
            "spy"
        }
        fn decide(&mut self, obs: &Observations) -> Actions {
            self.0.lock().unwrap().push(*obs);
            self.1
        }
    }

    #[test]
    fn the_policy_sees_the_same_it_heat_the_step_reports() {
        // Rows air, gpu, air: summed in rack order and summed per technology, these heats
        // differ in the last bit ((a1 + g) + a2 != (a1 + a2) + g). The first step's load shown
        // to the policy must be the step's it_heat_w, so an unchanged load is exactly the
        // design load (load fraction 1) on every step.
        let mut cfg = CoolingConfig::default();
        cfg.liquid.rows = vec!["gpu".into()];
        let names = vec!["air".to_string(), "gpu".to_string()];
        let heat = [6813.3, 46634.8, 15822.3];
        assert_ne!((heat[0] + heat[1]) + heat[2], (heat[0] + heat[2]) + heat[1]);
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let base = Actions {
            crah_supply_c: cfg.air.supply_setpoint_c,
            crah_airflow_ratio: cfg.control.crah_airflow_ratio,
            tcs_supply_c: cfg.liquid.tcs_supply_setpoint_c,
            tcs_pump_speed: cfg.control.tcs_pump_speed,
        };
        let spy = Box::new(Spy(seen.clone(), base));
        let mut p = CoolingPlant::with_policy(&cfg, &[0, 1, 0], &names, spy).unwrap();
        let mut reported = Vec::new();
        for _ in 0..3 {
            reported.push(p.step(MIN, &inputs(&heat, Faults::default())).it_heat_w);
        }
        let seen = seen.lock().unwrap();
        assert_eq!(seen[0].it_heat_w, reported[0]);
        for (o, q) in seen.iter().zip(&reported) {
            assert_eq!(o.it_heat_w, *q);
            assert_eq!(o.design_it_heat_w, o.it_heat_w);
        }
    }

    #[test]
    fn load_reset_sees_the_load_on_the_first_step() {
        let (mut cfg, rows, names, heat) = mixed_site();
        cfg.control.policy = PolicyKind::SupplyReset;
        cfg.control.reset_signal = crate::control::ResetSignal::LoadFraction;
        cfg.control.reset_signal_low = 0.0;
        cfg.control.reset_signal_high = 1.0;
        let mut p = CoolingPlant::new(&cfg, &rows, &names).unwrap();
        let first = p
            .step(MIN, &inputs(&heat, Faults::default()))
            .actions
            .unwrap();
        let second = p
            .step(MIN, &inputs(&heat, Faults::default()))
            .actions
            .unwrap();
        assert_eq!(first.tcs_supply_c, second.tcs_supply_c);
        assert_eq!(first.tcs_supply_c, cfg.control.reset_tcs_at_high_c);
    }
}
