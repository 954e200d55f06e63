//! Test-only reader for real ISO 20022 pain.001 (credit transfer initiation) and pain.008
//! (direct debit initiation) sample files. It turns a file's transactions into bankgate
//! instruction records (the JSON of README "Instruction files"), the own accounts they
//! use into a configuration, and lists every text of the file it could not carry.
//!
//! Any version is read: pain.001.001.03/.09, Swiss `.ch.02`, German DK `.003.xx`,
//! pain.008.001.02/.08, Swiss `.ch.03`. Elements are matched by local name (namespace
//! and prefixes ignored); the message is told by its root element, `CstmrCdtTrfInitn` or
//! `CstmrDrctDbtInitn`.
//!
//! The reader maps, it does not judge: values go into records as the file has them
//! (amounts as the exact text), and bankgate's intake decides. Where the file lacks
//! something the format requires (a creditor name, an address country, an amount
//! other than an equivalent amount), the field is left out and intake refuses it.
//!
//! Mapping (pain.001, one `credit_transfer` per `CdtTrfTxInf`):
//! * `id`: `EndToEndId`; when missing or `NOTPROVIDED`, `InstrId`; else `sample-tx-<n>`.
//! * `source_account`: the own account of `DbtrAcct` (see [`SampleAccount`]).
//! * `scheme`: from `PmtTpInf` (transaction level first, then payment information):
//!   `SvcLvl/Cd` SEPA + `LclInstrm/Cd` INST: SEPA_INSTANT_CREDIT_TRANSFER; SEPA:
//!   SEPA_CREDIT_TRANSFER; no service level, EUR and a creditor IBAN:
//!   SEPA_CREDIT_TRANSFER; anything else (URGP, NURG, Swiss CH01/CH02...): CROSS_BORDER.
//! * `amount`, `currency`: `InstdAmt` and its `Ccy`. An `EqvtAmt` (amount in the
//!   debtor's currency, converted) cannot be expressed: only `currency` = `CcyOfTrf`.
//! * `requested_date`: `ReqdExctnDt` or `ReqdExctnDt/Dt`; of a `DtTm` the date part
//!   (the time is listed as skipped).
//! * `reference`: the first `Ustrd`; else a `CdtrRefInf/Ref` starting with `RF` as
//!   `{"structured": ...}`. Other structured references are skipped.
//! * `counterparty`: `Cdtr/Nm`; `address` from `Ctry TwnNm PstCd StrtNm BldgNb` when one
//!   is present (`AdrLine`, `CtrySubDvsn`, `Flr`... skipped; an `AdrLine`-only address
//!   gives no address); `account` IBAN, or `Othr/Id` as NUMBER with the country of the
//!   creditor address, else of the creditor agent's BIC; `routing`: `BIC`/`BICFI` of
//!   `CdtrAgt`, and `ClrSysMmbId` whose `ClrSysId/Cd` is the ISO code of a bankgate
//!   routing type (`RoutingKind::iso_clearing_system`, e.g. USABA: US_ABA).
//!
//! Mapping (pain.008): one `mandate` per distinct `MndtId` (`signed_on` = `DtOfSgntr`,
//! `active` = true since the file collects under it, `debtor` read like a counterparty
//! from `Dbtr`/`DbtrAcct`/`DbtrAgt`, `scheme` from `LclInstrm/Cd` CORE or B2B), then one
//! `direct_debit` per `DrctDbtTxInf` (`id`, `amount`, `currency`, `requested_date` =
//! `ReqdColltnDt`, `mandate`, `reference` as above). A later transaction whose mandate
//! data differs from the first keeps its differing fields in `skipped`.
//!
//! Own accounts: one per distinct `DbtrAcct` (pain.001) / `CdtrAcct` (pain.008) IBAN,
//! with `Dbtr/Nm` (`Cdtr/Nm`), the agent's BIC, the account `Ccy` or else the first
//! transaction's currency, and for pain.008 the creditor identifier
//! (`CdtrSchmeId/Id/PrvtId/Othr/Id`). Values of later payment information blocks that
//! differ from the first are skipped.
//!
//! Every leaf text and attribute value that no record or account carries is listed in
//! [`SampleFile::skipped`] as `path=value` (path below the root element, `[n]` for
//! repeated siblings). `PmtMtd` TRF/DD, `ChrgBr` SLEV under a SEPA scheme, `SchmeNm`
//! SEPA/BBAN, `AmdmntInd` false, the `SCOR` type of an RF reference and `NbOfTxs` and
//! `CtrlSum` that agree with the transactions count as carried (a renderer regenerates
//! them); everything else (message ids, timestamps, initiating party, UETR, purpose,
//! ultimate parties, sequence type...) is listed.

