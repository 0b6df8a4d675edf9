//! The deepest input the parser accepts fits in 64 KiB of stack, so small-stack threads and
//! wasm (whose default stack is 1 MiB, shared with everything above the parser) never
//! overflow: each nesting context is parsed at its deepest accepted level, one level deeper
//! (a `TooDeep` error) and 10,000 levels deep, on a thread with a 64 KiB stack. The unit
//! tests run unoptimised, whose stack frames are the largest the parser has.

use super::{MAX_DEPTH, ParseErrorKind, parse_response};

/// The stack the parser must fit in.
const STACK: usize = 64 * 1024;

/// `levels` multiparts nested inside each other around one text part.
fn multipart(levels: usize) -> Vec<u8> {
    let mut out = b"* 1 FETCH (BODYSTRUCTURE ".to_vec();
    out.extend(std::iter::repeat_n(b'(', levels));
    out.extend_from_slice(b"(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 1 1)");
    out.extend(std::iter::repeat_n(&b" \"MIXED\")"[..], levels).flatten());
    out.extend_from_slice(b")\r\n");
    out
}

/// `levels` message/rfc822 parts nested inside each other, each with an envelope.
fn message(levels: usize) -> Vec<u8> {
    let mut part = b"(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1)".to_vec();
    for _ in 0..levels {
        let mut outer = b"(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 1 \
            (NIL \"s\" ((\"n\" NIL \"m\" \"h\")) NIL NIL NIL NIL NIL NIL NIL) "
            .to_vec();
        outer.extend_from_slice(&part);
        outer.extend_from_slice(b" 1)");
        part = outer;
    }
    let mut out = b"* 1 FETCH (BODYSTRUCTURE ".to_vec();
    out.extend_from_slice(&part);
    out.extend_from_slice(b")\r\n");
    out
}

/// A single part whose extension data nests `levels` lists (`body-extension` is recursive).
fn extension(levels: usize) -> Vec<u8> {
    let mut out =
        b"* 1 FETCH (BODYSTRUCTURE (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1 NIL NIL NIL NIL "
            .to_vec();
    out.extend(std::iter::repeat_n(b'(', levels));
    out.push(b'1');
    out.extend(std::iter::repeat_n(b')', levels));
    out.extend_from_slice(b"))\r\n");
    out
}

/// A THREAD answer nesting `levels` lists.
fn thread(levels: usize) -> Vec<u8> {
    let mut out = b"* THREAD ".to_vec();
    out.extend(std::iter::repeat_n(&b"(1 "[..], levels).flatten());
    out.push(b'2');
    out.extend(std::iter::repeat_n(b')', levels));
    out.extend_from_slice(b"\r\n");
    out
}

/// An unknown FETCH item whose value nests `levels` lists (skipped by `skip_value`).
fn unknown_item(levels: usize) -> Vec<u8> {
    let mut out = b"* 1 FETCH (X-UNKNOWN ".to_vec();
    out.extend(std::iter::repeat_n(b'(', levels));
    out.push(b'1');
    out.extend(std::iter::repeat_n(b')', levels));
    out.extend_from_slice(b")\r\n");
    out
}

/// Builds a response nesting the given number of levels.
type Make = fn(usize) -> Vec<u8>;

/// The largest nesting `make` accepts (searched on the test's own, larger stack).
fn deepest(make: Make) -> usize {
    (1..=MAX_DEPTH + 1)
        .take_while(|&levels| parse_response(&make(levels)).is_ok())
        .last()
        .expect("one level parses")
}

#[test]
fn the_deepest_accepted_input_fits_in_64_kib_of_stack() {
    let contexts: [(&str, Make); 5] = [
        ("nested multiparts", multipart),
        ("nested message/rfc822 parts", message),
        ("nested body extension data", extension),
        ("nested THREAD lists", thread),
        ("nested unknown FETCH item", unknown_item),
    ];
    for (name, make) in contexts {
        let levels = deepest(make);
        // The limit is reached, not an earlier parse failure.
        assert!(
            levels + 5 >= MAX_DEPTH,
            "{name}: only {levels} levels parse"
        );
        let inputs = [make(levels), make(levels + 1), make(10_000)];
        let results = std::thread::Builder::new()
            .name(format!("64 KiB stack: {name}"))
            .stack_size(STACK)
            .spawn(move || {
                inputs
                    .iter()
                    .map(|input| parse_response(input).map(|_| ()).map_err(|e| e.kind))
                    .collect::<Vec<_>>()
            })
            .expect("spawn")
            .join()
            .expect("the parse returns instead of overflowing the stack");
        assert_eq!(
            results,
            [
                Ok(()),
                Err(ParseErrorKind::TooDeep),
                Err(ParseErrorKind::TooDeep)
            ],
            "{name}: deepest ({levels} levels) parses, deeper is TooDeep"
        );
    }
}
