//! Helpers shared by integration tests.
#![allow(dead_code)]

pub mod sshd;

use std::path::Path;
use std::process::Command;

pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Validates `xml` against `schemas/<message>.xsd` with xmllint. xmllint is a required
/// prerequisite (scripts/test.sh installs it): a missing xmllint fails the test.
pub fn xmllint(xml: &[u8], message: &str) -> Result<(), String> {
    xmllint_schema(xml, &root().join("schemas").join(format!("{message}.xsd")))
}

/// Validates `xml` against the XSD at `schema` with xmllint (required, as for [`xmllint`]).
pub fn xmllint_schema(xml: &[u8], schema: &Path) -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let file = dir.path().join("file.xml");
    std::fs::write(&file, xml).map_err(|e| e.to_string())?;
    let out = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(schema)
        .arg(&file)
        .output()
        .unwrap_or_else(|e| {
            panic!("xmllint is required (Debian package libxml2-utils; scripts/test.sh installs it): {e}")
        });
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// The fixture configuration.
pub fn config() -> bankgate::config::Config {
    bankgate::config::load_with_env(&root().join("fixtures/bankgate.toml"), Default::default())
        .expect("fixture configuration is valid")
}

/// Runs `bankgate ARGS` in `dir` and parses its standard output as JSON; panics with its
/// standard error when it fails.
pub fn bankgate_json(dir: &Path, args: &[&str]) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_bankgate"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}
