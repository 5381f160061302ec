//! The `civitas` command line.

fn main() {}
