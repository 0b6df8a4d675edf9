//! `ImapDateTime`: a date, time of day and zone as APPEND's optional internal date uses it
//! (RFC 3501 §9 `date-time`, `"01-Feb-1994 21:52:25 -0800"`).
//!
//! Dependency-free like [`ImapDate`], which it builds on. The encoder writes the quoted wire
//! form ([`ImapDateTime`]'s `Display` is the text between the quotes).

use super::ImapDate;
use crate::{Error, Result};

/// A validated date-time with a numeric zone. `Display` writes `01-Feb-1994 21:52:25 -0800`
/// (two-digit day, as `date-day-fixed` allows).
///
/// ```
/// # use daaki_imap::types::{ImapDate, ImapDateTime};
/// let dt = ImapDateTime::new(ImapDate::new(1994, 2, 1)?, 21, 52, 25, -8 * 60)?;
/// assert_eq!(dt.to_string(), "01-Feb-1994 21:52:25 -0800");
/// assert!(ImapDateTime::new(ImapDate::new(1994, 2, 1)?, 24, 0, 0, 0).is_err());
/// # Ok::<(), daaki_imap::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ImapDateTime {
    date: ImapDate,
    hour: u8,
    minute: u8,
    second: u8,
    /// Offset from UTC in minutes, -1439..=1439.
    offset_minutes: i16,
}

impl ImapDateTime {
    /// Largest zone offset the grammar can write (`±2359`), in minutes.
    pub const MAX_OFFSET_MINUTES: i16 = 23 * 60 + 59;

    /// Validates hour 0–23, minute 0–59, second 0–60 (a leap second) and a zone offset of
    /// at most ±23:59, in minutes east of UTC.
    pub fn new(
        date: ImapDate,
        hour: u8,
        minute: u8,
        second: u8,
        offset_minutes: i16,
    ) -> Result<Self> {
        if hour < 24
            && minute < 60
            && second <= 60
            && offset_minutes.unsigned_abs() <= Self::MAX_OFFSET_MINUTES.unsigned_abs()
        {
            Ok(Self {
                date,
                hour,
                minute,
                second,
                offset_minutes,
            })
        } else {
            Err(Error::InvalidInput(format!(
                "invalid time: {hour:02}:{minute:02}:{second:02} offset {offset_minutes} min"
            )))
        }
    }

    /// The calendar date.
    pub fn date(self) -> ImapDate {
        self.date
    }

    /// Hour, minute and second.
    pub fn time(self) -> (u8, u8, u8) {
        (self.hour, self.minute, self.second)
    }

    /// The zone offset in minutes east of UTC.
    pub fn offset_minutes(self) -> i16 {
        self.offset_minutes
    }
}

impl std::fmt::Display for ImapDateTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let date = self.date.to_string();
        let pad = if self.date.day() < 10 { "0" } else { "" };
        let sign = if self.offset_minutes < 0 { '-' } else { '+' };
        let offset = self.offset_minutes.unsigned_abs();
        write!(
            f,
            "{pad}{date} {:02}:{:02}:{:02} {sign}{:02}{:02}",
            self.hour,
            self.minute,
            self.second,
            offset / 60,
            offset % 60
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: u16, m: u8, d: u8) -> ImapDate {
        ImapDate::new(y, m, d).unwrap()
    }

    #[test]
    fn displays_the_rfc_3501_form() {
        let dt = ImapDateTime::new(date(1994, 2, 1), 21, 52, 25, -480).unwrap();
        assert_eq!(dt.to_string(), "01-Feb-1994 21:52:25 -0800");
        let dt = ImapDateTime::new(date(2024, 12, 31), 0, 0, 0, 0).unwrap();
        assert_eq!(dt.to_string(), "31-Dec-2024 00:00:00 +0000");
        let dt = ImapDateTime::new(date(2024, 7, 9), 23, 59, 60, 5 * 60 + 30).unwrap();
        assert_eq!(dt.to_string(), "09-Jul-2024 23:59:60 +0530");
        let dt = ImapDateTime::new(date(2024, 7, 9), 1, 2, 3, -1439).unwrap();
        assert_eq!(dt.to_string(), "09-Jul-2024 01:02:03 -2359");
        assert_eq!(dt.time(), (1, 2, 3));
        assert_eq!(dt.offset_minutes(), -1439);
        assert_eq!(dt.date(), date(2024, 7, 9));
    }

    #[test]
    fn rejects_out_of_range_fields() {
        let d = date(2024, 1, 1);
        for (h, m, s, z) in [
            (24, 0, 0, 0),
            (0, 60, 0, 0),
            (0, 0, 61, 0),
            (0, 0, 0, 1440),
            (0, 0, 0, -1440),
            (0, 0, 0, i16::MIN),
        ] {
            assert!(ImapDateTime::new(d, h, m, s, z).is_err(), "{h}:{m}:{s} {z}");
        }
    }
}
