use crate::*;
use cct_planning_center::resources::{EmailAttributes, PersonAttributes, PhoneNumberAttributes};
use cct_planning_center::PcoError;

#[tokio::test]
async fn people_and_their_parts_are_written() {
    let fake = fake(20, fast_window()).await;
    let client = pat_client(&fake);
    let created = client
        .create_person(&PersonAttributes {
            first_name: Some("Lydia".into()),
            last_name: Some("Thyatira".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(created.kind, "Person");
    client
        .add_email(
            &created.id,
            &EmailAttributes { address: "lydia@example.org".into(), location: Some("Home".into()), primary: true },
        )
        .await
        .unwrap();
    client
        .add_phone_number(
            &created.id,
            &PhoneNumberAttributes {
                number: "(555) 010-2222".into(),
                location: Some("Mobile".into()),
                primary: true,
                carrier: None,
            },
        )
        .await
        .unwrap();
    client
        .update_person(&created.id, &PersonAttributes { nickname: Some("Lyd".into()), ..Default::default() })
        .await
        .unwrap();

    let person = client.person(&created.id).await.unwrap();
    assert_eq!(person.attributes.nickname.as_deref(), Some("Lyd"));
    assert_eq!(person.attributes.first_name.as_deref(), Some("Lydia"), "a PATCH leaves unsent attributes alone");
    assert_eq!(person.primary_email(), Some("lydia@example.org"));
    assert_eq!(person.primary_phone(), Some("(555) 010-2222"));

    let definition = client
        .field_definitions()
        .await
        .unwrap()
        .into_iter()
        .find(|f| f.attributes.name == "Course Completions")
        .unwrap();
    client.set_field_datum(&created.id, &definition.id, "Foundations of Faith (2026-11-24)").await.unwrap();
    let workflow = &client.workflows().await.unwrap()[0];
    client.create_workflow_card(&workflow.id, &created.id, Some("Completed Foundations")).await.unwrap();
    assert_eq!(fake.stats().writes, 6);
}

#[tokio::test]
async fn writes_the_real_api_refuses_are_refused_with_its_words() {
    let fake = fake(20, fast_window()).await;
    let client = pat_client(&fake);
    let events = client.check_in_events().await.unwrap();
    let check_in = client
        .post(
            &format!("/check-ins/v2/events/{}/check_ins", events[0].id),
            serde_json::json!({"data": {"type": "CheckIn", "attributes": {}}}),
        )
        .await
        .unwrap_err();
    assert!(matches!(check_in, PcoError::Forbidden { .. }), "{check_in}");
    assert!(check_in.to_string().contains("POST /check-ins/v2/events/"), "names the request: {check_in}");
    let signups = client.signups().await.unwrap();
    let registration = client
        .post(
            &format!("/registrations/v2/signups/{}/attendees", signups[0].id),
            serde_json::json!({"data": {"type": "Attendee", "attributes": {}}}),
        )
        .await
        .unwrap_err();
    assert!(matches!(registration, PcoError::Forbidden { .. }));
    let attendance = client
        .post(
            "/groups/v2/groups/1/events/1/attendances",
            serde_json::json!({"data": {"type": "Attendance", "attributes": {}}}),
        )
        .await
        .unwrap_err();
    assert!(
        attendance.to_string().contains("not")
            || matches!(attendance, PcoError::Api { .. } | PcoError::Forbidden { .. }),
        "{attendance}"
    );
}

#[tokio::test]
async fn invalid_input_comes_back_as_422_naming_the_attribute() {
    let fake = fake(5, fast_window()).await;
    let client = pat_client(&fake);
    let person =
        client.create_person(&PersonAttributes { first_name: Some("A".into()), ..Default::default() }).await.unwrap();
    let error = client
        .add_email(&person.id, &EmailAttributes { address: "not-an-email".into(), ..Default::default() })
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(422));
    assert!(error.to_string().contains("/data/attributes/address"), "{error}");
    let phone = client
        .add_phone_number(&person.id, &PhoneNumberAttributes { number: "555 0100".into(), ..Default::default() })
        .await
        .unwrap_err();
    assert!(phone.to_string().contains("location"), "location is required on phones: {phone}");
    let payload =
        client.post("/people/v2/people", serde_json::json!({"data": [{"type": "Person"}]})).await.unwrap_err();
    assert!(payload.to_string().contains("single resource"), "{payload}");
}

#[tokio::test]
async fn a_locked_custom_tab_refuses_field_data() {
    let fake = fake(5, cct_pco_fake::Faults { field_data_forbidden: true, ..fast_window() }).await;
    let client = pat_client(&fake);
    let definition = &client.field_definitions().await.unwrap()[0];
    let person = client.get_list("/people/v2/people", &[("per_page", "1".into())]).await.unwrap().data.remove(0);
    let error = client.set_field_datum(&person.id, &definition.id, "x").await.unwrap_err();
    assert!(matches!(error, PcoError::Forbidden { .. }), "{error}");
}
