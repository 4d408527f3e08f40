//! Dotted key paths into TOML documents (`cooling.cdu.supply_temp_c`, `faults[2].kind`): parse,
//! set and remove values before deserialising, and find the line a key is written on.

use std::fmt;

/// One step of a key path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// A table key.
    Key(String),
    /// An array index (0-based).
    Index(usize),
}

/// A parsed dotted key path.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KeyPath(pub Vec<Segment>);

impl KeyPath {
    /// Parse `a.b[2].c` (bare keys, indices in brackets).
    pub fn parse(text: &str) -> Result<KeyPath, String> {
        let mut segs = Vec::new();
        if text.trim().is_empty() {
            return Ok(KeyPath(segs));
        }
        for part in text.split('.') {
            let (name, mut rest) = match part.find('[') {
                Some(i) => (&part[..i], &part[i..]),
                None => (part, ""),
            };
            if name.is_empty() && rest.is_empty() {
                return Err(format!("empty key in path `{text}`"));
            }
            if !name.is_empty() {
                segs.push(Segment::Key(name.to_owned()));
            }
            while !rest.is_empty() {
                let close = rest
                    .find(']')
                    .ok_or_else(|| format!("unclosed `[` in path `{text}`"))?;
                let idx: usize = rest[1..close].parse().map_err(|_| {
                    format!("`{}` is not an array index in `{text}`", &rest[1..close])
                })?;
                segs.push(Segment::Index(idx));
                rest = &rest[close + 1..];
                if !rest.is_empty() && !rest.starts_with('[') {
                    return Err(format!("unexpected `{rest}` in path `{text}`"));
                }
            }
        }
        Ok(KeyPath(segs))
    }

    /// The path of a serde error location.
    pub fn from_serde(p: &serde_path_to_error::Path) -> KeyPath {
        use serde_path_to_error::Segment as S;
        KeyPath(
            p.iter()
                .filter_map(|s| match s {
                    S::Seq { index } => Some(Segment::Index(*index)),
                    S::Map { key } => Some(Segment::Key(key.clone())),
                    S::Enum { .. } | S::Unknown => None,
                })
                .collect(),
        )
    }

    /// Append a key.
    pub fn push_key(&mut self, key: String) {
        self.0.push(Segment::Key(key));
    }

