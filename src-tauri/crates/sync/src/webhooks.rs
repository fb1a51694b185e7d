//! Webhook events the team hub received from Planning Center, acted on at once: the person an
//! event names is fetched with one GET and applied as a pull would apply them, a merge runs the
//! merges phase. Each event is then marked processed, or kept with the reason it could not be.
//! Polling stays the check: anything a webhook missed arrives with the next incremental pull.

use crate::engine::Context;
use crate::error::SyncError;
use crate::{map, pull, SyncEngine};
use cct_domain::Actor;
use cct_planning_center::endpoints::{people_of, PERSON_INCLUDES};
use cct_planning_center::jsonapi::ListDocument;
use cct_store::planning_center::people;
use cct_store::planning_center::runs::{self, WebhookEvent};
use serde::Serialize;
use ts_rs::TS;

pub const PERSON_CREATED: &str = "people.v2.events.person.created";
pub const PERSON_UPDATED: &str = "people.v2.events.person.updated";
pub const PERSON_DESTROYED: &str = "people.v2.events.person.destroyed";
pub const PERSON_MERGER_CREATED: &str = "people.v2.events.person_merger.created";
/// The events the app subscribes to, and so handles.
pub const SUBSCRIBED_EVENTS: [&str; 4] = [PERSON_CREATED, PERSON_UPDATED, PERSON_DESTROYED, PERSON_MERGER_CREATED];

/// Events handled in one go at most; the rest wait for the next team sync.
const AT_ONCE: u32 = 200;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
pub struct WebhookReport {
    /// Events acted on and marked processed.
    pub processed: i64,
    /// Events kept with the reason they could not be handled.
    pub failed: i64,
    /// People fetched and applied because an event named them.
    pub people_pulled: i64,
}

/// What one event came to.
enum Outcome {
    Done { pulled: bool },
    Kept(String),
}

impl SyncEngine {
    /// Handles the webhook events waiting here. Refused while a sync runs (it pulls the same
    /// people); a passing failure (the network) leaves the event unmarked for the next time.
    pub async fn process_webhooks(&self) -> Result<WebhookReport, SyncError> {
        let _running = self.running.try_lock().map_err(|_| SyncError::AlreadyRunning)?;
        let ctx = self.context();
        let waiting = ctx.store(|store| runs::unprocessed_webhooks(store, &Actor::system(), AT_ONCE)).await?;
        let mut report = WebhookReport::default();
        for event in waiting {
            let outcome = match handle(&ctx, &event).await {
                Ok(outcome) => outcome,
                Err(error) if error.is_passing() => return Err(error),
                Err(error) => Outcome::Kept(error.to_string()),
            };
            let (pulled, error) = match outcome {
                Outcome::Done { pulled } => (pulled, None),
                Outcome::Kept(reason) => (false, Some(reason)),
            };
            report.people_pulled += i64::from(pulled);
            if error.is_some() {
                report.failed += 1;
            } else {
                report.processed += 1;
            }
            let id = event.id;
            ctx.write(move |tx| runs::mark_webhook_processed(tx, id, error)).await?;
        }
        Ok(report)
    }
}

async fn handle(ctx: &Context<'_>, event: &WebhookEvent) -> Result<Outcome, SyncError> {
    match event.event_type.as_str() {
        PERSON_CREATED | PERSON_UPDATED => {
            let Some(id) = event.planning_center_id.clone().filter(|id| id.bytes().all(|b| b.is_ascii_digit())) else {
                return Ok(Outcome::Kept("the event names no person".into()));
            };
            pull_one_person(ctx, &id).await
        }
        // An event alone is not enough to retire a person's history (it could be forged at the
        // receiver, or late): a read of the person confirms it first.
        PERSON_DESTROYED => {
            let Some(id) = event.planning_center_id.clone().filter(|id| id.bytes().all(|b| b.is_ascii_digit())) else {
                return Ok(Outcome::Kept("the event names no person".into()));
            };
            retire_if_gone(ctx, &id).await
        }
        PERSON_MERGER_CREATED => pull::person_mergers(ctx).await.map(|_| Outcome::Done { pulled: false }),
        other => Ok(Outcome::Kept(format!("{other} is not an event this app subscribes to"))),
    }
}

/// Retires the person here whom Planning Center no longer has; one it still has is left alone.
async fn retire_if_gone(ctx: &Context<'_>, id: &str) -> Result<Outcome, SyncError> {
    match ctx.client.get_one(&format!("/people/v2/people/{id}"), &[]).await {
        Ok(_) => Ok(Outcome::Kept(format!("person {id} is still in Planning Center: no one was retired"))),
        Err(error) if error.status().is_some_and(|s| s.as_u16() == 404) => {
            let id = id.to_owned();
            ctx.write(move |tx| people::deactivate_removed_person(tx, &id)).await?;
            Ok(Outcome::Done { pulled: false })
        }
        Err(error) => Err(error.into()),
    }
}

