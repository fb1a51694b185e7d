//! What the team's test files share.

use cct_domain::Actor;
use cct_store::Store;

/// The office's first administrator (Pat), set up on an empty store, as the actor who acts.
pub fn first_administrator(store: &Store) -> Actor {
    let admin = cct_store::office::setup::set_up_first_administrator(
        store,
        cct_store::office::setup::FirstAdministrator {
            first_name: "Pat".into(),
            last_name: "Admin".into(),
            email: Some("pat@example.org".into()),
            password: "office password".into(),
            password_again: "office password".into(),
        },
    )
    .unwrap();
    cct_store::office::people::actor_for_person(store, admin.meta.id).unwrap()
}
