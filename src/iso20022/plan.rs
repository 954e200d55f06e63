//! Planning a file: check every instruction against what the message can carry, group
//! them into payment-information blocks and compute counts and control sums, all before
//! a single byte is written. Planning collects every problem; writing cannot fail
//! except on IO.
//!
//! Blocks group transactions that share the own account, payment type (service level,
//! local instrument), requested date, currency and, for direct debits, the sequence type.
//! CORE and B2B collections never share a file. The plan keeps only indices into the
//! instructions, so memory grows by a few bytes per transaction, not by the XML.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use jiff::Timestamp;
use jiff::civil::Date;
use rust_decimal::Decimal;

use super::charset::{self, CharsetError, Strictness};
use super::ids;
use super::message::MessageVersion;
use super::profile::{InitiatingParty, Profile};
use crate::config::Account;
use crate::domain::account::AccountIdentifier;
use crate::domain::instruction::{
    CategoryPurpose, CreditTransfer, DirectDebit, Instruction, MAX_NAME_LEN, Mandate, Party,
    PostalAddress,
};
use crate::domain::money::Currency;
use crate::domain::remittance::{MAX_UNSTRUCTURED_LEN, Remittance};
use crate::domain::scheme::{Scheme, SchemeKind};

/// What to render.
#[derive(Debug, Clone, Copy)]
pub struct RenderInput<'a> {
    /// Credit transfers, or direct debits plus the mandates they collect under.
    pub instructions: &'a [Instruction],
    /// The configured own accounts the instructions name.
    pub accounts: &'a [Account],
    pub profile: &'a Profile,
    /// Overrides the profile's message version for the instructions' kind.
    pub message: Option<MessageVersion>,
    /// `GrpHdr/CreDtTm`; also the execution date of "as soon as possible" transfers.
    pub created_at: Timestamp,
}

/// One reason a set of instructions cannot be rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenderProblem {
    #[error("nothing to render: expected credit transfers or direct debits, got none")]
    Empty,
    #[error(
        "instructions mix {credit_transfers} credit transfer(s) and {direct_debits} direct debit(s): expected one kind per file"
    )]
    KindMix {
        credit_transfers: usize,
        direct_debits: usize,
    },
    #[error(
        "instructions mix SEPA_DIRECT_DEBIT_CORE and SEPA_DIRECT_DEBIT_B2B: expected one of them per file"
    )]
    CoreB2bMix,
    #[error("message {message} cannot carry {kind}: expected {expected}")]
    MessageKind {
        message: MessageVersion,
        kind: &'static str,
        expected: &'static str,
    },
    #[error(
        "{id}: scheme {scheme} has no ISO 20022 initiation message at banks: expected another scheme, or the scheme's own format"
    )]
    UnsupportedScheme { id: String, scheme: Scheme },
    #[error("{id}: field {field}: expected an account of the configuration, got {actual}")]
    UnknownAccount {
        id: String,
        field: &'static str,
        actual: String,
    },
    #[error("{id}: field source_account: expected an account with a creditor_id, got {actual}")]
    NoCreditorId { id: String, actual: String },
    #[error("{id}: field mandate: expected a mandate among the instructions, got {actual}")]
    MandateMissing { id: String, actual: String },
    #[error("{id}: field {field}: {error}")]
    Charset {
        id: String,
        field: &'static str,
        error: CharsetError,
    },
    #[error(
        "{id}: field {field}: expected at most {max} characters in the SEPA character set, got {actual}"
    )]
    TooLong {
        id: String,
        field: &'static str,
        max: usize,
        actual: usize,
    },
}

/// `PmtTpInf` and charge bearer of a scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PaymentType {
    pub service_level: Option<&'static str>,
    pub local_instrument: Option<&'static str>,
    pub charge_bearer: &'static str,
    /// SEPA schemes: the counterparty BIC is optional (IBAN-only).
    pub sepa: bool,
    /// `CtgyPurp/Cd`, from the instruction.
    pub category_purpose: Option<CategoryPurpose>,
}

