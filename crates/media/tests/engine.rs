//! The media server is an engine: it touches no database, web framework or
//! async runtime, and no crate of the platform or of a system.

#[test]
fn the_media_engine_depends_on_no_database_web_or_system_crate() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = std::process::Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let package = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "media")
        .expect("the media package");
    let deps: Vec<&str> = package["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    for forbidden in [
        "sqlx", "axum", "tokio", "hyper", "reqwest", "platform", "ui", "server", "calls", "visits",
        "lab", "lifeline",
    ] {
        assert!(
            !deps.contains(&forbidden),
            "media depends on {forbidden}: {deps:?}"
        );
    }
    assert!(deps.contains(&"str0m"), "{deps:?}");
}
