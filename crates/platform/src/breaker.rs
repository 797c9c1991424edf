//! One circuit breaker per dependency, shared by every worker of every function that
//! calls it.
//!
//! Lambda runs many execution environments of one function at once; a breaker held in
//! each process would let every one of them wait out the timeout on its own before it
//! refused. Here the breaker's state is one DynamoDB item in the **caller's own table**
//! (so no new table, and the caller already has access), keyed
//! `pk = BREAKER#<dependency>`, `sk = BREAKER`:
//!
//! | attribute    | type   | meaning                                                              |
//! |--------------|--------|----------------------------------------------------------------------|
//! | `state`      | S      | `Closed` or `Open` (no item: closed, no failure yet)                  |
//! | `failures`   | N      | consecutive failures counted by every worker since the last success |
//! | `openUntil`  | N      | while `Open`: epoch milliseconds when the open period ends           |
//! | `probeUntil` | N      | while half-open: epoch milliseconds when the probe's lease ends      |
//! | `dependency` | S      | the dependency's name, for operators                                 |
//! | `changedAt`  | S      | RFC 3339 time of the last transition, for operators                  |
//!
//! ## The policy
//! - **Closed.** Calls go through. Every failure (error, function error, timeout, unreadable
//!   answer) adds one to the shared `failures` (`UpdateItem ADD`, condition: still closed).
//!   A success resets it to zero, with a write only when the state it read showed a
//!   failure, so the healthy path writes nothing. The count is therefore *consecutive
//!   failures across all workers*: after [`Policy::failures_to_open`] of them (default
//!   [`FAILURES_TO_OPEN`]) with no success in between, whichever worker counted the last
//!   one opens the breaker (a conditional update: exactly one worker logs the transition).
//!   Consecutive failures rather than "N in a window" because the count needs no clock
//!   and no write on success, and a dependency that fails only now and then is not cut off.
//! - **Open.** For [`Policy::open_for`] (default [`OPEN_FOR`]) every caller on every worker
//!   is refused at once ([`Refused`]), without calling the dependency.
//! - **Half-open.** When the open period ends, the first caller to win a lease (a
//!   conditional `UpdateItem` on `probeUntil`, so two workers cannot both win) makes the one
//!   probe call; everyone else is still refused. The lease lasts the probe's call budget
//!   plus [`PROBE_MARGIN`], so a probe whose worker died is retried by another worker later.
//!   The probe's success closes the breaker for everyone; its failure opens it again for
//!   another open period.
//!
//! ## A read per call, not a cache of the closed state
//! While this worker has not seen the breaker open, [`Breaker::admit`] reads the item
//! (`GetItem`, strongly consistent: one read request unit for this small item and a few
//! milliseconds in the same region, next to an invocation that costs tens). A local cache
//! of the *closed* state would save that read, but for as long as it lives each worker
//! would keep calling a dependency that everyone else already knows is down, each waiting
//! up to the full timeout: exactly the fault a shared breaker exists to remove. The *open*
//! state, on the contrary, is cached until its `openUntil`: only time can end an open
//! period (a probe runs only after it), so that cache is never stale and an open breaker
//! costs no DynamoDB request at all on a worker that has seen it.
//!
//! If the state cannot be read (DynamoDB failing), the call is let through and the
//! failure logged: the breaker must not itself take the dependency away, and the call
//! keeps its own timeout. A failed write of an outcome is logged and lost (the next
//! failure counts again); a probe lease that cannot be written refuses the call, so a
//! half-open breaker never lets more than one probe through.
//!
//! ## Visible
//! Every transition is counted in the EMF metric [`TRANSITIONS_METRIC`] (dimensions
//! `dependency`, `transition`; see [`crate::metrics`]) and is one structured log line, message
//! `circuit breaker transition`, with fields `dependency`, `transition` (`opened`,
//! `half_open`, `closed`, `reopened`), `failures` and `open_for_ms`: `warn` when it opens,
//! `info` otherwise. Each transition to open (`opened`, and `reopened` when the probe fails)
//! also counts 1 in [`OPENED_METRIC`], whose one dimension is the process's `Service`, so a
//! template can alarm on it per service (EMF metrics match their exact dimension set).
//! [`Breaker::state`] reads the state.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Context as _;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use serde::Deserialize;

use crate::dynamo::{Item, Table, from_item, key};

/// The EMF counter of breaker transitions, dimensions `dependency` and `transition`
/// (`opened`, `half_open`, `closed`, `reopened`): an alarm on `opened` pages whoever owns
/// the dependency.
pub const TRANSITIONS_METRIC: &str = "CircuitBreakerTransitions";

/// The EMF counter of transitions to open (`opened` and `reopened`), with only the `Service`
/// dimension every metric carries ([`crate::metrics`]): one alarm per calling service fires
/// while any of its dependencies keeps failing. Exactly one worker counts each transition
/// (the one whose conditional write made it).
pub const OPENED_METRIC: &str = "BreakerOpened";

