//! Business-day calendars and execution-date rules, against published lists.
//!
//! `Calendar::holidays(year)` lists the weekdays a calendar is closed (holidays that
//! fall on a weekend and are not substituted close nothing and are not listed), so
//! each list below is the published list minus its weekend days.

use bankgate::domain::calendar::{
    Calendar, CalendarId, CalendarOverrides, Calendars, easter_sunday,
};
use bankgate::domain::money::Currency;
use bankgate::domain::scheme::Scheme;
use bankgate::domain::timing::{
    CutOff, SettlementDates, TimingRequest, autogiro_mandate_usable_from, settlement_dates,
};
use jiff::civil::{Date, Time, date};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use proptest::prelude::*;

const FIXTURE: &str = include_str!("../fixtures/calendar-overrides.toml");

fn d(text: &str) -> Date {
    text.parse().expect("test date")
}

/// The closing weekdays of `id` in `year` are exactly `expected`, and
/// `is_business_day` agrees with the list on every day of the year.
fn check_holidays(calendar: &Calendar, year: i16, expected: &[&str]) {
    let got: Vec<String> = calendar
        .holidays(year)
        .iter()
        .map(|(day, _)| day.to_string())
        .collect();
    assert_eq!(got, expected, "{} {year}", calendar.id());
    assert!(calendar.holidays(year).iter().all(|(_, n)| !n.is_empty()));
    let mut day = date(year, 1, 1);
    while day.year() == year {
        let weekend = matches!(
            day.weekday(),
            jiff::civil::Weekday::Saturday | jiff::civil::Weekday::Sunday
        );
        let listed = expected.contains(&day.to_string().as_str());
        let expected_open = !listed && (!weekend || calendar.id() == CalendarId::AlwaysOpen);
        assert_eq!(
            calendar.is_business_day(day),
            expected_open,
            "{} {day}",
            calendar.id()
        );
        day = day.tomorrow().unwrap();
    }
}

fn check_rules(id: CalendarId, year: i16, expected: &[&str]) {
    check_holidays(&id.calendar(), year, expected);
}

#[test]
fn easter_sundays() {
    let check = |year: i16, expected: &str| assert_eq!(easter_sunday(year), Some(d(expected)));
    check(2024, "2024-03-31");
    check(2025, "2025-04-20");
    check(2026, "2026-04-05");
    check(2027, "2027-03-28");
    check(2038, "2038-04-25");
    check(2285, "2285-03-22");
}

#[test]
#[rustfmt::skip]
fn target2_closing_days() {
    use CalendarId::Target2 as T;
    check_rules(
        T,
        2025,
        &[
            "2025-01-01", "2025-04-18", "2025-04-21", "2025-05-01", "2025-12-25", "2025-12-26",
        ],
    );
    // 26 Dec 2026 is a Saturday.
    check_rules(
        T,
        2026,
        &[
            "2026-01-01", "2026-04-03", "2026-04-06", "2026-05-01", "2026-12-25",
        ],
    );
    // 1 May, 25 Dec (Sat) and 26 Dec (Sun) 2027 fall on weekends: no substitutes.
    check_rules(T, 2027, &["2027-01-01", "2027-03-26", "2027-03-29"]);
}

#[test]
#[rustfmt::skip]
fn swedish_bank_holidays() {
    use CalendarId::Se as S;
    check_rules(
        S,
        2025,
        &[
            "2025-01-01", "2025-01-06", "2025-04-18", "2025-04-21", "2025-05-01", "2025-05-29",
            "2025-06-06", "2025-06-20", "2025-12-24", "2025-12-25", "2025-12-26", "2025-12-31",
        ],
    );
    // National Day (Sat 6 Jun) and 26 Dec (Sat) close nothing.
    check_rules(
        S,
        2026,
        &[
            "2026-01-01", "2026-01-06", "2026-04-03", "2026-04-06", "2026-05-01", "2026-05-14",
            "2026-06-19", "2026-12-24", "2026-12-25", "2026-12-31",
        ],
    );
    check_rules(
        S,
        2027,
        &[
            "2027-01-01", "2027-01-06", "2027-03-26", "2027-03-29", "2027-05-06", "2027-06-25",
            "2027-12-24", "2027-12-31",
        ],
    );
}