/// How a scheme is expressed in ISO 20022; `None` for schemes banks take in other formats.
pub fn payment_type(scheme: Scheme) -> Option<PaymentType> {
    let (service_level, local_instrument, charge_bearer, sepa) = match scheme {
        Scheme::SepaCreditTransfer => (Some("SEPA"), None, "SLEV", true),
        Scheme::SepaInstantCreditTransfer => (Some("SEPA"), Some("INST"), "SLEV", true),
        Scheme::SepaDirectDebitCore => (Some("SEPA"), Some("CORE"), "SLEV", true),
        Scheme::SepaDirectDebitB2b => (Some("SEPA"), Some("B2B"), "SLEV", true),
        Scheme::SeAccountTransfer | Scheme::SeBankgiro | Scheme::SePlusgiro => {
            (Some("NURG"), None, "SHAR", false)
        }
        Scheme::DkStandardTransfer => (Some("NURG"), None, "SHAR", false),
        Scheme::DkSameDayTransfer => (Some("SDVA"), None, "SHAR", false),
        Scheme::DkImmediateTransfer => (Some("NURG"), Some("INST"), "SHAR", false),
        Scheme::CrossBorder => (Some("NURG"), None, "SHAR", false),
        Scheme::SeAutogiro | Scheme::DkBetalingsservice => return None,
    };
    Some(PaymentType {
        service_level,
        local_instrument,
        charge_bearer,
        sepa,
        category_purpose: None,
    })
}

/// Direct debit sequence type (`SeqTp`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SequenceType {
    First,
    Recurring,
}

impl SequenceType {
    pub fn code(self) -> &'static str {
        match self {
            SequenceType::First => "FRST",
            SequenceType::Recurring => "RCUR",
        }
    }

    /// A mandate not yet proven by a collection (`active = false`) starts with FRST.
    pub fn for_mandate(mandate: &Mandate) -> Self {
        if mandate.active {
            SequenceType::Recurring
        } else {
            SequenceType::First
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct BlockKey {
    account: usize,
    payment_type: PaymentType,
    date: Date,
    currency: Currency,
    sequence: Option<SequenceType>,
}

/// One `PmtInf` block.
#[derive(Debug, Clone)]
pub struct Block<'a> {
    pub id: String,
    pub account: &'a Account,
    pub payment_type: PaymentType,
    pub date: Date,
    pub currency: Currency,
    pub sequence: Option<SequenceType>,
    /// Indices into the instructions, in input order.
    pub transactions: Vec<u32>,
    pub control_sum: Decimal,
}

/// A file ready to be written.
#[derive(Debug, Clone)]
pub struct Plan<'a> {
    pub message: MessageVersion,
    pub message_id: String,
    pub created_at: Timestamp,
    pub initiating_party: InitiatingParty,
    pub number_of_transactions: u64,
    pub control_sum: Decimal,
    pub blocks: Vec<Block<'a>>,
    pub strictness: Strictness,
    pub batch_booking: bool,
    pub send_control_sum: bool,
    pub send_optional_bic: bool,
    pub indent: bool,
    pub instructions: &'a [Instruction],
    pub mandates: HashMap<&'a str, &'a Mandate>,
    /// Instruction id → EndToEndId, for ids that had to be mapped.
    pub mapped_end_to_end_ids: Vec<(String, String)>,
    /// One bit per instruction: its texts are already in the SEPA character set and its
    /// id is its EndToEndId, so the writer sends them as they are instead of checking
    /// them a second time.
    clean: Vec<u64>,
}

impl Plan<'_> {
    /// Whether instruction `index` can be written without converting any of its texts.
    pub fn is_clean(&self, index: u32) -> bool {
        let index = index as usize;
        self.clean
            .get(index / 64)
            .is_some_and(|word| word & (1 << (index % 64)) != 0)
    }
}

