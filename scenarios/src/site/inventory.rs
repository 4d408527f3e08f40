//! Typed equipment handles: every unit of a site gets a stable, documented, 1-based name derived
//! from the scenario, and faults name their target by it.
//!
//! | name | unit | count from | fault kinds |
//! |---|---|---|---|
//! | `crah-N` | CRAH / CRAC unit | `cooling.air.crah_count` | `crah_failure` |
//! | `cdu-N` | CDU (its secondary pump) | `cooling.liquid.cdu_count` | `cdu_pump_loss` |
//! | `fw-pump-N` | facility-water pump | `cooling.liquid.fw_pump_count` | `fw_pump_loss` |
//! | `PLANT.chiller-N` | chiller | `heat_rejection.plants.PLANT.chiller_count` | `chiller_trip` |
//! | `PLANT.dx-N`, `PLANT.iec-N` | DX / IEC unit | `dx_count`, `iec_count` | `chiller_trip` |
//! | `PLANT.tower-N` | cooling tower (its fan) | `tower_count` | `heat_rejection_fan_loss` |
//! | `PLANT.dry-cooler-N` | dry cooler (its fans) | `dry_cooler_count` | `heat_rejection_fan_loss` |
//! | `ups-module-N` | UPS / rectifier module | `power.chain.converter` modules installed | `ups_module_failure` |
//! | `utility` | the utility feed | - | `utility_outage` |
//!
//! `PLANT` is the plant's key under `[heat_rejection.plants]` (e.g. `chw.chiller-2`). A bare
//! `chiller-N`, `tower-N`, ... is accepted where exactly one plant has that class. An empty
//! `component` means the first unit the fault kind applies to.

use std::fmt;

use dctwin_models::heat_rejection::PlantKind;
use sim_core::ConfigIssue;

use crate::scenario::{FaultKind, Scenario};

/// Which site loop a heat-rejection plant serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Loop {
    /// The chilled-water loop (CRAH coils, electrical room).
    ChilledWater,
    /// The facility-water loop (CDU primaries, immersion tank exchangers).
    FacilityWater,
}

/// Class of a heat-rejection unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PlantUnit {
    /// A chiller.
    Chiller,
    /// A DX unit.
    Dx,
    /// An indirect evaporative cooler.
    Iec,
    /// A cooling tower.
    Tower,
    /// A dry cooler.
    DryCooler,
}

impl PlantUnit {
    const ALL: [PlantUnit; 5] = [
        PlantUnit::Chiller,
        PlantUnit::Dx,
        PlantUnit::Iec,
        PlantUnit::Tower,
        PlantUnit::DryCooler,
    ];

    fn slug(self) -> &'static str {
        match self {
            PlantUnit::Chiller => "chiller",
            PlantUnit::Dx => "dx",
            PlantUnit::Iec => "iec",
            PlantUnit::Tower => "tower",
            PlantUnit::DryCooler => "dry-cooler",
        }
    }

    /// Does a plant of `kind` have units of this class (the others' counts are ignored)?
    pub fn is_in(self, kind: PlantKind) -> bool {
        use PlantKind as K;
        match self {
            PlantUnit::Chiller => matches!(
                kind,
                K::ChillerTower | K::ChillerTowerWse | K::AirCooledChiller | K::DryCoolerChiller
            ),
            PlantUnit::Tower => matches!(kind, K::ChillerTower | K::ChillerTowerWse),
            PlantUnit::DryCooler => matches!(kind, K::DryCooler | K::DryCoolerChiller),
            PlantUnit::Dx => kind == K::Dx,
            PlantUnit::Iec => kind == K::Iec,
        }
    }

    /// Does a fan loss hit this unit (else a trip does)?
    pub fn is_fan_unit(self) -> bool {
        matches!(self, PlantUnit::Tower | PlantUnit::DryCooler)
    }
}

/// One unit of the site. Indices are 0-based inside, 1-based in names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Equipment {
    /// CRAH / CRAC unit.
    Crah(usize),
    /// CDU.
    Cdu(usize),
    /// Facility-water pump.
    FwPump(usize),
    /// A unit of the heat-rejection plant serving a loop.
    Plant {
        /// The loop the plant serves.
        serves: Loop,
        /// Unit class.
        unit: PlantUnit,
        /// Index within the class.
        index: usize,
    },
    /// UPS / rectifier module.
    UpsModule(usize),
    /// The utility feed.
    Utility,
}

