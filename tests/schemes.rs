//! Scheme catalogue: every scheme against valid and invalid currency, account kind,
//! country, amount and routing.

use bankgate::domain::account::{AccountIdentifierKind, RoutingKind};
use bankgate::domain::calendar::CalendarId;
use bankgate::domain::country::CountryCode;
use bankgate::domain::money::{Amount, Currency};
use bankgate::domain::scheme::{Iso20022, Scheme, SchemeCandidate, SchemeKind};

use AccountIdentifierKind::{Iban, Number, SeBankgiro as Bg, SePlusgiro as Pg};
use Currency::{DKK, EUR, GBP, SEK, USD};
use RoutingKind::{Bic, GbDsc, SeClearing, UsAba};

/// `scheme` checked against an instruction of `amount` `currency` to an account of
/// `account` kind in `country` with `routing` yields exactly `expected`
/// `(field, rule)` violations.
fn check(
    scheme: Scheme,
    (amount, currency): (&str, Currency),
    account: Option<AccountIdentifierKind>,
    country: Option<&str>,
    routing: &[RoutingKind],
    expected: &[(&str, &str)],
) {
    let candidate = SchemeCandidate {
        amount: Amount::parse(amount, currency).expect("test amount"),
        counterparty_account: account,
        counterparty_country: country.map(|c| CountryCode::parse(c).expect("test country")),
        counterparty_routing: routing,
    };
    let violations = scheme.check(&candidate);
    let got: Vec<(&str, &str)> = violations
        .iter()
        .map(|v| (v.field.as_str(), v.violation.rule))
        .collect();
    assert_eq!(
        got, expected,
        "{scheme} {amount} {currency} {account:?} {country:?} {routing:?}: {violations:#?}"
    );
    for v in &violations {
        assert!(!v.violation.expected.is_empty() && !v.violation.actual.is_empty());
    }
}

const OK: &[(&str, &str)] = &[];
const CURRENCY: (&str, &str) = ("currency", "scheme.currency");
const ACCOUNT_TYPE: (&str, &str) = ("counterparty.account.type", "scheme.account_type");
const ACCOUNT_REQUIRED: (&str, &str) = ("counterparty.account.type", "scheme.account_required");
const COUNTRY: (&str, &str) = ("counterparty.account.country", "scheme.account_country");
const LIMIT: (&str, &str) = ("amount", "scheme.amount_limit");
const ROUTING: (&str, &str) = ("counterparty.routing", "scheme.routing_required");

#[test]
fn sepa_schemes() {
    use Scheme::*;
    for scheme in [
        SepaCreditTransfer,
        SepaInstantCreditTransfer,
        SepaDirectDebitCore,
        SepaDirectDebitB2b,
    ] {
        check(scheme, ("100.00", EUR), Some(Iban), Some("DE"), &[], OK);
        check(scheme, ("100.00", EUR), Some(Iban), Some("SE"), &[Bic], OK);
        check(scheme, ("100.00", EUR), Some(Iban), Some("GB"), &[], OK);
        check(scheme, ("100.00", EUR), Some(Iban), Some("RS"), &[], OK);
        check(
            scheme,
            ("100.00", SEK),
            Some(Iban),
            Some("SE"),
            &[],
            &[CURRENCY],
        );
        check(
            scheme,
            ("100.00", EUR),
            Some(Number),
            Some("DE"),
            &[],
            &[ACCOUNT_TYPE],
        );
        check(
            scheme,
            ("100.00", EUR),
            Some(Iban),
            Some("TR"),
            &[],
            &[COUNTRY],
        );
        check(
            scheme,
            ("100.00", USD),
            Some(Number),
            Some("US"),
            &[UsAba],
            &[CURRENCY, ACCOUNT_TYPE, COUNTRY],
        );
    }
    // SEPA Instant has no scheme amount limit since October 2025.
    check(
        SepaInstantCreditTransfer,
        ("1000000.00", EUR),
        Some(Iban),
        Some("FR"),
        &[],
        OK,
    );
    // Credit transfers need an account; direct debits may take it from the mandate.
    check(
        SepaCreditTransfer,
        ("1.00", EUR),
        None,
        None,
        &[],
        &[ACCOUNT_REQUIRED],
    );
    check(SepaDirectDebitCore, ("1.00", EUR), None, None, &[], OK);
}

