//! Easter Sunday by the Gregorian computus (the "anonymous" algorithm published by
//! Meeus in *Astronomical Algorithms*). Every movable holiday is an offset from it.

use jiff::civil::Date;

/// Easter Sunday of `year` in the (proleptic) Gregorian calendar; `None` only when the
/// date would fall outside jiff's supported range (years -9999..=9999).
pub fn easter_sunday(year: i16) -> Option<Date> {
    let y = i32::from(year);
    let a = y.rem_euclid(19);
    let b = y.div_euclid(100);
    let c = y.rem_euclid(100);
    let d = b.div_euclid(4);
    let e = b.rem_euclid(4);
    let f = (b + 8).div_euclid(25);
    let g = (b - f + 1).div_euclid(3);
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c.div_euclid(4);
    let k = c.rem_euclid(4);
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l).div_euclid(451);
    let n = h + l - 7 * m + 114;
    let month = i8::try_from(n.div_euclid(31)).ok()?;
    let day = i8::try_from(n.rem_euclid(31) + 1).ok()?;
    Date::new(year, month, day).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn known_easters() {
        let check = |year: i16, expected: Date| assert_eq!(easter_sunday(year), Some(expected));
        check(1961, date(1961, 4, 2));
        check(2000, date(2000, 4, 23));
        check(2008, date(2008, 3, 23));
        check(2011, date(2011, 4, 24));
        check(2019, date(2019, 4, 21));
        check(2024, date(2024, 3, 31));
        check(2025, date(2025, 4, 20));
        check(2038, date(2038, 4, 25));
    }

    #[test]
    fn every_supported_year_has_an_easter_sunday_in_spring() {
        for year in -9999..=9999_i16 {
            let easter = easter_sunday(year).expect("in range");
            assert_eq!(easter.weekday(), jiff::civil::Weekday::Sunday, "{year}");
            assert!((date(year, 3, 22)..=date(year, 4, 25)).contains(&easter));
        }
    }
}
