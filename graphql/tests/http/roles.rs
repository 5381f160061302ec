//! The eight callers of the tenancy matrices, against district 0 ("own") and district 1, and
//! the outcomes a matrix expects.

use crate::support::{TestServer, Who};

/// A = allowed, F = FORBIDDEN, N = NOT_FOUND, U = UNAUTHENTICATED.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Outcome {
    A,
    F,
    N,
    U,
}

/// Every caller of a matrix row, in its columns' order.
pub const ROLES: [&str; 8] = [
    "anonymous",
    "resident",
    "resident elsewhere",
    "operator",
    "staff",
    "own district admin",
    "other district admin",
    "city admin",
];

/// The caller named `role` (`None`: no token).
pub fn who(server: &TestServer, role: &str) -> Option<Who> {
    let (own, other) = (0, 1);
    Some(match role {
        "anonymous" => return None,
        "resident" => Who::new("resident", "res-own").in_district(server.district_id(own)),
        "resident elsewhere" => Who::new("resident", "res-other").in_district(server.district_id(other)),
        "operator" => Who::new("operator", "op-9"),
        "staff" => Who::new("department_staff", "staff-a")
            .in_district(server.district_id(own))
            .in_department(server.department_id(own, 0)),
        "own district admin" => Who::new("district_admin", "admin-a").in_district(server.district_id(own)),
        "other district admin" => Who::new("district_admin", "admin-b").in_district(server.district_id(other)),
        "city admin" => Who::new("city_admin", "mayor"),
        other => panic!("unknown role {other}"),
    })
}

/// The outcome a GraphQL response's first error code stands for.
pub fn outcome_of(code: Option<&str>) -> Option<Outcome> {
    match code {
        None => Some(Outcome::A),
        Some("UNAUTHENTICATED") => Some(Outcome::U),
        Some("FORBIDDEN") => Some(Outcome::F),
        Some("NOT_FOUND") => Some(Outcome::N),
        Some(_) => None,
    }
}

/// What `GET url` answers `who` (with their bearer token), and the body.
pub async fn download(server: &TestServer, url: String, who: Option<&Who>) -> (Outcome, String) {
    let mut get = server.http.get(url);
    if let Some(who) = who {
        get = get.bearer_auth(who.token());
    }
    let response = get.send().await.expect("download");
    let status = response.status().as_u16();
    let body = response.text().await.expect("body");
    let outcome = match status {
        200 => Outcome::A,
        401 => Outcome::U,
        403 => Outcome::F,
        404 => Outcome::N,
        other => panic!("the download answered {other}: {body}"),
    };
    (outcome, body)
}