// Each test crate that declares `mod support;` uses only part of this module.
#![allow(dead_code)]

use std::cell::Cell;
use std::fmt::Write as _;
use std::path::PathBuf;

use bankgate::domain::account::RoutingKind;
use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};
use rust_decimal::Decimal;
use serde_json::{Map, Value, json};

/// The kind of initiation message, told by the root element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageKind {
    /// pain.001, `CstmrCdtTrfInitn`.
    CreditTransfer,
    /// pain.008, `CstmrDrctDbtInitn`.
    DirectDebit,
}

/// One of the file's own accounts (debtor account of pain.001, creditor account of
/// pain.008), to be configured as an `[[accounts]]` table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleAccount {
    /// Synthesised: `acct-1`, `acct-2`, ... in file order.
    pub id: String,
    pub name: Option<String>,
    pub iban: Option<String>,
    pub bic: Option<String>,
    pub currency: Option<String>,
    /// pain.008 only: `CdtrSchmeId/Id/PrvtId/Othr/Id`.
    pub creditor_id: Option<String>,
}

/// One transaction of the file, as found (before any mapping).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleTransaction {
    pub payment_information: Option<String>,
    pub end_to_end_id: Option<String>,
    pub instruction_id: Option<String>,
    /// `InstdAmt` text (or `EqvtAmt/Amt` text), exactly as in the file.
    pub amount: Option<String>,
    /// The `Ccy` of that amount.
    pub currency: Option<String>,
    /// The `id` of the own account.
    pub account: String,
    /// Index of the transaction's `credit_transfer` / `direct_debit` in `records`.
    pub record: usize,
}

/// What [`read_sample`] makes of one file.
#[derive(Debug, Clone, PartialEq)]
pub struct SampleFile {
    pub kind: MessageKind,
    pub accounts: Vec<SampleAccount>,
    pub transactions: Vec<SampleTransaction>,
    /// Instruction records in bankgate's JSON format; for pain.008 the mandates first.
    pub records: Vec<Value>,
    /// Texts of the file no record or account carries, `path=value`.
    pub skipped: Vec<String>,
}

impl SampleFile {
    /// The records as NDJSON, one per line.
    pub fn ndjson(&self) -> String {
        self.records.iter().map(|r| format!("{r}\n")).collect()
    }

    /// The configuration of the own accounts, see [`config_toml`].
    pub fn config_toml(&self) -> String {
        config_toml(&self.accounts)
    }

    /// The distinct paths of [`SampleFile::skipped`], without `[n]` and values, sorted.
    pub fn skipped_paths(&self) -> Vec<String> {
        let mut paths: Vec<String> = self
            .skipped
            .iter()
            .map(|s| {
                let path = s.split_once('=').map_or(s.as_str(), |(p, _)| p);
                let mut out = String::new();
                let mut in_index = false;
                for ch in path.chars() {
                    match ch {
                        '[' => in_index = true,
                        ']' => in_index = false,
                        _ if !in_index => out.push(ch),
                        _ => {}
                    }
                }
                out
            })
            .collect();
        paths.sort();
        paths.dedup();
        paths
    }
}

/// bankgate configuration text (`[[accounts]]` tables, `connection = "sample"`) for the
/// accounts; missing values are left out, so the configuration refuses them.
pub fn config_toml(accounts: &[SampleAccount]) -> String {
    let mut out = String::new();
    for a in accounts {
        // A JSON string literal is a valid TOML basic string.
        let quote = |s: &str| Value::String(s.to_owned()).to_string();
        let _ = writeln!(out, "[[accounts]]\nid = {}", quote(&a.id));
        for (key, value) in [
            ("name", &a.name),
            ("iban", &a.iban),
            ("bic", &a.bic),
            ("currency", &a.currency),
        ] {
            if let Some(value) = value {
                let _ = writeln!(out, "{key} = {}", quote(value));
            }
        }
        let _ = writeln!(out, "connection = \"sample\"");
        if let Some(id) = &a.creditor_id {
            let _ = writeln!(out, "creditor_id = {}", quote(id));
        }
        out.push('\n');
    }
    out
}

