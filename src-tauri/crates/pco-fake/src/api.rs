//! The JSON:API resource endpoints: list with `where`, `order`, `include`, `per_page` and
//! `offset`; show; and create / update / delete where the real API allows them.

use crate::collections::{self, Collection, Include};
use crate::data::{format_time, Data, Record};
use crate::errors::ApiError;
use axum::http::{Method, StatusCode};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{json, Map, Value};
use std::collections::BTreeSet;

pub const MAX_PER_PAGE: usize = 100;
/// Stored relationships that are to-many; every other one is to-one (`{"data": {...}}` or null).
const TO_MANY: &[&str] = &["households"];
pub const DEFAULT_PER_PAGE: usize = 25;

/// A request after routing: which collection, which record, under which parent.
pub struct Target {
    pub collection: &'static Collection,
    pub parent: Option<u64>,
    pub id: Option<u64>,
}

pub fn route(product: &str, rest: &[&str], data: &Data) -> Result<Target, ApiError> {
    let find = |segment: &str| {
        collections::by_segment(product, segment)
            .ok_or_else(|| ApiError::not_found(format!("no {product} resource named {segment}")))
    };
    let parse_id = |text: &str| text.parse::<u64>().map_err(|_| ApiError::not_found(format!("{text} is not an id")));
    match rest {
        [segment] => Ok(Target { collection: find(segment)?, parent: None, id: None }),
        [segment, id] => Ok(Target { collection: find(segment)?, parent: None, id: Some(parse_id(id)?) }),
        [parent_segment, parent_id, segment, tail @ ..] if tail.len() <= 1 => {
            let parent = find(parent_segment)?;
            let collection = find(segment)?;
            if collection.parent.map(|(p, _)| p) != Some(parent.key) {
                return Err(ApiError::not_found(format!("{parent_segment} has no {segment}")));
            }
            let parent_id = parse_id(parent_id)?;
            if data.get(parent.key, parent_id).is_none() {
                return Err(ApiError::not_found(format!("{} {parent_id} not found", parent.kind)));
            }
            let id = tail.first().map(|id| parse_id(id)).transpose()?;
            Ok(Target { collection, parent: Some(parent_id), id })
        }
        _ => Err(ApiError::not_found("no such resource")),
    }
}

pub struct ListParams {
    pub filters: Vec<(String, Option<String>, String)>,
    pub order: Option<(String, bool)>,
    pub includes: Vec<String>,
    pub per_page: usize,
    pub offset: usize,
}

pub fn parse_params(collection: &Collection, query: &[(String, String)]) -> Result<ListParams, ApiError> {
    let mut params =
        ListParams { filters: Vec::new(), order: None, includes: Vec::new(), per_page: DEFAULT_PER_PAGE, offset: 0 };
    for (key, value) in query {
        if let Some(inner) = key.strip_prefix("where[") {
            // where[attr]=v or where[attr][gte]=v
            let (attribute, rest) = inner
                .split_once(']')
                .ok_or_else(|| ApiError::bad_request("invalid_filter", format!("malformed filter {key}")))?;
            if !collection.query_by.contains(&attribute) {
                return Err(ApiError::bad_request(
                    "invalid_filter",
                    format!("{attribute} is not a queryable attribute of {}", collection.kind),
                ));
            }
            let operator = rest.strip_prefix('[').and_then(|r| r.strip_suffix(']')).map(str::to_owned);
            if let Some(op) = &operator {
                if !["gt", "gte", "lt", "lte"].contains(&op.as_str()) {
                    return Err(ApiError::bad_request("invalid_filter", format!("unknown comparison {op}")));
                }
            }
            params.filters.push((attribute.to_owned(), operator, value.clone()));
        } else {
            match key.as_str() {
                "order" => {
                    let (name, descending) = match value.strip_prefix('-') {
                        Some(name) => (name, true),
                        None => (value.as_str(), false),
                    };
                    if !collection.order_by.contains(&name) {
                        return Err(ApiError::bad_request(
                            "invalid_order",
                            format!("cannot order {} by {name}", collection.kind),
                        ));
                    }
                    params.order = Some((name.to_owned(), descending));
                }
                "include" => {
                    params.includes = value.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect()
                }
                "per_page" => {
                    params.per_page = value.parse::<usize>().unwrap_or(DEFAULT_PER_PAGE).clamp(1, MAX_PER_PAGE)
                }
                "offset" => {
                    params.offset = value
                        .parse::<usize>()
                        .map_err(|_| ApiError::bad_request("invalid_offset", "offset must be a whole number"))?
                }
                _ => {}
            }
        }
    }
    Ok(params)
}

fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text).map(|t| t.with_timezone(&Utc)).ok().or_else(|| {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0)).map(|t| t.and_utc())
    })
}

fn matches(record: &Record, data: &Data, attribute: &str, operator: Option<&str>, value: &str) -> bool {
    if attribute == "search_name_or_email_or_phone_number" {
        let needle = value.to_lowercase();
        let digits: String = needle.chars().filter(char::is_ascii_digit).collect();
        let name = format!(
            "{} {}",
            record.attribute("first_name").as_str().unwrap_or(""),
            record.attribute("last_name").as_str().unwrap_or("")
        )
        .to_lowercase();
        return name.contains(&needle)
            || data
                .children_of("people/emails", record.id)
                .any(|e| e.attribute("address").as_str().unwrap_or("").to_lowercase().contains(&needle))
            || (!digits.is_empty()
                && data.children_of("people/phone_numbers", record.id).any(|p| {
                    p.attribute("number")
                        .as_str()
                        .unwrap_or("")
                        .chars()
                        .filter(char::is_ascii_digit)
                        .collect::<String>()
                        .contains(&digits)
                }));
    }
    if let Some(op) = operator {
        let left = match attribute {
            "updated_at" => Some(record.updated_at),
            "created_at" => Some(record.created_at),
            _ => record.attribute(attribute).as_str().and_then(parse_time),
        };
        let (Some(left), Some(right)) = (left, parse_time(value)) else { return false };
        return compare(op, left, right);
    }
    let actual = record.attribute(attribute);
    let actual_text = match &actual {
        Value::String(s) => s.to_lowercase(),
        Value::Null => return value.is_empty() || value == "null",
        other => other.to_string(),
    };
    let wanted = value.to_lowercase();
    match (wanted.strip_prefix('%'), wanted.strip_suffix('%')) {
        (Some(_), Some(_)) if wanted.len() > 1 => actual_text.contains(&wanted[1..wanted.len() - 1]),
        (Some(suffix), _) => actual_text.ends_with(suffix),
        (_, Some(prefix)) => actual_text.starts_with(prefix),
        _ => actual_text == wanted,
    }
}

fn sort_key(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => format!("{:020}", n.as_f64().unwrap_or(0.0) as i64),
        other => other.to_string(),
    }
}

fn compare(op: &str, left: DateTime<Utc>, right: DateTime<Utc>) -> bool {
    match op {
        "gt" => left > right,
        "gte" => left >= right,
        "lt" => left < right,
        _ => left <= right,
    }
}

/// Puts the first `needed` records in order (the rest after them, in no order): what a page
/// reads, without sorting a whole church for it.
fn sort_head<K: Ord>(records: &mut [&Record], needed: usize, descending: bool, key: impl Fn(&Record) -> K) {
    let order = |a: &&Record, b: &&Record| {
        let ordering = key(a).cmp(&key(b));
        if descending {
            ordering.reverse()
        } else {
            ordering
        }
    };
    if needed < records.len() {
        records.select_nth_unstable_by(needed, order);
        records[..needed].sort_by(order);
    } else {
        records.sort_by(order);
    }
}

