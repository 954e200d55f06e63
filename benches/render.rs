//! pain.001.001.09 rendering throughput: bankgate's streaming writer against the `sepa`
//! crate's builder, on the same 100,000 SEPA credit transfers in the same run.
//!
//! Run with `cargo bench --bench render`. Only XML generation is timed: the instructions
//! are read through intake (and the `sepa` builder is filled from them) beforehand.
//! Results and method: docs/BENCHMARKS.md.
//!
//! `BANKGATE_RENDER_ONCE=<what>` skips criterion and runs one operation once, for
//! instruction counts that do not depend on the machine's load, e.g.
//! `valgrind --tool=callgrind --toggle-collect='*once_render*' <bench binary>` with
//! `BANKGATE_RENDER_ONCE=render` (also `plan`, `sepa`, `dump`; see [`once`]).

mod common;

use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::Duration;

use bankgate::config::Account;
use bankgate::domain::account::AccountIdentifier;
use bankgate::domain::instruction::{CreditTransfer, Instruction};
use bankgate::domain::remittance::Remittance;
use bankgate::iso20022::{MessageVersion, RenderInput, Rendered, ids, plan, render};
use criterion::{Criterion, Throughput, criterion_group};
use sepa::pain001::CreditTransferSchema;
use sepa::{
    CreditTransferEntry, CreditTransferGroup, IsoDate, IsoDateTime, Pain001Builder, PostalAddress,
};

/// Transactions per file.
const N: usize = 100_000;

fn sepa_date(date: jiff::civil::Date) -> IsoDate {
    let month = u8::try_from(date.month()).expect("month fits u8");
    let day = u8::try_from(date.day()).expect("day fits u8");
    let year = u16::try_from(date.year()).expect("year fits u16");
    IsoDate::new(year, month, day).expect("a valid date")
}

fn sepa_entry(ct: &CreditTransfer) -> CreditTransferEntry {
    let AccountIdentifier::Iban(iban) = &ct.counterparty.account else {
        panic!("benchmark transfers pay to IBANs");
    };
    let iban = sepa::validate_iban(iban.as_str()).expect("the sepa crate accepts the IBAN");
    let mut entry = CreditTransferEntry::new(
        ct.counterparty.name.as_str(),
        iban,
        ct.amount.minor_units(),
        ct.id.as_str(),
    );
    if let Some(Remittance::Unstructured(text)) = &ct.remittance {
        entry = entry.with_description(text.as_str());
    }
    if let Some(a) = &ct.counterparty.address {
        let town = a.town.as_deref().expect("benchmark addresses have a town");
        let mut address = PostalAddress::new(town, a.country.as_str()).expect("valid address");
        if let Some(street) = &a.street {
            address = address.street(street.as_str());
        }
        if let Some(number) = &a.building_number {
            address = address.building_number(number.as_str());
        }
        if let Some(code) = &a.postal_code {
            address = address.post_code(code.as_str());
        }
        entry = entry.with_creditor_address(address);
    }
    entry
}

/// The same file built with the `sepa` crate: same MsgId, same blocks (one per requested
/// date, as bankgate groups them), same transactions in the same order.
fn sepa_builder(
    account: &Account,
    instructions: &[Instruction],
    rendered: &Rendered,
    created_at: jiff::Timestamp,
) -> Pain001Builder {
    let mut blocks: BTreeMap<jiff::civil::Date, Vec<&CreditTransfer>> = BTreeMap::new();
    for instruction in instructions {
        if let Instruction::CreditTransfer(ct) = instruction {
            let date = ct.requested_date.expect("benchmark transfers have a date");
            blocks.entry(date).or_default().push(ct);
        }
    }
    assert_eq!(blocks.len(), rendered.payment_information_ids.len());
    let created = created_at.to_zoned(jiff::tz::TimeZone::UTC);
    let created = IsoDateTime::new(
        sepa_date(created.date()),
        u8::try_from(created.hour()).expect("hour"),
        u8::try_from(created.minute()).expect("minute"),
        u8::try_from(created.second()).expect("second"),
    )
    .expect("a valid time");
    let debtor = sepa::validate_iban(account.iban.as_str()).expect("own IBAN");
    let debtor_bic = account
        .bic
        .as_ref()
        .map(|bic| sepa::validate_bic(bic.as_str()).expect("own BIC"));
    let mut builder = Pain001Builder::new(account.name.as_str(), rendered.message_id.as_str())
        .schema(CreditTransferSchema::IsoV9)
        .created_at(created);
    for ((date, transfers), id) in blocks.into_iter().zip(&rendered.payment_information_ids) {
        let mut group = CreditTransferGroup::new(account.name.as_str(), &debtor, sepa_date(date))
            .payment_info_id(id.as_str())
            .batch_booking(true)
            .add_entries(transfers.into_iter().map(sepa_entry));
        if let Some(bic) = &debtor_bic {
            group = group.debtor_bic(bic.clone());
        }
        builder = builder.add_group(group);
    }
    builder
}