/// The shared reference directory: `$BANKGATE_SHARED`, else `../shared` next to the
/// crate. Panics when it does not exist: a missing prerequisite is a failure, in CI
/// (`CI=true`) and locally alike, never a silent skip.
pub fn shared_dir() -> PathBuf {
    let dir = std::env::var_os("BANKGATE_SHARED").map_or_else(
        || PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared")),
        PathBuf::from,
    );
    if !dir.is_dir() {
        let ci = std::env::var("CI").is_ok_and(|v| v == "true");
        panic!(
            "the shared reference directory {} does not exist{}: set BANKGATE_SHARED to the \
             directory holding iso20022/samples (scripts/test.sh sets it to ../shared)",
            dir.display(),
            if ci { " (CI=true)" } else { "" },
        );
    }
    dir
}

/// The `.xml` files of `$BANKGATE_SHARED/iso20022/samples/<message>` (e.g. `pain.001`),
/// sorted by name. Panics when the directory is missing or holds none.
pub fn sample_files(message: &str) -> Vec<PathBuf> {
    let dir = shared_dir().join("iso20022/samples").join(message);
    let entries = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list the samples in {}: {e}", dir.display()));
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no .xml samples in {}", dir.display());
    files
}

/// Reads a pain.001 or pain.008 file (UTF-8, a leading BOM is ignored).
pub fn read_sample(xml: &str) -> Result<SampleFile, String> {
    let document = parse(xml)?;
    if document.name != "Document" {
        return Err(format!("root element {}, expected Document", document.name));
    }
    let root = document
        .elements()
        .next()
        .ok_or("Document holds no message")?;
    let kind = match root.name.as_str() {
        "CstmrCdtTrfInitn" => MessageKind::CreditTransfer,
        "CstmrDrctDbtInitn" => MessageKind::DirectDebit,
        other => return Err(format!("message {other} is neither pain.001 nor pain.008")),
    };
    let mut reading = Reading::default();
    let (tx_tag, amounts): (&str, &[&[&str]]) = match kind {
        MessageKind::CreditTransfer => {
            for pmt in root.all("PmtInf") {
                reading.credit_transfers(pmt);
            }
            (
                "CdtTrfTxInf",
                &[&["Amt", "InstdAmt"], &["Amt", "EqvtAmt", "Amt"]],
            )
        }
        MessageKind::DirectDebit => {
            for pmt in root.all("PmtInf") {
                reading.direct_debits(pmt);
            }
            ("DrctDbtTxInf", &[&["InstdAmt"]])
        }
    };
    check_totals(root, tx_tag, amounts);
    let mut skipped = Vec::new();
    collect_skipped(root, "", &mut skipped);
    let offset = reading.mandates.len();
    let mut transactions = reading.transactions;
    for t in &mut transactions {
        t.record += offset;
    }
    let mut records = reading.mandates;
    records.extend(reading.payments);
    Ok(SampleFile {
        kind,
        accounts: reading.accounts,
        transactions,
        records,
        skipped,
    })
}

// ---------------------------------------------------------------------------------
// Reading

#[derive(Default)]
struct Reading {
    accounts: Vec<SampleAccount>,
    transactions: Vec<SampleTransaction>,
    mandates: Vec<Value>,
    payments: Vec<Value>,
}

/// Which elements name the own account of a payment information block.
struct OwnSide {
    party: &'static str,
    account: &'static str,
    agent: &'static str,
}

impl Reading {
    fn credit_transfers(&mut self, pmt: &Node) {
        let mut c = Claims::default();
        c.take_eq(pmt, &["PmtMtd"], Some("TRF"));
        let date = requested_date(pmt, "ReqdExctnDt", &mut c);
        c.commit();
        let first_currency = pmt.all("CdtTrfTxInf").find_map(|tx| {
            tx.peek(&["Amt", "InstdAmt", "@Ccy"])
                .or_else(|| tx.peek(&["Amt", "EqvtAmt", "Amt", "@Ccy"]))
        });
        let side = OwnSide {
            party: "Dbtr",
            account: "DbtrAcct",
            agent: "DbtrAgt",
        };
        let account = self.own_account(pmt, &side, first_currency, false);
        for tx in pmt.all("CdtTrfTxInf") {
            self.credit_transfer(pmt, tx, &account, date.as_deref());
        }
    }