#[test]
#[rustfmt::skip]
fn danish_bank_closing_days() {
    use CalendarId::Dk as K;
    check_rules(
        K,
        2025,
        &[
            "2025-01-01", "2025-04-17", "2025-04-18", "2025-04-21", "2025-05-29", "2025-05-30",
            "2025-06-05", "2025-06-09", "2025-12-24", "2025-12-25", "2025-12-26", "2025-12-31",
        ],
    );
    check_rules(
        K,
        2026,
        &[
            "2026-01-01", "2026-04-02", "2026-04-03", "2026-04-06", "2026-05-14", "2026-05-15",
            "2026-05-25", "2026-06-05", "2026-12-24", "2026-12-25", "2026-12-31",
        ],
    );
    check_rules(
        K,
        2027,
        &[
            "2027-01-01", "2027-03-25", "2027-03-26", "2027-03-29", "2027-05-06", "2027-05-07",
            "2027-05-17", "2027-12-24", "2027-12-31",
        ],
    );
    // Store bededag (Easter + 26) until 2023 only.
    check_rules(
        K,
        2023,
        &[
            "2023-04-06", "2023-04-07", "2023-04-10", "2023-05-05", "2023-05-18", "2023-05-19",
            "2023-05-29", "2023-06-05", "2023-12-25", "2023-12-26",
        ],
    );
    check_rules(
        K,
        2024,
        &[
            "2024-01-01", "2024-03-28", "2024-03-29", "2024-04-01", "2024-05-09", "2024-05-10",
            "2024-05-20", "2024-06-05", "2024-12-24", "2024-12-25", "2024-12-26", "2024-12-31",
        ],
    );
    // 1 May is not a Danish bank closing day.
    assert!(K.calendar().is_business_day(d("2025-05-01")));
}

#[test]
#[rustfmt::skip]
fn england_and_wales_bank_holidays() {
    use CalendarId::Gb as G;
    check_rules(
        G,
        2025,
        &[
            "2025-01-01", "2025-04-18", "2025-04-21", "2025-05-05", "2025-05-26", "2025-08-25",
            "2025-12-25", "2025-12-26",
        ],
    );
    // Boxing Day on Saturday → Monday 28 Dec.
    check_rules(
        G,
        2026,
        &[
            "2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25", "2026-08-31",
            "2026-12-25", "2026-12-28",
        ],
    );
    // Christmas on Saturday, Boxing Day on Sunday → Monday 27 and Tuesday 28 Dec.
    check_rules(
        G,
        2027,
        &[
            "2027-01-01", "2027-03-26", "2027-03-29", "2027-05-03", "2027-05-31", "2027-08-30",
            "2027-12-27", "2027-12-28",
        ],
    );
    // Christmas on Sunday → Boxing Day stays on Monday 26th, Christmas moves to Tuesday 27th;
    // New Year on Saturday → Monday 3 Jan (rules only: 2022 one-offs are data).
    let gb = G.calendar();
    let names: Vec<(String, &str)> = gb
        .holidays(2022)
        .into_iter()
        .filter(|(day, _)| day.month() == 12 || day.month() == 1)
        .map(|(day, name)| (day.to_string(), name))
        .collect();
    assert_eq!(
        names,
        [
            ("2022-01-03".to_string(), "New Year's Day (substitute day)"),
            ("2022-12-26".to_string(), "Boxing Day"),
            ("2022-12-27".to_string(), "Christmas Day (substitute day)"),
        ]
    );
    // New Year 2028 on Saturday → Monday 3 Jan 2028.
    assert!(!gb.is_business_day(d("2028-01-03")));
}

