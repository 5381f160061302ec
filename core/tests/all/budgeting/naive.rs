//! Straightforward exact implementations, voter by voter in big rationals, to check the engine
//! against on small elections. Slow on purpose: nothing here is clever.

use civitas_core::budgeting::{Election, Satisfaction};
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Zero};

fn rational(value: i64) -> BigRational {
    BigRational::from_integer(BigInt::from(value))
}

/// Each voter's satisfaction with each project (one row per voter, ballots expanded).
pub fn satisfactions(election: &Election, satisfaction: Satisfaction) -> Vec<Vec<BigRational>> {
    let mut voters = Vec::new();
    for ballot in &election.ballots {
        let mut row = vec![BigRational::zero(); election.projects.len()];
        for (position, &project) in ballot.projects.iter().enumerate() {
            row[project] = match satisfaction {
                Satisfaction::Cost => election.projects[project].cost.clone(),
                Satisfaction::Cardinality => BigRational::one(),
                Satisfaction::Points => ballot.points[position].clone(),
                Satisfaction::Borda => rational((ballot.projects.len() - position - 1) as i64),
            };
        }
        for _ in 0..ballot.multiplicity {
            voters.push(row.clone());
        }
    }
    voters
}

/// The ballot index of each voter in [`satisfactions`]' order (ballots expanded by multiplicity).
pub fn voter_ballots(election: &Election) -> Vec<usize> {
    election
        .ballots
        .iter()
        .enumerate()
        .flat_map(|(index, ballot)| (0..ballot.multiplicity).map(move |_| index))
        .collect()
}

/// Project indices by id compared as strings: the default tie-breaking.
pub fn by_id(election: &Election, projects: &mut [usize]) {
    projects.sort_by(|&first, &second| election.projects[first].id.cmp(&election.projects[second].id));
}

/// Greedy utilitarian welfare: by total satisfaction per cost (free supported projects first),
/// ties by id, skipping what does not fit.
pub fn greedy(election: &Election, satisfaction: Satisfaction) -> Vec<usize> {
    let voters = satisfactions(election, satisfaction);
    let total = |project: usize| voters.iter().fold(BigRational::zero(), |sum, row| sum + &row[project]);
    let mut order: Vec<usize> = (0..election.projects.len()).collect();
    by_id(election, &mut order);
    // Score as (is free and supported, satisfaction per cost); a stable sort keeps ids in ties.
    let score = |project: usize| {
        let cost = &election.projects[project].cost;
        let total = total(project);
        if cost.is_zero() { (total > BigRational::zero(), BigRational::zero()) } else { (false, total / cost) }
    };
    order.sort_by_key(|&project| std::cmp::Reverse(score(project)));
    let mut remaining = election.budget.clone();
    let mut selected = Vec::new();
    for project in order {
        if election.projects[project].cost <= remaining {
            remaining -= &election.projects[project].cost;
            selected.push(project);
        }
    }
    selected
}

/// The result of a naive equal-shares run: the order of purchase and every voter's money left.
pub struct NaiveMes {
    pub selected: Vec<usize>,
    pub money: Vec<BigRational>,
    pub per_voter_budget: BigRational,
    /// For each project bought in a round: its supporters who paid all they had left (voters
    /// by index in [`satisfactions`]' order).
    pub paid_everything: Vec<(usize, Vec<usize>)>,
}

