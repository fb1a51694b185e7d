//! Setting up a real church and connecting it to (the fake) Planning Center through the app's
//! commands. Secrets go to the real keychain (the test command provides a Secret Service).

use super::*;
use cct_pco_fake::{FakeConfig, FakePco, Faults, TEST_APP_ID, TEST_SECRET};
use std::time::Duration;

/// These tests share the keychain: one at a time.
static KEYCHAIN: std::sync::Mutex<()> = std::sync::Mutex::new(());

pub(crate) fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    KEYCHAIN.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

pub(crate) fn fake() -> FakePco {
    let faults = Faults { rate_limit: 10_000, rate_period: Duration::from_secs(1), ..Default::default() };
    tauri::async_runtime::block_on(FakePco::start(FakeConfig { people: 30, faults, ..Default::default() })).unwrap()
}

fn point_at(h: &Harness, fake: &FakePco) {
    let system = cct_domain::Actor::system();
    use cct_store::office::settings;
    store_of(h).write(&system, |tx| settings::set(tx, settings::PCO_BASE_URL, &fake.base_url())).unwrap();
}

/// A new office (Grace Office, its administrator) whose Planning Center is the fake.
pub(crate) fn office_at(fake: &FakePco, browser: Option<cct_app::OpenBrowser>) -> Harness {
    let h = match browser {
        Some(browser) => harness_with_browser(browser),
        None => harness(),
    };
    set_up_office(&h, "Grace", "Office", "grace@office.example");
    point_at(&h, fake);
    h
}

#[test]
fn the_demo_church_never_connects_to_planning_center() {
    let h = harness();
    invoke(&h, "load_demo_church", json!({})).unwrap();
    let status = invoke(&h, "planning_center_status", json!({})).unwrap();
    assert_eq!(status["demo_mode"], true);
    let refused = invoke(&h, "sign_in_with_token", json!({ "appId": "a", "secret": "b" })).unwrap_err();
    assert_eq!(refused["code"], "demo_mode");
    assert_eq!(invoke(&h, "sync_now", json!({})).unwrap_err()["code"], "demo_mode");
}

#[test]
fn a_new_office_signs_in_with_a_token_and_syncs() {
    let _keychain = one_at_a_time();
    let fake = fake();
    let h = office_at(&fake, None);
    let again = invoke(
        &h,
        "set_up_office",
        json!({ "first": { "first_name": "Second", "last_name": "Admin", "email": null,
                           "password": ADMIN_PASSWORD, "password_again": ADMIN_PASSWORD } }),
    )
    .unwrap_err();
    assert_eq!(again["code"], "conflict");
    let status = invoke(&h, "app_status", json!({})).unwrap();
    assert_eq!(status["signed_in"]["name"], "Grace Office");

    let blank = invoke(&h, "sign_in_with_token", json!({ "appId": TEST_APP_ID, "secret": " " })).unwrap_err();
    assert_eq!(blank["field"], "secret");
    let wrong = invoke(&h, "sign_in_with_token", json!({ "appId": TEST_APP_ID, "secret": "wrong" })).unwrap_err();
    assert_eq!((wrong["code"].as_str(), wrong["field"].as_str()), (Some("invalid_input"), Some("secret")));
    assert!(wrong["message"].as_str().unwrap().contains("did not accept"));
    assert_eq!(invoke(&h, "sync_now", json!({})).unwrap_err()["code"], "not_connected");

    invoke(&h, "sign_in_with_token", json!({ "appId": TEST_APP_ID, "secret": TEST_SECRET })).unwrap();
    let status = invoke(&h, "planning_center_status", json!({})).unwrap();
    assert_eq!(status["sign_in"]["kind"], "personal_access_token");
    let report = invoke(&h, "sync_now", json!({})).unwrap();
    assert_eq!(report["pulled_people"], 30);
    let status = invoke(&h, "app_status", json!({})).unwrap();
    assert_eq!(status["people"], 31, "30 from Planning Center and the administrator");
    assert_eq!(status["pending_changes"], 0, "the administrator was sent too");
    let status = invoke(&h, "planning_center_status", json!({})).unwrap();
    assert!(status["recent_runs"].as_array().unwrap().len() >= 4);

    invoke(&h, "sign_out_of_planning_center", json!({})).unwrap();
    assert_eq!(invoke(&h, "planning_center_status", json!({})).unwrap()["sign_in"], Value::Null);
}

