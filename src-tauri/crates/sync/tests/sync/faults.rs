//! 20% of requests failing (half 5xx, half cut connections) still ends in the same state as a
//! clean run.

use crate::common::*;
use cct_pco_fake::Faults;

async fn offline_day(office: &Office) {
    add_person(&office.store, "Lydia", "Thyatira", Some("lydia@visitors.example"), Some("(555) 301-0001")).await;
    add_person(&office.store, "Aquila", "Pontus", Some("aquila@visitors.example"), None).await;
    add_person(&office.store, "Priscilla", "Pontus", None, Some("(555) 301-0003")).await;
    add_person(&office.store, "Apollos", "Alexandria", Some("apollos@visitors.example"), None).await;
    let member = local_people(&office.store).await.into_iter().find(|p| p.planning_center_id.is_some()).unwrap();
    let system = system();
    let mut tx = office.store.begin_write(&system).unwrap();
    cct_store::records::update(
        &mut tx,
        cct_domain::records::Person { nickname: Some("Edited offline".into()), ..member },
    )
    .unwrap();
    tx.commit().unwrap();
}

async fn final_state(
    fake: &cct_pco_fake::FakePco,
    office: &Office,
) -> (Vec<(String, String)>, Vec<(String, String, Option<String>, bool)>, Vec<String>) {
    let mut local: Vec<(String, String, Option<String>, bool)> = local_people(&office.store)
        .await
        .into_iter()
        .map(|p| (p.first_name, p.last_name, p.nickname, p.planning_center_id.is_some()))
        .collect();
    local.sort();
    let mut emails: Vec<String> = fake
        .with_data(|d| d.all("people/emails").map(|e| e.attribute("address").as_str().unwrap().to_owned()).collect());
    emails.sort();
    (remote_names(fake), local, emails)
}

#[tokio::test]
async fn twenty_percent_faults_end_where_a_clean_run_ends() {
    let clean_fake = fake(60, unlimited()).await;
    let clean = office(&clean_fake).await;
    clean.engine.run().await.unwrap();
    offline_day(&clean).await;
    clean.engine.run().await.unwrap();
    let expected = final_state(&clean_fake, &clean).await;

    let faulty_fake = fake(60, Faults { error_rate: 0.1, drop_rate: 0.1, ..unlimited() }).await;
    let faulty = office(&faulty_fake).await;
    let first = sync_until_done(&faulty.engine, 40).await;
    offline_day(&faulty).await;
    let second = sync_until_done(&faulty.engine, 40).await;
    let stats = faulty_fake.stats();
    assert!(stats.server_errors + stats.dropped >= 5, "faults really happened: {stats:?}");
    assert_eq!(final_state(&faulty_fake, &faulty).await, expected, "same state after {first} + {second} runs");
    assert_eq!(pending(&faulty.store).await, 0);
}
