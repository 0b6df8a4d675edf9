//! `SEARCH` / `SORT`, `ESEARCH` and `THREAD`.

use super::core::{
    PResult, advance, at_eol, byte, check_depth, eq_kw, invalid, item_name, number, number64, peek,
    sequence_set, skip_spaces, skip_value, sp,
};
use crate::proto::response::{ESearchItem, ESearchResponse, SearchResponse, Thread};

/// `*(SP nz-number) [SP "(" "MODSEQ" SP mod-sequence-value ")"]`. Leniency: trailing spaces
/// (Courier and Exchange send `* SEARCH 1 2 `).
pub(super) fn search(i: &mut &[u8]) -> PResult<SearchResponse> {
    let mut out = SearchResponse::default();
    while !at_eol(i) {
        sp(i)?;
        if peek(i) == Some(b'(') {
            advance(i, 1);
            let name = item_name(i)?;
            if !eq_kw(name, b"MODSEQ") {
                return Err(invalid(i, "MODSEQ"));
            }
            sp(i)?;
            out.modseq = Some(number64(i)?);
            skip_spaces(i);
            byte(i, b')', "')' of MODSEQ")?;
        } else if !at_eol(i) {
            out.ids.push(number(i)?);
        }
    }
    Ok(out)
}

/// `[SP "(" "TAG" SP tag-string ")"] [SP "UID"] *(SP search-return-data)`.
pub(super) fn esearch<'a>(i: &mut &'a [u8]) -> PResult<ESearchResponse<'a>> {
    let mut out = ESearchResponse::default();
    if i.starts_with(b" (") {
        sp(i)?;
        advance(i, 1);
        let name = item_name(i)?;
        if !eq_kw(name, b"TAG") {
            return Err(invalid(i, "TAG"));
        }
        sp(i)?;
        out.tag = Some(super::core::astring(i)?);
        skip_spaces(i);
        byte(i, b')', "')' of TAG")?;
    }
    while !at_eol(i) {
        sp(i)?;
        let name = item_name(i)?;
        if eq_kw(name, b"UID") && out.items.is_empty() {
            out.uid = true;
            continue;
        }
        sp(i)?;
        out.items.push(match name.len() {
            3 if eq_kw(name, b"MIN") => ESearchItem::Min(number(i)?),
            3 if eq_kw(name, b"MAX") => ESearchItem::Max(number(i)?),
            3 if eq_kw(name, b"ALL") => ESearchItem::All(sequence_set(i)?),
            5 if eq_kw(name, b"COUNT") => ESearchItem::Count(number(i)?),
            6 if eq_kw(name, b"MODSEQ") => ESearchItem::ModSeq(number64(i)?),
            _ => ESearchItem::Other {
                name,
                raw: skip_value(i)?,
            },
        });
    }
    Ok(out)
}

/// `[SP 1*thread-list]`. Leniency: spaces between thread lists.
pub(super) fn thread(i: &mut &[u8]) -> PResult<Vec<Thread>> {
    let mut out = Vec::new();
    skip_spaces(i);
    while peek(i) == Some(b'(') {
        out.push(thread_list(i, 1)?);
        skip_spaces(i);
    }
    Ok(out)
}

