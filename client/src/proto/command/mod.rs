//! Typed IMAP commands: what the client can ask a server, as values (RFC 3501 §6, RFC 9051 §6
//! and the extensions of the seed's table).
//!
//! This module owns the *shape* of every command; [`crate::proto::encode`](mod@crate::proto::encode) turns a
//! [`Command`] into bytes. Arguments are validated values from [`crate::types`], so no value
//! of these types can inject protocol text. Constraints that involve several fields (for example `VANISHED`
//! only with `UID FETCH … CHANGEDSINCE`) are checked by the encoder, which returns
//! [`InvalidInput`] before anything is written.
//!
//! IDLE's `DONE` and the lines of an AUTHENTICATE exchange are not tagged commands: see
//! [`crate::proto::encode::encode_idle_done`] and
//! [`crate::proto::encode::encode_authenticate_response`].

use crate::types::{
    AclModification, AppendMessage, AuthMechanism, FetchAttr, Flag, GetMetadataOptions, ImapAtom,
    ImapString, InvalidInput, ListPattern, ListReturnOption, ListSelectOption, MailboxName,
    MetadataEntry, ModSeq, NotifySetParams, QResyncParams, SearchKey, SearchReturnOption, Secret,
    SequenceSet, SortCriterion, SpecialUse, StatusAttr, StoreKind, Tag, ThreadAlgorithm,
};

/// SELECT / EXAMINE parameters (RFC 7162). The default is none.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SelectParams {
    /// `CONDSTORE`: enable mod-sequences for this mailbox.
    pub condstore: bool,
    /// `QRESYNC (…)`: resynchronise from a known state (needs QRESYNC ENABLEd).
    pub qresync: Option<QResyncParams>,
}

impl SelectParams {
    /// True when no parameter is set (nothing is written).
    pub fn is_empty(&self) -> bool {
        !self.condstore && self.qresync.is_none()
    }
}

/// `NOTIFY NONE` or `NOTIFY SET …`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum NotifyCommand {
    /// `NOTIFY NONE`: stop all notifications.
    None,
    /// `NOTIFY SET [STATUS] (group) …`. A set without groups is written `NOTIFY NONE`
    /// (the grammar needs at least one group; no groups means no events).
    Set(NotifySetParams),
}

/// One tagged command: a tag and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Command {
    /// The tag the server's completion response will carry.
    pub tag: Tag,
    /// The command.
    pub body: CommandBody,
}

impl Command {
    /// A command with this tag.
    pub fn new(tag: Tag, body: CommandBody) -> Self {
        Self { tag, body }
    }
}

