//! Field checks shared by the records' `validate` methods. Each names the field it refuses.

use crate::ValidationError;

pub type Check = Result<(), ValidationError>;

pub fn required_text(field: &str, value: &str) -> Check {
    if value.trim().is_empty() {
        return Err(ValidationError::new(field, "is required"));
    }
    max_length(field, value, 500)
}

pub fn optional_text(field: &str, value: &Option<String>, max: usize) -> Check {
    match value {
        Some(text) => max_length(field, text, max),
        None => Ok(()),
    }
}

fn max_length(field: &str, value: &str, max: usize) -> Check {
    if value.chars().count() > max {
        return Err(ValidationError::new(field, format!("must be at most {max} characters")));
    }
    Ok(())
}

/// A practical e-mail check: one `@`, a non-empty local part, a dotted domain, no spaces.
/// Full RFC 5322 parsing accepts addresses no church office wants to keep.
pub fn optional_email(field: &str, value: &Option<String>) -> Check {
    let Some(email) = value else { return Ok(()) };
    let email = email.trim();
    let valid = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email.chars().any(char::is_whitespace)
        }
        None => false,
    };
    if !valid {
        return Err(ValidationError::new(field, format!("{email:?} is not a valid e-mail address")));
    }
    max_length(field, email, 254)
}

/// A phone number has 7 to 15 digits; spaces, dashes, dots, brackets and a leading + are allowed.
pub fn optional_phone(field: &str, value: &Option<String>) -> Check {
    let Some(phone) = value else { return Ok(()) };
    let allowed = |c: char| c.is_ascii_digit() || " -.()+".contains(c);
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    if !phone.chars().all(allowed) || !(7..=15).contains(&digits) {
        return Err(ValidationError::new(field, format!("{phone:?} is not a valid phone number")));
    }
    Ok(())
}

pub fn non_negative(field: &str, value: Option<i64>) -> Check {
    match value {
        Some(n) if n < 0 => Err(ValidationError::new(field, "must not be negative")),
        _ => Ok(()),
    }
}

pub fn positive(field: &str, value: Option<i64>) -> Check {
    match value {
        Some(n) if n <= 0 => Err(ValidationError::new(field, "must be greater than zero")),
        _ => Ok(()),
    }
}

pub fn percentage(field: &str, value: Option<f64>) -> Check {
    match value {
        Some(p) if !(0.0..=100.0).contains(&p) || p.is_nan() => {
            Err(ValidationError::new(field, "must be between 0 and 100"))
        }
        _ => Ok(()),
    }
}

/// `end` must come after `start` when both are set.
pub fn ordered<T: PartialOrd>(end_field: &str, start: Option<T>, end: Option<T>, start_field: &str) -> Check {
    match (start, end) {
        (Some(s), Some(e)) if e < s => {
            Err(ValidationError::new(end_field, format!("must not be before {start_field}")))
        }
        _ => Ok(()),
    }
}

pub fn one_of(field: &str, value: &str, allowed: &[&str]) -> Check {
    if allowed.contains(&value) {
        return Ok(());
    }
    Err(ValidationError::new(field, format!("must be one of {}", allowed.join(", "))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_blank_text_is_refused_naming_the_field() {
        assert_eq!(required_text("first_name", "  ").unwrap_err().field, "first_name");
        assert!(required_text("first_name", "Ruth").is_ok());
    }

    #[test]
    fn emails() {
        for good in ["a@b.co", "ruth.smith+church@example.org"] {
            assert!(optional_email("email", &Some(good.into())).is_ok(), "{good}");
        }
        for bad in ["", "ruth", "ruth@", "@example.org", "ruth@example", "ru th@example.org", "a@b@c.org", "a@.org"] {
            let err = optional_email("email", &Some(bad.into())).unwrap_err();
            assert_eq!(err.field, "email", "{bad}");
        }
        assert!(optional_email("email", &None).is_ok());
    }

    #[test]
    fn phones() {
        assert!(optional_phone("phone", &Some("(555) 867-5309".into())).is_ok());
        assert!(optional_phone("phone", &Some("+44 20 7946 0958".into())).is_ok());
        assert!(optional_phone("phone", &Some("12345".into())).is_err());
        assert!(optional_phone("phone", &Some("555-CALL-NOW".into())).is_err());
    }

    #[test]
    fn numbers_and_ranges() {
        assert_eq!(non_negative("max_capacity", Some(-1)).unwrap_err().field, "max_capacity");
        assert!(non_negative("max_capacity", Some(0)).is_ok());
        assert!(positive("validity_months", Some(0)).is_err());
        assert!(percentage("score", Some(100.5)).is_err());
        assert!(percentage("score", Some(f64::NAN)).is_err());
        let err = ordered("ends_at", Some(5), Some(4), "starts_at").unwrap_err();
        assert_eq!(err.field, "ends_at");
        assert!(ordered("ends_at", Some(4), Some(5), "starts_at").is_ok());
    }
}
