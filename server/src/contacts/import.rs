//! CSV import: a streamed upload becomes upserted contacts, with a reason for every line not taken.
//!
//! The upload is first written to a file under `<data_dir>/imports/` as it arrives (never the
//! whole file in memory, and a slow connection never holds the database). Then two halves run
//! side by side. A blocking thread reads that file, finds the separator, maps the header, and
//! parses each line — phone to E.164, custom fields by their type — into batches. The async half writes each batch with a handful
//! of multi-row statements (one `SELECT ... IN`, one multi-row `INSERT`, one multi-row upsert
//! for changed contacts, one for tags) inside a single transaction, so a fatal error (a file
//! that is not UTF-8, a dropped upload) leaves nothing half-imported.
//!
//! Rules a person can predict: the phone decides which contact a line is (existing contacts are
//! updated, new ones created); empty cells never erase what is stored; tags are added, never
//! removed; an opt-out column can opt a contact out but never back in (only the contact can).

use std::{
    collections::HashMap,
    io::{BufRead, BufReader, Read},
};

use axum::body::Bytes;
use futures::{Stream, StreamExt};
use sea_orm::{
    sea_query::OnConflict, ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction,
    DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};
use serde::Deserialize;
use serde_json::{Map, Value};
use shared::{
    api::{ImportDto, ImportSummary, RejectedLine},
    import::{sniff_delimiter, ColumnTarget as Target},
    ErrorCode, ServerEvent,
};
use tokio::sync::mpsc;
use uuid::Uuid;

use super::{
    domain::{self, normalise_tags},
    fields::{self, FieldSet},
    phone::PhoneE164,
};
use crate::{
    auth::AuthUser,
    db::{
        self,
        entities::{contact_imports, contact_tags, contacts},
        Tenant,
    },
    error::{AppError, AppResult},
    state::AppState,
};

/// The largest upload accepted (about 600,000 typical lines).
pub const MAX_IMPORT_BYTES: usize = 64 * 1024 * 1024;
/// Lines parsed before the writer gets them; also the size of each multi-row statement.
const BATCH: usize = 500;
/// Lines after which PostgreSQL's statistics of `contacts` are refreshed during an import.
const ANALYZE_AT: [u64; 3] = [2_000, 20_000, 200_000];
/// Rejected lines kept in the answer and the import record.
const KEPT_REJECTS: usize = 1000;
/// A progress event every this many lines.
const PROGRESS_EVERY: u64 = 5000;

/// `POST /api/v1/contacts/import` query parameters.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct ImportParams {
    /// JSON object from a header name to what the column holds: `phone`, `name`, `email`,
    /// `tags`, `notes`, `opted_out`, an attribute key, or `""` to skip it. Columns not named
    /// here are recognised by their header (`telefone`, `nome`, `e-mail`, ... work too).
    pub mapping: Option<String>,
    /// Comma-separated tags added to every imported contact (e.g. `fair-2026`).
    pub tags: Option<String>,
    /// Shown in the import history.
    pub filename: Option<String>,
    /// Lets the uploader match `contacts.import_progress` events to its upload (a UUID).
    pub import_id: Option<Uuid>,
}

/// Where each column goes, decided once from the header.
#[derive(Debug, Clone)]
struct ColumnPlan {
    targets: Vec<Target>,
    phone: usize,
}

impl ColumnPlan {
    fn new(headers: &[String], mapping: &HashMap<String, String>) -> Result<ColumnPlan, String> {
        let mut targets = Vec::with_capacity(headers.len());
        for header in headers {
            let target = match mapping.get(header.trim()) {
                Some(named) => {
                    Target::named(named).map_err(|e| format!("Mapping of {header:?}: {e}"))?
                }
                None => Target::guess(header),
            };
            if target != Target::Skip && targets.contains(&target) {
                return Err(format!(
                    "Two columns go to the same place ({header:?} and an earlier one); skip one of them."
                ));
            }
            targets.push(target);
        }
        let phone = targets.iter().position(|t| *t == Target::Phone).ok_or_else(|| {
            "No phone column: name a column \"phone\" (or telefone, celular, whatsapp), or map one.".to_owned()
        })?;
        Ok(ColumnPlan { targets, phone })
    }
}

/// A line that passed every check.
#[derive(Debug, Clone)]
struct ParsedRow {
    phone: String,
    name: Option<String>,
    email: Option<String>,
    tags: Vec<String>,
    notes: Option<String>,
    opt_out: bool,
    attributes: Map<String, Value>,
}

