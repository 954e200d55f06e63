//! ISO 20022 messages: the only module that knows XML.

pub mod charset;
