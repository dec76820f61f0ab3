//! Creating, changing and deleting rules, and reading their execution log. Everyone in the
//! company sees the rules (agents work beside them); owners and admins change them.
//!
//! A rule is validated as a whole when it is saved — references to members, personas, numbers
//! and campaigns must be the company's own, regular expressions must compile, texts must fit —
//! so the worker never meets a rule it cannot read. Things that change afterwards (a member
//! leaves, a persona is deleted) make that action fail in the log, with the reason.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionTrait,
};
use shared::{
    automation::{
        Action, AttributeOp, AutomationRuleDto, AutomationRunDto, Condition,
        CreateAutomationRuleRequest, RunOutcome, Trigger, TriggerKind, UpdateAutomationRuleRequest,
        MAX_ACTIONS, MAX_CONDITIONS, MAX_NO_REPLY_MINUTES,
    },
    ServerEvent,
};
use uuid::Uuid;

use crate::{
    audit::{self, AuditEntry},
    auth::AuthUser,
    db::{
        self,
        entities::{
            automation_rules, automation_runs, campaigns, connections, memberships, personas,
        },
        Tenant,
    },
    error::{AppError, AppResult},
    state::AppState,
};

const MAX_NAME_CHARS: usize = 120;
const MAX_LIST: usize = 50;
const MAX_WORD_CHARS: usize = 100;
const MAX_REPLY_CHARS: usize = 4096;
const MAX_PATTERN_CHARS: usize = 500;
/// Compiled size limit of a rule's regular expression (guards the worker's memory and time).
pub const REGEX_SIZE_LIMIT: usize = 256 * 1024;
const MAX_RUNS_PAGE: u64 = 200;

