//! Finding people by name, nickname, e-mail or phone through the FTS5 index.

use crate::db::{Query, Result, Store};
use cct_domain::records::Person;
use cct_domain::{Actor, Permission};

/// Every word typed must match the start of some field (so "jo smi" finds John Smith, and
/// "5309" the last four digits of a phone). Active people only, best match first.
pub fn search_people(store: &Store, actor: &Actor, text: &str, limit: u32) -> Result<Vec<Person>> {
    crate::office::people::require(actor, Permission::PeopleRead)?;
    let Some(match_expr) = fts_query(text) else { return Ok(Vec::new()) };
    store.read(|conn| {
        conn.records(
            "people",
            "SELECT p.* FROM people_fts f JOIN people p ON p.rowid = f.rowid
             WHERE people_fts MATCH ?1 AND p.is_active = 1
             ORDER BY f.rank, p.last_name, p.first_name LIMIT ?2",
            rusqlite::params![match_expr, limit.min(500)],
        )
    })
}

/// Matches looked at for a check-in search: eight times the twelve shown, so a name typed past
/// its first letters in a church of a few thousand is found and ordered whole, and few enough
/// that a two-letter prefix over 100,000 people stays within a keystroke (each match looked at
/// costs a row lookup; 200 put the slowest searches past 3 ms here).
const NAME_SEARCH_WINDOW: u32 = 100;

/// Someone the station's search found, with their household.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameMatch {
    pub id: String,
    pub household_id: Option<String>,
}

/// The check-in station's search: names, nickname and phone digits only (not e-mail), without
/// relevance ranking, which would score every match of a short prefix. Results are in name
/// order; `complete` is false when there were more matches than the window (keep typing).
pub fn search_names(
    conn: &rusqlite::Connection,
    actor: &Actor,
    text: &str,
    limit: u32,
) -> Result<(Vec<NameMatch>, bool)> {
    crate::office::people::require(actor, Permission::PeopleRead)?;
    let Some(terms) = fts_query(text) else { return Ok((Vec::new(), true)) };
    let match_expr = format!("{{first_name last_name nickname phone_digits}}: ({terms})");
    // Only the sort keys of the window are read; the caller loads what it shows.
    let mut window: Vec<(String, String, String, Option<String>)> = conn.tuples(
        "SELECT p.id, lower(p.last_name), lower(p.first_name), p.household_id FROM people p
         WHERE p.rowid IN (SELECT rowid FROM people_fts WHERE people_fts MATCH ?1 LIMIT ?2) AND p.is_active = 1",
        rusqlite::params![match_expr, NAME_SEARCH_WINDOW],
    )?;
    let complete = window.len() < NAME_SEARCH_WINDOW as usize;
    window.sort_by(|a, b| (&a.1, &a.2).cmp(&(&b.1, &b.2)));
    window.truncate(limit as usize);
    Ok((window.into_iter().map(|(id, _, _, household_id)| NameMatch { id, household_id }).collect(), complete))
}

/// Turns what a person typed into an FTS5 query of quoted prefix terms. Quoting keeps FTS5's
/// own syntax (AND, NEAR, column filters, stray quotes) from turning input into an error.
fn fts_query(text: &str) -> Option<String> {
    let terms: Vec<String> = text
        .split(|c: char| c.is_whitespace() || "()-+.".contains(c))
        .map(|word| word.replace('"', ""))
        .filter(|word| !word.is_empty())
        .map(|word| format!("\"{word}\"*"))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" "))
}

#[cfg(test)]
mod tests {
    #[test]
    fn input_becomes_quoted_prefix_terms() {
        assert_eq!(super::fts_query("jo smi").as_deref(), Some("\"jo\"* \"smi\"*"));
        assert_eq!(super::fts_query("o\"neil NEAR(").as_deref(), Some("\"oneil\"* \"NEAR\"*"));
        assert_eq!(super::fts_query("(555) 867"), Some("\"555\"* \"867\"*".into()));
        assert_eq!(super::fts_query("  "), None);
    }
}
