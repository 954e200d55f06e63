//! Acceptance tests for the account and routing identifier validators.
//!
//! Every table row is `(input, expected)` where `expected` is `Ok(normalised form)` or
//! `Err(rule name)`. Valid IBANs are the published SWIFT IBAN registry examples.
//! Computed values are marked where they occur: the BBAN-structure failures
//! (`DE05…`, `GB42…`) and the creditor ids `SE19…`/`NL69…` had their check digits
//! computed with a separate script, so that only the rule under test fails.

use bankgate::domain::account::{
    AccountIdentifier, AccountIdentifierKind, Bankgiro, Bic, CreditorId, Iban, Plusgiro,
    RoutingIdentifier, RoutingKind, SwedishAccountType,
};
use bankgate::domain::country::CountryCode;
use bankgate::domain::rule::RuleViolation;
use proptest::prelude::*;

type Expected<'a> = Result<&'a str, &'a str>;

/// The one comparison every boundary uses: normalised value on success, rule on failure.
/// A failure must also say what was expected and what was found.
fn check<T: std::fmt::Display>(label: &str, got: Result<T, RuleViolation>, expected: Expected) {
    match (got, expected) {
        (Ok(v), Ok(want)) => assert_eq!(v.to_string(), want, "{label}"),
        (Err(e), Err(rule)) => {
            assert_eq!(e.rule, rule, "{label}: {e}");
            assert!(!e.expected.is_empty(), "{label}: empty expected in {e}");
            assert!(!e.actual.is_empty(), "{label}: empty actual in {e}");
        }
        (Ok(v), Err(rule)) => panic!("{label}: accepted as {v}, wanted rule {rule}"),
        (Err(e), Ok(want)) => panic!("{label}: rejected ({e}), wanted {want}"),
    }
}

fn cc(code: &str) -> CountryCode {
    CountryCode::parse(code).expect("test country code")
}

fn check_iban(input: &str, expected: Expected) {
    check(&format!("IBAN {input:?}"), Iban::parse(input), expected);
}

fn check_number(country: &str, input: &str, expected: Expected) {
    let got = AccountIdentifier::parse(AccountIdentifierKind::Number, input, Some(cc(country)));
    check(&format!("NUMBER {country} {input:?}"), got, expected);
}

fn check_routing(kind: RoutingKind, input: &str, expected: Expected) {
    check(
        &format!("{kind} {input:?}"),
        RoutingIdentifier::parse(kind, input),
        expected,
    );
}

fn check_bankgiro(input: &str, expected: Expected) {
    check(&format!("BG {input:?}"), Bankgiro::parse(input), expected);
}

fn check_plusgiro(input: &str, expected: Expected) {
    check(&format!("PG {input:?}"), Plusgiro::parse(input), expected);
}

fn check_creditor_id(input: &str, expected: Expected) {
    check(&format!("CI {input:?}"), CreditorId::parse(input), expected);
}

fn check_bic(input: &str, expected: Expected) {
    check(&format!("BIC {input:?}"), Bic::parse(input), expected);
}

/// One published example per IBAN country of the seed table, plus the SEPA countries
/// the seed misses (EE, LV, CY, MT, IS, LI, MC, SM, VA).
const VALID_IBANS: &[(&str, usize)] = &[
    ("AT61 1904 3002 3457 3201", 20),
    ("BE68 5390 0754 7034", 16),
    ("BG80 BNBG 9661 1020 3456 78", 22),
    ("CH93 0076 2011 6238 5295 7", 21),
    ("CZ65 0800 0000 1920 0014 5399", 24),
    ("DE89 3704 0044 0532 0130 00", 22),
    ("DK50 0040 0440 1162 43", 18),
    ("ES91 2100 0418 4502 0005 1332", 24),
    ("FI21 1234 5600 0007 85", 18),
    ("FR14 2004 1010 0505 0001 3M02 606", 27),
    ("GB29 NWBK 6016 1331 9268 19", 22),
    ("GR16 0110 1250 0000 0001 2300 695", 27),
    ("HR12 1001 0051 8630 0016 0", 21),
    ("HU42 1177 3016 1111 1018 0000 0000", 28),
    ("IE29 AIBK 9311 5212 3456 78", 22),
    ("IT60 X054 2811 1010 0000 0123 456", 27),
    ("LT12 1000 0111 0100 1000", 20),
    ("LU28 0019 4006 4475 0000", 20),
    ("NL91 ABNA 0417 1643 00", 18),
    ("NO93 8601 1117 947", 15),
    ("PL61 1090 1014 0000 0712 1981 2874", 28),
    ("PT50 0002 0123 1234 5678 9015 4", 25),
    ("RO49 AAAA 1B31 0075 9384 0000", 24),
    ("SE45 5000 0000 0583 9825 7466", 24),
    ("SI56 2633 0001 2039 086", 19),
    ("SK31 1200 0000 1987 4263 7541", 24),
    ("EE38 2200 2210 2014 5685", 20),
    ("LV80 BANK 0000 4351 9500 1", 21),
    ("CY17 0020 0128 0000 0012 0052 7600", 28),
    ("MT84 MALT 0110 0001 2345 MTLC AST0 01S", 31),
    ("IS14 0159 2600 7654 5510 7303 39", 26),
    ("LI21 0881 0000 2324 013A A", 21),
    ("MC58 1122 2000 0101 2345 6789 030", 27),
    ("SM86 U032 2509 8000 0000 0270 100", 27),
    ("VA59 0011 2300 0012 3456 78", 22),
];