    /// True for the document root.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// True when `prefix` is a prefix of this path.
    pub fn starts_with(&self, prefix: &KeyPath) -> bool {
        self.0.starts_with(&prefix.0)
    }
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.0.iter().enumerate() {
            match s {
                Segment::Key(k) if i == 0 => write!(f, "{k}")?,
                Segment::Key(k) => write!(f, ".{k}")?,
                Segment::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// Set the value at `path`, creating intermediate tables; array elements must exist.
pub fn set(root: &mut toml::Table, path: &KeyPath, value: toml::Value) -> Result<(), String> {
    if path.is_empty() {
        return Err("empty key path".to_owned());
    }
    let mut wrapper = toml::Value::Table(std::mem::take(root));
    let result = set_in_value(&mut wrapper, &path.0, value);
    if let toml::Value::Table(t) = wrapper {
        *root = t;
    }
    result
}

fn set_in_value(
    root: &mut toml::Value,
    path: &[Segment],
    value: toml::Value,
) -> Result<(), String> {
    let Some((last, init)) = path.split_last() else {
        *root = value;
        return Ok(());
    };
    let mut cur = root;
    for seg in init {
        cur = match (seg, cur) {
            (Segment::Key(k), toml::Value::Table(t)) => t
                .entry(k.clone())
                .or_insert_with(|| toml::Value::Table(toml::Table::new())),
            (Segment::Index(i), toml::Value::Array(a)) => {
                let len = a.len();
                a.get_mut(*i)
                    .ok_or_else(|| format!("index {i} is past the end of an array of {len}"))?
            }
            (Segment::Key(k), _) => {
                return Err(format!("`{k}` is inside a value that is not a table"))
            }
            (Segment::Index(_), _) => {
                return Err("the path indexes a value that is not an array".to_owned())
            }
        };
    }
    match (last, cur) {
        (Segment::Key(k), toml::Value::Table(t)) => {
            t.insert(k.clone(), value);
            Ok(())
        }
        (Segment::Index(i), toml::Value::Array(a)) => {
            let len = a.len();
            let slot = a
                .get_mut(*i)
                .ok_or_else(|| format!("index {i} is past the end of an array of {len}"))?;
            *slot = value;
            Ok(())
        }
        _ => Err("the path goes through a value that is not a table or array".to_owned()),
    }
}

/// Remove the value at `path`; false when there is nothing there.
pub fn remove(root: &mut toml::Table, path: &KeyPath) -> bool {
    let Some((last, init)) = path.0.split_last() else {
        return false;
    };
    let mut wrapper = toml::Value::Table(std::mem::take(root));
    let removed = remove_in_value(&mut wrapper, init, last);
    if let toml::Value::Table(t) = wrapper {
        *root = t;
    }
    removed
}

fn remove_in_value(root: &mut toml::Value, init: &[Segment], last: &Segment) -> bool {
    let mut cur = root;
    for seg in init {
        let next = match (seg, cur) {
            (Segment::Key(k), toml::Value::Table(t)) => t.get_mut(k),
            (Segment::Index(i), toml::Value::Array(a)) => a.get_mut(*i),
            _ => None,
        };
        match next {
            Some(n) => cur = n,
            None => return false,
        }
    }
    match (last, cur) {
        (Segment::Key(k), toml::Value::Table(t)) => t.remove(k).is_some(),
        (Segment::Index(i), toml::Value::Array(a)) if *i < a.len() => {
            a.remove(*i);
            true
        }
        _ => false,
    }
}

/// 1-based (line, column) of byte `offset` in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let col = before
        .rfind('\n')
        .map_or(before.len(), |i| before.len() - i - 1)
        + 1;
    (line, col)
}

enum Node<'a> {
    Item(&'a toml_edit::Item),
    Value(&'a toml_edit::Value),
    Table(&'a toml_edit::Table),
}

/// The line where `path` (or its longest prefix present) is written in `doc`, with how many
/// segments of the path were found: `(depth, line)`. `None` when not even the first key is in
/// the document.
pub fn find_line(doc: &toml_edit::ImDocument<String>, path: &KeyPath) -> Option<(usize, usize)> {
    let text = doc.raw();
    let mut node = Node::Table(doc.as_table());
    let mut best: Option<(usize, usize)> = None;
    for (depth, seg) in path.0.iter().enumerate() {
        let found = match (seg, &node) {
            (Segment::Key(k), Node::Table(t)) => t
                .get_key_value(k)
                .map(|(key, it)| (key.span().or_else(|| it.span()), Node::Item(it))),
            (Segment::Key(k), Node::Item(item)) => item
                .as_table_like()
                .and_then(|tl| tl.get_key_value(k))
                .map(|(key, it)| (key.span().or_else(|| it.span()), Node::Item(it))),
            (Segment::Key(k), Node::Value(toml_edit::Value::InlineTable(t))) => t
                .get_key_value(k)
                .map(|(key, it)| (key.span().or_else(|| it.span()), Node::Item(it))),
            (Segment::Index(i), Node::Item(toml_edit::Item::ArrayOfTables(a))) => {
                a.get(*i).map(|t| (t.span(), Node::Table(t)))
            }
            (Segment::Index(i), Node::Item(toml_edit::Item::Value(toml_edit::Value::Array(a))))
            | (Segment::Index(i), Node::Value(toml_edit::Value::Array(a))) => {
                a.get(*i).map(|v| (v.span(), Node::Value(v)))
            }
            _ => None,
        };
        let Some((span, next)) = found else {
            return best;
        };
        if let Some(s) = span {
            best = Some((depth + 1, line_col(text, s.start).0));
        }
        node = next;
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_paths() {
        let p = KeyPath::parse("faults[2].kind").expect("valid");
        assert_eq!(
            p.0,
            vec![
                Segment::Key("faults".into()),
                Segment::Index(2),
                Segment::Key("kind".into())
            ]
        );
        assert_eq!(p.to_string(), "faults[2].kind");
        assert!(KeyPath::parse("a..b").is_err());
        assert!(KeyPath::parse("a[x]").is_err());
    }

    #[test]
    fn set_creates_tables_and_remove_deletes() {
        let mut t: toml::Table = "a = 1\n[b]\nc = 2\n[[f]]\nk = 1\n".parse().expect("toml");
        set(&mut t, &KeyPath::parse("b.d.e").expect("p"), 5.into()).expect("set");
        set(&mut t, &KeyPath::parse("f[0].k").expect("p"), 7.into()).expect("set");
        assert!(set(&mut t, &KeyPath::parse("f[3].k").expect("p"), 7.into()).is_err());
        assert_eq!(t["b"]["d"]["e"].as_integer(), Some(5));
        assert_eq!(t["f"][0]["k"].as_integer(), Some(7));
        assert!(remove(&mut t, &KeyPath::parse("b.c").expect("p")));
        assert!(!remove(&mut t, &KeyPath::parse("b.c").expect("p")));
        assert!(t["b"].get("c").is_none());
        assert_eq!(t["a"].as_integer(), Some(1));
    }

    #[test]
    fn finds_lines_of_keys() {
        let text = "name = \"x\"\n\n[run]\nduration_h = 5\n\n[[faults]]\nkind = \"a\"\n[[faults]]\nkind = \"b\"\n";
        let doc = toml_edit::ImDocument::parse(text.to_owned()).expect("toml");
        let f = |p: &str| find_line(&doc, &KeyPath::parse(p).expect("p"));
        assert_eq!(f("run.duration_h"), Some((2, 4)));
        assert_eq!(f("faults[1].kind"), Some((3, 9)));
        assert_eq!(f("run.missing").map(|x| x.1), Some(3));
        assert_eq!(f("nothing"), None);
        assert_eq!(line_col("ab\ncd", 4), (2, 2));
    }
}
