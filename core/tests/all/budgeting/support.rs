//! Where the real Pabulib files are, and loading them.

use civitas_core::budgeting::{Election, decompressed, parse_pabulib};
use std::fs::File;
use std::path::PathBuf;

/// `core/tests/data/pabulib` (gzip-compressed files from the Pabulib library, with their
/// sources and pabutools' outcomes), or `$CIVITAS_PABULIB_DIR`.
pub fn pabulib_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CIVITAS_PABULIB_DIR") {
        return PathBuf::from(dir);
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/pabulib")
}

/// Parses one instance (`Poland_Swiecie_2023.pb`), stored compressed or not.
pub fn load(instance: &str) -> Election {
    let dir = pabulib_dir();
    let path = [dir.join(instance), dir.join(format!("{instance}.gz"))]
        .into_iter()
        .find(|path| path.is_file())
        .unwrap_or_else(|| panic!("{instance} is not in {}", dir.display()));
    let file = File::open(&path).unwrap_or_else(|error| panic!("cannot open {}: {error}", path.display()));
    let text = decompressed(file).unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
    parse_pabulib(text).unwrap_or_else(|error| panic!("{instance}: {error}"))
}

/// Every instance of the directory, by its `.pb` name.
pub fn instances() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(pabulib_dir())
        .expect("the Pabulib directory is readable")
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter_map(|name| name.strip_suffix(".gz").map(str::to_owned).or(Some(name)))
        .filter(|name| name.ends_with(".pb"))
        .collect();
    names.sort();
    assert!(names.len() >= 10, "expected the Pabulib files, found {names:?}");
    names
}

/// One row of `reference.tsv`: what pabutools 1.2.3 selects.
pub struct Expected {
    pub rule: String,
    /// `None` where pabutools did not finish (`seconds` is `NA(>750)`: over 750 s).
    pub selected: Option<Vec<String>>,
}

/// The rows of `reference.tsv` for one instance.
pub fn expected_for(instance: &str) -> Vec<Expected> {
    let text = std::fs::read_to_string(pabulib_dir().join("reference.tsv")).expect("reference.tsv is readable");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("reference.tsv has a header").split('\t').collect();
    let column = |name: &str| header.iter().position(|&candidate| candidate == name).expect("known column");
    let (instance_column, rule_column, selected_column) = (column("instance"), column("rule"), column("selected"));
    let seconds_column = column("seconds");
    lines
        .map(|line| line.split('\t').collect::<Vec<_>>())
        .filter(|fields| fields.get(instance_column) == Some(&instance))
        .map(|fields| Expected {
            rule: fields[rule_column].to_owned(),
            selected: (!fields[seconds_column].starts_with("NA"))
                .then(|| sorted(fields[selected_column].split(',').filter(|id| !id.is_empty()).map(str::to_owned))),
        })
        .collect()
}

/// Project ids sorted as strings, the form `reference.tsv` lists them in.
pub fn sorted(ids: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut ids: Vec<String> = ids.into_iter().collect();
    ids.sort();
    ids
}
