//! `bankgate validate`: each instruction's verdict, as a table or JSON.

use std::path::{Path, PathBuf};

use serde_json::json;

use super::{EXIT_DATA, EXIT_NO_INPUT};
use crate::intake::{self, AccountBook, Diagnostic, FileReport, Limits};

pub fn run(config: &Path, files: &[PathBuf], as_json: bool) -> anyhow::Result<u8> {
    let config = match super::load_config(config) {
        Ok(config) => config,
        Err(code) => return Ok(code),
    };
    let accounts = AccountBook::from_config(&config);
    let mut reports = Vec::new();
    for path in files {
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) => {
                eprintln!("cannot read instruction file {}: {e}", path.display());
                return Ok(EXIT_NO_INPUT);
            }
        };
        let name = path.display().to_string();
        reports.push(intake::read_file(
            &name,
            &bytes,
            &accounts,
            Limits::default(),
        ));
    }
    if as_json {
        println!("{}", serde_json::to_string_pretty(&to_json(&reports))?);
    } else {
        print_table(&reports);
    }
    let all_valid = reports.iter().all(FileReport::is_valid);
    Ok(if all_valid { 0 } else { EXIT_DATA })
}

fn to_json(reports: &[FileReport]) -> serde_json::Value {
    let files: Vec<_> = reports
        .iter()
        .map(|report| {
            let instructions: Vec<_> = report
                .records
                .iter()
                .map(|r| {
                    json!({
                        "location": r.location,
                        "type": r.kind.map(|k| k.as_str()),
                        "id": r.key,
                        "valid": r.outcome.is_ok(),
                        "errors": r.outcome.as_ref().err().cloned().unwrap_or_default(),
                    })
                })
                .collect();
            json!({
                "file": report.file,
                "valid": report.is_valid(),
                "file_errors": report.file_problems,
                "instructions": instructions,
            })
        })
        .collect();
    let (valid, invalid) = counts(reports);
    json!({ "files": files, "valid": valid, "invalid": invalid })
}

fn counts(reports: &[FileReport]) -> (usize, usize) {
    let records = reports.iter().flat_map(|r| &r.records);
    let valid = records.clone().filter(|r| r.outcome.is_ok()).count();
    (valid, records.count() - valid)
}

fn print_table(reports: &[FileReport]) {
    println!(
        "{:<40} {:<10} {:<21} {:<36} VERDICT",
        "FILE", "LOCATION", "TYPE", "ID"
    );
    let print_problem = |d: &Diagnostic| {
        let field = d.field.as_deref().unwrap_or("-");
        println!(
            "    {} {field}: expected {}, got {} (rule {})",
            d.location, d.expected, d.actual, d.rule
        );
    };
    for report in reports {
        for problem in &report.file_problems {
            println!(
                "{:<40} {:<10} {:<21} {:<36} invalid file",
                report.file,
                problem.location.to_string(),
                "-",
                "-"
            );
            print_problem(problem);
        }
        for record in &report.records {
            let verdict = if record.outcome.is_ok() {
                "ok"
            } else {
                "invalid"
            };
            println!(
                "{:<40} {:<10} {:<21} {:<36} {verdict}",
                report.file,
                record.location.to_string(),
                record.kind.map_or("-", |k| k.as_str()),
                record.key.as_deref().unwrap_or("-"),
            );
            if let Err(problems) = &record.outcome {
                problems.iter().for_each(print_problem);
            }
        }
    }
    let (valid, invalid) = counts(reports);
    let file_problems: usize = reports.iter().map(|r| r.file_problems.len()).sum();
    println!(
        "{} instruction(s): {valid} valid, {invalid} invalid; {file_problems} file problem(s)",
        valid + invalid
    );
}
