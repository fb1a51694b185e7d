//! Offerings and certification records travel through the team hub like every other record,
//! scoped by the offering's campus, against a real PostgreSQL server (see `hub.rs`).

mod common;

use cct_domain::records::*;
use cct_domain::Actor;
use cct_store::db::Query;
use cct_store::office::enrollment::{enroll, EnrollRequest};
use cct_store::office::progress::{complete_content, CompletionInput};
use cct_store::office::{certifications, editing};
use cct_store::Store;
use common::*;
use uuid::Uuid;

fn count(store: &Store, sql: &str, id: Uuid) -> i64 {
    store.read(|conn| conn.scalar(sql, [id.to_string()])).unwrap()
}

#[tokio::test]
async fn offerings_and_certification_records_reach_the_computers_of_their_campus() {
    let (address, password) = new_hub().await;
    let (office, admin) = office(&address, password.as_deref()).await;
    let north = write(
        &office.store,
        Campus { name: "North".into(), time_zone: "America/Chicago".into(), ..Default::default() },
    )
    .await;
    let south = write(
        &office.store,
        Campus { name: "South".into(), time_zone: "America/Chicago".into(), ..Default::default() },
    )
    .await;
    let course = write(&office.store, Course { name: "Child Safety Training".into(), ..Default::default() }).await;
    let system = Actor::system();
    let mut tx = office.store.begin_write(&system).unwrap();
    let content_type: Uuid = tx.conn().id("SELECT id FROM content_type LIMIT 1", []).unwrap().unwrap();
    let lesson = editing::create(
        &mut tx,
        Content {
            course_id: course.meta.id,
            title: "Safeguarding policy".into(),
            content_type_id: content_type,
            order_sequence: 0,
            is_required: true,
            ..Default::default()
        },
    )
    .unwrap();
    let certification = editing::create(
        &mut tx,
        Certification { name: "Child Safety".into(), validity_months: Some(24), ..Default::default() },
    )
    .unwrap();
    editing::create(
        &mut tx,
        CertificationCourse {
            certification_id: certification.meta.id,
            course_id: course.meta.id,
            ..Default::default()
        },
    )
    .unwrap();
    let offering = |name: &str, campus: Uuid| CourseOffering {
        course_id: course.meta.id,
        name: name.into(),
        campus_id: Some(campus),
        ..Default::default()
    };
    let at_north = editing::create(&mut tx, offering("North, autumn", north.meta.id)).unwrap();
    let at_south = editing::create(&mut tx, offering("South, autumn", south.meta.id)).unwrap();
    // A new volunteer of no campus yet takes the North offering and completes it.
    let volunteer = editing::create(
        &mut tx,
        Person { first_name: "Phoebe".into(), last_name: "Cenchreae".into(), ..Default::default() },
    )
    .unwrap();
    let enrollment = enroll(
        &mut tx,
        EnrollRequest {
            people_id: volunteer.meta.id,
            course_id: course.meta.id,
            offering_id: Some(at_north.meta.id),
            ..Default::default()
        },
    )
    .unwrap();
    complete_content(
        &mut tx,
        CompletionInput { course_enrollment_id: enrollment.meta.id, content_id: lesson.meta.id, ..Default::default() },
    )
    .unwrap();
    tx.commit().unwrap();
    office.sync().await;

    let whole = laptop(&address, &office, &admin, "Office laptop", None).await;
    assert_same_data(&office.store, &whole.store, "a computer of the whole church").await;
    let history = certifications::history(&whole.store, &system, volunteer.meta.id).unwrap();
    assert_eq!(history.len(), 1, "her certification record came with her");

    let north_laptop = laptop(&address, &office, &admin, "North room", Some(&north.meta.id.to_string())).await;
    let south_laptop = laptop(&address, &office, &admin, "South room", Some(&south.meta.id.to_string())).await;
    let offering_here = "SELECT count(*) FROM course_offering WHERE id = ?1";
    assert_eq!(count(&north_laptop.store, offering_here, at_north.meta.id), 1);
    assert_eq!(
        count(&north_laptop.store, offering_here, at_south.meta.id),
        0,
        "South's offering stays off North's laptop"
    );
    assert_eq!(count(&south_laptop.store, offering_here, at_south.meta.id), 1);
    assert_eq!(count(&south_laptop.store, offering_here, at_north.meta.id), 0);
    let enrolled_here = "SELECT count(*) FROM course_enrollment WHERE id = ?1";
    assert_eq!(count(&north_laptop.store, enrolled_here, enrollment.meta.id), 1, "in its offering's campus");
    assert_eq!(count(&south_laptop.store, enrolled_here, enrollment.meta.id), 0);
    // Every computer made the course's first offering itself, the same one.
    let first = "SELECT count(*) FROM course_offering WHERE id = ?1 AND course_id = ?1";
    for device in [&whole, &north_laptop, &south_laptop] {
        assert_eq!(count(&device.store, first, course.meta.id), 1);
    }
}
