//! Deterministic inbound files for the parsing benchmarks: a camt.053.001.02 statement
//! with one `TxDtls` per entry and a pain.002.001.03 status report. Both are written
//! straight to any writer (a temp file in the benchmarks), so generating hundreds of
//! megabytes needs no memory. The camt.053 was checked with
//! `xmllint --noout --schema schemas/camt.053.001.02.xsd` and the pain.002 with
//! `schemas/pain.002.001.03.xsd` (see docs/BENCHMARKS.md, "Parsing").

#![allow(dead_code)] // each bench target uses a different part of this module

use std::fmt::Write as _;
use std::io::{self, Write};

/// Statement date of every generated file.
pub const DATE: &str = "2026-11-20";

/// SplitMix64: a tiny deterministic generator, so every run parses the same bytes.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

const FIRST: [&str; 12] = [
    "Anna", "Lukas", "Marie", "Jonas", "Sophie", "Elias", "Léa", "Noah", "Emma", "Jörg", "Chloé",
    "Pieter",
];
const LAST: [&str; 12] = [
    "Müller",
    "Schmidt",
    "Dubois",
    "de Vries",
    "García",
    "Janssens",
    "Virtanen",
    "O'Brien",
    "Weiß",
    "Martin",
    "Bakker",
    "Fernández",
];
const COMPANIES: [&str; 8] = [
    "Acme Handels GmbH",
    "Müller &amp; Söhne KG",
    "Boulangerie Dupont SARL",
    "Van den Berg B.V.",
    "Stadtwerke Nord AG",
    "Nordic Timber Oy",
    "Iberia Logística S.L.",
    "Smith &amp; Co. Ltd",
];
const WORDS: [&str; 16] = [
    "Rechnung",
    "invoice",
    "Miete",
    "November",
    "contract",
    "order",
    "Kundennummer",
    "Abschlag",
    "Strom",
    "facture",
    "payment",
    "Beitrag",
    "Lieferung",
    "Gutschrift",
    "ref",
    "2026",
];
/// (domain, family, sub-family, DK proprietary code) of the entries.
const CODES: [(&str, &str, &str, &str); 4] = [
    ("PMNT", "RCDT", "ESCT", "NTRF+166"),
    ("PMNT", "ICDT", "ESCT", "NTRF+116"),
    ("PMNT", "RDDT", "ESDD", "NDDT+105"),
    ("PMNT", "ICDT", "STDO", "NSTO+117"),
];

/// An IBAN of `country` with a numeric BBAN and correct MOD 97-10 check digits.
pub fn iban(country: &str, bban: &str) -> String {
    let mut remainder = 0u32;
    let digits = bban.chars().chain(country.chars()).chain("00".chars());
    for c in digits {
        let value = c.to_digit(36).expect("alphanumeric");
        remainder = if value >= 10 {
            (remainder * 100 + value) % 97
        } else {
            (remainder * 10 + value) % 97
        };
    }
    format!("{country}{:02}{bban}", 98 - remainder)
}

fn random_iban(rng: &mut Rng) -> String {
    let (country, len) = match rng.below(4) {
        0 => ("DE", 18),
        1 => ("NL", 14),
        2 => ("FR", 23),
        _ => ("AT", 16),
    };
    let mut bban = String::with_capacity(len);
    for _ in 0..len {
        bban.push(char::from(b'0' + rng.below(10) as u8));
    }
    if country == "NL" {
        // NL BBANs start with a four-letter bank code.
        bban.replace_range(..4, "ABNA");
    }
    iban(country, &bban)
}

fn name(rng: &mut Rng, out: &mut String) {
    out.clear();
    if rng.below(3) == 0 {
        out.push_str(rng.pick(&COMPANIES));
    } else {
        out.push_str(rng.pick(&FIRST));
        out.push(' ');
        out.push_str(rng.pick(&LAST));
    }
}

fn remittance(rng: &mut Rng, out: &mut String) {
    out.clear();
    let words = 3 + rng.below(6);
    for i in 0..words {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(rng.pick(&WORDS));
    }
    let _ = write!(out, " {:08}", rng.below(100_000_000));
}

