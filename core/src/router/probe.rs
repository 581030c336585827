//! Readiness over time (seed 就绪探针): kubelet runs a pod's readiness probe every
//! `periodSeconds` after `initialDelaySeconds`; the pod turns Ready after `successThreshold`
//! consecutive successes and unready after `failureThreshold` consecutive failures. The caller
//! reports outcomes or scripts them; the router moves endpoints in and out exactly then.

use crate::model::Probe;
use alloc::vec::Vec;

/// A scripted stretch of probe outcomes: `ok` for probe times before `until`.
#[derive(Clone, Copy, Debug, PartialEq, serde::Deserialize, serde::Serialize)]
pub struct ProbeStep {
    /// End of the stretch (seconds, exclusive).
    pub until: f64,
    /// The probe outcome during it.
    pub ok: bool,
}

/// One pod's probe state.
#[derive(Clone, Debug)]
pub(crate) struct ProbeState {
    probe: Probe,
    /// Whether the pod is Ready now.
    pub(crate) ready: bool,
    successes: i64,
    failures: i64,
    next_at: f64,
    script: Vec<ProbeStep>,
}

impl ProbeState {
    /// Whether this state runs `probe`.
    pub(crate) fn probes_with(&self, probe: &Probe) -> bool {
        self.probe == *probe
    }

    /// A pod that started at t = 0, Ready as its status says.
    pub(crate) fn new(probe: Probe, ready: bool) -> Self {
        Self {
            probe,
            ready,
            successes: 0,
            failures: 0,
            next_at: probe.initial_delay_seconds as f64,
            script: Vec::new(),
        }
    }

    /// Takes the readiness the pod's status reports (a watch event: the kubelet's own probes
    /// decided it); the success and failure runs start again when it changes.
    pub(crate) fn set_reported(&mut self, ready: bool) {
        if self.ready != ready {
            (self.ready, self.successes, self.failures) = (ready, 0, 0);
        }
    }

    /// Replaces the scripted outcomes (after the last step, probes succeed).
    pub(crate) fn set_script(&mut self, script: Vec<ProbeStep>) {
        self.script = script;
    }

    /// Applies one probe outcome; returns whether readiness changed.
    pub(crate) fn observe(&mut self, ok: bool) -> bool {
        if ok {
            self.successes += 1;
            self.failures = 0;
            if !self.ready && self.successes >= self.probe.success_threshold {
                self.ready = true;
                return true;
            }
        } else {
            self.failures += 1;
            self.successes = 0;
            if self.ready && self.failures >= self.probe.failure_threshold {
                self.ready = false;
                return true;
            }
        }
        false
    }

    /// Runs the scheduled probes up to `now`; returns the times readiness changed. Without a
    /// script, probes keep the pod as it is (only reported outcomes change it).
    pub(crate) fn advance(&mut self, now: f64, changes: &mut Vec<(f64, bool)>) {
        let period = self.probe.period_seconds.max(1) as f64;
        if self.script.is_empty() {
            if self.next_at <= now {
                // `as u64` truncates: the floor of a non-negative count of periods (no libm in no_std).
                self.next_at += (((now - self.next_at) / period) as u64 as f64 + 1.0) * period;
            }
            return;
        }
        while self.next_at <= now {
            let t = self.next_at;
            let step = self.script.iter().find(|s| t < s.until);
            let ok = step.is_none_or(|s| s.ok);
            // Once an outcome can no longer change readiness, jump to the end of its stretch
            // (or past `now`) instead of probing period by period: large `now` stays cheap.
            let settled = (ok && self.ready) || (!ok && !self.ready && self.failures >= self.probe.failure_threshold);
            if settled {
                let end = step.map_or(now, |s| s.until.min(now));
                let periods = ((end - t) / period) as u64;
                if periods > 1 {
                    self.next_at += (periods - 1) as f64 * period;
                    continue;
                }
            }
            if self.observe(ok) {
                changes.push((t, self.ready));
            }
            self.next_at += period;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failure_threshold_periods_remove_a_pod() {
        // Defaults: period 10, failureThreshold 3: probes at 0, 10, 20 fail → unready at t=20.
        let mut p = ProbeState::new(Probe::default(), true);
        p.set_script(alloc::vec![ProbeStep { until: 30.0, ok: false }]);
        let mut changes = Vec::new();
        p.advance(25.0, &mut changes);
        assert_eq!(changes, [(20.0, false)]);
        p.advance(30.0, &mut changes);
        assert_eq!(changes, [(20.0, false), (30.0, true)]);
    }

    #[test]
    fn a_far_future_now_is_cheap_and_exact() {
        let mut p = ProbeState::new(Probe::default(), true);
        p.set_script(alloc::vec![ProbeStep { until: 1.0e12, ok: false }]);
        let mut changes = Vec::new();
        p.advance(2.0e12, &mut changes);
        assert_eq!(changes, [(20.0, false), (1.0e12, true)]);
    }
}
