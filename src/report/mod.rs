//! Renderers: the text report, the JSON document and the ldp/ldapsearch/PowerShell recipes.
//! They read the analysis model and never decode bytes.

pub mod json;
pub mod names;
pub mod recipe;
pub mod text;
