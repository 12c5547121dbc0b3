//! Pourover
