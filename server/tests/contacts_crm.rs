//! The rest of the CRM over HTTP on SQLite and PostgreSQL: typed custom fields, segments with
//! attribute conditions and live counts, bulk actions, the tag manager, sorting, GDPR erase.

mod common;

use common::{error_code, spawn_app, TestUser};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn create(user: &TestUser, body: Value) -> Value {
    let response = user.session.post("/api/v1/contacts", body).await;
    assert_eq!(response.status(), StatusCode::CREATED, "{}", response.text().await.unwrap());
    response.json().await.unwrap()
}

async fn names(user: &TestUser, query: &str) -> Vec<String> {
    let page: Value =
        user.session.get(&format!("/api/v1/contacts?{query}")).await.json().await.unwrap();
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_owned())
        .collect()
}

async fn seed(user: &TestUser) {
    for field in [
        json!({"key": "spend", "label": "Spend", "kind": "number"}),
        json!({"key": "birthday", "label": "Birthday", "kind": "date"}),
        json!({"key": "vip", "label": "VIP", "kind": "boolean"}),
        json!({"key": "tier", "label": "Tier", "kind": "choice", "options": ["Gold", "Silver"]}),
    ] {
        let response = user.session.post("/api/v1/contact-fields", field).await;
        assert_eq!(response.status(), StatusCode::CREATED, "{}", response.text().await.unwrap());
    }
    for (phone, name, tags, attributes, opted_out) in [
        (
            "11987650001",
            "Ana",
            json!(["sp", "lead"]),
            json!({"spend": "1.500,00", "tier": "gold", "vip": "sim", "birthday": "01/02/1990"}),
            false,
        ),
        (
            "11987650002",
            "Bia",
            json!(["sp"]),
            json!({"spend": 90, "tier": "Silver", "vip": false}),
            false,
        ),
        (
            "11987650003",
            "Caio",
            json!(["rj", "lead"]),
            json!({"spend": 700, "birthday": "1985-12-24"}),
            false,
        ),
        (
            "11987650004",
            "Duda",
            json!(["sp", "lead"]),
            json!({"spend": 5000, "tier": "Gold"}),
            true,
        ),
    ] {
        create(user, json!({"phone": phone, "name": name, "tags": tags, "attributes": attributes, "opted_out": opted_out})).await;
    }
}

