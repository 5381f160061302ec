//! The `ballot-eligibility` hook: a district's own rule of who may vote, asked before a ballot
//! is stored.
//!
//! Failure policy (plugins README): it fails closed. A plugin that fails — traps, exceeds a
//! limit, answers with its own error or with an answer the domain refuses — sends the ballot to
//! the district admins' manual-review queue with the reason; it is counted only once accepted.
//! No plugin installed: every voter the token allows is eligible.

use sea_orm::DbErr;

use super::model::BudgetProcess;
use crate::context::Context;
use crate::hooks::{Asked, EligibilityAnswer, EligibilityRequest, Hook, PluginText, Verdict};
use crate::ids::DistrictId;
use crate::plugins::{HookCall, HookKind, LoadedPlugin, PluginRuntime};
use crate::tickets::Channel;

/// The longest reason a plugin may give; longer is a refused answer.
pub const MAX_ELIGIBILITY_REASON_CHARS: usize = 500;

/// The `ballot-eligibility` hook point.
#[derive(Debug)]
pub struct CheckEligibility;

impl Hook for CheckEligibility {
    const KIND: HookKind = HookKind::BallotEligibility;
    type Request = EligibilityRequest;
    type Answer = EligibilityAnswer;
    type Decision = EligibilityAnswer;

    fn district(request: &EligibilityRequest) -> Option<DistrictId> {
        request.district_id
    }

    fn call(
        runtime: &dyn PluginRuntime,
        plugin: &LoadedPlugin,
        request: &EligibilityRequest,
    ) -> HookCall<EligibilityAnswer> {
        runtime.check_eligibility(plugin, request)
    }

    async fn check(
        _ctx: &Context,
        _request: &EligibilityRequest,
        answer: EligibilityAnswer,
    ) -> Result<Verdict<EligibilityAnswer>, DbErr> {
        Ok(judge(answer))
    }
}

fn judge(answer: EligibilityAnswer) -> Verdict<EligibilityAnswer> {
    let clean = |reason: &str| match PluginText::check(reason, MAX_ELIGIBILITY_REASON_CHARS) {
        PluginText::Clean(reason) => Ok(reason),
        PluginText::Empty => Err("a decision without a reason".to_owned()),
        PluginText::TooLong => Err(format!("a reason longer than {MAX_ELIGIBILITY_REASON_CHARS} characters")),
    };
    let decided = match answer {
        EligibilityAnswer::Eligible => Ok(EligibilityAnswer::Eligible),
        EligibilityAnswer::Ineligible(reason) => clean(&reason).map(EligibilityAnswer::Ineligible),
        EligibilityAnswer::ManualReview(reason) => clean(&reason).map(EligibilityAnswer::ManualReview),
    };
    decided.map_or_else(Verdict::Refused, Verdict::Decided)
}

/// Whether the voter may vote, by the district's plugin under its failure policy.
pub(crate) async fn decide(
    ctx: &Context,
    process: &BudgetProcess,
    age: Option<u8>,
    resident_district: Option<DistrictId>,
    channel: Channel,
) -> Result<EligibilityAnswer, DbErr> {
    let request = EligibilityRequest {
        district_id: process.district_id,
        process_id: process.id,
        process_name: process.title.en.clone(),
        age,
        resident_district,
        channel,
    };
    Ok(match ctx.hooks.ask::<CheckEligibility>(ctx, &request).await? {
        Asked::NoPlugin | Asked::NoOpinion { .. } => EligibilityAnswer::Eligible,
        Asked::Decided { decision, .. } => decision,
        Asked::Refused { decided_by, reason } | Asked::Failed { decided_by, reason } => {
            EligibilityAnswer::ManualReview(format!("the eligibility plugin {decided_by} failed: {reason}"))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_required_and_bounded() {
        assert_eq!(judge(EligibilityAnswer::Eligible), Verdict::Decided(EligibilityAnswer::Eligible));
        assert_eq!(
            judge(EligibilityAnswer::Ineligible(" under 14\n".into())),
            Verdict::Decided(EligibilityAnswer::Ineligible("under 14".into()))
        );
        assert!(matches!(judge(EligibilityAnswer::ManualReview("  ".into())), Verdict::Refused(_)));
        assert!(matches!(judge(EligibilityAnswer::Ineligible("x".repeat(501))), Verdict::Refused(_)));
    }
}