/// Turns CSV records into rows or reasons, remembering phones already seen in the file.
struct RowParser {
    plan: ColumnPlan,
    fields: FieldSet,
    country: String,
    extra_tags: Vec<String>,
    /// Phone → the line that had it first.
    seen: HashMap<String, u64>,
}

impl RowParser {
    fn parse(&mut self, cells: &[&str], line: u64) -> Result<ParsedRow, String> {
        if cells.len() > self.plan.targets.len()
            && cells[self.plan.targets.len()..].iter().any(|c| !c.trim().is_empty())
        {
            return Err(format!(
                "The line has {} columns but the header has {}.",
                cells.len(),
                self.plan.targets.len()
            ));
        }
        let phone_cell = cells.get(self.plan.phone).copied().unwrap_or("");
        let phone = PhoneE164::parse(phone_cell, &self.country, "phone")
            .map_err(|e| e.client_message().unwrap_or("Invalid phone number.").to_owned())?
            .as_str()
            .to_owned();
        let mut row = ParsedRow {
            phone,
            name: None,
            email: None,
            tags: self.extra_tags.clone(),
            notes: None,
            opt_out: false,
            attributes: Map::new(),
        };
        let message = |e: AppError| e.client_message().unwrap_or("Invalid value.").to_owned();
        for (target, cell) in self.plan.targets.iter().zip(cells) {
            let cell = cell.trim();
            if cell.is_empty() {
                continue;
            }
            match target {
                Target::Phone | Target::Skip => {}
                Target::Name => {
                    row.name = Some(domain::optional_name(Some(cell)).map_err(message)?)
                }
                Target::Email => row.email = domain::optional_email(Some(cell)).map_err(message)?,
                Target::Notes => row.notes = domain::optional_notes(Some(cell)).map_err(message)?,
                Target::Tags => {
                    row.tags.extend(cell.split([',', ';', '|']).map(str::to_owned));
                }
                Target::OptedOut => {
                    row.opt_out = fields::parse_bool(cell)
                        .ok_or_else(|| format!("opted_out must be yes or no, not {cell:?}."))?;
                }
                Target::Attribute(key) => {
                    let value = self.fields.coerce(key, &Value::String(cell.to_owned()))?;
                    if !value.is_null() {
                        row.attributes.insert(key.clone(), value);
                    }
                }
            }
        }
        row.tags = normalise_tags(&row.tags).map_err(message)?;
        if let Some(first) = self.seen.get(&row.phone) {
            return Err(format!("The phone number {} is already on line {first}.", row.phone));
        }
        self.seen.insert(row.phone.clone(), line);
        Ok(row)
    }
}

/// The first `line` that is not UTF-8 (with a hint for Excel users).
fn not_utf8(line: u64) -> Fatal {
    Fatal::csv(format!(
        "Line {line} is not UTF-8 text. In Excel choose \"Save as → CSV UTF-8\", or in Google \
         Sheets \"Download → CSV\"; nothing was imported."
    ))
}

/// Why an import stopped without keeping anything.
#[derive(Debug)]
struct Fatal {
    code: ErrorCode,
    message: String,
}

impl Fatal {
    fn csv(message: impl Into<String>) -> Fatal {
        Fatal { code: ErrorCode::InvalidCsv, message: message.into() }
    }
}

impl From<Fatal> for AppError {
    fn from(fatal: Fatal) -> AppError {
        AppError::new(fatal.code, fatal.message)
    }
}

/// One parsed line, good or bad.
enum Outcome {
    Row(ParsedRow),
    Rejected(RejectedLine),
}

