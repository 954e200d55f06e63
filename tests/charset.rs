//! SEPA character-set conversion: names and texts from across Europe, the
//! strict and lenient policies, identifiers, and properties over any input.

use bankgate::iso20022::charset::{
    CharsetError, MAX_IDENTIFIER_LEN, Strictness, is_sepa_char, to_sepa, to_sepa_identifier,
};
use proptest::prelude::*;

/// Lenient conversion of `input` gives `expected`, flagged as changed exactly
/// when it differs from the input.
fn check(input: &str, expected: &str) {
    let lenient = to_sepa(input, Strictness::Lenient)
        .unwrap_or_else(|e| panic!("lenient {input:?} failed: {e}"));
    assert_eq!(lenient.text, expected, "lenient {input:?}");
    assert_eq!(
        lenient.changed,
        input != expected,
        "changed flag for {input:?}"
    );
}

/// Strict conversion of `input` gives `expected`.
fn check_strict(input: &str, expected: Result<&str, CharsetError>) {
    let actual = to_sepa(input, Strictness::Strict).map(|c| c.text);
    assert_eq!(
        actual.as_deref().map_err(Clone::clone),
        expected,
        "strict {input:?}"
    );
}

fn unmappable(found: char, position: usize) -> CharsetError {
    CharsetError::Unmappable { found, position }
}

fn empty(input: &str, converted: &str) -> CharsetError {
    CharsetError::Empty {
        input: input.to_owned(),
        converted: converted.to_owned(),
    }
}

#[test]
fn german() {
    check("Müller & Söhne GmbH", "Muller + Sohne GmbH");
    check("Hauptstraße 5", "Hauptstrasse 5");
    check("Größe", "Grosse");
    check("ÄÖÜ äöü", "AOU aou");
    check("Überweisung für März", "Uberweisung fur Marz");
}

#[test]
fn nordic() {
    check("Åsa Öberg", "Asa Oberg");
    check("Søren Ærø", "Soren Aero");
    check("ÆRØ", "AERO");
    check("Þórður", "Thordur");
    check("Guðrún Þorsteinsdóttir", "Gudrun Thorsteinsdottir");
    check("Jyväskylä", "Jyvaskyla");
}

#[test]
fn french_spanish_portuguese_catalan() {
    check("François Lefèvre", "Francois Lefevre");
    check("Œuvre", "Oeuvre");
    check("cœur", "coeur");
    check("«guillemets»", "'guillemets'");
    check("Señor Núñez", "Senor Nunez");
    check("São João", "Sao Joao");
    check("Col·legi", "Col.legi");
    check("¿Qué?", "?Que?");
}

#[test]
fn polish() {
    check("Łukasz Wróblewski", "Lukasz Wroblewski");
    check("Zażółć gęślą jaźń", "Zazolc gesla jazn");
    check("ŻÓŁW Ćma Ńie Śnieg Źródło", "ZOLW Cma Nie Snieg Zrodlo");
}

#[test]
fn central_and_south_eastern_europe() {
    check("Antonín Dvořák", "Antonin Dvorak");
    check(
        "Žluťoučký kůň úpěl ďábelské ódy",
        "Zlutoucky kun upel dabelske ody",
    );
    check("Ľubomír Štúr", "Lubomir Stur");
    check("Đurđevac Čakovec Šibenik", "Durdevac Cakovec Sibenik");
    check("Timișoara Ștefan Țuțea", "Timisoara Stefan Tutea");
    check("Timişoara Ţuţea", "Timisoara Tutea");
    check("Erdős Pál Győr", "Erdos Pal Gyor");
    check("Rīga Šiauliai Tartu Jõgeva", "Riga Siauliai Tartu Jogeva");
    check("Ģirts Ķīsis Ļaudis Ņikita", "Girts Kisis Laudis Nikita");
    check("Ħamrun Ġżira", "Hamrun Gzira");
}

#[test]
fn turkish() {
    check("Işıl Güneş Çağlar", "Isil Gunes Caglar");
    check("İstanbul Şişli Öğretmen", "Istanbul Sisli Ogretmen");
}