    fn credit_transfer<'a>(
        &mut self,
        pmt: &'a Node,
        tx: &'a Node,
        account: &str,
        date: Option<&str>,
    ) {
        let mut c = Claims::default();
        let id = self.transaction_id(tx, &mut c);
        let (amount, currency) = if tx.at(&["Amt", "InstdAmt"]).is_some() {
            (
                c.take(tx, &["Amt", "InstdAmt"]),
                c.take(tx, &["Amt", "InstdAmt", "@Ccy"]),
            )
        } else {
            (None, c.take(tx, &["Amt", "EqvtAmt", "CcyOfTrf"]))
        };
        let svc = payment_type(pmt, tx, "SvcLvl");
        let local = payment_type(pmt, tx, "LclInstrm");
        let creditor_iban = tx.peek(&["CdtrAcct", "Id", "IBAN"]).is_some();
        let scheme = match (text_of(svc), text_of(local)) {
            (Some("SEPA"), Some("INST")) => {
                c.claim_all([svc, local]);
                "SEPA_INSTANT_CREDIT_TRANSFER"
            }
            (Some("SEPA"), _) => {
                c.claim_all([svc]);
                "SEPA_CREDIT_TRANSFER"
            }
            (None, _) if currency.as_deref() == Some("EUR") && creditor_iban => {
                "SEPA_CREDIT_TRANSFER"
            }
            _ => "CROSS_BORDER",
        };
        if scheme.starts_with("SEPA") {
            claim_slev(pmt, tx, &mut c);
        }
        let reference = reference(tx, &mut c);
        let counterparty = party(tx, "Cdtr", "CdtrAcct", "CdtrAgt", &mut c);

        let mut r = Map::new();
        r.insert("type".into(), json!("credit_transfer"));
        r.insert("id".into(), json!(id));
        r.insert("source_account".into(), json!(account));
        r.insert("scheme".into(), json!(scheme));
        insert_opt(&mut r, "amount", amount.clone());
        insert_opt(&mut r, "currency", currency.clone());
        insert_opt(&mut r, "requested_date", date.map(str::to_owned));
        if let Some(reference) = reference {
            r.insert("reference".into(), reference);
        }
        r.insert("counterparty".into(), counterparty);
        c.commit();
        self.push_payment(pmt, tx, account, Value::Object(r));
    }

    fn direct_debits(&mut self, pmt: &Node) {
        let mut c = Claims::default();
        c.take_eq(pmt, &["PmtMtd"], Some("DD"));
        let date = requested_date(pmt, "ReqdColltnDt", &mut c);
        c.commit();
        let first_currency = pmt
            .all("DrctDbtTxInf")
            .find_map(|tx| tx.peek(&["InstdAmt", "@Ccy"]));
        let side = OwnSide {
            party: "Cdtr",
            account: "CdtrAcct",
            agent: "CdtrAgt",
        };
        let account = self.own_account(pmt, &side, first_currency, true);
        for tx in pmt.all("DrctDbtTxInf") {
            self.direct_debit(pmt, tx, &account, date.as_deref());
        }
    }

    fn direct_debit<'a>(&mut self, pmt: &'a Node, tx: &'a Node, account: &str, date: Option<&str>) {
        let mut c = Claims::default();
        let id = self.transaction_id(tx, &mut c);
        let amount = c.take(tx, &["InstdAmt"]);
        let currency = c.take(tx, &["InstdAmt", "@Ccy"]);
        let svc = payment_type(pmt, tx, "SvcLvl");
        let local = payment_type(pmt, tx, "LclInstrm");
        let scheme = match text_of(local) {
            Some("CORE") => Some("SEPA_DIRECT_DEBIT_CORE"),
            Some("B2B") => Some("SEPA_DIRECT_DEBIT_B2B"),
            _ => None,
        };
        if scheme.is_some() {
            c.claim_all([local]);
            if text_of(svc) == Some("SEPA") {
                c.claim_all([svc]);
            }
            claim_slev(pmt, tx, &mut c);
        }
        let mandate_path = ["DrctDbtTx", "MndtRltdInf", "MndtId"];
        let mandate = c.take(tx, &mandate_path);
        if let Some(mandate_id) = &mandate {
            self.mandate(tx, mandate_id, scheme, account);
        }
        let reference = reference(tx, &mut c);

        let mut r = Map::new();
        r.insert("type".into(), json!("direct_debit"));
        r.insert("id".into(), json!(id));
        r.insert("source_account".into(), json!(account));
        insert_opt(&mut r, "scheme", scheme.map(str::to_owned));
        insert_opt(&mut r, "amount", amount);
        insert_opt(&mut r, "currency", currency);
        insert_opt(&mut r, "requested_date", date.map(str::to_owned));
        insert_opt(&mut r, "mandate", mandate);
        if let Some(reference) = reference {
            r.insert("reference".into(), reference);
        }
        c.commit();
        self.push_payment(pmt, tx, account, Value::Object(r));
    }

    /// Adds the mandate of a direct debit transaction unless one with its id exists.
    fn mandate(&mut self, tx: &Node, id: &str, scheme: Option<&str>, account: &str) {
        let mut c = Claims::default();
        let info = ["DrctDbtTx", "MndtRltdInf"];
        let signed_on = tx
            .at(&info)
            .and_then(|i| c.take(i, &["DtOfSgntr"]))
            .map(|d| d.chars().take(10).collect::<String>());
        if let Some(i) = tx.at(&info) {
            c.take_eq(i, &["AmdmntInd"], Some("false"));
        }
        let debtor = party(tx, "Dbtr", "DbtrAcct", "DbtrAgt", &mut c);
        let mut m = Map::new();
        m.insert("type".into(), json!("mandate"));
        m.insert("id".into(), json!(id));
        insert_opt(&mut m, "scheme", scheme.map(str::to_owned));
        m.insert("creditor_account".into(), json!(account));
        insert_opt(&mut m, "signed_on", signed_on);
        m.insert("active".into(), json!(true));
        m.insert("debtor".into(), debtor);
        let m = Value::Object(m);
        match self.mandates.iter().find(|x| x["id"] == id) {
            None => {
                self.mandates.push(m);
                c.commit();
            }
            Some(existing) if *existing == m => c.commit(),
            // Different data under the same mandate: the differences stay skipped.
            Some(_) => {}
        }
    }

    fn transaction_id<'a>(&self, tx: &'a Node, c: &mut Claims<'a>) -> String {
        let end_to_end = ["PmtId", "EndToEndId"];
        let instruction = ["PmtId", "InstrId"];
        match (tx.peek(&end_to_end), tx.peek(&instruction)) {
            (Some(e2e), _) if e2e != "NOTPROVIDED" => {
                c.take(tx, &end_to_end);
                c.take_eq(tx, &instruction, Some(e2e));
                e2e.to_owned()
            }
            (_, Some(instr)) => {
                c.take(tx, &instruction);
                instr.to_owned()
            }
            (_, None) => format!("sample-tx-{}", self.transactions.len() + 1),
        }
    }

    fn push_payment(&mut self, pmt: &Node, tx: &Node, account: &str, record: Value) {
        let amount = tx
            .peek(&["Amt", "InstdAmt"])
            .or_else(|| tx.peek(&["Amt", "EqvtAmt", "Amt"]))
            .or_else(|| tx.peek(&["InstdAmt"]));
        let currency = tx
            .peek(&["Amt", "InstdAmt", "@Ccy"])
            .or_else(|| tx.peek(&["Amt", "EqvtAmt", "Amt", "@Ccy"]))
            .or_else(|| tx.peek(&["InstdAmt", "@Ccy"]));
        self.transactions.push(SampleTransaction {
            payment_information: pmt.peek(&["PmtInfId"]).map(str::to_owned),
            end_to_end_id: tx.peek(&["PmtId", "EndToEndId"]).map(str::to_owned),
            instruction_id: tx.peek(&["PmtId", "InstrId"]).map(str::to_owned),
            amount: amount.map(str::to_owned),
            currency: currency.map(str::to_owned),
            account: account.to_owned(),
            record: self.payments.len(),
        });
        self.payments.push(record);
    }

    /// The id of the own account of a payment information block, added on first sight.
    fn own_account(
        &mut self,
        pmt: &Node,
        side: &OwnSide,
        first_currency: Option<&str>,
        collecting: bool,
    ) -> String {
        let mut c = Claims::default();
        let iban_path = [side.account, "Id", "IBAN"];
        let name_path = [side.party, "Nm"];
        let currency_path = [side.account, "Ccy"];
        let bic_path = |tag| [side.agent, "FinInstnId", tag];
        let bic_tag = if pmt.peek(&bic_path("BIC")).is_some() {
            "BIC"
        } else {
            "BICFI"
        };
        let scheme_id = ["CdtrSchmeId", "Id", "PrvtId", "Othr"];
        let iban = pmt.peek(&iban_path);
        let existing = iban.and_then(|iban| {
            self.accounts
                .iter()
                .find(|a| a.iban.as_deref() == Some(iban))
        });
        let id = if let Some(a) = existing {
            c.take(pmt, &iban_path);
            c.take_eq(pmt, &name_path, a.name.as_deref());
            c.take_eq(pmt, &bic_path(bic_tag), a.bic.as_deref());
            c.take_eq(pmt, &currency_path, a.currency.as_deref());
            if collecting
                && let Some(othr) = pmt.at(&scheme_id)
                && c.take_eq(othr, &["Id"], a.creditor_id.as_deref())
            {
                claim_sepa_scheme_name(othr, &mut c);
            }
            a.id.clone()
        } else {
            let id = format!("acct-{}", self.accounts.len() + 1);
            let creditor_id = pmt.at(&scheme_id).filter(|_| collecting).and_then(|othr| {
                let id = c.take(othr, &["Id"]);
                claim_sepa_scheme_name(othr, &mut c);
                id
            });
            self.accounts.push(SampleAccount {
                id: id.clone(),
                name: c.take(pmt, &name_path),
                iban: c.take(pmt, &iban_path),
                bic: c.take(pmt, &bic_path(bic_tag)),
                currency: c
                    .take(pmt, &currency_path)
                    .or_else(|| first_currency.map(str::to_owned)),
                creditor_id,
            });
            id
        };
        c.commit();
        id
    }
}

