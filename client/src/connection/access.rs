//! Access control and per-mailbox data: ACL (RFC 4314), QUOTA (RFC 9208, formerly RFC 2087)
//! and METADATA / METADATA-SERVER (RFC 5464).
//!
//! Every call checks the capability it needs first and fails with [`Error::Unsupported`],
//! sending nothing, when the server does not advertise it. The server's refusals keep their
//! typed response code: a SETMETADATA over the size limit is [`Error::No`] with
//! [`ResponseCode::MetadataMaxSize`], one over the entry limit
//! [`ResponseCode::MetadataTooMany`], a `/private` entry where the server has none
//! [`ResponseCode::MetadataNoPrivate`], a missing right [`ResponseCode::NoPerm`] (see
//! [`Error::response_code`]).
//!
//! [`ResponseCode::MetadataMaxSize`]: crate::types::response::ResponseCode::MetadataMaxSize
//! [`ResponseCode::MetadataTooMany`]: crate::types::response::ResponseCode::MetadataTooMany
//! [`ResponseCode::MetadataNoPrivate`]: crate::types::response::ResponseCode::MetadataNoPrivate
//! [`ResponseCode::NoPerm`]: crate::types::response::ResponseCode::NoPerm

use std::time::Duration;

use super::{ImapConnection, IntoMailboxName};
use crate::proto::command::CommandBody;
use crate::proto::session::CommandOutcome;
use crate::types::response::{
    Acl, ListRights, MetadataEntries, MetadataValues, MyRights, Quota, QuotaResourceName,
    QuotaRootInfo, ResponseCode, ServerData,
};
use crate::types::{AclModification, GetMetadataOptions, MetadataEntry as EntryName};
use crate::types::{ImapAtom, ImapString, InvalidInput, MailboxName};
use crate::{Error, Result};

impl ImapConnection {
    fn require(&self, capability: &str, what: &str) -> Result<()> {
        if self.capabilities().has(capability) {
            Ok(())
        } else {
            Err(Error::Unsupported(format!(
                "{what} needs {capability}, which the server does not advertise"
            )))
        }
    }

    // ----- ACL (RFC 4314) -----