fn electronic(paper: &str) -> String {
    paper.replace(' ', "")
}

/// Replaces the character at `index` (ASCII input) with `with`.
fn replace_at(s: &str, index: usize, with: char) -> String {
    s.chars()
        .enumerate()
        .map(|(i, c)| if i == index { with } else { c })
        .collect()
}

/// A different digit at the same place.
fn other_digit(c: char) -> char {
    match c {
        '9' => '0',
        d if d.is_ascii_digit() => char::from(d as u8 + 1),
        other => other,
    }
}

#[test]
fn iban_every_country_valid_and_invalid() {
    for (paper, len) in VALID_IBANS {
        let e = electronic(paper);
        assert_eq!(e.len(), *len, "table length for {paper}");
        // Valid in paper form, electronic form, lower case and with odd spacing.
        check_iban(paper, Ok(&e));
        check_iban(&e, Ok(&e));
        check_iban(&paper.to_lowercase(), Ok(&e));
        check_iban(&format!("  {}  ", paper.replace(' ', "   ")), Ok(&e));

        // Wrong length: one character short, one too many.
        check_iban(&e[..e.len() - 1], Err("iban.length"));
        check_iban(&format!("{e}0"), Err("iban.length"));

        // Wrong checksum: altered check digits, and an altered last BBAN character.
        let check_digit = e.chars().nth(3).unwrap();
        check_iban(
            &replace_at(&e, 3, other_digit(check_digit)),
            Err("iban.checksum"),
        );
        let last = e.chars().last().unwrap();
        if last.is_ascii_digit() {
            check_iban(
                &replace_at(&e, len - 1, other_digit(last)),
                Err("iban.checksum"),
            );
        }

        // Wrong characters: punctuation and a multi-byte character inside the BBAN.
        check_iban(&replace_at(&e, 6, '!'), Err("iban.characters"));
        check_iban(&replace_at(&e, 6, 'é'), Err("iban.characters"));
        // Letters where the check digits belong.
        check_iban(&replace_at(&e, 2, 'A'), Err("iban.check_digits"));
    }
}

#[test]
fn iban_rule_messages_and_other_failures() {
    let e = Iban::parse("DE89 3704 0044 0532 0130 0").unwrap_err();
    assert_eq!(e.rule, "iban.length");
    assert_eq!(e.expected, "22 characters for DE");
    assert!(e.actual.starts_with("21 characters"), "{e}");
    assert!(e.actual.contains("DE89370400440532013"), "{e}");

    let table: &[(&str, Expected)] = &[
        ("", Err("iban.length")),
        ("   ", Err("iban.length")),
        ("D", Err("iban.country")),
        ("XX89 3704 0044 0532 0130 00", Err("iban.country")),
        // US does not use IBAN.
        ("US64 SVBK US6S 3300 9673 86", Err("iban.country")),
        ("1234 5678", Err("iban.country")),
        ("DE99 3704 0044 0532 0130 00", Err("iban.checksum")),
        ("GB01 BARC 2071 4583 6083 87", Err("iban.checksum")),
        ("GB00 HLFX 1101 6111 4553 65", Err("iban.checksum")),
        ("GB94 BARC 2020 1530 0934 59", Err("iban.checksum")),
        ("GB2L ABBY 0901 2857 2017 07", Err("iban.check_digits")),
        // Computed check digits, so only the BBAN structure is wrong.
        ("DE05 3704 0044 0532 0130 0A", Err("iban.bban")),
        ("GB42 NWB1 6016 1331 9268 19", Err("iban.bban")),
        ("DE89-3704-0044-0532-0130-00", Err("iban.characters")),
        (
            "DE89\u{00A0}3704\u{00A0}0044\u{00A0}0532\u{00A0}0130\u{00A0}00",
            Ok("DE89370400440532013000"),
        ),
        ("\u{1F4B6}", Err("iban.characters")),
        // Non-SEPA registry countries are accepted too.
        (
            "SA03 8000 0000 6080 1016 7519",
            Ok("SA0380000000608010167519"),
        ),
    ];
    for (input, expected) in table {
        check_iban(input, *expected);
    }

    let iban = Iban::parse("se45 5000 0000 0583 9825 7466").unwrap();
    assert_eq!(iban.country(), cc("SE"));
    assert_eq!(iban.as_str(), "SE4550000000058398257466");
}

