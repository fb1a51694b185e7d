//! Who uses the app on this computer: setting up the first administrator, signing in and out,
//! the idle lock, and the invitations with which a person sets their own password (see
//! `cct_app::session` and `cct_store::access`).

use cct_app::session::SignInScreen;
use cct_app::status::SignedIn;
use cct_app::{App, Reply};
use cct_store::access::{self, Invitation, InvitationPurpose, Who};
use cct_store::office::setup::FirstAdministrator;
use tauri::State;
use uuid::Uuid;

/// Sets up a new church's office: its first administrator, with their password, signed in.
#[tauri::command]
pub async fn set_up_office(app: State<'_, App>, first: FirstAdministrator) -> Reply<SignedIn> {
    app.blocking(move |app| app.set_up_office(first)).await.map(SignedIn::from)
}

/// What the sign-in screen lists: recent people, the demo's administrator, a locked session.
#[tauri::command]
pub async fn sign_in_screen(app: State<'_, App>) -> Reply<SignInScreen> {
    app.blocking(|app| app.sign_in_screen()).await
}

#[tauri::command]
pub async fn sign_in(app: State<'_, App>, who: Who, password: String) -> Reply<SignedIn> {
    app.blocking(move |app| app.sign_in(&who, &password)).await.map(SignedIn::from)
}

#[tauri::command]
pub async fn sign_in_to_demo(app: State<'_, App>) -> Reply<SignedIn> {
    app.blocking(|app| app.sign_in_to_demo()).await.map(SignedIn::from)
}

#[tauri::command]
pub async fn unlock(app: State<'_, App>, password: String) -> Reply<SignedIn> {
    app.blocking(move |app| app.unlock(&password)).await.map(SignedIn::from)
}

#[tauri::command]
pub async fn accept_invitation(
    app: State<'_, App>,
    code: String,
    password: String,
    password_again: String,
) -> Reply<SignedIn> {
    app.blocking(move |app| app.accept_invitation(&code, &password, &password_again)).await.map(SignedIn::from)
}

/// After an upgrade from release 0.1, the administrator it acted as sets their first password.
#[tauri::command]
pub async fn set_first_password(app: State<'_, App>, password: String, password_again: String) -> Reply<SignedIn> {
    app.blocking(move |app| app.set_first_password(&password, &password_again)).await.map(SignedIn::from)
}

/// Someone is using the window between commands: the idle time starts again.
#[tauri::command]
pub async fn still_here(app: State<'_, App>) -> Reply<()> {
    app.still_here();
    Ok(())
}

/// Locks the window now: the window's idle timer, or "Lock" pressed.
#[tauri::command]
pub async fn lock(app: State<'_, App>) -> Reply<()> {
    app.lock();
    Ok(())
}

#[tauri::command]
pub async fn sign_out(app: State<'_, App>) -> Reply<()> {
    app.sign_out();
    Ok(())
}

/// An administrator's single-use code with which a person sets (or resets) their password.
#[tauri::command]
pub async fn invite_to_sign_in(app: State<'_, App>, people_id: Uuid, purpose: InvitationPurpose) -> Reply<Invitation> {
    app.write(move |tx| access::invite(tx, people_id, purpose)).await
}
