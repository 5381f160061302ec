//! The Pabulib `.pb` file format (<https://pabulib.org>): reading and writing.
//!
//! A file has three sections, `META`, `PROJECTS` and `VOTES`, each a header line followed by
//! `;`-separated rows with CSV quoting. Real files carry a UTF-8 byte-order mark, CRLF or mixed
//! line ends, quotes inside names, costs written `4000.0`, string project ids and, now and then,
//! a project named twice in one vote; [`parse_pabulib`] accepts all of that the way pabutools
//! 1.2.3 reads it and rejects everything else with the line and field at fault.

mod fields;
mod read;
mod write;

pub use read::{ParseLimits, parse_pabulib, parse_pabulib_str, parse_pabulib_with_limits};
pub use write::{pabulib_string, write_pabulib};
