//! Reading lists: a page stream that follows `links.next`, and an incremental walk over
//! `updated_at` that keeps offsets small (deep offsets get a stricter rate limit) and can be
//! resumed from a saved cursor.

use crate::client::Client;
use crate::error::Result;
use crate::jsonapi::{ListDocument, Resource};
use futures_util::stream::{self, Stream};
use serde::{Deserialize, Serialize};

pub const PER_PAGE: usize = 100;

/// Follows `links.next` from a first request until the last page.
pub struct Paginator {
    client: Client,
    next: Option<(String, Vec<(&'static str, String)>)>,
}

impl Paginator {
    pub fn new(client: Client, path: &str, query: Vec<(&'static str, String)>) -> Self {
        let mut query = query;
        if !query.iter().any(|(k, _)| *k == "per_page") {
            query.push(("per_page", PER_PAGE.to_string()));
        }
        Self { client, next: Some((path.to_owned(), query)) }
    }

    /// Resumes at a `links.next` URL saved from an earlier run.
    pub fn resume(client: Client, next_url: String) -> Self {
        Self { client, next: Some((next_url, Vec::new())) }
    }

    /// The URL of the page `next_page` will fetch, to save as a cursor.
    pub fn next_url(&self) -> Option<String> {
        let (path, query) = self.next.as_ref()?;
        let mut url = self.client.base_url().join(path).ok()?;
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query.iter().map(|(k, v)| (*k, v.as_str())));
        }
        Some(url.into())
    }

    pub async fn next_page(&mut self) -> Result<Option<ListDocument>> {
        let Some((path, query)) = self.next.take() else { return Ok(None) };
        let page = match self.client.get_list(&path, &query).await {
            Ok(page) => page,
            Err(error) => {
                // Leave the position where it was, so the caller can retry or save it.
                self.next = Some((path, query));
                return Err(error);
            }
        };
        self.next = page.links.next.clone().map(|url| (url, Vec::new()));
        Ok(Some(page))
    }

    pub fn into_stream(self) -> impl Stream<Item = Result<ListDocument>> {
        stream::unfold(Some(self), |state| async move {
            let mut paginator = state?;
            match paginator.next_page().await {
                Ok(Some(page)) => Some((Ok(page), Some(paginator))),
                Ok(None) => None,
                Err(error) => Some((Err(error), None)),
            }
        })
    }
}

/// Where an incremental read stands: everything updated before `since` was read, and so were
/// the first `seen_at_since` records updated exactly at `since`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeCursor {
    pub since: Option<String>,
    pub seen_at_since: usize,
}

/// Reads every record of a collection changed since a cursor, in `updated_at` order, 100 a page.
/// Each request restarts from the newest `updated_at` seen (`where[updated_at][gte]`), skipping
/// only the records already read at exactly that time, so offsets stay small however large the
/// church. Ties (a bulk import stamping thousands alike) are paged through by offset.
pub struct ChangeFeed {
    client: Client,
    path: String,
    extra: Vec<(&'static str, String)>,
    /// The timestamp the walk follows: `updated_at`, or `created_at` for records that are
    /// never changed once made (person merges).
    stamp: &'static str,
    cursor: ChangeCursor,
    done: bool,
    /// The next page, already asked for while the caller works through this one (saving a
    /// page of 100 people takes about as long as fetching the next).
    ahead: Option<tokio::task::JoinHandle<Result<ListDocument>>>,
}

impl Drop for ChangeFeed {
    fn drop(&mut self) {
        if let Some(ahead) = self.ahead.take() {
            ahead.abort();
        }
    }
}

impl ChangeFeed {
    pub fn new(client: Client, path: &str, include: &[&str], cursor: ChangeCursor) -> Self {
        let mut extra = Vec::new();
        if !include.is_empty() {
            extra.push(("include", include.join(",")));
        }
        Self { client, path: path.to_owned(), extra, stamp: "updated_at", cursor, done: false, ahead: None }
    }

    /// The same walk over `created_at`, for a collection whose records never change.
    pub fn by_creation(client: Client, path: &str, cursor: ChangeCursor) -> Self {
        let mut feed = Self::new(client, path, &[], cursor);
        feed.stamp = "created_at";
        feed
    }

