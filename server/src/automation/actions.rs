//! What each action does. Every action runs in its own savepoint: one that cannot be done (the
//! member left, the 24-hour window closed) is rolled back and logged with the reason, and the
//! rule's other actions still run. Database failures abort the whole event (it is retried).
//!
//! Changes are written as activity lines in the thread, signed `Automation “<rule>”`, so the
//! team sees what a rule did and why.

use std::time::Duration;

use sea_orm::{
    sea_query::Expr, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, Set,
    TransactionTrait, TryInsertResult,
};
use serde_json::{json, Value};
use shared::{
    api::{SendMessageRequest, TemplateSend},
    automation::{Action, RunStep},
    campaigns::personalise,
    ErrorCode, ServerEvent,
};
use uuid::Uuid;

use super::outbox::NewEvent;
use crate::{
    campaigns::audience::ContactFields,
    db::{
        self,
        entities::{
            automation_rules, connections, contact_tags, contacts, conversation_labels,
            conversations, personas,
        },
        Tenant,
    },
    error::{AppError, AppResult},
    events::EventBus,
    inbox::{
        domain::{labels_of, message_dto},
        manage,
        send::queue_automatic,
    },
};

/// What the actions of one event's rules produced, for after the commit.
#[derive(Default)]
pub struct Effects {
    /// Live events to publish.
    pub events: Vec<ServerEvent>,
    /// Events caused by the actions (a tag added), for other rules.
    pub follow_ups: Vec<NewEvent>,
    /// Whether the conversation changed (its new view is published).
    pub conversation_changed: bool,
}

/// What the actions act on.
pub struct Target {
    pub conversation_id: Option<Uuid>,
    pub contact: Option<contacts::Model>,
}

/// Everything an action needs besides its own parameters.
pub struct Run<'a> {
    pub txn: &'a DatabaseTransaction,
    pub bus: &'a EventBus,
    pub rule: &'a automation_rules::Model,
    /// The chain of the event plus this rule: what the actions' own events carry.
    pub chain: Vec<Uuid>,
    /// The event, as outgoing webhooks send it.
    pub event: Value,
    pub ai_reply_delay: Duration,
}

impl Run<'_> {
    fn tenant(&self) -> Tenant {
        Tenant::new(self.rule.company_id)
    }

    /// Who the thread says did it.
    fn actor(&self) -> String {
        format!("Automation “{}”", self.rule.name)
    }
}

/// Runs the actions in order; returns one step per action.
///
/// # Errors
/// Database errors only (the event is retried); anything else is a failed step.
pub async fn apply(
    run: &Run<'_>,
    target: &Target,
    actions: &[Action],
    effects: &mut Effects,
) -> AppResult<Vec<RunStep>> {
    let mut steps = Vec::with_capacity(actions.len());
    for action in actions {
        let savepoint = run.txn.begin().await?;
        let mut local = Effects::default();
        match one(run, &savepoint, target, action, &mut local).await {
            Ok(detail) => {
                savepoint.commit().await?;
                effects.events.append(&mut local.events);
                effects.follow_ups.append(&mut local.follow_ups);
                effects.conversation_changed |= local.conversation_changed;
                steps.push(RunStep { action: action.kind().to_owned(), ok: true, detail });
            }
            Err(err) => {
                let Some(reason) = err.client_message().map(str::to_owned) else {
                    return Err(err);
                };
                savepoint.rollback().await?;
                steps.push(RunStep { action: action.kind().to_owned(), ok: false, detail: reason });
            }
        }
    }
    Ok(steps)
}

fn cannot(message: impl Into<String>) -> AppError {
    AppError::new(ErrorCode::InvalidState, message)
}

async fn conversation_of(
    txn: &DatabaseTransaction,
    tenant: Tenant,
    target: &Target,
) -> AppResult<conversations::Model> {
    let Some(id) = target.conversation_id else {
        return Err(cannot("There is no conversation with this contact."));
    };
    tenant
        .select_by_id::<conversations::Entity>(id)
        .one(txn)
        .await?
        .ok_or_else(|| cannot("The conversation is gone."))
}

