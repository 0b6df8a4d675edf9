//! Open sessions per ticket subject, under `limits.max_sessions_per_subject`.
//!
//! A version-2 ticket names a subject (a user or account id the app backend chose; see
//! [`daaki_imap::wire`], "Tickets"). Once such a ticket is verified, the session takes a
//! [`SubjectSlot`] for its subject and holds it until it ends; a subject with
//! `max_sessions_per_subject` slots taken gets no more (the connection is closed with
//! `LimitReached`). Version-1 tickets and bridges without tickets have no subject and are not
//! counted here.
//!
//! Memory is bounded by the sessions open: a subject has an entry only while it holds a slot
//! (the last slot to go removes it). The counts are this process's own: several bridge
//! instances behind a load balancer each count their own sessions.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use daaki_imap::wire::TicketSubject;

/// Open sessions per subject, under a cap (0 = unlimited).
pub struct Subjects {
    max_per_subject: usize,
    open: Mutex<HashMap<TicketSubject, usize>>,
}

impl std::fmt::Debug for Subjects {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subjects")
            .field("max_per_subject", &self.max_per_subject)
            .field("subjects", &self.subjects())
            .finish()
    }
}

impl Subjects {
    /// No sessions yet, at most `max_per_subject` per subject (0 = unlimited: nothing is
    /// counted, every acquisition succeeds).
    pub fn new(max_per_subject: usize) -> Arc<Self> {
        Arc::new(Self {
            max_per_subject,
            open: Mutex::default(),
        })
    }

    /// The cap (0 = unlimited).
    pub fn max_per_subject(&self) -> usize {
        self.max_per_subject
    }

    /// A slot for one more session of `subject`, held until the slot is dropped; `None` when
    /// `subject` already holds `max_per_subject` slots.
    pub fn try_acquire(self: &Arc<Self>, subject: &TicketSubject) -> Option<SubjectSlot> {
        if self.max_per_subject == 0 {
            return Some(SubjectSlot {
                subjects: self.clone(),
                subject: None,
            });
        }
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        let here = open.get(subject).copied().unwrap_or(0);
        if here >= self.max_per_subject {
            return None;
        }
        open.insert(subject.clone(), here + 1);
        Some(SubjectSlot {
            subjects: self.clone(),
            subject: Some(subject.clone()),
        })
    }

    /// The slots `subject` holds now (always 0 when unlimited: nothing is counted).
    pub fn open(&self, subject: &TicketSubject) -> usize {
        self.open
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(subject)
            .copied()
            .unwrap_or(0)
    }

    /// How many subjects hold a slot now (the entries kept in memory).
    pub fn subjects(&self) -> usize {
        self.open
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    fn release(&self, subject: &TicketSubject) {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(n) = open.get_mut(subject) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                open.remove(subject);
            }
        }
    }
}

/// One session's place under its subject's cap; dropping it frees the place (and the
/// subject's entry with its last place).
pub struct SubjectSlot {
    subjects: Arc<Subjects>,
    /// `None`: unlimited, nothing was counted.
    subject: Option<TicketSubject>,
}

impl std::fmt::Debug for SubjectSlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SubjectSlot")
            .field("subject", &self.subject)
            .finish_non_exhaustive()
    }
}

impl SubjectSlot {
    /// The subject this slot counts under (`None` when the cap is unlimited).
    pub fn subject(&self) -> Option<&TicketSubject> {
        self.subject.as_ref()
    }
}

