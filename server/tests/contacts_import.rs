//! CSV import over HTTP on SQLite and PostgreSQL: separators, BOM, header names, upserts,
//! per-line rejects, duplicates within a file, fatal errors that keep nothing, progress events,
//! the import history and tenant isolation.

mod common;

use common::{error_code, spawn_app, TestUser};
use reqwest::StatusCode;
use serde_json::{json, Value};
use shared::ServerEvent;

const IMPORT: &str = "/api/v1/contacts/import";

async fn import(user: &TestUser, query: &str, csv: impl Into<Vec<u8>>) -> (StatusCode, Value) {
    let response = user.session.upload(&format!("{IMPORT}{query}"), "text/csv", csv.into()).await;
    let status = response.status();
    (status, response.json().await.unwrap())
}

async fn contacts(user: &TestUser, query: &str) -> Vec<Value> {
    let page: Value =
        user.session.get(&format!("/api/v1/contacts?limit=200{query}")).await.json().await.unwrap();
    page["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_brazilian_excel_file_imports_with_semicolons_bom_and_portuguese_headers() {
    let app = spawn_app().await;
    let user = app.verified_user("Acme").await;
    let csv = "\u{feff}Telefone;Nome;E-mail;Etiquetas;Cidade\r\n\
               (11) 98765-4321;Ana Lima;ana@example.com;vip, sp;São Paulo\r\n\
               21 99876-5432;João;;rj;Rio\r\n";
    let (status, summary) = import(&user, "?tags=fair-2026", csv).await;
    assert_eq!(status, StatusCode::OK, "{summary}");
    assert_eq!(summary["lines"], 2);
    assert_eq!(summary["imported"], 2);
    assert_eq!(summary["updated"], 0);
    assert_eq!(summary["rejected"], json!([]));

    let list = contacts(&user, "&sort=name").await;
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["name"], "Ana Lima");
    assert_eq!(list[0]["phone"], "+5511987654321");
    assert_eq!(list[0]["email"], "ana@example.com");
    assert_eq!(list[0]["tags"], json!(["fair-2026", "sp", "vip"]));
    assert_eq!(list[0]["attributes"], json!({"cidade": "São Paulo"}));
    assert_eq!(list[1]["name"], "João");
    assert_eq!(list[1]["phone"], "+5521998765432");
}

#[tokio::test]
async fn bad_lines_are_reported_with_their_line_and_the_rest_is_kept() {
    let app = spawn_app().await;
    let user = app.verified_user("Acme").await;
    let csv = "phone,name,email,opted_out\n\
               11987650001,Ok One,,\n\
               12,Too Short,,\n\
               11987650002,Bad Mail,not-an-email,\n\
               \"11 98765-0001\",Same As Line 2,,\n\
               11987650003,\"Quoted, with comma\",,yes\n\
               \n\
               11987650004,Bad Flag,,maybe\n\
               11987650005,\"Two\nLines\",,\n\
               11987650006,After Two Lines,,nah";
    let (status, summary) = import(&user, "", csv).await;
    assert_eq!(status, StatusCode::OK, "{summary}");
    assert_eq!(summary["lines"], 8);
    assert_eq!(summary["imported"], 2);
    assert_eq!(summary["rejected_count"], 6);
    let rejected = summary["rejected"].as_array().unwrap();
    let lines: Vec<u64> = rejected.iter().map(|r| r["line"].as_u64().unwrap()).collect();
    // Line 7 is blank; the quoted name on line 9 spans two lines (and a name may not);
    // the file ends without a newline.
    assert_eq!(lines, [3, 4, 5, 8, 9, 11]);
    assert!(rejected[4]["reason"].as_str().unwrap().contains("line breaks"));
    assert!(rejected[0]["reason"].as_str().unwrap().contains("not a valid phone number"));
    assert!(rejected[1]["reason"].as_str().unwrap().contains("email"));
    assert!(rejected[2]["reason"].as_str().unwrap().contains("already on line 2"));
    assert!(rejected[3]["reason"].as_str().unwrap().contains("yes or no"));

    let opted_out = contacts(&user, "&opted_out=true").await;
    assert_eq!(opted_out.len(), 1);
    assert_eq!(opted_out[0]["name"], "Quoted, with comma");
    assert_eq!(opted_out[0]["opted_out_via"], "import");
}

