//! Prompts: the heart of PromptVault.

pub mod access;
pub mod store;
