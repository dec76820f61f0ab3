//! The areas later milestones build (inbox, contacts, campaigns, ...). Until then each shows an
//! honest empty state saying what it will do; no sample data pretends otherwise.

use leptos::prelude::*;
use shared::i18n::Key;

use crate::components::icons::{Icon, IconName};
use crate::components::layout::PageHeader;
use crate::components::nav::NavItem;
use crate::i18n::t;

#[component]
pub fn AreaPlaceholder(item: NavItem) -> impl IntoView {
    view! {
        <PageHeader title=item.label/>
        <section
            class="card flex flex-col items-center px-6 py-14 text-center sm:py-20"
            data-testid="area-empty"
            data-area=item.testid
        >
            <div class="grid size-14 place-items-center rounded-2xl bg-brand-50 text-brand-600 ring-1 ring-brand-100">
                <Icon icon=item.icon class="size-7"/>
            </div>
            <h2 class="mt-5 text-lg font-semibold text-slate-900">{t(item.label)}</h2>
            <p class="mt-2 max-w-md text-sm leading-6 text-slate-600">{t(item.description)}</p>
            <p class="mt-6 inline-flex items-center gap-2 rounded-full bg-slate-100 px-3 py-1 text-xs font-medium text-slate-700">
                <Icon icon=IconName::Clock class="size-4 text-slate-500"/>
                {t(Key::UpcomingRelease)}
            </p>
        </section>
    }
    .into_any()
}