async fn pull_one_person(ctx: &Context<'_>, id: &str) -> Result<Outcome, SyncError> {
    let path = format!("/people/v2/people/{id}");
    let document = match ctx.client.get_one(&path, &[("include", PERSON_INCLUDES.join(","))]).await {
        Ok(document) => document,
        Err(error) if error.status().is_some_and(|s| s.as_u16() == 404) => {
            return Ok(Outcome::Kept(format!("person {id} is no longer in Planning Center")));
        }
        Err(error) => return Err(error.into()),
    };
    let households = map::household_names(&document.included);
    let page = ListDocument { data: vec![document.data], included: document.included, ..Default::default() };
    let Some(person) = people_of(&page)?.into_iter().next() else {
        return Ok(Outcome::Kept(format!("person {id} could not be read")));
    };
    let remote = map::remote_person(&person, &households);
    ctx.write(move |tx| people::apply_remote_person(tx, &remote).map(drop)).await?;
    Ok(Outcome::Done { pulled: true })
}

/// What [`subscribe`] did: the events subscribed (made now or found made before) and where
/// their secrets were written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Subscribed {
    pub receiver_url: String,
    pub created: Vec<String>,
    pub already_subscribed: Vec<String>,
    pub secrets_file: String,
}

#[derive(Debug, thiserror::Error)]
pub enum SubscribeError {
    #[error("the receiver's address must be https:// (or http:// on this computer, for a test): {0}")]
    ReceiverUrl(String),
    #[error("the secrets file could not be written to {path}: {source}")]
    SecretsFile { path: String, source: std::io::Error },
    #[error(
        "Planning Center gave no secret for the {0} subscription; delete it in Planning Center and subscribe again"
    )]
    NoSecret(String),
    #[error(transparent)]
    PlanningCenter(#[from] cct_planning_center::PcoError),
}

/// Checks the receiver's public address: Planning Center sends personal details to it, so it
/// is encrypted unless it never leaves this machine.
pub fn receiver_url(text: &str) -> Result<url::Url, SubscribeError> {
    let url = url::Url::parse(text.trim()).map_err(|e| SubscribeError::ReceiverUrl(e.to_string()))?;
    let loopback = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    match url.scheme() {
        "https" => Ok(url),
        "http" if loopback => Ok(url),
        other => Err(SubscribeError::ReceiverUrl(format!("{other}:// is not encrypted"))),
    }
}

/// Subscribes the receiver at `receiver` to every event the app acts on, and writes each
/// subscription's `authenticity_secret` to `secrets_file` for the receiver (readable by its
/// owner only). Subscriptions already made for the same address are kept, not made twice; the
/// secrets go to the file and nowhere else (not the database, the log or the answer).
pub async fn subscribe(
    client: &cct_planning_center::Client,
    receiver: &str,
    secrets_file: &std::path::Path,
) -> Result<Subscribed, SubscribeError> {
    let receiver = receiver_url(receiver)?.to_string();
    let existing = client.all::<serde_json::Value>("/webhooks/v2/webhook_subscriptions").await?;
    let mut lines = vec![
        "# Planning Center webhook secrets for cct-webhooks: one authenticity_secret per line.".to_owned(),
        format!("# Deliveries to {receiver}"),
    ];
    let (mut created, mut already_subscribed) = (Vec::new(), Vec::new());
    for event in SUBSCRIBED_EVENTS {
        let found = existing.iter().find(|s| {
            s.attributes.get("name").and_then(|n| n.as_str()) == Some(event)
                && s.attributes.get("url").and_then(|u| u.as_str()) == Some(receiver.as_str())
        });
        let secret = match found {
            Some(subscription) => {
                already_subscribed.push(event.to_owned());
                secret_of_existing(client, subscription).await?
            }
            None => {
                let made = client.create_webhook_subscription(event, &receiver).await?;
                created.push(event.to_owned());
                made.authenticity_secret
            }
        };
        if secret.is_empty() {
            return Err(SubscribeError::NoSecret(event.to_owned()));
        }
        lines.push(format!("# {event}"));
        lines.push(secret);
    }
    write_private(secrets_file, &(lines.join("\n") + "\n"))
        .map_err(|source| SubscribeError::SecretsFile { path: secrets_file.display().to_string(), source })?;
    Ok(Subscribed {
        receiver_url: receiver,
        created,
        already_subscribed,
        secrets_file: secrets_file.display().to_string(),
    })
}

/// The secret of a subscription made before: from the list when it shows it, else read
/// alone; when Planning Center shows it nowhere, a new one is made (`rotate_secret`), which the
/// secrets file then holds (a receiver started with the old file must be restarted).
async fn secret_of_existing(
    client: &cct_planning_center::Client,
    subscription: &cct_planning_center::resources::Typed<serde_json::Value>,
) -> Result<String, SubscribeError> {
    let listed = subscription.attributes.get("authenticity_secret").and_then(|s| s.as_str()).filter(|s| !s.is_empty());
    if let Some(secret) = listed {
        return Ok(secret.to_owned());
    }
    if let Some(secret) = client.webhook_secret(&subscription.id).await? {
        return Ok(secret);
    }
    Ok(client.rotate_webhook_secret(&subscription.id).await?.unwrap_or_default())
}

/// Written whole or not at all, and readable by this user only.
fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let partial = path.with_extension("partial");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&partial)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&partial, path)
}
