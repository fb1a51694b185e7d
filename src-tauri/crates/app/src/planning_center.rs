//! This computer's connection to Planning Center: where it is, how it signs in (secrets in the
//! OS keychain, the choice in office settings), the sync engine built from them, and what the
//! Planning Center card shows.

use crate::secrets::{keychain, unavailable};
use crate::{App, Reply};
use cct_domain::{Actor, ErrorCode, ErrorReport, Permission};
use cct_planning_center::{Client, ClientConfig, Credentials, OAuthApp, PcoError, PRODUCTION_URL};
use cct_signin::{sign_in_with_browser as browser_flow, KeychainSecret, KeychainTokenStore, SignInOptions};
use cct_store::office::{outbox, settings};
use cct_store::planning_center::duplicates::{self, PossibleDuplicate};
use cct_store::planning_center::mergers::{self, AppliedMerger};
use cct_store::planning_center::outbox::{self as pco_outbox, OutboxProblem};
use cct_store::planning_center::people::{self, SyncConflict};
use cct_store::planning_center::runs::{self, SyncRun};
use cct_sync::{Progress, SyncEngine, SyncReport, SyncSettings};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;
use ts_rs::TS;

/// Overrides the API base URL, e.g. to try the app against `pco-fake`.
pub const BASE_URL_ENV: &str = "CCT_PCO_BASE_URL";
/// The OAuth client id of the Planning Center application this build is registered as.
pub const CLIENT_ID_ENV: &str = "CCT_PCO_CLIENT_ID";
pub const DEFAULT_CLIENT_ID: &str = "church-course-tracker-desktop";
/// Registered redirect ports: `http://127.0.0.1:{port}/callback`.
pub const REDIRECT_PORTS: [u16; 3] = [47_100, 47_101, 47_102];
pub const SCOPES: [&str; 4] = ["people", "registrations", "check_ins", "groups"];
/// How long the browser sign-in waits for Planning Center to come back to this computer.
const BROWSER_SIGN_IN_WAIT: Duration = Duration::from_secs(300);

/// How this computer signs in to Planning Center; the secrets are in the OS keychain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SignIn {
    Oauth,
    PersonalAccessToken { app_id: String },
}

/// The sync engine for the current sign-in, built on first use and dropped when the sign-in
/// changes.
#[derive(Default)]
pub(crate) struct Connection {
    engine: tokio::sync::Mutex<Option<Arc<SyncEngine>>>,
}

/// A Planning Center custom field, as the sync engine keeps it for mapping.
#[derive(Debug, Serialize, Deserialize, TS)]
pub struct FieldDefinition {
    pub id: String,
    pub name: String,
    pub data_type: Option<String>,
}

#[derive(Debug, Serialize, TS)]
pub struct PlanningCenterStatus {
    pub base_url: String,
    /// The sign-in whose secrets are really in the keychain; `None` means sign in (again).
    pub sign_in: Option<SignIn>,
    /// Why the keychain could not be read, when it could not.
    pub keychain_problem: Option<String>,
    pub demo_mode: bool,
    pub syncing: bool,
    pub pending_changes: i64,
    pub problems: Vec<OutboxProblem>,
    /// The latest fields where this computer and Planning Center disagreed, and who won.
    pub conflicts: Vec<SyncConflict>,
    pub possible_duplicates: Vec<PossibleDuplicate>,
    /// The latest person merges made in Planning Center and applied here.
    pub recent_merges: Vec<AppliedMerger>,
    /// The latest Planning Center webhook events this computer copied from the team hub.
    pub recent_webhook_events: Vec<cct_store::planning_center::runs::WebhookEventSummary>,
    pub recent_runs: Vec<SyncRun>,
    /// Planning Center's custom fields (as last pulled) and which ones receive what.
    pub field_definitions: Vec<FieldDefinition>,
    pub completions_field: Option<String>,
    pub certifications_field: Option<String>,
    /// Planning Center's workflows (as last pulled) and the one a completed course puts people on.
    pub workflows: Vec<Workflow>,
    pub completions_workflow: Option<String>,
    pub renewals_workflow: Option<String>,
}

/// A Planning Center workflow, as the sync engine keeps it for choosing.
#[derive(Debug, Serialize, Deserialize, TS)]
pub struct Workflow {
    pub id: String,
    pub name: String,
}

