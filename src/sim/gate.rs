//! The fault stage before a request is processed: rate limiting, forced 429s, dropped
//! connections and injected server errors, decided on the shared state.

use std::time::Instant;

use rand::Rng;

use super::shared::Inner;

/// What the pre-processing fault stage decided.
pub(crate) enum Gate {
    Pass,
    /// 429, with optional Retry-After seconds.
    Limited(String, Option<u64>),
    Drop,
    ServerError(u16),
}

impl Inner {
    /// Applies rate limiting and pre-processing faults to one incoming request.
    pub(crate) fn gate(&mut self, is_api: bool, is_write: bool) -> Gate {
        if self.faults.force_429 > 0 {
            self.faults.force_429 -= 1;
            return Gate::Limited(self.faults.rate_limit_message(), self.faults.retry_after);
        }
        let now = Instant::now();
        let window = self.faults.rate_window;
        while self
            .window
            .front()
            .is_some_and(|t| now.duration_since(*t) >= window)
        {
            self.window.pop_front();
        }
        // Refused requests do not count, so a client that backs off recovers once the window
        // has rolled past its earlier requests.
        if self.window.len() >= self.faults.rate_limit as usize {
            return Gate::Limited(self.faults.rate_limit_message(), None);
        }
        self.window.push_back(now);
        if self.faults.drop_before > 0 && self.drop_matches(is_write) {
            self.faults.drop_before -= 1;
            return Gate::Drop;
        }
        if is_api && self.faults.fail_rate > 0.0 && self.rng.random::<f64>() < self.faults.fail_rate
        {
            let code = [500, 502, 503][self.rng.random_range(0..3)];
            return Gate::ServerError(code);
        }
        Gate::Pass
    }

    /// Does this request take one of the armed drops (after `drop_skip` matching ones passed)?
    fn drop_matches(&mut self, is_write: bool) -> bool {
        if self.faults.drop_writes_only && !is_write {
            return false;
        }
        if self.faults.drop_skip > 0 {
            self.faults.drop_skip -= 1;
            return false;
        }
        true
    }

    /// Should the answer to a processed request be lost?
    pub(crate) fn take_drop_after(&mut self, is_write: bool) -> bool {
        if self.faults.drop_after > 0 && self.drop_matches(is_write) {
            self.faults.drop_after -= 1;
            true
        } else {
            false
        }
    }
}
