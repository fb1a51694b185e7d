//! The hub's address: a PostgreSQL connection string, entered once. Its password is split off
//! to be kept in the OS keychain; what is stored in the database is the rest. Connections to
//! another machine must be encrypted.

use crate::error::{hub_error, Result, TeamError};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use std::net::IpAddr;
use std::str::FromStr;
use std::time::Duration;
use url::Url;

const SECURE_MODES: [&str; 3] = ["require", "verify-ca", "verify-full"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HubAddress {
    url: Url,
}

impl HubAddress {
    /// Parses a connection string, returning the address without its password and the
    /// password on its own. A host off this machine gets `sslmode=verify-full` unless the
    /// string asks for another encrypted mode; an unencrypted mode there is refused.
    pub fn parse(input: &str) -> Result<(HubAddress, Option<String>)> {
        let mut url = Url::parse(input.trim()).map_err(|e| TeamError::InvalidAddress(e.to_string()))?;
        if !matches!(url.scheme(), "postgres" | "postgresql") {
            return Err(TeamError::InvalidAddress("it must start with postgres:// or postgresql://".into()));
        }
        if url.username().is_empty() {
            return Err(TeamError::InvalidAddress(
                "it must name the database user (postgres://user@host/database)".into(),
            ));
        }
        let password = url.password().map(|p| percent_encoding::percent_decode_str(p).decode_utf8_lossy().into_owned());
        url.set_password(None).map_err(|()| TeamError::InvalidAddress("it has no host".into()))?;
        if !is_loopback(&url) {
            let host = url.host_str().unwrap_or_default().to_owned();
            let mode = url.query_pairs().find(|(k, _)| k == "sslmode").map(|(_, v)| v.into_owned());
            match mode.as_deref() {
                Some(mode) if SECURE_MODES.contains(&mode) => {}
                Some(_) => return Err(TeamError::TlsRequired { host }),
                None => {
                    url.query_pairs_mut().append_pair("sslmode", "verify-full");
                }
            }
        }
        Ok((HubAddress { url }, password.filter(|p| !p.is_empty())))
    }

    /// The address as stored and shown: never with a password.
    pub fn as_str(&self) -> &str {
        self.url.as_str()
    }

    pub async fn connect(&self, password: Option<&str>) -> Result<PgPool> {
        let mut options =
            PgConnectOptions::from_str(self.url.as_str()).map_err(|e| TeamError::InvalidAddress(e.to_string()))?;
        if let Some(password) = password {
            options = options.password(password);
        }
        options = options.application_name("church-course-tracker");
        PgPoolOptions::new()
            .max_connections(2)
            .acquire_timeout(Duration::from_secs(15))
            .connect_with(options)
            .await
            .map_err(|error| match error {
                sqlx::Error::Database(_) | sqlx::Error::Configuration(_) => TeamError::Hub(error),
                other => hub_error(other),
            })
    }
}

/// Loopback hosts and Unix sockets never leave this machine.
fn is_loopback(url: &Url) -> bool {
    let socket_dir = url.query_pairs().any(|(k, v)| k == "host" && v.starts_with('/'));
    match url.host_str() {
        None | Some("") => true,
        Some("localhost") => true,
        Some(host) => {
            socket_dir
                || host.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_is_split_off_and_never_kept_in_the_address() {
        let (address, password) = HubAddress::parse("postgres://office:s3cr%40t@127.0.0.1:5432/church").unwrap();
        assert_eq!(password.as_deref(), Some("s3cr@t"));
        assert_eq!(address.as_str(), "postgres://office@127.0.0.1:5432/church");
    }

    #[test]
    fn a_hub_off_this_machine_must_be_encrypted() {
        let refused = HubAddress::parse("postgres://office:pw@db.example.org/church?sslmode=disable").unwrap_err();
        assert_eq!(refused.code(), cct_domain::ErrorCode::TlsRequired);
        assert_eq!(
            HubAddress::parse("postgres://office@db.example.org/church?sslmode=prefer").unwrap_err().code(),
            cct_domain::ErrorCode::TlsRequired
        );
        let (defaulted, _) = HubAddress::parse("postgres://office@db.example.org/church").unwrap();
        assert!(defaulted.as_str().ends_with("sslmode=verify-full"), "{}", defaulted.as_str());
        let (kept, _) = HubAddress::parse("postgresql://office@10.0.0.5/church?sslmode=require").unwrap();
        assert!(kept.as_str().ends_with("sslmode=require"));
    }

    #[test]
    fn loopback_and_sockets_may_go_unencrypted() {
        for local in [
            "postgres://u@localhost/db?sslmode=disable",
            "postgres://u@127.0.0.1/db",
            "postgres://u@[::1]:5433/db",
            "postgres://u@x/db?host=/run/postgresql",
        ] {
            let (address, _) = HubAddress::parse(local).unwrap_or_else(|e| panic!("{local}: {e}"));
            assert!(!address.as_str().contains("verify-full"), "{local}");
        }
    }

    #[test]
    fn something_else_is_refused_with_a_reason() {
        assert_eq!(HubAddress::parse("mysql://u@h/db").unwrap_err().code(), cct_domain::ErrorCode::InvalidHubAddress);
        assert_eq!(HubAddress::parse("not a url").unwrap_err().code(), cct_domain::ErrorCode::InvalidHubAddress);
        assert_eq!(
            HubAddress::parse("postgres://db.example.org/church").unwrap_err().code(),
            cct_domain::ErrorCode::InvalidHubAddress
        );
    }
}
