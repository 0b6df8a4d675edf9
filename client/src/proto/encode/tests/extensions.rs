//! Extensions: ENABLE, ID, NOTIFY, METADATA, QUOTA, ACL.

use super::*;

#[test]
fn enable_and_id() {
    kat(
        CommandBody::Enable(vec![atom("CONDSTORE"), atom("UTF8=ACCEPT")]),
        "ENABLE CONDSTORE UTF8=ACCEPT",
    );
    fails(CommandBody::Enable(vec![]), &PLAIN);
    kat(
        CommandBody::Id(Some(vec![
            (s("name"), Some(s("daaki-imap"))),
            (s("version"), Some(s("0.2.0"))),
            (s("vendor"), None),
        ])),
        "ID (\"name\" \"daaki-imap\" \"version\" \"0.2.0\" \"vendor\" NIL)",
    );
    kat(CommandBody::Id(None), "ID NIL");
    kat(CommandBody::Id(Some(vec![])), "ID NIL");
}

#[test]
fn notify_seed_example_and_rfc_5465_forms() {
    // The seed README's NOTIFY example.
    let params = NotifySetParams::new(
        vec![
            NotifyEventGroup::new(
                MailboxFilter::Personal,
                vec![
                    NotifyEvent::MessageNew {
                        fetch_attrs: vec![],
                    },
                    NotifyEvent::MessageExpunge,
                ],
            ),
            NotifyEventGroup::new(
                MailboxFilter::Selected,
                vec![
                    NotifyEvent::MessageNew {
                        fetch_attrs: vec![],
                    },
                    NotifyEvent::MessageExpunge,
                    NotifyEvent::FlagChange,
                ],
            ),
        ],
        true,
    );
    kat(
        CommandBody::Notify(NotifyCommand::Set(params)),
        "NOTIFY SET STATUS (PERSONAL (MessageNew MessageExpunge)) (SELECTED (MessageNew MessageExpunge FlagChange))",
    );
    kat(CommandBody::Notify(NotifyCommand::None), "NOTIFY NONE");
    kat(
        CommandBody::Notify(NotifyCommand::Set(NotifySetParams::new(vec![], false))),
        "NOTIFY NONE",
    );
    let fields = Section::header_fields(["From", "To"]).unwrap();
    kat(
        CommandBody::Notify(NotifyCommand::Set(NotifySetParams::new(
            vec![
                NotifyEventGroup::new(
                    MailboxFilter::SelectedDelayed,
                    vec![
                        NotifyEvent::MessageNew {
                            fetch_attrs: vec![FetchAttr::Uid, FetchAttr::body_peek(fields)],
                        },
                        NotifyEvent::MessageExpunge,
                    ],
                ),
                NotifyEventGroup::new(
                    MailboxFilter::Subtree(vec![mb("Lists"), mb("Sent Items")]),
                    vec![NotifyEvent::MessageNew {
                        fetch_attrs: vec![],
                    }],
                ),
                NotifyEventGroup::new(
                    MailboxFilter::Mailboxes(vec![mb("Entwürfe")]),
                    vec![NotifyEvent::FlagChange, NotifyEvent::AnnotationChange],
                ),
                NotifyEventGroup::new(
                    MailboxFilter::Inboxes,
                    vec![
                        NotifyEvent::MailboxName,
                        NotifyEvent::SubscriptionChange,
                        NotifyEvent::MailboxMetadataChange,
                        NotifyEvent::ServerMetadataChange,
                    ],
                ),
                NotifyEventGroup::new(MailboxFilter::Subscribed, vec![]),
            ],
            false,
        ))),
        "NOTIFY SET (SELECTED-DELAYED (MessageNew (UID BODY.PEEK[HEADER.FIELDS (From To)]) MessageExpunge)) \
         (SUBTREE (Lists \"Sent Items\") (MessageNew)) (MAILBOXES Entw&APw-rfe (FlagChange AnnotationChange)) \
         (INBOXES (MailboxName SubscriptionChange MailboxMetadataChange ServerMetadataChange)) (SUBSCRIBED NONE)",
    );
    fails(
        CommandBody::Notify(NotifyCommand::Set(NotifySetParams::new(
            vec![NotifyEventGroup::new(
                MailboxFilter::Subtree(vec![]),
                vec![],
            )],
            false,
        ))),
        &PLAIN,
    );
}

fn entry(name: &str) -> MetadataEntry {
    MetadataEntry::new(name).unwrap()
}

