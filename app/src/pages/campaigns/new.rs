//! `/campaigns/new`: name, number, approved template with a value per variable (constants or
//! the contact's own data), audience (segments, tags, everyone, or a CSV file — imported as
//! contacts with a tag of its own, which the audience then names), optional schedule, rate and
//! quiet hours. A live preview shows who receives it — after leaving out opted-out and
//! unusable contacts — and what the first recipients will read.

use std::time::Duration;

use leptos::prelude::*;
use leptos_router::{hooks::use_navigate, NavigateOptions};
use shared::{
    api::{ConnectionDto, ConnectionKind, ImportSummary, Page, SegmentDto, TagCount, TemplateDto},
    campaigns::{
        CampaignAudience, CampaignDto, CampaignPreview, CampaignPreviewRequest, CampaignTemplate,
        CreateCampaignRequest, QuietHours, DEFAULT_RATE_PER_SECOND,
    },
    i18n::Key,
};
use uuid::Uuid;

use crate::api::{encode_query, use_api, ApiFailure};
use crate::components::form::{Alert, AlertKind};
use crate::components::icons::{Icon, IconName};
use crate::components::layout::PageTitle;
use crate::file::PickedFile;
use crate::hydration::use_hydrated;
use crate::i18n::{fill, t, use_i18n};

const PREVIEW_DEBOUNCE: Duration = Duration::from_millis(400);

/// What the form holds.
#[derive(Clone, Copy)]
struct Draft {
    name: RwSignal<String>,
    connection_id: RwSignal<Option<Uuid>>,
    /// `name|language` of the chosen template.
    template: RwSignal<String>,
    variables: RwSignal<Vec<String>>,
    all_contacts: RwSignal<bool>,
    segment_ids: RwSignal<Vec<Uuid>>,
    tags: RwSignal<String>,
    schedule: RwSignal<String>,
    rate: RwSignal<String>,
    quiet_start: RwSignal<String>,
    quiet_end: RwSignal<String>,
}

impl Draft {
    fn new() -> Self {
        Draft {
            name: RwSignal::new(String::new()),
            connection_id: RwSignal::new(None),
            template: RwSignal::new(String::new()),
            variables: RwSignal::new(Vec::new()),
            all_contacts: RwSignal::new(false),
            segment_ids: RwSignal::new(Vec::new()),
            tags: RwSignal::new(String::new()),
            schedule: RwSignal::new(String::new()),
            rate: RwSignal::new(DEFAULT_RATE_PER_SECOND.to_string()),
            quiet_start: RwSignal::new(String::new()),
            quiet_end: RwSignal::new(String::new()),
        }
    }

    fn audience(self) -> CampaignAudience {
        CampaignAudience {
            segment_ids: self.segment_ids.get(),
            tags: self
                .tags
                .get()
                .split(',')
                .map(|t| t.trim().to_lowercase())
                .filter(|t| !t.is_empty())
                .collect(),
            contact_ids: Vec::new(),
            all_contacts: self.all_contacts.get(),
        }
    }

    fn template(self) -> Option<CampaignTemplate> {
        let chosen = self.template.get();
        let (name, language) = chosen.split_once('|')?;
        Some(CampaignTemplate {
            name: name.to_owned(),
            language: language.to_owned(),
            variables: self.variables.get(),
            header: None,
            buttons: Vec::new(),
        })
    }

    fn request(self) -> Option<CreateCampaignRequest> {
        let quiet_hours = match (self.quiet_start.get(), self.quiet_end.get()) {
            (start, end) if !start.is_empty() && !end.is_empty() => Some(QuietHours { start, end }),
            _ => None,
        };
        Some(CreateCampaignRequest {
            name: self.name.get(),
            connection_id: self.connection_id.get()?,
            template: self.template().unwrap_or_default(),
            audience: self.audience(),
            scheduled_at: Some(self.schedule.get()).filter(|s| !s.trim().is_empty()),
            rate_per_second: self.rate.get().trim().parse().ok().or(Some(0)),
            quiet_hours,
        })
    }
}

