//! The contacts area: the list with its drawer (`/contacts`), the CSV import wizard
//! (`/contacts/import`) and the segment builder (`/contacts/segments`).

pub mod conversations;
pub mod import;
pub mod list;
pub mod segments;

pub use import::ContactImportPage;
pub use list::ContactsPage;
pub use segments::SegmentsPage;