/// Every command the client can send. `Debug` never shows credentials (they are
/// [`Secret`]s).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum CommandBody {
    // ----- any state (RFC 3501 §6.1) -----
    /// `CAPABILITY`
    Capability,
    /// `NOOP`
    Noop,
    /// `LOGOUT`
    Logout,

    // ----- not authenticated (RFC 3501 §6.2) -----
    /// `STARTTLS`: the transport changes after the tagged OK.
    StartTls,
    /// `LOGIN user password` (never when LOGINDISABLED is advertised).
    Login {
        /// User name.
        username: ImapString,
        /// Password: any text but NUL (CR and LF force a literal).
        password: Secret<String>,
    },
    /// `AUTHENTICATE mechanism [initial-response]`. The initial response (SASL-IR, RFC 4959)
    /// holds the raw bytes; the encoder writes base64 (`=` for an empty response).
    Authenticate {
        /// SASL mechanism.
        mechanism: AuthMechanism,
        /// SASL-IR initial response (only when the server advertises SASL-IR).
        initial_response: Option<Secret<Vec<u8>>>,
    },

    // ----- authenticated (RFC 3501 §6.3) -----
    /// `SELECT mailbox [(CONDSTORE / QRESYNC …)]`
    Select {
        /// Mailbox to select.
        mailbox: MailboxName,
        /// CONDSTORE / QRESYNC parameters.
        params: SelectParams,
    },
    /// `EXAMINE mailbox [(…)]`: SELECT read-only.
    Examine {
        /// Mailbox to examine.
        mailbox: MailboxName,
        /// CONDSTORE / QRESYNC parameters.
        params: SelectParams,
    },
    /// `CREATE mailbox [(USE (\Drafts …))]` (CREATE-SPECIAL-USE, RFC 6154).
    Create {
        /// The new mailbox.
        mailbox: MailboxName,
        /// Special-use attributes to give it (empty: none, no `USE` parameter).
        special_use: Vec<SpecialUse>,
    },
    /// `DELETE mailbox`
    Delete(MailboxName),
    /// `RENAME from to`
    Rename {
        /// Existing name.
        from: MailboxName,
        /// New name.
        to: MailboxName,
    },
    /// `SUBSCRIBE mailbox`
    Subscribe(MailboxName),
    /// `UNSUBSCRIBE mailbox`
    Unsubscribe(MailboxName),
    /// `LIST [(selection)] reference pattern(s) [RETURN (…)]` (RFC 3501, LIST-EXTENDED RFC
    /// 5258, LIST-STATUS RFC 5819, SPECIAL-USE RFC 6154).
    List {
        /// Reference name (usually empty).
        reference: ListPattern,
        /// One pattern, or several (LIST-EXTENDED). Never empty.
        patterns: Vec<ListPattern>,
        /// Selection options (LIST-EXTENDED).
        selection: Vec<ListSelectOption>,
        /// Return options (LIST-EXTENDED, LIST-STATUS, SPECIAL-USE).
        return_options: Vec<ListReturnOption>,
    },
    /// `LSUB reference pattern` (IMAP4rev1 only).
    Lsub {
        /// Reference name.
        reference: ListPattern,
        /// Pattern.
        pattern: ListPattern,
    },
    /// `XLIST reference pattern`: Gmail's and old Apple servers' pre-RFC 6154 LIST with
    /// special-use attributes (`\\AllMail`, `\\Spam`, …), for servers without LIST
    /// SPECIAL-USE.
    XList {
        /// Reference name.
        reference: ListPattern,
        /// Pattern.
        pattern: ListPattern,
    },
    /// `NAMESPACE` (RFC 2342).
    Namespace,
    /// `STATUS mailbox (items)`
    Status {
        /// Mailbox to query.
        mailbox: MailboxName,
        /// Items (never empty).
        attrs: Vec<StatusAttr>,
    },
    /// `APPEND mailbox …`: one message is APPEND, several are MULTIAPPEND (RFC 3502).
    Append {
        /// Destination.
        mailbox: MailboxName,
        /// The messages (never empty).
        messages: Vec<AppendMessage>,
    },
    /// `IDLE` (RFC 2177): ends with `DONE` ([`crate::proto::encode::encode_idle_done`]).
    Idle,

    // ----- selected (RFC 3501 §6.4) -----
    /// `CHECK` (IMAP4rev1 only).
    Check,
    /// `CLOSE`
    Close,
    /// `UNSELECT` (RFC 3691, IMAP4rev2).
    Unselect,
    /// `EXPUNGE`
    Expunge,
    /// `UID EXPUNGE set` (UIDPLUS, IMAP4rev2).
    UidExpunge(SequenceSet),
    /// `[UID] SEARCH [RETURN (…)] [CHARSET c] keys`.
    Search {
        /// `UID SEARCH`.
        uid: bool,
        /// Explicit charset. `None`: `CHARSET UTF-8` is added when some text is not ASCII
        /// and UTF-8 is not enabled (IMAP4rev2 / UTF8=ACCEPT imply it).
        charset: Option<ImapAtom>,
        /// The criteria; a top-level [`SearchKey::And`] is written without parentheses.
        criteria: SearchKey,
        /// ESEARCH return options (RFC 4731): `None` for a plain SEARCH, `Some(vec![])` for
        /// `RETURN ()` (same as `RETURN (ALL)`).
        return_options: Option<Vec<SearchReturnOption>>,
    },
    /// `[UID] FETCH set items [(CHANGEDSINCE n [VANISHED])]`.
    Fetch {
        /// `UID FETCH`.
        uid: bool,
        /// Messages.
        set: SequenceSet,
        /// Items (never empty; a macro only on its own).
        attrs: Vec<FetchAttr>,
        /// CONDSTORE `CHANGEDSINCE` (must be positive).
        changed_since: Option<ModSeq>,
        /// QRESYNC `VANISHED` (needs `uid` and `changed_since`).
        vanished: bool,
    },
    /// `[UID] STORE set [(UNCHANGEDSINCE n)] (+|-)FLAGS[.SILENT] (flags)`.
    Store {
        /// `UID STORE`.
        uid: bool,
        /// Messages.
        set: SequenceSet,
        /// Replace, add or remove.
        kind: StoreKind,
        /// `.SILENT`: no untagged FETCH with the new flags.
        silent: bool,
        /// The flags (may be empty for [`StoreKind::Replace`]).
        flags: Vec<Flag>,
        /// CONDSTORE `UNCHANGEDSINCE`.
        unchanged_since: Option<ModSeq>,
    },
    /// `[UID] STORE set [+|-]X-GM-LABELS (labels)` (Gmail `X-GM-EXT-1`).
    StoreGmailLabels {
        /// `UID STORE`.
        uid: bool,
        /// Messages.
        set: SequenceSet,
        /// Replace, add or remove.
        kind: StoreKind,
        /// The labels (may be empty for [`StoreKind::Replace`]).
        labels: Vec<crate::types::GmailLabel>,
    },
    /// `[UID] COPY set mailbox`
    Copy {
        /// `UID COPY`.
        uid: bool,
        /// Messages.
        set: SequenceSet,
        /// Destination.
        mailbox: MailboxName,
    },
    /// `[UID] MOVE set mailbox` (RFC 6851).
    Move {
        /// `UID MOVE`.
        uid: bool,
        /// Messages.
        set: SequenceSet,
        /// Destination.
        mailbox: MailboxName,
    },
    /// `[UID] SORT [RETURN (…)] (criteria) charset keys` (RFC 5256, SORT=DISPLAY RFC 5957,
    /// ESORT RFC 5267).
    Sort {
        /// `UID SORT`.
        uid: bool,
        /// Sort criteria (never empty).
        criteria: Vec<SortCriterion>,
        /// Charset; `None` writes `UTF-8`.
        charset: Option<ImapAtom>,
        /// Which messages.
        search: SearchKey,
        /// ESORT return options (`None`: plain SORT).
        return_options: Option<Vec<SearchReturnOption>>,
    },
    /// `[UID] THREAD algorithm charset keys` (RFC 5256, REFS RFC 9051 §… / draft).
    Thread {
        /// `UID THREAD`.
        uid: bool,
        /// Threading algorithm.
        algorithm: ThreadAlgorithm,
        /// Charset; `None` writes `UTF-8`.
        charset: Option<ImapAtom>,
        /// Which messages.
        search: SearchKey,
    },

    // ----- extensions -----
    /// `ENABLE cap …` (RFC 5161). Never empty.
    Enable(Vec<ImapAtom>),
    /// `ID (field value …)` or `ID NIL` (RFC 2971). An empty list is written `NIL`.
    Id(Option<Vec<(ImapString, Option<ImapString>)>>),
    /// `NOTIFY NONE` / `NOTIFY SET …` (RFC 5465).
    Notify(NotifyCommand),
    /// `GETMETADATA [(options)] mailbox entries` (RFC 5464). `mailbox: None` is the server
    /// (`""`).
    GetMetadata {
        /// MAXSIZE / DEPTH.
        options: GetMetadataOptions,
        /// The mailbox, or `None` for server annotations.
        mailbox: Option<MailboxName>,
        /// Entries (never empty).
        entries: Vec<MetadataEntry>,
    },
    /// `SETMETADATA mailbox (entry value …)`; a `None` value removes the entry.
    SetMetadata {
        /// The mailbox, or `None` for server annotations.
        mailbox: Option<MailboxName>,
        /// Entries and values (never empty).
        entries: Vec<(MetadataEntry, Option<Vec<u8>>)>,
    },
    /// `GETQUOTA root` (RFC 9208).
    GetQuota(ImapString),
    /// `GETQUOTAROOT mailbox`
    GetQuotaRoot(MailboxName),
    /// `SETQUOTA root (resource limit …)`
    SetQuota {
        /// Quota root.
        root: ImapString,
        /// Resource names (`STORAGE`, `MESSAGE`, …) and limits.
        limits: Vec<(ImapAtom, u64)>,
    },
    /// `GETACL mailbox` (RFC 4314).
    GetAcl(MailboxName),
    /// `SETACL mailbox identifier [+|-]rights`
    SetAcl {
        /// Mailbox.
        mailbox: MailboxName,
        /// User or group identifier.
        identifier: ImapString,
        /// The rights and how to apply them.
        rights: AclModification,
    },
    /// `DELETEACL mailbox identifier`
    DeleteAcl {
        /// Mailbox.
        mailbox: MailboxName,
        /// User or group identifier.
        identifier: ImapString,
    },
    /// `LISTRIGHTS mailbox identifier`
    ListRights {
        /// Mailbox.
        mailbox: MailboxName,
        /// User or group identifier.
        identifier: ImapString,
    },
    /// `MYRIGHTS mailbox`
    MyRights(MailboxName),
    /// `COMPRESS DEFLATE` (RFC 4978): the transport changes after the tagged OK.
    Compress,
    /// `UNAUTHENTICATE` (RFC 8437).
    Unauthenticate,
}