#[test]
fn signing_in_through_the_browser_keeps_the_tokens_in_the_keychain() {
    let _keychain = one_at_a_time();
    let fake = fake();
    let h = office_at(&fake, Some(playing_browser()));
    invoke(&h, "sign_in_with_browser", json!({})).unwrap();
    assert_eq!(invoke(&h, "planning_center_status", json!({})).unwrap()["sign_in"]["kind"], "oauth");
    let report = invoke(&h, "sync_now", json!({})).unwrap();
    assert_eq!(report["pulled_people"], 30);
    invoke(&h, "sign_out_of_planning_center", json!({})).unwrap();
}

/// Plays the system browser: Planning Center's page redirects back to the app's loopback.
fn playing_browser() -> cct_app::OpenBrowser {
    std::sync::Arc::new(|url: String| {
        tauri::async_runtime::spawn(async move {
            let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
            let answer = http.get(&url).send().await.unwrap();
            let location = answer.headers()["location"].to_str().unwrap().to_owned();
            http.get(&location).send().await.ok();
        });
        Ok(())
    })
}

#[test]
fn a_sign_in_planning_center_revoked_puts_the_app_in_sign_in_again_and_keeps_the_queue() {
    let _keychain = one_at_a_time();
    let fake = fake();
    let h = office_at(&fake, Some(playing_browser()));
    invoke(&h, "sign_in_with_browser", json!({})).unwrap();
    invoke(&h, "sync_now", json!({})).unwrap();
    let system = cct_domain::Actor::system();
    store_of(&h)
        .write(&system, |tx| {
            cct_store::records::insert(
                tx,
                cct_domain::records::Person {
                    first_name: "Added".into(),
                    last_name: "Offline".into(),
                    ..Default::default()
                },
            )
        })
        .unwrap();

    fake.revoke_everything();
    let error = invoke(&h, "sync_now", json!({})).unwrap_err();
    assert_eq!(error["code"], "sign_in_again");
    let status = invoke(&h, "planning_center_status", json!({})).unwrap();
    assert_eq!(status["sign_in"], Value::Null, "the app shows sign-in again");
    assert_eq!(status["pending_changes"], 1, "the queued change is kept");
    let base = fake.base_url();
    let tokens = cct_app::planning_center::token_store(&base).unwrap();
    assert_eq!(
        cct_planning_center::TokenStore::load(tokens.as_ref()).unwrap(),
        None,
        "the dead tokens left the keychain"
    );

    invoke(&h, "sign_in_with_browser", json!({})).unwrap();
    invoke(&h, "sync_now", json!({})).unwrap();
    assert_eq!(
        invoke(&h, "planning_center_status", json!({})).unwrap()["pending_changes"],
        0,
        "sent after signing in again"
    );
    invoke(&h, "sign_out_of_planning_center", json!({})).unwrap();
}