/// Which Planning Center field an office maps: course completions or certification status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum FieldTarget {
    Completions,
    Certifications,
    /// The workflow a card is made on for each completed course.
    CompletionsWorkflow,
    /// The workflow a card is made on for each certification due for renewal.
    RenewalsWorkflow,
}

impl FieldTarget {
    /// The target a form names (`completions` or `certifications`), or an error beside it.
    pub fn named(name: &str) -> Reply<Self> {
        serde_json::from_value(serde_json::Value::String(name.to_owned())).map_err(|_| {
            ErrorReport::new(
                ErrorCode::InvalidInput,
                format!("{name:?} is not completions, certifications, completions_workflow or renewals_workflow"),
            )
            .on("target")
        })
    }
}

pub fn oauth_app() -> OAuthApp {
    OAuthApp {
        client_id: std::env::var(CLIENT_ID_ENV).unwrap_or_else(|_| DEFAULT_CLIENT_ID.to_owned()),
        client_secret: None,
    }
}

/// The keychain account for a server: production and a test server never share a sign-in.
pub fn keychain_account(base_url: &str) -> String {
    url::Url::parse(base_url)
        .ok()
        .and_then(|u| u.host_str().map(|h| format!("{h}:{}", u.port_or_known_default().unwrap_or(443))))
        .unwrap_or_else(|| base_url.to_owned())
}

pub fn token_store(base_url: &str) -> Reply<Arc<KeychainTokenStore>> {
    KeychainTokenStore::new(&keychain_account(base_url)).map(Arc::new).map_err(unavailable)
}

impl App {
    pub fn planning_center_url(&self) -> Reply<String> {
        if let Ok(url) = std::env::var(BASE_URL_ENV) {
            return Ok(url);
        }
        Ok(settings::get::<String>(self.store(), settings::PCO_BASE_URL)?.unwrap_or_else(|| PRODUCTION_URL.to_owned()))
    }

    fn sign_in_choice(&self) -> Reply<Option<SignIn>> {
        Ok(settings::get::<SignIn>(self.store(), settings::PCO_SIGN_IN)?)
    }

    /// The sign-in saved for this computer, as client credentials, or `None` when signed out
    /// (or when its secret is no longer in the keychain).
    pub async fn planning_center_credentials(&self) -> Reply<Option<(Credentials, SignIn)>> {
        let (sign_in, base) = self.blocking(|app| Ok((app.sign_in_choice()?, app.planning_center_url()?))).await?;
        let Some(sign_in) = sign_in else { return Ok(None) };
        let credentials = match &sign_in {
            SignIn::Oauth => Credentials::OAuth { app: oauth_app(), store: token_store(&base)? },
            SignIn::PersonalAccessToken { app_id } => {
                let app_id = app_id.clone();
                let entry = app_id.clone();
                let Some(secret) = keychain(move || KeychainSecret::personal_access_token(&entry)?.load()).await?
                else {
                    return Ok(None);
                };
                Credentials::PersonalAccessToken { app_id, secret }
            }
        };
        Ok(Some((credentials, sign_in)))
    }

    async fn planning_center_client(&self, credentials: Credentials) -> Reply<Client> {
        let base = self.blocking(|app| app.planning_center_url()).await?;
        Ok(Client::new(ClientConfig::new(base, credentials))?)
    }

    /// The Planning Center card.
    pub async fn planning_center_status(&self) -> Reply<PlanningCenterStatus> {
        self.blocking(|app| app.require(Permission::SyncManage).map(drop)).await?;
        let syncing = self.inner.planning_center.engine.lock().await.as_ref().is_some_and(|engine| engine.is_running());
        let (sign_in, keychain_problem) = match self.planning_center_credentials().await {
            Ok(found) => (found.map(|(_, sign_in)| sign_in), None),
            Err(error) => (None, Some(error.message)),
        };
        self.blocking(move |app| {
            let actor = app.require(Permission::SyncManage)?;
            let store = app.store();
            Ok(PlanningCenterStatus {
                base_url: app.planning_center_url()?,
                sign_in,
                keychain_problem,
                demo_mode: app.is_demo()?,
                syncing,
                pending_changes: outbox::pending_count(store)?,
                problems: pco_outbox::outbox_problems(store, &actor)?,
                conflicts: people::conflicts(store, &actor, 20)?,
                possible_duplicates: duplicates::open_duplicates(store, &actor)?,
                recent_merges: mergers::applied_mergers(store, &actor, 10)?,
                recent_webhook_events: runs::recent_webhooks(store, &actor, 10)?,
                recent_runs: runs::recent_runs(store, &actor, 10)?,
                field_definitions: settings::get(store, settings::PCO_FIELD_DEFINITIONS)?.unwrap_or_default(),
                completions_field: settings::get(store, settings::PCO_COMPLETIONS_FIELD)?,
                workflows: settings::get(store, settings::PCO_WORKFLOWS)?.unwrap_or_default(),
                completions_workflow: settings::get(store, settings::PCO_COMPLETIONS_WORKFLOW)?,
                renewals_workflow: settings::get(store, settings::PCO_RENEWALS_WORKFLOW)?,
                certifications_field: settings::get(store, settings::PCO_CERTIFICATIONS_FIELD)?,
            })
        })
        .await
    }