    /// `GETACL mailbox`: the mailbox's access control list (needs the `a` right).
    ///
    /// ```no_run
    /// # async fn f(conn: daaki_imap::ImapConnection) -> daaki_imap::Result<()> {
    /// let acl = conn.get_acl("INBOX", std::time::Duration::from_secs(30)).await?;
    /// for entry in &acl.entries {
    ///     println!("{}: {}", entry.identifier, entry.rights);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn get_acl(&self, mailbox: impl IntoMailboxName, timeout: Duration) -> Result<Acl> {
        self.require("ACL", "GETACL")?;
        let mailbox = mailbox.into_mailbox_name()?;
        let outcome = self
            .run(CommandBody::GetAcl(mailbox.clone()), timeout)
            .await?;
        let mut acl = None;
        for data in outcome.data {
            if let ServerData::Acl(a) = data {
                match &mut acl {
                    None => acl = Some(a),
                    Some(Acl { entries, .. }) => entries.extend(a.entries),
                }
            }
        }
        acl.ok_or_else(|| missing("GETACL", "ACL"))
    }

    /// `SETACL mailbox identifier [+|-]rights`: replaces, adds to or removes from
    /// `identifier`'s rights. Rights the server does not know — letters beyond `lrswipacd`
    /// that its `RIGHTS=` capability does not list — are refused with
    /// [`Error::Unsupported`] before anything is sent.
    ///
    /// ```no_run
    /// # async fn f(conn: daaki_imap::ImapConnection) -> daaki_imap::Result<()> {
    /// use daaki_imap::types::{AclModification, AclRights};
    /// let read_only = AclModification::Replace(AclRights::new("lrs")?);
    /// conn.set_acl("Shared", "bob", read_only, std::time::Duration::from_secs(30)).await?;
    /// # Ok(()) }
    /// ```
    pub async fn set_acl(
        &self,
        mailbox: impl IntoMailboxName,
        identifier: &str,
        rights: AclModification,
        timeout: Duration,
    ) -> Result<()> {
        self.require("ACL", "SETACL")?;
        let letters = match &rights {
            AclModification::Replace(r) | AclModification::Add(r) | AclModification::Remove(r) => {
                r.as_str()
            }
        };
        let caps = self.capabilities();
        if !caps.acl_rights_supported(letters) {
            return Err(Error::Unsupported(format!(
                "ACL rights {letters:?} are not all known to this server (RIGHTS={})",
                caps.acl_rights().unwrap_or("")
            )));
        }
        let body = CommandBody::SetAcl {
            mailbox: mailbox.into_mailbox_name()?,
            identifier: ImapString::new(identifier)?,
            rights,
        };
        self.run(body, timeout).await.map(drop)
    }

    /// `DELETEACL mailbox identifier`: removes `identifier`'s entry.
    ///
    /// ```no_run
    /// # async fn f(conn: daaki_imap::ImapConnection) -> daaki_imap::Result<()> {
    /// conn.delete_acl("Shared", "bob", std::time::Duration::from_secs(30)).await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete_acl(
        &self,
        mailbox: impl IntoMailboxName,
        identifier: &str,
        timeout: Duration,
    ) -> Result<()> {
        self.require("ACL", "DELETEACL")?;
        let body = CommandBody::DeleteAcl {
            mailbox: mailbox.into_mailbox_name()?,
            identifier: ImapString::new(identifier)?,
        };
        self.run(body, timeout).await.map(drop)
    }

    /// `LISTRIGHTS mailbox identifier`: the rights `identifier` always has and those that
    /// may be granted.
    ///
    /// ```no_run
    /// # async fn f(conn: daaki_imap::ImapConnection) -> daaki_imap::Result<()> {
    /// let r = conn.list_rights("INBOX", "bob", std::time::Duration::from_secs(30)).await?;
    /// println!("always {:?}, grantable {:?}", r.required, r.optional);
    /// # Ok(()) }
    /// ```
    pub async fn list_rights(
        &self,
        mailbox: impl IntoMailboxName,
        identifier: &str,
        timeout: Duration,
    ) -> Result<ListRights> {
        self.require("ACL", "LISTRIGHTS")?;
        let body = CommandBody::ListRights {
            mailbox: mailbox.into_mailbox_name()?,
            identifier: ImapString::new(identifier)?,
        };
        let outcome = self.run(body, timeout).await?;
        outcome
            .data
            .into_iter()
            .find_map(|d| match d {
                ServerData::ListRights(r) => Some(r),
                _ => None,
            })
            .ok_or_else(|| missing("LISTRIGHTS", "LISTRIGHTS"))
    }

    /// `MYRIGHTS mailbox`: the logged-in user's rights on `mailbox`.
    ///
    /// ```no_run
    /// # async fn f(conn: daaki_imap::ImapConnection) -> daaki_imap::Result<()> {
    /// let mine = conn.my_rights("INBOX", std::time::Duration::from_secs(30)).await?;
    /// assert!(mine.rights.contains('r'));
    /// # Ok(()) }
    /// ```
    pub async fn my_rights(
        &self,
        mailbox: impl IntoMailboxName,
        timeout: Duration,
    ) -> Result<MyRights> {
        self.require("ACL", "MYRIGHTS")?;
        let outcome = self
            .run(CommandBody::MyRights(mailbox.into_mailbox_name()?), timeout)
            .await?;
        outcome
            .data
            .into_iter()
            .find_map(|d| match d {
                ServerData::MyRights(r) => Some(r),
                _ => None,
            })
            .ok_or_else(|| missing("MYRIGHTS", "MYRIGHTS"))
    }

    // ----- QUOTA (RFC 9208) -----

    /// `GETQUOTA root`: usage and limits of a quota root (names come from
    /// [`ImapConnection::get_quota_root`]).
    ///
    /// ```no_run
    /// # async fn f(conn: daaki_imap::ImapConnection) -> daaki_imap::Result<()> {
    /// use daaki_imap::types::response::QuotaResourceName;
    /// let quota = conn.get_quota("User quota", std::time::Duration::from_secs(30)).await?;
    /// if let Some(storage) = quota.resource(QuotaResourceName::Storage.as_str()) {
    ///     println!("{} of {} KiB used", storage.usage, storage.limit);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn get_quota(&self, root: &str, timeout: Duration) -> Result<Quota> {
        self.require("QUOTA", "GETQUOTA")?;
        let outcome = self
            .run(CommandBody::GetQuota(ImapString::new(root)?), timeout)
            .await?;
        outcome
            .data
            .into_iter()
            .find_map(|d| match d {
                ServerData::Quota(q) => Some(q),
                _ => None,
            })
            .ok_or_else(|| missing("GETQUOTA", "QUOTA"))
    }

    /// `GETQUOTAROOT mailbox`: the quota roots `mailbox` counts against, with their usage.
    ///
    /// ```no_run
    /// # async fn f(conn: daaki_imap::ImapConnection) -> daaki_imap::Result<()> {
    /// let info = conn.get_quota_root("INBOX", std::time::Duration::from_secs(30)).await?;
    /// for quota in &info.quotas {
    ///     println!("{}: {:?}", quota.root, quota.resources);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn get_quota_root(
        &self,
        mailbox: impl IntoMailboxName,
        timeout: Duration,
    ) -> Result<QuotaRootInfo> {
        self.require("QUOTA", "GETQUOTAROOT")?;
        let outcome = self
            .run(
                CommandBody::GetQuotaRoot(mailbox.into_mailbox_name()?),
                timeout,
            )
            .await?;
        Ok(quota_root_info(outcome))
    }

    /// `SETQUOTA root (resource limit …)`: sets limits (usually an administrator's right;
    /// others get `NO`, often with `[NOPERM]`). An empty list removes every limit of the
    /// root.
    ///
    /// ```no_run
    /// # async fn f(conn: daaki_imap::ImapConnection) -> daaki_imap::Result<()> {
    /// use daaki_imap::types::response::QuotaResourceName;
    /// let limits = [(QuotaResourceName::Storage, 512_000), (QuotaResourceName::Message, 10_000)];
    /// conn.set_quota("User quota", &limits, std::time::Duration::from_secs(30)).await?;
    /// # Ok(()) }
    /// ```
    pub async fn set_quota(
        &self,
        root: &str,
        limits: &[(QuotaResourceName, u64)],
        timeout: Duration,
    ) -> Result<()> {
        self.require("QUOTA", "SETQUOTA")?;
        let limits = limits
            .iter()
            .map(|(name, limit)| Ok((ImapAtom::new(name.as_str())?, *limit)))
            .collect::<Result<Vec<_>, InvalidInput>>()?;
        let body = CommandBody::SetQuota {
            root: ImapString::new(root)?,
            limits,
        };
        self.run(body, timeout).await.map(drop)
    }

    // ----- METADATA (RFC 5464) -----

    /// `GETMETADATA [(MAXSIZE n DEPTH d)] mailbox (entries)`: annotations of `mailbox`.
    /// Values larger than `MAXSIZE` are left out and reported in
    /// [`MetadataValues::long_entries`].
    ///
    /// ```no_run
    /// # async fn f(conn: daaki_imap::ImapConnection) -> daaki_imap::Result<()> {
    /// use daaki_imap::types::{GetMetadataOptions, MetadataDepth};
    /// let options = GetMetadataOptions { max_size: Some(1024), depth: Some(MetadataDepth::One) };
    /// let t = std::time::Duration::from_secs(30);
    /// let values = conn.get_metadata("INBOX", &["/private/comment"], options, t).await?;
    /// if let Some(comment) = values.get("/private/comment") {
    ///     println!("{}", String::from_utf8_lossy(comment));
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn get_metadata(
        &self,
        mailbox: impl IntoMailboxName,
        entries: &[&str],
        options: GetMetadataOptions,
        timeout: Duration,
    ) -> Result<MetadataValues> {
        self.require("METADATA", "GETMETADATA on a mailbox")?;
        self.get_metadata_of(
            Some(mailbox.into_mailbox_name()?),
            entries,
            options,
            timeout,
        )
        .await
    }

    /// `GETMETADATA … "" (entries)`: server annotations (METADATA-SERVER, or METADATA which
    /// includes it).
    ///
    /// ```no_run
    /// # async fn f(conn: daaki_imap::ImapConnection) -> daaki_imap::Result<()> {
    /// let t = std::time::Duration::from_secs(30);
    /// let values = conn.get_server_metadata(&["/shared/admin"], Default::default(), t).await?;
    /// println!("{:?}", values.get("/shared/admin"));
    /// # Ok(()) }
    /// ```
    pub async fn get_server_metadata(
        &self,
        entries: &[&str],
        options: GetMetadataOptions,
        timeout: Duration,
    ) -> Result<MetadataValues> {
        self.require_metadata_server("GETMETADATA on the server")?;
        self.get_metadata_of(None, entries, options, timeout).await
    }

    /// `SETMETADATA mailbox (entry value …)`: sets entries (any bytes) or, with `None`
    /// (`NIL`), removes them.
    ///
    /// ```no_run
    /// # async fn f(conn: daaki_imap::ImapConnection) -> daaki_imap::Result<()> {
    /// let t = std::time::Duration::from_secs(30);
    /// conn.set_metadata("INBOX", &[("/private/comment", Some(b"my inbox".as_slice()))], t)
    ///     .await?;
    /// conn.set_metadata("INBOX", &[("/private/comment", None)], t).await?;
    /// # Ok(()) }
    /// ```
    pub async fn set_metadata(
        &self,
        mailbox: impl IntoMailboxName,
        entries: &[(&str, Option<&[u8]>)],
        timeout: Duration,
    ) -> Result<()> {
        self.require("METADATA", "SETMETADATA on a mailbox")?;
        self.set_metadata_of(Some(mailbox.into_mailbox_name()?), entries, timeout)
            .await
    }

    /// `SETMETADATA "" (entry value …)`: sets or (with `None`) removes server annotations.
    ///
    /// ```no_run
    /// # async fn f(conn: daaki_imap::ImapConnection) -> daaki_imap::Result<()> {
    /// let t = std::time::Duration::from_secs(30);
    /// conn.set_server_metadata(&[("/private/vendor/x/theme", Some(b"dark".as_slice()))], t)
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn set_server_metadata(
        &self,
        entries: &[(&str, Option<&[u8]>)],
        timeout: Duration,
    ) -> Result<()> {
        self.require_metadata_server("SETMETADATA on the server")?;
        self.set_metadata_of(None, entries, timeout).await
    }

    fn require_metadata_server(&self, what: &str) -> Result<()> {
        if self.capabilities().has("METADATA") {
            Ok(())
        } else {
            self.require("METADATA-SERVER", what)
        }
    }

    async fn get_metadata_of(
        &self,
        mailbox: Option<MailboxName>,
        entries: &[&str],
        options: GetMetadataOptions,
        timeout: Duration,
    ) -> Result<MetadataValues> {
        if entries.is_empty() {
            return Err(Error::InvalidInput(
                "GETMETADATA needs at least one entry".into(),
            ));
        }
        let entries = entries
            .iter()
            .map(|e| EntryName::new(e))
            .collect::<Result<Vec<_>, InvalidInput>>()?;
        let body = CommandBody::GetMetadata {
            options,
            mailbox,
            entries,
        };
        Ok(metadata_values(self.run(body, timeout).await?))
    }

    async fn set_metadata_of(
        &self,
        mailbox: Option<MailboxName>,
        entries: &[(&str, Option<&[u8]>)],
        timeout: Duration,
    ) -> Result<()> {
        if entries.is_empty() {
            return Err(Error::InvalidInput(
                "SETMETADATA needs at least one entry".into(),
            ));
        }
        let entries = entries
            .iter()
            .map(|(name, value)| Ok((EntryName::new(name)?, value.map(<[u8]>::to_vec))))
            .collect::<Result<Vec<_>, InvalidInput>>()?;
        let body = CommandBody::SetMetadata { mailbox, entries };
        self.run(body, timeout).await.map(drop)
    }
}