#[tokio::test]
async fn importing_again_updates_by_phone_without_erasing_or_opting_back_in() {
    let app = spawn_app().await;
    let user = app.verified_user("Acme").await;
    let created = user
        .session
        .post(
            "/api/v1/contacts",
            json!({"phone": "11987650001", "name": "Ana", "email": "ana@example.com",
                   "tags": ["old"], "attributes": {"plan": "gold", "city": "SP"}, "opted_out": true}),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let csv = "phone,name,email,tags,plan,opted_out\n+5511987650001,,,new,silver,no\n11987650002,Bia,,,,\n";
    let (status, summary) = import(&user, "", csv).await;
    assert_eq!(status, StatusCode::OK, "{summary}");
    assert_eq!((summary["imported"].as_u64(), summary["updated"].as_u64()), (Some(1), Some(1)));

    let ana = contacts(&user, "&q=ana").await.remove(0);
    assert_eq!(ana["name"], "Ana", "an empty cell keeps the stored name");
    assert_eq!(ana["email"], "ana@example.com");
    assert_eq!(ana["tags"], json!(["new", "old"]), "tags are added");
    assert_eq!(ana["attributes"], json!({"plan": "silver", "city": "SP"}));
    assert_eq!(ana["opted_out"], true, "an import never opts a contact back in");
}

#[tokio::test]
async fn typed_fields_check_imported_values_and_mapping_overrides_headers() {
    let app = spawn_app().await;
    let user = app.verified_user("Acme").await;
    for field in [
        json!({"key": "birthday", "label": "Birthday", "kind": "date"}),
        json!({"key": "spend", "label": "Spend", "kind": "number"}),
        json!({"key": "tier", "label": "Tier", "kind": "choice", "options": ["Gold", "Silver"]}),
    ] {
        let response = user.session.post("/api/v1/contact-fields", field).await;
        assert_eq!(response.status(), StatusCode::CREATED);
    }
    let csv = "Celular;Nascimento;Gasto;Nível;Lixo\n\
               11987650001;31/03/1990;1.234,50;gold;x\n\
               11987650002;31/02/1990;10;silver;x\n\
               11987650003;;abc;;x\n\
               11987650004;;;bronze;x\n";
    let mapping = json!({"Nascimento": "birthday", "Gasto": "spend", "Nível": "tier", "Lixo": ""});
    let query = format!("?mapping={}", urlencode(&mapping.to_string()));
    let (status, summary) = import(&user, &query, csv).await;
    assert_eq!(status, StatusCode::OK, "{summary}");
    assert_eq!(summary["imported"], 1);
    let reasons: Vec<&str> = summary["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["reason"].as_str().unwrap())
        .collect();
    assert!(reasons[0].contains("Birthday must be a date"), "{reasons:?}");
    assert!(reasons[1].contains("Spend must be a number"), "{reasons:?}");
    assert!(reasons[2].contains("Tier must be one of: Gold, Silver"), "{reasons:?}");
    let ana = contacts(&user, "").await.remove(0);
    assert_eq!(
        ana["attributes"],
        json!({"birthday": "1990-03-31", "spend": 1234.5, "tier": "Gold"})
    );

    let (status, body) = import(&user, "?mapping=%7Bnot-json", csv).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["field"], "mapping");
}

fn urlencode(raw: &str) -> String {
    raw.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn fatal_errors_import_nothing_and_say_why() {
    let app = spawn_app().await;
    let user = app.verified_user("Acme").await;
    // Latin-1 "João" on the third line: the first data line would be fine, but nothing is kept.
    let mut latin1 = b"phone,name\n11987650001,Ana\n11987650002,Jo".to_vec();
    latin1.extend([0xE3, b'o', b'\n']);
    let (status, body) = import(&user, "", latin1).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["code"], "invalid_csv");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("Line 3") && message.contains("UTF-8"), "{message}");
    assert!(contacts(&user, "").await.is_empty(), "nothing half-imported");

    let (status, body) = import(&user, "", "name,email\nAna,ana@example.com\n").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["error"]["message"].as_str().unwrap().contains("No phone column"));

    let (status, body) = import(&user, "", "").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["error"]["message"].as_str().unwrap().contains("empty"));

    let json = user.session.upload(IMPORT, "application/json", "{}").await;
    assert_eq!(json.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(error_code(json).await, "unsupported_media_type");

    // The failures are in the history, with their reason.
    let history: Value = user.session.get("/api/v1/contacts/imports").await.json().await.unwrap();
    let statuses: Vec<&str> =
        history.as_array().unwrap().iter().map(|i| i["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["failed", "failed", "failed"]);
    assert!(history[2]["error"].as_str().unwrap().contains("UTF-8"));
}

#[tokio::test]
async fn a_large_file_streams_in_with_progress_events() {
    let app = spawn_app().await;
    let user = app.verified_user("Acme").await;
    let mut events = app.state.events.subscribe(user.company_id);
    let rows = 12_000u64;
    let mut csv = String::from("phone,name,tags,score\n");
    for n in 0..rows {
        csv.push_str(&format!(
            "+55119{:08},Person {n},batch-{},{}\n",
            10_000_000 + n,
            n % 3,
            n % 100
        ));
    }
    let import_id = uuid::Uuid::now_v7();
    let (status, summary) =
        import(&user, &format!("?import_id={import_id}&filename=big.csv"), csv).await;
    assert_eq!(status, StatusCode::OK, "{summary}");
    assert_eq!(summary["imported"], rows);
    assert_eq!(summary["import_id"], import_id.to_string());

    let count: Value = user.session.get("/api/v1/contacts/count").await.json().await.unwrap();
    assert_eq!(count["count"], rows);
    let tagged: Value =
        user.session.get("/api/v1/contacts/count?tag=batch-1").await.json().await.unwrap();
    assert_eq!(tagged["count"], rows / 3);

    let mut progress = Vec::new();
    while let Ok(event) = events.try_recv() {
        if let ServerEvent::ContactsImportProgress { import_id: id, lines, done, .. } = &*event {
            assert_eq!(*id, import_id);
            progress.push((*lines, *done));
        }
    }
    assert_eq!(progress.last(), Some(&(rows, true)));
    assert!(progress.len() >= 3, "intermediate progress: {progress:?}");

    let history: Value = user.session.get("/api/v1/contacts/imports").await.json().await.unwrap();
    assert_eq!(history[0]["id"], import_id.to_string());
    assert_eq!(history[0]["filename"], "big.csv");
    assert_eq!(history[0]["imported"], rows);

    // Reusing the id is refused, and keeps nothing.
    let (status, _) =
        import(&user, &format!("?import_id={import_id}"), "phone\n11987650001\n").await;
    assert_eq!(status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn imports_stay_inside_the_company() {
    let app = spawn_app().await;
    let acme = app.verified_user("Acme").await;
    let other = app.verified_user("Other").await;
    let (status, _) = import(&acme, "", "phone,name\n11987650001,Acme's Ana\n").await;
    assert_eq!(status, StatusCode::OK);
    // The same phone in another company is a new contact there, not an update of Acme's.
    let (status, summary) = import(&other, "", "phone,name\n11987650001,Other's Ana\n").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(summary["imported"], 1);
    assert_eq!(contacts(&acme, "").await[0]["name"], "Acme's Ana");
    let history: Value = other.session.get("/api/v1/contacts/imports").await.json().await.unwrap();
    assert_eq!(history.as_array().unwrap().len(), 1);
}