    /// Which Planning Center custom field receives course completions or certification status.
    /// `None` stops sending them. Changing it re-queues nothing: the next completion or
    /// certification change writes the whole summary to the new field.
    pub fn map_planning_center_field(&self, target: FieldTarget, field_definition_id: Option<String>) -> Reply<()> {
        let actor = self.require(Permission::SettingsManage)?;
        let key = match target {
            FieldTarget::Completions => settings::PCO_COMPLETIONS_FIELD,
            FieldTarget::Certifications => settings::PCO_CERTIFICATIONS_FIELD,
            FieldTarget::CompletionsWorkflow => settings::PCO_COMPLETIONS_WORKFLOW,
            FieldTarget::RenewalsWorkflow => settings::PCO_RENEWALS_WORKFLOW,
        };
        let workflow = matches!(target, FieldTarget::CompletionsWorkflow | FieldTarget::RenewalsWorkflow);
        if let (true, Some(id)) = (workflow, &field_definition_id) {
            let known: Vec<Workflow> = settings::get(self.store(), settings::PCO_WORKFLOWS)?.unwrap_or_default();
            if !known.iter().any(|w| &w.id == id) {
                return Err(ErrorReport::new(
                    ErrorCode::UnknownReference,
                    "Planning Center has no such workflow; sync once to refresh the list.",
                )
                .on("field_definition_id"));
            }
        } else if let Some(id) = &field_definition_id {
            let known: Vec<FieldDefinition> =
                settings::get(self.store(), settings::PCO_FIELD_DEFINITIONS)?.unwrap_or_default();
            if !known.iter().any(|d| &d.id == id) {
                return Err(ErrorReport::new(
                    ErrorCode::UnknownReference,
                    "Planning Center has no such field; sync once to refresh the list.",
                )
                .on("field_definition_id"));
            }
        }
        let value = field_definition_id.map(serde_json::Value::String).unwrap_or(serde_json::Value::Null);
        Ok(self.store().write(&actor, |tx| settings::set(tx, key, &value))?)
    }

    async fn remember_sign_in(&self, sign_in: Option<SignIn>) -> Reply<()> {
        self.blocking(move |app| {
            Ok(app.store().write(&Actor::system(), |tx| settings::set(tx, settings::PCO_SIGN_IN, &sign_in))?)
        })
        .await?;
        // Rebuilt with the new credentials on next use.
        *self.inner.planning_center.engine.lock().await = None;
        Ok(())
    }

    /// Opens Planning Center's sign-in page in the system browser and waits (up to five minutes)
    /// for it to come back to this computer.
    pub async fn sign_in_with_browser(&self) -> Reply<()> {
        let base = self
            .blocking(|app| {
                app.require(Permission::SyncManage)?;
                app.refuse_demo()?;
                app.planning_center_url()
            })
            .await?;
        let options = SignInOptions {
            base_url: &base,
            app: oauth_app(),
            ports: &REDIRECT_PORTS,
            scopes: &SCOPES,
            timeout: BROWSER_SIGN_IN_WAIT,
        };
        let opener = self.open_browser().clone();
        browser_flow(options, token_store(&base)?, move |url| opener(url)).await?;
        self.remember_sign_in(Some(SignIn::Oauth)).await
    }

