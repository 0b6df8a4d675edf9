//! Pipelining against both harness servers (Dovecot and Cyrus): several commands in one
//! write, one typed result per command, in order. (That they leave in a single write call is asserted on the transport
//! in the client's unit tests, `connection::pipeline::tests`.)

use daaki_imap::types::{FetchAttr, Flag, MailboxName, SequenceSet, StatusAttr};
use daaki_imap::{Error, StoreKind, TlsMode};
use daaki_imap_tests::client::{T, login};
use daaki_imap_tests::harness::TestServer;
use daaki_imap_tests::server_tests;

fn name(s: &str) -> MailboxName {
    MailboxName::new(s).expect("valid name")
}

fn set(s: &str) -> SequenceSet {
    SequenceSet::new(s).expect("valid set")
}

async fn eight_status_of_different_mailboxes_return_in_order_with_their_counts(
    server: &'static dyn TestServer,
) {
    let user = server.new_user(5);
    let boxes = ["A1", "B2", "C3", "D4", "E5", "F6", "G7"];
    for (i, b) in boxes.iter().enumerate() {
        server
            .seed_mailbox(&user, b, i as u32 + 1)
            .expect("seed mailbox");
    }
    let conn = login(server, &user, TlsMode::Plaintext).await;
    let items = || "(MESSAGES UIDNEXT)".to_string();
    let (inbox, a, b, c, d, e, f, g) = conn
        .pipeline()
        .status(name("INBOX"), items())
        .status(name(boxes[0]), items())
        .status(name(boxes[1]), items())
        .status(name(boxes[2]), items())
        .status(name(boxes[3]), items())
        .status(name(boxes[4]), items())
        .status(name(boxes[5]), items())
        .status(name(boxes[6]), items())
        .execute()
        .await
        .expect("pipeline");
    let inbox = inbox.expect("STATUS INBOX");
    assert_eq!(inbox.mailbox, Some(MailboxName::inbox()));
    assert_eq!(inbox.messages, Some(5));
    for (i, result) in [a, b, c, d, e, f, g].into_iter().enumerate() {
        let status = result.expect("STATUS");
        assert_eq!(status.mailbox, Some(name(boxes[i])));
        assert_eq!(status.messages, Some(i as u32 + 1), "{}", boxes[i]);
        assert!(status.uid_next.is_some());
    }
}

/// SELECT, FETCH and STORE in one write. The FETCH and the STORE touch different messages:
/// Dovecot runs pipelined FETCH/STORE commands concurrently and interleaves their untagged
/// FETCH responses, so commands on the same messages would be ambiguous (RFC 3501 §5.5).
async fn select_fetch_store_in_one_pipeline(server: &'static dyn TestServer) {
    let user = server.new_user(4);
    let conn = login(server, &user, TlsMode::Plaintext).await;
    let flagged = Flag::Flagged;
    let (selected, fetched, stored) = conn
        .pipeline()
        .select("INBOX")
        .fetch(&set("1:2"), &[FetchAttr::Uid, FetchAttr::Envelope])
        .store(&set("3:4"), StoreKind::Add, std::slice::from_ref(&flagged))
        .execute()
        .await
        .expect("pipeline");
    assert_eq!(selected.expect("select").exists, 4);
    let fetched = fetched.expect("fetch");
    let subjects: Vec<_> = fetched
        .iter()
        .map(|m| (m.seq, m.envelope.as_ref().and_then(|e| e.subject.clone())))
        .collect();
    assert_eq!(
        subjects,
        vec![
            (1, Some("Test message 1".to_owned())),
            (2, Some("Test message 2".to_owned()))
        ]
    );
    let stored = stored.expect("store");
    let stored_seqs: Vec<u32> = stored.fetches.iter().map(|m| m.seq).collect();
    assert_eq!(stored_seqs, vec![3, 4]);
    assert!(
        stored
            .fetches
            .iter()
            .all(|m| m.flags.as_ref().is_some_and(|f| f.contains(&flagged)))
    );
    // The STORE took effect.
    let now = conn
        .fetch(&set("1:4"), &[FetchAttr::Flags], T)
        .await
        .expect("fetch flags");
    let with_flag: Vec<u32> = now
        .iter()
        .filter(|m| m.flags.as_ref().is_some_and(|f| f.contains(&flagged)))
        .map(|m| m.seq)
        .collect();
    assert_eq!(with_flag, vec![3, 4]);
}

async fn a_missing_mailbox_is_an_inner_error_and_the_rest_succeed(server: &'static dyn TestServer) {
    let user = server.new_user(2);
    let conn = login(server, &user, TlsMode::Plaintext).await;
    let (before, missing, noop, after) = conn
        .pipeline()
        .status_attrs(MailboxName::inbox(), &[StatusAttr::Messages])
        .status(name("Does-Not-Exist"), "(MESSAGES)".to_string())
        .noop()
        .status_attrs(MailboxName::inbox(), &[StatusAttr::Unseen])
        .execute()
        .await
        .expect("the pipeline as a whole succeeds");
    assert_eq!(before.expect("first STATUS").messages, Some(2));
    assert!(matches!(missing, Err(Error::No { .. })), "{missing:?}");
    noop.expect("noop");
    assert!(after.expect("last STATUS").unseen.is_some());
}

async fn the_seed_example_runs_as_written(server: &'static dyn TestServer) {
    let user = server.new_user(3);
    server.seed_mailbox(&user, "Drafts", 2).expect("seed");
    let conn = login(server, &user, TlsMode::Plaintext).await;
    let example = async {
        let inbox = MailboxName::new("INBOX")?;
        let drafts = MailboxName::new("Drafts")?;
        let (result_a, result_b) = conn
            .pipeline()
            .status(inbox, "(MESSAGES UNSEEN)".to_string())
            .status(drafts, "(MESSAGES)".to_string())
            .execute()
            .await?;
        let status_a = result_a?;
        let status_b = result_b?;
        println!("INBOX: {status_a:?}, Drafts: {status_b:?}");
        Ok::<_, Box<dyn std::error::Error>>((status_a, status_b))
    };
    let (a, b) = example.await.expect("seed example");
    assert_eq!((a.messages, b.messages), (Some(3), Some(2)));
}

async fn an_invalid_item_list_fails_before_sending(server: &'static dyn TestServer) {
    let user = server.new_user(1);
    let conn = login(server, &user, TlsMode::Plaintext).await;
    let result = conn
        .pipeline()
        .status(MailboxName::inbox(), "(MESSAGES) FLAGS".to_string())
        .execute()
        .await;
    assert!(matches!(result, Err(Error::InvalidInput(_))), "{result:?}");
    conn.noop(T).await.expect("still usable");
}

server_tests!(
    eight_status_of_different_mailboxes_return_in_order_with_their_counts,
    select_fetch_store_in_one_pipeline,
    a_missing_mailbox_is_an_inner_error_and_the_rest_succeed,
    the_seed_example_runs_as_written,
    an_invalid_item_list_fails_before_sending
);
