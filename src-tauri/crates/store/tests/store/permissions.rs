use crate::common::*;
use cct_domain::records::*;
use cct_domain::Permission;
use cct_store::{records, ListQuery};

#[tokio::test]
async fn roles_decide_what_each_person_may_do() {
    let (store, _dir) = fresh_store().await;
    let volunteer = person_with_role(&store, "Vera", "checkin_volunteer").await;
    let member = person_with_role(&store, "Mark", "member").await;
    let guest = person_with_role(&store, "Gus", "guest").await;
    let staff = person_with_role(&store, "Stella", "staff").await;
    let before = count(&store, "people").await;

    for actor in [&volunteer, &member, &guest] {
        let mut tx = store.begin_write(actor).await.unwrap();
        let error = records::insert(&mut tx, Person { first_name: "New".into(), last_name: "Person".into(), ..Default::default() }).await.unwrap_err();
        assert_eq!(error.code(), "permission_denied", "{}", actor.display_name);
        assert!(error.to_string().contains("people.write"));
    }
    let mut tx = store.begin_write(&staff).await.unwrap();
    records::insert(&mut tx, Person { first_name: "New".into(), last_name: "Person".into(), ..Default::default() }).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(count(&store, "people").await, before + 1);

    assert!(records::list::<Person>(&store, &volunteer, &ListQuery::default()).await.is_ok());
    assert_eq!(records::list::<Person>(&store, &member, &ListQuery::default()).await.unwrap_err().code(), "permission_denied");
    assert!(records::list::<Course>(&store, &guest, &ListQuery::default()).await.is_ok());
    assert!(cct_store::audit::query(&store, &volunteer, &Default::default()).await.is_err());
}

#[tokio::test]
async fn a_persons_permissions_are_the_union_of_active_roles() {
    let (store, _dir) = fresh_store().await;
    let volunteer = person_with_role(&store, "Vera", "checkin_volunteer").await;
    assert!(volunteer.can(Permission::AttendanceWrite));
    assert!(!volunteer.can(Permission::CoursesWrite));
    let person_id = volunteer.person_id.unwrap();
    let staff_role = cct_store::actor::role_id(&store, "staff").await.unwrap();
    let system = system();
    let today = chrono::Utc::now().date_naive();
    let mut tx = store.begin_write(&system).await.unwrap();
    records::insert(&mut tx, PeopleRole { people_id: person_id, role_id: staff_role, assigned_date: today, ..Default::default() }).await.unwrap();
    tx.commit().await.unwrap();
    let both = cct_store::actor::actor_for_person(&store, person_id).await.unwrap();
    assert!(both.can(Permission::CoursesWrite) && both.can(Permission::AttendanceWrite));
    assert_eq!(both.display_name, "Vera Tester");

    let mut tx = store.begin_write(&system).await.unwrap();
    records::deactivate::<Person>(&mut tx, person_id).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(cct_store::actor::actor_for_person(&store, person_id).await.unwrap_err().code(), "inactive_reference");
}

#[tokio::test]
async fn confidential_special_requirements_are_hidden_from_volunteers() {
    let (store, _dir) = fresh_store().await;
    let child = add_person(&store, "Timmy", "Small").await;
    let system = system();
    let mut tx = store.begin_write(&system).await.unwrap();
    let open = records::insert(&mut tx, SpecialRequirement { people_id: child.meta.id, requirement_type: RequirementType::Allergy, details: "Peanuts".into(), severity: Severity::Critical, ..Default::default() }).await.unwrap();
    let secret = records::insert(&mut tx, SpecialRequirement { people_id: child.meta.id, requirement_type: RequirementType::Medical, details: "Confidential diagnosis".into(), severity: Severity::High, visibility: Visibility::Staff, ..Default::default() }).await.unwrap();
    tx.commit().await.unwrap();

    let volunteer = person_with_role(&store, "Vera", "checkin_volunteer").await;
    let seen = records::list::<SpecialRequirement>(&store, &volunteer, &ListQuery::default().filter("people_id", child.meta.id.to_string())).await.unwrap();
    assert_eq!(seen.items.iter().map(|r| r.meta.id).collect::<Vec<_>>(), vec![open.meta.id]);
    assert_eq!(records::get::<SpecialRequirement>(&store, &volunteer, secret.meta.id).await.unwrap_err().code(), "not_found");
    let staff = person_with_role(&store, "Stella", "staff").await;
    let all = records::list::<SpecialRequirement>(&store, &staff, &ListQuery::default()).await.unwrap();
    assert_eq!(all.total, 2);
}