/// The rule as the API shows it, with its log counts.
fn to_dto(
    row: &automation_rules::Model,
    runs: u64,
    last_run_at: Option<chrono::DateTime<chrono::Utc>>,
) -> AutomationRuleDto {
    AutomationRuleDto {
        id: row.id,
        name: row.name.clone(),
        enabled: row.enabled,
        trigger: serde_json::from_value(row.trigger.clone()).unwrap_or(Trigger::MessageReceived),
        conditions: serde_json::from_value(row.conditions.clone()).unwrap_or_default(),
        actions: serde_json::from_value(row.actions.clone()).unwrap_or_default(),
        runs,
        last_run_at,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

async fn with_counts<C: sea_orm::ConnectionTrait>(
    conn: &C,
    row: &automation_rules::Model,
) -> AppResult<AutomationRuleDto> {
    let runs = automation_runs::Entity::find()
        .filter(automation_runs::Column::RuleId.eq(row.id))
        .count(conn)
        .await?;
    let last = automation_runs::Entity::find()
        .filter(automation_runs::Column::RuleId.eq(row.id))
        .order_by_desc(automation_runs::Column::Id)
        .one(conn)
        .await?
        .map(|run| run.created_at);
    Ok(to_dto(row, runs, last))
}

/// # Errors
/// Database errors.
pub async fn list(state: &AppState, auth: &AuthUser) -> AppResult<Vec<AutomationRuleDto>> {
    let rows = auth
        .tenant()
        .select::<automation_rules::Entity>()
        .order_by_asc(automation_rules::Column::CreatedAt)
        .order_by_asc(automation_rules::Column::Id)
        .all(&state.db)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        out.push(with_counts(&state.db, row).await?);
    }
    Ok(out)
}

/// # Errors
/// 404.
pub async fn get(state: &AppState, auth: &AuthUser, id: Uuid) -> AppResult<AutomationRuleDto> {
    let row = find(&state.db, auth.tenant(), id).await?;
    with_counts(&state.db, &row).await
}

async fn find<C: sea_orm::ConnectionTrait>(
    conn: &C,
    tenant: Tenant,
    id: Uuid,
) -> AppResult<automation_rules::Model> {
    tenant
        .select_by_id::<automation_rules::Entity>(id)
        .one(conn)
        .await?
        .ok_or_else(AppError::not_found)
}

/// # Errors
/// 403 for agents; `validation_failed` naming the field (`trigger.keywords`,
/// `conditions[1].pattern`, `actions[0].user_id`, ...).
#[tracing::instrument(skip_all, fields(company_id = %auth.company_id()))]
pub async fn create(
    state: &AppState,
    auth: &AuthUser,
    req: CreateAutomationRuleRequest,
) -> AppResult<AutomationRuleDto> {
    auth.require_admin()?;
    let tenant = auth.tenant();
    let name = check_name(&req.name)?;
    let txn = state.db.begin().await?;
    let trigger = check_trigger(&txn, tenant, req.trigger).await?;
    let conditions = check_conditions(&txn, tenant, req.conditions).await?;
    let actions = check_actions(&txn, tenant, req.actions).await?;
    let now = db::now();
    let row = automation_rules::ActiveModel {
        id: Set(Uuid::now_v7()),
        company_id: Set(tenant.company_id()),
        name: Set(name),
        enabled: Set(req.enabled.unwrap_or(true)),
        trigger_kind: Set(trigger.kind().as_str().to_owned()),
        trigger: Set(json(&trigger)?),
        conditions: Set(json(&conditions)?),
        actions: Set(json(&actions)?),
        created_by: Set(Some(auth.user_id)),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        tenant,
        AuditEntry::new(Some(auth.user_id), "automation.rule_created")
            .target("automation_rule", row.id),
    )
    .await?;
    txn.commit().await?;
    changed(state, auth);
    Ok(to_dto(&row, 0, None))
}

/// # Errors
/// 403 for agents, 404, `validation_failed` as for [`create`].
#[tracing::instrument(skip_all, fields(company_id = %auth.company_id(), %id))]
pub async fn update(
    state: &AppState,
    auth: &AuthUser,
    id: Uuid,
    req: UpdateAutomationRuleRequest,
) -> AppResult<AutomationRuleDto> {
    auth.require_admin()?;
    let tenant = auth.tenant();
    let name = req.name.as_deref().map(check_name).transpose()?;
    let txn = state.db.begin().await?;
    let row = find(&txn, tenant, id).await?;
    let mut active: automation_rules::ActiveModel = row.into();
    if let Some(name) = name {
        active.name = Set(name);
    }
    if let Some(trigger) = req.trigger {
        let trigger = check_trigger(&txn, tenant, trigger).await?;
        active.trigger_kind = Set(trigger.kind().as_str().to_owned());
        active.trigger = Set(json(&trigger)?);
    }
    if let Some(conditions) = req.conditions {
        active.conditions = Set(json(&check_conditions(&txn, tenant, conditions).await?)?);
    }
    if let Some(actions) = req.actions {
        active.actions = Set(json(&check_actions(&txn, tenant, actions).await?)?);
    }
    if let Some(enabled) = req.enabled {
        active.enabled = Set(enabled);
    }
    active.updated_at = Set(db::now());
    let row = active.update(&txn).await?;
    audit::record(
        &txn,
        tenant,
        AuditEntry::new(Some(auth.user_id), "automation.rule_changed")
            .target("automation_rule", row.id),
    )
    .await?;
    let dto = with_counts(&txn, &row).await?;
    txn.commit().await?;
    changed(state, auth);
    Ok(dto)
}

/// Deletes the rule and its log; its pending `no_reply` waits find it gone and do nothing.
///
/// # Errors
/// 403 for agents, 404.
#[tracing::instrument(skip_all, fields(company_id = %auth.company_id(), %id))]
pub async fn delete(state: &AppState, auth: &AuthUser, id: Uuid) -> AppResult<()> {
    auth.require_admin()?;
    let tenant = auth.tenant();
    let txn = state.db.begin().await?;
    let row = find(&txn, tenant, id).await?;
    // The log goes with the rule (explicitly: SQLite enforces foreign keys only when asked).
    tenant
        .delete_many::<automation_runs::Entity>()
        .filter(automation_runs::Column::RuleId.eq(row.id))
        .exec(&txn)
        .await?;
    tenant
        .delete_many::<automation_rules::Entity>()
        .filter(automation_rules::Column::Id.eq(row.id))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        tenant,
        AuditEntry::new(Some(auth.user_id), "automation.rule_deleted")
            .target("automation_rule", row.id)
            .meta(serde_json::json!({"name": row.name})),
    )
    .await?;
    txn.commit().await?;
    changed(state, auth);
    Ok(())
}

