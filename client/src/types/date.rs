//! `ImapDate`: a calendar date as SEARCH keys use it (RFC 3501 §9 `date`, `1-Feb-1994`).
//!
//! Deliberately tiny and dependency-free: no time zone, no time of day (SEARCH dates have
//! neither; the server applies its own zone).

use crate::types::InvalidInput;

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A validated calendar date (years 1–9999). Display writes the IMAP form `1-Feb-1994`.
///
/// ```
/// # use daaki_imap::types::ImapDate;
/// let d = ImapDate::new(1994, 2, 1)?;
/// assert_eq!(d.to_string(), "1-Feb-1994");
/// assert_eq!(ImapDate::parse("01-feb-1994")?, d);
/// assert!(ImapDate::new(2023, 2, 29).is_err());
/// # Ok::<(), daaki_imap::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "String", into = "String")
)]
pub struct ImapDate {
    year: u16,
    month: u8,
    day: u8,
}

impl ImapDate {
    /// Validates a date: year 1–9999, month 1–12, day within the month (leap years
    /// included).
    pub fn new(year: u16, month: u8, day: u8) -> Result<Self, InvalidInput> {
        if (1..=9999).contains(&year)
            && (1..=12).contains(&month)
            && day >= 1
            && day <= days_in_month(year, month)
        {
            Ok(Self { year, month, day })
        } else {
            Err(InvalidInput::new(format!(
                "invalid date: {year:04}-{month:02}-{day:02}"
            )))
        }
    }

    /// Parses the IMAP form `d-Mon-yyyy` or `dd-Mon-yyyy` (month name case-insensitive).
    pub fn parse(s: &str) -> Result<Self, InvalidInput> {
        let invalid = || InvalidInput::new(format!("invalid IMAP date: {s:?}"));
        let mut fields = s.split('-');
        let (Some(day), Some(month), Some(year), None) =
            (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            return Err(invalid());
        };
        let digits = |t: &str, lens: &[usize]| {
            lens.contains(&t.len()) && t.bytes().all(|b| b.is_ascii_digit())
        };
        if !digits(day, &[1, 2]) || !digits(year, &[4]) {
            return Err(invalid());
        }
        let month = MONTHS
            .iter()
            .position(|m| m.eq_ignore_ascii_case(month))
            .ok_or_else(invalid)?;
        let day = day.parse().map_err(|_| invalid())?;
        let year = year.parse().map_err(|_| invalid())?;
        Self::new(year, u8::try_from(month + 1).map_err(|_| invalid())?, day).map_err(|_| invalid())
    }

    /// The year (1–9999).
    pub fn year(self) -> u16 {
        self.year
    }

    /// The month (1–12).
    pub fn month(self) -> u8 {
        self.month
    }

    /// The day of the month (1–31).
    pub fn day(self) -> u8 {
        self.day
    }
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl std::fmt::Display for ImapDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let month = MONTHS
            .get(usize::from(self.month).wrapping_sub(1))
            .copied()
            .unwrap_or("???");
        write!(f, "{}-{month}-{:04}", self.day, self.year)
    }
}

impl std::str::FromStr for ImapDate {
    type Err = InvalidInput;

    fn from_str(s: &str) -> Result<Self, InvalidInput> {
        Self::parse(s)
    }
}

impl TryFrom<String> for ImapDate {
    type Error = InvalidInput;

    fn try_from(s: String) -> Result<Self, InvalidInput> {
        Self::parse(&s)
    }
}

impl From<ImapDate> for String {
    fn from(date: ImapDate) -> Self {
        date.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_the_imap_form() {
        assert_eq!(ImapDate::new(1994, 2, 1).unwrap().to_string(), "1-Feb-1994");
        assert_eq!(
            ImapDate::new(2024, 12, 31).unwrap().to_string(),
            "31-Dec-2024"
        );
        assert_eq!(ImapDate::new(999, 7, 4).unwrap().to_string(), "4-Jul-0999");
    }

    #[test]
    fn validates_leap_years_and_month_lengths() {
        assert!(ImapDate::new(2024, 2, 29).is_ok());
        assert!(ImapDate::new(2000, 2, 29).is_ok());
        assert!(ImapDate::new(1900, 2, 29).is_err());
        assert!(ImapDate::new(2023, 4, 31).is_err());
        assert!(ImapDate::new(2023, 1, 31).is_ok());
        for (y, m, d) in [
            (0, 1, 1),
            (10000, 1, 1),
            (2023, 0, 1),
            (2023, 13, 1),
            (2023, 1, 0),
            (2023, 1, 32),
        ] {
            assert!(ImapDate::new(y, m, d).is_err(), "{y}-{m}-{d}");
        }
    }

    #[test]
    fn parses_every_month_and_round_trips() {
        for (i, name) in MONTHS.iter().enumerate() {
            let date = ImapDate::new(2020, u8::try_from(i + 1).unwrap(), 9).unwrap();
            assert_eq!(ImapDate::parse(&format!("9-{name}-2020")).unwrap(), date);
            assert_eq!(ImapDate::parse(&date.to_string()).unwrap(), date);
        }
        assert_eq!(ImapDate::parse("09-JAN-2020").unwrap().day(), 9);
    }

    #[test]
    fn parse_rejects_malformed_dates() {
        for s in [
            "",
            "1-Feb-94",
            "001-Feb-1994",
            "1-Feb-1994-",
            "1 Feb 1994",
            "1-February-1994",
            "31-Feb-1994",
            "1-Feb-1994\r\n",
            "+1-Feb-1994",
            "1-Feb-+994",
            "\"1-Feb-1994\"",
        ] {
            assert!(ImapDate::parse(s).is_err(), "{s:?}");
        }
    }
}
