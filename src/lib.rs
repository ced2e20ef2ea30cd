//! PromptVault: a self-hosted vault for AI prompts. One binary serves the web UI, the JSON API
//! and the operations CLI over SQLite (default), PostgreSQL or MySQL/MariaDB.

pub mod app;
pub mod auth;
pub mod cli;
pub mod client;
pub mod config;
pub mod cpu;
pub mod db;
pub mod error;
pub mod http;
pub mod importexport;
pub mod listing;
pub mod mcp;
pub mod openapi;
pub mod ops;
pub mod pages;
pub mod prompts;
pub mod ratings;
pub mod registry;
pub mod search;
pub mod settings;
pub mod sharing;
pub mod state;
pub mod tags;
pub mod teams;
pub mod text;
pub mod users;