/// The rule's latest runs, newest first; `before` (a run id) pages back.
///
/// # Errors
/// 404.
pub async fn runs(
    state: &AppState,
    auth: &AuthUser,
    id: Uuid,
    limit: Option<u64>,
    before: Option<Uuid>,
) -> AppResult<Vec<AutomationRunDto>> {
    let tenant = auth.tenant();
    let rule = find(&state.db, tenant, id).await?;
    let mut query = tenant
        .select::<automation_runs::Entity>()
        .filter(automation_runs::Column::RuleId.eq(rule.id));
    if let Some(before) = before {
        query = query.filter(automation_runs::Column::Id.lt(before));
    }
    let rows = query
        .order_by_desc(automation_runs::Column::Id)
        .limit(limit.unwrap_or(50).clamp(1, MAX_RUNS_PAGE))
        .all(&state.db)
        .await?;
    Ok(rows.iter().map(run_dto).collect())
}

pub fn run_dto(row: &automation_runs::Model) -> AutomationRunDto {
    AutomationRunDto {
        id: row.id,
        rule_id: row.rule_id,
        trigger: TriggerKind::parse(&row.trigger_kind).unwrap_or(TriggerKind::MessageReceived),
        conversation_id: row.conversation_id,
        contact_id: row.contact_id,
        contact_name: row.contact_name.clone(),
        outcome: match row.outcome.as_str() {
            "done" => RunOutcome::Done,
            "skipped" => RunOutcome::Skipped,
            _ => RunOutcome::Failed,
        },
        steps: serde_json::from_value(row.steps.clone()).unwrap_or_default(),
        created_at: row.created_at,
    }
}

fn changed(state: &AppState, auth: &AuthUser) {
    state.events.publish(
        auth.company_id(),
        ServerEvent::AutomationsChanged { by_user_id: Some(auth.user_id) },
    );
}

fn json<T: serde::Serialize>(value: &T) -> AppResult<serde_json::Value> {
    serde_json::to_value(value).map_err(AppError::internal)
}

fn check_name(raw: &str) -> AppResult<String> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(AppError::field("name", "Name the rule (up to 120 characters)."));
    }
    Ok(name.to_owned())
}

/// Trimmed, non-empty words or phrases, each at most 100 characters, at most 50.
fn check_words(field: &str, words: Vec<String>, what: &str) -> AppResult<Vec<String>> {
    let words: Vec<String> =
        words.into_iter().map(|w| w.trim().to_owned()).filter(|w| !w.is_empty()).collect();
    if words.is_empty() {
        return Err(AppError::field(field, format!("Add at least one {what}.")));
    }
    if words.len() > MAX_LIST || words.iter().any(|w| w.chars().count() > MAX_WORD_CHARS) {
        return Err(AppError::field(
            field,
            format!("At most {MAX_LIST} of them, each up to {MAX_WORD_CHARS} characters."),
        ));
    }
    Ok(words)
}

fn check_tag(field: &str, raw: &str) -> AppResult<String> {
    let tags = crate::contacts::domain::normalise_tags(&[raw.to_owned()])
        .map_err(|err| err.with_field(field))?;
    tags.into_iter().next().ok_or_else(|| AppError::field(field, "Name the tag."))
}