#[test]
fn swedish_schemes() {
    use Scheme::*;
    check(
        SeAccountTransfer,
        ("500.00", SEK),
        Some(Number),
        Some("SE"),
        &[],
        OK,
    );
    check(
        SeAccountTransfer,
        ("500.00", SEK),
        Some(Iban),
        Some("SE"),
        &[],
        OK,
    );
    check(
        SeAccountTransfer,
        ("500.00", SEK),
        Some(Number),
        Some("DK"),
        &[],
        &[COUNTRY],
    );
    check(
        SeAccountTransfer,
        ("500.00", EUR),
        Some(Iban),
        Some("SE"),
        &[],
        &[CURRENCY],
    );
    check(
        SeAccountTransfer,
        ("500.00", SEK),
        Some(Bg),
        Some("SE"),
        &[],
        &[ACCOUNT_TYPE],
    );
    check(
        SeAccountTransfer,
        ("500.00", SEK),
        None,
        None,
        &[],
        &[ACCOUNT_REQUIRED],
    );

    check(SeBankgiro, ("500.00", SEK), Some(Bg), Some("SE"), &[], OK);
    check(
        SeBankgiro,
        ("500.00", SEK),
        Some(Pg),
        Some("SE"),
        &[],
        &[ACCOUNT_TYPE],
    );
    check(
        SeBankgiro,
        ("500.00", DKK),
        Some(Bg),
        Some("SE"),
        &[],
        &[CURRENCY],
    );

    check(SePlusgiro, ("500.00", SEK), Some(Pg), Some("SE"), &[], OK);
    check(
        SePlusgiro,
        ("500.00", SEK),
        Some(Number),
        Some("SE"),
        &[SeClearing],
        &[ACCOUNT_TYPE],
    );
    check(
        SePlusgiro,
        ("500.00", EUR),
        Some(Iban),
        Some("SE"),
        &[],
        &[CURRENCY, ACCOUNT_TYPE],
    );

    check(
        SeAutogiro,
        ("500.00", SEK),
        Some(Number),
        Some("SE"),
        &[],
        OK,
    );
    check(SeAutogiro, ("500.00", SEK), Some(Bg), Some("SE"), &[], OK);
    check(SeAutogiro, ("500.00", SEK), None, None, &[], OK);
    check(
        SeAutogiro,
        ("500.00", SEK),
        Some(Iban),
        Some("SE"),
        &[],
        &[ACCOUNT_TYPE],
    );
    check(
        SeAutogiro,
        ("500.00", EUR),
        Some(Number),
        Some("FI"),
        &[],
        &[CURRENCY, COUNTRY],
    );
}

#[test]
fn danish_schemes() {
    use Scheme::*;
    for scheme in [DkStandardTransfer, DkSameDayTransfer, DkImmediateTransfer] {
        check(
            scheme,
            ("500000.00", DKK),
            Some(Number),
            Some("DK"),
            &[],
            OK,
        );
        check(scheme, ("250.00", DKK), Some(Iban), Some("DK"), &[], OK);
        check(
            scheme,
            ("250.00", DKK),
            Some(Iban),
            Some("SE"),
            &[],
            &[COUNTRY],
        );
        check(
            scheme,
            ("250.00", SEK),
            Some(Iban),
            Some("DK"),
            &[],
            &[CURRENCY],
        );
        check(
            scheme,
            ("250.00", DKK),
            Some(Bg),
            Some("SE"),
            &[],
            &[ACCOUNT_TYPE, COUNTRY],
        );
    }
    // Immediate transfers up to DKK 500,000.00.
    check(
        DkImmediateTransfer,
        ("500000.01", DKK),
        Some(Number),
        Some("DK"),
        &[],
        &[LIMIT],
    );
    check(
        DkStandardTransfer,
        ("500000.01", DKK),
        Some(Number),
        Some("DK"),
        &[],
        OK,
    );
    // The limit is in DKK: a wrong currency is reported once, as a currency error.
    check(
        DkImmediateTransfer,
        ("900000.00", EUR),
        Some(Number),
        Some("DK"),
        &[],
        &[CURRENCY],
    );

    check(
        DkBetalingsservice,
        ("99.00", DKK),
        Some(Number),
        Some("DK"),
        &[],
        OK,
    );
    check(DkBetalingsservice, ("99.00", DKK), None, None, &[], OK);
    check(
        DkBetalingsservice,
        ("99.00", EUR),
        Some(Pg),
        Some("SE"),
        &[],
        &[CURRENCY, ACCOUNT_TYPE, COUNTRY],
    );
}

