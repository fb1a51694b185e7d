//! Team sync from this computer: creating a team on a hub, join codes, joining, every device's
//! last contact, removing a device, syncing, and check-in station letters. The hub's password
//! and this device's secret live in the OS keychain; the database keeps the address without them.

use crate::secrets::keychain;
use crate::{App, Reply};
use cct_domain::{ErrorCode, ErrorReport, Permission};
use cct_signin::KeychainSecret;
use cct_store::checkin::station::StationLetterCheck;
use cct_store::team::apply::{self, WaitingChange};
use cct_store::team::changes;
use cct_store::team::device::{self, DeviceMembership};
use cct_store::team::fold::{self, FoldMade};
use cct_team::compaction::{self, CompactionStatus};
use cct_team::exchange::{self, ExchangeProgress, ExchangeReport};
use cct_team::lease::HubLease;
use cct_team::membership::{self, TeamDevice};
use cct_team::{stations, DeviceCredentials, Hub, HubAddress, TeamError};
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;
use ts_rs::TS;
use uuid::Uuid;

/// How long starting a station waits for the hub before going ahead unconfirmed: a laptop
/// with no network must still become a station.
const LETTER_CLAIM_WAIT: Duration = Duration::from_secs(5);

/// A live connection to this device's hub, with the credentials it uses there.
pub struct TeamConnection {
    pub hub: Arc<Hub>,
    pub credentials: DeviceCredentials,
}

/// The hub connection, once this device belongs to a team and has used it, and the lock that
/// keeps two team syncs from running at once.
#[derive(Default)]
pub(crate) struct Connection {
    live: tokio::sync::Mutex<Option<Arc<TeamConnection>>>,
    syncing: tokio::sync::Mutex<()>,
}

/// What the Team screen shows without asking the hub.
#[derive(Debug, Serialize, TS)]
pub struct TeamStatus {
    pub membership: DeviceMembership,
    pub unsent_changes: i64,
    pub waiting: Vec<WaitingChange>,
    /// The latest records folded into the same record made on another computer, and how many
    /// have been folded here in all.
    pub folds: Vec<FoldMade>,
    pub folds_total: i64,
    pub syncing: bool,
}

/// What a form names a hub by: its address, and the password typed beside it (if any).
pub struct HubForm {
    pub address: String,
    pub password: Option<String>,
}

async fn hub_password(address: String) -> Reply<Option<String>> {
    keychain(move || KeychainSecret::team_hub_password(&address)?.load()).await
}

async fn device_secret(device_id: String) -> Reply<Option<String>> {
    keychain(move || KeychainSecret::team_device_secret(&device_id)?.load()).await
}

async fn keep_hub_password(address: &HubAddress, password: Option<String>) -> Reply<()> {
    let address = address.as_str().to_owned();
    keychain(move || {
        let entry = KeychainSecret::team_hub_password(&address)?;
        match password {
            Some(password) => entry.save(&password),
            None => entry.clear(),
        }
    })
    .await
}

async fn keep_device_secret(credentials: &DeviceCredentials) -> Reply<()> {
    let credentials = credentials.clone();
    keychain(move || KeychainSecret::team_device_secret(&credentials.device_id)?.save(&credentials.secret)).await
}

async fn forget_secrets(membership: &DeviceMembership) -> Reply<()> {
    let (address, device_id) = (membership.hub_url.clone(), membership.device_id.clone());
    keychain(move || {
        if let Some(address) = address {
            KeychainSecret::team_hub_password(&address)?.clear()?;
        }
        KeychainSecret::team_device_secret(&device_id)?.clear()
    })
    .await
}

/// The address, and its password from the password box or, failing that, from the address.
fn parse_address(form: HubForm) -> Reply<(HubAddress, Option<String>)> {
    let (address, in_address) =
        HubAddress::parse(&form.address).map_err(|e| ErrorReport::from(e).or_on("hub_address"))?;
    Ok((address, form.password.filter(|p| !p.is_empty()).or(in_address)))
}

fn require_name(value: &str, field: &str) -> Reply<()> {
    if value.trim().is_empty() {
        return Err(ErrorReport::new(ErrorCode::InvalidInput, "This is required.").on(field));
    }
    Ok(())
}

