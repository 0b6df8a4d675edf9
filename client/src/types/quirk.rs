//! The registry of real servers' deviations from the IMAP grammar that this client tolerates:
//! each [`Quirk`] names what it accepts, the servers seen sending it and the public report
//! that shows it, and has a transcript test (`proto/session/tests/real_world/`). A
//! connection counts the quirks its server's responses needed
//! ([`ImapConnection::quirks`](crate::ImapConnection::quirks)), so an application can report
//! the server bug upstream. The README's "Real-world servers" section lists them all (a test
//! keeps it in step), and the deviations accepted without being counted because no public
//! report shows a server sending them.

/// One tolerated deviation from the grammar of RFC 3501 / RFC 9051 — the registry of what
/// real servers send and this client accepts: each names what it accepts, the servers seen
/// sending it ([`Quirk::servers`]) and the public report that shows it ([`Quirk::source`]),
/// and has a transcript test quoting that report's bytes. A connection counts the responses
/// that needed each ([`ImapConnection::quirks`](crate::ImapConnection::quirks)), so an
/// application can report the server bug upstream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Quirk {
    /// A body part in a shape that is neither a single part nor a multipart (a NIL media
    /// type, missing fields, `()` as a message's body): it is kept as
    /// [`BodyStructure::Unparsed`](crate::types::response::BodyStructure::Unparsed) and the
    /// rest of the structure stays typed.
    UnparsedBodyPart,
    /// A bare string where a body disposition `("type" params)` belongs: read as the
    /// disposition type without parameters.
    BareStringDisposition,
    /// Spaces before the `)` that closes a body's extension data.
    SpaceBeforeBodyClose,
    /// A negative body size in octets or lines (e.g. `-1`): read as 0.
    NegativeBodySize,
    /// A `"` inside a quoted string that is not escaped (`"HTML""`, `"ab"cd"`). A quote
    /// followed by anything but a space, `)`, `]` or the line end is read as part of the
    /// string; when a response still fails to parse, the quote before the failure that
    /// ended a string is read as part of it and the response parsed again (`"say "hi" now"`).
    UnescapedQuote,
    /// A `\` that escapes nothing: before a byte other than `"` or `\` it is kept as a
    /// backslash (`"name \ "`); right before a closing quote (`"\"`, `"C:\"`), when the
    /// response fails to parse otherwise, it is read as the string's last character.
    LoneBackslash,
    /// A flag holding `]`, which is not an atom character (Gmail's `OIB-Seen-[Gmail]/Trash`),
    /// in a flag list or a PERMANENTFLAGS code: kept whole, and a response code ends at the
    /// first `]` outside its parentheses. (A keyword holding a space, as Gmail's
    /// `OIB-Seen-[Gmail]/All Mail`, cannot be told from two flags and is read as two.)
    BracketInFlag,
    /// A flag sent as a quoted string (`"\\Deleted"`): read as the string's value. (A
    /// quoted flag holding a space is read as two.)
    QuotedFlag,
    /// NIL as a body part's size in octets or lines: read as 0.
    NilBodySize,
    /// NIL as a body part's transfer encoding: read as an empty string.
    NilBodyEncoding,
    /// A message/rfc822 part without its envelope, body and line count: read as a basic
    /// part of type message/rfc822.
    MessagePartWithoutEnvelope,
    /// A multipart without parts, `("ALTERNATIVE")`: read as a multipart with no parts.
    EmptyMultipart,
    /// Body parameters given as `()` or with a NIL name or value (`("boundary" NIL)`): read
    /// as no parameters, and NIL as an empty string.
    NilOrEmptyBodyParams,
    /// A known FETCH item, STATUS item or response code whose value does not fit its type (a
    /// UIDVALIDITY over 2^32, `MODSEQ (-1)`, `[COPYUID 14  ]`): kept with its raw bytes
    /// ([`OtherItem`](crate::types::response::OtherItem), `MailboxStatus::other`,
    /// [`ResponseCode::Other`](crate::types::response::ResponseCode::Other)), and the rest of
    /// the response stays typed.
    UntypedValue,
    /// `* XLIST` (Gmail's and QQ Mail's list before SPECIAL-USE, shaped like LIST): typed as
    /// [`ServerData::XList`](crate::types::response::ServerData::XList).
    XList,
    /// A lone `\` among a mailbox's attributes (`(\HasChildren \)`): kept as an attribute.
    EmptyMailboxAttribute,
    /// A response code alone on a line, without `* OK` (`[COPYUID 124 10 233]`): read as an
    /// untagged OK carrying it.
    BareResponseCode,
    /// Exchange's `Server Unavailable. 15` line, without `*` or tag (a NO it sends with an
    /// empty tag, e.g. after IDLE's DONE): read as an untagged NO with that text.
    BareServerUnavailable,
    /// A tagged BYE (`a4 BYE IMAP4rev1 Server logging out`): the connection is closing; it
    /// completes a LOGOUT successfully and fails any other command.
    TaggedBye,
    /// Several spaces where the grammar has one, or spaces before the `)` that closes a
    /// FETCH: skipped.
    ExtraSpaces,
    /// Spaces before the line end (`* SEARCH 1 2 `): skipped.
    TrailingSpace,
    /// A status response without its text, not even the space before it (`A6 OK`, `* BYE`):
    /// read with an empty text.
    MissingText,
    /// An empty address list `()` in an envelope, where NIL belongs: read as no addresses.
    EmptyAddressList,
    /// An envelope without its last field, the Message-ID: read as having none.
    ShortEnvelope,
    /// An object id (MAILBOXID, EMAILID, THREADID) with bytes RFC 8474 does not allow, even
    /// `)`: kept as the bytes up to the first `)` followed by a space, `)` or the line end.
    ObjectIdJunk,
    /// PREVIEW in the draft form `PREVIEW (FUZZY "...")` before RFC 8970: the text is read.
    PreviewFuzzy,
}

