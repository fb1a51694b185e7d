//! Who may use the app: passwords (Argon2id), invitations, and the wait that wrong guesses
//! bring, against a real database file. Guesses made at the same moment each count.

use crate::common::*;
use cct_domain::records::{Campus, Course};
use cct_domain::Actor;
use cct_store::access::{self, AccessError, InvitationPurpose, SharedCredential, Who};
use cct_store::checkin::station::{self, KioskStart, StationLetterCheck};
use cct_store::db::Query;
use cct_store::office::setup::{set_up_first_administrator, FirstAdministrator};
use cct_store::{records, Store, StoreError};

const ADMIN_PASSWORD: &str = "a long office password";

fn set_up(store: &Store) -> Actor {
    let admin = set_up_first_administrator(
        store,
        FirstAdministrator {
            first_name: "Pat".into(),
            last_name: "Admin".into(),
            email: Some("pat@example.org".into()),
            password: ADMIN_PASSWORD.into(),
            password_again: ADMIN_PASSWORD.into(),
        },
    )
    .unwrap();
    cct_store::office::people::actor_for_person(store, admin.meta.id).unwrap()
}

fn by_email() -> Who {
    Who::Email { email: " PAT@example.org ".into() }
}

fn failures(store: &Store, subject: &str) -> i64 {
    store
        .read(|conn| conn.optional("SELECT failures FROM sign_in_throttle WHERE subject = ?1", [subject]))
        .unwrap()
        .unwrap_or(0)
}

#[test]
fn a_password_is_kept_as_an_argon2id_hash_with_its_parameters() {
    let (store, _dir) = fresh_store();
    let admin = set_up(&store);
    let hash: String = scalar(&store, "SELECT password_hash FROM sign_in_credential", []);
    assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
    assert!(!hash.contains(ADMIN_PASSWORD));
    assert_eq!(access::sign_in(&store, &by_email(), ADMIN_PASSWORD).unwrap(), admin.person_id.unwrap());
    let wrong = access::sign_in(&store, &by_email(), "a long office passworD").unwrap_err();
    assert!(matches!(wrong, StoreError::Access(AccessError::WrongPassword)), "{wrong:?}");
    assert!(!wrong.to_string().contains("passworD"), "the message never repeats what was typed");
    let unknown =
        access::sign_in(&store, &Who::Email { email: "nobody@example.org".into() }, "whatever it is").unwrap_err();
    assert_eq!(unknown.code(), cct_domain::ErrorCode::UnknownPerson);
}

#[test]
fn five_misses_bring_a_wait_that_doubles_and_a_right_password_then_waits_too() {
    let (store, _dir) = fresh_store();
    let admin = set_up(&store);
    let subject = format!("person:{}", admin.person_id.unwrap());
    for _ in 0..5 {
        let miss = access::sign_in(&store, &by_email(), "not the password").unwrap_err();
        assert!(matches!(miss, StoreError::Access(AccessError::WrongPassword)), "{miss:?}");
    }
    let waiting = access::sign_in(&store, &by_email(), ADMIN_PASSWORD).unwrap_err();
    match waiting {
        StoreError::Access(AccessError::Wait { seconds }) => assert!((25..=30).contains(&seconds), "{seconds}"),
        other => panic!("expected a wait, got {other:?}"),
    }
    assert_eq!(failures(&store, &subject), 5, "a refused guess is not counted again");

    // The wait ends; the next miss waits twice as long.
    store
        .write(&Actor::system(), |tx| {
            tx.conn().run("UPDATE sign_in_throttle SET wait_until = '2000-01-01T00:00:00Z'", [])?;
            Ok(())
        })
        .unwrap();
    access::sign_in(&store, &by_email(), "still not it").unwrap_err();
    match access::sign_in(&store, &by_email(), ADMIN_PASSWORD).unwrap_err() {
        StoreError::Access(AccessError::Wait { seconds }) => assert!((55..=60).contains(&seconds), "{seconds}"),
        other => panic!("expected a longer wait, got {other:?}"),
    }

    // Once it has passed, the right password works and the count starts again.
    store
        .write(&Actor::system(), |tx| {
            tx.conn().run("UPDATE sign_in_throttle SET wait_until = '2000-01-01T00:00:00Z'", [])?;
            Ok(())
        })
        .unwrap();
    access::sign_in(&store, &by_email(), ADMIN_PASSWORD).unwrap();
    assert_eq!(failures(&store, &subject), 0);
}