pub fn list(
    base: &str,
    path: &str,
    target: &Target,
    params: &ListParams,
    data: &Data,
    raw_query: &[(String, String)],
) -> Value {
    let collection = target.collection;
    let candidates: Box<dyn Iterator<Item = &Record>> = match target.parent {
        Some(parent) => Box::new(data.children_of(collection.key, parent)),
        None => Box::new(data.all(collection.key)),
    };
    // A comparison's time is read once, not once per record: a church of 50,000 is scanned at
    // every page, and the fake should not be what a benchmark of the client measures.
    let times: Vec<Option<DateTime<Utc>>> =
        params.filters.iter().map(|(_, op, value)| op.as_ref().and_then(|_| parse_time(value))).collect();
    let mut records: Vec<&Record> = candidates
        .filter(|r| {
            params.filters.iter().zip(&times).all(|((attr, op, value), time)| match (op.as_deref(), time) {
                (Some(op), Some(right)) if attr == "updated_at" || attr == "created_at" => {
                    let left = if attr == "updated_at" { r.updated_at } else { r.created_at };
                    compare(op, left, *right)
                }
                _ => matches(r, data, attr, op.as_deref(), value),
            })
        })
        .collect();
    // Only the records up to the end of this page need to be in order.
    let needed = params.offset.saturating_add(params.per_page);
    match params.order.as_ref().map(|(a, d)| (a.as_str(), *d)) {
        Some(("updated_at", descending)) => sort_head(&mut records, needed, descending, |r| (r.updated_at, r.id)),
        Some(("created_at", descending)) => sort_head(&mut records, needed, descending, |r| (r.created_at, r.id)),
        Some((attribute, descending)) => {
            records.sort_by_cached_key(|r| (sort_key(&r.attribute(attribute)), r.id));
            if descending {
                records.reverse();
            }
        }
        None => records.sort_by_key(|r| r.id),
    }
    let total = records.len();
    let page: Vec<&Record> = records.into_iter().skip(params.offset).take(params.per_page).collect();
    let mut included = Vec::new();
    let mut seen = BTreeSet::new();
    let resources: Vec<Value> =
        page.iter().map(|r| render(base, r, data, &params.includes, &mut included, &mut seen)).collect();
    let next_offset = params.offset + params.per_page;
    let link_with_offset = |offset: usize| {
        let mut pairs: Vec<(String, String)> = raw_query.iter().filter(|(k, _)| k != "offset").cloned().collect();
        pairs.push(("offset".into(), offset.to_string()));
        let query = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish();
        format!("{base}{path}?{query}")
    };
    let mut links = json!({ "self": format!("{base}{path}") });
    let mut meta = json!({
        "total_count": total,
        "count": resources.len(),
        "can_order_by": collection.order_by,
        "can_query_by": collection.query_by,
        "can_include": collection.includes.iter().map(|(name, _)| *name).collect::<Vec<_>>(),
        "parent": { "id": "1", "type": "Organization" },
    });
    if next_offset < total {
        links["next"] = Value::String(link_with_offset(next_offset));
        meta["next"] = json!({ "offset": next_offset });
    }
    if params.offset > 0 {
        let prev = params.offset.saturating_sub(params.per_page);
        links["prev"] = Value::String(link_with_offset(prev));
        meta["prev"] = json!({ "offset": prev });
    }
    json!({ "links": links, "data": resources, "included": included, "meta": meta })
}

pub fn show(base: &str, record: &Record, data: &Data, includes: &[String]) -> Value {
    let mut included = Vec::new();
    let mut seen = BTreeSet::new();
    let resource = render(base, record, data, includes, &mut included, &mut seen);
    json!({ "data": resource, "included": included, "meta": { "can_include": collections::by_key(record.collection).map(|c| c.includes.iter().map(|(n, _)| *n).collect::<Vec<_>>()).unwrap_or_default(), "parent": { "id": "1", "type": "Organization" } } })
}

fn identifier(collection: &str, id: u64) -> Value {
    let kind = collections::by_key(collection).map(|c| c.kind).unwrap_or("Unknown");
    json!({ "type": kind, "id": id.to_string() })
}

fn self_link(base: &str, record: &Record) -> String {
    let Some(collection) = collections::by_key(record.collection) else { return base.to_owned() };
    match (collection.parent, record.parent) {
        (Some((parent_key, _)), Some(parent)) => {
            let parent_segment = collections::by_key(parent_key).map(|p| p.segment).unwrap_or("");
            format!("{base}/{}/v2/{parent_segment}/{parent}/{}/{}", collection.product, collection.segment, record.id)
        }
        _ => format!("{base}/{}/v2/{}/{}", collection.product, collection.segment, record.id),
    }
}

