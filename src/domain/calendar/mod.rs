//! Business-day calendars, computed by rules plus a data override file.
//!
//! Each [`CalendarId`] has a generator (see `rules.rs`) that yields its closing
//! weekdays for a year; Saturday and Sunday are closed on every calendar except
//! [`CalendarId::AlwaysOpen`]. Movable feasts are offsets from Easter Sunday,
//! computed by the Gregorian computus ([`easter_sunday`]).
//!
//! | Calendar | Closed besides Sat/Sun |
//! |---|---|
//! | `TARGET2` | 1 Jan, Good Friday, Easter Monday, 1 May, 25 Dec, 26 Dec |
//! | `SE` | 1 Jan, 6 Jan, Good Friday, Easter Monday, 1 May, Ascension, 6 Jun, Midsummer Eve (Fri 19–25 Jun), 24, 25, 26 and 31 Dec |
//! | `DK` | 1 Jan, Maundy Thursday, Good Friday, Easter Monday, Store bededag (until 2023), Ascension and the Friday after, Whit Monday, 5 Jun, 24, 25, 26 and 31 Dec |
//! | `GB` | England & Wales: 1 Jan, Good Friday, Easter Monday, first and last Monday of May, last Monday of August, 25 and 26 Dec; weekend fixed days get substitute weekdays |
//! | `US_FED` | New Year, MLK, Washington, Memorial, Juneteenth, Independence, Labor, Columbus, Veterans, Thanksgiving, Christmas; Sunday → Monday, Saturday → not moved (open Friday) |
//! | `WEEKDAYS` | nothing: Monday–Friday; the documented fallback for currencies without a modelled calendar |
//! | `ALWAYS_OPEN` | nothing, not even weekends: instant schemes (24/7/365) |
//!
//! One-off days (a proclaimed UK bank holiday, a moved holiday) are data: see
//! [`CalendarOverrides`] for the TOML format and [`Calendar::with_overrides`].
//!
//! Every function here is total: dates that would leave jiff's range (years
//! -9999..=9999) come back as `None` instead of panicking.

mod easter;
mod overrides;
mod rules;

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::Date;

pub use easter::easter_sunday;
pub use overrides::{CalendarOverride, CalendarOverrides, OverrideError, OverrideKind};

use super::money::Currency;
use crate::named_enum;

named_enum! {
    /// The business-day calendars bankgate knows.
    CalendarId, "calendar" {
        Target2 = "TARGET2",
        Se = "SE",
        Dk = "DK",
        Gb = "GB",
        UsFed = "US_FED",
        Weekdays = "WEEKDAYS",
        AlwaysOpen = "ALWAYS_OPEN",
    }
}

impl CalendarId {
    /// The settlement calendar of a currency (cross-border payments): EUR → TARGET2,
    /// SEK → SE, DKK → DK, GBP → GB, USD → US_FED. Every other currency falls back to
    /// [`CalendarId::Weekdays`] (Monday–Friday): bankgate models no holidays for it,
    /// so a local holiday may delay settlement beyond the computed date.
    pub fn for_currency(currency: Currency) -> CalendarId {
        match currency {
            Currency::EUR => CalendarId::Target2,
            Currency::SEK => CalendarId::Se,
            Currency::DKK => CalendarId::Dk,
            Currency::GBP => CalendarId::Gb,
            Currency::USD => CalendarId::UsFed,
            _ => CalendarId::Weekdays,
        }
    }

    /// The rule-based calendar (no overrides).
    pub fn calendar(self) -> Calendar {
        Calendar::new(self)
    }

    /// Closing weekdays of `year` by rule only (no overrides), sorted by date. Holidays
    /// that fall on a weekend (and are not substituted) are not listed: they close
    /// nothing that was open.
    pub fn rule_holidays(self, year: i16) -> Vec<(Date, &'static str)> {
        rules::rule_holidays(self, year)
    }

    /// Whether Saturday and Sunday are closed on this calendar.
    pub const fn closes_weekends(self) -> bool {
        !matches!(self, CalendarId::AlwaysOpen)
    }

    const fn index(self) -> usize {
        match self {
            CalendarId::Target2 => 0,
            CalendarId::Se => 1,
            CalendarId::Dk => 2,
            CalendarId::Gb => 3,
            CalendarId::UsFed => 4,
            CalendarId::Weekdays => 5,
            CalendarId::AlwaysOpen => 6,
        }
    }
}

/// A business-day calendar: rules of a [`CalendarId`] plus one-off overrides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    id: CalendarId,
    /// One-off closed days, with their names.
    closed: BTreeMap<Date, String>,
    /// One-off open days (win over rules and weekends).
    open: BTreeSet<Date>,
}

impl Calendar {
    /// The rule-based calendar of `id`, without overrides.
    pub fn new(id: CalendarId) -> Self {
        Self {
            id,
            closed: BTreeMap::new(),
            open: BTreeSet::new(),
        }
    }

    pub fn id(&self) -> CalendarId {
        self.id
    }