fn contact_of(target: &Target) -> AppResult<&contacts::Model> {
    target.contact.as_ref().ok_or_else(|| cannot("The contact is gone."))
}

async fn one(
    run: &Run<'_>,
    txn: &DatabaseTransaction,
    target: &Target,
    action: &Action,
    effects: &mut Effects,
) -> AppResult<String> {
    let tenant = run.tenant();
    match action {
        Action::AssignAgent { user_id } => {
            let conversation = conversation_of(txn, tenant, target).await?;
            let name = manage::member_name(txn, tenant, *user_id)
                .await?
                .ok_or_else(|| cannot("That teammate is no longer in the company."))?;
            if conversation.assignee_id == Some(*user_id) {
                return Ok(format!("Already with {name}"));
            }
            set_owner(txn, tenant, &conversation, Some(*user_id), None).await?;
            let text = format!("{} assigned the conversation to {name}", run.actor());
            let payload = json!({"action": "assigned", "to": user_id, "to_name": name});
            line(run, txn, &conversation, text, payload, effects).await?;
            Ok(format!("Assigned to {name}"))
        }
        Action::AssignTeam => {
            let conversation = conversation_of(txn, tenant, target).await?;
            if conversation.assignee_id.is_some() || conversation.persona_id.is_some() {
                set_owner(txn, tenant, &conversation, None, None).await?;
                let text = format!("{} put the conversation in the team's queue", run.actor());
                line(run, txn, &conversation, text, json!({"action": "unassigned"}), effects)
                    .await?;
            }
            manage::auto_assign(
                txn,
                run.bus,
                tenant.company_id(),
                &[conversation.id],
                &mut effects.events,
            )
            .await?;
            effects.conversation_changed = true;
            let now =
                tenant.select_by_id::<conversations::Entity>(conversation.id).one(txn).await?;
            Ok(match now.and_then(|c| c.assignee_id) {
                Some(user_id) => format!(
                    "In the team's queue; auto-assigned to {}",
                    manage::member_name(txn, tenant, user_id).await?.unwrap_or_default()
                ),
                None => "In the team's queue".to_owned(),
            })
        }
        Action::SendToAi { persona_id } => {
            let conversation = conversation_of(txn, tenant, target).await?;
            let persona_id = match persona_id {
                Some(id) => Some(*id),
                None => connections::Entity::find_by_id(conversation.connection_id)
                    .one(txn)
                    .await?
                    .and_then(|c| c.default_persona_id),
            }
            .ok_or_else(|| cannot("This number has no AI persona; name one in the rule."))?;
            let persona = tenant
                .select_by_id::<personas::Entity>(persona_id)
                .one(txn)
                .await?
                .filter(|p| p.enabled)
                .ok_or_else(|| cannot("The persona is switched off or deleted."))?;
            if conversation.persona_id != Some(persona.id) {
                set_owner(txn, tenant, &conversation, None, Some(persona.id)).await?;
                let text = format!("{} handed the conversation to {}", run.actor(), persona.name);
                let payload = json!({"action": "persona", "persona_id": persona.id,
                    "persona_name": persona.name});
                line(run, txn, &conversation, text, payload, effects).await?;
            }
            // A waiting customer message is answered (the job does nothing when none waits).
            crate::ai::autoreply::schedule(
                txn,
                tenant.company_id(),
                &[conversation.id],
                run.ai_reply_delay,
            )
            .await?;
            Ok(format!("Answered by {}", persona.name))
        }
        Action::AddLabel { label } | Action::RemoveLabel { label } => {
            let adding = matches!(action, Action::AddLabel { .. });
            let conversation = conversation_of(txn, tenant, target).await?;
            let current = labels_of(txn, tenant, conversation.id).await?;
            let existing = current.iter().find(|l| l.to_lowercase() == label.to_lowercase());
            match (adding, existing) {
                (true, Some(_)) => return Ok(format!("Already labelled “{label}”")),
                (false, None) => return Ok(format!("Had no label “{label}”")),
                (true, None) => {
                    if current.len() >= 20 {
                        return Err(cannot("The conversation already has 20 labels."));
                    }
                    conversation_labels::Entity::insert(conversation_labels::ActiveModel {
                        conversation_id: Set(conversation.id),
                        label: Set(label.clone()),
                        company_id: Set(tenant.company_id()),
                    })
                    .exec_without_returning(txn)
                    .await?;
                }
                (false, Some(existing)) => {
                    tenant
                        .delete_many::<conversation_labels::Entity>()
                        .filter(conversation_labels::Column::ConversationId.eq(conversation.id))
                        .filter(conversation_labels::Column::Label.eq(existing.clone()))
                        .exec(txn)
                        .await?;
                }
            }
            let (verb, payload) = if adding {
                ("added", json!({"action": "labels", "added": [label], "removed": []}))
            } else {
                ("removed", json!({"action": "labels", "added": [], "removed": [label]}))
            };
            let text = format!("{} {verb} \"{label}\" (labels)", run.actor());
            line(run, txn, &conversation, text, payload, effects).await?;
            Ok(format!("Label “{label}” {verb}"))
        }
        Action::AddTag { tag } => {
            let contact = contact_of(target)?;
            let inserted = contact_tags::Entity::insert(contact_tags::ActiveModel {
                contact_id: Set(contact.id),
                company_id: Set(tenant.company_id()),
                tag: Set(tag.clone()),
            })
            .on_conflict_do_nothing_on([contact_tags::Column::ContactId, contact_tags::Column::Tag])
            .exec_without_returning(txn)
            .await?;
            if !matches!(inserted, TryInsertResult::Inserted(n) if n > 0) {
                return Ok(format!("Already tagged “{tag}”"));
            }
            touch_contact(txn, contact.id).await?;
            effects.follow_ups.push(NewEvent::contact_tagged(contact.id, tag, run.chain.clone()));
            effects.events.push(ServerEvent::ContactsChanged { by_user_id: None });
            Ok(format!("Tagged “{tag}”"))
        }
        Action::RemoveTag { tag } => {
            let contact = contact_of(target)?;
            let removed = tenant
                .delete_many::<contact_tags::Entity>()
                .filter(contact_tags::Column::ContactId.eq(contact.id))
                .filter(contact_tags::Column::Tag.eq(tag.clone()))
                .exec(txn)
                .await?
                .rows_affected;
            if removed == 0 {
                return Ok(format!("Had no tag “{tag}”"));
            }
            touch_contact(txn, contact.id).await?;
            effects.events.push(ServerEvent::ContactsChanged { by_user_id: None });
            Ok(format!("Tag “{tag}” removed"))
        }
        Action::ReplyText { text } => {
            let conversation = conversation_of(txn, tenant, target).await?;
            let contact = contact_of(target)?;
            let body = personalise(text, &ContactFields(contact)).map_err(|missing| {
                cannot(format!(
                    "The contact has no {} and the reply gives no fallback.",
                    missing.reference
                ))
            })?;
            let request = SendMessageRequest { text: Some(body), ..Default::default() };
            reply(run, txn, conversation, request, effects).await?;
            Ok("Reply queued".to_owned())
        }
        Action::ReplyTemplate { name, language, variables } => {
            let conversation = conversation_of(txn, tenant, target).await?;
            let contact = contact_of(target)?;
            if contact.opted_out {
                return Err(cannot("The contact opted out; no template is sent to them."));
            }
            let mut body = Vec::with_capacity(variables.len());
            for value in variables {
                body.push(personalise(value, &ContactFields(contact)).map_err(|missing| {
                    cannot(format!(
                        "The contact has no {} and the value gives no fallback.",
                        missing.reference
                    ))
                })?);
            }
            let template = TemplateSend {
                name: name.clone(),
                language: language.clone(),
                body,
                header: None,
                buttons: Vec::new(),
            };
            let request = SendMessageRequest { template: Some(template), ..Default::default() };
            reply(run, txn, conversation, request, effects).await?;
            Ok(format!("Template “{name}” queued"))
        }
        Action::OptOut => {
            let contact = contact_of(target)?;
            let changed = crate::contacts::domain::set_opt_out_from_customer(
                txn,
                contact,
                true,
                "automation",
            )
            .await?;
            if !changed {
                return Ok("Already opted out".to_owned());
            }
            effects.events.push(ServerEvent::ContactsChanged { by_user_id: None });
            Ok("Opted out of campaigns".to_owned())
        }
        Action::Webhook { url } => {
            let body = json!({
                "type": "automation.rule",
                "rule": {"id": run.rule.id, "name": run.rule.name},
                "event": run.event,
                "contact": target.contact.as_ref().map(|c| json!({
                    "id": c.id, "name": c.name, "phone": c.phone, "email": c.email,
                })),
                "sent_at": db::now(),
            });
            super::timers::queue_webhook(txn, tenant.company_id(), run.rule.id, url, body).await?;
            let host = url::Url::parse(url).ok().and_then(|u| u.host_str().map(str::to_owned));
            Ok(format!("POST to {} queued", host.unwrap_or_else(|| url.clone())))
        }
        Action::Close => {
            let conversation = conversation_of(txn, tenant, target).await?;
            if conversation.status == "resolved" {
                return Ok("Already resolved".to_owned());
            }
            tenant
                .update_many::<conversations::Entity>()
                .col_expr(conversations::Column::Status, Expr::value("resolved"))
                .col_expr(
                    conversations::Column::SnoozedUntil,
                    Expr::value(Option::<chrono::DateTime<chrono::Utc>>::None),
                )
                .col_expr(conversations::Column::UpdatedAt, Expr::value(db::now()))
                .filter(conversations::Column::Id.eq(conversation.id))
                .exec(txn)
                .await?;
            let text = format!("{} marked the conversation resolved", run.actor());
            line(
                run,
                txn,
                &conversation,
                text,
                json!({"action": "status", "status": "resolved"}),
                effects,
            )
            .await?;
            Ok("Resolved".to_owned())
        }
    }
}