/// The blocking half: reads the upload, sends batches of outcomes; stops at the first fatal
/// problem (which it sends too).
fn read_csv<R: Read>(
    reader: R,
    mapping: &HashMap<String, String>,
    parser_parts: impl FnOnce(ColumnPlan) -> RowParser,
    tx: &mpsc::Sender<Result<Vec<Outcome>, Fatal>>,
) {
    let result = (|| -> Result<(), Fatal> {
        let mut reader = BufReader::with_capacity(64 * 1024, reader);
        let mut header_line = Vec::new();
        reader.read_until(b'\n', &mut header_line).map_err(read_failed)?;
        let header_bytes =
            header_line.strip_prefix(&[0xEF, 0xBB, 0xBF][..]).unwrap_or(&header_line).to_vec();
        if header_bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(Fatal::csv("The file is empty: the first line must name the columns."));
        }
        let delimiter = sniff_delimiter(&header_bytes);
        let (counted, mut lines) =
            LineCounter::new(std::io::Cursor::new(header_bytes).chain(reader));
        let mut csv = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .has_headers(true)
            .from_reader(counted);
        let headers = csv.byte_headers().map_err(csv_failed)?.clone();
        let headers: Vec<String> = headers
            .iter()
            .map(|h| std::str::from_utf8(h).map(str::to_owned).map_err(|_| not_utf8(1)))
            .collect::<Result<_, _>>()?;
        let plan = ColumnPlan::new(&headers, mapping).map_err(Fatal::csv)?;
        let mut parser = parser_parts(plan);

        let mut record = csv::ByteRecord::new();
        let mut batch = Vec::with_capacity(BATCH);
        while csv.read_byte_record(&mut record).map_err(csv_failed)? {
            let embedded = record.as_slice().iter().filter(|b| **b == b'\n').count() as u64;
            let line = lines.record_line(csv.position().byte(), embedded);
            let cells: Vec<&str> = record
                .iter()
                .map(std::str::from_utf8)
                .collect::<Result<_, _>>()
                .map_err(|_| not_utf8(line))?;
            if cells.iter().all(|c| c.trim().is_empty()) {
                continue; // blank line
            }
            batch.push(match parser.parse(&cells, line) {
                Ok(row) => Outcome::Row(row),
                Err(reason) => Outcome::Rejected(RejectedLine { line, reason }),
            });
            if batch.len() == BATCH {
                let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                if tx.blocking_send(Ok(full)).is_err() {
                    return Ok(()); // the writer gave up; it reports why
                }
            }
        }
        if !batch.is_empty() {
            let _ = tx.blocking_send(Ok(batch));
        }
        Ok(())
    })();
    if let Err(fatal) = result {
        let _ = tx.blocking_send(Err(fatal));
    }
}

/// Line numbers as a spreadsheet shows them. The csv crate neither counts blank lines nor puts a
/// record's start after them, so this reader notes where every newline is and
/// [`LineLookup::record_line`] works back from where a record ended.
struct LineCounter<R> {
    inner: R,
    offset: u64,
    newlines: std::sync::Arc<std::sync::Mutex<std::collections::VecDeque<u64>>>,
}

struct LineLookup {
    newlines: std::sync::Arc<std::sync::Mutex<std::collections::VecDeque<u64>>>,
    passed: u64,
}

impl<R: Read> LineCounter<R> {
    fn new(inner: R) -> (LineCounter<R>, LineLookup) {
        let newlines = std::sync::Arc::default();
        let lookup = LineLookup { newlines: std::sync::Arc::clone(&newlines), passed: 0 };
        (LineCounter { inner, offset: 0, newlines }, lookup)
    }
}

impl<R: Read> Read for LineCounter<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Ok(mut newlines) = self.newlines.lock() {
            newlines.extend(
                buf[..n]
                    .iter()
                    .enumerate()
                    .filter(|(_, b)| **b == b'\n')
                    .map(|(i, _)| self.offset + i as u64),
            );
        }
        self.offset += n as u64;
        Ok(n)
    }
}

impl LineLookup {
    /// The 1-based first line of a record that ended at byte `end` (just past its newline, or
    /// at the end of the file) and holds `embedded` newlines inside quoted cells. Records must
    /// come in order.
    fn record_line(&mut self, end: u64, embedded: u64) -> u64 {
        let mut ends_with_newline = false;
        if let Ok(mut newlines) = self.newlines.lock() {
            while let Some(&at) = newlines.front().filter(|&&at| at < end) {
                newlines.pop_front();
                self.passed += 1;
                ends_with_newline = at + 1 == end;
            }
        }
        let last_line = if ends_with_newline { self.passed } else { self.passed + 1 };
        last_line.saturating_sub(embedded).max(1)
    }
}

/// The uploaded file in `<data_dir>/imports/`, deleted when dropped.
struct Spool {
    path: std::path::PathBuf,
}

