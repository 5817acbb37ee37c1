//! A per-socket token bucket. Time is an argument, so the refill arithmetic is unit-tested
//! without sleeping.

use std::time::{Duration, Instant};

/// How many records of a `records:create` batch one token pays for. A batch is one frame, one
/// dispatch and one queue slot, and its records are stored back to back: at 25 records a
/// token, a socket's default budget (40 tokens, 20 a second) takes a backlog of 1,000 records
/// at once and 500 a second after that, while single events stay at 20 a second.
pub const RECORDS_PER_TOKEN: usize = 25;

/// What an incoming event costs: one token, or one per [`RECORDS_PER_TOKEN`] records (rounded
/// up) for a `records:create` batch.
pub fn event_cost(name: &str, data: &serde_json::Value) -> u32 {
    if name != "records:create" {
        return 1;
    }
    let records = data
        .get("records")
        .and_then(serde_json::Value::as_array)
        .map_or(0, Vec::len);
    u32::try_from(records.div_ceil(RECORDS_PER_TOKEN))
        .unwrap_or(u32::MAX)
        .max(1)
}

/// `capacity` tokens, refilled at `per_sec`; each event takes its cost (one for most).
#[derive(Debug, Clone)]
pub struct TokenBucket {
    capacity: f64,
    per_sec: f64,
    tokens: f64,
    last: Instant,
}

impl TokenBucket {
    /// A full bucket at `now`.
    pub fn new(capacity: u32, per_sec: f64, now: Instant) -> Self {
        TokenBucket {
            capacity: f64::from(capacity.max(1)),
            per_sec: per_sec.max(0.0),
            tokens: f64::from(capacity.max(1)),
            last: now,
        }
    }

    /// Takes a token if one is available at `now`.
    pub fn try_take(&mut self, now: Instant) -> bool {
        self.try_take_n(1, now).is_ok()
    }

    /// Takes `cost` tokens if they are available at `now`; otherwise takes nothing and says
    /// how long until they will be (a cost above the capacity is charged as the capacity, so
    /// nothing is refused for ever).
    pub fn try_take_n(&mut self, cost: u32, now: Instant) -> Result<(), Duration> {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.last = self.last.max(now);
        self.tokens = (self.tokens + elapsed * self.per_sec).min(self.capacity);
        let cost = f64::from(cost).min(self.capacity);
        if self.tokens >= cost {
            self.tokens -= cost;
            return Ok(());
        }
        let missing = cost - self.tokens;
        Err(if self.per_sec > 0.0 {
            Duration::from_secs_f64(missing / self.per_sec)
        } else {
            Duration::MAX
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn burst_then_refill() {
        let t0 = Instant::now();
        let mut bucket = TokenBucket::new(3, 2.0, t0);
        assert!((0..3).all(|_| bucket.try_take(t0)));
        assert!(!bucket.try_take(t0), "burst exhausted");
        assert!(
            !bucket.try_take(t0 + Duration::from_millis(400)),
            "0.8 tokens"
        );
        assert!(bucket.try_take(t0 + Duration::from_millis(500)));
        // Refill never exceeds the capacity.
        let later = t0 + Duration::from_secs(60);
        assert!((0..3).all(|_| bucket.try_take(later)));
        assert!(!bucket.try_take(later));
    }

    #[test]
    fn a_costly_event_waits_for_its_tokens_and_is_told_how_long() {
        let t0 = Instant::now();
        let mut bucket = TokenBucket::new(40, 20.0, t0);
        assert_eq!(bucket.try_take_n(38, t0), Ok(()));
        assert_eq!(
            bucket.try_take_n(4, t0),
            Err(Duration::from_millis(100)),
            "2 tokens missing at 20 a second"
        );
        assert_eq!(
            bucket.try_take_n(4, t0 + Duration::from_millis(100)),
            Ok(())
        );
        // Never more than the capacity: a cost above it waits for a full bucket.
        assert_eq!(
            bucket.try_take_n(1000, t0 + Duration::from_secs(60)),
            Ok(())
        );
    }

    #[test]
    fn a_batch_costs_a_token_per_25_records() {
        let batch = |n: usize| serde_json::json!({ "records": vec![serde_json::json!({}); n] });
        assert_eq!(event_cost("quickNote:create", &batch(100)), 1);
        assert_eq!(event_cost("records:create", &batch(0)), 1);
        assert_eq!(event_cost("records:create", &batch(1)), 1);
        assert_eq!(event_cost("records:create", &batch(25)), 1);
        assert_eq!(event_cost("records:create", &batch(26)), 2);
        assert_eq!(event_cost("records:create", &batch(100)), 4);
        assert_eq!(event_cost("records:create", &serde_json::json!("junk")), 1);
    }
}
