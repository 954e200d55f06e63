//! Reading one instruction record (a JSON object, or a CSV row turned into one) into a
//! validated [`Instruction`], collecting every problem.

use std::collections::HashMap;

use jiff::civil::Date;
use serde_json::Value;

use crate::config::Config;
use crate::domain::account::{
    AccountIdentifier, AccountIdentifierKind, CreditorId, RoutingIdentifier, RoutingKind,
};
use crate::domain::country::CountryCode;
use crate::domain::instruction::{
    CategoryPurpose, ChargeBearer, CreditTransfer, DirectDebit, Instruction, InstructionId,
    InstructionKind, MAX_NAME_LEN, Mandate, MandateAmendment, MandateCancellation, MandateId,
    Party, PostalAddress, check_text,
};
use crate::domain::money::{Amount, Currency};
use crate::domain::remittance::{CreditorReference, MAX_UNSTRUCTURED_LEN, Remittance};
use crate::domain::rule::{FieldViolation, RuleViolation};
use crate::domain::scheme::{Scheme, SchemeCandidate, SchemeKind};
use crate::fields::{Fields, describe};

/// What intake needs to know of a configured account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountFacts {
    pub currency: Currency,
    /// Has a creditor identifier, so it may collect direct debits.
    pub collecting: bool,
    /// The account's connection and the schemes it carries; `None` when no
    /// connections are configured (then every scheme is accepted).
    pub connection: Option<(String, Vec<Scheme>)>,
}

/// The configured accounts instructions may name.
#[derive(Debug, Clone, Default)]
pub struct AccountBook {
    accounts: HashMap<String, AccountFacts>,
}

impl AccountBook {
    pub fn from_config(config: &Config) -> Self {
        let accounts = config
            .accounts
            .iter()
            .map(|a| {
                let facts = AccountFacts {
                    currency: a.currency,
                    collecting: a.creditor_id.is_some(),
                    connection: config
                        .connection(&a.connection)
                        .map(|c| (c.id.clone(), c.schemes.clone())),
                };
                (a.id.clone(), facts)
            })
            .collect();
        Self { accounts }
    }

    pub fn insert(&mut self, id: &str, facts: AccountFacts) {
        self.accounts.insert(id.to_owned(), facts);
    }

    fn lookup(&self, id: &str) -> Result<&AccountFacts, RuleViolation> {
        self.accounts.get(id).ok_or_else(|| {
            let mut known: Vec<&str> = self.accounts.keys().map(String::as_str).collect();
            known.sort_unstable();
            RuleViolation::new(
                "account.unknown",
                format!(
                    "an account id from the configuration ({})",
                    known.join(", ")
                ),
                id,
            )
        })
    }
}

/// The result of reading one record: the key it claims (for reporting and duplicate
/// detection) and the instruction or every problem found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub kind: Option<InstructionKind>,
    pub key: Option<String>,
    pub outcome: Result<Instruction, Vec<FieldViolation>>,
}

/// Reads one instruction record.
pub fn read_record(value: &Value, accounts: &AccountBook) -> Record {
    let mut f = match Fields::new(value, "") {
        Ok(f) => f,
        Err(problem) => {
            return Record {
                kind: None,
                key: None,
                outcome: Err(vec![problem]),
            };
        }
    };
    let kind = f.parsed("type", true, str::parse::<InstructionKind>);
    let key_field = match kind {
        Some(InstructionKind::MandateCancellation) => "mandate",
        _ => "id",
    };
    let key = value
        .get(key_field)
        .and_then(Value::as_str)
        .map(str::to_owned);
    let instruction = match kind {
        Some(InstructionKind::CreditTransfer) => read_credit_transfer(&mut f, accounts),
        Some(InstructionKind::DirectDebit) => read_direct_debit(&mut f, accounts),
        Some(InstructionKind::Mandate) => read_mandate(&mut f, accounts),
        Some(InstructionKind::MandateCancellation) => read_cancellation(&mut f),
        None => {
            // Without a kind the other fields cannot be judged; report only the type.
            return Record {
                kind,
                key,
                outcome: Err(f
                    .finish()
                    .into_iter()
                    .filter(|p| p.field == "type")
                    .collect()),
            };
        }
    };
    let problems = f.finish();
    let outcome = match instruction {
        Some(instruction) if problems.is_empty() => Ok(instruction),
        _ => Err(problems),
    };
    Record { kind, key, outcome }
}

