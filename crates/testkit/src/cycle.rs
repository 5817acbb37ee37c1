//! [`CyclePlan`] and [`CycleRun`]: a proxy rotating through faults for a bounded time, on a
//! seeded schedule so a failing run can be replayed.

use std::sync::Arc;
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio::sync::Notify;
use tokio::task::JoinHandle;

use crate::fault_proxy::{Fault, Shared};

/// Which faults to rotate through, how long each is held, for how long in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CyclePlan {
    /// The faults to draw from. The next one is drawn at random among the others, so one is
    /// never held twice in a row (when there are at least two).
    pub faults: Vec<Fault>,
    /// Shortest hold of one fault.
    pub hold_min: Duration,
    /// Longest hold of one fault.
    pub hold_max: Duration,
    /// How long the whole run lasts; then the proxy is healed.
    pub total: Duration,
    /// The seed of the draws.
    pub seed: u64,
}

/// One step of a schedule: `fault` in force for `hold`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CycleStep {
    /// The fault.
    pub fault: Fault,
    /// How long it is held.
    pub hold: Duration,
}

impl CyclePlan {
    /// Holds of `every` ± 50 %.
    pub fn new(faults: Vec<Fault>, every: Duration, total: Duration, seed: u64) -> CyclePlan {
        CyclePlan {
            faults,
            hold_min: every / 2,
            hold_max: every * 3 / 2,
            total,
            seed,
        }
    }

    /// The steps the run applies, the same for the same plan: holds add up to `total` (the
    /// last one cut short). Pure, so a test can print or compare it without running it.
    pub fn schedule(&self) -> Vec<CycleStep> {
        let mut steps = Vec::new();
        if self.faults.is_empty() {
            return steps;
        }
        let mut rng = StdRng::seed_from_u64(self.seed);
        let (min, max) = (
            self.hold_min.min(self.hold_max),
            self.hold_min.max(self.hold_max),
        );
        // At least a millisecond per step, so a zero hold cannot loop forever.
        let (min, max) = (
            min.max(Duration::from_millis(1)),
            max.max(Duration::from_millis(1)),
        );
        let mut left = self.total;
        let mut previous: Option<usize> = None;
        while !left.is_zero() {
            let n = self.faults.len();
            let index = match previous {
                Some(p) if n > 1 => (p + 1 + rng.gen_range(0..n - 1)) % n,
                _ => rng.gen_range(0..n),
            };
            previous = Some(index);
            let hold = rng.gen_range(min..=max).min(left);
            left -= hold;
            steps.push(CycleStep {
                fault: self.faults[index].clone(),
                hold,
            });
        }
        steps
    }
}

/// A running cycle. It heals the proxy and ends by itself after the plan's total time, or
/// earlier on [`CycleRun::stop`] or when dropped.
#[derive(Debug)]
pub struct CycleRun {
    stop: Arc<Notify>,
    task: Option<JoinHandle<Vec<CycleStep>>>,
}

impl CycleRun {
    pub(crate) fn start(shared: Arc<Shared>, plan: CyclePlan) -> CycleRun {
        let stop = Arc::new(Notify::new());
        let stopped = stop.clone();
        let task = tokio::spawn(async move {
            let mut applied = Vec::new();
            for step in plan.schedule() {
                shared.set(step.fault.clone());
                let hold = step.hold;
                applied.push(step);
                tokio::select! {
                    () = tokio::time::sleep(hold) => {}
                    () = stopped.notified() => break,
                }
            }
            shared.set(Fault::Healthy);
            applied
        });
        CycleRun {
            stop,
            task: Some(task),
        }
    }

    /// Ends the run early (the proxy is healed).
    pub fn stop(&self) {
        self.stop.notify_one();
    }

    /// Waits for the run to end; returns the steps it applied (the last one possibly cut
    /// short by a stop).
    pub async fn finished(mut self) -> Vec<CycleStep> {
        match self.task.take() {
            Some(task) => task.await.unwrap_or_default(),
            None => Vec::new(),
        }
    }
}

impl Drop for CycleRun {
    fn drop(&mut self) {
        self.stop.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(seed: u64) -> CyclePlan {
        CyclePlan::new(
            vec![
                Fault::BlackHole,
                Fault::Reset,
                Fault::Latency {
                    delay: Duration::from_millis(50),
                    jitter: Duration::from_millis(20),
                },
            ],
            Duration::from_secs(3),
            Duration::from_secs(60),
            seed,
        )
    }

    #[test]
    fn a_seed_gives_the_same_schedule_bounded_by_the_total() {
        let schedule = plan(7).schedule();
        assert_eq!(schedule, plan(7).schedule());
        assert_ne!(schedule, plan(8).schedule());
        let total: Duration = schedule.iter().map(|s| s.hold).sum();
        assert_eq!(total, Duration::from_secs(60));
        for pair in schedule.windows(2) {
            assert_ne!(
                pair[0].fault, pair[1].fault,
                "never the same twice in a row"
            );
        }
        for step in &schedule[..schedule.len() - 1] {
            assert!(
                (Duration::from_millis(1500)..=Duration::from_millis(4500)).contains(&step.hold),
                "{step:?}"
            );
        }
    }

    #[test]
    fn no_faults_no_steps() {
        let mut empty = plan(1);
        empty.faults.clear();
        assert!(empty.schedule().is_empty());
    }
}
