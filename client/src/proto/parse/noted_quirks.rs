//! Which tolerated quirks ([`Quirk`]) the parser needed for the response it parsed: the
//! parser notes them, the session takes them after each response and counts them per
//! connection. Also whether the parse keeps untyped values ([`keeping_untyped`]). Depends on
//! nothing else in the parser, so every parser module can use it.

use crate::types::Quirk;
use crate::types::quirk;

std::thread_local! {
    /// The quirks ([`Quirk`]) the parser needed on this thread since the last
    /// `take_noted_quirks`, as a mask of `quirk::bit`s. A thread-local keeps the parser's
    /// signatures free of it; parsing never yields, so one response's notes are taken before
    /// the next response is parsed on the same thread.
    static NOTED: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    /// Whether the parse on this thread keeps a known item whose value does not parse as an
    /// untyped item ([`keeping_untyped`]).
    static KEEP_UNTYPED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether a known FETCH or STATUS item whose value does not parse is kept untyped (with its
/// raw bytes) instead of failing the response: only in the last attempt at a response
/// ([`parse_keeping_untyped`](super::parse_keeping_untyped)), so that a repair that types
/// the value ([`repair`](super::repair)) is tried first.
pub(crate) fn keeping_untyped() -> bool {
    KEEP_UNTYPED.with(std::cell::Cell::get)
}

/// Sets [`keeping_untyped`] for the parses that follow on this thread.
pub(super) fn set_keeping_untyped(on: bool) {
    KEEP_UNTYPED.with(|k| k.set(on));
}

/// Notes that the response being parsed needed `quirk`.
pub(crate) fn note_quirk(quirk: Quirk) {
    NOTED.with(|n| n.set(n.get() | quirk::bit(quirk)));
}

/// The quirks noted since the last call (a mask of `quirk::bit`s), clearing them.
pub(crate) fn take_noted_quirks() -> u64 {
    NOTED.with(|n| n.replace(0))
}

/// The quirks noted since the last [`take_noted_quirks`], without clearing them.
pub(crate) fn noted_quirks() -> u64 {
    NOTED.with(std::cell::Cell::get)
}

/// Sets the noted quirks back to `mask` (from [`noted_quirks`]): drops the notes made by an
/// attempt whose result is not kept.
pub(crate) fn restore_noted_quirks(mask: u64) {
    NOTED.with(|n| n.set(mask));
}