impl CommandBody {
    /// The command name as written on the wire, with `UID ` for UID forms (`UID FETCH`).
    pub fn name(&self) -> &'static str {
        use CommandBody as C;
        match self {
            C::Capability => "CAPABILITY",
            C::Noop => "NOOP",
            C::Logout => "LOGOUT",
            C::StartTls => "STARTTLS",
            C::Login { .. } => "LOGIN",
            C::Authenticate { .. } => "AUTHENTICATE",
            C::Select { .. } => "SELECT",
            C::Examine { .. } => "EXAMINE",
            C::Create { .. } => "CREATE",
            C::Delete(_) => "DELETE",
            C::Rename { .. } => "RENAME",
            C::Subscribe(_) => "SUBSCRIBE",
            C::Unsubscribe(_) => "UNSUBSCRIBE",
            C::List { .. } => "LIST",
            C::Lsub { .. } => "LSUB",
            C::XList { .. } => "XLIST",
            C::Namespace => "NAMESPACE",
            C::Status { .. } => "STATUS",
            C::Append { .. } => "APPEND",
            C::Idle => "IDLE",
            C::Check => "CHECK",
            C::Close => "CLOSE",
            C::Unselect => "UNSELECT",
            C::Expunge => "EXPUNGE",
            C::UidExpunge(_) => "UID EXPUNGE",
            C::Search { uid: false, .. } => "SEARCH",
            C::Search { uid: true, .. } => "UID SEARCH",
            C::Fetch { uid: false, .. } => "FETCH",
            C::Fetch { uid: true, .. } => "UID FETCH",
            C::Store { uid: false, .. } | C::StoreGmailLabels { uid: false, .. } => "STORE",
            C::Store { uid: true, .. } | C::StoreGmailLabels { uid: true, .. } => "UID STORE",
            C::Copy { uid: false, .. } => "COPY",
            C::Copy { uid: true, .. } => "UID COPY",
            C::Move { uid: false, .. } => "MOVE",
            C::Move { uid: true, .. } => "UID MOVE",
            C::Sort { uid: false, .. } => "SORT",
            C::Sort { uid: true, .. } => "UID SORT",
            C::Thread { uid: false, .. } => "THREAD",
            C::Thread { uid: true, .. } => "UID THREAD",
            C::Enable(_) => "ENABLE",
            C::Id(_) => "ID",
            C::Notify(_) => "NOTIFY",
            C::GetMetadata { .. } => "GETMETADATA",
            C::SetMetadata { .. } => "SETMETADATA",
            C::GetQuota(_) => "GETQUOTA",
            C::GetQuotaRoot(_) => "GETQUOTAROOT",
            C::SetQuota { .. } => "SETQUOTA",
            C::GetAcl(_) => "GETACL",
            C::SetAcl { .. } => "SETACL",
            C::DeleteAcl { .. } => "DELETEACL",
            C::ListRights { .. } => "LISTRIGHTS",
            C::MyRights(_) => "MYRIGHTS",
            C::Compress => "COMPRESS",
            C::Unauthenticate => "UNAUTHENTICATE",
        }
    }

    /// True when the command carries a credential (LOGIN, AUTHENTICATE): its bytes must
    /// never be logged.
    pub fn has_secret(&self) -> bool {
        matches!(
            self,
            CommandBody::Login { .. } | CommandBody::Authenticate { .. }
        )
    }

    /// `LOGIN username password`, validating the user name (the password may be any text
    /// without NUL; it is checked when encoding, without echoing it).
    pub fn login(username: &str, password: impl Into<String>) -> Result<Self, InvalidInput> {
        Ok(CommandBody::Login {
            username: ImapString::new(username)?,
            password: Secret::new(password.into()),
        })
    }

    /// `SELECT mailbox` without parameters.
    pub fn select(mailbox: MailboxName) -> Self {
        CommandBody::Select {
            mailbox,
            params: SelectParams::default(),
        }
    }

    /// `[UID] FETCH set items` without modifiers.
    pub fn fetch(uid: bool, set: SequenceSet, attrs: Vec<FetchAttr>) -> Self {
        CommandBody::Fetch {
            uid,
            set,
            attrs,
            changed_since: None,
            vanished: false,
        }
    }

    /// `[UID] SEARCH key` without CHARSET (the encoder adds `CHARSET UTF-8` when needed) or
    /// RETURN options.
    pub fn search(uid: bool, criteria: SearchKey) -> Self {
        CommandBody::Search {
            uid,
            charset: None,
            criteria,
            return_options: None,
        }
    }

    /// `[UID] STORE set ±FLAGS (flags)`, not silent, without UNCHANGEDSINCE.
    pub fn store(uid: bool, set: SequenceSet, kind: StoreKind, flags: Vec<Flag>) -> Self {
        CommandBody::Store {
            uid,
            set,
            kind,
            silent: false,
            flags,
            unchanged_since: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn select_params_are_empty_until_one_is_set() {
        assert!(SelectParams::default().is_empty());
        let condstore = SelectParams {
            condstore: true,
            qresync: None,
        };
        assert!(!condstore.is_empty());
        let qresync = SelectParams {
            condstore: false,
            qresync: Some(QResyncParams {
                uid_validity: std::num::NonZeroU32::MIN,
                mod_seq: ModSeq::new(1).unwrap(),
                known_uids: None,
                seq_match: None,
            }),
        };
        assert!(!qresync.is_empty());
    }

    #[test]
    fn debug_of_login_and_authenticate_hides_credentials() {
        let login = CommandBody::login("alice", "hunter2").unwrap();
        let text = format!("{login:?}");
        assert!(
            text.contains("alice") && !text.contains("hunter2"),
            "{text}"
        );
        let auth = CommandBody::Authenticate {
            mechanism: AuthMechanism::Plain,
            initial_response: Some(Secret::new(b"\0alice\0hunter2".to_vec())),
        };
        let text = format!("{auth:?}");
        assert!(
            !text.contains("104") && text.contains("[redacted]"),
            "{text}"
        );
        assert!(login.has_secret() && auth.has_secret());
        assert!(!CommandBody::Noop.has_secret());
    }

    #[test]
    fn names_include_the_uid_prefix() {
        let set = SequenceSet::all();
        assert_eq!(
            CommandBody::fetch(true, set.clone(), vec![]).name(),
            "UID FETCH"
        );
        assert_eq!(
            CommandBody::fetch(false, set.clone(), vec![]).name(),
            "FETCH"
        );
        assert_eq!(CommandBody::UidExpunge(set).name(), "UID EXPUNGE");
        assert_eq!(CommandBody::Compress.name(), "COMPRESS");
        assert!(CommandBody::login("a\r\nb", "x").is_err());
    }
}