/// Converts text to the SEPA character set and checks its length; clean text is borrowed.
pub fn sepa_text<'t>(
    text: &'t str,
    max: usize,
    strictness: Strictness,
    id: &str,
    field: &'static str,
) -> Result<Cow<'t, str>, RenderProblem> {
    // Clean text is ASCII: its length in bytes is its length in characters.
    let (converted, len) = if charset::is_clean(text) {
        (Cow::Borrowed(text), text.len())
    } else {
        let converted =
            charset::to_sepa(text, strictness).map_err(|error| RenderProblem::Charset {
                id: id.to_owned(),
                field,
                error,
            })?;
        let len = converted.text.chars().count();
        (Cow::Owned(converted.text), len)
    };
    if len > max {
        return Err(RenderProblem::TooLong {
            id: id.to_owned(),
            field,
            max,
            actual: len,
        });
    }
    Ok(converted)
}

/// Checks and groups the input; every problem is returned.
pub fn plan<'a>(input: &RenderInput<'a>) -> Result<Plan<'a>, Vec<RenderProblem>> {
    let mut problems = Vec::new();
    // Counted, not listed: planning keeps nothing per transaction but its block index.
    let (credit, debit) = input.instructions.iter().fold((0, 0), |(c, d), i| match i {
        Instruction::CreditTransfer(_) => (c + 1, d),
        Instruction::DirectDebit(_) => (c, d + 1),
        _ => (c, d),
    });
    let kind = match (credit == 0, debit == 0) {
        (true, true) => return Err(vec![RenderProblem::Empty]),
        (false, false) => {
            return Err(vec![RenderProblem::KindMix {
                credit_transfers: credit,
                direct_debits: debit,
            }]);
        }
        (false, true) => SchemeKind::CreditTransfer,
        (true, false) => SchemeKind::DirectDebit,
    };
    let message = match kind {
        SchemeKind::CreditTransfer => input
            .message
            .unwrap_or(input.profile.credit_transfer_message),
        SchemeKind::DirectDebit => input.message.unwrap_or(input.profile.direct_debit_message),
    };
    if message.is_credit_transfer() != (kind == SchemeKind::CreditTransfer) {
        let (kind, expected) = match kind {
            SchemeKind::CreditTransfer => {
                ("credit transfers", "pain.001.001.03 or pain.001.001.09")
            }
            SchemeKind::DirectDebit => ("direct debits", "pain.008.001.02 or pain.008.001.08"),
        };
        return Err(vec![RenderProblem::MessageKind {
            message,
            kind,
            expected,
        }]);
    }
    let strictness = if input.profile.strict_charset {
        Strictness::Strict
    } else {
        Strictness::Lenient
    };
    let mandates: HashMap<&str, &Mandate> = input
        .instructions
        .iter()
        .filter_map(|i| match i {
            Instruction::Mandate(m) => Some((m.id.as_str(), m)),
            _ => None,
        })
        .collect();
    let today = input.created_at.to_zoned(jiff::tz::TimeZone::UTC).date();
    let selected = |i: &&Instruction| match i {
        Instruction::CreditTransfer(_) => kind == SchemeKind::CreditTransfer,
        Instruction::DirectDebit(_) => kind == SchemeKind::DirectDebit,
        _ => false,
    };
    // One pass over the instructions: checks, grouping and the MsgId digest together.
    // Block sums are kept in minor units (a block has one currency) and become decimals
    // once per block.
    let mut accounts = AccountLookup::new(input.accounts);
    let mut groups = Groups::default();
    let mut mapped = Vec::new();
    let mut schemes_seen = (false, false);
    let mut digest = ids::MessageIdDigest::default();
    let mut clean_bits = vec![0u64; input.instructions.len().div_ceil(64)];
    let mut warmed = 0;
    for (position, instruction) in input.instructions.iter().enumerate() {
        if let Some(ahead) = input.instructions.get(position + WARM_AHEAD) {
            warmed ^= warm(ahead);
        }
        if !selected(&instruction) {
            continue;
        }
        digest.add(instruction);
        let index = u32::try_from(position).unwrap_or(u32::MAX);
        let mut checks = Checks::new(strictness, &mut problems);
        let key = match instruction {
            Instruction::CreditTransfer(ct) => {
                let account = accounts.find(&ct.source_account);
                check_credit_transfer(ct, account, today, &mut checks)
            }
            Instruction::DirectDebit(dd) => {
                match dd.scheme {
                    Scheme::SepaDirectDebitCore => schemes_seen.0 = true,
                    Scheme::SepaDirectDebitB2b => schemes_seen.1 = true,
                    _ => {}
                }
                let account = accounts.find(&dd.source_account);
                check_direct_debit(dd, input, account, &mandates, &mut checks)
            }
            _ => None,
        };
        let mut clean = checks.clean;
        let (e2e, was_mapped) = ids::end_to_end_id(instruction.key());
        if was_mapped {
            clean = false;
            mapped.push((instruction.key().to_owned(), e2e.into_owned()));
        }
        if clean {
            clean_bits[position / 64] |= 1 << (position % 64);
        }
        if let (Some(key), Some(amount)) = (key, instruction.amount()) {
            groups.add(key, index, amount.minor_units());
        }
    }
    std::hint::black_box(warmed);
    // Own account names are checked once per account, not once per transaction, and
    // reported before the instructions' problems.
    let account_problems = accounts.check_names(strictness);
    problems.splice(0..0, account_problems);
    if schemes_seen == (true, true) {
        problems.push(RenderProblem::CoreB2bMix);
    }
    let initiating_party = match &input.profile.initiating_party {
        Some(party) => party.clone(),
        None => InitiatingParty {
            name: groups
                .first_key()
                .map(|k| input.accounts[k.account].name.clone())
                .unwrap_or_default(),
            organisation_id: None,
        },
    };
    let name_check = sepa_text(
        &initiating_party.name,
        MAX_NAME_LEN,
        strictness,
        "(file)",
        "initiating_party.name",
    );
    if let (Err(problem), false) = (name_check, groups.is_empty()) {
        problems.push(problem);
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let message_id = digest.finish();
    let mut number_of_transactions = 0;
    let mut control_sum = Decimal::ZERO;
    let blocks = groups
        .into_sorted()
        .into_iter()
        .enumerate()
        .map(|(n, (key, (transactions, minor)))| {
            let sum = minor_to_decimal(minor, key.currency);
            number_of_transactions += transactions.len() as u64;
            control_sum += sum;
            Block {
                id: ids::payment_information_id(&message_id, n),
                account: &input.accounts[key.account],
                payment_type: key.payment_type,
                date: key.date,
                currency: key.currency,
                sequence: key.sequence,
                transactions,
                control_sum: sum,
            }
        })
        .collect();
    Ok(Plan {
        message,
        message_id,
        created_at: input.created_at,
        initiating_party,
        number_of_transactions,
        control_sum,
        blocks,
        strictness,
        batch_booking: input.profile.batch_booking,
        send_control_sum: input.profile.send_control_sum,
        send_optional_bic: input.profile.send_optional_bic,
        indent: input.profile.indent,
        instructions: input.instructions,
        mandates,
        mapped_end_to_end_ids: mapped,
        clean: clean_bits,
    })
}

