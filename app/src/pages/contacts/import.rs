//! `/contacts/import`: the CSV import wizard. Pick a file → check how each column will be read
//! (the same guess the server makes, from `shared::import`) → import, with live progress from
//! `contacts.import_progress` events → a summary with every rejected line and why.
//!
//! Only the first 64 KB are read in the browser, for the preview; the file itself is streamed to
//! the server, which never holds it whole either.

use std::collections::HashMap;

use leptos::{html, prelude::*};
use shared::{
    api::{ContactFieldDto, ImportDto, ImportSummary},
    i18n::Key,
    import::{preview_rows, sniff_delimiter, ColumnTarget},
    ServerEvent,
};
use uuid::Uuid;

use crate::api::{encode_query, use_api, ApiFailure};
use crate::components::feedback::{ListError, ListLoading};
use crate::components::form::value_of;
use crate::components::icons::{Icon, IconName};
use crate::components::layout::PageHeader;
use crate::file::PickedFile;
use crate::hydration::use_hydrated;
use crate::i18n::{fill, t, use_i18n};
use crate::live::use_live;
use crate::pages::format_date;
use crate::pages::settings::Panel;

/// Bytes read for the preview.
const PREVIEW_BYTES: i32 = 64 * 1024;
/// Sample lines shown under each column.
const SAMPLES: usize = 3;

/// The header and first lines of the picked file.
#[derive(Debug, Clone, PartialEq)]
struct Preview {
    filename: String,
    headers: Vec<String>,
    samples: Vec<Vec<String>>,
}

impl Preview {
    fn read(filename: String, head: &str, whole_file: bool) -> Option<Preview> {
        let first_line = head.lines().next().unwrap_or("");
        let delimiter = char::from(sniff_delimiter(first_line.as_bytes()));
        let mut rows = preview_rows(head, delimiter, SAMPLES + 2);
        // A cut-off last line would show half a value.
        if !whole_file && rows.len() > 1 {
            rows.pop();
        }
        let mut rows = rows.into_iter();
        let headers = rows.next().filter(|h| h.iter().any(|c| !c.trim().is_empty()))?;
        Some(Preview { filename, headers, samples: rows.take(SAMPLES).collect() })
    }
}

/// Where the wizard is.
#[derive(Debug, Clone, PartialEq)]
enum Stage {
    Pick,
    Map,
    Running,
    Done(Box<ImportSummary>),
}

/// Live counts of the running import.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Progress {
    lines: u64,
    imported: u64,
    updated: u64,
    rejected: u64,
}

