//! Execution and collection dates.
//!
//! [`settlement_dates`] turns a scheme, currency, requested date and submission
//! instant into the date the bank executes a credit transfer (or collects a direct
//! debit) and the window in which the money arrives, on the scheme's calendar
//! ([`Scheme::calendar`]). "Today" is the submission instant's civil date in the
//! connection's cut-off time zone.
//!
//! Rules (seed "Payment schemes and Timings"):
//! * [`TimingRule::SameDay`] (SEPA CT, SE account transfer, Bankgiro, PlusGiro, DK
//!   same-day): executed today when today is a business day and the file is in before
//!   the cut-off, else the next business day; credited the same day.
//! * [`TimingRule::NextDayArrival`] (DK standard): executed as above, credited one
//!   business day later (so before cut-off → D+1, after → D+2).
//! * [`TimingRule::Instant`] (SEPA Instant, DK immediate): 24/7/365, executed and
//!   credited on the submission date (or on the requested date when it is later).
//! * [`TimingRule::CollectionLeadTime`] (SEPA DD CORE/B2B, Autogiro): the collection
//!   date must be a business day and the file must be in before the cut-off on the
//!   business day `n` days before it (D-1). Otherwise the error names the earliest
//!   possible collection date. Not modelled: creditor-bank lead times beyond D-1, the
//!   14-calendar-day pre-notification, and Autogiro mandate activation (up to
//!   [`AUTOGIRO_MANDATE_ACTIVATION_BUSINESS_DAYS`] business days after the mandate is
//!   sent: see [`autogiro_mandate_usable_from`]).
//! * [`TimingRule::BetalingsserviceMonthly`]: collections in month M must be delivered
//!   by 09:00 Europe/Copenhagen on the sixth-last Danish business day of month M-1
//!   (the connection cut-off does not apply); the collection date must be a Danish
//!   business day.
//! * [`TimingRule::CrossBorder`]: executed as `SameDay` on the currency's calendar;
//!   arrives 1 to 5 business days after execution.
//!
//! Requested dates in the future are rolled forward to a business day (the cut-off
//! does not matter: the bank holds the payment until then). A requested date in the
//! past is treated as today — the bank would otherwise reject it (DT01/CH03) — for
//! credit transfers; for direct debits a past collection date fails the lead time.

use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;
use jiff::{Timestamp, Zoned};

use super::calendar::{Calendar, CalendarId, Calendars};
use super::money::Currency;
use super::rule::RuleViolation;
use super::scheme::Scheme;

/// How a scheme turns a submission into dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimingRule {
    /// Same business day before cut-off, else next; credited on the execution date.
    SameDay,
    /// As `SameDay`, credited one business day after execution (DK standard).
    NextDayArrival,
    /// 24/7/365; executed and credited on the submission date.
    Instant,
    /// Direct debit: file in before cut-off `business_days` before the collection date.
    CollectionLeadTime { business_days: i32 },
    /// Betalingsservice: monthly delivery deadline.
    BetalingsserviceMonthly,
    /// As `SameDay`, credited `min..=max` business days after execution.
    CrossBorder {
        min_arrival_days: i32,
        max_arrival_days: i32,
    },
}

/// Autogiro: a new mandate may take this many business days (Sweden) to activate.
pub const AUTOGIRO_MANDATE_ACTIVATION_BUSINESS_DAYS: i32 = 6;

/// Betalingsservice delivery deadline: this many Danish business days before the end
/// of the month preceding the collection month…
pub const BETALINGSSERVICE_DEADLINE_BUSINESS_DAYS: i32 = 6;

/// …at this time of day in Europe/Copenhagen.
pub const BETALINGSSERVICE_DEADLINE_TIME: Time = Time::constant(9, 0, 0, 0);

/// A connection's daily cut-off: files in before `time` (local to `zone`) count for
/// that day.
#[derive(Debug, Clone, PartialEq)]
pub struct CutOff {
    pub time: Time,
    pub zone: TimeZone,
}

/// What the timing rules need of an instruction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimingRequest {
    pub scheme: Scheme,
    /// The payment currency; selects the calendar of `CROSS_BORDER`.
    pub currency: Currency,
    /// Requested execution date (credit transfers) or collection date (direct debits).
    pub requested: Date,
    /// When the file is (to be) handed to the bank.
    pub submitted_at: Timestamp,
}

/// The dates a payment settles on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SettlementDates {
    /// The calendar the dates were computed on.
    pub calendar: CalendarId,
    /// Execution date (credit transfers) or collection date (direct debits).
    pub execution_date: Date,
    /// Earliest date the counterparty is credited (creditor for credit transfers,
    /// the creditor/us for direct debits).
    pub earliest_arrival: Date,
    pub latest_arrival: Date,
}

