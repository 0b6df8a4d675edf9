//! `ImapDateTime`: a date, time of day and zone (RFC 3501 §9 `date-time`,
//! `"01-Feb-1994 21:52:25 -0800"`) as APPEND's optional internal date uses it and as servers
//! send `INTERNALDATE` and `SAVEDATE`; and [`ServerDateTime`], what a server sent.
//!
//! Dependency-free like [`ImapDate`], which it builds on. The encoder writes the quoted wire
//! form ([`ImapDateTime`]'s `Display` is the text between the quotes). Server dates are parsed
//! leniently into a [`ServerDateTime`], which keeps the text as sent when it does not parse,
//! so one odd date never fails a whole FETCH response.

use super::ImapDate;
use crate::types::InvalidInput;

/// A validated date-time with a numeric zone. `Display` writes `01-Feb-1994 21:52:25 -0800`
/// (two-digit day, as `date-day-fixed` allows). Serde (feature `serde`) uses the same text,
/// validated when deserialising.
///
/// ```
/// # use daaki_imap::types::{ImapDate, ImapDateTime};
/// let dt = ImapDateTime::new(ImapDate::new(1994, 2, 1)?, 21, 52, 25, -8 * 60)?;
/// assert_eq!(dt.to_string(), "01-Feb-1994 21:52:25 -0800");
/// assert!(ImapDateTime::new(ImapDate::new(1994, 2, 1)?, 24, 0, 0, 0).is_err());
/// # Ok::<(), daaki_imap::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "String", into = "String")
)]
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
    ) -> Result<Self, InvalidInput> {
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
            Err(InvalidInput::new(format!(
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

    /// Seconds since 1970-01-01 00:00:00 UTC (negative before). A leap second (`:60`) counts
    /// as the first second of the next minute.
    ///
    /// ```
    /// # use daaki_imap::types::ImapDateTime;
    /// let dt = ImapDateTime::parse("17-Jul-1996 02:44:25 -0700")?;
    /// assert_eq!(dt.unix_timestamp(), 837_596_665);
    /// # Ok::<(), daaki_imap::Error>(())
    /// ```
    pub fn unix_timestamp(self) -> i64 {
        let days = days_from_civil(
            i64::from(self.date.year()),
            i64::from(self.date.month()),
            i64::from(self.date.day()),
        );
        days * 86_400
            + i64::from(self.hour) * 3_600
            + i64::from(self.minute) * 60
            + i64::from(self.second)
            - i64::from(self.offset_minutes) * 60
    }

    /// The instant `ts` (seconds since the Unix epoch) as wall-clock time in the zone
    /// `offset_minutes` east of UTC — e.g. for APPEND's internal date. Fails if the offset is
    /// beyond ±23:59 or the local date falls outside the years 1–9999.
    ///
    /// ```
    /// # use daaki_imap::types::ImapDateTime;
    /// let dt = ImapDateTime::from_unix(837_596_665, -7 * 60)?;
    /// assert_eq!(dt.to_string(), "17-Jul-1996 02:44:25 -0700");
    /// # Ok::<(), daaki_imap::Error>(())
    /// ```
    pub fn from_unix(ts: i64, offset_minutes: i16) -> Result<Self, InvalidInput> {
        let out_of_range = || {
            InvalidInput::new(format!(
                "timestamp {ts} (offset {offset_minutes} min) out of range"
            ))
        };
        if offset_minutes.unsigned_abs() > Self::MAX_OFFSET_MINUTES.unsigned_abs() {
            return Err(out_of_range());
        }
        let local = ts
            .checked_add(i64::from(offset_minutes) * 60)
            .ok_or_else(out_of_range)?;
        let (days, secs) = (local.div_euclid(86_400), local.rem_euclid(86_400));
        // Years 1..=9999 lie within these days of 1970; checking first keeps the civil
        // conversion far from overflow.
        if !(-800_000..=3_000_000).contains(&days) {
            return Err(out_of_range());
        }
        let (year, month, day) = civil_from_days(days);
        let narrow = |v: i64| u8::try_from(v).map_err(|_| out_of_range());
        let year = u16::try_from(year).map_err(|_| out_of_range())?;
        let date = ImapDate::new(year, narrow(month)?, narrow(day)?).map_err(|_| out_of_range())?;
        Self::new(
            date,
            narrow(secs / 3_600)?,
            narrow(secs / 60 % 60)?,
            narrow(secs % 60)?,
            offset_minutes,
        )
    }

    /// Parses the IMAP `date-time` text (without the quotes), leniently as servers send it:
    /// a one- or two-digit day, optionally space-padded (`" 1-Jan-2020"`: the RFC 3501
    /// `date-day-fixed` form Dovecot and Cyrus send), month names in any case, runs of spaces
    /// between the fields, and the zone as `±hhmm` or `UT`/`UTC`/`GMT`/`Z` for UTC. Every field
    /// is range-checked.
    pub fn parse(s: &str) -> Result<Self, InvalidInput> {
        Self::parse_bytes(s.as_bytes())
            .ok_or_else(|| InvalidInput::new(format!("invalid IMAP date-time: {s:?}")))
    }

    /// [`ImapDateTime::parse`] on raw bytes; `None` if they are not a valid date-time.
    pub(crate) fn parse_bytes(b: &[u8]) -> Option<Self> {
        let text = std::str::from_utf8(b).ok()?;
        let mut fields = text.split(' ').filter(|f| !f.is_empty());
        let (Some(date), Some(time), Some(zone), None) =
            (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            return None;
        };
        let date = ImapDate::parse(date).ok()?;
        let mut hms = time.split(':');
        let (Some(h), Some(m), Some(s), None) = (hms.next(), hms.next(), hms.next(), hms.next())
        else {
            return None;
        };
        let offset = parse_zone(zone)?;
        Self::new(date, two_digits(h)?, two_digits(m)?, two_digits(s)?, offset).ok()
    }
}

/// Exactly two ASCII digits.
fn two_digits(s: &str) -> Option<u8> {
    match *s.as_bytes() {
        [a @ b'0'..=b'9', b @ b'0'..=b'9'] => Some((a - b'0') * 10 + (b - b'0')),
        _ => None,
    }
}

/// `±hhmm` (minutes below 60) or `UT` / `UTC` / `GMT` / `Z`, as minutes east of UTC.
fn parse_zone(zone: &str) -> Option<i16> {
    if ["UT", "UTC", "GMT", "Z"]
        .iter()
        .any(|z| z.eq_ignore_ascii_case(zone))
    {
        return Some(0);
    }
    let (sign, digits) = match zone.as_bytes().split_first()? {
        (b'+', rest) => (1, rest),
        (b'-', rest) => (-1, rest),
        _ => return None,
    };
    let digits = std::str::from_utf8(digits).ok()?;
    let (hh, mm) = (two_digits(digits.get(..2)?)?, two_digits(digits.get(2..)?)?);
    (mm < 60).then(|| sign * (i16::from(hh) * 60 + i16::from(mm)))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of [`days_from_civil`]: (year, month, day).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
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

impl std::str::FromStr for ImapDateTime {
    type Err = InvalidInput;

    fn from_str(s: &str) -> Result<Self, InvalidInput> {
        Self::parse(s)
    }
}

impl TryFrom<String> for ImapDateTime {
    type Error = InvalidInput;

    fn try_from(s: String) -> Result<Self, InvalidInput> {
        Self::parse(&s)
    }
}

impl From<ImapDateTime> for String {
    fn from(dt: ImapDateTime) -> Self {
        dt.to_string()
    }
}

/// A date-time a server sent (`INTERNALDATE`, `SAVEDATE`): parsed when it is valid, otherwise
/// the text as sent (lossy UTF-8), so a malformed date never fails the response it came in.
///
/// ```
/// # use daaki_imap::types::ServerDateTime;
/// let d = ServerDateTime::from_wire(b" 1-Jan-2020 00:00:00 +0000");
/// assert_eq!(d.unix_timestamp(), Some(1_577_836_800));
/// assert_eq!(d.to_string(), "01-Jan-2020 00:00:00 +0000");
/// let odd = ServerDateTime::from_wire(b"yesterday");
/// assert_eq!(odd.datetime(), None);
/// assert_eq!(odd.to_string(), "yesterday");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum ServerDateTime {
    /// A valid date-time.
    Valid(ImapDateTime),
    /// Text that is not a valid date-time, as sent.
    Unparsed(String),
}

impl ServerDateTime {
    /// Parses the bytes between the quotes leniently (see [`ImapDateTime::parse`]).
    pub fn from_wire(bytes: &[u8]) -> Self {
        match ImapDateTime::parse_bytes(bytes) {
            Some(dt) => Self::Valid(dt),
            None => Self::Unparsed(String::from_utf8_lossy(bytes).into_owned()),
        }
    }

    /// The parsed value, if valid.
    pub fn datetime(&self) -> Option<ImapDateTime> {
        match self {
            Self::Valid(dt) => Some(*dt),
            Self::Unparsed(_) => None,
        }
    }

    /// Seconds since the Unix epoch, if valid.
    pub fn unix_timestamp(&self) -> Option<i64> {
        self.datetime().map(ImapDateTime::unix_timestamp)
    }
}

impl std::fmt::Display for ServerDateTime {
    /// The IMAP form of a valid value (two-digit day), or the text as sent.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Valid(dt) => dt.fmt(f),
            Self::Unparsed(s) => f.write_str(s),
        }
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

    #[test]
    fn parses_server_forms_and_round_trips() {
        let dt = ImapDateTime::parse("17-Jul-1996 02:44:25 -0700").unwrap();
        assert_eq!(dt.date(), date(1996, 7, 17));
        assert_eq!((dt.time(), dt.offset_minutes()), ((2, 44, 25), -420));
        assert_eq!(dt.to_string(), "17-Jul-1996 02:44:25 -0700");
        // Space-padded one-digit day (date-day-fixed): Dovecot, Cyrus.
        let dt = ImapDateTime::parse(" 1-Jan-2020 09:05:00 +0530").unwrap();
        assert_eq!(dt.to_string(), "01-Jan-2020 09:05:00 +0530");
        assert_eq!(ImapDateTime::parse(&dt.to_string()).unwrap(), dt);
        assert_eq!(
            "1-jan-2020 09:05:00 +0530".parse::<ImapDateTime>().unwrap(),
            dt
        );
        assert_eq!(
            ImapDateTime::parse("01-JAN-2020  09:05:00  GMT").unwrap(),
            ImapDateTime::new(date(2020, 1, 1), 9, 5, 0, 0).unwrap()
        );
        let neg = ImapDateTime::parse("31-Dec-1969 23:59:59 -0030").unwrap();
        assert_eq!(neg.offset_minutes(), -30);
        assert_eq!(neg.to_string(), "31-Dec-1969 23:59:59 -0030");
    }

    #[test]
    fn parse_rejects_malformed_date_times() {
        for s in [
            "",
            "17-Jul-1996",
            "17-Jul-1996 02:44:25",
            "17-Jul-1996 02:44 -0700",
            "17-Jul-1996 2:44:25 -0700",
            "17-Jul-1996 02:44:25 0700",
            "17-Jul-1996 02:44:25 -07",
            "17-Jul-1996 02:44:25 -07000",
            "17-Jul-1996 02:44:25 -0760",
            "17-Jul-1996 02:44:25 -0700 x",
            "32-Jul-1996 02:44:25 -0700",
            "17-Jul-1996 25:44:25 -0700",
            "17-Jul-1996 02:44:25 +\u{e9}\u{e9}",
            "17-Jul-1996\t02:44:25 -0700",
            "\"17-Jul-1996 02:44:25 -0700\"",
        ] {
            assert!(ImapDateTime::parse(s).is_err(), "{s:?}");
        }
    }

    #[test]
    fn unix_timestamps_match_known_instants() {
        let ts = |s: &str| ImapDateTime::parse(s).unwrap().unix_timestamp();
        assert_eq!(ts("01-Jan-1970 00:00:00 +0000"), 0);
        assert_eq!(ts("01-Jan-1970 01:00:00 +0100"), 0);
        assert_eq!(ts("31-Dec-1969 16:00:00 -0800"), 0);
        assert_eq!(ts("17-Jul-1996 02:44:25 -0700"), 837_596_665);
        assert_eq!(ts("29-Feb-2024 12:00:00 +0000"), 1_709_208_000);
        assert_eq!(ts("01-Jan-0001 00:00:00 +0000"), -62_135_596_800);
        assert_eq!(ts("31-Dec-9999 23:59:59 +0000"), 253_402_300_799);
    }

    #[test]
    fn from_unix_inverts_unix_timestamp() {
        for (ts, off) in [
            (0, 0),
            (837_596_665, -420),
            (1_709_208_000, 330),
            (-1, -1439),
            (-62_135_596_800, 0),
            (253_402_300_799, 0),
            (951_782_400, 0),
        ] {
            let dt = ImapDateTime::from_unix(ts, off).unwrap();
            assert_eq!(dt.unix_timestamp(), ts, "{dt}");
            assert_eq!(dt.offset_minutes(), off);
        }
        assert_eq!(
            ImapDateTime::from_unix(951_782_400, 0).unwrap().to_string(),
            "29-Feb-2000 00:00:00 +0000"
        );
        assert_eq!(
            ImapDateTime::from_unix(-1, 0).unwrap().to_string(),
            "31-Dec-1969 23:59:59 +0000"
        );
    }

    #[test]
    fn from_unix_rejects_out_of_range() {
        assert!(ImapDateTime::from_unix(0, 1440).is_err());
        assert!(ImapDateTime::from_unix(-62_135_596_801, 0).is_err());
        assert!(ImapDateTime::from_unix(253_402_300_800, 0).is_err());
        assert!(ImapDateTime::from_unix(i64::MAX, 60).is_err());
        assert!(ImapDateTime::from_unix(i64::MIN, -60).is_err());
        assert!(ImapDateTime::from_unix(i64::MIN, 0).is_err());
    }

    #[test]
    fn server_date_time_keeps_unparsable_text() {
        let ok = ServerDateTime::from_wire(b"17-Jul-1996 02:44:25 -0700");
        assert_eq!(ok.unix_timestamp(), Some(837_596_665));
        let bad = ServerDateTime::from_wire(b"17-Jul-1996 02:44:25 \xff");
        assert_eq!(
            bad,
            ServerDateTime::Unparsed("17-Jul-1996 02:44:25 \u{fffd}".into())
        );
        assert_eq!(bad.unix_timestamp(), None);
        assert_eq!(bad.to_string(), "17-Jul-1996 02:44:25 \u{fffd}");
    }
}
