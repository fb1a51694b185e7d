//! Typed calls for the resources the product uses.

use crate::client::Client;
use crate::error::{PcoError, Result};
use crate::jsonapi::{write_document, Included, ListDocument, Resource};
use crate::paging::{ChangeCursor, ChangeFeed, Paginator};
use crate::resources::*;
use serde::de::DeserializeOwned;
use serde::Serialize;

pub const PERSON_INCLUDES: &[&str] = &["emails", "phone_numbers", "addresses", "households", "primary_campus"];

fn decode_error(context: &str, error: serde_json::Error) -> PcoError {
    PcoError::Decode {
        request: crate::error::RequestLabel { method: "GET".into(), path: context.into() },
        message: error.to_string(),
    }
}

/// Decodes a list page's resources.
pub fn typed<A: DeserializeOwned>(page: &ListDocument, context: &str) -> Result<Vec<Typed<A>>> {
    page.data
        .iter()
        .map(|r| {
            r.attributes()
                .map(|attributes| Typed { id: r.id.clone(), attributes })
                .map_err(|e| decode_error(context, e))
        })
        .collect()
}

/// The people on a list page, with their e-mails, phones and addresses from `included`.
pub fn people_of(page: &ListDocument) -> Result<Vec<Person>> {
    let included = Included::new(&page.included);
    page.data
        .iter()
        .map(|r| Person::from_resource(r, &included).map_err(|e| decode_error("/people/v2/people", e)))
        .collect()
}

fn to_value<T: Serialize>(value: &T) -> serde_json::Value {
    let mut value = serde_json::to_value(value).unwrap_or_default();
    // Send only what is set: an absent attribute leaves Planning Center's value alone.
    if let Some(map) = value.as_object_mut() {
        map.retain(|_, v| !v.is_null());
    }
    value
}

impl Client {
    /// People changed since `cursor`, with their parts, a page at a time.
    pub fn people_changes(&self, cursor: ChangeCursor) -> ChangeFeed {
        ChangeFeed::new(self.clone(), "/people/v2/people", PERSON_INCLUDES, cursor)
    }

    /// Person merges made since `cursor`, oldest first, a page at a time.
    pub fn person_mergers(&self, cursor: ChangeCursor) -> ChangeFeed {
        ChangeFeed::by_creation(self.clone(), "/people/v2/person_mergers", cursor)
    }

    /// Background checks changed since `cursor`, a page at a time; each names its person
    /// through the `person` relationship.
    pub fn background_check_changes(&self, cursor: ChangeCursor) -> ChangeFeed {
        ChangeFeed::new(self.clone(), "/people/v2/background_checks", &[], cursor)
    }

    pub async fn person(&self, id: &str) -> Result<Person> {
        let document =
            self.get_one(&format!("/people/v2/people/{id}"), &[("include", PERSON_INCLUDES.join(","))]).await?;
        let included = Included::new(&document.included);
        Person::from_resource(&document.data, &included).map_err(|e| decode_error("/people/v2/people/{id}", e))
    }

    /// Searches by name, e-mail or phone (to match before creating).
    pub async fn search_people(&self, text: &str) -> Result<Vec<Person>> {
        let page = self
            .get_list(
                "/people/v2/people",
                &[
                    ("where[search_name_or_email_or_phone_number]", text.to_owned()),
                    ("include", PERSON_INCLUDES.join(",")),
                    ("per_page", "25".into()),
                ],
            )
            .await?;
        people_of(&page)
    }

    pub async fn create_person(&self, attributes: &PersonAttributes) -> Result<Resource> {
        Ok(self.post("/people/v2/people", write_document("Person", None, to_value(attributes))).await?.data)
    }

    pub async fn update_person(&self, id: &str, attributes: &PersonAttributes) -> Result<Resource> {
        Ok(self
            .patch(&format!("/people/v2/people/{id}"), write_document("Person", Some(id), to_value(attributes)))
            .await?
            .data)
    }