impl Drop for SubjectSlot {
    fn drop(&mut self) {
        if let Some(subject) = &self.subject {
            self.subjects.release(subject);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subject(s: &str) -> TicketSubject {
        TicketSubject::new(s).expect("subject")
    }

    #[test]
    fn a_subject_gets_exactly_the_cap_and_the_next_is_refused() {
        let subjects = Subjects::new(3);
        let alice = subject("alice");
        let slots: Vec<_> = (0..3)
            .map(|i| {
                let slot = subjects.try_acquire(&alice).expect("within the cap");
                assert_eq!(subjects.open(&alice), i + 1);
                slot
            })
            .collect();
        assert!(subjects.try_acquire(&alice).is_none(), "cap reached");
        assert!(subjects.try_acquire(&alice).is_none(), "still reached");
        assert_eq!(subjects.open(&alice), 3, "a refusal counts nothing");
        assert_eq!(slots[0].subject(), Some(&alice));
        assert_eq!(subjects.max_per_subject(), 3);
    }

    #[test]
    fn subjects_are_counted_separately() {
        let subjects = Subjects::new(1);
        let (alice, bob) = (subject("alice"), subject("bob"));
        let _a = subjects.try_acquire(&alice).expect("alice");
        assert!(subjects.try_acquire(&alice).is_none());
        let _b = subjects.try_acquire(&bob).expect("bob is not alice");
        assert!(subjects.try_acquire(&bob).is_none());
        // Subjects are compared exactly (case and all).
        let _c = subjects.try_acquire(&subject("Alice")).expect("Alice");
        assert_eq!((subjects.open(&alice), subjects.open(&bob)), (1, 1));
        assert_eq!(subjects.subjects(), 3);
    }

    #[test]
    fn dropping_a_slot_frees_it_and_the_last_one_removes_the_entry() {
        let subjects = Subjects::new(2);
        let alice = subject("alice");
        let a = subjects.try_acquire(&alice).expect("a");
        let b = subjects.try_acquire(&alice).expect("b");
        assert!(subjects.try_acquire(&alice).is_none());
        drop(a);
        assert_eq!(subjects.open(&alice), 1);
        assert_eq!(subjects.subjects(), 1, "still held by b");
        let c = subjects
            .try_acquire(&alice)
            .expect("a's place is free again");
        assert!(subjects.try_acquire(&alice).is_none());
        drop(b);
        drop(c);
        assert_eq!(subjects.open(&alice), 0);
        assert_eq!(subjects.subjects(), 0, "no entry without open sessions");
        // And it starts from zero again.
        let _d = subjects.try_acquire(&alice).expect("d");
        let _e = subjects.try_acquire(&alice).expect("e");
        assert!(subjects.try_acquire(&alice).is_none());
    }

    #[test]
    fn memory_is_bounded_by_the_open_sessions() {
        let subjects = Subjects::new(1);
        for i in 0..1000 {
            let slot = subjects.try_acquire(&subject(&format!("user-{i}")));
            assert!(slot.is_some());
            assert_eq!(subjects.subjects(), 1);
        }
        assert_eq!(subjects.subjects(), 0);
    }

    #[test]
    fn zero_means_unlimited_and_counts_nothing() {
        let subjects = Subjects::new(0);
        let alice = subject("alice");
        let slots: Vec<_> = (0..100)
            .map(|_| subjects.try_acquire(&alice).expect("unlimited"))
            .collect();
        assert_eq!(subjects.open(&alice), 0);
        assert_eq!(subjects.subjects(), 0);
        assert_eq!(slots[0].subject(), None);
        drop(slots);
        assert_eq!(subjects.subjects(), 0);
    }

    #[test]
    fn a_cap_of_one_admits_exactly_one() {
        let subjects = Subjects::new(1);
        let alice = subject("alice");
        let a = subjects.try_acquire(&alice).expect("the first");
        assert!(subjects.try_acquire(&alice).is_none());
        drop(a);
        assert!(subjects.try_acquire(&alice).is_some());
    }

    #[test]
    fn debug_shows_the_cap_and_the_number_of_subjects() {
        let subjects = Subjects::new(4);
        let slot = subjects.try_acquire(&subject("alice")).expect("slot");
        assert_eq!(
            format!("{subjects:?}"),
            "Subjects { max_per_subject: 4, subjects: 1 }"
        );
        assert_eq!(
            format!("{slot:?}"),
            "SubjectSlot { subject: Some(TicketSubject(\"alice\")), .. }"
        );
    }

    #[test]
    fn concurrent_acquisitions_never_exceed_the_cap() {
        let subjects = Subjects::new(5);
        let alice = subject("alice");
        let granted = std::sync::atomic::AtomicUsize::new(0);
        let held = Mutex::new(Vec::new());
        std::thread::scope(|scope| {
            for _ in 0..8 {
                scope.spawn(|| {
                    for _ in 0..50 {
                        if let Some(slot) = subjects.try_acquire(&alice) {
                            granted.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            held.lock().expect("lock").push(slot);
                        }
                    }
                });
            }
        });
        assert_eq!(granted.into_inner(), 5);
        assert_eq!(subjects.open(&alice), 5);
        held.lock().expect("lock").clear();
        assert_eq!(subjects.subjects(), 0);
    }
}
