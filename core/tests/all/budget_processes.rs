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
        email: None,
        subject: subject.into(),
        role: Role::Resident,
        district: Some(district),
        department: None,
        phone: None,
        birth_year: None,
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
        assert_eq!(rows.len(), 2, "{table}");
        let dump = format!("{rows:?}");
        for secret in ["alice-subject", "bob-subject", "sub:"] {
            assert!(!dump.contains(secret), "{table} holds {secret}");
        }
    }
    // IDs do not follow the order of casting (a PostgreSQL heap keeps rows in insertion order in
    // both tables; what links a participation to a person is its HMAC key, under a secret the
    // database does not hold).
    let mut receipts_in_cast_order = Vec::new();
    for voter in 0..20 {
        let who = resident(&format!("ordered-{voter}"), district);
        let cast = pb::cast(&city.ctx, &who, process.id, approvals(&[ids[1]]), Channel::Web, None).await.expect("cast");
        receipts_in_cast_order.push(cast.receipt);
    }
    let rows = city
        .ctx
        .db
        .query_all_raw(Statement::from_string(
            backend,
            format!("SELECT id, receipt FROM budget_ballots WHERE process_id = {}", process.id.0),
        ))
        .await
        .expect("rows");
    let stored: Vec<(i64, String)> = rows
        .iter()
        .map(|row| (row.try_get_by_index(0).expect("id"), row.try_get_by_index(1).expect("receipt")))
        .collect();
    let ids_in_cast_order: Vec<i64> = receipts_in_cast_order
        .iter()
        .map(|receipt| stored.iter().find(|(_, stored)| stored == receipt).expect("stored").0)
        .collect();
    assert!(ids_in_cast_order.windows(2).any(|pair| pair[0] > pair[1]), "IDs rise with casting: {ids_in_cast_order:?}");
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

async fn count(ctx: &civitas_core::Context, sql: &str) -> i64 {
    let backend = ctx.db.get_database_backend();
    let row = ctx.db.query_one_raw(Statement::from_string(backend, sql.to_owned())).await.expect("count").expect("row");
    row.try_get_by_index(0).expect("a count")
}