#[test]
fn wrong_passwords_tried_at_the_same_moment_each_count() {
    let (store, _dir) = fresh_store();
    let admin = set_up(&store);
    let guesses: Vec<_> = (0..8)
        .map(|i| {
            let store = store.clone();
            std::thread::spawn(move || access::sign_in(&store, &by_email(), &format!("guess number {i}")))
        })
        .collect();
    let outcomes: Vec<_> = guesses.into_iter().map(|g| g.join().unwrap().unwrap_err()).collect();
    let wrong = outcomes.iter().filter(|e| matches!(e, StoreError::Access(AccessError::WrongPassword))).count();
    let waits = outcomes.iter().filter(|e| matches!(e, StoreError::Access(AccessError::Wait { .. }))).count();
    assert_eq!((wrong, waits), (5, 3), "five are checked, the rest wait: {outcomes:?}");
    assert_eq!(failures(&store, &format!("person:{}", admin.person_id.unwrap())), 5);
    assert!(matches!(
        access::sign_in(&store, &by_email(), ADMIN_PASSWORD).unwrap_err(),
        StoreError::Access(AccessError::Wait { .. })
    ));
}

/// A station for today's session, started by the administrator with PIN 2468.
fn station_started_by(store: &Store, admin: &Actor) {
    let system = Actor::system();
    let mut tx = store.begin_write(&system).unwrap();
    let campus = records::insert(
        &mut tx,
        Campus { name: "Main".into(), time_zone: "America/Chicago".into(), ..Default::default() },
    )
    .unwrap();
    let course = records::insert(&mut tx, Course { name: "Kids".into(), ..Default::default() }).unwrap();
    let session = session_now(&mut tx, course.meta.id, "Kids 10:30", None);
    tx.commit().unwrap();
    let request = KioskStart {
        campus_id: campus.meta.id,
        session_ids: vec![session.meta.id],
        station: "B".into(),
        pin: "2468".into(),
        pin_again: "2468".into(),
        self_check_in: false,
        printer: None,
    };
    station::start(store, admin, request, StationLetterCheck::NoTeam).unwrap();
}

#[test]
fn wrong_pins_tried_at_the_same_moment_each_count_and_survive_a_restart() {
    let (store, dir) = fresh_store();
    let admin = set_up(&store);
    station_started_by(&store, &admin);
    let guesses: Vec<_> = ["1111", "2222", "3333", "4444", "5555", "6666", "7777"]
        .into_iter()
        .map(|pin| {
            let store = store.clone();
            std::thread::spawn(move || station::leave(&store, pin))
        })
        .collect();
    for guess in guesses {
        let refused = guess.join().unwrap().unwrap_err();
        assert_eq!(refused.field(), Some("pin"), "{refused:?}");
    }
    assert_eq!(failures(&store, "station"), 5, "five were checked; the others were told to wait");
    store.close();

    let store = Store::open(dir.path().join("church.sqlite"), &key()).unwrap();
    let refused = station::leave(&store, "2468").unwrap_err();
    assert!(refused.to_string().contains("too many wrong PINs"), "{refused}");
    assert!(station::current(&store).unwrap().is_some(), "still a station after the restart");
}

#[test]
fn the_stations_audit_rows_say_who_started_and_left_it_and_nothing_secret() {
    let (store, _dir) = fresh_store();
    let admin = set_up(&store);
    station_started_by(&store, &admin);
    station::leave(&store, "1357").unwrap_err();
    station::leave(&store, "2468").unwrap();
    let rows: Vec<String> = store
        .read(|conn| {
            conn.column(
                "SELECT new_values FROM audit_log WHERE table_name = 'check_in_station' ORDER BY changed_at",
                [],
            )
        })
        .unwrap();
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(
        rows[0].contains("station_started") && rows[0].contains(&admin.person_id.unwrap().to_string()),
        "{}",
        rows[0]
    );
    assert!(rows[1].contains("station_left"), "{}", rows[1]);
    let everything: Vec<String> = store
        .read(|conn| conn.column("SELECT coalesce(old_values, '') || coalesce(new_values, '') FROM audit_log", []))
        .unwrap();
    for row in everything {
        assert!(!row.contains("pin") && !row.contains("$argon2") && !row.contains("2468"), "{row}");
    }
}