#[test]
fn metadata_commands() {
    // RFC 5464 §4.2 examples.
    kat(
        CommandBody::GetMetadata {
            options: GetMetadataOptions::default(),
            mailbox: None,
            entries: vec![entry("/shared/comment")],
        },
        "GETMETADATA \"\" /shared/comment",
    );
    kat(
        CommandBody::GetMetadata {
            options: GetMetadataOptions {
                max_size: Some(1024),
                depth: Some(MetadataDepth::One),
            },
            mailbox: Some(mb("INBOX")),
            entries: vec![entry("/private/comment"), entry("/shared/comment")],
        },
        "GETMETADATA (MAXSIZE 1024 DEPTH 1) INBOX (/private/comment /shared/comment)",
    );
    kat(
        CommandBody::GetMetadata {
            options: GetMetadataOptions {
                max_size: None,
                depth: Some(MetadataDepth::Infinity),
            },
            mailbox: Some(mb("INBOX")),
            entries: vec![entry("/private")],
        },
        "GETMETADATA (DEPTH infinity) INBOX /private",
    );
    fails(
        CommandBody::GetMetadata {
            options: GetMetadataOptions::default(),
            mailbox: None,
            entries: vec![],
        },
        &PLAIN,
    );
    kat(
        CommandBody::SetMetadata {
            mailbox: Some(mb("INBOX")),
            entries: vec![
                (entry("/private/comment"), Some(b"My new comment".to_vec())),
                (entry("/shared/comment"), None),
            ],
        },
        "SETMETADATA INBOX (/private/comment \"My new comment\" /shared/comment NIL)",
    );
    kat_with(
        &PLAIN,
        CommandBody::SetMetadata {
            mailbox: None,
            entries: vec![(entry("/shared/admin"), Some(b"line1\r\nline2".to_vec()))],
        },
        b"SETMETADATA \"\" (/shared/admin {12}\r\nline1\r\nline2)",
        &[36],
    );
    let binary = EncodeOptions {
        binary: true,
        ..PLAIN
    };
    let nul = CommandBody::SetMetadata {
        mailbox: None,
        entries: vec![(entry("/shared/x"), Some(b"\0".to_vec()))],
    };
    kat_with(
        &binary,
        nul.clone(),
        b"SETMETADATA \"\" (/shared/x ~{1}\r\n\0)",
        &[32],
    );
    fails(nul, &PLAIN);
    fails(
        CommandBody::SetMetadata {
            mailbox: None,
            entries: vec![],
        },
        &PLAIN,
    );
}

#[test]
fn quota_commands() {
    kat(CommandBody::GetQuota(s("")), "GETQUOTA \"\"");
    kat(
        CommandBody::GetQuota(s("User quota")),
        "GETQUOTA \"User quota\"",
    );
    kat(CommandBody::GetQuotaRoot(mb("INBOX")), "GETQUOTAROOT INBOX");
    kat(
        CommandBody::SetQuota {
            root: s(""),
            limits: vec![(atom("STORAGE"), 512), (atom("MESSAGE"), u64::MAX)],
        },
        "SETQUOTA \"\" (STORAGE 512 MESSAGE 18446744073709551615)",
    );
    kat(
        CommandBody::SetQuota {
            root: s("#user/alice"),
            limits: vec![],
        },
        "SETQUOTA #user/alice ()",
    );
}

#[test]
fn acl_commands() {
    let rights = |r: &str| AclRights::new(r).unwrap();
    kat(CommandBody::GetAcl(mb("INBOX")), "GETACL INBOX");
    kat(
        CommandBody::SetAcl {
            mailbox: mb("INBOX/Drafts"),
            identifier: s("John"),
            rights: AclModification::Replace(rights("lrswicda")),
        },
        "SETACL INBOX/Drafts John lrswicda",
    );
    kat(
        CommandBody::SetAcl {
            mailbox: mb("INBOX"),
            identifier: s("Fred Smith"),
            rights: AclModification::Add(rights("lr")),
        },
        "SETACL INBOX \"Fred Smith\" +lr",
    );
    kat(
        CommandBody::SetAcl {
            mailbox: mb("INBOX"),
            identifier: s("anyone"),
            rights: AclModification::Remove(rights("w")),
        },
        "SETACL INBOX anyone -w",
    );
    kat(
        CommandBody::SetAcl {
            mailbox: mb("INBOX"),
            identifier: s("anyone"),
            rights: AclModification::Replace(rights("")),
        },
        "SETACL INBOX anyone \"\"",
    );
    kat(
        CommandBody::DeleteAcl {
            mailbox: mb("INBOX/Drafts"),
            identifier: s("Fred"),
        },
        "DELETEACL INBOX/Drafts Fred",
    );
    kat(
        CommandBody::ListRights {
            mailbox: mb("~/Mail/saved"),
            identifier: s("smith"),
        },
        "LISTRIGHTS ~/Mail/saved smith",
    );
    kat(CommandBody::MyRights(mb("INBOX")), "MYRIGHTS INBOX");
}