#[component]
pub fn ContactImportPage() -> impl IntoView {
    let api = use_api();
    let live = use_live();
    let stage = RwSignal::new(Stage::Pick);
    let file = RwSignal::new_local(None::<PickedFile>);
    let preview = RwSignal::new(None::<Preview>);
    let targets = RwSignal::new(Vec::<String>::new());
    let failure = RwSignal::new(None::<ApiFailure>);
    let import_id = RwSignal::new(None::<Uuid>);
    let progress = RwSignal::new(Progress::default());
    let fields = LocalResource::new(move || async move {
        api.get::<Vec<ContactFieldDto>>("/contact-fields").await.unwrap_or_default()
    });
    let history = LocalResource::new(move || {
        live.contacts_version();
        async move { api.get::<Vec<ImportDto>>("/contacts/imports").await }
    });

    // Progress events of our own upload (matched by the id we chose).
    Effect::new(move |_| {
        if let Some(ServerEvent::ContactsImportProgress {
            import_id: id,
            lines,
            imported,
            updated,
            rejected,
            ..
        }) = live.last_event()
        {
            if import_id.get_untracked() == Some(id) {
                progress.set(Progress { lines, imported, updated, rejected });
            }
        }
    });

    let picked = Callback::new(move |picked: PickedFile| {
        failure.set(None);
        let whole = picked.size() <= f64::from(PREVIEW_BYTES);
        file.set(Some(picked.clone()));
        leptos::task::spawn_local(async move {
            let head = picked.head(PREVIEW_BYTES).await.unwrap_or_default();
            match Preview::read(picked.name(), &head, whole) {
                Some(read) => {
                    targets.set(
                        read.headers
                            .iter()
                            .map(|h| ColumnTarget::guess(h).name().to_owned())
                            .collect(),
                    );
                    preview.set(Some(read));
                    stage.set(Stage::Map);
                }
                None => {
                    preview.set(None);
                    failure.set(Some(ApiFailure::Api {
                        status: 400,
                        error: shared::ApiError {
                            code: shared::ErrorCode::InvalidCsv,
                            message: String::new(),
                            field: None,
                        },
                    }));
                }
            }
        });
    });

    let start = Callback::new(move |extra_tags: String| {
        let (Some(picked), Some(read)) = (file.get_untracked(), preview.get_untracked()) else {
            return;
        };
        let mapping: HashMap<String, String> =
            read.headers.iter().cloned().zip(targets.get_untracked()).collect();
        let id = Uuid::new_v4();
        import_id.set(Some(id));
        progress.set(Progress::default());
        failure.set(None);
        stage.set(Stage::Running);
        let path = format!(
            "/contacts/import?import_id={id}&filename={}&tags={}&mapping={}",
            encode_query(&read.filename),
            encode_query(&extra_tags),
            encode_query(&serde_json::to_string(&mapping).unwrap_or_default()),
        );
        leptos::task::spawn_local(async move {
            let result = api.upload::<ImportSummary>(&path, &picked, "text/csv").await;
            match result {
                Ok(summary) => stage.try_set(Stage::Done(Box::new(summary))),
                Err(err) => {
                    failure.try_set(Some(err));
                    stage.try_set(Stage::Map)
                }
            };
            history.refetch();
        });
    });

    let restart = Callback::new(move |_: ()| {
        file.set(None);
        preview.set(None);
        failure.set(None);
        stage.set(Stage::Pick);
    });

    view! {
        <PageHeader title=Key::ImportTitle subtitle=Key::ImportSubtitle/>
        <div class="space-y-6">
            {move || failure.get().map(|failure| view! { <ImportFailure failure/> })}
            {move || match stage.get() {
                Stage::Pick => view! { <PickFile picked/> }.into_any(),
                Stage::Map => {
                    let read = preview.get();
                    read.map(|read| {
                            view! { <MapColumns preview=read targets fields start restart/> }
                        })
                        .into_any()
                }
                Stage::Running => view! { <Running progress/> }.into_any(),
                Stage::Done(summary) => view! { <Summary summary=*summary restart/> }.into_any(),
            }}
            <Panel title=Key::ImportHistory testid="import-history">
                <History history/>
            </Panel>
        </div>
    }
    .into_any()
}

#[component]
fn ImportFailure(failure: ApiFailure) -> impl IntoView {
    // The server's sentence says which line and what to do; the code's translation leads.
    let detail = failure.message().map(str::to_owned);
    view! {
        <div class="rounded-lg border border-red-200 bg-red-50 p-4 text-sm text-red-800" role="alert" data-testid="import-error">
            <p class="font-medium">{t(failure.key())}</p>
            {detail.map(|d| view! { <p class="mt-1">{d}</p> })}
        </div>
    }
    .into_any()
}

#[component]
fn PickFile(picked: Callback<PickedFile>) -> impl IntoView {
    let hydrated = use_hydrated();
    view! {
        <section class="card p-6 sm:p-8">
            <label
                for="import-file"
                class="flex cursor-pointer flex-col items-center gap-3 rounded-xl border-2 border-dashed border-slate-300 px-6 py-10 text-center hover:border-brand-500 hover:bg-brand-50/40"
            >
                <Icon icon=IconName::Upload class="size-8 text-slate-400"/>
                <span class="font-medium text-slate-900">{t(Key::ImportChooseFile)}</span>
                <span class="max-w-md text-sm text-slate-600">{t(Key::ImportFileHint)}</span>
            </label>
            <input
                id="import-file"
                type="file"
                accept=".csv,text/csv"
                class="sr-only"
                data-testid="import-file"
                disabled=move || !hydrated.get()
                on:change=move |ev| {
                    if let Some(file) = PickedFile::from_event(&ev) {
                        picked.run(file);
                    }
                }
            />
        </section>
    }
    .into_any()
}