/// How many transactions ahead planning [`warm`]s the texts it will read (one
/// instruction at a time: it reads them in order); writing warms this many at once.
pub(super) const WARM_AHEAD: usize = 8;

/// Reads the first byte of each text of an instruction and returns them combined, so
/// that their cache lines are on their way from memory when the instruction's turn comes
/// [`WARM_AHEAD`] transactions later: the texts are separate heap allocations, often far
/// apart, and waiting for each one when it is checked or escaped was a large part of the
/// time (a software prefetch, in safe code; the caller passes the result to
/// `black_box` so that the reads are not optimised away).
pub(super) fn warm(instruction: &Instruction) -> u8 {
    let first = |text: &str| text.as_bytes().first().copied().unwrap_or(0);
    let (id, party, remittance) = match instruction {
        Instruction::CreditTransfer(ct) => (ct.id.as_str(), &ct.counterparty, &ct.remittance),
        Instruction::DirectDebit(dd) => return first(dd.id.as_str()),
        _ => return 0,
    };
    let mut warmed = first(id) ^ first(&party.name);
    if let AccountIdentifier::Iban(iban) = &party.account {
        warmed ^= first(iban.as_str());
    }
    if let Some(Remittance::Unstructured(text)) = remittance {
        warmed ^= first(text);
    }
    if let Some(address) = &party.address {
        let parts = [
            &address.street,
            &address.building_number,
            &address.postal_code,
            &address.town,
        ];
        for text in parts.into_iter().flatten() {
            warmed ^= first(text);
        }
    }
    warmed
}

