//! Contacts over HTTP on SQLite and PostgreSQL: phone normalisation, uniqueness, search, tags,
//! pagination, opt-out, soft delete, tenant isolation.

mod common;

use common::{error_code, spawn_app};
use reqwest::StatusCode;
use serde_json::{json, Value};

#[tokio::test]
async fn create_normalises_the_phone_and_rejects_duplicates() {
    let app = spawn_app().await;
    let user = app.verified_user("Acme").await;
    let created = user
        .session
        .post(
            "/api/v1/contacts",
            json!({"phone": "(11) 98765-4321", "name": " Ana Lima ", "email": "Ana@Example.com",
                   "tags": ["VIP", "sp", "vip"], "attributes": {"plan": "gold", "seats": 3}}),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let contact: Value = created.json().await.unwrap();
    assert_eq!(contact["phone"], "+5511987654321");
    assert_eq!(contact["name"], "Ana Lima");
    assert_eq!(contact["email"], "ana@example.com");
    assert_eq!(contact["tags"], json!(["sp", "vip"]));
    assert_eq!(contact["attributes"], json!({"plan": "gold", "seats": 3}));
    assert_eq!(contact["opted_out"], false);

    // The same number typed differently is the same contact.
    let duplicate =
        user.session.post("/api/v1/contacts", json!({"phone": "+55 11 98765 4321"})).await;
    assert_eq!(duplicate.status(), StatusCode::CONFLICT);
    let body: Value = duplicate.json().await.unwrap();
    assert_eq!(body["error"]["code"], "contact_exists");
    assert_eq!(body["error"]["field"], "phone");

    let fetched: Value = user
        .session
        .get(&format!("/api/v1/contacts/{}", contact["id"].as_str().unwrap()))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(fetched, contact);
}

#[tokio::test]
async fn bad_input_names_the_field_and_writes_nothing() {
    let app = spawn_app().await;
    let user = app.verified_user("Acme").await;
    let cases = [
        (json!({"phone": "12"}), "phone"),
        (json!({"phone": "call me"}), "phone"),
        (json!({"phone": "11987654321", "email": "nope"}), "email"),
        (json!({"phone": "11987654321", "tags": ["a,b"]}), "tags"),
        (json!({"phone": "11987654321", "attributes": {"Bad Key": 1}}), "attributes"),
        (json!({"phone": "11987654321", "attributes": {"nested": {"a": 1}}}), "attributes"),
    ];
    for (body, field) in cases {
        let response = user.session.post("/api/v1/contacts", body.clone()).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body}");
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["error"]["code"], "validation_failed", "{body}");
        assert_eq!(error["error"]["field"], field, "{body}");
    }
    let missing_phone = user.session.post("/api/v1/contacts", json!({"name": "x"})).await;
    assert_eq!(error_code(missing_phone).await, "invalid_json");
    let list: Value = user.session.get("/api/v1/contacts").await.json().await.unwrap();
    assert!(list["items"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn list_searches_filters_by_tag_and_paginates() {
    let app = spawn_app().await;
    let user = app.verified_user("Acme").await;
    let people = [
        ("11 91111-0001", "Ana Lima", vec!["vip"]),
        ("11 91111-0002", "Bruno Costa", vec!["vip", "sp"]),
        ("21 92222-0003", "Carla Dias", vec!["rj"]),
        ("21 92222-0004", "Daniel 50%_off", vec![]),
    ];
    for (phone, name, tags) in people {
        let r = user
            .session
            .post("/api/v1/contacts", json!({"phone": phone, "name": name, "tags": tags}))
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    let names = |v: &Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let all: Value = user.session.get("/api/v1/contacts").await.json().await.unwrap();
    assert_eq!(
        names(&all),
        ["Daniel 50%_off", "Carla Dias", "Bruno Costa", "Ana Lima"],
        "newest first"
    );

    let by_name: Value = user.session.get("/api/v1/contacts?q=CARLA").await.json().await.unwrap();
    assert_eq!(names(&by_name), ["Carla Dias"]);
    let by_formatted_phone: Value =
        user.session.get("/api/v1/contacts?q=(21)%2092222").await.json().await.unwrap();
    assert_eq!(names(&by_formatted_phone), ["Daniel 50%_off", "Carla Dias"]);
    let wildcard: Value = user.session.get("/api/v1/contacts?q=50%25_").await.json().await.unwrap();
    assert_eq!(names(&wildcard), ["Daniel 50%_off"], "% and _ match literally");
    let vip: Value = user.session.get("/api/v1/contacts?tag=VIP").await.json().await.unwrap();
    assert_eq!(names(&vip), ["Bruno Costa", "Ana Lima"]);
    let vip_bruno: Value =
        user.session.get("/api/v1/contacts?tag=vip&q=bruno").await.json().await.unwrap();
    assert_eq!(names(&vip_bruno), ["Bruno Costa"]);

    let first: Value = user.session.get("/api/v1/contacts?limit=3").await.json().await.unwrap();
    assert_eq!(names(&first).len(), 3);
    let cursor = first["next_cursor"].as_str().unwrap();
    let second: Value = user
        .session
        .get(&format!("/api/v1/contacts?limit=3&cursor={cursor}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(names(&second), ["Ana Lima"]);
    assert!(second["next_cursor"].is_null());
}

#[tokio::test]
async fn update_opt_out_and_soft_delete() {
    let app = spawn_app().await;
    let user = app.verified_user("Acme").await;
    let a: Value = user
        .session
        .post("/api/v1/contacts", json!({"phone": "11987650001", "tags": ["x"]}))
        .await
        .json()
        .await
        .unwrap();
    let b: Value = user
        .session
        .post("/api/v1/contacts", json!({"phone": "11987650002"}))
        .await
        .json()
        .await
        .unwrap();
    let a_path = format!("/api/v1/contacts/{}", a["id"].as_str().unwrap());

    let updated = user
        .session
        .patch(&a_path, json!({"name": "Ana", "email": "ana@example.com", "opted_out": true, "attributes": {"plan": "pro"}}))
        .await;
    assert_eq!(updated.status(), StatusCode::OK);
    let updated: Value = updated.json().await.unwrap();
    assert_eq!(updated["name"], "Ana");
    assert_eq!(updated["opted_out"], true);
    assert_eq!(updated["opted_out_via"], "manual");
    assert!(updated["opted_out_at"].is_string());
    assert_eq!(updated["tags"], json!(["x"]), "absent fields keep their value");
    assert_eq!(updated["phone"], "+5511987650001");

    let cleared: Value = user
        .session
        .patch(&a_path, json!({"email": "", "opted_out": false, "tags": []}))
        .await
        .json()
        .await
        .unwrap();
    assert!(cleared["email"].is_null());
    assert_eq!(cleared["opted_out"], false);
    assert!(cleared["opted_out_at"].is_null());
    assert_eq!(cleared["tags"], json!([]));

    // Taking another contact's number is a conflict.
    let clash = user.session.patch(&a_path, json!({"phone": b["phone"]})).await;
    assert_eq!(clash.status(), StatusCode::CONFLICT);
    assert_eq!(error_code(clash).await, "contact_exists");

    assert_eq!(user.session.delete(&a_path).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(user.session.get(&a_path).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(user.session.delete(&a_path).await.status(), StatusCode::NOT_FOUND);
    // The number is free again.
    let again = user.session.post("/api/v1/contacts", json!({"phone": "+55 11 98765-0001"})).await;
    assert_eq!(again.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn contacts_of_another_company_are_not_found() {
    let app = spawn_app().await;
    let acme = app.verified_user("Acme").await;
    let globex = app.verified_user("Globex").await;
    let contact: Value = acme
        .session
        .post("/api/v1/contacts", json!({"phone": "11987654321", "tags": ["vip"]}))
        .await
        .json()
        .await
        .unwrap();
    let path = format!("/api/v1/contacts/{}", contact["id"].as_str().unwrap());
    assert_eq!(globex.session.get(&path).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        globex.session.patch(&path, json!({"name": "x"})).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(globex.session.delete(&path).await.status(), StatusCode::NOT_FOUND);
    let list: Value = globex.session.get("/api/v1/contacts?tag=vip").await.json().await.unwrap();
    assert!(list["items"].as_array().unwrap().is_empty());
    // The same number may exist in both companies.
    let own = globex.session.post("/api/v1/contacts", json!({"phone": "11987654321"})).await;
    assert_eq!(own.status(), StatusCode::CREATED);
    let untouched: Value = acme.session.get(&path).await.json().await.unwrap();
    assert_eq!(untouched["tags"], json!(["vip"]));
}

#[tokio::test]
async fn export_follows_the_filter_and_names_attribute_columns() {
    let app = spawn_app().await;
    let user = app.verified_user("Acme").await;
    user.session
        .post("/api/v1/contacts", json!({"phone": "11987650001", "name": "Ana, \"A\" Lima", "tags": ["vip", "sp"], "attributes": {"plan": "gold"}}))
        .await;
    user.session
        .post(
            "/api/v1/contacts",
            json!({"phone": "11987650002", "name": "João", "attributes": {"city": "Recife"}}),
        )
        .await;
    user.session.post("/api/v1/contacts", json!({"phone": "11987650003", "name": "Zé"})).await;

    let response = user.session.get("/api/v1/contacts/export?tag=vip").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    assert!(response.headers()["content-disposition"].to_str().unwrap().contains("attachment"));
    let bytes = response.bytes().await.unwrap();
    assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]), "UTF-8 BOM for spreadsheets");
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    let headers: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(
        headers,
        ["phone", "name", "email", "tags", "opted_out", "notes", "created_at", "plan"]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1);
    assert_eq!(&rows[0][0], "+5511987650001");
    assert_eq!(&rows[0][1], "Ana, \"A\" Lima", "quoting survives a round trip");
    assert_eq!(&rows[0][3], "sp, vip");
    assert_eq!(&rows[0][7], "gold");

    let all = user.session.get("/api/v1/contacts/export").await.bytes().await.unwrap();
    let mut reader = csv::Reader::from_reader(&all[3..]);
    let headers: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(&headers[7..], ["city", "plan"]);
    assert_eq!(reader.records().count(), 3);

    // Browsers ask for gzip; the compressed stream must end cleanly (it once panicked when the
    // compression layer polled the finished export again).
    let compressed = user
        .session
        .client
        .get(user.session.url("/api/v1/contacts/export"))
        .header("Accept-Encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(compressed.status(), StatusCode::OK);
    assert_eq!(compressed.headers()["content-encoding"], "gzip");
    let body = compressed.bytes().await.expect("the compressed export ends cleanly");
    assert!(body.starts_with(&[0x1f, 0x8b]), "a gzip stream");
}
