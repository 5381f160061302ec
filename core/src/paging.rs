//! Keyset pagination over an integer key, forwards and backwards: one mechanism for every list
//! (tickets, a ticket's timeline, the audit log), so that each reads a page with one indexed
//! range scan whatever its position, and none repeats or skips a row when rows are added
//! between pages.
//!
//! A list has an [`Order`] (newest first, or oldest first). A [`Window`] asks for the first `n`
//! rows after a key, or the last `n` rows before a key (Relay's `first`/`after` and
//! `last`/`before`), or both bounds at once.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select};

use crate::error::InvalidInput;
use crate::i18n::Message;

/// The order in which a list is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// Largest key first (tickets, audit entries: newest first).
    NewestFirst,
    /// Smallest key first (a ticket's timeline: in the order things happened).
    OldestFirst,
}

/// Which part of a list to read, by keys of rows the caller has seen (Relay semantics).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// Only rows that come after the row with this key, in the list's order.
    pub after: Option<i64>,
    /// Only rows that come before the row with this key, in the list's order.
    pub before: Option<i64>,
    /// How many rows at most.
    pub size: u64,
    /// Whether the rows are the last `size` ones of the bounded range instead of the first.
    pub from_end: bool,
}

/// One page of a list, in the list's order.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The rows.
    pub items: Vec<T>,
    /// Whether rows come before the first one (exactly known when reading from the end;
    /// otherwise whether the page was asked for after some row).
    pub has_previous_page: bool,
    /// Whether rows follow the last one (exactly known when reading from the start;
    /// otherwise whether the page was asked for before some row).
    pub has_next_page: bool,
}

impl<T> Page<T> {
    /// The same page with each row converted.
    pub fn map<U>(self, convert: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(convert).collect(),
            has_previous_page: self.has_previous_page,
            has_next_page: self.has_next_page,
        }
    }

    /// The same page with each row converted, or the first conversion error.
    pub fn try_map<U, E>(self, convert: impl FnMut(T) -> Result<U, E>) -> Result<Page<U>, E> {
        Ok(Page {
            items: self.items.into_iter().map(convert).collect::<Result<_, _>>()?,
            has_previous_page: self.has_previous_page,
            has_next_page: self.has_next_page,
        })
    }
}

impl Window {
    /// The first `size` rows (after `after`).
    pub fn first(size: u64, after: Option<i64>) -> Self {
        Window { after, before: None, size, from_end: false }
    }

    /// Checks the window's size against `max` (`field` names the argument that gave it).
    pub fn checked(self, field: &'static str, max: u64) -> Result<Self, InvalidInput> {
        if self.size == 0 || self.size > max {
            return Err(InvalidInput::new(field, Message::new("must be between 1 and {max}").arg("max", max)));
        }
        Ok(self)
    }

    /// `query` narrowed to this window on `key`, in `order`, fetching one row more than the
    /// page holds (to tell whether more follow). Give its rows to [`Window::page`].
    pub fn apply<E: EntityTrait>(&self, query: Select<E>, key: E::Column, order: Order) -> Select<E> {
        let mut query = query;
        let (after, before) = (self.after, self.before);
        query = match (order, after) {
            (_, None) => query,
            (Order::NewestFirst, Some(after)) => query.filter(key.lt(after)),
            (Order::OldestFirst, Some(after)) => query.filter(key.gt(after)),
        };
        query = match (order, before) {
            (_, None) => query,
            (Order::NewestFirst, Some(before)) => query.filter(key.gt(before)),
            (Order::OldestFirst, Some(before)) => query.filter(key.lt(before)),
        };
        // Reading from the end walks the list backwards and turns the page round afterwards.
        let descending = (order == Order::NewestFirst) != self.from_end;
        query = if descending { query.order_by_desc(key) } else { query.order_by_asc(key) };
        query.limit(self.size + 1)
    }

    /// The page made of the `rows` that [`Window::apply`]'s query returned.
    pub fn page<T>(&self, mut rows: Vec<T>) -> Page<T> {
        let more = rows.len() as u64 > self.size;
        rows.truncate(self.size as usize);
        if self.from_end {
            rows.reverse();
            Page { items: rows, has_previous_page: more, has_next_page: self.before.is_some() }
        } else {
            Page { items: rows, has_previous_page: self.after.is_some(), has_next_page: more }
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// What the database does with [`Window::apply`]'s query, on keys `1..=n`.
    fn read(n: i64, window: Window, order: Order) -> Page<i64> {
        let mut keys: Vec<i64> = (1..=n)
            .filter(|key| match (order, window.after) {
                (_, None) => true,
                (Order::NewestFirst, Some(after)) => *key < after,
                (Order::OldestFirst, Some(after)) => *key > after,
            })
            .filter(|key| match (order, window.before) {
                (_, None) => true,
                (Order::NewestFirst, Some(before)) => *key > before,
                (Order::OldestFirst, Some(before)) => *key < before,
            })
            .collect();
        if (order == Order::NewestFirst) != window.from_end {
            keys.reverse();
        }
        keys.truncate(window.size as usize + 1);
        window.page(keys)
    }

    fn order() -> impl Strategy<Value = Order> {
        prop_oneof![Just(Order::NewestFirst), Just(Order::OldestFirst)]
    }

    proptest! {
        /// Paging forwards and paging backwards each visit every row exactly once, in order.
        #[test]
        fn walking_either_way_visits_every_row_once(n in 0i64..60, size in 1u64..8, order in order()) {
            let mut expected: Vec<i64> = (1..=n).collect();
            if order == Order::NewestFirst {
                expected.reverse();
            }
            let mut forwards: Vec<i64> = Vec::new();
            let mut after = None;
            loop {
                let page = read(n, Window::first(size, after), order);
                forwards.extend(&page.items);
                if !page.has_next_page {
                    break;
                }
                after = page.items.last().copied();
            }
            prop_assert_eq!(&forwards, &expected);

            let mut backwards: Vec<i64> = Vec::new();
            let mut before = None;
            loop {
                let page = read(n, Window { after: None, before, size, from_end: true }, order);
                backwards.splice(0..0, page.items.iter().copied());
                if !page.has_previous_page {
                    break;
                }
                before = page.items.first().copied();
            }
            prop_assert_eq!(&backwards, &expected);
        }
    }

    #[test]
    fn sizes_are_bounded() {
        assert!(Window::first(0, None).checked("first", 100).is_err());
        assert!(Window::first(101, None).checked("first", 100).is_err());
        assert!(Window::first(100, None).checked("first", 100).is_ok());
    }
}