fn render(
    base: &str,
    record: &Record,
    data: &Data,
    includes: &[String],
    included: &mut Vec<Value>,
    seen: &mut BTreeSet<(&'static str, u64)>,
) -> Value {
    let collection = collections::by_key(record.collection);
    let mut attributes = record.attributes.clone();
    attributes.insert("created_at".into(), Value::String(format_time(record.created_at)));
    attributes.insert("updated_at".into(), Value::String(format_time(record.updated_at)));
    let mut relationships = Map::new();
    if let (Some((parent_key, name)), Some(parent)) = (collection.and_then(|c| c.parent), record.parent) {
        relationships.insert(name.into(), json!({ "data": identifier(parent_key, parent) }));
    }
    for (name, (target, ids)) in &record.relationships {
        let value = match ids.first() {
            Some(id) if !TO_MANY.contains(name) => identifier(target, *id),
            None if !TO_MANY.contains(name) => Value::Null,
            _ => Value::Array(ids.iter().map(|id| identifier(target, *id)).collect()),
        };
        relationships.insert((*name).into(), json!({ "data": value }));
    }
    for (name, include) in collection.map(|c| c.includes).unwrap_or_default() {
        let wanted = includes.iter().any(|i| i == name);
        let related: Vec<&Record> = match include {
            Include::Children(child) => {
                if !wanted {
                    relationships.entry(name.to_string()).or_insert_with(
                        || json!({ "links": { "related": format!("{}/{name}", self_link(base, record)) } }),
                    );
                    continue;
                }
                let children: Vec<&Record> = data.children_of(child, record.id).collect();
                relationships.insert(
                    name.to_string(),
                    json!({ "data": children.iter().map(|c| identifier(child, c.id)).collect::<Vec<_>>() }),
                );
                children
            }
            Include::Related(relationship, target) => {
                if !wanted {
                    continue;
                }
                record
                    .relationships
                    .get(relationship)
                    .map(|(_, ids)| ids.iter().filter_map(|id| data.get(target, *id)).collect())
                    .unwrap_or_default()
            }
        };
        for child in related {
            if seen.insert((child.collection, child.id)) {
                included.push(render(base, child, data, &[], &mut Vec::new(), &mut BTreeSet::new()));
            }
        }
    }
    let kind = collection.map(|c| c.kind).unwrap_or("Unknown");
    json!({ "type": kind, "id": record.id.to_string(), "attributes": attributes, "relationships": relationships, "links": { "self": self_link(base, record) } })
}

/// Checks a create or update document and returns its attributes.
pub fn attributes_from(collection: &Collection, body: &[u8], creating: bool) -> Result<Map<String, Value>, ApiError> {
    let document: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request("invalid_json", format!("the body is not JSON: {e}")))?;
    let data = match document.get("data") {
        Some(Value::Object(data)) => data,
        Some(Value::Array(_)) => {
            return Err(ApiError::bad_request(
                "invalid_resource_payload",
                "data must be a single resource object, not an array",
            ))
        }
        _ => {
            return Err(ApiError::bad_request(
                "invalid_resource_payload",
                "the body must be {\"data\": {\"type\", \"attributes\"}}",
            ))
        }
    };
    if let Some(kind) = data.get("type").and_then(Value::as_str) {
        if kind != collection.kind {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "type_mismatch",
                format!("expected type {}, got {kind}", collection.kind),
            ));
        }
    }
    let attributes = match data.get("attributes") {
        Some(Value::Object(a)) => a.clone(),
        None => Map::new(),
        _ => return Err(ApiError::bad_request("invalid_resource_payload", "attributes must be an object")),
    };
    for name in attributes.keys() {
        if !collection.writable.contains(&name.as_str()) {
            return Err(ApiError::invalid_attribute(
                name,
                format!("{name} is not an assignable attribute of {}", collection.kind),
            ));
        }
    }
    if creating {
        for required in collection.required {
            if attributes.get(*required).is_none_or(|v| v.is_null() || v.as_str() == Some("")) {
                return Err(ApiError::invalid_attribute(required, format!("{required} can't be blank")));
            }
        }
    }
    if let Some(Value::String(address)) = attributes.get("address") {
        if !address.contains('@') || address.starts_with('@') || address.ends_with('@') {
            return Err(ApiError::invalid_attribute("address", "address is invalid"));
        }
    }
    if collection.key == "people/people"
        && creating
        && ["first_name", "last_name"]
            .iter()
            .all(|n| attributes.get(*n).and_then(Value::as_str).is_none_or(str::is_empty))
    {
        return Err(ApiError::invalid_attribute("first_name", "a person needs a first or last name"));
    }
    Ok(attributes)
}