impl Spool {
    /// Writes the body to disk as it arrives, up to [`MAX_IMPORT_BYTES`].
    async fn receive<S, E>(data_dir: &std::path::Path, mut body: S) -> Result<Spool, Fatal>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
        E: std::error::Error + Send + Sync + 'static,
    {
        use tokio::io::AsyncWriteExt;
        let dir = data_dir.join("imports");
        let internal = |err: std::io::Error| {
            tracing::error!(error = %err, "could not spool an import");
            Fatal::csv("The upload could not be stored on the server; try again.")
        };
        tokio::fs::create_dir_all(&dir).await.map_err(internal)?;
        let spool = Spool { path: dir.join(format!("{}.csv", Uuid::now_v7())) };
        let mut file = tokio::fs::File::create(&spool.path).await.map_err(internal)?;
        let mut received = 0usize;
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(|e| read_failed(std::io::Error::other(e)))?;
            received += chunk.len();
            if received > MAX_IMPORT_BYTES {
                return Err(read_failed(std::io::Error::new(
                    std::io::ErrorKind::FileTooLarge,
                    "too large",
                )));
            }
            file.write_all(&chunk).await.map_err(internal)?;
        }
        file.flush().await.map_err(internal)?;
        Ok(spool)
    }

    fn path(&self) -> &std::path::Path {
        &self.path
    }
}