impl Equipment {
    /// Does a fault of `kind` apply to this unit?
    pub fn takes(self, kind: FaultKind) -> bool {
        match (kind, self) {
            (FaultKind::CrahFailure, Equipment::Crah(_))
            | (FaultKind::CduPumpLoss, Equipment::Cdu(_))
            | (FaultKind::FwPumpLoss, Equipment::FwPump(_))
            | (FaultKind::UpsModuleFailure, Equipment::UpsModule(_))
            | (FaultKind::UtilityOutage, Equipment::Utility) => true,
            (FaultKind::ChillerTrip, Equipment::Plant { unit, .. }) => !unit.is_fan_unit(),
            (FaultKind::HeatRejectionFanLoss, Equipment::Plant { unit, .. }) => unit.is_fan_unit(),
            _ => false,
        }
    }
}

/// A named unit.
#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    /// Its name (`crah-2`, `chw.chiller-1`, ...).
    pub name: String,
    /// Its handle.
    pub id: Equipment,
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

/// Every unit of a scenario's site, in a fixed documented order.
#[derive(Debug, Clone, Default)]
pub struct SiteInventory {
    units: Vec<Unit>,
    /// `(plant key, loop)` in the order of `[heat_rejection.plants]`.
    plants: Vec<(String, Loop)>,
}

impl SiteInventory {
    /// The units of `scenario`.
    pub fn of(scenario: &Scenario) -> SiteInventory {
        let mut inv = SiteInventory::default();
        let c = &scenario.cooling;
        inv.push_n("crah", c.air.crah_count, Equipment::Crah);
        inv.push_n("cdu", c.liquid.cdu_count, Equipment::Cdu);
        inv.push_n("fw-pump", c.liquid.fw_pump_count, Equipment::FwPump);
        use dctwin_models::heat_rejection::ServedLoop;
        for (key, p) in &scenario.heat_rejection.plants {
            let serves = match p.serves {
                ServedLoop::ChilledWater => Loop::ChilledWater,
                ServedLoop::FacilityWater => Loop::FacilityWater,
            };
            inv.plants.push((key.clone(), serves));
            for unit in PlantUnit::ALL {
                let n = if unit.is_in(p.kind) {
                    match unit {
                        PlantUnit::Chiller => p.chiller_count,
                        PlantUnit::Dx => p.dx_count,
                        PlantUnit::Iec => p.iec_count,
                        PlantUnit::Tower => p.tower_count,
                        PlantUnit::DryCooler => p.dry_cooler_count,
                    }
                } else {
                    0
                };
                for index in 0..n as usize {
                    inv.units.push(Unit {
                        name: format!("{key}.{}-{}", unit.slug(), index + 1),
                        id: Equipment::Plant {
                            serves,
                            unit,
                            index,
                        },
                    });
                }
            }
        }
        let conv = &scenario.power.chain.converter;
        let modules = conv.redundancy.installed(conv.modules_required) as usize;
        inv.push_n("ups-module", modules, Equipment::UpsModule);
        inv.units.push(Unit {
            name: "utility".into(),
            id: Equipment::Utility,
        });
        inv
    }

    fn push_n(&mut self, prefix: &str, n: usize, id: fn(usize) -> Equipment) {
        for i in 0..n {
            self.units.push(Unit {
                name: format!("{prefix}-{}", i + 1),
                id: id(i),
            });
        }
    }

    /// Every unit, in order.
    pub fn units(&self) -> &[Unit] {
        &self.units
    }

    /// Resolve a fault's target: the unit named `component` (or the first unit `kind` applies
    /// to when it is empty). The error says what is wrong and lists the valid names.
    pub fn resolve(&self, kind: FaultKind, component: &str) -> Result<Equipment, String> {
        let valid: Vec<&Unit> = self.units.iter().filter(|u| u.id.takes(kind)).collect();
        let list = || {
            if valid.is_empty() {
                "this site has no unit it applies to".to_owned()
            } else {
                let names: Vec<&str> = valid.iter().map(|u| u.name.as_str()).collect();
                format!("valid targets: {}", names.join(", "))
            }
        };
        let name = component.trim();
        if name.is_empty() {
            return valid
                .first()
                .map(|u| u.id)
                .ok_or_else(|| format!("a {} fault: {}", kind.name(), list()));
        }
        if let Some(u) = self.units.iter().find(|u| u.name == name) {
            return if u.id.takes(kind) {
                Ok(u.id)
            } else {
                Err(format!(
                    "`{name}` cannot take a {} fault; {}",
                    kind.name(),
                    list()
                ))
            };
        }
        // A bare plant-unit name (`chiller-2`) where exactly one plant has that class.
        let bare: Vec<&Unit> = valid
            .iter()
            .copied()
            .filter(|u| u.name.split_once('.').is_some_and(|(_, rest)| rest == name))
            .collect();
        match bare.as_slice() {
            [u] => Ok(u.id),
            [] => Err(format!("no unit named `{name}`; {}", list())),
            _ => Err(format!(
                "`{name}` is ambiguous (several plants have one); {}",
                list()
            )),
        }
    }

