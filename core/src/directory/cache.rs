//! Directory entries kept in memory, so that naming a page of tickets' districts and
//! departments, or checking a submission's category, costs no statement.
//!
//! Sound across instances without any invalidation because what is kept never changes:
//! entries are never deleted or renamed, and the one mutable field, a notification address, is
//! not kept (cached entries carry `None`; read it with [`super::district`] or
//! [`super::department`]). The cache holds at most the whole directory, which only
//! administrators grow.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::RwLock;

use super::model::{Category, Department, District, Street};
use crate::ids::{CategoryId, DepartmentId, DistrictId, StreetId};

/// The directory entries this instance has read.
#[derive(Debug, Default)]
pub struct DirectoryCache {
    pub(super) districts: Shelf<DistrictId, District>,
    pub(super) streets: Shelf<StreetId, Street>,
    pub(super) departments: Shelf<DepartmentId, Department>,
    pub(super) categories: Shelf<CategoryId, Category>,
}

/// A directory entry as the cache keeps it.
pub(super) trait Cached: Clone {
    type Id: Copy + Eq + Hash;
    fn id(&self) -> Self::Id;
    /// The entry without what may change after its creation.
    fn immutable(self) -> Self;
}

/// The entries of one kind.
#[derive(Debug)]
pub(super) struct Shelf<K, V>(RwLock<HashMap<K, V>>);

impl<K, V> Default for Shelf<K, V> {
    fn default() -> Self {
        Shelf(RwLock::new(HashMap::new()))
    }
}

impl<V: Cached> Shelf<V::Id, V> {
    /// The kept entries among `ids`, and the IDs that are not kept.
    pub(super) fn split(&self, ids: &[V::Id]) -> (Vec<V>, Vec<V::Id>) {
        let kept = self.0.read().unwrap_or_else(|poison| poison.into_inner());
        let mut found = Vec::with_capacity(ids.len());
        let mut missing = Vec::new();
        for id in ids {
            match kept.get(id) {
                Some(entry) => found.push(entry.clone()),
                None => missing.push(*id),
            }
        }
        (found, missing)
    }

    /// Keeps `entries` (already made [`Cached::immutable`]).
    pub(super) fn keep(&self, entries: &[V]) {
        let mut kept = self.0.write().unwrap_or_else(|poison| poison.into_inner());
        for entry in entries {
            kept.insert(entry.id(), entry.clone());
        }
    }
}

impl Cached for District {
    type Id = DistrictId;
    fn id(&self) -> DistrictId {
        self.id
    }
    fn immutable(self) -> Self {
        District { notification_email: None, ..self }
    }
}

impl Cached for Department {
    type Id = DepartmentId;
    fn id(&self) -> DepartmentId {
        self.id
    }
    fn immutable(self) -> Self {
        Department { notification_email: None, ..self }
    }
}

impl Cached for Street {
    type Id = StreetId;
    fn id(&self) -> StreetId {
        self.id
    }
    fn immutable(self) -> Self {
        self
    }
}

impl Cached for Category {
    type Id = CategoryId;
    fn id(&self) -> CategoryId {
        self.id
    }
    fn immutable(self) -> Self {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::LocalizedText;

    fn district(id: i64, email: Option<&str>) -> District {
        District {
            id: DistrictId(id),
            code: format!("d{id}"),
            name: LocalizedText { en: "East".into(), zh_hans: "东".into(), zh_hant: "東".into() },
            allow_anonymous_tickets: true,
            notification_email: email.map(str::to_owned),
        }
    }

    #[test]
    fn splits_kept_from_missing_and_never_keeps_an_address() {
        let shelf: Shelf<DistrictId, District> = Shelf::default();
        shelf.keep(&[district(1, Some("ops@city.example")).immutable()]);
        let (found, missing) = shelf.split(&[DistrictId(1), DistrictId(2)]);
        assert_eq!(found, vec![district(1, None)]);
        assert_eq!(missing, vec![DistrictId(2)]);
    }
}
