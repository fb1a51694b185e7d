//! OAuth 2.0 with PKCE against the fake's endpoints: the code flow, refresh on expiry and on
//! 401, rotation, revocation.

use crate::*;
use cct_pco_fake::DESKTOP_CLIENT_ID;
use cct_planning_center::auth::{now_secs, TokenStore};
use cct_planning_center::{
    authorization_request, Client, ClientConfig, Credentials, MemoryTokenStore, OAuthApp, OAuthTokens, PcoError,
};
use std::sync::atomic::Ordering;
use std::sync::Arc;

const REDIRECT: &str = "http://127.0.0.1:47100/callback";

fn oauth_client(fake: &cct_pco_fake::FakePco, store: Arc<MemoryTokenStore>) -> Client {
    let mut config = ClientConfig::new(
        fake.base_url(),
        Credentials::OAuth { app: OAuthApp { client_id: DESKTOP_CLIENT_ID.into(), client_secret: None }, store },
    );
    config.retry = quick_retries();
    Client::new(config).unwrap()
}

/// Plays the browser: follows the authorize URL and reads the redirect's query.
async fn consent(url: &str) -> std::collections::HashMap<String, String> {
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let response = http.get(url).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 303, "the fake redirects back to the app");
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(REDIRECT), "{location}");
    url::Url::parse(&location).unwrap().query_pairs().into_owned().collect()
}

#[tokio::test]
async fn the_code_flow_with_pkce_signs_in() {
    let fake = fake(20, fast_window()).await;
    let store = Arc::new(MemoryTokenStore::default());
    let client = oauth_client(&fake, store.clone());
    let app = OAuthApp { client_id: DESKTOP_CLIENT_ID.into(), client_secret: None };
    let request = authorization_request(&fake.base_url(), &app, REDIRECT, &["people", "registrations"]).unwrap();
    let answer = consent(&request.url).await;
    assert_eq!(answer["state"], request.state, "state comes back unchanged for the app to check");

    let wrong = client
        .exchange_code(&answer["code"], "not-the-verifier-at-all-not-the-verifier-at-all", REDIRECT)
        .await
        .unwrap_err();
    assert!(wrong.to_string().contains("code_verifier"), "{wrong}");
    assert!(store.load().unwrap().is_none());

    // The failed attempt spent the code, as a real server does: sign in again.
    let request = authorization_request(&fake.base_url(), &app, REDIRECT, &["people", "registrations"]).unwrap();
    let answer = consent(&request.url).await;
    let tokens = client.exchange_code(&answer["code"], &request.code_verifier, REDIRECT).await.unwrap();
    assert_eq!(tokens.scope, "people registrations");
    assert!(tokens.expires_at > now_secs() + 7000);
    assert_eq!(store.load().unwrap(), Some(tokens));
    assert_eq!(client.get_list("/people/v2/people", &[]).await.unwrap().data.len(), 20);
    let no_scope = client.get_list("/check-ins/v2/events", &[]).await.unwrap_err();
    assert!(matches!(no_scope, PcoError::Forbidden { .. }) && no_scope.to_string().contains("check_ins"), "{no_scope}");
}

#[tokio::test]
async fn an_unregistered_redirect_or_missing_pkce_is_refused() {
    let fake = fake(1, fast_window()).await;
    let app = OAuthApp { client_id: DESKTOP_CLIENT_ID.into(), client_secret: None };
    let request = authorization_request(&fake.base_url(), &app, "http://127.0.0.1:9/elsewhere", &["people"]).unwrap();
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    assert_eq!(http.get(&request.url).send().await.unwrap().status().as_u16(), 400);
    let no_pkce = format!("{}/oauth/authorize?response_type=code&client_id={DESKTOP_CLIENT_ID}&redirect_uri={REDIRECT}&scope=people&state=s", fake.base_url());
    let response = http.get(&no_pkce).send().await.unwrap();
    assert!(response.headers()["location"].to_str().unwrap().contains("error=invalid_request"));
}

#[tokio::test]
async fn an_expired_access_token_is_refreshed_on_401_and_the_rotated_pair_saved() {
    let fake = fake(5, fast_window()).await;
    let (access, refresh) = fake.issue_token("people");
    let store = Arc::new(MemoryTokenStore::with(OAuthTokens {
        access_token: access.clone(),
        refresh_token: refresh.clone(),
        expires_at: now_secs() + 7200,
        scope: "people".into(),
    }));
    let client = oauth_client(&fake, store.clone());
    fake.expire_access_tokens();
    assert_eq!(client.get_list("/people/v2/people", &[]).await.unwrap().data.len(), 5);
    assert_eq!(client.stats().refreshes.load(Ordering::Relaxed), 1);
    let saved = store.load().unwrap().unwrap();
    assert_ne!(saved.access_token, access);
    assert_ne!(saved.refresh_token, refresh, "refresh tokens rotate");

    // The old refresh token was single-use.
    store.save(&OAuthTokens { refresh_token: refresh, expires_at: 0, ..saved }).unwrap();
    let error = client.get_list("/people/v2/people", &[]).await.unwrap_err();
    assert!(matches!(error, PcoError::SignInRequired { .. }) && error.to_string().contains("already used"), "{error}");
}

