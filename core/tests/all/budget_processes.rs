//! Budgeting processes end to end in the domain: proposals, review, a vote (self-service,
//! assisted, replaced, refused), results hidden until the tally, the stored outcome equal to
//! the engine's tally of the exported `.pb`, published receipts, and ballots that carry no
//! identity.

use std::collections::HashSet;

use civitas_core::auth::{Caller, Role};
use civitas_core::budget_processes::{
    self as pb, BallotChoices, BallotFormat, BallotRules, BudgetPhase, BudgetProcessDraft, CastOnBehalf, Feasibility,
    ProjectProposal,
};
use civitas_core::budgeting::{Rule, TallyOptions, parse_pabulib_str, tally};
use civitas_core::error::{Classify, ErrorKind};
use civitas_core::i18n::LocalizedText;
use civitas_core::ids::{BudgetProjectId, DistrictId};
use civitas_core::paging::Window;
use civitas_core::tickets::Channel;
use sea_orm::{ConnectionTrait, Statement};

use crate::support::{City, city};

fn text(en: &str) -> LocalizedText {
    LocalizedText::new(en, en, en)
}

fn resident(subject: &str, district: DistrictId) -> Caller {
    Caller::User {
        subject: subject.into(),
        role: Role::Resident,
        district: Some(district),
        department: None,
        phone: None,
    }
}

fn approvals(projects: &[BudgetProjectId]) -> BallotChoices {
    BallotChoices { approvals: projects.to_vec(), ..BallotChoices::default() }
}

fn problems(error: &pb::BudgetError) -> Vec<String> {
    match error.kind() {
        ErrorKind::Problems(problems) => problems.list().iter().map(|problem| problem.path.clone()).collect(),
        other => panic!("expected problems, got {other:?}: {error}"),
    }
}

/// A district process with four proposals (one infeasible) in `VOTING`.
async fn voting(city: &City) -> (pb::BudgetProcess, Vec<BudgetProjectId>) {
    let district = city.district(0).district.id;
    let admin = city.district_admin(0);
    let draft = BudgetProcessDraft {
        title: Some(text("Green streets 2027")),
        budget: Some("1000".into()),
        currency: Some("CNY".into()),
        format: Some(BallotFormat::Approval),
        rules: Some(BallotRules {
            max_projects: Some(3),
            max_total_cost: Some(pb::Money(90_000)),
            ..BallotRules::default()
        }),
        ..BudgetProcessDraft::default()
    };
    let process = pb::create(&city.ctx, &admin, Some(district), draft).await.expect("create");
    assert_eq!((process.phase, process.rule.as_str()), (BudgetPhase::Proposals, "mes-cost+greedy"));
    let mut ids = Vec::new();
    for (title, cost) in [("trees", "400"), ("benches", "300"), ("lights", "500.50"), ("fountain", "200")] {
        let proposal = ProjectProposal {
            title: text(title),
            description: None,
            cost: cost.into(),
            street_id: None,
            latitude: None,
            longitude: None,
        };
        let project =
            pb::propose(&city.ctx, &resident("proposer", district), process.id, proposal).await.expect("propose");
        ids.push(project.id);
    }
    let refused = pb::advance(&city.ctx, &admin, process.id).await.expect("to review");
    assert_eq!(refused.phase, BudgetPhase::Review);
    let early = pb::advance(&city.ctx, &admin, process.id).await.expect_err("unreviewed projects");
    assert_eq!(problems(&early), ["projects", "projects"], "unreviewed, and none feasible yet");
    let staff = city.staff(0, 0);
    pb::review(&city.ctx, &staff, ids[0], Feasibility::Feasible { cost: None }).await.expect("feasible");
    pb::review(&city.ctx, &staff, ids[1], Feasibility::Feasible { cost: Some("350".into()) }).await.expect("revised");
    pb::review(&city.ctx, &admin, ids[2], Feasibility::Feasible { cost: None }).await.expect("feasible");
    let infeasible = Feasibility::Infeasible { reason: "the square is a heritage site".into() };
    pb::review(&city.ctx, &admin, ids[3], infeasible).await.expect("infeasible");
    let other_staff = city.staff(1, 0);
    let refused = pb::review(&city.ctx, &other_staff, ids[0], Feasibility::Feasible { cost: None }).await;
    assert_eq!(refused.expect_err("another district's staff").kind(), ErrorKind::Forbidden);
    let process = pb::advance(&city.ctx, &admin, process.id).await.expect("to voting");
    assert_eq!(process.phase, BudgetPhase::Voting);
    (process, ids)
}

