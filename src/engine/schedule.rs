//! When a connection's payments become files: the windows of a cut-off schedule.
//!
//! A window opens `lead` before each cut-off, on business days of the schedule's
//! calendar only. Pure: time comes in as an argument, so tests drive it with any clock.

use jiff::civil::Time;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use crate::config::Submit;
use crate::domain::calendar::{Calendar, CalendarId};
use crate::domain::scheme::{Currencies, Scheme};
use crate::domain::timing::CutOff;

/// Days searched for the next business day before giving up (a calendar closed for a
/// whole year is a configuration error, not a reason to loop).
const MAX_DAYS_AHEAD: i64 = 400;

/// One window of a cut-off schedule.
#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    /// When the window runs (`cut_off - lead`).
    pub opens: Timestamp,
    /// The cut-off the files must reach the bank by.
    pub cut_off: Timestamp,
    /// The cut-off as a time of day in its zone (for execution-date rules).
    pub rule: CutOff,
}

/// The calendar a schedule's windows follow: the calendar of its first scheme (in that
/// scheme's only currency; weekdays for multi-currency schemes).
pub fn schedule_calendar(schemes: &[Scheme]) -> CalendarId {
    match schemes.first() {
        Some(scheme) => match scheme.spec().currencies {
            Currencies::Only(currency) => scheme.calendar(currency),
            Currencies::Any => CalendarId::Weekdays,
        },
        None => CalendarId::Weekdays,
    }
}

/// The first window whose cut-off is strictly after `after`, on a business day of
/// `calendar`. `None` for `Submit::Immediately` or when no business day comes within
/// [`MAX_DAYS_AHEAD`] days.
pub fn next_window(submit: &Submit, calendar: &Calendar, after: Timestamp) -> Option<Window> {
    let Submit::CutOffs {
        times,
        time_zone,
        lead_minutes,
    } = submit
    else {
        return None;
    };
    let zone = TimeZone::get(time_zone).ok()?;
    let mut times: Vec<Time> = times.clone();
    times.sort();
    let lead = SignedDuration::from_mins(i64::from(*lead_minutes));
    let mut date = after.to_zoned(zone.clone()).date();
    for _ in 0..MAX_DAYS_AHEAD {
        if calendar.is_business_day(date) {
            for time in &times {
                let cut_off = date
                    .to_datetime(*time)
                    .to_zoned(zone.clone())
                    .ok()?
                    .timestamp();
                if cut_off > after {
                    return Some(Window {
                        opens: cut_off.checked_sub(lead).ok()?,
                        cut_off,
                        rule: CutOff {
                            time: *time,
                            zone: zone.clone(),
                        },
                    });
                }
            }
        }
        date = date.tomorrow().ok()?;
    }
    None
}

/// The cut-off rule for payments sent "immediately": the end of the UTC day (a
/// payment submitted today executes today if the calendar allows).
pub fn immediate_cut_off() -> CutOff {
    CutOff {
        time: Time::constant(23, 59, 59, 0),
        zone: TimeZone::UTC,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::calendar::Calendars;

    fn cutoffs(times: &[&str], zone: &str, lead: u32) -> Submit {
        Submit::CutOffs {
            times: times.iter().map(|t| t.parse().unwrap()).collect(),
            time_zone: zone.to_owned(),
            lead_minutes: lead,
        }
    }

    /// `after` and the expected window opening/cut-off, as RFC 3339 UTC.
    fn check(submit: &Submit, calendar: CalendarId, after: &str, expected: Option<(&str, &str)>) {
        let calendars = Calendars::standard();
        let got = next_window(submit, calendars.get(calendar), after.parse().unwrap())
            .map(|w| (w.opens.to_string(), w.cut_off.to_string()));
        let expected = expected.map(|(o, c)| (o.to_owned(), c.to_owned()));
        assert_eq!(got, expected, "after {after}");
    }

    #[test]
    fn windows_fall_on_business_days_before_each_cut_off() {
        let sepa = cutoffs(&["10:00", "14:00"], "Europe/Stockholm", 15);
        let t2 = CalendarId::Target2;
        // Monday 2026-11-23, Stockholm is UTC+1 in winter.
        check(
            &sepa,
            t2,
            "2026-11-23T07:00:00Z",
            Some(("2026-11-23T08:45:00Z", "2026-11-23T09:00:00Z")),
        );
        // Inside the lead time the same window is still due (cut-off not yet passed).
        check(
            &sepa,
            t2,
            "2026-11-23T08:50:00Z",
            Some(("2026-11-23T08:45:00Z", "2026-11-23T09:00:00Z")),
        );
        check(
            &sepa,
            t2,
            "2026-11-23T09:00:00Z",
            Some(("2026-11-23T12:45:00Z", "2026-11-23T13:00:00Z")),
        );
        // After the last cut-off: next business day.
        check(
            &sepa,
            t2,
            "2026-11-23T13:00:00Z",
            Some(("2026-11-24T08:45:00Z", "2026-11-24T09:00:00Z")),
        );
        // Friday evening: Monday.
        check(
            &sepa,
            t2,
            "2026-11-27T18:00:00Z",
            Some(("2026-11-30T08:45:00Z", "2026-11-30T09:00:00Z")),
        );
        // Christmas Eve afternoon: TARGET2 closed 25 and 26 December, weekend 27/28 → Mon 28? (2026-12-28 is Monday).
        check(
            &sepa,
            t2,
            "2026-12-24T14:00:00Z",
            Some(("2026-12-28T08:45:00Z", "2026-12-28T09:00:00Z")),
        );
        // New Year's Day closed.
        check(
            &sepa,
            t2,
            "2026-12-31T13:00:00Z",
            Some(("2027-01-04T08:45:00Z", "2027-01-04T09:00:00Z")),
        );
    }

    #[test]
    fn daylight_saving_time_moves_the_utc_instant() {
        let se = cutoffs(&["09:30"], "Europe/Stockholm", 0);
        // Summer (UTC+2): 07:30Z; winter (UTC+1): 08:30Z.
        check(
            &se,
            CalendarId::Se,
            "2026-06-01T00:00:00Z",
            Some(("2026-06-01T07:30:00Z", "2026-06-01T07:30:00Z")),
        );
        check(
            &se,
            CalendarId::Se,
            "2026-11-23T00:00:00Z",
            Some(("2026-11-23T08:30:00Z", "2026-11-23T08:30:00Z")),
        );
        // Swedish National Day (6 June 2026 is a Saturday anyway); Midsummer Eve Friday 19 June.
        check(
            &se,
            CalendarId::Se,
            "2026-06-18T08:00:00Z",
            Some(("2026-06-22T07:30:00Z", "2026-06-22T07:30:00Z")),
        );
    }

    #[test]
    fn immediate_schedules_have_no_windows() {
        let calendars = Calendars::standard();
        assert!(
            next_window(
                &Submit::Immediately,
                calendars.get(CalendarId::Target2),
                Timestamp::UNIX_EPOCH
            )
            .is_none()
        );
    }

    #[test]
    fn schedule_calendar_follows_the_first_scheme() {
        assert_eq!(
            schedule_calendar(&[Scheme::SepaCreditTransfer]),
            CalendarId::Target2
        );
        assert_eq!(schedule_calendar(&[Scheme::SeBankgiro]), CalendarId::Se);
        assert_eq!(
            schedule_calendar(&[Scheme::CrossBorder]),
            CalendarId::Weekdays
        );
    }
}
