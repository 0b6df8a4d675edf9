use std::net::IpAddr;

use super::*;

fn ip(s: &str) -> IpAddr {
    s.parse().expect("ip")
}

fn caps(max_connections: usize, max_connections_per_ip: usize, budget: usize) -> Caps {
    Caps {
        max_connections,
        max_connections_per_ip,
        descriptors: DescriptorBudget {
            limit: None,
            connections: budget,
        },
    }
}

/// The outcome of `n` accepts from `from`, holding every connection in `held`.
fn accept_n(
    admission: &Arc<Admission>,
    from: IpAddr,
    n: usize,
    held: &mut Vec<Held>,
) -> Vec<Result<Result<(), Reason>, Reason>> {
    (0..n)
        .map(|_| {
            admission.accept(from, false).map(|h| {
                let admitted = h.admitted();
                held.push(h);
                admitted
            })
        })
        .collect()
}

#[test]
fn past_the_per_ip_cap_a_grace_band_is_held_then_sockets_are_closed_at_accept() {
    let admission = Admission::new(caps(1000, 2, usize::MAX));
    let flood = ip("192.0.2.1");
    let mut held = Vec::new();
    let outcomes = accept_n(&admission, flood, 2 + GRACE_PER_IP + 3, &mut held);
    let mut expected = vec![Ok(Ok(())); 2];
    expected.extend(vec![Ok(Err(Reason::LimitPerIp)); GRACE_PER_IP]);
    expected.extend(vec![Err(Reason::LimitPerIpAtAccept); 3]);
    assert_eq!(outcomes, expected);
    assert_eq!(admission.held(), 2 + GRACE_PER_IP);
    // Another address is admitted as usual.
    let other = admission.accept(ip("192.0.2.2"), false).expect("held");
    assert_eq!(other.admitted(), Ok(()));
    assert_eq!(admission.held(), 3 + GRACE_PER_IP);
}

#[test]
fn releasing_connections_frees_exactly_their_counts() {
    let admission = Admission::new(caps(1000, 2, usize::MAX));
    let from = ip("192.0.2.1");
    let mut held = Vec::new();
    assert_eq!(
        accept_n(&admission, from, 3, &mut held),
        vec![Ok(Ok(())), Ok(Ok(())), Ok(Err(Reason::LimitPerIp))]
    );
    // The held-over-cap one leaves: the two admitted still fill the cap.
    held.pop();
    assert_eq!(
        accept_n(&admission, from, 1, &mut held),
        vec![Ok(Err(Reason::LimitPerIp))]
    );
    held.pop();
    // One admitted leaves: exactly one more is admitted.
    held.remove(0);
    assert_eq!(admission.held(), 1);
    assert_eq!(
        accept_n(&admission, from, 2, &mut held),
        vec![Ok(Ok(())), Ok(Err(Reason::LimitPerIp))]
    );
    held.clear();
    assert_eq!(admission.held(), 0);
    assert_eq!(
        accept_n(&admission, from, 3, &mut held),
        vec![Ok(Ok(())), Ok(Ok(())), Ok(Err(Reason::LimitPerIp))]
    );
}

#[test]
fn past_the_global_cap_a_grace_band_is_held_then_sockets_are_closed_at_accept() {
    let admission = Admission::new(caps(3, 1000, usize::MAX));
    let mut held = Vec::new();
    let mut outcomes = Vec::new();
    for i in 0..(3 + GRACE_GLOBAL + 2) {
        let from = IpAddr::from([10, 0, (i / 256) as u8, (i % 256) as u8]);
        outcomes.extend(accept_n(&admission, from, 1, &mut held));
    }
    let mut expected = vec![Ok(Ok(())); 3];
    expected.extend(vec![Ok(Err(Reason::LimitGlobal)); GRACE_GLOBAL]);
    expected.extend(vec![Err(Reason::LimitGlobalAtAccept); 2]);
    assert_eq!(outcomes, expected);
    held.remove(0);
    assert_eq!(
        accept_n(&admission, ip("10.9.9.9"), 1, &mut held),
        vec![Ok(Ok(()))]
    );
}

#[test]
fn when_descriptors_run_short_every_address_is_closed_at_accept() {
    let admission = Admission::new(caps(1000, 1000, 4));
    let mut held = Vec::new();
    let first = accept_n(&admission, ip("192.0.2.1"), 4, &mut held);
    assert_eq!(first, vec![Ok(Ok(())); 4]);
    assert_eq!(
        accept_n(&admission, ip("192.0.2.2"), 1, &mut held),
        vec![Err(Reason::Descriptors)]
    );
    held.pop();
    assert_eq!(
        accept_n(&admission, ip("192.0.2.2"), 2, &mut held),
        vec![Ok(Ok(())), Err(Reason::Descriptors)]
    );
}