/// `"(" (thread-members / thread-nested) ")"` at nesting `depth`. Nested lists are parsed
/// with a heap stack of the unfinished ancestors instead of by recursion, so the deepest list
/// accepted needs no more call stack than a flat one.
fn thread_list(i: &mut &[u8], depth: usize) -> PResult<Thread> {
    check_depth(i, depth)?;
    byte(i, b'(', "'(' of thread")?;
    let mut ancestors: Vec<Thread> = Vec::new();
    let mut t = Thread::default();
    loop {
        skip_spaces(i);
        match peek(i) {
            Some(b')') => {
                advance(i, 1);
                match ancestors.pop() {
                    None => return Ok(t),
                    Some(mut parent) => {
                        parent.children.push(t);
                        t = parent;
                    }
                }
            }
            Some(b'(') => {
                check_depth(i, depth + ancestors.len() + 1)?;
                advance(i, 1);
                ancestors.push(std::mem::take(&mut t));
            }
            Some(b) if b.is_ascii_digit() && t.children.is_empty() => t.members.push(number(i)?),
            _ => return Err(invalid(i, "thread member")),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::proto::parse::test_util::data;
    use crate::proto::response::{
        Data, ESearchItem, ESearchResponse, IString, SearchResponse, SeqRange, Thread,
    };

    #[test]
    fn search_forms() {
        assert_eq!(
            data(b"* SEARCH 2 84 882\r\n"),
            Data::Search(SearchResponse {
                ids: vec![2, 84, 882],
                modseq: None
            })
        );
        assert_eq!(
            data(b"* SEARCH\r\n"),
            Data::Search(SearchResponse::default())
        );
        assert_eq!(
            data(b"* SEARCH 1 2 \r\n"),
            Data::Search(SearchResponse {
                ids: vec![1, 2],
                modseq: None
            })
        );
        assert_eq!(
            data(b"* SEARCH 2 5 6 (MODSEQ 917162500)\r\n"),
            Data::Search(SearchResponse {
                ids: vec![2, 5, 6],
                modseq: Some(917162500)
            })
        );
        assert_eq!(
            data(b"* SORT 2 3 1\r\n"),
            Data::Sort(SearchResponse {
                ids: vec![2, 3, 1],
                modseq: None
            })
        );
    }

    #[test]
    fn unknown_esearch_items_as_long_as_known_ones_are_kept_as_other() {
        // Item names are matched by length first: an unknown name of each known length must
        // not fall into a known item's parser.
        for len in 3..=6 {
            let name = "X".repeat(len);
            let line = format!("* ESEARCH {name} (a b) COUNT 2\r\n");
            assert_eq!(
                data(line.as_bytes()),
                Data::ESearch(ESearchResponse {
                    tag: None,
                    uid: false,
                    items: vec![
                        ESearchItem::Other {
                            name: name.as_bytes(),
                            raw: b"(a b)"
                        },
                        ESearchItem::Count(2),
                    ],
                }),
                "{name}"
            );
        }
    }

    #[test]
    fn esearch_forms() {
        assert_eq!(
            data(
                b"* ESEARCH (TAG \"A285\") UID MIN 7 MAX 3800 COUNT 3 ALL 7,3800:3801 MODSEQ 9\r\n"
            ),
            Data::ESearch(ESearchResponse {
                tag: Some(IString::new(b"A285")),
                uid: true,
                items: vec![
                    ESearchItem::Min(7),
                    ESearchItem::Max(3800),
                    ESearchItem::Count(3),
                    ESearchItem::All(vec![
                        SeqRange { start: 7, end: 7 },
                        SeqRange {
                            start: 3800,
                            end: 3801
                        }
                    ]),
                    ESearchItem::ModSeq(9),
                ],
            })
        );
        assert_eq!(
            data(b"* ESEARCH (TAG \"a\") COUNT 0\r\n"),
            Data::ESearch(ESearchResponse {
                tag: Some(IString::new(b"a")),
                uid: false,
                items: vec![ESearchItem::Count(0)]
            })
        );
        assert_eq!(
            data(b"* ESEARCH\r\n"),
            Data::ESearch(ESearchResponse::default())
        );
    }

    #[test]
    fn thread_rfc5256_example() {
        let Data::Thread(t) = data(b"* THREAD (2)(3 6 (4 23)(44 7 96))\r\n") else {
            panic!()
        };
        let leaf = |m: Vec<u32>| Thread {
            members: m,
            children: vec![],
        };
        assert_eq!(
            t,
            vec![
                leaf(vec![2]),
                Thread {
                    members: vec![3, 6],
                    children: vec![leaf(vec![4, 23]), leaf(vec![44, 7, 96])]
                },
            ]
        );
        let Data::Thread(t) = data(b"* THREAD ((3)(5))\r\n") else {
            panic!()
        };
        assert_eq!(
            t,
            vec![Thread {
                members: vec![],
                children: vec![leaf(vec![3]), leaf(vec![5])]
            }]
        );
        assert_eq!(data(b"* THREAD\r\n"), Data::Thread(vec![]));
    }

    #[test]
    fn deep_thread_is_a_typed_error() {
        let mut input = b"* THREAD ".to_vec();
        input.extend(std::iter::repeat_n(b'(', 10_000));
        input.extend_from_slice(b"\r\n");
        let err = crate::proto::parse_response(&input).unwrap_err();
        assert_eq!(err.kind, crate::proto::ParseErrorKind::TooDeep);
    }

    #[test]
    fn thread_members_after_a_nested_thread_are_invalid() {
        let err = crate::proto::parse_response(b"* THREAD (1 (2)(3) 4)\r\n").unwrap_err();
        assert_eq!(err.kind, crate::proto::ParseErrorKind::Invalid);
        assert_eq!(err.context, "thread member");
    }
}
