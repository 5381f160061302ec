//! Managing the city's directory over HTTP.

use serde_json::json;

use crate::support::{TestServer, Who};

const NAME: &str = r#"{ en: "Night Patrol", zhHans: "夜间巡逻队", zhHant: "夜間巡邏隊" }"#;

#[tokio::test]
async fn administrators_manage_their_own_part_of_the_directory() {
    let server = TestServer::start().await;
    let city_admin = Who::new("city_admin", "mayor");
    let create_district = r#"mutation { createDistrict(code: "hills", name: { en: "Hills", zhHans: "山区", zhHant: "山區" }, allowAnonymousTickets: true) { id name allowAnonymousTickets } }"#;
    let district = server.ok(Some(&city_admin), create_district, json!({})).await["createDistrict"].clone();
    assert_eq!(district["allowAnonymousTickets"], true);
    let (code, _) = server
        .error(Some(&Who::new("district_admin", "a").in_district(server.district_id(0))), create_district, json!({}))
        .await;
    assert_eq!(code, "FORBIDDEN");

    let own_admin = Who::new("district_admin", "admin-0").in_district(server.district_id(0));
    let department =
        format!(r#"mutation($d: ID!) {{ createDepartment(districtId: $d, name: {NAME}) {{ id name districtId }} }}"#);
    let created = server.ok(Some(&own_admin), &department, json!({ "d": server.district_id(0) })).await;
    assert_eq!(created["createDepartment"]["districtId"], server.district_id(0));
    for (who, expected) in [(&own_admin, "FORBIDDEN"), (&Who::new("resident", "r"), "FORBIDDEN")] {
        let (code, body) = server.error(Some(who), &department, json!({ "d": server.district_id(1) })).await;
        assert_eq!(code, expected, "{body}");
    }
    let street = format!(r#"mutation($d: ID!) {{ createStreet(districtId: $d, name: {NAME}) {{ id }} }}"#);
    server.ok(Some(&own_admin), &street, json!({ "d": server.district_id(0) })).await;
    let streets = server
        .ok(None, "query($d: ID!) { streets(districtId: $d) { name } }", json!({ "d": server.district_id(0) }))
        .await;
    assert_eq!(streets["streets"].as_array().map(Vec::len), Some(3));

    let category = format!(
        r#"mutation($d: ID!, $dep: ID, $r: Int!) {{ createCategory(districtId: $d, name: {NAME}, respondWithinHours: $r, resolveWithinHours: 48, defaultDepartmentId: $dep) {{ id respondWithinHours defaultDepartmentId }} }}"#
    );
    let dep = created["createDepartment"]["id"].clone();
    let made = server.ok(Some(&own_admin), &category, json!({ "d": server.district_id(0), "dep": dep, "r": 2 })).await;
    assert_eq!(made["createCategory"]["defaultDepartmentId"], dep);
    let (code, body) =
        server.error(Some(&own_admin), &category, json!({ "d": server.district_id(0), "dep": null, "r": 0 })).await;
    assert_eq!(
        (code.as_str(), &body["errors"][0]["extensions"]["field"]),
        ("BAD_USER_INPUT", &json!("respondWithinHours"))
    );
    let foreign_department = server.department_id(1, 0);
    let (code, body) = server
        .error(Some(&own_admin), &category, json!({ "d": server.district_id(0), "dep": foreign_department, "r": 2 }))
        .await;
    assert_eq!(
        (code.as_str(), &body["errors"][0]["extensions"]["field"]),
        ("BAD_USER_INPUT", &json!("defaultDepartmentId"))
    );
}

#[tokio::test]
async fn the_audit_log_shows_a_districts_admins_who_changed_what_and_no_one_else() {
    let server = TestServer::start().await;
    let own_admin = Who::new("district_admin", "admin-0").in_district(server.district_id(0));
    let department = format!(r#"mutation($d: ID!) {{ createDepartment(districtId: $d, name: {NAME}) {{ id }} }}"#);
    let created = server.ok(Some(&own_admin), &department, json!({ "d": server.district_id(0) })).await;
    let log = "query($d: ID, $after: String) { auditLog(districtId: $d, first: 2, after: $after) { edges { cursor node { action subject actorSubject actorRole districtId before after } } pageInfo { hasNextPage endCursor } } }";
    let page = server.ok(Some(&own_admin), log, json!({ "d": server.district_id(0) })).await;
    let newest = &page["auditLog"]["edges"][0]["node"];
    assert_eq!(newest["action"], "department.created");
    assert_eq!(newest["subject"], created["createDepartment"]["id"]);
    assert_eq!((&newest["actorSubject"], &newest["actorRole"]), (&json!("admin-0"), &json!("district_admin")));
    let after: serde_json::Value = serde_json::from_str(newest["after"].as_str().expect("after")).expect("json");
    assert_eq!(after["name"]["en"], "Night Patrol");
    assert_eq!(page["auditLog"]["pageInfo"]["hasNextPage"], true);
    let cursor = page["auditLog"]["pageInfo"]["endCursor"].clone();
    let next = server.ok(Some(&own_admin), log, json!({ "d": server.district_id(0), "after": cursor })).await;
    assert_ne!(next["auditLog"]["edges"][0]["node"], page["auditLog"]["edges"][0]["node"]);

    for (who, district, expected) in [
        (Some(&own_admin), json!(server.district_id(1)), "FORBIDDEN"),
        (Some(&own_admin), json!(null), "FORBIDDEN"),
        (None, json!(server.district_id(0)), "UNAUTHENTICATED"),
    ] {
        let (code, body) = server.error(who, log, json!({ "d": district })).await;
        assert_eq!(code, expected, "{body}");
    }
    let staff =
        Who::new("department_staff", "s").in_district(server.district_id(0)).in_department(server.department_id(0, 0));
    let (code, _) = server.error(Some(&staff), log, json!({ "d": server.district_id(0) })).await;
    assert_eq!(code, "FORBIDDEN");
    let (code, body) = server.error(Some(&own_admin), log, json!({ "d": "dep_1" })).await;
    assert_eq!((code.as_str(), &body["errors"][0]["extensions"]["field"]), ("BAD_USER_INPUT", &json!("districtId")));
    let mayor = Who::new("city_admin", "mayor");
    let city_wide = server.ok(Some(&mayor), log, json!({ "d": null })).await;
    assert_eq!(city_wide["auditLog"]["edges"][0]["node"]["action"], "district.created");
}