fn read_credit_transfer(f: &mut Fields<'_>, accounts: &AccountBook) -> Option<Instruction> {
    let id = f.parsed("id", true, InstructionId::parse);
    let scheme = read_scheme(f, SchemeKind::CreditTransfer);
    let (amount, account) = read_amount_and_account(f, accounts, "source_account", scheme, false);
    let requested_date = f.parsed("requested_date", false, parse_date);
    let remittance = read_remittance(f);
    let counterparty = f.object("counterparty", true).and_then(|mut c| {
        let party = read_party(&mut c);
        f.absorb(c);
        party
    });
    let charge_bearer = f.parsed("charge_bearer", false, str::parse::<ChargeBearer>);
    let urgent = f.boolean("urgent").unwrap_or(false);
    let category_purpose = f.parsed("category_purpose", false, CategoryPurpose::parse);
    if scheme.is_some_and(|s| s != Scheme::CrossBorder) {
        let only_cross_border = |what: &str| {
            RuleViolation::new(
                "scheme.cross_border_only",
                format!("{what} only with scheme CROSS_BORDER"),
                scheme.map_or("", |s| s.as_str()),
            )
        };
        if charge_bearer.is_some() {
            f.problem("charge_bearer", only_cross_border("charge_bearer"));
        }
        if urgent {
            f.problem("urgent", only_cross_border("urgent = true"));
        }
    }
    if let (Some(scheme), Some(amount), Some(party)) = (scheme, amount, &counterparty) {
        let routing: Vec<RoutingKind> = party.routing.iter().map(RoutingIdentifier::kind).collect();
        let candidate = SchemeCandidate {
            amount,
            counterparty_account: Some(party.account.kind()),
            counterparty_country: party.account.country(),
            counterparty_routing: &routing,
        };
        f.extend(scheme.check(&candidate));
    }
    Some(Instruction::CreditTransfer(CreditTransfer {
        id: id?,
        source_account: account?,
        scheme: scheme?,
        amount: amount?,
        requested_date,
        remittance: remittance?,
        counterparty: counterparty?,
        charge_bearer,
        urgent,
        category_purpose,
    }))
}

fn read_direct_debit(f: &mut Fields<'_>, accounts: &AccountBook) -> Option<Instruction> {
    let id = f.parsed("id", true, InstructionId::parse);
    let scheme = read_scheme(f, SchemeKind::DirectDebit);
    let (amount, account) = read_amount_and_account(f, accounts, "source_account", scheme, true);
    let requested_date = f.parsed("requested_date", true, parse_date);
    let mandate = f.parsed("mandate", true, MandateId::parse);
    let remittance = read_remittance(f);
    if let (Some(scheme), Some(amount)) = (scheme, amount) {
        let candidate = SchemeCandidate {
            amount,
            counterparty_account: None,
            counterparty_country: None,
            counterparty_routing: &[],
        };
        f.extend(scheme.check(&candidate));
    }
    Some(Instruction::DirectDebit(DirectDebit {
        id: id?,
        source_account: account?,
        scheme: scheme?,
        amount: amount?,
        requested_date: requested_date?,
        mandate: mandate?,
        remittance: remittance?,
    }))
}

fn read_mandate(f: &mut Fields<'_>, accounts: &AccountBook) -> Option<Instruction> {
    let id = f.parsed("id", true, MandateId::parse);
    let scheme = read_scheme(f, SchemeKind::DirectDebit);
    let creditor_account = f.parsed("creditor_account", true, |s| {
        if accounts.lookup(s)?.collecting {
            Ok(s.to_owned())
        } else {
            Err(not_collecting(s))
        }
    });
    let signed_on = f.parsed("signed_on", true, parse_date);
    let active = f.boolean("active").unwrap_or(false);
    let debtor = f.object("debtor", true).and_then(|mut d| {
        let party = read_party(&mut d);
        f.absorb(d);
        party
    });
    let amendment = match f.object("amendment", false) {
        None => Some(None),
        Some(mut a) => {
            let amendment = read_amendment(&mut a);
            f.absorb(a);
            amendment.map(Some)
        }
    };
    if let (Some(scheme), Some(debtor)) = (scheme, &debtor) {
        let sepa = matches!(
            scheme,
            Scheme::SepaDirectDebitCore | Scheme::SepaDirectDebitB2b
        );
        if sepa && debtor.account.kind() != AccountIdentifierKind::Iban {
            f.problem(
                "debtor.account.type",
                RuleViolation::new(
                    "scheme.account_type",
                    format!("IBAN for {scheme}"),
                    debtor.account.kind().as_str(),
                ),
            );
        }
    }
    Some(Instruction::Mandate(Mandate {
        id: id?,
        scheme: scheme?,
        creditor_account: creditor_account?,
        signed_on: signed_on?,
        active,
        debtor: debtor?,
        amendment: amendment?,
    }))
}

