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
    ///
    /// The connection reads every parameter of the query, and the last of a repeated one wins,
    /// while a check that read only the first could be walked around
    /// (`?sslmode=require&sslmode=disable`). So a parameter that decides where or how the
    /// connection goes may appear once only; `host` and `hostaddr` in the query decide the host
    /// that is checked; and a password in the query is split off like one in the user part.
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
        let pairs: Vec<(String, String)> = url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
        for name in DECIDING {
            if pairs.iter().filter(|(key, _)| key.eq_ignore_ascii_case(name)).count() > 1 {
                return Err(TeamError::InvalidAddress(format!(
                    "it gives \"{name}\" more than once; give it once, so it is clear which applies"
                )));
            }
        }
        let query = |name: &str| pairs.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone());
        if query("user").is_some_and(|user| user != url.username()) {
            return Err(TeamError::InvalidAddress("it names two different database users".into()));
        }
        let in_user_part =
            url.password().map(|p| percent_encoding::percent_decode_str(p).decode_utf8_lossy().into_owned());
        let in_query = query("password");
        let password = match (in_user_part, in_query) {
            (Some(a), Some(b)) if a != b => {
                return Err(TeamError::InvalidAddress("it gives two different passwords".into()));
            }
            (a, b) => a.or(b),
        };
        url.set_password(None).map_err(|()| TeamError::InvalidAddress("it has no host".into()))?;
        if pairs.iter().any(|(key, _)| key.eq_ignore_ascii_case("password")) {
            let kept: Vec<(String, String)> =
                pairs.iter().filter(|(key, _)| !key.eq_ignore_ascii_case("password")).cloned().collect();
            url.set_query(None);
            if !kept.is_empty() {
                url.query_pairs_mut().extend_pairs(kept);
            }
        }
        let host = effective_host(&url, query("host"), query("hostaddr"))?;
        if !host.is_loopback() {
            let shown = host.shown();
            match query("sslmode").as_deref() {
                Some(mode) if SECURE_MODES.contains(&mode) => {}
                Some(_) => return Err(TeamError::TlsRequired { host: shown }),
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

    /// Connects as the address's own user (the hub's owner).
    pub async fn connect(&self, password: Option<&str>) -> Result<PgPool> {
        let options =
            PgConnectOptions::from_str(self.url.as_str()).map_err(|e| TeamError::InvalidAddress(e.to_string()))?;
        Self::pool(options, password).await
    }

    /// Connects as `role` instead of the address's user: a device's own role, or a join code's.
    pub async fn connect_as(&self, role: &str, password: Option<&str>) -> Result<PgPool> {
        let options =
            PgConnectOptions::from_str(self.url.as_str()).map_err(|e| TeamError::InvalidAddress(e.to_string()))?;
        Self::pool(options.username(role), password).await
    }

    async fn pool(mut options: PgConnectOptions, password: Option<&str>) -> Result<PgPool> {
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

/// Query parameters that decide where the connection goes, as whom, or how it is protected.
const DECIDING: [&str; 7] = ["sslmode", "host", "hostaddr", "port", "user", "password", "dbname"];

/// Where the connection really goes: the query's `hostaddr` or `host` when given (they override
/// the address's host), else the address's host.
enum Host {
    Socket,
    Named(String),
}

impl Host {
    /// Loopback hosts and Unix sockets never leave this machine.
    fn is_loopback(&self) -> bool {
        match self {
            Host::Socket => true,
            Host::Named(host) => {
                host == "localhost"
                    || host
                        .trim_start_matches('[')
                        .trim_end_matches(']')
                        .parse::<IpAddr>()
                        .is_ok_and(|ip| ip.is_loopback())
            }
        }
    }

    fn shown(&self) -> String {
        match self {
            Host::Socket => "a local socket".into(),
            Host::Named(host) => host.clone(),
        }
    }
}

fn effective_host(url: &Url, host: Option<String>, hostaddr: Option<String>) -> Result<Host> {
    let several = |value: &str| value.contains(',');
    if host.as_deref().is_some_and(several) || hostaddr.as_deref().is_some_and(several) {
        return Err(TeamError::InvalidAddress("it names several hosts; name the hub's one host".into()));
    }
    if let Some(address) = hostaddr {
        if address.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>().is_err() {
            return Err(TeamError::InvalidAddress(format!("hostaddr \"{address}\" is not an IP address")));
        }
        return Ok(Host::Named(address));
    }
    match host {
        Some(socket) if socket.starts_with('/') => Ok(Host::Socket),
        Some(named) if !named.is_empty() => Ok(Host::Named(named.to_ascii_lowercase())),
        _ => match url.host_str() {
            None | Some("") => Ok(Host::Socket),
            Some(named) => Ok(Host::Named(named.to_ascii_lowercase())),
        },
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
    fn an_address_that_says_two_things_is_refused() {
        for ambiguous in [
            "postgres://u@db.example.org/church?sslmode=require&sslmode=disable",
            "postgres://u@localhost/church?host=db.example.org&host=/run/postgresql",
            "postgres://u@localhost/church?hostaddr=203.0.113.7&hostaddr=127.0.0.1",
            "postgres://u@localhost/church?port=5432&port=6543",
            "postgres://u@localhost/church?host=a.example.org,b.example.org",
            "postgres://u@localhost/church?user=postgres",
            "postgres://u:one@localhost/church?password=two",
        ] {
            let refused = HubAddress::parse(ambiguous).err().unwrap_or_else(|| panic!("{ambiguous} was accepted"));
            assert_eq!(refused.code(), cct_domain::ErrorCode::InvalidHubAddress, "{ambiguous}: {refused}");
        }
    }

    #[test]
    fn a_host_in_the_query_is_the_host_that_is_checked() {
        for remote in [
            "postgres://u@localhost/church?host=db.example.org",
            "postgres://u@localhost/church?hostaddr=203.0.113.7",
            "postgres://u@localhost/church?sslmode=disable&host=db.example.org",
            "postgres://u@127.0.0.1/church?hostaddr=198.51.100.4&sslmode=prefer",
        ] {
            match HubAddress::parse(remote) {
                Ok((address, _)) => {
                    assert!(address.as_str().ends_with("sslmode=verify-full"), "{remote}: {}", address.as_str())
                }
                Err(refused) => assert_eq!(refused.code(), cct_domain::ErrorCode::TlsRequired, "{remote}: {refused}"),
            }
        }
        assert_eq!(
            HubAddress::parse("postgres://u@localhost/church?sslmode=disable&host=db.example.org").unwrap_err().code(),
            cct_domain::ErrorCode::TlsRequired
        );
        let (socket, _) = HubAddress::parse("postgres://u@db.example.org/church?host=/run/postgresql").unwrap();
        assert!(!socket.as_str().contains("verify-full"), "a socket stays on this machine");
        assert!(HubAddress::parse("postgres://u@localhost/church?hostaddr=not-an-ip").is_err());
    }

    #[test]
    fn a_password_in_the_query_is_split_off_too() {
        let (address, password) =
            HubAddress::parse("postgres://office@127.0.0.1/church?password=s3cr%40t&application_name=x").unwrap();
        assert_eq!(password.as_deref(), Some("s3cr@t"));
        assert!(!address.as_str().contains("s3cr") && !address.as_str().contains("password"), "{}", address.as_str());
        assert!(address.as_str().contains("application_name=x"));
        let (same, password) = HubAddress::parse("postgres://office:pw@127.0.0.1/church?password=pw").unwrap();
        assert_eq!(password.as_deref(), Some("pw"));
        assert_eq!(same.as_str(), "postgres://office@127.0.0.1/church");
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