#[test]
#[rustfmt::skip]
fn us_federal_reserve_holidays() {
    use CalendarId::UsFed as F;
    check_rules(
        F,
        2025,
        &[
            "2025-01-01", "2025-01-20", "2025-02-17", "2025-05-26", "2025-06-19", "2025-07-04",
            "2025-09-01", "2025-10-13", "2025-11-11", "2025-11-27", "2025-12-25",
        ],
    );
    // Independence Day on Saturday: the Fed is open Friday 3 July 2026.
    check_rules(
        F,
        2026,
        &[
            "2026-01-01", "2026-01-19", "2026-02-16", "2026-05-25", "2026-06-19", "2026-09-07",
            "2026-10-12", "2026-11-11", "2026-11-26", "2026-12-25",
        ],
    );
    // Juneteenth (Sat) and Christmas (Sat) not moved; Independence Day (Sun) → Monday 5 July.
    check_rules(
        F,
        2027,
        &[
            "2027-01-01", "2027-01-18", "2027-02-15", "2027-05-31", "2027-07-05", "2027-09-06",
            "2027-10-11", "2027-11-11", "2027-11-25",
        ],
    );
    let fed = F.calendar();
    assert!(fed.is_business_day(d("2027-06-18")));
    assert!(fed.is_business_day(d("2026-07-03")));
    assert!(fed.is_business_day(d("2027-12-24")));
    assert!(
        fed.is_business_day(d("2027-12-31")),
        "New Year 2028 is a Saturday"
    );
    // Juneteenth became a Fed holiday in 2022 (observed Monday 20 June, 19th a Sunday).
    assert!(!fed.is_business_day(d("2022-06-20")));
}

#[test]
fn always_open_and_weekdays() {
    check_rules(CalendarId::AlwaysOpen, 2025, &[]);
    check_rules(CalendarId::Weekdays, 2026, &[]);
    assert!(
        CalendarId::AlwaysOpen
            .calendar()
            .is_business_day(d("2025-12-25"))
    );
}

#[test]
#[rustfmt::skip]
fn overrides_fixture_applies_to_gb() {
    let overrides = CalendarOverrides::parse(FIXTURE).expect("fixture parses");
    assert_eq!(overrides.entries().len(), 7);
    let gb = CalendarId::Gb.calendar().with_overrides(&overrides);
    check_holidays(
        &gb,
        2022,
        &[
            "2022-01-03", "2022-04-15", "2022-04-18", "2022-05-02", "2022-06-02", "2022-06-03",
            "2022-08-29", "2022-09-19", "2022-12-26", "2022-12-27",
        ],
    );
    check_holidays(
        &gb,
        2023,
        &[
            "2023-01-02", "2023-04-07", "2023-04-10", "2023-05-01", "2023-05-08", "2023-05-29",
            "2023-08-28", "2023-12-25", "2023-12-26",
        ],
    );
    check_holidays(
        &gb,
        2020,
        &[
            "2020-01-01", "2020-04-10", "2020-04-13", "2020-05-08", "2020-05-25", "2020-08-31",
            "2020-12-25", "2020-12-28",
        ],
    );
    let named: Vec<&str> = gb
        .holidays(2023)
        .into_iter()
        .filter(|(day, _)| *day == d("2023-05-08"))
        .map(|(_, name)| name)
        .collect();
    assert_eq!(
        named,
        ["Bank holiday for the coronation of King Charles III"]
    );
    // Other calendars are untouched.
    let calendars = Calendars::with_overrides(&overrides);
    assert_eq!(
        calendars.get(CalendarId::Target2),
        &CalendarId::Target2.calendar()
    );
    assert!(
        !calendars
            .get(CalendarId::Gb)
            .is_business_day(d("2022-09-19"))
    );
}

#[test]
fn overrides_can_open_a_weekend_and_close_an_always_open_day() {
    let overrides = CalendarOverrides::parse(
        "format = 1\n\
         [[open]]\ncalendar = \"SE\"\ndate = 2025-06-14\nname = \"Saturday opening\"\n\
         [[closed]]\ncalendar = \"ALWAYS_OPEN\"\ndate = 2025-06-15\nname = \"Scheme outage\"\n",
    )
    .unwrap();
    let calendars = Calendars::with_overrides(&overrides);
    let se = calendars.get(CalendarId::Se);
    assert!(se.is_business_day(d("2025-06-14")));
    assert_eq!(
        se.next_business_day_on_or_after(d("2025-06-14")),
        Some(d("2025-06-14"))
    );
    let open = calendars.get(CalendarId::AlwaysOpen);
    assert_eq!(open.holidays(2025), [(d("2025-06-15"), "Scheme outage")]);
}

