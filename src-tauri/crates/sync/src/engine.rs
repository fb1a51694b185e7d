use crate::error::SyncError;
use crate::{pull, push};
use cct_domain::{Actor, Timestamp};
use cct_planning_center::Client;
use cct_store::planning_center::runs::{self, Direction, RunCounts};
use cct_store::{Store, WriteTx};
use serde::Serialize;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;
use ts_rs::TS;

#[derive(Debug, Clone)]
pub struct SyncSettings {
    /// How often the scheduler runs a sync while online.
    pub interval: Duration,
    /// How often deleted people are looked for (a full id scan: one request per 100 people).
    pub reconcile_every: Duration,
}

impl Default for SyncSettings {
    fn default() -> Self {
        Self { interval: Duration::from_secs(15 * 60), reconcile_every: Duration::from_secs(7 * 24 * 3600) }
    }
}

/// Set it to stop a running sync at the next safe point (between pages or records).
#[derive(Debug, Clone, Default)]
pub struct CancelFlag(Arc<AtomicBool>);

impl CancelFlag {
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
    fn reset(&self) {
        self.0.store(false, Ordering::SeqCst);
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Idle,
    PullPeople,
    Push,
    ReferenceData,
    Registrations,
    Reconcile,
}

/// For a progress bar: records done of the total known so far in the current phase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Progress {
    pub phase: Phase,
    pub done: u64,
    pub total: Option<u64>,
}

#[derive(Debug, Clone, Default, Serialize, TS)]
pub struct SyncReport {
    pub pulled_people: i64,
    /// Planning Center merges that moved records here (both people, or the one removed, were here).
    pub merged_people: i64,
    /// People whose background check standing changed.
    pub background_checks: i64,
    pub pushed: i64,
    pub push_failures: i64,
    pub registrations: i64,
    /// Workflow cards made for certifications due for renewal.
    pub renewal_cards: i64,
    pub reconciled: bool,
    pub errors: Vec<String>,
}

pub struct SyncEngine {
    store: Store,
    client: Client,
    settings: SyncSettings,
    pub(crate) running: tokio::sync::Mutex<()>,
    progress: watch::Sender<Progress>,
    cancel: CancelFlag,
    /// Set while this device belongs to a team: the hub decides who sends each outbox entry.
    outbox_lease: std::sync::RwLock<Option<Arc<dyn crate::OutboxLease>>>,
}

/// What the phases share during one run.
pub(crate) struct Context<'a> {
    pub store: &'a Store,
    pub client: &'a Client,
    pub outbox_lease: Option<Arc<dyn crate::OutboxLease>>,
    cancel: &'a CancelFlag,
    progress: &'a watch::Sender<Progress>,
    /// Noted by the phase running now; its sync-log row takes them.
    errors: Mutex<Vec<String>>,
    /// Every phase's, for the run's report.
    reported: Mutex<Vec<String>>,
}

impl Context<'_> {
    /// Runs store work on the blocking pool: statements block, and a page of them must not
    /// hold up the async runtime's worker.
    pub async fn store<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Store) -> cct_store::Result<T> + Send + 'static,
    ) -> Result<T, SyncError> {
        Ok(self.store.call(work).await?)
    }

    /// One write transaction as the system actor, which writes what Planning Center sent and
    /// the sync's own bookkeeping.
    pub async fn write<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut WriteTx<'_>) -> cct_store::Result<T> + Send + 'static,
    ) -> Result<T, SyncError> {
        self.store(move |store| store.write(&Actor::system(), work)).await
    }

    pub fn check_cancelled(&self) -> Result<(), SyncError> {
        if self.cancel.is_cancelled() {
            Err(SyncError::Cancelled)
        } else {
            Ok(())
        }
    }

    pub fn report(&self, phase: Phase, done: u64, total: Option<u64>) {
        self.progress.send_replace(Progress { phase, done, total });
    }

    pub fn note_error(&self, message: String) {
        if let Ok(mut errors) = self.errors.lock() {
            errors.push(message);
        }
    }

    /// The current phase's errors, which also go to the run's report.
    fn finish_phase_errors(&self) -> Vec<String> {
        let noted = self.errors.lock().map(|mut e| std::mem::take(&mut *e)).unwrap_or_default();
        if let Ok(mut reported) = self.reported.lock() {
            reported.extend(noted.iter().cloned());
        }
        noted
    }
}

impl SyncEngine {
    pub fn new(store: Store, client: Client, settings: SyncSettings) -> Arc<Self> {
        let (progress, _) = watch::channel(Progress { phase: Phase::Idle, done: 0, total: None });
        Arc::new(Self {
            store,
            client,
            settings,
            running: tokio::sync::Mutex::new(()),
            progress,
            cancel: CancelFlag::default(),
            outbox_lease: Default::default(),
        })
    }

