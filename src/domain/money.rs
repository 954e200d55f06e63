//! Money: integer minor units plus an ISO 4217 currency. Never floating point.
//!
//! Decimal strings are parsed with `rust_decimal` at the edge and immediately turned
//! into minor units; arithmetic is integer arithmetic, checked against the ISO 20022
//! amount limit (at most 18 digits).

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;

use super::rule::RuleViolation;

/// Largest number of minor units an amount may have: ISO 20022 amounts have
/// `totalDigits 18`, so at most 18 digits in total.
pub const MAX_MINOR_UNITS: i64 = 999_999_999_999_999_999;

macro_rules! currencies {
    ($($code:ident = $exponent:literal),+ $(,)?) => {
        /// An ISO 4217 currency bankgate knows the minor-unit exponent of.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Currency { $($code),+ }

        impl Currency {
            /// Every supported currency, in code order.
            pub const ALL: &'static [Currency] = &[$(Currency::$code),+];

            /// Number of decimals of the minor unit (ISO 4217 "minor unit").
            pub const fn exponent(self) -> u32 {
                match self { $(Currency::$code => $exponent),+ }
            }

            pub const fn code(self) -> &'static str {
                match self { $(Currency::$code => stringify!($code)),+ }
            }
        }

        impl FromStr for Currency {
            type Err = RuleViolation;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $(stringify!($code) => Ok(Currency::$code),)+
                    _ => Err(RuleViolation::new(
                        "currency.supported",
                        "an ISO 4217 code bankgate supports (e.g. EUR, SEK, DKK, USD)",
                        s,
                    )),
                }
            }
        }
    };
}

currencies! {
    AUD = 2, BGN = 2, CAD = 2, CHF = 2, CNY = 2, CZK = 2, DKK = 2, EUR = 2, GBP = 2,
    HUF = 2, INR = 2, ISK = 0, JPY = 0, NOK = 2, PLN = 2, RON = 2, SEK = 2, USD = 2,
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A strictly positive amount of money in minor units of its currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Amount {
    minor: i64,
    currency: Currency,
}

impl Amount {
    /// Builds an amount from minor units; zero, negative and over-limit values are refused.
    pub fn from_minor(minor: i64, currency: Currency) -> Result<Self, RuleViolation> {
        if minor <= 0 {
            return Err(RuleViolation::new(
                "amount.positive",
                "an amount greater than zero",
                format_minor(minor, currency.exponent()),
            ));
        }
        if minor > MAX_MINOR_UNITS {
            return Err(RuleViolation::new(
                "amount.limit",
                "at most 18 digits (ISO 20022 amount limit)",
                format_minor(minor, currency.exponent()),
            ));
        }
        Ok(Self { minor, currency })
    }

    /// Parses a plain decimal string such as `1250.00` or `7` for the given currency.
    ///
    /// Accepted shape: digits, optionally a dot and more digits. Signs, exponents,
    /// thousands separators and commas are refused, as are more decimals than the
    /// currency has, zero, and values beyond the ISO 20022 limit.
    pub fn parse(text: &str, currency: Currency) -> Result<Self, RuleViolation> {
        let shape_ok = {
            let mut parts = text.splitn(2, '.');
            let int = parts.next().unwrap_or("");
            let frac = parts.next();
            !int.is_empty()
                && int.bytes().all(|b| b.is_ascii_digit())
                && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
        };
        if !shape_ok {
            let rule = if text.starts_with('-') {
                "amount.positive"
            } else {
                "amount.format"
            };
            return Err(RuleViolation::new(
                rule,
                "a positive decimal number with a dot as separator, e.g. 1250.00",
                text,
            ));
        }
        let decimals = text.split_once('.').map_or(0, |(_, f)| f.len());
        // Trailing zeros beyond the exponent are still "too many decimals": banks reject them.
        if decimals > currency.exponent() as usize {
            return Err(RuleViolation::new(
                "amount.decimals",
                format!("at most {} decimals for {}", currency.exponent(), currency),
                text,
            ));
        }
        let too_large = || {
            RuleViolation::new(
                "amount.limit",
                "at most 18 digits (ISO 20022 amount limit)",
                text,
            )
        };
        let value = Decimal::from_str_exact(text).map_err(|_| too_large())?;
        let minor = value
            .checked_mul(Decimal::from(10_i64.pow(currency.exponent())))
            .ok_or_else(too_large)?;
        let minor: i64 = minor.trunc().try_into().map_err(|_| too_large())?;
        Self::from_minor(minor, currency)
    }

    pub fn minor_units(&self) -> i64 {
        self.minor
    }

    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// The amount as a `rust_decimal::Decimal` with exactly the currency's decimals.
    pub fn to_decimal(&self) -> Decimal {
        Decimal::new(self.minor, self.currency.exponent())
    }

    /// The amount as a plain decimal string with the currency's decimals, e.g. `1250.00`.
    pub fn to_decimal_string(&self) -> String {
        self.decimal().to_string()
    }

    /// Displays as `to_decimal_string` does, without allocating.
    pub fn decimal(&self) -> impl fmt::Display + '_ {
        DecimalText(self)
    }

    /// Exact sum of two amounts in the same currency.
    pub fn checked_add(self, other: Amount) -> Result<Amount, RuleViolation> {
        if self.currency != other.currency {
            return Err(RuleViolation::new(
                "amount.currency_mix",
                format!("amounts in {}", self.currency),
                format!("an amount in {}", other.currency),
            ));
        }
        let sum = self.minor.checked_add(other.minor).unwrap_or(i64::MAX);
        Amount::from_minor(sum, self.currency)
    }

    /// Exact sum of a non-empty list of amounts in one currency.
    pub fn sum<I: IntoIterator<Item = Amount>>(
        amounts: I,
    ) -> Result<Option<Amount>, RuleViolation> {
        let mut total: Option<Amount> = None;
        for amount in amounts {
            total = Some(match total {
                None => amount,
                Some(t) => t.checked_add(amount)?,
            });
        }
        Ok(total)
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.to_decimal_string(), self.currency)
    }
}