/// Parsing `text` fails with exactly these `(line, field, rule)` problems.
fn check_override_errors(text: &str, expected: &[(usize, &str, &str)]) {
    let errors = CalendarOverrides::parse(text).expect_err("should fail");
    let got: Vec<(usize, &str, &str)> = errors
        .iter()
        .map(|e| (e.line, e.field.as_str(), e.violation.rule))
        .collect();
    assert_eq!(got, expected, "{errors:#?}");
    assert!(errors.iter().all(|e| !e.violation.expected.is_empty()));
}

#[test]
fn override_errors_are_all_reported_with_lines() {
    check_override_errors(
        "format = 2\n\
         colour = \"blue\"\n\
         [[closed]]\n\
         calendar = \"XX\"\n\
         date = \"2022-09-19\"\n\
         name = \"Funeral\"\n\
         [[closed]]\n\
         calendar = \"GB\"\n\
         date = 2022-09-19T10:00:00\n\
         [[open]]\n\
         calendar = \"GB\"\n\
         date = 2023-05-08\n\
         name = \"  \"\n\
         when = 1\n",
        &[
            (1, "format", "overrides.format"),
            (2, "colour", "overrides.unknown_key"),
            (4, "closed[0].calendar", "overrides.calendar"),
            (5, "closed[0].date", "overrides.date"),
            (7, "closed[1].name", "overrides.missing"),
            (9, "closed[1].date", "overrides.date"),
            (13, "open[0].name", "overrides.name"),
            (14, "open[0].when", "overrides.unknown_key"),
        ],
    );
    check_override_errors(
        "format = 1\n\
         [[closed]]\ncalendar = \"GB\"\ndate = 2023-05-08\nname = \"a\"\n\
         [[open]]\ncalendar = \"GB\"\ndate = 2023-05-08\nname = \"b\"\n",
        &[(6, "open[0]", "overrides.duplicate")],
    );
    check_override_errors(
        "format = 1\nclosed = 3\n",
        &[(2, "closed", "overrides.type")],
    );
    check_override_errors(
        "[[closed]]\n",
        &[
            (1, "closed[0].calendar", "overrides.missing"),
            (1, "closed[0].date", "overrides.missing"),
            (1, "closed[0].name", "overrides.missing"),
            (1, "format", "overrides.format"),
        ],
    );
    check_override_errors("", &[(1, "format", "overrides.format")]);
    // Syntax errors are all reported, alone: a recovered document would mislead.
    check_override_errors(
        "format = 1\n[[closed]\ndate = = 3\n",
        &[
            (2, "document", "overrides.syntax"),
            (3, "document", "overrides.syntax"),
            (3, "document", "overrides.syntax"),
        ],
    );
}

// ---------------------------------------------------------------------------------
// Timing
// ---------------------------------------------------------------------------------

fn stockholm_14() -> CutOff {
    CutOff {
        time: Time::constant(14, 0, 0, 0),
        zone: TimeZone::get("Europe/Stockholm").unwrap(),
    }
}

fn ts(text: &str) -> Timestamp {
    text.parse().expect("test timestamp")
}

/// `scheme` in `currency`, requested for `requested` and submitted at `submitted`
/// (UTC) with a 14:00 Europe/Stockholm cut-off, settles on `expected`
/// (execution, earliest arrival, latest arrival) or fails with the rule and the
/// earliest possible date.
fn check(
    scheme: Scheme,
    currency: Currency,
    requested: &str,
    submitted: &str,
    expected: Result<(&str, &str, &str), (&str, &str)>,
) {
    let request = TimingRequest {
        scheme,
        currency,
        requested: d(requested),
        submitted_at: ts(submitted),
    };
    let got = settlement_dates(&request, &stockholm_14(), &Calendars::standard());
    let context = format!("{scheme} {currency} requested {requested} submitted {submitted}");
    match (got, expected) {
        (
            Ok(SettlementDates {
                execution_date,
                earliest_arrival,
                latest_arrival,
                ..
            }),
            Ok((exec, first, last)),
        ) => assert_eq!(
            (execution_date, earliest_arrival, latest_arrival),
            (d(exec), d(first), d(last)),
            "{context}"
        ),
        (Err(error), Err((rule, earliest))) => {
            assert_eq!(error.rule(), rule, "{context}: {error}");
            let earliest_got = match &error {
                bankgate::domain::timing::TimingError::LeadTimeMissed { earliest, .. }
                | bankgate::domain::timing::TimingError::BetalingsserviceDeadlineMissed {
                    earliest,
                    ..
                } => *earliest,
                bankgate::domain::timing::TimingError::NotBusinessDay { next, .. } => *next,
                other => panic!("{context}: unexpected {other}"),
            };
            assert_eq!(earliest_got, d(earliest), "{context}: {error}");
            assert_eq!(error.to_violation().rule, rule);
        }
        (got, expected) => panic!("{context}: got {got:?}, expected {expected:?}"),
    }
}

