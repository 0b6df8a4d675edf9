//! Session settings that change what is sent or how responses count: whether a NOTIFY with
//! events is in force (`Session::notify_active`: set by the `OK` of a `NOTIFY SET` with
//! groups, ended by `NOTIFY NONE`, a set without groups, `[NOTIFICATIONOVERFLOW]` and
//! UNAUTHENTICATE; a refused NOTIFY changes nothing), and the rules of a `UTF8=ONLY` server.

use super::{feed, greeted, sent};
use crate::proto::command::{CommandBody, NotifyCommand};
use crate::proto::session::{DataMode, Session};
use crate::types::{MailboxFilter, NotifyEvent, NotifyEventGroup, NotifySetParams};

fn notify_set(groups: usize) -> CommandBody {
    let group = NotifyEventGroup::new(MailboxFilter::Personal, vec![NotifyEvent::MessageExpunge]);
    CommandBody::Notify(NotifyCommand::Set(NotifySetParams::new(
        vec![group; groups],
        false,
    )))
}

/// Runs `body`, answered by `reply` (`{tag}` stands for its tag), and returns whether NOTIFY
/// is in force afterwards.
fn run(s: &mut Session, body: CommandBody, reply: &str) -> bool {
    s.submit(body, DataMode::Collect).unwrap();
    let wire = sent(s);
    let tag = wire.split(' ').next().unwrap_or_default().to_owned();
    feed(s, &reply.replace("{tag}", &tag));
    s.notify_active()
}

#[test]
fn notify_set_none_and_refusals() {
    let mut s = greeted("* PREAUTH ready\r\n");
    assert!(!s.notify_active(), "off at first");
    assert!(
        !run(&mut s, notify_set(1), "{tag} NO not now\r\n"),
        "refused"
    );
    assert!(run(&mut s, notify_set(1), "{tag} OK set\r\n"), "set");
    assert!(
        run(&mut s, notify_set(2), "{tag} NO not now\r\n"),
        "a refusal keeps it"
    );
    assert!(
        !run(&mut s, notify_set(0), "{tag} OK none\r\n"),
        "no groups"
    );
    assert!(run(&mut s, notify_set(1), "{tag} OK set\r\n"), "set again");
    assert!(
        !run(
            &mut s,
            CommandBody::Notify(NotifyCommand::None),
            "{tag} OK none\r\n"
        ),
        "NOTIFY NONE"
    );
}

#[test]
fn an_overflow_or_unauthenticate_ends_it() {
    let mut s = greeted("* PREAUTH ready\r\n");
    assert!(run(&mut s, notify_set(1), "{tag} OK set\r\n"));
    feed(&mut s, "* OK [ALERT] not an overflow\r\n");
    assert!(s.notify_active(), "other codes keep it");
    feed(&mut s, "* OK [NOTIFICATIONOVERFLOW] too many\r\n");
    assert!(!s.notify_active(), "the server switched it off");

    assert!(run(&mut s, notify_set(1), "{tag} OK set\r\n"));
    assert!(!run(
        &mut s,
        CommandBody::Unauthenticate,
        "{tag} OK bye\r\n"
    ));
}

/// RFC 6855 §6: a `UTF8=ONLY` server selects and names no mailbox until UTF8=ACCEPT is
/// enabled; such commands are refused before sending, others go out, and after `* ENABLED
/// UTF8=ACCEPT` mailbox names travel as UTF-8.
#[test]
fn utf8_only_servers_get_no_mailbox_command_before_utf8_accept() {
    use crate::proto::ProtoError;
    use crate::types::MailboxName;
    let mut s = greeted("* PREAUTH [CAPABILITY IMAP4rev1 ENABLE UTF8=ACCEPT UTF8=ONLY] ready\r\n");
    assert!(s.capabilities().utf8_only());
    let select = || CommandBody::Select {
        mailbox: MailboxName::new("Entwürfe").unwrap(),
        params: Default::default(),
    };
    let refused = s.submit(select(), DataMode::Collect);
    assert!(
        matches!(&refused, Err(ProtoError::Unsupported(m)) if m.contains("UTF8=ONLY") && m.contains("SELECT")),
        "{refused:?}"
    );
    let status = CommandBody::Status {
        mailbox: MailboxName::inbox(),
        attrs: vec![crate::types::StatusAttr::Messages],
    };
    assert!(matches!(
        s.submit(status, DataMode::Collect),
        Err(ProtoError::Unsupported(_))
    ));
    assert_eq!(sent(&mut s), "", "nothing was queued");
    // Commands without a mailbox still go.
    assert!(!run(&mut s, CommandBody::Noop, "{tag} OK done\r\n"));
    assert!(!run(
        &mut s,
        CommandBody::Enable(vec![crate::types::ImapAtom::new("UTF8=ACCEPT").unwrap()]),
        "* ENABLED UTF8=ACCEPT\r\n{tag} OK enabled\r\n",
    ));
    s.submit(select(), DataMode::Collect).expect("accepted now");
    assert!(sent(&mut s).ends_with(" SELECT \"Entwürfe\"\r\n"));
}
