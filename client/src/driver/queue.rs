//! A bounded queue that never drops silently.
//!
//! When the queue is full, the *oldest* entry is dropped and counted; the next time the
//! consumer pops, it first receives one `Overflow { dropped }` marker saying how many entries
//! it lost, then the surviving entries in order.

use std::collections::VecDeque;

/// What [`BoundedQueue::pop`] yields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Popped<T> {
    /// An entry, in arrival order.
    Item(T),
    /// `dropped` entries were discarded (oldest first) because the queue was full.
    Overflow {
        /// How many entries were lost since the last marker.
        dropped: u64,
    },
}

/// A FIFO with a fixed capacity and an explicit overflow marker.
#[derive(Debug, Clone)]
pub(crate) struct BoundedQueue<T> {
    items: VecDeque<T>,
    capacity: usize,
    dropped: u64,
}

impl<T> BoundedQueue<T> {
    /// A queue holding at most `capacity` entries (at least 1).
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            items: VecDeque::new(),
            capacity: capacity.max(1),
            dropped: 0,
        }
    }

    /// Appends `item`, dropping (and counting) the oldest entry when full.
    pub(crate) fn push(&mut self, item: T) {
        if self.items.len() == self.capacity {
            self.items.pop_front();
            self.dropped += 1;
        }
        self.items.push_back(item);
    }

    /// The overflow marker first (if anything was dropped), then entries in order.
    pub(crate) fn pop(&mut self) -> Option<Popped<T>> {
        if self.dropped > 0 {
            let dropped = std::mem::take(&mut self.dropped);
            return Some(Popped::Overflow { dropped });
        }
        self.items.pop_front().map(Popped::Item)
    }

    /// Number of entries held (not counting a pending overflow marker).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether nothing (not even an overflow marker) is pending.
    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.items.is_empty() && self.dropped == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_order_below_capacity() {
        let mut q = BoundedQueue::new(3);
        assert!(q.is_empty());
        q.push(1);
        assert!(!q.is_empty());
        q.push(2);
        assert_eq!(q.pop(), Some(Popped::Item(1)));
        assert_eq!(q.pop(), Some(Popped::Item(2)));
        assert_eq!(q.pop(), None);
        assert!(q.is_empty());
    }

    #[test]
    fn overflow_drops_oldest_and_reports_once() {
        let mut q = BoundedQueue::new(2);
        for i in 1..=5 {
            q.push(i);
        }
        assert_eq!(q.len(), 2);
        assert!(!q.is_empty());
        assert_eq!(q.pop(), Some(Popped::Overflow { dropped: 3 }));
        assert_eq!(q.pop(), Some(Popped::Item(4)));
        assert_eq!(q.pop(), Some(Popped::Item(5)));
        assert_eq!(q.pop(), None);
    }

    #[test]
    fn zero_capacity_is_clamped_to_one() {
        let mut q = BoundedQueue::new(0);
        q.push('a');
        q.push('b');
        assert_eq!(q.pop(), Some(Popped::Overflow { dropped: 1 }));
        assert_eq!(q.pop(), Some(Popped::Item('b')));
    }
}
