use crate::common::*;
use cct_domain::records::*;
use cct_domain::Permission;
use cct_store::{records, ListQuery};

#[test]
fn roles_decide_what_each_person_may_do() {
    let (store, _dir) = fresh_store();
    let volunteer = person_with_role(&store, "Vera", "checkin_volunteer");
    let member = person_with_role(&store, "Mark", "member");
    let guest = person_with_role(&store, "Gus", "guest");
    let staff = person_with_role(&store, "Stella", "staff");
    let before = count(&store, "people");

    for actor in [&volunteer, &member, &guest] {
        let mut tx = store.begin_write(actor).unwrap();
        let error = records::insert(
            &mut tx,
            Person { first_name: "New".into(), last_name: "Person".into(), ..Default::default() },
        )
        .unwrap_err();
        assert_eq!(error.code(), cct_domain::ErrorCode::PermissionDenied, "{}", actor.display_name);
        assert!(error.to_string().contains("people.write"));
    }
    let mut tx = store.begin_write(&staff).unwrap();
    records::insert(&mut tx, Person { first_name: "New".into(), last_name: "Person".into(), ..Default::default() })
        .unwrap();
    tx.commit().unwrap();
    assert_eq!(count(&store, "people"), before + 1);

    assert!(records::list::<Person>(&store, &volunteer, &ListQuery::default()).is_ok());
    assert_eq!(
        records::list::<Person>(&store, &member, &ListQuery::default()).unwrap_err().code(),
        cct_domain::ErrorCode::PermissionDenied
    );
    assert!(records::list::<Course>(&store, &guest, &ListQuery::default()).is_ok());
    assert!(cct_store::office::audit::query(&store, &volunteer, &Default::default()).is_err());
}

#[test]
fn a_persons_permissions_are_the_union_of_active_roles() {
    let (store, _dir) = fresh_store();
    let volunteer = person_with_role(&store, "Vera", "checkin_volunteer");
    assert!(volunteer.can(Permission::AttendanceWrite));
    assert!(!volunteer.can(Permission::CoursesWrite));
    let person_id = volunteer.person_id.unwrap();
    let staff_role = cct_store::office::people::role_id(&store, "staff").unwrap();
    let system = system();
    let today = chrono::Utc::now().date_naive();
    let mut tx = store.begin_write(&system).unwrap();
    records::insert(
        &mut tx,
        PeopleRole { people_id: person_id, role_id: staff_role, assigned_date: today, ..Default::default() },
    )
    .unwrap();
    tx.commit().unwrap();
    let both = cct_store::office::people::actor_for_person(&store, person_id).unwrap();
    assert!(both.can(Permission::CoursesWrite) && both.can(Permission::AttendanceWrite));
    assert_eq!(both.display_name, "Vera Tester");

    let mut tx = store.begin_write(&system).unwrap();
    records::deactivate::<Person>(&mut tx, person_id).unwrap();
    tx.commit().unwrap();
    assert_eq!(
        cct_store::office::people::actor_for_person(&store, person_id).unwrap_err().code(),
        cct_domain::ErrorCode::InactiveReference
    );
}

#[test]
fn confidential_special_requirements_are_hidden_from_volunteers() {
    let (store, _dir) = fresh_store();
    let child = add_person(&store, "Timmy", "Small");
    let system = system();
    let mut tx = store.begin_write(&system).unwrap();
    let open = records::insert(
        &mut tx,
        SpecialRequirement {
            people_id: child.meta.id,
            requirement_type: RequirementType::Allergy,
            details: "Peanuts".into(),
            severity: Severity::Critical,
            ..Default::default()
        },
    )
    .unwrap();
    let secret = records::insert(
        &mut tx,
        SpecialRequirement {
            people_id: child.meta.id,
            requirement_type: RequirementType::Medical,
            details: "Confidential diagnosis".into(),
            severity: Severity::High,
            visibility: Visibility::Staff,
            ..Default::default()
        },
    )
    .unwrap();
    tx.commit().unwrap();

    let volunteer = person_with_role(&store, "Vera", "checkin_volunteer");
    let seen = records::list::<SpecialRequirement>(
        &store,
        &volunteer,
        &ListQuery::default().filter("people_id", child.meta.id.to_string()),
    )
    .unwrap();
    assert_eq!(seen.items.iter().map(|r| r.meta.id).collect::<Vec<_>>(), vec![open.meta.id]);
    assert_eq!(
        records::get::<SpecialRequirement>(&store, &volunteer, secret.meta.id).unwrap_err().code(),
        cct_domain::ErrorCode::NotFound
    );
    let staff = person_with_role(&store, "Stella", "staff");
    let all = records::list::<SpecialRequirement>(&store, &staff, &ListQuery::default()).unwrap();
    assert_eq!(all.total, 2);
}