/// A thousand voters at once through two instances on one database (two connection pools, one
/// participation secret): a hundred cast two different ballots at the same moment, a hundred
/// change their ballot while the others vote. Exactly one counted ballot per voter, none over
/// its limits, the turnout is the number of voters, and the stored outcome is the engine's
/// tally of the exported file.
#[tokio::test]
async fn a_thousand_concurrent_voters_through_two_instances_leave_one_ballot_each() {
    let city = city().await;
    let district = city.district(0).district.id;
    let (process, ids) = voting(&city).await;
    let mut second = civitas_core::Context::new(civitas_core::db::connect(&city.url).await.expect("second pool"));
    second.secrets = city.ctx.secrets.clone();
    second.clock = city.ctx.clock.clone();
    let instances = [city.ctx.clone(), second];
    let ballots = [approvals(&[ids[0], ids[1]]), approvals(&[ids[2]]), approvals(&[ids[1]])];
    let in_flight = std::sync::Arc::new(tokio::sync::Semaphore::new(64));
    let mut casts = tokio::task::JoinSet::new();
    let mut spawn = |voter: usize, choice: usize, instance: usize| {
        let ctx = instances[instance].clone();
        let ballot = ballots[choice].clone();
        let permit = in_flight.clone();
        let process = process.id;
        casts.spawn(async move {
            let _permit = permit.acquire_owned().await.expect("semaphore");
            let who = resident(&format!("voter-{voter}"), district);
            (voter, pb::cast(&ctx, &who, process, ballot, Channel::App, None).await)
        });
    };
    for voter in 0..1000 {
        spawn(voter, voter % 3, voter % 2);
        if voter < 100 {
            // The same voter, another ballot, the other instance, at the same moment.
            spawn(voter, (voter + 1) % 3, (voter + 1) % 2);
        }
    }
    let mut accepted = std::collections::HashMap::<usize, usize>::new();
    let mut conflicts = 0;
    for (voter, cast) in casts.join_all().await {
        match cast {
            Ok(_) => *accepted.entry(voter).or_default() += 1,
            Err(error) => {
                assert_eq!(error.kind(), ErrorKind::Conflict, "{error}");
                conflicts += 1;
            }
        }
    }
    assert_eq!(accepted.len(), 1000, "every voter has a ballot");
    assert_eq!(accepted.values().sum::<usize>() + conflicts, 1100);
    // A hundred change their mind while others keep voting.
    let mut changes = tokio::task::JoinSet::new();
    for voter in 100..200 {
        let ctx = instances[voter % 2].clone();
        let ballot = ballots[(voter + 2) % 3].clone();
        let process = process.id;
        changes.spawn(async move {
            pb::cast(&ctx, &resident(&format!("voter-{voter}"), district), process, ballot, Channel::Web, None).await
        });
    }
    for late in 1000..1100 {
        let ctx = instances[late % 2].clone();
        let ballot = ballots[late % 3].clone();
        let process = process.id;
        changes.spawn(async move {
            pb::cast(&ctx, &resident(&format!("voter-{late}"), district), process, ballot, Channel::App, None).await
        });
    }
    for change in changes.join_all().await {
        change.expect("no twin: every change and every late vote is accepted");
    }

    let turnout = pb::turnout(&city.ctx, process.id).await.expect("turnout");
    assert_eq!(turnout.total, 1100);
    let ballot_rows = format!("SELECT COUNT(*) FROM budget_ballots WHERE process_id = {}", process.id.0);
    let voters = format!("SELECT COUNT(*) FROM budget_participations WHERE process_id = {}", process.id.0);
    assert_eq!((count(&city.ctx, &ballot_rows).await, count(&city.ctx, &voters).await), (1100, 1100));
    let web = turnout.by_channel.iter().find(|(channel, _)| *channel == Channel::Web).map(|(_, count)| *count);
    assert_eq!(web, Some(100), "the changed ballots replaced the first ones");

    pb::advance(&city.ctx, &city.district_admin(0), process.id).await.expect("tally");
    let stored = pb::results(&city.ctx, process.id).await.expect("results").expect("tallied");
    let election = parse_pabulib_str(&pb::pabulib_export(&city.ctx, process.id).await.expect("export")).expect("pb");
    assert_eq!(election.voter_count(), 1100);
    for ballot in &election.ballots {
        assert!(ballot.projects.len() <= 3, "maxProjects");
        let cost: num_rational::BigRational = ballot.projects.iter().map(|p| election.projects[*p].cost.clone()).sum();
        assert!(cost <= num_rational::BigRational::from_integer(900.into()), "maxTotalCost");
    }
    let recount = tally(&election, Rule::MesCostGreedy, &TallyOptions::default()).expect("tally");
    assert_eq!(recount.selected, stored.selected.iter().map(ToString::to_string).collect::<Vec<_>>());
}

