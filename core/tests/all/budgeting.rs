//! The participatory-budgeting engine on real Pabulib files (`core/tests/data/pabulib`) and on random
//! elections. Pure library code: no database.

mod errors;
mod fuzz;
mod naive;
mod properties;
mod reference;
mod round_trip;
mod shared_runs;
mod support;
