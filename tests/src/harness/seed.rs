//! Deterministic sample mail, written straight into Maildir folders.
//!
//! Message `i` (1-based) is always the same bytes, so tests can compare what they fetch with
//! [`message`]. Writing files directly is fast (10,000 messages in well under a second here),
//! far faster than APPEND. File names carry `S=` and `W=` sizes so Dovecot needs no read to
//! answer `RFC822.SIZE`; the files use CRLF line ends, so both sizes are the file size.
//!
//! Mix of the corpus, so every FETCH item has something to show:
//! - every message: `From`, `To`, `Subject`, `Date`, `Message-ID`;
//! - every 7th: an RFC 2047 encoded UTF-8 subject;
//! - every 10th: `multipart/alternative` (text/plain + text/html, quoted-printable);
//! - every 13th: `multipart/mixed` with a base64 attachment;
//! - every 4th: `In-Reply-To`/`References` to the message before it (threads for THREAD);
//! - flags: `\Seen` on every 3rd, `\Flagged` on every 5th, `\Answered` on every 11th.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Unix time of message 1's date; message `i` is `i` minutes later.
pub const BASE_TIME: u64 = 1_700_000_000;

/// The bytes of sample message `i` (1-based), with CRLF line ends.
pub fn message(i: u32) -> Vec<u8> {
    let time = BASE_TIME + u64::from(i) * 60;
    let date = rfc5322_date(time);
    let subject = if i.is_multiple_of(7) {
        format!("=?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln_{i}?=")
    } else {
        format!("Test message {i}")
    };
    let mut out = String::with_capacity(600);
    out.push_str(&format!(
        "From: Sender {s} <sender{s}@example.org>\r\n\
         To: Test User <user@example.org>\r\n\
         Subject: {subject}\r\n\
         Date: {date}\r\n\
         Message-ID: <msg{i}@daaki.test>\r\n",
        s = i % 50
    ));
    if i.is_multiple_of(4) && i > 1 {
        out.push_str(&format!(
            "In-Reply-To: <msg{p}@daaki.test>\r\nReferences: <msg{p}@daaki.test>\r\n",
            p = i - 1
        ));
    }
    out.push_str("MIME-Version: 1.0\r\n");
    if i.is_multiple_of(13) {
        out.push_str(&format!(
            "Content-Type: multipart/mixed; boundary=\"mixed-{i}\"\r\n\r\n\
             --mixed-{i}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
             Message {i} has an attachment.\r\n\
             --mixed-{i}\r\nContent-Type: application/octet-stream; name=\"data-{i}.bin\"\r\n\
             Content-Disposition: attachment; filename=\"data-{i}.bin\"\r\n\
             Content-Transfer-Encoding: base64\r\n\r\n\
             AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\r\n\
             --mixed-{i}--\r\n"
        ));
    } else if i.is_multiple_of(10) {
        out.push_str(&format!(
            "Content-Type: multipart/alternative; boundary=\"alt-{i}\"\r\n\r\n\
             --alt-{i}\r\nContent-Type: text/plain; charset=utf-8\r\n\
             Content-Transfer-Encoding: quoted-printable\r\n\r\n\
             Hello from message {i}. Gr=C3=BC=C3=9Fe!\r\n\
             --alt-{i}\r\nContent-Type: text/html; charset=utf-8\r\n\
             Content-Transfer-Encoding: quoted-printable\r\n\r\n\
             <p>Hello from message <b>{i}</b>. Gr=C3=BC=C3=9Fe!</p>\r\n\
             --alt-{i}--\r\n"
        ));
    } else {
        out.push_str(&format!(
            "Content-Type: text/plain; charset=us-ascii\r\n\r\n\
             This is the body of message {i}.\r\nIt has two lines.\r\n"
        ));
    }
    out.into_bytes()
}

/// The Maildir flag letters of message `i` (sorted, as Maildir requires).
pub fn maildir_flags(i: u32) -> String {
    let mut flags = String::new();
    if i.is_multiple_of(5) {
        flags.push('F');
    }
    if i.is_multiple_of(11) {
        flags.push('R');
    }
    if i.is_multiple_of(3) {
        flags.push('S');
    }
    flags
}

/// The IMAP flags of message `i` (the same as [`maildir_flags`]), as an APPEND flag list body
/// such as `\Flagged \Seen` (empty when none).
pub fn imap_flags(i: u32) -> String {
    let mut flags = Vec::new();
    if i.is_multiple_of(5) {
        flags.push("\\Flagged");
    }
    if i.is_multiple_of(11) {
        flags.push("\\Answered");
    }
    if i.is_multiple_of(3) {
        flags.push("\\Seen");
    }
    flags.join(" ")
}

