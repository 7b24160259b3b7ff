//! Rendering diagnoses for people: reproduction recipes built from the decoded model.

pub mod recipe;
