//! Renewals on time: the people whose certification expires inside the office's window (or
//! has expired), each with the course that renews it and its next offering, so the office
//! enrolls them in one click.

use crate::db::{Query, Result, Store, StoreError, WriteTx};
use crate::office::enrollment::{self, EnrollRequest};
use crate::office::{offerings, settings};
use cct_domain::records::{CertificationStatus, CourseEnrollment};
use cct_domain::rules::certification::{standing, Standing};
use cct_domain::{Actor, Permission};
use chrono::NaiveDate;
use rusqlite::Connection;
use serde::Serialize;
use ts_rs::TS;
use uuid::Uuid;

/// One person whose certification is due for renewal.
#[derive(Debug, Clone, Serialize, TS)]
pub struct RenewalDue {
    pub people_id: Uuid,
    pub person_name: String,
    pub certification_id: Uuid,
    pub certification_name: String,
    pub expires_on: Option<NaiveDate>,
    #[serde(flatten)]
    pub standing: Standing,
    /// The course that renews it: its refresher if the office named one, else its course.
    pub renewal_course_id: Option<Uuid>,
    pub renewal_course_name: Option<String>,
    /// The offering *Enroll in the next offering* enrolls them in.
    pub next_offering_id: Option<Uuid>,
    pub next_offering_name: Option<String>,
    pub next_offering_starts_on: Option<NaiveDate>,
    /// The offering they are already enrolled in to renew, if they are.
    pub enrolled_in: Option<String>,
}

/// Certifications expiring inside the office's "expiring soon" window or already expired,
/// soonest first. Certifications Planning Center keeps (background checks) are renewed there
/// and are not listed.
pub fn due(store: &Store, actor: &Actor, today: NaiveDate) -> Result<Vec<RenewalDue>> {
    crate::office::people::require(actor, Permission::CertificationsRead)?;
    let window = settings::office_rules(store)?.expiring_soon_days;
    let horizon = today + chrono::Duration::days(window.max(0));
    store.read(|conn| {
        let rows: Vec<(String, String, String, String, Option<String>, String)> = conn.tuples(
            "SELECT cp.people_id, p.first_name || ' ' || p.last_name, cp.certification_id, c.name, cp.expires_date, cp.status
             FROM certification_progress cp
             JOIN people p ON p.id = cp.people_id AND p.is_active = 1
             JOIN certification c ON c.id = cp.certification_id AND c.is_active = 1 AND c.source = 'office'
             WHERE cp.is_active = 1 AND cp.status IN ('completed', 'expired') AND cp.expires_date IS NOT NULL
               AND cp.expires_date <= ?1
             ORDER BY cp.expires_date, p.last_name, p.first_name",
            [horizon.to_string()],
        )?;
        let mut due = Vec::with_capacity(rows.len());
        for (person, person_name, certification, certification_name, expires, status) in rows {
            let (Ok(people_id), Ok(certification_id)) = (Uuid::parse_str(&person), Uuid::parse_str(&certification))
            else {
                continue;
            };
            let expires_on = expires.and_then(|d| d.parse().ok());
            let status =
                if status == "expired" { CertificationStatus::Expired } else { CertificationStatus::Completed };
            let renewal_course_id = renewal_course(conn, certification_id)?;
            let renewal_course_name = match renewal_course_id {
                Some(id) => conn.optional("SELECT name FROM course WHERE id = ?1", [id.to_string()])?,
                None => None,
            };
            let next = match renewal_course_id {
                Some(course) => upcoming_offering(conn, course, today)?,
                None => None,
            };
            let enrolled_in = match renewal_course_id {
                Some(course) => conn.optional(
                    "SELECT o.name FROM course_enrollment e JOIN course_offering o ON o.id = e.offering_id
                     WHERE e.people_id = ?1 AND e.course_id = ?2 AND e.is_active = 1
                       AND e.status IN ('enrolled', 'in_progress') AND e.registration_status <> 'cancelled'
                     LIMIT 1",
                    [people_id.to_string(), course.to_string()],
                )?,
                None => None,
            };
            due.push(RenewalDue {
                people_id,
                person_name,
                certification_id,
                certification_name,
                expires_on,
                standing: standing(status, expires_on, today, window),
                renewal_course_id,
                renewal_course_name,
                next_offering_id: next.as_ref().map(|n| n.0),
                next_offering_name: next.as_ref().map(|n| n.1.clone()),
                next_offering_starts_on: next.and_then(|n| n.2),
                enrolled_in,
            });
        }
        Ok(due)
    })
}

/// Enrolls the person in the next offering of the course that renews the certification.
pub fn enroll_for_renewal(tx: &mut WriteTx<'_>, people_id: Uuid, certification_id: Uuid) -> Result<CourseEnrollment> {
    tx.require(Permission::EnrollmentsWrite)?;
    let course_id = renewal_course(tx.conn(), certification_id)?.ok_or_else(|| StoreError::Conflict {
        field: "certification_id",
        message: "this certification has no course that renews it: give it a course or a refresher course".into(),
    })?;
    let offering_id = offerings::next_offering(tx.conn(), course_id, tx.now().date())?;
    enrollment::enroll(
        tx,
        EnrollRequest {
            people_id,
            course_id,
            offering_id: Some(offering_id),
            notes: Some("Enrolled to renew a certification".into()),
            override_reason: None,
        },
    )
}

/// The refresher course if the office named one, else the certification's first course.
fn renewal_course(conn: &Connection, certification_id: Uuid) -> Result<Option<Uuid>> {
    conn.id(
        "SELECT id FROM (
             SELECT c.refresher_course_id AS id, 0 AS rank FROM certification c
             JOIN course k ON k.id = c.refresher_course_id AND k.is_active = 1 WHERE c.id = ?1
             UNION ALL
             SELECT cc.course_id, 1 FROM certification_course cc
             JOIN course k ON k.id = cc.course_id AND k.is_active = 1
             WHERE cc.certification_id = ?1 AND cc.is_active = 1)
         ORDER BY rank LIMIT 1",
        [certification_id.to_string()],
    )
}

/// The offering that *Enroll in the next offering* would choose, with its name and start.
fn upcoming_offering(
    conn: &Connection,
    course_id: Uuid,
    today: NaiveDate,
) -> Result<Option<(Uuid, String, Option<NaiveDate>)>> {
    let id = offerings::next_offering(conn, course_id, today)?;
    let row: Option<(String, Option<String>)> = conn
        .tuples("SELECT name, starts_on FROM course_offering WHERE id = ?1 AND is_active = 1", [id.to_string()])?
        .into_iter()
        .next();
    Ok(row.map(|(name, starts)| (id, name, starts.and_then(|s| s.parse().ok()))))
}
