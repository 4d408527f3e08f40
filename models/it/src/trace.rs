//! Trace readers: the Standard Workload Format and a simple CSV.
//!
//! SWF is the format of the Parallel Workloads Archive (Feitelson, Tsafrir & Krakov, "Experience
//! with using the Parallel Workloads Archive", JPDC 74(10), 2014; format definition at
//! www.cs.huji.ac.il/labs/parallel/workload/swf.html): one job per line, 18 whitespace-separated
//! numeric fields, `-1` for a missing value, and lines starting with `;` are comments (the header
//! comments carry `; Key: value` metadata). Fields used here: 1 job number, 2 submit time (s),
//! 4 run time (s), 5 allocated processors, 8 requested processors, 9 requested time (s),
//! 11 status (1 completed, 0 failed, 5 cancelled). Jobs whose run time or processor count is
//! missing or zero cannot be replayed and are skipped (counted in [`TraceRead::skipped`]).

use crate::{job::Job, ItError};
use sim_core::SimTime;
use std::path::Path;

/// Jobs read from a trace plus what had to be left out.
#[derive(Debug, Clone, PartialEq)]
pub struct TraceRead {
    /// Replayable jobs, in file order.
    pub jobs: Vec<Job>,
    /// Job lines skipped because run time or size was missing (-1) or zero.
    pub skipped: usize,
    /// Comment/header lines seen.
    pub comment_lines: usize,
}

fn read_text(path: &Path) -> Result<String, ItError> {
    std::fs::read_to_string(path).map_err(|source| ItError::Io {
        path: path.to_owned(),
        source,
    })
}

fn trace_err(path: &Path, line: usize, message: String) -> ItError {
    ItError::Trace {
        path: path.to_owned(),
        line,
        message,
    }
}

fn secs_to_time(path: &Path, line: usize, field: &str, s: f64) -> Result<SimTime, ItError> {
    SimTime::try_from_secs_f64(s).map_err(|e| {
        trace_err(
            path,
            line,
            format!("{field} = {s} s is not a valid time: {e}"),
        )
    })
}

/// Read an SWF file. Processor counts are turned into nodes with `ceil(procs /
/// procs_per_node)`. Jobs run at full CPU/GPU utilisation and have no checkpoints.
pub fn read_swf(path: &Path, procs_per_node: u32) -> Result<TraceRead, ItError> {
    let text = read_text(path)?;
    parse_swf(&text, path, procs_per_node)
}

/// Parse SWF text; `path` is used in error messages only.
pub fn parse_swf(text: &str, path: &Path, procs_per_node: u32) -> Result<TraceRead, ItError> {
    let ppn = f64::from(procs_per_node.max(1));
    let mut out = TraceRead {
        jobs: Vec::new(),
        skipped: 0,
        comment_lines: 0,
    };
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let l = raw.trim();
        if l.is_empty() {
            continue;
        }
        if l.starts_with(';') {
            out.comment_lines += 1;
            continue;
        }
        let mut f = [0.0f64; 18];
        let mut n = 0;
        for tok in l.split_whitespace() {
            if n == 18 {
                return Err(trace_err(
                    path,
                    line,
                    "more than 18 fields: an SWF job line has exactly 18".into(),
                ));
            }
            f[n] = tok.parse::<f64>().map_err(|_| {
                trace_err(
                    path,
                    line,
                    format!("field {} = `{tok}` is not a number (SWF fields are numeric, -1 if missing)", n + 1),
                )
            })?;
            n += 1;
        }
        if n != 18 {
            return Err(trace_err(
                path,
                line,
                format!("{n} fields: an SWF job line has exactly 18 (use -1 for missing values)"),
            ));
        }
        let (id, submit, run, alloc, req_procs, req_time) = (f[0], f[1], f[3], f[4], f[7], f[8]);
        if submit < 0.0 {
            return Err(trace_err(
                path,
                line,
                format!("submit time (field 2) = {submit}: expected a time >= 0 s"),
            ));
        }
        let procs = if alloc > 0.0 { alloc } else { req_procs };
        if run <= 0.0 || procs <= 0.0 {
            out.skipped += 1;
            continue;
        }
        let nodes = (procs / ppn).ceil();
        if nodes > f64::from(u32::MAX) {
            return Err(trace_err(
                path,
                line,
                format!("{procs} processors is too many"),
            ));
        }
        let mut job = Job::new(
            id.max(0.0) as u64,
            secs_to_time(path, line, "submit time", submit)?,
            nodes as u32,
            run,
        );
        job.estimate_s = if req_time > 0.0 {
            req_time.max(run)
        } else {
            run
        };
        out.jobs.push(job);
    }
    Ok(out)
}