/// The INTERNALDATE of message `i` (its `Date:`) in IMAP `date-time` form, e.g.
/// `14-Nov-2023 22:14:20 +0000`.
pub fn internal_date(i: u32) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let unix = BASE_TIME + u64::from(i) * 60;
    let (year, month, day) = civil_from_days((unix / 86_400) as i64);
    let secs = unix % 86_400;
    format!(
        "{day:02}-{}-{year} {:02}:{:02}:{:02} +0000",
        MONTHS[(month - 1) as usize],
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// Writes messages `1..=count` into the Maildir folder `folder` (created if missing).
///
/// `folder` is the Maildir root for INBOX, or `<root>/.<Name>` for another mailbox (see
/// [`folder_path`]). Files get the message date as modification time (Dovecot's INTERNALDATE).
pub fn write_messages(folder: &Path, count: u32) -> io::Result<()> {
    for sub in ["cur", "new", "tmp"] {
        fs::create_dir_all(folder.join(sub))?;
    }
    let cur = folder.join("cur");
    for i in 1..=count {
        let bytes = message(i);
        let time = BASE_TIME + u64::from(i) * 60;
        let name = format!(
            "{time}.M{i}P1.daaki,S={len},W={len}:2,{flags}",
            len = bytes.len(),
            flags = maildir_flags(i)
        );
        let path = cur.join(name);
        let mut file = File::create(&path)?;
        file.write_all(&bytes)?;
        file.set_modified(UNIX_EPOCH + Duration::from_secs(time))?;
    }
    Ok(())
}

/// The Maildir++ directory of mailbox `name` under the Maildir `root` (`INBOX` is the root).
pub fn folder_path(root: &Path, name: &str) -> PathBuf {
    if name.eq_ignore_ascii_case("INBOX") {
        root.to_path_buf()
    } else {
        root.join(format!(".{}", name.replace('/', ".")))
    }
}

/// Creates an empty Maildir++ folder (with its `maildirfolder` marker) for mailbox `name`.
pub fn create_folder(root: &Path, name: &str) -> io::Result<PathBuf> {
    let path = folder_path(root, name);
    for sub in ["cur", "new", "tmp"] {
        fs::create_dir_all(path.join(sub))?;
    }
    if path != root {
        File::create(path.join("maildirfolder"))?;
    }
    Ok(path)
}

fn rfc5322_date(unix: u64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let days = unix / 86_400;
    let secs = unix % 86_400;
    let (year, month, day) = civil_from_days(days as i64);
    format!(
        "{}, {day} {} {year} {:02}:{:02}:{:02} +0000",
        DAYS[(days % 7) as usize],
        MONTHS[(month - 1) as usize],
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// Days since 1970-01-01 to (year, month, day), after Howard Hinnant's `civil_from_days`.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Seconds since the Unix epoch, for unique names.
pub(crate) fn now_nanos() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_deterministic_and_crlf() {
        assert_eq!(message(42), message(42));
        let text = String::from_utf8(message(10)).expect("ascii");
        assert!(text.contains("multipart/alternative"));
        assert!(
            !text.replace("\r\n", "").contains('\n'),
            "bare LF in message"
        );
    }

    #[test]
    fn dates_match_known_values() {
        // 1700000000 is Tue, 14 Nov 2023 22:13:20 UTC.
        assert_eq!(
            rfc5322_date(1_700_000_000),
            "Tue, 14 Nov 2023 22:13:20 +0000"
        );
        assert_eq!(rfc5322_date(0), "Thu, 1 Jan 1970 00:00:00 +0000");
    }

    #[test]
    fn imap_flags_and_internal_dates_match_the_maildir_seed() {
        assert_eq!(imap_flags(15), "\\Flagged \\Seen");
        assert_eq!(imap_flags(1), "");
        assert_eq!(internal_date(0), "14-Nov-2023 22:13:20 +0000");
        assert_eq!(internal_date(1), "14-Nov-2023 22:14:20 +0000");
    }

    #[test]
    fn flags_are_sorted_maildir_letters() {
        assert_eq!(maildir_flags(15), "FS");
        assert_eq!(maildir_flags(33), "RS");
        assert_eq!(maildir_flags(165), "FRS");
        assert_eq!(maildir_flags(1), "");
    }
}