fn same(date: &str) -> Result<(&str, &str, &str), (&'static str, &'static str)> {
    Ok((date, date, date))
}

#[test]
fn same_day_schemes_before_and_after_cut_off() {
    use Currency::*;
    use Scheme::*;
    // Monday 16 June 2025; 14:00 CEST = 12:00Z.
    check(
        SepaCreditTransfer,
        EUR,
        "2025-06-16",
        "2025-06-16T11:59:59Z",
        same("2025-06-16"),
    );
    check(
        SepaCreditTransfer,
        EUR,
        "2025-06-16",
        "2025-06-16T12:00:00Z",
        same("2025-06-17"),
    );
    check(
        SeAccountTransfer,
        SEK,
        "2025-06-16",
        "2025-06-16T10:00:00Z",
        same("2025-06-16"),
    );
    check(
        SeBankgiro,
        SEK,
        "2025-06-16",
        "2025-06-16T12:30:00Z",
        same("2025-06-17"),
    );
    check(
        SePlusgiro,
        SEK,
        "2025-06-16",
        "2025-06-16T12:30:00Z",
        same("2025-06-17"),
    );
    // DK same-day after cut-off before Ascension + the Friday after + weekend.
    check(
        DkSameDayTransfer,
        DKK,
        "2025-05-28",
        "2025-05-28T13:00:00Z",
        same("2025-06-02"),
    );
    check(
        DkSameDayTransfer,
        DKK,
        "2025-05-28",
        "2025-05-28T08:00:00Z",
        same("2025-05-28"),
    );
}

#[test]
fn cut_off_follows_stockholm_daylight_saving_time() {
    use Scheme::SepaCreditTransfer as S;
    // 12:30Z is 13:30 CET in January (before 14:00) but 14:30 CEST in June (after).
    check(
        S,
        Currency::EUR,
        "2025-01-15",
        "2025-01-15T12:30:00Z",
        same("2025-01-15"),
    );
    check(
        S,
        Currency::EUR,
        "2025-06-18",
        "2025-06-18T12:30:00Z",
        same("2025-06-19"),
    );
    // Around the switch: Friday 28 March 2025 is CET, Monday 31 March CEST.
    check(
        S,
        Currency::EUR,
        "2025-03-28",
        "2025-03-28T12:59:00Z",
        same("2025-03-28"),
    );
    check(
        S,
        Currency::EUR,
        "2025-03-31",
        "2025-03-31T12:01:00Z",
        same("2025-04-01"),
    );
    // 23:30Z on Sunday is already Monday in Stockholm.
    check(
        S,
        Currency::EUR,
        "2025-06-15",
        "2025-06-15T22:30:00Z",
        same("2025-06-16"),
    );
}

#[test]
fn weekend_holiday_future_and_past_dates() {
    use Currency::*;
    use Scheme::*;
    // Saturday submission → Monday.
    check(
        SepaCreditTransfer,
        EUR,
        "2025-06-14",
        "2025-06-14T08:00:00Z",
        same("2025-06-16"),
    );
    // Maundy Thursday after cut-off → Tuesday after Easter (TARGET2).
    check(
        SepaCreditTransfer,
        EUR,
        "2025-04-17",
        "2025-04-17T15:00:00Z",
        same("2025-04-22"),
    );
    // Future date on Midsummer Eve → next Swedish business day.
    check(
        SeAccountTransfer,
        SEK,
        "2025-06-20",
        "2025-06-16T15:00:00Z",
        same("2025-06-23"),
    );
    // Future date on a business day: cut-off irrelevant.
    check(
        SepaCreditTransfer,
        EUR,
        "2025-06-18",
        "2025-06-16T20:00:00Z",
        same("2025-06-18"),
    );
    // Past date → treated as today.
    check(
        SepaCreditTransfer,
        EUR,
        "2025-06-02",
        "2025-06-16T09:00:00Z",
        same("2025-06-16"),
    );
    check(
        SepaCreditTransfer,
        EUR,
        "2025-06-02",
        "2025-06-16T13:00:00Z",
        same("2025-06-17"),
    );
}

