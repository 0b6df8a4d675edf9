//! Helpers for the known-answer tests beside each parser.

use super::{ParseErrorKind, parse_response};
use crate::proto::response::{Data, FetchItem, FetchResponse, Response, StatusResponse};

/// Parses `input`, asserting it is one complete response that uses every byte.
pub(crate) fn parse_all(input: &[u8]) -> Response<'_> {
    match parse_response(input) {
        Ok((r, used)) => {
            assert_eq!(
                used,
                input.len(),
                "not all input used: {:?}",
                String::from_utf8_lossy(input)
            );
            r
        }
        Err(e) => panic!("{e} in {:?}", String::from_utf8_lossy(input)),
    }
}

/// Parses untagged data.
pub(crate) fn data(input: &[u8]) -> Data<'_> {
    match parse_all(input) {
        Response::Data(d) => d,
        other => panic!("not data: {other:?}"),
    }
}

/// Parses a status response.
pub(crate) fn status(input: &[u8]) -> StatusResponse<'_> {
    match parse_all(input) {
        Response::Status(s) => s,
        other => panic!("not a status response: {other:?}"),
    }
}

/// Parses `* n FETCH (...)`.
pub(crate) fn fetch(input: &[u8]) -> FetchResponse<'_> {
    match data(input) {
        Data::Fetch(f) => f,
        other => panic!("not FETCH: {other:?}"),
    }
}

/// Parses `* n FETCH (...)` and returns the items.
pub(crate) fn fetch_items(input: &[u8]) -> Vec<FetchItem<'_>> {
    fetch(input).items
}

/// Every proper prefix of `input` must give Incomplete (or a typed error), never a panic,
/// and never a success that claims more bytes than given.
pub(crate) fn assert_prefixes_incomplete(input: &[u8]) {
    for cut in 0..input.len() {
        match parse_response(&input[..cut]) {
            Err(e) => assert_eq!(
                e.kind,
                ParseErrorKind::Incomplete,
                "cut at {cut}: {e} in {:?}",
                String::from_utf8_lossy(&input[..cut])
            ),
            Ok((_, used)) => panic!("cut at {cut} parsed ({used} bytes)"),
        }
    }
}