impl Drop for Spool {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

fn read_failed(err: std::io::Error) -> Fatal {
    if err.kind() == std::io::ErrorKind::FileTooLarge {
        return Fatal {
            code: ErrorCode::PayloadTooLarge,
            message: format!(
                "The file is larger than {} MB; split it and import the parts.",
                MAX_IMPORT_BYTES / 1024 / 1024
            ),
        };
    }
    Fatal::csv(format!("The upload was interrupted ({err}); nothing was imported."))
}

fn csv_failed(err: csv::Error) -> Fatal {
    let line = err.position().map_or(0, csv::Position::line);
    match err.into_kind() {
        csv::ErrorKind::Io(io) => read_failed(io),
        csv::ErrorKind::Utf8 { .. } => not_utf8(line),
        other => Fatal::csv(format!("Line {line} cannot be read as CSV ({other:?}).")),
    }
}

/// Counts while the import runs.
#[derive(Default)]
struct Tally {
    lines: u64,
    imported: u64,
    updated: u64,
    rejected_count: u64,
    rejected: Vec<RejectedLine>,
}

impl Tally {
    fn reject(&mut self, line: RejectedLine) {
        self.rejected_count += 1;
        if self.rejected.len() < KEPT_REJECTS {
            self.rejected.push(line);
        }
    }
}

/// Reads `body` as CSV and upserts the contacts, all or nothing.
///
/// # Errors
/// 400 `invalid_csv` (nothing imported), 413 `payload_too_large`, `validation_failed` for bad
/// parameters, 409 `conflict` for a reused `import_id`.
#[tracing::instrument(skip_all, fields(company_id = %auth.company_id()))]
pub async fn import<S, E>(
    state: &AppState,
    auth: &AuthUser,
    params: ImportParams,
    body: S,
) -> AppResult<ImportSummary>
where
    S: Stream<Item = Result<Bytes, E>> + Send + Unpin + 'static,
    E: std::error::Error + Send + Sync + 'static,
{
    let tenant = auth.tenant();
    let mapping: HashMap<String, String> = match params.mapping.as_deref().map(str::trim) {
        None | Some("") => HashMap::new(),
        Some(raw) => serde_json::from_str::<HashMap<String, String>>(raw)
            .map_err(|_| {
                AppError::field("mapping", "The mapping must be a JSON object of header → column.")
            })?
            .into_iter()
            .map(|(header, target)| (header.trim().to_owned(), target))
            .collect(),
    };
    let extra_tags = normalise_tags(
        &params.tags.as_deref().unwrap_or("").split(',').map(str::to_owned).collect::<Vec<_>>(),
    )?;
    let filename = params
        .filename
        .map(|f| f.trim().chars().filter(|c| !c.is_control()).take(255).collect::<String>())
        .filter(|f| !f.is_empty());
    let import_id = params.import_id.unwrap_or_else(Uuid::now_v7);
    let fields = FieldSet::load(&state.db, tenant).await?;
    let country = domain::default_country(&state.db, tenant).await?;

    // The blocking reader, fed by the upload as it arrives.
    let started = db::now();
    // The upload lands on disk first: a slow connection must not hold the database's write
    // lock (one transaction covers the whole file), and memory stays flat whatever the size.
    let outcome = match Spool::receive(&state.config.data_dir, body).await {
        Ok(spool) => {
            let (tx, mut rx) = mpsc::channel::<Result<Vec<Outcome>, Fatal>>(4);
            let reader = tokio::task::spawn_blocking(move || {
                let opened = std::fs::File::open(spool.path()).map_err(read_failed);
                match opened {
                    Ok(file) => read_csv(
                        file,
                        &mapping,
                        |plan| RowParser {
                            plan,
                            fields,
                            country,
                            extra_tags,
                            seen: HashMap::new(),
                        },
                        &tx,
                    ),
                    Err(fatal) => {
                        let _ = tx.blocking_send(Err(fatal));
                    }
                }
                drop(spool);
            });
            let outcome = write_all(state, auth, import_id, filename.clone(), &mut rx).await;
            drop(rx);
            let _ = reader.await;
            outcome
        }
        Err(fatal) => Err(fatal.into()),
    };
    match outcome {
        Ok(tally) => {
            metrics::counter!("contacts_imported_total").increment(tally.imported + tally.updated);
            Ok(ImportSummary {
                import_id,
                lines: tally.lines,
                imported: tally.imported,
                updated: tally.updated,
                rejected: tally.rejected,
                rejected_count: tally.rejected_count,
            })
        }
        Err(err) => {
            // Everything was rolled back; keep a record of the attempt for the history.
            if matches!(err, AppError::Client { .. }) && err.code() != ErrorCode::Conflict {
                let failed = contact_imports::ActiveModel {
                    id: Set(import_id),
                    company_id: Set(tenant.company_id()),
                    user_id: Set(Some(auth.user_id)),
                    filename: Set(filename),
                    status: Set("failed".to_owned()),
                    lines: Set(0),
                    imported: Set(0),
                    updated: Set(0),
                    rejected_count: Set(0),
                    rejected: Set(Value::Array(Vec::new())),
                    error: Set(err.client_message().map(str::to_owned)),
                    created_at: Set(started),
                    finished_at: Set(Some(db::now())),
                };
                if let Err(db_err) = failed.insert(&state.db).await {
                    tracing::warn!(error = %db_err, "could not record the failed import");
                }
            }
            state.events.publish(
                tenant.company_id(),
                ServerEvent::ContactsImportProgress {
                    import_id,
                    lines: 0,
                    imported: 0,
                    updated: 0,
                    rejected: 0,
                    done: true,
                },
            );
            Err(err)
        }
    }
}

/// The async half: one transaction for the whole file.
async fn write_all(
    state: &AppState,
    auth: &AuthUser,
    import_id: Uuid,
    filename: Option<String>,
    rx: &mut mpsc::Receiver<Result<Vec<Outcome>, Fatal>>,
) -> AppResult<Tally> {
    let tenant = auth.tenant();
    let txn = state.db.begin().await?;
    let postgres = txn.get_database_backend() == DbBackend::Postgres;
    // Written first on purpose: on SQLite the first write takes the database's write lock, so
    // the import waits its turn here instead of failing half-way on a lock upgrade.
    let record = contact_imports::ActiveModel {
        id: Set(import_id),
        company_id: Set(tenant.company_id()),
        user_id: Set(Some(auth.user_id)),
        filename: Set(filename),
        status: Set("running".to_owned()),
        lines: Set(0),
        imported: Set(0),
        updated: Set(0),
        rejected_count: Set(0),
        rejected: Set(Value::Array(Vec::new())),
        error: Set(None),
        created_at: Set(db::now()),
        finished_at: Set(None),
    };
    if let Err(err) = record.insert(&txn).await {
        return Err(if db::is_unique_violation(&err) {
            AppError::new(ErrorCode::Conflict, "This import_id was used before.")
                .with_field("import_id")
        } else {
            err.into()
        });
    }

    let mut tally = Tally::default();
    let mut next_progress = PROGRESS_EVERY;
    let mut next_analyze = ANALYZE_AT.iter().copied().peekable();
    while let Some(message) = rx.recv().await {
        let outcomes = message?;
        tally.lines += outcomes.len() as u64;
        let mut rows = Vec::with_capacity(outcomes.len());
        for outcome in outcomes {
            match outcome {
                Outcome::Row(row) => rows.push(row),
                Outcome::Rejected(line) => tally.reject(line),
            }
        }
        let (imported, updated) = upsert_batch(&txn, tenant, rows).await?;
        tally.imported += imported;
        tally.updated += updated;
        if postgres && next_analyze.next_if(|at| tally.lines >= *at).is_some() {
            // PostgreSQL plans each batch's phone lookup from table statistics, which know
            // nothing of the rows this transaction inserted: believing the company has a handful
            // of contacts, it reads all of them per batch instead of looking 500 phones up in
            // the (company_id, phone) index, and every batch gets slower. ANALYZE inside the
            // transaction counts our own uncommitted rows, so a few refreshes keep the plan
            // right (each takes a fraction of a second).
            txn.execute_unprepared("ANALYZE contacts").await?;
        }
        if tally.lines >= next_progress {
            next_progress = tally.lines + PROGRESS_EVERY;
            publish_progress(state, tenant, import_id, &tally, false);
        }
    }

    contact_imports::Entity::update_many()
        .col_expr(contact_imports::Column::Status, "completed".into())
        .col_expr(contact_imports::Column::Lines, (tally.lines as i64).into())
        .col_expr(contact_imports::Column::Imported, (tally.imported as i64).into())
        .col_expr(contact_imports::Column::Updated, (tally.updated as i64).into())
        .col_expr(contact_imports::Column::RejectedCount, (tally.rejected_count as i64).into())
        .col_expr(
            contact_imports::Column::Rejected,
            serde_json::to_value(&tally.rejected).map_err(AppError::internal)?.into(),
        )
        .col_expr(contact_imports::Column::FinishedAt, Some(db::now()).into())
        .filter(contact_imports::Column::Id.eq(import_id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    if postgres && tally.lines >= ANALYZE_AT[0] {
        // The lists people open right after a big import are planned from these statistics;
        // autovacuum would refresh them eventually (or never, where it is turned off).
        if let Err(err) = state.db.execute_unprepared("ANALYZE contacts, contact_tags").await {
            tracing::warn!(error = %err, "could not refresh contact statistics after the import");
        }
    }
    publish_progress(state, tenant, import_id, &tally, true);
    state.events.publish(
        tenant.company_id(),
        ServerEvent::ContactsChanged { by_user_id: Some(auth.user_id) },
    );
    Ok(tally)
}

fn publish_progress(state: &AppState, tenant: Tenant, import_id: Uuid, tally: &Tally, done: bool) {
    state.events.publish(
        tenant.company_id(),
        ServerEvent::ContactsImportProgress {
            import_id,
            lines: tally.lines,
            imported: tally.imported,
            updated: tally.updated,
            rejected: tally.rejected_count,
            done,
        },
    );
}

/// Writes one batch: new contacts in one multi-row insert, changed ones in one multi-row upsert
/// on the primary key, their tags in one insert that skips tags already there.
async fn upsert_batch(
    txn: &DatabaseTransaction,
    tenant: Tenant,
    rows: Vec<ParsedRow>,
) -> AppResult<(u64, u64)> {
    if rows.is_empty() {
        return Ok((0, 0));
    }
    let phones: Vec<String> = rows.iter().map(|r| r.phone.clone()).collect();
    let existing: HashMap<String, contacts::Model> = tenant
        .select::<contacts::Entity>()
        .filter(contacts::Column::DeletedAt.is_null())
        .filter(contacts::Column::Phone.is_in(phones))
        .all(txn)
        .await?
        .into_iter()
        .map(|c| (c.phone.clone(), c))
        .collect();

    let now = db::now();
    let mut inserts = Vec::new();
    let mut updates = Vec::new();
    let mut tag_rows = Vec::new();
    for row in rows {
        let model = match existing.get(&row.phone) {
            Some(current) => {
                let merged = merge(current.clone(), row.clone(), now);
                updates.push(merged.clone());
                merged
            }
            None => {
                let name = row.name.clone().unwrap_or_default();
                let model = contacts::Model {
                    id: Uuid::now_v7(),
                    company_id: tenant.company_id(),
                    search_text: domain::search_text(&name, &row.phone, row.email.as_deref()),
                    phone: row.phone.clone(),
                    name,
                    email: row.email.clone(),
                    attributes: Value::Object(row.attributes.clone()),
                    notes: row.notes.clone(),
                    opted_out: row.opt_out,
                    opted_out_at: row.opt_out.then_some(now),
                    opted_out_via: row.opt_out.then(|| "import".to_owned()),
                    last_contacted_at: None,
                    created_at: now,
                    updated_at: now,
                    deleted_at: None,
                    erased_at: None,
                };
                inserts.push(model.clone());
                model
            }
        };
        for tag in row.tags {
            tag_rows.push(contact_tags::ActiveModel {
                contact_id: Set(model.id),
                company_id: Set(tenant.company_id()),
                tag: Set(tag),
            });
        }
    }
    let (imported, updated) = (inserts.len() as u64, updates.len() as u64);
    if !inserts.is_empty() {
        contacts::Entity::insert_many(inserts.into_iter().map(active))
            .exec(txn)
            .await
            .map_err(concurrent_change)?;
    }
    if !updates.is_empty() {
        contacts::Entity::insert_many(updates.into_iter().map(active))
            .on_conflict(
                OnConflict::column(contacts::Column::Id)
                    .update_columns([
                        contacts::Column::Name,
                        contacts::Column::Email,
                        contacts::Column::SearchText,
                        contacts::Column::Attributes,
                        contacts::Column::Notes,
                        contacts::Column::OptedOut,
                        contacts::Column::OptedOutAt,
                        contacts::Column::OptedOutVia,
                        contacts::Column::UpdatedAt,
                    ])
                    .to_owned(),
            )
            .exec(txn)
            .await
            .map_err(concurrent_change)?;
    }
    if !tag_rows.is_empty() {
        contact_tags::Entity::insert_many(tag_rows)
            .on_conflict_do_nothing_on([contact_tags::Column::ContactId, contact_tags::Column::Tag])
            .exec(txn)
            .await?;
    }
    Ok((imported, updated))
}

/// A unique violation here means someone created one of these phones while the import ran.
fn concurrent_change(err: sea_orm::DbErr) -> AppError {
    if db::is_unique_violation(&err) {
        AppError::new(
            ErrorCode::Conflict,
            "Some of these contacts were created by someone else during the import; nothing was imported, try again.",
        )
    } else {
        err.into()
    }
}

/// An existing contact with a line's non-empty cells applied.
fn merge(
    mut current: contacts::Model,
    row: ParsedRow,
    now: chrono::DateTime<chrono::Utc>,
) -> contacts::Model {
    if let Some(name) = row.name {
        current.name = name;
    }
    if row.email.is_some() {
        current.email = row.email;
    }
    if row.notes.is_some() {
        current.notes = row.notes;
    }
    if !row.attributes.is_empty() {
        let mut attributes = match current.attributes {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        attributes.extend(row.attributes);
        current.attributes = Value::Object(attributes);
    }
    if row.opt_out && !current.opted_out {
        current.opted_out = true;
        current.opted_out_at = Some(now);
        current.opted_out_via = Some("import".to_owned());
    }
    current.search_text =
        domain::search_text(&current.name, &current.phone, current.email.as_deref());
    current.updated_at = now;
    current
}

fn active(model: contacts::Model) -> contacts::ActiveModel {
    contacts::ActiveModel {
        id: Set(model.id),
        company_id: Set(model.company_id),
        phone: Set(model.phone),
        name: Set(model.name),
        email: Set(model.email),
        search_text: Set(model.search_text),
        attributes: Set(model.attributes),
        notes: Set(model.notes),
        opted_out: Set(model.opted_out),
        opted_out_at: Set(model.opted_out_at),
        opted_out_via: Set(model.opted_out_via),
        last_contacted_at: Set(model.last_contacted_at),
        created_at: Set(model.created_at),
        updated_at: Set(model.updated_at),
        deleted_at: Set(model.deleted_at),
        erased_at: Set(model.erased_at),
    }
}

fn to_dto(row: contact_imports::Model) -> ImportDto {
    let count = |n: i64| u64::try_from(n).unwrap_or(0);
    ImportDto {
        id: row.id,
        status: row.status,
        filename: row.filename,
        user_id: row.user_id,
        lines: count(row.lines),
        imported: count(row.imported),
        updated: count(row.updated),
        rejected_count: count(row.rejected_count),
        rejected: serde_json::from_value(row.rejected).unwrap_or_default(),
        error: row.error,
        created_at: row.created_at,
        finished_at: row.finished_at,
    }
}

/// The company's last 20 imports, newest first.
pub async fn history(state: &AppState, auth: &AuthUser) -> AppResult<Vec<ImportDto>> {
    let rows = auth
        .tenant()
        .select::<contact_imports::Entity>()
        .filter(contact_imports::Column::Status.ne("running"))
        .order_by_desc(contact_imports::Column::Id)
        .limit(20)
        .all(&state.db)
        .await?;
    Ok(rows.into_iter().map(to_dto).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parser(headers: &[&str]) -> RowParser {
        let headers: Vec<String> = headers.iter().map(|h| (*h).to_owned()).collect();
        RowParser {
            plan: ColumnPlan::new(&headers, &HashMap::new()).unwrap(),
            fields: FieldSet::default(),
            country: "BR".into(),
            extra_tags: vec![],
            seen: HashMap::new(),
        }
    }

    #[test]
    fn a_header_without_a_phone_or_with_clashing_columns_is_fatal() {
        let none = ColumnPlan::new(&["name".into(), "email".into()], &HashMap::new());
        assert!(none.unwrap_err().contains("No phone column"));
        let twice = ColumnPlan::new(&["phone".into(), "celular".into()], &HashMap::new());
        assert!(twice.is_err());
        let mapping = HashMap::from([("celular".to_owned(), "".to_owned())]);
        assert!(ColumnPlan::new(&["phone".into(), "celular".into()], &mapping).is_ok());
        let bad = HashMap::from([("x".to_owned(), "Not A Key".to_owned())]);
        assert!(ColumnPlan::new(&["phone".into(), "x".into()], &bad).is_err());
    }

    #[test]
    fn lines_become_rows_or_reasons() {
        let mut p = parser(&["phone", "name", "tags", "opted_out", "plan"]);
        let row = p.parse(&["(11) 98765-4321", "Ana", "VIP, sp", "sim", "gold"], 2).unwrap();
        assert_eq!(row.phone, "+5511987654321");
        assert_eq!(row.name.as_deref(), Some("Ana"));
        assert_eq!(row.tags, ["sp", "vip"]);
        assert!(row.opt_out);
        assert_eq!(row.attributes["plan"], "gold");

        let dup = p.parse(&["+55 11 98765-4321", "", "", "", ""], 3).unwrap_err();
        assert!(dup.contains("line 2"), "{dup}");
        let bad_phone = p.parse(&["12", "Bob", "", "", ""], 4).unwrap_err();
        assert!(bad_phone.contains("not a valid phone"), "{bad_phone}");
        let bad_flag = p.parse(&["11 91234-5678", "", "", "maybe", ""], 5).unwrap_err();
        assert!(bad_flag.contains("yes or no"), "{bad_flag}");
        let extra = p.parse(&["11 91234-5679", "", "", "", "", "surprise"], 6).unwrap_err();
        assert!(extra.contains("columns"), "{extra}");
        // Short lines are fine: missing cells are empty.
        assert!(p.parse(&["11 91234-5670"], 7).is_ok());
    }

    #[test]
    fn merging_never_erases_and_never_opts_back_in() {
        let now = db::now();
        let current = contacts::Model {
            id: Uuid::now_v7(),
            company_id: Uuid::now_v7(),
            phone: "+5511987654321".into(),
            name: "Ana".into(),
            email: Some("ana@example.com".into()),
            search_text: String::new(),
            attributes: serde_json::json!({"plan": "gold", "city": "SP"}),
            notes: None,
            opted_out: true,
            opted_out_at: Some(now),
            opted_out_via: Some("keyword".into()),
            last_contacted_at: None,
            created_at: now,
            updated_at: now,
            deleted_at: None,
            erased_at: None,
        };
        let line = ParsedRow {
            phone: current.phone.clone(),
            name: None,
            email: None,
            tags: vec![],
            notes: Some("called".into()),
            opt_out: false,
            attributes: Map::from_iter([("plan".to_owned(), Value::from("silver"))]),
        };
        let merged = merge(current, line, now);
        assert_eq!(merged.name, "Ana");
        assert_eq!(merged.email.as_deref(), Some("ana@example.com"));
        assert_eq!(merged.notes.as_deref(), Some("called"));
        assert_eq!(merged.attributes, serde_json::json!({"plan": "silver", "city": "SP"}));
        assert!(merged.opted_out);
        assert_eq!(merged.opted_out_via.as_deref(), Some("keyword"));
        assert!(merged.search_text.contains("ana"));
    }
}
