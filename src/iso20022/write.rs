//! Writing a planned file as pain.001 (.03/.09) or pain.008 (.02/.08), streaming to any
//! `io::Write`: one transaction at a time, nothing of the XML is held in memory.

use std::borrow::Cow;
use std::io::{self, Write};

use jiff::tz::TimeZone;

use super::ids;
use super::message::MessageVersion;
use super::plan::{ADDRESS_LINE_MAX, ADDRESS_PARTS, Block, Plan, WARM_AHEAD, sepa_text, warm};
use super::xml::{Element, Run, Tag, Xml};
use crate::domain::account::{AccountIdentifier, Bic, RoutingIdentifier, RoutingKind};
use crate::domain::instruction::{
    CreditTransfer, DirectDebit, Instruction, MAX_NAME_LEN, Mandate, Party, PostalAddress,
};
use crate::domain::money::Amount;
use crate::domain::remittance::{MAX_UNSTRUCTURED_LEN, Remittance};

/// Writes the planned file; returns the writer.
pub fn write<W: Write>(plan: &Plan<'_>, out: W) -> io::Result<W> {
    let mut x = Xml::new(out, plan.indent);
    x.declaration()?;
    x.start_with("Document", &[("xmlns", &plan.message.namespace())])?;
    let root = if plan.message.is_credit_transfer() {
        "CstmrCdtTrfInitn"
    } else {
        "CstmrDrctDbtInitn"
    };
    x.start(root)?;
    group_header(&mut x, plan)?;
    let credit = plan
        .message
        .is_credit_transfer()
        .then(|| CreditTags::new(&x));
    for block in &plan.blocks {
        if let Some(tags) = &credit {
            credit_block(&mut x, plan, tags, block)?;
        } else {
            debit_block(&mut x, plan, block)?;
        }
    }
    x.end(root)?;
    x.end("Document")?;
    x.finish()
}

/// Text already validated by the plan; conversion cannot fail here, but never panic.
fn text<'t>(plan: &Plan<'_>, value: &'t str, max: usize) -> Cow<'t, str> {
    sepa_text(value, max, plan.strictness, "", "").unwrap_or(Cow::Borrowed("."))
}

/// A transaction's text: as it is when the plan found all of the transaction's texts
/// clean (the common case, checked once, in planning), else converted.
fn tx_text<'t>(plan: &Plan<'_>, clean: bool, value: &'t str, max: usize) -> Cow<'t, str> {
    if clean {
        Cow::Borrowed(value)
    } else {
        text(plan, value, max)
    }
}

/// The transaction's EndToEndId: its id when the plan found it clean, else mapped.
fn end_to_end_id(clean: bool, id: &str) -> Cow<'_, str> {
    if clean {
        Cow::Borrowed(id)
    } else {
        ids::end_to_end_id(id).0
    }
}

fn group_header<W: Write>(x: &mut Xml<W>, plan: &Plan<'_>) -> io::Result<()> {
    x.start("GrpHdr")?;
    x.text("MsgId", &plan.message_id)?;
    let created = plan.created_at.to_zoned(TimeZone::UTC);
    x.text(
        "CreDtTm",
        &created.strftime("%Y-%m-%dT%H:%M:%S").to_string(),
    )?;
    x.text("NbOfTxs", &plan.number_of_transactions.to_string())?;
    if plan.send_control_sum {
        x.text("CtrlSum", &plan.control_sum.to_string())?;
    }
    x.start("InitgPty")?;
    x.text("Nm", &text(plan, &plan.initiating_party.name, MAX_NAME_LEN))?;
    if let Some(org) = &plan.initiating_party.organisation_id {
        x.start("Id")?;
        x.start("OrgId")?;
        x.start("Othr")?;
        x.text("Id", org)?;
        x.end("Othr")?;
        x.end("OrgId")?;
        x.end("Id")?;
    }
    x.end("InitgPty")?;
    x.end("GrpHdr")
}

