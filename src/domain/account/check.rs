//! Small, panic-free helpers shared by the identifier validators: input clean-up and
//! the check-digit algorithms (Luhn, weighted mod 11, ISO 7064 MOD 97-10).

/// Removes every whitespace character (including non-breaking spaces) and every
/// character in `extra`.
pub(crate) fn strip(input: &str, extra: &[char]) -> String {
    input
        .chars()
        .filter(|c| !c.is_whitespace() && !extra.contains(c))
        .collect()
}

/// True when `s` is non-empty and only ASCII digits.
pub(crate) fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// The numeric values of the ASCII digits of `s`, or `None` if any character is not
/// a digit.
fn digit_values(s: &str) -> Option<Vec<u32>> {
    s.chars().map(|c| c.to_digit(10)).collect()
}

/// Luhn (modulus 10, weights 2-1 from the right with the check digit weighted 1).
/// Returns false for non-digit input or an empty string.
pub(crate) fn luhn_valid(s: &str) -> bool {
    let Some(digits) = digit_values(s) else {
        return false;
    };
    if digits.is_empty() {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// Modulus 11 with weights 1, 2, 3, …, 10, 1, 2, … from the right (the check digit
/// has weight 1); valid when the weighted sum is divisible by 11. This is the
/// Bankgirot "11-modul" used by Swedish type 1 accounts and Handelsbanken.
pub(crate) fn mod11_valid(s: &str) -> bool {
    let Some(digits) = digit_values(s) else {
        return false;
    };
    if digits.is_empty() {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| d * (i as u32 % 10 + 1))
        .sum();
    sum.is_multiple_of(11)
}

/// ISO 7064 MOD 97-10 remainder of an alphanumeric string where letters count as
/// 10..=35. `None` if `s` holds anything but ASCII digits and upper-case letters.
pub(crate) fn mod97(s: &str) -> Option<u32> {
    let mut acc: u32 = 0;
    for c in s.chars() {
        let v = c.to_digit(36)?;
        if c.is_ascii_lowercase() {
            return None;
        }
        acc = if v < 10 {
            (acc * 10 + v) % 97
        } else {
            (acc * 100 + v) % 97
        };
    }
    Some(acc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn() {
        assert!(luhn_valid("79927398713"));
        assert!(!luhn_valid("79927398710"));
        assert!(!luhn_valid(""));
        assert!(!luhn_valid("12a"));
    }

    #[test]
    fn mod11() {
        // Handelsbanken example account 30128669-8.
        assert!(mod11_valid("301286698"));
        assert!(!mod11_valid("301286697"));
        assert!(!mod11_valid("ä"));
    }

    #[test]
    fn mod97_letters_and_digits() {
        // DE89 3704 0044 0532 0130 00 rearranged.
        assert_eq!(mod97("370400440532013000DE89"), Some(1));
        assert_eq!(mod97("ab"), None);
        assert_eq!(mod97("é"), None);
    }
}
