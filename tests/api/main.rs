//! The integration suite in one binary (one build and one link instead of one per area): a
//! module per area, sharing the harness in `tests/common`. Scenarios run on SQLite, PostgreSQL
//! and MariaDB; see `tests/common/mod.rs` for the environment they need.

#[macro_use]
#[path = "../common/mod.rs"]
mod common;
#[path = "../opsdata/mod.rs"]
mod opsdata;

mod accounts;
mod balancer;
mod browser;
mod chat;
mod cli;
mod concurrency;
mod guide;
mod hardening;
mod importexport;
mod input_edges;
mod instances;
mod library_access;
mod library_basics;
mod mcp;
mod openapi;
mod ops;
mod ops_adopt;
mod ops_crash;
mod pages;
mod prompt_pages;
mod prompts;
mod registry;
mod remote;
mod schema;
mod search;