#[test]
fn account_identifier_iban_country_and_kinds() {
    let a = AccountIdentifier::parse(
        AccountIdentifierKind::Iban,
        "gb29 nwbk 6016 1331 9268 19",
        None,
    )
    .unwrap();
    assert_eq!(a.kind(), AccountIdentifierKind::Iban);
    assert_eq!(a.country(), Some(cc("GB")));
    assert_eq!(a.value(), "GB29NWBK60161331926819");
    assert_eq!(a.to_string(), a.value());

    let same = AccountIdentifier::parse(
        AccountIdentifierKind::Iban,
        "GB29NWBK60161331926819",
        Some(cc("GB")),
    );
    check(
        "IBAN with its own country",
        same,
        Ok("GB29NWBK60161331926819"),
    );
    let other = AccountIdentifier::parse(
        AccountIdentifierKind::Iban,
        "GB29NWBK60161331926819",
        Some(cc("IE")),
    );
    check(
        "IBAN with another country",
        other,
        Err("account.country_mismatch"),
    );

    let bg =
        AccountIdentifier::parse(AccountIdentifierKind::SeBankgiro, "5050-1055", None).unwrap();
    assert_eq!(
        (bg.kind(), bg.country(), bg.value()),
        (
            AccountIdentifierKind::SeBankgiro,
            Some(cc("SE")),
            "50501055".to_string()
        )
    );
    let pg = AccountIdentifier::parse(
        AccountIdentifierKind::SePlusgiro,
        "12 34 56-6",
        Some(cc("SE")),
    )
    .unwrap();
    assert_eq!(
        (pg.kind(), pg.value()),
        (AccountIdentifierKind::SePlusgiro, "1234566".to_string())
    );
    check(
        "Bankgiro with country NO",
        AccountIdentifier::parse(
            AccountIdentifierKind::SeBankgiro,
            "5050-1055",
            Some(cc("NO")),
        ),
        Err("account.country_mismatch"),
    );
    check(
        "NUMBER without a country",
        AccountIdentifier::parse(AccountIdentifierKind::Number, "12345678", None),
        Err("number.country_required"),
    );
    let n = AccountIdentifier::parse(
        AccountIdentifierKind::Number,
        "3000-1111116",
        Some(cc("SE")),
    )
    .unwrap();
    assert_eq!(
        (n.kind(), n.country()),
        (AccountIdentifierKind::Number, Some(cc("SE")))
    );
}