/// Connects to the hub a form names as its owner, bringing its tables up to date. The
/// keychain is asked first: if it cannot keep the password, nothing is created on the hub.
async fn open_hub_as_owner(form: HubForm) -> Reply<Arc<Hub>> {
    let (address, password) = parse_address(form)?;
    keep_hub_password(&address, password.clone()).await?;
    let hub = Hub::connect_as_owner(&address, password.as_deref())
        .await
        .map_err(|e| ErrorReport::from(e).or_on("hub_address"))?;
    Ok(Arc::new(hub))
}

/// Work that needs the hub's owner, done by a computer that holds its password (the one that
/// created the team, or any computer of the release before): the hub's tables brought up to
/// this release; this computer's own role taken, where it had none; and once every computer
/// has its own, the shared password retired. A password another computer retired already is
/// forgotten here: this computer's own role serves it.
async fn maintain_hub_as_owner(address: &HubAddress, credentials: &DeviceCredentials, password: String) -> Reply<()> {
    let owner = match Hub::connect_as_owner(address, Some(&password)).await {
        Ok(owner) => owner,
        Err(refused) if refused.is_wrong_password() => return keep_hub_password(address, None).await,
        Err(other) => return Err(other.into()),
    };
    let outcome = async {
        let may_add_devices = match membership::own_role(&owner, &credentials.device_id).await? {
            Some(own) => own.may_add_devices,
            None => membership::adopt_own_role(&owner, credentials).await?,
        };
        if !may_add_devices {
            // Only an administrators' computer keeps the owner's password, for the next
            // release's tables.
            return keep_hub_password(address, None).await;
        }
        if membership::shared_password_can_retire(&owner).await? {
            let fresh = membership::new_owner_password();
            keep_hub_password(address, Some(fresh.clone())).await?;
            membership::set_owner_password(&owner, &fresh).await?;
        }
        Ok(())
    }
    .await;
    owner.close().await;
    outcome
}

impl App {
    async fn membership(&self) -> Reply<DeviceMembership> {
        self.blocking(|app| Ok(device::membership(app.store())?)).await
    }

    /// This device's hub connection, opened on first use.
    pub async fn team_connection(&self) -> Reply<Arc<TeamConnection>> {
        let mut cached = self.inner.team.live.lock().await;
        if let Some(connection) = cached.as_ref() {
            return Ok(connection.clone());
        }
        let me = self.membership().await?;
        let address = me.hub_url.as_deref().ok_or_else(|| ErrorReport::from(TeamError::NotJoined))?;
        let (address, _) = HubAddress::parse(address)?;
        let secret = device_secret(me.device_id.clone()).await?.ok_or_else(|| {
            ErrorReport::new(ErrorCode::NotAMember, "This device's team secret is missing from the keychain. Ask an administrator for a join code and join again.")
        })?;
        let credentials = DeviceCredentials { device_id: me.device_id, secret };
        if let Some(password) = hub_password(address.as_str().to_owned()).await? {
            maintain_hub_as_owner(&address, &credentials, password).await?;
        }
        let hub = Arc::new(Hub::connect(&address, &credentials).await?);
        let connection = Arc::new(TeamConnection { hub, credentials });
        *cached = Some(connection.clone());
        Ok(connection)
    }

    /// Forgets the hub connection: the next use connects again (the hub may have restarted).
    pub async fn drop_team_connection(&self) {
        if let Some(connection) = self.inner.team.live.lock().await.take() {
            connection.hub.close().await;
        }
    }

    /// The lease the Planning Center sync asks before sending shared outbox entries, when this
    /// device is in a team. Read from the keychain once, connecting to the hub lazily.
    pub(crate) async fn outbox_lease(&self) -> Reply<Option<Arc<dyn cct_sync::OutboxLease>>> {
        let me = self.membership().await?;
        let Some(address) = me.hub_url.as_deref() else { return Ok(None) };
        let (address, _) = HubAddress::parse(address)?;
        // Without its secret the hub refuses every claim, which keeps the entries queued.
        let secret = device_secret(me.device_id.clone()).await?.unwrap_or_default();
        Ok(Some(Arc::new(HubLease::lazy(address, DeviceCredentials { device_id: me.device_id, secret }))))
    }

    async fn refresh_outbox_lease(&self) -> Reply<()> {
        if let Some(engine) = self.built_engine().await {
            engine.set_outbox_lease(self.outbox_lease().await?);
        }
        Ok(())
    }