#[test]
fn greek() {
    check("Αθήνα", "Athina");
    check("Παπαδόπουλος", "Papadopoulos");
    check("ΠΑΠΑΔΟΠΟΥΛΟΣ", "PAPADOPOULOS");
    check("Θεσσαλονίκη", "Thessaloniki");
    check("Χανιά Ψυχικό", "Chania Psychiko");
    check("Αθήνα Παπαδόπουλος", "Athina Papadopoulos");
}

#[test]
fn cyrillic() {
    check("Москва", "Moskva");
    check("Щукин", "Shchukin");
    check("ЩУКИН", "SHCHUKIN");
    check("Київ", "Kiiv");
    check("Жуков Хабаровск Цой", "Zhukov Khabarovsk Tsoi");
    check("Юлия Ярослав", "Iuliia Iaroslav");
    check("Объект Соль", "Obieekt Sol");
    check(
        "Ђорђе Љубљана Његош Ћирић Џамија",
        "Dorde Ljubljana Njegosh Ciric Dzamija",
    );
}

#[test]
fn punctuation() {
    check("A & B", "A + B");
    check("a<b>c", "a.b.c");
    check("\"quotes\"", "'quotes'");
    check("“curly” „German“", "'curly' 'German'");
    check("O’Brien ‘x’", "O'Brien 'x'");
    check("Paris – Berlin — Rom", "Paris - Berlin - Rom");
    check("a_b [c] {d} e\\f g|h i;j", "a-b (c) (d) e/f g/h i,j");
    check("50 € fee", "50 EUR fee");
    check("wait…", "wait...");
    check("info@example.com #12 100%", "info.example.com .12 100.");
}

#[test]
fn whitespace() {
    check("  Anna \t Berg\n", "Anna Berg");
    check("Line one\r\nLine two", "Line one Line two");
    check("no\u{00A0}break", "no break");
    check("a  b   c", "a b c");
    check(
        "soft\u{00AD}hyphen zero\u{200B}width \u{FEFF}bom",
        "softhyphen zerowidth bom",
    );
}

#[test]
fn decomposed_accents_are_dropped() {
    check("Mu\u{0308}ller Jose\u{0301}", "Muller Jose");
}

#[test]
fn emoji_lenient_becomes_dot() {
    check("Danke 🙏", "Danke .");
    check("Pizza 🍕 & Co", "Pizza . + Co");
}

#[test]
fn emoji_strict_is_an_error_with_position() {
    check_strict("Danke 🙏", Err(unmappable('🙏', 7)));
    check_strict("Müller <GmbH>", Err(unmappable('<', 8)));
    check_strict("Müller & Söhne", Ok("Muller + Sohne"));
    check_strict("Αθήνα", Ok("Athina"));
    check_strict("x\u{0}y", Err(unmappable('\u{0}', 2)));
}

#[test]
fn strict_error_message_names_character_and_position() {
    let error = to_sepa("ab😀", Strictness::Strict).expect_err("emoji is unmappable");
    assert_eq!(
        error.to_string(),
        "character '😀' at position 3 has no SEPA equivalent; \
         expected letters, digits, space or / - ? : ( ) . , ' +"
    );
}

#[test]
fn nothing_left_is_an_error() {
    check_strict("", Err(empty("", "")));
    check_strict("   \t\n", Err(empty("   \t\n", "")));
    check_strict("...", Err(empty("...", "...")));
    check_strict("\u{200B}", Err(empty("\u{200B}", "")));
    let lenient = to_sepa("<>", Strictness::Lenient);
    assert_eq!(lenient, Err(empty("<>", "..")));
    let lenient = to_sepa("😀 😀", Strictness::Lenient);
    assert_eq!(lenient, Err(empty("😀 😀", ". .")));
    check("&&", "++");
}

#[test]
fn already_sepa_text_is_unchanged() {
    check(
        "ACME Corp. Invoice 2024/17-A (final), ref: X+Y?",
        "ACME Corp. Invoice 2024/17-A (final), ref: X+Y?",
    );
}

#[test]
fn conversion_may_lengthen_the_text() {
    let converted = to_sepa("Straßenbau Æbeltoft", Strictness::Lenient).expect("convertible");
    assert_eq!(converted.text, "Strassenbau Aebeltoft");
    assert!(converted.text.len() > "Straßenbau Æbeltoft".chars().count());
}