#[test]
fn number_every_market() {
    // (country, valid input, normalised, wrong length, wrong characters)
    let table: &[(&str, &str, &str, &str, &str)] = &[
        (
            "AT",
            "234 573 201 00",
            "23457320100",
            "2345732010",
            "2345732010A",
        ),
        ("AU", "123456", "123456", "12345", "12345X"),
        (
            "AU",
            "1234567890",
            "1234567890",
            "12345678901",
            "12345678.0",
        ),
        ("CA", "1234567", "1234567", "123456", "1234567a"),
        (
            "CA",
            "123456789012",
            "123456789012",
            "1234567890123",
            "12345/7",
        ),
        (
            "CN",
            "62220212345678",
            "62220212345678",
            "6222021234567",
            "6222021234567X",
        ),
        (
            "CN",
            "6222 0212 3456 7890 123",
            "6222021234567890123",
            "62220212345678901234",
            "６２２２０２１２３４５６７８",
        ),
        (
            "DE",
            "0532013000",
            "0532013000",
            "05320130001",
            "053201300O",
        ),
        ("DE", "532013000", "0532013000", "12345678901", "5320+3000"),
        ("DE", "1", "0000000001", "", "x"),
        (
            "DK",
            "0040 044011624",
            "0040044011624",
            "004004401162",
            "004004401162A",
        ),
        (
            "DK",
            "0040-0440116243",
            "00400440116243",
            "004004401162430",
            "0040_0440116243",
        ),
        (
            "ES",
            "45 0200051332",
            "450200051332",
            "4502000513321",
            "45020005133Z",
        ),
        ("GB", "31926819", "31926819", "3192681", "3192681O"),
        (
            "GB",
            "3192-6819",
            "31926819",
            "319268190",
            "31926819\u{00E9}",
        ),
        (
            "GR",
            "0000000012300695",
            "0000000012300695",
            "000000001230069",
            "000000001230069!",
        ),
        (
            "GR",
            "ab12CD34ef56GH78",
            "ab12CD34ef56GH78",
            "ab12CD34ef56GH7",
            "ab12CD34ef56GH7ß",
        ),
        ("HR", "1863000160", "1863000160", "186300016", "186300016O"),
        ("IE", "12345678", "12345678", "1234567", "1234567I"),
        ("IN", "1234567890", "1234567890", "123456789", "123456789A"),
        (
            "IN",
            "12345678901234567890",
            "12345678901234567890",
            "123456789012345678901",
            "1234567890.1234567890",
        ),
        (
            "IT",
            "000000123456",
            "000000123456",
            "00000012345",
            "00000012345_",
        ),
        (
            "IT",
            "cc0010123456",
            "CC0010123456",
            "CC00101234567",
            "CC001012345é",
        ),
        (
            "PL",
            "0000 0712 1981 2874",
            "0000071219812874",
            "000007121981287",
            "000007121981287A",
        ),
        (
            "PT",
            "1234567890154",
            "1234567890154",
            "123456789015",
            "123456789015X",
        ),
        (
            "SI",
            "0001203908",
            "0001203908",
            "00012039086",
            "000120390O",
        ),
        ("US", "123456", "123456", "12345", "12345A"),
        (
            "US",
            "12345678901234567",
            "12345678901234567",
            "123456789012345678",
            "1234567890123456#",
        ),
    ];
    for (country, valid, normalised, bad_len, bad_chars) in table {
        check_number(country, valid, Ok(normalised));
        if !bad_len.is_empty() {
            check_number(country, bad_len, Err("number.length"));
        }
        check_number(country, bad_chars, Err("number.characters"));
    }
    check_number("DE", "", Err("number.length"));
    check_number("GB", "  ", Err("number.length"));

    let e = AccountIdentifier::parse(AccountIdentifierKind::Number, "1234567", Some(cc("GB")))
        .unwrap_err();
    assert_eq!(e.expected, "8 digits for GB");
    assert!(e.actual.contains("1234567"), "{e}");
}

#[test]
fn number_iban_only_and_unsupported_markets() {
    for country in [
        "BE", "BG", "CH", "CZ", "FI", "FR", "HU", "LT", "LU", "NL", "NO", "RO", "SK", "EE", "LV",
        "CY", "MT", "IS", "LI", "MC", "SM", "VA",
    ] {
        check_number(country, "12345678", Err("number.iban_only"));
        let e =
            AccountIdentifier::parse(AccountIdentifierKind::Number, "12345678", Some(cc(country)))
                .unwrap_err();
        assert!(
            e.expected.contains(country) && e.expected.contains("IBAN"),
            "{e}"
        );
    }
    for country in ["GH", "VN", "JP", "SA", "BR"] {
        check_number(country, "12345678", Err("number.unsupported_market"));
    }
}