/// Consecutive failures (across all workers) that open the breaker, by default.
pub const FAILURES_TO_OPEN: u32 = 5;
/// How long an open breaker refuses every call before it lets one probe through, by default.
pub const OPEN_FOR: Duration = Duration::from_secs(10);
/// Added to a probe's call budget to make its lease: the time the state writes may take.
pub const PROBE_MARGIN: Duration = Duration::from_secs(1);

/// The sort key of every breaker item.
const SORT_KEY: &str = "BREAKER";
const CLOSED: &str = "Closed";
const OPEN: &str = "Open";

/// When the breaker opens and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Consecutive failures, counted by every worker together, that open the breaker.
    pub failures_to_open: u32,
    /// How long it stays open before one probe call is let through.
    pub open_for: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Self { failures_to_open: FAILURES_TO_OPEN, open_for: OPEN_FOR }
    }
}

/// The state of one breaker, as stored ([`Breaker::state`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Calls go through; `failures` consecutive failures so far.
    Closed {
        /// Consecutive failures counted by every worker since the last success.
        failures: u32,
    },
    /// Every call is refused until `until`.
    Open {
        /// When the open period ends.
        until: SystemTime,
    },
    /// The open period is over: one probe call may go through (or one is under way, its
    /// lease ending at `probe_until`).
    HalfOpen {
        /// When the lease of the probe under way ends, if one is.
        probe_until: Option<SystemTime>,
    },
}

/// A call refused by an open (or half-open, probe under way) breaker.
#[derive(Debug, Clone, thiserror::Error)]
#[error("the circuit breaker for {dependency} is open")]
pub struct Refused {
    /// The dependency.
    pub dependency: String,
    /// How long until a call may be let through again (the end of the open period or of
    /// the probe's lease).
    pub retry_after: Duration,
}

/// Permission for one call, from [`Breaker::admit`]; report the call's outcome with
/// [`Breaker::succeeded`] or [`Breaker::failed`].
#[derive(Debug)]
#[must_use = "report the call's outcome to the breaker"]
pub struct Permit {
    /// This call is the half-open probe.
    probe: bool,
    /// The consecutive failures the state showed when the call was admitted.
    failures_seen: u32,
}

impl Permit {
    /// Whether this call is the half-open probe, whose outcome closes or re-opens the breaker.
    pub fn is_probe(&self) -> bool {
        self.probe
    }
}

/// The stored item (attributes other than these, `pk` and `sk` among them, are ignored).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Stored {
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    failures: u32,
    #[serde(default)]
    open_until: Option<u64>,
    #[serde(default)]
    probe_until: Option<u64>,
}

/// The breaker of one dependency, shared through an item of the caller's table. Cheap to
/// clone; clones share this worker's knowledge of an open period.
#[derive(Debug, Clone)]
pub struct Breaker {
    table: Table,
    dependency: String,
    policy: Policy,
    /// Epoch milliseconds until which this worker knows the breaker is open (0: not known open).
    open_until: Arc<AtomicU64>,
}

impl Breaker {
    /// The breaker of `dependency` (any stable name, e.g. the function called), kept in
    /// `table` through `dynamodb`, with the default [`Policy`].
    ///
    /// The caller needs `dynamodb:GetItem` and `dynamodb:UpdateItem` on the item
    /// `pk = BREAKER#<dependency>` of `table`.
    pub fn new(dynamodb: aws_sdk_dynamodb::Client, table: impl Into<String>, dependency: impl Into<String>) -> Self {
        Self {
            table: Table::new(dynamodb, table),
            dependency: dependency.into(),
            policy: Policy::default(),
            open_until: Arc::new(AtomicU64::new(0)),
        }
    }

    /// The same breaker with `policy`. Every caller of one dependency should use the same.
    #[must_use]
    pub fn with_policy(mut self, policy: Policy) -> Self {
        self.policy = policy;
        self
    }

    /// The dependency this breaker protects.
    pub fn dependency(&self) -> &str {
        &self.dependency
    }

    /// The policy in force.
    pub fn policy(&self) -> Policy {
        self.policy
    }

    fn pk(&self) -> String {
        format!("BREAKER#{}", self.dependency)
    }

