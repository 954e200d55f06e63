//! `bankgate check-config`.

use std::path::Path;

pub fn run(path: &Path) -> anyhow::Result<u8> {
    match super::load_config(path) {
        Ok(config) => {
            println!(
                "configuration {} is valid: {} account(s)",
                path.display(),
                config.accounts.len()
            );
            Ok(0)
        }
        Err(code) => Ok(code),
    }
}
