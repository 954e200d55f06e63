//! The ISO 20022 initiation messages bankgate writes.

use crate::named_enum;

named_enum! {
    /// A message definition and version bankgate can write.
    MessageVersion, "message" {
        Pain001V03 = "pain.001.001.03",
        Pain001V09 = "pain.001.001.09",
        Pain008V02 = "pain.008.001.02",
        Pain008V08 = "pain.008.001.08",
    }
}

impl MessageVersion {
    /// The XML namespace of the message's `Document`.
    pub fn namespace(self) -> String {
        format!("urn:iso:std:iso:20022:tech:xsd:{}", self.as_str())
    }

    /// Credit transfer initiation (pain.001), as opposed to direct debit (pain.008).
    pub fn is_credit_transfer(self) -> bool {
        matches!(
            self,
            MessageVersion::Pain001V03 | MessageVersion::Pain001V09
        )
    }

    /// The 2019 generation (.09/.08): `BICFI` instead of `BIC`, `ReqdExctnDt/Dt`.
    pub fn is_2019(self) -> bool {
        matches!(
            self,
            MessageVersion::Pain001V09 | MessageVersion::Pain008V08
        )
    }

    /// Name of the element holding a BIC in a `FinInstnId`.
    pub fn bic_element(self) -> &'static str {
        if self.is_2019() { "BICFI" } else { "BIC" }
    }
}