fn block_header<W: Write>(
    x: &mut Xml<W>,
    plan: &Plan<'_>,
    block: &Block<'_>,
    method: &str,
) -> io::Result<()> {
    x.text("PmtInfId", &block.id)?;
    x.text("PmtMtd", method)?;
    x.text(
        "BtchBookg",
        if plan.batch_booking { "true" } else { "false" },
    )?;
    x.text("NbOfTxs", &block.transactions.len().to_string())?;
    if plan.send_control_sum {
        x.text("CtrlSum", &block.control_sum.to_string())?;
    }
    let pt = block.payment_type;
    let any = pt.service_level.is_some()
        || pt.local_instrument.is_some()
        || block.sequence.is_some()
        || pt.category_purpose.is_some();
    if any {
        x.start("PmtTpInf")?;
        if let Some(code) = pt.service_level {
            x.start("SvcLvl")?;
            x.text("Cd", code)?;
            x.end("SvcLvl")?;
        }
        if let Some(code) = pt.local_instrument {
            x.start("LclInstrm")?;
            x.text("Cd", code)?;
            x.end("LclInstrm")?;
        }
        if let Some(sequence) = block.sequence {
            x.text("SeqTp", sequence.code())?;
        }
        if let Some(purpose) = pt.category_purpose {
            x.start("CtgyPurp")?;
            x.text("Cd", purpose.as_str())?;
            x.end("CtgyPurp")?;
        }
        x.end("PmtTpInf")?;
    }
    Ok(())
}

/// `<InstdAmt Ccy="EUR">12.50</InstdAmt>`.
fn instructed_amount<W: Write>(x: &mut Xml<W>, amount: Amount) -> io::Result<()> {
    let mut digits = [0; AMOUNT_TEXT];
    x.start_with("InstdAmt", &[("Ccy", amount.currency().code())])?;
    x.value(decimal_text(amount, &mut digits))?;
    x.tags(&[Tag::End("InstdAmt")])
}

/// Room for an `i64` of minor units with a sign and a decimal point.
const AMOUNT_TEXT: usize = 24;

