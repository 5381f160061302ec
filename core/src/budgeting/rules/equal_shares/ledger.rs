//! Money classes of an equal-shares run: their money as intervals, their exact money on
//! demand (from how each class arose), and grouping a project's supporters by class.

use super::Prepared;
use super::pricing::exact_price_within;
use crate::budgeting::rules::interval::Interval;
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::Zero;
use std::cmp::Ordering;
// Keys are small integers from this run, not from users: a fast hasher is safe.
use rustc_hash::FxHashMap as HashMap;

fn rational(value: i128) -> BigRational {
    BigRational::from_integer(BigInt::from(value))
}

/// How a money class arose, so that its exact money can be recomputed when needed.
#[derive(Debug, Clone, Copy)]
pub(super) enum Origin {
    /// Every voter's initial budget.
    Initial,
    /// Supporters who paid everything they had.
    Exhausted,
    /// Supporters of the project of `round` who paid `ρ·satisfaction` from `parent`'s money.
    Paid { parent: u32, round: u32, satisfaction: i128 },
}

/// A group of a project's supporters with the same money class and satisfaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Entry {
    pub(super) class: u32,
    pub(super) satisfaction: i128,
    pub(super) weight: u64,
}

/// What a round needs to recompute its exact price later.
pub(super) struct RoundRecord {
    pub(super) cost: i128,
    pub(super) entries: Vec<Entry>,
    pub(super) rho_interval: Interval,
    pub(super) rho: Option<BigRational>,
}

/// Money of every class (as intervals, and exactly on demand) and the rounds' prices.
pub(super) struct Ledger {
    pub(super) initial: BigRational,
    pub(super) approximate: Vec<Interval>,
    pub(super) exact: Vec<Option<BigRational>>,
    pub(super) origin: Vec<Origin>,
    pub(super) rounds: Vec<RoundRecord>,
    /// The one class of all voters who paid everything they had (created on first use): one
    /// class instead of one per round and payer group keeps later groups few.
    broke: Option<u32>,
}

impl Ledger {
    /// A ledger where every voter holds `initial`, with room for `classes` money classes and
    /// `rounds` rounds before any vector grows.
    pub(super) fn new(initial: &BigRational, classes: usize, rounds: usize) -> Ledger {
        let mut ledger = Ledger {
            initial: initial.clone(),
            approximate: Vec::with_capacity(classes),
            exact: Vec::with_capacity(classes),
            origin: Vec::with_capacity(classes),
            rounds: Vec::with_capacity(rounds),
            broke: None,
        };
        ledger.approximate.push(Interval::from_rational(initial));
        ledger.exact.push(Some(initial.clone()));
        ledger.origin.push(Origin::Initial);
        ledger
    }

    pub(super) fn classes(&self) -> usize {
        self.approximate.len()
    }

    pub(super) fn push(&mut self, origin: Origin, approximate: Interval) -> u32 {
        self.approximate.push(approximate);
        self.exact.push(None);
        self.origin.push(origin);
        u32::try_from(self.approximate.len() - 1).unwrap_or(u32::MAX)
    }

    /// The class of voters left with nothing, if anyone is.
    pub(super) fn broke_class(&self) -> Option<u32> {
        self.broke
    }

    /// The class of voters left with nothing (made on first use).
    pub(super) fn broke(&mut self) -> u32 {
        match self.broke {
            Some(class) => class,
            None => {
                let class = self.push(Origin::Exhausted, Interval::ZERO);
                self.broke = Some(class);
                class
            }
        }
    }

    /// The exact money of a class, computed from its history and cached.
    pub(super) fn exact_money(&mut self, class: u32) -> BigRational {
        if let Some(Some(value)) = self.exact.get(class as usize) {
            return value.clone();
        }
        let value = match self.origin.get(class as usize).copied().unwrap_or(Origin::Initial) {
            Origin::Initial => self.initial.clone(),
            Origin::Exhausted => BigRational::zero(),
            Origin::Paid { parent, round, satisfaction } => {
                self.exact_money(parent) - self.exact_rho(round) * rational(satisfaction)
            }
        };
        if let Some(slot) = self.exact.get_mut(class as usize) {
            *slot = Some(value.clone());
        }
        if let Some(slot) = self.approximate.get_mut(class as usize) {
            *slot = Interval::from_rational(&value);
        }
        value
    }

