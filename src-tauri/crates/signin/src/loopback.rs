use cct_planning_center::{
    authorization_request, Client, ClientConfig, Credentials, OAuthApp, OAuthTokens, PcoError, TokenStore,
};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error("none of the registered sign-in ports ({0}) is free on this computer; close the program using them and try again")]
    NoFreePort(String),
    #[error("the browser could not be opened: {0}")]
    Browser(String),
    #[error("signing in took too long; try again")]
    TimedOut,
    #[error("Planning Center did not sign you in: {0}")]
    Denied(String),
    #[error("the answer from the browser did not match this sign-in (state mismatch); sign in again from the app")]
    StateMismatch,
    #[error("the answer from the browser had no authorization code")]
    NoCode,
    #[error(transparent)]
    PlanningCenter(#[from] PcoError),
    #[error("the loopback listener failed: {0}")]
    Io(#[from] std::io::Error),
}

pub struct SignInOptions<'a> {
    pub base_url: &'a str,
    pub app: OAuthApp,
    /// Ports whose `http://127.0.0.1:{port}/callback` is registered with Planning Center; the
    /// first free one is used.
    pub ports: &'a [u16],
    pub scopes: &'a [&'a str],
    pub timeout: Duration,
}

const DONE_PAGE: &str = "<!doctype html><meta charset=utf-8><title>Signed in</title>\
     <p style=\"font-family:sans-serif\">You are signed in to Planning Center. \
     You can close this window and return to Church Course Tracker.</p>";
const FAILED_PAGE: &str = "<!doctype html><meta charset=utf-8><title>Not signed in</title>\
     <p style=\"font-family:sans-serif\">Signing in did not finish. Return to Church Course Tracker and try again.</p>";

/// Runs the whole flow: listen on a loopback port, open the browser at Planning Center's
/// authorize page, take the one redirect, check `state`, and exchange the code (with its PKCE
/// verifier) for tokens, which the store saves.
pub async fn sign_in_with_browser(
    options: SignInOptions<'_>,
    store: Arc<dyn TokenStore>,
    open_browser: impl FnOnce(String) -> Result<(), String>,
) -> Result<OAuthTokens, SignInError> {
    let mut bound = None;
    for port in options.ports {
        if let Ok(listener) = TcpListener::bind(("127.0.0.1", *port)).await {
            bound = Some((listener, *port));
            break;
        }
    }
    let ports = options.ports.iter().map(u16::to_string).collect::<Vec<_>>().join(", ");
    let (listener, port) = bound.ok_or(SignInError::NoFreePort(ports))?;
    let redirect_uri = format!("http://127.0.0.1:{port}/callback");
    let request = authorization_request(options.base_url, &options.app, &redirect_uri, options.scopes)?;
    open_browser(request.url.clone()).map_err(SignInError::Browser)?;

    let query = tokio::time::timeout(options.timeout, wait_for_redirect(&listener))
        .await
        .map_err(|_| SignInError::TimedOut)??;
    drop(listener); // listening for the one redirect only
    let param = |name: &str| query.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    if let Some(error) = param("error") {
        return Err(SignInError::Denied(param("error_description").unwrap_or(error)));
    }
    if param("state").as_deref() != Some(request.state.as_str()) {
        return Err(SignInError::StateMismatch);
    }
    let code = param("code").ok_or(SignInError::NoCode)?;
    let client = Client::new(ClientConfig::new(options.base_url, Credentials::OAuth { app: options.app, store }))?;
    Ok(client.exchange_code(&code, &request.code_verifier, &redirect_uri).await?)
}

/// Accepts connections until one asks for `/callback`, answers it, and returns its query.
/// Anything else (a favicon request) gets a 404.
async fn wait_for_redirect(listener: &TcpListener) -> Result<Vec<(String, String)>, SignInError> {
    loop {
        let (mut socket, _) = listener.accept().await?;
        let mut buffer = vec![0u8; 8192];
        let mut read = 0;
        while read < buffer.len() {
            let n = socket.read(&mut buffer[read..]).await?;
            if n == 0 {
                break;
            }
            read += n;
            if buffer[..read].windows(4).any(|w| w == b"\r\n\r\n") {
                break;
            }
        }
        let head = String::from_utf8_lossy(&buffer[..read]);
        let target = head.lines().next().and_then(|line| line.split(' ').nth(1)).unwrap_or("/");
        let url = url::Url::parse(&format!("http://127.0.0.1{target}")).ok();
        match url.filter(|u| u.path() == "/callback") {
            Some(url) => {
                let query: Vec<(String, String)> = url.query_pairs().into_owned().collect();
                let page = if query.iter().any(|(k, _)| k == "code") { DONE_PAGE } else { FAILED_PAGE };
                let response = format!("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{page}", page.len());
                socket.write_all(response.as_bytes()).await?;
                socket.shutdown().await.ok();
                return Ok(query);
            }
            None => {
                socket.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").await?;
            }
        }
    }
}

impl From<SignInError> for cct_domain::ErrorReport {
    fn from(error: SignInError) -> Self {
        match error {
            SignInError::PlanningCenter(inner) => inner.into(),
            other => cct_domain::ErrorReport::new(cct_domain::ErrorCode::SignInFailed, other.to_string()),
        }
    }
}