    pub fn cursor(&self) -> &ChangeCursor {
        &self.cursor
    }

    /// The next page, and its cursor (read with [`ChangeFeed::cursor`]) after it. The page
    /// after that is asked for at once, when there is one, so it is on its way while the
    /// caller saves this one; it is asked for from this page's cursor, so a page that fails
    /// leaves the cursor where a retry should start.
    pub async fn next_page(&mut self) -> Result<Option<ListDocument>> {
        if self.done {
            return Ok(None);
        }
        let page = match self.ahead.take() {
            Some(ahead) => match ahead.await {
                Ok(page) => page?,
                // Cancelled or lost with its task: ask again here.
                Err(_) => self.fetch().await?,
            },
            None => self.fetch().await?,
        };
        self.advance(&page.data);
        if page.data.len() < PER_PAGE || page.links.next.is_none() {
            self.done = true;
        } else {
            let (client, path, query) = (self.client.clone(), self.path.clone(), self.query());
            self.ahead = Some(tokio::spawn(async move { client.get_list(&path, &query).await }));
        }
        Ok(Some(page))
    }

    fn query(&self) -> Vec<(&'static str, String)> {
        let mut query = self.extra.clone();
        query.push(("order", self.stamp.into()));
        query.push(("per_page", PER_PAGE.to_string()));
        if let Some(since) = &self.cursor.since {
            let filter = if self.stamp == "created_at" { "where[created_at][gte]" } else { "where[updated_at][gte]" };
            query.push((filter, since.clone()));
        }
        if self.cursor.seen_at_since > 0 {
            query.push(("offset", self.cursor.seen_at_since.to_string()));
        }
        query
    }

    async fn fetch(&self) -> Result<ListDocument> {
        self.client.get_list(&self.path, &self.query()).await
    }

    fn advance(&mut self, records: &[Resource]) {
        let stamp = self.stamp;
        let Some(last) =
            records.last().and_then(|r| r.attributes.get(stamp)).and_then(|v| v.as_str()).map(str::to_owned)
        else {
            return;
        };
        let at_last =
            records.iter().filter(|r| r.attributes.get(stamp).and_then(|v| v.as_str()) == Some(last.as_str())).count();
        if self.cursor.since.as_deref() == Some(last.as_str()) {
            self.cursor.seen_at_since += at_last;
        } else {
            self.cursor = ChangeCursor { since: Some(last), seen_at_since: at_last };
        }
    }
}

/// Offset paging can return a record twice when data changes during the scan (issue 640): keep
/// the copy with the newest `updated_at`.
pub fn keep_newest(records: &mut Vec<Resource>) {
    let mut newest: std::collections::HashMap<(String, String), usize> = std::collections::HashMap::new();
    let mut keep = vec![true; records.len()];
    for (i, record) in records.iter().enumerate() {
        let key = (record.kind.clone(), record.id.clone());
        let stamp = |r: &Resource| r.attributes.get("updated_at").and_then(|v| v.as_str()).unwrap_or("").to_owned();
        match newest.get(&key) {
            Some(&j) if stamp(&records[j]) >= stamp(record) => keep[i] = false,
            Some(&j) => {
                keep[j] = false;
                newest.insert(key, i);
            }
            None => {
                newest.insert(key, i);
            }
        }
    }
    let mut index = 0;
    records.retain(|_| {
        let kept = keep[index];
        index += 1;
        kept
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn resource(id: &str, updated: &str) -> Resource {
        serde_json::from_value(json!({"type": "Person", "id": id, "attributes": {"updated_at": updated}})).unwrap()
    }

    #[test]
    fn duplicates_from_offset_drift_keep_the_newest_copy() {
        let mut records = vec![
            resource("1", "2026-01-01T00:00:00Z"),
            resource("2", "2026-01-01T00:00:00Z"),
            resource("1", "2026-02-01T00:00:00Z"),
        ];
        keep_newest(&mut records);
        assert_eq!(records.len(), 2);
        assert_eq!(records[1].attributes["updated_at"], "2026-02-01T00:00:00Z");
    }
}