#[component]
pub fn NewCampaignPage() -> impl IntoView {
    let api = use_api();
    let i18n = use_i18n();
    let hydrated = use_hydrated();
    let navigate = use_navigate();
    let draft = Draft::new();
    let busy = RwSignal::new(false);
    let failure = RwSignal::new(None::<(Option<String>, String)>);

    let connections = LocalResource::new(move || async move {
        api.get::<Vec<ConnectionDto>>("/connections")
            .await
            .map(|all| {
                all.into_iter()
                    .filter(|c| c.kind == ConnectionKind::WhatsappCloud)
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    });
    // The first number is chosen for you.
    Effect::new(move |_| {
        if draft.connection_id.get_untracked().is_none() {
            if let Some(first) = connections.get().and_then(|list| list.first().map(|c| c.id)) {
                draft.connection_id.set(Some(first));
            }
        }
    });
    let templates = LocalResource::new(move || {
        let connection_id = draft.connection_id.get();
        async move {
            let Some(id) = connection_id else { return Vec::new() };
            api.get::<Page<TemplateDto>>(&format!("/connections/{id}/templates"))
                .await
                .map(|page| {
                    page.items
                        .into_iter()
                        .filter(|t| t.status.eq_ignore_ascii_case("APPROVED"))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        }
    });
    let segments = LocalResource::new(move || async move {
        api.get::<Vec<SegmentDto>>("/segments").await.unwrap_or_default()
    });
    let tags = LocalResource::new(move || async move {
        api.get::<Vec<TagCount>>("/contact-tags").await.unwrap_or_default()
    });
    let chosen_template = Memo::new(move |_| {
        let key = draft.template.get();
        templates
            .get()
            .unwrap_or_default()
            .into_iter()
            .find(|t| format!("{}|{}", t.name, t.language) == key)
    });
    // One value per variable of the chosen template.
    Effect::new(move |_| {
        let needed = chosen_template.get().map_or(0, |t| t.body_variables);
        draft.variables.update(|values| values.resize(needed, String::new()));
    });

    // The preview follows the audience and the values, a moment after the last change.
    let preview = RwSignal::new(None::<CampaignPreview>);
    let preview_ticket = StoredValue::new(0u64);
    Effect::new(move |_| {
        let request = CampaignPreviewRequest {
            audience: draft.audience(),
            template: draft.template(),
            connection_id: draft.connection_id.get(),
        };
        let Some(ticket) = preview_ticket.try_update_value(|n| {
            *n += 1;
            *n
        }) else {
            return;
        };
        if request.audience.is_empty() {
            preview.set(None);
            return;
        }
        set_timeout(
            move || {
                if preview_ticket.try_get_value() != Some(ticket) {
                    return;
                }
                leptos::task::spawn_local(async move {
                    let result =
                        api.post::<_, CampaignPreview>("/campaigns/preview", &request).await;
                    if preview_ticket.try_get_value() == Some(ticket) {
                        preview.try_set(result.ok());
                    }
                });
            },
            PREVIEW_DEBOUNCE,
        );
    });

    // A list from a file: imported as contacts (created or updated by phone) with a tag of its
    // own, and that tag joins the audience.
    let importing = RwSignal::new(false);
    let imported = RwSignal::new(None::<Result<(String, ImportSummary), String>>);
    let on_file = move |ev: leptos::ev::Event| {
        let Some(picked) = PickedFile::from_event(&ev) else { return };
        let tag = format!("lista-{}", chrono::Utc::now().format("%Y%m%d-%H%M%S"));
        importing.set(true);
        imported.set(None);
        leptos::task::spawn_local(async move {
            let path = format!(
                "/contacts/import?tags={}&filename={}",
                encode_query(&tag),
                encode_query(&picked.name())
            );
            let result = api.upload::<ImportSummary>(&path, &picked, "text/csv").await;
            importing.try_set(false);
            match result {
                Ok(summary) => {
                    draft.tags.update(|tags| {
                        if tags.trim().is_empty() {
                            *tags = tag.clone();
                        } else {
                            tags.push_str(&format!(", {tag}"));
                        }
                    });
                    imported.try_set(Some(Ok((tag, summary))));
                }
                Err(failure) => {
                    let message = failure
                        .message()
                        .map(str::to_owned)
                        .unwrap_or_else(|| i18n.lang().t(failure.key()).to_owned());
                    imported.try_set(Some(Err(message)));
                }
            }
        });
    };

    let submit = move |start: bool| {
        if busy.get_untracked() {
            return;
        }
        failure.set(None);
        let Some(request) = draft.request() else {
            failure.set(Some((
                Some("connection_id".to_owned()),
                i18n.lang().t(Key::CampaignNeedsNumber).to_owned(),
            )));
            return;
        };
        busy.set(true);
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            let result: Result<Uuid, (Option<Uuid>, ApiFailure)> = async {
                let created = api
                    .post::<_, CampaignDto>("/campaigns", &request)
                    .await
                    .map_err(|f| (None, f))?;
                if start {
                    // On a refusal the draft is saved; its page says why it did not start.
                    api.post_empty::<CampaignDto>(&format!("/campaigns/{}/start", created.id))
                        .await
                        .map_err(|f| (Some(created.id), f))?;
                }
                Ok(created.id)
            }
            .await;
            busy.try_set(false);
            match result {
                Ok(id) => navigate(&format!("/campaigns/{id}"), NavigateOptions::default()),
                Err((saved, failure_)) => {
                    let message = failure_
                        .message()
                        .map(str::to_owned)
                        .unwrap_or_else(|| i18n.lang().t(failure_.key()).to_owned());
                    if let Some(id) = saved {
                        let reason = crate::api::encode_query(&message);
                        navigate(
                            &format!("/campaigns/{id}?not_started={reason}"),
                            NavigateOptions::default(),
                        );
                    } else {
                        failure.try_set(Some((failure_.field().map(str::to_owned), message)));
                    }
                }
            }
        });
    };
    let submit_draft = submit.clone();

    view! {
        <PageTitle key=Key::NewCampaign/>
        <a href="/campaigns" class="link mb-3 inline-flex items-center gap-1 text-sm">
            <Icon icon=IconName::ArrowLeft class="size-4"/>
            {t(Key::NavCampaigns)}
        </a>
        <h1 class="mb-6 text-2xl font-semibold tracking-tight text-slate-900">{t(Key::NewCampaign)}</h1>
        <div class="grid gap-6 lg:grid-cols-[minmax(0,1fr)_22rem]">
            <form class="card space-y-6 px-5 py-5 sm:px-6" novalidate on:submit=|ev| ev.prevent_default() data-testid="campaign-form">
                <div class="space-y-1.5">
                    <label for="campaign-name" class="block text-sm font-medium text-slate-700">{t(Key::CampaignName)}</label>
                    <input
                        id="campaign-name"
                        class="input"
                        data-testid="campaign-name"
                        prop:value=move || draft.name.get()
                        on:input=move |ev| draft.name.set(event_target_value(&ev))
                    />
                </div>
                <div class="grid gap-4 sm:grid-cols-2">
                    <div class="space-y-1.5">
                        <label for="campaign-connection" class="block text-sm font-medium text-slate-700">{t(Key::CampaignNumber)}</label>
                        <select
                            id="campaign-connection"
                            class="input"
                            data-testid="campaign-connection"
                            prop:value=move || draft.connection_id.get().map(|id| id.to_string()).unwrap_or_default()
                            on:change=move |ev| {
                                draft.connection_id.set(event_target_value(&ev).parse().ok());
                                draft.template.set(String::new());
                            }
                        >
                            {move || {
                                connections
                                    .get()
                                    .unwrap_or_default()
                                    .into_iter()
                                    .map(|c| {
                                        let label = match &c.display_phone_number {
                                            Some(number) => format!("{} · {number}", c.name),
                                            None => c.name.clone(),
                                        };
                                        view! { <option value=c.id.to_string()>{label}</option> }
                                    })
                                    .collect_view()
                            }}
                        </select>
                    </div>
                    <div class="space-y-1.5">
                        <label for="campaign-template" class="block text-sm font-medium text-slate-700">{t(Key::CampaignTemplate)}</label>
                        <select
                            id="campaign-template"
                            class="input"
                            data-testid="campaign-template"
                            prop:value=move || draft.template.get()
                            on:change=move |ev| draft.template.set(event_target_value(&ev))
                        >
                            <option value="">{t(Key::ChooseTemplate)}</option>
                            {move || {
                                templates
                                    .get()
                                    .unwrap_or_default()
                                    .into_iter()
                                    .map(|tpl| {
                                        let value = format!("{}|{}", tpl.name, tpl.language);
                                        let label = format!("{} ({})", tpl.name, tpl.language);
                                        view! { <option value=value>{label}</option> }
                                    })
                                    .collect_view()
                            }}
                        </select>
                        <p class="text-xs leading-5 text-slate-500">{t(Key::CampaignTemplateHint)}</p>
                    </div>
                </div>
                {move || {
                    chosen_template
                        .get()
                        .map(|tpl| {
                            let body = shared::templates::body_text(&tpl.components).unwrap_or("").to_owned();
                            view! {
                                <fieldset class="space-y-3 rounded-lg bg-slate-50 p-4" data-testid="campaign-variables">
                                    <legend class="sr-only">{t(Key::TemplateVariables)}</legend>
                                    <p class="text-sm whitespace-pre-wrap break-words text-slate-700">{body}</p>
                                    <p class="text-xs leading-5 text-slate-500">{t(Key::CampaignVariablesHint)}</p>
                                    {(0..tpl.body_variables)
                                        .map(|n| {
                                            let id = format!("campaign-var-{}", n + 1);
                                            view! {
                                                <div class="flex items-center gap-2">
                                                    <label for=id.clone() class="w-12 shrink-0 font-mono text-sm text-slate-600">
                                                        {format!("{{{{{}}}}}", n + 1)}
                                                    </label>
                                                    <input
                                                        id=id
                                                        class="input"
                                                        data-testid="campaign-variable"
                                                        placeholder="{{contact.first_name|cliente}}"
                                                        prop:value=move || draft.variables.with(|v| v.get(n).cloned().unwrap_or_default())
                                                        on:input=move |ev| {
                                                            let value = event_target_value(&ev);
                                                            draft.variables.update(|v| {
                                                                if let Some(slot) = v.get_mut(n) {
                                                                    *slot = value;
                                                                }
                                                            });
                                                        }
                                                    />
                                                </div>
                                            }
                                        })
                                        .collect_view()}
                                </fieldset>
                            }
                        })
                }}
                <fieldset class="space-y-3">
                    <legend class="text-sm font-medium text-slate-700">{t(Key::CampaignAudience)}</legend>
                    <label class="flex items-center gap-2 text-sm text-slate-700">
                        <input
                            type="checkbox"
                            class="size-4 rounded border-slate-300 text-brand-600"
                            data-testid="campaign-all-contacts"
                            prop:checked=move || draft.all_contacts.get()
                            on:change=move |ev| draft.all_contacts.set(event_target_checked(&ev))
                        />
                        {t(Key::CampaignAllContacts)}
                    </label>
                    <div class="space-y-1.5">
                        <p class="text-xs font-medium text-slate-500">{t(Key::NavSegments)}</p>
                        <div class="flex flex-wrap gap-2" data-testid="campaign-segments">
                            {move || {
                                segments
                                    .get()
                                    .unwrap_or_default()
                                    .into_iter()
                                    .map(|segment| {
                                        let id = segment.id;
                                        view! {
                                            <label class="badge cursor-pointer gap-1.5 py-1" data-testid="campaign-segment" data-name=segment.name.clone()>
                                                <input
                                                    type="checkbox"
                                                    class="size-3.5 rounded border-slate-300 text-brand-600"
                                                    prop:checked=move || draft.segment_ids.with(|s| s.contains(&id))
                                                    on:change=move |ev| {
                                                        let on = event_target_checked(&ev);
                                                        draft.segment_ids.update(|s| {
                                                            s.retain(|x| *x != id);
                                                            if on {
                                                                s.push(id);
                                                            }
                                                        });
                                                    }
                                                />
                                                {segment.name.clone()}
                                                <span class="text-slate-500">{format!("({})", segment.contact_count)}</span>
                                            </label>
                                        }
                                    })
                                    .collect_view()
                            }}
                        </div>
                    </div>
                    <div class="space-y-1.5">
                        <label for="campaign-tags" class="block text-xs font-medium text-slate-500">{t(Key::CampaignTags)}</label>
                        <input
                            id="campaign-tags"
                            class="input"
                            list="campaign-tag-options"
                            data-testid="campaign-tags"
                            placeholder="vip, clientes-sp"
                            prop:value=move || draft.tags.get()
                            on:input=move |ev| draft.tags.set(event_target_value(&ev))
                        />
                        <datalist id="campaign-tag-options">
                            {move || {
                                tags.get()
                                    .unwrap_or_default()
                                    .into_iter()
                                    .map(|tag| view! { <option value=tag.tag.clone()></option> })
                                    .collect_view()
                            }}
                        </datalist>
                    </div>
                    <div class="space-y-1.5">
                        <label for="campaign-file" class="block text-xs font-medium text-slate-500">{t(Key::CampaignFromFile)}</label>
                        <input
                            id="campaign-file"
                            type="file"
                            accept=".csv,text/csv"
                            class="block w-full text-sm text-slate-600 file:mr-3 file:rounded-md file:border-0 file:bg-slate-100 file:px-3 file:py-1.5 file:text-sm file:font-medium"
                            data-testid="campaign-file"
                            disabled=move || importing.get()
                            on:change=on_file
                        />
                        <p class="text-xs leading-5 text-slate-500">{t(Key::CampaignFromFileHint)}</p>
                        {move || {
                            importing.get().then(|| view! { <p class="text-xs text-slate-500" role="status">{t(Key::ImportRunning)}</p> })
                        }}
                        {move || {
                            imported
                                .get()
                                .map(|result| match result {
                                    Ok((tag, summary)) => view! {
                                        <p class="text-xs text-emerald-700" data-testid="campaign-file-imported">
                                            {move || fill(
                                                i18n.lang().t(Key::CampaignFileImported),
                                                &[
                                                    ("imported", &summary.imported.to_string()),
                                                    ("updated", &summary.updated.to_string()),
                                                    ("rejected", &summary.rejected_count.to_string()),
                                                    ("tag", &tag),
                                                ],
                                            )}
                                        </p>
                                    }
                                    .into_any(),
                                    Err(message) => view! {
                                        <p class="text-xs text-red-700" role="alert" data-testid="campaign-file-error">{message}</p>
                                    }
                                    .into_any(),
                                })
                        }}
                    </div>
                </fieldset>
                <div class="grid gap-4 sm:grid-cols-2">
                    <div class="space-y-1.5">
                        <label for="campaign-schedule" class="block text-sm font-medium text-slate-700">{t(Key::CampaignSchedule)}</label>
                        <input
                            id="campaign-schedule"
                            type="datetime-local"
                            class="input"
                            data-testid="campaign-schedule"
                            prop:value=move || draft.schedule.get()
                            on:input=move |ev| draft.schedule.set(event_target_value(&ev))
                        />
                        <p class="text-xs leading-5 text-slate-500">{t(Key::CampaignScheduleHint)}</p>
                    </div>
                    <div class="space-y-1.5">
                        <label for="campaign-rate" class="block text-sm font-medium text-slate-700">{t(Key::CampaignRate)}</label>
                        <input
                            id="campaign-rate"
                            type="number"
                            min="1"
                            max="1000"
                            class="input"
                            data-testid="campaign-rate"
                            prop:value=move || draft.rate.get()
                            on:input=move |ev| draft.rate.set(event_target_value(&ev))
                        />
                        <p class="text-xs leading-5 text-slate-500">{t(Key::CampaignRateHint)}</p>
                    </div>
                </div>
                <fieldset class="space-y-1.5">
                    <legend class="text-sm font-medium text-slate-700">{t(Key::QuietHours)}</legend>
                    <div class="flex items-center gap-2">
                        <input
                            type="time"
                            class="input w-auto"
                            aria-label=move || i18n.lang().t(Key::QuietFrom)
                            data-testid="campaign-quiet-start"
                            prop:value=move || draft.quiet_start.get()
                            on:input=move |ev| draft.quiet_start.set(event_target_value(&ev))
                        />
                        <span class="text-sm text-slate-500">"–"</span>
                        <input
                            type="time"
                            class="input w-auto"
                            aria-label=move || i18n.lang().t(Key::QuietUntil)
                            data-testid="campaign-quiet-end"
                            prop:value=move || draft.quiet_end.get()
                            on:input=move |ev| draft.quiet_end.set(event_target_value(&ev))
                        />
                    </div>
                    <p class="text-xs leading-5 text-slate-500">{t(Key::QuietHoursHint)}</p>
                </fieldset>
                {move || {
                    failure
                        .get()
                        .map(|(field, message)| {
                            view! {
                                <Alert kind=AlertKind::Error testid="campaign-form-error">
                                    <p class="break-words" data-field=field.unwrap_or_default()>{message}</p>
                                </Alert>
                            }
                        })
                }}
                <div class="flex flex-wrap gap-2">
                    <button
                        type="button"
                        class="btn btn-primary"
                        data-testid="campaign-save-start"
                        disabled=move || !hydrated.get() || busy.get()
                        on:click={
                            let submit = submit.clone();
                            move |_| submit(true)
                        }
                    >
                        {t(Key::SaveAndStart)}
                    </button>
                    <button
                        type="button"
                        class="btn btn-secondary"
                        data-testid="campaign-save-draft"
                        disabled=move || !hydrated.get() || busy.get()
                        on:click=move |_| submit_draft(false)
                    >
                        {t(Key::SaveDraft)}
                    </button>
                </div>
            </form>
            <aside class="card h-fit space-y-3 px-5 py-5" data-testid="campaign-preview" aria-live="polite">
                <h2 class="font-semibold text-slate-900">{t(Key::CampaignWhoReceives)}</h2>
                {move || match preview.get() {
                    None => view! { <p class="text-sm text-slate-500">{t(Key::CampaignPreviewEmpty)}</p> }.into_any(),
                    Some(p) => view! {
                        <p class="text-3xl font-semibold text-slate-900" data-testid="campaign-preview-recipients">{p.recipients}</p>
                        <p class="text-sm text-slate-600" data-testid="campaign-preview-excluded">
                            {move || fill(
                                i18n.lang().t(Key::CampaignExcludedLine),
                                &[
                                    ("matched", &p.matched.to_string()),
                                    ("opted_out", &p.excluded.opted_out.to_string()),
                                    ("invalid", &p.excluded.invalid.to_string()),
                                ],
                            )}
                        </p>
                        <ul class="space-y-2" role="list">
                            {p.samples
                                .iter()
                                .map(|s| {
                                    let missing = (!s.missing.is_empty()).then(|| s.missing.join(", "));
                                    view! {
                                        <li class="rounded-lg bg-emerald-50 px-3 py-2 text-sm" data-testid="campaign-sample">
                                            <p class="text-xs font-medium text-slate-600">{format!("{} · {}", s.name, s.phone)}</p>
                                            <p class="mt-0.5 whitespace-pre-wrap break-words text-slate-800">
                                                {s.body.clone().unwrap_or_else(|| s.variables.join(" · "))}
                                            </p>
                                            {missing.map(|m| view! {
                                                <p class="mt-1 text-xs text-red-700">
                                                    {move || fill(i18n.lang().t(Key::CampaignMissingValue), &[("refs", &m)])}
                                                </p>
                                            })}
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                    .into_any(),
                }}
            </aside>
        </div>
    }
    .into_any()
}
