//! Finding people by name, nickname, e-mail or phone through the FTS5 index.

use crate::db::{Query, Result, Store};
use cct_domain::records::Person;
use cct_domain::{Actor, Permission};

/// Matches the office's search looks at: enough that a name typed past its first letters is
/// found and ordered whole in a church of a few thousand, few enough that a one- or two-letter
/// prefix over 100,000 people (thousands of matches) stays within a keystroke. Relevance
/// scoring (FTS5's bm25) is not used: it scores every match, which took 10-20 ms for a short
/// prefix at 100,000 people.
const PEOPLE_SEARCH_WINDOW: u32 = 400;

/// Every word typed must match the start of some field (so "jo smi" finds John Smith, and
/// "5309" the last four digits of a phone). Active people only: those whose names start with
/// what was typed first, then those found by e-mail or phone, each group in name order.
pub fn search_people(store: &Store, actor: &Actor, text: &str, limit: u32) -> Result<Vec<Person>> {
    crate::office::people::require(actor, Permission::PeopleRead)?;
    let Some(terms) = fts_query(text) else { return Ok(Vec::new()) };
    let words = typed_words(text);
    store.read(|conn| {
        // Only the sort keys of the window are read; the rows shown are loaded after.
        let mut window: Vec<(i64, String, String, Option<String>)> = conn.tuples(
            "SELECT p.rowid, lower(p.last_name), lower(p.first_name), lower(p.nickname) FROM people p
             WHERE p.rowid IN (SELECT rowid FROM people_fts WHERE people_fts MATCH ?1 LIMIT ?2) AND p.is_active = 1",
            rusqlite::params![terms, PEOPLE_SEARCH_WINDOW],
        )?;
        let by_name = |last: &str, first: &str, nickname: &Option<String>| {
            let names = [last, first, nickname.as_deref().unwrap_or("")];
            words
                .iter()
                .all(|word| names.iter().any(|name| name.split_whitespace().any(|part| fold(part).starts_with(word))))
        };
        window.sort_by_cached_key(|(_, last, first, nickname)| {
            (!by_name(last, first, nickname), last.clone(), first.clone())
        });
        window.truncate(limit.min(500) as usize);
        let rowids = serde_json::to_string(&window.iter().map(|(rowid, ..)| rowid).collect::<Vec<_>>())
            .unwrap_or_else(|_| "[]".into());
        let mut people: Vec<(i64, Person)> = conn
            .rows(
                "SELECT rowid AS search_rowid, * FROM people WHERE rowid IN (SELECT value FROM json_each(?1))",
                [rowids],
            )?
            .into_iter()
            .map(|mut row| {
                let rowid = row.remove("search_rowid").and_then(|v| v.as_i64()).unwrap_or_default();
                Ok((rowid, crate::db::rows::from_row("people", row)?))
            })
            .collect::<Result<_>>()?;
        let order = |rowid: &i64| window.iter().position(|(r, ..)| r == rowid);
        people.sort_by_key(|(rowid, _)| order(rowid));
        Ok(people.into_iter().map(|(_, person)| person).collect())
    })
}

/// The words typed, folded as the index folds them (lower case, no accents), for ranking.
fn typed_words(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || "()-+.\"".contains(c)).filter(|w| !w.is_empty()).map(fold).collect()
}

/// Lower case without the common Latin accents, as the index's `remove_diacritics` reads text.
fn fold(text: &str) -> String {
    text.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
            'ç' => 'c',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ñ' => 'n',
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            'ý' | 'ÿ' => 'y',
            other => other,
        })
        .collect()
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