fn read_amendment(f: &mut Fields<'_>) -> Option<MandateAmendment> {
    let original_mandate_id = f.parsed("original_mandate_id", false, MandateId::parse);
    let original_creditor_id = f.parsed("original_creditor_id", false, CreditorId::parse);
    let debtor_account_changed = f.boolean("debtor_account_changed").unwrap_or(false);
    let amendment = MandateAmendment {
        original_mandate_id,
        original_creditor_id,
        debtor_account_changed,
    };
    let empty = amendment.original_mandate_id.is_none()
        && amendment.original_creditor_id.is_none()
        && !debtor_account_changed;
    if empty && !f.has_problems() {
        f.problem(
            "original_mandate_id",
            RuleViolation::new(
                "mandate.amendment_empty",
                "original_mandate_id, original_creditor_id or debtor_account_changed = true",
                "none of them",
            ),
        );
    }
    (!f.has_problems()).then_some(amendment)
}

fn read_cancellation(f: &mut Fields<'_>) -> Option<Instruction> {
    let mandate = f.parsed("mandate", true, MandateId::parse);
    let reason = f.parsed("reason", false, |s| check_text(s, MAX_UNSTRUCTURED_LEN));
    Some(Instruction::MandateCancellation(MandateCancellation {
        mandate: mandate?,
        reason,
    }))
}

fn read_scheme(f: &mut Fields<'_>, kind: SchemeKind) -> Option<Scheme> {
    f.parsed("scheme", true, |s| {
        let scheme: Scheme = s.parse()?;
        if scheme.kind() != kind {
            let expected = match kind {
                SchemeKind::CreditTransfer => "a credit transfer scheme",
                SchemeKind::DirectDebit => "a direct debit scheme",
            };
            return Err(RuleViolation::new("scheme.kind", expected, s));
        }
        Ok(scheme)
    })
}

/// Reads `amount` + `currency` and the named own account, and checks they agree.
fn read_amount_and_account(
    f: &mut Fields<'_>,
    accounts: &AccountBook,
    account_key: &'static str,
    scheme: Option<Scheme>,
    collecting: bool,
) -> (Option<Amount>, Option<String>) {
    let currency = f.parsed("currency", true, str::parse::<Currency>);
    let amount = match (f.value("amount"), currency) {
        (Some(Value::String(text)), Some(currency)) => match Amount::parse(text, currency) {
            Ok(amount) => Some(amount),
            Err(violation) => {
                f.problem("amount", violation);
                None
            }
        },
        (Some(Value::String(_)), None) => None,
        (Some(other), _) => {
            let v = RuleViolation::new(
                "amount.type",
                "a decimal text such as \"1250.00\" (JSON numbers are refused: no floating point)",
                describe(other),
            );
            f.problem("amount", v);
            None
        }
        (None, _) => {
            f.problem(
                "amount",
                RuleViolation::new("field.required", "a value", "nothing"),
            );
            None
        }
    };
    let account = f.parsed(account_key, true, |s| {
        let facts = accounts.lookup(s)?;
        Ok((s.to_owned(), facts.currency, facts.collecting))
    });
    if let (Some((id, _, _)), Some(scheme)) = (&account, scheme)
        && let Ok(AccountFacts {
            connection: Some((connection, schemes)),
            ..
        }) = accounts.lookup(id)
        && !schemes.contains(&scheme)
    {
        let carried: Vec<&str> = schemes.iter().map(|s| s.as_str()).collect();
        f.problem(
            "scheme",
            RuleViolation::new(
                "connection.scheme",
                format!(
                    "a scheme connection {connection} (of account {id}) carries: {}",
                    carried.join(", ")
                ),
                scheme.as_str(),
            ),
        );
    }
    if let Some((id, _, false)) = &account
        && collecting
    {
        f.problem(account_key, not_collecting(id));
    }
    if let (Some((id, account_currency, _)), Some(currency)) = (&account, currency) {
        let cross_border = scheme == Some(Scheme::CrossBorder);
        if *account_currency != currency && !cross_border {
            f.problem(
                "currency",
                RuleViolation::new(
                    "currency.account",
                    format!("{account_currency}, the currency of account {id}"),
                    currency.code(),
                ),
            );
        }
    }
    (amount, account.map(|(id, _, _)| id))
}

fn not_collecting(id: &str) -> RuleViolation {
    RuleViolation::new(
        "account.not_collecting",
        "an account with a creditor_id in the configuration",
        id,
    )
}