/// What the registry says about one quirk.
struct Entry {
    name: &'static str,
    servers: &'static str,
    source: &'static str,
}

impl Quirk {
    /// Every quirk, in declaration order.
    pub const ALL: &'static [Quirk] = &[
        Quirk::UnparsedBodyPart,
        Quirk::BareStringDisposition,
        Quirk::SpaceBeforeBodyClose,
        Quirk::NegativeBodySize,
        Quirk::UnescapedQuote,
        Quirk::LoneBackslash,
        Quirk::BracketInFlag,
        Quirk::QuotedFlag,
        Quirk::NilBodySize,
        Quirk::NilBodyEncoding,
        Quirk::MessagePartWithoutEnvelope,
        Quirk::EmptyMultipart,
        Quirk::NilOrEmptyBodyParams,
        Quirk::UntypedValue,
        Quirk::XList,
        Quirk::EmptyMailboxAttribute,
        Quirk::BareResponseCode,
        Quirk::BareServerUnavailable,
        Quirk::TaggedBye,
        Quirk::ExtraSpaces,
        Quirk::TrailingSpace,
        Quirk::MissingText,
        Quirk::EmptyAddressList,
        Quirk::ShortEnvelope,
        Quirk::ObjectIdJunk,
        Quirk::PreviewFuzzy,
    ];

    const fn entry(self) -> Entry {
        let (name, servers, source) = match self {
            Quirk::UnparsedBodyPart => (
                "unparsed-body-part",
                "Gmail, IBM Lotus Domino, qiye.163.com, others",
                "https://github.com/jstedfast/MailKit/issues/371, \
                 https://github.com/jstedfast/MailKit/issues/944, \
                 https://github.com/jstedfast/MailKit/issues/1393, \
                 https://github.com/emersion/go-imap/issues/659",
            ),
            Quirk::BareStringDisposition => (
                "bare-string-disposition",
                "Microsoft Exchange 2016",
                "https://github.com/javaee/javamail/issues/278, \
                 https://github.com/jstedfast/MailKit/issues/919",
            ),
            Quirk::SpaceBeforeBodyClose => (
                "space-before-body-close",
                "Yahoo! JAPAN",
                "https://github.com/emailjs/emailjs-imap-handler/pull/8",
            ),
            Quirk::NegativeBodySize => (
                "negative-body-size",
                "SmarterMail, Exchange / Dovecot (unconfirmed)",
                "https://github.com/jstedfast/MailKit/issues/385, \
                 https://github.com/jstedfast/MailKit/issues/823, \
                 https://github.com/emersion/go-imap/issues/534, \
                 https://github.com/modern-email/defects/issues/27",
            ),
            Quirk::UnescapedQuote => (
                "unescaped-quote",
                "GreenMail, unnamed servers (one behind a qq.com mailbox)",
                "https://github.com/jstedfast/MailKit/issues/485, \
                 https://github.com/jakartaee/mail-api/issues/669, \
                 https://github.com/greenmail-mail-test/greenmail/pull/993",
            ),
            Quirk::LoneBackslash => (
                "lone-backslash",
                "Tobit David.fx, hMailServer (a `\\` hierarchy delimiter)",
                "https://github.com/jstedfast/MailKit/issues/422, \
                 https://github.com/hmailserver/hmailserver/issues/85",
            ),
            Quirk::BracketInFlag => (
                "bracket-in-flag",
                "Gmail",
                "https://github.com/jstedfast/MailKit/issues/193, \
                 https://github.com/djc/imap-proto/issues/36, \
                 https://github.com/apple/swift-nio-imap/pull/738",
            ),
            Quirk::QuotedFlag => (
                "quoted-flag",
                "InterMail (Spectrum, wi.rr.com)",
                "https://github.com/jstedfast/MailKit/issues/771",
            ),
            Quirk::NilBodySize => (
                "nil-body-size",
                "Migadu (sora)",
                "https://github.com/migadu/alps/pull/45",
            ),
            Quirk::NilBodyEncoding => (
                "nil-body-encoding",
                "iCloud, maddy",
                "https://github.com/djc/imap-proto/pull/205, \
                 https://github.com/modern-email/defects/issues/41",
            ),
            Quirk::MessagePartWithoutEnvelope => (
                "message-part-without-envelope",
                "mail.ru",
                "https://github.com/emersion/go-imap/issues/557",
            ),
            Quirk::EmptyMultipart => (
                "empty-multipart",
                "Gmail",
                "https://github.com/jstedfast/MailKit/issues/1841",
            ),
            Quirk::NilOrEmptyBodyParams => (
                "nil-or-empty-body-params",
                "mail.ru",
                "https://github.com/kisli/vmime/issues/159, \
                 https://github.com/emersion/go-imap/issues/557",
            ),
            Quirk::UntypedValue => (
                "untyped-value",
                "the dynadot.com mail host, Outlook.com, GreenMail, unnamed servers",
                "https://github.com/emersion/go-imap/issues/612, \
                 https://github.com/neomutt/neomutt/issues/3830, \
                 https://github.com/jstedfast/MailKit/issues/495, \
                 https://github.com/jstedfast/MailKit/issues/555",
            ),
            Quirk::XList => (
                "xlist",
                "Gmail, QQ Exmail, interia.pl, IceWarp, Cyrus 2.4",
                "https://github.com/zone-eu/wildduck/issues/91, \
                 https://github.com/jstedfast/MailKit/issues/1241",
            ),
            Quirk::EmptyMailboxAttribute => (
                "empty-mailbox-attribute",
                "Dovecot (as reported)",
                "https://github.com/dinhvh/libetpan/issues/403",
            ),
            Quirk::BareResponseCode => (
                "bare-response-code",
                "Microsoft Exchange 2013, Office 365",
                "https://github.com/ruby/net-imap/issues/250",
            ),
            Quirk::BareServerUnavailable => (
                "bare-server-unavailable",
                "Office 365",
                "https://github.com/mscdex/node-imap/issues/561",
            ),
            Quirk::TaggedBye => (
                "tagged-bye",
                "imap.wp.pl",
                "https://github.com/jstedfast/MailKit/issues/1536, \
                 https://github.com/jonhoo/rust-imap/issues/210",
            ),
            Quirk::ExtraSpaces => (
                "extra-spaces",
                "DavMail (in front of Exchange), imap.qq.com, SurgeMail",
                "https://github.com/mguessan/davmail/issues/454, \
                 https://github.com/python/cpython/issues/117152, \
                 https://github.com/jakartaee/mail-api/issues/209",
            ),
            Quirk::TrailingSpace => (
                "trailing-space",
                "Outlook / Office 365, Yahoo, imap.exmail.qq.com",
                "https://github.com/emersion/go-imap/issues/540, \
                 https://github.com/djc/imap-proto/pull/108, \
                 https://github.com/emersion/go-imap/issues/571",
            ),
            Quirk::MissingText => (
                "missing-text",
                "ppops.net, iCloud",
                "https://github.com/mscdex/node-imap/pull/539, \
                 https://github.com/djc/imap-proto/pull/131",
            ),
            Quirk::EmptyAddressList => (
                "empty-address-list",
                "mail.ru, hydroxide",
                "https://github.com/apple/swift-nio-imap/issues/821, \
                 https://github.com/emersion/hydroxide/issues/98",
            ),
            Quirk::ShortEnvelope => (
                "short-envelope",
                "qq.com",
                "https://github.com/jstedfast/MailKit/issues/669",
            ),
            Quirk::ObjectIdJunk => (
                "object-id-junk",
                "Cyrus 3.4",
                "https://github.com/cyrusimap/cyrus-imapd/issues/4944, \
                 https://github.com/the-djmaze/snappymail/issues/1640",
            ),
            Quirk::PreviewFuzzy => (
                "preview-fuzzy",
                "Dovecot 2.3",
                "https://github.com/dovecot/core/commit/1fc112d7f357b9c120856d46662423a2d28cbdbb",
            ),
        };
        Entry {
            name,
            servers,
            source,
        }
    }

    /// A short stable name, e.g. `"bare-string-disposition"`.
    pub fn name(self) -> &'static str {
        self.entry().name
    }

    /// The servers seen sending it.
    pub fn servers(self) -> &'static str {
        self.entry().servers
    }

    /// The public reports that show it (the transcript test quotes their bytes).
    pub fn source(self) -> &'static str {
        self.entry().source
    }
}

