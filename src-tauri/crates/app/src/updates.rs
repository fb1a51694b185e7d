//! The office's side of signed updates: where this church looks for them, and when it last
//! did. Checking, downloading and installing are the updater plugin's, in the shell.

use crate::{App, Reply};
use cct_domain::{Actor, ErrorCode, ErrorReport, Permission, Timestamp};
use cct_store::office::settings;
use chrono::Duration;
use url::Url;

/// The manifest address a church set for its own releases (none: the one built into the app).
pub const ENDPOINT_SETTING: &str = "update_endpoint";
/// When this computer last asked for an update, so the start-up check runs at most daily.
pub const LAST_CHECK_SETTING: &str = "update_last_checked_at";
/// The start-up check is skipped when the last one was more recent than this.
pub const CHECK_EVERY_HOURS: i64 = 24;

/// Whether the start-up check is due: never checked, checked a day or more ago, or the clock
/// went backwards (a laptop whose date was wrong).
pub fn start_up_check_due(last: Option<Timestamp>, now: Timestamp) -> bool {
    match last {
        None => true,
        Some(last) => {
            let since = now.as_datetime() - last.as_datetime();
            since >= Duration::hours(CHECK_EVERY_HOURS) || since < Duration::zero()
        }
    }
}

/// HTTPS, or plain HTTP on this computer only (a test server); never HTTP over a network.
pub fn validate_endpoint(endpoint: &str) -> Reply<Url> {
    let refuse = |message: String| ErrorReport::new(ErrorCode::InvalidInput, message).on("endpoint");
    let url = Url::parse(endpoint).map_err(|e| refuse(format!("{endpoint} is not a web address: {e}")))?;
    let loopback = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    match url.scheme() {
        "https" => Ok(url),
        "http" if loopback => Ok(url),
        _ => Err(refuse(
            "Update addresses must start with https:// so nobody on the network can tamper with what the app is told."
                .into(),
        )),
    }
}

impl App {
    /// The office's own manifest address as it was typed, if it set one.
    pub fn custom_update_endpoint(&self) -> Reply<Option<String>> {
        Ok(settings::get::<String>(self.store(), ENDPOINT_SETTING)?)
    }

    /// The office's own manifest address, if it set one, for the updater.
    pub fn update_endpoint(&self) -> Reply<Option<Url>> {
        match self.custom_update_endpoint()? {
            Some(endpoint) => Url::parse(&endpoint).map(Some).map_err(|e| {
                ErrorReport::new(
                    ErrorCode::UpdateEndpointInvalid,
                    format!("The update address {endpoint} is not valid: {e}"),
                )
            }),
            None => Ok(None),
        }
    }

    pub fn last_update_check(&self) -> Reply<Option<Timestamp>> {
        Ok(settings::get::<Timestamp>(self.store(), LAST_CHECK_SETTING)?)
    }

    pub fn record_update_check(&self) -> Reply<()> {
        Ok(self.store().write(&Actor::system(), |tx| settings::set(tx, LAST_CHECK_SETTING, &Timestamp::now()))?)
    }

    /// Sets (or, with `None`, clears) the office's own update manifest address.
    pub fn set_update_endpoint(&self, endpoint: Option<String>) -> Reply<()> {
        let actor = self.require(Permission::SettingsManage)?;
        let endpoint = endpoint.map(|e| e.trim().to_owned()).filter(|e| !e.is_empty());
        if let Some(endpoint) = &endpoint {
            validate_endpoint(endpoint)?;
        }
        Ok(self.store().write(&actor, |tx| settings::set(tx, ENDPOINT_SETTING, &endpoint))?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        Timestamp::parse(text).unwrap()
    }

    #[test]
    fn the_start_up_check_runs_at_most_daily() {
        let now = at("2026-11-24T09:00:00Z");
        assert!(start_up_check_due(None, now));
        assert!(!start_up_check_due(Some(at("2026-11-24T08:00:00Z")), now));
        assert!(!start_up_check_due(Some(at("2026-11-23T09:00:01Z")), now));
        assert!(start_up_check_due(Some(at("2026-11-23T09:00:00Z")), now));
        assert!(
            start_up_check_due(Some(at("2027-01-01T00:00:00Z")), now),
            "a clock that went backwards does not block checks for months"
        );
    }

    #[test]
    fn update_addresses_must_be_https_except_on_this_computer() {
        assert!(validate_endpoint("https://updates.example.org/{{target}}/{{arch}}/{{current_version}}").is_ok());
        assert!(validate_endpoint("http://127.0.0.1:8080/latest.json").is_ok());
        let refused = validate_endpoint("http://updates.example.org/latest.json").unwrap_err();
        assert_eq!(refused.field.as_deref(), Some("endpoint"));
        assert!(validate_endpoint("not a url").is_err());
    }
}