async fn check_trigger<C: sea_orm::ConnectionTrait>(
    conn: &C,
    tenant: Tenant,
    trigger: Trigger,
) -> AppResult<Trigger> {
    Ok(match trigger {
        Trigger::Keyword { keywords } => {
            Trigger::Keyword { keywords: check_words("trigger.keywords", keywords, "keyword")? }
        }
        Trigger::CampaignReply { campaign_id: Some(id) } => {
            tenant.select_by_id::<campaigns::Entity>(id).one(conn).await?.ok_or_else(|| {
                AppError::field("trigger.campaign_id", "Choose one of your campaigns.")
            })?;
            Trigger::CampaignReply { campaign_id: Some(id) }
        }
        Trigger::ContactTagged { tag } => {
            Trigger::ContactTagged { tag: check_tag("trigger.tag", &tag)? }
        }
        Trigger::NoReply { minutes } => {
            if minutes == 0 || minutes > MAX_NO_REPLY_MINUTES {
                return Err(AppError::field(
                    "trigger.minutes",
                    "Wait between 1 minute and 7 days (10,080 minutes).",
                ));
            }
            Trigger::NoReply { minutes }
        }
        other => other,
    })
}

async fn check_conditions<C: sea_orm::ConnectionTrait>(
    conn: &C,
    tenant: Tenant,
    conditions: Vec<Condition>,
) -> AppResult<Vec<Condition>> {
    if conditions.len() > MAX_CONDITIONS {
        return Err(AppError::field("conditions", "A rule has at most 20 conditions."));
    }
    let mut out = Vec::with_capacity(conditions.len());
    for (n, condition) in conditions.into_iter().enumerate() {
        let at = |name: &str| format!("conditions[{n}].{name}");
        out.push(match condition {
            Condition::Connection { connection_ids } => {
                if connection_ids.is_empty() {
                    return Err(AppError::field(&at("connection_ids"), "Choose at least one number."));
                }
                let found = tenant
                    .select::<connections::Entity>()
                    .filter(connections::Column::Id.is_in(connection_ids.clone()))
                    .filter(connections::Column::DeletedAt.is_null())
                    .count(conn)
                    .await?;
                if found != connection_ids.len() as u64 {
                    return Err(AppError::field(&at("connection_ids"), "Choose your own numbers."));
                }
                Condition::Connection { connection_ids }
            }
            Condition::Tags { tags, mode } => {
                let tags = crate::contacts::domain::normalise_tags(&tags)
                    .map_err(|err| err.with_field(&at("tags")))?;
                if tags.is_empty() {
                    return Err(AppError::field(&at("tags"), "Name at least one tag."));
                }
                Condition::Tags { tags, mode }
            }
            Condition::Attribute { field, op, value } => {
                let field = field.trim().to_owned();
                if field.is_empty() || field.chars().count() > 64 {
                    return Err(AppError::field(&at("field"), "Choose a contact field."));
                }
                let value = value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
                if op.needs_value() && value.is_none() {
                    return Err(AppError::field(&at("value"), "Say what to compare with."));
                }
                if value.as_ref().is_some_and(|v| v.chars().count() > MAX_WORD_CHARS) {
                    return Err(AppError::field(&at("value"), "At most 100 characters."));
                }
                let value = if matches!(op, AttributeOp::IsSet | AttributeOp::IsNotSet) {
                    None
                } else {
                    value
                };
                Condition::Attribute { field, op, value }
            }
            Condition::TimeWindow { windows } => {
                if windows.is_empty() || windows.len() > 21 || !windows.iter().all(|w| w.is_valid()) {
                    return Err(AppError::field(
                        &at("windows"),
                        "Give days (1–7) and a from–until time (HH:MM) with the end after the start.",
                    ));
                }
                Condition::TimeWindow { windows }
            }
            Condition::Status { statuses } => {
                let statuses: Vec<String> =
                    statuses.into_iter().map(|s| s.trim().to_lowercase()).collect();
                if statuses.is_empty()
                    || !statuses.iter().all(|s| crate::inbox::manage::STATUSES.contains(&s.as_str()))
                {
                    return Err(AppError::field(
                        &at("statuses"),
                        "Choose open, pending, resolved or snoozed.",
                    ));
                }
                Condition::Status { statuses }
            }
            Condition::TextContains { values } => {
                Condition::TextContains { values: check_words(&at("values"), values, "text")? }
            }
            Condition::TextMatches { pattern } => {
                if pattern.trim().is_empty() || pattern.chars().count() > MAX_PATTERN_CHARS {
                    return Err(AppError::field(&at("pattern"), "Write a pattern of up to 500 characters."));
                }
                super::conditions::compile(&pattern).map_err(|err| {
                    AppError::field(&at("pattern"), format!("Not a valid regular expression: {err}"))
                })?;
                Condition::TextMatches { pattern }
            }
            other @ (Condition::BusinessHours { .. } | Condition::Assignment { .. }) => other,
        });
    }
    Ok(out)
}