#[test]
fn danish_standard_transfer_arrives_next_business_day() {
    use Scheme::DkStandardTransfer as S;
    check(
        S,
        Currency::DKK,
        "2025-06-16",
        "2025-06-16T10:00:00Z",
        Ok(("2025-06-16", "2025-06-17", "2025-06-17")),
    );
    check(
        S,
        Currency::DKK,
        "2025-06-16",
        "2025-06-16T13:00:00Z",
        Ok(("2025-06-17", "2025-06-18", "2025-06-18")),
    );
    // Sent Wednesday 4 June: Constitution Day (Thursday 5 June) delays arrival to Friday.
    check(
        S,
        Currency::DKK,
        "2025-06-04",
        "2025-06-04T10:00:00Z",
        Ok(("2025-06-04", "2025-06-06", "2025-06-06")),
    );
}

#[test]
fn instant_schemes_run_every_day() {
    use Currency::*;
    use Scheme::*;
    // Sunday evening, long after the cut-off.
    check(
        SepaInstantCreditTransfer,
        EUR,
        "2025-06-15",
        "2025-06-15T20:00:00Z",
        same("2025-06-15"),
    );
    check(
        DkImmediateTransfer,
        DKK,
        "2025-12-25",
        "2025-12-25T21:00:00Z",
        same("2025-12-25"),
    );
    // Scheduled for a future Saturday.
    check(
        SepaInstantCreditTransfer,
        EUR,
        "2025-06-21",
        "2025-06-15T20:00:00Z",
        same("2025-06-21"),
    );
    // Past requested date → the submission date.
    check(
        SepaInstantCreditTransfer,
        EUR,
        "2025-06-01",
        "2025-06-15T20:00:00Z",
        same("2025-06-15"),
    );
}

#[test]
fn sepa_direct_debit_lead_time() {
    use Currency::EUR;
    use Scheme::*;
    // Collection Wednesday 18 June: file by Tuesday 17 June 14:00 CEST (12:00Z).
    check(
        SepaDirectDebitCore,
        EUR,
        "2025-06-18",
        "2025-06-17T11:59:00Z",
        same("2025-06-18"),
    );
    check(
        SepaDirectDebitB2b,
        EUR,
        "2025-06-18",
        "2025-06-16T09:00:00Z",
        same("2025-06-18"),
    );
    check(
        SepaDirectDebitCore,
        EUR,
        "2025-06-18",
        "2025-06-17T12:00:00Z",
        Err(("timing.lead_time", "2025-06-19")),
    );
    check(
        SepaDirectDebitB2b,
        EUR,
        "2025-06-18",
        "2025-06-18T08:00:00Z",
        Err(("timing.lead_time", "2025-06-19")),
    );
    // D-1 over Easter: collection Tuesday 22 April needs the file by Thursday 17 April.
    check(
        SepaDirectDebitCore,
        EUR,
        "2025-04-22",
        "2025-04-17T11:00:00Z",
        same("2025-04-22"),
    );
    check(
        SepaDirectDebitCore,
        EUR,
        "2025-04-22",
        "2025-04-18T08:00:00Z",
        Err(("timing.lead_time", "2025-04-23")),
    );
    // Collection on a TARGET2 holiday.
    check(
        SepaDirectDebitCore,
        EUR,
        "2025-05-01",
        "2025-04-22T08:00:00Z",
        Err(("timing.collection_business_day", "2025-05-02")),
    );
    // …whose next business day is itself too late: the suggestion is still reachable.
    check(
        SepaDirectDebitCore,
        EUR,
        "2025-05-01",
        "2025-05-01T08:00:00Z",
        Err(("timing.collection_business_day", "2025-05-05")),
    );
}