#[test]
fn swedish_accounts_per_clearing_type() {
    let table: &[(&str, Expected)] = &[
        // Type 1 comment 1: mod 11 over the last 3 clearing digits + 7-digit account.
        ("3000,1111116", Ok("30001111116")), // Nordea
        ("3000-1111116", Ok("30001111116")),
        ("3000 000001111116", Ok("30001111116")), // zero padding
        ("3032, 005001-7", Ok("30320050017")),
        ("1405,354256-1", Ok("14053542561")), // Nordea 1400-2099
        ("3000,1111111", Err("se.account_checksum")),
        ("3032,0050011", Err("se.account_checksum")),
        ("3000,111116", Err("se.account_length")),
        ("1200,1000006", Ok("12001000006")), // Danske Bank (computed)
        ("1200,1000007", Err("se.account_checksum")),
        ("5000 1000004", Ok("50001000004")), // SEB (computed)
        ("5491 0000003", Ok("54910000003")),
        ("5000 1000001", Err("se.account_checksum")),
        ("7000-1111116", Ok("70001111116")), // Swedbank 7xxx
        ("7000-1111117", Err("se.account_checksum")),
        // Type 1 comment 2: mod 11 over all 4 clearing digits + account.
        ("4000, 1111112", Ok("40001111112")), // Nordea 4xxx
        ("4000,111111-2", Ok("40001111112")),
        ("4000,1111111", Err("se.account_checksum")),
        ("2300,1000005", Ok("23001000005")), // Ålandsbanken (computed)
        ("2300,1111111", Err("se.account_checksum")),
        ("9020,1111111", Ok("90201111111")), // Länsförsäkringar 902x
        ("9020,1111112", Err("se.account_checksum")),
        // Type 2 comment 1: 10-digit account, Luhn over the account.
        ("3300,8411283941", Ok("33008411283941")), // Nordea personkonto
        ("3300841128-394-1", Ok("33008411283941")),
        ("3300,8411283940", Err("se.account_checksum")),
        ("3300,841128394", Err("se.account_length")),
        ("9180,1000000008", Ok("91801000000008")), // Danske Bank 918x (computed)
        ("9180,1000000009", Err("se.account_checksum")),
        ("9300,1234567897", Ok("93001234567897")), // Swedbank ex Sparbanken Öresund
        ("9300,1234567898", Err("se.account_checksum")),
        ("9890,1000000008", Ok("98901000000008")), // Riksgälden
        // Type 2 comment 2: Handelsbanken, mod 11 over the 9-digit account.
        ("6000,301286698", Ok("6000301286698")),
        ("6789 123 456 789", Ok("6789123456789")),
        ("6000,10000003", Ok("6000010000003")), // 8 digits, padded (computed)
        ("6000,301286697", Err("se.account_checksum")),
        ("6000,1234567", Err("se.account_length")),
        // Type 2 comment 3: Swedbank 8xxx, Luhn over the account, optional clearing check digit.
        ("8327,9940298186", Ok("83279940298186")),
        ("8327-9, 994 029 818-6", Ok("83279940298186")),
        ("83279 9940298186", Ok("83279940298186")), // digits only, 5-digit clearing
        ("8214-9,923 472 612-4", Ok("82149234726124")),
        ("8000,1111111", Ok("80001111111")),
        ("8000,000001111111", Ok("80001111111")),
        ("8214,9837107772", Err("se.account_checksum")),
        ("8327-8,9940298186", Err("se.clearing_checksum")),
        ("3000-1,1111116", Err("se.clearing_length")),
        // Type 2 comment 3: PlusGirot accounts in a bank clearing range.
        ("9960,1234566", Ok("99601234566")),
        ("9500 0000 0018", Ok("950018")),
        ("9960,1234567", Err("se.account_checksum")),
        ("9960,123456789", Err("se.account_length")),
        // Clearing numbers outside every range.
        ("9000,1111116", Err("se.clearing_unknown")),
        ("2100,1234567", Err("se.clearing_unknown")),
        ("0999,1234567", Err("se.clearing_unknown")),
        // Whole-number shape.
        ("3000111", Err("number.length")),
        ("300011111161111111", Err("number.length")),
        ("3000,11111,16", Err("number.characters")),
        ("3000.1111116", Err("number.characters")),
        ("", Err("number.characters")),
        (",12345678", Err("se.clearing_characters")),
        ("1,2345678", Err("se.clearing_length")),
        ("3000,111111६", Err("number.characters")),
    ];
    for (input, expected) in table {
        check_number("SE", input, *expected);
    }
}

#[test]
fn swedish_account_exposes_clearing_and_account() {
    let n = AccountIdentifier::parse(
        AccountIdentifierKind::Number,
        "8327-9, 994 029 818-6",
        Some(cc("SE")),
    )
    .unwrap();
    let AccountIdentifier::Number(number) = &n else {
        panic!("not a NUMBER: {n:?}");
    };
    let se = number.sweden().expect("Swedish split");
    assert_eq!(se.clearing(), "8327");
    assert_eq!(se.clearing_check_digit(), Some('9'));
    assert_eq!(se.account(), "9940298186");
    assert_eq!(se.bank(), "Swedbank");
    assert_eq!(
        se.account_type(),
        SwedishAccountType::Type2Comment3 { max_len: 10 }
    );

    let hb = AccountIdentifier::parse(
        AccountIdentifierKind::Number,
        "6000,10000003",
        Some(cc("SE")),
    )
    .unwrap();
    let AccountIdentifier::Number(hb) = hb else {
        panic!("not a NUMBER");
    };
    let se = hb.sweden().unwrap();
    assert_eq!(
        (se.clearing(), se.account(), se.bank()),
        ("6000", "010000003", "Handelsbanken")
    );
    assert_eq!(se.account_type(), SwedishAccountType::Type2Comment2);

    // With or without Swedbank's clearing check digit it is the same account.
    let a = AccountIdentifier::parse(
        AccountIdentifierKind::Number,
        "8327-9,9940298186",
        Some(cc("SE")),
    )
    .unwrap();
    let b = AccountIdentifier::parse(
        AccountIdentifierKind::Number,
        "8327,9940298186",
        Some(cc("SE")),
    )
    .unwrap();
    assert_eq!(a, b);
}

