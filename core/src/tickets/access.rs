//! Who may see and do what with a ticket.
//!
//! Reading is scoped in SQL (see `visibility`), so that a list never contains a ticket of
//! another tenant; the checks here decide actions on a ticket the caller can already see, which
//! is why a refused action is `Forbidden` while an invisible ticket is `NotFound`.

use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, Condition};

use super::TicketError;
use super::entities::{ticket, ticket_follower};
use super::model::{Contact, Ticket};
use crate::auth::{Caller, Role};

/// The SQL condition selecting the tickets `caller` may read.
///
/// Residents: tickets they reported or follow (after a merge). Department staff: tickets
/// dispatched to their department. District admins: their district. Operators, city admins
/// and the system: everything. Anonymous callers: nothing.
pub(crate) fn visibility(caller: &Caller) -> Condition {
    let nothing = Condition::all().add(Expr::val(1).eq(0));
    match caller {
        Caller::System => Condition::all(),
        Caller::Anonymous => nothing,
        Caller::User { subject, role, district, department, .. } => match role {
            Role::Operator | Role::CityAdmin => Condition::all(),
            Role::DistrictAdmin => match district {
                Some(district) => Condition::all().add(ticket::Column::DistrictId.eq(district.0)),
                None => nothing,
            },
            Role::DepartmentStaff => match department {
                Some(department) => Condition::all().add(ticket::Column::DepartmentId.eq(department.0)),
                None => nothing,
            },
            Role::Resident => Condition::any().add(ticket::Column::ReporterSubject.eq(subject.as_str())).add(
                ticket::Column::Id.in_subquery(
                    Query::select()
                        .column(ticket_follower::Column::TicketId)
                        .from(ticket_follower::Entity)
                        .and_where(ticket_follower::Column::Subject.eq(subject.as_str()))
                        .to_owned(),
                ),
            ),
        },
    }
}

/// Operators (city-wide intake), city admins, the district's admin and the system.
pub(crate) fn may_dispatch(caller: &Caller, ticket: &Ticket) -> Result<(), TicketError> {
    let allowed = caller.is_city_wide() || is_district_admin_of(caller, ticket);
    allowed.then_some(()).ok_or(TicketError::Forbidden)
}

/// The assigned department's staff and the district's admin.
pub(crate) fn may_work(caller: &Caller, ticket: &Ticket) -> Result<(), TicketError> {
    let allowed = is_assigned_staff(caller, ticket) || is_district_admin_of(caller, ticket);
    allowed.then_some(()).ok_or(TicketError::Forbidden)
}

/// Dispatchers, and the assigned department (which knows best where the ticket belongs).
pub(crate) fn may_redirect(caller: &Caller, ticket: &Ticket) -> Result<(), TicketError> {
    may_dispatch(caller, ticket).or_else(|_| may_work(caller, ticket))
}

/// The reporter; an operator rates for a reporter without an account (assisted channels).
pub(crate) fn may_rate(caller: &Caller, ticket: &Ticket) -> Result<(), TicketError> {
    let is_reporter = ticket.reporter_subject.is_some() && caller.subject() == ticket.reporter_subject.as_deref();
    let on_behalf = ticket.reporter_subject.is_none() && caller.is(Role::Operator);
    (is_reporter || on_behalf).then_some(()).ok_or(TicketError::Forbidden)
}

fn is_district_admin_of(caller: &Caller, ticket: &Ticket) -> bool {
    caller.is(Role::DistrictAdmin) && caller.district() == Some(ticket.district_id)
}

fn is_assigned_staff(caller: &Caller, ticket: &Ticket) -> bool {
    caller.is(Role::DepartmentStaff) && ticket.department_id.is_some() && caller.department() == ticket.department_id
}

/// Whether `caller` sees the reporter's contact details in full: the operator who took the
/// ticket, the assigned department, the district's admin, and the reporter themself.
pub fn contact_visible_to(caller: &Caller, ticket: &Ticket) -> bool {
    let took_it = caller.is(Role::Operator)
        && ticket.intake_subject.is_some()
        && caller.subject() == ticket.intake_subject.as_deref();
    let is_reporter = ticket.reporter_subject.is_some() && caller.subject() == ticket.reporter_subject.as_deref();
    took_it || is_reporter || is_assigned_staff(caller, ticket) || is_district_admin_of(caller, ticket)
}

/// The contact details as `caller` may see them: in full, or masked.
pub fn contact_for(caller: &Caller, ticket: &Ticket) -> Contact {
    if contact_visible_to(caller, ticket) {
        return ticket.contact.clone();
    }
    Contact {
        name: ticket.contact.name.as_deref().map(mask_name),
        phone: ticket.contact.phone.as_deref().map(mask_phone),
        email: ticket.contact.email.as_deref().map(mask_email),
        language: ticket.contact.language,
    }
}

/// A phone number with at most half its digits visible, split between its start and its end:
/// `13812345678` → `138******78`, `62345678` → `62****78`, `110` → `1**`.
pub fn mask_phone(phone: &str) -> String {
    let digits: Vec<char> = phone.chars().filter(char::is_ascii_digit).collect();
    let visible = digits.len() / 2;
    let head = visible.div_ceil(2);
    let tail = visible - head;
    digits
        .iter()
        .enumerate()
        .map(|(index, digit)| if index < head || index >= digits.len() - tail { *digit } else { '*' })
        .collect()
}

/// A name with one character visible at most, and never a whole name: `张三丰` → `张**`,
/// `Jane Doe` → `J*******`, `张` → `*`.
pub fn mask_name(name: &str) -> String {
    let count = name.chars().count();
    match name.chars().next() {
        Some(first) if count >= 2 => std::iter::once(first).chain(std::iter::repeat_n('*', count - 1)).collect(),
        _ => "*".repeat(count.max(1)),
    }
}

/// `jane.doe@example.org` → `j***@example.org`.
pub fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first = local.chars().next().map(String::from).unwrap_or_default();
            format!("{first}***@{domain}")
        }
        None => "***".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_contact_details() {
        assert_eq!(mask_phone("13812345678"), "138******78");
        assert_eq!(mask_phone("62345678"), "62****78");
        assert_eq!(mask_phone("+86 138 1234 5678"), "861*******678");
        assert_eq!(mask_phone("12345"), "1***5");
        assert_eq!(mask_phone("110"), "1**");
        assert_eq!(mask_name("张三丰"), "张**");
        assert_eq!(mask_name("张"), "*");
        assert_eq!(mask_name("Jane Doe"), "J*******");
        assert_eq!(mask_email("jane.doe@example.org"), "j***@example.org");
        assert_eq!(mask_email("nonsense"), "***");
    }

    #[test]
    fn at_most_half_the_digits_of_any_number_are_visible() {
        for length in 1..=20 {
            let number: String = (0..length).map(|index| char::from(b'0' + (index % 10) as u8)).collect();
            let visible = mask_phone(&number).chars().filter(char::is_ascii_digit).count();
            assert!(visible * 2 <= length, "{number}: {visible} of {length} visible");
        }
    }

    #[test]
    fn contact_debug_never_prints_values() {
        let contact =
            Contact { name: Some("Jane".into()), phone: Some("13812345678".into()), email: None, language: None };
        let printed = format!("{contact:?}");
        assert!(!printed.contains("Jane") && !printed.contains("1381"), "{printed}");
    }
}