fn amount(rng: &mut Rng) -> String {
    let cents = 1 + rng.below(2_500_000);
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// Writes a camt.053.001.02 with one statement and `entries` entries, each with one
/// `TxDtls` (Refs with MsgId, AcctSvcrRef, PmtInfId, EndToEndId; AmtDtls/TxAmt/Amt;
/// BkTxCd; RltdPties names and IBANs; RmtInf/Ustrd). Compact XML (no indentation), one
/// line per entry. Returns the bytes written.
pub fn write_camt053<W: Write>(out: W, entries: usize) -> io::Result<u64> {
    let mut out = Counting::new(out);
    let mut rng = Rng::new(0x0053_2026_1120);
    let own_iban = iban("DE", "370400440532013000");
    write!(
        out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n\
         <BkToCstmrStmt><GrpHdr><MsgId>STMT-{DATE}-BENCH</MsgId>\
         <CreDtTm>{DATE}T23:59:00</CreDtTm><MsgPgntn><PgNb>1</PgNb>\
         <LastPgInd>true</LastPgInd></MsgPgntn></GrpHdr>\n\
         <Stmt><Id>STMT-{DATE}-0001</Id><ElctrncSeqNb>223</ElctrncSeqNb>\
         <CreDtTm>{DATE}T23:59:00</CreDtTm>\
         <Acct><Id><IBAN>{own_iban}</IBAN></Id><Ccy>EUR</Ccy>\
         <Svcr><FinInstnId><BIC>COBADEFFXXX</BIC></FinInstnId></Svcr></Acct>\
         <Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">100000.00</Amt>\
         <CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>{DATE}</Dt></Dt></Bal>\
         <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">100000.00</Amt>\
         <CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>{DATE}</Dt></Dt></Bal>\n"
    )?;
    let (mut debtor, mut creditor, mut ustrd) = (String::new(), String::new(), String::new());
    for i in 0..entries {
        let amt = amount(&mut rng);
        let credit = rng.below(2) == 0;
        let (domain, family, sub, proprietary) = CODES[rng.below(CODES.len() as u64) as usize];
        name(&mut rng, &mut debtor);
        name(&mut rng, &mut creditor);
        let (debtor_iban, creditor_iban) = if credit {
            (random_iban(&mut rng), own_iban.clone())
        } else {
            (own_iban.clone(), random_iban(&mut rng))
        };
        remittance(&mut rng, &mut ustrd);
        let block = i / 1000;
        writeln!(
            out,
            "<Ntry><NtryRef>{i:09}</NtryRef><Amt Ccy=\"EUR\">{amt}</Amt>\
             <CdtDbtInd>{cd}</CdtDbtInd><Sts>BOOK</Sts>\
             <BookgDt><Dt>{DATE}</Dt></BookgDt><ValDt><Dt>{DATE}</Dt></ValDt>\
             <AcctSvcrRef>ASR{i:012}</AcctSvcrRef>\
             <BkTxCd><Domn><Cd>{domain}</Cd><Fmly><Cd>{family}</Cd>\
             <SubFmlyCd>{sub}</SubFmlyCd></Fmly></Domn>\
             <Prtry><Cd>{proprietary}</Cd><Issr>DK</Issr></Prtry></BkTxCd>\
             <NtryDtls><TxDtls><Refs><MsgId>MSG-2026-{block:05}</MsgId>\
             <AcctSvcrRef>TX{i:012}</AcctSvcrRef><PmtInfId>PMT-{block:05}</PmtInfId>\
             <EndToEndId>E2E-{i:010}</EndToEndId></Refs>\
             <AmtDtls><TxAmt><Amt Ccy=\"EUR\">{amt}</Amt></TxAmt></AmtDtls>\
             <BkTxCd><Domn><Cd>{domain}</Cd><Fmly><Cd>{family}</Cd>\
             <SubFmlyCd>{sub}</SubFmlyCd></Fmly></Domn></BkTxCd>\
             <RltdPties><Dbtr><Nm>{debtor}</Nm></Dbtr>\
             <DbtrAcct><Id><IBAN>{debtor_iban}</IBAN></Id></DbtrAcct>\
             <Cdtr><Nm>{creditor}</Nm></Cdtr>\
             <CdtrAcct><Id><IBAN>{creditor_iban}</IBAN></Id></CdtrAcct></RltdPties>\
             <RmtInf><Ustrd>{ustrd}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>",
            cd = if credit { "CRDT" } else { "DBIT" },
        )?;
    }
    writeln!(out, "</Stmt></BkToCstmrStmt></Document>")?;
    out.finish()
}

/// Rejection reasons of the pain.002 and their additional information.
const REASONS: [(&str, &str); 5] = [
    (
        "AC01",
        "Format of the account number specified is not correct",
    ),
    (
        "AC04",
        "Account number specified has been closed on the bank of account's books",
    ),
    (
        "AM04",
        "Amount of funds available to cover specified message amount is insufficient",
    ),
    ("MS03", "Reason has not been specified by agent"),
    (
        "RC01",
        "Bank identifier code specified in the message has an incorrect format",
    ),
];

/// Writes a pain.002.001.03 answering a pain.001 of `transactions` credit transfers in
/// five `OrgnlPmtInfAndSts` blocks: one transaction in ten is `RJCT` with a reason code
/// and additional information, the rest `ACSC`; every `TxInfAndSts` carries its
/// original instructed amount, requested date, creditor name and IBAN. Returns the
/// bytes written.
pub fn write_pain002<W: Write>(out: W, transactions: usize) -> io::Result<u64> {
    let mut out = Counting::new(out);
    let mut rng = Rng::new(0x0002_2026_1120);
    let blocks = 5;
    write!(
        out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.002.001.03\">\n\
         <CstmrPmtStsRpt><GrpHdr><MsgId>PSR-{DATE}-BENCH</MsgId>\
         <CreDtTm>{DATE}T10:15:00</CreDtTm>\
         <DbtrAgt><FinInstnId><BIC>COBADEFFXXX</BIC></FinInstnId></DbtrAgt></GrpHdr>\n\
         <OrgnlGrpInfAndSts><OrgnlMsgId>MSG-2026-BENCH</OrgnlMsgId>\
         <OrgnlMsgNmId>pain.001.001.03</OrgnlMsgNmId><OrgnlNbOfTxs>{transactions}</OrgnlNbOfTxs>\
         <GrpSts>PART</GrpSts></OrgnlGrpInfAndSts>\n"
    )?;
    let per_block = transactions.div_ceil(blocks);
    let mut creditor = String::new();
    for i in 0..transactions {
        if i % per_block == 0 {
            if i > 0 {
                writeln!(out, "</OrgnlPmtInfAndSts>")?;
            }
            let block = i / per_block;
            let count = per_block.min(transactions - i);
            writeln!(
                out,
                "<OrgnlPmtInfAndSts><OrgnlPmtInfId>PMT-{block:05}</OrgnlPmtInfId>\
                 <OrgnlNbOfTxs>{count}</OrgnlNbOfTxs><PmtInfSts>PART</PmtInfSts>"
            )?;
        }
        let amt = amount(&mut rng);
        name(&mut rng, &mut creditor);
        let creditor_iban = random_iban(&mut rng);
        let rejected = rng.below(10) == 0;
        write!(
            out,
            "<TxInfAndSts><StsId>STS{i:010}</StsId><OrgnlInstrId>INSTR-{i:010}</OrgnlInstrId>\
             <OrgnlEndToEndId>E2E-{i:010}</OrgnlEndToEndId><TxSts>{sts}</TxSts>",
            sts = if rejected { "RJCT" } else { "ACSC" },
        )?;
        if rejected {
            let (code, info) = REASONS[rng.below(REASONS.len() as u64) as usize];
            write!(
                out,
                "<StsRsnInf><Orgtr><Id><OrgId><BICOrBEI>COBADEFFXXX</BICOrBEI></OrgId></Id></Orgtr>\
                 <Rsn><Cd>{code}</Cd></Rsn><AddtlInf>{info}</AddtlInf></StsRsnInf>"
            )?;
        }
        writeln!(
            out,
            "<AccptncDtTm>{DATE}T10:14:{sec:02}</AccptncDtTm><AcctSvcrRef>ASR{i:012}</AcctSvcrRef>\
             <OrgnlTxRef><Amt><InstdAmt Ccy=\"EUR\">{amt}</InstdAmt></Amt>\
             <ReqdExctnDt>{DATE}</ReqdExctnDt><Cdtr><Nm>{creditor}</Nm></Cdtr>\
             <CdtrAcct><Id><IBAN>{creditor_iban}</IBAN></Id></CdtrAcct></OrgnlTxRef>\
             </TxInfAndSts>",
            sec = i % 60,
        )?;
    }
    if transactions > 0 {
        writeln!(out, "</OrgnlPmtInfAndSts>")?;
    }
    writeln!(out, "</CstmrPmtStsRpt></Document>")?;
    out.finish()
}

/// A writer that counts what passes through it.
struct Counting<W: Write> {
    inner: W,
    bytes: u64,
}

impl<W: Write> Counting<W> {
    fn new(inner: W) -> Self {
        Self { inner, bytes: 0 }
    }

    fn finish(mut self) -> io::Result<u64> {
        self.inner.flush()?;
        Ok(self.bytes)
    }
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Writes a generated file into a fresh temp file; returns it and its size in bytes.
pub fn temp_file(
    write: impl FnOnce(&mut io::BufWriter<&std::fs::File>) -> io::Result<u64>,
) -> (tempfile::NamedTempFile, u64) {
    let file = tempfile::NamedTempFile::new().expect("a temp file");
    let mut out = io::BufWriter::with_capacity(1 << 20, file.as_file());
    let bytes = write(&mut out).expect("writing the generated file");
    drop(out);
    (file, bytes)
}

/// What one parse of a file found, to check that every parser read all of it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// camt: `Ntry`; pain.002: `TxInfAndSts`.
    pub items: usize,
    /// camt: `TxDtls`; pain.002: rejected transactions.
    pub details: usize,
}

/// bankgate's streaming camt reader: counts entries and their transaction details,
/// keeps nothing.
pub fn bankgate_camt<R: io::BufRead>(input: R) -> Counts {
    use bankgate::iso20022::camt::AccountReportReader;
    use bankgate::iso20022::read::XmlLimits;
    use bankgate::iso20022::report::StatementItem;
    let reader = AccountReportReader::open(input, XmlLimits::default()).expect("a camt.053");
    let mut counts = Counts::default();
    for item in reader {
        if let StatementItem::Entry(entry) = item.expect("a valid camt.053") {
            counts.items += 1;
            counts.details += entry.transactions.len();
        }
    }
    counts
}

/// bankgate's streaming pain.002 reader: counts transactions and rejections.
pub fn bankgate_pain002<R: io::BufRead>(input: R) -> Counts {
    use bankgate::iso20022::pain002::StatusReportReader;
    use bankgate::iso20022::read::XmlLimits;
    use bankgate::iso20022::report::StatusItem;
    let reader = StatusReportReader::open(input, XmlLimits::default()).expect("a pain.002");
    let mut counts = Counts::default();
    for item in reader {
        if let StatusItem::Transaction(tx) = item.expect("a valid pain.002") {
            counts.items += 1;
            counts.details += usize::from(tx.status.as_deref() == Some("RJCT"));
        }
    }
    counts
}

/// The `sepa` crate's limits, lifted so that a file of any size parses (its defaults
/// stop at 32 MiB of input and 250,000 elements).
pub fn sepa_limits() -> sepa::ParseLimits {
    sepa::ParseLimits {
        input_bytes: usize::MAX,
        nodes: usize::MAX,
        depth: 256,
        text_bytes: usize::MAX,
        total_text_bytes: usize::MAX,
        attributes: usize::MAX,
        attribute_bytes: usize::MAX,
        total_attribute_bytes: usize::MAX,
    }
}

/// The `sepa` crate's camt.053 parser (a whole-document tree, then typed statements).
pub fn sepa_camt(xml: &str) -> Counts {
    let doc = sepa::camt053::parse_camt053_with_limits(xml, sepa_limits()).expect("sepa parses");
    let mut counts = Counts::default();
    for statement in &doc.statements {
        counts.items += statement.entries.len();
        counts.details += statement
            .entries
            .iter()
            .map(|e| e.details.len())
            .sum::<usize>();
    }
    counts
}

/// The `sepa` crate's pain.002 parser.
pub fn sepa_pain002(xml: &str) -> Counts {
    let doc = sepa::pain002::parse_pain002_with_limits(xml, sepa_limits()).expect("sepa parses");
    let mut counts = Counts::default();
    for block in &doc.payment_info_statuses {
        counts.items += block.transactions.len();
        counts.details += block
            .transactions
            .iter()
            .filter(|t| t.is_rejected())
            .count();
    }
    counts
}

/// The ceiling: quick-xml reading every event of the file into one reused buffer, with
/// the reader configuration bankgate uses. `items` counts the `item` start tags (so
/// the figure can be checked), `details` counts all events.
pub fn raw_scan<R: io::BufRead>(input: R, item: &str) -> Counts {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(input);
    reader.config_mut().expand_empty_elements = true;
    reader.config_mut().trim_text(false);
    let mut buf = Vec::with_capacity(1024);
    let mut counts = Counts::default();
    loop {
        buf.clear();
        match reader.read_event_into(&mut buf).expect("well-formed XML") {
            Event::Eof => return counts,
            Event::Start(start) => {
                counts.items += usize::from(start.local_name().as_ref() == item);
            }
            _ => {}
        }
        counts.details += 1;
    }
}
