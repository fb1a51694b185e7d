use crate::records::RegistrationStatus;

/// Where a new enrollment goes: a seat while the course has room, otherwise the waitlist.
/// `max_capacity = None` means no limit. Nobody is refused for want of a seat.
pub fn place_new_enrollment(max_capacity: Option<i64>, registered: i64) -> RegistrationStatus {
    match max_capacity {
        Some(max) if registered >= max => RegistrationStatus::Waitlisted,
        _ => RegistrationStatus::Registered,
    }
}

/// How many waitlisted people can move up now that seats may have opened.
pub fn seats_to_fill(max_capacity: Option<i64>, registered: i64, waitlisted: i64) -> i64 {
    let free = match max_capacity {
        Some(max) => (max - registered).max(0),
        None => waitlisted,
    };
    free.min(waitlisted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seats_until_full_then_waitlist() {
        assert_eq!(place_new_enrollment(Some(2), 0), RegistrationStatus::Registered);
        assert_eq!(place_new_enrollment(Some(2), 1), RegistrationStatus::Registered);
        assert_eq!(place_new_enrollment(Some(2), 2), RegistrationStatus::Waitlisted);
        assert_eq!(place_new_enrollment(Some(0), 0), RegistrationStatus::Waitlisted);
        assert_eq!(place_new_enrollment(None, 10_000), RegistrationStatus::Registered);
    }

    #[test]
    fn waitlist_moves_up_into_free_seats_only() {
        assert_eq!(seats_to_fill(Some(10), 9, 3), 1);
        assert_eq!(seats_to_fill(Some(10), 10, 3), 0);
        assert_eq!(seats_to_fill(Some(10), 12, 3), 0);
        assert_eq!(seats_to_fill(Some(10), 5, 2), 2);
        assert_eq!(seats_to_fill(None, 5, 2), 2);
    }
}
