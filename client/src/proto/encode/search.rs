//! SEARCH, SORT and THREAD (RFC 3501 §6.4.4, ESEARCH RFC 4731, SEARCHRES RFC 5182, RFC 5256,
//! ESORT RFC 5267, SORT=DISPLAY RFC 5957) and every search key, including the extension keys
//! (MODSEQ, OLDER/YOUNGER, SAVEDATE, EMAILID/THREADID).
//!
//! Charset: text arguments are UTF-8. When UTF-8 is not enabled and some text is not ASCII,
//! SEARCH gets `CHARSET UTF-8` (unless the caller chose a charset) and such text travels in
//! literals; with IMAP4rev2 / UTF8=ACCEPT, UTF-8 is implied and may be quoted. SORT and
//! THREAD always name a charset (`UTF-8` unless chosen).

use super::store::uid_prefix;
use super::writer::Writer;
use crate::types::InvalidInput;
use crate::types::{ImapAtom, SearchKey};
use crate::types::{SearchReturnOption, SortCriterion, ThreadAlgorithm};

/// Deepest nesting of search keys (`NOT`, `OR`, parentheses) the encoder accepts; it
/// bounds the encoder's recursion.
pub const MAX_SEARCH_DEPTH: usize = 64;

pub(super) fn search(
    w: &mut Writer<'_>,
    uid: bool,
    charset: Option<&ImapAtom>,
    criteria: &SearchKey,
    return_options: Option<&[SearchReturnOption]>,
) -> Result<(), InvalidInput> {
    check_depth(criteria)?;
    uid_prefix(w, uid);
    w.raw("SEARCH");
    if let Some(options) = return_options {
        w.raw(" RETURN ");
        return_list(w, options)?;
    }
    match charset {
        Some(charset) => w.raw(&format!(" CHARSET {charset}")),
        None if !w.options().utf8 && has_non_ascii_text(criteria) => w.raw(" CHARSET UTF-8"),
        None => {}
    }
    w.sp();
    search_program(w, criteria)
}

pub(super) fn sort(
    w: &mut Writer<'_>,
    uid: bool,
    criteria: &[SortCriterion],
    charset: Option<&ImapAtom>,
    search: &SearchKey,
    return_options: Option<&[SearchReturnOption]>,
) -> Result<(), InvalidInput> {
    check_depth(search)?;
    if criteria.is_empty() {
        return Err(InvalidInput::new(
            "SORT needs at least one criterion".to_owned(),
        ));
    }
    uid_prefix(w, uid);
    w.raw("SORT ");
    if let Some(options) = return_options {
        w.raw("RETURN ");
        return_list(w, options)?;
        w.sp();
    }
    w.paren_list(criteria, |w, c| {
        if c.reverse {
            w.raw("REVERSE ");
        }
        w.raw(c.key.as_str());
        Ok(())
    })?;
    w.sp();
    w.raw(charset.map_or("UTF-8", ImapAtom::as_str));
    w.sp();
    search_program(w, search)
}

pub(super) fn thread(
    w: &mut Writer<'_>,
    uid: bool,
    algorithm: &ThreadAlgorithm,
    charset: Option<&ImapAtom>,
    search: &SearchKey,
) -> Result<(), InvalidInput> {
    check_depth(search)?;
    uid_prefix(w, uid);
    w.raw("THREAD ");
    w.raw(algorithm.as_str());
    w.sp();
    w.raw(charset.map_or("UTF-8", ImapAtom::as_str));
    w.sp();
    search_program(w, search)
}

fn return_list(w: &mut Writer<'_>, options: &[SearchReturnOption]) -> Result<(), InvalidInput> {
    w.paren_list(options, |w, option| {
        w.raw(option.as_str());
        Ok(())
    })
}

fn check_depth(key: &SearchKey) -> Result<(), InvalidInput> {
    if key.nesting_depth() > MAX_SEARCH_DEPTH {
        return Err(InvalidInput::new(format!(
            "search keys nest deeper than {MAX_SEARCH_DEPTH}"
        )));
    }
    Ok(())
}

/// True when some text argument (not a keyword, date or number) is not ASCII.
fn has_non_ascii_text(key: &SearchKey) -> bool {
    let mut stack = vec![key];
    while let Some(key) = stack.pop() {
        let text = match key {
            SearchKey::Bcc(t)
            | SearchKey::Body(t)
            | SearchKey::Cc(t)
            | SearchKey::From(t)
            | SearchKey::Subject(t)
            | SearchKey::Text(t)
            | SearchKey::To(t)
            | SearchKey::Header(_, t)
            | SearchKey::GmailRaw(t) => Some(t),
            _ => None,
        };
        if text.is_some_and(|t| !t.is_ascii()) {
            return true;
        }
        stack.extend(key.children());
    }
    false
}