    /// Asks to make one call that will take at most `call_budget` (its timeout).
    ///
    /// # Errors
    /// [`Refused`] while the breaker is open, or half-open with another caller's probe
    /// under way (or a probe lease that could not be written). A failure to read the
    /// state is logged and the call admitted.
    pub async fn admit(&self, call_budget: Duration) -> Result<Permit, Refused> {
        let now = now_ms();
        let known_open_until = self.open_until.load(Ordering::Relaxed);
        if known_open_until > now {
            return Err(self.refused(known_open_until - now));
        }
        let stored = match self.read().await {
            Ok(stored) => stored,
            Err(err) => {
                tracing::warn!(dependency = %self.dependency, error = format!("{err:#}"), "circuit breaker state unreadable; the call goes through");
                return Ok(Permit { probe: false, failures_seen: 0 });
            }
        };
        if stored.state.as_deref() != Some(OPEN) {
            return Ok(Permit { probe: false, failures_seen: stored.failures });
        }
        let open_until = stored.open_until.unwrap_or_default();
        if open_until > now {
            self.open_until.store(open_until, Ordering::Relaxed);
            return Err(self.refused(open_until - now));
        }
        if let Some(probe_until) = stored.probe_until.filter(|until| *until > now) {
            return Err(self.refused(probe_until - now));
        }
        let lease = call_budget + PROBE_MARGIN;
        match self.take_probe_lease(now, now.saturating_add(millis(lease))).await {
            Ok(true) => {
                self.transition("half_open", stored.failures);
                Ok(Permit { probe: true, failures_seen: stored.failures })
            }
            Ok(false) => Err(self.refused(millis(lease))),
            Err(err) => {
                tracing::warn!(dependency = %self.dependency, error = format!("{err:#}"), "circuit breaker probe lease not taken");
                Err(self.refused(millis(lease)))
            }
        }
    }

    /// Reports that the call `permit` admitted succeeded: a probe closes the breaker for
    /// everyone; any other success resets the consecutive failures (a write only when
    /// the call was admitted with failures counted). A failed write is logged.
    pub async fn succeeded(&self, permit: Permit) {
        let result = if permit.probe {
            self.close().await
        } else if permit.failures_seen > 0 {
            self.reset_failures().await
        } else {
            Ok(())
        };
        if let Err(err) = result {
            tracing::warn!(dependency = %self.dependency, error = format!("{err:#}"), "circuit breaker success not recorded");
        }
    }

    /// Reports that the call `permit` admitted failed: a probe re-opens the breaker;
    /// any other failure counts, and opens the breaker at the policy's threshold. A failed
    /// write is logged.
    pub async fn failed(&self, permit: Permit) {
        let result = if permit.probe { self.reopen().await } else { self.count_failure().await };
        if let Err(err) = result {
            tracing::warn!(dependency = %self.dependency, error = format!("{err:#}"), "circuit breaker failure not recorded");
        }
    }

    /// The stored state, read consistently (for operators and tests).
    ///
    /// # Errors
    /// When the read fails or the item is not a breaker's.
    pub async fn state(&self) -> anyhow::Result<State> {
        let stored = self.read().await?;
        let now = now_ms();
        Ok(match (stored.state.as_deref(), stored.open_until) {
            (Some(OPEN), Some(until)) if until > now => State::Open { until: at(until) },
            (Some(OPEN), _) => State::HalfOpen { probe_until: stored.probe_until.filter(|u| *u > now).map(at) },
            _ => State::Closed { failures: stored.failures },
        })
    }

    fn refused(&self, retry_after_ms: u64) -> Refused {
        Refused { dependency: self.dependency.clone(), retry_after: Duration::from_millis(retry_after_ms) }
    }

    async fn read(&self) -> anyhow::Result<Stored> {
        match self.table.get_raw(self.pk(), SORT_KEY).await? {
            Some(item) => from_item(item),
            None => Ok(Stored::default()),
        }
    }

    /// An `UpdateItem` of this breaker's item, `#state` naming `state` (DynamoDB refuses
    /// names and values an expression does not use, so each caller adds its own values).
    fn update(&self) -> aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder {
        self.table
            .client()
            .update_item()
            .table_name(self.table.name())
            .set_key(Some(key(self.pk(), SORT_KEY)))
            .expression_attribute_names("#state", "state")
    }

    /// Runs `update`; `Ok(None)` when its condition did not hold.
    async fn conditional(
        &self,
        update: aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder,
        what: &str,
    ) -> anyhow::Result<Option<Item>> {
        match update.send().await {
            Ok(output) => Ok(Some(output.attributes.unwrap_or_default())),
            Err(err) => {
                let err = err.into_service_error();
                if err.is_conditional_check_failed_exception() {
                    Ok(None)
                } else {
                    Err(anyhow::Error::new(err))
                        .with_context(|| format!("{what} of breaker {} in {}", self.dependency, self.table.name()))
                }
            }
        }
    }