#[tokio::test]
async fn a_process_from_proposals_to_published_receipts() {
    let city = city().await;
    let district = city.district(0).district.id;
    let (process, ids) = voting(&city).await;
    let (trees, benches, lights, fountain) = (ids[0], ids[1], ids[2], ids[3]);

    // Every problem of a bad ballot at once, nothing stored.
    let bad = approvals(&[trees, fountain, trees, benches, lights]);
    let error =
        pb::cast(&city.ctx, &resident("v0", district), process.id, bad, Channel::Web, None).await.expect_err("refused");
    let paths = problems(&error);
    for expected in ["approvals[1]", "approvals[2]", "approvals"] {
        assert!(paths.iter().any(|path| path == expected), "{expected} in {paths:?}");
    }
    assert_eq!(pb::turnout(&city.ctx, process.id).await.expect("turnout").total, 0);

    // Twelve residents vote; one changes their mind; an operator casts for a caller by phone.
    let mut receipts = HashSet::new();
    for voter in 0..12 {
        let choice = match voter % 3 {
            0 => approvals(&[trees, benches]),
            1 => approvals(&[lights]),
            _ => approvals(&[benches]),
        };
        let cast =
            pb::cast(&city.ctx, &resident(&format!("v{voter}"), district), process.id, choice, Channel::App, None)
                .await
                .expect("cast");
        assert!(!cast.replaced);
        receipts.insert(cast.receipt);
    }
    let changed = pb::cast(&city.ctx, &resident("v1", district), process.id, approvals(&[trees]), Channel::Web, None)
        .await
        .expect("change");
    assert!(changed.replaced);
    let operator = Caller::operator("op");
    let assisted = CastOnBehalf { phone: Some("138 0000 0001".into()), id_number: None, channel: Channel::Phone };
    let by_phone =
        pb::cast(&city.ctx, &operator, process.id, approvals(&[trees]), Channel::Phone, Some(assisted.clone()))
            .await
            .expect("assisted");
    let again = pb::cast(&city.ctx, &operator, process.id, approvals(&[lights]), Channel::Phone, Some(assisted))
        .await
        .expect("the same caller again");
    assert!(again.replaced && !by_phone.replaced);
    let outsider = resident("v-other", city.district(1).district.id);
    let refused = pb::cast(&city.ctx, &outsider, process.id, approvals(&[trees]), Channel::Web, None).await;
    assert_eq!(refused.expect_err("another district's resident").kind(), ErrorKind::Forbidden);
    let mine = pb::my_ballot(&city.ctx, &resident("v1", district), process.id).await.expect("mine").expect("some");
    assert_eq!(mine.choices, approvals(&[trees]));

    // While the vote runs: the turnout, never per-project counts.
    let turnout = pb::turnout(&city.ctx, process.id).await.expect("turnout");
    assert_eq!(turnout.total, 13);
    let mut expected = vec![(Channel::Phone, 1), (Channel::Web, 1), (Channel::App, 11)];
    expected.sort_by_key(|(channel, _)| *channel);
    assert_eq!(turnout.by_channel, expected);
    assert_eq!(pb::results(&city.ctx, process.id).await.expect("results"), None);
    let early = pb::published(&city.ctx, process.id, Window::first(10, None)).await;
    assert_eq!(early.expect_err("not before the tally").kind(), ErrorKind::InvalidTransition);
    let early = pb::pabulib_export(&city.ctx, process.id).await;
    assert_eq!(early.expect_err("not before the tally").kind(), ErrorKind::InvalidTransition);

    // The tally: stored, public, and the engine's outcome on the exported file.
    let tallied = pb::advance(&city.ctx, &city.district_admin(0), process.id).await.expect("tally");
    assert_eq!(tallied.phase, BudgetPhase::Tallied);
    let results = pb::results(&city.ctx, process.id).await.expect("results").expect("public now");
    assert_eq!(results.turnout.total, 13);
    let exported = pb::pabulib_export(&city.ctx, process.id).await.expect("export");
    let election = parse_pabulib_str(&exported).expect("a valid .pb");
    let recount = tally(&election, Rule::MesCostGreedy, &TallyOptions::default()).expect("tally");
    let selected: Vec<String> = results.selected.iter().map(ToString::to_string).collect();
    assert_eq!(recount.selected, selected);
    assert!(!selected.is_empty());
    assert!(!selected.contains(&fountain.to_string()), "infeasible projects are not on the ballot");
    assert_eq!(results.explanations.len(), 3);
    let trees_votes = results.votes.iter().find(|votes| votes.project == trees).expect("trees");
    // v0, v3, v6, v9 (trees+benches), v1 changed to trees; the phone caller changed to lights.
    assert_eq!(trees_votes.count, 5);

    // Receipts: one per counted ballot, the replaced ones' gone.
    let page = pb::published(&city.ctx, process.id, Window::first(100, None)).await.expect("published");
    let published: HashSet<String> = page.items.iter().map(|(_, ballot)| ballot.receipt.clone()).collect();
    assert_eq!(published.len(), 13);
    assert!(published.contains(&changed.receipt) && published.contains(&again.receipt));
    assert!(!published.contains(&by_phone.receipt), "a replaced ballot's receipt is not listed");
    assert_eq!(receipts.intersection(&published).count(), 11, "v1's first receipt was replaced");
}