/// Reads the 100,000 instructions and calls `f` with the paying account and the input
/// to render them as pain.001.001.09.
fn with_input<R>(f: impl FnOnce(&Account, RenderInput<'_>) -> R) -> R {
    let config = common::config();
    let instructions = common::instructions_from_file(&config, N);
    assert_eq!(instructions.len(), N);
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
    f(account, input)
}

fn render_pain001(c: &mut Criterion) {
    with_input(|account, input| {
        // Untimed: one render of each, to size the buffers and count the bytes produced.
        let (rendered, bankgate_xml) = render(&input, Vec::new()).expect("bankgate renders");
        assert_eq!(rendered.number_of_transactions, N as u64);
        let builder = sepa_builder(account, input.instructions, &rendered, input.created_at);
        let mut sepa_xml = Vec::new();
        builder.write_to(&mut sepa_xml).expect("sepa builds");
        let sepa_txs = sepa_xml
            .windows(b"<CdtTrfTxInf>".len())
            .filter(|w| w == b"<CdtTrfTxInf>")
            .count();
        assert_eq!(sepa_txs, N, "the sepa file holds every transaction");
        eprintln!(
            "bankgate XML: {} bytes ({:.0} B/tx); sepa XML: {} bytes ({:.0} B/tx)",
            bankgate_xml.len(),
            bankgate_xml.len() as f64 / N as f64,
            sepa_xml.len(),
            sepa_xml.len() as f64 / N as f64,
        );

        let mut group = c.benchmark_group("pain.001.001.09/100k SCT");
        group
            .sample_size(10)
            .warm_up_time(Duration::from_secs(2))
            .measurement_time(Duration::from_secs(8));

        let bytes = |xml: &[u8]| Throughput::ElementsAndBytes {
            elements: N as u64,
            bytes: xml.len() as u64,
        };

        group.throughput(bytes(&bankgate_xml));
        let mut buffer = Vec::with_capacity(bankgate_xml.len());
        group.bench_function("bankgate render to Vec", |b| {
            b.iter(|| {
                buffer.clear();
                let result = render(black_box(&input), &mut buffer);
                black_box(result.expect("bankgate renders").0);
            })
        });
        group.bench_function("bankgate render to sink", |b| {
            b.iter(|| {
                let result = render(black_box(&input), std::io::sink());
                black_box(result.expect("bankgate renders").0);
            })
        });

        // Diagnostic: the planning half of `render` alone (checks, grouping, ids; no XML).
        group.throughput(Throughput::Elements(N as u64));
        group.bench_function("bankgate plan only", |b| {
            b.iter(|| {
                black_box(
                    plan::plan(black_box(&input))
                        .expect("bankgate plans")
                        .blocks
                        .len(),
                )
            })
        });

        group.bench_function("bankgate MsgId only", |b| {
            b.iter(|| black_box(ids::message_id(black_box(input.instructions).iter())))
        });

        group.throughput(bytes(&sepa_xml));
        let mut buffer = Vec::with_capacity(sepa_xml.len());
        group.bench_function("sepa write_to Vec", |b| {
            b.iter(|| {
                buffer.clear();
                black_box(&builder)
                    .write_to(&mut buffer)
                    .expect("sepa builds");
                black_box(buffer.len());
            })
        });
        group.bench_function("sepa build String", |b| {
            b.iter(|| black_box(black_box(&builder).build().expect("sepa builds")))
        });
        group.finish();
    })
}

/// Environment variable selecting a one-shot run instead of criterion.
const ONCE: &str = "BANKGATE_RENDER_ONCE";

/// One bankgate render into a pre-sized `Vec`; a named frame for callgrind's
/// `--toggle-collect`.
#[inline(never)]
fn once_render(input: &RenderInput<'_>, buffer: &mut Vec<u8>) {
    let result = render(black_box(input), buffer);
    black_box(result.expect("bankgate renders").0);
}

/// Planning only.
#[inline(never)]
fn once_plan(input: &RenderInput<'_>) {
    black_box(
        plan::plan(black_box(input))
            .expect("bankgate plans")
            .blocks
            .len(),
    );
}

/// The `sepa` builder's `write_to` into a pre-sized `Vec`.
#[inline(never)]
fn once_sepa(builder: &Pain001Builder, buffer: &mut Vec<u8>) {
    black_box(builder).write_to(buffer).expect("sepa builds");
    black_box(buffer.len());
}

/// `render` (bankgate, into a `Vec`), `plan`, `sepa` (`write_to`), `dump` (bankgate's
/// compact and indented files to `BANKGATE_RENDER_DUMP`.compact/.indented, to compare
/// the bytes of two versions of the writer), or `time` (the fastest and the median of
/// 15 interleaved runs of each: on a shared machine the fastest run is the one least
/// disturbed by other processes).
fn once(what: &str) {
    with_input(|account, input| {
        let mut buffer = Vec::with_capacity(64 << 20);
        match what {
            "render" => once_render(&input, &mut buffer),
            "plan" => once_plan(&input),
            "sepa" => {
                let (rendered, _) = render(&input, std::io::sink()).expect("bankgate renders");
                let builder =
                    sepa_builder(account, input.instructions, &rendered, input.created_at);
                once_sepa(&builder, &mut buffer);
            }
            "time" => {
                let (rendered, _) = render(&input, std::io::sink()).expect("bankgate renders");
                let builder =
                    sepa_builder(account, input.instructions, &rendered, input.created_at);
                let mut times: [Vec<f64>; 3] = Default::default();
                for _ in 0..15 {
                    let started = std::time::Instant::now();
                    buffer.clear();
                    once_render(&input, &mut buffer);
                    times[0].push(started.elapsed().as_secs_f64() * 1e3);
                    let started = std::time::Instant::now();
                    once_plan(&input);
                    times[1].push(started.elapsed().as_secs_f64() * 1e3);
                    let started = std::time::Instant::now();
                    buffer.clear();
                    once_sepa(&builder, &mut buffer);
                    times[2].push(started.elapsed().as_secs_f64() * 1e3);
                }
                for (name, mut times) in ["bankgate render", "bankgate plan", "sepa write_to"]
                    .into_iter()
                    .zip(times)
                {
                    times.sort_by(f64::total_cmp);
                    eprintln!(
                        "{name}: fastest {:.1} ms, median {:.1} ms",
                        times[0],
                        times[times.len() / 2]
                    );
                }
            }
            "dump" => {
                let path = std::env::var("BANKGATE_RENDER_DUMP").expect("BANKGATE_RENDER_DUMP");
                let (_, compact) = render(&input, Vec::new()).expect("bankgate renders");
                std::fs::write(format!("{path}.compact"), compact).expect("write compact");
                let indented = bankgate::iso20022::Profile {
                    indent: true,
                    ..input.profile.clone()
                };
                let input = RenderInput {
                    profile: &indented,
                    ..input
                };
                let (_, pretty) = render(&input, Vec::new()).expect("bankgate renders");
                std::fs::write(format!("{path}.indented"), pretty).expect("write indented");
            }
            other => panic!("{ONCE}: expected render, plan, sepa, dump or time, got {other:?}"),
        }
    })
}

criterion_group!(benches, render_pain001);

fn main() {
    if let Ok(what) = std::env::var(ONCE) {
        once(&what);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
