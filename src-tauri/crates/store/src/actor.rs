//! Who is acting: a person's permissions are the union of their active roles'.

use crate::{Result, Store, StoreError};
use cct_domain::records::{Person, Role};
use cct_domain::{Actor, Permission};
use sqlx::Row;
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
pub async fn actor_for_person(store: &Store, person_id: Uuid) -> Result<Actor> {
    let person = sqlx::query("SELECT first_name, last_name, nickname, is_active FROM people WHERE id = ?")
        .bind(person_id.to_string())
        .fetch_optional(&mut *store.reader().await?)
        .await?
        .ok_or(StoreError::NotFound { table: "people", id: person_id })?;
    if !person.try_get::<bool, _>("is_active")? {
        return Err(StoreError::InactiveReference { field: "people_id", table: "people", id: person_id });
    }
    let display = Person {
        first_name: person.try_get("first_name")?,
        last_name: person.try_get("last_name")?,
        nickname: person.try_get("nickname")?,
        ..Default::default()
    }
    .display_name();
    let role_permissions: Vec<String> = sqlx::query_scalar(
        "SELECT r.permissions FROM people_role pr JOIN role r ON r.id = pr.role_id
         WHERE pr.people_id = ? AND pr.is_active = 1 AND r.is_active = 1",
    )
    .bind(person_id.to_string())
    .fetch_all(&mut *store.reader().await?)
    .await?;
    let mut permissions: BTreeSet<Permission> = BTreeSet::new();
    for json in role_permissions {
        let names: Vec<String> = serde_json::from_str(&json).unwrap_or_default();
        let role = Role { permissions: names, ..Default::default() };
        permissions.extend(role.granted());
    }
    Ok(Actor::person(person_id, display, permissions))
}

/// The id of a built-in role by name (`admin`, `staff`, ...).
pub async fn role_id(store: &Store, name: &str) -> Result<Uuid> {
    let id: Option<String> = sqlx::query_scalar("SELECT id FROM role WHERE name = ?").bind(name).fetch_optional(&mut *store.reader().await?).await?;
    id.and_then(|id| Uuid::parse_str(&id).ok()).ok_or_else(|| StoreError::Conflict { field: "role_id", message: format!("no role named {name:?}") })
}
