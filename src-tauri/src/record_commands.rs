//! Create, read, update and retire any record kind the office edits directly (see
//! `cct_app::records`).

use cct_app::records::RecordKind;
use cct_app::{App, Reply};
use cct_store::{ListQuery, Page};
use serde_json::Value;
use tauri::State;
use uuid::Uuid;

#[tauri::command]
pub async fn list_records(app: State<'_, App>, kind: RecordKind, query: Option<ListQuery>) -> Reply<Page<Value>> {
    app.blocking(move |app| app.list_records(kind, &query.unwrap_or_default())).await
}

#[tauri::command]
pub async fn get_record(app: State<'_, App>, kind: RecordKind, id: Uuid) -> Reply<Value> {
    app.blocking(move |app| app.get_record(kind, id)).await
}

#[tauri::command]
pub async fn create_record(app: State<'_, App>, kind: RecordKind, record: Value) -> Reply<Value> {
    app.blocking(move |app| app.create_record(kind, record)).await
}

#[tauri::command]
pub async fn update_record(app: State<'_, App>, kind: RecordKind, record: Value) -> Reply<Value> {
    app.blocking(move |app| app.update_record(kind, record)).await
}

#[tauri::command]
pub async fn deactivate_record(app: State<'_, App>, kind: RecordKind, id: Uuid) -> Reply<Value> {
    app.blocking(move |app| app.retire_record(kind, id)).await
}
