//! Feedback inside a page: a list's loading and failure lines, the inline "are you sure?", and
//! the save/delete foot of edit forms.

use leptos::prelude::*;
use shared::i18n::Key;

use crate::components::icons::{Icon, IconName};
use crate::hydration::use_hydrated;
use crate::i18n::t;

/// A list's loading line.
#[component]
pub fn ListLoading() -> impl IntoView {
    view! {
        <p class="flex items-center gap-3 py-2 text-sm text-slate-500" role="status">
            <span class="spinner text-brand-600" aria-hidden="true"></span>
            {t(Key::Loading)}
        </p>
    }
    .into_any()
}

/// A list's failure line with a retry.
#[component]
pub fn ListError(key: Key, retry: Callback<()>) -> impl IntoView {
    view! {
        <div class="flex flex-wrap items-center gap-3 rounded-lg bg-red-50 px-4 py-3 text-sm text-red-700" role="alert">
            <Icon icon=IconName::Warning class="size-4 shrink-0"/>
            <span class="flex-1">{t(key)}</span>
            <button type="button" class="btn btn-secondary btn-sm" on:click=move |_| retry.run(())>
                {t(Key::TryAgain)}
            </button>
        </div>
    }
    .into_any()
}

/// The foot of an edit form: the submit button and, once there is something saved, "Delete"
/// behind an inline "are you sure?". Shown to people who may change it (`manager`). The page
/// owns `confirming` (it closes the question when a delete fails).
#[component]
pub fn SaveOrDelete(
    save_label: Key,
    #[prop(into)] manager: Signal<bool>,
    /// Whether there is a saved record to delete.
    #[prop(into)]
    deletable: Signal<bool>,
    #[prop(into)] busy: Signal<bool>,
    confirming: RwSignal<bool>,
    #[prop(into)] question: Signal<String>,
    on_delete: Callback<()>,
    /// `<testid>-save`, `<testid>-delete`, `<testid>-delete-confirm`.
    testid: &'static str,
) -> impl IntoView {
    let hydrated = use_hydrated();
    view! {
        <Show when=move || manager.get()>
            <div class="flex flex-wrap items-center gap-2 border-t border-slate-100 pt-5">
                <button
                    type="submit"
                    class="btn btn-primary"
                    data-testid=format!("{testid}-save")
                    disabled=move || !hydrated.get() || busy.get()
                    aria-busy=move || busy.get().then_some("true")
                >
                    {move || busy.get().then(|| view! { <span class="spinner" aria-hidden="true"></span> })}
                    {t(save_label)}
                </button>
                <Show when=move || deletable.get() && !confirming.get()>
                    <button
                        type="button"
                        class="btn btn-secondary sm:ml-auto"
                        data-testid=format!("{testid}-delete")
                        disabled=move || !hydrated.get() || busy.get()
                        on:click=move |_| confirming.set(true)
                    >
                        <Icon icon=IconName::Trash class="size-4"/>
                        <span>{t(Key::Delete)}</span>
                    </button>
                </Show>
                <Show when=move || confirming.get()>
                    <ConfirmInline
                        question
                        confirm_label=Key::Delete
                        busy
                        on_confirm=on_delete
                        on_cancel=Callback::new(move |_| confirming.set(false))
                        confirm_testid=format!("{testid}-delete-confirm")
                    />
                </Show>
            </div>
        </Show>
    }
    .into_any()
}

/// "Are you sure?" inline: the question, a red confirm button and cancel.
#[component]
pub fn ConfirmInline(
    #[prop(into)] question: Signal<String>,
    confirm_label: Key,
    #[prop(into)] busy: Signal<bool>,
    on_confirm: Callback<()>,
    on_cancel: Callback<()>,
    /// `data-testid` of the confirm button.
    #[prop(into, default = "confirm-button".into())]
    confirm_testid: String,
) -> impl IntoView {
    view! {
        <div class="flex w-full flex-col gap-2 rounded-lg bg-red-50 p-3 sm:flex-row sm:items-center" role="group">
            <p class="flex-1 text-sm text-red-800">{move || question.get()}</p>
            <div class="flex gap-2">
                <button
                    type="button"
                    class="btn btn-danger btn-sm"
                    data-testid=confirm_testid
                    disabled=move || busy.get()
                    on:click=move |_| on_confirm.run(())
                >
                    {t(confirm_label)}
                </button>
                <button type="button" class="btn btn-secondary btn-sm" on:click=move |_| on_cancel.run(())>
                    {t(Key::Cancel)}
                </button>
            </div>
        </div>
    }
    .into_any()
}

/// The four states of a fetched list page, rendered the same way everywhere: loading, failure
/// with retry, an empty message (with `empty_testid`), or one `row` per item in a divided list.
pub fn page_list<T, V>(
    page: LocalResource<Result<shared::api::Page<T>, crate::api::ApiFailure>>,
    empty: Key,
    empty_testid: &'static str,
    row: impl Fn(T) -> V + Clone + Send + Sync + 'static,
) -> impl Fn() -> AnyView + Send + Sync + 'static
where
    T: Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    move || match page.get() {
        None => view! { <ListLoading/> }.into_any(),
        Some(Err(failure)) => {
            view! { <ListError key=failure.key() retry=Callback::new(move |_| page.refetch())/> }
                .into_any()
        }
        Some(Ok(loaded)) if loaded.items.is_empty() => {
            view! { <p class="text-sm text-slate-500" data-testid=empty_testid>{t(empty)}</p> }
                .into_any()
        }
        Some(Ok(loaded)) => {
            let row = row.clone();
            view! {
                <ul role="list" class="-my-3 divide-y divide-slate-100">
                    {loaded.items.into_iter().map(row).collect_view()}
                </ul>
            }
            .into_any()
        }
    }
}

/// Sets `signal` only when `value` differs: `set` always notifies, and a list that re-renders
/// on every "still ready" would rebuild its rows and lose what they were showing.
pub fn set_if_changed<T>(signal: RwSignal<T>, value: T)
where
    T: PartialEq + Send + Sync + 'static,
{
    if signal.try_with_untracked(|current| *current != value) == Some(true) {
        signal.try_set(value);
    }
}