#[test]
fn dk_number_parts() {
    for (input, reg, account) in [
        ("0040 044011624", "0040", "0044011624"),
        ("00400440116243", "0040", "0440116243"),
    ] {
        let n =
            AccountIdentifier::parse(AccountIdentifierKind::Number, input, Some(cc("DK"))).unwrap();
        let AccountIdentifier::Number(n) = n else {
            panic!("not a NUMBER")
        };
        assert_eq!(n.dk_parts(), Some((reg, account.to_string())));
    }
}

#[test]
fn bankgiro_and_plusgiro() {
    let bankgiro: &[(&str, Expected)] = &[
        ("5050-1055", Ok("50501055")),
        ("50501055", Ok("50501055")),
        ("991-2346", Ok("9912346")),
        ("5050 1055", Ok("50501055")),
        ("5050-1056", Err("bankgiro.checksum")),
        ("991-2345", Err("bankgiro.checksum")),
        ("505-010", Err("bankgiro.length")),
        ("5050-10550", Err("bankgiro.length")),
        ("", Err("bankgiro.characters")),
        ("5050-105S", Err("bankgiro.characters")),
        ("5050\u{2013}1055", Err("bankgiro.characters")),
    ];
    for (input, expected) in bankgiro {
        check_bankgiro(input, *expected);
    }
    assert_eq!(
        Bankgiro::parse("50501055").unwrap().formatted(),
        "5050-1055"
    );

    let plusgiro: &[(&str, Expected)] = &[
        ("12 34 56-6", Ok("1234566")),
        ("1-8", Ok("18")),
        ("1234 5674", Ok("12345674")),
        ("12 34 56-7", Err("plusgiro.checksum")),
        ("1-9", Err("plusgiro.checksum")),
        ("8", Err("plusgiro.length")),
        ("123 456 789", Err("plusgiro.length")),
        ("12 34 56-x", Err("plusgiro.characters")),
    ];
    for (input, expected) in plusgiro {
        check_plusgiro(input, *expected);
    }
    assert_eq!(
        Plusgiro::parse("1234566").unwrap().formatted(),
        "12 34 56-6"
    );
}

#[test]
fn routing_every_kind() {
    use RoutingKind::*;
    let table: &[(RoutingKind, &str, Expected)] = &[
        (AtDlz, "19043", Ok("19043")),
        (AtDlz, "1904", Err("routing.length")),
        (AtDlz, "1904A", Err("routing.characters")),
        (AuBsb, "123-456", Ok("123456")),
        (AuBsb, "12345", Err("routing.length")),
        (AuBsb, "123/456", Err("routing.characters")),
        (CaCpa, "000312345", Ok("000312345")),
        (CaCpa, "00312345", Ok("000312345")),
        (CaCpa, "12345-003", Ok("000312345")),
        (CaCpa, "100312345", Err("ca_cpa.format")),
        (CaCpa, "0312345", Err("routing.length")),
        (CaCpa, "00031234X", Err("routing.characters")),
        (CnAps, "102100099996", Ok("102100099996")),
        (CnAps, "10210009999", Err("routing.length")),
        (DeBlz, "3704 0044", Ok("37040044")),
        (DeBlz, "370400440", Err("routing.length")),
        (DeBlz, "3704OO44", Err("routing.characters")),
        (EsNcc, "21000418", Ok("21000418")),
        (EsNcc, "2100041", Err("routing.length")),
        (GbDsc, "60-16-13", Ok("601613")),
        (GbDsc, "60 16 13", Ok("601613")),
        (GbDsc, "60-16-1", Err("routing.length")),
        (GbDsc, "60-16-1x", Err("routing.characters")),
        (GrHebic, "0110125", Ok("0110125")),
        (GrHebic, "011012", Err("routing.length")),
        (HrVbdi, "1001005", Ok("1001005")),
        (HrVbdi, "10010051", Err("routing.length")),
        (IeNsc, "931152", Ok("931152")),
        (IeNsc, "93115", Err("routing.length")),
        (InIfsc, "sbin0001234", Ok("SBIN0001234")),
        (InIfsc, "HDFC0ABC123", Ok("HDFC0ABC123")),
        (InIfsc, "SBIN1001234", Err("in_ifsc.format")),
        (InIfsc, "SB1N0001234", Err("in_ifsc.format")),
        (InIfsc, "SBIN000123", Err("routing.length")),
        (ItAbiCab, "X0542811101", Ok("X0542811101")),
        (ItAbiCab, "x 05428 11101", Ok("X0542811101")),
        (ItAbiCab, "10542811101", Err("it_abi_cab.format")),
        (ItAbiCab, "X054281110A", Err("it_abi_cab.format")),
        (ItAbiCab, "X054281110", Err("routing.length")),
        (PlKnr, "10901014", Ok("10901014")),
        (PlKnr, "1090101", Err("routing.length")),
        (PtNcc, "00020123", Ok("00020123")),
        (PtNcc, "000201234", Err("routing.length")),
        (SeClearing, "8327-9", Ok("83279")),
        (SeClearing, "6000", Ok("6000")),
        (SeClearing, "8327-8", Err("se.clearing_checksum")),
        (SeClearing, "9000", Err("se.clearing_unknown")),
        (SeClearing, "600", Err("se.clearing_length")),
        (SeClearing, "60000", Err("se.clearing_length")),
        (SiBsc, "26330", Ok("26330")),
        (SiBsc, "2633", Err("routing.length")),
        (UsAba, "011000015", Ok("011000015")),
        (UsAba, "021000021", Ok("021000021")),
        (UsAba, "122105155", Ok("122105155")),
        (UsAba, "011000016", Err("us_aba.checksum")),
        (UsAba, "021000012", Err("us_aba.checksum")),
        (UsAba, "02100002", Err("routing.length")),
        (UsAba, "02100002I", Err("routing.characters")),
        (UsAba, "", Err("routing.length")),
        (Bic, "NWBKGB2L", Ok("NWBKGB2L")),
        (Bic, "deutdeff500", Ok("DEUTDEFF500")),
    ];
    for (kind, input, expected) in table {
        check_routing(*kind, input, *expected);
        if let Ok(value) = expected {
            let r = RoutingIdentifier::parse(*kind, input).unwrap();
            assert_eq!(r.kind(), *kind);
            assert_eq!(r.value(), *value);
        }
    }
}