/// Why no date could be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimingError {
    /// A collection date that is not a business day of the scheme's calendar.
    #[error(
        "rule timing.collection_business_day failed: expected a {calendar} business day, got {requested}; next possible {next}"
    )]
    NotBusinessDay {
        calendar: CalendarId,
        requested: Date,
        /// The next business day that can still be met.
        next: Date,
    },
    /// A direct debit submitted too late for its collection date.
    #[error(
        "rule timing.lead_time failed: expected submission before {deadline} for collection on {requested}, got {submitted_at}; earliest possible collection date {earliest}"
    )]
    LeadTimeMissed {
        requested: Date,
        deadline: Zoned,
        submitted_at: Timestamp,
        earliest: Date,
    },
    /// A Betalingsservice delivery after the monthly deadline.
    #[error(
        "rule timing.betalingsservice_deadline failed: expected delivery before {deadline} for collection on {requested}, got {submitted_at}; earliest possible collection date {earliest}"
    )]
    BetalingsserviceDeadlineMissed {
        requested: Date,
        deadline: Zoned,
        submitted_at: Timestamp,
        earliest: Date,
    },
    /// A date beyond jiff's range (years -9999..=9999).
    #[error(
        "rule timing.date_range failed: expected a date within years -9999..=9999, got {actual}"
    )]
    OutOfRange { actual: String },
}

impl TimingError {
    pub fn rule(&self) -> &'static str {
        match self {
            TimingError::NotBusinessDay { .. } => "timing.collection_business_day",
            TimingError::LeadTimeMissed { .. } => "timing.lead_time",
            TimingError::BetalingsserviceDeadlineMissed { .. } => {
                "timing.betalingsservice_deadline"
            }
            TimingError::OutOfRange { .. } => "timing.date_range",
        }
    }

    /// The error as the crate's common expected/actual shape.
    pub fn to_violation(&self) -> RuleViolation {
        let (expected, actual) = match self {
            TimingError::NotBusinessDay {
                calendar,
                requested,
                next,
            } => (
                format!("a {calendar} business day (next possible: {next})"),
                requested.to_string(),
            ),
            TimingError::LeadTimeMissed {
                requested,
                deadline,
                submitted_at,
                earliest,
            }
            | TimingError::BetalingsserviceDeadlineMissed {
                requested,
                deadline,
                submitted_at,
                earliest,
            } => (
                format!(
                    "submission before {deadline} for collection on {requested} (earliest possible collection date now: {earliest})"
                ),
                format!("submitted at {submitted_at}"),
            ),
            TimingError::OutOfRange { actual } => (
                "a date within years -9999..=9999".to_string(),
                actual.clone(),
            ),
        };
        RuleViolation::new(self.rule(), expected, actual)
    }
}

fn out_of_range(what: impl std::fmt::Display) -> TimingError {
    TimingError::OutOfRange {
        actual: what.to_string(),
    }
}

/// The execution/collection date and arrival window of `request`.
pub fn settlement_dates(
    request: &TimingRequest,
    cut_off: &CutOff,
    calendars: &Calendars,
) -> Result<SettlementDates, TimingError> {
    let calendar_id = request.scheme.calendar(request.currency);
    let calendar = calendars.get(calendar_id);
    let now = request.submitted_at.to_zoned(cut_off.zone.clone());
    let today = now.date();
    let before_cut_off = request.submitted_at < at(today, cut_off.time, &cut_off.zone)?;
    let dates = |execution: Date, min: i32, max: i32| -> Result<SettlementDates, TimingError> {
        Ok(SettlementDates {
            calendar: calendar_id,
            execution_date: execution,
            earliest_arrival: add(calendar, execution, min)?,
            latest_arrival: add(calendar, execution, max)?,
        })
    };
    match request.scheme.spec().timing {
        TimingRule::SameDay => dates(
            execution_date(calendar, request.requested, today, before_cut_off)?,
            0,
            0,
        ),
        TimingRule::NextDayArrival => dates(
            execution_date(calendar, request.requested, today, before_cut_off)?,
            1,
            1,
        ),
        TimingRule::CrossBorder {
            min_arrival_days,
            max_arrival_days,
        } => dates(
            execution_date(calendar, request.requested, today, before_cut_off)?,
            min_arrival_days,
            max_arrival_days,
        ),
        TimingRule::Instant => {
            let date = request.requested.max(today);
            let date = calendar
                .next_business_day_on_or_after(date)
                .ok_or_else(|| out_of_range(date))?;
            dates(date, 0, 0)
        }
        TimingRule::CollectionLeadTime { business_days } => {
            let submit_day = first_processing_day(calendar, today, before_cut_off)?;
            let earliest = add(calendar, submit_day, business_days)?;
            let requested = request.requested;
            if !calendar.is_business_day(requested) {
                let next = calendar
                    .next_business_day_on_or_after(requested)
                    .ok_or_else(|| out_of_range(requested))?;
                return Err(TimingError::NotBusinessDay {
                    calendar: calendar_id,
                    requested,
                    next: next.max(earliest),
                });
            }
            let deadline_day = add(calendar, requested, -business_days)?;
            let deadline = at_zoned(deadline_day, cut_off.time, &cut_off.zone)?;
            if request.submitted_at < deadline.timestamp() {
                dates(requested, 0, 0)
            } else {
                Err(TimingError::LeadTimeMissed {
                    requested,
                    deadline,
                    submitted_at: request.submitted_at,
                    earliest,
                })
            }
        }
        TimingRule::BetalingsserviceMonthly => {
            let requested = request.requested;
            let zone = copenhagen();
            let earliest = betalingsservice_earliest(calendar, request.submitted_at, &zone)?;
            if !calendar.is_business_day(requested) {
                let next = calendar
                    .next_business_day_on_or_after(requested)
                    .ok_or_else(|| out_of_range(requested))?;
                return Err(TimingError::NotBusinessDay {
                    calendar: calendar_id,
                    requested,
                    next: next.max(earliest),
                });
            }
            let deadline = betalingsservice_deadline(calendar, requested, &zone)?;
            if request.submitted_at < deadline.timestamp() {
                dates(requested, 0, 0)
            } else {
                Err(TimingError::BetalingsserviceDeadlineMissed {
                    requested,
                    deadline,
                    submitted_at: request.submitted_at,
                    earliest,
                })
            }
        }
    }
}