    /// This calendar with the entries of `overrides` that name it applied on top.
    /// Entries for other calendars are ignored.
    pub fn with_overrides(mut self, overrides: &CalendarOverrides) -> Self {
        for entry in overrides.for_calendar(self.id) {
            match entry.kind {
                OverrideKind::Closed => {
                    self.open.remove(&entry.date);
                    self.closed.insert(entry.date, entry.name.clone());
                }
                OverrideKind::Open => {
                    self.closed.remove(&entry.date);
                    self.open.insert(entry.date);
                }
            }
        }
        self
    }

    /// Whether banks settle on `date` under this calendar.
    pub fn is_business_day(&self, date: Date) -> bool {
        if self.open.contains(&date) {
            return true;
        }
        if self.closed.contains_key(&date) {
            return false;
        }
        if self.id.closes_weekends() && rules::is_weekend(date) {
            return false;
        }
        !rules::rule_holidays(self.id, date.year())
            .iter()
            .any(|(d, _)| *d == date)
    }

    /// `date` itself when it is a business day, else the next one; `None` past year 9999.
    pub fn next_business_day_on_or_after(&self, date: Date) -> Option<Date> {
        let mut day = date;
        loop {
            if self.is_business_day(day) {
                return Some(day);
            }
            day = day.tomorrow().ok()?;
        }
    }

    /// The last business day on or before `date`; `None` before year -9999.
    pub fn previous_business_day_on_or_before(&self, date: Date) -> Option<Date> {
        let mut day = date;
        loop {
            if self.is_business_day(day) {
                return Some(day);
            }
            day = day.yesterday().ok()?;
        }
    }

    /// The `n`-th business day strictly after `date` (`n > 0`) or strictly before it
    /// (`n < 0`, for lead times); `date` itself for `n == 0`. `date` need not be a
    /// business day. `None` when the result would leave jiff's date range.
    ///
    /// For a business day `d`, `add_business_days(add_business_days(d, n)?, -n) == d`.
    pub fn add_business_days(&self, date: Date, n: i32) -> Option<Date> {
        // jiff's whole range is about 7.3 million days: larger steps cannot succeed.
        if n.unsigned_abs() > 7_400_000 {
            return None;
        }
        let mut day = date;
        let mut remaining = n.unsigned_abs();
        while remaining > 0 {
            day = if n > 0 {
                day.tomorrow().ok()?
            } else {
                day.yesterday().ok()?
            };
            if self.is_business_day(day) {
                remaining -= 1;
            }
        }
        Some(day)
    }

    /// The days of `year` this calendar is closed although they are not a regular
    /// weekend day of it, sorted, with names: rule holidays minus one-off open days,
    /// plus one-off closed days. `is_business_day(d)` is false exactly for these and
    /// for weekend days (when the calendar closes weekends) not opened by an override.
    pub fn holidays(&self, year: i16) -> Vec<(Date, &str)> {
        let mut days: Vec<(Date, &str)> = rules::rule_holidays(self.id, year)
            .into_iter()
            .filter(|(d, _)| !self.open.contains(d) && !self.closed.contains_key(d))
            .collect();
        days.extend(
            self.closed
                .iter()
                .filter(|(d, _)| d.year() == year)
                .filter(|(d, _)| !(self.id.closes_weekends() && rules::is_weekend(**d)))
                .map(|(d, name)| (*d, name.as_str())),
        );
        days.sort_by_key(|(d, _)| *d);
        days
    }
}

/// One [`Calendar`] per [`CalendarId`], sharing one set of overrides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendars {
    by_id: [Calendar; 7],
}

impl Calendars {
    /// Every calendar by rule, without overrides.
    pub fn standard() -> Self {
        Self {
            by_id: [
                Calendar::new(CalendarId::Target2),
                Calendar::new(CalendarId::Se),
                Calendar::new(CalendarId::Dk),
                Calendar::new(CalendarId::Gb),
                Calendar::new(CalendarId::UsFed),
                Calendar::new(CalendarId::Weekdays),
                Calendar::new(CalendarId::AlwaysOpen),
            ],
        }
    }

    /// Every calendar with `overrides` applied.
    pub fn with_overrides(overrides: &CalendarOverrides) -> Self {
        let Self { by_id } = Self::standard();
        Self {
            by_id: by_id.map(|c| c.with_overrides(overrides)),
        }
    }

    pub fn get(&self, id: CalendarId) -> &Calendar {
        &self.by_id[id.index()]
    }
}

impl Default for Calendars {
    fn default() -> Self {
        Self::standard()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendars_are_indexed_by_id() {
        let calendars = Calendars::standard();
        for id in CalendarId::ALL {
            assert_eq!(calendars.get(*id).id(), *id);
        }
    }

    #[test]
    fn huge_steps_are_refused_not_looped() {
        let calendar = Calendar::new(CalendarId::AlwaysOpen);
        assert_eq!(calendar.add_business_days(Date::MIN, i32::MAX), None);
        assert_eq!(calendar.add_business_days(Date::MAX, i32::MIN), None);
    }
}
