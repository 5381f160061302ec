//! Runnable examples of embedding civitas-core.
