//! When a person pulled from Planning Center and the same person here disagree on a field.
//!
//! With no change of the local record waiting to be sent, Planning Center's value is taken:
//! it is the church's record of people. With one waiting, the newer edit wins (the local
//! value if the local record was changed after Planning Center's), and a value Planning Center
//! does not have never erases one entered here. Every such clash is kept for a person to see,
//! with both values as they read them.

use crate::records::PersonStatus;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// What the local record has that Planning Center has not seen yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalEdits {
    /// A change of the record is waiting in the outbox.
    pub unsent: bool,
    /// The local record was changed after Planning Center's copy.
    pub local_is_newer: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Resolution {
    LocalWon,
    RemoteWon,
}

impl Resolution {
    pub fn as_str(self) -> &'static str {
        match self {
            Resolution::LocalWon => "local_won",
            Resolution::RemoteWon => "remote_won",
        }
    }
}

/// A field the two sides disagreed on while a local change was waiting, and which value won.
/// The values are as a person reads them; `None` is an empty field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clash {
    pub field: &'static str,
    pub local: Option<String>,
    pub remote: Option<String>,
    pub resolution: Resolution,
}

/// A field's value as the rule compares and shows it.
pub trait FieldValue {
    /// Whether the two hold the same value as a person would read them.
    fn same(&self, other: &Self) -> bool;
    /// The value as a person reads it; `None` when the field is empty.
    fn shown(&self) -> Option<String>;
}

impl FieldValue for String {
    fn same(&self, other: &Self) -> bool {
        self.trim() == other.trim()
    }
    fn shown(&self) -> Option<String> {
        Some(self.trim().to_owned()).filter(|text| !text.is_empty())
    }
}

/// Optional text (an e-mail, a phone, a city) compares without case or surrounding spaces.
impl FieldValue for Option<String> {
    fn same(&self, other: &Self) -> bool {
        let normal =
            |value: &Option<String>| value.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_lowercase);
        normal(self) == normal(other)
    }
    fn shown(&self) -> Option<String> {
        self.as_deref().map(str::trim).filter(|text| !text.is_empty()).map(str::to_owned)
    }
}

impl FieldValue for Option<NaiveDate> {
    fn same(&self, other: &Self) -> bool {
        self == other
    }
    fn shown(&self) -> Option<String> {
        self.map(|date| date.to_string())
    }
}

impl FieldValue for PersonStatus {
    fn same(&self, other: &Self) -> bool {
        self == other
    }
    fn shown(&self) -> Option<String> {
        Some(match self {
            PersonStatus::Active => "active".to_owned(),
            PersonStatus::Inactive => "inactive".to_owned(),
        })
    }
}

/// Settles one field: `local` is left holding the value that stays. Returns the clash when the
/// two differed while a local change was waiting.
pub fn reconcile<V: FieldValue>(field: &'static str, local: &mut V, remote: V, edits: LocalEdits) -> Option<Clash> {
    if local.same(&remote) {
        return None;
    }
    let local_stays = edits.unsent && (edits.local_is_newer || remote.shown().is_none());
    let clash = edits.unsent.then(|| Clash {
        field,
        local: local.shown(),
        remote: remote.shown(),
        resolution: if local_stays { Resolution::LocalWon } else { Resolution::RemoteWon },
    });
    if !local_stays {
        *local = remote;
    }
    clash
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOTHING_WAITING: LocalEdits = LocalEdits { unsent: false, local_is_newer: true };
    const NEWER_HERE: LocalEdits = LocalEdits { unsent: true, local_is_newer: true };
    const NEWER_THERE: LocalEdits = LocalEdits { unsent: true, local_is_newer: false };

    fn text(value: &str) -> Option<String> {
        Some(value.to_owned())
    }

    #[test]
    fn with_nothing_waiting_here_planning_centers_value_is_taken_without_a_clash() {
        let mut nickname = text("Ann");
        assert_eq!(reconcile("nickname", &mut nickname, text("Anne"), NOTHING_WAITING), None);
        assert_eq!(nickname, text("Anne"));
        let mut email = text("ann@example.org");
        assert_eq!(
            reconcile("email", &mut email, None, NOTHING_WAITING),
            None,
            "Planning Center may clear a field nobody changed here"
        );
        assert_eq!(email, None);
    }

    #[test]
    fn a_newer_edit_here_stays_and_the_clash_shows_both_plain_values() {
        let mut nickname = text("Ann");
        let clash = reconcile("nickname", &mut nickname, text("Anne"), NEWER_HERE).expect("a clash");
        assert_eq!(nickname, text("Ann"));
        assert_eq!(
            clash,
            Clash { field: "nickname", local: text("Ann"), remote: text("Anne"), resolution: Resolution::LocalWon }
        );
    }

    #[test]
    fn a_newer_edit_in_planning_center_wins_and_is_recorded() {
        let mut first = "Jon".to_owned();
        let clash = reconcile("first_name", &mut first, "John".to_owned(), NEWER_THERE).expect("a clash");
        assert_eq!(first, "John");
        assert_eq!(
            (clash.local.as_deref(), clash.remote.as_deref(), clash.resolution),
            (Some("Jon"), Some("John"), Resolution::RemoteWon)
        );
    }

    #[test]
    fn a_value_planning_center_lacks_never_erases_one_waiting_to_be_sent() {
        let mut phone = text("(555) 010-2020");
        let clash = reconcile("phone", &mut phone, Some("  ".to_owned()), NEWER_THERE).expect("a clash");
        assert_eq!(phone, text("(555) 010-2020"));
        assert_eq!((clash.remote, clash.resolution), (None, Resolution::LocalWon));
    }

    #[test]
    fn the_same_value_written_differently_is_no_clash() {
        let mut email = text("Ann@Example.org ");
        assert_eq!(reconcile("email", &mut email, text("ann@example.org"), NEWER_HERE), None);
        assert_eq!(email, text("Ann@Example.org "), "nothing is rewritten for a difference of case");
        let mut last = "Smith".to_owned();
        assert_eq!(reconcile("last_name", &mut last, " Smith".to_owned(), NEWER_THERE), None);
    }

    #[test]
    fn dates_and_status_are_shown_as_a_person_reads_them() {
        let mut born = NaiveDate::from_ymd_opt(1990, 4, 2);
        let clash =
            reconcile("date_of_birth", &mut born, NaiveDate::from_ymd_opt(1990, 2, 4), NEWER_HERE).expect("a clash");
        assert_eq!((clash.local.as_deref(), clash.remote.as_deref()), (Some("1990-04-02"), Some("1990-02-04")));
        let mut status = PersonStatus::Active;
        let clash = reconcile("status", &mut status, PersonStatus::Inactive, NEWER_THERE).expect("a clash");
        assert_eq!(
            (status, clash.local.as_deref(), clash.remote.as_deref()),
            (PersonStatus::Inactive, Some("active"), Some("inactive"))
        );
    }
}