/// The options of a column's select: built-in columns, the company's fields, a new attribute
/// named after the header, or skip.
fn options_for(header: &str, fields: &[ContactFieldDto]) -> Vec<(String, OptionLabel)> {
    let mut options: Vec<(String, OptionLabel)> = [
        ("phone", Key::Phone),
        ("name", Key::Name),
        ("email", Key::Email),
        ("tags", Key::Tags),
        ("notes", Key::Notes),
        ("opted_out", Key::OptedOutBadge),
    ]
    .into_iter()
    .map(|(value, key)| (value.to_owned(), OptionLabel::Key(key)))
    .collect();
    for field in fields {
        options.push((field.key.clone(), OptionLabel::Field(field.label.clone())));
    }
    if let ColumnTarget::Attribute(key) = ColumnTarget::guess(header) {
        if !fields.iter().any(|f| f.key == key) {
            options.push((key.clone(), OptionLabel::NewAttribute(key)));
        }
    }
    options.push((String::new(), OptionLabel::Key(Key::ImportSkip)));
    options
}

#[derive(Debug, Clone)]
enum OptionLabel {
    Key(Key),
    Field(String),
    NewAttribute(String),
}

#[component]
fn MapColumns(
    preview: Preview,
    targets: RwSignal<Vec<String>>,
    fields: LocalResource<Vec<ContactFieldDto>>,
    start: Callback<String>,
    restart: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let tags_ref = NodeRef::<html::Input>::new();
    let problem = Memo::new(move |_| {
        targets.with(|targets| {
            let phones = targets.iter().filter(|t| *t == "phone").count();
            if phones == 0 {
                return Some(Key::ImportNeedsPhone);
            }
            let chosen: Vec<&String> = targets.iter().filter(|t| !t.is_empty()).collect();
            let mut unique = chosen.clone();
            unique.sort();
            unique.dedup();
            (unique.len() != chosen.len()).then_some(Key::ImportDuplicateTarget)
        })
    });
    let filename = preview.filename.clone();
    let columns: Vec<(usize, String, Vec<String>)> = preview
        .headers
        .iter()
        .enumerate()
        .map(|(index, header)| {
            let samples = preview
                .samples
                .iter()
                .map(|row| row.get(index).cloned().unwrap_or_default())
                .collect();
            (index, header.clone(), samples)
        })
        .collect();
    view! {
        <section class="card" data-testid="import-mapping">
            <div class="flex flex-wrap items-center justify-between gap-3 border-b border-slate-100 px-5 py-4 sm:px-6">
                <div class="min-w-0">
                    <h2 class="font-semibold text-slate-900">{t(Key::ImportColumnsTitle)}</h2>
                    <p class="mt-1 text-sm text-slate-600">
                        <span class="font-medium break-all text-slate-800" data-testid="import-filename">{filename}</span>
                        " · "
                        {t(Key::ImportColumnsHint)}
                    </p>
                </div>
                <button type="button" class="btn btn-secondary btn-sm" on:click=move |_| restart.run(())>
                    {t(Key::ImportOtherFile)}
                </button>
            </div>
            <ul role="list" class="divide-y divide-slate-100">
                {columns
                    .into_iter()
                    .map(|(index, header, samples)| {
                        let select_id = format!("import-column-{index}");
                        let header_for_options = header.clone();
                        view! {
                            <li class="grid gap-2 px-5 py-3 sm:grid-cols-[minmax(0,1fr)_minmax(0,1fr)] sm:items-center sm:px-6" data-testid="import-column">
                                <div class="min-w-0">
                                    <label for=select_id.clone() class="block font-medium break-words text-slate-900">{header.clone()}</label>
                                    <p class="truncate text-xs text-slate-500">
                                        {samples.into_iter().filter(|s| !s.trim().is_empty()).collect::<Vec<_>>().join(" · ")}
                                    </p>
                                </div>
                                <select
                                    id=select_id
                                    class="input"
                                    data-testid="import-target"
                                    data-header=header
                                    on:change=move |ev| {
                                        let value = event_target_value(&ev);
                                        targets.update(|t| {
                                            if let Some(slot) = t.get_mut(index) {
                                                *slot = value;
                                            }
                                        });
                                    }
                                >
                                    {move || {
                                        let current = targets.with(|t| t.get(index).cloned().unwrap_or_default());
                                        let fields = fields.get().unwrap_or_default();
                                        options_for(&header_for_options, &fields)
                                            .into_iter()
                                            .map(|(value, label)| {
                                                let selected = value == current;
                                                let text = match label {
                                                    OptionLabel::Key(key) => i18n.lang().t(key).to_owned(),
                                                    OptionLabel::Field(label) => label,
                                                    OptionLabel::NewAttribute(key) => {
                                                        fill(i18n.lang().t(Key::ImportNewAttribute), &[("key", &key)])
                                                    }
                                                };
                                                view! { <option value=value selected=selected>{text}</option> }
                                            })
                                            .collect_view()
                                    }}
                                </select>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            <div class="space-y-4 border-t border-slate-100 px-5 py-4 sm:px-6">
                <div>
                    <label for="import-tags" class="block text-sm font-medium text-slate-900">{t(Key::ImportExtraTags)}</label>
                    <input id="import-tags" type="text" class="input mt-1" node_ref=tags_ref data-testid="import-tags" autocomplete="off"/>
                    <p class="mt-1 text-xs text-slate-500">{t(Key::ImportExtraTagsHint)}</p>
                </div>
                {move || problem.get().map(|key| view! {
                    <p class="text-sm text-red-700" role="alert" data-testid="import-problem">{t(key)}</p>
                })}
                <button
                    type="button"
                    class="btn btn-primary"
                    data-testid="import-start"
                    disabled=move || problem.get().is_some()
                    on:click=move |_| start.run(value_of(tags_ref))
                >
                    <Icon icon=IconName::Upload class="size-5"/>
                    <span>{t(Key::ImportStart)}</span>
                </button>
            </div>
        </section>
    }
    .into_any()
}

#[component]
fn Running(progress: RwSignal<Progress>) -> impl IntoView {
    let i18n = use_i18n();
    let text = move || {
        let p = progress.get();
        fill(
            i18n.lang().t(Key::ImportProgress),
            &[
                ("lines", &p.lines.to_string()),
                ("imported", &p.imported.to_string()),
                ("updated", &p.updated.to_string()),
                ("rejected", &p.rejected.to_string()),
            ],
        )
    };
    view! {
        <section class="card p-6" data-testid="import-running" aria-live="polite" aria-busy="true">
            <div class="flex items-center gap-3">
                <span class="spinner text-brand-600" aria-hidden="true"></span>
                <p class="font-medium text-slate-900">{t(Key::ImportRunning)}</p>
            </div>
            <div class="mt-4 h-2 overflow-hidden rounded-full bg-slate-100">
                <div class="h-full w-1/3 animate-pulse rounded-full bg-brand-500"></div>
            </div>
            <p class="mt-3 text-sm text-slate-600 tabular-nums" data-testid="import-progress">{text}</p>
        </section>
    }
    .into_any()
}

#[component]
fn Summary(summary: ImportSummary, restart: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let counts = [
        (Key::ImportNew, summary.imported, "import-imported"),
        (Key::ImportUpdated, summary.updated, "import-updated"),
        (Key::ImportRejected, summary.rejected_count, "import-rejected"),
    ];
    let hidden = summary.rejected_count.saturating_sub(summary.rejected.len() as u64);
    let rejected = summary.rejected.clone();
    view! {
        <section class="card" data-testid="import-summary">
            <div class="border-b border-slate-100 px-5 py-4 sm:px-6">
                <h2 class="font-semibold text-slate-900">{t(Key::ImportDone)}</h2>
                <p class="mt-1 text-sm text-slate-600">
                    {move || fill(i18n.lang().t(Key::ImportLinesRead), &[("count", &summary.lines.to_string())])}
                </p>
            </div>
            <dl class="grid grid-cols-3 divide-x divide-slate-100">
                {counts
                    .into_iter()
                    .map(|(key, value, testid)| view! {
                        <div class="px-5 py-4 sm:px-6">
                            <dt class="text-xs font-medium tracking-wide text-slate-500 uppercase">{t(key)}</dt>
                            <dd class="mt-1 text-2xl font-semibold text-slate-900 tabular-nums" data-testid=testid>{value}</dd>
                        </div>
                    })
                    .collect_view()}
            </dl>
            {(!rejected.is_empty()).then(|| view! {
                <div class="border-t border-slate-100 px-5 py-4 sm:px-6">
                    <h3 class="text-sm font-semibold text-slate-900">{t(Key::ImportRejectedTitle)}</h3>
                    <ul role="list" class="mt-2 max-h-80 divide-y divide-slate-100 overflow-y-auto text-sm" data-testid="import-rejected-lines">
                        {rejected.into_iter().map(|line| view! {
                            <li class="flex gap-3 py-2" data-testid="import-rejected-line">
                                <span class="w-20 shrink-0 text-slate-500 tabular-nums">
                                    {move || fill(i18n.lang().t(Key::ImportLine), &[("line", &line.line.to_string())])}
                                </span>
                                <span class="min-w-0 break-words text-slate-800">{line.reason.clone()}</span>
                            </li>
                        }).collect_view()}
                    </ul>
                    {(hidden > 0).then(|| view! {
                        <p class="mt-2 text-xs text-slate-500">
                            {move || fill(i18n.lang().t(Key::ImportRejectedMore), &[("count", &hidden.to_string())])}
                        </p>
                    })}
                </div>
            })}
            <div class="flex flex-wrap gap-3 border-t border-slate-100 px-5 py-4 sm:px-6">
                <a href="/contacts" class="btn btn-primary" data-testid="import-view-contacts">{t(Key::ImportViewContacts)}</a>
                <button type="button" class="btn btn-secondary" on:click=move |_| restart.run(())>
                    {t(Key::ImportAnother)}
                </button>
            </div>
        </section>
    }
    .into_any()
}

#[component]
fn History(history: LocalResource<Result<Vec<ImportDto>, ApiFailure>>) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        match history.get() {
        None => view! { <ListLoading/> }.into_any(),
        Some(Err(failure)) => {
            view! { <ListError key=failure.key() retry=Callback::new(move |_| history.refetch())/> }
                .into_any()
        }
        Some(Ok(imports)) if imports.is_empty() => {
            view! { <p class="text-sm text-slate-500" data-testid="import-history-empty">{t(Key::ImportHistoryEmpty)}</p> }
                .into_any()
        }
        Some(Ok(imports)) => view! {
            <ul role="list" class="-my-3 divide-y divide-slate-100 text-sm">
                {imports.into_iter().map(|import| {
                    let failed = import.status == "failed";
                    let name = import.filename.clone().unwrap_or_else(|| "CSV".to_owned());
                    let counts = move || if failed {
                        import.error.clone().unwrap_or_default()
                    } else {
                        fill(i18n.lang().t(Key::ImportHistoryCounts), &[
                            ("imported", &import.imported.to_string()),
                            ("updated", &import.updated.to_string()),
                            ("rejected", &import.rejected_count.to_string()),
                        ])
                    };
                    view! {
                        <li class="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1 py-3" data-testid="import-history-row">
                            <div class="min-w-0">
                                <p class="font-medium break-all text-slate-900">{name}</p>
                                <p class=if failed { "text-red-700" } else { "text-slate-600" }>{counts}</p>
                            </div>
                            <span class="text-xs text-slate-500 tabular-nums">{format_date(&import.created_at)}</span>
                        </li>
                    }
                }).collect_view()}
            </ul>
        }.into_any(),
    }
    }
}