#[tokio::test]
async fn a_token_near_expiry_is_refreshed_before_use_once_for_concurrent_requests() {
    let fake = fake(5, fast_window()).await;
    let (access, refresh) = fake.issue_token("people");
    let store = Arc::new(MemoryTokenStore::with(OAuthTokens {
        access_token: access,
        refresh_token: refresh,
        expires_at: now_secs() + 30,
        scope: "people".into(),
    }));
    let client = oauth_client(&fake, store);
    let calls: Vec<_> = (0..5)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.get_list("/people/v2/people", &[]).await.map(|p| p.data.len()) })
        })
        .collect();
    for call in calls {
        assert_eq!(call.await.unwrap().unwrap(), 5);
    }
    assert_eq!(client.stats().refreshes.load(Ordering::Relaxed), 1, "one refresh, not one per request");
    assert_eq!(fake.stats().unauthorized, 0);
}

#[tokio::test]
async fn a_mass_revocation_asks_for_sign_in_again() {
    let fake = fake(5, fast_window()).await;
    let (access, refresh) = fake.issue_token("people");
    let client = oauth_client(
        &fake,
        Arc::new(MemoryTokenStore::with(OAuthTokens {
            access_token: access,
            refresh_token: refresh,
            expires_at: now_secs() + 7200,
            scope: "people".into(),
        })),
    );
    fake.revoke_everything();
    let error = client.get_list("/people/v2/people", &[]).await.unwrap_err();
    assert!(matches!(error, PcoError::SignInRequired { .. }), "{error}");
}

#[tokio::test]
async fn sign_out_revokes_at_planning_center_and_forgets_the_tokens() {
    let fake = fake(5, fast_window()).await;
    let (access, refresh) = fake.issue_token("people");
    let store = Arc::new(MemoryTokenStore::with(OAuthTokens {
        access_token: access.clone(),
        refresh_token: refresh,
        expires_at: now_secs() + 7200,
        scope: "people".into(),
    }));
    let client = oauth_client(&fake, store.clone());
    client.sign_out().await.unwrap();
    assert!(store.load().unwrap().is_none());
    let reused = oauth_client(
        &fake,
        Arc::new(MemoryTokenStore::with(OAuthTokens {
            access_token: access,
            refresh_token: "gone".into(),
            expires_at: now_secs() + 7200,
            scope: "people".into(),
        })),
    );
    assert!(matches!(reused.get_list("/people/v2/people", &[]).await.unwrap_err(), PcoError::SignInRequired { .. }));
}

/// Webhooks have no scope of their own: a token signed in with the app's scopes subscribes to
/// People's events, and one whose scope does not cover People is refused with the validation
/// error Planning Center gives (planningcenter/developers issues 596 and 617), not a 403.
#[tokio::test]
async fn a_signed_in_token_subscribes_to_the_events_of_the_products_its_scope_covers() {
    let fake = fake(5, fast_window()).await;
    let signed_in = |scope: &str| {
        let (access, refresh) = fake.issue_token(scope);
        let tokens = OAuthTokens {
            access_token: access,
            refresh_token: refresh,
            expires_at: now_secs() + 3600,
            scope: scope.into(),
        };
        oauth_client(&fake, Arc::new(MemoryTokenStore::with(tokens)))
    };
    let office = signed_in("people registrations check_ins groups");
    let made = office
        .create_webhook_subscription("people.v2.events.person.updated", "https://hub.example.org/hooks")
        .await
        .unwrap();
    assert!(made.authenticity_secret.len() >= 32);
    assert_eq!(office.webhook_secret(&made.id).await.unwrap(), Some(made.authenticity_secret.clone()));

    let registrations_only = signed_in("registrations");
    let refused = registrations_only
        .create_webhook_subscription("people.v2.events.person.created", "https://hub.example.org/hooks")
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, PcoError::Api { status, .. } if status.as_u16() == 422)
            && refused.to_string().contains("not available for subscription"),
        "{refused}"
    );
    assert_eq!(fake.with_data(|d| d.count("webhooks/webhook_subscriptions")), 1);
}