    pub async fn team_status(&self) -> Reply<TeamStatus> {
        let syncing = self.inner.team.syncing.try_lock().is_err();
        self.blocking(move |app| {
            app.signed_in()?;
            let store = app.store();
            let (folds, folds_total) = fold::folds_made(store)?;
            Ok(TeamStatus {
                membership: device::membership(store)?,
                unsent_changes: changes::unpushed_count(store)?,
                waiting: apply::waiting(store)?,
                folds,
                folds_total,
                syncing,
            })
        })
        .await
    }

    pub async fn team_devices(&self) -> Reply<Vec<TeamDevice>> {
        self.blocking(|app| app.require(Permission::SyncManage).map(drop)).await?;
        let connection = self.team_connection().await?;
        Ok(membership::devices(&connection.hub, &connection.credentials).await?)
    }

    /// The hub's latest snapshot and what compaction pruned from its log.
    pub async fn team_compaction(&self) -> Reply<CompactionStatus> {
        self.blocking(|app| app.require(Permission::SyncManage).map(drop)).await?;
        let connection = self.team_connection().await?;
        Ok(compaction::status(&connection.hub, &connection.credentials).await?)
    }

    /// Creates a team on an empty hub, with this device as its first member.
    pub async fn create_team(
        &self,
        form: HubForm,
        church_name: &str,
        device_name: &str,
        progress: impl Fn(ExchangeProgress) + Send + Sync,
    ) -> Reply<ExchangeReport> {
        let actor = self
            .blocking(|app| {
                let actor = app.require(Permission::SyncManage)?;
                app.refuse_demo()?;
                Ok(actor)
            })
            .await?;
        require_name(church_name, "church_name")?;
        require_name(device_name, "device_name")?;
        let owner = open_hub_as_owner(form).await?;
        let created = membership::create_team(self.store(), &actor, &owner, church_name, device_name).await;
        owner.close().await;
        self.begin_membership(owner.address().clone(), created?, &progress).await
    }

    /// Joins a team with an administrator's join code. A new, empty computer needs nobody signed
    /// in; it opens on the sign-in screen afterwards. The demo church never joins a team.
    pub async fn join_team(
        &self,
        form: HubForm,
        join_code: &str,
        device_name: &str,
        progress: impl Fn(ExchangeProgress) + Send + Sync,
    ) -> Reply<ExchangeReport> {
        let actor = self
            .blocking(|app| {
                if app.is_station()? {
                    app.signed_in()?; // refuses with the station's message
                }
                let actor = app.current_actor()?;
                if let Some(actor) = &actor {
                    cct_store::office::people::require(actor, Permission::SyncManage)?;
                }
                app.refuse_demo()?;
                Ok(actor)
            })
            .await?;
        require_name(device_name, "device_name")?;
        require_name(join_code, "join_code")?;
        let (address, password) = parse_address(form)?;
        if let Some(password) = password {
            // A hub an earlier release set up: its owner's password brings its tables up to this
            // release, so the join code can be spent. It is not kept here.
            let owner = Hub::connect_as_owner(&address, Some(&password))
                .await
                .map_err(|e| ErrorReport::from(e).or_on("hub_address"))?;
            owner.close().await;
        }
        let joined = membership::join(self.store(), actor.as_ref(), &address, join_code, device_name)
            .await
            .map_err(|e| ErrorReport::from(e).or_on("join_code"))?;
        // Joined from here on, even if the first sync fails part-way: the background sync goes on
        // from where it stopped. Whoever uses this computer next signs in as themselves, with
        // the password that arrives with the team's data.
        self.begin_membership(address, joined.credentials, &progress).await
    }

    /// This device now belongs to the hub's team: keep its secret, use the connection (also for
    /// Planning Center's outbox leases), and sync at once.
    async fn begin_membership(
        &self,
        address: HubAddress,
        credentials: DeviceCredentials,
        progress: &(dyn Fn(ExchangeProgress) + Sync),
    ) -> Reply<ExchangeReport> {
        keep_device_secret(&credentials).await?;
        let hub = Arc::new(Hub::connect(&address, &credentials).await?);
        *self.inner.team.live.lock().await = Some(Arc::new(TeamConnection { hub, credentials }));
        self.refresh_outbox_lease().await?;
        self.sync_team(progress).await
    }