fn claim_sepa_scheme_name<'a>(othr: &'a Node, c: &mut Claims<'a>) {
    for tag in ["Cd", "Prtry"] {
        c.take_eq(othr, &["SchmeNm", tag], Some("SEPA"));
    }
}

/// `ChrgBr` SLEV (transaction or payment information level) is implied by SEPA schemes.
fn claim_slev<'a>(pmt: &'a Node, tx: &'a Node, c: &mut Claims<'a>) {
    for owner in [tx, pmt] {
        c.take_eq(owner, &["ChrgBr"], Some("SLEV"));
    }
}

/// The `Cd` or `Prtry` leaf of `PmtTpInf/<element>`, transaction level first.
fn payment_type<'a>(pmt: &'a Node, tx: &'a Node, element: &str) -> Option<&'a Node> {
    [tx, pmt].into_iter().find_map(|owner| {
        let e = owner.at(&["PmtTpInf", element])?;
        e.child("Cd").or_else(|| e.child("Prtry"))
    })
}

fn text_of(node: Option<&Node>) -> Option<&str> {
    node.map(|n| n.text.as_str())
}

fn requested_date<'a>(pmt: &'a Node, tag: &str, c: &mut Claims<'a>) -> Option<String> {
    let date = pmt.child(tag)?;
    if date.is_leaf() {
        c.claim(date);
        Some(date.text.clone())
    } else if let Some(d) = c.take(date, &["Dt"]) {
        Some(d)
    } else {
        // A date and time: the date part is carried, the element as a whole is not.
        date.peek(&["DtTm"]).map(|t| t.chars().take(10).collect())
    }
}