/// The blocks being collected: their keys, transactions and sums in minor units.
#[derive(Default)]
struct Groups {
    list: Vec<(BlockKey, Vec<u32>, i128)>,
    /// Position in `list` of the groups after the first [`Groups::SCANNED`].
    more: BTreeMap<BlockKey, usize>,
}

impl Groups {
    /// Most files have a handful of blocks: the first ones are found by a scan (the date
    /// compared first, which tells most of them apart), cheaper than a map per
    /// transaction; the rest through the map.
    const SCANNED: usize = 8;

    fn add(&mut self, key: BlockKey, index: u32, minor: i64) {
        let found = (self.list.iter().take(Self::SCANNED))
            .position(|(k, ..)| k.date == key.date && *k == key)
            .or_else(|| self.more.get(&key).copied());
        let at = found.unwrap_or_else(|| {
            let at = self.list.len();
            self.list.push((key, Vec::new(), 0));
            if at >= Self::SCANNED {
                self.more.insert(key, at);
            }
            at
        });
        let (_, transactions, sum) = &mut self.list[at];
        transactions.push(index);
        *sum += i128::from(minor);
    }

    fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The smallest key, the first block of the file.
    fn first_key(&self) -> Option<&BlockKey> {
        self.list.iter().map(|(k, ..)| k).min()
    }

    /// The groups in key order (keys are unique).
    fn into_sorted(mut self) -> Vec<(BlockKey, (Vec<u32>, i128))> {
        self.list.sort_unstable_by_key(|(key, ..)| *key);
        self.list.into_iter().map(|(k, t, s)| (k, (t, s))).collect()
    }
}

/// A sum of minor units as a decimal with the currency's decimals, as the sum of the
/// amounts' `to_decimal` would be. It cannot overflow: at most `u32::MAX` amounts of at
/// most 10^18 minor units stay below 2^96, the decimal's limit.
fn minor_to_decimal(minor: i128, currency: Currency) -> Decimal {
    Decimal::try_from_i128_with_scale(minor, currency.exponent()).unwrap_or(Decimal::MAX)
}

/// The configured accounts by id, remembering the last one found (files usually pay
/// from one account) and which ones the instructions use.
struct AccountLookup<'a> {
    accounts: &'a [Account],
    used: Vec<bool>,
    last: Option<usize>,
}

impl<'a> AccountLookup<'a> {
    fn new(accounts: &'a [Account]) -> Self {
        Self {
            accounts,
            used: vec![false; accounts.len()],
            last: None,
        }
    }

    fn find(&mut self, id: &str) -> Option<usize> {
        if let Some(last) = self.last
            && self.accounts[last].id == id
        {
            return Some(last);
        }
        let found = self.accounts.iter().position(|a| a.id == id)?;
        self.used[found] = true;
        self.last = Some(found);
        Some(found)
    }

