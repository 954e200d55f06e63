//! `bankgate render`: instruction files to one pain.001 or pain.008 file.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;

use super::{EXIT_DATA, EXIT_NO_INPUT};
use crate::domain::instruction::Instruction;
use crate::intake::{self, AccountBook, Limits};
use crate::iso20022::{self, MessageVersion, RenderError, RenderInput};

/// Exit code when the output cannot be written (EX_IOERR).
const EXIT_IO: u8 = 74;

pub struct Args<'a> {
    pub config: &'a Path,
    pub message: Option<MessageVersion>,
    pub output: Option<&'a Path>,
    pub created_at: Option<jiff::Timestamp>,
    pub files: &'a [PathBuf],
}

pub fn run(args: Args<'_>) -> anyhow::Result<u8> {
    let config = match super::load_config(args.config) {
        Ok(config) => config,
        Err(code) => return Ok(code),
    };
    let accounts = AccountBook::from_config(&config);
    let mut instructions: Vec<Instruction> = Vec::new();
    let mut invalid = false;
    for path in args.files {
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) => {
                eprintln!("cannot read instruction file {}: {e}", path.display());
                return Ok(EXIT_NO_INPUT);
            }
        };
        let report = intake::read_file(
            &path.display().to_string(),
            &bytes,
            &accounts,
            Limits::default(),
        );
        for diagnostic in report.diagnostics() {
            eprintln!("{diagnostic}");
            invalid = true;
        }
        instructions.extend(report.instructions().cloned());
    }
    if invalid {
        return Ok(EXIT_DATA);
    }
    // One file goes to one bank: every payment must use the same connection's profile.
    let mut connections: Vec<&str> = instructions
        .iter()
        .filter_map(|i| match i {
            Instruction::CreditTransfer(ct) => Some(ct.source_account.as_str()),
            Instruction::DirectDebit(dd) => Some(dd.source_account.as_str()),
            _ => None,
        })
        .filter_map(|id| config.account(id))
        .map(|a| a.connection.as_str())
        .collect();
    connections.sort_unstable();
    connections.dedup();
    if connections.len() > 1 {
        eprintln!(
            "instructions use accounts of several bank connections ({}): expected one connection per file",
            connections.join(", ")
        );
        return Ok(EXIT_DATA);
    }
    let profile = config.profile(connections.first().copied().unwrap_or(""));
    let input = RenderInput {
        instructions: &instructions,
        accounts: &config.accounts,
        profile: &profile,
        message: args.message,
        created_at: args.created_at.unwrap_or_else(jiff::Timestamp::now),
    };
    let result = match args.output {
        None => {
            let stdout = std::io::stdout().lock();
            iso20022::render(&input, std::io::BufWriter::new(stdout))
                .and_then(|(rendered, mut out)| Ok(out.flush().map(|_| rendered)?))
        }
        Some(path) => render_to_file(&input, path),
    };
    match result {
        Ok(rendered) => {
            eprintln!(
                "rendered {} message_id={} transactions={} blocks={} control_sum={}",
                rendered.message,
                rendered.message_id,
                rendered.number_of_transactions,
                rendered.payment_information_ids.len(),
                rendered.control_sum
            );
            for (id, e2e) in &rendered.mapped_end_to_end_ids {
                eprintln!("instruction id {id:?} is sent as EndToEndId {e2e}");
            }
            Ok(0)
        }
        Err(RenderError::Invalid(problems)) => {
            for problem in problems {
                eprintln!("{problem}");
            }
            Ok(EXIT_DATA)
        }
        Err(RenderError::Io(e)) => {
            eprintln!("cannot write the file: {e}");
            Ok(EXIT_IO)
        }
    }
}

/// Writes to a temporary name beside `path`, then renames: never a half-written file.
fn render_to_file(input: &RenderInput<'_>, path: &Path) -> Result<iso20022::Rendered, RenderError> {
    let temporary = path.with_extension("part");
    let file = std::fs::File::create(&temporary)?;
    let result =
        iso20022::render(input, std::io::BufWriter::new(file)).and_then(|(rendered, out)| {
            let file = out.into_inner().map_err(|e| e.into_error())?;
            file.sync_all()?;
            std::fs::rename(&temporary, path)?;
            Ok(rendered)
        });
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result
}

pub fn parse_created_at(text: &str) -> anyhow::Result<jiff::Timestamp> {
    text.parse::<jiff::Timestamp>().with_context(|| {
        format!(
            "--created-at: expected an RFC 3339 instant such as 2026-11-21T10:00:00Z, got {text:?}"
        )
    })
}