fn reference<'a>(tx: &'a Node, c: &mut Claims<'a>) -> Option<Value> {
    let remittance = tx.child("RmtInf")?;
    if let Some(text) = c.take(remittance, &["Ustrd"]) {
        return Some(Value::String(text));
    }
    remittance.all("Strd").find_map(|s| {
        let reference = s.peek(&["CdtrRefInf", "Ref"])?;
        if !reference.starts_with("RF") {
            return None;
        }
        c.take(s, &["CdtrRefInf", "Ref"]);
        c.take_eq(s, &["CdtrRefInf", "Tp", "CdOrPrtry", "Cd"], Some("SCOR"));
        Some(json!({ "structured": reference }))
    })
}

/// A counterparty (pain.001 creditor) or mandate debtor.
fn party<'a>(tx: &'a Node, party: &str, account: &str, agent: &str, c: &mut Claims<'a>) -> Value {
    let mut p = Map::new();
    let who = tx.child(party);
    insert_opt(&mut p, "name", who.and_then(|w| c.take(w, &["Nm"])));
    let address = who.and_then(|w| w.child("PstlAdr"));
    if let Some(address) = address {
        let mut a = Map::new();
        for (tag, key) in [
            ("Ctry", "country"),
            ("TwnNm", "town"),
            ("PstCd", "postal_code"),
            ("StrtNm", "street"),
            ("BldgNb", "building_number"),
        ] {
            insert_opt(&mut a, key, c.take(address, &[tag]));
        }
        if !a.is_empty() {
            p.insert("address".into(), Value::Object(a));
        }
    }
    let institution = tx.at(&[agent, "FinInstnId"]);
    let bic = institution.and_then(|i| i.child("BIC").or_else(|| i.child("BICFI")));
    if let Some(iban) = c.take(tx, &[account, "Id", "IBAN"]) {
        p.insert("account".into(), json!({"type": "IBAN", "number": iban}));
    } else if let Some(number) = c.take(tx, &[account, "Id", "Othr", "Id"]) {
        c.take_eq(tx, &[account, "Id", "Othr", "SchmeNm", "Cd"], Some("BBAN"));
        let country = address
            .and_then(|a| a.peek(&["Ctry"]))
            .or_else(|| bic.and_then(|b| b.text.get(4..6)));
        let mut a = Map::new();
        a.insert("type".into(), json!("NUMBER"));
        a.insert("number".into(), json!(number));
        insert_opt(&mut a, "country", country.map(str::to_owned));
        p.insert("account".into(), Value::Object(a));
    }
    let mut routing = Vec::new();
    if let Some(bic) = bic {
        c.claim(bic);
        routing.push(json!({"type": "BIC", "value": bic.text}));
    }
    if let Some(member) = institution.and_then(|i| i.child("ClrSysMmbId")) {
        let kind = member.peek(&["ClrSysId", "Cd"]).and_then(|code| {
            RoutingKind::ALL
                .iter()
                .find(|k| k.iso_clearing_system() == Some(code))
        });
        if let (Some(kind), Some(value)) = (kind, member.peek(&["MmbId"])) {
            c.take(member, &["ClrSysId", "Cd"]);
            c.take(member, &["MmbId"]);
            routing.push(json!({"type": kind.as_str(), "value": value}));
        }
    }
    if !routing.is_empty() {
        p.insert("routing".into(), Value::Array(routing));
    }
    Value::Object(p)
}