    /// Creates a household of `people` (Planning Center ids) with its primary contact among them.
    pub async fn create_household(&self, name: &str, primary_contact: &str, people: &[String]) -> Result<Resource> {
        let mut document = write_document(
            "Household",
            None,
            serde_json::json!({ "name": name, "primary_contact_id": primary_contact }),
        );
        let members: Vec<serde_json::Value> =
            people.iter().map(|id| serde_json::json!({ "type": "Person", "id": id })).collect();
        // Planning Center's own notes ask for the people and the primary contact as
        // relationships; the contact goes as the writable attribute too.
        document["data"]["relationships"] = serde_json::json!({
            "people": { "data": members },
            "primary_contact": { "data": { "type": "Person", "id": primary_contact } },
        });
        Ok(self.post("/people/v2/households", document).await?.data)
    }

    pub async fn update_household(&self, id: &str, name: &str, primary_contact: &str) -> Result<Resource> {
        let attributes = serde_json::json!({ "name": name, "primary_contact_id": primary_contact });
        Ok(self
            .patch(&format!("/people/v2/households/{id}"), write_document("Household", Some(id), attributes))
            .await?
            .data)
    }

    pub async fn household(&self, id: &str) -> Result<Typed<HouseholdAttributes>> {
        let document = self.get_one(&format!("/people/v2/households/{id}"), &[]).await?;
        let attributes = serde_json::from_value(document.data.attributes.clone())
            .map_err(|e| decode_error("/people/v2/households/{id}", e))?;
        Ok(Typed { id: document.data.id, attributes })
    }

    /// Adds a person to a household: the person named as the relationship Planning Center's
    /// notes ask for, and as the writable `person_id`.
    pub async fn add_household_member(&self, household: &str, person: &str) -> Result<Resource> {
        let mut document = write_document("HouseholdMembership", None, serde_json::json!({ "person_id": person }));
        document["data"]["relationships"] =
            serde_json::json!({ "person": { "data": { "type": "Person", "id": person } } });
        Ok(self.post(&format!("/people/v2/households/{household}/household_memberships"), document).await?.data)
    }

    /// Who is in a household there, each with the id of their membership (what a removal
    /// names). The person is read from the membership's `person` relationship.
    pub async fn household_memberships(&self, household: &str) -> Result<Vec<HouseholdMembership>> {
        let path = format!("/people/v2/households/{household}/household_memberships");
        let mut pages = Paginator::new(self.clone(), &path, Vec::new());
        let mut memberships = Vec::new();
        while let Some(page) = pages.next_page().await? {
            memberships.extend(page.data.iter().filter_map(|membership| {
                let person = membership.related("person").first().map(|p| p.id.clone())?;
                Some(HouseholdMembership { id: membership.id.clone(), person_id: person })
            }));
        }
        Ok(memberships)
    }

    /// Takes a person out of a household there (their membership, by its id).
    pub async fn remove_household_member(&self, household: &str, membership: &str) -> Result<()> {
        self.delete(&format!("/people/v2/households/{household}/household_memberships/{membership}")).await
    }

    /// Sets a person's primary campus: the same value sent twice is the same write.
    pub async fn set_primary_campus(&self, person_id: &str, campus_id: &str) -> Result<Resource> {
        let attributes = serde_json::json!({ "primary_campus_id": campus_id });
        Ok(self
            .patch(&format!("/people/v2/people/{person_id}"), write_document("Person", Some(person_id), attributes))
            .await?
            .data)
    }

    pub async fn add_email(&self, person_id: &str, email: &EmailAttributes) -> Result<Resource> {
        Ok(self
            .post(&format!("/people/v2/people/{person_id}/emails"), write_document("Email", None, to_value(email)))
            .await?
            .data)
    }

    pub async fn add_phone_number(&self, person_id: &str, phone: &PhoneNumberAttributes) -> Result<Resource> {
        Ok(self
            .post(
                &format!("/people/v2/people/{person_id}/phone_numbers"),
                write_document("PhoneNumber", None, to_value(phone)),
            )
            .await?
            .data)
    }

