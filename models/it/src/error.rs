//! Typed errors of the IT model.

use std::path::PathBuf;

/// Everything that can go wrong while building or driving the IT model.
#[derive(Debug, thiserror::Error)]
pub enum ItError {
    /// The configuration has errors (all of them are listed).
    #[error("invalid [it] configuration: {}", .0.iter().map(|i| i.to_string()).collect::<Vec<_>>().join("; "))]
    InvalidConfig(Vec<sim_core::ConfigIssue>),
    /// A row names a node preset that does not exist.
    #[error("rows[{row}].node: unknown node preset `{name}` (expected one of: {expected})")]
    UnknownPreset {
        /// Row index.
        row: usize,
        /// The name given.
        name: String,
        /// The known presets.
        expected: String,
    },
    /// A trace file could not be read.
    #[error("cannot read trace file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A trace file has a malformed line.
    #[error("{path}:{line}: {message}")]
    Trace {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong and what was expected.
        message: String,
    },
    /// A job is larger than the whole cluster and could never start.
    #[error("job {job_id} needs {nodes} nodes but the cluster has only {cluster_nodes}")]
    JobTooLarge {
        /// Job id.
        job_id: u64,
        /// Nodes requested.
        nodes: u32,
        /// Nodes in the cluster.
        cluster_nodes: u32,
    },
}