/// The Betalingsservice delivery deadline for collections in the month of
/// `collection`: 09:00 Europe/Copenhagen on the sixth-last Danish business day of the
/// preceding month (`calendar` should be the DK calendar).
pub fn betalingsservice_deadline(
    calendar: &Calendar,
    collection: Date,
    zone: &TimeZone,
) -> Result<Zoned, TimingError> {
    let first = collection.first_of_month();
    let day = add(calendar, first, -BETALINGSSERVICE_DEADLINE_BUSINESS_DAYS)?;
    at_zoned(day, BETALINGSSERVICE_DEADLINE_TIME, zone)
}

/// Earliest Betalingsservice collection date for a delivery at `submitted_at`: the
/// first business day of the first month whose deadline is still ahead.
fn betalingsservice_earliest(
    calendar: &Calendar,
    submitted_at: Timestamp,
    zone: &TimeZone,
) -> Result<Date, TimingError> {
    let mut month = submitted_at.to_zoned(zone.clone()).date().first_of_month();
    // The current month's deadline is always past, next month's is at most one month
    // ahead, so the loop ends by the second month after.
    for _ in 0..4 {
        month = month
            .last_of_month()
            .tomorrow()
            .map_err(|_| out_of_range(month))?;
        if submitted_at < betalingsservice_deadline(calendar, month, zone)?.timestamp() {
            return calendar
                .next_business_day_on_or_after(month)
                .ok_or_else(|| out_of_range(month));
        }
    }
    Err(out_of_range(submitted_at))
}

/// When a new Autogiro mandate sent on `sent_on` can be relied on at the latest:
/// [`AUTOGIRO_MANDATE_ACTIVATION_BUSINESS_DAYS`] Swedish business days later
/// (`calendar` should be the SE calendar). Collections before this date may fail.
pub fn autogiro_mandate_usable_from(calendar: &Calendar, sent_on: Date) -> Option<Date> {
    calendar.add_business_days(sent_on, AUTOGIRO_MANDATE_ACTIVATION_BUSINESS_DAYS)
}

fn copenhagen() -> TimeZone {
    // The bundled tzdb always has it; fall back to fixed CET rather than panic.
    TimeZone::get("Europe/Copenhagen")
        .unwrap_or_else(|_| TimeZone::fixed(jiff::tz::Offset::constant(1)))
}

/// The day a file submitted now is processed: today before the cut-off on a business
/// day, else the next business day.
fn first_processing_day(
    calendar: &Calendar,
    today: Date,
    before_cut_off: bool,
) -> Result<Date, TimingError> {
    if before_cut_off && calendar.is_business_day(today) {
        Ok(today)
    } else {
        add(calendar, today, 1)
    }
}

fn execution_date(
    calendar: &Calendar,
    requested: Date,
    today: Date,
    before_cut_off: bool,
) -> Result<Date, TimingError> {
    if requested > today {
        calendar
            .next_business_day_on_or_after(requested)
            .ok_or_else(|| out_of_range(requested))
    } else {
        first_processing_day(calendar, today, before_cut_off)
    }
}

fn add(calendar: &Calendar, date: Date, n: i32) -> Result<Date, TimingError> {
    calendar
        .add_business_days(date, n)
        .ok_or_else(|| out_of_range(format!("{date} {n:+} business days")))
}

fn at_zoned(date: Date, time: Time, zone: &TimeZone) -> Result<Zoned, TimingError> {
    date.to_datetime(time)
        .to_zoned(zone.clone())
        .map_err(|_| out_of_range(format!("{date} {time}")))
}

fn at(date: Date, time: Time, zone: &TimeZone) -> Result<Timestamp, TimingError> {
    at_zoned(date, time, zone).map(|z| z.timestamp())
}
