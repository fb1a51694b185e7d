use crate::*;
use cct_planning_center::paging::{keep_newest, Paginator};
use cct_planning_center::resources::{CampusAttributes, PersonMergerAttributes};
use cct_planning_center::ChangeCursor;
use futures_util::StreamExt;
use std::collections::HashSet;
use std::sync::atomic::Ordering;

#[tokio::test]
async fn pages_follow_links_next_to_the_end() {
    let fake = fake(450, fast_window()).await;
    let client = pat_client(&fake);
    let pages: Vec<_> = Paginator::new(client.clone(), "/people/v2/people", vec![]).into_stream().collect().await;
    let pages: Vec<_> = pages.into_iter().map(Result::unwrap).collect();
    assert_eq!(pages.len(), 5, "450 people at 100 a page");
    assert!(pages.last().unwrap().links.next.is_none());
    let ids: HashSet<String> = pages.iter().flat_map(|p| p.data.iter().map(|r| r.id.clone())).collect();
    assert_eq!(ids.len(), 450);
    assert_eq!(pages[0].meta.total_count, Some(450));
    assert_eq!(client.stats().requests.load(Ordering::Relaxed), 5);
}

#[tokio::test]
async fn a_saved_next_url_resumes_the_scan() {
    let fake = fake(250, fast_window()).await;
    let client = pat_client(&fake);
    let mut first = Paginator::new(client.clone(), "/people/v2/people", vec![]);
    first.next_page().await.unwrap().unwrap();
    let saved = first.next_url().unwrap();
    let mut resumed = Paginator::resume(client, saved);
    let mut rest = 0;
    while let Some(page) = resumed.next_page().await.unwrap() {
        rest += page.data.len();
    }
    assert_eq!(rest, 150);
}

#[tokio::test]
async fn people_come_with_their_emails_and_phones_in_one_request_per_page() {
    let fake = fake(300, fast_window()).await;
    let client = pat_client(&fake);
    let mut feed = client.people_changes(ChangeCursor::default());
    let mut people = Vec::new();
    while let Some(page) = feed.next_page().await.unwrap() {
        people.extend(cct_planning_center::endpoints::people_of(&page).unwrap());
    }
    assert_eq!(people.len(), 300);
    let adults: Vec<_> = people.iter().filter(|p| p.attributes.child == Some(false)).collect();
    assert!(!adults.is_empty());
    assert!(adults.iter().all(|p| p.primary_email().is_some_and(|e| e.contains('@')) && p.primary_phone().is_some()));
    assert!(people.iter().all(|p| p.household_ids.len() == 1 && p.primary_campus_id.is_some()));
    assert_eq!(client.stats().requests.load(Ordering::Relaxed), 3, "no request per person");
}

#[tokio::test]
async fn incremental_reads_return_only_what_changed_and_page_through_ties() {
    let fake = fake(1200, fast_window()).await;
    let client = pat_client(&fake);
    let mut feed = client.people_changes(ChangeCursor::default());
    let mut seen = Vec::new();
    while let Some(page) = feed.next_page().await.unwrap() {
        seen.extend(page.data.iter().map(|r| r.id.clone()));
    }
    let unique: HashSet<_> = seen.iter().cloned().collect();
    assert_eq!((seen.len(), unique.len()), (1200, 1200), "each person once, although 120 share one updated_at");
    let cursor = feed.cursor().clone();
    assert!(cursor.since.is_some());

    // Staff edit three people in Planning Center.
    let edited: Vec<u64> = fake.with_data(|data| {
        let ids: Vec<u64> = data.all("people/people").map(|r| r.id).take(3).collect();
        for id in &ids {
            let record = data.get_mut("people/people", *id).unwrap();
            record.attributes.insert("nickname".into(), "Edited".into());
            record.updated_at = chrono::Utc::now();
        }
        ids
    });
    let mut feed = client.people_changes(cursor);
    let mut changed = Vec::new();
    while let Some(page) = feed.next_page().await.unwrap() {
        changed.extend(page.data.iter().map(|r| r.id.parse::<u64>().unwrap()));
    }
    changed.sort();
    assert_eq!(changed, edited);
}