#[test]
fn an_invitation_sets_a_password_once_and_not_after_it_expires() {
    let (store, _dir) = fresh_store();
    let admin = set_up(&store);
    let volunteer = add_person(&store, "Vera", "Volunteer");
    let invitation =
        store.write(&admin, |tx| access::invite(tx, volunteer.meta.id, InvitationPurpose::Invite)).unwrap();
    assert_eq!(invitation.code.len(), 14);
    let typed_loosely = invitation.code.to_lowercase().replace('-', " ");
    let mismatch = access::accept_invitation(&store, &typed_loosely, "vera's password", "vera's passw0rd").unwrap_err();
    assert_eq!(mismatch.field(), Some("password_again"));
    let id = access::accept_invitation(&store, &typed_loosely, "vera's password", "vera's password").unwrap();
    assert_eq!(id, volunteer.meta.id);
    let again =
        access::accept_invitation(&store, &invitation.code, "another password", "another password").unwrap_err();
    assert_eq!(again.code(), cct_domain::ErrorCode::InvitationUsed);
    access::sign_in(&store, &Who::Person { people_id: volunteer.meta.id }, "vera's password").unwrap();

    // A reset, left too long.
    let reset = store.write(&admin, |tx| access::invite(tx, volunteer.meta.id, InvitationPurpose::Invite)).unwrap();
    assert_eq!(reset.purpose, InvitationPurpose::Reset, "someone with a password gets a reset");
    store
        .write(&Actor::system(), |tx| {
            tx.conn()
                .run("UPDATE sign_in_invitation SET expires_at = '2000-01-01T00:00:00Z' WHERE used_at IS NULL", [])?;
            Ok(())
        })
        .unwrap();
    let expired = access::accept_invitation(&store, &reset.code, "a new password", "a new password").unwrap_err();
    assert_eq!(expired.code(), cct_domain::ErrorCode::InvitationExpired);
    access::sign_in(&store, &Who::Person { people_id: volunteer.meta.id }, "vera's password").unwrap();
    let unknown = access::accept_invitation(&store, "AAAA-BBBB-CCCC", "a new password", "a new password").unwrap_err();
    assert_eq!(unknown.code(), cct_domain::ErrorCode::InvitationUnknown);

    // Only an administrator invites, and never the inactive.
    let volunteer_actor = person_with_role(&store, "Val", "checkin_volunteer");
    let refused = store
        .write(&volunteer_actor, |tx| access::invite(tx, volunteer.meta.id, InvitationPurpose::Invite))
        .unwrap_err();
    assert_eq!(refused.code(), cct_domain::ErrorCode::PermissionDenied);
    let codes: Vec<String> = store.read(|conn| conn.column("SELECT code_hash FROM sign_in_invitation", [])).unwrap();
    assert!(codes.iter().all(|hash| hash.len() == 64 && *hash != invitation.code), "only hashes are kept");
}

#[test]
fn credentials_from_the_hub_replace_older_ones_only() {
    let (store, _dir) = fresh_store();
    let admin = set_up(&store);
    let people_id = admin.person_id.unwrap().to_string();
    let mine = access::unshared_credentials(&store).unwrap();
    assert_eq!(mine.len(), 1);
    access::mark_credentials_shared(&store, &mine).unwrap();
    assert!(access::unshared_credentials(&store).unwrap().is_empty());
    let newer = SharedCredential {
        people_id: people_id.clone(),
        password_hash: access::hash_secret("set on the laptop").unwrap(),
        set_at: "2999-01-01T00:00:00Z".into(),
        set_on_device: "laptop".into(),
    };
    let older = SharedCredential { set_at: "2000-01-01T00:00:00Z".into(), ..newer.clone() };
    let not_a_hash =
        SharedCredential { password_hash: "plain text".into(), set_at: "3000-01-01T00:00:00Z".into(), ..newer.clone() };
    let elsewhere = SharedCredential { people_id: uuid::Uuid::now_v7().to_string(), ..newer.clone() };
    assert_eq!(access::apply_shared_credentials(&store, &[older.clone(), not_a_hash, elsewhere]).unwrap(), 0);
    access::sign_in(&store, &by_email(), ADMIN_PASSWORD).unwrap();
    assert_eq!(access::apply_shared_credentials(&store, &[newer]).unwrap(), 1);
    access::sign_in(&store, &by_email(), "set on the laptop").unwrap();
    assert_eq!(access::apply_shared_credentials(&store, &[older]).unwrap(), 0, "an older one never wins");
}