#[test]
fn iso_clearing_system_codes() {
    use RoutingKind::*;
    let table: &[(RoutingKind, Option<&str>)] = &[
        (Bic, None),
        (AtDlz, Some("ATBLZ")),
        (AuBsb, Some("AUBSB")),
        (CaCpa, Some("CACPA")),
        (CnAps, Some("CNAPS")),
        (DeBlz, Some("DEBLZ")),
        (EsNcc, Some("ESNCC")),
        (GbDsc, Some("GBDSC")),
        (GrHebic, Some("GRBIC")),
        (HrVbdi, None),
        (IeNsc, Some("IENCC")),
        (InIfsc, Some("INFSC")),
        (ItAbiCab, Some("ITNCC")),
        (PlKnr, Some("PLKNR")),
        (PtNcc, Some("PTNCC")),
        (SeClearing, Some("SESBA")),
        (SiBsc, None),
        (UsAba, Some("USABA")),
    ];
    assert_eq!(table.len(), RoutingKind::ALL.len());
    for (kind, code) in table {
        assert_eq!(kind.iso_clearing_system(), *code, "{kind}");
    }
}

#[test]
fn bic_formats() {
    let table: &[(&str, Expected)] = &[
        ("NWBKGB2L", Ok("NWBKGB2L")),
        ("nwbk gb 2l", Ok("NWBKGB2L")),
        ("DEUTDEFF500", Ok("DEUTDEFF500")),
        ("ESSESESS", Ok("ESSESESS")),
        // Dec-2014 pattern: digits allowed in the party prefix.
        ("1234SESS", Ok("1234SESS")),
        ("NWBKGB2", Err("bic.length")),
        ("NWBKGB2LX", Err("bic.length")),
        ("DEUTDEFF5000", Err("bic.length")),
        ("NWBK1B2L", Err("bic.format")),
        ("NWBKGB2-", Err("bic.format")),
        ("NWBKGBÅL", Err("bic.format")),
        ("NWBKZZ2L", Err("bic.country")),
        ("NWBKXX2L", Err("bic.country")),
    ];
    for (input, expected) in table {
        check_bic(input, *expected);
    }
}