#[test]
fn cross_border() {
    use Scheme::CrossBorder as X;
    check(X, ("100.00", USD), Some(Iban), Some("DE"), &[Bic], OK);
    check(X, ("100.00", USD), Some(Number), Some("US"), &[UsAba], OK);
    check(X, ("100.00", GBP), Some(Number), Some("GB"), &[GbDsc], OK);
    check(X, ("100.00", GBP), Some(Number), Some("GB"), &[Bic], OK);
    check(
        X,
        ("100", Currency::JPY),
        Some(Number),
        Some("JP"),
        &[Bic],
        OK,
    );
    // SWIFT needs a BIC with an IBAN…
    check(X, ("100.00", EUR), Some(Iban), Some("NO"), &[], &[ROUTING]);
    check(
        X,
        ("100.00", EUR),
        Some(Iban),
        Some("GB"),
        &[GbDsc],
        &[ROUTING],
    );
    // …and a BIC or the account country's clearing code with a NUMBER.
    check(
        X,
        ("100.00", USD),
        Some(Number),
        Some("US"),
        &[],
        &[ROUTING],
    );
    check(
        X,
        ("100.00", USD),
        Some(Number),
        Some("US"),
        &[GbDsc],
        &[ROUTING],
    );
    check(
        X,
        ("100.00", USD),
        Some(Bg),
        Some("SE"),
        &[],
        &[ACCOUNT_TYPE, ROUTING],
    );
    check(
        X,
        ("100.00", USD),
        None,
        None,
        &[],
        &[ACCOUNT_REQUIRED, ROUTING],
    );
}

#[test]
fn catalogue_metadata() {
    use Scheme::*;
    let check = |scheme: Scheme, kind: SchemeKind, iso: bool, calendar: CalendarId| {
        assert_eq!(scheme.kind(), kind, "{scheme}");
        assert_eq!(scheme.iso20022_supported(), iso, "{scheme}");
        assert_eq!(scheme.calendar(Currency::CHF), calendar, "{scheme}");
    };
    let (ct, dd) = (SchemeKind::CreditTransfer, SchemeKind::DirectDebit);
    check(SepaCreditTransfer, ct, true, CalendarId::Target2);
    check(SepaInstantCreditTransfer, ct, true, CalendarId::AlwaysOpen);
    check(SepaDirectDebitCore, dd, true, CalendarId::Target2);
    check(SepaDirectDebitB2b, dd, true, CalendarId::Target2);
    check(SeAccountTransfer, ct, true, CalendarId::Se);
    check(SeBankgiro, ct, true, CalendarId::Se);
    check(SePlusgiro, ct, true, CalendarId::Se);
    check(SeAutogiro, dd, false, CalendarId::Se);
    check(DkStandardTransfer, ct, true, CalendarId::Dk);
    check(DkSameDayTransfer, ct, true, CalendarId::Dk);
    check(DkImmediateTransfer, ct, true, CalendarId::AlwaysOpen);
    check(DkBetalingsservice, dd, false, CalendarId::Dk);
    check(CrossBorder, ct, true, CalendarId::Weekdays);
    for (currency, calendar) in [
        (EUR, CalendarId::Target2),
        (SEK, CalendarId::Se),
        (DKK, CalendarId::Dk),
        (GBP, CalendarId::Gb),
        (USD, CalendarId::UsFed),
        (Currency::NOK, CalendarId::Weekdays),
    ] {
        assert_eq!(CrossBorder.calendar(currency), calendar);
    }
    assert!(matches!(
        SeAutogiro.spec().iso20022,
        Iso20022::Unsupported { .. }
    ));
    assert_eq!(
        SepaDirectDebitCore.spec().iso20022,
        Iso20022::Message("pain.008")
    );
    for scheme in Scheme::ALL {
        assert_eq!(scheme.as_str().parse::<Scheme>(), Ok(*scheme));
    }
}