    /// The exact price of a round, computed from its supporters' exact money and cached.
    pub(super) fn exact_rho(&mut self, round: u32) -> BigRational {
        let Some(record) = self.rounds.get(round as usize) else { return BigRational::zero() };
        if let Some(rho) = &record.rho {
            return rho.clone();
        }
        let (cost, entries, interval) = (record.cost, record.entries.clone(), record.rho_interval);
        let rho = exact_price_within(self, cost, &entries, interval).unwrap_or_else(BigRational::zero);
        if let Some(record) = self.rounds.get_mut(round as usize) {
            record.rho = Some(rho.clone());
        }
        rho
    }

    /// Whether the money of a class is below `rho·satisfaction` (`Less`), equal or above,
    /// exactly; intervals decide when they can.
    pub(super) fn compare_with_due(
        &mut self,
        class: u32,
        rho: Interval,
        exact_rho: &mut dyn FnMut(&mut Ledger) -> BigRational,
        satisfaction: i128,
    ) -> Ordering {
        let money = self.approximate[class as usize];
        let due = rho.mul(Interval::from_integer(satisfaction));
        if money.high < due.low {
            Ordering::Less
        } else if money.low > due.high {
            Ordering::Greater
        } else {
            let exact_money = self.exact_money(class);
            let rho = exact_rho(self);
            exact_money.cmp(&(rho * rational(satisfaction)))
        }
    }
}

/// Groups supporters by money class (and satisfaction) without hashing in the common case.
#[derive(Default)]
pub(super) struct Aggregator {
    pub(super) weight_by_class: Vec<u64>,
    pub(super) touched: Vec<u32>,
    pub(super) by_key: HashMap<(u32, i128), u64>,
    /// Where [`Aggregator::entries`] collects before copying out at the exact size.
    pub(super) buffer: Vec<Entry>,
}

impl Aggregator {
    /// An aggregator with room for `classes` money classes.
    pub(super) fn with_capacity(classes: usize) -> Aggregator {
        Aggregator {
            weight_by_class: Vec::with_capacity(classes),
            touched: Vec::with_capacity(classes),
            by_key: HashMap::default(),
            buffer: Vec::with_capacity(classes),
        }
    }

    pub(super) fn entries(
        &mut self,
        prepared: &Prepared,
        ballot_class: &[u32],
        classes: usize,
        project: usize,
    ) -> Vec<Entry> {
        let mut buffer = std::mem::take(&mut self.buffer);
        self.fill(prepared, ballot_class, classes, project, &mut buffer);
        let entries = buffer.clone();
        self.buffer = buffer;
        entries
    }

    /// Like [`Aggregator::entries`], into a buffer that the caller reuses.
    pub(super) fn fill(
        &mut self,
        prepared: &Prepared,
        ballot_class: &[u32],
        classes: usize,
        project: usize,
        entries: &mut Vec<Entry>,
    ) {
        entries.clear();
        let supporters = prepared.supporters.of(project);
        if prepared.uniform.get(project).copied().unwrap_or(false) {
            let satisfaction = supporters.first().map_or(0, |&(_, satisfaction)| i128::from(satisfaction));
            if self.weight_by_class.len() < classes {
                self.weight_by_class.resize(classes, 0);
            }
            for &(ballot, _) in supporters {
                let class = ballot_class.get(ballot as usize).copied().unwrap_or(0);
                let weight = prepared.ballot_weights.get(ballot as usize).copied().unwrap_or(0);
                if let Some(slot) = self.weight_by_class.get_mut(class as usize) {
                    if *slot == 0 {
                        self.touched.push(class);
                    }
                    *slot += weight;
                }
            }
            for class in self.touched.drain(..) {
                if let Some(slot) = self.weight_by_class.get_mut(class as usize) {
                    entries.push(Entry { class, satisfaction, weight: *slot });
                    *slot = 0;
                }
            }
        } else {
            self.by_key.clear();
            for &(ballot, satisfaction) in supporters {
                let class = ballot_class.get(ballot as usize).copied().unwrap_or(0);
                *self.by_key.entry((class, i128::from(satisfaction))).or_default() +=
                    prepared.ballot_weights.get(ballot as usize).copied().unwrap_or(0);
            }
            entries.extend(self.by_key.iter().map(|(&(class, satisfaction), &weight)| Entry {
                class,
                satisfaction,
                weight,
            }));
        }
    }
}
