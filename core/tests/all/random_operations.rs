//! Random sequences of operations, by random actors, through the real services and database:
//! a success changes the ticket exactly as the state machine says, a failure changes nothing,
//! and replaying each timeline reproduces the stored state.

use civitas_core::auth::Caller;
use civitas_core::tickets::{self, Ticket, TicketError, Transition};
use proptest::prelude::*;

use crate::support::{City, city};

#[derive(Debug, Clone)]
enum Action {
    Dispatch(usize),
    Accept,
    Return,
    Transfer(usize),
    Resolve,
    Rate(i32),
    Reject,
    Comment,
    MergeInto(usize),
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        (0..2usize).prop_map(Action::Dispatch),
        Just(Action::Accept),
        Just(Action::Return),
        (0..2usize).prop_map(Action::Transfer),
        Just(Action::Resolve),
        (1..=5i32).prop_map(Action::Rate),
        Just(Action::Reject),
        Just(Action::Comment),
        (0..3usize).prop_map(Action::MergeInto),
    ]
}

fn actor(city: &City, index: usize) -> Caller {
    match index {
        0 => Caller::operator("op-1"),
        1 => city.staff(0, 0),
        2 => city.staff(0, 1),
        3 => city.district_admin(0),
        _ => Caller::resident("res-1"),
    }
}

async fn run(steps: Vec<(usize, usize, Action)>) -> Result<(), TestCaseError> {
    let city = city().await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        let new = city.resident_ticket(0, 0);
        ids.push(tickets::submit(&city.ctx, &Caller::resident("res-1"), new).await.expect("submit").id);
    }
    let department = |index: usize| city.district(0).departments[index].id;
    for (who, target, action) in steps {
        let caller = actor(&city, who);
        let id = ids[target];
        let before: Ticket = tickets::get(&city.ctx, &Caller::System, id).await.expect("get");
        let ctx = &city.ctx;
        let (result, transition): (Result<Ticket, TicketError>, Option<Transition>) = match action {
            Action::Dispatch(d) => (
                tickets::dispatch(ctx, &caller, id, department(d), None).await,
                Some(Transition::Dispatch { department: department(d) }),
            ),
            Action::Accept => (tickets::accept(ctx, &caller, id).await, Some(Transition::Accept)),
            Action::Return => (tickets::return_to_dispatch(ctx, &caller, id, "r").await, Some(Transition::Return)),
            Action::Transfer(d) => (
                tickets::transfer(ctx, &caller, id, department(d), "t").await,
                Some(Transition::Transfer { department: department(d) }),
            ),
            Action::Resolve => (tickets::resolve(ctx, &caller, id, "done").await, Some(Transition::Resolve)),
            Action::Rate(score) => (
                tickets::rate(ctx, &caller, id, score, None).await,
                Some(Transition::Rate { score: u8::try_from(score).expect("score") }),
            ),
            Action::Reject => (tickets::reject(ctx, &caller, id, "no").await, Some(Transition::Reject)),
            Action::Comment => (tickets::comment(ctx, &caller, id, "hello").await, None),
            Action::MergeInto(primary) => (
                tickets::merge(ctx, &caller, ids[primary], &[id]).await,
                Some(Transition::MergeInto { primary: ids[primary] }),
            ),
        };
        let after = tickets::get(&city.ctx, &Caller::System, id).await.expect("get");
        match (&result, transition) {
            (Ok(_), Some(transition)) => {
                let expected = before.state().apply(transition);
                prop_assert_eq!(Ok(after.state()), expected, "{:?} by {:?}", action, caller);
                prop_assert_eq!(after.version, before.version + 1);
            }
            (Ok(_), None) => prop_assert_eq!(after.state(), before.state()),
            (Err(_), _) => prop_assert_eq!(&after, &before, "a failed {:?} changed the ticket", action),
        }
    }
    for id in ids {
        let stored = tickets::get(&city.ctx, &Caller::System, id).await.expect("get");
        let replayed = tickets::replay(&city.ctx, &Caller::System, id).await.expect("replay");
        prop_assert_eq!(replayed, stored.state());
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn random_operations_keep_tickets_consistent(
        steps in proptest::collection::vec((0..5usize, 0..3usize, action()), 1..30)
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        runtime.block_on(run(steps))?;
    }
}