    pub async fn add_address(&self, person_id: &str, address: &AddressAttributes) -> Result<Resource> {
        Ok(self
            .post(
                &format!("/people/v2/people/{person_id}/addresses"),
                write_document("Address", None, to_value(address)),
            )
            .await?
            .data)
    }

    /// Sets a custom field (e.g. where the office maps course completions).
    pub async fn set_field_datum(&self, person_id: &str, field_definition_id: &str, value: &str) -> Result<Resource> {
        let attributes = serde_json::json!({ "field_definition_id": field_definition_id, "value": value });
        Ok(self
            .post(&format!("/people/v2/people/{person_id}/field_data"), write_document("FieldDatum", None, attributes))
            .await?
            .data)
    }

    /// Sets a custom field, updating the person's existing value for it rather than adding a
    /// second one, so repeating it is harmless.
    pub async fn upsert_field_datum(
        &self,
        person_id: &str,
        field_definition_id: &str,
        value: &str,
    ) -> Result<Resource> {
        let path = format!("/people/v2/people/{person_id}/field_data");
        let existing = self.get_list(&path, &[("where[field_definition_id]", field_definition_id.to_owned())]).await?;
        match existing.data.first() {
            Some(datum) => Ok(self
                .patch(
                    &format!("{path}/{}", datum.id),
                    write_document("FieldDatum", Some(&datum.id), serde_json::json!({ "value": value })),
                )
                .await?
                .data),
            None => self.set_field_datum(person_id, field_definition_id, value).await,
        }
    }

    /// People whose `remote_id` is the given stamp (at most one, for people we created).
    pub async fn people_with_remote_id(&self, remote_id: i64) -> Result<Vec<Person>> {
        let page = self
            .get_list(
                "/people/v2/people",
                &[("where[remote_id]", remote_id.to_string()), ("include", PERSON_INCLUDES.join(","))],
            )
            .await?;
        people_of(&page)
    }

    pub async fn create_workflow_card(
        &self,
        workflow_id: &str,
        person_id: &str,
        note: Option<&str>,
    ) -> Result<Resource> {
        let mut attributes = serde_json::json!({ "person_id": person_id });
        if let Some(note) = note {
            attributes["note"] = note.into();
        }
        Ok(self
            .post(
                &format!("/people/v2/workflows/{workflow_id}/cards"),
                write_document("WorkflowCard", None, attributes),
            )
            .await?
            .data)
    }

    /// Subscribes `url` to one event (`people.v2.events.person.updated`), and returns the new
    /// subscription's id and the `authenticity_secret` its deliveries are signed with.
    pub async fn create_webhook_subscription(&self, event: &str, url: &str) -> Result<WebhookSubscription> {
        let document = self
            .post(
                "/webhooks/v2/webhook_subscriptions",
                write_document(
                    "WebhookSubscription",
                    None,
                    serde_json::json!({ "name": event, "url": url, "active": true }),
                ),
            )
            .await?;
        Ok(WebhookSubscription {
            id: document.data.id.clone(),
            event: event.to_owned(),
            authenticity_secret: secret_of(&document.data).unwrap_or_default(),
        })
    }

    /// The secret of a subscription made before, read alone: the list of subscriptions may
    /// leave it out. `None` if Planning Center shows none.
    pub async fn webhook_secret(&self, subscription: &str) -> Result<Option<String>> {
        let document = self.get_one(&format!("/webhooks/v2/webhook_subscriptions/{subscription}"), &[]).await?;
        Ok(secret_of(&document.data))
    }

    /// Gives a subscription a new secret (`rotate_secret`); its deliveries are signed with it
    /// from now on.
    pub async fn rotate_webhook_secret(&self, subscription: &str) -> Result<Option<String>> {
        let path = format!("/webhooks/v2/webhook_subscriptions/{subscription}/rotate_secret");
        Ok(secret_of(&self.post(&path, serde_json::json!({})).await?.data))
    }