    pub async fn make_join_code(
        &self,
        campus_id: Option<Uuid>,
        valid_hours: Option<u32>,
        may_add_devices: bool,
    ) -> Reply<String> {
        let actor = self.blocking(|app| app.require(Permission::SyncManage)).await?;
        let hours = valid_hours.unwrap_or(24).clamp(1, 24 * 14);
        let connection = self.team_connection().await?;
        let campus = campus_id.map(|c| c.to_string());
        Ok(membership::make_join_code(
            &actor,
            &connection.hub,
            &connection.credentials,
            membership::JoinCodeFor { campus_scope: campus.as_deref(), may_add_devices },
            chrono::Duration::hours(hours as i64),
        )
        .await?)
    }

    pub async fn remove_team_device(&self, device_id: &str) -> Reply<()> {
        let actor = self.blocking(|app| app.require(Permission::SyncManage)).await?;
        let connection = self.team_connection().await?;
        if device_id == connection.credentials.device_id {
            return Err(ErrorReport::new(ErrorCode::CannotRemoveSelf, "This is the device you are using. Remove it from another administrator's device, or leave the team here."));
        }
        Ok(membership::remove_device(&actor, &connection.hub, &connection.credentials, device_id).await?)
    }

    /// Leaves the team on this device: forgets the hub and its secrets. Data and the change log
    /// stay, so joining again later sends what was written meanwhile.
    pub async fn leave_team(&self) -> Reply<()> {
        let me = self
            .blocking(|app| {
                let actor = app.require(Permission::SyncManage)?;
                let me = device::membership(app.store())?;
                device::record_left(app.store(), &actor)?;
                Ok(me)
            })
            .await?;
        forget_secrets(&me).await?;
        self.drop_team_connection().await;
        self.refresh_outbox_lease().await
    }

    /// A person's "Sync now".
    pub async fn sync_team_now(&self, progress: impl Fn(ExchangeProgress) + Send + Sync) -> Reply<ExchangeReport> {
        self.blocking(|app| app.signed_in().map(drop)).await?;
        self.sync_team(&progress).await
    }

    /// One push and pull, reporting progress; never two at once.
    pub(crate) async fn sync_team(&self, progress: &(dyn Fn(ExchangeProgress) + Sync)) -> Reply<ExchangeReport> {
        let _running = self
            .inner
            .team
            .syncing
            .try_lock()
            .map_err(|_| ErrorReport::new(ErrorCode::AlreadySyncing, "The team is syncing already."))?;
        let connection = self.team_connection().await?;
        let result = exchange::sync(self.store(), &connection.hub, &connection.credentials, progress).await;
        if let Err(TeamError::DeviceRemoved) = &result {
            // Reconnecting will not help; the Team screen says why and offers to join again.
            self.inner.team.live.lock().await.take();
        }
        let report = result?;
        self.act_on_webhook_events().await;
        if stations::confirm_running_station(self.store(), &connection.hub, &connection.credentials).await?.is_some() {
            // The station's window rereads its configuration.
            self.forget_station();
        }
        Ok(report)
    }

    /// Claims a check-in station's letter for this device from the team's hub. A letter another
    /// computer holds is refused; a hub out of reach leaves the letter unconfirmed rather than
    /// keep the station from starting, and the next team sync claims it.
    pub(crate) async fn claim_station_letter(&self, letter: &str) -> Reply<StationLetterCheck> {
        if self.membership().await?.hub_url.is_none() {
            return Ok(StationLetterCheck::NoTeam);
        }
        // Without a connection (no network, the keychain's secret missing) the letter cannot be
        // confirmed, which does not stop the station.
        let claim = async {
            let team = self.team_connection().await.ok()?;
            Some(stations::claim_letter(&team.hub, &team.credentials, letter).await)
        };
        match tokio::time::timeout(LETTER_CLAIM_WAIT, claim).await {
            Ok(Some(Ok(()))) => Ok(StationLetterCheck::HeldByThisLaptop),
            Ok(Some(Err(taken @ TeamError::StationLetterTaken { .. }))) => {
                Err(ErrorReport::from(taken).or_on("station"))
            }
            Ok(Some(Err(_)) | None) | Err(_) => Ok(StationLetterCheck::NotConfirmed),
        }
    }

    /// Whether this device belongs to a team now.
    pub(crate) async fn in_team(&self) -> bool {
        self.membership().await.map(|m| m.hub_url.is_some()).unwrap_or(false)
    }

    /// Keeps a failed team sync's reason, for the Team screen.
    pub(crate) async fn record_team_error(&self, message: String) {
        let _ = self.blocking(move |app| Ok(device::record_error(app.store(), Some(&message))?)).await;
    }
}
