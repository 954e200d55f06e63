//! Shared data for the render benchmarks: a deterministic set of SEPA credit transfers
//! written as instruction JSON (the format users drop into the folder) and read back
//! through intake, exactly as `bankgate render` does.

#![allow(dead_code)] // each bench target uses a different part of this module

use std::path::Path;

use bankgate::config::Config;
use bankgate::domain::instruction::Instruction;
use bankgate::intake::instruction::read_record;
use bankgate::intake::{AccountBook, Limits, read_file};
use serde_json::{Value, json};

/// `GrpHdr/CreDtTm` of every benchmark file; requested dates lie a few days later.
pub const CREATED_AT: &str = "2026-11-20T09:00:00Z";

/// Requested execution dates; instruction `i` uses `DATES[i % 5]`, so files have 5 blocks.
pub const DATES: [&str; 5] = [
    "2026-11-23",
    "2026-11-24",
    "2026-11-25",
    "2026-11-26",
    "2026-11-27",
];

pub fn created_at() -> jiff::Timestamp {
    CREATED_AT
        .parse()
        .expect("CREATED_AT is an RFC 3339 instant")
}

/// The example configuration; the benchmark pays from its `acme-eur` account.
pub fn config() -> Config {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/bankgate.toml");
    bankgate::config::load_with_env(&path, Default::default()).expect("fixtures/bankgate.toml")
}

/// SplitMix64: a tiny deterministic generator, so every run renders the same bytes.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Self(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }

    fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + self.below(10) as u8))
            .collect()
    }
}

/// An IBAN with correct ISO 7064 MOD 97-10 check digits for `country` + `bban`.
pub fn iban(country: &str, bban: &str) -> String {
    let mut remainder: u32 = 0;
    let rearranged = bban.bytes().chain(country.bytes()).chain(*b"00");
    for b in rearranged {
        let value = match b {
            b'0'..=b'9' => u32::from(b - b'0'),
            b'A'..=b'Z' => u32::from(b - b'A') + 10,
            _ => panic!("IBAN characters are A-Z and 0-9, got {:?}", char::from(b)),
        };
        remainder = if value >= 10 {
            (remainder * 100 + value) % 97
        } else {
            (remainder * 10 + value) % 97
        };
    }
    format!("{country}{:02}{bban}", 98 - remainder)
}

/// A varied, valid IBAN from one of eight SEPA countries.
fn random_iban(rng: &mut Rng) -> String {
    match rng.below(8) {
        0 => iban("DE", &rng.digits(18)),
        1 => iban("FR", &rng.digits(23)),
        2 => iban("NL", &format!("{}{}", rng.pick(&NL_BANKS), rng.digits(10))),
        3 => iban("AT", &rng.digits(16)),
        4 => iban("ES", &rng.digits(20)),
        5 => iban("BE", &rng.digits(12)),
        6 => iban("FI", &rng.digits(14)),
        _ => iban("IE", &format!("{}{}", rng.pick(&IE_BANKS), rng.digits(14))),
    }
}

const NL_BANKS: [&str; 4] = ["ABNA", "INGB", "RABO", "SNSB"];
const IE_BANKS: [&str; 3] = ["AIBK", "BOFI", "IPBS"];
const FIRST: [&str; 12] = [
    "Anna", "Lukas", "Marie", "Jan", "Sophie", "Pieter", "Elena", "Mateo", "Aino", "Liam", "Chloe",
    "Jonas",
];
const LAST: [&str; 12] = [
    "Schmidt", "Dupont", "de Vries", "Gruber", "Garcia", "Peeters", "Virtanen", "Murphy", "Moreau",
    "Bakker", "Huber", "Lopez",
];
const COMPANY: [&str; 8] = [
    "Muster",
    "Nordlicht",
    "Alpen",
    "Rivage",
    "Polder",
    "Sierra",
    "Kivi",
    "Shamrock",
];
const FORM: [&str; 6] = ["GmbH", "SARL", "B.V.", "S.L.", "Oy", "Ltd"];
const STREETS: [&str; 8] = [
    "Hauptstrasse",
    "Rue de la Paix",
    "Keizersgracht",
    "Mariahilfer Strasse",
    "Calle Mayor",
    "Rue Neuve",
    "Mannerheimintie",
    "Grafton Street",
];
/// Town and country of the address; the country matches no IBAN on purpose some of the
/// time (people live abroad), which neither writer cares about.
const TOWNS: [(&str, &str); 8] = [
    ("Berlin", "DE"),
    ("Paris", "FR"),
    ("Amsterdam", "NL"),
    ("Wien", "AT"),
    ("Madrid", "ES"),
    ("Bruxelles", "BE"),
    ("Helsinki", "FI"),
    ("Dublin", "IE"),
];
const REFERENCE: [&str; 5] = ["Invoice", "Rechnung", "Facture", "Factuur", "Refund order"];