/// `reference`: a text, or `{"structured": "RF..."}`. `Some(None)` when absent.
fn read_remittance(f: &mut Fields<'_>) -> Option<Option<Remittance>> {
    match f.value("reference") {
        None => Some(None),
        Some(Value::String(text)) => match Remittance::unstructured(text) {
            Ok(r) => Some(Some(r)),
            Err(v) => {
                f.problem("reference", v);
                None
            }
        },
        Some(Value::Object(_)) => {
            let mut r = f.object("reference", true)?;
            let parsed = r.parsed("structured", true, CreditorReference::parse);
            f.absorb(r);
            parsed.map(|c| Some(Remittance::Structured(c)))
        }
        Some(other) => {
            let v = RuleViolation::new(
                "field.type",
                "a text, or an object {\"structured\": \"RF...\"}",
                describe(other),
            );
            f.problem("reference", v);
            None
        }
    }
}

fn read_party(f: &mut Fields<'_>) -> Option<Party> {
    let name = f.parsed("name", true, |s| check_text(s, MAX_NAME_LEN));
    let address = match f.object("address", false) {
        None => Some(None),
        Some(mut a) => {
            let address = read_address(&mut a);
            f.absorb(a);
            address.map(Some)
        }
    };
    let account = f.object("account", true).and_then(|mut a| {
        let account = read_account(&mut a);
        f.absorb(a);
        account
    });
    let mut routing = Vec::new();
    let mut routing_ok = true;
    let path = f.path_of("routing");
    for (index, item) in f.list("routing").unwrap_or_default().iter().enumerate() {
        match Fields::new(item, &format!("{path}[{index}]")) {
            Ok(mut r) => {
                let kind = r.parsed("type", true, str::parse::<RoutingKind>);
                let value = r.text("value", true);
                if let (Some(kind), Some(value)) = (kind, value) {
                    match RoutingIdentifier::parse(kind, value) {
                        Ok(id) => routing.push(id),
                        Err(v) => r.problem("value", v),
                    }
                }
                routing_ok &= !r.has_problems();
                f.absorb(r);
            }
            Err(problem) => {
                routing_ok = false;
                f.extend([problem]);
            }
        }
    }
    Some(Party {
        name: name?,
        address: address?,
        account: account?,
        routing: routing_ok.then_some(routing)?,
    })
}

fn read_address(f: &mut Fields<'_>) -> Option<PostalAddress> {
    let country = f.parsed("country", true, CountryCode::parse);
    let town = f.parsed("town", false, |s| check_text(s, 35));
    let postal_code = f.parsed("postal_code", false, |s| check_text(s, 16));
    let street = f.parsed("street", false, |s| check_text(s, 70));
    let building_number = f.parsed("building_number", false, |s| check_text(s, 16));
    let mut lines = Vec::new();
    let path = f.path_of("lines");
    let items = f.list("lines").unwrap_or_default();
    if items.len() > 2 {
        f.problem(
            "lines",
            RuleViolation::new(
                "address.lines",
                "at most 2 address lines",
                format!("{} lines", items.len()),
            ),
        );
    }
    for (index, item) in items.iter().enumerate() {
        let line = match item {
            Value::String(text) => check_text(text, 70),
            other => Err(RuleViolation::new(
                "field.type",
                "a text (JSON string)",
                describe(other),
            )),
        };
        match line {
            Ok(line) => lines.push(line),
            Err(v) => f.extend([FieldViolation::new(format!("{path}[{index}]"), v)]),
        }
    }
    Some(PostalAddress {
        country: country?,
        town,
        postal_code,
        street,
        building_number,
        lines,
    })
}

fn read_account(f: &mut Fields<'_>) -> Option<AccountIdentifier> {
    let kind = f.parsed("type", true, str::parse::<AccountIdentifierKind>);
    let country = f.parsed(
        "country",
        kind == Some(AccountIdentifierKind::Number),
        CountryCode::parse,
    );
    let number = f.text("number", true)?;
    match AccountIdentifier::parse(kind?, number, country) {
        Ok(account) => Some(account),
        Err(v) => {
            f.problem("number", v);
            None
        }
    }
}

/// Dates are ISO 8601 calendar dates, `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Result<Date, RuleViolation> {
    let shape = text.len() == 10 && text.as_bytes()[4] == b'-' && text.as_bytes()[7] == b'-';
    match text.parse::<Date>() {
        Ok(date) if shape => Ok(date),
        _ => Err(RuleViolation::new(
            "date.format",
            "a calendar date YYYY-MM-DD",
            text,
        )),
    }
}
