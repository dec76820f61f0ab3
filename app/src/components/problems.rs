//! The current problem of a form whose fields are paths into a nested request
//! (`conditions[0].pattern`, `holidays[2].name`), as the API's `validation_failed` names them.
//! Each part of the form shows the problems under its own path; what no part claims shows above
//! the buttons.

use leptos::prelude::*;
use shared::i18n::Lang;

use crate::api::ApiFailure;
use crate::components::form::{Alert, AlertKind};

/// What the person is told about a failed call: the server's own words when it has some (which
/// field is wrong and why), otherwise our translation of the code.
pub fn failure_text(failure: &ApiFailure, lang: Lang) -> String {
    failure.message().map(str::to_owned).unwrap_or_else(|| lang.t(failure.key()).to_owned())
}

/// Whether `field` is `path` itself or lies inside it (`path.x`, `path[0]`).
pub fn within(field: &str, path: &str) -> bool {
    field
        .strip_prefix(path)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('.') || rest.starts_with('['))
}

#[derive(Debug, Clone, PartialEq)]
struct Problem {
    field: Option<String>,
    text: String,
}

/// The problem of a form (one at a time, as the API reports them).
#[derive(Clone, Copy)]
pub struct PathProblems {
    current: RwSignal<Option<Problem>>,
    /// Whether some part of the form shows the problems of this field.
    shown: fn(&str) -> bool,
}

impl PathProblems {
    pub fn new(shown: fn(&str) -> bool) -> Self {
        PathProblems { current: RwSignal::new(None), shown }
    }

    pub fn clear(self) {
        self.current.set(None);
    }

    /// A problem of our own check.
    pub fn at(self, field: impl Into<String>, text: String) {
        self.current.set(Some(Problem { field: Some(field.into()), text }));
    }

    /// An API failure, on the field it names.
    pub fn api(self, failure: &ApiFailure, lang: Lang) {
        let field = failure.field().map(str::to_owned);
        self.current.try_set(Some(Problem { field, text: failure_text(failure, lang) }));
    }

    /// Tracked: the field and text of the problem when it lies under `path` (or is `path`).
    pub fn under(self, path: &str) -> Option<(String, String)> {
        self.current.with(|c| {
            c.as_ref().and_then(|p| {
                p.field
                    .as_deref()
                    .filter(|f| within(f, path))
                    .map(|f| (f.to_owned(), p.text.clone()))
            })
        })
    }

    /// Tracked: the problem when its field is exactly `field`.
    pub fn exactly(self, field: &str) -> Option<String> {
        self.current.with(|c| {
            c.as_ref().filter(|p| p.field.as_deref() == Some(field)).map(|p| p.text.clone())
        })
    }

    /// Tracked: a problem no part of the form shows.
    pub fn general(self) -> Option<String> {
        let shown = self.shown;
        self.current.with(|c| {
            c.as_ref().filter(|p| !p.field.as_deref().is_some_and(shown)).map(|p| p.text.clone())
        })
    }

    /// `input input-invalid` when `field` has the problem.
    pub fn input_class(
        self,
        field: &'static str,
    ) -> impl Fn() -> &'static str + Copy + Send + Sync {
        move || if self.exactly(field).is_some() { "input input-invalid" } else { "input" }
    }
}

/// The problem of `path` or anything inside it, with the API's field in `data-field`.
#[component]
pub fn PathProblem(problems: PathProblems, #[prop(into)] path: Signal<String>) -> impl IntoView {
    move || {
        path.with(|path| problems.under(path)).map(|(field, text)| {
            view! {
                <p class="field-error break-words" data-testid="field-error" data-field=field>
                    {text}
                </p>
            }
        })
    }
}

/// The problem of exactly `field`, under its input.
#[component]
pub fn ExactProblem(problems: PathProblems, field: &'static str) -> impl IntoView {
    move || {
        problems.exactly(field).map(|text| {
            view! {
                <p class="field-error break-words" data-testid="field-error" data-field=field>
                    {text}
                </p>
            }
        })
    }
}

/// The problem no part of the form shows, above its buttons.
#[component]
pub fn GeneralProblem(problems: PathProblems, testid: &'static str) -> impl IntoView {
    move || {
        problems.general().map(|text| {
            view! {
                <Alert kind=AlertKind::Error testid>
                    <p class="break-words">{text}</p>
                </Alert>
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::within;

    #[test]
    fn a_field_lies_within_its_own_path_only() {
        assert!(within("conditions[0].pattern", "conditions[0]"));
        assert!(within("conditions[0]", "conditions[0]"));
        assert!(within("trigger.keywords", "trigger"));
        assert!(within("holidays[1].name", "holidays"));
        assert!(!within("conditions[10].pattern", "conditions[1]"));
        assert!(!within("name", "names"));
        assert!(!within("trigger", "trigger.keywords"));
    }
}
