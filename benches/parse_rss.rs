//! Does inbound parsing stream? Peak resident memory (`VmHWM`) of parsing a generated
//! camt.053 of 200,000 entries (and one twice as large) and a 100,000-transaction
//! pain.002, each in its own process, since a process's peak cannot be reset.
//!
//! Run with `cargo bench --bench parse_rss` (optionally `BANKGATE_PARSE_N=<entries>`).
//! The parent writes the files into temp files, then re-runs itself once per
//! measurement with `BANKGATE_PARSE_MODE` and `BANKGATE_PARSE_FILE` set:
//!
//! - `baseline`: touches nothing, reports its peak (the process's own floor);
//! - `bankgate-camt`, `bankgate-pain002`: bankgate's streaming readers over a
//!   `BufReader<File>` (the file is never loaded), counting items, keeping nothing;
//! - `raw-camt`: a quick-xml event scan of the same file from a `BufReader<File>`;
//! - `sepa-camt`: the `sepa` crate, which parses a `&str`, so the file is read into a
//!   `String` first, as its callers must.
//!
//! `BANKGATE_PARSE_MODE=write-camt` (or `write-pain002`) with `BANKGATE_PARSE_FILE` and
//! `BANKGATE_PARSE_N` writes a generated file and exits, e.g. to check it with xmllint.
//! Results: docs/BENCHMARKS.md, "Parsing".

#[path = "common/inbound.rs"]
mod inbound;

use std::fs::File;
use std::io::BufReader;
use std::process::Command;
use std::time::Instant;

const MODE: &str = "BANKGATE_PARSE_MODE";
const FILE: &str = "BANKGATE_PARSE_FILE";
const COUNT: &str = "BANKGATE_PARSE_N";
const DEFAULT_ENTRIES: usize = 200_000;
const PAIN002_TRANSACTIONS: usize = 100_000;

/// `VmHWM` in KiB from `/proc/self/status`.
fn peak_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status (Linux)");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM in /proc/self/status")
}

fn count() -> usize {
    std::env::var(COUNT)
        .ok()
        .map(|n| n.parse().expect("BANKGATE_PARSE_N: a number"))
        .unwrap_or(DEFAULT_ENTRIES)
}

/// One measuring process; prints `key=value` lines for the parent.
fn child(mode: &str) {
    let path = std::env::var(FILE).expect("BANKGATE_PARSE_FILE");
    match mode {
        "write-camt" | "write-pain002" => {
            let out = std::io::BufWriter::new(File::create(&path).expect("create the file"));
            let bytes = if mode == "write-camt" {
                inbound::write_camt053(out, count())
            } else {
                inbound::write_pain002(out, count())
            }
            .expect("write the file");
            println!("wrote {bytes} bytes to {path}");
            return;
        }
        "baseline" => {
            println!("peak_kib={}", peak_kib());
            return;
        }
        _ => {}
    }
    let open = || BufReader::new(File::open(&path).expect("open the file"));
    let start = Instant::now();
    let counts = match mode {
        "bankgate-camt" => inbound::bankgate_camt(open()),
        "bankgate-pain002" => inbound::bankgate_pain002(open()),
        "raw-camt" => inbound::raw_scan(open(), "Ntry"),
        "sepa-camt" => {
            let xml = std::fs::read_to_string(&path).expect("read the file");
            inbound::sepa_camt(&xml)
        }
        other => panic!("unknown {MODE} {other}"),
    };
    let seconds = start.elapsed().as_secs_f64();
    println!("peak_kib={}", peak_kib());
    println!("items={}", counts.items);
    println!("details={}", counts.details);
    println!("seconds={seconds:.3}");
}

/// Runs this executable in `mode` on `file`; returns its `key=value` output.
fn measure(mode: &str, file: &std::path::Path) -> Vec<(String, String)> {
    let exe = std::env::current_exe().expect("the benchmark executable");
    let output = Command::new(exe)
        .env(MODE, mode)
        .env(FILE, file)
        .output()
        .expect("run the measuring process");
    assert!(
        output.status.success(),
        "{mode} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .expect("UTF-8 output")
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

fn get<'a>(values: &'a [(String, String)], key: &str) -> &'a str {
    values
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("{key} missing"))
}

fn main() {
    if let Ok(mode) = std::env::var(MODE) {
        child(&mode);
        return;
    }
    // `cargo bench` passes `--bench`; a filter argument is not supported.
    let n = count();
    let started = Instant::now();
    let (camt, camt_bytes) = inbound::temp_file(|out| inbound::write_camt053(out, n));
    let (camt2, camt2_bytes) = inbound::temp_file(|out| inbound::write_camt053(out, 2 * n));
    let (pain, pain_bytes) =
        inbound::temp_file(|out| inbound::write_pain002(out, PAIN002_TRANSACTIONS));
    println!(
        "generated in {:.1} s: camt.053 {n} entries {camt_bytes} B, {} entries {camt2_bytes} B; \
         pain.002 {PAIN002_TRANSACTIONS} tx {pain_bytes} B",
        started.elapsed().as_secs_f64(),
        2 * n
    );
    let mib = |kib: u64| kib as f64 / 1024.0;
    let baseline: u64 = get(&measure("baseline", camt.path()), "peak_kib")
        .parse()
        .expect("a number");
    println!(
        "{:<44} {:>10.1} MiB",
        "baseline (process, nothing parsed)",
        mib(baseline)
    );
    let runs: [(&str, &str, &tempfile::NamedTempFile, u64, usize); 5] = [
        (
            "bankgate camt.053, BufReader<File>",
            "bankgate-camt",
            &camt,
            camt_bytes,
            n,
        ),
        (
            "bankgate camt.053 2x, BufReader<File>",
            "bankgate-camt",
            &camt2,
            camt2_bytes,
            2 * n,
        ),
        (
            "raw quick-xml scan camt.053, BufReader<File>",
            "raw-camt",
            &camt,
            camt_bytes,
            n,
        ),
        (
            "bankgate pain.002, BufReader<File>",
            "bankgate-pain002",
            &pain,
            pain_bytes,
            PAIN002_TRANSACTIONS,
        ),
        (
            "sepa camt.053 (file read into a String)",
            "sepa-camt",
            &camt,
            camt_bytes,
            n,
        ),
    ];
    for (label, mode, file, bytes, expected) in runs {
        let values = measure(mode, file.path());
        let peak: u64 = get(&values, "peak_kib").parse().expect("a number");
        let items: usize = get(&values, "items").parse().expect("a number");
        let seconds: f64 = get(&values, "seconds").parse().expect("a number");
        assert_eq!(items, expected, "{label}: items read");
        if mode.ends_with("-camt") && mode != "raw-camt" {
            let details: usize = get(&values, "details").parse().expect("a number");
            assert_eq!(details, expected, "{label}: one TxDtls per entry");
        }
        println!(
            "{label:<44} {:>10.1} MiB peak ({:+.1} MiB over baseline), {items} items, \
             {:.1} MB in {seconds:.2} s = {:.0} MB/s",
            mib(peak),
            mib(peak.saturating_sub(baseline)),
            bytes as f64 / 1e6,
            bytes as f64 / 1e6 / seconds,
        );
    }
}
