//! A file the person picked in an `<input type="file">`. It only exists in the browser; during
//! server rendering the type is an empty stand-in so components compile the same on both sides.

/// The picked file, cheap to clone (a handle, not the bytes).
#[derive(Clone)]
pub struct PickedFile {
    #[cfg(feature = "hydrate")]
    file: web_sys::File,
}

#[cfg(feature = "hydrate")]
impl PickedFile {
    /// The first file of the input an event came from.
    pub fn from_event(ev: &leptos::ev::Event) -> Option<PickedFile> {
        use wasm_bindgen::JsCast;
        let input = ev.target()?.dyn_into::<web_sys::HtmlInputElement>().ok()?;
        input.files()?.get(0).map(|file| PickedFile { file })
    }

    pub fn name(&self) -> String {
        self.file.name()
    }

    pub fn size(&self) -> f64 {
        self.file.size()
    }

    /// The type the browser gives the file (`image/png`); empty when it does not know.
    pub fn mime(&self) -> String {
        self.file.type_()
    }

    /// The first `bytes` of the file as text (for a preview; invalid UTF-8 becomes U+FFFD).
    pub async fn head(&self, bytes: i32) -> Option<String> {
        let blob = self.file.slice_with_i32_and_i32(0, bytes).ok()?;
        wasm_bindgen_futures::JsFuture::from(blob.text()).await.ok()?.as_string()
    }

    pub(crate) fn handle(&self) -> &web_sys::File {
        &self.file
    }
}

#[cfg(not(feature = "hydrate"))]
impl PickedFile {
    pub fn from_event(_ev: &leptos::ev::Event) -> Option<PickedFile> {
        None
    }

    pub fn name(&self) -> String {
        String::new()
    }

    pub fn size(&self) -> f64 {
        0.0
    }

    pub fn mime(&self) -> String {
        String::new()
    }

    pub async fn head(&self, _bytes: i32) -> Option<String> {
        None
    }
}