fn insert_opt(map: &mut Map<String, Value>, key: &str, value: Option<String>) {
    if let Some(value) = value {
        map.insert(key.to_owned(), Value::String(value));
    }
}

/// Claims `NbOfTxs` and `CtrlSum` of the group header and of each payment information
/// block when they agree with the transactions (a renderer recomputes them).
fn check_totals(root: &Node, tx_tag: &str, amounts: &[&[&str]]) {
    let amount = |tx: &Node| {
        amounts
            .iter()
            .find_map(|path| tx.peek(path))
            .and_then(|text| text.parse::<Decimal>().ok())
    };
    let check = |header: &Node, txs: &[&Node]| {
        if let Some(n) = header.child("NbOfTxs")
            && n.text.parse() == Ok(txs.len())
        {
            n.used.set(true);
        }
        let sum: Option<Decimal> = txs.iter().map(|tx| amount(tx)).sum();
        if let Some(total) = header.child("CtrlSum")
            && sum.is_some()
            && total.text.parse::<Decimal>().ok() == sum
        {
            total.used.set(true);
        }
    };
    let mut all = Vec::new();
    for pmt in root.all("PmtInf") {
        let txs: Vec<&Node> = pmt.all(tx_tag).collect();
        check(pmt, &txs);
        all.extend(txs);
    }
    if let Some(header) = root.child("GrpHdr") {
        check(header, &all);
    }
}

/// Lists every leaf text and attribute value below `node` that nothing claimed.
fn collect_skipped(node: &Node, path: &str, out: &mut Vec<String>) {
    for (index, child) in node.children.iter().enumerate() {
        let same = node
            .children
            .iter()
            .filter(|c| c.name == child.name)
            .count();
        let mut child_path = if path.is_empty() {
            child.name.clone()
        } else {
            format!("{path}/{}", child.name)
        };
        if same > 1 {
            let nth = node.children[..=index]
                .iter()
                .filter(|c| c.name == child.name)
                .count();
            let _ = write!(child_path, "[{nth}]");
        }
        if child.is_leaf() && !child.used.get() && !child.text.trim().is_empty() {
            out.push(format!("{child_path}={}", child.text));
        }
        collect_skipped(child, &child_path, out);
    }
}

// ---------------------------------------------------------------------------------
// A small element tree built from quick-xml events

/// An element (local name) or an attribute (`@name`, stored as a child of its element).
#[derive(Debug)]
struct Node {
    name: String,
    /// The text content; meaningful for leaves only.
    text: String,
    children: Vec<Node>,
    /// Carried by a record or account, or checked: not listed as skipped.
    used: Cell<bool>,
}