    /// The name of unit `id` (its fault kind's name if it is not in the inventory).
    pub fn name_of(&self, id: Equipment, kind: FaultKind) -> String {
        self.units
            .iter()
            .find(|u| u.id == id)
            .map_or_else(|| kind.name().to_owned(), |u| u.name.clone())
    }

    /// Check every fault target of `scenario`: errors at `faults[i].component`.
    pub fn check_faults(&self, scenario: &Scenario) -> Vec<ConfigIssue> {
        let mut v = Vec::new();
        for (i, f) in scenario.faults.iter().enumerate() {
            if f.kind == FaultKind::NodeFailure {
                v.push(ConfigIssue::error(
                    format!("faults[{i}].kind"),
                    "node failures are drawn by the IT model from `it.failures` (rates, repair \
                     times); inject a rack-level or cooling fault here instead",
                ));
                continue;
            }
            if let Err(e) = self.resolve(f.kind, &f.component) {
                v.push(ConfigIssue::error(format!("faults[{i}].component"), e));
            }
        }
        v
    }

    /// The key of the plant serving `serves`, if any.
    pub fn plant_name(&self, serves: Loop) -> Option<&str> {
        self.plants
            .iter()
            .find(|(_, l)| *l == serves)
            .map(|(k, _)| k.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{load_scenario, Override};
    use std::path::Path;

    fn quickstart() -> Scenario {
        let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/quickstart.toml");
        match load_scenario(&p, &[] as &[Override]) {
            Ok(l) => l.scenario,
            Err(e) => panic!("quickstart loads: {e}"),
        }
    }

    #[test]
    fn names_are_one_based_and_cdu_2_hits_the_second_cdu() {
        let inv = SiteInventory::of(&quickstart());
        assert_eq!(
            inv.resolve(FaultKind::CduPumpLoss, "cdu-2"),
            Ok(Equipment::Cdu(1))
        );
        assert_eq!(
            inv.resolve(FaultKind::CduPumpLoss, ""),
            Ok(Equipment::Cdu(0))
        );
        let e = inv.resolve(FaultKind::CduPumpLoss, "cdu-3");
        assert!(
            e.as_ref().is_err_and(|m| m.contains("cdu-1, cdu-2")),
            "{e:?}"
        );
    }

    #[test]
    fn crah99_is_an_error_not_a_logged_no_op() {
        let inv = SiteInventory::of(&quickstart());
        let e = inv.resolve(FaultKind::CrahFailure, "crah99");
        assert!(e.is_err_and(|m| m.contains("crah-1, crah-2, crah-3")));
    }

    #[test]
    fn chiller_names_carry_the_plant_and_bare_names_must_be_unique() {
        let inv = SiteInventory::of(&quickstart());
        assert_eq!(
            inv.resolve(FaultKind::ChillerTrip, "fw.chiller-2"),
            Ok(Equipment::Plant {
                serves: Loop::FacilityWater,
                unit: PlantUnit::Chiller,
                index: 1
            })
        );
        // Both quickstart plants have chillers.
        let e = inv.resolve(FaultKind::ChillerTrip, "chiller-1");
        assert!(e.is_err_and(|m| m.contains("ambiguous")));
        // Only the fw plant has dry coolers.
        assert!(inv
            .resolve(FaultKind::HeatRejectionFanLoss, "dry-cooler-1")
            .is_ok());
        // A tower cannot trip like a chiller.
        assert!(inv.resolve(FaultKind::ChillerTrip, "chw.tower-1").is_err());
    }

    #[test]
    fn facility_water_pumps_and_ups_modules_can_be_faulted() {
        let inv = SiteInventory::of(&quickstart());
        assert_eq!(
            inv.resolve(FaultKind::FwPumpLoss, "fw-pump-2"),
            Ok(Equipment::FwPump(1))
        );
        assert_eq!(
            inv.resolve(FaultKind::UpsModuleFailure, "ups-module-3"),
            Ok(Equipment::UpsModule(2))
        );
    }
}