#[test]
fn lead_time_error_names_the_deadline() {
    let request = TimingRequest {
        scheme: Scheme::SepaDirectDebitCore,
        currency: Currency::EUR,
        requested: d("2025-06-18"),
        submitted_at: ts("2025-06-17T12:00:00Z"),
    };
    let error = settlement_dates(&request, &stockholm_14(), &Calendars::standard()).unwrap_err();
    let violation = error.to_violation();
    assert_eq!(violation.rule, "timing.lead_time");
    assert!(
        violation
            .expected
            .contains("2025-06-17T14:00:00+02:00[Europe/Stockholm]"),
        "{violation}"
    );
    assert!(violation.expected.contains("2025-06-19"), "{violation}");
    assert_eq!(violation.actual, "submitted at 2025-06-17T12:00:00Z");
}

#[test]
fn autogiro_lead_time_and_mandate_activation() {
    use Scheme::SeAutogiro as S;
    // Collection Monday 23 June 2025: D-1 is Thursday 19 June (Midsummer Eve is closed).
    check(
        S,
        Currency::SEK,
        "2025-06-23",
        "2025-06-19T11:00:00Z",
        same("2025-06-23"),
    );
    check(
        S,
        Currency::SEK,
        "2025-06-23",
        "2025-06-20T08:00:00Z",
        Err(("timing.lead_time", "2025-06-24")),
    );
    let se = CalendarId::Se.calendar();
    // Sent Monday 16 June: six Swedish business days (Midsummer Eve skipped) → 25 June.
    assert_eq!(
        autogiro_mandate_usable_from(&se, d("2025-06-16")),
        Some(d("2025-06-25"))
    );
}

#[test]
fn betalingsservice_monthly_deadline() {
    use Scheme::DkBetalingsservice as S;
    // September 2025 collections: sixth-last Danish business day of August is Friday
    // 22 August; 09:00 CEST = 07:00Z.
    check(
        S,
        Currency::DKK,
        "2025-09-01",
        "2025-08-22T06:59:59Z",
        same("2025-09-01"),
    );
    check(
        S,
        Currency::DKK,
        "2025-09-15",
        "2025-08-22T07:00:00Z",
        Err(("timing.betalingsservice_deadline", "2025-10-01")),
    );
    // January 2026: December 2025 loses 24, 25, 26 and 31 Dec → Thursday 18 December,
    // 09:00 CET = 08:00Z.
    check(
        S,
        Currency::DKK,
        "2026-01-02",
        "2025-12-18T07:59:00Z",
        same("2026-01-02"),
    );
    check(
        S,
        Currency::DKK,
        "2026-01-02",
        "2025-12-18T08:00:00Z",
        Err(("timing.betalingsservice_deadline", "2026-02-02")),
    );
    // Collection on a Danish holiday.
    check(
        S,
        Currency::DKK,
        "2026-01-01",
        "2025-12-01T08:00:00Z",
        Err(("timing.collection_business_day", "2026-01-02")),
    );
}

#[test]
fn cross_border_settles_on_the_currency_calendar() {
    use Scheme::CrossBorder as S;
    // USD after cut-off on Friday 2 July 2027: Monday 5 July is Independence Day (observed).
    check(
        S,
        Currency::USD,
        "2027-07-02",
        "2027-07-02T13:00:00Z",
        Ok(("2027-07-06", "2027-07-07", "2027-07-13")),
    );
    // The Fed is open on Friday 18 June 2027 (Juneteenth is a Saturday).
    check(
        S,
        Currency::USD,
        "2027-06-18",
        "2027-06-18T09:00:00Z",
        Ok(("2027-06-18", "2027-06-21", "2027-06-25")),
    );
    // GBP on Christmas Eve 2027: 27/28 Dec and 3 Jan 2028 are substitute days.
    check(
        S,
        Currency::GBP,
        "2027-12-24",
        "2027-12-24T09:00:00Z",
        Ok(("2027-12-24", "2027-12-29", "2028-01-05")),
    );
    // EUR on TARGET2: Boxing Day closed.
    check(
        S,
        Currency::EUR,
        "2025-12-26",
        "2025-12-24T15:00:00Z",
        Ok(("2025-12-29", "2025-12-30", "2026-01-06")),
    );
    // SEK: Midsummer Eve closed.
    check(
        S,
        Currency::SEK,
        "2025-06-20",
        "2025-06-20T08:00:00Z",
        Ok(("2025-06-23", "2025-06-24", "2025-06-30")),
    );
    // DKK: Constitution Day closed.
    check(
        S,
        Currency::DKK,
        "2025-06-05",
        "2025-06-04T15:00:00Z",
        Ok(("2025-06-06", "2025-06-10", "2025-06-16")),
    );
    // NOK has no modelled calendar: weekdays only (26 Dec is open).
    check(
        S,
        Currency::NOK,
        "2025-12-26",
        "2025-12-26T09:00:00Z",
        Ok(("2025-12-26", "2025-12-29", "2026-01-02")),
    );
}