    /// The name of every account used, checked against the SEPA character set.
    fn check_names(&self, strictness: Strictness) -> Vec<RenderProblem> {
        self.accounts
            .iter()
            .zip(&self.used)
            .filter(|(_, used)| **used)
            .filter_map(|(account, _)| {
                sepa_text(
                    &account.name,
                    MAX_NAME_LEN,
                    strictness,
                    &account.id,
                    "account.name",
                )
                .err()
            })
            .collect()
    }
}

fn check_credit_transfer(
    ct: &CreditTransfer,
    account: Option<usize>,
    today: Date,
    checks: &mut Checks<'_>,
) -> Option<BlockKey> {
    let problems = &mut *checks.problems;
    let id = ct.id.as_str();
    let before = problems.len();
    let payment_type = payment_type(ct.scheme);
    if payment_type.is_none() {
        problems.push(RenderProblem::UnsupportedScheme {
            id: id.to_owned(),
            scheme: ct.scheme,
        });
    }
    if account.is_none() {
        problems.push(RenderProblem::UnknownAccount {
            id: id.to_owned(),
            field: "source_account",
            actual: ct.source_account.clone(),
        });
    }
    check_party(&ct.counterparty, id, "counterparty", checks);
    check_remittance(ct.remittance.as_ref(), id, checks);
    if checks.problems.len() > before {
        return None;
    }
    let mut payment_type = payment_type?;
    if ct.urgent {
        payment_type.service_level = Some("URGP");
    }
    if let Some(bearer) = ct.charge_bearer {
        payment_type.charge_bearer = bearer.as_str();
    }
    payment_type.category_purpose = ct.category_purpose;
    Some(BlockKey {
        account: account?,
        payment_type,
        date: ct.requested_date.unwrap_or(today).max(today),
        currency: ct.amount.currency(),
        sequence: None,
    })
}

fn check_direct_debit(
    dd: &DirectDebit,
    input: &RenderInput<'_>,
    account: Option<usize>,
    mandates: &HashMap<&str, &Mandate>,
    checks: &mut Checks<'_>,
) -> Option<BlockKey> {
    let problems = &mut *checks.problems;
    let id = dd.id.as_str();
    let before = problems.len();
    let payment_type = payment_type(dd.scheme);
    if payment_type.is_none() {
        problems.push(RenderProblem::UnsupportedScheme {
            id: id.to_owned(),
            scheme: dd.scheme,
        });
    }
    match account {
        None => problems.push(RenderProblem::UnknownAccount {
            id: id.to_owned(),
            field: "source_account",
            actual: dd.source_account.clone(),
        }),
        Some(a) if input.accounts[a].creditor_id.is_none() => {
            problems.push(RenderProblem::NoCreditorId {
                id: id.to_owned(),
                actual: dd.source_account.clone(),
            });
        }
        Some(_) => {}
    }
    let mandate = mandates.get(dd.mandate.as_str()).copied();
    match mandate {
        None => problems.push(RenderProblem::MandateMissing {
            id: id.to_owned(),
            actual: dd.mandate.to_string(),
        }),
        Some(m) => check_party(&m.debtor, id, "debtor", checks),
    }
    check_remittance(dd.remittance.as_ref(), id, checks);
    if checks.problems.len() > before {
        return None;
    }
    Some(BlockKey {
        account: account?,
        payment_type: payment_type?,
        date: dd.requested_date,
        currency: dd.amount.currency(),
        sequence: Some(SequenceType::for_mandate(mandate?)),
    })
}

/// The text checks of one instruction: the problems found, and whether every text was
/// already clean (borrowed by [`sepa_text`], not converted).
struct Checks<'p> {
    strictness: Strictness,
    clean: bool,
    problems: &'p mut Vec<RenderProblem>,
}

