//! The `serde` feature: the owned response model goes through JSON and comes back equal, the
//! validated newtypes refuse invalid input on the way in, and the borrowed protocol model
//! serialises (it has no `Deserialize`: the parser makes those values).
//!
//! Values come from real server bytes (`parse_response` + `into_owned`), so every field the
//! parser fills is covered, including bytes that are not UTF-8 and the `\*` flag.
//! Run with `cargo test -p daaki-imap --features serde --test serde` (the `serde` stage of
//! `cargo xtask test`).
// serde_json is a native-only dev-dependency.
#![cfg(all(feature = "serde", not(target_arch = "wasm32")))]

use std::fmt::Debug;

use daaki_imap::proto::parse_response;
use daaki_imap::proto::response::{Data, Response};
use daaki_imap::types::response::SeqRange;
use daaki_imap::types::{
    Flag, ImapAtom, MailboxName, ResponseCode, SequenceSet, StatusKind, Tag, TypedEvent,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Parses one complete response that must use every byte.
fn parse(input: &[u8]) -> Response<'_> {
    let (response, used) = parse_response(input).expect("the test response parses");
    assert_eq!(used, input.len(), "the test response is one whole response");
    response
}

/// Serialises `value` to JSON, reads it back and checks it is equal; returns the JSON.
fn round_trip<T: Serialize + DeserializeOwned + PartialEq + Debug>(value: &T) -> String {
    let json = serde_json::to_string(value).expect("serialises");
    let back: T = serde_json::from_str(&json).expect("deserialises what it serialised");
    assert_eq!(&back, value, "JSON round trip changed the value: {json}");
    json
}

const FETCH: &[u8] = b"* 12 FETCH (UID 4827 FLAGS (\\Seen \\Answered $Junk) \
INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" RFC822.SIZE 4286 MODSEQ (624140003) \
EMAILID (M6d99ac3275bb4e) ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \
\"=?utf-8?q?Gr=C3=BC=C3=9Fe?= \xff\" ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) \
((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) NIL ((NIL NIL \"imap\" \"cac.washington.edu\")) \
((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")(\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL \
\"<B27397-0100000@cac.washington.edu>\") BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") \
NIL NIL \"7BIT\" 1152 23)(\"APPLICATION\" \"OCTET-STREAM\" (\"NAME\" \"cc.diff\") \
\"<960723163407.20117h@cac.washington.edu>\" \"Compiler diff\" \"BASE64\" 4554) \"MIXED\") \
BODY[HEADER.FIELDS (SUBJECT)]<0> {6}\r\n\x00\xffab\r\n BINARY.SIZE[1] 1152)\r\n";