impl std::fmt::Display for Quirk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// How many responses needed each [`Quirk`] on one connection.
///
/// ```
/// use daaki_imap::types::{Quirk, QuirkCounts};
///
/// let counts = QuirkCounts::default();
/// assert!(counts.is_empty());
/// assert_eq!(counts.get(Quirk::BareStringDisposition), 0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct QuirkCounts {
    counts: [u64; Quirk::ALL.len()],
}

impl QuirkCounts {
    /// How many responses needed `quirk`.
    pub fn get(&self, quirk: Quirk) -> u64 {
        self.counts[quirk as usize]
    }

    /// The quirks that were needed at least once, with their counts, in declaration order.
    pub fn iter(&self) -> impl Iterator<Item = (Quirk, u64)> + '_ {
        Quirk::ALL
            .iter()
            .map(|&q| (q, self.get(q)))
            .filter(|&(_, n)| n > 0)
    }

    /// Whether no quirk was needed.
    pub fn is_empty(&self) -> bool {
        self.counts.iter().all(|&n| n == 0)
    }

    /// Counts one response for each quirk in `mask` (bit `q as usize` for quirk `q`).
    pub(crate) fn add_mask(&mut self, mask: u64) {
        for (bit, count) in self.counts.iter_mut().enumerate() {
            if mask & (1 << bit) != 0 {
                *count = count.saturating_add(1);
            }
        }
    }
}

