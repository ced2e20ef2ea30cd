//! Prompts: the heart of PromptVault.

pub mod store;