/// Instruction `i` of the benchmark set, as instruction-file JSON.
pub fn instruction_json(i: usize) -> Value {
    let mut rng = Rng::new(0x5EED_0000 ^ i as u64);
    let name = if rng.below(3) == 0 {
        format!(
            "{} {} {}",
            rng.pick(&COMPANY),
            rng.pick(&LAST),
            rng.pick(&FORM)
        )
    } else {
        format!("{} {}", rng.pick(&FIRST), rng.pick(&LAST))
    };
    let cents = 1 + rng.below(2_500_000); // 0.01 .. 25,000.00 EUR
    let customer_digits = 1 + rng.below(12) as usize;
    let reference = format!(
        "{} {}-{:06} customer {}",
        rng.pick(&REFERENCE),
        2026,
        i,
        rng.digits(customer_digits)
    );
    let mut counterparty = json!({
        "name": name,
        "account": {"type": "IBAN", "number": random_iban(&mut rng)},
    });
    if rng.below(5) < 3 {
        let (town, country) = TOWNS[rng.below(TOWNS.len() as u64) as usize];
        counterparty["address"] = json!({
            "country": country,
            "town": town,
            "postal_code": rng.digits(5),
            "street": rng.pick(&STREETS),
            "building_number": (1 + rng.below(250)).to_string(),
        });
    }
    json!({
        "type": "credit_transfer",
        "id": format!("pay-2026-{i:07}"),
        "source_account": "acme-eur",
        "scheme": "SEPA_CREDIT_TRANSFER",
        "amount": format!("{}.{:02}", cents / 100, cents % 100),
        "currency": "EUR",
        "requested_date": DATES[i % DATES.len()],
        "reference": reference,
        "counterparty": counterparty,
    })
}

/// `n` instructions as one JSON instruction file (an array), the way users send them.
pub fn instruction_file(n: usize) -> Vec<u8> {
    let records: Vec<Value> = (0..n).map(instruction_json).collect();
    serde_json::to_vec(&Value::Array(records)).expect("JSON serialises")
}

/// `n` instructions read through intake from one JSON file (`intake::read_file`).
pub fn instructions_from_file(config: &Config, n: usize) -> Vec<Instruction> {
    let bytes = instruction_file(n);
    let limits = Limits {
        max_file_bytes: usize::MAX,
        max_instructions: usize::MAX,
    };
    let report = read_file(
        "bench.json",
        &bytes,
        &AccountBook::from_config(config),
        limits,
    );
    let diagnostics = report.diagnostics();
    assert!(
        diagnostics.is_empty(),
        "benchmark data must be valid: {:?}",
        &diagnostics[..diagnostics.len().min(5)]
    );
    report.instructions().cloned().collect()
}

/// `n` instructions read one record at a time (`intake::instruction::read_record`), so
/// nothing but the instructions themselves stays in memory.
pub fn instructions_by_record(config: &Config, n: usize) -> Vec<Instruction> {
    let book = AccountBook::from_config(config);
    let mut instructions = Vec::with_capacity(n);
    for i in 0..n {
        let record = read_record(&instruction_json(i), &book);
        match record.outcome {
            Ok(instruction) => instructions.push(instruction),
            Err(problems) => panic!("benchmark instruction {i} is invalid: {problems:?}"),
        }
    }
    instructions
}
