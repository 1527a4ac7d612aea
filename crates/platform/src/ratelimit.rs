//! Sign-in throttling: at most N failed attempts per account and address in
//! a sliding window, so that guessing a password from one place is slow and
//! one attacker cannot lock a person out from everywhere.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

/// Failure times per (account, address), oldest first.
type Failures = HashMap<(String, IpAddr), VecDeque<i64>>;

#[derive(Clone)]
pub struct SignInLimiter {
    max: usize,
    window_secs: i64,
    failures: Arc<Mutex<Failures>>,
}

impl SignInLimiter {
    pub fn new(max: u32, window_minutes: u64) -> Self {
        SignInLimiter {
            max: max as usize,
            window_secs: (window_minutes * 60) as i64,
            failures: Arc::default(),
        }
    }

    /// Whether another attempt is allowed now.
    pub fn allowed(&self, email: &str, ip: IpAddr, now: i64) -> bool {
        let mut map = self.failures.lock().expect("limiter poisoned");
        let key = (email.to_lowercase(), ip);
        match map.get_mut(&key) {
            Some(times) => {
                while times.front().is_some_and(|&t| now - t >= self.window_secs) {
                    times.pop_front();
                }
                times.len() < self.max
            }
            None => true,
        }
    }

    pub fn record_failure(&self, email: &str, ip: IpAddr, now: i64) {
        let mut map = self.failures.lock().expect("limiter poisoned");
        // Bound memory under a flood of made-up addresses: forget entries
        // whose window has passed.
        if map.len() > 100_000 {
            let window = self.window_secs;
            map.retain(|_, t| t.back().is_some_and(|&last| now - last < window));
        }
        map.entry((email.to_lowercase(), ip))
            .or_default()
            .push_back(now);
    }

    pub fn clear(&self, email: &str, ip: IpAddr) {
        self.failures
            .lock()
            .expect("limiter poisoned")
            .remove(&(email.to_lowercase(), ip));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_failures_lock_for_the_window_then_release() {
        let l = SignInLimiter::new(5, 15);
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        let other: IpAddr = "127.0.0.2".parse().unwrap();
        for i in 0..5 {
            assert!(l.allowed("a@b.c", ip, 1000 + i));
            l.record_failure("A@b.c", ip, 1000 + i);
        }
        assert!(!l.allowed("a@b.c", ip, 1010));
        assert!(
            l.allowed("a@b.c", other, 1010),
            "another address is not locked"
        );
        assert!(
            l.allowed("x@b.c", ip, 1010),
            "another account is not locked"
        );
        assert!(l.allowed("a@b.c", ip, 1000 + 15 * 60 + 1));
    }
}
