//! Maximum utilitarian welfare: the budget-feasible set of projects with the highest total
//! satisfaction, computed exactly (a 0/1 knapsack), with a documented tie-breaking among optima.

use crate::budgeting::explain::Reason;
use crate::budgeting::rules::problem::{Problem, compare_products};
use num_integer::Integer;
use std::cmp::Ordering;

/// Branch and bound is tried first with this many search nodes per search; real elections need
/// a few thousand at most.
const SEARCH_NODES: u64 = 2_000_000;

/// If branch and bound runs out of nodes, dynamic programming is used when (capacity / gcd of
/// costs) × items stays below this; otherwise branch and bound runs to the end.
const DYNAMIC_PROGRAMMING_CELLS: u128 = 120_000_000;

/// What the rule selects and why.
pub(crate) struct MaxWelfareResult {
    pub selected: Vec<usize>,
    pub reasons: Vec<(usize, Reason)>,
}

#[derive(Debug, Clone, Copy)]
struct Item {
    project: usize,
    weight: i128,
    profit: i128,
}

/// Among all feasible sets of maximum total satisfaction, returns the one that is first when
/// sets are compared by their best-ranked projects (tie-breaking rank): it contains the
/// best-ranked project if some optimal set does, then the next one if possible, and so on.
/// Free projects with supporters are always included, as pabutools does.
pub(crate) fn max_welfare(problem: &Problem) -> MaxWelfareResult {
    let totals = problem.total_satisfaction();
    let mut selected: Vec<usize> = Vec::new();
    let mut items = Vec::new();
    for project in 0..problem.project_count() {
        let profit = totals.get(project).copied().unwrap_or(0);
        let weight = problem.cost(project);
        if profit > 0 && weight == 0 {
            selected.push(project);
        } else if profit > 0 && weight <= problem.budget {
            items.push(Item { project, weight, profit });
        }
    }
    items.sort_by_key(|item| problem.rank_of(item.project));
    let capacity = problem.budget;
    let chosen = solve_canonical(&items, capacity);
    let mut chosen_items: Vec<Item> =
        items.iter().zip(&chosen).filter(|(_, take)| **take).map(|(item, _)| *item).collect();
    // Report the selection by decreasing satisfaction per cost, as a reader would rank them.
    chosen_items.sort_by(|first, second| {
        compare_products(second.profit, first.weight, first.profit, second.weight)
            .then_with(|| problem.rank_of(first.project).cmp(&problem.rank_of(second.project)))
    });
    selected.extend(chosen_items.iter().map(|item| item.project));
    let optimum: i128 = selected.iter().map(|&project| totals.get(project).copied().unwrap_or(0)).sum();
    let optimal_welfare = problem.satisfaction_of(optimum);
    let reasons = (0..problem.project_count())
        .map(|project| {
            let welfare = totals.get(project).copied().unwrap_or(0);
            let reason = if welfare <= 0 {
                Reason::NoSupporters
            } else {
                Reason::MaxWelfare {
                    welfare: problem.satisfaction_of(welfare),
                    optimal_welfare: optimal_welfare.clone(),
                }
            };
            (project, reason)
        })
        .collect();
    MaxWelfareResult { selected, reasons }
}

/// Items are in tie-breaking order; returns which to take.
fn solve_canonical(items: &[Item], capacity: i128) -> Vec<bool> {
    if let Some(chosen) = branch_and_bound_canonical(items, capacity, Some(SEARCH_NODES)) {
        return chosen;
    }
    let divisor = items.iter().fold(capacity, |divisor, item| divisor.gcd(&item.weight)).max(1);
    let scaled_capacity = capacity / divisor;
    let cells = u128::try_from(scaled_capacity).unwrap_or(u128::MAX).saturating_mul(items.len() as u128 + 1);
    if cells <= DYNAMIC_PROGRAMMING_CELLS {
        let scaled: Vec<Item> = items.iter().map(|item| Item { weight: item.weight / divisor, ..*item }).collect();
        dynamic_programming(&scaled, scaled_capacity)
    } else {
        branch_and_bound_canonical(items, capacity, None).unwrap_or_else(|| vec![false; items.len()])
    }
}