#[test]
fn identifiers() {
    assert_eq!(
        to_sepa_identifier("INV-2024/0001"),
        Ok("INV-2024/0001".to_owned())
    );
    assert_eq!(
        to_sepa_identifier("Bestellung-Müller"),
        Ok("Bestellung-Muller".to_owned())
    );
    assert_eq!(to_sepa_identifier("a_b"), Ok("a-b".to_owned()));
    assert_eq!(to_sepa_identifier("id#1"), Err(unmappable('#', 3)));
    assert_eq!(to_sepa_identifier(""), Err(empty("", "")));
    let max = "A".repeat(MAX_IDENTIFIER_LEN);
    assert_eq!(to_sepa_identifier(&max), Ok(max.clone()));
    let long = "ß".repeat(18);
    assert_eq!(
        to_sepa_identifier(&long),
        Err(CharsetError::IdentifierTooLong {
            converted: "ss".repeat(18),
            length: 36,
        })
    );
}

/// A string of SEPA characters already in normal form: trimmed, no double
/// spaces, with at least one character other than '.' and space.
fn normalised_sepa() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9/?:().,'+-]([a-zA-Z0-9/?:().,'+ -]{0,60}[a-zA-Z0-9/?:().,'+-])?"
        .prop_filter("normal form", |s| {
            !s.contains("  ") && s.chars().any(|c| c != '.' && c != ' ')
        })
}

proptest! {
    #[test]
    fn lenient_output_is_sepa_for_any_input(input in any::<String>()) {
        match to_sepa(&input, Strictness::Lenient) {
            Ok(converted) => {
                prop_assert!(converted.text.chars().all(is_sepa_char), "{:?}", converted.text);
                prop_assert!(!converted.text.starts_with(' ') && !converted.text.ends_with(' '));
                prop_assert!(!converted.text.contains("  "));
            }
            Err(CharsetError::Empty { converted, .. }) => {
                prop_assert!(converted.chars().all(|c| c == '.' || c == ' '));
            }
            Err(other) => prop_assert!(false, "lenient returned {other:?}"),
        }
    }

    #[test]
    fn lenient_output_is_sepa_for_mixed_scripts(input in "[a-zÀ-žΑ-ωА-я&<>\"’–€ \t\n😀-🙏]{0,40}") {
        if let Ok(converted) = to_sepa(&input, Strictness::Lenient) {
            prop_assert!(converted.text.chars().all(is_sepa_char), "{:?}", converted.text);
        }
    }

    #[test]
    fn strict_never_returns_a_non_sepa_char(input in any::<String>()) {
        match to_sepa(&input, Strictness::Strict) {
            Ok(converted) => prop_assert!(converted.text.chars().all(is_sepa_char)),
            Err(CharsetError::Unmappable { found, position }) => {
                prop_assert_eq!(input.chars().nth(position - 1), Some(found));
                prop_assert!(!is_sepa_char(found));
            }
            Err(CharsetError::Empty { .. }) => {}
            Err(other) => prop_assert!(false, "strict returned {other:?}"),
        }
    }

    #[test]
    fn sepa_text_is_the_identity(input in normalised_sepa()) {
        for strictness in [Strictness::Lenient, Strictness::Strict] {
            let converted = to_sepa(&input, strictness).expect("SEPA text converts");
            prop_assert_eq!(&converted.text, &input);
            prop_assert!(!converted.changed);
        }
    }

    #[test]
    fn conversion_is_idempotent(input in any::<String>()) {
        if let Ok(once) = to_sepa(&input, Strictness::Lenient) {
            let twice = to_sepa(&once.text, Strictness::Lenient).expect("converted text converts");
            prop_assert_eq!(twice.text, once.text);
            prop_assert!(!twice.changed);
        }
    }

    #[test]
    fn identifiers_match_the_epc_pattern(input in any::<String>()) {
        if let Ok(id) = to_sepa_identifier(&input) {
            let length = id.chars().count();
            prop_assert!((1..=MAX_IDENTIFIER_LEN).contains(&length));
            prop_assert!(id.chars().all(is_sepa_char));
        }
    }
}
