//! Import and export of prompts.

pub mod api;
