//! App distribution: installing the app through OAuth v2 (the authorize page and
//! `oauth.v2.access`), its installations and tokens (with token rotation), and
//! uninstalling it.

pub(crate) mod authorize;
pub mod browser;
pub(crate) mod install;
pub mod registry;
pub(crate) mod uninstall;
