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