/// Sets who answers the conversation: a teammate, a persona, or (both `None`) the team queue.
async fn set_owner(
    txn: &DatabaseTransaction,
    tenant: Tenant,
    conversation: &conversations::Model,
    assignee: Option<Uuid>,
    persona: Option<Uuid>,
) -> AppResult<()> {
    tenant
        .update_many::<conversations::Entity>()
        .col_expr(conversations::Column::AssigneeId, Expr::value(assignee))
        .col_expr(conversations::Column::PersonaId, Expr::value(persona))
        .col_expr(conversations::Column::AiTurns, Expr::value(0))
        .col_expr(conversations::Column::UpdatedAt, Expr::value(db::now()))
        .filter(conversations::Column::Id.eq(conversation.id))
        .exec(txn)
        .await?;
    Ok(())
}

async fn touch_contact(txn: &DatabaseTransaction, contact_id: Uuid) -> AppResult<()> {
    contacts::Entity::update_many()
        .col_expr(contacts::Column::UpdatedAt, Expr::value(db::now()))
        .filter(contacts::Column::Id.eq(contact_id))
        .exec(txn)
        .await?;
    Ok(())
}

/// An activity line signed by the rule.
async fn line(
    run: &Run<'_>,
    txn: &DatabaseTransaction,
    conversation: &conversations::Model,
    text: String,
    mut payload: Value,
    effects: &mut Effects,
) -> AppResult<()> {
    payload["by_name"] = json!(run.actor());
    payload["automation"] = json!({"rule_id": run.rule.id, "rule_name": run.rule.name});
    let row = manage::record(txn, conversation, None, "activity", text, payload).await?;
    effects.events.push(ServerEvent::MessageCreated { message: Box::new(message_dto(&row)) });
    effects.conversation_changed = true;
    Ok(())
}

async fn reply(
    run: &Run<'_>,
    txn: &DatabaseTransaction,
    conversation: conversations::Model,
    request: SendMessageRequest,
    effects: &mut Effects,
) -> AppResult<()> {
    let marker = json!({"rule_id": run.rule.id, "rule_name": run.rule.name});
    let (row, _) = queue_automatic(txn, conversation, request, ("automation", marker)).await?;
    effects.events.push(ServerEvent::MessageCreated { message: Box::new(message_dto(&row)) });
    effects.conversation_changed = true;
    Ok(())
}