/// The Method of Equal Shares, voter by voter: supported free projects first (by id), then in
/// each round the affordable project of lowest price ρ per unit of satisfaction, ties by id.
pub fn equal_shares(election: &Election, satisfaction: Satisfaction) -> NaiveMes {
    let voters = satisfactions(election, satisfaction);
    let count = voters.len();
    let per_voter_budget =
        if count == 0 { BigRational::zero() } else { election.budget.clone() / rational(count as i64) };
    let mut money = vec![per_voter_budget.clone(); count];
    let supported = |project: usize| voters.iter().any(|row| row[project] > BigRational::zero());
    let mut free: Vec<usize> =
        (0..election.projects.len()).filter(|&p| supported(p) && election.projects[p].cost.is_zero()).collect();
    by_id(election, &mut free);
    let mut selected = if count == 0 { Vec::new() } else { free };
    let mut candidates: Vec<usize> = (0..election.projects.len())
        .filter(|&p| count > 0 && supported(p) && !election.projects[p].cost.is_zero())
        .collect();
    by_id(election, &mut candidates);
    let mut paid_everything = Vec::new();
    loop {
        let mut best: Option<(BigRational, usize)> = None;
        for &project in &candidates {
            let cost = &election.projects[project].cost;
            let mut supporters: Vec<usize> = (0..count).filter(|&v| voters[v][project] > BigRational::zero()).collect();
            let available = supporters.iter().fold(BigRational::zero(), |sum, &v| sum + &money[v]);
            if &available < cost {
                continue;
            }
            supporters.sort_by(|&a, &b| (&money[a] / &voters[a][project]).cmp(&(&money[b] / &voters[b][project])));
            let mut remaining_cost = cost.clone();
            let mut remaining_satisfaction =
                supporters.iter().fold(BigRational::zero(), |sum, &v| sum + &voters[v][project]);
            let mut rho = None;
            for &voter in &supporters {
                let candidate = &remaining_cost / &remaining_satisfaction;
                if &candidate * &voters[voter][project] <= money[voter] {
                    rho = Some(candidate);
                    break;
                }
                remaining_cost -= &money[voter];
                remaining_satisfaction -= &voters[voter][project];
            }
            let rho = rho.expect("an affordable project has a price");
            // Candidates are visited by id, so a strict improvement keeps the smallest id.
            if best.as_ref().is_none_or(|(best_rho, _)| &rho < best_rho) {
                best = Some((rho, project));
            }
        }
        let Some((rho, project)) = best else { break };
        let mut exhausted = Vec::new();
        for voter in 0..count {
            let due = &rho * &voters[voter][project];
            if voters[voter][project] > BigRational::zero() && due >= money[voter] {
                exhausted.push(voter);
            }
            let paid = if due < money[voter] { due } else { money[voter].clone() };
            money[voter] -= paid;
        }
        paid_everything.push((project, exhausted));
        selected.push(project);
        candidates.retain(|&candidate| candidate != project);
    }
    NaiveMes { selected, money, per_voter_budget, paid_everything }
}

/// The highest total satisfaction of any set of projects within the budget (all subsets).
pub fn max_welfare(election: &Election, satisfaction: Satisfaction) -> BigRational {
    let voters = satisfactions(election, satisfaction);
    let project_count = election.projects.len();
    assert!(project_count <= 12, "brute force over at most 4096 sets");
    (0u32..1 << project_count)
        .filter_map(|set| {
            let members: Vec<usize> = (0..project_count).filter(|p| set & (1 << p) != 0).collect();
            let cost = members.iter().fold(BigRational::zero(), |sum, &p| sum + &election.projects[p].cost);
            (cost <= election.budget).then(|| welfare(&voters, &members))
        })
        .max()
        .unwrap_or_else(BigRational::zero)
}

/// Total satisfaction of a set of projects.
pub fn welfare(voters: &[Vec<BigRational>], projects: &[usize]) -> BigRational {
    voters.iter().flat_map(|row| projects.iter().map(move |&p| row[p].clone())).fold(BigRational::zero(), |a, b| a + b)
}

/// Sequential Phragmén as pabutools runs it: each voter carries a load; the project whose
/// supporters would reach the lowest common load is bought (ties by id), and the rule stops as
/// soon as a project tied for that lowest load does not fit. Projects over the whole budget are
/// never considered; projects nobody approves come last.
pub fn phragmen(election: &Election) -> Vec<usize> {
    let voters = satisfactions(election, Satisfaction::Cardinality);
    let mut loads = vec![BigRational::zero(); voters.len()];
    let mut remaining: Vec<usize> =
        (0..election.projects.len()).filter(|&project| election.projects[project].cost <= election.budget).collect();
    by_id(election, &mut remaining);
    let mut spent = BigRational::zero();
    let mut selected = Vec::new();
    while !remaining.is_empty() {
        let next_load = |project: usize| -> Option<BigRational> {
            let supporters: Vec<usize> = (0..voters.len()).filter(|&voter| !voters[voter][project].is_zero()).collect();
            if supporters.is_empty() {
                return None;
            }
            let total =
                supporters.iter().fold(election.projects[project].cost.clone(), |sum, &voter| sum + &loads[voter]);
            Some(total / rational(supporters.len() as i64))
        };
        let candidates: Vec<(usize, BigRational)> =
            remaining.iter().filter_map(|&project| next_load(project).map(|load| (project, load))).collect();
        let tied: Vec<usize> = match candidates.iter().map(|(_, load)| load).min() {
            None => remaining.clone(),
            Some(minimum) => {
                candidates.iter().filter(|(_, load)| load == minimum).map(|(project, _)| *project).collect()
            }
        };
        if tied.iter().any(|&project| &spent + &election.projects[project].cost > election.budget) {
            break;
        }
        let chosen = tied[0];
        if let Some(load) = next_load(chosen) {
            for voter in 0..voters.len() {
                if !voters[voter][chosen].is_zero() {
                    loads[voter] = load.clone();
                }
            }
        }
        spent += &election.projects[chosen].cost;
        selected.push(chosen);
        remaining.retain(|&project| project != chosen);
    }
    selected
}