impl Node {
    fn new(name: String) -> Self {
        Self {
            name,
            text: String::new(),
            children: Vec::new(),
            used: Cell::new(false),
        }
    }

    fn is_leaf(&self) -> bool {
        self.elements().next().is_none()
    }

    fn elements(&self) -> impl Iterator<Item = &Node> {
        self.children.iter().filter(|c| !c.name.starts_with('@'))
    }

    fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    fn at(&self, path: &[&str]) -> Option<&Node> {
        path.iter().try_fold(self, |node, name| node.child(name))
    }

    /// The text of the leaf at `path`, without claiming it.
    fn peek(&self, path: &[&str]) -> Option<&str> {
        self.at(path)
            .filter(|n| n.is_leaf())
            .map(|n| n.text.as_str())
    }
}

/// Leaves a record is built from; marked used only on [`Claims::commit`], so a record
/// that is dropped (a repeated mandate with other data) leaves its texts skipped.
#[derive(Default)]
struct Claims<'a>(Vec<&'a Node>);

impl<'a> Claims<'a> {
    fn claim(&mut self, node: &'a Node) {
        self.0.push(node);
    }

    fn claim_all<const N: usize>(&mut self, nodes: [Option<&'a Node>; N]) {
        self.0.extend(nodes.into_iter().flatten());
    }

    /// The text of the leaf at `path`, claimed.
    fn take(&mut self, node: &'a Node, path: &[&str]) -> Option<String> {
        let leaf = node.at(path).filter(|n| n.is_leaf())?;
        self.0.push(leaf);
        Some(leaf.text.clone())
    }

    /// Claims the leaf at `path` when its text is `expected` (carried some other way).
    fn take_eq(&mut self, node: &'a Node, path: &[&str], expected: Option<&str>) -> bool {
        match node.at(path) {
            Some(leaf) if leaf.is_leaf() && Some(leaf.text.as_str()) == expected => {
                self.0.push(leaf);
                true
            }
            _ => false,
        }
    }

    fn commit(self) {
        for node in self.0 {
            node.used.set(true);
        }
    }
}

fn parse(xml: &str) -> Result<Node, String> {
    let xml = xml.strip_prefix('\u{feff}').unwrap_or(xml);
    let mut reader = Reader::from_str(xml);
    let mut stack = vec![Node::new(String::new())];
    loop {
        let event = reader.read_event().map_err(|e| {
            format!(
                "not well-formed XML at byte {}: {e}",
                reader.error_position()
            )
        })?;
        let top = stack.last_mut().ok_or("unbalanced elements")?;
        match event {
            Event::Start(e) => stack.push(element(&e)?),
            Event::Empty(e) => top.children.push(element(&e)?),
            Event::End(_) => {
                let node = stack.pop().ok_or("unbalanced elements")?;
                stack
                    .last_mut()
                    .ok_or("end tag without start tag")?
                    .children
                    .push(node);
            }
            Event::Text(t) => top.text.push_str(&t.xml_content(XmlVersion::Implicit1_0)),
            Event::CData(t) => top.text.push_str(&t.xml_content(XmlVersion::Implicit1_0)),
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref().map_err(|e| e.to_string())? {
                    Some(ch) => ch.to_string(),
                    None => quick_xml::escape::resolve_predefined_entity(&r)
                        .ok_or_else(|| format!("unknown entity &{};", &*r))?
                        .to_owned(),
                };
                top.text.push_str(&resolved);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let document = stack.pop().filter(|_| stack.is_empty());
    let document = document.ok_or("unclosed element at end of file")?;
    document
        .children
        .into_iter()
        .next()
        .ok_or_else(|| "no root element".to_owned())
}

/// An element node with its attributes (namespace declarations and prefixed attributes
/// such as `xsi:schemaLocation` left out).
fn element(start: &BytesStart<'_>) -> Result<Node, String> {
    let mut node = Node::new(start.local_name().as_ref().to_owned());
    for attr in start.attributes() {
        let attr = attr.map_err(|e| e.to_string())?;
        let key: &str = attr.key.as_ref();
        if key == "xmlns" || key.contains(':') {
            continue;
        }
        let mut a = Node::new(format!("@{key}"));
        a.text = attr
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|e| e.to_string())?
            .into_owned();
        node.children.push(a);
    }
    Ok(node)
}
