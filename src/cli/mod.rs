//! Command-line interface. Exit codes follow sysexits: 0 ok, 65 invalid input data,
//! 66 an input file cannot be read, 78 invalid configuration.

mod check_config;
mod validate;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Exit code for invalid input data (EX_DATAERR).
pub const EXIT_DATA: u8 = 65;
/// Exit code for an input file that cannot be read (EX_NOINPUT).
pub const EXIT_NO_INPUT: u8 = 66;
/// Exit code for an invalid configuration (EX_CONFIG).
pub const EXIT_CONFIG: u8 = 78;

#[derive(Debug, Parser)]
#[command(
    name = "bankgate",
    version,
    about = "Bank-connectivity gateway: instruction files to ISO 20022 over SFTP"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Validate a configuration file and report every problem with its key path.
    CheckConfig {
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
    },
    /// Validate instruction files (JSON, NDJSON, CSV) and print each instruction's verdict.
    Validate {
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
        /// Print one JSON document instead of a table.
        #[arg(long)]
        json: bool,
        #[arg(required = true, value_name = "INSTRUCTION_FILE")]
        files: Vec<PathBuf>,
    },
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::CheckConfig { config } => check_config::run(&config),
        Command::Validate {
            config,
            json,
            files,
        } => validate::run(&config, &files, json),
    };
    match code {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            eprintln!("bankgate: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// Loads the configuration, printing every problem; `Err(exit code)` when unusable.
fn load_config(path: &std::path::Path) -> Result<crate::config::Config, u8> {
    match crate::config::load(path) {
        Ok(config) => Ok(config),
        Err(crate::config::ConfigError::Invalid { path, problems }) => {
            eprintln!(
                "configuration {} is invalid: {} problem(s)",
                path.display(),
                problems.len()
            );
            for p in problems {
                eprintln!(
                    "  {}: expected {}, got {} (rule {})",
                    p.field, p.violation.expected, p.violation.actual, p.violation.rule
                );
            }
            Err(EXIT_CONFIG)
        }
        Err(error) => {
            eprintln!("{error}");
            Err(EXIT_CONFIG)
        }
    }
}