    pub(crate) fn context(&self) -> Context<'_> {
        Context {
            store: &self.store,
            client: &self.client,
            outbox_lease: self.outbox_lease.read().ok().and_then(|slot| slot.clone()),
            cancel: &self.cancel,
            progress: &self.progress,
            errors: Mutex::new(Vec::new()),
            reported: Mutex::new(Vec::new()),
        }
    }

    /// Joins (Some) or leaves (None) a team whose hub leases outbox entries to one device.
    pub fn set_outbox_lease(&self, lease: Option<Arc<dyn crate::OutboxLease>>) {
        if let Ok(mut slot) = self.outbox_lease.write() {
            *slot = lease;
        }
    }

    pub fn progress(&self) -> watch::Receiver<Progress> {
        self.progress.subscribe()
    }

    pub fn cancel_flag(&self) -> CancelFlag {
        self.cancel.clone()
    }

    pub fn is_running(&self) -> bool {
        self.running.try_lock().is_err()
    }

    /// One sync. Refused while another is running: never two at once.
    pub async fn run(&self) -> Result<SyncReport, SyncError> {
        let _running = self.running.try_lock().map_err(|_| SyncError::AlreadyRunning)?;
        self.cancel.reset();
        let ctx = self.context();
        let mut report = SyncReport::default();
        let result = self.phases(&ctx, &mut report).await;
        self.progress.send_replace(Progress { phase: Phase::Idle, done: 0, total: None });
        report.errors = ctx.reported.into_inner().unwrap_or_default();
        result.map(|()| report)
    }

    async fn phases(&self, ctx: &Context<'_>, report: &mut SyncReport) -> Result<(), SyncError> {
        // Pull first, so a field edited on both sides is settled by the conflict policy before
        // the local value is sent.
        report.pulled_people = logged(ctx, "people", Direction::FromPc, pull::people(ctx)).await?.processed;
        report.merged_people =
            logged(ctx, "person_mergers", Direction::FromPc, pull::person_mergers(ctx)).await?.successful;
        report.background_checks =
            logged(ctx, "background_checks", Direction::FromPc, pull::background_checks(ctx)).await?.successful;
        let pushed = logged(ctx, "outbox", Direction::ToPc, push::outbox(ctx)).await?;
        report.pushed = pushed.successful;
        report.push_failures = pushed.failed;
        logged(ctx, "reference_data", Direction::FromPc, pull::reference_data(ctx)).await?;
        report.registrations =
            logged(ctx, "registrations", Direction::FromPc, pull::registrations(ctx)).await?.processed;
        report.renewal_cards =
            logged(ctx, "renewal_cards", Direction::ToPc, push::renewal_cards(ctx)).await?.successful;
        if self.reconcile_due().await? {
            logged(ctx, "reconcile_people", Direction::FromPc, pull::reconcile_people(ctx)).await?;
            report.reconciled = true;
        }
        Ok(())
    }

    async fn reconcile_due(&self) -> Result<bool, SyncError> {
        let cursor = self.store.call(|store| runs::cursor(store, &Actor::system(), "people")).await?;
        let last = cursor.and_then(|c| c.last_reconciled_at);
        Ok(match last {
            None => true,
            Some(at) => {
                Timestamp::now().as_datetime() - at.as_datetime()
                    >= chrono::Duration::from_std(self.settings.reconcile_every).unwrap_or(chrono::Duration::days(7))
            }
        })
    }

    /// Runs a sync every `interval`, and at once whenever `online` turns true. A run that fails
    /// for a passing reason is simply tried again at the next tick.
    pub fn spawn_scheduler(self: &Arc<Self>, mut online: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
        let engine = self.clone();
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(engine.settings.interval);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = ticker.tick() => {}
                    changed = online.changed() => {
                        if changed.is_err() {
                            return; // the app is closing
                        }
                    }
                }
                if *online.borrow() {
                    let _ = engine.run().await;
                }
            }
        })
    }
}

/// Runs a phase between a sync-log row's start and finish, whatever its outcome.
async fn logged<F>(ctx: &Context<'_>, sync_type: &str, direction: Direction, phase: F) -> Result<RunCounts, SyncError>
where
    F: std::future::Future<Output = Result<RunCounts, SyncError>>,
{
    let kind = sync_type.to_owned();
    let run = ctx.write(move |tx| runs::start_run(tx, &kind, direction)).await?;
    let result = phase.await;
    let (counts, error) = match &result {
        Ok(counts) => (*counts, None),
        Err(error) => (RunCounts::default(), Some(error.to_string())),
    };
    let mut details = ctx.finish_phase_errors();
    details.extend(error);
    let errors = (!details.is_empty()).then(|| serde_json::json!(details));
    ctx.write(move |tx| runs::finish_run(tx, run.id, counts, errors)).await?;
    result
}
