//! The shape of the workspace, checked over `cargo metadata`: dependencies
//! point one way (binary -> server -> systems -> platform and ui, and the
//! systems' own engines), a system never imports another, the core never
//! names a system, and engines touch neither the database nor the web.
//! Each crate's lib.rs opens by saying what the room is for.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// The systems: one crate each, never importing one another.
const SYSTEMS: &[&str] = &["visits", "lab", "calls", "incidents", "foi"];
/// The shared core.
const CORE: &[&str] = &["platform", "ui"];
/// Pure engines: no database, no HTTP.
const ENGINES: &[&str] = &["calendar", "datalab", "face", "media", "redact"];
/// The service and the binary that compose them.
const TOP: &[&str] = &["server", "lifeline"];

struct Crate {
    /// Workspace crates it depends on (any kind of dependency).
    uses: BTreeSet<String>,
    /// Every dependency's name, ours or not.
    all: BTreeSet<String>,
    manifest: PathBuf,
}

fn workspace() -> BTreeMap<String, Crate> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = std::process::Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(&root)
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let packages = meta["packages"].as_array().unwrap();
    let ours: BTreeSet<String> = packages
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_owned())
        .collect();
    packages
        .iter()
        .map(|p| {
            let all: BTreeSet<String> = p["dependencies"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d["name"].as_str().unwrap().to_owned())
                .collect();
            let uses = all.iter().filter(|d| ours.contains(*d)).cloned().collect();
            (
                p["name"].as_str().unwrap().to_owned(),
                Crate {
                    uses,
                    all,
                    manifest: PathBuf::from(p["manifest_path"].as_str().unwrap()),
                },
            )
        })
        .collect()
}

#[test]
fn dependencies_point_one_way() {
    let ws = workspace();
    for name in SYSTEMS.iter().chain(CORE).chain(ENGINES) {
        assert!(ws.contains_key(*name), "crate {name} exists");
    }
    // A new crate must say which it is, or none of the rules below would
    // hold it.
    for name in ws.keys() {
        assert!(
            SYSTEMS
                .iter()
                .chain(CORE)
                .chain(ENGINES)
                .chain(TOP)
                .any(|k| k == name),
            "crate {name} is not classified as a system, core, engine or the top"
        );
    }
    for system in SYSTEMS {
        let c = &ws[*system];
        for other in SYSTEMS.iter().filter(|o| *o != system) {
            assert!(
                !c.uses.contains(*other),
                "system {system} imports system {other}: tell it through the platform instead"
            );
        }
        for upward in ["server", "lifeline"] {
            assert!(
                !c.uses.contains(upward),
                "system {system} depends on {upward}"
            );
        }
    }
    for core in CORE {
        let c = &ws[*core];
        for system in SYSTEMS.iter().chain(&["server", "lifeline"]) {
            assert!(
                !c.uses.contains(*system),
                "the core crate {core} depends on {system}"
            );
        }
    }
    assert!(
        ws["ui"].uses.is_empty(),
        "ui draws what it is given and depends on no crate of ours: {:?}",
        ws["ui"].uses
    );
    for engine in ENGINES {
        let c = &ws[*engine];
        for forbidden in [
            "sqlx", "axum", "tokio", "hyper", "reqwest", "platform", "ui", "server",
        ] {
            assert!(
                !c.all.contains(forbidden),
                "the engine {engine} depends on {forbidden}"
            );
        }
        for system in SYSTEMS {
            assert!(
                !c.uses.contains(*system),
                "engine {engine} depends on {system}"
            );
        }
    }
    // Only the binary depends on the server.
    for (name, c) in &ws {
        if name != "lifeline" {
            assert!(!c.uses.contains("server"), "{name} depends on the server");
        }
    }
}

#[test]
fn every_room_says_what_it_is_for() {
    for (name, c) in workspace() {
        let lib = c.manifest.parent().unwrap().join("src/lib.rs");
        let main = c.manifest.parent().unwrap().join("src/main.rs");
        let file = if lib.exists() { lib } else { main };
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let opening: Vec<&str> = text.lines().take_while(|l| l.starts_with("//!")).collect();
        assert!(
            opening.len() >= 3,
            "{name}: {} must open with a //! paragraph on what the room is for and what it may touch",
            file.display()
        );
    }
}