pub fn write(
    method: &Method,
    target: &Target,
    body: &[u8],
    data: &mut Data,
    now: DateTime<Utc>,
) -> Result<(StatusCode, Option<u64>), ApiError> {
    let collection = target.collection;
    if collection.writable.is_empty() {
        return Err(ApiError::forbidden(collection.refusal));
    }
    match (method.as_str(), target.id) {
        ("POST", None) => {
            if collection.parent.is_some() && target.parent.is_none() {
                return Err(ApiError::new(
                    StatusCode::METHOD_NOT_ALLOWED,
                    "method_not_allowed",
                    format!("create {} under its parent", collection.kind),
                ));
            }
            let attributes = attributes_from(collection, body, true)?;
            check_links(collection, &attributes, data)?;
            let members = household_members(collection, body, &attributes, target.parent, data)?;
            if let ("people/household_memberships", [(Some(household), person)]) = (collection.key, &members[..]) {
                return Ok((StatusCode::CREATED, Some(data.join_household(*household, *person, now))));
            }
            let id = data.insert(collection.key, attributes.clone(), target.parent, now);
            apply_links(collection, id, &attributes, data);
            for (household, person) in members.into_iter().map(|(h, p)| (h.unwrap_or(id), p)) {
                data.join_household(household, person, now);
            }
            Ok((StatusCode::CREATED, Some(id)))
        }
        ("PATCH", Some(id)) => {
            let attributes = attributes_from(collection, body, false)?;
            check_links(collection, &attributes, data)?;
            let record = data
                .get_mut(collection.key, id)
                .ok_or_else(|| ApiError::not_found(format!("{} {id} not found", collection.kind)))?;
            for (name, value) in &attributes {
                record.attributes.insert(name.clone(), value.clone());
            }
            if collection.key == "people/people" {
                if let Some(status) = attributes.get("status").and_then(Value::as_str) {
                    let inactivated = if status == "inactive" { Value::String(format_time(now)) } else { Value::Null };
                    record.attributes.insert("inactivated_at".into(), inactivated);
                }
                let name = format!(
                    "{} {}",
                    record.attribute("first_name").as_str().unwrap_or(""),
                    record.attribute("last_name").as_str().unwrap_or("")
                );
                record.attributes.insert("name".into(), Value::String(name.trim().to_owned()));
            }
            record.updated_at = now;
            apply_links(collection, id, &attributes, data);
            Ok((StatusCode::OK, Some(id)))
        }
        ("DELETE", Some(id)) if collection.key == "people/household_memberships" => {
            let household = target.parent.unwrap_or_default();
            data.leave_household(household, id, now)
                .ok_or_else(|| ApiError::not_found(format!("{} {id} not found", collection.kind)))?;
            Ok((StatusCode::NO_CONTENT, None))
        }
        ("DELETE", Some(id)) => {
            data.remove(collection.key, id)
                .ok_or_else(|| ApiError::not_found(format!("{} {id} not found", collection.kind)))?;
            Ok((StatusCode::NO_CONTENT, None))
        }
        _ => Err(ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "method not allowed here")),
    }
}

/// Who a new household or household membership puts in which household, checked as the real
/// API checks it: a household is made with its people (`relationships.people`) and a primary
/// contact among them; a membership names a person not already in the household.
fn household_members(
    collection: &Collection,
    body: &[u8],
    attributes: &Map<String, Value>,
    parent: Option<u64>,
    data: &Data,
) -> Result<Vec<(Option<u64>, u64)>, ApiError> {
    let id_of = |v: &Value| v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string()).parse::<u64>().ok();
    match collection.key {
        "people/households" => {
            let document: Value = serde_json::from_slice(body).unwrap_or_default();
            let people: Vec<u64> = document
                .pointer("/data/relationships/people/data")
                .and_then(Value::as_array)
                .map(|people| people.iter().filter_map(|p| p.get("id").and_then(id_of)).collect())
                .unwrap_or_default();
            if people.is_empty() || people.iter().any(|p| data.get("people/people", *p).is_none()) {
                return Err(ApiError::invalid_attribute("people", "a household is made with the people in it"));
            }
            let contact = attributes.get("primary_contact_id").and_then(id_of);
            if !contact.is_some_and(|c| people.contains(&c)) {
                return Err(ApiError::invalid_attribute("primary_contact_id", "must be one of the household's people"));
            }
            Ok(people.into_iter().map(|p| (None, p)).collect())
        }
        "people/household_memberships" => {
            let (Some(household), Some(person)) = (parent, attributes.get("person_id").and_then(id_of)) else {
                return Ok(Vec::new());
            };
            if data.households_of(person).contains(&household) {
                return Err(ApiError::invalid_attribute("person_id", "is already in this household"));
            }
            Ok(vec![(Some(household), person)])
        }
        _ => Ok(Vec::new()),
    }
}

fn check_links(collection: &Collection, attributes: &Map<String, Value>, data: &Data) -> Result<(), ApiError> {
    let id_of = |v: &Value| v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string()).parse::<u64>().ok();
    for (attribute, target) in [
        ("primary_campus_id", "people/campuses"),
        ("field_definition_id", "people/field_definitions"),
        ("person_id", "people/people"),
        ("primary_contact_id", "people/people"),
    ] {
        if collection.writable.contains(&attribute) {
            if let Some(value) = attributes.get(attribute).filter(|v| !v.is_null()) {
                if id_of(value).and_then(|id| data.get(target, id)).is_none() {
                    return Err(ApiError::invalid_attribute(attribute, format!("{attribute} does not exist")));
                }
            }
        }
    }
    Ok(())
}

fn apply_links(collection: &Collection, id: u64, attributes: &Map<String, Value>, data: &mut Data) {
    let id_of = |v: &Value| v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string()).parse::<u64>().ok();
    if collection.key == "people/people" {
        if let Some(campus) = attributes.get("primary_campus_id").and_then(id_of) {
            data.relate(collection.key, id, "primary_campus", "people/campuses", vec![campus]);
        }
    }
}