    /// One-church setups: an application id and secret made at Planning Center. Checked against
    /// Planning Center before it is kept (the secret in the OS keychain).
    pub async fn sign_in_with_token(&self, app_id: &str, secret: &str) -> Reply<()> {
        self.blocking(|app| {
            app.require(Permission::SyncManage)?;
            app.refuse_demo()
        })
        .await?;
        let (app_id, secret) = (app_id.trim().to_owned(), secret.trim().to_owned());
        if app_id.is_empty() {
            return Err(ErrorReport::new(ErrorCode::InvalidInput, "The application ID is required.").on("app_id"));
        }
        if secret.is_empty() {
            return Err(ErrorReport::new(ErrorCode::InvalidInput, "The secret is required.").on("secret"));
        }
        let client = self
            .planning_center_client(Credentials::PersonalAccessToken { app_id: app_id.clone(), secret: secret.clone() })
            .await?;
        match client.get_list("/people/v2/campuses", &[("per_page", "1".into())]).await {
            Ok(_) => {}
            Err(PcoError::SignInRequired { .. }) => {
                return Err(ErrorReport::new(
                    ErrorCode::InvalidInput,
                    "Planning Center did not accept this application ID and secret. Copy both again from your personal access token at api.planningcenteronline.com/oauth/applications.",
                )
                .on("secret"))
            }
            Err(other) => return Err(other.into()),
        }
        let entry = app_id.clone();
        keychain(move || KeychainSecret::personal_access_token(&entry)?.save(&secret)).await?;
        self.remember_sign_in(Some(SignIn::PersonalAccessToken { app_id })).await
    }

    /// Revokes the sign-in at Planning Center and removes it from the keychain. Queued changes stay.
    pub async fn sign_out_of_planning_center(&self) -> Reply<()> {
        self.blocking(|app| app.require(Permission::SyncManage).map(drop)).await?;
        if let Some((credentials, sign_in)) = self.planning_center_credentials().await? {
            match &sign_in {
                SignIn::Oauth => {
                    let client = self.planning_center_client(credentials).await?;
                    if client.sign_out().await.is_err() {
                        // Offline: forget the tokens here anyway; Planning Center ends them at expiry.
                        self.forget_planning_center_secrets().await?;
                    }
                }
                SignIn::PersonalAccessToken { .. } => self.forget_planning_center_secrets().await?,
            }
        }
        self.remember_sign_in(None).await
    }

    /// Removes the saved sign-in's secrets from the keychain.
    async fn forget_planning_center_secrets(&self) -> Reply<()> {
        let (sign_in, base) = self.blocking(|app| Ok((app.sign_in_choice()?, app.planning_center_url()?))).await?;
        match sign_in {
            Some(SignIn::Oauth) => {
                keychain(move || KeychainTokenStore::new(&keychain_account(&base))?.clear_tokens()).await
            }
            Some(SignIn::PersonalAccessToken { app_id }) => {
                keychain(move || KeychainSecret::personal_access_token(&app_id)?.clear()).await
            }
            None => Ok(()),
        }
    }

    async fn engine(&self) -> Reply<Arc<SyncEngine>> {
        let mut cached = self.inner.planning_center.engine.lock().await;
        if let Some(engine) = cached.as_ref() {
            return Ok(engine.clone());
        }
        let (credentials, _) = self
            .planning_center_credentials()
            .await?
            .ok_or_else(|| ErrorReport::new(ErrorCode::NotConnected, "Sign in to Planning Center first."))?;
        let engine = SyncEngine::new(
            self.store().clone(),
            self.planning_center_client(credentials).await?,
            SyncSettings::default(),
        );
        engine.set_outbox_lease(self.outbox_lease().await?);
        *cached = Some(engine.clone());
        Ok(engine)
    }