#[test]
fn timing_uses_overridden_calendars() {
    let overrides = CalendarOverrides::parse(FIXTURE).unwrap();
    let request = TimingRequest {
        scheme: Scheme::CrossBorder,
        currency: Currency::GBP,
        requested: d("2022-09-16"),
        submitted_at: ts("2022-09-16T13:00:00Z"),
    };
    let dates = settlement_dates(
        &request,
        &stockholm_14(),
        &Calendars::with_overrides(&overrides),
    )
    .unwrap();
    assert_eq!(dates.calendar, CalendarId::Gb);
    assert_eq!(dates.execution_date, d("2022-09-20"));
    let plain = settlement_dates(&request, &stockholm_14(), &Calendars::standard()).unwrap();
    assert_eq!(plain.execution_date, d("2022-09-19"));
}

// ---------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------

fn any_calendar() -> impl Strategy<Value = CalendarId> {
    proptest::sample::select(CalendarId::ALL.to_vec())
}

fn any_date() -> impl Strategy<Value = Date> {
    (1900i16..=2200, 0i32..366)
        .prop_map(|(year, day)| date(year, 1, 1).checked_add(day.days()).unwrap())
}

proptest! {
    #[test]
    fn next_business_day_is_the_first_business_day_on_or_after(id in any_calendar(), day in any_date()) {
        let calendar = id.calendar();
        let next = calendar.next_business_day_on_or_after(day).unwrap();
        prop_assert!(next >= day);
        prop_assert!(calendar.is_business_day(next));
        let mut between = day;
        while between < next {
            prop_assert!(!calendar.is_business_day(between));
            between = between.tomorrow().unwrap();
        }
        prop_assert!(next.since(day).unwrap().get_days() <= 5, "{} {} → {}", id, day, next);
    }

    #[test]
    fn adding_and_subtracting_business_days_round_trips(id in any_calendar(), day in any_date(), n in -60i32..=60) {
        let calendar = id.calendar();
        let start = calendar.next_business_day_on_or_after(day).unwrap();
        let moved = calendar.add_business_days(start, n).unwrap();
        prop_assert!(calendar.is_business_day(moved) || n == 0);
        prop_assert_eq!(moved > start, n > 0);
        prop_assert_eq!(calendar.add_business_days(moved, -n), Some(start));
    }

    #[test]
    fn holidays_list_matches_is_business_day(id in any_calendar(), year in 1900i16..=2200) {
        let calendar = id.calendar();
        for (day, name) in calendar.holidays(year) {
            prop_assert_eq!(day.year(), year);
            prop_assert!(!calendar.is_business_day(day));
            prop_assert!(!name.is_empty());
        }
    }

    #[test]
    fn override_parser_never_panics(text in "\\PC{0,200}") {
        let _ = CalendarOverrides::parse(&text);
    }
}

#[test]
fn calendar_functions_are_total_at_the_ends_of_time() {
    for id in CalendarId::ALL {
        let calendar = id.calendar();
        let _ = calendar.next_business_day_on_or_after(Date::MAX);
        let _ = calendar.add_business_days(Date::MIN, -3);
        let _ = calendar.add_business_days(Date::MAX, 3);
        assert_eq!(calendar.add_business_days(Date::MIN, -1), None);
        let _ = calendar.holidays(9999);
        let _ = calendar.holidays(-9999);
    }
}
