//! Certifications: how many expire in each of the next 12 months (this one first), how many have
//! already expired, and who served at check-in without a valid certification in the range.
//!
//! A certification is valid through its expiry day and expired the day after (the rule the
//! certification screens use), so one that expires on the last day of a month counts in that
//! month. The campus filter keeps people assigned to the campus; the course filter keeps the
//! certifications that course leads to.

use super::{each_session_count, id_list, require, text, Count, Places, ReportScope};
use crate::db::{Query, Result, Store};
use cct_domain::{Actor, Permission};
use chrono::{Datelike, Months, NaiveDate};
use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ServedWithout {
    pub name: String,
    pub session: String,
    /// The local day they served.
    pub day: String,
    pub certification: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct CertificationReport {
    /// `YYYY-MM`, this month and the 11 after it.
    pub expiring_by_month: Vec<Count>,
    pub expired: i64,
    /// Per certification: how many have expired.
    pub expired_by_certification: Vec<Count>,
    pub served_without: i64,
    /// The latest first, at most 200. Empty unless the reader may read people.
    pub served_without_list: Vec<ServedWithout>,
}

/// Holders of the campus and of a certification the course leads to, as the filter asks.
const HOLDERS_IN_SCOPE: &str = "cp.is_active = 1
     AND (:campus IS NULL OR EXISTS (SELECT 1 FROM people_campus pc
                                     WHERE pc.people_id = cp.people_id AND pc.campus_id = :campus AND pc.is_active = 1))
     AND (:course IS NULL OR EXISTS (SELECT 1 FROM certification_course cc
                                     WHERE cc.certification_id = cp.certification_id AND cc.course_id = :course AND cc.is_active = 1))";

/// Those who served uncertified are listed for this many at the most, the latest first; the
/// count has them all.
const SERVED_LISTED: usize = 200;

/// Expired: marked so, or completed with an expiry day before today.
const EXPIRED: &str = "(cp.status = 'expired' OR (cp.status = 'completed' AND cp.expires_date < :today))";

pub fn certification_report(
    store: &Store,
    actor: &Actor,
    scope: &ReportScope,
    today: NaiveDate,
) -> Result<CertificationReport> {
    require(actor)?;
    let first_of_month = today.with_day(1).unwrap_or(today);
    let months: Vec<String> = (0..12)
        .filter_map(|n| first_of_month.checked_add_months(Months::new(n)))
        .map(|m| m.format("%Y-%m").to_string())
        .collect();
    let bound = scope.bind(today);
    let expiring_sql = format!(
        "SELECT substr(cp.expires_date, 1, 7), count(*) FROM certification_progress cp
         WHERE cp.status = 'completed' AND cp.expires_date >= :today AND substr(cp.expires_date, 1, 7) <= '{}'
           AND {HOLDERS_IN_SCOPE}
         GROUP BY 1",
        months.last().cloned().unwrap_or_default()
    );
    let expired_sql = format!(
        "SELECT c.name, count(*) FROM certification_progress cp JOIN certification c ON c.id = cp.certification_id
         WHERE {EXPIRED} AND {HOLDERS_IN_SCOPE} GROUP BY c.id ORDER BY count(*) DESC, c.name"
    );
    let (expiring, expired) = store.read(|conn| {
        let expiring: Vec<(String, i64)> = conn.tuples(&expiring_sql, bound.for_sql(&expiring_sql).as_slice())?;
        let expired: Vec<(String, i64)> = conn.tuples(&expired_sql, bound.for_sql(&expired_sql).as_slice())?;
        Ok((expiring, expired))
    })?;
    // How many served uncertified, from each session's kept counts (the latest first); then
    // who, for the latest sessions only, from their own small index.
    let places = Places::read(store)?;
    let mut counted: Vec<(String, i64)> = Vec::new();
    each_session_count(store, scope, today, &places, |row| {
        let served_uncertified: i64 = row.get(8)?;
        if served_uncertified > 0 {
            counted.push((text(row, 0)?.to_owned(), served_uncertified));
        }
        Ok(())
    })?;
    counted.reverse();
    let served_without: i64 = counted.iter().map(|(_, count)| count).sum();
    let served_without_list =
        if actor.can(Permission::PeopleRead) { served_list(store, scope, today, &counted)? } else { Vec::new() };
    let expiring_by_month = months
        .into_iter()
        .map(|month| Count {
            count: expiring.iter().find(|(m, _)| *m == month).map_or(0, |(_, count)| *count),
            label: month,
        })
        .collect();
    Ok(CertificationReport {
        expiring_by_month,
        expired: expired.iter().map(|(_, count)| count).sum(),
        expired_by_certification: expired.into_iter().map(|(label, count)| Count { label, count }).collect(),
        served_without,
        served_without_list,
    })
}

/// Who served uncertified in the latest sessions of `counted` (sessions with their counts, the
/// latest first), until [`SERVED_LISTED`] are listed.
fn served_list(
    store: &Store,
    scope: &ReportScope,
    today: NaiveDate,
    counted: &[(String, i64)],
) -> Result<Vec<ServedWithout>> {
    let mut listed = 0;
    let sessions = id_list(
        counted
            .iter()
            .take_while(|(_, count)| {
                let more = listed < SERVED_LISTED;
                listed += *count as usize;
                more
            })
            .map(|(id, _)| id.as_str()),
    );
    let sql = "SELECT p.first_name || ' ' || p.last_name, s.title, date(s.starts_at, :local), cert.name
         FROM json_each(:sessions) listed
              CROSS JOIN class_session s ON s.id = listed.value
              CROSS JOIN attendance_record a INDEXED BY idx_attendance_served_uncertified ON a.class_session_id = s.id
              JOIN people p ON p.id = a.people_id
              LEFT JOIN certification cert ON cert.id = s.serving_certification_id
         WHERE a.serving = 1 AND a.serving_uncertified = 1 AND a.is_active = 1 AND a.status IN ('present', 'late')
         ORDER BY s.starts_at DESC, p.last_name, p.first_name";
    let bound = scope.bind(today);
    let mut params = bound.for_sql(sql);
    params.push((":sessions", &sessions as &dyn rusqlite::ToSql));
    let rows: Vec<(String, String, String, Option<String>)> = store.read(|conn| conn.tuples(sql, params.as_slice()))?;
    Ok(rows
        .into_iter()
        .take(SERVED_LISTED)
        .map(|(name, session, day, certification)| ServedWithout { name, session, day, certification })
        .collect())
}
