//! Check-in at a classroom laptop, with or without a network: the station itself (kiosk mode,
//! locked to check-in with a PIN), finding families as you type, checking people in (never
//! twice), children's guardian tags and checked pickup, labels, visitors added at the station,
//! and what the station's readiness panel shows.

pub mod arrivals;
pub mod families;
pub mod pickup;
pub mod printing;
pub mod readiness;
pub mod rooms;
pub mod station;
pub mod visitors;

pub use arrivals::{
    check_in, check_in_as, check_out, is_child, validate_station, CheckInResult, Coming, GuardianTag, Label,
    CHILD_UNDER_YEARS,
};
pub use families::{find_own_family, search_families, Family, FamilyMember, FamilySearch, Presence, StationPerson};
pub use pickup::{CheckInError, Collector, Pickup, PickupChild, PickupPerson, Released, ReprintProof};
pub use rooms::{rooms_today, RoomNow, RoomPerson};
pub use visitors::{add_visitor, VisitorInput, VisitorOutcome};

use cct_domain::records::SpecialRequirement;
use cct_domain::{Actor, Record};

/// Severity is stored as text, whose alphabetical order is not its urgency.
const MOST_SEVERE_FIRST: &str =
    "CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END";

/// The special requirements the actor may see, as a condition to append (the record type's own
/// read scope).
fn requirement_scope(actor: &Actor) -> String {
    SpecialRequirement::read_scope(actor).map(|scope| format!(" AND ({scope})")).unwrap_or_default()
}
