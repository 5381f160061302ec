//! One Python component exporting every hook, so every typed call path of the host (inputs
//! lowered, decisions lifted and converted) runs against a real toolchain's output.

use std::sync::OnceLock;

use civitas_plugins::*;

use crate::build_examples as build;
use crate::support::{engine, fixture};

fn plugin() -> &'static CompiledPlugin {
    static PLUGIN: OnceLock<CompiledPlugin> = OnceLock::new();
    PLUGIN.get_or_init(|| {
        let bytes = build::build_python_with_own_world(&fixture("all_hooks"), "all-hooks", "all-hooks");
        engine().compile(&bytes).expect("compiles")
    })
}

fn decision<T: std::fmt::Debug>(report: CallReport<T>) -> T {
    match report.outcome {
        Ok(Ok(decision)) => decision,
        other => panic!("expected a decision, got {other:?}"),
    }
}

#[test]
fn every_hook_is_detected() {
    assert_eq!(plugin().hooks(), Hook::ALL);
}

#[test]
fn survey_problems_come_back_per_question() {
    let response = SurveyResponse {
        district: "dst_1".to_owned(),
        survey: "srv_1".to_owned(),
        answers: vec![
            Answer { question: "q1".to_owned(), value: AnswerValue::Skipped },
            Answer { question: "q2".to_owned(), value: AnswerValue::Number(11.5) },
            Answer { question: "q3".to_owned(), value: AnswerValue::Choices(vec!["a".to_owned()]) },
            Answer { question: "q4".to_owned(), value: AnswerValue::Text("fine".to_owned()) },
        ],
        submitted_at: 0,
    };
    let problems = decision(engine().validate_survey(plugin(), &CallSettings::default(), &response));
    assert_eq!(
        problems,
        [
            Problem { question: Some("q1".to_owned()), message: "required".to_owned() },
            Problem { question: Some("q2".to_owned()), message: "between 0 and 10".to_owned() },
        ]
    );
}

#[test]
fn eligibility_has_three_answers() {
    let process = BudgetingProcess { id: "pb_1".to_owned(), district: "dst_1".to_owned(), name: "Youth".to_owned() };
    let ask = |age: Option<u8>, district: &str| {
        let question = EligibilityQuestion {
            voter: Voter {
                age,
                resident_district: Some(district.to_owned()),
                attributes: vec![("student".to_owned(), "true".to_owned())],
            },
            process: process.clone(),
        };
        decision(engine().check_eligibility(plugin(), &CallSettings::default(), &question))
    };
    assert_eq!(ask(Some(17), "dst_1"), Eligibility::Eligible);
    assert_eq!(ask(Some(15), "dst_1"), Eligibility::Ineligible("residents aged 16 or over only".to_owned()));
    assert_eq!(ask(Some(40), "dst_2"), Eligibility::Ineligible("residents aged 16 or over only".to_owned()));
    assert_eq!(ask(None, "dst_1"), Eligibility::ManualReview("age not verified".to_owned()));
}

#[test]
fn a_failed_eligibility_check_fails_closed_to_manual_review() {
    let question = EligibilityQuestion {
        voter: Voter { age: Some(17), resident_district: Some("dst_1".to_owned()), attributes: Vec::new() },
        process: BudgetingProcess { id: "pb_1".to_owned(), district: "dst_1".to_owned(), name: "Youth".to_owned() },
    };
    let answered = engine().check_eligibility(plugin(), &CallSettings::default(), &question);
    assert_eq!(answered.eligibility_or_manual_review(), Eligibility::Eligible);
    // The same voter, with the plugin stopped by its fuel limit: a person decides, never "eligible".
    let starved =
        CallSettings { limits: CallLimits { fuel: 1_000, ..CallLimits::default() }, ..CallSettings::default() };
    let failed = engine().check_eligibility(plugin(), &starved, &question);
    assert_eq!(failed.outcome, Err(CallFailure::OutOfFuel { limit: 1_000 }));
    match failed.eligibility_or_manual_review() {
        Eligibility::ManualReview(reason) => assert!(reason.contains("ran out of fuel"), "{reason}"),
        other => panic!("a failed check must go to manual review, got {other:?}"),
    }
}

#[test]
fn a_listener_returns_actions_and_logs() {
    let event = DomainEvent {
        kind: "ticket.dispatched".to_owned(),
        district: Some("dst_1".to_owned()),
        subject: "tkt_9".to_owned(),
        occurred_at: 0,
        payload: "{}".to_owned(),
    };
    let report = engine().on_event(plugin(), &CallSettings::default(), &event);
    assert_eq!(report.logs, [LogLine { level: LogLevel::Debug, message: "ticket.dispatched".to_owned() }]);
    assert_eq!(
        decision(report),
        [
            Action::AddTag("seen".to_owned()),
            Action::NotifyDepartment("dep_roads".to_owned(), "new ticket tkt_9".to_owned())
        ]
    );
    let other = DomainEvent { kind: "ticket.resolved".to_owned(), ..event };
    assert_eq!(decision(engine().on_event(plugin(), &CallSettings::default(), &other)), []);
}

#[test]
fn router_and_deadline_paths_convert_both_ways() {
    let ticket = crate::support::night_ticket();
    assert_eq!(decision(engine().route(plugin(), &CallSettings::default(), &ticket)), None);
    let dispatched = DispatchedTicket {
        district: "dst_1".to_owned(),
        street: None,
        category: "cat_1".to_owned(),
        channel: Channel::WalkIn,
        priority: Priority::Urgent,
        department: "dep_1".to_owned(),
        tags: vec!["a".to_owned()],
        submitted_at: 1,
        dispatched_at: 41,
        respond_by: 100,
        resolve_by: 200,
    };
    let deadlines = decision(engine().deadlines(plugin(), &CallSettings::default(), &dispatched));
    assert_eq!(deadlines, DeadlineOverride { respond_by: None, resolve_by: Some(42) });
}