#[test]
fn creditor_ids() {
    let table: &[(&str, Expected)] = &[
        ("ES23ZZZ47690558N", Ok("ES23ZZZ47690558N")),
        ("es23 zzz 47690558n", Ok("ES23ZZZ47690558N")),
        ("DE98ZZZ09999999999", Ok("DE98ZZZ09999999999")),
        // The business code is excluded from the check.
        ("DE98ABC09999999999", Ok("DE98ABC09999999999")),
        ("IT66ZZZA1B2C3D4E5F6G7H8", Ok("IT66ZZZA1B2C3D4E5F6G7H8")),
        ("FR72ZZZ123456", Ok("FR72ZZZ123456")),
        ("BE69ZZZ050D000000008", Ok("BE69ZZZ050D000000008")),
        // Computed check digits.
        ("SE19ZZZ5567890123", Ok("SE19ZZZ5567890123")),
        ("NL69ZZZ123456780000", Ok("NL69ZZZ123456780000")),
        ("ES24ZZZ47690558N", Err("creditor_id.checksum")),
        ("DE98ZZZ09999999998", Err("creditor_id.checksum")),
        ("SE98ZZZ1234567", Err("creditor_id.checksum")),
        ("SE20ZZZ5567890123", Err("creditor_id.checksum")),
        ("ESXXZZZ47690558N", Err("creditor_id.check_digits")),
        ("XX23ZZZ47690558N", Err("creditor_id.country")),
        ("ES23ZZZ", Err("creditor_id.length")),
        (
            "ES23ZZZ12345678901234567890123456789",
            Err("creditor_id.length"),
        ),
        ("ES23ZZZ4769-0558N", Err("creditor_id.characters")),
        ("ES23ZZZ47690558Ñ", Err("creditor_id.characters")),
    ];
    for (input, expected) in table {
        check_creditor_id(input, *expected);
    }
    let checksum = CreditorId::parse("ES24ZZZ47690558N").unwrap_err();
    assert!(checksum.expected.contains("23"), "{checksum}");
}

/// Luhn check digit for `body`, computed independently of the crate (test helper).
fn luhn_digit(body: &str) -> u32 {
    let sum: u32 = body
        .chars()
        .rev()
        .enumerate()
        .map(|(i, c)| {
            let d = c.to_digit(10).unwrap();
            if i % 2 == 0 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum();
    (10 - sum % 10) % 10
}

/// A valid IBAN, split anywhere with random spaces and random casing.
fn messy_iban() -> impl Strategy<Value = (String, String)> {
    (
        prop::sample::select(VALID_IBANS),
        prop::collection::vec((any::<bool>(), 0usize..3), 40),
    )
        .prop_map(|((paper, _), noise)| {
            let e = electronic(paper);
            let mut messy = String::new();
            for (c, (lower, spaces)) in e.chars().zip(noise) {
                messy.push(if lower { c.to_ascii_lowercase() } else { c });
                messy.push_str(&" ".repeat(spaces));
            }
            (messy, e)
        })
}

proptest! {
    #[test]
    fn iban_normalisation((messy, electronic) in messy_iban()) {
        let iban = Iban::parse(&messy).unwrap();
        prop_assert_eq!(iban.as_str(), electronic.as_str());
        prop_assert_eq!(Iban::parse(&iban.to_string()).unwrap(), iban.clone());
        let account = AccountIdentifier::parse(AccountIdentifierKind::Iban, &messy, None).unwrap();
        prop_assert_eq!(account.value(), electronic);
    }

    #[test]
    fn luhn_valid_bankgiro_parses_and_one_changed_digit_fails(
        body in "[1-9][0-9]{5,6}",
        position in 0usize..8,
        delta in 1u32..10,
    ) {
        let number = format!("{body}{}", luhn_digit(&body));
        let bg = Bankgiro::parse(&number).unwrap();
        prop_assert_eq!(bg.to_string(), number.clone());
        prop_assert_eq!(Bankgiro::parse(&bg.formatted()).unwrap(), bg);

        let position = position % number.len();
        let changed: String = number
            .chars()
            .enumerate()
            .map(|(i, c)| {
                if i == position {
                    char::from_digit((c.to_digit(10).unwrap() + delta) % 10, 10).unwrap()
                } else {
                    c
                }
            })
            .collect();
        prop_assert_eq!(Bankgiro::parse(&changed).unwrap_err().rule, "bankgiro.checksum");
    }

    #[test]
    fn no_panic_on_arbitrary_input(input in "\\PC{0,40}", pick in 0usize..4) {
        let kind = AccountIdentifierKind::ALL[pick % AccountIdentifierKind::ALL.len()];
        for country in ["SE", "DE", "GB", "DK", "GR", "IT", "BE", "GH"] {
            let _ = AccountIdentifier::parse(kind, &input, Some(cc(country)));
        }
        for routing in RoutingKind::ALL {
            let _ = RoutingIdentifier::parse(*routing, &input);
        }
        let _ = Iban::parse(&input);
        let _ = CreditorId::parse(&input);
    }

    #[test]
    fn swedish_display_round_trips(body in "[1-9][0-9]{5,8}") {
        // Swedbank 8xxx accounts of any length up to 10 digits: Display re-parses to itself.
        let account = format!("{body}{}", luhn_digit(&body));
        let parsed = AccountIdentifier::parse(AccountIdentifierKind::Number, &format!("8327-9,{account}"), Some(cc("SE"))).unwrap();
        let again = AccountIdentifier::parse(AccountIdentifierKind::Number, &parsed.value(), Some(cc("SE"))).unwrap();
        prop_assert_eq!(again, parsed);
    }
}