/// Table over capacities, filled from the last item to the first, so that reconstruction from
/// the first (best-ranked) item can prefer taking it whenever an optimum allows.
fn dynamic_programming(items: &[Item], capacity: i128) -> Vec<bool> {
    let width = usize::try_from(capacity).unwrap_or(0) + 1;
    let mut best = vec![0i128; width];
    let mut take_bits: Vec<Vec<u64>> = vec![Vec::new(); items.len()];
    for (index, item) in items.iter().enumerate().rev() {
        let weight = usize::try_from(item.weight).unwrap_or(usize::MAX);
        let mut bits = vec![0u64; width.div_ceil(64)];
        // Descending capacities so `best[c - weight]` still holds the value without this item.
        for cell in (weight.min(width)..width).rev() {
            let with_item = best[cell - weight] + item.profit;
            if with_item >= best[cell] {
                best[cell] = with_item;
                bits[cell / 64] |= 1 << (cell % 64);
            }
        }
        take_bits[index] = bits;
    }
    let mut remaining = width - 1;
    items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            let take = take_bits[index].get(remaining / 64).is_some_and(|word| word & (1 << (remaining % 64)) != 0);
            if take {
                remaining -= usize::try_from(item.weight).unwrap_or(0);
            }
            take
        })
        .collect()
}

/// Branch and bound with the fractional (Dantzig) bound; first finds the optimum, then fixes
/// items in tie-breaking order, taking each one whenever the optimum stays reachable. `None` if
/// a search needed more than `node_limit` nodes.
fn branch_and_bound_canonical(items: &[Item], capacity: i128, node_limit: Option<u64>) -> Option<Vec<bool>> {
    let optimum = best_profit(items, capacity, None, node_limit)?;
    let mut decided = vec![false; items.len()];
    let mut capacity_left = capacity;
    let mut profit_so_far = 0i128;
    for index in 0..items.len() {
        let item = items[index];
        if item.weight > capacity_left {
            continue;
        }
        let rest: Vec<Item> = items[index + 1..].to_vec();
        let target = optimum - profit_so_far - item.profit;
        if best_profit(&rest, capacity_left - item.weight, Some(target), node_limit)? >= target {
            decided[index] = true;
            capacity_left -= item.weight;
            profit_so_far += item.profit;
        }
    }
    Some(decided)
}

/// The best total profit, or any value ≥ `target` as soon as one is found; `None` if the
/// search needed more than `node_limit` nodes.
fn best_profit(items: &[Item], capacity: i128, target: Option<i128>, node_limit: Option<u64>) -> Option<i128> {
    let mut sorted: Vec<Item> = items.to_vec();
    sorted.sort_by(|first, second| compare_products(second.profit, first.weight, first.profit, second.weight));
    let mut search = Search { items: &sorted, best: 0, target, nodes_left: node_limit };
    search.explore(0, capacity, 0);
    (search.nodes_left != Some(0)).then_some(search.best)
}

struct Search<'a> {
    items: &'a [Item],
    best: i128,
    target: Option<i128>,
    /// Nodes the search may still visit (`None`: unlimited); 0 means it gave up.
    nodes_left: Option<u64>,
}

impl Search<'_> {
    fn done(&self) -> bool {
        self.target.is_some_and(|target| self.best >= target) || self.nodes_left == Some(0)
    }

    fn explore(&mut self, index: usize, capacity: i128, profit: i128) {
        if let Some(nodes) = self.nodes_left.as_mut() {
            *nodes = nodes.saturating_sub(1);
        }
        if profit > self.best {
            self.best = profit;
        }
        if self.done() || index >= self.items.len() || !self.bound_exceeds_best(index, capacity, profit) {
            return;
        }
        let item = self.items[index];
        if item.weight <= capacity {
            self.explore(index + 1, capacity - item.weight, profit + item.profit);
        }
        if !self.done() {
            self.explore(index + 1, capacity, profit);
        }
    }

    /// Whether the fractional relaxation from `index` on could beat the best found so far.
    fn bound_exceeds_best(&self, index: usize, capacity: i128, profit: i128) -> bool {
        let mut capacity = capacity;
        let mut profit = profit;
        for item in &self.items[index..] {
            if item.weight <= capacity {
                capacity -= item.weight;
                profit += item.profit;
            } else {
                // profit + capacity × item.profit / item.weight > best ?
                let gap = self.best - profit;
                return gap < 0 || compare_products(capacity, item.profit, gap, item.weight) == Ordering::Greater;
            }
        }
        profit > self.best
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(list: &[(i128, i128)]) -> Vec<Item> {
        list.iter().enumerate().map(|(project, &(weight, profit))| Item { project, weight, profit }).collect()
    }

    #[test]
    fn both_solvers_agree_and_prefer_best_ranked_optimum() {
        // Items 0 and 1 together equal item 2 alone: the canonical optimum takes 0 and 1.
        let list = items(&[(3, 30), (2, 20), (5, 50), (4, 41), (1, 1)]);
        for capacity in 0..16 {
            let by_table = dynamic_programming(&list, capacity);
            let by_search = branch_and_bound_canonical(&list, capacity, None).expect("unlimited search finishes");
            assert_eq!(by_table, by_search, "capacity {capacity}");
        }
        assert_eq!(dynamic_programming(&list, 5), vec![true, true, false, false, false]);
    }
}