struct DecimalText<'a>(&'a Amount);

impl fmt::Display for DecimalText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let exponent = self.0.currency.exponent();
        if exponent == 0 {
            return write!(f, "{}", self.0.minor);
        }
        let scale = 10_i64.pow(exponent);
        let width = exponent as usize;
        write!(
            f,
            "{}.{:0width$}",
            self.0.minor / scale,
            self.0.minor % scale
        )
    }
}

fn format_minor(minor: i64, exponent: u32) -> String {
    Decimal::new(minor, exponent).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn check(text: &str, currency: Currency, expected: Result<i64, &str>) {
        let got = Amount::parse(text, currency)
            .map(|a| a.minor_units())
            .map_err(|e| e.rule);
        assert_eq!(got, expected, "input {text:?} {currency}");
    }

    #[test]
    fn parse_vectors() {
        check("1250.00", Currency::EUR, Ok(125_000));
        check("1250", Currency::EUR, Ok(125_000));
        check("0.01", Currency::EUR, Ok(1));
        check("1.5", Currency::SEK, Ok(150));
        check("100", Currency::JPY, Ok(100));
        check("100.0", Currency::JPY, Err("amount.decimals"));
        check("1.001", Currency::EUR, Err("amount.decimals"));
        check("1.000", Currency::EUR, Err("amount.decimals"));
        check("0", Currency::EUR, Err("amount.positive"));
        check("0.00", Currency::EUR, Err("amount.positive"));
        check("-5.00", Currency::EUR, Err("amount.positive"));
        check("+5.00", Currency::EUR, Err("amount.format"));
        check("5,00", Currency::EUR, Err("amount.format"));
        check("1e5", Currency::EUR, Err("amount.format"));
        check("1 000", Currency::EUR, Err("amount.format"));
        check(".5", Currency::EUR, Err("amount.format"));
        check("5.", Currency::EUR, Err("amount.format"));
        check("", Currency::EUR, Err("amount.format"));
        check("9999999999999999.99", Currency::EUR, Ok(MAX_MINOR_UNITS));
        check("10000000000000000.00", Currency::EUR, Err("amount.limit"));
        check("999999999999999999", Currency::JPY, Ok(MAX_MINOR_UNITS));
        check("1000000000000000000", Currency::JPY, Err("amount.limit"));
        check(
            "99999999999999999999999999999999",
            Currency::EUR,
            Err("amount.limit"),
        );
    }

    #[test]
    fn sums_are_exact_and_refuse_mixed_currencies() {
        let tenth = Amount::parse("0.10", Currency::EUR).unwrap();
        let total = Amount::sum(std::iter::repeat_n(tenth, 10))
            .unwrap()
            .unwrap();
        assert_eq!(total.to_decimal_string(), "1.00");
        let sek = Amount::parse("1", Currency::SEK).unwrap();
        assert_eq!(
            tenth.checked_add(sek).map_err(|e| e.rule),
            Err("amount.currency_mix")
        );
        let max = Amount::from_minor(MAX_MINOR_UNITS, Currency::EUR).unwrap();
        assert_eq!(
            max.checked_add(tenth).map_err(|e| e.rule),
            Err("amount.limit")
        );
        assert_eq!(Amount::sum(Vec::new()), Ok(None));
    }

    #[test]
    fn currency_codes_round_trip() {
        for c in Currency::ALL {
            assert_eq!(c.code().parse::<Currency>(), Ok(*c));
        }
        assert_eq!(Currency::JPY.exponent(), 0);
        assert_eq!(
            "eur".parse::<Currency>().map_err(|e| e.rule),
            Err("currency.supported")
        );
    }

    proptest! {
        #[test]
        fn format_then_parse_round_trips(minor in 1i64..=MAX_MINOR_UNITS, idx in 0usize..Currency::ALL.len()) {
            let currency = Currency::ALL[idx];
            let amount = Amount::from_minor(minor, currency).unwrap();
            let text = amount.to_decimal_string();
            prop_assert_eq!(Amount::parse(&text, currency), Ok(amount));
            prop_assert_eq!(amount.to_decimal(), Decimal::from_str_exact(&text).unwrap());
        }

        #[test]
        fn parse_then_format_is_canonical(int in "[1-9][0-9]{0,12}", frac in "[0-9]{2}") {
            let text = format!("{int}.{frac}");
            let amount = Amount::parse(&text, Currency::EUR).unwrap();
            prop_assert_eq!(amount.to_decimal_string(), text);
        }
    }
}