/// A command completed with OK but without the data it exists for.
fn missing(command: &str, data: &str) -> Error {
    Error::InvalidInput(format!(
        "the server answered {command} with OK but sent no {data} data"
    ))
}

/// GETQUOTAROOT: the roots (from `QUOTAROOT`) and every `QUOTA` that came with them.
fn quota_root_info(outcome: CommandOutcome) -> QuotaRootInfo {
    let mut info = QuotaRootInfo::default();
    for data in outcome.data {
        match data {
            ServerData::QuotaRoot(r) => info.roots.extend(r.roots),
            ServerData::Quota(q) => info.quotas.push(q),
            _ => {}
        }
    }
    info
}

/// GETMETADATA: the values of every `METADATA` response and the LONGENTRIES code.
fn metadata_values(outcome: CommandOutcome) -> MetadataValues {
    let long_entries = match outcome.code {
        Some(ResponseCode::MetadataLongEntries(n)) => Some(n),
        _ => None,
    };
    let mut values = MetadataValues {
        long_entries,
        ..MetadataValues::default()
    };
    for data in outcome.data {
        if let ServerData::Metadata(m) = data
            && let MetadataEntries::Values(entries) = m.entries
        {
            values.entries.extend(entries);
        }
    }
    values
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::session::CommandOutcome;
    use crate::types::response::{Metadata, MetadataEntry, QuotaRoot};

    fn outcome(data: Vec<ServerData>, code: Option<ResponseCode>) -> CommandOutcome {
        CommandOutcome::ok_with(data, code)
    }

    #[test]
    fn metadata_values_collect_entries_and_longentries() {
        let entry = |name: &str, value: Option<&[u8]>| MetadataEntry {
            name: name.to_owned(),
            value: value.map(<[u8]>::to_vec),
        };
        let o = outcome(
            vec![
                ServerData::Metadata(Metadata {
                    mailbox: Some(MailboxName::new("INBOX").unwrap()),
                    entries: MetadataEntries::Values(vec![entry("/private/a", Some(b"1"))]),
                }),
                ServerData::Metadata(Metadata {
                    mailbox: Some(MailboxName::new("INBOX").unwrap()),
                    entries: MetadataEntries::Changed(vec!["/private/z".into()]),
                }),
                ServerData::Metadata(Metadata {
                    mailbox: Some(MailboxName::new("INBOX").unwrap()),
                    entries: MetadataEntries::Values(vec![entry("/shared/b", None)]),
                }),
            ],
            Some(ResponseCode::MetadataLongEntries(2048)),
        );
        let v = metadata_values(o);
        assert_eq!(v.long_entries, Some(2048));
        assert_eq!(v.entries.len(), 2);
        assert_eq!(v.get("/PRIVATE/a"), Some(b"1".as_slice()));
        assert_eq!(v.get("/shared/b"), None);
    }

    #[test]
    fn quota_root_info_pairs_roots_and_quotas() {
        let q = Quota {
            root: "User quota".into(),
            ..Quota::default()
        };
        let o = outcome(
            vec![
                ServerData::QuotaRoot(QuotaRoot {
                    mailbox: MailboxName::new("INBOX").unwrap(),
                    roots: vec!["User quota".into()],
                }),
                ServerData::Quota(q.clone()),
            ],
            None,
        );
        let info = quota_root_info(o);
        assert_eq!(info.roots, vec!["User quota".to_owned()]);
        assert_eq!(info.quota("User quota"), Some(&q));
        assert_eq!(info.quota("other"), None);
    }
}
