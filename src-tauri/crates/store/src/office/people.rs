//! Who is acting: a person's permissions are the union of their active roles'.

use crate::db::{Query, Result, Store, StoreError};
use cct_domain::records::Role;
use cct_domain::{Actor, Permission};
use std::collections::BTreeSet;
use uuid::Uuid;

/// Refuses unless `actor` holds `permission`; the one place the refusal is worded.
pub fn require(actor: &Actor, permission: Permission) -> Result<()> {
    if actor.can(permission) {
        Ok(())
    } else {
        Err(StoreError::PermissionDenied { actor: actor.display_name.clone(), permission })
    }
}

/// The actor for a person, from their active roles. An inactive or unknown person cannot act.
pub fn actor_for_person(store: &Store, person_id: Uuid) -> Result<Actor> {
    store.read(|conn| actor_on(conn, person_id))
}

pub(crate) fn actor_on(conn: &rusqlite::Connection, person_id: Uuid) -> Result<Actor> {
    let (first, last, nickname, active): (String, String, Option<String>, bool) = conn
        .tuple("SELECT first_name, last_name, nickname, is_active FROM people WHERE id = ?1", [person_id.to_string()])?
        .ok_or(StoreError::NotFound { table: "people", id: person_id })?;
    if !active {
        return Err(StoreError::InactiveReference { field: "people_id", table: "people", id: person_id });
    }
    let display = cct_domain::records::display_name(&first, nickname.as_deref(), &last);
    let role_permissions: Vec<String> = conn.column(
        "SELECT r.permissions FROM people_role pr JOIN role r ON r.id = pr.role_id
         WHERE pr.people_id = ?1 AND pr.is_active = 1 AND r.is_active = 1",
        [person_id.to_string()],
    )?;
    let mut permissions: BTreeSet<Permission> = BTreeSet::new();
    for json in role_permissions {
        let names: Vec<String> = serde_json::from_str(&json).unwrap_or_default();
        permissions.extend(Role { permissions: names, ..Default::default() }.granted());
    }
    Ok(Actor::person(person_id, display, permissions))
}

/// The id of a built-in role by name (`admin`, `staff`, ...).
pub fn role_id(store: &Store, name: &str) -> Result<Uuid> {
    store.read(|conn| role_id_on(conn, name))
}

pub(crate) fn role_id_on(conn: &rusqlite::Connection, name: &str) -> Result<Uuid> {
    conn.id("SELECT id FROM role WHERE name = ?1", [name])?
        .ok_or_else(|| StoreError::Conflict { field: "role_id", message: format!("no role named {name:?}") })
}

/// How many people this database holds (active or not).
pub fn people_count(store: &Store) -> Result<i64> {
    store.read(|conn| conn.scalar("SELECT COUNT(*) FROM people", []))
}

/// How many active people hold an active role that lets them administer (grant roles, invite
/// and reset passwords): the church must always keep one.
pub(crate) fn administrators(conn: &rusqlite::Connection) -> Result<i64> {
    conn.scalar(
        "SELECT COUNT(DISTINCT p.id) FROM people p
         JOIN people_role pr ON pr.people_id = p.id AND pr.is_active = 1
         JOIN role r ON r.id = pr.role_id AND r.is_active = 1
         WHERE p.is_active = 1 AND EXISTS (SELECT 1 FROM json_each(r.permissions) WHERE value = 'roles.manage')",
        [],
    )
}