/// The bit of `quirk` in a mask of quirks (see [`QuirkCounts::add_mask`]).
pub(crate) const fn bit(quirk: Quirk) -> u64 {
    1 << quirk as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_lists_every_quirk_in_declaration_order_with_unique_names() {
        for (i, q) in Quirk::ALL.iter().enumerate() {
            assert_eq!(*q as usize, i, "{q:?}");
            assert!(!q.servers().is_empty() && q.source().starts_with("https://"));
        }
        let mut names: Vec<_> = Quirk::ALL.iter().map(|q| q.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Quirk::ALL.len());
        assert!(Quirk::ALL.len() <= 64, "quirks are noted in a u64 mask");
    }

    #[test]
    fn the_readme_table_lists_every_quirk_with_its_servers_and_reports() {
        let readme = include_str!("../../../README.md");
        let table = &readme[readme
            .find("| quirk | servers seen sending it |")
            .expect("table")..];
        let rows: Vec<&str> = table
            .lines()
            .skip(2)
            .take_while(|l| l.starts_with('|'))
            .collect();
        assert_eq!(rows.len(), Quirk::ALL.len(), "one row per quirk");
        for (row, quirk) in rows.iter().zip(Quirk::ALL) {
            assert!(row.starts_with(&format!("| `{quirk}` |")), "{row}");
            for url in quirk.source().split(", ") {
                assert!(row.contains(&format!("]({url})")), "{quirk}: {url}");
            }
        }
    }

    #[test]
    fn each_quirk_names_its_servers_and_reports() {
        assert_eq!(
            Quirk::BareStringDisposition.servers(),
            "Microsoft Exchange 2016"
        );
        assert!(
            Quirk::BareStringDisposition
                .source()
                .starts_with("https://github.com/javaee/javamail/issues/278")
        );
        assert!(Quirk::UnparsedBodyPart.servers().contains("Domino"));
        assert!(
            Quirk::UnparsedBodyPart
                .source()
                .contains("MailKit/issues/944")
        );
        assert_eq!(Quirk::SpaceBeforeBodyClose.servers(), "Yahoo! JAPAN");
        assert!(Quirk::NegativeBodySize.servers().contains("SmarterMail"));
        assert!(
            Quirk::NegativeBodySize
                .source()
                .contains("MailKit/issues/385")
        );
    }

    #[test]
    fn counts_add_one_per_response_and_list_only_what_fired() {
        let mut c = QuirkCounts::default();
        assert!(c.is_empty());
        assert_eq!(c.iter().count(), 0);
        c.add_mask(bit(Quirk::BareStringDisposition) | bit(Quirk::SpaceBeforeBodyClose));
        c.add_mask(bit(Quirk::BareStringDisposition));
        c.add_mask(0);
        assert_eq!(c.get(Quirk::BareStringDisposition), 2);
        assert_eq!(c.get(Quirk::SpaceBeforeBodyClose), 1);
        assert_eq!(c.get(Quirk::UnparsedBodyPart), 0);
        assert_eq!(
            c.iter().collect::<Vec<_>>(),
            [
                (Quirk::BareStringDisposition, 2),
                (Quirk::SpaceBeforeBodyClose, 1)
            ]
        );
        assert!(!c.is_empty());
        assert_eq!(Quirk::UnparsedBodyPart.to_string(), "unparsed-body-part");
    }
}