/// The amount as [`Amount::decimal`] displays it (`1250.00`, `7` for JPY), written
/// digit by digit into `buffer`: once per transaction, and `fmt` with its width and
/// fill handling was a noticeable part of the writer's time.
fn decimal_text(amount: Amount, buffer: &mut [u8; AMOUNT_TEXT]) -> &str {
    let exponent = amount.currency().exponent() as usize;
    let mut rest = amount.minor_units().unsigned_abs();
    let mut at = buffer.len();
    let mut digits = 0;
    loop {
        if digits == exponent && exponent > 0 {
            at -= 1;
            buffer[at] = b'.';
        }
        at -= 1;
        buffer[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        digits += 1;
        if rest == 0 && digits > exponent {
            break;
        }
    }
    if amount.minor_units() < 0 {
        at -= 1;
        buffer[at] = b'-';
    }
    std::str::from_utf8(&buffer[at..]).unwrap_or("0")
}

/// A mandatory agent: its BIC, or `Othr/Id` `NOTPROVIDED` (IBAN-only SEPA).
fn agent<W: Write>(
    x: &mut Xml<W>,
    plan: &Plan<'_>,
    name: &'static str,
    bic: Option<&Bic>,
) -> io::Result<()> {
    x.start(name)?;
    x.start("FinInstnId")?;
    match bic {
        Some(bic) => x.text(plan.message.bic_element(), bic.as_str())?,
        None => {
            x.start("Othr")?;
            x.text("Id", "NOTPROVIDED")?;
            x.end("Othr")?;
        }
    }
    x.end("FinInstnId")?;
    x.end(name)
}

/// Own-bank agent: the account's BIC, or `NOTPROVIDED`.
fn own_agent<W: Write>(
    x: &mut Xml<W>,
    plan: &Plan<'_>,
    name: &'static str,
    block: &Block<'_>,
) -> io::Result<()> {
    agent(x, plan, name, block.account.bic.as_ref())
}

fn own_account<W: Write>(x: &mut Xml<W>, name: &'static str, block: &Block<'_>) -> io::Result<()> {
    x.start(name)?;
    x.start("Id")?;
    x.text("IBAN", block.account.iban.as_str())?;
    x.end("Id")?;
    x.end(name)
}

fn credit_block<W: Write>(
    x: &mut Xml<W>,
    plan: &Plan<'_>,
    tags: &CreditTags,
    block: &Block<'_>,
) -> io::Result<()> {
    x.start("PmtInf")?;
    block_header(x, plan, block, "TRF")?;
    let date = block.date.to_string();
    if plan.message == MessageVersion::Pain001V09 {
        x.start("ReqdExctnDt")?;
        x.text("Dt", &date)?;
        x.end("ReqdExctnDt")?;
    } else {
        x.text("ReqdExctnDt", &date)?;
    }
    x.start("Dbtr")?;
    x.text("Nm", &text(plan, &block.account.name, MAX_NAME_LEN))?;
    x.end("Dbtr")?;
    own_account(x, "DbtrAcct", block)?;
    own_agent(x, plan, "DbtrAgt", block)?;
    x.text("ChrgBr", block.payment_type.charge_bearer)?;
    use Tag::{End, Start, StartWith};
    let currency = ("Ccy", block.currency.code());
    let amount = x.prepare(&[
        End("EndToEndId"),
        End("PmtId"),
        Start("Amt"),
        StartWith("InstdAmt", currency),
    ]);
    let send_bic = plan.send_optional_bic || !block.payment_type.sepa;
    let transactions = &block.transactions;
    let mut warmed = 0;
    for (n, &index) in transactions.iter().enumerate() {
        // A block takes every n-th instruction or so, far apart in memory: the texts of
        // the next [`WARM_AHEAD`] transactions are warmed together, every [`WARM_AHEAD`]
        // transactions, so that their reads from memory overlap each other (one at a
        // time, each would wait for its instruction's fields first).
        if n % WARM_AHEAD == 0 {
            for &ahead in transactions.iter().skip(n + WARM_AHEAD).take(WARM_AHEAD) {
                warmed ^= warm(&plan.instructions[ahead as usize]);
            }
        }
        if let Instruction::CreditTransfer(ct) = &plan.instructions[index as usize] {
            let clean = plan.is_clean(index);
            credit_transaction(x, plan, tags, &amount, send_bic, ct, clean)?;
        }
    }
    std::hint::black_box(warmed);
    x.end("PmtInf")
}

/// The tags of a `CdtTrfTxInf`, prepared once per file: runs of tags with nothing
/// between them, so that a transaction is a few copies of prepared bytes between its
/// texts, with no lookup.
struct CreditTags {
    /// `<CdtTrfTxInf><PmtId><EndToEndId>`
    open: Run,
    /// `</InstdAmt></Amt>`, then the creditor agent.
    amount_end: Run,
    /// `</InstdAmt></Amt><Cdtr><Nm>`, when there is no creditor agent.
    amount_to_name: Run,
    /// `<Cdtr><Nm>`
    name: Run,
    /// `</Nm><PstlAdr>`
    name_to_address: Run,
    /// `</Nm></Cdtr>`
    name_end: Run,
    /// The elements of [`ADDRESS_PARTS`], in its order.
    address: [Element; 4],
    country: Element,
    line: Element,
    /// `</PstlAdr></Cdtr>`
    address_end: Run,
    /// `<CdtrAcct><Id><IBAN>`
    iban: Run,
    /// `</IBAN></Id></CdtrAcct><RmtInf><Ustrd>`
    iban_to_reference: Run,
    /// `</IBAN></Id></CdtrAcct></CdtTrfTxInf>`
    iban_to_end: Run,
    /// `</Ustrd></RmtInf></CdtTrfTxInf>`
    reference_to_end: Run,
    /// `</CdtTrfTxInf>`
    end: Run,
}

impl CreditTags {
    fn new<W: Write>(x: &Xml<W>) -> Self {
        use Tag::{End, Start};
        Self {
            open: x.prepare(&[Start("CdtTrfTxInf"), Start("PmtId"), Start("EndToEndId")]),
            amount_end: x.prepare(&[End("InstdAmt"), End("Amt")]),
            amount_to_name: x.prepare(&[End("InstdAmt"), End("Amt"), Start("Cdtr"), Start("Nm")]),
            name: x.prepare(&[Start("Cdtr"), Start("Nm")]),
            name_to_address: x.prepare(&[End("Nm"), Start("PstlAdr")]),
            name_end: x.prepare(&[End("Nm"), End("Cdtr")]),
            address: ADDRESS_PARTS.map(|part| x.element(part.element)),
            country: x.element("Ctry"),
            line: x.element("AdrLine"),
            address_end: x.prepare(&[End("PstlAdr"), End("Cdtr")]),
            iban: x.prepare(&[Start("CdtrAcct"), Start("Id"), Start("IBAN")]),
            iban_to_reference: x.prepare(&[
                End("IBAN"),
                End("Id"),
                End("CdtrAcct"),
                Start("RmtInf"),
                Start("Ustrd"),
            ]),
            iban_to_end: x.prepare(&[End("IBAN"), End("Id"), End("CdtrAcct"), End("CdtTrfTxInf")]),
            reference_to_end: x.prepare(&[End("Ustrd"), End("RmtInf"), End("CdtTrfTxInf")]),
            end: x.prepare(&[End("CdtTrfTxInf")]),
        }
    }
}

/// One `CdtTrfTxInf`: the hot path of the writer. The common shape (IBAN, unstructured
/// or no reference) goes through prepared runs ([`CreditTags`]); other accounts and
/// structured references through the general functions.
fn credit_transaction<W: Write>(
    x: &mut Xml<W>,
    plan: &Plan<'_>,
    tags: &CreditTags,
    amount_tags: &Run,
    send_bic: bool,
    ct: &CreditTransfer,
    clean: bool,
) -> io::Result<()> {
    x.run(&tags.open)?;
    x.value(&end_to_end_id(clean, ct.id.as_str()))?;
    x.run(amount_tags)?;
    let mut digits = [0; AMOUNT_TEXT];
    x.value(decimal_text(ct.amount, &mut digits))?;
    let party = &ct.counterparty;
    if counterparty_agent(x, plan, "CdtrAgt", party, send_bic, &tags.amount_end)? {
        x.run(&tags.name)?;
    } else {
        x.run(&tags.amount_to_name)?;
    }
    x.value(&tx_text(plan, clean, &party.name, MAX_NAME_LEN))?;
    match &party.address {
        Some(address) => {
            x.run(&tags.name_to_address)?;
            for (element, part) in tags.address.iter().zip(&ADDRESS_PARTS) {
                if let Some(value) = (part.value)(address) {
                    x.text_in(element, &tx_text(plan, clean, value, part.max))?;
                }
            }
            x.text_in(&tags.country, address.country.as_str())?;
            for line in &address.lines {
                x.text_in(&tags.line, &tx_text(plan, clean, line, ADDRESS_LINE_MAX))?;
            }
            x.run(&tags.address_end)?;
        }
        None => x.run(&tags.name_end)?,
    }
    let reference = match &ct.remittance {
        None => None,
        Some(Remittance::Unstructured(value)) => Some(value),
        Some(structured @ Remittance::Structured(_)) => {
            counterparty_account(x, "CdtrAcct", &party.account)?;
            remittance(x, plan, Some(structured), clean)?;
            return x.run(&tags.end);
        }
    };
    let AccountIdentifier::Iban(iban) = &party.account else {
        counterparty_account(x, "CdtrAcct", &party.account)?;
        remittance(x, plan, ct.remittance.as_ref(), clean)?;
        return x.run(&tags.end);
    };
    x.run(&tags.iban)?;
    x.value(iban.as_str())?;
    match reference {
        Some(value) => {
            x.run(&tags.iban_to_reference)?;
            x.value(&tx_text(plan, clean, value, MAX_UNSTRUCTURED_LEN))?;
            x.run(&tags.reference_to_end)
        }
        None => x.run(&tags.iban_to_end),
    }
}

fn debit_block<W: Write>(x: &mut Xml<W>, plan: &Plan<'_>, block: &Block<'_>) -> io::Result<()> {
    x.start("PmtInf")?;
    block_header(x, plan, block, "DD")?;
    x.text("ReqdColltnDt", &block.date.to_string())?;
    x.start("Cdtr")?;
    x.text("Nm", &text(plan, &block.account.name, MAX_NAME_LEN))?;
    x.end("Cdtr")?;
    own_account(x, "CdtrAcct", block)?;
    own_agent(x, plan, "CdtrAgt", block)?;
    x.text("ChrgBr", block.payment_type.charge_bearer)?;
    if let Some(creditor_id) = &block.account.creditor_id {
        scheme_id(x, "CdtrSchmeId", creditor_id.as_str())?;
    }
    for &index in &block.transactions {
        if let Instruction::DirectDebit(dd) = &plan.instructions[index as usize]
            && let Some(mandate) = plan.mandates.get(dd.mandate.as_str())
        {
            debit_transaction(x, plan, block, dd, mandate, plan.is_clean(index))?;
        }
    }
    x.end("PmtInf")
}

/// `<name><Id><PrvtId><Othr><Id>..</Id><SchmeNm><Prtry>SEPA</Prtry></SchmeNm></Othr>...`
fn scheme_id<W: Write>(x: &mut Xml<W>, name: &'static str, creditor_id: &str) -> io::Result<()> {
    x.start(name)?;
    x.start("Id")?;
    x.start("PrvtId")?;
    x.start("Othr")?;
    x.text("Id", creditor_id)?;
    x.start("SchmeNm")?;
    x.text("Prtry", "SEPA")?;
    x.end("SchmeNm")?;
    x.end("Othr")?;
    x.end("PrvtId")?;
    x.end("Id")?;
    x.end(name)
}

fn debit_transaction<W: Write>(
    x: &mut Xml<W>,
    plan: &Plan<'_>,
    block: &Block<'_>,
    dd: &DirectDebit,
    mandate: &Mandate,
    clean: bool,
) -> io::Result<()> {
    use Tag::{End, Start};
    x.tags(&[Start("DrctDbtTxInf"), Start("PmtId"), Start("EndToEndId")])?;
    x.value(&end_to_end_id(clean, dd.id.as_str()))?;
    x.tags(&[End("EndToEndId"), End("PmtId")])?;
    instructed_amount(x, dd.amount)?;
    x.start("DrctDbtTx")?;
    x.start("MndtRltdInf")?;
    x.text("MndtId", mandate.id.as_str())?;
    x.text("DtOfSgntr", &mandate.signed_on.to_string())?;
    if let Some(amendment) = &mandate.amendment {
        x.text("AmdmntInd", "true")?;
        x.start("AmdmntInfDtls")?;
        if let Some(original) = &amendment.original_mandate_id {
            x.text("OrgnlMndtId", original.as_str())?;
        }
        if let Some(original) = &amendment.original_creditor_id {
            scheme_id(x, "OrgnlCdtrSchmeId", original.as_str())?;
        }
        if amendment.debtor_account_changed {
            x.start("OrgnlDbtrAcct")?;
            x.start("Id")?;
            x.start("Othr")?;
            x.text("Id", "SMNDA")?;
            x.end("Othr")?;
            x.end("Id")?;
            x.end("OrgnlDbtrAcct")?;
        }
        x.end("AmdmntInfDtls")?;
    }
    x.end("MndtRltdInf")?;
    x.end("DrctDbtTx")?;
    // The debtor agent is mandatory in pain.008: the BIC, or NOTPROVIDED (IBAN-only SEPA).
    let bic = mandate.debtor.routing.iter().find_map(|r| match r {
        RoutingIdentifier::Bic(bic) if plan.send_optional_bic || !block.payment_type.sepa => {
            Some(bic)
        }
        _ => None,
    });
    agent(x, plan, "DbtrAgt", bic)?;
    debtor(x, plan, &mandate.debtor, clean)?;
    counterparty_account(x, "DbtrAcct", &mandate.debtor.account)?;
    remittance(x, plan, dd.remittance.as_ref(), clean)?;
    x.end("DrctDbtTxInf")
}

/// A mandate's debtor: `<Dbtr><Nm>...</Nm>`, its address, `</Dbtr>`. (The creditor of a
/// credit transfer is written by [`credit_transaction`] from prepared runs.)
fn debtor<W: Write>(x: &mut Xml<W>, plan: &Plan<'_>, party: &Party, clean: bool) -> io::Result<()> {
    use Tag::{End, Start};
    x.tags(&[Start("Dbtr"), Start("Nm")])?;
    x.value(&tx_text(plan, clean, &party.name, MAX_NAME_LEN))?;
    match &party.address {
        Some(address) => {
            x.tags(&[End("Nm"), Start("PstlAdr")])?;
            postal_address(x, plan, address, clean)?;
        }
        None => x.tags(&[End("Nm")])?,
    }
    x.tags(&[End("Dbtr")])
}

/// The inside of `PstlAdr` and its end tag.
fn postal_address<W: Write>(
    x: &mut Xml<W>,
    plan: &Plan<'_>,
    address: &PostalAddress,
    clean: bool,
) -> io::Result<()> {
    for part in &ADDRESS_PARTS {
        if let Some(value) = (part.value)(address) {
            x.text(part.element, &tx_text(plan, clean, value, part.max))?;
        }
    }
    x.text("Ctry", address.country.as_str())?;
    for line in &address.lines {
        x.text("AdrLine", &tx_text(plan, clean, line, ADDRESS_LINE_MAX))?;
    }
    x.tags(&[Tag::End("PstlAdr")])
}

/// The counterparty's bank: BIC (when wanted) and/or a clearing system member id, after
/// the run `before`. Returns whether it wrote anything (else `before` is not written
/// either, so the caller can write it merged with what follows).
fn counterparty_agent<W: Write>(
    x: &mut Xml<W>,
    plan: &Plan<'_>,
    name: &'static str,
    party: &Party,
    send_bic: bool,
    before: &Run,
) -> io::Result<bool> {
    let bic = party.routing.iter().find_map(|r| match r {
        RoutingIdentifier::Bic(bic) => Some(bic.as_str()),
        RoutingIdentifier::Clearing { .. } => None,
    });
    let bic = bic.filter(|_| send_bic);
    let clearing = clearing_member(party);
    if bic.is_none() && clearing.is_none() {
        return Ok(false);
    }
    x.run(before)?;
    x.start(name)?;
    x.start("FinInstnId")?;
    if let Some(bic) = bic {
        x.text(plan.message.bic_element(), bic)?;
    }
    if let Some((system, member)) = clearing {
        x.start("ClrSysMmbId")?;
        x.start("ClrSysId")?;
        match system {
            ClearingSystem::Code(code) => x.text("Cd", code)?,
            ClearingSystem::Proprietary(name) => x.text("Prtry", name)?,
        }
        x.end("ClrSysId")?;
        x.text("MmbId", &member)?;
        x.end("ClrSysMmbId")?;
    }
    x.end("FinInstnId")?;
    x.end(name)?;
    Ok(true)
}

enum ClearingSystem {
    Code(&'static str),
    Proprietary(&'static str),
}

/// The clearing system member id of the counterparty's bank: a routing identifier given
/// in the instruction, or what the account itself implies (Swedish clearing number,
/// Bankgirot 9900, PlusGirot 9960).
fn clearing_member(party: &Party) -> Option<(ClearingSystem, String)> {
    let given = party.routing.iter().find_map(|r| match r {
        RoutingIdentifier::Clearing { kind, value } => Some((*kind, value.clone())),
        RoutingIdentifier::Bic(_) => None,
    });
    if let Some((kind, value)) = given {
        let system = match kind.iso_clearing_system() {
            Some(code) => ClearingSystem::Code(code),
            None => ClearingSystem::Proprietary(kind.as_str()),
        };
        return Some((system, value));
    }
    match &party.account {
        AccountIdentifier::Number(number) => number
            .sweden()
            .map(|se| (sesba(), se.clearing().to_owned())),
        AccountIdentifier::SeBankgiro(_) => Some((sesba(), "9900".to_owned())),
        AccountIdentifier::SePlusgiro(_) => Some((sesba(), "9960".to_owned())),
        AccountIdentifier::Iban(_) => None,
    }
}

fn sesba() -> ClearingSystem {
    ClearingSystem::Code(
        RoutingKind::SeClearing
            .iso_clearing_system()
            .unwrap_or("SESBA"),
    )
}

fn counterparty_account<W: Write>(
    x: &mut Xml<W>,
    name: &'static str,
    account: &AccountIdentifier,
) -> io::Result<()> {
    x.start(name)?;
    x.start("Id")?;
    let (id, scheme_code, proprietary) = match account {
        AccountIdentifier::Iban(iban) => {
            x.text("IBAN", iban.as_str())?;
            x.end("Id")?;
            return x.end(name);
        }
        AccountIdentifier::Number(number) => {
            let id = if let Some(se) = number.sweden() {
                format!("{}{}", se.clearing(), se.account())
            } else if let Some((reg, account)) = number.dk_parts() {
                format!("{reg}{account}")
            } else {
                number.as_str().to_owned()
            };
            (id, Some("BBAN"), None)
        }
        AccountIdentifier::SeBankgiro(bg) => (bg.as_str().to_owned(), None, Some("BGNR")),
        AccountIdentifier::SePlusgiro(pg) => (pg.as_str().to_owned(), Some("BBAN"), None),
    };
    x.start("Othr")?;
    x.text("Id", &id)?;
    x.start("SchmeNm")?;
    if let Some(code) = scheme_code {
        x.text("Cd", code)?;
    }
    if let Some(code) = proprietary {
        x.text("Prtry", code)?;
    }
    x.end("SchmeNm")?;
    x.end("Othr")?;
    x.end("Id")?;
    x.end(name)
}

fn remittance<W: Write>(
    x: &mut Xml<W>,
    plan: &Plan<'_>,
    remittance: Option<&Remittance>,
    clean: bool,
) -> io::Result<()> {
    use Tag::{End, Start};
    match remittance {
        None => Ok(()),
        Some(Remittance::Unstructured(value)) => {
            x.tags(&[Start("RmtInf"), Start("Ustrd")])?;
            x.value(&tx_text(plan, clean, value, MAX_UNSTRUCTURED_LEN))?;
            x.tags(&[End("Ustrd"), End("RmtInf")])
        }
        Some(Remittance::Structured(reference)) => {
            x.start("RmtInf")?;
            x.start("Strd")?;
            x.start("CdtrRefInf")?;
            x.start("Tp")?;
            x.start("CdOrPrtry")?;
            x.text("Cd", "SCOR")?;
            x.end("CdOrPrtry")?;
            x.text("Issr", "ISO")?;
            x.end("Tp")?;
            x.text("Ref", reference.as_str())?;
            x.end("CdtrRefInf")?;
            x.end("Strd")?;
            x.end("RmtInf")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::money::Currency;

    #[test]
    fn amounts_are_written_as_their_decimal_display() {
        let values = [
            1,
            9,
            10,
            99,
            100,
            101,
            1_000,
            123_456,
            2_500_000,
            999_999_999_999_999_999,
        ];
        for currency in [Currency::EUR, Currency::JPY, Currency::ISK, Currency::SEK] {
            for minor in values {
                let amount = Amount::from_minor(minor, currency).unwrap();
                let mut buffer = [0; AMOUNT_TEXT];
                assert_eq!(
                    decimal_text(amount, &mut buffer),
                    amount.decimal().to_string(),
                    "{minor} {currency}"
                );
            }
        }
    }
}
