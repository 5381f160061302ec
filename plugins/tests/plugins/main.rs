//! Integration tests of civitas-plugins: fault fixtures, the example plugins built from source,
//! and the precompiled cache. One binary, as the house style asks.

mod all_hooks;
mod build_examples;
mod cache;
mod examples_c;
mod examples_python;
mod examples_rust;
mod faults;
mod prepared;
mod slot_reset;
mod support;