async fn check_actions<C: sea_orm::ConnectionTrait>(
    conn: &C,
    tenant: Tenant,
    actions: Vec<Action>,
) -> AppResult<Vec<Action>> {
    if actions.is_empty() {
        return Err(AppError::field("actions", "Add at least one action."));
    }
    if actions.len() > MAX_ACTIONS {
        return Err(AppError::field("actions", "A rule has at most 10 actions."));
    }
    let mut out = Vec::with_capacity(actions.len());
    for (n, action) in actions.into_iter().enumerate() {
        let at = |name: &str| format!("actions[{n}].{name}");
        out.push(match action {
            Action::AssignAgent { user_id } => {
                tenant
                    .select::<memberships::Entity>()
                    .filter(memberships::Column::UserId.eq(user_id))
                    .one(conn)
                    .await?
                    .ok_or_else(|| {
                        AppError::field(&at("user_id"), "Choose a member of your team.")
                    })?;
                Action::AssignAgent { user_id }
            }
            Action::SendToAi { persona_id: Some(id) } => {
                tenant.select_by_id::<personas::Entity>(id).one(conn).await?.ok_or_else(|| {
                    AppError::field(&at("persona_id"), "Choose one of your personas.")
                })?;
                Action::SendToAi { persona_id: Some(id) }
            }
            Action::AddLabel { label } => {
                Action::AddLabel { label: check_label(&at("label"), &label)? }
            }
            Action::RemoveLabel { label } => {
                Action::RemoveLabel { label: check_label(&at("label"), &label)? }
            }
            Action::AddTag { tag } => Action::AddTag { tag: check_tag(&at("tag"), &tag)? },
            Action::RemoveTag { tag } => Action::RemoveTag { tag: check_tag(&at("tag"), &tag)? },
            Action::ReplyText { text } => {
                let text = text.trim().to_owned();
                if text.is_empty() || text.chars().count() > MAX_REPLY_CHARS {
                    return Err(AppError::field(
                        &at("text"),
                        "Write a reply of up to 4,096 characters.",
                    ));
                }
                Action::ReplyText { text }
            }
            Action::ReplyTemplate { name, language, variables } => {
                let (name, language) = (name.trim().to_owned(), language.trim().to_owned());
                if name.is_empty() || name.len() > 512 {
                    return Err(AppError::field(&at("name"), "Choose a template."));
                }
                if language.is_empty() || language.len() > 16 {
                    return Err(AppError::field(
                        &at("language"),
                        "Choose the template's language.",
                    ));
                }
                if variables.len() > 20 || variables.iter().any(|v| v.chars().count() > 1024) {
                    return Err(AppError::field(
                        &at("variables"),
                        "At most 20 values of up to 1,024 characters.",
                    ));
                }
                Action::ReplyTemplate { name, language, variables }
            }
            Action::Webhook { url } => Action::Webhook { url: check_url(&at("url"), &url)? },
            other @ (Action::AssignTeam
            | Action::SendToAi { persona_id: None }
            | Action::OptOut
            | Action::Close) => other,
        });
    }
    Ok(out)
}

fn check_label(field: &str, raw: &str) -> AppResult<String> {
    let label = raw.trim();
    if label.is_empty() || label.chars().count() > 40 {
        return Err(AppError::field(field, "A label has 1 to 40 characters."));
    }
    Ok(label.to_owned())
}

fn check_url(field: &str, raw: &str) -> AppResult<String> {
    let raw = raw.trim();
    let parsed = url::Url::parse(raw).map_err(|_| {
        AppError::field(field, "Write the full address, e.g. https://example.com/hook.")
    })?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() || raw.len() > 2048 {
        return Err(AppError::field(field, "Use an http:// or https:// address."));
    }
    Ok(raw.to_owned())
}