    /// Subscribes the church's webhook receiver to the events the app acts on, and writes the
    /// subscriptions' secrets to `secrets_file`, for the receiver only. Administrators only.
    pub async fn subscribe_planning_center_webhooks(
        &self,
        receiver_url: &str,
        secrets_file: &str,
    ) -> Reply<cct_sync::webhooks::Subscribed> {
        let actor = self.blocking(|app| app.require(Permission::SyncManage)).await?;
        if secrets_file.trim().is_empty() {
            return Err(ErrorReport::new(
                ErrorCode::InvalidInput,
                "Name the file the receiver reads its secrets from.",
            )
            .on("secrets_file"));
        }
        let (credentials, _) = self
            .planning_center_credentials()
            .await?
            .ok_or_else(|| ErrorReport::new(ErrorCode::NotConnected, "Sign in to Planning Center first."))?;
        let client = self.planning_center_client(credentials).await?;
        let path = std::path::PathBuf::from(secrets_file.trim());
        let subscribed = cct_sync::webhooks::subscribe(&client, receiver_url, &path).await.map_err(|error| {
            use cct_sync::webhooks::SubscribeError;
            match error {
                SubscribeError::ReceiverUrl(_) => {
                    ErrorReport::new(ErrorCode::InvalidInput, error.to_string()).on("receiver_url")
                }
                SubscribeError::SecretsFile { .. } => {
                    ErrorReport::new(ErrorCode::InvalidInput, error.to_string()).on("secrets_file")
                }
                SubscribeError::NoSecret(_) => ErrorReport::new(ErrorCode::PlanningCenterError, error.to_string()),
                SubscribeError::PlanningCenter(inner) => inner.into(),
            }
        })?;
        let detail = format!(
            "{}: {} made, {} kept; secrets written to {}",
            subscribed.receiver_url,
            subscribed.created.len(),
            subscribed.already_subscribed.len(),
            subscribed.secrets_file
        );
        self.blocking(move |app| {
            Ok(cct_store::office::audit::record_event(
                app.store(),
                &actor,
                "planning_center_webhooks",
                "subscribed",
                &detail,
            )?)
        })
        .await?;
        Ok(subscribed)
    }

    /// Acts on the Planning Center webhook events a team sync copied here, when this computer
    /// is signed in to Planning Center. Otherwise, or while a sync runs (which pulls the same
    /// changes), they wait for the next team sync; a failure is kept on the event and in the
    /// sync log, never in the way of the team sync that brought it.
    pub(crate) async fn act_on_webhook_events(&self) {
        let Ok(engine) = self.engine().await else { return };
        match engine.process_webhooks().await {
            Ok(_) | Err(cct_sync::SyncError::AlreadyRunning) => {}
            Err(error) => eprintln!("Planning Center webhook events wait for the next team sync: {error}"),
        }
    }

    /// The running engine, if one was built, for the team to hand its lease to.
    pub(crate) async fn built_engine(&self) -> Option<Arc<SyncEngine>> {
        self.inner.planning_center.engine.lock().await.clone()
    }

    /// Runs one sync for a person who asked, reporting progress.
    pub async fn sync_with_planning_center(&self, progress: impl Fn(Progress) + Send + 'static) -> Reply<SyncReport> {
        self.blocking(|app| {
            app.require(Permission::SyncManage)?;
            app.refuse_demo()
        })
        .await?;
        self.run_sync(progress).await
    }

    /// One sync for whoever asked (a person, or the background schedule). A sign-in Planning
    /// Center no longer accepts puts this computer in "sign in again": the sign-in is forgotten
    /// here, its secrets removed from the keychain, and the queue kept.
    pub(crate) async fn run_sync(&self, on_progress: impl Fn(Progress) + Send + 'static) -> Reply<SyncReport> {
        let engine = self.engine().await?;
        let mut progress = engine.progress();
        let forward = tokio::spawn(async move {
            while progress.changed().await.is_ok() {
                let current = progress.borrow().clone();
                on_progress(current);
            }
        });
        let result = engine.run().await;
        forward.abort();
        match result {
            Ok(report) => Ok(report),
            Err(cct_sync::SyncError::PlanningCenter(error @ PcoError::SignInRequired { .. })) => {
                self.forget_planning_center_secrets().await?;
                self.remember_sign_in(None).await?;
                Err(error.into())
            }
            Err(other) => Err(other.into()),
        }
    }

    pub async fn cancel_planning_center_sync(&self) -> Reply<()> {
        self.blocking(|app| app.require(Permission::SyncManage).map(drop)).await?;
        if let Some(engine) = self.built_engine().await {
            engine.cancel_flag().cancel();
        }
        Ok(())
    }

    /// Whether a background sync should run now: signed in, not the demo church, nobody syncing.
    pub(crate) async fn background_sync_due(&self) -> bool {
        let demo = self.blocking(|app| app.is_demo()).await.unwrap_or(true);
        let signed_in = matches!(self.planning_center_credentials().await, Ok(Some(_)));
        let running = self.built_engine().await.is_some_and(|engine| engine.is_running());
        !demo && signed_in && !running
    }
}
