//! Background checks read from Planning Center become the standing in a certification that
//! Planning Center owns: cleared until the check's expiry, and asked of those who serve.

use crate::common::*;
use cct_domain::records::{
    CertificationCourse, CertificationProgress, CertificationStatus, ClassSession, Course, Person,
};
use cct_store::checkin::{self, Coming};
use cct_store::db::Query;
use cct_store::office::editing;
use cct_store::planning_center::background_checks::BACKGROUND_CHECK;
use cct_store::records;
use chrono::{Duration, Utc};

fn standing_of(office: &Office, person: uuid::Uuid) -> Option<CertificationProgress> {
    office
        .store
        .read(|conn| {
            conn.record(
                "certification_progress",
                "SELECT p.* FROM certification_progress p JOIN certification c ON c.id = p.certification_id
                 WHERE p.people_id = ?1 AND c.source = 'planning_center'",
                [person.to_string()],
            )
        })
        .unwrap()
}

async fn local_of(office: &Office, pco: u64) -> Person {
    local_people(&office.store).await.into_iter().find(|p| p.planning_center_id == Some(pco.to_string())).unwrap()
}

#[tokio::test]
async fn a_background_check_becomes_a_certification_with_its_expiry_and_gates_serving() {
    let fake = fake(80, unlimited()).await;
    let office = office(&fake).await;
    let report = office.engine.run().await.unwrap();
    assert!(report.background_checks > 0, "{report:?}");

    // Every current check in Planning Center is the person's standing here.
    let checks: Vec<(u64, String, Option<String>)> = fake.with_data(|d| {
        d.all("people/background_checks")
            .filter(|c| c.attribute("current") == true)
            .map(|c| {
                (
                    c.parent.unwrap(),
                    c.attribute("status").as_str().unwrap().to_owned(),
                    c.attribute("expires_on").as_str().map(str::to_owned),
                )
            })
            .collect()
    });
    let today = Utc::now().date_naive().to_string();
    let mut seen = std::collections::BTreeSet::new();
    for (person, status, expires) in &checks {
        let local = local_of(&office, *person).await;
        let held = standing_of(&office, local.meta.id).expect("a standing for each checked person");
        let expected = match (status.ends_with("_clear"), expires) {
            (false, _) => CertificationStatus::InProgress,
            (true, Some(day)) if day.as_str() < today.as_str() => CertificationStatus::Expired,
            (true, _) => CertificationStatus::Completed,
        };
        assert_eq!(held.status, expected, "{status} expiring {expires:?}");
        if expected != CertificationStatus::InProgress {
            assert_eq!(held.expires_date.map(|d| d.to_string()), *expires, "it expires when Planning Center says");
        }
        assert_eq!(held.planning_center_status.as_deref(), Some(status.as_str()));
        seen.insert(format!("{expected:?}"));
    }
    assert_eq!(seen.len(), 3, "the fake church has cleared, expired and not-cleared checks: {seen:?}");

    // The office cannot edit what Planning Center keeps.
    let certification: uuid::Uuid = office
        .store
        .read(|c| c.scalar::<String>("SELECT id FROM certification WHERE name = ?1", [BACKGROUND_CHECK]))
        .unwrap()
        .parse()
        .unwrap();
    let mut renamed: cct_domain::records::Certification =
        records::get(&office.store, &system(), certification).unwrap();
    renamed.validity_months = Some(12);
    let refused = office.store.write(&system(), |tx| editing::update(tx, renamed.clone()));
    assert!(format!("{refused:?}").contains("come from Planning Center"), "{refused:?}");
    let course = office
        .store
        .write(&system(), |tx| records::insert(tx, Course { name: "Safeguarding".into(), ..Default::default() }))
        .unwrap();
    let linked = office.store.write(&system(), |tx| {
        editing::create(
            tx,
            CertificationCourse { certification_id: certification, course_id: course.meta.id, ..Default::default() },
        )
    });
    assert!(linked.is_err(), "it is given no courses here");

    // A new check with concerns reaches the app at the next sync, and the person may no longer
    // serve where the session asks for a cleared check.
    let (cleared, _, _) = checks
        .iter()
        .find(|(p, s, e)| s.ends_with("_clear") && e.as_deref().is_some_and(|d| d > today.as_str()) && *p != 0)
        .unwrap()
        .clone();
    let still_cleared = checks
        .iter()
        .filter(|(p, s, e)| *p != cleared && s.ends_with("_clear") && e.as_deref().is_some_and(|d| d > today.as_str()))
        .map(|c| c.0)
        .next()
        .unwrap();
    fake.with_data(|d| d.add_background_check(cleared, "report_concerns", None, Utc::now()));
    fake.reset_stats();
    let again = office.engine.run().await.unwrap();
    assert_eq!(again.background_checks, 1, "only the changed person: {again:?}");
    let flagged = local_of(&office, cleared).await;
    assert_eq!(standing_of(&office, flagged.meta.id).unwrap().status, CertificationStatus::InProgress);

    let helper = local_of(&office, still_cleared).await;
    let session = office
        .store
        .write(&system(), |tx| {
            let now = cct_domain::Timestamp::now();
            records::insert(
                tx,
                ClassSession {
                    meta: Default::default(),
                    course_id: course.meta.id,
                    offering_id: None,
                    facility_id: None,
                    title: "Kids' Church".into(),
                    starts_at: now,
                    ends_at: cct_domain::Timestamp::from(now.as_datetime() + Duration::hours(1)),
                    capacity: None,
                    status: Default::default(),
                    children_per_adult: None,
                    serving_certification_id: Some(certification),
                },
            )
        })
        .unwrap();
    let serve = |person: uuid::Uuid| {
        office.store.write(&system(), |tx| checkin::check_in_as(tx, session.meta.id, &[person], "A", Coming::Serving))
    };
    let fine = serve(helper.meta.id).unwrap();
    assert!(fine.warnings.iter().all(|w| !w.contains(BACKGROUND_CHECK)), "{:?}", fine.warnings);
    let warned = serve(flagged.meta.id).unwrap();
    assert!(warned.warnings.iter().any(|w| w.contains(BACKGROUND_CHECK)), "{:?}", warned.warnings);
}
