//! Command-line interface. Exit codes follow sysexits: 0 ok, 65 invalid input data,
//! 66 an input file cannot be read, 78 invalid configuration.

mod bank_sim;
mod check_config;
mod connections;
pub mod demo;
mod operate;
mod parse;
mod render;
mod run;
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
    /// Render instruction files as one ISO 20022 file (pain.001 or pain.008).
    Render {
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
        /// Message version; default: the connection profile's (pain.001.001.09 / pain.008.001.08).
        #[arg(long, value_name = "VERSION", value_parser = parse_message)]
        message: Option<crate::iso20022::MessageVersion>,
        /// Write here (atomically) instead of stdout.
        #[arg(long, value_name = "PATH")]
        output: Option<PathBuf>,
        /// Fix CreDtTm (RFC 3339, e.g. 2026-11-21T10:00:00Z) for reproducible output.
        #[arg(long, value_name = "INSTANT", value_parser = render::parse_created_at)]
        created_at: Option<jiff::Timestamp>,
        #[arg(required = true, value_name = "INSTRUCTION_FILE")]
        files: Vec<PathBuf>,
    },
    /// Run the daemon: the drop-folder intake into the embedded store, until SIGTERM.
    Run {
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
        #[arg(long, value_enum, default_value = "text")]
        log_format: run::LogFormat,
    },
    /// Payments in the store.
    Payments {
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
        #[arg(long)]
        json: bool,
        #[command(subcommand)]
        command: PaymentsCommand,
    },
    /// Approve CREATED payments (with four-eyes accounts, two distinct names are needed).
    Approve {
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
        /// Who approves (default: $USER).
        #[arg(long = "as", value_name = "NAME")]
        by: Option<String>,
        #[arg(required = true, value_name = "ID")]
        ids: Vec<String>,
    },
    /// Reject CREATED or APPROVED payments.
    Reject {
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
        #[arg(long = "as", value_name = "NAME")]
        by: Option<String>,
        #[arg(long)]
        reason: String,
        #[arg(required = true, value_name = "ID")]
        ids: Vec<String>,
    },
    /// Set a payment's status by hand (event OPERATOR_FORCE_UPDATE).
    ForceStatus {
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
        #[arg(long = "as", value_name = "NAME")]
        by: Option<String>,
        #[arg(long)]
        reason: String,
        id: String,
        #[arg(value_parser = parse_status)]
        status: crate::domain::payment::PaymentStatus,
    },
    /// Mandates in the store.
    Mandates {
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
        #[arg(long)]
        json: bool,
        #[command(subcommand)]
        command: MandatesCommand,
    },
    /// Outbound files and their states (BUILT, UPLOADING, UPLOADED, ACKNOWLEDGED, ...).
    Files {
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
        #[arg(long)]
        json: bool,
        #[command(subcommand)]
        command: FilesCommand,
    },
    /// The whole loop on one machine: a simulated bank, the real daemon, the sample
    /// files; prints progress and a summary, and keeps the data directory.
    Demo {
        /// Data directory (default: a new directory under the system's temporary directory).
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        /// Seed for the simulated bank's outcomes (same seed, same outcomes).
        #[arg(long, default_value_t = 7)]
        seed: u64,
        /// Give up after this many seconds.
        #[arg(long, default_value_t = 90)]
        timeout: u64,
        /// Reach the simulated bank through a local directory pair instead of SFTP.
        #[arg(long)]
        local: bool,
    },
    /// Run the simulated bank on a directory (inbox/ receives, outbox/ answers), served
    /// over SFTP on a loopback port when authorized keys are given.
    BankSim {
        #[arg(long, value_name = "DIR")]
        dir: PathBuf,
        #[arg(long, default_value_t = 7)]
        seed: u64,
        /// The SFTP user name.
        #[arg(long, default_value = "bank")]
        user: String,
        /// An OpenSSH public key file allowed to log in (repeatable).
        #[arg(long = "authorized-key", value_name = "FILE")]
        authorized_keys: Vec<PathBuf>,
        /// The server's host key (OpenSSH private key file); default: a fresh one.
        #[arg(long, value_name = "FILE")]
        host_key: Option<PathBuf>,
    },
    /// Bank connections: schemes, transport, secret metadata, recent files and payments.
    Connections {
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
        #[arg(long)]
        json: bool,
        #[command(subcommand)]
        command: ConnectionsCommand,
    },
    /// Run a window for a connection now (the running daemon takes the request).
    Trigger {
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
        #[arg(long = "as", value_name = "NAME")]
        by: Option<String>,
        connection: String,
    },
    /// Statement lines kept for operators (those that matched no payment, with --unmatched).
    Statements {
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
        #[arg(long)]
        json: bool,
        #[command(subcommand)]
        command: StatementsCommand,
    },
    /// The audit trail, oldest first.
    Events {
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
        #[arg(long)]
        json: bool,
        /// Only this payment's (or mandate's) events.
        #[arg(long, value_name = "ID")]
        payment: Option<String>,
    },
    /// Read bank files (pain.002, camt.052/053/054): one JSON object per line, or a table.
    Parse {
        /// A human table per file instead of NDJSON.
        #[arg(long)]
        summary: bool,
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
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

#[derive(Debug, Subcommand)]
enum PaymentsCommand {
    /// Payments, newest first.
    List {
        #[arg(long, value_parser = parse_status)]
        status: Option<crate::domain::payment::PaymentStatus>,
        #[arg(long)]
        connection: Option<String>,
    },
    /// One payment with its event history.
    Show { id: String },
}

#[derive(Debug, Subcommand)]
enum MandatesCommand {
    List {
        #[arg(long, value_parser = parse_mandate_status)]
        status: Option<crate::domain::mandate::MandateStatus>,
    },
    /// One mandate with its event history.
    Show { id: String },
}

#[derive(Debug, Subcommand)]
enum ConnectionsCommand {
    List,
    /// One connection in detail.
    Show {
        id: String,
    },
}

#[derive(Debug, Subcommand)]
enum FilesCommand {
    List,
    /// One file with its payments (and the identifiers they were sent under) and events.
    Show {
        message_id: String,
    },
}

#[derive(Debug, Subcommand)]
enum StatementsCommand {
    List {
        /// Only lines that matched no payment.
        #[arg(long)]
        unmatched: bool,
    },
}

fn parse_mandate_status(text: &str) -> Result<crate::domain::mandate::MandateStatus, String> {
    text.parse()
        .map_err(|e: crate::domain::rule::RuleViolation| {
            format!("expected {}, got {}", e.expected, e.actual)
        })
}

fn parse_status(text: &str) -> Result<crate::domain::payment::PaymentStatus, String> {
    text.parse()
        .map_err(|e: crate::domain::rule::RuleViolation| {
            format!("expected {}, got {}", e.expected, e.actual)
        })
}

fn operator(by: Option<String>) -> String {
    by.or_else(|| std::env::var("USER").ok())
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| "operator".to_owned())
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
        Command::Parse { summary, files } => parse::run(&files, summary),
        Command::Run { config, log_format } => run::run(&config, log_format),
        Command::Payments {
            config,
            json,
            command,
        } => {
            let action = match command {
                PaymentsCommand::List { status, connection } => {
                    operate::Action::List { status, connection }
                }
                PaymentsCommand::Show { id } => operate::Action::Show { id },
            };
            operate::run(&config, action, json)
        }
        Command::Approve { config, by, ids } => operate::run(
            &config,
            operate::Action::Approve {
                ids,
                by: operator(by),
            },
            false,
        ),
        Command::Reject {
            config,
            by,
            reason,
            ids,
        } => operate::run(
            &config,
            operate::Action::Reject {
                ids,
                by: operator(by),
                reason,
            },
            false,
        ),
        Command::ForceStatus {
            config,
            by,
            reason,
            id,
            status,
        } => operate::run(
            &config,
            operate::Action::Force {
                id,
                status,
                by: operator(by),
                reason,
            },
            false,
        ),
        Command::Events {
            config,
            json,
            payment,
        } => operate::run(&config, operate::Action::Events { payment }, json),
        Command::Mandates {
            config,
            json,
            command,
        } => {
            let action = match command {
                MandatesCommand::List { status } => operate::Action::Mandates { status },
                MandatesCommand::Show { id } => operate::Action::MandateShow { id },
            };
            operate::run(&config, action, json)
        }
        Command::Files {
            config,
            json,
            command: FilesCommand::List,
        } => operate::run(&config, operate::Action::Files, json),
        Command::Files {
            config,
            json,
            command: FilesCommand::Show { message_id },
        } => operate::run(&config, operate::Action::FileShow { message_id }, json),
        Command::BankSim {
            dir,
            seed,
            user,
            authorized_keys,
            host_key,
        } => bank_sim::run(bank_sim::Args {
            dir,
            seed,
            user,
            authorized_keys,
            host_key,
        }),
        Command::Demo {
            dir,
            seed,
            timeout,
            local,
        } => demo::run(demo::Args {
            dir,
            local,
            seed,
            timeout: std::time::Duration::from_secs(timeout),
        }),
        Command::Connections {
            config,
            json,
            command,
        } => {
            let id = match &command {
                ConnectionsCommand::List => None,
                ConnectionsCommand::Show { id } => Some(id.as_str()),
            };
            connections::run(&config, id, json)
        }
        Command::Trigger {
            config,
            by,
            connection,
        } => operate::run(
            &config,
            operate::Action::Trigger {
                connection,
                by: operator(by),
            },
            false,
        ),
        Command::Statements {
            config,
            json,
            command: StatementsCommand::List { unmatched },
        } => operate::run(
            &config,
            operate::Action::Statements {
                unmatched_only: unmatched,
            },
            json,
        ),
        Command::Render {
            config,
            message,
            output,
            created_at,
            files,
        } => render::run(render::Args {
            config: &config,
            message,
            output: output.as_deref(),
            created_at,
            files: &files,
        }),
    };
    match code {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            // A reader that stopped early (`bankgate parse ... | head`) is not a failure.
            let broken_pipe = error.chain().any(|e| {
                e.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            });
            if broken_pipe {
                return ExitCode::SUCCESS;
            }
            eprintln!("bankgate: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn parse_message(text: &str) -> Result<crate::iso20022::MessageVersion, String> {
    text.parse()
        .map_err(|e: crate::domain::rule::RuleViolation| {
            format!("expected {}, got {}", e.expected, e.actual)
        })
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
