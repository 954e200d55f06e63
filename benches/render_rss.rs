//! Does the pain.001 writer stream? Peak resident memory of rendering 1,000,000 SEPA
//! credit transfers to `io::sink()`, beyond the memory of the instructions themselves.
//!
//! Run with `cargo bench --bench render_rss` (optionally `BANKGATE_RSS_N=<count>`).
//! The process re-runs itself twice, because a process's peak (`VmHWM` in
//! `/proc/self/status`) cannot be reset:
//!
//! - `build`: reads the instructions (one record at a time through
//!   `intake::instruction::read_record`, so nothing but the instructions stays), then
//!   reports its peak;
//! - `render`: the same, reports its peak, renders the whole file into `io::sink()`, and
//!   reports its peak again.
//!
//! The difference of the two processes' peaks is what rendering adds; the render
//! process's own before/after figures are a cross-check. Two more processes break the
//! addition down: `plan` (planning only, no XML) and `message_id` (the MsgId hash only).
//! Results: docs/BENCHMARKS.md.

mod common;

use std::hint::black_box;
use std::process::Command;
use std::time::Instant;

use bankgate::iso20022::{MessageVersion, RenderInput, ids, plan, render};

const MODE: &str = "BANKGATE_RSS_MODE";
const COUNT: &str = "BANKGATE_RSS_N";
const DEFAULT_COUNT: usize = 1_000_000;

/// `(VmHWM, VmRSS)` in KiB from `/proc/self/status`.
fn memory_kib() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status (Linux)");
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or_else(|| panic!("{name} in /proc/self/status"))
    };
    (field("VmHWM:"), field("VmRSS:"))
}

fn count() -> usize {
    std::env::var(COUNT)
        .ok()
        .map(|n| n.parse().expect("BANKGATE_RSS_N: a number"))
        .unwrap_or(DEFAULT_COUNT)
}

/// One measuring process; prints `key=value` lines for the parent.
fn child(mode: &str) {
    let n = count();
    let config = common::config();
    let instructions = common::instructions_by_record(&config, n);
    let (hwm, rss) = memory_kib();
    println!("built_hwm_kib={hwm}");
    println!("built_rss_kib={rss}");
    if mode == "message_id" {
        // Breakdown: the MsgId computation alone (part of planning).
        let id = ids::message_id(instructions.iter());
        let (hwm, rss) = memory_kib();
        println!("rendered_hwm_kib={hwm}");
        println!("rendered_rss_kib={rss}");
        black_box(id);
    }
    if mode == "plan" || mode == "render" {
        let account = config
            .account("acme-eur")
            .expect("fixture account acme-eur");
        let profile = config.profile(&account.connection);
        let input = RenderInput {
            instructions: &instructions,
            accounts: &config.accounts,
            profile: &profile,
            message: Some(MessageVersion::Pain001V09),
            created_at: common::created_at(),
        };
        if mode == "plan" {
            // Breakdown: planning alone (checks, grouping, ids), no XML written.
            let plan = plan::plan(&input).expect("bankgate plans");
            let (hwm, rss) = memory_kib();
            println!("rendered_hwm_kib={hwm}");
            println!("rendered_rss_kib={rss}");
            black_box(plan.blocks.len());
            return;
        }
        let mut counter = Counter(0);
        let started = Instant::now();
        let (rendered, _) = render(&input, &mut counter).expect("bankgate renders");
        let elapsed = started.elapsed();
        assert_eq!(rendered.number_of_transactions, n as u64);
        let (hwm, rss) = memory_kib();
        println!("rendered_hwm_kib={hwm}");
        println!("rendered_rss_kib={rss}");
        println!("xml_bytes={}", counter.0);
        println!("render_seconds={:.3}", elapsed.as_secs_f64());
    }
    black_box(&instructions);
}

/// `io::sink()` that counts what it is given.
struct Counter(u64);

impl std::io::Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn run(mode: &str) -> Vec<(String, f64)> {
    let exe = std::env::current_exe().expect("own executable");
    let output = Command::new(exe)
        .env(MODE, mode)
        .output()
        .expect("re-run the benchmark");
    assert!(
        output.status.success(),
        "{mode} process failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.parse().expect("a number")))
        .collect()
}

fn get(values: &[(String, f64)], key: &str) -> f64 {
    values
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| *v)
        .unwrap_or_else(|| panic!("{key} missing"))
}

fn main() {
    if let Ok(mode) = std::env::var(MODE) {
        child(&mode);
        return;
    }
    // `cargo test --benches` runs bench targets with no `--bench` flag: stay quick there.
    if !std::env::args().any(|a| a == "--bench") {
        println!("render_rss: run with `cargo bench --bench render_rss`");
        return;
    }
    let n = count();
    let mib = |kib: f64| kib / 1024.0;
    let build = run("build");
    let rendered = run("render");
    let build_hwm = get(&build, "built_hwm_kib");
    let before = get(&rendered, "built_hwm_kib");
    let after = get(&rendered, "rendered_hwm_kib");
    let bytes = get(&rendered, "xml_bytes");
    let seconds = get(&rendered, "render_seconds");
    println!("transactions:                         {n}");
    println!(
        "XML rendered to a counting sink:      {:.1} MB in {seconds:.2} s ({:.1} MB/s)",
        bytes / 1e6,
        bytes / 1e6 / seconds
    );
    println!(
        "peak RSS, build only (process 1):     {:.1} MiB",
        mib(build_hwm)
    );
    println!(
        "peak RSS, build + render (process 2): {:.1} MiB",
        mib(after)
    );
    println!(
        "  rendering adds (2 - 1):             {:.1} MiB",
        mib(after - build_hwm)
    );
    println!(
        "  process 2 before/after render:      {:.1} -> {:.1} MiB (+{:.1} MiB)",
        mib(before),
        mib(after),
        mib(after - before)
    );
    // Breakdown of what rendering adds: planning alone, and within it the MsgId.
    for mode in ["plan", "message_id"] {
        let part = run(mode);
        println!(
            "  of which {mode:<10} (before/after):  {:.1} -> {:.1} MiB (+{:.1} MiB)",
            mib(get(&part, "built_hwm_kib")),
            mib(get(&part, "rendered_hwm_kib")),
            mib(get(&part, "rendered_hwm_kib") - get(&part, "built_hwm_kib"))
        );
    }
    // 16 MB read strictly as 16,000,000 bytes; the larger of the two estimates counts.
    let added_bytes = (after - build_hwm).max(after - before) * 1024.0;
    let verdict = if added_bytes < 16e6 { "met" } else { "MISSED" };
    println!(
        "target (< 16 MB added):               {verdict} ({:.1} MB)",
        added_bytes / 1e6
    );
}