#[tokio::test]
async fn typed_reads_of_the_other_products() {
    let fake = fake(400, fast_window()).await;
    let client = pat_client(&fake);
    let campuses: Vec<_> = client.all::<CampusAttributes>("/people/v2/campuses").await.unwrap();
    assert_eq!(campuses.len(), 2);
    assert_eq!(client.households().await.unwrap().len(), fake.with_data(|d| d.count("people/households")));
    assert!(client.field_definitions().await.unwrap().iter().any(|f| f.attributes.name == "Course Completions"));
    assert_eq!(client.workflows().await.unwrap().len(), 1);
    let signups = client.signups().await.unwrap();
    assert_eq!(signups.len(), 3);
    let attendees = client.attendees(&signups[0].id).await.unwrap();
    assert_eq!(attendees.len(), 25);
    assert!(attendees.iter().all(|(_, person)| person.is_some()));
    assert_eq!(attendees.iter().filter(|(a, _)| a.attributes.waitlisted).count(), 5);
    assert_eq!(client.signup_times(&signups[0].id).await.unwrap().len(), 1);
    let events = client.check_in_events().await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(client.event_times(&events[0].id).await.unwrap().len(), 1);
    let check_ins = client.check_ins(&events[0].id).await.unwrap();
    assert!(check_ins.iter().all(|c| c.attributes.security_code.as_ref().is_some_and(|s| s.len() == 4)));
    let found = client.search_people("example.org").await.unwrap();
    assert!(!found.is_empty());
}

#[test]
fn duplicates_keep_the_newest() {
    let mut records: Vec<cct_planning_center::jsonapi::Resource> = serde_json::from_value(serde_json::json!([
        {"type": "Person", "id": "1", "attributes": {"updated_at": "2026-01-02T00:00:00Z"}},
        {"type": "Person", "id": "1", "attributes": {"updated_at": "2026-01-01T00:00:00Z"}},
    ]))
    .unwrap();
    keep_newest(&mut records);
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].attributes["updated_at"], "2026-01-02T00:00:00Z");
}

#[tokio::test]
async fn links_to_another_server_are_not_followed() {
    let fake = fake(10, fast_window()).await;
    let client = pat_client(&fake);
    let error = client.get_list("https://elsewhere.example/people/v2/people", &[]).await.unwrap_err();
    assert!(error.to_string().contains("another server"), "{error}");
}

#[tokio::test]
async fn a_list_answering_no_content_reads_as_empty() {
    let fake = fake(5, cct_pco_fake::Faults { empty_lists_answer_no_content: true, ..fast_window() }).await;
    let client = pat_client(&fake);
    let lists = client.lists().await.unwrap();
    assert_eq!(lists.len(), 1, "a list with something in it is read as usual");
    let nothing = client.get_list("/people/v2/lists", &[("where[name]", "No such list".into())]).await.unwrap();
    assert!(nothing.data.is_empty() && nothing.links.next.is_none(), "204 is an empty list, not a decoding error");
    // Running a list answers 204 with no body (planningcenter/developers issue 380).
    client.run_list(&lists[0].id).await.unwrap();
    let missing = client.run_list("424242").await.unwrap_err();
    assert!(missing.to_string().contains("404"), "{missing}");
}

#[tokio::test]
async fn person_merges_are_read_from_a_cursor_in_the_order_they_were_made() {
    let fake = fake(20, fast_window()).await;
    let client = pat_client(&fake);
    let people: Vec<u64> = fake.with_data(|d| d.all("people/people").map(|r| r.id).collect());
    let at = chrono::Utc::now() - chrono::Duration::hours(2);
    for (n, pair) in people.chunks(2).take(3).enumerate() {
        fake.with_data(|d| d.merge_people(pair[0], pair[1], at + chrono::Duration::minutes(n as i64)));
    }
    let read = |cursor: ChangeCursor| {
        let client = client.clone();
        async move {
            let mut feed = client.person_mergers(cursor);
            let mut all = Vec::new();
            while let Some(page) = feed.next_page().await.unwrap() {
                all.extend(cct_planning_center::endpoints::typed::<PersonMergerAttributes>(&page, "mergers").unwrap());
            }
            (all, feed.cursor().clone())
        }
    };
    let (first, cursor) = read(ChangeCursor::default()).await;
    let pairs: Vec<(String, String)> =
        first.iter().map(|m| (m.attributes.keep_id().unwrap(), m.attributes.remove_id().unwrap())).collect();
    let expected: Vec<(String, String)> =
        people.chunks(2).take(3).map(|p| (p[0].to_string(), p[1].to_string())).collect();
    assert_eq!(pairs, expected);
    assert!(fake.with_data(|d| d.get("people/people", people[1]).is_none()), "the person removed is gone");
    let (again, _) = read(cursor.clone()).await;
    assert!(again.is_empty(), "nothing new since the cursor: {again:?}");
    fake.with_data(|d| d.merge_people(people[6], people[7], chrono::Utc::now()));
    let (later, _) = read(cursor).await;
    assert_eq!(later.len(), 1, "only the merge made since");
}