/// Read a CSV job list. The first line is a header naming the columns; `submit_s`, `nodes` and
/// `runtime_s` are required, optional columns are `id`, `estimate_s`, `cpu_util`, `gpu_util`,
/// `priority`, `deferrable` (0/1/true/false), `deadline_s` (absolute) and `checkpoint_s`.
/// Empty cells and `-1` mean "missing". Lines starting with `#` are comments.
pub fn read_csv(path: &Path) -> Result<TraceRead, ItError> {
    let text = read_text(path)?;
    parse_csv(&text, path)
}

/// Parse CSV text; `path` is used in error messages only.
pub fn parse_csv(text: &str, path: &Path) -> Result<TraceRead, ItError> {
    const KNOWN: &[&str] = &[
        "id",
        "submit_s",
        "nodes",
        "runtime_s",
        "estimate_s",
        "cpu_util",
        "gpu_util",
        "priority",
        "deferrable",
        "deadline_s",
        "checkpoint_s",
    ];
    let mut out = TraceRead {
        jobs: Vec::new(),
        skipped: 0,
        comment_lines: 0,
    };
    let mut header: Option<Vec<usize>> = None; // column -> index into KNOWN
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let l = raw.trim();
        if l.is_empty() {
            continue;
        }
        if l.starts_with('#') {
            out.comment_lines += 1;
            continue;
        }
        let cells: Vec<&str> = l.split(',').map(str::trim).collect();
        let Some(cols) = &header else {
            let mut cols = Vec::new();
            for c in &cells {
                match KNOWN.iter().position(|k| k == c) {
                    Some(k) => cols.push(k),
                    None => {
                        return Err(trace_err(
                            path,
                            line,
                            format!(
                                "unknown column `{c}` (expected some of: {})",
                                KNOWN.join(", ")
                            ),
                        ))
                    }
                }
            }
            for req in [1, 2, 3] {
                if !cols.contains(&req) {
                    return Err(trace_err(
                        path,
                        line,
                        format!("header lacks the required column `{}`", KNOWN[req]),
                    ));
                }
            }
            header = Some(cols);
            continue;
        };
        if cells.len() != cols.len() {
            return Err(trace_err(
                path,
                line,
                format!(
                    "{} cells but the header has {} columns",
                    cells.len(),
                    cols.len()
                ),
            ));
        }
        let mut v: [Option<f64>; 11] = [None; 11];
        for (c, cell) in cols.iter().zip(&cells) {
            if cell.is_empty() {
                continue;
            }
            let x = match *cell {
                "true" => 1.0,
                "false" => 0.0,
                s => s.parse::<f64>().map_err(|_| {
                    trace_err(path, line, format!("{} = `{s}` is not a number", KNOWN[*c]))
                })?,
            };
            if x != -1.0 {
                v[*c] = Some(x);
            }
        }
        let (Some(submit), Some(nodes), Some(run)) = (v[1], v[2], v[3]) else {
            out.skipped += 1;
            continue;
        };
        if run <= 0.0 || nodes < 1.0 || nodes.fract() != 0.0 || nodes > f64::from(u32::MAX) {
            return Err(trace_err(
                path,
                line,
                format!("runtime_s = {run}, nodes = {nodes}: expected runtime_s > 0 and a whole number of nodes >= 1"),
            ));
        }
        let id = v[0].map_or(out.jobs.len() as u64, |x| x.max(0.0) as u64);
        let mut job = Job::new(
            id,
            secs_to_time(path, line, "submit_s", submit)?,
            nodes as u32,
            run,
        );
        job.estimate_s = v[4].map_or(run, |e| e.max(run));
        for (k, slot) in [(5, &mut job.cpu_util), (6, &mut job.gpu_util)] {
            if let Some(u) = v[k] {
                if !(0.0..=1.0).contains(&u) {
                    return Err(trace_err(
                        path,
                        line,
                        format!("{} = {u}: expected 0 to 1", KNOWN[k]),
                    ));
                }
                *slot = u;
            }
        }
        job.priority = v[7].map_or(0, |p| p as i32);
        job.deferrable = v[8].is_some_and(|d| d != 0.0);
        if let Some(d) = v[9] {
            job.deadline = Some(secs_to_time(path, line, "deadline_s", d)?);
        }
        job.checkpoint_interval_s = v[10].filter(|c| *c > 0.0);
        out.jobs.push(job);
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn data(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data")
            .join(name)
    }

    #[test]
    fn shipped_swf_counts_and_fields() {
        let t = read_swf(&data("synthetic.swf"), 4).unwrap();
        // The file has 12 header/comment lines, 20 job lines, 2 of them not replayable (a
        // cancelled job with run time -1 and one with processors -1 in both fields).
        assert_eq!(t.comment_lines, 12);
        assert_eq!(t.jobs.len(), 18);
        assert_eq!(t.skipped, 2);
        let j = &t.jobs[0];
        assert_eq!(j.id, 1);
        assert_eq!(j.submit, SimTime::ZERO);
        assert_eq!(j.nodes, 2); // 8 processors / 4 per node
        assert_eq!(j.work_s, 3_600.0);
        assert_eq!(j.estimate_s, 7_200.0);
        // job 3 has allocated = -1, requested = 6 processors -> 2 nodes; requested time -1.
        let j3 = t.jobs.iter().find(|j| j.id == 3).unwrap();
        assert_eq!(j3.nodes, 2);
        assert_eq!(j3.estimate_s, j3.work_s);
        assert!(t.jobs.windows(2).all(|w| w[0].submit <= w[1].submit));
    }

    #[test]
    fn swf_errors_name_file_and_line() {
        let p = Path::new("bad.swf");
        let e = parse_swf(
            "; header\n1 0 0 10 1 -1 -1 1 10 -1 1 1 1 1 1 1 -1 -1\n2 5 x\n",
            p,
            1,
        )
        .unwrap_err();
        let s = e.to_string();
        assert!(s.starts_with("bad.swf:3:"), "{s}");
        assert!(s.contains("field 3"), "{s}");
        let e = parse_swf("1 0 0 10 1\n", p, 1).unwrap_err().to_string();
        assert!(e.starts_with("bad.swf:1:") && e.contains("5 fields"), "{e}");
        let missing = read_swf(Path::new("/nonexistent/x.swf"), 1)
            .unwrap_err()
            .to_string();
        assert!(missing.contains("/nonexistent/x.swf"));
    }

    #[test]
    fn csv_reads_optional_columns_and_reports_errors() {
        let p = Path::new("jobs.csv");
        let t = parse_csv(
            "# comment\nsubmit_s,nodes,runtime_s,deferrable,deadline_s,checkpoint_s\n0,2,100,1,500,\n10,1,50,,-1,25\n",
            p,
        )
        .unwrap();
        assert_eq!(t.jobs.len(), 2);
        assert!(t.jobs[0].deferrable);
        assert_eq!(t.jobs[0].deadline, Some(SimTime::from_secs(500)));
        assert_eq!(t.jobs[1].checkpoint_interval_s, Some(25.0));
        assert_eq!(t.jobs[1].deadline, None);
        let e = parse_csv("submit_s,nodes\n", p).unwrap_err().to_string();
        assert!(e.contains("jobs.csv:1:") && e.contains("runtime_s"), "{e}");
        let e = parse_csv("submit_s,nodes,runtime_s\n0,1\n", p)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("jobs.csv:2:"), "{e}");
    }
}
