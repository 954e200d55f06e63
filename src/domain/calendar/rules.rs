//! The holiday rules of each calendar, as generators: `year → closing weekdays`.
//!
//! Sources: domain reference §5 (ECB TARGET2 closing days, Swedish bank days,
//! Danish bank closing days, GOV.UK bank holidays, Federal Reserve holiday schedule).
//! One-off days (proclaimed UK bank holidays, moved days) are data, not rules: see
//! [`super::overrides`].

use jiff::civil::{Date, Weekday};

use super::CalendarId;
use super::easter::easter_sunday;

/// Saturday or Sunday.
pub(crate) fn is_weekend(date: Date) -> bool {
    matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
}

fn ymd(year: i16, month: i8, day: i8) -> Option<Date> {
    Date::new(year, month, day).ok()
}

fn offset(date: Date, days: i32) -> Option<Date> {
    let span = jiff::Span::new().try_days(days).ok()?;
    date.checked_add(span).ok()
}

/// The `nth` `weekday` of a month; negative `nth` counts from the end (-1 = last).
fn nth(year: i16, month: i8, nth: i8, weekday: Weekday) -> Option<Date> {
    ymd(year, month, 1)?.nth_weekday_of_month(nth, weekday).ok()
}

/// Collects named days, skipping those that do not exist (out-of-range years).
struct Days(Vec<(Date, &'static str)>);

impl Days {
    fn add(&mut self, date: Option<Date>, name: &'static str) {
        if let Some(date) = date {
            self.0.push((date, name));
        }
    }

    fn easter(&mut self, easter: Option<Date>, days: i32, name: &'static str) {
        self.add(easter.and_then(|e| offset(e, days)), name);
    }

    /// The closing weekdays, sorted, one entry per date (first name wins).
    fn into_weekdays(mut self) -> Vec<(Date, &'static str)> {
        self.0.retain(|(d, _)| !is_weekend(*d));
        self.0.sort_by_key(|(d, _)| *d);
        self.0.dedup_by_key(|(d, _)| *d);
        self.0
    }
}

/// Closing weekdays of `id` in `year` by rule (no overrides), sorted by date.
pub(crate) fn rule_holidays(id: CalendarId, year: i16) -> Vec<(Date, &'static str)> {
    match id {
        CalendarId::Target2 => target2(year),
        CalendarId::Se => sweden(year),
        CalendarId::Dk => denmark(year),
        CalendarId::Gb => england_and_wales(year),
        CalendarId::UsFed => us_fed(year),
        CalendarId::Weekdays | CalendarId::AlwaysOpen => Vec::new(),
    }
}

/// TARGET2 (T2 since 2023): exactly six closing days besides weekends.
fn target2(year: i16) -> Vec<(Date, &'static str)> {
    let easter = easter_sunday(year);
    let mut days = Days(Vec::new());
    days.add(ymd(year, 1, 1), "New Year's Day");
    days.easter(easter, -2, "Good Friday");
    days.easter(easter, 1, "Easter Monday");
    days.add(ymd(year, 5, 1), "Labour Day");
    days.add(ymd(year, 12, 25), "Christmas Day");
    days.add(ymd(year, 12, 26), "Christmas Holiday");
    days.into_weekdays()
}

/// Swedish bank days. National Day (6 Jun) is a holiday since 2005, when Whit Monday
/// stopped being one.
fn sweden(year: i16) -> Vec<(Date, &'static str)> {
    let easter = easter_sunday(year);
    let mut days = Days(Vec::new());
    days.add(ymd(year, 1, 1), "New Year's Day");
    days.add(ymd(year, 1, 6), "Epiphany");
    days.easter(easter, -2, "Good Friday");
    days.easter(easter, 1, "Easter Monday");
    days.add(ymd(year, 5, 1), "May Day");
    days.easter(easter, 39, "Ascension Day");
    if year >= 2005 {
        days.add(ymd(year, 6, 6), "National Day");
    } else {
        days.easter(easter, 50, "Whit Monday");
    }
    // Midsummer Eve: the Friday between 19 and 25 June.
    // (`nth_weekday` does not count the start day, hence 18 June.)
    days.add(
        ymd(year, 6, 18).and_then(|d| d.nth_weekday(1, Weekday::Friday).ok()),
        "Midsummer Eve",
    );
    days.add(ymd(year, 12, 24), "Christmas Eve");
    days.add(ymd(year, 12, 25), "Christmas Day");
    days.add(ymd(year, 12, 26), "Boxing Day");
    days.add(ymd(year, 12, 31), "New Year's Eve");
    days.into_weekdays()
}

/// Danish bank closing days. Store bededag (Easter+26) was abolished from 2024.
/// 1 May is not a bank closing day.
fn denmark(year: i16) -> Vec<(Date, &'static str)> {
    let easter = easter_sunday(year);
    let mut days = Days(Vec::new());
    days.add(ymd(year, 1, 1), "New Year's Day");
    days.easter(easter, -3, "Maundy Thursday");
    days.easter(easter, -2, "Good Friday");
    days.easter(easter, 1, "Easter Monday");
    if year <= 2023 {
        days.easter(easter, 26, "Great Prayer Day");
    }
    days.easter(easter, 39, "Ascension Day");
    days.easter(easter, 40, "Friday after Ascension Day");
    days.easter(easter, 50, "Whit Monday");
    days.add(ymd(year, 6, 5), "Constitution Day");
    days.add(ymd(year, 12, 24), "Christmas Eve");
    days.add(ymd(year, 12, 25), "Christmas Day");
    days.add(ymd(year, 12, 26), "Boxing Day");
    days.add(ymd(year, 12, 31), "New Year's Eve");
    days.into_weekdays()
}

/// England and Wales bank holidays. A fixed holiday on a weekend moves to the next
/// weekday that is not already a holiday (so Christmas on Saturday → Monday 27th and
/// Boxing Day → Tuesday 28th; Christmas on Sunday → Tuesday 27th, Boxing Day stays
/// on Monday 26th).
fn england_and_wales(year: i16) -> Vec<(Date, &'static str)> {
    let easter = easter_sunday(year);
    let mut days = Days(Vec::new());
    days.easter(easter, -2, "Good Friday");
    days.easter(easter, 1, "Easter Monday");
    days.add(nth(year, 5, 1, Weekday::Monday), "Early May bank holiday");
    days.add(nth(year, 5, -1, Weekday::Monday), "Spring bank holiday");
    days.add(nth(year, 8, -1, Weekday::Monday), "Summer bank holiday");
    let fixed = [
        (
            ymd(year, 1, 1),
            "New Year's Day",
            "New Year's Day (substitute day)",
        ),
        (
            ymd(year, 12, 25),
            "Christmas Day",
            "Christmas Day (substitute day)",
        ),
        (
            ymd(year, 12, 26),
            "Boxing Day",
            "Boxing Day (substitute day)",
        ),
    ];
    // Fixed days on weekdays first, so substitutes can avoid them.
    for (date, name, _) in fixed {
        if date.is_some_and(|d| !is_weekend(d)) {
            days.add(date, name);
        }
    }
    for (date, _, substitute_name) in fixed {
        let Some(date) = date.filter(|d| is_weekend(*d)) else {
            continue;
        };
        let mut candidate = offset(date, 1);
        while let Some(c) = candidate {
            if !is_weekend(c) && !days.0.iter().any(|(d, _)| *d == c) {
                break;
            }
            candidate = offset(c, 1);
        }
        days.add(candidate, substitute_name);
    }
    days.into_weekdays()
}

/// Federal Reserve (Fedwire/ACH) holidays. A holiday on Sunday is observed on
/// Monday; one on Saturday is not moved (the Fed is open the Friday before).
/// MLK Day from 1986; Juneteenth from 2022 (the Fed stayed open on 18 Jun 2021).
fn us_fed(year: i16) -> Vec<(Date, &'static str)> {
    let mut days = Days(Vec::new());
    let sunday_to_monday = |date: Option<Date>| {
        date.and_then(|d| {
            if d.weekday() == Weekday::Sunday {
                offset(d, 1)
            } else {
                Some(d)
            }
        })
    };
    days.add(sunday_to_monday(ymd(year, 1, 1)), "New Year's Day");
    if year >= 1986 {
        days.add(
            nth(year, 1, 3, Weekday::Monday),
            "Birthday of Martin Luther King, Jr.",
        );
    }
    days.add(nth(year, 2, 3, Weekday::Monday), "Washington's Birthday");
    days.add(nth(year, 5, -1, Weekday::Monday), "Memorial Day");
    if year >= 2022 {
        days.add(
            sunday_to_monday(ymd(year, 6, 19)),
            "Juneteenth National Independence Day",
        );
    }
    days.add(sunday_to_monday(ymd(year, 7, 4)), "Independence Day");
    days.add(nth(year, 9, 1, Weekday::Monday), "Labor Day");
    days.add(nth(year, 10, 2, Weekday::Monday), "Columbus Day");
    days.add(sunday_to_monday(ymd(year, 11, 11)), "Veterans Day");
    days.add(nth(year, 11, 4, Weekday::Thursday), "Thanksgiving Day");
    days.add(sunday_to_monday(ymd(year, 12, 25)), "Christmas Day");
    days.into_weekdays()
}
