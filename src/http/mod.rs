//! The HTTP edge: error mapping, extractors, middleware shared by the API and the pages.

pub mod error;
pub mod extract;
pub mod middleware;

pub use extract::{Json, Page, Query};
