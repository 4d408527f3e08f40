//! "Nothing configured is dead": every numeric or boolean key of the resolved quickstart is
//! changed in turn and must either change a site run or be rejected by validation. The keys
//! that by design leave these runs unchanged are listed with the reason.

use super::run;
use super::testkit::{load_quickstart, ov};
use crate::scenario::Override;

/// Keys that cannot change this test's runs, and why.
const INERT_HERE: &[(&str, &str)] = &[
    ("outputs.plots", "what is written, not what is simulated"),
    ("outputs.events", "what is written, not what is simulated"),
    ("outputs.storage_oracle", "what is reported after the run"),
];

fn leaves(prefix: &str, v: &toml::Value, out: &mut Vec<(String, toml::Value)>) {
    match v {
        toml::Value::Table(t) => {
            for (k, x) in t {
                let p = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                leaves(&p, x, out);
            }
        }
        toml::Value::Float(_) | toml::Value::Integer(_) | toml::Value::Boolean(_) => {
            out.push((prefix.to_owned(), v.clone()))
        }
        _ => {}
    }
}

fn perturbed(v: &toml::Value) -> toml::Value {
    match v {
        toml::Value::Float(f) if *f == 0.0 => toml::Value::Float(0.05),
        toml::Value::Float(f) => toml::Value::Float(f * 1.13),
        toml::Value::Integer(i) => toml::Value::Integer(i + 1),
        toml::Value::Boolean(b) => toml::Value::Boolean(!b),
        other => other.clone(),
    }
}

fn fingerprint(o: &[Override]) -> Option<String> {
    let l = crate::scenario::load_scenario(&super::testkit::quickstart(), o).ok()?;
    let out = run(&l.scenario, &l.base_dir, l.scenario.run.seed, &|_| {}).ok()?;
    let mut csv = Vec::new();
    out.recorder.write_timeseries_csv(&mut csv).ok()?;
    Some(format!(
        "{}{}",
        serde_json::to_string(&out.summary.metrics).ok()?,
        String::from_utf8_lossy(&csv)
    ))
}

#[test]
#[ignore = "known failure, the work list of issue 14: 167 keys leave a 3 h quickstart unchanged, mostly keys of plant kinds, policies and immersion settings this scenario does not use (validate does not yet reject a key set for an unused variant) and liquid chip keys masked by the air rows in max_chip_c; run with --release --ignored"]
fn every_documented_key_changes_a_site_run_or_is_rejected() {
    let base_o = [ov("run.duration_h", "3")];
    let resolved = load_quickstart(&base_o).scenario;
    let text = resolved.to_toml().expect("serialises");
    let doc: toml::Value = toml::from_str(&text).expect("parses back");
    let mut keys = Vec::new();
    leaves("", &doc, &mut keys);
    let base = fingerprint(&base_o).expect("base runs");
    let mut dead = Vec::new();
    for (k, v) in keys {
        if k == "run.duration_h" || INERT_HERE.iter().any(|(i, _)| *i == k) {
            continue;
        }
        let o = [
            base_o[0].clone(),
            Override {
                key: k.clone(),
                value: perturbed(&v),
            },
        ];
        match fingerprint(&o) {
            None => {} // rejected: fine
            Some(f) if f != base => {}
            Some(_) => dead.push(k),
        }
    }
    assert!(
        dead.is_empty(),
        "{} keys change nothing: {dead:#?}",
        dead.len()
    );
}