#[test]
fn the_descriptor_budget_keeps_a_reserve_and_two_per_connection() {
    assert_eq!(DescriptorBudget::for_limit(Some(512)).connections, 224);
    assert_eq!(DescriptorBudget::for_limit(Some(1024)).connections, 480);
    assert_eq!(DescriptorBudget::for_limit(Some(66)).connections, 1);
    assert_eq!(DescriptorBudget::for_limit(Some(65)).connections, 0);
    assert_eq!(DescriptorBudget::for_limit(Some(10)).connections, 0);
    assert_eq!(DescriptorBudget::for_limit(None).connections, usize::MAX);
    assert_eq!(DescriptorBudget::for_limit(Some(512)).limit, Some(512));
}

#[test]
fn the_process_limit_is_read_and_raised_to_the_hard_limit() {
    // Below the hard limit first (lowering the soft limit is always allowed), so raising it
    // has something to do.
    #[cfg(unix)]
    {
        use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
        let limits = getrlimit(Resource::Nofile);
        if let Some(hard) = limits.maximum {
            let lowered = Rlimit {
                current: Some(hard - 1),
                maximum: Some(hard),
            };
            setrlimit(Resource::Nofile, lowered).expect("lower the soft limit");
            assert_eq!(nofile_soft_limit(), Some(hard - 1));
        }
    }
    let before = nofile_soft_limit();
    let after = raise_nofile_limit();
    assert!(after >= before, "{before:?} -> {after:?}");
    assert_eq!(
        DescriptorBudget::current(),
        DescriptorBudget::for_limit(after)
    );
    #[cfg(unix)]
    assert_eq!(
        after,
        rustix::process::getrlimit(rustix::process::Resource::Nofile).maximum
    );
}

#[test]
fn the_debug_form_shows_the_caps() {
    let admission = Admission::new(caps(7, 3, 5));
    let shown = format!("{admission:?}");
    assert!(
        shown.starts_with("Admission { caps: Caps { max_connections: 7, max_connections_per_ip: 3"),
        "{shown}"
    );
}

#[test]
fn behind_a_trusted_proxy_the_per_address_cap_applies_to_the_named_client() {
    let admission = Admission::new(caps(1000, 2, usize::MAX));
    let proxy = ip("10.0.0.1");
    // Far past the per-IP cap plus grace from the proxy's own address: all held.
    let mut held: Vec<Held> = (0..2 + GRACE_PER_IP + 5)
        .map(|_| admission.accept(proxy, true).expect("held"))
        .collect();
    assert_eq!(admission.held(), 2 + GRACE_PER_IP + 5);
    let a = ip("203.0.113.1");
    let outcomes: Vec<_> = held.iter_mut().take(3).map(|h| h.admit_client(a)).collect();
    assert_eq!(outcomes, vec![Ok(()), Ok(()), Err(Reason::LimitPerIp)]);
    // Asking again gives the same answer and counts nothing twice.
    assert_eq!(held[0].admit_client(a), Ok(()));
    assert_eq!(
        held[2].admit_client(ip("203.0.113.2")),
        Err(Reason::LimitPerIp)
    );
    assert_eq!(held[3].admit_client(ip("203.0.113.2")), Ok(()));
    // A direct connection from `a` shares the count with the proxied ones.
    assert_eq!(
        admission.accept(a, false).expect("held").admitted(),
        Err(Reason::LimitPerIp)
    );
    // Releasing one of `a`'s sessions frees one place for `a`.
    held.remove(0);
    assert_eq!(held[3].admit_client(a), Ok(()));
    assert_eq!(held[4].admit_client(a), Err(Reason::LimitPerIp));
    // A direct connection's admission is decided at accept, whatever is asked later.
    let mut direct = admission.accept(ip("198.51.100.1"), false).expect("held");
    assert_eq!(direct.admit_client(a), Ok(()));
    drop(direct);
    held.clear();
    assert_eq!(admission.held(), 0);
    let mut again = admission.accept(proxy, true).expect("held");
    assert_eq!(again.admit_client(a), Ok(()));
}

#[test]
fn behind_a_trusted_proxy_the_global_cap_still_applies_at_accept() {
    let admission = Admission::new(caps(2, 1000, usize::MAX));
    let proxy = ip("10.0.0.1");
    let mut held: Vec<Held> = (0..3)
        .map(|_| admission.accept(proxy, true).expect("held"))
        .collect();
    assert_eq!(
        held.iter_mut()
            .map(|h| h.admit_client(ip("203.0.113.1")))
            .collect::<Vec<_>>(),
        vec![Ok(()), Ok(()), Err(Reason::LimitGlobal)]
    );
}
