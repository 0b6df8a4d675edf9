//! Whether a NOTIFY with events is in force (`Session::notify_active`): set by the `OK` of a
//! `NOTIFY SET` with groups, ended by `NOTIFY NONE`, a set without groups,
//! `[NOTIFICATIONOVERFLOW]` and UNAUTHENTICATE; a refused NOTIFY changes nothing.

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