impl<'p> Checks<'p> {
    fn new(strictness: Strictness, problems: &'p mut Vec<RenderProblem>) -> Self {
        Self {
            strictness,
            clean: true,
            problems,
        }
    }

    #[inline]
    fn text(&mut self, text: &str, max: usize, id: &str, field: &'static str) {
        // The common case: clean text within its limit (what `sepa_text` borrows).
        if text.len() <= max && charset::is_clean(text) {
            return;
        }
        self.text_to_convert(text, max, id, field);
    }

    #[cold]
    fn text_to_convert(&mut self, text: &str, max: usize, id: &str, field: &'static str) {
        match sepa_text(text, max, self.strictness, id, field) {
            Ok(Cow::Borrowed(_)) => {}
            Ok(Cow::Owned(_)) => self.clean = false,
            Err(problem) => {
                self.clean = false;
                self.problems.push(problem);
            }
        }
    }
}

fn check_party(party: &Party, id: &str, prefix: &'static str, checks: &mut Checks<'_>) {
    let name_field = if prefix == "debtor" {
        "debtor.name"
    } else {
        "counterparty.name"
    };
    checks.text(&party.name, MAX_NAME_LEN, id, name_field);
    if let Some(address) = &party.address {
        for (field, value, max) in address_fields(address, prefix) {
            checks.text(value, max, id, field);
        }
    }
}

/// One optional text part of a postal address before `Ctry`.
pub(super) struct AddressPart {
    /// The XML element.
    pub element: &'static str,
    /// The instruction field, for a counterparty and for a mandate's debtor.
    pub counterparty: &'static str,
    pub debtor: &'static str,
    /// The longest text the element takes.
    pub max: usize,
    pub value: fn(&PostalAddress) -> Option<&str>,
}

/// The optional text parts of a postal address before `Ctry`, in XSD order.
pub(super) const ADDRESS_PARTS: [AddressPart; 4] = [
    AddressPart {
        element: "StrtNm",
        counterparty: "counterparty.address.street",
        debtor: "debtor.address.street",
        max: 70,
        value: |a| a.street.as_deref(),
    },
    AddressPart {
        element: "BldgNb",
        counterparty: "counterparty.address.building_number",
        debtor: "debtor.address.building_number",
        max: 16,
        value: |a| a.building_number.as_deref(),
    },
    AddressPart {
        element: "PstCd",
        counterparty: "counterparty.address.postal_code",
        debtor: "debtor.address.postal_code",
        max: 16,
        value: |a| a.postal_code.as_deref(),
    },
    AddressPart {
        element: "TwnNm",
        counterparty: "counterparty.address.town",
        debtor: "debtor.address.town",
        max: 35,
        value: |a| a.town.as_deref(),
    },
];

/// The longest `AdrLine`.
pub(super) const ADDRESS_LINE_MAX: usize = 70;

/// The text fields of an address with their element limits, in XSD order.
pub fn address_fields<'a>(
    address: &'a PostalAddress,
    prefix: &'static str,
) -> impl Iterator<Item = (&'static str, &'a str, usize)> {
    let debtor = prefix == "debtor";
    let name = move |counterparty: &'static str, debtor_name: &'static str| {
        if debtor { debtor_name } else { counterparty }
    };
    ADDRESS_PARTS
        .iter()
        .filter_map(move |part| {
            (part.value)(address).map(|v| (name(part.counterparty, part.debtor), v, part.max))
        })
        .chain(address.lines.iter().map(move |line| {
            let field = name("counterparty.address.lines", "debtor.address.lines");
            (field, line.as_str(), ADDRESS_LINE_MAX)
        }))
}

fn check_remittance(remittance: Option<&Remittance>, id: &str, checks: &mut Checks<'_>) {
    if let Some(Remittance::Unstructured(text)) = remittance {
        checks.text(text, MAX_UNSTRUCTURED_LEN, id, "reference");
    }
}