#[test]
fn the_app_syncs_by_itself_once_signed_in() {
    let _keychain = one_at_a_time();
    let fake = fake();
    let h = office_at(&fake, None);
    let background = tauri::async_runtime::spawn(cct_app::background::planning_center(
        app_of(&h),
        Duration::from_millis(200),
        Duration::from_millis(50),
        |_| {},
    ));
    std::thread::sleep(Duration::from_millis(400));
    assert_eq!(invoke(&h, "app_status", json!({})).unwrap()["people"], 1, "not signed in: nothing runs");
    invoke(&h, "sign_in_with_token", json!({ "appId": TEST_APP_ID, "secret": TEST_SECRET })).unwrap();
    let mut people = 0;
    for _ in 0..100 {
        people = invoke(&h, "app_status", json!({})).unwrap()["people"].as_i64().unwrap();
        if people == 31 {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(people, 31, "the background sync brought everyone in");
    invoke(&h, "sign_out_of_planning_center", json!({})).unwrap();
    // Stopped last; the real app never stops it.
    background.abort();
}

#[test]
fn the_office_chooses_which_planning_center_fields_receive_completions() {
    let _keychain = one_at_a_time();
    let fake = fake();
    let h = office_at(&fake, None);
    invoke(&h, "sign_in_with_token", json!({ "appId": TEST_APP_ID, "secret": TEST_SECRET })).unwrap();
    invoke(&h, "sync_now", json!({})).unwrap();
    let status = invoke(&h, "planning_center_status", json!({})).unwrap();
    let fields = status["field_definitions"].as_array().unwrap();
    let completions =
        fields.iter().find(|f| f["name"] == "Course Completions").unwrap()["id"].as_str().unwrap().to_owned();
    assert_eq!(status["completions_field"], Value::Null);

    let unknown =
        invoke(&h, "map_planning_center_field", json!({ "target": "completions", "fieldDefinitionId": "999999" }))
            .unwrap_err();
    assert_eq!(unknown["field"], "field_definition_id");
    let bad_target =
        invoke(&h, "map_planning_center_field", json!({ "target": "birthdays", "fieldDefinitionId": completions }))
            .unwrap_err();
    assert_eq!(bad_target["field"], "target");
    invoke(&h, "map_planning_center_field", json!({ "target": "completions", "fieldDefinitionId": completions }))
        .unwrap();
    assert_eq!(invoke(&h, "planning_center_status", json!({})).unwrap()["completions_field"], json!(completions));
    invoke(&h, "map_planning_center_field", json!({ "target": "completions", "fieldDefinitionId": null })).unwrap();
    assert_eq!(invoke(&h, "planning_center_status", json!({})).unwrap()["completions_field"], Value::Null);

    // A workflow for completed courses, chosen from those Planning Center has.
    let workflow = status["workflows"][0]["id"].as_str().expect("workflows pulled").to_owned();
    let unknown = invoke(
        &h,
        "map_planning_center_field",
        json!({ "target": "completions_workflow", "fieldDefinitionId": "999999" }),
    )
    .unwrap_err();
    assert_eq!(
        (unknown["code"].as_str(), unknown["field"].as_str()),
        (Some("unknown_reference"), Some("field_definition_id"))
    );
    invoke(&h, "map_planning_center_field", json!({ "target": "completions_workflow", "fieldDefinitionId": workflow }))
        .unwrap();
    assert_eq!(invoke(&h, "planning_center_status", json!({})).unwrap()["completions_workflow"], json!(workflow));

    // Webhook subscriptions: an unencrypted address and a missing secrets file are refused
    // beside their fields; a good one writes the secrets to the file and says none of them.
    let dir = tempfile::tempdir().unwrap();
    let secrets = dir.path().join("secrets");
    let secrets_file = secrets.to_str().unwrap();
    let plain = invoke(
        &h,
        "subscribe_planning_center_webhooks",
        json!({ "receiverUrl": "http://hub.example.org/hooks", "secretsFile": secrets_file }),
    )
    .unwrap_err();
    assert_eq!(plain["field"], "receiver_url", "{plain}");
    let nowhere = invoke(
        &h,
        "subscribe_planning_center_webhooks",
        json!({ "receiverUrl": "https://hub.example.org/hooks", "secretsFile": " " }),
    )
    .unwrap_err();
    assert_eq!(nowhere["field"], "secrets_file", "{nowhere}");
    let done = invoke(
        &h,
        "subscribe_planning_center_webhooks",
        json!({ "receiverUrl": "https://hub.example.org/hooks", "secretsFile": secrets_file }),
    )
    .unwrap();
    assert_eq!(done["created"].as_array().unwrap().len(), 4, "{done}");
    let written = std::fs::read_to_string(&secrets).unwrap();
    let audit = invoke(&h, "audit_log", json!({ "query": { "table_name": "planning_center_webhooks" } })).unwrap();
    assert!(audit.to_string().contains("hub.example.org"), "the subscription is audited: {audit}");
    let audit = audit.to_string();
    for secret in written.lines().filter(|l| !l.starts_with('#')) {
        assert!(!done.to_string().contains(secret), "the answer holds no secret");
        assert!(!audit.contains(secret), "the audit log holds no secret");
    }
    invoke(&h, "sign_out_of_planning_center", json!({})).unwrap();
}