/// The top level: a list of keys is written without parentheses (`search-key *(SP
/// search-key)`).
fn search_program(w: &mut Writer<'_>, key: &SearchKey) -> Result<(), InvalidInput> {
    match key {
        SearchKey::And(keys) if !keys.is_empty() => {
            for (i, key) in keys.iter().enumerate() {
                if i > 0 {
                    w.sp();
                }
                search_key(w, key)?;
            }
            Ok(())
        }
        key => search_key(w, key),
    }
}

/// One key. Recursion is bounded by [`check_depth`], called before.
fn search_key(w: &mut Writer<'_>, key: &SearchKey) -> Result<(), InvalidInput> {
    match key {
        SearchKey::And(keys) if keys.is_empty() => w.raw("ALL"),
        SearchKey::And(keys) => w.paren_list(keys, |w, k| search_key(w, k))?,
        SearchKey::SequenceSet(set) => w.raw(&set.to_string()),
        SearchKey::Not(inner) => {
            w.raw("NOT ");
            search_key(w, inner)?;
        }
        SearchKey::Or(a, b) => {
            w.raw("OR ");
            search_key(w, a)?;
            w.sp();
            search_key(w, b)?;
        }
        SearchKey::Bcc(t)
        | SearchKey::Body(t)
        | SearchKey::Cc(t)
        | SearchKey::From(t)
        | SearchKey::Subject(t)
        | SearchKey::Text(t)
        | SearchKey::To(t)
        | SearchKey::GmailRaw(t) => {
            w.raw(key.name());
            w.sp();
            w.astring(t.as_str().as_bytes())?;
        }
        SearchKey::Header(name, text) => {
            let mut field = String::new();
            name.write_wire(&mut field);
            w.raw(&format!("HEADER {field} "));
            w.astring(text.as_str().as_bytes())?;
        }
        SearchKey::Before(d)
        | SearchKey::On(d)
        | SearchKey::SentBefore(d)
        | SearchKey::SentOn(d)
        | SearchKey::SentSince(d)
        | SearchKey::Since(d)
        | SearchKey::SavedBefore(d)
        | SearchKey::SavedOn(d)
        | SearchKey::SavedSince(d) => w.raw(&format!("{} {d}", key.name())),
        SearchKey::Keyword(flag) | SearchKey::Unkeyword(flag) => {
            w.raw(&format!("{} {flag}", key.name()));
        }
        SearchKey::Larger(n) | SearchKey::Smaller(n) => w.raw(&format!("{} {n}", key.name())),
        SearchKey::Older(n) | SearchKey::Younger(n) => w.raw(&format!("{} {n}", key.name())),
        SearchKey::Uid(set) => w.raw(&format!("UID {set}")),
        SearchKey::ModSeq { entry, modseq } => {
            w.raw("MODSEQ ");
            if let Some(entry) = entry {
                // The entry name is always a quoted string (RFC 7162 `entry-flag-name`).
                w.string(entry.entry_name().as_bytes())?;
                w.raw(&format!(" {} ", entry.kind.as_str()));
            }
            w.raw(&modseq.to_string());
        }
        SearchKey::EmailId(id) | SearchKey::ThreadId(id) => {
            w.raw(&format!("{} {id}", key.name()));
        }
        SearchKey::GmailMessageId(id) | SearchKey::GmailThreadId(id) => {
            w.raw(&format!("{} {id}", key.name()));
        }
        SearchKey::GmailLabel(label) => {
            w.raw("X-GM-LABELS ");
            super::store::gmail_label(w, label)?;
        }
        SearchKey::All
        | SearchKey::Answered
        | SearchKey::Deleted
        | SearchKey::Draft
        | SearchKey::Flagged
        | SearchKey::New
        | SearchKey::Old
        | SearchKey::Recent
        | SearchKey::Seen
        | SearchKey::Unanswered
        | SearchKey::Undeleted
        | SearchKey::Undraft
        | SearchKey::Unflagged
        | SearchKey::Unseen
        | SearchKey::SaveDateSupported => w.raw(key.name()),
    }
    Ok(())
}