    async fn count_failure(&self) -> anyhow::Result<()> {
        let update = self
            .update()
            .update_expression(
                "ADD failures :one SET #state = if_not_exists(#state, :closed), dependency = :dependency",
            )
            .condition_expression("attribute_not_exists(#state) OR #state = :closed")
            .expression_attribute_values(":closed", closed())
            .expression_attribute_values(":one", number(1))
            .expression_attribute_values(":dependency", AttributeValue::S(self.dependency.clone()))
            .return_values(ReturnValue::AllNew);
        let Some(item) = self.conditional(update, "counting a failure").await? else {
            return Ok(()); // already open: an in-flight call's late failure changes nothing
        };
        let failures: u32 = from_item::<Stored>(item)?.failures;
        if failures < self.policy.failures_to_open {
            return Ok(());
        }
        let until = now_ms().saturating_add(millis(self.policy.open_for));
        let open = self
            .update()
            .update_expression("SET #state = :open, openUntil = :until, changedAt = :at REMOVE probeUntil")
            .condition_expression("#state = :closed AND failures >= :threshold")
            .expression_attribute_values(":open", AttributeValue::S(OPEN.to_owned()))
            .expression_attribute_values(":until", number(until))
            .expression_attribute_values(":at", AttributeValue::S(chrono::Utc::now().to_rfc3339()))
            .expression_attribute_values(":closed", closed())
            .expression_attribute_values(":threshold", number(self.policy.failures_to_open.into()));
        if self.conditional(open, "opening").await?.is_some() {
            self.open_until.store(until, Ordering::Relaxed);
            self.transition("opened", failures);
        }
        Ok(())
    }

    async fn reset_failures(&self) -> anyhow::Result<()> {
        let update = self
            .update()
            .update_expression("SET failures = :zero")
            .condition_expression("#state = :closed AND failures > :zero")
            .expression_attribute_values(":closed", closed())
            .expression_attribute_values(":zero", number(0));
        self.conditional(update, "resetting the failures").await.map(drop)
    }

    async fn take_probe_lease(&self, now: u64, lease_until: u64) -> anyhow::Result<bool> {
        let update = self
            .update()
            .update_expression("SET probeUntil = :lease")
            .condition_expression(
                "#state = :open AND openUntil <= :now AND (attribute_not_exists(probeUntil) OR probeUntil <= :now)",
            )
            .expression_attribute_values(":open", AttributeValue::S(OPEN.to_owned()))
            .expression_attribute_values(":now", number(now))
            .expression_attribute_values(":lease", number(lease_until));
        Ok(self.conditional(update, "taking the probe lease").await?.is_some())
    }

    async fn close(&self) -> anyhow::Result<()> {
        let update = self
            .update()
            .update_expression("SET #state = :closed, failures = :zero, changedAt = :at REMOVE openUntil, probeUntil")
            .condition_expression("#state = :open")
            .expression_attribute_values(":closed", closed())
            .expression_attribute_values(":open", AttributeValue::S(OPEN.to_owned()))
            .expression_attribute_values(":zero", number(0))
            .expression_attribute_values(":at", AttributeValue::S(chrono::Utc::now().to_rfc3339()));
        if self.conditional(update, "closing").await?.is_some() {
            self.open_until.store(0, Ordering::Relaxed);
            self.transition("closed", 0);
        }
        Ok(())
    }

    async fn reopen(&self) -> anyhow::Result<()> {
        let until = now_ms().saturating_add(millis(self.policy.open_for));
        let update = self
            .update()
            .update_expression("SET openUntil = :until, changedAt = :at REMOVE probeUntil")
            .condition_expression("#state = :open")
            .expression_attribute_values(":open", AttributeValue::S(OPEN.to_owned()))
            .expression_attribute_values(":until", number(until))
            .expression_attribute_values(":at", AttributeValue::S(chrono::Utc::now().to_rfc3339()));
        if self.conditional(update, "re-opening").await?.is_some() {
            self.open_until.store(until, Ordering::Relaxed);
            self.transition("reopened", 0);
        }
        Ok(())
    }

    fn transition(&self, transition: &'static str, failures: u32) {
        metrics::counter!(TRANSITIONS_METRIC, "dependency" => self.dependency.clone(), "transition" => transition)
            .increment(1);
        if transition == "opened" || transition == "reopened" {
            crate::metrics::count(OPENED_METRIC, 1);
        }
        let open_for_ms = millis(self.policy.open_for);
        if transition == "opened" {
            tracing::warn!(dependency = %self.dependency, transition, failures, open_for_ms, "circuit breaker transition");
        } else {
            tracing::info!(dependency = %self.dependency, transition, failures, open_for_ms, "circuit breaker transition");
        }
    }
}

fn closed() -> AttributeValue {
    AttributeValue::S(CLOSED.to_owned())
}

fn number(n: u64) -> AttributeValue {
    AttributeValue::N(n.to_string())
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// Milliseconds since the epoch: breaker times are compared across workers and hosts,
/// so they are wall-clock times (NTP keeps Lambda hosts within milliseconds of each
/// other, far below an open period).
fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(millis).unwrap_or_default()
}

fn at(epoch_ms: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(epoch_ms)
}
