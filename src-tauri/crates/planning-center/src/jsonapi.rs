//! JSON:API 1.0 documents as Planning Center sends them.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ResourceId {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
}

/// `{"data": null}`, one identifier, or many.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum RelationshipData {
    One(ResourceId),
    Many(Vec<ResourceId>),
}

#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
pub struct Relationship {
    #[serde(default)]
    pub data: Option<RelationshipData>,
}

impl Relationship {
    pub fn ids(&self) -> Vec<&ResourceId> {
        match &self.data {
            None => Vec::new(),
            Some(RelationshipData::One(id)) => vec![id],
            Some(RelationshipData::Many(ids)) => ids.iter().collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Resource {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
    #[serde(default)]
    pub attributes: Value,
    #[serde(default)]
    pub relationships: HashMap<String, Relationship>,
}

impl Resource {
    pub fn attributes<A: DeserializeOwned>(&self) -> Result<A, serde_json::Error> {
        A::deserialize(&self.attributes)
    }

    pub fn related(&self, name: &str) -> Vec<&ResourceId> {
        self.relationships.get(name).map(Relationship::ids).unwrap_or_default()
    }

    pub fn key(&self) -> (&str, &str) {
        (&self.kind, &self.id)
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
pub struct Links {
    #[serde(rename = "self")]
    pub this: Option<String>,
    pub next: Option<String>,
    pub prev: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
pub struct Meta {
    pub total_count: Option<u64>,
    pub count: Option<u64>,
    pub next: Option<Value>,
    #[serde(default)]
    pub can_include: Vec<String>,
}

/// A list document: `data` is an array.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
pub struct ListDocument {
    pub data: Vec<Resource>,
    #[serde(default)]
    pub included: Vec<Resource>,
    #[serde(default)]
    pub links: Links,
    #[serde(default)]
    pub meta: Meta,
}

/// A single-resource document: `data` is an object.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SingleDocument {
    pub data: Resource,
    #[serde(default)]
    pub included: Vec<Resource>,
}

/// `included` resources by type and id, to resolve relationships without more requests.
#[derive(Debug, Default)]
pub struct Included<'a> {
    by_key: HashMap<(&'a str, &'a str), &'a Resource>,
}

impl<'a> Included<'a> {
    pub fn new(resources: &'a [Resource]) -> Self {
        Self { by_key: resources.iter().map(|r| (r.key(), r)).collect() }
    }

    pub fn get(&self, id: &ResourceId) -> Option<&'a Resource> {
        self.by_key.get(&(id.kind.as_str(), id.id.as_str())).copied()
    }

    /// The included resources a relationship points at, decoded.
    pub fn resolve<A: DeserializeOwned>(
        &self,
        resource: &Resource,
        relationship: &str,
    ) -> Result<Vec<(String, A)>, serde_json::Error> {
        resource
            .related(relationship)
            .into_iter()
            .filter_map(|id| self.get(id))
            .map(|r| r.attributes::<A>().map(|a| (r.id.clone(), a)))
            .collect()
    }
}

/// The body of a create or update: `{"data": {"type", "attributes"}}`.
pub fn write_document(kind: &str, id: Option<&str>, attributes: Value) -> Value {
    let mut data = serde_json::json!({ "type": kind, "attributes": attributes });
    if let Some(id) = id {
        data["id"] = Value::String(id.to_owned());
    }
    serde_json::json!({ "data": data })
}