/// A paper batch: every problem listed by line and nothing stored; then stored in one go, a
/// voter who voted online and on paper has one ballot (the later), and the turnout counts the
/// paper channel apart (CONSUL #5794).
#[tokio::test]
async fn paper_batches_are_checked_whole_then_stored_one_ballot_per_voter() {
    let city = city().await;
    let district = city.district(0).district.id;
    let (process, ids) = voting(&city).await;
    let admin = city.district_admin(0);
    let online = CastOnBehalf { phone: Some("138 0000 0001".into()), id_number: None, channel: Channel::Phone };
    pb::cast(&city.ctx, &Caller::operator("op"), process.id, approvals(&[ids[0]]), Channel::Phone, Some(online))
        .await
        .expect("an assisted vote by phone first");
    pb::cast(&city.ctx, &resident("online", district), process.id, approvals(&[ids[1]]), Channel::App, None)
        .await
        .expect("an online vote");

    let bad = format!(
        "phone,id_number,approvals\n138 0000 0002,,{} prj_999\n,12,{}\n139 0000 0003,,{}\n139 0000 0003,,{}\n",
        ids[0], ids[0], ids[1], ids[1]
    );
    let error = pb::paper::import(&city.ctx, &admin, process.id, &bad).await.expect_err("refused");
    let paths = problems(&error);
    for expected in ["csv[line 2].approvals[1]", "csv[line 3].id_number", "csv[line 5]"] {
        assert!(paths.iter().any(|path| path.starts_with(expected) || path == expected), "{expected} in {paths:?}");
    }
    assert_eq!(pb::turnout(&city.ctx, process.id).await.expect("turnout").total, 2, "nothing stored");
    let other = pb::paper::import(&city.ctx, &city.district_admin(1), process.id, "phone,approvals\n").await;
    assert_eq!(other.expect_err("another district's admin").kind(), ErrorKind::Forbidden);

    let good = format!(
        "phone,id_number,approvals\n138 0000 0001,,{} {}\n,31010119900101123X,{}\n139 0000 0004,,{}\n",
        ids[1], ids[2], ids[0], ids[2]
    );
    let imported = pb::paper::import(&city.ctx, &admin, process.id, &good).await.expect("imported");
    assert_eq!((imported.ballots, imported.replaced), (3, 1), "the phone voter's paper ballot replaced their call");
    let turnout = pb::turnout(&city.ctx, process.id).await.expect("turnout");
    assert_eq!(turnout.total, 4);
    let paper = turnout.by_channel.iter().find(|(channel, _)| *channel == Channel::Paper).map(|(_, count)| *count);
    assert_eq!(paper, Some(3));
    let phone = turnout.by_channel.iter().find(|(channel, _)| *channel == Channel::Phone);
    assert_eq!(phone, None, "the assisted vote was replaced");
}

/// Closing while ballots are being cast: a ballot either is counted in the stored outcome or
/// was refused — none lands after the count (the close waits for the casts in flight, later
/// ones see the vote closed). The close starts once 50 ballots are in, with more arriving.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_close_during_casting_counts_exactly_the_ballots_that_got_in() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};

    let city = city().await;
    let district = city.district(0).district.id;
    let (process, ids) = voting(&city).await;
    let accepted = Arc::new(AtomicU64::new(0));
    let mut casts = tokio::task::JoinSet::new();
    for voter in 0..1000usize {
        let ctx = city.ctx.clone();
        let ballot = approvals(&[ids[voter % 3]]);
        let accepted = accepted.clone();
        casts.spawn(async move {
            // Arrivals spread over a second, so that the close comes while they keep coming.
            tokio::time::sleep(std::time::Duration::from_millis(voter as u64)).await;
            let who = resident(&format!("racer-{voter}"), district);
            let cast = pb::cast(&ctx, &who, process.id, ballot, Channel::App, None).await;
            if cast.is_ok() {
                accepted.fetch_add(1, Ordering::SeqCst);
            }
            cast.map(|_| ())
        });
    }
    let close = {
        let ctx = city.ctx.clone();
        let admin = city.district_admin(0);
        let accepted = accepted.clone();
        tokio::spawn(async move {
            while accepted.load(Ordering::SeqCst) < 50 {
                tokio::time::sleep(std::time::Duration::from_millis(1)).await;
            }
            pb::advance(&ctx, &admin, process.id).await.expect("the close");
        })
    };
    let mut refused = 0u64;
    for cast in casts.join_all().await {
        if let Err(error) = cast {
            assert_eq!(error.kind(), ErrorKind::InvalidTransition, "{error}");
            refused += 1;
        }
    }
    close.await.expect("closed");
    let accepted = accepted.load(Ordering::SeqCst);
    assert!(accepted >= 50 && accepted + refused == 1000, "{accepted} + {refused}");
    let stored = pb::results(&city.ctx, process.id).await.expect("results").expect("tallied");
    assert_eq!(stored.turnout.total, accepted, "every accepted ballot is counted, no other");
    let rows = format!("SELECT COUNT(*) FROM budget_ballots WHERE process_id = {}", process.id.0);
    assert_eq!(u64::try_from(count(&city.ctx, &rows).await).expect("count"), accepted);
    let election = parse_pabulib_str(&pb::pabulib_export(&city.ctx, process.id).await.expect("export")).expect("pb");
    let recount = tally(&election, Rule::MesCostGreedy, &TallyOptions::default()).expect("tally");
    assert_eq!(recount.selected, stored.selected.iter().map(ToString::to_string).collect::<Vec<_>>());
}