#[tokio::test]
async fn custom_fields_type_the_attributes_and_only_admins_define_them() {
    let app = spawn_app().await;
    let owner = app.verified_user("Acme").await;
    seed(&owner).await;
    let fields: Value = owner.session.get("/api/v1/contact-fields").await.json().await.unwrap();
    let labels: Vec<&str> =
        fields.as_array().unwrap().iter().map(|f| f["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["Birthday", "Spend", "Tier", "VIP"]);

    let ana: Value = owner.session.get("/api/v1/contacts?q=ana").await.json().await.unwrap();
    assert_eq!(
        ana["items"][0]["attributes"],
        json!({"spend": 1500, "tier": "Gold", "vip": true, "birthday": "1990-02-01"})
    );
    let bad = owner
        .session
        .post("/api/v1/contacts", json!({"phone": "11987650009", "attributes": {"tier": "Bronze"}}))
        .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let body: Value = bad.json().await.unwrap();
    assert_eq!(body["error"]["field"], "attributes");
    assert!(body["error"]["message"].as_str().unwrap().contains("Gold, Silver"));

    for (field, expected) in [
        (json!({"key": "spend", "label": "Again", "kind": "text"}), "conflict"),
        (json!({"key": "Bad Key", "label": "x", "kind": "text"}), "validation_failed"),
        (json!({"key": "phone", "label": "x", "kind": "text"}), "validation_failed"),
        (json!({"key": "color", "label": "Color", "kind": "choice"}), "validation_failed"),
    ] {
        let response = owner.session.post("/api/v1/contact-fields", field.clone()).await;
        assert_eq!(error_code(response).await, expected, "{field}");
    }
    let agent = app.add_member(&owner, "agent").await;
    let forbidden = agent
        .session
        .post("/api/v1/contact-fields", json!({"key": "x", "label": "X", "kind": "text"}))
        .await;
    assert_eq!(forbidden.status(), StatusCode::FORBIDDEN);

    // Options can change (the key and kind cannot); deleting a field keeps the values.
    let tier = fields.as_array().unwrap().iter().find(|f| f["key"] == "tier").unwrap();
    let path = format!("/api/v1/contact-fields/{}", tier["id"].as_str().unwrap());
    let updated: Value = owner
        .session
        .patch(&path, json!({"label": "Level", "options": ["Gold", "Silver", "Bronze"]}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(updated["options"], json!(["Gold", "Silver", "Bronze"]));
    assert_eq!(owner.session.delete(&path).await.status(), StatusCode::NO_CONTENT);
    let ana: Value = owner.session.get("/api/v1/contacts?q=ana").await.json().await.unwrap();
    assert_eq!(ana["items"][0]["attributes"]["tier"], "Gold");
}

#[tokio::test]
async fn segments_combine_tags_and_typed_conditions_and_never_hold_opted_out_contacts() {
    let app = spawn_app().await;
    let user = app.verified_user("Acme").await;
    seed(&user).await;
    let preview = |filter: Value| {
        let session = user.session.clone();
        async move {
            let response = session.post("/api/v1/segments/preview", filter).await;
            let status = response.status();
            let body: Value = response.json().await.unwrap();
            (status, body)
        }
    };
    let count = |body: Value| body["count"].as_u64().unwrap();
    assert_eq!(count(preview(json!({})).await.1), 3, "Duda opted out");
    assert_eq!(count(preview(json!({"tags_all": ["sp", "lead"]})).await.1), 1);
    assert_eq!(count(preview(json!({"tags_any": ["rj", "sp"]})).await.1), 3);
    assert_eq!(count(preview(json!({"tags_none": ["lead"]})).await.1), 1);
    let condition = |field: &str, op: &str, value: Value| json!({"conditions": [{"field": field, "op": op, "value": value}]});
    assert_eq!(count(preview(condition("spend", "gte", json!(700))).await.1), 2);
    assert_eq!(count(preview(condition("spend", "lt", json!("1.000,00"))).await.1), 2);
    assert_eq!(count(preview(condition("tier", "eq", json!("gold"))).await.1), 1);
    assert_eq!(count(preview(condition("tier", "ne", json!("Gold"))).await.1), 2);
    assert_eq!(count(preview(condition("vip", "eq", json!(true))).await.1), 1);
    assert_eq!(count(preview(condition("birthday", "lt", json!("01/01/1989"))).await.1), 1);
    assert_eq!(
        count(preview(json!({"conditions": [{"field": "birthday", "op": "is_set"}]})).await.1),
        2
    );
    let (status, body) = preview(condition("tier", "gt", json!("Gold"))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["field"], "filter.conditions[0]");

    let created = user
        .session
        .post(
            "/api/v1/segments",
            json!({"name": "Big spenders", "filter": condition("spend", "gt", json!(500))}),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let segment: Value = created.json().await.unwrap();
    assert_eq!(segment["contact_count"], 2);
    let id = segment["id"].as_str().unwrap();
    let mut members = names(&user, &format!("segment_id={id}&sort=name")).await;
    members.sort();
    assert_eq!(members, ["Ana", "Caio"]);

    // The count is live: a new big spender shows up at once.
    create(&user, json!({"phone": "11987650005", "name": "Eva", "attributes": {"spend": 900}}))
        .await;
    let listed: Value = user.session.get("/api/v1/segments").await.json().await.unwrap();
    assert_eq!(listed[0]["contact_count"], 3);

    let duplicate = user.session.post("/api/v1/segments", json!({"name": "Big spenders"})).await;
    assert_eq!(error_code(duplicate).await, "conflict");
    let renamed =
        user.session.patch(&format!("/api/v1/segments/{id}"), json!({"name": "VIPs"})).await;
    assert_eq!(renamed.status(), StatusCode::OK);
    assert_eq!(
        user.session.delete(&format!("/api/v1/segments/{id}")).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        user.session.get(&format!("/api/v1/segments/{id}")).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn lists_sort_by_name_with_a_stable_cursor_and_filter_by_json() {
    let app = spawn_app().await;
    let user = app.verified_user("Acme").await;
    for (n, name) in ["Caio", "ana", "Bia", "Ana", "Duda"].iter().enumerate() {
        create(&user, json!({"phone": format!("1198765000{n}"), "name": name})).await;
    }
    let first: Value =
        user.session.get("/api/v1/contacts?sort=name&limit=2").await.json().await.unwrap();
    let cursor = first["next_cursor"].as_str().unwrap();
    let second: Value = user
        .session
        .get(&format!("/api/v1/contacts?sort=name&limit=10&cursor={}", urlencoding(cursor)))
        .await
        .json()
        .await
        .unwrap();
    let mut all: Vec<&str> =
        first["items"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    all.extend(second["items"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()));
    assert_eq!(all.len(), 5);
    let mut sorted = all.clone();
    sorted.sort();
    assert_eq!(all, sorted, "byte order of names, ties by id");
    assert_eq!(names(&user, "sort=oldest").await, ["Caio", "ana", "Bia", "Ana", "Duda"]);

    let bad = user.session.get("/api/v1/contacts?filter=%7Bnope").await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let bad_sort = user.session.get("/api/v1/contacts?sort=sideways").await;
    assert_eq!(bad_sort.status(), StatusCode::BAD_REQUEST);
}

fn urlencoding(raw: &str) -> String {
    raw.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' => (b as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn bulk_actions_apply_to_ids_or_a_filter() {
    let app = spawn_app().await;
    let owner = app.verified_user("Acme").await;
    seed(&owner).await;
    let all: Value = owner.session.get("/api/v1/contacts?sort=name").await.json().await.unwrap();
    let ids: Vec<Value> =
        all["items"].as_array().unwrap().iter().map(|c| c["id"].clone()).collect();

    let tagged: Value = owner
        .session
        .post("/api/v1/contacts/bulk", json!({"selection": {"ids": [ids[0], ids[1]]}, "action": {"type": "add_tags", "tags": ["Promo"]}}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(tagged["affected"], 2);
    assert_eq!(names(&owner, "tag=promo&sort=name").await, ["Ana", "Bia"]);

    let untagged: Value = owner
        .session
        .post("/api/v1/contacts/bulk", json!({"selection": {"filter": {"tag": "sp"}}, "action": {"type": "remove_tags", "tags": ["promo"]}}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(untagged["affected"], 3);
    assert!(names(&owner, "tag=promo").await.is_empty());

    let opted: Value = owner
        .session
        .post(
            "/api/v1/contacts/bulk",
            json!({"selection": {"filter": {"tag": "lead"}}, "action": {"type": "opt_out"}}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(opted["affected"], 2, "Duda was already opted out");

    let agent = app.add_member(&owner, "agent").await;
    let forbidden = agent
        .session
        .post(
            "/api/v1/contacts/bulk",
            json!({"selection": {"ids": [ids[0]]}, "action": {"type": "delete"}}),
        )
        .await;
    assert_eq!(forbidden.status(), StatusCode::FORBIDDEN);
    let deleted: Value = owner
        .session
        .post(
            "/api/v1/contacts/bulk",
            json!({"selection": {"filter": {"tag": "rj"}}, "action": {"type": "delete"}}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(deleted["affected"], 1);
    assert_eq!(names(&owner, "sort=name").await, ["Ana", "Bia", "Duda"]);

    let empty_tags = owner
        .session
        .post(
            "/api/v1/contacts/bulk",
            json!({"selection": {"ids": []}, "action": {"type": "add_tags", "tags": []}}),
        )
        .await;
    assert_eq!(empty_tags.status(), StatusCode::BAD_REQUEST);
    let unknown = owner
        .session
        .post(
            "/api/v1/contacts/bulk",
            json!({"selection": {"ids": []}, "action": {"type": "explode"}}),
        )
        .await;
    assert_eq!(unknown.status(), StatusCode::BAD_REQUEST);

    // Another company's ids are simply not matched.
    let other = app.verified_user("Other").await;
    let foreign: Value = other
        .session
        .post(
            "/api/v1/contacts/bulk",
            json!({"selection": {"ids": ids}, "action": {"type": "opt_out"}}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(foreign["affected"], 0);
}

#[tokio::test]
async fn the_tag_manager_counts_renames_merges_and_removes() {
    let app = spawn_app().await;
    let user = app.verified_user("Acme").await;
    seed(&user).await;
    let tags: Value = user.session.get("/api/v1/contact-tags").await.json().await.unwrap();
    assert_eq!(
        tags,
        json!([{"tag": "lead", "count": 3}, {"tag": "rj", "count": 1}, {"tag": "sp", "count": 3}])
    );

    // Renaming "rj" to "sp" merges: Caio ends up with one "sp".
    let merged = user.session.patch("/api/v1/contact-tags/rj", json!({"name": "SP"})).await;
    assert_eq!(merged.status(), StatusCode::NO_CONTENT);
    let tags: Value = user.session.get("/api/v1/contact-tags").await.json().await.unwrap();
    assert_eq!(tags, json!([{"tag": "lead", "count": 3}, {"tag": "sp", "count": 4}]));

    assert_eq!(
        user.session.delete("/api/v1/contact-tags/lead").await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        user.session.delete("/api/v1/contact-tags/lead").await.status(),
        StatusCode::NOT_FOUND
    );
    let tags: Value = user.session.get("/api/v1/contact-tags").await.json().await.unwrap();
    assert_eq!(tags, json!([{"tag": "sp", "count": 4}]));
}

#[tokio::test]
async fn erase_removes_personal_data_for_good() {
    let app = spawn_app().await;
    let owner = app.verified_user("Acme").await;
    let contact = create(
        &owner,
        json!({"phone": "11987650001", "name": "Ana", "email": "ana@example.com", "tags": ["vip"],
               "attributes": {"city": "SP"}, "notes": "allergic to spam"}),
    )
    .await;
    let id = contact["id"].as_str().unwrap();
    let agent = app.add_member(&owner, "agent").await;
    let forbidden = agent.session.post(&format!("/api/v1/contacts/{id}/erase"), json!({})).await;
    assert_eq!(forbidden.status(), StatusCode::FORBIDDEN);

    let erased = owner.session.post(&format!("/api/v1/contacts/{id}/erase"), json!({})).await;
    assert_eq!(erased.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        owner.session.get(&format!("/api/v1/contacts/{id}")).await.status(),
        StatusCode::NOT_FOUND
    );
    let again = owner.session.post(&format!("/api/v1/contacts/{id}/erase"), json!({})).await;
    assert_eq!(again.status(), StatusCode::NOT_FOUND);

    // Nothing of Ana is left in the database, and the number can be a new contact.
    use sea_orm::EntityTrait;
    let row = server::db::entities::contacts::Entity::find_by_id(id.parse::<uuid::Uuid>().unwrap())
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((row.phone.as_str(), row.name.as_str(), row.search_text.as_str()), ("", "", ""));
    assert_eq!((row.email, row.notes), (None, None));
    assert_eq!(row.attributes, json!({}));
    assert!(row.erased_at.is_some() && row.deleted_at.is_some());
    let tags: Value = owner.session.get("/api/v1/contact-tags").await.json().await.unwrap();
    assert_eq!(tags, json!([]));
    create(&owner, json!({"phone": "11987650001", "name": "Ana again"})).await;
}
