//! Login rate limiting: failed attempts per (email, client address) and per address inside a
//! sliding window. In memory: it guards this process, which is what answers the requests.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct LoginLimiter {
    max_failures: u32,
    max_per_address: u32,
    window: Duration,
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

impl LoginLimiter {
    /// `max_failures` per (email, address) pair; `max_per_address` for all accounts from one
    /// address together, much higher so that one person's typos behind a shared NAT do not
    /// lock the whole office out.
    pub fn new(max_failures: u32, max_per_address: u32, window: Duration) -> Self {
        LoginLimiter {
            max_failures,
            max_per_address: max_per_address.max(max_failures),
            window,
            failures: Mutex::new(HashMap::new()),
        }
    }

    fn keys(email: &str, ip: IpAddr) -> [String; 2] {
        [
            format!("{}|{ip}", crate::text::fold(email.trim())),
            format!("ip|{ip}"),
        ]
    }

    /// `Some(seconds to wait)` while this email/address pair (or the address as a whole, past
    /// `max_per_address`) is locked out.
    pub fn check(&self, email: &str, ip: IpAddr) -> Option<u64> {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let [pair, addr] = Self::keys(email, ip);
        let mut wait = None;
        for (key, limit) in [(pair, self.max_failures), (addr, self.max_per_address)] {
            if let Some(times) = map.get_mut(&key) {
                times.retain(|t| now.duration_since(*t) < self.window);
                if times.len() >= limit as usize
                    && let Some(oldest) = times.first()
                {
                    let left = self.window.saturating_sub(now.duration_since(*oldest));
                    let secs = left.as_secs().max(1);
                    wait = Some(wait.map_or(secs, |w: u64| w.max(secs)));
                }
            }
        }
        wait
    }

    pub fn record_failure(&self, email: &str, ip: IpAddr) {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > 100_000 {
            map.retain(|_, times| {
                times
                    .last()
                    .is_some_and(|t| now.duration_since(*t) < self.window)
            });
        }
        for key in Self::keys(email, ip) {
            map.entry(key).or_default().push(now);
        }
    }

    pub fn record_success(&self, email: &str, ip: IpAddr) {
        let [pair, _] = Self::keys(email, ip);
        self.failures
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&pair);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_after_the_allowance_and_success_resets() {
        let l = LoginLimiter::new(3, 12, Duration::from_secs(60));
        let ip = IpAddr::from([10, 0, 0, 1]);
        for _ in 0..3 {
            assert_eq!(l.check("a@x.io", ip), None);
            l.record_failure("a@x.io", ip);
        }
        let wait = l.check("A@x.io", ip).expect("locked");
        assert!((1..=60).contains(&wait));
        assert_eq!(
            l.check("b@x.io", ip),
            None,
            "other accounts from the address still work"
        );
        l.record_success("a@x.io", ip);
        assert_eq!(l.check("a@x.io", ip), None);
    }

    #[test]
    fn the_address_limit_is_separate_and_higher() {
        let l = LoginLimiter::new(3, 10, Duration::from_secs(60));
        let ip = IpAddr::from([10, 0, 0, 2]);
        for i in 0..9 {
            l.record_failure(&format!("u{i}@x.io"), ip);
        }
        assert_eq!(l.check("other@x.io", ip), None, "9 < 10 per address");
        l.record_failure("u9@x.io", ip);
        assert!(l.check("other@x.io", ip).is_some(), "10 per address");
    }
}
