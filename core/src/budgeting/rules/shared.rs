//! Tallying one election with several rules: what the rules have in common is computed once.
//!
//! A reader of a whole library (`civitas pb sweep`) tallies every file with every rule that
//! applies. Rules that measure satisfaction the same way share their reduced problem; an
//! equal-shares rule and its greedy completion (`mes-cost` and `mes-cost+greedy`, or
//! `mes-cost-add1` and `mes-cost-add1+greedy`) share the equal-shares run itself, which is
//! nearly all of their work; the cities' add-one variant (`mes-cost-add1-exhaustive`) goes on
//! from where pabutools' (`mes-cost-add1`) stopped instead of raising the budget from the start
//! again. The outcomes are exactly those of separate [`super::tally`] calls (a test compares
//! them on real elections); only `add_one_runs` may differ, as it counts the runs of the path
//! this tally took.

use super::add_one::{Ended, Stop};
use super::equal_shares::{MesRun, Prepared};
use super::problem::Problem;
use super::{Outcome, Rule, Satisfaction, TallyOptions, TieBreaking};
use crate::budgeting::error::TallyError;
use crate::budgeting::model::Election;
use num_rational::BigRational;
use std::rc::Rc;

/// An equal-shares run kept for the rules that start from it.
pub(super) struct SharedRun {
    pub run: MesRun,
    pub per_voter_budget: BigRational,
    pub add_one_runs: Option<u64>,
    /// Why an add-one completion stopped (`None` for a plain run).
    pub ended: Option<Ended>,
}

/// What a reduced problem depends on.
type ProblemKey = (Satisfaction, TieBreaking);

/// What an equal-shares run depends on: its problem and how the budget is raised (if it is).
pub(super) type RunKey = (Satisfaction, TieBreaking, Option<Stop>);

/// A reduced problem and, once a rule needed it, its preparation for equal shares.
struct ProblemEntry {
    key: ProblemKey,
    problem: Rc<Problem>,
    prepared: Option<Rc<Prepared>>,
}

/// The problems, preparations and equal-shares runs computed so far for one election.
#[derive(Default)]
pub(super) struct Shared {
    problems: Vec<ProblemEntry>,
    runs: Vec<(RunKey, Rc<SharedRun>)>,
}

impl Shared {
    pub(super) fn problem(
        &mut self,
        election: &Election,
        satisfaction: Satisfaction,
        tie_breaking: TieBreaking,
    ) -> Result<Rc<Problem>, TallyError> {
        let key = (satisfaction, tie_breaking);
        if let Some(entry) = self.problems.iter().find(|entry| entry.key == key) {
            return Ok(Rc::clone(&entry.problem));
        }
        let problem = Rc::new(Problem::new(election, satisfaction, tie_breaking)?);
        self.problems.push(ProblemEntry { key, problem: Rc::clone(&problem), prepared: None });
        Ok(problem)
    }

    /// The preparation of a problem this cache returned.
    pub(super) fn prepared(&mut self, problem: &Rc<Problem>) -> Rc<Prepared> {
        match self.problems.iter_mut().find(|entry| Rc::ptr_eq(&entry.problem, problem)) {
            Some(entry) => Rc::clone(entry.prepared.get_or_insert_with(|| Rc::new(Prepared::new(problem)))),
            None => Rc::new(Prepared::new(problem)),
        }
    }

    /// The run for `key`, computed by `compute` the first time.
    pub(super) fn run(&mut self, key: RunKey, compute: impl FnOnce() -> Rc<SharedRun>) -> Rc<SharedRun> {
        if let Some(run) = self.existing_run(key) {
            return run;
        }
        let run = compute();
        self.runs.push((key, Rc::clone(&run)));
        run
    }

    /// The run for `key`, if computed already.
    pub(super) fn existing_run(&self, key: RunKey) -> Option<Rc<SharedRun>> {
        self.runs.iter().find(|(known, _)| *known == key).map(|(_, run)| Rc::clone(run))
    }
}

/// Tallies one election with as many rules as wanted, sharing their common work.
///
/// ```
/// use civitas_core::budgeting::{Rule, Tallier, TallyOptions, parse_pabulib_str};
/// let election = parse_pabulib_str(
///     "META\nkey;value\nnum_projects;2\nnum_votes;2\nbudget;10\nvote_type;approval\n\
///      PROJECTS\nproject_id;cost\n1;6\n2;4\nVOTES\nvoter_id;vote\na;1,2\nb;2\n",
/// )
/// .unwrap();
/// let mut tallier = Tallier::new(&election);
/// let options = TallyOptions::default();
/// let equal_shares = tallier.tally(Rule::MesCost, &options).unwrap();
/// // Reuses the equal-shares run above and completes it greedily.
/// let completed = tallier.tally(Rule::MesCostGreedy, &options).unwrap();
/// assert!(completed.selected.starts_with(&equal_shares.selected));
/// ```
pub struct Tallier<'a> {
    election: &'a Election,
    shared: Shared,
}

impl<'a> Tallier<'a> {
    /// A tallier of `election` that has computed nothing yet.
    pub fn new(election: &'a Election) -> Tallier<'a> {
        Tallier { election, shared: Shared::default() }
    }

    /// The outcome of `rule`, exactly as [`super::tally`] gives it. Progress is reported only
    /// for the work this call does (a shared run is not run again).
    pub fn tally(&mut self, rule: Rule, options: &TallyOptions<'_>) -> Result<Outcome, TallyError> {
        super::tally_with(self.election, rule, options, &mut self.shared)
    }
}
