//! ISO 20022 messages: the only module that knows XML.
//!
//! Inbound: [`read::XmlReader`] is the hardened pull reader the pain.002 and camt parsers
//! use; [`report`] holds what they produce.
//!
//! Outbound: [`render`] turns validated instructions into a pain.001 (credit transfers)
//! or pain.008 (direct debits) file for one bank [`profile::Profile`], streaming the XML
//! to any writer. Every problem is found by [`plan::plan`] before a byte is written.

pub mod bank_report;
pub mod camt;
pub mod charset;
pub mod ids;
pub mod initiation;
pub mod message;
pub mod pain002;
pub mod plan;
pub mod profile;
pub mod read;
pub mod report;
mod write;
mod xml;

use std::io::Write;

pub use message::MessageVersion;
pub use plan::{RenderInput, RenderProblem};
pub use profile::{InitiatingParty, Profile};

/// What a rendered file is, for the caller to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub message: MessageVersion,
    pub message_id: String,
    pub number_of_transactions: u64,
    pub control_sum: String,
    pub payment_information_ids: Vec<String>,
    /// Per block (parallel to `payment_information_ids`): the positions of its
    /// transactions in the input instructions.
    pub block_transactions: Vec<Vec<u32>>,
    /// Instruction id → EndToEndId for ids that could not be sent as they are.
    pub mapped_end_to_end_ids: Vec<(String, String)>,
}

/// Why rendering failed.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("{} problem(s) in the instructions", .0.len())]
    Invalid(Vec<RenderProblem>),
    #[error("writing the file failed: {0}")]
    Io(#[from] std::io::Error),
}

/// Checks, groups and writes the instructions as one file.
pub fn render<W: Write>(input: &RenderInput<'_>, out: W) -> Result<(Rendered, W), RenderError> {
    let plan = plan::plan(input).map_err(RenderError::Invalid)?;
    let out = write::write(&plan, out)?;
    let rendered = Rendered {
        message: plan.message,
        message_id: plan.message_id.clone(),
        number_of_transactions: plan.number_of_transactions,
        control_sum: plan.control_sum.to_string(),
        payment_information_ids: plan.blocks.iter().map(|b| b.id.clone()).collect(),
        block_transactions: plan.blocks.iter().map(|b| b.transactions.clone()).collect(),
        mapped_end_to_end_ids: plan.mapped_end_to_end_ids,
    };
    Ok((rendered, out))
}