#[test]
fn fetch_response_with_every_common_item_survives_json() {
    let Response::Data(Data::Fetch(fetch)) = parse(FETCH) else {
        panic!("not a FETCH response");
    };
    let owned = fetch.into_owned();
    // The value really carries the data, so an equal round trip is not two empty values.
    assert_eq!(owned.uid, Some(4827));
    assert_eq!(owned.modseq, Some(624_140_003));
    assert!(owned.envelope.is_some() && owned.body_structure.is_some());
    assert_eq!(owned.body_sections.len(), 1);
    assert_eq!(
        owned.body_sections[0].data.as_deref(),
        Some(&b"\x00\xffab\r\n"[..])
    );
    let json = round_trip(&owned);
    assert!(json.contains("\"uid\":4827"), "{json}");
    // Flags serialise in their wire form.
    assert!(
        json.contains(r#""\\Seen""#) && json.contains("\"$Junk\""),
        "{json}"
    );
}

#[test]
fn mailbox_list_and_status_survive_json() {
    let Response::Data(Data::List(list)) =
        parse(b"* LIST (\\HasNoChildren \\Sent) \"/\" \"Entw&APw-rfe\"\r\n")
    else {
        panic!("not LIST");
    };
    let info = list.into_owned(false);
    let json = round_trip(&info);
    // The human name, not the modified UTF-7 of the wire.
    assert!(json.contains("Entwürfe"), "{json}");

    let Response::Data(Data::Status(status)) = parse(
        b"* STATUS \"INBOX\" (MESSAGES 231 UIDNEXT 44292 UNSEEN 3 HIGHESTMODSEQ 7011231777)\r\n",
    ) else {
        panic!("not STATUS");
    };
    let status = status.into_owned(false);
    let json = round_trip(&status);
    assert!(json.contains("7011231777"), "{json}");
}

#[test]
fn response_codes_survive_json_including_the_any_keyword_flag() {
    for input in [
        &b"* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited\r\n"[..],
        b"A1 OK [COPYUID 38505 304,319:320 3956:3958] Done\r\n",
        b"* OK [CAPABILITY IMAP4rev2 IDLE LITERAL+] ready\r\n",
        b"A2 NO [TRYCREATE] No such mailbox\r\n",
    ] {
        let Response::Status(status) = parse(input) else {
            panic!("not a status response");
        };
        let code = status
            .code
            .expect("the test response has a code")
            .into_owned();
        round_trip(&code);
    }
    let Response::Status(status) = parse(b"* OK [PERMANENTFLAGS (\\Seen \\*)] x\r\n") else {
        panic!("not a status response");
    };
    let Some(ResponseCode::PermanentFlags(flags)) = status.code.map(|c| c.into_owned()) else {
        panic!("not PERMANENTFLAGS");
    };
    assert_eq!(flags.len(), 2);
    assert_eq!(round_trip(&flags), r#"["\\Seen","\\*"]"#);
}

#[test]
fn events_survive_json() {
    let events = [
        TypedEvent::Expunge(3),
        TypedEvent::Vanished {
            earlier: true,
            uids: vec![SeqRange { start: 4, end: 9 }],
        },
        TypedEvent::Flags(vec![Flag::Seen, Flag::keyword("$Forwarded").unwrap()]),
        TypedEvent::Bye {
            code: Some(ResponseCode::Alert),
            text: "shutting down".into(),
        },
        TypedEvent::Status {
            kind: StatusKind::No,
            code: None,
            text: "disk \u{fc}ber quota".into(),
        },
        TypedEvent::Overflow { dropped: 17 },
    ];
    for event in &events {
        round_trip(event);
    }
}

#[test]
fn validated_types_refuse_invalid_json() {
    // Valid values round-trip as their wire text...
    assert_eq!(
        round_trip(&SequenceSet::new("1:5,7,9:*").unwrap()),
        r#""1:5,7,9:*""#
    );
    assert_eq!(round_trip(&Tag::new("A0042").unwrap()), r#""A0042""#);
    assert_eq!(
        round_trip(&ImapAtom::new("UTF8=ACCEPT").unwrap()),
        r#""UTF8=ACCEPT""#
    );
    assert_eq!(
        round_trip(&MailboxName::new("Entwürfe").unwrap()),
        r#""Entwürfe""#
    );
    // ...and the constructors' rules hold on the way in: no injection through JSON.
    assert!(serde_json::from_str::<SequenceSet>(r#""0:3""#).is_err());
    assert!(serde_json::from_str::<SequenceSet>(r#""1\r\nA1 LOGOUT""#).is_err());
    assert!(serde_json::from_str::<Tag>(r#""A 1""#).is_err());
    assert!(serde_json::from_str::<ImapAtom>(r#""a\r\nb""#).is_err());
    assert!(serde_json::from_str::<MailboxName>(r#""x\r\nA1 DELETE INBOX""#).is_err());
    assert!(serde_json::from_str::<Flag>(r#""\\Seen\r\n""#).is_err());
}

#[test]
fn borrowed_model_serialises_bytes_as_bytes() {
    let value = serde_json::to_value(parse(b"* 3 EXISTS\r\n")).expect("serialises");
    assert_eq!(value, serde_json::json!({ "Data": { "Exists": 3 } }));
    let value = serde_json::to_value(parse(b"A7 OK done\r\n")).expect("serialises");
    // Tags and text are byte strings in the borrowed model: JSON number arrays.
    assert_eq!(value["Status"]["tag"], serde_json::json!([65, 55]));
    assert_eq!(value["Status"]["text"], serde_json::json!(b"done"));
}