#[tokio::test]
async fn ballots_hold_no_identity_and_other_districts_cannot_manage() {
    let city = city().await;
    let district = city.district(0).district.id;
    let (process, ids) = voting(&city).await;
    for voter in ["alice-subject", "bob-subject"] {
        pb::cast(&city.ctx, &resident(voter, district), process.id, approvals(&[ids[0]]), Channel::Web, None)
            .await
            .expect("cast");
    }
    let backend = city.ctx.db.get_database_backend();
    for table in ["budget_ballots", "budget_participations"] {
        let rows = city
            .ctx
            .db
            .query_all_raw(Statement::from_string(backend, format!("SELECT * FROM {table}")))
            .await
            .expect("rows");
        assert_eq!(rows.len(), 2);
        let dump = format!("{rows:?}");
        for secret in ["alice-subject", "bob-subject", "sub:"] {
            assert!(!dump.contains(secret), "{table} holds {secret}");
        }
    }
    let other_admin = city.district_admin(1);
    for refused in [
        pb::advance(&city.ctx, &other_admin, process.id).await.map(|_| ()),
        pb::cancel(&city.ctx, &other_admin, process.id).await.map(|_| ()),
        pb::advance(&city.ctx, &Caller::resident("r"), process.id).await.map(|_| ()),
    ] {
        assert_eq!(refused.expect_err("refused").kind(), ErrorKind::Forbidden);
    }
    let cancelled = pb::cancel(&city.ctx, &city.district_admin(0), process.id).await.expect("cancel");
    assert_eq!(cancelled.phase, BudgetPhase::Cancelled);
    let late = resident("late", district);
    let refused = pb::cast(&city.ctx, &late, process.id, approvals(&[ids[0]]), Channel::Web, None).await;
    assert_eq!(refused.expect_err("cancelled").kind(), ErrorKind::InvalidTransition);
}

#[tokio::test]
async fn the_sweeper_moves_processes_at_their_dates_and_holds_those_not_ready() {
    let city = city().await;
    let district = city.district(0).district.id;
    let admin = city.district_admin(0);
    let start = city.ctx.clock.now();
    let day = chrono::Duration::days(1);
    let draft = BudgetProcessDraft {
        title: Some(text("Dated")),
        budget: Some("100".into()),
        currency: Some("CNY".into()),
        review_from: Some(Some(start + day)),
        voting_from: Some(Some(start + day * 2)),
        voting_until: Some(Some(start + day * 3)),
        ..BudgetProcessDraft::default()
    };
    let process = pb::create(&city.ctx, &admin, Some(district), draft).await.expect("create");
    let proposal = ProjectProposal {
        title: text("swings"),
        description: None,
        cost: "60".into(),
        street_id: None,
        latitude: None,
        longitude: None,
    };
    let swings = pb::propose(&city.ctx, &resident("p", district), process.id, proposal).await.expect("propose");
    let phase = || async { pb::get(&city.ctx, process.id).await.expect("get").phase };

    assert_eq!(pb::sweep(&city.ctx).await.expect("sweep"), pb::BudgetSweep::default());
    city.ctx.clock.advance(day);
    assert_eq!(pb::sweep(&city.ctx).await.expect("sweep").advanced, 1);
    assert_eq!(phase().await, BudgetPhase::Review);
    city.ctx.clock.advance(day);
    let held = pb::sweep(&city.ctx).await.expect("sweep");
    assert_eq!((held.advanced, held.held), (0, 1), "the project is not reviewed yet");
    assert_eq!(phase().await, BudgetPhase::Review);
    pb::review(&city.ctx, &admin, swings.id, Feasibility::Feasible { cost: None }).await.expect("review");
    assert_eq!(pb::sweep(&city.ctx).await.expect("sweep").advanced, 1);
    assert_eq!(phase().await, BudgetPhase::Voting);
    pb::cast(&city.ctx, &resident("v", district), process.id, approvals(&[swings.id]), Channel::App, None)
        .await
        .expect("cast");
    city.ctx.clock.advance(day);
    assert_eq!(pb::sweep(&city.ctx).await.expect("sweep").advanced, 1);
    assert_eq!(phase().await, BudgetPhase::Tallied);
    let results = pb::results(&city.ctx, process.id).await.expect("results").expect("tallied");
    assert_eq!(results.selected, [swings.id]);
}
