//! Property tests: the validated types round-trip through their wire forms.

use proptest::prelude::*;

use super::{MailboxName, SequenceSet, StatusAttr};

proptest! {
    /// Any valid human name survives modified UTF-7 both ways, and the wire form is 7-bit.
    #[test]
    fn mailbox_names_round_trip_through_modified_utf7(name in "[^\u{0}\r\n]{1,40}") {
        let mailbox = MailboxName::new(&name).unwrap();
        let wire = mailbox.to_modified_utf7();
        prop_assert!(wire.is_ascii(), "{wire:?}");
        let back = MailboxName::from_modified_utf7(&wire).unwrap();
        prop_assert_eq!(back.as_str(), mailbox.as_str());
        let decoded = MailboxName::from_wire(wire.as_bytes(), false);
        prop_assert_eq!(decoded.as_str(), mailbox.as_str());
        let utf8 = MailboxName::from_wire(name.as_bytes(), true);
        prop_assert_eq!(utf8.as_str(), mailbox.as_str());
    }

    /// Display then parse gives the same set, for any list of numbers and ranges.
    #[test]
    fn sequence_sets_round_trip_through_text(
        items in prop::collection::vec((1u32..=u32::MAX, prop::option::of(1u32..=u32::MAX)), 1..12)
    ) {
        let text = items
            .iter()
            .map(|(a, b)| match b {
                Some(b) => format!("{a}:{b}"),
                None => a.to_string(),
            })
            .collect::<Vec<_>>()
            .join(",");
        let set = SequenceSet::new(&text).unwrap();
        let again = SequenceSet::new(&set.to_string()).unwrap();
        prop_assert_eq!(&again, &set);
        for (a, b) in &items {
            prop_assert!(set.contains(*a, u32::MAX));
            if let Some(b) = b {
                prop_assert!(set.contains(*b, u32::MAX));
            }
        }
    }

    /// Garbage never parses as a sequence set or a status list without a typed error.
    #[test]
    fn arbitrary_text_never_panics_the_parsers(text in ".{0,64}") {
        let _ = SequenceSet::new(&text);
        let _ = StatusAttr::parse_list(&text);
        let _ = MailboxName::from_modified_utf7(&text);
    }
}