    /// A person's cards on a workflow (to find a card made before, instead of making it twice).
    pub async fn workflow_cards_of(&self, workflow_id: &str, person_id: &str) -> Result<Vec<Typed<serde_json::Value>>> {
        let path = format!("/people/v2/workflows/{workflow_id}/cards");
        let mut pages = Paginator::new(self.clone(), &path, vec![("where[person_id]", person_id.to_owned())]);
        let mut cards = Vec::new();
        while let Some(page) = pages.next_page().await? {
            cards.extend(typed::<serde_json::Value>(&page, &path)?);
        }
        Ok(cards)
    }

    pub async fn all<A: DeserializeOwned>(&self, path: &str) -> Result<Vec<Typed<A>>> {
        let mut pages = Paginator::new(self.clone(), path, Vec::new());
        let mut all = Vec::new();
        while let Some(page) = pages.next_page().await? {
            all.extend(typed::<A>(&page, path)?);
        }
        Ok(all)
    }

    pub async fn households(&self) -> Result<Vec<Typed<HouseholdAttributes>>> {
        self.all("/people/v2/households").await
    }

    pub async fn campuses(&self) -> Result<Vec<Typed<CampusAttributes>>> {
        self.all("/people/v2/campuses").await
    }

    pub async fn field_definitions(&self) -> Result<Vec<Typed<FieldDefinitionAttributes>>> {
        self.all("/people/v2/field_definitions").await
    }

    pub async fn workflows(&self) -> Result<Vec<Typed<WorkflowAttributes>>> {
        self.all("/people/v2/workflows").await
    }

    pub async fn signups(&self) -> Result<Vec<Typed<SignupAttributes>>> {
        self.all("/registrations/v2/signups").await
    }

    pub async fn signup_times(&self, signup_id: &str) -> Result<Vec<Typed<SignupTimeAttributes>>> {
        self.all(&format!("/registrations/v2/signups/{signup_id}/signup_times")).await
    }

    /// A signup's attendees, each with the Planning Center person id it belongs to.
    pub async fn attendees(&self, signup_id: &str) -> Result<Vec<(Typed<AttendeeAttributes>, Option<String>)>> {
        let path = format!("/registrations/v2/signups/{signup_id}/attendees");
        let mut pages = Paginator::new(self.clone(), &path, Vec::new());
        let mut all = Vec::new();
        while let Some(page) = pages.next_page().await? {
            for resource in &page.data {
                let attributes = resource.attributes().map_err(|e| decode_error(&path, e))?;
                let person = resource.related("person").first().map(|p| p.id.clone());
                all.push((Typed { id: resource.id.clone(), attributes }, person));
            }
        }
        Ok(all)
    }

    pub async fn lists(&self) -> Result<Vec<Typed<ListAttributes>>> {
        self.all("/people/v2/lists").await
    }

    /// Asks Planning Center to refresh a list's people; it works in the background and answers
    /// `204 No Content`.
    pub async fn run_list(&self, list_id: &str) -> Result<()> {
        self.post_action(&format!("/people/v2/lists/{list_id}/run")).await
    }

    pub async fn check_in_events(&self) -> Result<Vec<Typed<CheckInEventAttributes>>> {
        self.all("/check-ins/v2/events").await
    }

    pub async fn event_times(&self, event_id: &str) -> Result<Vec<Typed<EventTimeAttributes>>> {
        self.all(&format!("/check-ins/v2/events/{event_id}/event_times")).await
    }

    pub async fn check_ins(&self, event_id: &str) -> Result<Vec<Typed<CheckInAttributes>>> {
        self.all(&format!("/check-ins/v2/events/{event_id}/check_ins")).await
    }
}

/// A webhook subscription just made. The secret belongs in the receiver's secrets file only.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSubscription {
    pub id: String,
    pub event: String,
    pub authenticity_secret: String,
}

impl std::fmt::Debug for WebhookSubscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookSubscription").field("id", &self.id).field("event", &self.event).finish_non_exhaustive()
    }
}

fn secret_of(subscription: &Resource) -> Option<String> {
    let secret = subscription.attributes.get("authenticity_secret")?.as_str()?;
    (!secret.is_empty()).then(|| secret.to_owned())
}
