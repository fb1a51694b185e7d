//! Finding people by name, nickname, e-mail or phone through the FTS5 index.

use crate::row::{from_row, read_row};
use crate::{Result, Store};
use cct_domain::records::Person;
use cct_domain::{Actor, Permission};

/// Every word typed must match the start of some field (so "jo smi" finds John Smith, and
/// "5309" the last four digits of a phone). Active people only, best match first.
pub async fn search_people(store: &Store, actor: &Actor, text: &str, limit: u32) -> Result<Vec<Person>> {
    crate::actor::require(actor, Permission::PeopleRead)?;
    let Some(match_expr) = fts_query(text) else { return Ok(Vec::new()) };
    let rows = sqlx::query(
        "SELECT p.* FROM people_fts f JOIN people p ON p.rowid = f.rowid
         WHERE people_fts MATCH ? AND p.is_active = 1
         ORDER BY f.rank, p.last_name, p.first_name LIMIT ?",
    )
    .bind(match_expr)
    .bind(limit.min(500))
    .fetch_all(store.reader())
    .await?;
    rows.iter().map(|r| read_row(r).and_then(|row| from_row("people", row))).collect()
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
